package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/store"
)

// TestMain lets a test re-run this binary as `tributary ARGS...`, with the
// signal handling of main: the crash test kills such a child mid-ingest,
// and the stop test signals one.
func TestMain(m *testing.M) {
	if args := os.Getenv("TRIBUTARY_TEST_RUN"); args != "" {
		ctx, stop := notifyStop()
		defer stop()
		if err := run(ctx, strings.Split(args, "\x1f"), os.Stdout, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startChild runs this binary as `tributary args...` (see TestMain) and
// returns it with the lines it logs, which close when it ends.
func startChild(t *testing.T, args ...string) (*exec.Cmd, <-chan string) {
	t.Helper()
	return startChildEnv(t, nil, args...)
}

// startChildEnv is startChild with env added to the child's environment.
func startChildEnv(t *testing.T, env []string, args ...string) (*exec.Cmd, <-chan string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "TRIBUTARY_TEST_RUN="+strings.Join(args, "\x1f"))
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	return cmd, lines
}

// crashConfig serves feeds crash feeds of items items each from o, as
// /NAME0.rss, /NAME1.rss, …, and saves in dir a config of them whose store
// is dbPath, with poll's settings besides allow_private (YAML lines) and
// the log level given. It returns the config's path.
func crashConfig(t *testing.T, o *feedtest.Origin, dir, dbPath, name string, feeds, items int, poll, level string) string {
	t.Helper()
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "server:\n  listen: \"127.0.0.1:0\"\nstorage:\n  path: %q\n  retention: 0\npoll:\n  allow_private: true\n%slog:\n  level: %s\nsources:\n", dbPath, poll, level)
	for f := range feeds {
		path := fmt.Sprintf("/%s%d.rss", name, f)
		o.Feed(path, "application/rss+xml", crashFeed(f, items))
		fmt.Fprintf(&cfg, "  - url: %q\n", o.URL(path))
	}
	return saveConfig(t, dir, cfg.String())
}

// crashFeed is an RSS feed of n items whose texts differ enough to be
// separate stories.
func crashFeed(feed, n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0"?><rss version="2.0"><channel><title>Crash feed %d</title><link>https://crash%d.example/</link><description>d</description>`, feed, feed)
	words := strings.Fields("harbour council drought tram museum quake election budget river school bridge festival market vaccine rocket court strike border summit energy")
	for i := range n {
		w1, w2, w3 := words[(feed*7+i)%len(words)], words[(feed*3+i*5)%len(words)], words[(i*11+feed)%len(words)]
		fmt.Fprintf(&b, `<item><title>Report %d-%d on the %s and the %s</title><link>https://crash%d.example/%d</link><guid>https://crash%d.example/%d</guid><pubDate>%s</pubDate><description>&lt;p&gt;Feed %d item %d: the %s %s %s story number %d, told at length with details that only this item has, %d.&lt;/p&gt;</description></item>`,
			feed, i, w1, w2, feed, i, feed, i, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC).Add(time.Duration(feed*n+i)*time.Minute).Format(time.RFC1123Z),
			feed, i, w1, w2, w3, feed*1000+i, rand.Int())
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

var fetchedLine = regexp.MustCompile(`msg=fetched .*source=([0-9a-f]+) .*new_items=([0-9]+)`)

// TestCrashDuringIngest kills `tributary poll` and `tributary serve`, in
// turn, with SIGKILL at random moments while they ingest many feeds. After
// each kill the store opens, every item whose commit was logged is there,
// and later polls add no duplicate.
func TestCrashDuringIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	o := feedtest.NewOrigin(t)
	const feeds, items = 60, 25
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "data", "tributary.db")
	cfgPath := crashConfig(t, o, dir, dbPath, "crash", feeds, items, "  concurrency: 4\n  per_host: 4\n", "debug")

	committed := map[string]bool{} // sources whose items the daemon logged as stored
	deadline := time.Now().Add(60 * time.Second)
	for round := 0; round < 6 && time.Now().Before(deadline); round++ {
		// The daemon spreads its first fetches over 5 s; poll starts them
		// all at once.
		command, after := "poll", 150+rand.IntN(600)
		if round%2 == 1 {
			command, after = "serve", 1000+rand.IntN(3000)
		}
		cmd, lines := startChild(t, command, "-config", cfgPath)
		// The kill's moment counts from the child's first log line, not
		// from its start: on a loaded machine starting the process alone
		// can take longer than the longest wait.
		var kill <-chan time.Time
		started := false
		silent := time.After(30 * time.Second) // a child that logs nothing
	read:
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					break read
				}
				if !started {
					started = true
					kill = time.After(time.Duration(after) * time.Millisecond)
				}
				if m := fetchedLine.FindStringSubmatch(l); m != nil && m[2] != "0" {
					committed[m[1]] = true
				}
			case <-kill:
				cmd.Process.Signal(syscall.SIGKILL)
				kill = nil
			case <-silent:
				if !started {
					cmd.Process.Signal(syscall.SIGKILL)
					t.Errorf("round %d: %s logged nothing in 30 s", round, command)
				}
				silent = nil
			}
		}
		werr := cmd.Wait()
		if command == "serve" && (cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != -1) {
			t.Errorf("round %d: serve ended by itself (%v) on the store the kill before left; want it running until killed", round, werr)
		}
		n := checkStore(t, dbPath, committed, items)
		t.Logf("round %d (%s): child ended with %v; %d sources logged as committed, %d items stored", round, command, werr, len(committed), n)
	}
	if len(committed) == 0 {
		t.Fatalf("no fetch committed in any round; the kills came too early to test anything")
	}

	// A full poll completes the store without duplicating anything.
	var outBuf, errBuf strings.Builder
	if err := run(t.Context(), []string{"poll", "-config", cfgPath}, &outBuf, &errBuf); err != nil {
		t.Fatalf("poll after crashes: %v\n%s", err, errBuf.String())
	}
	all := map[string]bool{}
	for f := range feeds {
		all[aggregator.SourceID(o.URL(fmt.Sprintf("/crash%d.rss", f)))] = true
	}
	if n := checkStore(t, dbPath, all, items); n != feeds*items {
		t.Errorf("after the final poll the store holds %d items; want %d", n, feeds*items)
	}
}

