package ops_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator/ops"
)

// TestIgnoreBody sends GET requests with bodies no endpoint reads to a
// server whose read timeout is an hour: a chunked body never finished is
// answered at once, as any request is, and its connection closed; a small
// body sent whole is dropped and its connection kept for the next request.
// The handler, like those of the feeds' older pages and of /api/, answers
// only while the request's context lives: the server cancelled it when
// the body's read timed out, and the answer was an empty 200 or a 500.
func TestIgnoreBody(t *testing.T) {
	srv := httptest.NewUnstartedServer(ops.IgnoreBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.Context().Err(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		io.WriteString(w, "ok")
	})))
	srv.Config.ReadTimeout = time.Hour
	srv.Start()
	t.Cleanup(srv.Close)

	dial := func() (net.Conn, *bufio.Reader) {
		t.Helper()
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		// The deadline only keeps a broken server from hanging the test
		// for its read timeout.
		c.SetDeadline(time.Now().Add(30 * time.Second))
		return c, bufio.NewReader(c)
	}
	expectOK := func(what string, br *bufio.Reader) *http.Response {
		t.Helper()
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%s: reading the answer: %v", what, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || string(body) != "ok" {
			t.Fatalf("%s = %d %q, %v; want 200 \"ok\"", what, resp.StatusCode, body, err)
		}
		return resp
	}

	c, br := dial()
	io.WriteString(c, "GET /topics/all.atom HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
	resp := expectOK("GET with an unfinished chunked body", br)
	if !resp.Close {
		t.Error("GET with an unfinished chunked body: connection kept; want it closed")
	}
	if n, err := br.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("GET with an unfinished chunked body: after the answer, Read = %d, %v; want EOF", n, err)
	}

	c, br = dial()
	io.WriteString(c, "GET /opml HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
	if resp := expectOK("GET with a small body", br); resp.Close {
		t.Error("GET with a small body: connection closed; want it kept")
	}
	io.WriteString(c, "GET /opml HTTP/1.1\r\nHost: x\r\n\r\n")
	expectOK("GET after one with a small body", br)
}
