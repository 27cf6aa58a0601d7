package store

import (
	"bytes"
	"errors"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestRecordSections checks that an item's features and owned list go into
// its record, whatever the order of the calls, and leave with it.
func TestRecordSections(t *testing.T) {
	d := mustOpen(t)
	a := mkItem("example.org", "a", t0, "")
	b := mkItem("example.org", "b", t0, "")
	refA := aggregator.KeyRef{Story: a.ID, Item: a.ID, Time: t0}
	mustUpdate(t, d, func(atx aggregator.Tx) error {
		tx := atx.(*tx)
		// a: features and keys before the item, as ingest files them.
		if err := tx.PutFeatures(a.ID, []byte("features of a")); err != nil {
			return err
		}
		if err := tx.AddKey("guid:a", refA); err != nil {
			return err
		}
		if err := tx.PutItem(a); err != nil {
			return err
		}
		// b: the item first, then its features and a band.
		if err := tx.PutItem(b); err != nil {
			return err
		}
		if err := tx.PutFeatures(b.ID, []byte("features of b")); err != nil {
			return err
		}
		if _, err := tx.AddBands([][]byte{[]byte("band")}, aggregator.KeyRef{Story: b.ID, Item: b.ID, Time: t0}, 0); err != nil {
			return err
		}
		if err := tx.PutStory(mkStory([]string{"all"}, a)); err != nil {
			return err
		}
		return tx.PutStory(mkStory([]string{"all"}, b))
	})
	d.db.View(func(btx *bolt.Tx) error {
		t2 := d.newTx(btx)
		if n := t2.features.Stats().KeyN + t2.owned.Stats().KeyN; n != 0 {
			t.Errorf("features and owned buckets hold %d entries; want none, the records hold them", n)
		}
		for _, it := range []aggregator.Item{a, b} {
			v := t2.items.Get([]byte(it.ID))
			r, err := splitRecord(v)
			if err != nil || v[0] != codecSections || len(r.features) == 0 || len(r.owned) == 0 {
				t.Errorf("record of %s: codec %d, %d B features, %d B owned, %v; want both in the record", it.ID, v[0], len(r.features), len(r.owned), err)
			}
		}
		return nil
	})
	err := d.View(t.Context(), func(tx aggregator.Tx) error {
		for id, want := range map[string]string{a.ID: "features of a", b.ID: "features of b"} {
			if got, err := tx.Features(id); err != nil || string(got) != want {
				t.Errorf("Features(%s) = %q, %v; want %q", id, got, err, want)
			}
		}
		if got, err := tx.Item(a.ID); err != nil || got.Title != a.Title {
			t.Errorf("Item(%s) = %q, %v; want %q", a.ID, got.Title, err, a.Title)
		}
		if err := tx.PutFeatures(a.ID, []byte("x")); err == nil {
			t.Error("PutFeatures in a read transaction = nil error; want one")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checkConsistent(t, d)
	if n, err := d.Prune(t.Context(), t0.Add(1)); err != nil || n != 2 {
		t.Fatalf("Prune = %d, %v; want 2", n, err)
	}
	err = d.View(t.Context(), func(tx aggregator.Tx) error {
		_, err := tx.Features(a.ID)
		if !errors.Is(err, aggregator.ErrNotFound) {
			t.Errorf("Features(%s) after prune: %v; want ErrNotFound", a.ID, err)
		}
		if refs, _ := tx.Keys("guid:a"); len(refs) != 0 {
			t.Errorf("Keys(guid:a) after prune = %v; want none", refs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checkConsistent(t, d)
}

// TestRecordSectionsOfEarlierFiles checks that features and owned lists in
// the buckets of files written before records held them are read, and move
// into the record when the item is written again.
func TestRecordSectionsOfEarlierFiles(t *testing.T) {
	d := mustOpen(t)
	it := mkItem("example.org", "old", t0, "")
	owned := append([]byte{ownedV1, ownedKey, 3}, "k:1"...)
	d.db.Update(func(btx *bolt.Tx) error {
		t2 := d.newTx(btx)
		v, _ := noDict.encode(it)
		t2.items.Put([]byte(it.ID), v)
		t2.features.Put([]byte(it.ID), []byte("old features"))
		t2.owned.Put([]byte(it.ID), owned)
		return t2.keys.Put([]byte("k:1"), encodeRefs([]aggregator.KeyRef{{Story: it.ID, Item: it.ID, Time: t0}}))
	})
	mustUpdate(t, d, func(atx aggregator.Tx) error {
		tx := atx.(*tx)
		if got, err := tx.Features(it.ID); err != nil || string(got) != "old features" {
			t.Errorf("Features of an earlier file's item = %q, %v; want %q", got, err, "old features")
		}
		if got, err := tx.ownedList(it.ID); err != nil || !bytes.Equal(got, owned) {
			t.Errorf("owned list of an earlier file's item = %q, %v; want %q", got, err, owned)
		}
		it.Title = "Edited"
		if err := tx.PutItem(it); err != nil {
			return err
		}
		return tx.PutStory(mkStory(nil, it))
	})
	d.db.View(func(btx *bolt.Tx) error {
		t2 := d.newTx(btx)
		if t2.features.Get([]byte(it.ID)) != nil || t2.owned.Get([]byte(it.ID)) != nil {
			t.Error("features and owned list stay in their buckets after the item was written again")
		}
		r, err := splitRecord(t2.items.Get([]byte(it.ID)))
		if err != nil || string(r.features) != "old features" || !bytes.Equal(r.owned, owned) {
			t.Errorf("record after the rewrite: features %q, owned %q, %v; want them moved in", r.features, r.owned, err)
		}
		return nil
	})
	checkConsistent(t, d)
}

// TestSplitRecordRejectsDamage checks that damaged sections are errors.
func TestSplitRecordRejectsDamage(t *testing.T) {
	for _, v := range [][]byte{
		{codecSections},
		{codecSections, 5, 'a'},
		{codecSections, 0, 0},
		{codecSections, 0, 0, codecSections},
		{codecSections, 1, 'f', 200},
	} {
		if _, err := splitRecord(v); err == nil {
			t.Errorf("splitRecord(%x) = nil error; want one", v)
		}
		if _, err := noDict.decode(v); err == nil {
			t.Errorf("decode(%x) = nil error; want one", v)
		}
	}
}
