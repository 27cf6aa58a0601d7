package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

func TestItemCodec(t *testing.T) {
	tests := []aggregator.Item{
		{ID: "tiny"},
		mkItem("codec.example", "g", t0, ""),
		{ID: "unicode", Title: "中美关系 – “quoted” <b>", Content: strings.Repeat("é😀", 500)},
		{ID: "language", Title: "افتتاح جسر جديد", Language: "ar"},
	}
	for _, in := range tests {
		v, err := noDict.encode(in)
		if err != nil {
			t.Fatalf("noDict.encode(%s) = %v", in.ID, err)
		}
		got, err := noDict.decode(v)
		if err != nil || !reflect.DeepEqual(got, in) {
			t.Errorf("noDict.decode(noDict.encode(%s)) = %+v, %v; want %+v", in.ID, got, err, in)
		}
	}
	// A record written before items kept their language reads as one in
	// no language known.
	old, err := noDict.decode(append([]byte{codecJSON}, `{"id":"old","source":"s","guid":"g","title":"T","hash":"h","story":"old"}`...))
	if err != nil || old.ID != "old" || old.Language != "" {
		t.Errorf("noDict.decode(a record without a language) = %+v, %v; want item old, no language", old, err)
	}
	for _, v := range [][]byte{nil, {9, 1, 2}, {codecFlateDict, 1, 2, 3}, {codecJSON, '{'}} {
		if _, err := noDict.decode(v); err == nil {
			t.Errorf("noDict.decode(%x) = nil error; want one", v)
		}
	}
}

// refsModel is addRef done the slow way, on decoded refs.
func refsModel(refs []aggregator.KeyRef, ref aggregator.KeyRef, limit int) []aggregator.KeyRef {
	refs = deleteRefs(refs, func(r aggregator.KeyRef) bool { return r.Item == ref.Item })
	refs = append(refs, ref)
	if len(refs) > limit {
		refs = refs[len(refs)-limit:]
	}
	return refs
}

func TestAddRefMatchesModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ids := []string{"aa", "bb01", "Not-Hex", "0", "", "cc", "ABCD", "dd"}
	for round := range 200 {
		limit := 1 + r.IntN(5)
		var v []byte
		var model []aggregator.KeyRef
		for step := range 20 {
			ref := aggregator.KeyRef{Story: ids[r.IntN(len(ids))], Item: ids[1+r.IntN(len(ids)-1)]}
			if r.IntN(3) > 0 {
				ref.Time = t0.Add(time.Duration(r.Int64N(1e15)))
				if r.IntN(2) == 0 {
					ref.Time = ref.Time.Truncate(time.Second) // stored as seconds
				}
			}
			var err error
			if v, err = addRef(v, ref, limit); err != nil {
				t.Fatalf("round %d step %d: addRef = %v", round, step, err)
			}
			model = refsModel(model, ref, limit)
			got, err := decodeRefs(v)
			if err != nil || !refsEqual(got, model) {
				t.Fatalf("round %d step %d: after addRef(%+v, limit %d) refs = %+v, %v; want %+v", round, step, ref, limit, got, err, model)
			}
			if !bytes.Equal(v, encodeRefs(model)) {
				t.Fatalf("round %d step %d: addRef bytes differ from encodeRefs", round, step)
			}
			// A ref of an item the list lacks: appendNewRef must write what
			// addRef writes.
			fresh := aggregator.KeyRef{Story: ref.Story, Item: fmt.Sprintf("new%d-%d", round, step), Time: ref.Time}
			want, err1 := addRef(v, fresh, limit)
			got2, err2 := appendNewRef(v, fresh, limit)
			if err1 != nil || err2 != nil || !bytes.Equal(got2, want) {
				t.Fatalf("round %d step %d: appendNewRef = %x, %v; addRef = %x, %v", round, step, got2, err2, want, err1)
			}
		}
	}
}

