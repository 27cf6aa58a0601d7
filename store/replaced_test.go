//go:build linux

package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestOpenWhileReplaced: an open that waits for the store's lock while
// another file takes the store's place, as a compact's copy does, opens
// the file now at the path, not the old one it was waiting for, whose
// writes would be lost with it.
func TestOpenWhileReplaced(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "agg.db")
	fresh := filepath.Join(dir, "agg.db.new")
	for _, f := range []struct{ path, id string }{{path, "old"}, {fresh, "new"}} {
		d, err := Open(f.path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.PutSource(t.Context(), aggregator.SourceState{ID: f.id, URL: "https://" + f.id + ".example/feed.xml"}); err != nil {
			t.Fatal(err)
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
	}
	old, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}

	// A shared lock on the old file lets the open read it, and holds its
	// writable open waiting for the lock.
	held, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := syscall.Flock(int(held.Fd()), syscall.LOCK_SH); err != nil {
		t.Fatal(err)
	}
	type result struct {
		d   *DB
		err error
	}
	done := make(chan result, 1)
	go func() {
		d, err := Open(path, Options{Timeout: time.Minute})
		done <- result{d, err}
	}()
	deadline := time.Now().Add(30 * time.Second) // a guard against a hang, not a measure
	for !openForWriting(t, old) {
		select {
		case r := <-done:
			t.Fatalf("Open returned %v before it could lock the file", r.err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("Open never opened the old file for writing")
		}
		time.Sleep(time.Millisecond)
	}
	if err := os.Rename(fresh, path); err != nil {
		t.Fatal(err)
	}
	held.Close() // lets the waiting open lock the old file

	r := <-done
	if r.err != nil {
		t.Fatalf("Open: %v", r.err)
	}
	defer r.d.Close()
	states, err := r.d.Sources(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != 1 || states[0].ID != "new" {
		var ids []string
		for _, st := range states {
			ids = append(ids, st.ID)
		}
		t.Errorf("Open of a store replaced while it waited holds sources %v; want [new], those of the file now at the path", ids)
	}
}

// openForWriting reports whether this process has the file fi open for
// reading and writing, as bbolt's writable open has while it waits for
// the lock.
func openForWriting(t *testing.T, fi os.FileInfo) bool {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		at, err := os.Stat(filepath.Join("/proc/self/fd", fd.Name()))
		if err != nil || !os.SameFile(at, fi) {
			continue
		}
		info, err := os.ReadFile(filepath.Join("/proc/self/fdinfo", fd.Name()))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(info), "\n") {
			var flags int
			if _, err := fmt.Sscanf(line, "flags: %o", &flags); err == nil && flags&syscall.O_ACCMODE == syscall.O_RDWR {
				return true
			}
		}
	}
	return false
}
