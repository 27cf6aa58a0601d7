package publish

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ops"
)

// Health reports whether the daemon is fit to serve: nil while the store is
// open and takes writes and the scheduler runs.
type Health interface {
	Healthy() error
}

// ConfigNoter is what a Health implements to say, on /healthz, that the
// configuration the daemon runs is not the file's: the last reload was
// refused. ConfigNote returns "" when the last reload passed.
type ConfigNoter interface {
	ConfigNote() string
}

// feedCacheControl lets readers and proxies keep a feed for a minute; the
// validators make the next check cheap.
const feedCacheControl = "public, max-age=60"

var errUnknownFormat = errors.New("unknown feed format")

// Handler returns the HTTP handler of every endpoint: / (the front page),
// /topics/{id} (a topic's page), /topics/{id}.rss, .atom and .json (its
// feeds), /opml, /healthz and, when the Publisher's registerer is also a
// prometheus.Gatherer (a *prometheus.Registry), /metrics, limited to the
// server.metrics_allow networks, or to the server's own machine when none
// are set. GET and HEAD are served, and OPTIONS on /topics/ and /opml (a
// browser's CORS preflight of a feed or of the list); other methods get 405. A request body is
// never read, nor waited for long (see ops.IgnoreBody). h may be nil: the
// daemon is then always healthy.
func (p *Publisher) Handler(h Health) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", p.serveIndex)
	mux.HandleFunc("GET /topics/{file}", p.serveTopic)
	mux.HandleFunc("OPTIONS /topics/{file}", p.serveTopicOptions)
	mux.HandleFunc("GET /opml", p.serveOPML)
	mux.HandleFunc("OPTIONS /opml", func(w http.ResponseWriter, r *http.Request) { servePreflight(w, true) })
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { p.serveHealth(w, r, h) })
	if p.m.gatherer != nil {
		metricsHandler := promhttp.HandlerFor(p.m.gatherer, promhttp.HandlerOpts{})
		mux.Handle("GET /metrics", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !p.metricsAllowed(r) {
				http.Error(w, "forbidden", http.StatusForbidden)
				return
			}
			metricsHandler.ServeHTTP(w, r)
		}))
	}
	return uncachedErrors(ops.Recover(p.logger, ops.IgnoreBody(mux)))
}

// uncachedErrors serves h, giving every error answer (a status of 400 or
// more) that names no Cache-Control of its own "Cache-Control: no-store":
// the mux's 404 and 405, a feed's 404 for an unknown topic, its 400 for a
// bad cursor, a 412, a 500, a panic's. A 404 or 405 without one is heuristically cacheable
// (RFC 9110, section 15.1; RFC 9111, section 4.2.2), so a shared cache
// could keep answering 404 for a topic that a reload has since added.
func uncachedErrors(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(&errorHeaders{ResponseWriter: w}, r)
	})
}

// errorHeaders is the ResponseWriter of uncachedErrors.
type errorHeaders struct {
	http.ResponseWriter
}

