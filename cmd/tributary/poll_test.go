package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/store"
)

// TestPollSkipsWaitingSources runs poll twice in a row, as cron may: the
// second run leaves alone the sources whose server asked to wait, or that
// back off after failing, says until when, and exits 0; it still asks the
// source that is merely not due. poll -force asks every source.
func TestPollSkipsWaitingSources(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/wire.rss", "application/rss+xml; charset=utf-8", readFixture(t, "wire.rss"))
	o.Status("/limited", http.StatusTooManyRequests, "7200")
	o.Status("/down", http.StatusServiceUnavailable, time.Now().Add(3*time.Hour).UTC().Format(http.TimeFormat))
	o.Status("/error", http.StatusInternalServerError, "")
	dir := t.TempDir()
	path := saveConfig(t, dir, fmt.Sprintf(`server:
  listen: "127.0.0.1:0"
storage:
  path: %q
  retention: 0
poll:
  interval: 1h
  timeout: 10s
  allow_private: true
sources:
  - url: %q
    name: "Harbour Wire"
  - url: %q
    name: "Limited"
  - url: %q
    name: "Down"
  - url: %q
    name: "Broken"
`, filepath.Join(dir, "data", "tributary.db"), o.URL("/wire.rss"), o.URL("/limited"),
		// Another name for the origin: two sources of one host asked to
		// wait would hold the whole host.
		strings.Replace(o.URL("/down"), "127.0.0.1", "localhost", 1), o.URL("/error")))
	poll := func(args ...string) (string, error) {
		t.Helper()
		var out, errOut bytes.Buffer
		err := run(t.Context(), append([]string{"poll", "-config", path}, args...), &out, &errOut)
		return out.String(), err
	}
	lineOf := func(out, name string) string {
		for l := range strings.Lines(out) {
			if strings.HasPrefix(l, name+" ") {
				return l
			}
		}
		return ""
	}

	out, err := poll()
	if err != nil {
		t.Fatalf("first poll: %v\n%s", err, out)
	}
	if strings.Contains(out, "-force fetches") {
		t.Errorf("first poll:\n%s\nwant no word on -force: no source was left alone", out)
	}
	if l := lineOf(out, "Limited"); !strings.Contains(l, "rate_limited: http 429") || !strings.Contains(l, "retry after 2h0m0s") {
		t.Errorf("first poll, the 429's line:\n%s\nwant rate_limited, retry after 2h0m0s", l)
	}

	out, err = poll()
	if err != nil {
		t.Errorf("second poll = %v; want exit 0, the waiting sources skipped\n%s", err, out)
	}
	for name, why := range map[string]string{"Limited": "rate_limited: http 429", "Down": "rate_limited: http 503", "Broken": "error: http 500"} {
		if l := lineOf(out, name); !strings.Contains(l, "skipped until 20") || !strings.Contains(l, why) {
			t.Errorf("second poll, %s's line:\n%s\nwant skipped until a time, for %q", name, l, why)
		}
	}
	if !strings.Contains(out, "0 failed, 3 skipped") {
		t.Errorf("second poll's summary:\n%s\nwant 0 failed, 3 skipped", out)
	}
	if !strings.Contains(out, "\ntributary poll -force fetches the skipped sources too") {
		t.Errorf("second poll's summary:\n%s\nwant a line saying that poll -force fetches the skipped sources", out)
	}
	for p, want := range map[string]int{"/wire.rss": 2, "/limited": 1, "/down": 1, "/error": 1} {
		if n := o.Count(p); n != want {
			t.Errorf("after two polls, %s was asked %d times; want %d", p, n, want)
		}
	}

	// Every source tried failed: no source could be fetched, though some
	// were only skipped.
	o.Status("/wire.rss", http.StatusInternalServerError, "")
	out, err = poll()
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitFailure || !strings.Contains(err.Error(), "no source could be fetched (1 failed, 3 skipped)") {
		t.Errorf("poll with the one source tried failing = %v; want exit 1, no source could be fetched\n%s", err, out)
	}

	out, err = poll("-force")
	if !errors.As(err, &ee) || ee.code != exitFailure {
		t.Errorf("poll -force with every source failing = %v; want exit 1\n%s", err, out)
	}
	if strings.Contains(out, "skipped until") || !strings.Contains(out, "4 failed, 0 skipped") {
		t.Errorf("poll -force:\n%s\nwant no source skipped, 4 failed", out)
	}
	if strings.Contains(out, "-force fetches") {
		t.Errorf("poll -force:\n%s\nwant no word on -force: nothing was left alone", out)
	}
	for p, want := range map[string]int{"/wire.rss": 4, "/limited": 2, "/down": 2, "/error": 2} {
		if n := o.Count(p); n != want {
			t.Errorf("after poll -force, %s was asked %d times; want %d", p, n, want)
		}
	}
}

