package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/tributary-feeds/tributary/aggregator/ops"
)

// waitLedgerStories waits for the ledger topic to hold the two stories of
// The Daily Ledger's feed and returns them as ledgerEntries gives them.
func waitLedgerStories(t *testing.T, d *daemon) []string {
	t.Helper()
	var entries []string
	waitFor(t, "the ledger topic's two stories", 15*time.Second, func() bool {
		entries = ledgerEntries(t, d)
		return len(entries) == 2
	})
	return entries
}

// ledgerEntries returns the entries of /topics/ledger.atom, the topic that
// names The Daily Ledger in its sources, as "id updated title", sorted.
func ledgerEntries(t *testing.T, d *daemon) []string {
	t.Helper()
	resp, body := d.get(t, "/topics/ledger.atom")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /topics/ledger.atom = %s", resp.Status)
	}
	f, err := gofeed.NewParser().ParseString(string(body))
	if err != nil {
		t.Fatalf("parsing /topics/ledger.atom: %v", err)
	}
	var out []string
	for _, it := range f.Items {
		out = append(out, it.GUID+" "+it.Updated+" "+it.Title)
	}
	slices.Sort(out)
	return out
}

// editConfig replaces old with new everywhere in the config file at path.
func editConfig(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s has no %q", path, old)
	}
	if err := os.WriteFile(path, bytes.ReplaceAll(b, []byte(old), []byte(new)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// statusRows asks the running daemon for `tributary status`'s rows.
func statusRows(t *testing.T, d *daemon) []ops.SourceRow {
	t.Helper()
	resp, body := d.get(t, "/api/status")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/status = %s", resp.Status)
	}
	var rows []ops.SourceRow
	if err := json.Unmarshal(body, &rows); err != nil {
		t.Fatalf("GET /api/status %q: %v", body, err)
	}
	return rows
}

// waitLedgerReadAt waits until the daemon has stored a fetch of The Daily
// Ledger at url, and checks that status shows the three configured sources
// and no leftover of the Ledger's old URL.
func waitLedgerReadAt(t *testing.T, d *daemon, name, url string) {
	t.Helper()
	var rows []ops.SourceRow
	waitFor(t, name+" read at "+url, 15*time.Second, func() bool {
		rows = statusRows(t, d)
		for _, r := range rows {
			if r.Name == name && r.ConfigURL == url && r.URL == url && r.LastResult != "" {
				return true
			}
		}
		return false
	})
	for _, r := range rows {
		if !r.Configured {
			t.Errorf("status shows %s (%s) as no longer configured; want the configured source it became", r.Name, r.ConfigURL)
		}
	}
	if len(rows) != 3 {
		t.Errorf("status shows %d sources; want the 3 configured", len(rows))
	}
}

// TestReloadEditedURL moves The Daily Ledger's feed and edits its URL in the
// config, its name kept, under a running daemon: the topic that names it
// keeps its stories, under the same ids and updated dates, at the reload
// and once the new URL is read, and status shows one source.
func TestReloadEditedURL(t *testing.T) {
	o := newOrigin(t)
	o.Feed("/ledger/daily.atom", "application/atom+xml", readFixture(t, "daily.atom"))
	path := writeConfig(t, o, "")
	d := startDaemon(t, path)
	before := waitLedgerStories(t, d)

	retagged := strings.Count(d.out.String(), "stories retagged")
	editConfig(t, path, o.URL("/daily.atom"), o.URL("/ledger/daily.atom"))
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	waitFor(t, "the reload and its retag", 10*time.Second, func() bool {
		return strings.Count(d.out.String(), "stories retagged") > retagged
	})
	if got := ledgerEntries(t, d); !slices.Equal(got, before) {
		t.Errorf("/topics/ledger.atom after the reload:\n%q\nwant as before:\n%q", got, before)
	}
	waitLedgerReadAt(t, d, "The Daily Ledger", o.URL("/ledger/daily.atom"))
	if got := ledgerEntries(t, d); !slices.Equal(got, before) {
		t.Errorf("/topics/ledger.atom once the new URL is read:\n%q\nwant as before:\n%q", got, before)
	}
	if _, page := d.get(t, "/"); bytes.Contains(page, []byte("no longer configured")) {
		t.Errorf("the front page shows a source no longer configured; want the Ledger once, at its new URL")
	}
}

// TestRestartEditedURLRenamed edits The Daily Ledger's URL, by a trailing
// slash, and its name while the daemon is stopped: started again, the
// daemon takes it for the same source, and so does `tributary poll` after
// it.
func TestRestartEditedURLRenamed(t *testing.T) {
	o := newOrigin(t)
	o.Feed("/daily.atom/", "application/atom+xml", readFixture(t, "daily.atom"))
	path := writeConfig(t, o, "")
	d := startDaemon(t, path)
	before := waitLedgerStories(t, d)
	stopDaemon(t, d)
	var exported bytes.Buffer
	if err := run(t.Context(), []string{"export", "-config", path}, &exported, &bytes.Buffer{}); err != nil {
		t.Fatalf("export: %v", err)
	}

	editConfig(t, path, o.URL("/daily.atom"), o.URL("/daily.atom/"))
	editConfig(t, path, "The Daily Ledger", "Daily Ledger")
	d = startDaemon(t, path)
	waitLedgerReadAt(t, d, "Daily Ledger", o.URL("/daily.atom/"))
	if got := ledgerEntries(t, d); !slices.Equal(got, before) {
		t.Errorf("/topics/ledger.atom after the restart:\n%q\nwant as before:\n%q", got, before)
	}
	stopDaemon(t, d)

	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"poll", "-config", path}, &out, &errOut); err != nil {
		t.Fatalf("poll: %v\n%s", err, errOut.String())
	}
	// The same items, of the same stories, in the same topics, under the
	// source's new name.
	items := func(b []byte, source string) []string {
		var out []string
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var l ops.ExportLine
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Fatalf("export line %q: %v", sc.Bytes(), err)
			}
			if l.Source == source {
				out = append(out, l.Item+" "+l.Story+" "+strings.Join(l.Topics, ","))
			}
		}
		slices.Sort(out)
		return out
	}
	var after bytes.Buffer
	if err := run(t.Context(), []string{"export", "-config", path}, &after, &bytes.Buffer{}); err != nil {
		t.Fatalf("export: %v", err)
	}
	was, now := items(exported.Bytes(), "The Daily Ledger"), items(after.Bytes(), "Daily Ledger")
	if len(was) != 2 || !slices.Equal(now, was) {
		t.Errorf("exported items of the source, renamed and at its new URL:\n%q\nwant those it had:\n%q", now, was)
	}
	var status bytes.Buffer
	if err := run(t.Context(), []string{"status", "-config", path}, &status, &bytes.Buffer{}); err != nil {
		t.Fatalf("status: %v", err)
	}
	if strings.Contains(status.String(), "not configured") {
		t.Errorf("status after the poll:\n%s\nwant no source left over", status.String())
	}
	var verified bytes.Buffer
	if err := run(t.Context(), []string{"verify", "-config", path}, &verified, &verified); err != nil {
		t.Errorf("verify: %v\n%s", err, verified.String())
	}
}

