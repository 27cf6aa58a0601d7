package bench

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestLoadCountsRequestsAndBytes(t *testing.T) {
	small := strings.Repeat("a", 100)     // sent with Content-Length
	large := strings.Repeat("b", 200<<10) // sent chunked: larger than the server's buffer
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		body := small
		if r.URL.Query().Get("size") == "large" {
			body = large
		}
		if r.URL.Query().Get("close") == "1" {
			w.Header().Set("Connection", "close")
		}
		w.Write([]byte(body))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	for _, tc := range []struct {
		name   string
		query  string
		header http.Header
		want   int
		size   int
		redial bool
	}{
		{"content-length", "", nil, http.StatusOK, len(small), false},
		{"chunked", "?size=large", nil, http.StatusOK, len(large), false},
		{"not modified", "", http.Header{"If-None-Match": {`"v1"`}}, http.StatusNotModified, 0, false},
		{"connection close", "?close=1", nil, http.StatusOK, len(small), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := conns.Load()
			const conc, requests = 4, 40
			res, err := Load(context.Background(), LoadOptions{
				URL: srv.URL + "/feed" + tc.query, Header: tc.header, Want: tc.want,
				Conns: conc, Requests: requests, Warmup: conc,
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Requests != requests {
				t.Errorf("requests = %d, want %d", res.Requests, requests)
			}
			if want := int64(requests * tc.size); res.Bytes != want {
				t.Errorf("bytes = %d, want %d", res.Bytes, want)
			}
			if res.RPS <= 0 || res.P99 < res.P50 || res.P50 <= 0 {
				t.Errorf("rps %v, p50 %v, p99 %v", res.RPS, res.P50, res.P99)
			}
			opened := conns.Load() - before
			if tc.redial && opened < requests {
				t.Errorf("%d connections opened for %d answers that closed theirs", opened, requests+conc)
			}
			// Each worker dials when it first takes a request, and on a
			// busy machine one may find none left: kept alive, the
			// answers took at most one connection a worker.
			if !tc.redial && (opened < 1 || opened > conc) {
				t.Errorf("%d connections opened for %d requests on %d kept alive", opened, requests+conc, conc)
			}
		})
	}
}

func TestLoadFailsOnAnotherStatus(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	_, err := Load(context.Background(), LoadOptions{URL: srv.URL, Conns: 2, Requests: 10})
	if err == nil || !strings.Contains(err.Error(), "status 404, want 200") {
		t.Fatalf("err = %v, want a status error", err)
	}
}

func TestLoadEndsWhenCancelled(t *testing.T) {
	release := make(chan struct{}) // every answer waits past the context's end
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Load(ctx, LoadOptions{URL: srv.URL, Conns: 2, Requests: 10})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Load took %v after its context ended", d)
	}
}

func TestReadAnswer(t *testing.T) {
	for _, tc := range []struct {
		name, in  string
		status    int
		n         int64
		keep      bool
		err       string
		restAfter string // what the reader holds after the answer
	}{
		{name: "length", in: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcNEXT", status: 200, n: 3, keep: true, restAfter: "NEXT"},
		{name: "header case", in: "HTTP/1.1 200 OK\r\ncontent-LENGTH:  2 \r\nconnection: Close\r\n\r\nab", status: 200, n: 2},
		{name: "chunked with extension and trailer", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nabcd\r\n2\r\nef\r\n0\r\nX-Trailer: 1\r\n\r\nNEXT", status: 200, n: 6, keep: true, restAfter: "NEXT"},
		{name: "interim answer", in: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nNEXT", status: 204, keep: true, restAfter: "NEXT"},
		{name: "not modified has no body", in: "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\nNEXT", status: 304, keep: true, restAfter: "NEXT"},
		{name: "body until close", in: "HTTP/1.1 200 OK\r\n\r\nabcdef", status: 200, n: 6},
		{name: "http/1.0", in: "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\na", status: 200, n: 1},
		{name: "closed before answer", in: "", err: "connection closed before the answer"},
		{name: "bad status line", in: "SPDY 200\r\n\r\n", err: "malformed status line"},
		{name: "bad length", in: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", err: "bad Content-Length"},
		{name: "bad chunk", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", err: "bad chunk size"},
		{name: "short body", in: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", err: "EOF"},
		{name: "gzip transfer", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", err: "unsupported Transfer-Encoding"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			br := bufio.NewReader(strings.NewReader(tc.in))
			status, n, keep, err := readAnswer(br)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if status != tc.status || n != tc.n || keep != tc.keep {
				t.Errorf("got status %d, %d bytes, keep %v; want %d, %d, %v", status, n, keep, tc.status, tc.n, tc.keep)
			}
			rest, _ := io.ReadAll(br)
			if string(rest) != tc.restAfter {
				t.Errorf("left %q unread, want %q", rest, tc.restAfter)
			}
		})
	}
}