func (e *errorHeaders) WriteHeader(code int) {
	if hdr := e.Header(); code >= 400 && hdr.Get("Cache-Control") == "" {
		hdr["Cache-Control"] = noStore
	}
	e.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the server's ResponseWriter.
func (e *errorHeaders) Unwrap() http.ResponseWriter { return e.ResponseWriter }

// serveTopic serves /topics/{id}.{rss,atom,json} and the page /topics/{id}.
func (p *Publisher) serveTopic(w http.ResponseWriter, r *http.Request) {
	s := p.state.Load()
	file := r.PathValue("file")
	if tc := s.byID[file]; tc != nil {
		p.serveTopicPage(w, r, s, tc)
		return
	}
	dot := strings.LastIndexByte(file, '.')
	if dot < 0 {
		http.NotFound(w, r)
		return
	}
	id, ext := file[:dot], file[dot:]
	f, okFormat := formatByExt(ext)
	// A web page of another origin reads a feed's errors too, a format
	// that does not exist among them: a web-based reader can then tell a
	// topic that is gone, or a mistyped feed URL (404), from a network
	// failure.
	w.Header()["Access-Control-Allow-Origin"] = anyOrigin
	tc := s.byID[id]
	if tc == nil || !okFormat {
		topicLabel, formatLabel := unknownTopicLabel, unknownFormatLabel
		if tc != nil {
			topicLabel = p.topicLabel(id)
		}
		if okFormat {
			formatLabel = f.String()
		}
		p.m.requests.WithLabelValues(topicLabel, formatLabel, "404").Inc()
		http.NotFound(w, r)
		return
	}
	switch code := p.serveFeed(w, r, s, tc, f); code {
	case http.StatusOK:
		tc.counts[f].ok.Inc()
	case http.StatusNotModified:
		tc.counts[f].notModified.Inc()
		tc.counts[f].notModifiedTotal.Inc()
	default:
		p.m.requests.WithLabelValues(p.topicLabel(id), f.String(), strconv.Itoa(code)).Inc()
	}
}

// anyOrigin is the value of Access-Control-Allow-Origin on feeds, shared
// by every response rather than made for each: it is never changed.
var anyOrigin = []string{"*"}

// serveTopicOptions answers OPTIONS on /topics/{file} with the methods
// allowed, and, for a feed, the preflight a browser sends before a web
// page's request that names its own validators (If-None-Match,
// If-Modified-Since): without it, a web-based reader that revalidates a
// feed itself could not fetch it at all. A topic's page allows no other
// origin. What is a feed is decided as serveTopic decides it (feedRequest),
// a topic or format that does not exist among them: its 404 is readable by
// any origin, so a web-based reader can see it.
func (p *Publisher) serveTopicOptions(w http.ResponseWriter, r *http.Request) {
	servePreflight(w, feedRequest(p.state.Load(), r.PathValue("file")))
}

// feedRequest reports whether serveTopic takes /topics/{file} for a
// request of a feed, known or not, rather than of a topic's page: file is
// no topic's id and has an extension.
func feedRequest(s *state, file string) bool {
	return s.byID[file] == nil && strings.IndexByte(file, '.') >= 0
}

// servePreflight answers OPTIONS with the methods allowed and, when
// crossOrigin, grants a web page of any origin the GET or HEAD that names
// its own validators, as the documents it answers for (the feeds, /opml)
// are readable by any origin.
func servePreflight(w http.ResponseWriter, crossOrigin bool) {
	hdr := w.Header()
	hdr.Set("Allow", "GET, HEAD, OPTIONS")
	if crossOrigin {
		hdr.Set("Access-Control-Allow-Origin", "*")
		hdr.Set("Access-Control-Allow-Methods", "GET, HEAD")
		hdr.Set("Access-Control-Allow-Headers", "If-None-Match, If-Modified-Since")
		hdr.Set("Access-Control-Max-Age", "86400")
	}
	w.WriteHeader(http.StatusNoContent)
}

// serveFeed writes one feed document, or 304, and returns the status code.
// The cached first page is served from prepared bytes and headers.
func (p *Publisher) serveFeed(w http.ResponseWriter, r *http.Request, s *state, tc *topicCache, f format) int {
	var (
		doc *rendered
		err error
	)
	if r.URL.RawQuery != "" && r.URL.Query().Get("before") != "" {
		doc, err = p.renderOlder(r.Context(), s, tc, f, r.URL.Query().Get("before"))
	} else {
		doc, err = p.cached(r.Context(), s, tc, f)
	}
	if errors.Is(err, errBadCursor) {
		http.Error(w, "bad before parameter", http.StatusBadRequest)
		return http.StatusBadRequest
	}
	if err != nil {
		return p.serverError(w, r, err)
	}

	v := &doc.plain
	if ae := r.Header["Accept-Encoding"]; len(ae) > 0 && acceptsGzip(ae) {
		v = &doc.gz
	}
	hdr := w.Header()
	modified := doc.modified
	if doc.shared {
		modified = time.Time{} // the date alone names no one document
	}
	if preconditionFailed(r, v.etag, modified) {
		preconditionFailedError(w)
		return http.StatusPreconditionFailed
	}
	now := p.clock()
	// A document dated while the clock was ahead, which the clock has not
	// reached since it was set right, goes without a Last-Modified, later
	// than the response's Date (RFC 9110, section 8.8.2.1), until the
	// clock passes it: its ETag revalidates it meanwhile. It keeps the
	// date, so that no later change is dated before one a client holds.
	ahead := doc.modified.After(now)
	if notModified(r, modified, now, doc.plain.etag, doc.gz.etag) {
		maps.Copy(hdr, v.notModOK)
		other := doc.gz.etag
		if v == &doc.gz {
			other = doc.plain.etag
		}
		if held := heldTag(r, v.etag, other); held != v.etag {
			hdr["Etag"] = []string{held}
		}
		if ahead {
			delete(hdr, "Last-Modified")
		}
		w.WriteHeader(http.StatusNotModified)
		return http.StatusNotModified
	}
	maps.Copy(hdr, v.header)
	if ahead {
		delete(hdr, "Last-Modified")
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(v.body) //nolint:errcheck // the client went away; nothing to do
	}
	return http.StatusOK
}

// renderOlder returns the page of the topic that starts after the cursor,
// kept or rendered (see olderCache).
//
// An older page has an ETag but no Last-Modified: with no earlier version
// kept to compare with, the date of a change that moved no story's Updated
// (a prune, a story leaving the topic) is not known, and the newest
// Updated would answer 304 to a client holding the page as it was.
func (p *Publisher) renderOlder(ctx context.Context, s *state, tc *topicCache, f format, before string) (*rendered, error) {
	cur, err := parseCursor(before)
	if err != nil {
		return nil, err
	}
	key := p.olderKeyOf(tc, f, cur.String())
	e, err := p.older.render(ctx, key, func() (*olderEntry, error) {
		pg, err := p.buildPage(ctx, s, tc.cfg, &cur)
		if err != nil {
			return nil, err
		}
		r, err := p.render(s, pg, f)
		if err != nil {
			return nil, err
		}
		r.restamp(f, time.Time{})
		return &olderEntry{doc: r, size: len(r.plain.body) + len(r.gz.body), linked: pg.linked && p.linkedTo(tc, key), next: pg.next}, nil
	})
	if err != nil {
		return nil, err
	}
	return e.doc, nil
}

func (p *Publisher) serverError(w http.ResponseWriter, r *http.Request, err error) int {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return 499 // the client went away; nobody reads an answer
	}
	p.logger.ErrorContext(r.Context(), "serving request", "path", r.URL.Path, "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
	return http.StatusInternalServerError
}

// notModified reports whether a GET or HEAD request's validators match: the
// If-None-Match list against any of etags (weak comparison, as RFC 9110
// prescribes for it), else If-Modified-Since against modified. If-None-Match
// takes precedence: when present, If-Modified-Since is ignored (RFC 9110,
// section 13.2.2). So is a date later than now: a client holds it from
// while the clock was ahead, and it would have the client told 304 until
// the clock caught up, whatever changed meanwhile (RFC 2616 held such a
// date invalid).
func notModified(r *http.Request, modified, now time.Time, etags ...string) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	// Direct map reads: the server stores header keys in canonical form.
	if inm := r.Header["If-None-Match"]; len(inm) > 0 {
		if len(inm) == 1 {
			return etagListMatches(inm[0], etags)
		}
		return etagListMatches(strings.Join(inm, ","), etags)
	}
	// Two dates are no valid field value: the field is then ignored (RFC
	// 9110, section 13.1.3), not read as its first.
	ims := r.Header["If-Modified-Since"]
	if len(ims) != 1 || modified.IsZero() {
		return false
	}
	t, err := http.ParseTime(ims[0])
	if err != nil || t.After(now) {
		return false
	}
	return !modified.Truncate(time.Second).After(t)
}

