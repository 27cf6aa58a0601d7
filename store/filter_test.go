package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

// A filter never says no to a key it took, and says yes to few it did not.
func TestKeyFilter(t *testing.T) {
	d := mustOpen(t)
	err := d.db.Update(func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketBlobs)
		for i := range 1000 {
			if err := b.Put(fmt.Appendf(nil, "built-%d", i), []byte{1}); err != nil {
				return err
			}
		}
		var f keyFilter
		if !f.due() {
			t.Error("a filter never built is not due")
		}
		f.ready(b)
		if f.limit != filterMinKeys || f.keys != 1000 {
			t.Errorf("built from 1,000 keys: limit %d, keys %d", f.limit, f.keys)
		}
		// Fill it to its limit: what it was built from, then what was added.
		for i := 1000; i < f.limit; i++ {
			f.add(fmt.Appendf(nil, "added-%d", i))
		}
		for i := range 1000 {
			if !f.mayHold(fmt.Appendf(nil, "built-%d", i)) {
				t.Fatalf("built-%d: the filter says no to a key the bucket holds", i)
			}
		}
		for i := 1000; i < f.limit; i++ {
			if !f.mayHold(fmt.Appendf(nil, "added-%d", i)) {
				t.Fatalf("added-%d: the filter says no to a key it took", i)
			}
		}
		passed := 0
		const absent = 20000
		for i := range absent {
			if f.mayHold(fmt.Appendf(nil, "absent-%d", i)) {
				passed++
			}
		}
		if rate := float64(passed) / absent; rate > 0.02 {
			t.Errorf("at its limit the filter passes %.2f%% of absent keys; want about 1%%", 100*rate)
		}
		if f.due() {
			t.Error("a filter at its limit is due for a rebuild")
		}
		f.add([]byte("one too many"))
		if !f.due() {
			t.Error("a filter past its limit is not due for a rebuild")
		}
		f.ready(b)
		if f.due() || f.keys != 1000 || !f.mayHold([]byte("built-7")) {
			t.Errorf("rebuilt: due %v, keys %d", f.due(), f.keys)
		}
		for range f.limit/2 + 1 {
			f.drop()
		}
		if !f.due() {
			t.Error("a filter after deletions of half its keys is not due for a rebuild")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Through rolled-back transactions, rebuilds, deletions and a reopened file,
// every key and band the file holds is found: the filters may only skip
// keys the file lacks.
func TestFilteredLookupsFindEveryKey(t *testing.T) {
	path := t.TempDir() + "/agg.db"
	d := mustOpenPath(t, path)
	ref := func(i int) aggregator.KeyRef {
		return aggregator.KeyRef{Story: fmt.Sprintf("s%d", i), Item: fmt.Sprintf("i%d", i), Time: t0}
	}
	key := func(i int) string { return fmt.Sprintf("https://example.com/%d", i) }
	band := func(i int) []byte { return fmt.Appendf(nil, "band-%d", i) }
	put := func(from, to int) error {
		return d.Update(context.Background(), func(at aggregator.Tx) error {
			for i := from; i < to; i++ {
				if err := at.AddKey(key(i), ref(i)); err != nil {
					return err
				}
				if err := addBands(at, ref(i), band(i)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	check := func(d *DB, stage string, from, to int, held bool) {
		t.Helper()
		mustUpdate(t, d, func(at aggregator.Tx) error {
			tx := at.(*tx)
			for i := from; i < to; i++ {
				refs, err := tx.Keys(key(i))
				if err != nil {
					return err
				}
				n, err := tx.BandLen(band(i))
				if err != nil {
					return err
				}
				if got := len(refs) > 0 && n == 1; got != held {
					t.Fatalf("%s: key %d: %d refs, band %d refs; want held %v", stage, i, len(refs), n, held)
				}
			}
			return nil
		})
	}

	// Lookups before any key exists build empty filters; keys added after
	// are found.
	check(d, "empty file", 0, 10, false)
	if err := put(0, 100); err != nil {
		t.Fatal(err)
	}
	check(d, "first keys", 0, 100, true)

	// More refs under keys the file holds are no new keys to the filters.
	before := d.filters.keys.keys
	mustUpdate(t, d, func(at aggregator.Tx) error {
		for i := range 100 {
			r := ref(i)
			r.Item += "-again"
			if err := at.AddKey(key(i), r); err != nil {
				return err
			}
		}
		return nil
	})
	if d.filters.keys.keys != before {
		t.Errorf("refs added under 100 held keys: the filter counts %d keys, %d before", d.filters.keys.keys, before)
	}

	// A rolled-back transaction leaves its keys in the filters but not in
	// the file: they are looked up and not found.
	errRollback := errors.New("roll back")
	err := d.Update(context.Background(), func(at aggregator.Tx) error {
		for i := 100; i < 200; i++ {
			if err := at.AddKey(key(i), ref(i)); err != nil {
				return err
			}
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("Update = %v", err)
	}
	check(d, "after a rollback", 100, 200, false)

	// More keys than the filters were sized for: they are rebuilt, within
	// the transaction that outgrew them, and still find every key.
	if err := put(100, 3*filterMinKeys); err != nil {
		t.Fatal(err)
	}
	if d.filters.keys.limit <= filterMinKeys || d.filters.bands.limit <= filterMinKeys {
		t.Errorf("filters not rebuilt past their first size: limits %d and %d", d.filters.keys.limit, d.filters.bands.limit)
	}
	check(d, "after growth", 0, 3*filterMinKeys, true)

	// Deleting items counts against the filters.
	mustUpdate(t, d, func(at aggregator.Tx) error {
		tx := at.(*tx)
		for i := range 50 {
			if err := tx.deleteItem(ref(i).Item, ref(i).Story); err != nil {
				return err
			}
		}
		return nil
	})
	if d.filters.keys.dropped != 50 || d.filters.bands.dropped != 50 {
		t.Errorf("deleted 50 items: filters count %d and %d deletions", d.filters.keys.dropped, d.filters.bands.dropped)
	}
	check(d, "deleted", 0, 50, false)
	check(d, "kept", 50, 3*filterMinKeys, true)

	// A reopened file builds its filters from what it holds.
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d = mustOpenPath(t, path)
	check(d, "reopened", 50, 3*filterMinKeys, true)
	check(d, "reopened, deleted", 0, 50, false)
}

// Read-only transactions do not use the filters: they may run beside a
// write transaction that changes them.
func TestReadOnlyTxHasNoFilters(t *testing.T) {
	d := mustOpen(t)
	err := d.db.View(func(btx *bolt.Tx) error {
		if tx := d.newTx(btx); tx.filters != nil || tx.filter(tx.keys) != nil {
			t.Error("a read-only transaction has filters")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A prune whose deletions make the filters due for a rebuild rebuilds them
// within its transaction, from buckets without the entries it deleted. When
// that transaction then fails, the entries are in the file again, and the
// filters must find them: a lookup that missed one would take the key for
// new and replace its refs.
func TestFiltersAfterFailedPrune(t *testing.T) {
	d := mustOpen(t)
	const n = 1500
	var items []aggregator.Item
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		for i := range n {
			it := mkItem("filter.example", fmt.Sprint("p", i), t0.Add(time.Duration(i)*time.Minute), "")
			it.Content = ""
			putStory(t, tx, []string{"all"}, it)
			items = append(items, it)
		}
		return nil
	})
	// A damaged story in the batch during which the keys filter is
	// rebuilt (each pruned story empties two keys: the rebuild comes past
	// filterMinKeys/2 of them).
	bad := items[1200]
	err := d.db.Update(func(btx *bolt.Tx) error {
		return btx.Bucket(bucketStories).Put([]byte(bad.StoryID), []byte{storyV1})
	})
	if err != nil {
		t.Fatal(err)
	}
	pruned, err := d.Prune(t.Context(), items[1300].Published)
	if err == nil || pruned != 4*pruneBatch {
		t.Fatalf("Prune over a damaged story = %d, %v; want the %d of the batches before it and an error", pruned, err, 4*pruneBatch)
	}
	mustUpdate(t, d, func(at aggregator.Tx) error {
		for _, it := range items[4*pruneBatch : 1200] {
			refs, err := at.Keys("guid:" + it.GUID)
			if err != nil {
				return err
			}
			if len(refs) != 1 || refs[0].Item != it.ID {
				t.Fatalf("after the failed prune, a write transaction finds %v under the key of item %s, which the file holds", refs, it.GUID)
			}
		}
		return nil
	})
}