// TestPollForceAsksGoneSources checks that a source disabled by a 410,
// which no poll asks again, is asked by poll -force, and enabled again when
// its feed is back: a 410 that a site gave by mistake for an hour no longer
// loses the source for good.
func TestPollForceAsksGoneSources(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Status("/wire.rss", http.StatusGone, "")
	dir := t.TempDir()
	path := saveConfig(t, dir, fmt.Sprintf(`server:
  listen: "127.0.0.1:0"
storage:
  path: %q
  retention: 0
poll:
  timeout: 10s
  allow_private: true
sources:
  - url: %q
    name: "Harbour Wire"
`, filepath.Join(dir, "data", "tributary.db"), o.URL("/wire.rss")))
	poll := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		run(t.Context(), append([]string{"poll", "-config", path}, args...), &out, &errOut)
		return out.String()
	}
	steps := []struct {
		args  []string
		back  bool   // the feed is served again before this step
		want  string // in the source's line
		asked int    // requests the origin has seen after it
	}{
		{nil, false, "gone: http 410 gone", 1},
		{nil, false, "disabled: http 410 gone", 1},
		{nil, true, "disabled: http 410 gone", 1},
		{[]string{"-force"}, false, "ok", 2},
		{nil, false, "not_modified", 3},
	}
	for i, st := range steps {
		if st.back {
			o.Feed("/wire.rss", "application/rss+xml; charset=utf-8", readFixture(t, "wire.rss"))
		}
		out := poll(st.args...)
		if !strings.Contains(out, "Harbour Wire") || !strings.Contains(out, " "+st.want) {
			t.Errorf("step %d, poll %q:\n%s\nwant the source's line to say %q", i, st.args, out, st.want)
		}
		if n := o.Count("/wire.rss"); n != st.asked {
			t.Errorf("step %d, poll %q: the origin was asked %d times; want %d", i, st.args, n, st.asked)
		}
	}
}