// TestDecodeRefsEarlierLayout reads refs written before lists said their
// length, a story id equal to the item id was left out and whole seconds
// were stored as such: the story id always present, the time always 8 bytes
// of nanoseconds.
func TestDecodeRefsEarlierLayout(t *testing.T) {
	at := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	v := []byte{refsV1, refStoryHex | refItemHex | refTime, 2, 0xaa, 0x11, 2, 0xaa, 0x11}
	v = binary.BigEndian.AppendUint64(v, uint64(at.UnixNano()))
	v = append(v, refItemHex, 3, 'N', '-', 'H', 1, 0xcc)
	want := []aggregator.KeyRef{{Story: "aa11", Item: "aa11", Time: at}, {Story: "N-H", Item: "cc"}}
	got, err := decodeRefs(v)
	if err != nil || !refsEqual(got, want) {
		t.Fatalf("decodeRefs(%x) = %+v, %v; want %+v", v, got, err, want)
	}
	if n, err := countRefs(v); n != 2 || err != nil {
		t.Errorf("countRefs(%x) = %d, %v; want 2", v, n, err)
	}
	// Adding to such a list rewrites it in the current layout.
	third := aggregator.KeyRef{Story: "aa11", Item: "dd", Time: at}
	nv, err := addRef(v, third, maxRefs)
	if err != nil || nv[0] != refsV2 {
		t.Fatalf("addRef(%x) = %x, %v; want a list of version %d", v, nv, err, refsV2)
	}
	if got, err := decodeRefs(nv); err != nil || !refsEqual(got, append(want, third)) {
		t.Errorf("decodeRefs(addRef(earlier list)) = %+v, %v; want %+v", got, err, append(want, third))
	}
	if n, err := countRefs(nv); n != 3 || err != nil {
		t.Errorf("countRefs(%x) = %d, %v; want 3", nv, n, err)
	}
	// A ref of the current layout takes 15 bytes where it took 27.
	// A ref of a story's first item (ids of 16 hex digits) takes 15
	// bytes where it took 27.
	first := aggregator.KeyRef{Story: "0123456789abcdef", Item: "0123456789abcdef", Time: at}
	if n := len(encodeRefs([]aggregator.KeyRef{first})) - 2; n != 15 {
		t.Errorf("stored ref %+v takes %d bytes; want 15", first, n)
	}
}

func FuzzDecodeRefs(f *testing.F) {
	f.Add(encodeRefs([]aggregator.KeyRef{{Story: "aa", Item: "bb", Time: t0}, {Story: "x", Item: "Y"}}))
	f.Add([]byte{refsV1, 0xff, 0xff})
	f.Add([]byte{refsV2, 3, refItemHex, 1, 0xaa})
	f.Fuzz(func(t *testing.T, v []byte) {
		refs, err := decodeRefs(v)
		var visited []aggregator.KeyRef
		_, verr := visitRefs(v, "", nil, func(key []byte, at time.Time) {
			visited = append(visited, aggregator.KeyRef{Story: refID(string(key)), Time: at})
		})
		if (err == nil) != (verr == nil) {
			t.Fatalf("decodeRefs(%x) = %v but visitRefs = %v", v, err, verr)
		}
		if err != nil {
			return
		}
		// A visit gives each ref's story and time, as decoded.
		if len(visited) != len(refs) {
			t.Fatalf("visitRefs(%x) gave %d refs; decodeRefs %d", v, len(visited), len(refs))
		}
		for i, r := range refs {
			if visited[i].Story != r.Story || !visited[i].Time.Equal(r.Time) {
				t.Fatalf("visitRefs(%x) ref %d = %+v; decodeRefs %+v", v, i, visited[i], r)
			}
		}
		if n, err := countRefs(v); err != nil || n != len(refs) {
			t.Fatalf("countRefs(%x) = %d, %v; want %d, as decoded", v, n, err, len(refs))
		}
		// What decodes re-encodes to a list that decodes the same.
		again, err := decodeRefs(encodeRefs(refs))
		if err != nil || !refsEqual(again, refs) {
			t.Fatalf("decodeRefs(encodeRefs(%+v)) = %+v, %v", refs, again, err)
		}
		if len(refs) > 0 {
			if _, err := addRef(v, aggregator.KeyRef{Story: "s", Item: refs[0].Item}, 3); err != nil {
				t.Fatalf("addRef on a list that decodes = %v", err)
			}
		}
	})
}

// corpusDir is the corpus's news feeds, beside the repository.
var corpusDir = filepath.Join("..", "..", "shared", "corpus", "news")

// corpusItems returns items made from the real news feeds of the corpus,
// with 1–3 KB of HTML each (longer bodies cut at a paragraph near 3 KB). It
// skips the test when the corpus is absent, unless CI=true.
func corpusItems(tb testing.TB) []aggregator.Item {
	tb.Helper()
	items, err := loadCorpusItems()
	if errors.Is(err, os.ErrNotExist) {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("corpus missing at %s", corpusDir)
		}
		tb.Skipf("corpus missing at %s; it lives beside the repository in shared/corpus", corpusDir)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return items
}

