package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

// dayBands returns n bands as the near-duplicate index makes them: 'n', a
// term hash and the day, all of one day.
func dayBands(seed uint32, day uint32, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		b := []byte{'n'}
		b = binary.LittleEndian.AppendUint32(b, (seed+uint32(i))*2654435761)
		out[i] = binary.BigEndian.AppendUint32(b, day)
	}
	return out
}

// ownedEntries returns the entries of an owned list, kind first.
func ownedEntries(tb testing.TB, v []byte) []string {
	tb.Helper()
	var out []string
	if err := walkOwned(v, func(kind byte, e []byte) error {
		out = append(out, string(kind)+string(e))
		return nil
	}); err != nil {
		tb.Fatalf("walkOwned(%x): %v", v, err)
	}
	return out
}

// ownedV1List returns entries (kind first) as an owned list of ownedV1,
// as files of format version 4 and earlier hold them.
func ownedV1List(entries []string) []byte {
	if len(entries) == 0 {
		return nil
	}
	v := []byte{ownedV1}
	for _, e := range entries {
		v = appendOwnedEntry(v, e[0], []byte(e[1:]))
	}
	return v
}

// TestOwnedBandsInRuns stores an item filed under sixteen bands of one day,
// as the near-duplicate index files one, and two dedup keys: its owned list
// holds the bands after the first in one run, four bytes each, and names
// every entry in the order they were added; Prune deletes each.
func TestOwnedBandsInRuns(t *testing.T) {
	d := mustOpenPath(t, filepath.Join(t.TempDir(), "agg.db"))
	it := mkItem("runs.example", "g1", t0, "")
	bands := dayBands(7, 20500, 16)
	ref := aggregator.KeyRef{Story: it.ID, Item: it.ID, Time: it.Published}
	var want []string
	mustUpdate(t, d, func(atx aggregator.Tx) error {
		if err := atx.PutItem(it); err != nil {
			return err
		}
		if err := atx.PutStory(mkStory([]string{"all"}, it)); err != nil {
			return err
		}
		for _, k := range []string{"guid:" + it.GUID, "text:" + it.Title} {
			if err := atx.AddKey(k, ref); err != nil {
				return err
			}
			want = append(want, string(ownedKey)+string(storedKey([]byte(k))))
		}
		if _, err := atx.(*tx).AddBands(bands, ref, 0); err != nil {
			return err
		}
		for _, b := range bands {
			want = append(want, string(ownedBand)+string(b))
		}
		return nil
	})
	var owned []byte
	d.View(t.Context(), func(atx aggregator.Tx) error {
		v, err := atx.(*tx).ownedList(it.ID)
		owned = bytes.Clone(v)
		return err
	})
	if got := ownedEntries(t, owned); !slices.Equal(got, want) {
		t.Errorf("owned list names %q; want %q", got, want)
	}
	// A version byte, two keys of 19 bytes, the first band in full (11),
	// a run header of 4 and 15 bands of 4 bytes: 114 bytes, where entries
	// in full took 215.
	if limit := 1 + 2*19 + 11 + 4 + 15*4; len(owned) > limit {
		t.Errorf("owned list of 2 keys and 16 bands of a day takes %d bytes; want at most %d", len(owned), limit)
	}
	checkConsistent(t, d)

	// Verify reads the entries of a run: a band of the run gone from the
	// index is named, and so is a run that reaches past its entries.
	gone := bands[9]
	var refs []byte
	err := d.db.Update(func(btx *bolt.Tx) error {
		refs = bytes.Clone(btx.Bucket(bucketBands).Get(gone))
		return btx.Bucket(bucketBands).Delete(gone)
	})
	if err != nil {
		t.Fatal(err)
	}
	if bad := strings.Join(inconsistencies(d), "\n"); !strings.Contains(bad, fmt.Sprintf("owned by %s: entry b %q missing", it.ID, gone)) {
		t.Errorf("Verify with band %x of the run gone = %q; want it named", gone, bad)
	}
	err = d.db.Update(func(btx *bolt.Tx) error {
		if err := btx.Bucket(bucketBands).Put(gone, refs); err != nil {
			return err
		}
		k := btx.Bucket(bucketIDs).Get([]byte(it.ID))
		r, err := splitRecord(btx.Bucket(bucketRecords).Get(k))
		if err != nil {
			return err
		}
		r.owned = append(bytes.Clone(r.owned), ownedBand|ownedRun, 1, 7, 4, 1, 2, 3, 4)
		return btx.Bucket(bucketRecords).Put(bytes.Clone(k), r.bytes())
	})
	if err != nil {
		t.Fatal(err)
	}
	if bad := strings.Join(inconsistencies(d), "\n"); !strings.Contains(bad, fmt.Sprintf("owned by %s: malformed owned list", it.ID)) {
		t.Errorf("Verify with a run past its entries = %q; want it named", bad)
	}
	mustUpdate(t, d, func(atx aggregator.Tx) error { // the list as it was
		atx.(*tx).setOwned(it.ID, owned)
		return nil
	})
	checkConsistent(t, d)

	if n, err := d.Prune(t.Context(), t0.Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want 1 story", n, err)
	}
	d.View(t.Context(), func(atx aggregator.Tx) error {
		for _, b := range bands {
			if n, err := atx.(*tx).BandLen(b); n != 0 || err != nil {
				t.Errorf("band %x after Prune holds %d refs, %v; want none", b, n, err)
			}
		}
		return nil
	})
	checkConsistent(t, d)
}