// TestPollGoneSourceOnHeldHost checks that a source disabled by a 410 on a
// host that two other sources' Retry-Afters hold is said to be disabled by
// the next poll, as status says it, and not skipped until the hold is
// over, when no poll would ask it either.
func TestPollGoneSourceOnHeldHost(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Status("/gone.rss", http.StatusGone, "")
	o.Status("/busy/0.rss", http.StatusTooManyRequests, "7200")
	o.Status("/busy/1.rss", http.StatusTooManyRequests, "7200")
	dir := t.TempDir()
	configure := func(busy bool) string {
		sources := fmt.Sprintf(`  - url: %q
    name: "Gazette"
`, o.URL("/gone.rss"))
		if busy {
			sources += fmt.Sprintf(`  - url: %q
    name: "Busy 0"
  - url: %q
    name: "Busy 1"
`, o.URL("/busy/0.rss"), o.URL("/busy/1.rss"))
		}
		return saveConfig(t, dir, fmt.Sprintf(`server:
  listen: "127.0.0.1:0"
storage:
  path: %q
poll:
  timeout: 10s
  allow_private: true
sources:
%s`, filepath.Join(dir, "data", "tributary.db"), sources))
	}
	path := configure(false)
	poll := func() string {
		t.Helper()
		var out, errOut bytes.Buffer
		run(t.Context(), []string{"poll", "-config", path}, &out, &errOut)
		return out.String()
	}
	lineOf := func(out, name string) string {
		for l := range strings.Lines(out) {
			if strings.HasPrefix(l, name+" ") {
				return l
			}
		}
		return ""
	}

	if l := lineOf(poll(), "Gazette"); !strings.Contains(l, "gone: http 410 gone") {
		t.Fatalf("first poll, the 410's line:\n%s\nwant gone: http 410 gone", l)
	}
	// The busy sources are listed once the 410 is known: listed with it,
	// a 429 that ended first would hold the host before the 410 was read.
	path = configure(true)
	poll()
	out := poll()
	// Both busy sources answered 429 with a Retry-After, so the host is
	// held; which of them shows the host's hold and which its own
	// Retry-After depends on the order their fetches ended in.
	for _, name := range []string{"Busy 0", "Busy 1"} {
		if l := lineOf(out, name); !strings.Contains(l, "skipped until") {
			t.Fatalf("third poll, a source of the held host:\n%s\nwant it skipped", l)
		}
	}
	if l := lineOf(out, "Gazette"); !strings.Contains(l, "disabled: http 410 gone") || strings.Contains(l, "skipped") {
		t.Errorf("third poll, the source disabled by the 410:\n%s\nwant disabled: http 410 gone, not skipped until the hold is over", l)
	}
	if !strings.Contains(out, "\ntributary poll -force fetches the skipped sources and those disabled by a 410 Gone too") {
		t.Errorf("third poll:\n%s\nwant a line saying that poll -force fetches the skipped and the disabled sources", out)
	}
	if n := o.Count("/gone.rss"); n != 1 {
		t.Errorf("after three polls, the 410's source was asked %d times; want 1", n)
	}
}

// TestPollHelp checks that poll -h names -force and says which sources
// are skipped.
func TestPollHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"poll", "-h"}, &out, &errOut); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("poll -h = %v; want flag.ErrHelp", err)
	}
	for _, want := range []string{"Usage: tributary poll [-config FILE] [-force]", "-force", "-config", "Retry-After", "skipped"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("poll -h:\n%s\nwant %q in it", out.String(), want)
		}
	}
	if err := run(t.Context(), []string{"poll", "extra"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "poll takes no arguments") {
		t.Errorf("poll extra = %v; want poll takes no arguments", err)
	}
}

// TestPollPrunes runs poll from a store that holds stories older than
// storage.retention, as a cron job does: poll prunes them, as the daemon
// does every hour, so that a store kept by cron alone stays within the
// retention too.
func TestPollPrunes(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/archive.rss", "application/rss+xml", readFixture(t, "archive.rss")) // items of 2020
	dir := t.TempDir()
	configure := func(retention string) string {
		return saveConfig(t, dir, fmt.Sprintf(`storage:
  path: %q
  retention: %s
poll:
  allow_private: true
sources:
  - url: %q
`, filepath.Join(dir, "tributary.db"), retention, o.URL("/archive.rss")))
	}
	exported := func(path string) int {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := run(t.Context(), []string{"export", "-config", path}, &out, &errOut); err != nil {
			t.Fatalf("export: %v\n%s", err, errOut.String())
		}
		return strings.Count(out.String(), "\n")
	}
	for _, tt := range []struct {
		retention string
		want      int
	}{{"0", 2}, {"720h", 0}} {
		path := configure(tt.retention)
		var out, errOut bytes.Buffer
		if err := run(t.Context(), []string{"poll", "-config", path}, &out, &errOut); err != nil {
			t.Fatalf("poll with retention %s: %v\n%s%s", tt.retention, err, out.String(), errOut.String())
		}
		if got := exported(path); got != tt.want {
			t.Errorf("after poll with retention %s: %d items stored; want %d", tt.retention, got, tt.want)
		}
	}
}

