package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

// tx implements aggregator.Tx over one bbolt transaction. Its methods live
// next to the records they handle: sources.go, items.go, stories.go,
// keys.go, counts.go. Everything it returns is copied out of bbolt's memory,
// so it stays valid after the transaction ends.
type tx struct {
	sources  *bolt.Bucket
	items    *bolt.Bucket
	stories  *bolt.Bucket
	time     *bolt.Bucket
	topics   *bolt.Bucket
	keys     *bolt.Bucket
	bands    *bolt.Bucket
	features *bolt.Bucket
	counts   *bolt.Bucket
	owned    *bolt.Bucket
	blobs    *bolt.Bucket // nil in a file opened read-only that predates it
	records  *bolt.Bucket // nil, like ids, in a file opened read-only that predates it
	ids      *bolt.Bucket
	seqs     map[string]uint64 // item id → sequence number in records, 0 for none, as looked up (record.go)
	oldItems bool              // the items bucket of an older file holds records; known when oldKnown
	oldKnown bool
	seqBuf   [8]byte // recordOf's key
	codec    *itemCodec
	pend     map[string]*extras // features and owned lists changed, by item id (record.go)
	refKey   []byte             // VisitBandUpTo's key of a ref's story
	cursors  []bucketCursor     // get's cursors
	filters  *bucketFilters     // the file's key filters (filter.go); nil in a read-only transaction
	cache    *countCache        // counter increments not yet in the file (counts.go)
	feats    *featureStage      // the write transaction's staging of the feature cache (featcache.go); nil in a read-only one
	writable bool
}

var _ aggregator.Tx = (*tx)(nil)

func (d *DB) newTx(btx *bolt.Tx) *tx {
	var filters *bucketFilters
	if btx.Writable() {
		filters = &d.filters
	}
	t := &tx{
		codec:    d.codec,
		filters:  filters,
		cache:    &d.counters,
		writable: btx.Writable(),
		sources:  btx.Bucket(bucketSources),
		items:    btx.Bucket(bucketItems),
		stories:  btx.Bucket(bucketStories),
		time:     btx.Bucket(bucketTime),
		topics:   btx.Bucket(bucketTopics),
		keys:     btx.Bucket(bucketKeys),
		bands:    btx.Bucket(bucketBands),
		features: btx.Bucket(bucketFeatures),
		counts:   btx.Bucket(bucketCounts),
		owned:    btx.Bucket(bucketOwned),
		blobs:    btx.Bucket(bucketBlobs),
		records:  btx.Bucket(bucketRecords),
		ids:      btx.Bucket(bucketIDs),
	}
	if btx.Writable() {
		t.feats = d.features.stage
		// New records go at the end of records: its pages are filled
		// before the next is begun, where random keys leave them a third
		// empty on average.
		t.records.FillPercent = 1
	}
	return t
}

// bucketCursor is a cursor kept for reads of one bucket.
type bucketCursor struct {
	b *bolt.Bucket
	c *bolt.Cursor
}

// maxCursors bounds the cursors get keeps: a read-only transaction hands
// out a new *bolt.Bucket for each lookup of a nested bucket.
const maxCursors = 16

// filter returns b's key filter, ready for use, or nil when b has none or
// the transaction is read-only.
func (t *tx) filter(b *bolt.Bucket) *keyFilter {
	if t.filters == nil {
		return nil
	}
	switch b {
	case t.keys:
		return t.filters.keys.ready(b)
	case t.bands:
		return t.filters.bands.ready(b)
	}
	return nil
}

// lookup is get that skips the search when b's filter says b lacks k.
func (t *tx) lookup(b *bolt.Bucket, k []byte) []byte {
	if f := t.filter(b); f != nil && !f.mayHold(k) {
		return nil
	}
	return t.get(b, k)
}

