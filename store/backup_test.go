package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

// exported returns every item id with its story id, as Export yields them.
func exported(t *testing.T, d *DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := d.Export(t.Context(), func(it aggregator.Item, st aggregator.Story) error {
		if _, ok := out[it.ID]; ok {
			t.Errorf("Export: item %s twice", it.ID)
		}
		if st.ID != it.StoryID {
			t.Errorf("Export: item %s with story %s; want %s", it.ID, st.ID, it.StoryID)
		}
		out[it.ID] = st.ID
		return nil
	})
	if err != nil {
		t.Fatalf("Export = %v", err)
	}
	return out
}

func TestExport(t *testing.T) {
	d := mustOpen(t)
	want := map[string]string{}
	var order []string // the order the items were first stored in
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		for i := range exportBatch + 50 { // more than one read batch
			a := mkItem("ex.example", fmt.Sprint("a", i), t0.Add(time.Duration(i)*time.Minute), "")
			b := mkItem("ex2.example", fmt.Sprint("b", i), t0.Add(time.Duration(i)*time.Minute), a.ID)
			items := []aggregator.Item{a}
			if i%2 == 0 {
				items = append(items, b)
			}
			st := putStory(t, tx, []string{"all"}, items...)
			for _, it := range items {
				want[it.ID] = st.ID
				order = append(order, it.ID)
			}
		}
		return nil
	})
	// An item whose story record is missing still comes out, with its story id.
	orphan := mkItem("ex.example", "orphan", t0, "no-such-story")
	mustUpdate(t, d, func(tx aggregator.Tx) error { return tx.PutItem(orphan) })
	want[orphan.ID] = orphan.StoryID
	order = append(order, orphan.ID)
	if got := exported(t, d); !reflect.DeepEqual(got, want) {
		t.Errorf("Export yielded %d items; want %d, each with its story", len(got), len(want))
	}
	var gotOrder []string
	d.Export(t.Context(), func(it aggregator.Item, _ aggregator.Story) error { //nolint:errcheck // checked above
		gotOrder = append(gotOrder, it.ID)
		return nil
	})
	if !slices.Equal(gotOrder, order) {
		t.Error("Export's order is not the order the items were first stored in")
	}
	stop := errors.New("stop")
	calls := 0
	err := d.Export(t.Context(), func(aggregator.Item, aggregator.Story) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 3 {
		t.Errorf("Export with fn failing on call 3 = %v after %d calls; want %v after 3", err, calls, stop)
	}
}

func TestBackupWhileWriting(t *testing.T) {
	d := mustOpen(t)
	var (
		mu        sync.Mutex
		committed []string
		wg        sync.WaitGroup
		stop      = make(chan struct{})
		enough    = make(chan struct{})
	)
	const writers = 4
	for w := range writers {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				it := mkItem(fmt.Sprintf("w%d.example", w), fmt.Sprint("g", i), t0.Add(time.Duration(i)*time.Second), "")
				err := d.Update(t.Context(), func(tx aggregator.Tx) error {
					_, err := storeStory(tx, []string{"all", "x"}, it)
					return err
				})
				if err != nil {
					t.Errorf("writer %d: Update = %v", w, err)
					return
				}
				mu.Lock()
				committed = append(committed, it.StoryID)
				if len(committed) == 100 {
					close(enough)
				}
				mu.Unlock()
			}
		})
	}
	<-enough
	mu.Lock()
	before := slices.Clone(committed)
	mu.Unlock()
	path := filepath.Join(t.TempDir(), "backup.db")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := d.Backup(t.Context(), f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	close(stop)
	wg.Wait()
	if err != nil || n <= 0 {
		t.Fatalf("Backup = %d, %v", n, err)
	}
	if fi, _ := os.Stat(path); fi.Size() != n {
		t.Errorf("Backup returned %d; file holds %d bytes", n, fi.Size())
	}

	b, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("Open(backup) = %v", err)
	}
	defer b.Close()
	checkConsistent(t, b)
	b.View(t.Context(), func(tx aggregator.Tx) error {
		for _, id := range before {
			if _, err := tx.Story(id); err != nil {
				t.Errorf("backup: Story(%s), committed before the backup began, = %v", id, err)
			}
		}
		return nil
	})
	t.Logf("backup of %d bytes holds at least %d stories committed before it began", n, len(before))
}

func TestCompact(t *testing.T) {
	d := mustOpen(t)
	ctx := t.Context()
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		for i := range 200 {
			a := mkItem("cp.example", fmt.Sprint("a", i), t0.Add(time.Duration(i)*time.Minute), "")
			putStory(t, tx, []string{"all", fmt.Sprint("t", i%2)}, a)
			if err := tx.AddCounts("df", []string{fmt.Sprint("w", i%5)}); err != nil {
				return err
			}
		}
		return tx.PutSource(aggregator.SourceState{ID: "src", Name: "Src", Items: 200})
	})
	// Free pages for Compact to leave behind.
	if _, err := d.Prune(ctx, t0.Add(150*time.Minute)); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "sub", "compact.db")
	if err := d.Compact(ctx, dst); err != nil {
		t.Fatalf("Compact(%s) = %v", dst, err)
	}
	if err := d.Compact(ctx, dst); err == nil {
		t.Errorf("Compact onto an existing file = nil; want an error")
	}
	c, err := Open(dst, Options{})
	if err != nil {
		t.Fatalf("Open(compacted) = %v", err)
	}
	defer c.Close()
	checkConsistent(t, c)
	if got, want := exported(t, c), exported(t, d); !reflect.DeepEqual(got, want) || len(got) != 50 {
		t.Errorf("compacted Export = %d items; want the original's %d (50)", len(got), len(want))
	}
	for _, topic := range []string{"all", "t0", "t1"} {
		if got, want := topicIDs(t, c, topic, time.Time{}, 0), topicIDs(t, d, topic, time.Time{}, 0); !slices.Equal(got, want) {
			t.Errorf("compacted TopicStories(%s) = %v; want %v", topic, got, want)
		}
	}
	if got, err := c.Source(ctx, "src"); err != nil || got.Items != 200 {
		t.Errorf("compacted Source(src) = %+v, %v; want Items 200", got, err)
	}
	c.View(ctx, func(tx aggregator.Tx) error {
		if got, _ := tx.Counts("df", []string{"w0", "w4"}); !slices.Equal(got, []uint32{40, 40}) {
			t.Errorf("compacted Counts(df, w0 w4) = %v; want [40 40]", got)
		}
		return nil
	})
	srcSize, _ := d.Size()
	dstSize, _ := c.Size()
	t.Logf("compacted %d bytes into %d", srcSize, dstSize)
	if dstSize > srcSize {
		t.Errorf("compacted size %d > original %d", dstSize, srcSize)
	}
}