// TestOPMLWhileServingPrivateURL lists the sources as OPML while the daemon
// holds the store: an unnamed source whose URL carries a token, which the
// daemon hands out as "xxxxx", is still found by its URL, with its site.
func TestOPMLWhileServingPrivateURL(t *testing.T) {
	o := newOrigin(t)
	path := writeConfig(t, o, "")
	editConfig(t, path, o.URL("/wire.rss")+"\"\n    name: \"Harbour Wire\"", o.URL("/wire.rss")+"?token=s3cret\"")
	d := startDaemon(t, path)
	waitFor(t, "the wire read", 15*time.Second, func() bool {
		for _, r := range statusRows(t, d) {
			if strings.Contains(r.ConfigURL, "/wire.rss") && r.LastResult != "" {
				return true
			}
		}
		return false
	})
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"opml", "-config", cliConfig(t, path, d.addr)}, &out, &errOut); err != nil {
		t.Fatalf("opml while serving: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), `htmlUrl="https://wire.example/"`) {
		t.Errorf("opml while serving lacks the wire's site:\n%s", out.String())
	}
}

// TestPollRenamedToRemovedSourcesName removes Harbour Wire and renames The
// Daily Ledger, at the same URL, "Harbour Wire": the topic that named the
// Ledger, edited to name it so, keeps the Ledger's stories and takes none
// of the wire's, which came from another feed.
func TestPollRenamedToRemovedSourcesName(t *testing.T) {
	o := newOrigin(t)
	path := writeConfig(t, o, "")
	pollOnce := func() {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := run(t.Context(), []string{"poll", "-config", path}, &out, &errOut); err != nil {
			t.Fatalf("poll: %v\n%s%s", err, out.String(), errOut.String())
		}
	}
	// The stories of the topic ledger, by the export.
	exported := func() (ledger []string) {
		t.Helper()
		var b bytes.Buffer
		if err := run(t.Context(), []string{"export", "-config", path}, &b, &bytes.Buffer{}); err != nil {
			t.Fatalf("export: %v", err)
		}
		sc := bufio.NewScanner(&b)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var l ops.ExportLine
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Fatalf("export line %q: %v", sc.Bytes(), err)
			}
			if slices.Contains(l.Topics, "ledger") && !slices.Contains(ledger, l.Story) {
				ledger = append(ledger, l.Story)
			}
		}
		slices.Sort(ledger)
		return ledger
	}
	pollOnce()
	before := exported()
	if len(before) != 2 {
		t.Fatalf("the ledger topic has %d stories after the first poll; want the Ledger's 2", len(before))
	}

	editConfig(t, path, "  - url: \""+o.URL("/wire.rss")+"\"\n    name: \"Harbour Wire\"\n", "")
	editConfig(t, path, "The Daily Ledger", "Harbour Wire")
	pollOnce()
	if after := exported(); !slices.Equal(after, before) {
		t.Errorf("the ledger topic's stories once the Ledger is renamed as the wire removed:\n%q\nwant the Ledger's:\n%q", after, before)
	}
	var status bytes.Buffer
	if err := run(t.Context(), []string{"status", "-config", path}, &status, &bytes.Buffer{}); err != nil {
		t.Fatalf("status: %v", err)
	}
	if strings.Contains(status.String(), "The Daily Ledger") {
		t.Errorf("status:\n%s\nwant The Daily Ledger shown as renamed, not left over", status.String())
	}
}

