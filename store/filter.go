package store

import (
	"hash/maphash"
	"math/bits"

	bolt "go.etcd.io/bbolt"
)

// Most lookups in the keys and bands buckets are for keys the file does not
// hold: a new item's link and guid, the rare terms of a new report. Each
// such lookup still walks the B+tree from the root. A keyFilter answers
// "may the bucket hold this key?" from memory first: a Bloom filter of every
// key the bucket held when the filter was built and of every key added
// since. It may say yes for a key the bucket lacks (at most about one key in
// a hundred, or a key deleted since), never no for a key it holds.
//
// Filters live in memory only, are built from the bucket by the first write
// transaction that needs them, and are used and changed only by write
// transactions, which bbolt runs one at a time. A write transaction that
// rolls back leaves the keys it added in the filter: a filter holds a
// superset of the bucket's keys, which is all a lookup needs. A filter
// rebuilt within a transaction that rolls back is dropped, though: it was
// built without the keys the transaction deleted, which the file holds
// again.
type keyFilter struct {
	seed    maphash.Seed
	bits    []uint64 // nil until built
	mask    uint64   // number of bits - 1; a power of two
	keys    int      // keys the build found, and new keys added since
	dropped int      // keys deleted from the bucket since the build
	limit   int      // keys the filter was sized for
	rebuilt bool     // built in the running write transaction
}

const (
	// filterBitsPerKey is the fewest bits a key has, at the limit (the bits
	// are rounded up to a power of two): at most about 1% of absent keys pass.
	filterBitsPerKey = 10
	filterProbes     = 7       // bits set per key: the best count for 10 bits a key
	filterMinKeys    = 1 << 12 // smallest limit a filter is sized for
)

// bucketFilters are the write transactions' filters of one file.
type bucketFilters struct {
	keys  keyFilter
	bands keyFilter
}

// begin starts a write transaction's use of the filters.
func (fs *bucketFilters) begin() {
	fs.keys.rebuilt, fs.bands.rebuilt = false, false
}

// end ends a write transaction's use of the filters: when it rolled back,
// a filter it rebuilt is dropped, to be built again from the file.
func (fs *bucketFilters) end(committed bool) {
	for _, f := range []*keyFilter{&fs.keys, &fs.bands} {
		if f.rebuilt && !committed {
			*f = keyFilter{}
		}
		f.rebuilt = false
	}
}

// due reports whether the filter must be (re)built before use: it was never
// built, it took more keys than it was sized for (so it would pass more
// absent keys), or half of what it was built from was deleted since.
func (f *keyFilter) due() bool {
	return f.bits == nil || f.keys > f.limit || f.dropped > f.limit/2
}

// build fills the filter with every key of b, sized for twice as many.
func (f *keyFilter) build(b *bolt.Bucket) {
	if f.bits == nil {
		f.seed = maphash.MakeSeed()
	}
	// Two walks of the keys, one to count them and one to set their bits:
	// a large bucket's hashes held in between would outweigh the filter.
	count := 0
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		count++
	}
	f.limit = max(2*count, filterMinKeys)
	n := uint64(1) << bits.Len64(uint64(f.limit*filterBitsPerKey)-1)
	f.bits = make([]uint64, n/64)
	f.mask = n - 1
	f.keys = 0
	f.dropped = 0
	f.rebuilt = true
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		f.add(k)
	}
}

// ready makes the filter usable for b, building it when due.
func (f *keyFilter) ready(b *bolt.Bucket) *keyFilter {
	if f.due() {
		f.build(b)
	}
	return f
}

// probes returns the two hashes of double hashing: probe i is h1 + i·h2.
func probes(h uint64) (h1, h2 uint64) {
	return h, h>>32 | h<<32 | 1
}

// add records that the bucket now holds k, a key new to it.
func (f *keyFilter) add(k []byte) {
	h1, h2 := probes(maphash.Bytes(f.seed, k))
	for i := uint64(0); i < filterProbes; i++ {
		p := (h1 + i*h2) & f.mask
		f.bits[p/64] |= 1 << (p % 64)
	}
	f.keys++
}

// drop records that a key was deleted from the bucket. The key's bits stay
// set (other keys may share them); enough deletions make the filter due for
// a rebuild.
func (f *keyFilter) drop() { f.dropped++ }

// mayHold reports whether the bucket may hold k: false means it does not.
func (f *keyFilter) mayHold(k []byte) bool {
	h1, h2 := probes(maphash.Bytes(f.seed, k))
	for i := uint64(0); i < filterProbes; i++ {
		p := (h1 + i*h2) & f.mask
		if f.bits[p/64]&(1<<(p%64)) == 0 {
			return false
		}
	}
	return true
}