// TestCompactTrimsTheCopy checks that the compacted file ends where its
// pages do, without the room bbolt grows a file by in advance, and opens
// with everything in it.
func TestCompactTrimsTheCopy(t *testing.T) {
	d := mustOpen(t)
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		for i := range 50 {
			putStory(t, tx, []string{"all"}, mkItem("trim.example", fmt.Sprint("a", i), t0.Add(time.Duration(i)*time.Minute), ""))
		}
		return nil
	})
	dst := filepath.Join(t.TempDir(), "compact.db")
	if err := d.Compact(t.Context(), dst); err != nil {
		t.Fatal(err)
	}
	// Grow the copy as bbolt does, then trim it again.
	fi, err := os.Stat(dst)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(dst, fi.Size()+16<<20); err != nil {
		t.Fatal(err)
	}
	if err := trimFile(dst, fi.Size()); err != nil {
		t.Fatal(err)
	}
	c, err := Open(dst, Options{})
	if err != nil {
		t.Fatalf("Open(trimmed copy) = %v", err)
	}
	defer c.Close()
	var used int64
	c.db.View(func(btx *bolt.Tx) error { used = btx.Size(); return nil })
	if after, _ := os.Stat(dst); after.Size() != used {
		t.Errorf("compacted file: %d bytes for %d bytes of pages; want them equal", after.Size(), used)
	}
	checkConsistent(t, c)
	if got := exported(t, c); len(got) != 50 {
		t.Errorf("trimmed copy exports %d items; want 50", len(got))
	}
}

// TestOpenRefusesCutShortFile opens copies of a store cut short, as a
// backup interrupted midway or a copy onto a full disk leaves them: Open
// refuses each, naming the damage, where reading it would end the process
// with SIGBUS.
func TestOpenRefusesCutShortFile(t *testing.T) {
	d := mustOpen(t)
	for i := range 300 {
		it := mkItem("cut.example", fmt.Sprint("g", i), t0.Add(time.Duration(i)*time.Minute), "")
		it.Content = html(uint64(i), 2000)
		mustUpdate(t, d, func(tx aggregator.Tx) error {
			_, err := storeStory(tx, []string{"all"}, it)
			return err
		})
	}
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.db")
	f, err := os.Create(whole)
	if err != nil {
		t.Fatal(err)
	}
	n, err := d.Backup(t.Context(), f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("Backup = %v", err)
	}
	data, err := os.ReadFile(whole)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int64{n / 2, n - 4096} {
		for _, opts := range []Options{{ReadOnly: true}, {}} {
			path := filepath.Join(dir, fmt.Sprintf("cut-%d-%v.db", size, opts.ReadOnly))
			if err := os.WriteFile(path, data[:size], 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := Open(path, opts)
			if err == nil {
				c.Close()
				t.Errorf("Open(%+v) of the copy cut to %d of %d bytes = nil error; want it refused", opts, size, n)
				continue
			}
			if !strings.Contains(err.Error(), "cut short") {
				t.Errorf("Open(%+v) of the copy cut to %d of %d bytes = %v; want the damage named", opts, size, n, err)
			}
		}
	}
	c, err := Open(whole, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("Open of the whole copy = %v", err)
	}
	c.Close()
}

// TestBackupOnAFullDisk: a backup of a store whose file may not grow, as on
// a full disk, with counter increments waiting to be written, is made all
// the same, and holds every committed item.
func TestBackupOnAFullDisk(t *testing.T) {
	d := mustOpen(t)
	for b := range 4 {
		mustUpdate(t, d, func(tx aggregator.Tx) error { return writeBatch(tx, b) })
	}
	// Increments of more counters than the pages the commits before freed
	// can hold: writing them must grow the file.
	keys := make([]string, 50000)
	for i := range keys {
		keys[i] = fmt.Sprintf("word%06d", i)
	}
	mustUpdate(t, d, func(tx aggregator.Tx) error { return tx.AddCounts("df", keys) })
	if !d.counters.hasPending() {
		t.Fatal("no counter increments wait for the file; the test needs some")
	}
	want := exported(t, d)
	d.db.MaxSize = 1
	defer func() { d.db.MaxSize = 0 }()
	if err := d.writeCounts(); err == nil {
		t.Fatal("the counters were written though the file may not grow; the test needs a file that takes no write")
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Backup(t.Context(), f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("Backup of a store that takes no write = %v; want a copy", err)
	}
	c, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the copy does not open: %v", err)
	}
	defer c.Close()
	if got := exported(t, c); !reflect.DeepEqual(got, want) {
		t.Errorf("the copy holds %d items; want the %d committed", len(got), len(want))
	}
	checkConsistent(t, c)
}
