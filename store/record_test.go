package store

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

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
			v := t2.recordOf(it.ID)
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
		if t2.items.Get([]byte(it.ID)) != nil || t2.recordKey(it.ID) == nil {
			t.Error("the rewritten item's record stays in the items bucket; want it moved to records")
		}
		r, err := splitRecord(t2.recordOf(it.ID))
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

// asVersion2 rewrites the store at path as the build before version 3
// wrote it: every item record in the items bucket under its item id, no
// records or ids buckets, schema version 2.
func asVersion2(t *testing.T, path string) {
	t.Helper()
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	err = bdb.Update(func(btx *bolt.Tx) error {
		items, records := btx.Bucket(bucketItems), btx.Bucket(bucketRecords)
		err := btx.Bucket(bucketIDs).ForEach(func(id, k []byte) error {
			return items.Put(bytes.Clone(id), bytes.Clone(records.Get(k)))
		})
		if err != nil {
			return err
		}
		for _, name := range [][]byte{bucketRecords, bucketIDs} {
			if err := btx.DeleteBucket(name); err != nil {
				return err
			}
		}
		return btx.Bucket(bucketMeta).Put(keySchema, []byte{0, 0, 0, 2})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestVersion2File checks a file whose records are all in the items bucket:
// read-only it reads as it is and verifies sound; a writable Open marks it
// this version, and each record moves to records when its item is written
// again, or goes when it is pruned.
func TestVersion2File(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agg.db")
	d := mustOpenPath(t, path)
	var items []aggregator.Item
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		for i := range 4 {
			it := mkItem("v2.example", fmt.Sprint("g", i), t0.Add(time.Duration(i)*time.Hour), "")
			putStory(t, tx, []string{"all"}, it)
			items = append(items, it)
		}
		return nil
	})
	want := exported(t, d)
	d.Close()
	asVersion2(t, path)

	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only Open of a version 2 file: %v", err)
	}
	if got := exported(t, ro); !reflect.DeepEqual(got, want) {
		t.Errorf("Export of a version 2 file = %v; want %v", got, want)
	}
	if s, err := ro.Stats(t.Context()); err != nil || s.Items != len(items) {
		t.Errorf("Stats of a version 2 file: %d items, %v; want %d", s.Items, err, len(items))
	}
	if bad, err := ro.Verify(t.Context()); err != nil || len(bad) > 0 {
		t.Errorf("Verify of a version 2 file opened read-only = %q, %v; want it sound", bad, err)
	}
	ro.Close()

	d = mustOpenPath(t, path)
	d.db.View(func(btx *bolt.Tx) error {
		if v := btx.Bucket(bucketMeta).Get(keySchema); !bytes.Equal(v, []byte{0, 0, 0, schemaVersion}) {
			t.Errorf("schema version after a writable Open = %x; want %d", v, schemaVersion)
		}
		return nil
	})
	checkConsistent(t, d)
	// The first item is edited and a new one comes.
	edited := items[0]
	edited.Title = "Edited"
	added := mkItem("v2.example", "new", t0.Add(9*time.Hour), "")
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		putStory(t, tx, []string{"all"}, edited)
		putStory(t, tx, []string{"all"}, added)
		return nil
	})
	// Pruned: the second item, from the items bucket, and the edited one,
	// from records, which then comes back.
	if n, err := d.Prune(t.Context(), t0.Add(90*time.Minute)); err != nil || n != 2 {
		t.Fatalf("Prune = %d, %v; want 2 stories", n, err)
	}
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		putStory(t, tx, []string{"all"}, edited)
		return nil
	})
	checkConsistent(t, d)
	d.db.View(func(btx *bolt.Tx) error {
		t2 := d.newTx(btx)
		for _, c := range []struct {
			it      aggregator.Item
			old, in bool // in the items bucket; in records
		}{
			{edited, false, true},
			{items[1], false, false},
			{items[2], true, false},
			{items[3], true, false},
			{added, false, true},
		} {
			old, in := t2.items.Get([]byte(c.it.ID)) != nil, t2.recordKey(c.it.ID) != nil
			if old != c.old || in != c.in {
				t.Errorf("item %s: in items %v, in records %v; want %v, %v", c.it.GUID, old, in, c.old, c.in)
			}
		}
		return nil
	})
	var order []string
	d.Export(t.Context(), func(it aggregator.Item, _ aggregator.Story) error { //nolint:errcheck // fn returns nil
		order = append(order, it.GUID)
		return nil
	})
	wantOrder := []string{"g2", "g3", "new", "g0"}
	if items[3].ID < items[2].ID {
		wantOrder[0], wantOrder[1] = "g3", "g2"
	}
	if !slices.Equal(order, wantOrder) {
		t.Errorf("Export order = %v; want the items bucket's first (by id), then records in the order stored: %v", order, wantOrder)
	}
}

