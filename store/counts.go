package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// Counters are statistics (document frequencies): every fetch adds to
// thousands of them, spread over the whole counts bucket, so writing them in
// each commit rewrote nearly every page of it every time. A write
// transaction therefore stages its increments in memory; they join the
// store's pending increments when it commits, and go into the file together
// every countsWriteEvery commits, when more than countsMaxPending keys wait,
// before a backup and on Close. Counts adds them to what the file holds, so
// readers see every committed increment. A crash loses the increments not
// yet written — a few commits' worth of statistics, never an item or a
// story.
const (
	countsWriteEvery = 64
	countsMaxPending = 1 << 17
)

// countCache is the store's counter increments not yet in the file.
type countCache struct {
	mu      sync.Mutex
	pending map[string]map[string]uint32 // namespace → stored key → increments committed
	keys    int                          // keys in pending
	commits int                          // commits that added to pending since it was last written

	// cur is the running write transaction's staging; only the writer
	// touches it, and DB.updateCounts runs one write transaction at a time.
	cur *staging
}

// staging is one write transaction's changes to the counters.
type staging struct {
	adds    map[string]map[string]uint32 // namespace → stored key → increments
	dropped map[string]bool              // namespaces dropped
	wrote   bool                         // pending was written into the file
}

// committed moves the committed transaction's increments into pending.
func (c *countCache) committed() {
	st := c.cur
	c.mu.Lock()
	defer c.mu.Unlock()
	if st.wrote {
		c.pending, c.keys, c.commits = nil, 0, 0
	}
	for ns := range st.dropped {
		c.keys -= len(c.pending[ns])
		delete(c.pending, ns)
	}
	if len(st.adds) > 0 {
		c.commits++
	}
	for ns, adds := range st.adds {
		p := counters(&c.pending, ns, len(adds))
		for k, n := range adds {
			if _, ok := p[k]; !ok {
				c.keys++
			}
			p[k] = satAdd(p[k], n)
		}
	}
}

// due reports whether the pending increments go into the file in the
// running transaction.
func (c *countCache) due() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.commits+1 >= countsWriteEvery || c.keys >= countsMaxPending
}

// hasPending reports whether committed increments wait for the file.
func (c *countCache) hasPending() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.keys > 0
}

// write adds the pending and staged increments to the counts bucket, each
// key read and written once, in key order (bbolt writes sorted keys
// faster). Pending is emptied when the transaction commits.
func (c *countCache) write(counts *bolt.Bucket) error {
	st := c.cur
	c.mu.Lock()
	all := make(map[string]map[string]uint32, len(c.pending)+len(st.adds))
	for ns, p := range c.pending {
		if !st.dropped[ns] {
			all[ns] = maps.Clone(p)
		}
	}
	c.mu.Unlock()
	for ns, adds := range st.adds {
		a := counters(&all, ns, len(adds))
		for k, n := range adds {
			a[k] = satAdd(a[k], n)
		}
	}
	for _, ns := range slices.Sorted(maps.Keys(all)) {
		b, err := counts.CreateBucketIfNotExists([]byte(ns))
		if err != nil {
			return fmt.Errorf("counts %s: %w", ns, err)
		}
		adds := all[ns]
		for _, k := range slices.Sorted(maps.Keys(adds)) {
			bk := []byte(k)
			var n uint32
			if v := b.Get(bk); len(v) == 4 {
				n = binary.BigEndian.Uint32(v)
			}
			if err := b.Put(bk, u32(satAdd(n, adds[k]))); err != nil {
				return fmt.Errorf("counts %s: key %x: %w", ns, bk, err)
			}
		}
	}
	st.adds, st.wrote = nil, true
	return nil
}

// unwritten returns the increments of key k of namespace ns that the file
// does not hold yet: the committed ones, unless the running transaction
// dropped the namespace, and, for the write transaction, its own.
func (c *countCache) unwritten(ns, k string, writer bool) uint32 {
	var st *staging
	if writer {
		st = c.cur
	}
	var n uint32
	if st == nil || !st.dropped[ns] {
		c.mu.Lock()
		n = c.pending[ns][k]
		c.mu.Unlock()
	}
	if st != nil {
		n = satAdd(n, st.adds[ns][k])
	}
	return n
}

// counters returns namespace ns's map in m, made (with room for n keys)
// when missing.
func counters(m *map[string]map[string]uint32, ns string, n int) map[string]uint32 {
	if *m == nil {
		*m = map[string]map[string]uint32{}
	}
	c := (*m)[ns]
	if c == nil {
		c = make(map[string]uint32, n)
		(*m)[ns] = c
	}
	return c
}

func satAdd(a, b uint32) uint32 { return uint32(min(uint64(a)+uint64(b), math.MaxUint32)) }

// Counts returns the counter of each key in namespace ns, 0 for a key (or a
// namespace) never counted.
func (t *tx) Counts(ns string, keys []string) ([]uint32, error) {
	out := make([]uint32, len(keys))
	if ns == "" {
		return out, nil
	}
	b := t.counts.Bucket([]byte(ns))
	for i, k := range keys {
		if k == "" {
			continue
		}
		sk := storedKey([]byte(k))
		var n uint32
		if b != nil {
			if v := t.get(b, sk); len(v) == 4 {
				n = binary.BigEndian.Uint32(v)
			}
		}
		out[i] = satAdd(n, t.cache.unwritten(ns, string(sk), t.writable))
	}
	return out, nil
}

// AddCounts adds one to the counter of each key in namespace ns (a key
// listed twice gains two). Counters stop at the largest uint32. Prune leaves
// counters alone: they are statistics over everything seen. The increments
// reach the file later (see countsWriteEvery).
func (t *tx) AddCounts(ns string, keys []string) error {
	if ns == "" {
		return errors.New("add counts: empty namespace")
	}
	if !t.writable {
		return errors.New("add counts: read-only transaction")
	}
	if slices.Contains(keys, "") {
		return fmt.Errorf("counts %s: empty key", ns)
	}
	adds := counters(&t.cache.cur.adds, ns, len(keys))
	for _, k := range keys {
		sk := string(storedKey([]byte(k)))
		adds[sk] = satAdd(adds[sk], 1)
	}
	return nil
}

// DropCounts deletes every counter of namespace ns, those not yet written
// too; a namespace never counted is not an error.
func (t *tx) DropCounts(ns string) error {
	if ns == "" {
		return nil
	}
	if t.writable {
		st := t.cache.cur
		delete(st.adds, ns)
		if st.dropped == nil {
			st.dropped = map[string]bool{}
		}
		st.dropped[ns] = true
	}
	if t.counts.Bucket([]byte(ns)) == nil {
		return nil
	}
	if err := t.counts.DeleteBucket([]byte(ns)); err != nil {
		return fmt.Errorf("counts %s: %w", ns, err)
	}
	return nil
}

// Blob returns a copy of the bytes stored under name, nil when none.
func (t *tx) Blob(name string) ([]byte, error) {
	if t.blobs == nil {
		return nil, nil
	}
	return bytes.Clone(t.get(t.blobs, []byte(name))), nil
}

// PutBlob stores b under name.
func (t *tx) PutBlob(name string, b []byte) error {
	if name == "" {
		return errors.New("put blob: empty name")
	}
	if t.blobs == nil {
		return errors.New("put blob: the file has no blobs bucket")
	}
	if err := t.blobs.Put([]byte(name), b); err != nil {
		return fmt.Errorf("blob %s: %w", name, err)
	}
	return nil
}