// heldTag returns the entity tag a 304 names: etag, the tag of the coding
// the request gets, unless If-None-Match holds only other, the tag of the
// other coding. A client that holds the other coding (it asked for gzip
// before and not now, or the other way) is told that the tag it holds is
// current: a cache updates only the stored response whose tag the 304
// names (RFC 9111, section 4.3.4).
func heldTag(r *http.Request, etag, other string) string {
	inm := r.Header["If-None-Match"]
	if len(inm) == 0 {
		return etag
	}
	list := strings.Join(inm, ",")
	if !etagListMatches(list, []string{etag}) && etagListMatches(list, []string{other}) {
		return other
	}
	return etag
}

// preconditionFailed reports whether a GET or HEAD request's If-Match, or,
// when it has none, its If-Unmodified-Since, fails for the representation
// it gets, of entity tag etag, modified at modified (zero when it has no
// date): the answer is then 412 (RFC 9110, section 13.2.2). If-Match
// compares strongly, so only the tag of the coding served matches.
func preconditionFailed(r *http.Request, etag string, modified time.Time) bool {
	if im := r.Header["If-Match"]; len(im) > 0 {
		return !tagListMatches(strings.Join(im, ","), false, []string{etag})
	}
	ius := r.Header["If-Unmodified-Since"]
	if len(ius) != 1 || modified.IsZero() {
		return false
	}
	t, err := http.ParseTime(ius[0])
	if err != nil {
		return false
	}
	return modified.Truncate(time.Second).After(t)
}

