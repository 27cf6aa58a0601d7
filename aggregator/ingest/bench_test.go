package ingest

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/near"
)

// memTx is an in-memory aggregator.Tx with the store's layout for the
// near-duplicate index: refs per band, encoded Docs per item, counters per
// namespace. Stories are one-member stories named after their item, so that
// a million of them cost no memory. It serves the lookup benchmark, where
// building a million-item bbolt file would dominate the run.
type memTx struct {
	aggregator.Tx // nil: the methods below are all the lookup uses
	bands         map[string][]aggregator.KeyRef
	features      map[string][]byte
	counts        map[string]map[string]uint32
}

func newMemTx() *memTx {
	return &memTx{bands: map[string][]aggregator.KeyRef{}, features: map[string][]byte{}, counts: map[string]map[string]uint32{}}
}

func (m *memTx) Band(b []byte) ([]aggregator.KeyRef, error) { return m.bands[string(b)], nil }
func (m *memTx) BandLen(b []byte) (int, error)              { return len(m.bands[string(b)]), nil }
func (m *memTx) AddBand(b []byte, r aggregator.KeyRef) error {
	m.bands[string(b)] = append(m.bands[string(b)], r)
	return nil
}
func (m *memTx) Features(id string) ([]byte, error) {
	b, ok := m.features[id]
	if !ok {
		return nil, fmt.Errorf("features %s: %w", id, aggregator.ErrNotFound)
	}
	return b, nil
}
func (m *memTx) PutFeatures(id string, b []byte) error { m.features[id] = b; return nil }
func (m *memTx) Counts(ns string, keys []string) ([]uint32, error) {
	out := make([]uint32, len(keys))
	for i, k := range keys {
		out[i] = m.counts[ns][k]
	}
	return out, nil
}
func (m *memTx) AddCounts(ns string, keys []string) error {
	c := m.counts[ns]
	if c == nil {
		c = map[string]uint32{}
		m.counts[ns] = c
	}
	for _, k := range keys {
		c[k]++
	}
	return nil
}
func (m *memTx) Story(id string) (aggregator.Story, error) {
	return aggregator.Story{ID: id, Members: []aggregator.Member{{Item: id, Source: "s" + id[len(id)-1:]}}}, nil
}

// synthDoc makes a Doc of a news item: 8 headline and 30 body terms drawn
// from a Zipf-distributed vocabulary, weighed by that distribution.
func synthDoc(r *rand.Rand, z *rand.Zipf, at time.Time) *near.Doc {
	d := &near.Doc{Time: at, Words: 120}
	seen := map[uint32]bool{}
	for i := 0; len(d.Terms) < 38 && i < 200; i++ {
		rank := z.Uint64()
		h := uint32(rank*2654435761 + 1)
		if seen[h] {
			continue
		}
		seen[h] = true
		idf := near.IDF(1_000_000, uint32(1_000_000/(rank+2)))
		d.Terms = append(d.Terms, near.Term{Hash: h, Count: 1, IDF: uint8(min(255, idf*16)), Title: len(d.Terms) < 8})
	}
	for range 40 {
		d.Shingles = append(d.Shingles, r.Uint32())
	}
	sortDoc(d)
	return d
}

func sortDoc(d *near.Doc) {
	for i := 1; i < len(d.Terms); i++ {
		for j := i; j > 0 && d.Terms[j].Hash < d.Terms[j-1].Hash; j-- {
			d.Terms[j], d.Terms[j-1] = d.Terms[j-1], d.Terms[j]
		}
	}
	for i := 1; i < len(d.Shingles); i++ {
		for j := i; j > 0 && d.Shingles[j] < d.Shingles[j-1]; j-- {
			d.Shingles[j], d.Shingles[j-1] = d.Shingles[j-1], d.Shingles[j]
		}
	}
}

// BenchmarkLookup measures one near-duplicate lookup (index bands, band
// sizes, candidate stories, features and scores of their members) among
// 100,000 and 1,000,000 stored fingerprints, filed at 2,000 items a day
// through the same code as Apply, in the in-memory memTx.
func BenchmarkLookup(b *testing.B) {
	const perDay = 2000
	in := New(&aggregator.Config{}, nil)
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			z := rand.NewZipf(r, 1.1, 1, 200_000)
			tx := newMemTx()
			start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
			step := 24 * time.Hour / perDay
			s := newSession(in, tx)
			for i := range n {
				id := fmt.Sprintf("%023d%d", i, i%7)
				d := synthDoc(r, z, start.Add(time.Duration(i)*step))
				p := &pending{it: aggregator.Item{ID: id, SourceID: "s" + id[len(id)-1:]}, doc: d}
				if err := s.file(p, aggregator.KeyRef{Story: id, Item: id, Time: d.Time}); err != nil {
					b.Fatal(err)
				}
				delete(s.docs, id)
			}
			end := start.Add(time.Duration(n) * step)
			queries := make([]*pending, 64)
			for i := range queries {
				queries[i] = &pending{it: aggregator.Item{ID: fmt.Sprintf("q%d", i), SourceID: "q"}, doc: synthDoc(r, z, end)}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				s := newSession(in, tx)
				if _, _, err := s.nearest(queries[i%len(queries)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
