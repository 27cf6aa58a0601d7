package near

import (
	"math"
	"slices"
	"time"
)

// Profile is the term profile of a story: the sum of its members' tf-idf
// vectors, each scaled to unit length so that a long report weighs no more
// than a short one, with the span of its members' times.
//
// Comparing with a Profile is comparing with a story rather than with one
// of its items: the terms its outlets agree on add up, while each outlet's
// own wording is diluted. Its dot product with another unit vector, divided
// by the number of members, is the average cosine of that vector with the
// members (average linkage), at the cost of one comparison.
type Profile struct {
	terms       []weighted // sorted by hash
	n           int        // members added
	first, last time.Time  // earliest and latest member times
}

// weighted is one term of a Profile.
type weighted struct {
	hash uint32
	w    float64
}

// Len returns the number of Docs added.
func (p *Profile) Len() int { return p.n }

// Add adds a weighed Doc to the profile.
func (p *Profile) Add(d *Doc) {
	switch u := unit(d); {
	case len(p.terms) == 0:
		p.terms = u // unit returns a vector of its own
	case len(u) > 0:
		p.terms = mergeSum(p.terms, u)
	}
	if p.n == 0 || d.Time.Before(p.first) {
		p.first = d.Time
	}
	if p.n == 0 || d.Time.After(p.last) {
		p.last = d.Time
	}
	p.n++
}

// Merge adds every member of q to p.
func (p *Profile) Merge(q *Profile) {
	if q.n == 0 {
		return
	}
	p.terms = mergeSum(p.terms, q.terms)
	if p.n == 0 || q.first.Before(p.first) {
		p.first = q.first
	}
	if p.n == 0 || q.last.After(p.last) {
		p.last = q.last
	}
	p.n += q.n
}

// Clone returns a copy of p that can be added to without changing p.
func (p *Profile) Clone() *Profile {
	c := *p
	c.terms = slices.Clone(p.terms)
	return &c
}

// Apart returns how far a time is from the nearest member's time: zero
// within the span of the members' times.
func (p *Profile) Apart(t time.Time) time.Duration {
	switch {
	case p.n == 0:
		return 0
	case t.Before(p.first):
		return p.first.Sub(t)
	case t.After(p.last):
		return t.Sub(p.last)
	}
	return 0
}

// Centroid returns the cosine of a Doc with the profile's centroid, the sum
// of its members' unit vectors. StoryScore bounds what it may add to a
// story's closest member.
func (p *Profile) Centroid(d *Doc) float64 {
	// The dot product with d's unit vector, as unit(d) would give it,
	// without building that vector: one is made for every candidate story.
	var dot, dd float64
	i := 0
	for _, t := range d.Terms {
		w := t.weight()
		if w <= 0 {
			continue
		}
		dd += w * w
		for i < len(p.terms) && p.terms[i].hash < t.Hash {
			i++
		}
		if i < len(p.terms) && p.terms[i].hash == t.Hash {
			dot += p.terms[i].w * w
		}
	}
	n := norm(p.terms)
	if n == 0 || p.n == 0 || dd == 0 {
		return 0
	}
	return dot / math.Sqrt(dd) / n
}

// Linkage returns the average cosine of a member of p with a member of q.
func Linkage(p, q *Profile) float64 {
	if p.n == 0 || q.n == 0 {
		return 0
	}
	return dotSorted(p.terms, q.terms) / float64(p.n*q.n)
}

// Gap returns how far apart in time the members of two profiles are: zero
// when their spans overlap, else the distance between the nearer ends.
func Gap(p, q *Profile) time.Duration {
	switch {
	case p.n == 0 || q.n == 0:
		return 0
	case q.first.After(p.last):
		return q.first.Sub(p.last)
	case p.first.After(q.last):
		return p.first.Sub(q.last)
	}
	return 0
}

// Discount scales a similarity by how far apart in time the compared
// reports are, as Similarity does for two Docs.
func Discount(v float64, apart time.Duration) float64 {
	return v / (1 + float64(apart.Abs())/float64(HalfLife))
}

// unit returns a Doc's tf-idf vector scaled to unit length, sorted by hash.
func unit(d *Doc) []weighted {
	out := make([]weighted, 0, len(d.Terms))
	var sum float64
	for _, t := range d.Terms {
		w := t.weight()
		if w <= 0 {
			continue
		}
		out = append(out, weighted{t.Hash, w})
		sum += w * w
	}
	if sum == 0 {
		return nil
	}
	n := math.Sqrt(sum)
	for i := range out {
		out[i].w /= n
	}
	return out
}

func norm(v []weighted) float64 {
	var sum float64
	for _, t := range v {
		sum += t.w * t.w
	}
	return math.Sqrt(sum)
}

// mergeSum returns the sum of two sorted vectors, sorted.
func mergeSum(a, b []weighted) []weighted {
	out := make([]weighted, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j >= len(b) || i < len(a) && a[i].hash < b[j].hash:
			out = append(out, a[i])
			i++
		case i >= len(a) || b[j].hash < a[i].hash:
			out = append(out, b[j])
			j++
		default:
			out = append(out, weighted{a[i].hash, a[i].w + b[j].w})
			i++
			j++
		}
	}
	return out
}

// dotSorted returns the dot product of two sorted vectors.
func dotSorted(a, b []weighted) float64 {
	var dot float64
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i].hash < b[j].hash:
			i++
		case a[i].hash > b[j].hash:
			j++
		default:
			dot += a[i].w * b[j].w
			i++
			j++
		}
	}
	return dot
}

// HeadlineOnly reports whether d holds its headline's words and at most
// two others: a flash of a headline alone, an aggregator's headline over
// "Comments" or "Read more", a news finder's headline given again as the
// link to the report with the outlet's name after it. Such an item tells
// what a report is about and nothing of how it tells it.
func (d *Doc) HeadlineOnly() bool {
	other := 0
	for _, t := range d.Terms {
		if !t.Title {
			other++
		}
	}
	return other <= 2
}
