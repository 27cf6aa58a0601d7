package feedtest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
)

const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>a</title></item></channel></rss>`

// get performs a GET with optional headers and returns the response with its
// body read.
func get(t *testing.T, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	// A transport of its own, without automatic gzip decoding, so that
	// the test sees the bytes as sent.
	client := &http.Client{
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", url, err)
	}
	return resp, body
}

func TestFeedConditional(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/feed.xml", "application/rss+xml", []byte(rss))

	resp, body := get(t, o.URL("/feed.xml"), nil)
	if resp.StatusCode != 200 || string(body) != rss {
		t.Fatalf("GET /feed.xml = %d %q; want 200 with the feed", resp.StatusCode, body)
	}
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if !strings.HasPrefix(etag, `"`) || lm == "" {
		t.Fatalf("GET /feed.xml: ETag %q, Last-Modified %q; want a strong ETag and a date", etag, lm)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/rss+xml" {
		t.Errorf("Content-Type = %q; want application/rss+xml", ct)
	}

	tests := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"matching etag", map[string]string{"If-None-Match": etag}, 304},
		{"etag in a list", map[string]string{"If-None-Match": `"zzz", ` + etag}, 304},
		{"other etag", map[string]string{"If-None-Match": `"other"`}, 200},
		{"matching date", map[string]string{"If-Modified-Since": lm}, 304},
		{"older date", map[string]string{"If-Modified-Since": "Mon, 02 Jan 2006 15:04:05 GMT"}, 200},
		{"etag wins over date", map[string]string{"If-None-Match": `"other"`, "If-Modified-Since": lm}, 200},
	}
	for _, tt := range tests {
		resp, body := get(t, o.URL("/feed.xml"), tt.header)
		if resp.StatusCode != tt.want {
			t.Errorf("%s: GET with %v = %d; want %d", tt.name, tt.header, resp.StatusCode, tt.want)
		}
		if tt.want == 304 && len(body) != 0 {
			t.Errorf("%s: 304 with a body of %d bytes", tt.name, len(body))
		}
	}

	o.SetFeed("/feed.xml", []byte(rss+"\n"))
	resp, body = get(t, o.URL("/feed.xml"), map[string]string{"If-None-Match": etag, "If-Modified-Since": lm})
	if resp.StatusCode != 200 || string(body) != rss+"\n" {
		t.Fatalf("after SetFeed, conditional GET = %d %q; want 200 with the new body", resp.StatusCode, body)
	}
	if got := resp.Header.Get("ETag"); got == etag {
		t.Errorf("after SetFeed, ETag = %q; want a new one", got)
	}
	newLM, _ := http.ParseTime(resp.Header.Get("Last-Modified"))
	oldLM, _ := http.ParseTime(lm)
	if !newLM.After(oldLM) {
		t.Errorf("after SetFeed, Last-Modified = %v; want after %v", newLM, oldLM)
	}
	if got, want := o.Count("/feed.xml"), 1+len(tests)+1; got != want {
		t.Errorf("Count(/feed.xml) = %d; want %d", got, want)
	}
	logged := o.RequestsTo("/feed.xml")
	if len(logged) != o.Count("/feed.xml") || logged[1].Header.Get("If-None-Match") != etag || logged[1].Method != "GET" {
		t.Errorf("RequestsTo(/feed.xml) = %d entries, second If-None-Match %q; want %d, %q",
			len(logged), logged[1].Header.Get("If-None-Match"), o.Count("/feed.xml"), etag)
	}
}

