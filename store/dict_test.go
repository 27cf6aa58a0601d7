package store

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestDictionary writes real news items into a store until it builds its
// dictionary, then checks that later records use it, are smaller than
// before, and read back the same from this handle, after a reopen, from a
// read-only handle and from a compacted copy.
func TestDictionary(t *testing.T) {
	items := corpusItems(t)
	if len(items) < 2*minSamples {
		t.Fatalf("%d corpus items; the test needs %d", len(items), 2*minSamples)
	}
	path := filepath.Join(t.TempDir(), "agg.db")
	d := mustOpenPath(t, path)
	d.codec.after.Store(int64(len(items) / 2))
	// Items come feed by feed; the store learns from every source's items
	// and compresses their later ones, as a daemon does.
	var first, later []aggregator.Item
	for i, it := range items {
		if i%2 == 0 {
			first = append(first, it)
		} else {
			later = append(later, it)
		}
	}
	put := func(its []aggregator.Item) { putItems(t, d, its) }
	put(first)
	d.codec.wg.Wait()
	if d.codec.enc.Load() == nil {
		t.Fatalf("no dictionary after %d items (training starts after %d)", len(first), d.codec.after.Load())
	}
	put(later)
	// An item larger than the encoder's window reads back whole.
	big := later[0]
	big.ID = "big-item"
	var content strings.Builder
	for i := 0; content.Len() < 3*encoderWindow; i++ {
		fmt.Fprintf(&content, "<p>Paragraph %d of a long report, with figures %d and %d.</p>", i, i*7919%10007, i*104729%99991)
	}
	big.Content = content.String()
	put([]aggregator.Item{big})
	items = append(items, big)

	var flate, zstd, nFlate, nZstd int
	d.db.View(func(btx *bolt.Tx) error {
		if v := btx.Bucket(bucketMeta).Get(dictKey(firstDictID)); len(v) == 0 || len(v) > dictSize+1024 {
			t.Errorf("stored dictionary: %d bytes; want 1..%d", len(v), dictSize+1024)
		}
		t2 := d.newTx(btx)
		for _, it := range later {
			v := t2.recordOf(it.ID)
			if len(v) == 0 || v[0] != codecZstd {
				t.Fatalf("item %s written after the dictionary: codec %v; want %d", it.ID, v[:min(len(v), 1)], codecZstd)
			}
			old, _ := noDict.encode(it)
			flate += len(old)
			zstd += len(v)
		}
		nFlate, nZstd = flate/len(later), zstd/len(later)
		return nil
	})
	t.Logf("%d real news items: %d B a record deflated, %d B with the store's dictionary", len(later), nFlate, nZstd)
	if nZstd >= nFlate {
		t.Errorf("records with the dictionary average %d B, deflated %d B; want smaller", nZstd, nFlate)
	}

	check := func(name string, d *DB) { t.Helper(); readBack(t, name, d, items) }
	check("open store", d)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	check("read-only reopen", ro)
	compacted := filepath.Join(t.TempDir(), "compact.db")
	if err := ro.Compact(t.Context(), compacted); err != nil {
		t.Fatal(err)
	}
	ro.Close()
	check("compacted copy", mustOpenPath(t, compacted))
	check("writable reopen", mustOpenPath(t, path))
}

