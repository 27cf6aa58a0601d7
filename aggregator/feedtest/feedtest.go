// Package feedtest provides a feed origin for tests: a real HTTP server on
// loopback, like net/http/httptest, with well-behaved feed routes and
// ready-made hostile ones (slow, huge, gzip bombs, redirect loops, error
// statuses, HTML instead of a feed), and a log of every request it saw.
//
// Routes are exact paths; the query string is ignored for routing. A path
// with no route answers 404. Registering a path again replaces its route.
//
//	o := feedtest.NewOrigin(t)
//	o.Feed("/feed.xml", "application/rss+xml", rss)
//	o.Status("/busy", http.StatusTooManyRequests, "120")
//	res, err := fetcher.Fetch(ctx, fetch.Request{URL: o.URL("/feed.xml")})
//	if o.Count("/feed.xml") != 1 { … }
package feedtest

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Logged is one request as the origin received it.
type Logged struct {
	Time   time.Time
	Method string
	Path   string
	Header http.Header // a copy
}

// Origin is a loopback HTTP server serving registered routes. Its methods
// are safe for concurrent use.
type Origin struct {
	srv  *httptest.Server
	quit chan struct{} // closed at cleanup so that endless handlers return

	mu          sync.Mutex
	routes      map[string]http.Handler
	feeds       map[string]*feed
	log         []Logged
	counts      map[string]int
	inFlight    int
	maxInFlight int
}

// NewOrigin starts an Origin on a loopback address and stops it when the test
// ends.
func NewOrigin(t testing.TB) *Origin {
	t.Helper()
	o := &Origin{
		quit:   make(chan struct{}),
		routes: make(map[string]http.Handler),
		feeds:  make(map[string]*feed),
		counts: make(map[string]int),
	}
	o.srv = httptest.NewServer(http.HandlerFunc(o.serve))
	t.Cleanup(func() {
		close(o.quit)
		o.srv.CloseClientConnections()
		o.srv.Close()
	})
	return o
}

// URL returns the absolute URL of path on the origin, such as
// "http://127.0.0.1:41234/feed.xml".
func (o *Origin) URL(path string) string {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return o.srv.URL + path
}

// Host returns the origin's host and port.
func (o *Origin) Host() string { return strings.TrimPrefix(o.srv.URL, "http://") }

// Requests returns a copy of the request log, oldest first.
func (o *Origin) Requests() []Logged {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]Logged, len(o.log))
	for i, l := range o.log {
		l.Header = l.Header.Clone()
		out[i] = l
	}
	return out
}

// RequestsTo returns the logged requests for path, oldest first.
func (o *Origin) RequestsTo(path string) []Logged {
	var out []Logged
	for _, l := range o.Requests() {
		if l.Path == path {
			out = append(out, l)
		}
	}
	return out
}

// Count returns how many requests for path the origin received.
func (o *Origin) Count(path string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.counts[path]
}

// MaxInFlight returns the largest number of requests the origin was handling
// at one moment.
func (o *Origin) MaxInFlight() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.maxInFlight
}

// Handle serves path with h.
func (o *Origin) Handle(path string, h http.HandlerFunc) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.routes[path] = h
	delete(o.feeds, path)
}

func (o *Origin) serve(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	o.log = append(o.log, Logged{Time: time.Now(), Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone()})
	o.counts[r.URL.Path]++
	o.inFlight++
	o.maxInFlight = max(o.maxInFlight, o.inFlight)
	h := o.routes[r.URL.Path]
	o.mu.Unlock()
	defer func() {
		o.mu.Lock()
		o.inFlight--
		o.mu.Unlock()
	}()
	if h == nil {
		http.NotFound(w, r)
		return
	}
	h.ServeHTTP(w, r)
}

// feed is a body served with validators.
type feed struct {
	contentType string
	body        []byte
	etag        string
	modified    time.Time
	gzip        bool
}

// Feed serves body at path with the given Content-Type, a strong ETag (a
// digest of the body) and a Last-Modified time, and answers If-None-Match
// and If-Modified-Since with 304 Not Modified (If-None-Match takes
// precedence, per RFC 9110). HEAD and Range requests work too.
func (o *Origin) Feed(path, contentType string, body []byte) {
	o.setFeed(path, &feed{contentType: contentType, body: bytes.Clone(body)})
}

// GzipFeed is Feed with the body sent gzip-encoded to clients that accept
// gzip. The gzip representation has its own ETag.
func (o *Origin) GzipFeed(path, contentType string, body []byte) {
	o.setFeed(path, &feed{contentType: contentType, body: bytes.Clone(body), gzip: true})
}

// SetFeed replaces the body of the feed at path, registered with Feed or
// GzipFeed, keeping its content type. Its ETag changes with the body and its
// Last-Modified moves forward by at least one second. It panics when path has
// no feed.
func (o *Origin) SetFeed(path string, body []byte) {
	o.mu.Lock()
	old := o.feeds[path]
	o.mu.Unlock()
	if old == nil {
		panic(fmt.Sprintf("feedtest: SetFeed(%q): no feed registered at that path", path))
	}
	f := &feed{contentType: old.contentType, body: bytes.Clone(body), gzip: old.gzip}
	f.modified = time.Now().UTC().Truncate(time.Second)
	if next := old.modified.Add(time.Second); f.modified.Before(next) {
		f.modified = next
	}
	o.setFeed(path, f)
}