func TestGzipFeed(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.GzipFeed("/g.xml", "application/rss+xml", []byte(rss))

	resp, body := get(t, o.URL("/g.xml"), map[string]string{"Accept-Encoding": "gzip"})
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("GET /g.xml accepting gzip: Content-Encoding %q; want gzip", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || string(plain) != rss {
		t.Fatalf("gunzip(body) = %q, %v; want the feed", plain, err)
	}
	gzETag := resp.Header.Get("ETag")
	resp, _ = get(t, o.URL("/g.xml"), map[string]string{"Accept-Encoding": "gzip", "If-None-Match": gzETag})
	if resp.StatusCode != 304 {
		t.Errorf("conditional GET /g.xml = %d; want 304", resp.StatusCode)
	}

	resp, body = get(t, o.URL("/g.xml"), nil)
	if resp.Header.Get("Content-Encoding") != "" || string(body) != rss || resp.Header.Get("ETag") == gzETag {
		t.Errorf("GET /g.xml without gzip = encoding %q, body %q, etag %q; want identity, the feed, another etag",
			resp.Header.Get("Content-Encoding"), body, resp.Header.Get("ETag"))
	}
}

func TestHostileRoutes(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Huge("/huge", 1<<20)
	o.GzipBomb("/bomb", 4<<20+123)
	o.Status("/busy", 429, "120")
	o.Status("/gone", 410, "")
	o.Redirect("/old", "/new", 301)
	o.RedirectLoop("/loop")
	o.HTML("/page", "/feed.xml?a=1&b=2")

	resp, body := get(t, o.URL("/huge"), nil)
	if len(body) != 1<<20 || !strings.HasPrefix(string(body), "<?xml") || resp.ContentLength != -1 {
		t.Errorf("GET /huge: %d bytes, content-length %d; want %d bytes of XML, no length", len(body), resp.ContentLength, 1<<20)
	}

	resp, body = get(t, o.URL("/bomb"), nil)
	if resp.Header.Get("Content-Encoding") != "gzip" || len(body) > 64<<10 {
		t.Fatalf("GET /bomb: encoding %q, %d wire bytes; want gzip, small", resp.Header.Get("Content-Encoding"), len(body))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || len(plain) != 4<<20+123 || !strings.HasPrefix(string(plain), "<?xml") {
		t.Errorf("gunzip(/bomb) = %d bytes starting %.10q, %v; want %d bytes of XML", len(plain), plain, err, 4<<20+123)
	}

	resp, _ = get(t, o.URL("/busy"), nil)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "120" {
		t.Errorf("GET /busy = %d, Retry-After %q; want 429, 120", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	resp, _ = get(t, o.URL("/gone"), nil)
	if resp.StatusCode != 410 || resp.Header.Get("Retry-After") != "" {
		t.Errorf("GET /gone = %d, Retry-After %q; want 410, none", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	resp, _ = get(t, o.URL("/old"), nil)
	if resp.StatusCode != 301 || resp.Header.Get("Location") != "/new" {
		t.Errorf("GET /old = %d, Location %q; want 301, /new", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = get(t, o.URL("/loop"), nil)
	loc := resp.Header.Get("Location")
	resp2, _ := get(t, o.URL(loc), nil)
	if resp.StatusCode != 302 || loc != "/loop?loop=1" || resp2.Header.Get("Location") != "/loop" {
		t.Errorf("GET /loop = %d to %q, then to %q; want 302 to /loop?loop=1, then back to /loop",
			resp.StatusCode, loc, resp2.Header.Get("Location"))
	}
	resp, body = get(t, o.URL("/page"), nil)
	want := `<link rel="alternate" type="application/rss+xml" title="Feed" href="/feed.xml?a=1&amp;b=2">`
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), want) {
		t.Errorf("GET /page = %q: %s; want HTML containing %s", resp.Header.Get("Content-Type"), body, want)
	}
	resp, _ = get(t, o.URL("/nothing"), nil)
	if resp.StatusCode != 404 {
		t.Errorf("GET /nothing = %d; want 404", resp.StatusCode)
	}
}

func TestSlowTrickles(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Slow("/slow", 10*time.Millisecond)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, o.URL("/slow"), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET /slow: %v; want headers at once", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("reading /slow: err %v; want the deadline to cut it", err)
	}
	if len(body) == 0 || len(body) > 30 || !strings.HasPrefix(`<?xml version="1.0" encoding="UTF-8"?>`, string(body)) {
		t.Errorf("reading /slow for 200ms at one byte per 10ms got %q; want a short prefix of an XML document", body)
	}
}

func TestStallAndMaxInFlight(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Stall("/stall")
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, o.URL("/stall"), nil)
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
				t.Errorf("GET /stall answered %d; want no answer", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	if got := o.MaxInFlight(); got != 3 {
		t.Errorf("MaxInFlight() = %d; want 3 (three stalled requests at once)", got)
	}
	if got := o.Count("/stall"); got != 3 {
		t.Errorf("Count(/stall) = %d; want 3", got)
	}
}

func TestHandleAndURL(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Handle("/h", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "one") })
	o.Handle("/h", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "two") })
	if _, body := get(t, o.URL("h"), nil); string(body) != "two" {
		t.Errorf("GET /h after re-registering = %q; want two", body)
	}
	if got := o.URL("/x"); got != "http://"+o.Host()+"/x" {
		t.Errorf("URL(/x) = %q; want http://%s/x", got, o.Host())
	}
}
