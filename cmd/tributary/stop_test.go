package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/store"
)

// TestStopWithStalledClient stops the daemon while a client that reads
// nothing holds a backup of the store half sent: the daemon ends soon
// after its grace period for requests, without error, rather than when
// the client goes away.
func TestStopWithStalledClient(t *testing.T) {
	defer func(g time.Duration) { shutdownGrace = g }(shutdownGrace)
	shutdownGrace = 300 * time.Millisecond

	o := newOrigin(t)
	path := writeConfig(t, o, "")
	fillStore(t, path)
	d := startDaemon(t, path)
	stallBackup(t, d.addr)

	start := time.Now()
	d.stop()
	select {
	case err := <-d.done:
		if err != nil {
			t.Errorf("serve stopped with %v; want no error", err)
		}
		d.done <- nil // for startDaemon's cleanup
	case <-time.After(shutdownGrace + 5*time.Second):
		t.Fatalf("serve did not stop within %v of the signal while a client stalled", shutdownGrace+5*time.Second)
	}
	t.Logf("stopped in %v", time.Since(start).Round(time.Millisecond))
}

// fillStore writes a store of several megabytes, more than the sockets
// between a client and the daemon hold, where the config at path keeps it.
func fillStore(t *testing.T, path string) {
	t.Helper()
	db, err := store.Open(filepath.Join(filepath.Dir(path), "data", "tributary.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		noise := make([]byte, 768<<10)
		rand.Read(noise)
		st := aggregator.SourceState{ID: fmt.Sprintf("filler%d", i), URL: "https://filler.example/",
			LastError: base64.StdEncoding.EncodeToString(noise)}
		if err := db.PutSource(t.Context(), st); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// stallBackup asks the daemon at addr for a backup of its store and reads
// no more than its start, so that the request stays in progress until the
// daemon cuts it off.
func stallBackup(t *testing.T, addr string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.(*net.TCPConn).SetReadBuffer(4096)
	// The Host names the daemon's address: /api/ answers a name it does
	// not know for itself with 403, which would leave nothing stalled.
	fmt.Fprintf(c, "GET /api/backup HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	start := make([]byte, 512)
	n, err := c.Read(start)
	if err != nil {
		t.Fatalf("reading the start of the backup: %v", err)
	}
	if !strings.HasPrefix(string(start[:n]), "HTTP/1.1 200 ") {
		t.Fatalf("the backup began %q; want a 200 whose body stalls", start[:min(n, 40)])
	}
	time.Sleep(200 * time.Millisecond) // the buffers fill up
}

// TestSecondSignalStopsAtOnce signals a daemon, run as its own process,
// twice while a client holds a backup half sent: the first signal starts a
// graceful stop, which would wait out its grace period for that request,
// and the second ends the process at once.
func TestSecondSignalStopsAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the daemon as a process of its own; skipped in -short mode")
	}
	o := newOrigin(t)
	path := writeConfig(t, o, "")
	fillStore(t, path)
	cmd, lines := startChild(t, "serve", "-config", path)
	t.Cleanup(func() { cmd.Process.Kill() })
	// await returns the first line that holds want.
	await := func(want string) string {
		t.Helper()
		timeout := time.After(20 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("the daemon's log ended before a line with %q", want)
				}
				if strings.Contains(l, want) {
					return l
				}
			case <-timeout:
				t.Fatalf("no line with %q in the daemon's log", want)
			}
		}
	}
	m := regexp.MustCompile(`addr=(\S+)`).FindStringSubmatch(await("msg=serving"))
	if m == nil {
		t.Fatal("the serving line names no address")
	}
	stallBackup(t, m[1])
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	await("second SIGINT or SIGTERM stops at once")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	go func() {
		for range lines { // the log until the process ends
		}
	}()
	cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("the daemon ended with %v; want the second SIGTERM to end it, before the stalled request's grace period", cmd.ProcessState)
	}
}
