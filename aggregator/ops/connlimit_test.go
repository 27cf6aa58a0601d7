package ops_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator/ops"
)

// serveLimited serves h on a loopback listener limited to n connections
// until the test ends, and returns the limit and its address.
func serveLimited(t *testing.T, n int, h http.Handler) (*ops.ConnLimit, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := ops.NewConnLimit(ln, n)
	srv := &http.Server{Handler: h, ConnState: l.ConnState, ReadHeaderTimeout: time.Minute}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve returned %v", err)
		}
	})
	return l, ln.Addr().String()
}

// halfRequest opens a connection that sends part of a request's headers
// and never the rest, as a slow or hostile client does.
func halfRequest(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestConnLimitClosesWaitingConnections holds the listener at its limit with
// clients that never finish their headers: a reader that comes next is
// served, and the connection that waited longest is the one closed.
func TestConnLimitClosesWaitingConnections(t *testing.T) {
	var maxOpen atomic.Int64
	var l *ops.ConnLimit
	l, addr := serveLimited(t, 2, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n := int64(l.Open()); n > maxOpen.Load() {
			maxOpen.Store(n)
		}
		io.WriteString(w, "ok")
	}))
	first := halfRequest(t, addr)
	halfRequest(t, addr)

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for i := range 3 {
		resp, err := client.Get("http://" + addr + "/")
		if err != nil {
			t.Fatalf("GET %d at the limit: %v", i, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(body) != "ok" {
			t.Fatalf("GET %d at the limit = %d %q; want 200 \"ok\"", i, resp.StatusCode, body)
		}
	}
	// The deadline only keeps a broken limit from hanging the test.
	first.SetReadDeadline(time.Now().Add(30 * time.Second))
	var ne net.Error
	if n, err := first.Read(make([]byte, 1)); n != 0 || err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Errorf("the connection waiting longest: Read = %d, %v; want it closed", n, err)
	}
	if got := maxOpen.Load(); got > 2 {
		t.Errorf("%d connections open at once; want at most 2", got)
	}
	if got := l.ClosedQuiet(); got < 1 {
		t.Errorf("ClosedQuiet() = %d; want at least 1", got)
	}
}

// TestConnLimitKeepsRequestsInProgress holds the only connection with a
// request in progress: the next client is not accepted beside it, nor is
// the request cut to make room, and it is served once the first is done.
func TestConnLimitKeepsRequestsInProgress(t *testing.T) {
	entered := make(chan struct{}, 2)
	release := make(chan struct{})
	var inHandler, most atomic.Int64
	l, addr := serveLimited(t, 1, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inHandler.Add(1)
		defer inHandler.Add(-1)
		if n > most.Load() {
			most.Store(n)
		}
		entered <- struct{}{}
		<-release
		io.WriteString(w, "ok")
	}))
	get := func() (string, error) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return "", err
		}
		defer c.Close()
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); err != nil {
			return "", err
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	results := make(chan string, 2)
	go func() { b, err := get(); results <- b + errString(err) }()
	<-entered
	go func() { b, err := get(); results <- b + errString(err) }()
	close(release)
	for range 2 {
		if got := <-results; got != "ok" {
			t.Errorf("GET = %q; want \"ok\"", got)
		}
	}
	if got := most.Load(); got != 1 {
		t.Errorf("%d requests in progress at once; want 1", got)
	}
	if got := l.ClosedQuiet(); got != 0 {
		t.Errorf("ClosedQuiet() = %d; want 0", got)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return " " + err.Error()
}
