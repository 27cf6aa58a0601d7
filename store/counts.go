package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Counts returns the counter of each key in namespace ns, 0 for a key (or a
// namespace) never counted.
func (t *tx) Counts(ns string, keys []string) ([]uint32, error) {
	out := make([]uint32, len(keys))
	if ns == "" {
		return out, nil
	}
	b := t.counts.Bucket([]byte(ns))
	if b == nil {
		return out, nil
	}
	for i, k := range keys {
		if k == "" {
			continue
		}
		if v := t.get(b, storedKey([]byte(k))); len(v) == 4 {
			out[i] = binary.BigEndian.Uint32(v)
		}
	}
	return out, nil
}

// AddCounts adds one to the counter of each key in namespace ns (a key
// listed twice gains two). Counters stop at the largest uint32. Prune leaves
// counters alone: they are statistics over everything seen.
func (t *tx) AddCounts(ns string, keys []string) error {
	if ns == "" {
		return errors.New("add counts: empty namespace")
	}
	b, err := t.counts.CreateBucketIfNotExists([]byte(ns))
	if err != nil {
		return fmt.Errorf("counts %s: %w", ns, err)
	}
	// Each key is read and written once, in key order: a fetch adds to
	// the same counters many times, and bbolt writes sorted keys faster.
	adds := make(map[string]uint32, len(keys)) // stored key → count to add
	for _, k := range keys {
		if k == "" {
			return fmt.Errorf("counts %s: empty key", ns)
		}
		adds[string(storedKey([]byte(k)))]++
	}
	sorted := make([]string, 0, len(adds))
	for k := range adds {
		sorted = append(sorted, k)
	}
	slices.Sort(sorted)
	for _, k := range sorted {
		bk := []byte(k)
		var n uint64
		if v := t.get(b, bk); len(v) == 4 {
			n = uint64(binary.BigEndian.Uint32(v))
		}
		n = min(n+uint64(adds[k]), math.MaxUint32)
		if err := b.Put(bk, u32(uint32(n))); err != nil {
			return fmt.Errorf("counts %s: key %x: %w", ns, bk, err)
		}
	}
	return nil
}

// DropCounts deletes every counter of namespace ns; a namespace never
// counted is not an error.
func (t *tx) DropCounts(ns string) error {
	if ns == "" || t.counts.Bucket([]byte(ns)) == nil {
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