// preconditionFailedError writes the 412 of a failed If-Match or
// If-Unmodified-Since, with "Cache-Control: no-store" in place of the
// one a web page or the list names for itself before its preconditions
// are read (uncachedErrors leaves a Cache-Control already named).
func preconditionFailedError(w http.ResponseWriter) {
	w.Header().Del("Content-Encoding")
	w.Header()["Cache-Control"] = noStore
	http.Error(w, "precondition failed", http.StatusPreconditionFailed)
}

// etagListMatches reports whether the If-None-Match value list holds "*" or
// an entity tag weakly equal to one of etags.
func etagListMatches(list string, etags []string) bool {
	return tagListMatches(list, true, etags)
}

// tagListMatches reports whether the value list of If-None-Match or
// If-Match holds "*" or an entity tag equal to one of etags: weakly equal
// when weak is set, else strongly (a weak tag then matches nothing).
func tagListMatches(list string, weak bool, etags []string) bool {
	for {
		list = strings.TrimLeft(list, " \t,")
		if list == "" {
			return false
		}
		if list[0] == '*' {
			return true
		}
		isWeak := strings.HasPrefix(list, "W/")
		list = strings.TrimPrefix(list, "W/")
		if list == "" || list[0] != '"' {
			return false // malformed: stop rather than guess
		}
		end := strings.IndexByte(list[1:], '"')
		if end < 0 {
			return false
		}
		tag := list[:end+2]
		for _, e := range etags {
			if tag == e && (weak || !isWeak) {
				return true
			}
		}
		list = list[end+2:]
	}
}

// acceptsGzip reports whether the Accept-Encoding values accept gzip (or
// x-gzip, or *) with a non-zero quality.
func acceptsGzip(values []string) bool {
	gzip, star := -1.0, -1.0
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			q := 1.0
			for param := range strings.SplitSeq(params, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(param), "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
						q = f
					}
				}
			}
			switch coding {
			case "gzip", "x-gzip":
				gzip = max(gzip, q)
			case "*":
				star = max(star, q)
			}
		}
	}
	if gzip >= 0 {
		return gzip > 0
	}
	return star > 0
}

