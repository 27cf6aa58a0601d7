package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"path/filepath"
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
	// A store of several megabytes, more than the sockets between the
	// two ends hold.
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

	d := startDaemon(t, path)
	c, err := net.Dial("tcp", d.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.(*net.TCPConn).SetReadBuffer(4096)
	fmt.Fprintf(c, "GET /api/backup HTTP/1.1\r\nHost: tributary\r\n\r\n")
	if _, err := c.Read(make([]byte, 512)); err != nil {
		t.Fatalf("reading the start of the backup: %v", err)
	}
	time.Sleep(200 * time.Millisecond) // the buffers fill up

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
