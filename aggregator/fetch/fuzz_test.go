package fetch

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// fuzzMaxBytes is the body cap of FuzzFetch's Fetcher.
const fuzzMaxBytes = 4096

// FuzzFetch answers one request with whatever bytes the fuzzer makes — a
// status line, headers and a body in any state of repair — and holds the
// Fetcher to its promises: no panic, no body past MaxBytes, an error unless
// the answer was 2xx or 304, and cache lifetimes within their caps.
// Redirects are not followed, so no input can send a request off loopback.
func FuzzFetch(f *testing.F) {
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(strings.Repeat("<rss/>", 2000))) // inflates past the cap
	w.Close()
	for _, seed := range []string{
		"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 6\r\n\r\n<rss/>",
		"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nLast-Modified: Mon, 02 Jan 2006 15:04:05 GMT\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n<rss/>\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n" + gz.String(),
		"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n\r\n\x78\x9c\x03\x00",
		"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 99999999999999999999\r\n\r\n",
		"HTTP/1.1 503 Unavailable\r\nRetry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n\r\n",
		"HTTP/1.1 200 OK\r\nCache-Control: max-age=10000000000\r\nExpires: 0\r\n\r\n<rss/>",
		"HTTP/1.1 301 Moved Permanently\r\nLocation: /elsewhere\r\n\r\n",
		"HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\n\r\n<title>Just a\x1b[0m moment&hellip;\u202e</title>",
		"HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n\r\n{\"error\":{\"message\":\"slow\\u0000 down\"}}",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n<rss/>",
		"HTTP/1.0 200 OK\r\n\r\n" + strings.Repeat("x", 2*fuzzMaxBytes),
		"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort",
		"HTTP/1.1 200 OK\r\nContent-Type: \xbcChArset\r\n\r\n<rss/>",
		"not HTTP at all",
		"",
	} {
		f.Add([]byte(seed))
	}
	addr, err := fuzzOrigin()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, response []byte) {
		fuzzResponse.Store(&response)
		fe := New(Options{
			Timeout: 2 * time.Second, MaxBytes: fuzzMaxBytes, MaxRedirects: -1,
			AllowNetworks: loopback, PerHost: -1,
		})
		res, err := fe.Fetch(t.Context(), Request{URL: "http://" + addr + "/feed.xml", ETag: `"e"`})
		fe.CloseIdleConnections()

		if len(res.Body) > fuzzMaxBytes {
			t.Fatalf("Fetch returned a body of %d bytes; the cap is %d", len(res.Body), fuzzMaxBytes)
		}
		if err == nil && !res.NotModified && (res.Status < 200 || res.Status > 299) {
			t.Fatalf("Fetch returned no error for status %d", res.Status)
		}
		if res.NotModified && len(res.Body) != 0 {
			t.Fatalf("Fetch returned a 304 with a %d-byte body", len(res.Body))
		}
		if res.MaxAge < 0 || res.MaxAge > maxRetryAfter {
			t.Fatalf("Fetch returned max-age %v; want within [0, %v]", res.MaxAge, maxRetryAfter)
		}
		var se *StatusError
		if errors.As(err, &se) && (se.RetryAfter < 0 || se.RetryAfter > maxRetryAfter) {
			t.Fatalf("Fetch returned Retry-After %v; want within [0, %v]", se.RetryAfter, maxRetryAfter)
		}
		// What the page says is shown on terminals and web pages: one
		// line of text, short, without controls.
		if se != nil && (len(se.Says) > maxSays+len(" …") || !utf8.ValidString(se.Says) ||
			strings.ContainsFunc(se.Says, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) })) {
			t.Fatalf("Fetch returned a status error saying %q; want at most %d bytes of text on one line", se.Says, maxSays)
		}
	})
}

// fuzzResponse is what FuzzFetch's origin answers every request with.
var fuzzResponse atomic.Pointer[[]byte]

// fuzzOrigin starts, once per process, a loopback listener that answers
// each connection's request with fuzzResponse. One listener serves every
// input: a listener an input would leave thousands of sockets waiting out
// TIME_WAIT and run the machine out of ports.
var fuzzOrigin = sync.OnceValues(func() (addr string, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveFuzz(c, *fuzzResponse.Load())
		}
	}()
	return ln.Addr().String(), nil
})

func serveFuzz(c net.Conn, response []byte) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	// Read the request's head before answering, as a server does.
	br := bufio.NewReader(c)
	for {
		line, err := br.ReadString('\n')
		if err != nil || line == "\r\n" {
			break
		}
	}
	c.Write(response)
	// Let the client close first: its side then waits out TIME_WAIT,
	// which Linux lets a new connection on loopback reuse.
	c.(*net.TCPConn).CloseWrite()
	io.Copy(io.Discard, br)
}
