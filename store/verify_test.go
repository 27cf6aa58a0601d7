package store

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestVerify: a sound store verifies with no problem, read-only too; a
// story missing from the time index and a file whose pages were damaged
// (a branch page pointing twice at one child, as a bad copy might) are
// each reported.
func TestVerify(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "good.db")
	d := mustOpenPath(t, path)
	for b := range 60 {
		mustUpdate(t, d, func(tx aggregator.Tx) error { return writeBatch(tx, b) })
	}
	if bad, err := d.Verify(t.Context()); err != nil || len(bad) > 0 {
		t.Fatalf("Verify of a sound store = %q, %v; want no problem", bad, err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if bad, err := ro.Verify(t.Context()); err != nil || len(bad) > 0 {
		t.Errorf("Verify of a sound store opened read-only = %q, %v; want no problem", bad, err)
	}
	ro.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	// A story missing from the time index.
	unindexed := filepath.Join(dir, "unindexed.db")
	if err := os.WriteFile(unindexed, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	d = mustOpenPath(t, unindexed)
	var story string
	err = d.db.Update(func(btx *bolt.Tx) error {
		k, _ := btx.Bucket(bucketTime).Cursor().First()
		story = timeKeyStory(k)
		return btx.Bucket(bucketTime).Delete(k)
	})
	if err != nil {
		t.Fatal(err)
	}
	bad, err := d.Verify(t.Context())
	if err != nil || !strings.Contains(strings.Join(bad, "\n"), "story "+story+": not in the time index") {
		t.Errorf("Verify of a store missing a time index entry = %q, %v; want story %s named", bad, err, story)
	}

	// A branch page whose second child is its first: that page is
	// referenced twice, the one it replaced by nothing.
	bdb, err := bolt.Open(path, 0o600, nil) // writable, so that it reads the free list
	if err != nil {
		t.Fatal(err)
	}
	ps := bdb.Info().PageSize
	// Only a branch page in use will do: a freed one is no longer read.
	inUse := map[int]bool{}
	err = bdb.View(func(btx *bolt.Tx) error {
		for p := 2; (p+1)*ps <= len(raw); p++ {
			info, err := btx.Page(p)
			if err != nil {
				return err
			}
			if info != nil && info.Type == "branch" {
				inUse[p] = true
			}
		}
		return nil
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	damaged := filepath.Join(dir, "damaged.db")
	found := false
	for p := 2; (p+1)*ps <= len(raw) && !found; p++ {
		page := raw[p*ps : (p+1)*ps]
		if !inUse[p] || binary.LittleEndian.Uint16(page[10:]) < 2 {
			continue
		}
		buf := append([]byte(nil), raw...)
		pg := buf[p*ps:]
		binary.LittleEndian.PutUint64(pg[16+16+8:], binary.LittleEndian.Uint64(pg[16+8:]))
		if err := os.WriteFile(damaged, buf, 0o600); err != nil {
			t.Fatal(err)
		}
		found = true
	}
	if !found {
		t.Fatal("no branch page of two children in the file")
	}
	ro, err = Open(damaged, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("Open of the damaged copy = %v", err)
	}
	defer ro.Close()
	bad, err = ro.Verify(t.Context())
	if err == nil && !strings.Contains(strings.Join(bad, "\n"), "bbolt: ") {
		t.Errorf("Verify of a copy with a damaged branch page = %q, %v; want bbolt's check to report it", bad, err)
	}
	t.Logf("damaged copy: %d problems, %v", len(bad), err)
}

// TestVerifyWhileWriting: a store verified while write transactions commit
// beside the check, as the daemon's are while `tributary verify` asks it,
// is sound. bbolt's page check reads the file's free list, which those
// commits change under a read transaction's feet.
func TestVerifyWhileWriting(t *testing.T) {
	d := mustOpenPath(t, filepath.Join(t.TempDir(), "busy.db"))
	for b := range 20 {
		mustUpdate(t, d, func(tx aggregator.Tx) error { return writeBatch(tx, b) })
	}
	stop := make(chan struct{})
	done := make(chan error)
	go func() {
		defer close(done)
		for b := 20; ; b++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := d.Update(t.Context(), func(tx aggregator.Tx) error { return writeBatch(tx, b%60) }); err != nil {
				done <- err
				return
			}
		}
	}()
	for range 30 {
		if bad, err := d.Verify(t.Context()); err != nil || len(bad) > 0 {
			close(stop)
			<-done
			t.Fatalf("Verify while writing = %q, %v; want no problem", bad, err)
		}
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
