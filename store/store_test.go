package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/tributary-feeds/tributary/aggregator"
)

func TestOpenCreatesFolderAndBuckets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "agg.db")
	d, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open(%q) = %v", path, err)
	}
	if got := d.Path(); got != path {
		t.Errorf("Path() = %q; want %q", got, path)
	}
	size, err := d.Size()
	if err != nil || size <= 0 {
		t.Errorf("Size() = %d, %v; want > 0, nil", size, err)
	}
	err = d.db.View(func(btx *bolt.Tx) error {
		for _, name := range allBuckets {
			if btx.Bucket(name) == nil {
				t.Errorf("bucket %s missing after Open", name)
			}
		}
		if v := btx.Bucket(bucketMeta).Get(keySchema); binary.BigEndian.Uint32(v) != schemaVersion {
			t.Errorf("schema version = %x; want %d", v, schemaVersion)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	// A second open of the same file keeps it.
	d2, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	d2.Close()
}

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	newer := filepath.Join(dir, "newer.db")
	d := mustOpenPath(t, newer)
	err := d.db.Update(func(btx *bolt.Tx) error {
		return btx.Bucket(bucketMeta).Put(keySchema, u32(schemaVersion+1))
	})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()

	foreign := filepath.Join(dir, "foreign.db")
	bdb, err := bolt.Open(foreign, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	bdb.Update(func(btx *bolt.Tx) error { _, err := btx.CreateBucket([]byte("other")); return err })
	bdb.Close()

	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		path string
		opts Options
		want string
	}{
		{newer, Options{}, fmt.Sprintf("schema version %d is newer", schemaVersion+1)},
		{newer, Options{ReadOnly: true}, fmt.Sprintf("schema version %d is newer", schemaVersion+1)},
		{foreign, Options{ReadOnly: true}, "not a tributary store"},
		{garbage, Options{}, "invalid"},
		{filepath.Join(dir, "missing.db"), Options{ReadOnly: true}, "no such file"},
	}
	for _, tt := range tests {
		d, err := Open(tt.path, tt.opts)
		if err == nil {
			d.Close()
			t.Errorf("Open(%s, %+v) = nil error; want %q", filepath.Base(tt.path), tt.opts, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Open(%s, %+v) = %v; want an error containing %q", filepath.Base(tt.path), tt.opts, err, tt.want)
		}
		if errors.Is(err, ErrLocked) {
			t.Errorf("Open(%s, %+v) = %v; must not wrap ErrLocked", filepath.Base(tt.path), tt.opts, err)
		}
	}
}

// TestOpenLeavesOthersFiles: a writable Open of a bbolt file another program
// made, or of a store missing one of its buckets, refuses it as a read-only
// Open does, and leaves every byte of it as it was, rather than adding this
// schema's buckets to it. A folder, a file of zeros and, read-only, an
// empty file are named for what they are.
func TestOpenLeavesOthersFiles(t *testing.T) {
	dir := t.TempDir()
	foreign := filepath.Join(dir, "foreign.db")
	bdb, err := bolt.Open(foreign, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(btx *bolt.Tx) error {
		b, err := btx.CreateBucket([]byte("widgets"))
		if err != nil {
			return err
		}
		return b.Put([]byte("w1"), []byte("another program's record"))
	})
	if err != nil {
		t.Fatal(err)
	}
	bdb.Close()

	damaged := filepath.Join(dir, "damaged.db")
	d := mustOpenPath(t, damaged)
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		putStory(t, tx, []string{aggregator.AllTopic}, mkItem("damaged.example", "g1", t0, ""))
		return nil
	})
	if err := d.db.Update(func(btx *bolt.Tx) error { return btx.DeleteBucket(bucketStories) }); err != nil {
		t.Fatal(err)
	}
	d.Close()

	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	zeros := filepath.Join(dir, "zeros.db")
	if err := os.WriteFile(zeros, make([]byte, 1<<16), 0o600); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "folder.db")
	if err := os.Mkdir(folder, 0o750); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		path string
		opts Options
		want string
	}{
		{foreign, Options{}, "not a tributary store"},
		{damaged, Options{}, "damaged store: bucket stories missing"},
		{damaged, Options{ReadOnly: true}, "damaged store: bucket stories missing"},
		{empty, Options{ReadOnly: true}, "the file is empty"},
		{zeros, Options{}, "not a tributary store (not a bbolt file"},
		{zeros, Options{ReadOnly: true}, "not a tributary store (not a bbolt file"},
		{folder, Options{}, "is a folder"},
		{folder, Options{ReadOnly: true}, "is a folder"},
	}
	for _, tt := range tests {
		var before []byte
		if !strings.HasSuffix(tt.path, "folder.db") {
			if before, err = os.ReadFile(tt.path); err != nil {
				t.Fatal(err)
			}
		}
		d, err := Open(tt.path, tt.opts)
		if err == nil {
			d.Close()
			t.Errorf("Open(%s, %+v) = nil error; want %q", filepath.Base(tt.path), tt.opts, tt.want)
		} else if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
			t.Errorf("Open(%s, %+v) = %v; want an error naming the file and containing %q", filepath.Base(tt.path), tt.opts, err, tt.want)
		}
		if before == nil {
			continue
		}
		if after, err := os.ReadFile(tt.path); err != nil || !bytes.Equal(after, before) {
			t.Errorf("Open(%s, %+v) changed the file (%d bytes before, %d after, %v); want it left as it was", filepath.Base(tt.path), tt.opts, len(before), len(after), err)
		}
	}
}

func TestReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agg.db")
	d := mustOpenPath(t, path)
	it := mkItem("ro.example", "g1", t0, "")
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		putStory(t, tx, []string{aggregator.AllTopic}, it)
		return tx.PutSource(aggregator.SourceState{ID: it.SourceID, Name: "RO"})
	})
	d.Close()

	ro1, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("Open(ReadOnly) = %v", err)
	}
	defer ro1.Close()
	// Read-only handles share the file.
	ro2, err := Open(path, Options{ReadOnly: true, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("second Open(ReadOnly) = %v", err)
	}
	defer ro2.Close()

	ctx := t.Context()
	if st, err := ro1.Source(ctx, it.SourceID); err != nil || st.Name != "RO" {
		t.Errorf("Source(%s) = %+v, %v; want Name RO", it.SourceID, st, err)
	}
	got, _, err := ro2.ItemByLink(ctx, atLink(it.Link))
	if err != nil || got.ID != it.ID {
		t.Errorf("ItemByLink(%q) = %s, %v; want %s", it.Link, got.ID, err, it.ID)
	}
	err = ro1.PutSource(ctx, aggregator.SourceState{ID: "x"})
	if !errors.Is(err, berrors.ErrDatabaseReadOnly) {
		t.Errorf("PutSource on a read-only store = %v; want ErrDatabaseReadOnly", err)
	}
	// A writer cannot take the file while readers hold it.
	_, err = Open(path, Options{Timeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Errorf("Open(writable) while read-only handles are open = %v; want ErrLocked", err)
	}
}

func TestContextCancelled(t *testing.T) {
	d := mustOpen(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	calls := map[string]error{
		"Update": d.Update(ctx, func(aggregator.Tx) error { called = true; return nil }),
		"View":   d.View(ctx, func(aggregator.Tx) error { called = true; return nil }),
		"TopicStories": d.TopicStories(ctx, "all", time.Time{}, func(aggregator.Story, []aggregator.Item) bool {
			called = true
			return true
		}),
		"Export":    d.Export(ctx, func(aggregator.Item, aggregator.Story) error { called = true; return nil }),
		"PutSource": d.PutSource(ctx, aggregator.SourceState{ID: "s"}),
		"Compact":   d.Compact(ctx, filepath.Join(t.TempDir(), "c.db")),
	}
	_, calls["Prune"] = d.Prune(ctx, time.Now())
	_, calls["Source"] = d.Source(ctx, "s")
	_, calls["Sources"] = d.Sources(ctx)
	_, _, calls["ItemByLink"] = d.ItemByLink(ctx, atLink("https://x"))
	_, calls["Backup"] = d.Backup(ctx, new(strings.Builder))
	_, calls["Stats"] = d.Stats(ctx)
	for name, err := range calls {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context = %v; want context.Canceled", name, err)
		}
	}
	if called {
		t.Error("a callback ran under a cancelled context")
	}
}

func TestUpdateRollsBack(t *testing.T) {
	d := mustOpen(t)
	it := mkItem("rb.example", "g1", t0, "")
	boom := errors.New("boom")
	err := d.Update(t.Context(), func(tx aggregator.Tx) error {
		putStory(t, tx, []string{"all"}, it)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v; want %v", err, boom)
	}
	err = d.View(t.Context(), func(tx aggregator.Tx) error {
		if _, err := tx.Item(it.ID); !errors.Is(err, aggregator.ErrNotFound) {
			t.Errorf("Item(%s) after rollback = %v; want ErrNotFound", it.ID, err)
		}
		if refs, _ := tx.Keys("guid:g1"); len(refs) != 0 {
			t.Errorf("Keys(guid:g1) after rollback = %v; want none", refs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checkConsistent(t, d)
}

// TestGeneration checks that the store's generation moves with every
// commit, and only then: not with a read, nor with a rolled-back write; and
// that a reopened store goes on from where it was.
func TestGeneration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gen.db")
	d := mustOpenPath(t, path)
	g0 := d.Generation()
	if err := d.View(t.Context(), func(aggregator.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	d.Update(t.Context(), func(aggregator.Tx) error { return errors.New("rolled back") }) //nolint:errcheck // on purpose
	if g := d.Generation(); g != g0 {
		t.Errorf("Generation after a read and a rollback = %d; want %d", g, g0)
	}
	if err := d.PutSource(t.Context(), aggregator.SourceState{ID: "a", Name: "A"}); err != nil {
		t.Fatal(err)
	}
	g1 := d.Generation()
	if g1 <= g0 {
		t.Errorf("Generation after a commit = %d; want more than %d", g1, g0)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d = mustOpenPath(t, path)
	if g := d.Generation(); g < g1 {
		t.Errorf("Generation after reopening = %d; want at least %d", g, g1)
	}
}

func TestSources(t *testing.T) {
	d := mustOpen(t)
	ctx := t.Context()
	a := aggregator.SourceState{ID: "a", ConfigURL: "https://a.example/feed", URL: "https://a.example/feed", Name: "A",
		ETag: `"x"`, LastFetch: t0, Failures: 2, FeedTTL: time.Hour, SkipHours: []int{1, 2}}
	b := aggregator.SourceState{ID: "b", Name: "B", NextDue: t0.Add(time.Hour)}
	if err := d.PutSource(ctx, b); err != nil {
		t.Fatal(err)
	}
	mustUpdate(t, d, func(tx aggregator.Tx) error { return tx.PutSource(a) })
	if got, err := d.Source(ctx, "a"); err != nil || !reflect.DeepEqual(got, a) {
		t.Errorf("Source(a) = %+v, %v; want %+v", got, err, a)
	}
	if _, err := d.Source(ctx, "zz"); !errors.Is(err, aggregator.ErrNotFound) {
		t.Errorf("Source(zz) = %v; want ErrNotFound", err)
	}
	a.Failures = 0
	if err := d.PutSource(ctx, a); err != nil {
		t.Fatal(err)
	}
	all, err := d.Sources(ctx)
	if err != nil || len(all) != 2 || !reflect.DeepEqual(all[0], a) || !reflect.DeepEqual(all[1], b) {
		t.Errorf("Sources() = %+v, %v; want [a b] with a replaced", all, err)
	}
	if err := d.PutSource(ctx, aggregator.SourceState{}); err == nil {
		t.Error("PutSource(empty id) = nil; want an error")
	}
	s, err := d.Stats(ctx)
	if err != nil || s.Sources != 2 {
		t.Errorf("Stats() = %+v, %v; want 2 sources", s, err)
	}
}

// TestSourceValidatorsNotUTF8 stores validators that are not UTF-8 and
// reads them back byte for byte, and reads a state stored before they were
// kept so as it was.
func TestSourceValidatorsNotUTF8(t *testing.T) {
	d := mustOpen(t)
	ctx := t.Context()
	st := aggregator.SourceState{ID: "l", Name: "Latin-1", ETag: "\"caf\xe9\"", LastModified: "\xff"}
	if err := d.PutSource(ctx, st); err != nil {
		t.Fatal(err)
	}
	if got, err := d.Source(ctx, "l"); err != nil || got.ETag != st.ETag || got.LastModified != st.LastModified {
		t.Errorf("Source(l): ETag %q, Last-Modified %q, %v; want %q, %q", got.ETag, got.LastModified, err, st.ETag, st.LastModified)
	}
	if all, err := d.Sources(ctx); err != nil || len(all) != 1 || !reflect.DeepEqual(all[0], st) {
		t.Errorf("Sources() = %+v, %v; want [%+v]", all, err, st)
	}
	old := []byte(`{"id":"o","config_url":"","url":"","name":"Old","etag":"\"v1\"","last_modified":"Mon, 02 Mar 2026 10:00:00 GMT"}`)
	if err := d.update(func(btx *bolt.Tx) error { return btx.Bucket(bucketSources).Put([]byte("o"), old) }); err != nil {
		t.Fatal(err)
	}
	if got, err := d.Source(ctx, "o"); err != nil || got.ETag != `"v1"` || got.LastModified != "Mon, 02 Mar 2026 10:00:00 GMT" {
		t.Errorf("Source(o) of an older record: ETag %q, Last-Modified %q, %v", got.ETag, got.LastModified, err)
	}
}

func TestItems(t *testing.T) {
	d := mustOpen(t)
	it := mkItem("items.example", "g1", t0, "")
	it.OriginLinks = []string{"https://origin.example/a"}
	it.Enclosures = []aggregator.Enclosure{{URL: "https://items.example/a.mp3", Type: "audio/mpeg", Length: 123}}
	it.Updated = t0.Add(time.Hour)
	mustUpdate(t, d, func(tx aggregator.Tx) error { return tx.PutItem(it) })
	err := d.View(t.Context(), func(tx aggregator.Tx) error {
		got, err := tx.Item(it.ID)
		if err != nil || !reflect.DeepEqual(got, it) {
			t.Errorf("Item(%s) = %+v, %v; want %+v", it.ID, got, err, it)
		}
		if _, err := tx.Item("missing"); !errors.Is(err, aggregator.ErrNotFound) {
			t.Errorf("Item(missing) = %v; want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Replacing keeps one record with the new fields.
	it.Title = "Edited"
	mustUpdate(t, d, func(tx aggregator.Tx) error { return tx.PutItem(it) })
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		if got, err := tx.Item(it.ID); err != nil || got.Title != "Edited" {
			t.Errorf("Item(%s).Title after replace = %q, %v; want Edited", it.ID, got.Title, err)
		}
		if err := tx.PutItem(aggregator.Item{}); err == nil {
			t.Error("PutItem(empty id) = nil; want an error")
		}
		return nil
	})
	if s, _ := d.Stats(t.Context()); s.Items != 1 {
		t.Errorf("Stats().Items = %d; want 1", s.Items)
	}
}

func TestItemByLink(t *testing.T) {
	d := mustOpen(t)
	ctx := t.Context()
	a := mkItem("one.example", "a", t0, "")
	b := mkItem("two.example", "b", t0.Add(time.Minute), a.ID)
	b.CanonicalLink = a.CanonicalLink // a re-post of the same article
	long := mkItem("three.example", "c", t0, "")
	long.Link = "https://three.example/" + strings.Repeat("x", 40000)
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		putStory(t, tx, []string{"all"}, a, b)
		putStory(t, tx, []string{"all"}, long)
		return nil
	})
	tests := []struct {
		link     string
		wantItem string
	}{
		{a.Link, a.ID},
		{b.Link, b.ID},
		{a.CanonicalLink, a.ID}, // the first stored of the two
		{long.Link, long.ID},
	}
	for _, tt := range tests {
		it, st, err := d.ItemByLink(ctx, atLink(tt.link))
		if err != nil || it.ID != tt.wantItem || st.ID != a.StoryID && st.ID != long.StoryID || st.ID != it.StoryID {
			t.Errorf("ItemByLink(%.40q) = item %s story %s, %v; want item %s with its story", tt.link, it.ID, st.ID, err, tt.wantItem)
		}
	}
	for _, link := range []string{"", "https://one.example/none"} {
		if _, _, err := d.ItemByLink(ctx, atLink(link)); !errors.Is(err, aggregator.ErrNotFound) {
			t.Errorf("ItemByLink(%q) = %v; want ErrNotFound", link, err)
		}
	}
	// Of several links, any finds the item, in one walk.
	if it, _, err := d.ItemByLink(ctx, atLink("https://one.example/none", long.Link)); err != nil || it.ID != long.ID {
		t.Errorf("ItemByLink(none, long) = %s, %v; want %s", it.ID, err, long.ID)
	}

	// A changed link is found where the old one is not; the shared canonical
	// link still finds b.
	a2 := a
	a2.Link = "https://one.example/moved"
	a2.CanonicalLink = ""
	mustUpdate(t, d, func(tx aggregator.Tx) error { return tx.PutItem(a2) })
	moved := []struct {
		link     string
		wantItem string // "" for not found
	}{
		{a.Link, ""},
		{a2.Link, a.ID},
		{a.CanonicalLink, b.ID},
	}
	for _, tt := range moved {
		it, _, err := d.ItemByLink(ctx, atLink(tt.link))
		if tt.wantItem == "" {
			if !errors.Is(err, aggregator.ErrNotFound) {
				t.Errorf("after moving, ItemByLink(%q) = %s, %v; want ErrNotFound", tt.link, it.ID, err)
			}
		} else if err != nil || it.ID != tt.wantItem {
			t.Errorf("after moving, ItemByLink(%q) = %s, %v; want %s", tt.link, it.ID, err, tt.wantItem)
		}
	}
	checkConsistent(t, d)
}

func TestKeysAndBands(t *testing.T) {
	d := mustOpen(t)
	r1 := aggregator.KeyRef{Story: "aa11", Item: "aa11", Time: t0}
	r2 := aggregator.KeyRef{Story: "aa11", Item: "bb22", Time: t0.Add(time.Second)}
	r3 := aggregator.KeyRef{Story: "Not-Hex", Item: "cc33"} // zero time, non-hex story
	long := strings.Repeat("k", 10000)
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		for _, call := range []struct {
			key string
			ref aggregator.KeyRef
		}{{"k", r1}, {"k", r2}, {"k", r3}, {long, r2}} {
			if err := tx.AddKey(call.key, call.ref); err != nil {
				t.Errorf("AddKey(%.10q, %+v) = %v", call.key, call.ref, err)
			}
			if err := tx.AddBand([]byte(call.key), call.ref); err != nil {
				t.Errorf("AddBand(%.10q, %+v) = %v", call.key, call.ref, err)
			}
		}
		// Adding an item's ref again replaces it and moves it last.
		r1b := r1
		r1b.Time = t0.Add(time.Hour)
		if err := tx.AddKey("k", r1b); err != nil {
			return err
		}
		if err := tx.AddKey("", r1); err == nil {
			t.Error(`AddKey("", ref) = nil; want an error`)
		}
		if err := tx.AddKey("k", aggregator.KeyRef{Story: "s"}); err == nil {
			t.Error("AddKey(k, ref without item) = nil; want an error")
		}
		// The caller may reuse its band buffer after AddBand.
		buf := []byte("reused")
		if err := tx.AddBand(buf, r1); err != nil {
			return err
		}
		copy(buf, "XXXXXX")
		if err := tx.AddBand(nil, r1); err == nil {
			t.Error("AddBand(nil, ref) = nil; want an error")
		}
		return nil
	})
	r1b := r1
	r1b.Time = t0.Add(time.Hour)
	err := d.View(t.Context(), func(tx aggregator.Tx) error {
		tests := []struct {
			call string
			get  func() ([]aggregator.KeyRef, error)
			want []aggregator.KeyRef
		}{
			{"Keys(k)", func() ([]aggregator.KeyRef, error) { return tx.Keys("k") }, []aggregator.KeyRef{r2, r3, r1b}},
			{"Keys(long)", func() ([]aggregator.KeyRef, error) { return tx.Keys(long) }, []aggregator.KeyRef{r2}},
			{"Keys(missing)", func() ([]aggregator.KeyRef, error) { return tx.Keys("missing") }, nil},
			{"Band(k)", func() ([]aggregator.KeyRef, error) { return tx.Band([]byte("k")) }, []aggregator.KeyRef{r1, r2, r3}},
			{"Band(long)", func() ([]aggregator.KeyRef, error) { return tx.Band([]byte(long)) }, []aggregator.KeyRef{r2}},
			{"Band(missing)", func() ([]aggregator.KeyRef, error) { return tx.Band([]byte{0, 1}) }, nil},
			{"Band(reused)", func() ([]aggregator.KeyRef, error) { return tx.Band([]byte("reused")) }, []aggregator.KeyRef{r1}},
			{"Band(XXXXXX)", func() ([]aggregator.KeyRef, error) { return tx.Band([]byte("XXXXXX")) }, nil},
		}
		for _, tt := range tests {
			got, err := tt.get()
			if err != nil || !refsEqual(got, tt.want) {
				t.Errorf("%s = %+v, %v; want %+v", tt.call, got, err, tt.want)
			}
		}
		for _, tt := range []struct {
			band string
			want int
		}{{"k", 3}, {long, 1}, {"reused", 1}, {"missing", 0}} {
			if got, err := tx.(interface{ BandLen([]byte) (int, error) }).BandLen([]byte(tt.band)); err != nil || got != tt.want {
				t.Errorf("BandLen(%.10q) = %d, %v; want %d", tt.band, got, err, tt.want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAddBands(t *testing.T) {
	d := mustOpen(t)
	ref := func(item string) aggregator.KeyRef { return aggregator.KeyRef{Story: item, Item: item, Time: t0} }
	mustUpdate(t, d, func(atx aggregator.Tx) error {
		tx := atx.(*tx)
		tests := []struct {
			bands []string
			ref   aggregator.KeyRef
			limit int
			want  int
		}{
			{[]string{"a", "b", "c"}, ref("i1"), 2, 3},
			{[]string{"a", "b"}, ref("i2"), 2, 2},
			{[]string{"a", "c", "d"}, ref("i3"), 2, 2}, // a is full
			{[]string{"a", "d"}, ref("i3"), 0, 2},      // no limit; i3 again in d replaces itself
		}
		for _, tt := range tests {
			var bands [][]byte
			for _, b := range tt.bands {
				bands = append(bands, []byte(b))
			}
			got, err := tx.AddBands(bands, tt.ref, tt.limit)
			if err != nil || got != tt.want {
				t.Errorf("AddBands(%q, %s, %d) = %d, %v; want %d", tt.bands, tt.ref.Item, tt.limit, got, err, tt.want)
			}
		}
		for band, want := range map[string][]string{"a": {"i1", "i2", "i3"}, "b": {"i1", "i2"}, "c": {"i1", "i3"}, "d": {"i3"}} {
			refs, err := tx.Band([]byte(band))
			var got []string
			for _, r := range refs {
				got = append(got, r.Item)
			}
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("Band(%q) = %q, %v; want %q", band, got, err, want)
			}
			for _, item := range want {
				if !owns(tx, item, ownedBand, []byte(band)) {
					t.Errorf("after AddBands, item %s does not own band %q", item, band)
				}
			}
		}
		// Each entry is owned once, however often it was added.
		var entries []string
		owned, err := tx.ownedList("i3")
		if err != nil {
			t.Fatal(err)
		}
		err = walkOwned(owned, func(kind byte, e []byte) error {
			entries = append(entries, string(kind)+string(e))
			return nil
		})
		if want := []string{"bc", "bd", "ba"}; err != nil || !slices.Equal(entries, want) {
			t.Errorf("owned by i3 = %q, %v; want %q", entries, err, want)
		}
		if _, err := tx.AddBands([][]byte{{}}, ref("i4"), 0); err == nil {
			t.Error("AddBands(empty band) = nil error; want one")
		}
		return nil
	})
}

func refsEqual(a, b []aggregator.KeyRef) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Story != b[i].Story || a[i].Item != b[i].Item || !a[i].Time.Equal(b[i].Time) {
			return false
		}
	}
	return true
}

func TestKeysBounded(t *testing.T) {
	d := mustOpen(t)
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		for i := range maxRefs + 10 {
			ref := aggregator.KeyRef{Story: "s", Item: "item-" + strconv.Itoa(i), Time: t0.Add(time.Duration(i))}
			if err := tx.AddKey("boilerplate", ref); err != nil {
				return err
			}
		}
		return nil
	})
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		refs, err := tx.Keys("boilerplate")
		if err != nil || len(refs) != maxRefs {
			t.Fatalf("Keys(boilerplate) = %d refs, %v; want %d", len(refs), err, maxRefs)
		}
		if first := refs[0].Time; !first.Equal(t0.Add(10)) {
			t.Errorf("Keys(boilerplate)[0].Time = %v; want the 11th ref's %v (the oldest dropped)", first, t0.Add(10))
		}
		return nil
	})
}

func TestFeatures(t *testing.T) {
	d := mustOpen(t)
	in := []byte{1, 2, 3}
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		if err := tx.PutFeatures("item1", in); err != nil {
			return err
		}
		in[0] = 9 // the store keeps its own copy
		if err := tx.PutFeatures("", in); err == nil {
			t.Error(`PutFeatures("") = nil; want an error`)
		}
		return nil
	})
	var got []byte
	d.View(t.Context(), func(tx aggregator.Tx) error {
		var err error
		got, err = tx.Features("item1")
		if err != nil {
			t.Errorf("Features(item1) = %v", err)
		}
		if _, err := tx.Features("item2"); !errors.Is(err, aggregator.ErrNotFound) {
			t.Errorf("Features(item2) = %v; want ErrNotFound", err)
		}
		return nil
	})
	// got must stay valid after the transaction.
	mustUpdate(t, d, func(tx aggregator.Tx) error { return tx.PutFeatures("item1", []byte{7, 7, 7, 7}) })
	if want := []byte{1, 2, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("Features(item1) = %v; want %v", got, want)
	}
}

func TestCounts(t *testing.T) {
	d := mustOpen(t)
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		if err := tx.AddCounts("df", []string{"a", "b", "a"}); err != nil {
			return err
		}
		if err := tx.AddCounts("df", []string{"b", strings.Repeat("z", 1000)}); err != nil {
			return err
		}
		if err := tx.AddCounts("src:1", []string{"a"}); err != nil {
			return err
		}
		if err := tx.AddCounts("", []string{"a"}); err == nil {
			t.Error(`AddCounts("", ...) = nil; want an error`)
		}
		if err := tx.AddCounts("df", []string{""}); err == nil {
			t.Error(`AddCounts(df, [""]) = nil; want an error`)
		}
		return nil
	})
	d.View(t.Context(), func(tx aggregator.Tx) error {
		tests := []struct {
			ns   string
			keys []string
			want []uint32
		}{
			{"df", []string{"a", "b", "c", strings.Repeat("z", 1000)}, []uint32{2, 2, 0, 1}},
			{"src:1", []string{"a", "b"}, []uint32{1, 0}},
			{"nothing", []string{"a"}, []uint32{0}},
			{"df", nil, []uint32{}},
		}
		for _, tt := range tests {
			got, err := tx.Counts(tt.ns, tt.keys)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Counts(%q, %.20q) = %v, %v; want %v", tt.ns, tt.keys, got, err, tt.want)
			}
		}
		return nil
	})
}

