package main

import (
	"bytes"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tributary-feeds/tributary/store"
)

// TestStatusShowsWholeError polls a source whose server refuses the
// connection, at a long URL: status shows the error to its end, where the
// refusal is named.
func TestStatusShowsWholeError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	dir := t.TempDir()
	url := fmt.Sprintf("http://%s/news/world/europe/a-long-path-as-many-sites-give-their-feeds/feed.xml", addr)
	cfg := fmt.Sprintf("server:\n  listen: \"127.0.0.1:0\"\nstorage:\n  path: %q\npoll:\n  allow_private: true\nsources:\n  - url: %q\n    name: \"Refusing\"\n",
		filepath.Join(dir, "data", "tributary.db"), url)
	path := saveConfig(t, dir, cfg)
	var out, errOut bytes.Buffer
	// Its one source failing, poll exits 1 (see TestPollExitStatus).
	if err := run(t.Context(), []string{"poll", "-config", path}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "no source could be fetched") {
		t.Fatalf("poll: %v; want no source could be fetched\n%s", err, errOut.String())
	}
	out.Reset()
	if err := run(t.Context(), []string{"status", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("status: %v", err)
	}
	line := ""
	for l := range strings.Lines(out.String()) {
		if strings.HasPrefix(l, "Refusing") {
			line = l
		}
	}
	if !strings.Contains(line, url) || !strings.Contains(line, "connection refused") {
		t.Errorf("status line of the failing source:\n%s\nwant its whole error, with the URL and \"connection refused\"", line)
	}
}

// TestReadCommandsAskDaemonWhenStoreNotFound runs status, export, opml and
// backup under a config whose storage.path names no file here, as a
// relative path does from another folder, or a store under a folder only
// the daemon's user may enter: they ask the daemon at server.listen, as
// they do when it holds the store. With no daemon there, they give the
// store's own error.
func TestReadCommandsAskDaemonWhenStoreNotFound(t *testing.T) {
	dir := t.TempDir()
	cfg := fmt.Sprintf("server:\n  listen: \"127.0.0.1:0\"\nstorage:\n  path: %q\nsources:\n  - url: \"http://127.0.0.1:1/never.rss\"\n    name: \"Never\"\n",
		filepath.Join(dir, "data", "tributary.db"))
	d := startDaemon(t, saveConfig(t, dir, cfg))

	elsewhere := t.TempDir()
	cli := strings.Replace(cfg, "127.0.0.1:0", d.addr, 1)
	cli = strings.Replace(cli, filepath.Join(dir, "data", "tributary.db"), filepath.Join(elsewhere, "data", "tributary.db"), 1)
	path := saveConfig(t, elsewhere, cli)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"status"}, "Never"},
		{[]string{"export"}, ""},
		{[]string{"opml"}, `text="Never"`},
		{[]string{"backup", filepath.Join(elsewhere, "copy.db")}, "wrote "},
	} {
		var out, errOut bytes.Buffer
		args := append([]string{tc.args[0], "-config", path}, tc.args[1:]...)
		if err := run(t.Context(), args, &out, &errOut); err != nil {
			t.Errorf("%s with no store at storage.path and the daemon at server.listen: %v", tc.args[0], err)
			continue
		}
		if !strings.Contains(out.String(), tc.want) {
			t.Errorf("%s output lacks %q:\n%s", tc.args[0], tc.want, out.String())
		}
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nobody := ln.Addr().String()
	ln.Close() // nothing listens there now
	path = saveConfig(t, elsewhere, strings.Replace(cli, d.addr, nobody, 1))
	var out, errOut bytes.Buffer
	err = run(t.Context(), []string{"status", "-config", path}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "no such file") || strings.Contains(err.Error(), "daemon") {
		t.Errorf("status with no store and no daemon = %v; want the store's own error, no such file", err)
	}
}

// TestReadCommandsNameRelativeStorePath runs status, export, verify and
// backup under a config whose relative storage.path names no file in the
// working directory, with no daemon to ask: each names the path and says
// that it is relative to the working directory, as explain does.
func TestReadCommandsNameRelativeStorePath(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nobody := ln.Addr().String()
	ln.Close() // nothing listens there now
	dir := t.TempDir()
	rel := filepath.Join("no-store-in-this-folder", "tributary.db")
	path := saveConfig(t, dir, fmt.Sprintf("server:\n  listen: %q\nstorage:\n  path: %q\nsources:\n  - url: \"http://127.0.0.1:1/never.rss\"\n", nobody, rel))
	for _, args := range [][]string{{"status"}, {"export"}, {"verify"}, {"backup", filepath.Join(dir, "copy.db")}} {
		var out, errOut bytes.Buffer
		err := run(t.Context(), append([]string{args[0], "-config", path}, args[1:]...), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), rel) || !strings.Contains(err.Error(), "relative to the working directory") {
			t.Errorf("%s with no store at a relative storage.path and no daemon = %v; want the path, and that it is relative to the working directory", args[0], err)
		}
	}
}

// TestReadCommandsSayListenTakesEffectOnRestart edits server.listen under a
// running daemon, which a reload does not move: status, backup and health
// find nothing at the new address, and say that the daemon listens where
// it started until it restarts.
func TestReadCommandsSayListenTakesEffectOnRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := fmt.Sprintf("server:\n  listen: \"127.0.0.1:0\"\nstorage:\n  path: %q\nsources:\n  - url: \"http://127.0.0.1:1/never.rss\"\n    name: \"Never\"\n",
		filepath.Join(dir, "data", "tributary.db"))
	path := saveConfig(t, dir, cfg)
	startDaemon(t, path)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nobody := ln.Addr().String()
	ln.Close() // nothing listens there now
	saveConfig(t, dir, strings.Replace(cfg, "127.0.0.1:0", nobody, 1))
	for _, args := range [][]string{
		{"status", "-config", path},
		{"backup", "-config", path, filepath.Join(t.TempDir(), "copy.db")},
		{"health", "-config", path},
	} {
		var out, errOut bytes.Buffer
		err := run(t.Context(), args, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), nobody) || !strings.Contains(err.Error(), "takes effect when it restarts") {
			t.Errorf("tributary %q with server.listen edited under the daemon = %v; want nothing at %s, and that an edited server.listen takes effect on restart", args, err, nobody)
		}
	}
}

// TestReadCommandsOnAStorePollHolds runs status, backup and health while
// another process holds the store for writing, as tributary poll does, and
// no daemon runs: each says what may hold the store, poll among them, and
// does not say that a daemon runs.
func TestReadCommandsOnAStorePollHolds(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nobody := ln.Addr().String()
	ln.Close() // nothing listens there now
	dbPath := filepath.Join(dir, "tributary.db")
	path := saveConfig(t, dir, fmt.Sprintf("server:\n  listen: %q\nstorage:\n  path: %q\nsources:\n  - url: \"http://127.0.0.1:1/never.rss\"\n",
		nobody, dbPath))
	db, err := store.Open(dbPath, store.Options{}) // held for writing, as by tributary poll
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, args := range [][]string{
		{"status", "-config", path},
		{"backup", "-config", path, filepath.Join(t.TempDir(), "copy.db")},
		{"health", "-config", path},
	} {
		var out, errOut bytes.Buffer
		err := run(t.Context(), args, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), nobody) || !strings.Contains(err.Error(), "tributary poll and compact hold the store too") ||
			strings.Contains(err.Error(), "the running daemon") || strings.Contains(err.Error(), "the daemon listens") {
			t.Errorf("tributary %q on a store another process holds, with no daemon = %v; want nothing at %s, and what may hold the store, poll among them", args, err, nobody)
		}
	}
}
