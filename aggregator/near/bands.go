package near

import (
	"encoding/binary"
	"slices"
	"time"
)

// The index is an inverted index of each Doc's most telling terms,
// partitioned by time: a band is a term within one BucketWidth of time. A
// lookup reads only the buckets within the dedup window of the Doc's own
// time, so its cost depends on how many items share a rare term in that
// span, not on how many items the store holds.
const (
	// BucketWidth is the span of time one band covers.
	BucketWidth = 24 * time.Hour
	// IndexTerms is how many of a Doc's terms it is filed under.
	IndexTerms = 16
	// LookupTerms is how many of a Doc's terms a lookup reads: its
	// heaviest that are not the day's topic words (see LookupBands). Two
	// reports of one story share their heaviest terms, so one of a Doc's
	// few heaviest is nearly always among the terms the other was filed
	// under, and each term looked up costs a band read per bucket of the
	// window.
	LookupTerms = 8
)

// Band is one index key of a Doc: a term within one time bucket.
type Band struct {
	Key    []byte  // 'n', the term hash and the bucket number
	Weight float64 // the term's weight in the Doc
}

// Bands returns the bands a Doc is filed under: its IndexTerms heaviest
// terms in the bucket of its own time.
func (d *Doc) Bands() []Band {
	b := bucket(d.Time)
	terms := d.indexTerms()
	out := make([]Band, len(terms))
	for i, t := range terms {
		out[i] = Band{Key: bandKey(t.Hash, b), Weight: t.weight()}
	}
	return out
}

// LookupBands returns the bands to read to find the Doc's near-duplicates
// among items whose time is within window of its own: for each of the terms
// it is filed under, heaviest first, the term's band in every bucket that
// the window touches, perTerm bands a term. A reader takes the terms in
// order until LookupTerms of them have been read. A term whose band is too
// full to read is a topic of the day (a name in every report of an
// unfolding event, a word of the season) rather than a word of one story:
// it does not count, and the next term is read in its place, so that a
// lookup finds a story's own words however many items share its topic.
func (d *Doc) LookupBands(window time.Duration) (bands []Band, perTerm int) {
	lo, hi := bucket(d.Time.Add(-window)), bucket(d.Time.Add(window))
	terms := d.indexTerms()
	n := len(terms) * int(hi-lo+1)
	out := make([]Band, 0, n)
	keys := make([]byte, 0, n*bandKeyLen) // one allocation for every key
	for _, t := range terms {
		for b := lo; b <= hi; b++ {
			keys = appendBandKey(keys, t.Hash, b)
			key := keys[len(keys)-bandKeyLen : len(keys) : len(keys)]
			out = append(out, Band{Key: key, Weight: t.weight()})
		}
	}
	return out, int(hi - lo + 1)
}

// indexTerms returns the Doc's heaviest terms, at most IndexTerms.
func (d *Doc) indexTerms() []Term {
	type weighed struct {
		t Term
		w float64
	}
	ws := make([]weighed, len(d.Terms))
	for i, t := range d.Terms {
		ws[i] = weighed{t, t.weight()}
	}
	slices.SortFunc(ws, func(a, b weighed) int {
		switch {
		case a.w > b.w:
			return -1
		case a.w < b.w:
			return 1
		}
		return cmpU32(a.t.Hash, b.t.Hash)
	})
	n := min(len(ws), IndexTerms)
	terms := make([]Term, n)
	for i := range terms {
		terms[i] = ws[i].t
	}
	return terms
}

func bucket(t time.Time) uint32 {
	days := t.Unix() / int64(BucketWidth/time.Second)
	if days < 0 {
		return 0
	}
	return uint32(days)
}

// bandKeyLen is the length of a band's key: 'n', the term hash and the
// bucket number.
const bandKeyLen = 9

func bandKey(term, bucket uint32) []byte {
	return appendBandKey(make([]byte, 0, bandKeyLen), term, bucket)
}

func appendBandKey(b []byte, term, bucket uint32) []byte {
	b = append(b, 'n')
	b = binary.BigEndian.AppendUint32(b, term)
	return binary.BigEndian.AppendUint32(b, bucket)
}
