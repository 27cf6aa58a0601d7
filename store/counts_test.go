package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

// inFile returns the counter of key k of namespace ns as the file holds it,
// without the increments that wait in memory.
func inFile(t *testing.T, d *DB, ns, k string) uint32 {
	t.Helper()
	var n uint32
	d.db.View(func(btx *bolt.Tx) error {
		if b := btx.Bucket(bucketCounts).Bucket([]byte(ns)); b != nil {
			if v := b.Get(storedKey([]byte(k))); len(v) == 4 {
				n = binary.BigEndian.Uint32(v)
			}
		}
		return nil
	})
	return n
}

func counts(t *testing.T, d *DB, ns string, keys ...string) []uint32 {
	t.Helper()
	var got []uint32
	if err := d.View(t.Context(), func(tx aggregator.Tx) error {
		var err error
		got, err = tx.Counts(ns, keys)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestCountsWriteBack checks that counter increments wait in memory and
// reach the file together: every reader sees each committed increment, a
// rolled-back transaction's never, a dropped namespace's are gone, and the
// file gets them every countsWriteEvery commits, before a backup and on
// Close.
func TestCountsWriteBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agg.db")
	d := mustOpenPath(t, path)
	add := func(ns string, keys ...string) {
		t.Helper()
		mustUpdate(t, d, func(tx aggregator.Tx) error { return tx.AddCounts(ns, keys) })
	}
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		if err := tx.AddCounts("df", []string{"a", "b", "a"}); err != nil {
			return err
		}
		// The transaction sees its own increments.
		if got, _ := tx.Counts("df", []string{"a", "b"}); !slices.Equal(got, []uint32{2, 1}) {
			t.Errorf("Counts in the adding transaction = %v; want [2 1]", got)
		}
		return nil
	})
	if got := counts(t, d, "df", "a", "b"); !slices.Equal(got, []uint32{2, 1}) {
		t.Errorf("Counts after the commit = %v; want [2 1]", got)
	}
	if n := inFile(t, d, "df", "a"); n != 0 {
		t.Errorf("the file holds a = %d after one commit; want the increments still in memory", n)
	}

	// A rolled-back transaction's increments are not counted.
	refused := errors.New("refused")
	if err := d.Update(t.Context(), func(tx aggregator.Tx) error {
		if err := tx.AddCounts("df", []string{"a"}); err != nil {
			return err
		}
		return refused
	}); !errors.Is(err, refused) {
		t.Fatalf("Update = %v; want the refusal", err)
	}
	if got := counts(t, d, "df", "a"); got[0] != 2 {
		t.Errorf("Counts(a) after a rollback = %d; want 2", got[0])
	}

	// Dropping a namespace drops its increments; counting again starts
	// from zero, in the same transaction too.
	add("src:1", "x", "x")
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		if err := tx.DropCounts("src:1"); err != nil {
			return err
		}
		if got, _ := tx.Counts("src:1", []string{"x"}); got[0] != 0 {
			t.Errorf("Counts(x) after DropCounts in the same transaction = %d; want 0", got[0])
		}
		return tx.AddCounts("src:1", []string{"x"})
	})
	if got := counts(t, d, "src:1", "x"); got[0] != 1 {
		t.Errorf("Counts(x) after a drop and one add = %d; want 1", got[0])
	}

	// Every countsWriteEvery commits that count, the file gets them all.
	for i := 0; d.counters.commits != 0 && i < 2*countsWriteEvery; i++ {
		add("df", "a")
	}
	got := counts(t, d, "df", "a", "b")
	if n := inFile(t, d, "df", "a"); n != got[0] || n < 3 {
		t.Errorf("after %d commits the file holds a = %d; want %d, all of them", countsWriteEvery, n, got[0])
	}
	if n := inFile(t, d, "src:1", "x"); n != 1 {
		t.Errorf("the file holds src:1 x = %d; want 1 (the increment before the drop gone)", n)
	}

	// A backup holds the increments committed before it began.
	add("df", "b")
	var backup bytes.Buffer
	if _, err := d.Backup(t.Context(), &backup); err != nil {
		t.Fatal(err)
	}
	if n := inFile(t, d, "df", "b"); n != 2 {
		t.Errorf("the file holds b = %d after a backup; want 2", n)
	}

	// Close writes what waits; the reopened file has every increment.
	add("df", "c")
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d = mustOpenPath(t, path)
	if got := counts(t, d, "df", "a", "b", "c"); !slices.Equal(got, []uint32{got[0], 2, 1}) || got[0] < 3 {
		t.Errorf("Counts after reopening = %v; want a as before, b 2, c 1", got)
	}
	if d.counters.hasPending() {
		t.Error("a reopened store has increments waiting")
	}
}
