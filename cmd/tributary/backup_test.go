package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/store"
)

// TestBackupWhileServing takes a backup while the daemon holds the store
// (through its /api/backup), and reads status and export the same way: the
// copy opens and holds every story the daemon had stored.
func TestBackupWhileServing(t *testing.T) {
	o := newOrigin(t)
	path := writeConfig(t, o, "")
	d := startDaemon(t, path)
	waitFor(t, "stories stored", 15*time.Second, func() bool {
		_, body := d.get(t, "/topics/all.json")
		return bytes.Count(body, []byte("urn:tributary:story:")) >= 5
	})

	path = cliConfig(t, path, d.addr)

	var out, errOut bytes.Buffer
	backup := filepath.Join(t.TempDir(), "copy.db")
	if err := run(t.Context(), []string{"backup", "-config", path, backup}, &out, &errOut); err != nil {
		t.Fatalf("backup while serving: %v\n%s", err, errOut.String())
	}
	db, err := store.Open(backup, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the backup does not open: %v", err)
	}
	defer db.Close()
	stories := map[string]bool{}
	err = db.Export(t.Context(), func(it aggregator.Item, s aggregator.Story) error {
		stories[s.ID] = true
		return nil
	})
	if err != nil || len(stories) != 5 {
		t.Errorf("the backup holds %d stories (err %v); want the 5 stored", len(stories), err)
	}

	out.Reset()
	if err := run(t.Context(), []string{"health", "-config", path}, &out, &errOut); err != nil || !strings.HasPrefix(out.String(), "200 ") {
		t.Errorf("health while serving = %v, %q; want exit 0 and 200", err, out.String())
	}

	out.Reset()
	if err := run(t.Context(), []string{"status", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("status while serving: %v", err)
	}
	if !strings.Contains(out.String(), "Harbour Wire") {
		t.Errorf("status while serving:\n%s", out.String())
	}
	out.Reset()
	if err := run(t.Context(), []string{"export", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("export while serving: %v", err)
	}
	if n := strings.Count(out.String(), "\n"); n != 6 {
		t.Errorf("export while serving printed %d lines; want 6 items", n)
	}

	// The sources' OPML names where each one's site is, which only the
	// stored states know: the daemon tells them.
	out.Reset()
	if err := run(t.Context(), []string{"opml", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("opml while serving: %v", err)
	}
	if !strings.Contains(out.String(), `htmlUrl="https://wire.example/"`) {
		t.Errorf("opml while serving lacks the wire's site:\n%s", out.String())
	}
}

// cliConfig writes a copy of the config at path for the command line, with
// the port the daemon took as server.listen, where the command line finds
// the daemon, and returns the copy's path.
func cliConfig(t *testing.T, path, addr string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cli := filepath.Join(t.TempDir(), "cli.yaml")
	text := strings.Replace(string(raw), `listen: "127.0.0.1:0"`, `listen: "`+addr+`"`, 1)
	if err := os.WriteFile(cli, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return cli
}

// TestMetricsAllowWithoutThisMachine runs a daemon whose
// server.metrics_allow lists another network only: the command line on
// this machine is refused, and says which key to change.
func TestMetricsAllowWithoutThisMachine(t *testing.T) {
	o := newOrigin(t)
	path := writeConfig(t, o, "")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(raw), "server:\n", "server:\n  metrics_allow: [\"10.20.0.0/16\"]\n", 1)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, path)
	var out, errOut bytes.Buffer
	cli := cliConfig(t, path, d.addr)
	err = run(t.Context(), []string{"status", "-config", cli}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "403") || !strings.Contains(err.Error(), "server.metrics_allow") || !strings.Contains(err.Error(), "127.0.0.1/32") {
		t.Errorf("status against a daemon that refuses this machine: %v; want the 403 and how to list this machine in server.metrics_allow", err)
	}
	// The same when the file no longer loads and the daemon is asked at
	// its server.listen alone.
	f, err := os.OpenFile(cli, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("no_such_key: 1\n")
	f.Close()
	err = run(t.Context(), []string{"status", "-config", cli}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "no_such_key") || !strings.Contains(err.Error(), "403") || !strings.Contains(err.Error(), "server.metrics_allow") {
		t.Errorf("status with a broken file against a daemon that refuses this machine: %v; want the file's mistake, the 403 and how to list this machine in server.metrics_allow", err)
	}
}

// TestBackupRefusesTheStore asks for a backup onto the store the daemon is
// running on, under its own name and under another, and onto a folder: each
// is refused before anything is copied, and the daemon's file stays the one
// at the store's path, where a copy put in its place would have left the
// daemon writing into a file no longer there.
func TestBackupRefusesTheStore(t *testing.T) {
	o := newOrigin(t)
	path := writeConfig(t, o, "")
	d := startDaemon(t, path)
	waitFor(t, "stories stored", 15*time.Second, func() bool {
		_, body := d.get(t, "/topics/all.json")
		return bytes.Count(body, []byte("urn:tributary:story:")) >= 5
	})
	cfg, err := aggregator.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dbPath := cfg.Storage.Path
	before, err := os.Stat(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "link.db")
	if err := os.Symlink(dbPath, other); err != nil {
		t.Fatal(err)
	}
	folder := t.TempDir()
	path = cliConfig(t, path, d.addr)
	// Run from another folder, a relative storage.path names no store: the
	// command asks the daemon, and only the file's lock tells it is the one
	// the daemon writes.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := filepath.Join(t.TempDir(), "elsewhere.yaml")
	if err := os.WriteFile(elsewhere, bytes.Replace(raw, []byte(strconv.Quote(dbPath)), []byte(`"data/tributary.db"`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ config, dst, want string }{
		{path, dbPath, "is the store itself"},
		{path, other, "is the store itself"},
		{elsewhere, dbPath, "is locked by a running process"},
		{path, folder, "is a folder"},
	} {
		var out, errOut bytes.Buffer
		err := run(t.Context(), []string{"backup", "-config", tt.config, tt.dst}, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("backup onto %s = %v; want an error saying it %s", tt.dst, err, tt.want)
		}
		if after, err := os.Stat(dbPath); err != nil || !os.SameFile(before, after) {
			t.Fatalf("after a backup onto %s, the store's path names another file (%v); want the daemon's", tt.dst, err)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(dbPath))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tributary-backup-") {
			t.Errorf("%s left beside the store", e.Name())
		}
	}
}

// TestBackupRemovesLeftovers: the copy a backup that was killed left beside
// the file it was to write, as large as the store, goes at the next backup
// into that folder; the copy a running backup holds locked, and one begun
// in the last minute, stay.
func TestBackupRemovesLeftovers(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "tributary.db")
	emptyStore(t, dbPath)
	out := t.TempDir()
	old := time.Now().Add(-time.Hour)
	left, running, fresh := filepath.Join(out, ".tributary-backup-111"), filepath.Join(out, ".tributary-backup-222"), filepath.Join(out, ".tributary-backup-333")
	for _, p := range []string{left, running, fresh} {
		if err := os.WriteFile(p, bytes.Repeat([]byte{0}, 1<<16), 0o600); err != nil {
			t.Fatal(err)
		}
		if p != fresh {
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	held, err := os.Open(running)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := syscall.Flock(int(held.Fd()), syscall.LOCK_SH); err != nil {
		t.Fatal(err)
	}
	path := saveConfig(t, dir, "storage:\n  path: "+dbPath+"\nsources:\n  - url: \"http://127.0.0.1:9/feed.xml\"\n")
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"backup", "-config", path, filepath.Join(out, "copy.db")}, &stdout, &stderr); err != nil {
		t.Fatalf("backup: %v\n%s", err, stderr.String())
	}
	if _, err := os.Stat(left); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after backup, the copy a killed backup left: %v; want it removed", err)
	}
	if !strings.Contains(stdout.String(), "removed "+left) {
		t.Errorf("backup said %q; want it to name the leftover it removed", stdout.String())
	}
	for _, p := range []string{running, fresh} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("after backup, %s: %v; want it kept", filepath.Base(p), err)
		}
	}
}