func TestVisitBandUpTo(t *testing.T) {
	d := mustOpen(t)
	ref := func(item string) aggregator.KeyRef { return aggregator.KeyRef{Story: item, Item: item, Time: t0} }
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		for _, item := range []string{"aa01", "aa02", "aa03"} {
			if err := tx.AddBand([]byte("three"), ref(item)); err != nil {
				return err
			}
		}
		return tx.AddBand([]byte("one"), ref("bb01"))
	})
	tests := []struct {
		band      string
		limit     int
		wantRefs  []string
		wantCount int
	}{
		{"three", 3, []string{"aa01", "aa02", "aa03"}, 3},
		{"three", 2, nil, 3},
		{"one", 1, []string{"bb01"}, 1},
		{"unknown", 5, nil, 0},
	}
	err := d.View(t.Context(), func(atx aggregator.Tx) error {
		tx := atx.(*tx)
		for _, tt := range tests {
			var got []string
			n, err := tx.VisitBandUpTo([]byte(tt.band), tt.limit, "", func(key []byte, at time.Time) {
				if !at.Equal(t0) {
					t.Errorf("%s: time %v, want %v", tt.band, at, t0)
				}
				got = append(got, tx.RefID(string(key)))
			})
			if err != nil || n != tt.wantCount || !slices.Equal(got, tt.wantRefs) {
				t.Errorf("VisitBandUpTo(%q, %d) = %v, %d, %v; want %v, %d, nil", tt.band, tt.limit, got, n, err, tt.wantRefs, tt.wantCount)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestOpenWritesNothingNeedless: a writable Open of a store that has every
// bucket and this version's schema commits nothing, so that opening a file
// (to serve, poll or compact it) writes no page of it, not even a free list.
func TestOpenWritesNothingNeedless(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agg.db")
	d := mustOpenPath(t, path)
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		putStory(t, tx, []string{aggregator.AllTopic}, mkItem("open.example", "g1", t0, ""))
		return nil
	})
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	txid := func() int {
		bdb, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer bdb.Close()
		tx, err := bdb.Begin(false)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		return tx.ID()
	}
	before := txid()
	for range 3 {
		d, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if after := txid(); after != before {
		t.Errorf("three writable opens committed %d transactions; want none", after-before)
	}
}
