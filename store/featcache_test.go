package store

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator"
)

var errRollback = errors.New("roll back")

// Write transactions that read features through the cache see what the
// file holds, whatever the transactions before them wrote, deleted or
// rolled back: a model test of random steps compares every item's features
// in a write transaction with a read-only one, which does not use the
// cache, after each step. A cache of two entries a generation ages items
// out all the time.
func TestFeatureCacheSeesCommits(t *testing.T) {
	d := mustOpen(t)
	d.features.cap = 2
	rng := rand.New(rand.NewPCG(7, 9))
	const n = 6
	var items []aggregator.Item
	for i := range n {
		items = append(items, mkItem("cache.test", fmt.Sprintf("g%d", i), t0, ""))
	}
	version := 0
	check := func(step int) {
		t.Helper()
		want := map[string][]byte{}
		err := d.View(t.Context(), func(tx aggregator.Tx) error {
			for _, it := range items {
				f, err := tx.Features(it.ID)
				if err != nil && !errors.Is(err, aggregator.ErrNotFound) {
					return err
				}
				want[it.ID] = f
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		mustUpdate(t, d, func(tx aggregator.Tx) error {
			for _, i := range rng.Perm(n) {
				id := items[i].ID
				f, err := tx.Features(id)
				if err != nil && !errors.Is(err, aggregator.ErrNotFound) {
					return err
				}
				if !bytes.Equal(f, want[id]) {
					t.Errorf("step %d: item %d features %q in a write transaction, %q in the file", step, i, f, want[id])
				}
			}
			return nil
		})
	}
	for step := range 300 {
		rollback := rng.IntN(4) == 0
		err := d.Update(t.Context(), func(atx aggregator.Tx) error {
			tx := atx.(*tx)
			for range 1 + rng.IntN(3) {
				it := items[rng.IntN(n)]
				switch rng.IntN(4) {
				case 0: // read, so that the cache may take it
					if _, err := tx.Features(it.ID); err != nil && !errors.Is(err, aggregator.ErrNotFound) {
						return err
					}
				case 1: // store the item and new features
					version++
					if err := tx.PutItem(it); err != nil {
						return err
					}
					if err := tx.PutFeatures(it.ID, fmt.Appendf(nil, "features %d", version)); err != nil {
						return err
					}
				case 2: // new features, then read them back
					version++
					f := fmt.Appendf(nil, "features %d", version)
					if err := tx.PutFeatures(it.ID, f); err != nil {
						return err
					}
					if got, err := tx.Features(it.ID); err != nil || !bytes.Equal(got, f) {
						t.Errorf("step %d: features %q, %v just after writing %q", step, got, err, f)
					}
				case 3: // delete the item with its features
					if err := tx.deleteItem(it.ID, it.StoryID); err != nil && !errors.Is(err, aggregator.ErrNotFound) {
						return err
					}
				}
			}
			if rollback {
				return errRollback
			}
			return nil
		})
		if err != nil && !errors.Is(err, errRollback) {
			t.Fatalf("step %d: %v", step, err)
		}
		check(step)
	}
	if len(d.features.cur)+len(d.features.old) == 0 {
		t.Error("the cache never took an entry")
	}
}

// The cache keeps two generations: an entry read again moves to the newer
// one, and the older one goes when the newer fills.
func TestFeatureCacheGenerations(t *testing.T) {
	c := &featureCache{cap: 2}
	c.put("a", []byte("A"))
	c.put("b", []byte("B"))
	c.put("c", []byte("C")) // a and b age
	if _, ok := c.get("a"); !ok {
		t.Fatal("a was dropped one generation early")
	}
	c.put("d", []byte("D")) // c and a age; b goes
	if _, ok := c.get("b"); ok {
		t.Error("b outlived two generations")
	}
	for _, id := range []string{"a", "c", "d"} {
		if _, ok := c.get(id); !ok {
			t.Errorf("%s was dropped", id)
		}
	}
}