// TestBackupReplacesExistingFile backs up onto a file that is there
// already, and is no store: the copy takes its place once checked, and
// backup says that it replaced a file, where a first backup says only
// what it wrote.
func TestBackupReplacesExistingFile(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "tributary.db")
	emptyStore(t, dbPath)
	path := saveConfig(t, dir, "storage:\n  path: "+dbPath+"\nsources:\n  - url: \"http://127.0.0.1:9/feed.xml\"\n")
	dst := filepath.Join(t.TempDir(), "notes.txt")
	const replaced = "in place of the file that was there"
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"backup", "-config", path, dst}, &stdout, &stderr); err != nil {
		t.Fatalf("backup: %v\n%s", err, stderr.String())
	}
	if strings.Contains(stdout.String(), replaced) {
		t.Errorf("backup onto no file said %q; want no word of a file replaced", stdout.String())
	}
	if err := os.WriteFile(dst, []byte("notes kept here\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	if err := run(t.Context(), []string{"backup", "-config", path, dst}, &stdout, &stderr); err != nil {
		t.Fatalf("backup onto an existing file: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "wrote "+dst) || !strings.Contains(stdout.String(), replaced) {
		t.Errorf("backup onto an existing file said %q; want it to say the file there was replaced", stdout.String())
	}
	db, err := store.Open(dst, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the backup in the existing file's place does not open: %v", err)
	}
	db.Close()
}
