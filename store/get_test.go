package store

import (
	"bytes"
	"fmt"
	"testing"

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

// A band read spells each packed id once per transaction and gives the same
// refs as decodeRefs.
func TestBandReadsShareIDs(t *testing.T) {
	d := mustOpen(t)
	story := "0123456789abcdef0123456789abcdef"
	refs := []aggregator.KeyRef{
		{Story: story, Item: story},
		{Story: story, Item: "fedcba9876543210fedcba9876543210"},
		{Story: "not-hex", Item: "item-2"},
	}
	mustUpdate(t, d, func(at aggregator.Tx) error {
		for _, r := range refs {
			if err := addBands(at, r, []byte("band-a"), []byte("band-b")); err != nil {
				return err
			}
		}
		tx := at.(*tx)
		a, _, err := tx.AppendBandUpTo(nil, []byte("band-a"), 10)
		if err != nil {
			return err
		}
		b, _, err := tx.AppendBandUpTo(nil, []byte("band-b"), 10)
		if err != nil {
			return err
		}
		want, err := decodeRefs(tx.get(tx.bands, storedKey([]byte("band-a"))))
		if err != nil {
			return err
		}
		if !refsEqual(a, want) || !refsEqual(b, want) {
			t.Errorf("AppendBandUpTo = %+v and %+v, decodeRefs %+v", a, b, want)
		}
		if len(tx.names) != 2 {
			t.Errorf("%d packed ids spelt, want 2", len(tx.names))
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
