package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestDamagedPages damages the store's file page by page, as a disk error
// or a bad copy would, pointing each branch page's children at pages that
// do not exist or are not theirs, and reads every copy through Open, the
// read methods the command line uses, Backup, Verify and Compact: none of them
// panics, and what fails says the store is damaged and names the file.
func TestDamagedPages(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	raw, ps := writtenStore(t, good, 60)

	const branchPage = 0x01
	damaged, copies := 0, 0
	for p := 2; (p+1)*ps <= len(raw); p++ {
		page := raw[p*ps : (p+1)*ps]
		if binary.LittleEndian.Uint16(page[8:]) != branchPage {
			continue
		}
		for _, child := range []uint64{1 << 62, 2} { // past any file; a meta page
			buf := append([]byte(nil), raw...)
			pg := buf[p*ps:]
			for i := range int(binary.LittleEndian.Uint16(pg[10:])) {
				binary.LittleEndian.PutUint64(pg[16+i*16+8:], child)
			}
			path := filepath.Join(dir, fmt.Sprintf("page%d-%d.db", p, child))
			if err := os.WriteFile(path, buf, 0o600); err != nil {
				t.Fatal(err)
			}
			copies++
			for _, err := range readDamaged(t, path) {
				if !errors.Is(err, ErrDamaged) {
					continue
				}
				damaged++
				if !strings.Contains(err.Error(), path) {
					t.Errorf("%s: %v; want the error to name the file", filepath.Base(path), err)
				}
			}
		}
	}
	if copies == 0 || damaged == 0 {
		t.Fatalf("%d damaged copies, %d calls failing with ErrDamaged; want some of each", copies, damaged)
	}
	t.Logf("%d damaged copies, %d calls failed with ErrDamaged", copies, damaged)
}

// readDamaged opens the store at path read-only, then writable, calls what
// the command line calls on it, and returns the errors; a panic is a test
// failure.
func readDamaged(t *testing.T, path string) (errs []error) {
	t.Helper()
	call := func(name string, fn func() error) {
		defer func() {
			if v := recover(); v != nil {
				t.Errorf("%s on %s panicked: %v", name, filepath.Base(path), v)
			}
		}()
		if err := fn(); err != nil {
			errs = append(errs, err)
		}
	}
	ctx := t.Context()
	for _, opts := range []Options{{ReadOnly: true}, {}} {
		var d *DB
		call("Open", func() (err error) {
			d, err = Open(path, opts)
			return err
		})
		if d == nil {
			continue
		}
		call("Export", func() error {
			return d.Export(ctx, func(aggregator.Item, aggregator.Story) error { return nil })
		})
		call("Sources", func() error { _, err := d.Sources(ctx); return err })
		call("StoryIDs", func() error { _, err := d.StoryIDs(ctx); return err })
		call("Stats", func() error { _, err := d.Stats(ctx); return err })
		call("TopicStories", func() error {
			return d.TopicStories(ctx, aggregator.AllTopic, t0.AddDate(1, 0, 0), func(aggregator.Story, []aggregator.Item) bool { return true })
		})
		call("Backup", func() error { _, err := d.Backup(ctx, io.Discard); return err })
		call("Verify", func() error { _, err := d.Verify(ctx); return err })
		if !opts.ReadOnly {
			call("Compact", func() error { return d.Compact(ctx, path+".compact") })
			call("Prune", func() error { _, err := d.Prune(ctx, t0.AddDate(1, 0, 0)); return err })
		}
		call("Close", d.Close)
	}
	return errs
}

// TestDamagedNamesFileOnce damages the elements of each page in turn,
// opens the store and verifies it: a page that Open or Verify reads fails
// with `store FILE: damaged store: …`, the file named once, as the
// commands print it.
func TestDamagedNamesFileOnce(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	raw, ps := writtenStore(t, good, 3)

	damaged := 0
	for p := 2; (p+1)*ps <= len(raw); p++ {
		buf := append([]byte(nil), raw...)
		for i := p*ps + 20; i < (p+1)*ps; i++ { // the page header stays
			buf[i] = 0xa5
		}
		path := filepath.Join(dir, fmt.Sprintf("elements%d.db", p))
		if err := os.WriteFile(path, buf, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, opts := range []Options{{ReadOnly: true}, {}} {
			call := "Open"
			db, err := Open(path, opts)
			if err == nil {
				call = "Verify"
				_, err = db.Verify(t.Context())
				db.Close()
			}
			if !errors.Is(err, ErrDamaged) {
				continue
			}
			damaged++
			if want := "store " + path + ": damaged store: "; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("page %d: %s: %v; want it to start %q", p, call, err, want)
			}
		}
	}
	if damaged == 0 {
		t.Fatal("no damaged page failed Open; want some")
	}
}

// writtenStore writes batches of items to a new store at path, closes it,
// and returns its file's bytes and page size.
func writtenStore(t *testing.T, path string, batches int) (raw []byte, pageSize int) {
	t.Helper()
	d := mustOpenPath(t, path)
	for b := range batches {
		mustUpdate(t, d, func(tx aggregator.Tx) error { return writeBatch(tx, b) })
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	return raw, bdb.Info().PageSize
}