// get is b.Get through one cursor kept for b for the transaction. bbolt's
// Get makes a cursor and grows its path through the tree on every call;
// a kept cursor's Seek reuses both, and starts at the root each time, so
// writes in between do not disturb it.
func (t *tx) get(b *bolt.Bucket, k []byte) []byte {
	var c *bolt.Cursor
	for _, bc := range t.cursors {
		if bc.b == b {
			c = bc.c
			break
		}
	}
	if c == nil {
		if len(t.cursors) == maxCursors {
			return b.Get(k)
		}
		c = b.Cursor()
		t.cursors = append(t.cursors, bucketCursor{b, c})
	}
	found, v := c.Seek(k)
	if !bytes.Equal(found, k) {
		return nil
	}
	return v
}

// An item's owned list names the entries the item owns, so Prune finds
// them; it lives in the item's record (record.go): a version byte, then its
// entries. One value per item keeps the item id from repeating per entry
// (an item may own dozens of bands).
//
// An entry in full is its kind, a uvarint length and the stored key (the
// only form of ownedV1). ownedV2 adds runs of entries alike: kind|ownedRun,
// uvarint m, uvarint o, uvarint c, then m times c bytes, which are m more
// entries of that kind, each the entry before the run with its bytes o to
// o+c replaced by its c bytes. An item's bands are one term hash each in
// the same day ('n', four bytes of hash, four of day): in a run they take
// four bytes where in full they take eleven.
const (
	ownedV1  = 1
	ownedV2  = 2
	ownedRun = 0x80 // set in the kind byte of a run
)

// own records that the item owns the entry of kind, once.
func (t *tx) own(itemID string, kind byte, entry []byte) error {
	v, err := t.ownedList(itemID)
	if err != nil {
		return err
	}
	found := false
	err = walkOwned(v, func(k byte, e []byte) error {
		found = found || k == kind && bytes.Equal(e, entry)
		return nil
	})
	if err != nil {
		return fmt.Errorf("owned by %s: %w", itemID, err)
	}
	if found {
		return nil
	}
	nv := make([]byte, 0, max(len(v), 1)+2+binary.MaxVarintLen64+len(entry))
	nv = append(nv, ownedV2) // an ownedV1 list's entries read alike in ownedV2
	if len(v) > 0 {
		nv = append(nv, v[1:]...)
	}
	t.setOwned(itemID, appendOwnedEntry(nv, kind, entry))
	return nil
}

// ownAll records that the item owns each of the entries of kind, once,
// in one write of its owned list.
func (t *tx) ownAll(itemID string, kind byte, entries [][]byte) error {
	if len(entries) == 0 {
		return nil
	}
	v, err := t.ownedList(itemID)
	if err != nil {
		return err
	}
	if err := walkOwned(v, func(byte, []byte) error { return nil }); err != nil {
		return fmt.Errorf("owned by %s: %w", itemID, err)
	}
	add := make([][]byte, 0, len(entries))
	for _, e := range entries {
		if ownsEntry(v, kind, e) || slices.ContainsFunc(add, func(h []byte) bool { return bytes.Equal(h, e) }) {
			continue
		}
		add = append(add, e)
	}
	if len(add) == 0 {
		return nil
	}
	nv := make([]byte, 0, max(len(v), 1)+len(add)*(2+binary.MaxVarintLen64+maxRawKey+1))
	nv = append(nv, ownedV2) // an ownedV1 list's entries read alike in ownedV2
	if len(v) > 0 {
		nv = append(nv, v[1:]...)
	}
	t.setOwned(itemID, appendOwned(nv, kind, add))
	return nil
}

