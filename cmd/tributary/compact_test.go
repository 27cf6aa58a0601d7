package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
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