// checkStore opens the store read-only, verifies it (bbolt's consistency
// check and the store's own), asserts that every source in want has all
// its items exactly once, and returns the number of items stored.
func checkStore(t *testing.T, path string, want map[string]bool, items int) int {
	t.Helper()
	db, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil && len(want) == 0 {
		// Killed before it had made the store, or before the store's
		// buckets were committed: nothing was stored yet, and the next
		// start (checked in the rounds after) must make it.
		t.Logf("no store yet: %v", err)
		return 0
	}
	if err != nil {
		t.Fatalf("store does not open after SIGKILL: %v", err)
	}
	defer db.Close()
	bad, err := db.Verify(t.Context())
	for _, p := range bad {
		t.Errorf("verify after SIGKILL: %s", p)
	}
	if err != nil {
		t.Fatal(err)
	}
	perSource := map[string]int{}
	seen := map[string]bool{}
	err = db.Export(t.Context(), func(it aggregator.Item, s aggregator.Story) error {
		if seen[it.ID] {
			return fmt.Errorf("item %s exported twice", it.ID)
		}
		seen[it.ID] = true
		perSource[it.SourceID]++
		if s.ID == "" {
			return fmt.Errorf("item %s has no story", it.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("export after SIGKILL: %v", err)
	}
	for src := range want {
		if perSource[src] != items {
			b, _ := json.Marshal(perSource)
			t.Fatalf("source %s has %d items after SIGKILL; its commit was logged, want %d (%s)", src, perSource[src], items, b)
		}
	}
	return len(seen)
}
