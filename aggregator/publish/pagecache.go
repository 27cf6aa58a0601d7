package publish

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// htmlPage is a rendered web page, in both codings, kept while what it
// shows is unchanged.
type htmlPage struct {
	key          pageKey
	body, gz     []byte
	etag, gzETag string
}

// pageKey is what a page was rendered from: the configuration, the
// generations of what it shows (the store's and the topics'), and the
// clock's second, since a source's state turns with the time (a backoff
// ends, a rate moves). Two requests in the same second with nothing
// written between them get the same bytes.
type pageKey struct {
	s        *state
	gen, sub uint64
	sec      int64
}

// pageCache holds one page. A front page lists every source, and costs
// tens of milliseconds to render at a thousand of them: rendered once a
// key, a visitor reloading it, or many asking at once, cost the daemon one
// render, not one each.
type pageCache struct {
	mu   sync.Mutex
	page *htmlPage
}

// get returns the page rendered for key, rendering it if the kept one is
// for another key. Requests that ask meanwhile wait for that one render.
// render reports whether its page may be kept: a page rendered around an
// error is served once and rendered again for the next request.
func (c *pageCache) get(key pageKey, render func() ([]byte, bool, error)) (*htmlPage, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if pg := c.page; pg != nil && pg.key == key {
		return pg, nil
	}
	body, keep, err := render()
	if err != nil {
		return nil, err
	}
	pg := newHTMLPage(key, body)
	if keep {
		c.page = pg
	}
	return pg, nil
}

func newHTMLPage(key pageKey, body []byte) *htmlPage {
	var zb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&zb, gzip.BestSpeed)
	zw.Write(body) //nolint:errcheck // writes to memory
	zw.Close()     //nolint:errcheck // writes to memory
	etag := etagOf(body)
	return &htmlPage{key: key, body: body, gz: zb.Bytes(), etag: etag, gzETag: strings.TrimSuffix(etag, `"`) + `-gz"`}
}

// keyAt is a page key at the publisher's clock.
func (p *Publisher) keyAt(s *state, gen, sub uint64) pageKey {
	return pageKey{s: s, gen: gen, sub: sub, sec: p.clock().Unix()}
}

// servePage writes a web page: gzipped when the client takes it, with an
// entity tag of each coding, and 304 to a client holding either.
func (p *Publisher) servePage(w http.ResponseWriter, r *http.Request, pg *htmlPage) {
	hdr := w.Header()
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("Vary", "Accept-Encoding")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Content-Security-Policy", pagePolicy)
	hdr.Set("Referrer-Policy", "no-referrer")
	body, etag, other := pg.body, pg.etag, pg.gzETag
	if ae := r.Header["Accept-Encoding"]; len(ae) > 0 && acceptsGzip(ae) {
		body, etag, other = pg.gz, pg.gzETag, pg.etag
		hdr.Set("Content-Encoding", "gzip")
	}
	hdr.Set("ETag", etag)
	if preconditionFailed(r, etag, time.Time{}) {
		preconditionFailedError(w)
		return
	}
	// A client holding the other coding holds the same page, and the 304
	// names the tag it holds.
	if notModified(r, time.Time{}, time.Time{}, pg.etag, pg.gzETag) {
		hdr.Del("Content-Encoding")
		hdr.Set("ETag", heldTag(r, etag, other))
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body) //nolint:errcheck // the client went away
	}
}

// renderPage executes the named page template.
func renderPage(name string, data any) ([]byte, error) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
