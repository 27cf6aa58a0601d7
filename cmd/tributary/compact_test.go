package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/tributary-feeds/tributary/store"
)

// TestCompactKeepsOwnership compacts a store whose file has other
// permissions, and (when the test may give files away) another owner, than
// a new file of the user who compacts: the compacted file keeps them, so
// that a daemon running as its own user still opens it.
func TestCompactKeepsOwnership(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "data", "tributary.db")
	emptyStore(t, dbPath)
	if err := os.Chmod(dbPath, 0o640); err != nil {
		t.Fatal(err)
	}
	const uid, gid = 65532, 65532
	asRoot := os.Geteuid() == 0
	if asRoot {
		if err := os.Chown(dbPath, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	path := saveConfig(t, dir, "storage:\n  path: "+dbPath+"\nsources:\n  - url: \"http://127.0.0.1:9/feed.xml\"\n")

	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"compact", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("compact: %v\n%s", err, errOut.String())
	}
	fi, err := os.Stat(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o640 {
		t.Errorf("compacted store's permissions = %v; want -rw-r----- as before", got)
	}
	if !asRoot {
		t.Log("not root: owner not checked")
		return
	}
	st := fi.Sys().(*syscall.Stat_t)
	if st.Uid != uid || st.Gid != gid {
		t.Errorf("compacted store owned by %d:%d; want %d:%d as before", st.Uid, st.Gid, uid, gid)
	}
}

// TestCompactRemovesLeftovers: the copy a compact that was killed left
// beside the store, as large as the store, goes at the next compact, and
// other files beside the store stay.
func TestCompactRemovesLeftovers(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "tributary.db")
	emptyStore(t, dbPath)
	left := dbPath + ".compact-20261101T030000"
	other := dbPath + ".before-upgrade"
	for _, p := range []string{left, other} {
		if err := os.WriteFile(p, bytes.Repeat([]byte{0}, 1<<16), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := saveConfig(t, dir, "storage:\n  path: "+dbPath+"\nsources:\n  - url: \"http://127.0.0.1:9/feed.xml\"\n")
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"compact", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("compact: %v\n%s", err, errOut.String())
	}
	if _, err := os.Stat(left); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after compact, the leftover of an earlier one: %v; want it removed", err)
	}
	if !strings.Contains(out.String(), "removed "+left) {
		t.Errorf("compact said %q; want it to name the leftover it removed", out.String())
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("after compact, another file beside the store: %v; want it kept", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".compact-") {
			t.Errorf("after compact, %s beside the store; want no copy left", e.Name())
		}
	}
}

// emptyStore writes a new store with nothing in it at path.
func emptyStore(t *testing.T, path string) {
	t.Helper()
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCompactHoldsTheStoreUntilReplaced: a daemon that starts while compact
// runs waits for the store's lock; when compact lets the old file go, the
// compacted copy is already at the store's path, so that the daemon does
// not lock the old file and go on writing into it once the copy replaced
// it. The window between the two is a few system calls wide: the test
// waits on the lock for several compacts.
func TestCompactHoldsTheStoreUntilReplaced(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "tributary.db")
	path := saveConfig(t, dir, "storage:\n  path: "+dbPath+"\nsources:\n  - url: \"http://127.0.0.1:9/feed.xml\"\n")
	emptyStore(t, dbPath)
	waited := 0
	for range 20 {
		old, err := os.Open(dbPath)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		var out, errOut bytes.Buffer
		go func() { done <- run(t.Context(), []string{"compact", "-config", path}, &out, &errOut) }()
		// Wait for compact to hold the lock for writing (a shared lock is
		// then refused), as a starting daemon would find it.
		held := false
		for !held {
			err := syscall.Flock(int(old.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
			if errors.Is(err, syscall.EWOULDBLOCK) {
				held = true
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			syscall.Flock(int(old.Fd()), syscall.LOCK_UN)
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("compact: %v\n%s", err, errOut.String())
				}
				done <- nil
			default:
				runtime.Gosched()
				continue
			}
			break // compact ended before the lock was seen held
		}
		if held {
			waited++
			if err := syscall.Flock(int(old.Fd()), syscall.LOCK_EX); err != nil {
				t.Fatal(err)
			}
			at, err := os.Stat(dbPath)
			if err != nil {
				t.Fatal(err)
			}
			fi, err := old.Stat()
			if err != nil {
				t.Fatal(err)
			}
			if os.SameFile(at, fi) {
				t.Errorf("compact let go of the store's lock while the old file was still at %s: a daemon starting then writes into a file about to be replaced", dbPath)
			}
		}
		old.Close()
		if err := <-done; err != nil {
			t.Fatalf("compact: %v\n%s", err, errOut.String())
		}
		if t.Failed() {
			return
		}
	}
	if waited == 0 {
		t.Fatal("no compact was met holding the store's lock")
	}
}

// TestCompactWithoutStore runs compact where storage.path names no file,
// as from another folder than the daemon's with a relative path: it fails
// saying so, and leaves no new store behind.
func TestCompactWithoutStore(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	path := saveConfig(t, dir, "storage:\n  path: data/tributary.db\nsources:\n  - url: \"http://127.0.0.1:9/feed.xml\"\n")

	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"compact", "-config", path}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "no store at data/tributary.db") {
		t.Errorf("compact without a store = %v, %q; want an error that there is no store", err, out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("compact without a store left %s/data behind (stat: %v); want nothing made", dir, err)
	}
}

// TestCompactThroughSymlink compacts a store whose storage.path is a
// symbolic link to the file on another folder (another disk, say): the
// link stays a link, the file it leads to is the compacted store, and the
// copy was written beside that file, leaving nothing beside the link.
func TestCompactThroughSymlink(t *testing.T) {
	dir, disk := t.TempDir(), t.TempDir()
	target := filepath.Join(disk, "tributary.db")
	emptyStore(t, target)
	before, err := os.Stat(target)
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "tributary.db")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	path := saveConfig(t, dir, "storage:\n  path: "+link+"\nsources:\n  - url: \"http://127.0.0.1:9/feed.xml\"\n")
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"compact", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("compact: %v\n%s", err, errOut.String())
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("after compact, storage.path %s: %v, %v; want the symbolic link kept", link, fi.Mode(), err)
	}
	if to, err := os.Readlink(link); err != nil || to != target {
		t.Errorf("after compact, the link leads to %q (%v); want %q", to, err, target)
	}
	after, err := os.Stat(target)
	if err != nil {
		t.Fatal(err)
	}
	if os.SameFile(before, after) {
		t.Errorf("after compact, %s is the file it was; want the compacted copy in its place", target)
	}
	for _, d := range []string{dir, disk} {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if strings.Contains(e.Name(), ".compact-") {
				t.Errorf("after compact, %s in %s; want no copy left", e.Name(), d)
			}
		}
	}
	db, err := store.Open(link, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("opening the compacted store through the link: %v", err)
	}
	db.Close()
}
