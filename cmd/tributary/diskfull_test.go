//go:build linux

package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/store"
)

// A child started with TRIBUTARY_TEST_FSIZE may not grow a file past that
// many bytes, as on a full disk, until its parent lifts the limit
// (liftFileSizeLimit); TRIBUTARY_TEST_RETAG_RETRY shortens its wait before
// a failed retag is tried again.
func init() {
	if v := os.Getenv("TRIBUTARY_TEST_FSIZE"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		var lim syscall.Rlimit
		if err == nil {
			err = syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim)
		}
		if err == nil {
			lim.Cur = n
			err = syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "setting the file size limit:", err)
			os.Exit(3)
		}
	}
	if v := os.Getenv("TRIBUTARY_TEST_RETAG_RETRY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		retagRetry = d
	}
}

// liftFileSizeLimit raises the file size limit of the process pid to its
// hard limit, as room coming back on a full disk.
func liftFileSizeLimit(t *testing.T, pid int) {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	lim.Cur = lim.Max
	_, _, errno := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(pid), syscall.RLIMIT_FSIZE,
		uintptr(unsafe.Pointer(&lim)), 0, 0, 0)
	if errno != 0 {
		t.Fatalf("prlimit(%d, RLIMIT_FSIZE): %v", pid, errno)
	}
}

// TestRetagAfterDiskFull starts the daemon on a store that may not grow,
// under a config whose new topic means every stored story is decided
// again: the retag and the record of the feeds' settings fail as on a full
// disk, the daemon keeps running, and once the file may grow again it
// retags the stories and records the settings by itself, without a restart
// or a reload.
func TestRetagAfterDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the daemon as a child process; skipped with -short")
	}
	o := feedtest.NewOrigin(t)
	const feeds, items = 4, 30
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "tributary.db")
	cfgPath := crashConfig(t, o, dir, dbPath, "full", feeds, items, "  interval: 1h\n", "info")
	var out, errOut strings.Builder
	for _, cmd := range []string{"poll", "compact"} {
		if err := run(t.Context(), []string{cmd, "-config", cfgPath}, &out, &errOut); err != nil {
			t.Fatalf("%s: %v\n%s", cmd, err, errOut.String())
		}
	}
	// The compacted file has no free page: the retag's first commit must
	// grow it.
	fi, err := os.Stat(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	saveConfig(t, dir, string(cfg)+"topics:\n  - id: harbour\n    title: Harbour\n    match:\n      any: [\"harbour\"]\n")

	child, lines := startChildEnv(t, []string{"TRIBUTARY_TEST_FSIZE=" + strconv.FormatInt(fi.Size(), 10), "TRIBUTARY_TEST_RETAG_RETRY=100ms"},
		"serve", "-config", cfgPath)
	t.Cleanup(func() {
		if child.ProcessState == nil {
			child.Process.Kill()
			child.Wait()
		}
	})
	deadline := time.After(2 * time.Minute) // a guard against a hang, not a measure
	waitFor := func(what string, match func(string) bool) {
		t.Helper()
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("the daemon ended while waiting for %s", what)
				}
				if match(l) {
					return
				}
			case <-deadline:
				t.Fatalf("no %s in the daemon's log", what)
			}
		}
	}
	waitFor("failed retag", func(l string) bool {
		return strings.Contains(l, `msg="retagging stories"`) && strings.Contains(l, "file too large")
	})
	liftFileSizeLimit(t, child.Process.Pid)
	// The new topic is a setting that goes into the feeds' bytes too: its
	// record, refused at the start, is tried again as well.
	retagged, recorded := false, false
	waitFor("retag and the feeds' settings recorded once the file may grow", func(l string) bool {
		retagged = retagged || strings.Contains(l, `msg="stories retagged"`)
		recorded = recorded || strings.Contains(l, `msg="feeds' settings recorded"`)
		return retagged && recorded
	})
	child.Process.Signal(syscall.SIGTERM)
	for range lines {
	}
	if err := child.Wait(); err != nil {
		t.Fatalf("daemon: %v", err)
	}

	db, err := store.Open(dbPath, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	harbour, stories := 0, 0
	err = db.Export(t.Context(), func(it aggregator.Item, s aggregator.Story) error {
		stories++
		if strings.Contains(it.Title, "harbour") && !slices.Contains(s.Topics, "harbour") {
			return fmt.Errorf("item %q is in topics %v; want harbour among them", it.Title, s.Topics)
		}
		if slices.Contains(s.Topics, "harbour") {
			harbour++
		}
		return nil
	})
	if err != nil {
		t.Fatalf("after the retag: %v", err)
	}
	if harbour == 0 || stories != feeds*items {
		t.Fatalf("%d items, %d about the harbour; want %d and some", stories, harbour, feeds*items)
	}
}

// TestFrontPageShowsStoreRefusal starts the daemon on a store that may not
// grow, with a source it has never fetched: the store refuses the source's
// feed, and the front page shows the source failing with the store's
// error, as status does, not as waiting for its first fetch.
func TestFrontPageShowsStoreRefusal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the daemon as a child process; skipped with -short")
	}
	o := feedtest.NewOrigin(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "tributary.db")
	cfgPath := crashConfig(t, o, dir, dbPath, "full", 2, 10, "  interval: 1h\n", "info")
	var out, errOut strings.Builder
	for _, cmd := range []string{"poll", "compact"} {
		if err := run(t.Context(), []string{cmd, "-config", cfgPath}, &out, &errOut); err != nil {
			t.Fatalf("%s: %v\n%s", cmd, err, errOut.String())
		}
	}
	// The compacted file has no free page: storing the new source's feed
	// must grow it.
	fi, err := os.Stat(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	o.Feed("/added.rss", "application/rss+xml", crashFeed(7, 30))
	saveConfig(t, dir, string(cfg)+fmt.Sprintf("  - url: %q\n    name: Added\n", o.URL("/added.rss")))

	child, lines := startChildEnv(t, []string{"TRIBUTARY_TEST_FSIZE=" + strconv.FormatInt(fi.Size(), 10)},
		"serve", "-config", cfgPath)
	t.Cleanup(func() {
		if child.ProcessState == nil {
			child.Process.Kill()
			child.Wait()
		}
	})
	deadline := time.After(2 * time.Minute) // a guard against a hang, not a measure
	var addr string
	for stored := false; addr == "" || !stored; {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("the daemon ended before the store refused the new source's feed")
			}
			if m := servingAddr.FindStringSubmatch(l); m != nil {
				addr = m[1]
			}
			stored = stored || strings.Contains(l, `msg="storing feed"`) && strings.Contains(l, "file too large")
		case <-deadline:
			t.Fatal("no refused feed in the daemon's log")
		}
	}
	go func() {
		for range lines { // keep the child's pipe drained
		}
	}()
	// The log line comes as the source's state is set aside: the page
	// shows it within a second or two.
	var page string
	shown := func() bool {
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		page = string(body)
		return strings.Contains(page, "file too large") && !strings.Contains(page, "not fetched yet")
	}
	for end := time.Now().Add(30 * time.Second); !shown() && time.Now().Before(end); {
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(page, "file too large") || strings.Contains(page, "not fetched yet") {
		row := page
		if i := strings.Index(page, "Added"); i >= 0 {
			row = page[i:min(len(page), i+800)]
		}
		t.Errorf("the front page, after the store refused the feed of source Added, does not show the store's error on it:\n%s", row)
	}
	child.Process.Signal(syscall.SIGTERM)
	child.Wait()
}

// servingAddr finds the address in the daemon's "serving" log line.
var servingAddr = regexp.MustCompile(`msg=serving addr=(\S+)`)