// serveHealth answers 200 {"status":"ok"} while h reports healthy, else 503
// with the reason.
func (p *Publisher) serveHealth(w http.ResponseWriter, r *http.Request, h Health) {
	type body struct {
		Status string `json:"status"`
		Reason string `json:"reason,omitempty"`
		Config string `json:"config,omitempty"`
		Time   string `json:"time"`
	}
	b := body{Status: "ok", Time: p.clock().UTC().Format(time.RFC3339)}
	code := http.StatusOK
	var err error
	if h != nil {
		err = h.Healthy()
	}
	if err == nil {
		err = p.unreadable(r.Context())
	}
	if err != nil {
		b.Status, b.Reason, code = "unavailable", err.Error(), http.StatusServiceUnavailable
	}
	if h != nil {
		// A refused reload leaves the daemon healthy, on the config it
		// had: said here, an operator whose reload printed nothing learns
		// that the file's edits are not running.
		if n, ok := h.(ConfigNoter); ok {
			b.Config = n.ConfigNote()
		}
	}
	out, _ := json.Marshal(b) // a struct of strings always marshals
	out = append(out, '\n')
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		w.Write(out) //nolint:errcheck // the client went away
	}
}

// unreadable returns why the first page of a topic cannot be read, when
// the last attempt failed, and nil otherwise. A topic that failed is read
// again first, so that the answer follows a store put right without
// waiting for a reader to ask for its feed.
func (p *Publisher) unreadable(ctx context.Context) error {
	s := p.state.Load()
	var (
		ids   []string
		first *readFailure
	)
	for _, tc := range s.topics {
		if tc.failed.Load() == nil {
			continue
		}
		if _, _, err := p.firstPage(ctx, s, tc); err == nil {
			continue
		}
		f := tc.failed.Load()
		if f == nil {
			continue // read meanwhile by another request
		}
		if first == nil || f.since.Before(first.since) {
			first = f
		}
		ids = append(ids, tc.cfg.ID)
	}
	if first == nil {
		return nil
	}
	const named = 5
	list := strings.Join(ids[:min(len(ids), named)], ", ")
	if len(ids) > named {
		list += fmt.Sprintf(" and %d more", len(ids)-named)
	}
	return fmt.Errorf("feeds failing since %s (topics %s): %w", first.since.UTC().Format(time.RFC3339), list, first.err)
}

// serveOPML lists every topic's Atom feed as an OPML 2.0 outline.
func (p *Publisher) serveOPML(w http.ResponseWriter, r *http.Request) {
	doc, err := p.state.Load().opmlDoc()
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	serveBytes(w, r, doc)
}

// opmlDoc returns the OPML list of the configuration's topics, written at
// its first request: it changes only with the configuration, and at
// hundreds of topics costs milliseconds to write and to hash, which a
// client asking again and again, or holding it (a 304), would make the
// daemon spend at each request.
func (s *state) opmlDoc() (*generated, error) {
	s.opml.once.Do(func() {
		// No <docs>: OPML 2.0 allows it, but the feed validator's OPML
		// checks know no such head element and report the list invalid.
		doc := aggregator.OPML{Version: "2.0", Title: "Tributary topics"}
		for _, tc := range s.topics {
			t := tc.cfg
			title := oneLine(t.Title)
			if title == "" {
				title = oneLine(t.ID)
			}
			doc.Body = append(doc.Body, aggregator.OPMLOutline{
				Type: "rss", Text: title, Title: title, Description: oneLine(t.Description),
				XMLURL: s.topicURL(t.ID, ".atom", ""), HTMLURL: s.topicURL(t.ID, "", ""),
			})
		}
		var buf bytes.Buffer
		if _, err := doc.WriteTo(&buf); err != nil {
			s.opml.err = err
			return
		}
		s.opml.doc, s.opml.err = newGenerated("text/x-opml; charset=utf-8", buf.Bytes())
	})
	return s.opml.doc, s.opml.err
}