func loadCorpusItems() ([]aggregator.Item, error) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.xml"))
	if len(files) == 0 {
		return nil, fmt.Errorf("no feeds in %s: %w", corpusDir, os.ErrNotExist)
	}
	p := gofeed.NewParser()
	var items []aggregator.Item
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		feed, err := p.Parse(f)
		f.Close()
		if err != nil {
			continue // the corpus holds a few feeds gofeed rejects; others suffice
		}
		src := aggregator.SourceID(filepath.Base(file))
		for _, fi := range feed.Items {
			body := fi.Content
			if body == "" {
				body = fi.Description
			}
			if len(body) > 3000 {
				if i := strings.LastIndex(body[:3000], "</p>"); i > 1000 {
					body = body[:i+4]
				} else {
					body = body[:3000]
				}
			}
			summary := ""
			if fi.Content != "" && len(fi.Description) < len(body) {
				summary = fi.Description
			}
			if n := len(body) + len(summary); n < 1000 || n > 3500 {
				continue
			}
			pub := t0
			if fi.PublishedParsed != nil {
				pub = fi.PublishedParsed.UTC()
			}
			id := aggregator.ItemID(src, fi.GUID+fi.Link)
			it := aggregator.Item{
				ID: id, SourceID: src, GUID: fi.GUID, Link: fi.Link, CanonicalLink: fi.Link,
				Title: fi.Title, Summary: summary, Content: body, Categories: fi.Categories,
				Published: pub, FirstSeen: pub.Add(3 * time.Minute), Dated: fi.PublishedParsed != nil,
				Hash: aggregator.SourceID(body), StoryID: id,
			}
			for _, a := range fi.Authors {
				it.Authors = append(it.Authors, a.Name)
			}
			items = append(items, it)
		}
	}
	if len(items) < 50 {
		return nil, fmt.Errorf("only %d corpus items with 1–3 KB of HTML", len(items))
	}
	return items, nil
}

// TestItemRecordSize measures what an item with 1–3 KB of real HTML costs:
// its record alone must stay within 1.5 KB, and the whole file (story,
// keys, indexes, B+tree overhead) is reported.
func TestItemRecordSize(t *testing.T) {
	items := corpusItems(t)
	var htmlBytes, jsonBytes, stored int
	for _, it := range items {
		v, err := noDict.encode(it)
		if err != nil {
			t.Fatal(err)
		}
		htmlBytes += len(it.Summary) + len(it.Content)
		js, _ := marshalItem(it)
		jsonBytes += len(js)
		stored += len(v)
	}
	n := len(items)
	t.Logf("%d corpus items: HTML %d B, JSON %d B, stored record %d B on average (%.0f%% of JSON)",
		n, htmlBytes/n, jsonBytes/n, stored/n, 100*float64(stored)/float64(jsonBytes))
	if avg := stored / n; avg > 1536 {
		t.Errorf("average stored item record = %d B; want ≤ 1536", avg)
	}

	d := mustOpen(t)
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		for _, it := range items {
			putStory(t, tx, []string{"all", "news"}, it)
			if err := tx.AddKey("text:"+it.Hash, aggregator.KeyRef{Story: it.StoryID, Item: it.ID, Time: it.Published}); err != nil {
				return err
			}
		}
		return nil
	})
	dst := filepath.Join(t.TempDir(), "compact.db")
	if err := d.Compact(t.Context(), dst); err != nil {
		t.Fatal(err)
	}
	c, err := Open(dst, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	used, records := usedBytes(t, c)
	c.db.View(func(btx *bolt.Tx) error {
		return btx.ForEach(func(name []byte, b *bolt.Bucket) error {
			t.Logf("  bucket %-8s %5d B of keys and values per item", name, sumRecords(b)/int64(n))
			return nil
		})
	})
	t.Logf("compacted file with %d items and their stories, keys, bands, features and indexes: %d B of pages per item, %d B of records per item",
		n, used/int64(n), records/int64(n))
}

// usedBytes returns the size of the pages in use (up to the high-water
// mark, free pages included) and the bytes of keys and values stored.
func usedBytes(tb testing.TB, d *DB) (pages, records int64) {
	tb.Helper()
	d.db.View(func(btx *bolt.Tx) error {
		pages = btx.Size()
		return btx.ForEach(func(name []byte, b *bolt.Bucket) error {
			records += sumRecords(b)
			return nil
		})
	})
	return pages, records
}

func sumRecords(b *bolt.Bucket) int64 {
	var n int64
	b.ForEach(func(k, v []byte) error {
		n += int64(len(k) + len(v))
		if v == nil {
			if nb := b.Bucket(k); nb != nil {
				n += sumRecords(nb)
			}
		}
		return nil
	})
	return n
}