// TestOwnedListRuns encodes lists of entries and reads them back: runs only
// where entries of one kind and length differ within a span, and in full
// where a run would not be shorter.
func TestOwnedListRuns(t *testing.T) {
	for _, tc := range []struct {
		name    string
		entries [][]byte
		maxLen  int // of the list, version byte included
	}{
		{"none", nil, 1},
		{"one", [][]byte{[]byte("abc")}, 6},
		{"bands of a day", dayBands(1, 9, 8), 1 + 11 + 4 + 7*4},
		{"bands of two days", append(dayBands(1, 9, 4), dayBands(5, 10, 4)...), 1 + 2*(11+4+3*4)},
		{"middle bytes", [][]byte{[]byte("xx0000yy"), []byte("xx1200yy"), []byte("xx0340yy")}, 1 + 10 + 4 + 2*3},
		{"nothing shared", [][]byte{[]byte("abcd"), []byte("efgh"), []byte("ijkl")}, 1 + 3*6},
		{"lengths differ", [][]byte{[]byte("abcd"), []byte("abce1"), []byte("abcf")}, 1 + 6 + 7 + 6},
		{"a repeat", append(dayBands(1, 9, 1), dayBands(1, 9, 2)...), 1 + 11 + 4 + 2*4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := appendOwned([]byte{ownedV2}, ownedBand, tc.entries)
			var want []string
			for _, e := range tc.entries {
				want = append(want, string(ownedBand)+string(e))
			}
			if got := ownedEntries(t, v); !slices.Equal(got, want) {
				t.Errorf("entries read back %q; want %q", got, want)
			}
			if len(v) > tc.maxLen {
				t.Errorf("list of %d entries takes %d bytes (%x); want at most %d", len(tc.entries), len(v), v, tc.maxLen)
			}
		})
	}
}

// TestOwnedListOfVersion4 reads an item's owned list as a file of format
// version 4 holds it (ownedV1): a writable Open marks the file version 5
// and leaves the list as it is; adding bands to it keeps its entries and
// adds the new ones in a run; Prune deletes every entry of both.
func TestOwnedListOfVersion4(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agg.db")
	d := mustOpenPath(t, path)
	it := mkItem("v4.example", "g", t0, "")
	ref := aggregator.KeyRef{Story: it.ID, Item: it.ID, Time: it.Published}
	old, added := dayBands(3, 20000, 6), dayBands(11, 20000, 6)
	mustUpdate(t, d, func(atx aggregator.Tx) error {
		putStory(t, atx, []string{"all"}, it)
		if err := atx.AddKey("guid:"+it.GUID, ref); err != nil {
			return err
		}
		_, err := atx.(*tx).AddBands(old, ref, 0)
		return err
	})
	d.Close()
	var want []string
	downgrade(t, path, func(entries []string) { want = entries })
	for _, b := range old {
		if !slices.Contains(want, string(ownedBand)+string(b)) {
			t.Fatalf("the version 4 file's owned list names %q; want band %x among them", want, b)
		}
	}

	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only Open of a version 4 file: %v", err)
	}
	checkConsistent(t, ro)
	ro.Close()

	d = mustOpenPath(t, path)
	d.db.View(func(btx *bolt.Tx) error {
		if v := btx.Bucket(bucketMeta).Get(keySchema); !bytes.Equal(v, u32(schemaVersion)) {
			t.Errorf("schema version after a writable Open = %x; want %d", v, schemaVersion)
		}
		return nil
	})
	mustUpdate(t, d, func(atx aggregator.Tx) error {
		v, err := atx.(*tx).ownedList(it.ID)
		if err != nil {
			return err
		}
		if len(v) == 0 || v[0] != ownedV1 {
			t.Errorf("owned list after the upgrade starts %x; want it as it was, version %d", v, ownedV1)
		}
		_, err = atx.(*tx).AddBands(added, ref, 0)
		return err
	})
	for _, b := range added {
		want = append(want, string(ownedBand)+string(b))
	}
	mustUpdate(t, d, func(atx aggregator.Tx) error {
		v, err := atx.(*tx).ownedList(it.ID)
		if err != nil {
			return err
		}
		if len(v) == 0 || v[0] != ownedV2 {
			t.Errorf("owned list once bands were added starts %x; want version %d", v, ownedV2)
		}
		if got := ownedEntries(t, v); !slices.Equal(got, want) {
			t.Errorf("owned list once bands were added names %q; want %q", got, want)
		}
		return nil
	})
	checkConsistent(t, d)
	if n, err := d.Prune(t.Context(), t0.Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want 1 story", n, err)
	}
	d.View(t.Context(), func(atx aggregator.Tx) error {
		for _, b := range append(old, added...) {
			if n, _ := atx.(*tx).BandLen(b); n != 0 {
				t.Errorf("band %x after Prune holds %d refs; want none", b, n)
			}
		}
		if refs, _ := atx.Keys("guid:" + it.GUID); len(refs) != 0 {
			t.Errorf("key after Prune holds %v; want none", refs)
		}
		return nil
	})
	checkConsistent(t, d)
}