// TestOPMLWhileServingMovedPrivateURL lists the sources as OPML while the
// daemon holds the store, after a source whose URL carries a token has
// moved permanently: the daemon hands the new address out with the token
// as "xxxxx", which no reader can fetch, so the list gives the address the
// config holds, token and all.
func TestOPMLWhileServingMovedPrivateURL(t *testing.T) {
	o := newOrigin(t)
	o.Redirect("/old/wire.rss", "/wire.rss?token=s3cret", http.StatusMovedPermanently)
	path := writeConfig(t, o, "")
	private := o.URL("/old/wire.rss") + "?token=s3cret"
	editConfig(t, path, o.URL("/wire.rss")+"\"", private+"\"")
	d := startDaemon(t, path)
	waitFor(t, "the wire read at its new address", 15*time.Second, func() bool {
		for _, r := range statusRows(t, d) {
			if strings.Contains(r.ConfigURL, "/old/wire.rss") && r.URL != r.ConfigURL && r.LastResult != "" {
				return true
			}
		}
		return false
	})
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"opml", "-config", cliConfig(t, path, d.addr)}, &out, &errOut); err != nil {
		t.Fatalf("opml while serving: %v\n%s", err, errOut.String())
	}
	if strings.Contains(out.String(), "xxxxx") {
		t.Errorf("opml while serving gives a URL whose token reads xxxxx:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "token=s3cret") {
		t.Errorf("opml while serving lacks the wire's URL with its token:\n%s", out.String())
	}
}