func (o *Origin) setFeed(path string, f *feed) {
	sum := sha256.Sum256(f.body)
	f.etag = `"` + hex.EncodeToString(sum[:8]) + `"`
	if f.modified.IsZero() {
		f.modified = time.Now().UTC().Truncate(time.Second)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.feeds[path] = f
	o.routes[path] = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		cur := o.feeds[path]
		o.mu.Unlock()
		cur.serve(w, r)
	})
}

func (f *feed) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", f.contentType)
	body, etag := f.body, f.etag
	if f.gzip {
		w.Header().Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			body = gzipBytes(body)
			etag = strings.TrimSuffix(etag, `"`) + `-gzip"`
			w.Header().Set("Content-Encoding", "gzip")
		}
	}
	w.Header().Set("ETag", etag)
	http.ServeContent(w, r, "", f.modified, bytes.NewReader(body))
}

func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if strings.EqualFold(strings.TrimSpace(coding), "gzip") && strings.ReplaceAll(params, " ", "") != "q=0" {
				return true
			}
		}
	}
	return false
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// rssHead opens an RSS document; hostile routes start their bodies with it
// so that a client sees a plausible feed.
const rssHead = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
	`<rss version="2.0"><channel><title>feedtest</title><link>http://feedtest.invalid/</link><description>d</description>` + "\n"

// Slow serves path as a feed whose bytes trickle out one every delay, with
// the headers sent at once, until the client goes away or the origin stops.
// A client without a whole-request timeout never finishes.
func (o *Origin) Slow(path string, delay time.Duration) {
	o.Handle(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.WriteHeader(http.StatusOK)
		rc := http.NewResponseController(w)
		_ = rc.Flush()
		t := time.NewTicker(delay)
		defer t.Stop()
		for i := 0; ; i++ {
			select {
			case <-r.Context().Done():
				return
			case <-o.quit:
				return
			case <-t.C:
			}
			if _, err := w.Write([]byte{rssHead[i%len(rssHead)]}); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
		}
	})
}

// Stall accepts requests at path and never answers, not even with headers,
// until the client goes away or the origin stops.
func (o *Origin) Stall(path string) {
	o.Handle(path, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-o.quit:
		}
	})
}

// Huge serves path as an RSS document of n bytes (padded with an XML
// comment), streamed without a Content-Length so that only a client-side cap
// stops it.
func (o *Origin) Huge(path string, n int64) {
	o.Handle(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = io.Copy(w, io.LimitReader(hugeReader(), n))
	})
}

// hugeReader returns an endless RSS document: a head, then an XML comment
// that never ends.
func hugeReader() io.Reader {
	return io.MultiReader(strings.NewReader(rssHead+"<!-- "), padding{})
}

// padding is an endless reader of 'x' bytes.
type padding struct{}

func (padding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// GzipBomb serves path with Content-Encoding gzip: a small compressed body
// that inflates to n bytes of RSS, whatever the request's Accept-Encoding.
// The body is a valid multi-member gzip stream (RFC 1952), built once, here,
// from one precompressed mebibyte repeated, so even a bomb of gigabytes costs
// the test almost nothing to build.
func (o *Origin) GzipBomb(path string, n int64) {
	bomb := gzipBomb(n)
	o.Handle(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(bomb)))
		_, _ = w.Write(bomb)
	})
}

const bombChunkSize = 1 << 20

// bombChunk is one gzip member holding bombChunkSize bytes of padding.
var bombChunk = sync.OnceValue(func() []byte {
	return gzipBytes(bytes.Repeat([]byte{'x'}, bombChunkSize))
})

// gzipBomb returns gzip members that inflate to the first n bytes of
// hugeReader's document.
func gzipBomb(n int64) []byte {
	head := rssHead + "<!-- "
	if n <= int64(len(head)) {
		return gzipBytes([]byte(head[:n]))
	}
	out := gzipBytes([]byte(head))
	n -= int64(len(head))
	for ; n >= bombChunkSize; n -= bombChunkSize {
		out = append(out, bombChunk()...)
	}
	if n > 0 {
		out = append(out, gzipBytes(bytes.Repeat([]byte{'x'}, int(n)))...)
	}
	return out
}

// RedirectLoop makes path redirect (302) to path?loop=1, which redirects back
// to path, for ever.
func (o *Origin) RedirectLoop(path string) {
	o.Handle(path, func(w http.ResponseWriter, r *http.Request) {
		to := path + "?loop=1"
		if r.URL.Query().Get("loop") != "" {
			to = path
		}
		http.Redirect(w, r, to, http.StatusFound)
	})
}

// Redirect makes path redirect to `to` (a path on the origin or an absolute
// URL) with the given 3xx code.
func (o *Origin) Redirect(path, to string, code int) {
	o.Handle(path, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, to, code)
	})
}

// Status makes path answer with code and a short text body, and with a
// Retry-After header when retryAfter is not empty (seconds or an HTTP-date,
// sent verbatim).
func (o *Origin) Status(path string, code int, retryAfter string) {
	o.Handle(path, func(w http.ResponseWriter, r *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		http.Error(w, http.StatusText(code), code)
	})
}

// HTML serves path as an HTML page that names its feed in a
// <link rel="alternate" type="application/rss+xml" href="alternateHref">, the
// way sites advertise feeds for autodiscovery.
func (o *Origin) HTML(path, alternateHref string) {
	page := fmt.Sprintf(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>feedtest page</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="Feed" href="%s">
</head><body><h1>feedtest page</h1><p>Not a feed.</p></body></html>
`, html.EscapeString(alternateHref))
	o.Handle(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, page)
	})
}