// TestExportWhileRecordsMove checks that an export of a version 2 file
// yields no item twice when items it already yielded are rewritten (and
// their records move) before it ends, and every item left alone once.
func TestExportWhileRecordsMove(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agg.db")
	d := mustOpenPath(t, path)
	var items []aggregator.Item
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		for i := range exportBatch + 40 { // two batches
			it := mkItem("move.example", fmt.Sprint("g", i), t0.Add(time.Duration(i)*time.Minute), "")
			putStory(t, tx, []string{"all"}, it)
			items = append(items, it)
		}
		return nil
	})
	d.Close()
	asVersion2(t, path)
	d = mustOpenPath(t, path)

	slices.SortFunc(items, func(a, b aggregator.Item) int { return strings.Compare(a.ID, b.ID) })
	first, last := items[0], items[len(items)-1] // exported first and last from the items bucket
	seen := map[string]int{}
	err := d.Export(t.Context(), func(it aggregator.Item, _ aggregator.Story) error {
		seen[it.ID]++
		if len(seen) > 1 {
			return nil
		}
		// Both move to records: one exported already, one not yet.
		return d.Update(t.Context(), func(tx aggregator.Tx) error {
			for _, it := range []aggregator.Item{first, last} {
				it.Title += " (edited)"
				if err := tx.PutItem(it); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		n := seen[it.ID]
		switch {
		case n > 1:
			t.Errorf("item %s exported %d times", it.GUID, n)
		case n == 0 && it.ID != last.ID:
			t.Errorf("item %s, left alone, not exported", it.GUID)
		}
	}
}

// TestVersion3File opens a file of schema version 3, which kept a links
// index (link + 0x00 + item id): read-only, its items are found by link; a
// writable Open deletes the index and marks the file this version.
func TestVersion3File(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agg.db")
	d := mustOpenPath(t, path)
	it := mkItem("v3.example", "g", t0, "")
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		putStory(t, tx, []string{"all"}, it)
		return nil
	})
	d.Close()
	links := []byte("links")
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := bdb.Update(func(btx *bolt.Tx) error {
		b, err := btx.CreateBucket(links)
		if err != nil {
			return err
		}
		if err := b.Put(append(storedKey([]byte(it.Link)), append([]byte{0}, it.ID...)...), nil); err != nil {
			return err
		}
		return btx.Bucket(bucketMeta).Put(keySchema, []byte{0, 0, 0, 3})
	}); err != nil {
		t.Fatal(err)
	}
	bdb.Close()

	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only Open of a version 3 file: %v", err)
	}
	if got, _, err := ro.ItemByLink(t.Context(), atLink(it.Link)); err != nil || got.ID != it.ID {
		t.Errorf("ItemByLink in a version 3 file = %s, %v; want %s", got.ID, err, it.ID)
	}
	ro.Close()

	d = mustOpenPath(t, path)
	d.db.View(func(btx *bolt.Tx) error {
		if btx.Bucket(links) != nil {
			t.Error("the links index is still there after a writable Open")
		}
		if v := btx.Bucket(bucketMeta).Get(keySchema); !bytes.Equal(v, []byte{0, 0, 0, schemaVersion}) {
			t.Errorf("schema version after a writable Open = %x; want %d", v, schemaVersion)
		}
		return nil
	})
	if got, _, err := d.ItemByLink(t.Context(), atLink(it.Link)); err != nil || got.ID != it.ID {
		t.Errorf("ItemByLink after the upgrade = %s, %v; want %s", got.ID, err, it.ID)
	}
	checkConsistent(t, d)
}

// atLink is a rank for ItemByLink: the index in links of the first that is
// an item's link or canonical link, -1 for none.
func atLink(links ...string) func(aggregator.Item) int {
	return func(it aggregator.Item) int {
		return slices.IndexFunc(links, func(l string) bool { return l != "" && (it.Link == l || it.CanonicalLink == l) })
	}
}