// TestFlagsAfterArguments checks that a command reads its flags wherever
// they stand among its other arguments, and takes what follows "--" as it
// is.
func TestFlagsAfterArguments(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "elsewhere.yaml")
	for _, args := range [][]string{
		{"explain", "https://news.test/1", "-config", missing},
		{"explain", "-config", missing, "https://news.test/1"},
		{"topics", "test", "world", "-config", missing},
	} {
		var out, errOut bytes.Buffer
		if err := run(t.Context(), args, &out, &errOut); err == nil || !strings.Contains(err.Error(), missing) {
			t.Errorf("%q = %v; want the config it names read", args, err)
		}
	}
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"topics", "test", "-h"}, &out, &errOut); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("topics test -h = %v; want flag.ErrHelp", err)
	}
	if !strings.Contains(out.String(), "-all") {
		t.Errorf("topics test -h:\n%s\nwant -all in it", out.String())
	}
	t.Setenv("TRIBUTARY_CONFIG", missing)
	if err := run(t.Context(), []string{"explain", "--", "-config"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf(`explain -- -config = %v; want "-config" taken as the link, the config from $TRIBUTARY_CONFIG read`, err)
	}
}

// TestPollPrintsNoTerminalControls runs poll on a source whose last error
// quotes a host name a hostile redirect gave, with a C1 escape (U+009B,
// which a terminal may read as the start of an escape sequence) and a
// right-to-left override: poll's line for it shows neither.
func TestPollPrintsNoTerminalControls(t *testing.T) {
	o := feedtest.NewOrigin(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "data", "tributary.db")
	src := o.URL("/moved")
	path := saveConfig(t, dir, fmt.Sprintf(`server:
  listen: "127.0.0.1:0"
storage:
  path: %q
poll:
  interval: 1h
  allow_private: true
sources:
  - url: %q
    name: "Moved"
`, dbPath, src))
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o750); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	st := aggregator.SourceState{ID: aggregator.SourceID(src), ConfigURL: src, URL: src, Name: "Moved",
		LastFetch: now, LastResult: "error", Failures: 1, FailingSince: now, NextDue: now.Add(time.Hour),
		LastError: "redirect to http://x%C2%9B2J.example/: dial tcp: lookup x\u009b2J\u202eexe.example: no such host"}
	if err := db.PutSource(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	var out, errOut bytes.Buffer
	err = run(t.Context(), []string{"poll", "-config", path}, &out, &errOut)
	if !strings.Contains(out.String(), "skipped until") {
		t.Fatalf("poll = %v\n%s\nwant the source skipped", err, out.String())
	}
	if strings.ContainsAny(out.String(), "\u009b\u202e") || !strings.Contains(out.String(), "lookup x 2J exe.example") {
		t.Errorf("poll:\n%q\nwant the error without its control characters", out.String())
	}
}

// TestPollInterrupted stops a poll, as SIGINT does, while a source is
// being fetched: its line says interrupted rather than a failure of
// "context canceled", the summary counts it apart, the exit status is 1,
// and the source is not kept as failed, so that the next poll fetches it.
func TestPollInterrupted(t *testing.T) {
	o := feedtest.NewOrigin(t)
	started := make(chan struct{}, 1)
	o.Handle("/held", func(w http.ResponseWriter, r *http.Request) {
		select {
		case started <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	})
	dir := t.TempDir()
	path := saveConfig(t, dir, fmt.Sprintf(`storage:
  path: %q
poll:
  allow_private: true
sources:
  - url: %q
    name: "Held"
`, filepath.Join(dir, "data", "tributary.db"), o.URL("/held")))

	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-started
		cancel()
	}()
	var out, errOut bytes.Buffer
	err := run(ctx, []string{"poll", "-config", path}, &out, &errOut)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitFailure || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("poll stopped midway = %v; want exit status 1, interrupted", err)
	}
	if !regexp.MustCompile(`(?m)^Held +0 new  interrupted$`).MatchString(out.String()) ||
		!strings.Contains(out.String(), "0 failed, 0 skipped, 1 interrupted") {
		t.Errorf("poll stopped midway printed:\n%s\nwant Held interrupted, not failed", out.String())
	}

	out.Reset()
	var st bytes.Buffer
	if err := run(t.Context(), []string{"status", "-config", path}, &st, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(st.String(), "never fetched") {
		t.Errorf("status after an interrupted poll:\n%s\nwant the source never fetched, not failing", st.String())
	}
}