// appendOwned appends entries of kind to an ownedV2 list: each that starts
// a run in full, and the entries after it of its length in one run, as
// long as they differ from it only within a span of at most half their
// bytes and the run takes fewer bytes than they would in full.
func appendOwned(nv []byte, kind byte, entries [][]byte) []byte {
	for i := 0; i < len(entries); {
		base := entries[i]
		nv = appendOwnedEntry(nv, kind, base)
		i++
		lo, hi, j := len(base), 0, i
		for ; j < len(entries) && len(entries[j]) == len(base); j++ {
			f, l := diffSpan(base, entries[j])
			if f == l {
				continue // the same bytes: a span of none
			}
			f, l = min(lo, f), max(hi, l)
			if 2*(l-f) > len(base) {
				break // what a run takes of each entry would outgrow half of it
			}
			lo, hi = f, l
		}
		m := j - i
		if m == 0 || hi <= lo {
			continue
		}
		c := hi - lo
		run := 1 + uvarintLen(uint64(m)) + uvarintLen(uint64(lo)) + uvarintLen(uint64(c)) + m*c
		if run >= m*(1+uvarintLen(uint64(len(base)))+len(base)) {
			continue // each goes in full, the next starting its own run
		}
		nv = append(nv, kind|ownedRun)
		nv = binary.AppendUvarint(nv, uint64(m))
		nv = binary.AppendUvarint(nv, uint64(lo))
		nv = binary.AppendUvarint(nv, uint64(c))
		for _, e := range entries[i:j] {
			nv = append(nv, e[lo:hi]...)
		}
		i = j
	}
	return nv
}

func appendOwnedEntry(nv []byte, kind byte, e []byte) []byte {
	nv = append(nv, kind)
	nv = binary.AppendUvarint(nv, uint64(len(e)))
	return append(nv, e...)
}

// diffSpan returns the span [f, l) outside which a and b, of one length,
// are equal; f == l when they are equal.
func diffSpan(a, b []byte) (f, l int) {
	for f < len(a) && a[f] == b[f] {
		f++
	}
	l = len(a)
	for l > f && a[l-1] == b[l-1] {
		l--
	}
	return f, l
}

func uvarintLen(n uint64) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], n)
}

// ownsEntry reports whether the owned list v names the entry of kind. A
// damaged list says no; walking it elsewhere reports the damage.
func ownsEntry(v []byte, kind byte, entry []byte) bool {
	found := false
	walkOwned(v, func(k byte, e []byte) error {
		found = found || k == kind && bytes.Equal(e, entry)
		return nil
	})
	return found
}

// walkOwned calls fn with each entry of an owned list. An entry of a run
// is good until fn returns; fn copies what it keeps.
func walkOwned(v []byte, fn func(kind byte, entry []byte) error) error {
	if len(v) == 0 {
		return nil
	}
	if v[0] != ownedV1 && v[0] != ownedV2 {
		return fmt.Errorf("owned list version %d", v[0])
	}
	runs := v[0] == ownedV2
	var (
		prev     []byte // the last entry
		prevKind byte
		run      []byte // an entry of a run; allocated only for a list that has runs
	)
	for v = v[1:]; len(v) > 0; {
		kind := v[0]
		if runs && kind&ownedRun != 0 {
			kind &^= ownedRun
			m, o, c, rest, err := runHeader(v[1:])
			if err != nil {
				return err
			}
			if prev == nil || prevKind != kind || o > uint64(len(prev)) || c == 0 || c > uint64(len(prev))-o || m > uint64(len(rest))/c {
				return errors.New("malformed owned list")
			}
			// Each entry of the run is the one before it with the run's
			// span replaced: the bytes around it stay the first's.
			run = append(run[:0], prev...)
			for i := range m {
				copy(run[o:o+c], rest[i*c:(i+1)*c])
				if err := fn(kind, run); err != nil {
					return err
				}
			}
			if m > 0 {
				prev = run
			}
			v = rest[m*c:]
			continue
		}
		n, w := binary.Uvarint(v[1:])
		if w <= 0 || uint64(len(v)-1-w) < n {
			return errors.New("malformed owned list")
		}
		entry := v[1+w : 1+w+int(n)]
		v = v[1+w+int(n):]
		if err := fn(kind, entry); err != nil {
			return err
		}
		prev, prevKind = entry, kind
	}
	return nil
}

// runHeader reads the counts of a run: its entries, where their bytes go
// and how many each has.
func runHeader(v []byte) (m, o, c uint64, rest []byte, err error) {
	var vals [3]uint64
	for i := range vals {
		n, w := binary.Uvarint(v)
		if w <= 0 {
			return 0, 0, 0, nil, errors.New("malformed owned list")
		}
		vals[i], v = n, v[w:]
	}
	return vals[0], vals[1], vals[2], v, nil
}
