package fetch

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
)

// resetter is a server on loopback that reads each request, answers with
// head (nothing when empty), and resets the connection.
type resetter struct {
	addr  string
	mu    sync.Mutex
	ports []string // the client's port of each connection taken
}

func newResetter(t *testing.T, head string) *resetter {
	t.Helper()
	r := &resetter{}
	r.addr = feedtest.RawServer(t, func(c net.Conn) {
		_, port, _ := net.SplitHostPort(c.RemoteAddr().String())
		r.mu.Lock()
		r.ports = append(r.ports, port)
		r.mu.Unlock()
		_, _ = http.ReadRequest(bufio.NewReader(c))
		_, _ = c.Write([]byte(head))
		_ = c.(*net.TCPConn).SetLinger(0) // close with a reset
	})
	return r
}

// TestResetNamesNoLocalPort fetches from a server that resets the
// connection, before its answer and in the middle of its body. The error
// names the server's address, not the connection's local one, whose port
// is another at every fetch: the source's recorded error, shown by status
// and on the web pages, changed at every poll for one and the same
// failure ("read tcp 127.0.0.1:47958->127.0.0.1:8080: …").
func TestResetNamesNoLocalPort(t *testing.T) {
	for _, tt := range []struct{ name, head string }{
		{"before the answer", ""},
		{"in the body", "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 4096\r\n\r\n<rss version=\"2.0\"><channel>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newResetter(t, tt.head)
			f := newFetcher(t, Options{})
			url := "http://" + r.addr + "/feed"
			for range 2 {
				_, err := f.Fetch(t.Context(), Request{URL: url})
				if err == nil {
					t.Fatalf("Fetch(%s) = nil error; want the reset", url)
				}
				r.mu.Lock()
				ports := append([]string(nil), r.ports...)
				r.mu.Unlock()
				for _, port := range ports {
					if strings.Contains(err.Error(), ":"+port) {
						t.Errorf("Fetch(%s) = %q; want no local port (%s) in it", url, err, port)
					}
				}
				if !strings.Contains(err.Error(), r.addr) {
					t.Errorf("Fetch(%s) = %q; want the server's address in it", url, err)
				}
			}
		})
	}
}