// TestCheckCountsInWords checks check's and poll's summaries of a config
// of one source and one topic: "1 source", never "1 sources".
func TestCheckCountsInWords(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/wire.rss", "application/rss+xml; charset=utf-8", readFixture(t, "wire.rss"))
	dir := t.TempDir()
	path := saveConfig(t, dir, fmt.Sprintf(`storage:
  path: %q
poll:
  allow_private: true
sources:
  - url: %q
topics:
  - id: all
    title: "All"
`, filepath.Join(dir, "tributary.db"), o.URL("/wire.rss")))
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"check", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("check: %v", err)
	}
	if want := path + ": ok (1 source, 1 topic)\n"; out.String() != want {
		t.Errorf("check printed %q; want %q", out.String(), want)
	}
	out.Reset()
	if err := run(t.Context(), []string{"poll", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("poll: %v\n%s", err, errOut.String())
	}
	if !regexp.MustCompile(`\n1 source in [^:]+: \d+ new items, \d+ new stories, 0 duplicates folded, 0 failed, 0 skipped\n$`).MatchString(out.String()) {
		t.Errorf("poll printed %q; want its summary to count 1 source", out.String())
	}
}

// TestPollSaysMoved checks that poll's line for a source read at another
// URL than the configured one, where a permanent redirect or its HTML page
// led it, says where, as status does.
func TestPollSaysMoved(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/new.rss", "application/rss+xml; charset=utf-8", readFixture(t, "wire.rss"))
	o.Redirect("/old.rss", "/new.rss", http.StatusMovedPermanently)
	o.Feed("/feed.rss", "application/rss+xml; charset=utf-8", readFixture(t, "wire.rss"))
	o.Handle("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html><head><title>Wire</title><link rel="alternate" type="application/rss+xml" href=%q></head><body></body></html>`, o.URL("/feed.rss"))
	})
	dir := t.TempDir()
	path := saveConfig(t, dir, fmt.Sprintf(`storage:
  path: %q
poll:
  timeout: 10s
  allow_private: true
sources:
  - url: %q
    name: "Redirected"
  - url: %q
    name: "Page"
`, filepath.Join(dir, "data", "tributary.db"), o.URL("/old.rss"), o.URL("/page")))
	for pass := 1; pass <= 2; pass++ {
		var out, errOut bytes.Buffer
		if err := run(t.Context(), []string{"poll", "-config", path}, &out, &errOut); err != nil {
			t.Fatalf("poll %d: %v\n%s", pass, err, errOut.String())
		}
		for name, to := range map[string]string{"Redirected": o.URL("/new.rss"), "Page": o.URL("/feed.rss")} {
			re := regexp.MustCompile(`(?m)^` + name + ` +\d+ new  \S+ \(moved to ` + regexp.QuoteMeta(to) + `\)$`)
			if !re.MatchString(out.String()) {
				t.Errorf("poll %d printed:\n%s\nwant %s's line to end (moved to %s)", pass, out.String(), name, to)
			}
		}
	}
}

// TestPollAllowNetworksAddress polls a source on loopback with private
// addresses refused but for poll.allow_networks, which lists the origin's
// single address, as an operator allows one host of the LAN: the address
// stands for itself alone (/32), where the config was refused as an
// "invalid CIDR" though the fetcher reads an address so.
func TestPollAllowNetworksAddress(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/wire.rss", "application/rss+xml; charset=utf-8", readFixture(t, "wire.rss"))
	dir := t.TempDir()
	path := saveConfig(t, dir, fmt.Sprintf(`storage:
  path: %q
poll:
  timeout: 10s
  allow_networks: ["127.0.0.1"]
sources:
  - url: %q
    name: "Harbour Wire"
`, filepath.Join(dir, "data", "tributary.db"), o.URL("/wire.rss")))
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"poll", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("poll with allow_networks [127.0.0.1]: %v\n%s%s", err, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "Harbour Wire") || !strings.Contains(out.String(), " ok") {
		t.Errorf("poll with allow_networks [127.0.0.1]:\n%s\nwant the loopback source read", out.String())
	}
}
