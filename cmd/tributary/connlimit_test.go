package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestConnectionsCappedByFileLimit runs the daemon under an open-file
// limit that leaves room for two connections besides its own files:
// clients that never finish their headers cannot hold more, the one that
// waited longest is closed when a reader comes, and the reader is served.
func TestConnectionsCappedByFileLimit(t *testing.T) {
	saved := openFileLimit
	openFileLimit = func() uint64 { return 256 + 4*8 + 2 }
	t.Cleanup(func() { openFileLimit = saved })
	d := startDaemon(t, writeConfig(t, newOrigin(t), ""))

	var held []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", d.addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if _, err := io.WriteString(c, "GET /opml HTTP/1.1\r\nHost: x\r\n"); err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	resp, body := d.get(t, "/metrics")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics = %d; want 200", resp.StatusCode)
	}
	for _, want := range []string{"tributary_http_connections_max 2\n", "tributary_http_connections_closed_total "} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(string(body), "tributary_http_connections_closed_total 0\n") {
		t.Error("/metrics: tributary_http_connections_closed_total 0; want the waiting connections closed")
	}
	// The deadline only keeps a daemon without the limit from hanging the
	// test until its header timeout.
	held[0].SetReadDeadline(time.Now().Add(30 * time.Second))
	var ne net.Error
	if n, err := held[0].Read(make([]byte, 1)); n != 0 || err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Errorf("the connection waiting longest: Read = %d, %v; want it closed", n, err)
	}
}

// TestConnectionsCappedByConfig runs the daemon with server.max_connections
// below what its open-file limit allows, and with one above it: the first
// holds that many connections at most, the second no more than the limit
// allows, as without the key.
func TestConnectionsCappedByConfig(t *testing.T) {
	saved := openFileLimit
	openFileLimit = func() uint64 { return 256 + 4*8 + 5 }
	t.Cleanup(func() { openFileLimit = saved })
	for _, tt := range []struct{ key, want int }{{2, 2}, {100, 5}} {
		path := writeConfig(t, newOrigin(t), "")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		saveConfig(t, filepath.Dir(path), strings.Replace(string(b), "server:\n", fmt.Sprintf("server:\n  max_connections: %d\n", tt.key), 1))
		d := startDaemon(t, path)
		resp, body := d.get(t, "/metrics")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /metrics = %d; want 200", resp.StatusCode)
		}
		if want := fmt.Sprintf("tributary_http_connections_max %d\n", tt.want); !strings.Contains(string(body), want) {
			t.Errorf("server.max_connections: %d under an open-file limit that allows 5: /metrics lacks %q", tt.key, want)
		}
	}
}

func TestConnLimit(t *testing.T) {
	tests := []struct {
		nofile      uint64
		concurrency int
		want        int
	}{
		{1024, 8, 1024 - 256 - 32},
		{1 << 20, 8, 1 << 20 / 4 * 3},
		{300, 8, 12},
		{100, 8, 1},
		{0, 8, 1 << 16},
		{1 << 62, 8, 1 << 16},
	}
	for _, tt := range tests {
		if got := connLimit(tt.nofile, tt.concurrency); got != tt.want {
			t.Errorf("connLimit(%d, %d) = %d; want %d", tt.nofile, tt.concurrency, got, tt.want)
		}
	}
}