// generated is a small generated document and its entity tag, plain and
// compressed with gzip, with the header values of each built once: like a
// feed's (variant), they are slices of length and capacity 1 shared by
// every response.
type generated struct {
	body, gz     []byte
	etag, gzETag string

	contentType            []string
	etagHdr, gzETagHdr     []string
	lengthHdr, gzLengthHdr []string
}

// newGenerated returns body, of the given content type, and its gzip
// coding, with their tags, marked per coding as a feed's are.
func newGenerated(contentType string, body []byte) (*generated, error) {
	var zb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&zb, gzip.BestSpeed)
	zw.Write(body) // writes to a bytes.Buffer cannot fail
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compressing: %w", err)
	}
	etag := etagOf(body)
	g := &generated{body: body, gz: zb.Bytes(), etag: etag, gzETag: strings.TrimSuffix(etag, `"`) + `-gz"`}
	g.contentType = []string{contentType}
	g.etagHdr, g.gzETagHdr = []string{g.etag}, []string{g.gzETag}
	g.lengthHdr, g.gzLengthHdr = []string{strconv.Itoa(len(g.body))}, []string{strconv.Itoa(len(g.gz))}
	return g, nil
}

// Header values of every generated document, shared by every response.
var (
	varyEncoding = []string{"Accept-Encoding"}
	noCache      = []string{"no-cache"}
	noStore      = []string{"no-store"}
	exposeETag   = []string{"ETag"}
	nosniff      = []string{"nosniff"}
	gzipCoding   = []string{"gzip"}
)

// serveBytes writes a small generated document with its ETag, compressed
// for a client that accepts gzip. Like the feeds it lists, it may be read
// by a web page of any origin.
func serveBytes(w http.ResponseWriter, r *http.Request, doc *generated) {
	body, etag, other := doc.body, doc.etag, doc.gzETag
	etagHdr, otherHdr, length := doc.etagHdr, doc.gzETagHdr, doc.lengthHdr
	gz := false
	if ae := r.Header["Accept-Encoding"]; len(ae) > 0 && acceptsGzip(ae) {
		body, etag, other = doc.gz, doc.gzETag, doc.etag
		etagHdr, otherHdr, length = doc.gzETagHdr, doc.etagHdr, doc.gzLengthHdr
		gz = true
	}
	hdr := w.Header()
	hdr["Etag"] = etagHdr
	hdr["Vary"] = varyEncoding
	hdr["Cache-Control"] = noCache
	hdr["Access-Control-Allow-Origin"] = anyOrigin
	hdr["Access-Control-Expose-Headers"] = exposeETag
	if preconditionFailed(r, etag, time.Time{}) {
		preconditionFailedError(w)
		return
	}
	if notModified(r, time.Time{}, time.Time{}, doc.etag, doc.gzETag) {
		// A client holding the other coding is told its tag is current,
		// as a feed's 304 does (heldTag).
		if heldTag(r, etag, other) != etag {
			hdr["Etag"] = otherHdr
		}
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hdr["Content-Type"] = doc.contentType
	hdr["Content-Length"] = length
	hdr["X-Content-Type-Options"] = nosniff
	if gz {
		hdr["Content-Encoding"] = gzipCoding
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body) //nolint:errcheck // the client went away
	}
}

// metricsAllowed reports whether the client may read /metrics: when its
// address is in one of the server.metrics_allow networks, or, the list
// empty, when it is on the server's own machine (see ops.Allowed). The list
// is read at each request, so a reload takes effect.
func (p *Publisher) metricsAllowed(r *http.Request) bool {
	srv := p.state.Load().cfg.Server
	allow, err := ops.ParsePrefixes(srv.MetricsAllow)
	return err == nil && ops.Allowed(allow, ops.ServerNames(srv), r)
}

// gathererOf returns reg as a Gatherer when it is one.
func gathererOf(reg prometheus.Registerer) prometheus.Gatherer {
	g, _ := reg.(prometheus.Gatherer)
	return g
}

// etagOf is a strong entity tag of body: a digest of its bytes.
func etagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}