// downgrade rewrites the closed store at path as format version 4 wrote
// it: every owned list as ownedV1 (downgradeOwned), the schema version 4.
// seen, when not nil, gets the entries of each list.
func downgrade(tb testing.TB, path string, seen func(entries []string)) {
	tb.Helper()
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer bdb.Close()
	err = bdb.Update(func(btx *bolt.Tx) error {
		if err := downgradeOwned(tb, btx, seen); err != nil {
			return err
		}
		return btx.Bucket(bucketMeta).Put(keySchema, u32(4))
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// downgradeOwned rewrites every owned list in records as ownedV1, as
// files of format version 4 and earlier hold them.
func downgradeOwned(tb testing.TB, btx *bolt.Tx, seen func(entries []string)) error {
	b := btx.Bucket(bucketRecords)
	var keys, vals [][]byte
	err := b.ForEach(func(k, v []byte) error {
		r, err := splitRecord(v)
		if err != nil {
			return err
		}
		entries := ownedEntries(tb, r.owned)
		if seen != nil {
			seen(entries)
		}
		r.owned = ownedV1List(entries)
		keys, vals = append(keys, bytes.Clone(k)), append(vals, r.bytes())
		return nil
	})
	if err != nil {
		return err
	}
	for i, k := range keys {
		if err := b.Put(k, vals[i]); err != nil {
			return err
		}
	}
	return nil
}

// FuzzOwnedList writes the entries its input splits into as an owned list
// and reads them back, and reads the input itself as a stored list: a
// damaged one is an error, never a panic.
func FuzzOwnedList(f *testing.F) {
	f.Add([]byte("n1234dddd|n5678dddd|n9abcdddd"), byte(3))
	f.Add([]byte("abc|abd|xyz|xy"), byte(2))
	f.Add(appendOwned([]byte{ownedV2}, ownedBand, dayBands(1, 2, 5)), byte(0))
	f.Add([]byte{ownedV2, 'b', 2, 'a', 'b', 'b' | ownedRun, 3, 1, 1, 'c', 'd', 'e'}, byte(1))
	f.Fuzz(func(t *testing.T, in []byte, split byte) {
		walkOwned(in, func(byte, []byte) error { return nil }) //nolint:errcheck // only must not panic

		var entries [][]byte
		for e := range bytes.SplitSeq(in, []byte("|")) {
			if len(e) > 0 && !slices.ContainsFunc(entries, func(h []byte) bool { return bytes.Equal(h, e) }) {
				entries = append(entries, e)
			}
		}
		at := min(int(split), len(entries))
		v := appendOwned([]byte{ownedV2}, ownedKey, entries[:at])
		v = appendOwned(v, ownedBand, entries[at:])
		var want []string
		for i, e := range entries {
			kind := ownedBand
			if i < at {
				kind = ownedKey
			}
			want = append(want, string(rune(kind))+string(e))
		}
		var got []string
		if err := walkOwned(v, func(kind byte, e []byte) error {
			got = append(got, string(rune(kind))+string(e))
			return nil
		}); err != nil {
			t.Fatalf("walkOwned of the list written: %v", err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("entries read back %q; want %q (list %x)", got, want, v)
		}
		full := 1
		for _, e := range entries {
			full += 1 + uvarintLen(uint64(len(e))) + len(e)
		}
		if len(v) > full {
			t.Fatalf("list takes %d bytes; in full its entries take %d", len(v), full)
		}
	})
}