// TestZstdRecordWithoutDictionary checks that a record that needs a
// dictionary the file lacks (a damaged file) is an error, not a panic.
func TestZstdRecordWithoutDictionary(t *testing.T) {
	d := mustOpen(t)
	it := mkItem("example.org", "g1", t0, "")
	mustUpdate(t, d, func(atx aggregator.Tx) error {
		return atx.(*tx).storeRecord(it.ID, []byte{codecZstd, 0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x00, 0x01, 0x00, 0x00})
	})
	err := d.View(t.Context(), func(tx aggregator.Tx) error {
		_, err := tx.Item(it.ID)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "dictionary") {
		t.Errorf("Item of a zstd record in a file without a dictionary: %v; want an error naming the dictionary", err)
	}
}

// readBack checks that every item of items reads back from d as stored.
func readBack(t *testing.T, name string, d *DB, items []aggregator.Item) {
	t.Helper()
	err := d.View(t.Context(), func(tx aggregator.Tx) error {
		for _, want := range items {
			got, err := tx.Item(want.ID)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: Item(%s) = %+v; want %+v", name, want.ID, got, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Errorf("%s: %v", name, err)
	}
}

// putItems stores items, fifty a transaction, as feeds arrive.
func putItems(t *testing.T, d *DB, items []aggregator.Item) {
	t.Helper()
	for chunk := range slices.Chunk(items, 50) {
		mustUpdate(t, d, func(tx aggregator.Tx) error {
			for _, it := range chunk {
				if err := tx.PutItem(it); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// TestDictionaryDespiteAHugeRecord: among the records a store learns its
// dictionary from is one of hundreds of kilobytes that repeats itself (a
// source's item of one word over and over), which makes the dictionary
// builder panic when given whole; the store still builds its dictionary,
// and every record reads back.
func TestDictionaryDespiteAHugeRecord(t *testing.T) {
	d := mustOpenPath(t, filepath.Join(t.TempDir(), "agg.db"))
	d.codec.after.Store(400)
	var items []aggregator.Item
	for i := range 400 {
		it := mkItem(fmt.Sprintf("src%d", i%20), fmt.Sprintf("guid-%d", i), time.Date(2026, 11, 2, 0, i%60, 0, 0, time.UTC), "")
		it.Title = fmt.Sprintf("Report %d on the harbour council's budget", i)
		it.Summary = fmt.Sprintf("<p>The council met on day %d and voted %d to %d on the ferry budget.</p>", i, i%9, 9-i%9)
		if i == 100 {
			it.Content = "<p>" + strings.Repeat("word ", 50_000) + "</p>"
		}
		items = append(items, it)
	}
	putItems(t, d, items)
	d.codec.wg.Wait()
	if d.codec.enc.Load() == nil {
		t.Fatalf("no dictionary after %d items, one of them %d KB of one word", len(items), len(items[100].Content)>>10)
	}
	readBack(t, "store", d, items)
}

// TestCheckDict: a dictionary the codec cannot use is refused before the
// file keeps it.
func TestCheckDict(t *testing.T) {
	var samples [][]byte
	for i := range 200 {
		samples = append(samples, fmt.Appendf(nil, `{"id":"%d","title":"Report %d on the harbour","summary":"<p>The council voted %d to %d.</p>"}`, i, i, i%9, 9-i%9))
	}
	zd, err := buildDict(samples, firstDictID)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkDict(zd, samples); err != nil {
		t.Errorf("checkDict(a built dictionary) = %v; want nil", err)
	}
	if err := checkDict(zd[:16], samples); err == nil {
		t.Error("checkDict(a dictionary cut inside its tables) = nil; want an error")
	}
}

// TestTrainingBackoff: each failed training doubles the records written
// before the next, up to maxTrainAfter; a success or a store with too few
// records to learn from changes nothing.
func TestTrainingBackoff(t *testing.T) {
	c := &itemCodec{log: slog.New(slog.DiscardHandler)}
	c.after.Store(trainAfter)
	c.trained(nil)
	if got := c.after.Load(); got != trainAfter {
		t.Errorf("after a success: %d; want %d", got, trainAfter)
	}
	want := int64(trainAfter)
	for range 10 {
		c.trained(errors.New("building the item dictionary: runtime error"))
		want = min(2*want, maxTrainAfter)
		if got := c.after.Load(); got != want {
			t.Fatalf("after a failure: %d; want %d", got, want)
		}
	}
	if want != maxTrainAfter {
		t.Errorf("ten failures end at %d; want the cap %d", want, maxTrainAfter)
	}
}

// TestDictionaryAfterAFullDisk: a dictionary built while the file takes no
// write, as on a full disk, is stored after the next commit that passes,
// not after thousands of records more.
func TestDictionaryAfterAFullDisk(t *testing.T) {
	dir := t.TempDir()
	src := mustOpenPath(t, filepath.Join(dir, "src.db"))
	src.codec.after.Store(1 << 20) // no dictionary yet
	for i := range 200 {
		it := mkItem("full.example", fmt.Sprint("g", i), t0.Add(time.Duration(i)*time.Minute), "")
		it.Content = html(uint64(i), 2000)
		mustUpdate(t, src, func(tx aggregator.Tx) error {
			_, err := storeStory(tx, []string{"all"}, it)
			return err
		})
	}
	// A compacted copy has no free page: storing the dictionary must grow it.
	path := filepath.Join(dir, "compact.db")
	if err := src.Compact(t.Context(), path); err != nil {
		t.Fatal(err)
	}
	d := mustOpenPath(t, path)
	d.codec.log = slog.New(slog.DiscardHandler)
	d.codec.after.Store(100)
	d.codec.written.Store(200)
	d.db.MaxSize = 1
	d.maybeTrain() // as after a commit
	d.codec.wg.Wait()
	if d.codec.enc.Load() != nil {
		t.Fatal("the dictionary was stored though the file may not grow; the test needs a file that takes no write")
	}
	if got := d.codec.after.Load(); got != 100 {
		t.Errorf("after the dictionary could not be stored, training waits for %d records; want 100 as before", got)
	}

	d.db.MaxSize = 0 // room again
	it := mkItem("full.example", "after", t0.Add(300*time.Minute), "")
	it.Content = html(300, 2000)
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		_, err := storeStory(tx, []string{"all"}, it)
		return err
	})
	d.codec.wg.Wait()
	if d.codec.enc.Load() == nil {
		t.Fatal("no dictionary after the first commit that passed")
	}
	checkConsistent(t, d)
}
