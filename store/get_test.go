package store

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	bolt "go.etcd.io/bbolt"
)

// get reads through a kept cursor: it must see what the transaction wrote,
// deleted or split since the cursor was made, and answer like Bucket.Get.
func TestGetThroughKeptCursor(t *testing.T) {
	d := mustOpen(t)
	err := d.db.Update(func(btx *bolt.Tx) error {
		tx := d.newTx(btx)
		b := tx.blobs
		if got := tx.get(b, []byte("k050")); got != nil {
			t.Errorf("get in an empty bucket = %q", got)
		}
		// Enough keys to split the bucket's pages after the cursor exists.
		for i := 0; i < 2000; i += 2 {
			if err := b.Put(fmt.Appendf(nil, "k%04d", i), bytes.Repeat([]byte{byte(i)}, 40)); err != nil {
				return err
			}
		}
		if err := b.Delete([]byte("k0100")); err != nil {
			return err
		}
		if _, err := b.CreateBucket([]byte("k0200x")); err != nil {
			return err
		}
		for _, k := range []string{"k0000", "k0001", "k0100", "k0102", "k1998", "k1999", "k9", "", "k0200x"} {
			want, got := b.Get([]byte(k)), tx.get(b, []byte(k))
			if !bytes.Equal(got, want) || (got == nil) != (want == nil) {
				t.Errorf("get(%q) = %x, Bucket.Get %x", k, got, want)
			}
		}
		if len(tx.cursors) != 1 {
			t.Errorf("%d cursors kept for one bucket", len(tx.cursors))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A band visit gives each ref's story and time as decodeRefs reads them,
// without the skipped item's refs, and keys that tell a packed hex id from
// a raw id with the same bytes.
func TestVisitBandRefs(t *testing.T) {
	d := mustOpen(t)
	story := "0123456789abcdef0123456789abcdef"
	raw := string([]byte{0x01, 0x23, 0x45, 0x67}) // the bytes "01234567" packs to
	refs := []aggregator.KeyRef{
		{Story: story, Item: story, Time: t0},
		{Story: story, Item: "fedcba9876543210fedcba9876543210", Time: t0.Add(time.Second / 3)},
		{Story: "not-hex", Item: "item-2"},
		{Story: "01234567", Item: "01234567", Time: t0},
		{Story: raw, Item: "item-4", Time: t0},
	}
	mustUpdate(t, d, func(at aggregator.Tx) error {
		for _, r := range refs {
			if err := addBands(at, r, []byte("band")); err != nil {
				return err
			}
		}
		tx := at.(*tx)
		want, err := decodeRefs(tx.get(tx.bands, storedKey([]byte("band"))))
		if err != nil {
			return err
		}
		if !refsEqual(want, refs) {
			t.Fatalf("decodeRefs = %+v, want %+v", want, refs)
		}
		for _, skip := range []string{"", story, "item-2", "01234567"} {
			var got []aggregator.KeyRef
			keys := map[string]string{}
			n, err := tx.VisitBandUpTo([]byte("band"), 10, skip, func(key []byte, at time.Time) {
				id := tx.RefID(string(key))
				if other, ok := keys[string(key)]; ok && other != id {
					t.Errorf("key %x spelt %q and %q", key, other, id)
				}
				keys[string(key)] = id
				got = append(got, aggregator.KeyRef{Story: id, Time: at})
			})
			if err != nil || n != len(refs) {
				t.Errorf("VisitBandUpTo(skip %q) = %d, %v; want %d, nil", skip, n, err, len(refs))
			}
			var exp []aggregator.KeyRef
			for _, r := range want {
				if r.Item != skip {
					exp = append(exp, aggregator.KeyRef{Story: r.Story, Time: r.Time})
				}
			}
			if !refsEqual(got, exp) {
				t.Errorf("VisitBandUpTo(skip %q) gave %+v, want %+v", skip, got, exp)
			}
		}
		distinct := map[string]bool{}
		_, err = tx.VisitBandUpTo([]byte("band"), 10, "", func(key []byte, _ time.Time) { distinct[string(key)] = true })
		if err != nil {
			return err
		}
		if len(distinct) != 4 { // story, "not-hex", "01234567" and raw
			t.Errorf("%d distinct keys for 4 stories", len(distinct))
		}
		return nil
	})
}

// An item's stamp stays while the item is stored as it was, and changes
// when it is stored anew, whatever else of its record changes.
func TestItemStamp(t *testing.T) {
	d := mustOpen(t)
	it := mkItem("wire.test", "g1", t0, "")
	stamp := func() (uint64, bool) {
		t.Helper()
		var s uint64
		var ok bool
		err := d.View(t.Context(), func(atx aggregator.Tx) error {
			var err error
			s, ok, err = atx.(*tx).ItemStamp(it.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return s, ok
	}
	if _, ok := stamp(); ok {
		t.Fatal("ItemStamp of an item never stored reports it stored")
	}
	mustUpdate(t, d, func(tx aggregator.Tx) error { return tx.PutItem(it) })
	first, ok := stamp()
	if !ok {
		t.Fatal("ItemStamp of a stored item reports it absent")
	}
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		if err := tx.PutItem(it); err != nil { // the same item again
			return err
		}
		return tx.PutFeatures(it.ID, []byte("features, not the item"))
	})
	if s, _ := stamp(); s != first {
		t.Errorf("stamp moved when the item was stored unchanged and its features changed")
	}
	it.Title += " (updated)"
	mustUpdate(t, d, func(tx aggregator.Tx) error { return tx.PutItem(it) })
	if s, _ := stamp(); s == first {
		t.Errorf("stamp unchanged after the item was stored anew")
	}
}
