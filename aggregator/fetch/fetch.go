// Package fetch performs one polite, hardened HTTP GET of a feed.
//
// A Fetcher sends conditional requests (If-None-Match, If-Modified-Since),
// decodes gzip itself so that the body cap counts decompressed bytes, bounds
// every phase of a request in time, follows a limited number of redirects and
// detects loops, limits the requests in flight per host, and refuses to
// connect to loopback, private and link-local addresses unless allowed. The
// address check runs on the resolved address at dial time, so it covers DNS
// rebinding and every redirect hop.
//
// Every error it returns has a message fit to show an operator next to the
// source, and wraps a sentinel (ErrTimeout, ErrTooLarge, ErrRedirectLoop,
// ErrTooManyRedirects, ErrForbiddenAddress, ErrUnsupportedURL) or is a
// *StatusError.
package fetch

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/internal/pagetext"
)

// Accept is the Accept header sent with every request: feed types first,
// generic XML and JSON next, HTML last (an HTML page may name its feed in a
// <link rel="alternate">).
const Accept = "application/rss+xml, application/atom+xml, application/feed+json, " +
	"application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, application/json;q=0.7, " +
	"text/html;q=0.3, */*;q=0.1"

// maxHeaderBytes bounds the response headers a hostile origin can send.
const maxHeaderBytes = 64 << 10

// maxValidator is the longest ETag or Last-Modified a Result keeps. Real
// ones are tens of bytes. One of kilobytes would be stored with the source
// and sent back with every request, where servers refuse request headers
// of a few kilobytes (431): the source would fail at every poll.
const maxValidator = 1024

// Request names what to fetch and the validators from the last fetch.
type Request struct {
	URL          string
	ETag         string // sent as If-None-Match when set
	LastModified string // sent as If-Modified-Since when set
}

// Result describes one fetch.
type Result struct {
	Status      int  // status code of the final response
	NotModified bool // the origin answered 304; Body is empty
	Body        []byte
	ContentType string
	// ETag and LastModified are the validators to send next time: the
	// response's, or on a 304 without them the request's. One longer than
	// 1 KiB is not kept.
	ETag         string
	LastModified string
	FinalURL     string // the URL of the final response, after redirects
	// MovedTo is set when the requested URL was redirected only by
	// permanent redirects (301, 308) to a URL that answered 2xx or 304:
	// the URL to store for the next fetches. Empty otherwise.
	MovedTo string
	// MaxAge is how long the response stays fresh: its Cache-Control
	// max-age, else the time from its Date to its Expires, less the Age a
	// cache in between gave it; 0 when absent or spent.
	MaxAge time.Duration
	// Expires is the response's Expires time, zero when absent or invalid.
	Expires   time.Time
	WireBytes int64         // body bytes read from the connection, before decompression
	Duration  time.Duration // from the start of the request to the end of the body
}

// Fetcher fetches feeds. It is safe for concurrent use; share one per
// process so that the per-host limit holds across fetches.
type Fetcher struct {
	opts      Options
	guard     guard
	transport *http.Transport
	hosts     hostLimiter
}

// New returns a Fetcher using opts, with zero fields set to the defaults.
func New(opts Options) *Fetcher {
	opts = opts.withDefaults()
	f := &Fetcher{
		opts:  opts,
		guard: guard{allowAll: opts.AllowPrivate, allow: opts.AllowNetworks},
		hosts: hostLimiter{n: opts.PerHost},
	}
	dialer := &net.Dialer{
		Timeout:   opts.ConnectTimeout,
		KeepAlive: 30 * time.Second,
		Control:   f.guard.control,
	}
	f.transport = &http.Transport{
		// No proxy: a proxy would make the dialled address the proxy's and
		// defeat the address guard.
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := dialer.DialContext(ctx, network, addr)
			if ae := (*addressError)(nil); errors.As(err, &ae) {
				host, _, _ := net.SplitHostPort(addr)
				return nil, &addressError{host: host, addr: ae.addr, class: ae.class}
			}
			return conn, err
		},
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    opts.TLSTimeout,
		ResponseHeaderTimeout:  opts.HeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    max(opts.PerHost, 2),
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: maxHeaderBytes,
		// We ask for gzip ourselves and decode it in readBody, so that the
		// body cap counts decompressed bytes.
		DisableCompression: true,
	}
	return f
}

// Options returns the options in effect, defaults filled in.
func (f *Fetcher) Options() Options { return f.opts }

// CloseIdleConnections closes connections kept alive for reuse.
func (f *Fetcher) CloseIdleConnections() { f.transport.CloseIdleConnections() }

// Fetch performs one conditional GET of req.URL. It first waits, as long as
// ctx allows, for a free slot for the URL's host (Options.PerHost); the
// Options.Timeout clock starts after that wait.
//
// A 2xx answer gives a Result with the body; a 304 to a conditional request
// gives NotModified and no body. Any other status, a 304 to a request
// without validators, and a 206 whose Content-Range is not the whole feed
// (a Fetcher asks for no part), give a *StatusError, with RetryAfter parsed from the
// Retry-After header of a 429 or a 503 (the header is ignored on other
// statuses) and capped at Options.MaxRetryAfter. Failures wrap ErrTimeout,
// ErrTooLarge, ErrTooManyRedirects, ErrRedirectLoop, ErrForbiddenAddress or
// ErrUnsupportedURL when they are one of those. On error the Result still
// carries what is known (Status, FinalURL, Duration).
func (f *Fetcher) Fetch(ctx context.Context, req Request) (res Result, err error) {
	u, err := checkURL(req.URL)
	if err != nil {
		return res, err
	}
	release, err := f.hosts.acquire(ctx, hostKey(u))
	if err != nil {
		return res, fmt.Errorf("waiting for a free connection slot for %s: %w", strings.ToLower(u.Hostname()), err)
	}
	defer release()

	start := time.Now()
	defer func() { res.Duration = time.Since(start) }()
	rctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()

	hreq, err := http.NewRequestWithContext(rctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return res, newError(ErrUnsupportedURL, "invalid url %q: %v", aggregator.RedactURL(req.URL), aggregator.RedactURLs(err.Error()))
	}
	hreq.Header.Set("User-Agent", f.opts.UserAgent)
	hreq.Header.Set("Accept", Accept)
	hreq.Header.Set("Accept-Encoding", "gzip")
	if req.ETag != "" {
		hreq.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hreq.Header.Set("If-Modified-Since", req.LastModified)
	}

	chain := &redirectChain{max: f.opts.MaxRedirects}
	client := &http.Client{Transport: f.transport, CheckRedirect: chain.check}
	resp, err := client.Do(hreq)
	if err != nil {
		return res, f.requestError(ctx, rctx, err, "waiting for a response", chain.last)
	}
	defer resp.Body.Close()

	res.Status = resp.StatusCode
	res.FinalURL = resp.Request.URL.String()
	res.ContentType = resp.Header.Get("Content-Type")
	res.ETag = validator(resp.Header.Get("ETag"))
	res.LastModified = validator(resp.Header.Get("Last-Modified"))
	res.MaxAge = freshFor(resp.Header)
	if t, err := http.ParseTime(resp.Header.Get("Expires")); err == nil {
		res.Expires = t
	}

	switch {
	case resp.StatusCode == http.StatusSwitchingProtocols:
		// Asked for by no request of ours. Its body is the connection
		// itself, handed over, which the end of rctx does not close as
		// it ends a body's reads: read for its words below, a server
		// that sends nothing after the 101 would hold the fetch, its
		// slot and its host's, past Options.Timeout and through a
		// shutdown. The deferred Close closes the connection.
		return res, &StatusError{URL: res.FinalURL, Code: resp.StatusCode, Why: "to a request that asked for no other protocol"}
	case resp.StatusCode == http.StatusNotModified && req.ETag == "" && req.LastModified == "":
		// Not modified since nothing: taken at its word, a new source
		// would show no items and no error for ever.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return res, &StatusError{URL: res.FinalURL, Code: resp.StatusCode,
			Why: "to a request without If-None-Match or If-Modified-Since"}
	case resp.StatusCode == http.StatusPartialContent && !wholeRange(resp.Header.Get("Content-Range")):
		// A part answers a request for one, which a Fetcher never makes:
		// read as the whole, it would be parsed up to its cut, the items
		// after it never read, and the source shown as read.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		why := "to a request without Range: only part of the feed"
		if first, last, size, ok := contentRange(resp.Header.Get("Content-Range")); ok && size == "*" {
			why = fmt.Sprintf("to a request without Range: only bytes %d-%d of the feed", first, last)
		} else if ok {
			why = fmt.Sprintf("to a request without Range: only bytes %d-%d of %s", first, last, size)
		}
		return res, &StatusError{URL: res.FinalURL, Code: resp.StatusCode, Why: why}
	case resp.StatusCode == http.StatusNotModified:
		res.NotModified = true
		if res.ETag == "" {
			res.ETag = req.ETag
		}
		if res.LastModified == "" {
			res.LastModified = req.LastModified
		}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		se := &StatusError{URL: res.FinalURL, Code: resp.StatusCode}
		if redirect(resp.StatusCode) && resp.Header.Get("Location") == "" {
			// Not a move: an operator reading "moved permanently" alone
			// would look for where.
			se.Why = "without a Location to follow"
		}
		if rateLimited(resp.StatusCode) {
			if d, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), originNow(resp.Header)); ok {
				se.RetryAfter = min(d, f.opts.MaxRetryAfter)
			}
		}
		// Read a little, for what the page says and so that the
		// connection can be reused; never much.
		head, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		if strings.EqualFold(resp.Request.URL.Hostname(), u.Hostname()) {
			// Not the words of a host a redirect led to: the web pages
			// show the source's error to anyone, and hide such hosts.
			se.Says = pageWords(resp, head)
		}
		return res, se
	}
	if chain.hops > 0 && chain.permanent {
		res.MovedTo = res.FinalURL
	}
	if res.NotModified {
		return res, nil
	}

	body, wire, err := readBody(resp, f.opts.MaxBytes)
	res.WireBytes = wire
	if err != nil {
		return res, f.bodyError(ctx, rctx, err, res.FinalURL)
	}
	res.Body = body
	return res, nil
}

// contentRange parses a Content-Range header value of a single part,
// "bytes 0-4095/81920" (RFC 9110, section 14.4): the first and last byte
// positions and the complete length, "*" when unknown. ok is false for
// anything else.
func contentRange(v string) (first, last int64, size string, ok bool) {
	unit, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
	span, size, found := strings.Cut(strings.TrimSpace(rest), "/")
	a, b, dash := strings.Cut(span, "-")
	if !strings.EqualFold(unit, "bytes") || !found || !dash || !isDigits(a) || !isDigits(b) || size != "*" && !isDigits(size) {
		return 0, 0, "", false
	}
	first, errA := strconv.ParseInt(a, 10, 64)
	last, errB := strconv.ParseInt(b, 10, 64)
	if errA != nil || errB != nil || last < first {
		return 0, 0, "", false
	}
	return first, last, size, true
}

// wholeRange reports whether a Content-Range header value names the whole
// of a representation, from its first byte to its last: a server that
// answers 206 to a request without Range, but with all of the feed.
func wholeRange(v string) bool {
	first, last, size, ok := contentRange(v)
	return ok && first == 0 && size == strconv.FormatInt(last+1, 10)
}

// redirect reports whether code is a status that http.Client follows to
// its Location.
func redirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// validator returns v, or "" when it is longer than maxValidator.
func validator(v string) string {
	if len(v) > maxValidator {
		return ""
	}
	return v
}

// checkURL parses raw and accepts only absolute http and https URLs with a
// host.
func checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, newError(ErrUnsupportedURL, "invalid url %q: %v", aggregator.RedactURL(raw), aggregator.RedactURLs(err.Error()))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, newError(ErrUnsupportedURL, "unsupported url %q: only http and https are fetched", aggregator.RedactURL(raw))
	}
	if u.Hostname() == "" {
		return nil, newError(ErrUnsupportedURL, "unsupported url %q: no host", aggregator.RedactURL(raw))
	}
	return u, nil
}

// redirectChain follows one fetch's redirects.
type redirectChain struct {
	max       int
	hops      int
	permanent bool   // every hop so far was 301 or 308
	last      string // the URL of the last hop followed, redacted; "" before any
	cookie    bool   // a redirect of the chain set a cookie
}

// cookieWall is what a redirect loop, or a chain of redirects past the
// cap, adds when a redirect set a cookie: a bot check or a cookie consent
// wall sets one and sends the client round until it comes back with it. A
// Fetcher keeps no cookies, so that one source's never go to another, and
// such a wall sends it round for ever.
const cookieWall = ": the server sets a cookie and redirects until it is sent back, " +
	"as a bot check or a cookie wall does, and feeds are fetched without cookies"

// check is an http.Client CheckRedirect function.
func (c *redirectChain) check(req *http.Request, via []*http.Request) error {
	// http.Client names the previous hop in a Referer, query and all: the
	// token of a private feed would go to whatever host the source sends us.
	req.Header.Del("Referer")
	// A private feed's user name and password, in the source's URL, go on
	// to a redirect within its origin, as they do when the Location is
	// relative: a server that moves such a feed, or sends it from http to
	// https, writes an absolute Location, which net/http gives no
	// credentials. To any other host or port they never go.
	if prev := via[len(via)-1].URL; req.URL.User == nil && prev.User != nil && sameOrigin(prev, req.URL) {
		req.URL.User = prev.User
	}
	if req.Response != nil && len(req.Response.Header.Values("Set-Cookie")) > 0 {
		c.cookie = true
	}
	why := ""
	if c.cookie {
		why = cookieWall
	}
	next := req.URL.String()
	if _, err := checkURL(next); err != nil {
		return newError(ErrUnsupportedURL, "redirect from %s to unsupported url %q", redacted(via[len(via)-1].URL), aggregator.RedactURL(next))
	}
	for _, v := range via {
		if v.URL.String() == next {
			return newError(ErrRedirectLoop, "redirect loop at %s%s", redacted(req.URL), why)
		}
	}
	if c.max <= 0 {
		// Not a chain cut short: the operator turned redirects off.
		return newError(ErrTooManyRedirects, "redirect from %s to %s not followed: redirects are turned off (poll.max_redirects: 0)",
			redacted(via[len(via)-1].URL), redacted(req.URL))
	}
	if len(via) > c.max {
		return newError(ErrTooManyRedirects, "stopped after %d redirects at %s%s", c.max, redacted(via[len(via)-1].URL), why)
	}
	code := 0
	if req.Response != nil {
		code = req.Response.StatusCode
	}
	permanent := code == http.StatusMovedPermanently || code == http.StatusPermanentRedirect
	c.permanent = permanent && (c.hops == 0 || c.permanent)
	c.hops++
	c.last = redacted(req.URL)
	return nil
}

// sameOrigin reports whether a redirect from from to to stays with the
// same server: the same host name and the same scheme and port, or from
// http at its standard port to https at its standard port on the same host
// name, the move that servers make to encryption. Going from https to http
// would send credentials in clear text, and another port may be another
// server.
func sameOrigin(from, to *url.URL) bool {
	if !strings.EqualFold(from.Hostname(), to.Hostname()) {
		return false
	}
	if from.Scheme == to.Scheme {
		return urlPort(from) == urlPort(to)
	}
	return from.Scheme == "http" && to.Scheme == "https" && urlPort(from) == "80" && urlPort(to) == "443"
}

// urlPort returns u's port, or its scheme's standard one.
func urlPort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// requestError turns an error from http.Client.Do into one fit for an
// operator. parent is the caller's context, rctx the one bounded by
// Options.Timeout. hop is the URL of the redirect the request failed on, or
// "" when it failed on the URL asked for. An error on a redirect begins
// "redirect to URL: ", so that the operator knows the origin sent the fetch
// elsewhere, and whoever shows the error can tell the host it names from
// the source's own (RedirectError).
func (f *Fetcher) requestError(parent, rctx context.Context, err error, phase, hop string) error {
	if perr := parent.Err(); perr != nil {
		return fmt.Errorf("fetch stopped %s: %w", phase, perr)
	}
	var fe *fetchError
	if errors.As(err, &fe) {
		return fe // a redirect refused, which its message names
	}
	if hop != "" {
		return &RedirectError{URL: hop, Err: f.describe(rctx, err, phase, false)}
	}
	return f.describe(rctx, err, phase, true)
}

// unsupportedTE and manyTE start the words in which net/http refuses an
// answer whose Transfer-Encoding names a coding other than chunked, the
// coding quoted after them: manyTE when the codings come on header lines
// of their own ("Transfer-Encoding: gzip", "Transfer-Encoding: chunked").
const (
	unsupportedTE = "unsupported transfer encoding: "
	manyTE        = "too many transfer encodings: "
)

// headersExceeded and headerListTooLarge are in the words in which
// net/http refuses response headers past Transport.MaxResponseHeaderBytes,
// over HTTP/1 and over HTTP/2.
const (
	headersExceeded    = "server response headers exceeded "
	headerListTooLarge = "header list too large"
)

// headersCut ends the words in which net/http reports an HTTP/1 answer
// whose connection closed in the middle of its status line and headers.
const headersCut = "transport connection broken: unexpected EOF"

// oldTLSAlert and oldTLSChosen are in the words in which crypto/tls fails
// a handshake with a server that speaks no TLS version of 1.2 or later:
// the server's alert to the versions offered, and the client's refusal of
// the one the server chose, given in hexadecimal (301 for TLS 1.0).
const (
	oldTLSAlert  = "remote error: tls: protocol version not supported"
	oldTLSChosen = "tls: server selected unsupported protocol version "
)

// h2Compression and h2Protocol end the words of the HTTP/2 connection
// errors in which net/http refuses response headers too large to read.
const (
	h2Compression = "connection error: COMPRESSION_ERROR"
	h2Protocol    = "connection error: PROTOCOL_ERROR"
)

// describe is requestError for the request of one URL; nameURL says
// whether the message names the URL requested, when nothing else in it
// does.
func (f *Fetcher) describe(rctx context.Context, err error, phase string, nameURL bool) error {
	var ae *addressError
	if errors.As(err, &ae) {
		return ae
	}
	if errors.Is(rctx.Err(), context.DeadlineExceeded) {
		return &timeoutError{after: f.opts.Timeout, phase: phase}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if err == io.EOF {
		// What net/http reports when the connection closed before the
		// answer's first byte, or in the TLS handshake.
		err = newError(io.EOF, "the server closed the connection without answering")
	}
	_, coding, ok := strings.Cut(err.Error(), unsupportedTE)
	if !ok {
		_, coding, ok = strings.Cut(err.Error(), manyTE)
	}
	if ok {
		// A body compressed in transit ("Transfer-Encoding: gzip,
		// chunked"), which HTTP/1.1 allows and no client has to read:
		// net/http refuses the answer, in words of its own connection.
		err = newError(err, "unsupported transfer-encoding %s: only chunked is read; a compressed feed is sent with a Content-Encoding", coding)
	}
	switch msg := err.Error(); {
	case strings.Contains(msg, headersExceeded) || strings.Contains(msg, headerListTooLarge):
		// In net/http's words of its own connection, which an operator
		// cannot act on: "HTTP/1.x transport connection broken: …", or
		// over HTTP/2 a stream's PROTOCOL_ERROR. The 1xx answers before
		// the final one count (an endless stream of 100 Continue).
		err = newError(err, "response headers larger than %d bytes", maxHeaderBytes)
	case strings.HasSuffix(msg, headersCut):
		// The connection closed after some of the answer's head: part of
		// its header lines, or an informational answer (103 Early Hints)
		// and nothing after it.
		err = newError(err, "the server closed the connection before the end of its answer's headers")
	case strings.Contains(msg, oldTLSAlert):
		// The server's alert to a client that offers TLS 1.2 and 1.3
		// alone: read as it stands, it does not say whose version.
		err = newError(err, "the server speaks no TLS version of 1.2 or later, the least a feed is fetched with (%s)", msg)
	case strings.Contains(msg, oldTLSChosen):
		v := msg[strings.Index(msg, oldTLSChosen)+len(oldTLSChosen):]
		name, ok := map[string]string{"300": "SSL 3.0", "301": "TLS 1.0", "302": "TLS 1.1"}[v]
		if !ok {
			name = "TLS version " + v
		}
		err = newError(err, "the server speaks %s, older than TLS 1.2, the least a feed is fetched with (%s)", name, msg)
	case strings.HasSuffix(msg, h2Compression) || strings.HasSuffix(msg, h2Protocol):
		// What net/http says over HTTP/2 of a header longer than the
		// limit (COMPRESSION_ERROR), or of headers far past it
		// (PROTOCOL_ERROR), as it says of headers it cannot decode and
		// frames out of order.
		code := msg[strings.LastIndexByte(msg, ' ')+1:]
		err = newError(err, "the HTTP/2 answer could not be read (%s): response headers larger than %d bytes, or a broken server",
			code, maxHeaderBytes)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		var oe *net.OpError
		msg := err.Error()
		switch {
		case errors.As(err, &oe) && oe.Op == "dial":
			addr := ""
			if oe.Addr != nil {
				addr = " " + oe.Addr.String()
			} else if ue != nil {
				addr = " " + urlHost(ue.URL)
			}
			return &timeoutError{after: f.opts.ConnectTimeout, phase: "connecting to" + addr}
		case strings.Contains(msg, "TLS handshake"):
			return &timeoutError{after: f.opts.TLSTimeout, phase: "in the TLS handshake"}
		case strings.Contains(msg, "awaiting response headers"):
			return &timeoutError{after: f.opts.HeaderTimeout, phase: "waiting for response headers"}
		}
	}
	err = withoutStreamIDs(withoutLocalAddr(err))
	if ue != nil && nameURL {
		return fmt.Errorf("requesting %s: %w", urlText(aggregator.RedactURL(ue.URL)), err)
	}
	return err
}

// withoutLocalAddr returns err, or, when its message names the local end
// of a connection, as net does for an error on one ("read tcp
// 127.0.0.1:47958->192.0.2.1:443: read: connection reset by peer"), an
// error that wraps err and whose message leaves that end out ("read tcp
// 192.0.2.1:443: …"). Its port is another at every fetch: the error a
// source records, which status and the web pages show, would change at
// every poll for one and the same failure.
func withoutLocalAddr(err error) error {
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Source == nil {
		return err
	}
	remote := *oe
	remote.Source = nil
	msg := strings.Replace(err.Error(), oe.Error(), remote.Error(), 1)
	if msg == err.Error() {
		return err
	}
	return newError(err, "%s", msg)
}

// streamIDs matches where net/http names the HTTP/2 stream that failed by
// its number in an error ("stream error: stream ID 3; PROTOCOL_ERROR; …").
var streamIDs = regexp.MustCompile(`stream ID [0-9]+; `)

// withoutStreamIDs returns err, or, when its message names an HTTP/2
// stream by its number, an error that wraps err and whose message leaves
// the number out. The requests to one host share its connection, each on
// a stream of the next number: the error a source records, which status
// and the web pages show, would change at every poll, and with each fetch
// of another source on the host, for one and the same failure.
func withoutStreamIDs(err error) error {
	msg := err.Error()
	if !strings.Contains(msg, "stream ID ") {
		return err
	}
	out := streamIDs.ReplaceAllString(msg, "")
	if out == msg {
		return err
	}
	return newError(err, "%s", out)
}

// bodyError turns an error from reading the body into one fit for an
// operator.
func (f *Fetcher) bodyError(parent, rctx context.Context, err error, from string) error {
	if perr := parent.Err(); perr != nil {
		return fmt.Errorf("fetch stopped reading body: %w", perr)
	}
	if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrUnsupportedURL) {
		return err
	}
	if errors.Is(rctx.Err(), context.DeadlineExceeded) {
		return &timeoutError{after: f.opts.Timeout, phase: "reading body"}
	}
	return fmt.Errorf("reading body from %s: %w", urlText(aggregator.RedactURL(from)), withoutStreamIDs(withoutLocalAddr(err)))
}

// redacted returns u as errors must give it, with its credentials as
// "xxxxx" (see aggregator.RedactURL): they reach log files and the sources
// table of the web pages. A space, which a redirect's Location may hold in
// its query as it came, is written %20: a URL in an error has no ": " in
// it, and what follows the first one is the error's own words
// (TimedOutAt), not the server's.
func redacted(u *url.URL) string {
	return strings.ReplaceAll(aggregator.RedactURL(u.String()), " ", "%20")
}

func urlHost(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host
	}
	return raw
}

// countingReader counts the bytes read through it, and keeps the error
// that ended them other than io.EOF.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF {
		c.err = err
	}
	return n, err
}

// readBody reads resp's body, decoding its content codings (gzip and
// deflate, each of a list in turn) and gzip that the server sent without
// saying so, and fails with ErrTooLarge once more than limit decoded bytes
// arrive. A body labelled compressed that starts as a document does
// (uncompressed) is read as it is. It returns the decoded body and the
// bytes read from the wire.
func readBody(resp *http.Response, limit int64) (body []byte, wire int64, err error) {
	codings, err := contentCodings(resp.Header.Values("Content-Encoding"))
	if err != nil {
		return nil, 0, err
	}
	if len(codings) == 0 && resp.ContentLength > limit {
		return nil, 0, newError(ErrTooLarge, "body larger than %d bytes (content-length %d)", limit, resp.ContentLength)
	}
	cr := &countingReader{r: resp.Body}
	var r io.Reader = cr
	coding := "" // the compression decoded first, if any
	// The codings were applied in the order listed: the last is undone
	// first.
	for i := len(codings) - 1; i >= 0; i-- {
		br := bufio.NewReader(r)
		r = br
		if head, _ := br.Peek(uncompressedPeek); len(head) == 0 || uncompressed(head) {
			// Empty, which the caller says as it says any empty body,
			// or labelled compressed by a server that did not compress
			// it.
			break
		}
		if r, err = decoder(br, codings[i]); err != nil {
			return nil, cr.n, cutShort(err, cr, resp, codings[i])
		}
		if coding == "" {
			coding = codings[i]
		}
	}
	// No feed starts with gzip's magic bytes, which are no text: a body
	// that does was compressed by the server twice (a framework's gzip
	// under the web server's), or uploaded compressed and served without
	// its Content-Encoding, as a browser would save it and a person would
	// read it.
	br := bufio.NewReader(r)
	r = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		if r, err = decoder(br, "gzip"); err != nil {
			return nil, cr.n, cutShort(err, cr, resp, "gzip")
		}
		if coding == "" {
			coding = "gzip"
		}
	}
	body, err = io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(body)) > limit {
		return nil, cr.n, newError(ErrTooLarge, "body larger than %d bytes", limit)
	}
	if err != nil {
		return nil, cr.n, cutShort(err, cr, resp, coding)
	}
	return body, cr.n, nil
}

// maxCodings is the most content codings a body may have been given one
// over the other. Real servers give one, a broken one two.
const maxCodings = 3

// compressions are the content codings that compress a body, besides gzip
// and deflate, which a Fetcher decodes: a body in one of them cannot be
// read.
var compressions = map[string]bool{
	"br": true, "zstd": true, "compress": true, "x-compress": true, "bzip2": true, "x-bzip2": true,
	"xz": true, "lzma": true, "lz4": true, "snappy": true, "sdch": true, "exi": true, "pack200-gzip": true,
	"aes128gcm": true, "dcb": true, "dcz": true,
}

// contentCodings returns the content codings of Content-Encoding header
// values, in the order they were applied, in lower case, x-gzip as gzip.
// Other words than compressions are left out, as browsers read past them:
// identity, which stands for none, and what misconfigured servers send
// (a charset, "UTF-8", most often). It fails on a compression other than
// gzip and deflate, the ones asked for, and on more than maxCodings.
func contentCodings(values []string) ([]string, error) {
	var codings []string
	for _, v := range values {
		for c := range strings.SplitSeq(v, ",") {
			switch c = strings.ToLower(strings.TrimSpace(c)); {
			case c == "gzip" || c == "x-gzip":
				codings = append(codings, "gzip")
			case c == "deflate":
				codings = append(codings, "deflate")
			case compressions[c]:
				return nil, fmt.Errorf("unsupported content-encoding %q", c)
			}
		}
	}
	if len(codings) > maxCodings {
		return nil, fmt.Errorf("unsupported content-encoding %q: more than %d codings", strings.Join(values, ", "), maxCodings)
	}
	return codings, nil
}

// uncompressedPeek is how many of a body's first bytes uncompressed reads:
// enough for the blank lines a script may write before a feed (a PHP
// file's lines after its closing tag) and the start of its first element.
const uncompressedPeek = 512

// uncompressed reports whether head, the first bytes of a body that its
// Content-Encoding says is compressed, are a document's text instead:
// after a byte-order mark and white space, markup ("<?xml", "<rss",
// "<!DOCTYPE", "<html") or a JSON object's first member ({"version":).
// A server that labels a feed gzip without compressing it (a setting
// applied to the header alone, a proxy that decompressed the body and left
// the header) serves a feed that feed readers read as it is. No gzip or
// zlib stream starts so, and a raw deflate stream that did would have to
// spell out the name of an element or a member.
func uncompressed(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	head = bytes.TrimLeft(head, " \t\r\n")
	if len(head) < 2 {
		return false
	}
	switch head[0] {
	case '<':
		if head[1] == '?' || head[1] == '!' {
			return bytes.HasPrefix(head, []byte("<?xml")) || bytes.HasPrefix(head, []byte("<!--")) ||
				len(head) >= 9 && strings.EqualFold(string(head[:9]), "<!DOCTYPE")
		}
		n := 1
		for n < len(head) && (head[n] >= 'a' && head[n] <= 'z' || head[n] >= 'A' && head[n] <= 'Z' || head[n] == ':' || head[n] >= '0' && head[n] <= '9') {
			n++
		}
		return n >= 4 && n < len(head) && (head[n] == '>' || head[n] == ' ' || head[n] == '\n' || head[n] == '\r' || head[n] == '\t')
	case '{':
		rest := bytes.TrimLeft(head[1:], " \t\r\n")
		if len(rest) == 0 || rest[0] != '"' {
			return false
		}
		end := bytes.IndexByte(rest[1:], '"')
		return end > 0 && bytes.HasPrefix(bytes.TrimLeft(rest[end+2:], " \t\r\n"), []byte(":"))
	}
	return false
}

// decoder returns a reader of what r holds compressed by coding, gzip or
// deflate. A body labelled deflate that is gzip is read as gzip, and one
// labelled gzip that is a zlib stream is read as deflate: servers mix the
// two names up both ways, and browsers read either under either.
func decoder(r io.Reader, coding string) (io.Reader, error) {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReader(r)
	}
	magic, _ := br.Peek(2)
	gzipMagic := len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b
	switch {
	case coding == "deflate" && gzipMagic:
		coding = "gzip"
	case coding == "gzip" && zlibHeader(magic):
		coding = "deflate"
	}
	if coding == "deflate" {
		// RFC 9110 deflate is zlib-wrapped, but many servers send raw
		// deflate, which has no header to tell it by.
		if zlibHeader(magic) {
			zr, err := zlib.NewReader(br)
			if err != nil {
				return nil, fmt.Errorf("reading deflate body: %w", err)
			}
			return zr, nil
		}
		return flate.NewReader(br), nil
	}
	zr, err := gzip.NewReader(br)
	if err == io.EOF {
		return nil, errors.New("reading gzip body: the body is empty")
	}
	if err != nil {
		return nil, fmt.Errorf("reading gzip body: %w", err)
	}
	zr.Multistream(false)
	return &gzipMembers{zr: zr, br: br}, nil
}

// zlibHeader reports whether b starts as a zlib stream does (RFC 1950): a
// CMF byte whose low nibble is 8 (deflate) and a FLG byte that makes the
// two, read as a big-endian number, a multiple of 31. gzip's magic bytes
// are not one.
func zlibHeader(b []byte) bool {
	return len(b) >= 2 && b[0]&0x0f == 8 && (uint16(b[0])<<8|uint16(b[1]))%31 == 0
}

// cutShort returns err, the error that ended the reading of resp's body
// through cr, or, when the body stopped before its end, an error that says
// where in words and wraps io.ErrUnexpectedEOF: the connection closed
// before the bytes its framing announced (Content-Length, or a chunk), or
// it ended cleanly within the compressed data, which the server sent cut.
func cutShort(err error, cr *countingReader, resp *http.Response, coding string) error {
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	switch {
	case cr.err != nil && resp.ContentLength > 0:
		return newError(io.ErrUnexpectedEOF, "cut short: the connection closed after %d of the %d bytes its Content-Length announced",
			cr.n, resp.ContentLength)
	case cr.err != nil:
		return newError(io.ErrUnexpectedEOF, "cut short: the connection closed after %d bytes, before the end of the body", cr.n)
	case coding != "":
		return newError(io.ErrUnexpectedEOF, "cut short: the %s data ends after %d bytes, before the end of the compressed stream", coding, cr.n)
	}
	return err
}

// gzipMembers reads the members of a gzip stream one after another, as
// gzip.Reader does, but ends at bytes after a member that do not start
// another, as browsers do: a server that appends a newline or some stray
// output to its compressed feed still serves the feed.
type gzipMembers struct {
	zr *gzip.Reader // reading one member at a time
	br *bufio.Reader
}

func (g *gzipMembers) Read(p []byte) (int, error) {
	for {
		n, err := g.zr.Read(p)
		if err != io.EOF {
			return n, err
		}
		if n > 0 {
			return n, nil // the member's end comes again with the next Read
		}
		if magic, _ := g.br.Peek(2); len(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
			return 0, io.EOF
		}
		if err := g.zr.Reset(g.br); err != nil {
			return 0, err
		}
		g.zr.Multistream(false)
	}
}

// originNow returns the time by the origin's clock when it answered: its
// Date header, else our own clock. A Retry-After date is by the origin's
// clock too, so the wait it asks for is the one between the two, whatever
// the skew between that clock and ours: as a cache reckons an Expires
// against the Date beside it (RFC 9111, section 4.2.1).
func originNow(h http.Header) time.Time {
	if t, err := http.ParseTime(h.Get("Date")); err == nil {
		return t
	}
	return time.Now()
}

// freshFor returns how long an answer with header h stays fresh: by its
// Cache-Control max-age, or without one by its Expires, reckoned against
// its Date (RFC 9111, section 4.2.1); 0 when it says neither. The lifetime
// counts from when the origin made the answer: a cache in front of the
// feed (a CDN) that hands on a copy it has held for a while says how long
// in Age (RFC 9111, section 4.2.3), and asks the origin again once the
// lifetime is over, so that a copy held for 50 of its 60 minutes is fresh
// for 10 more, not another hour.
func freshFor(h http.Header) time.Duration {
	var d time.Duration
	if hasMaxAge(h.Values("Cache-Control")) {
		d = maxAge(h.Values("Cache-Control"))
	} else if t, err := http.ParseTime(h.Get("Expires")); err == nil {
		d = min(max(t.Sub(originNow(h)), 0), maxRetryAfter)
	}
	if d == 0 {
		return 0
	}
	if age, ok := deltaSeconds(strings.TrimSpace(h.Get("Age"))); ok {
		return max(d-age, 0)
	}
	return d
}

// hasMaxAge reports whether Cache-Control header values hold a max-age
// directive, which comes before an Expires, whatever its value.
func hasMaxAge(values []string) bool {
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			name, _, _ := strings.Cut(strings.TrimSpace(part), "=")
			if strings.EqualFold(strings.TrimSpace(name), "max-age") {
				return true
			}
		}
	}
	return false
}

// maxAge returns the max-age directive of Cache-Control header values, or 0.
func maxAge(values []string) time.Duration {
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(name), "max-age") {
				continue
			}
			// delta-seconds too large for an integer are the greatest
			// one (RFC 9111, section 1.2.2): capped, not ignored.
			d, ok := deltaSeconds(strings.Trim(strings.TrimSpace(val), `"`))
			if !ok || d == 0 {
				continue
			}
			return d
		}
	}
	return 0
}

// maxSays is the most bytes of an error page's words a StatusError keeps.
const maxSays = 100

// pageWords returns what head, the first bytes of resp's body, says to a
// person, for StatusError.Says: the title of an HTML page, the message of
// a JSON error, or the first line of plain text, decoded, without control
// characters and bidirectional overrides (it is shown on terminals and web
// pages), on one line and cut at maxSays bytes between words. It is empty
// for other bodies and for words that only repeat the status ("Not
// Found", "502 Bad Gateway").
func pageWords(resp *http.Response, head []byte) string {
	codings, err := contentCodings(resp.Header.Values("Content-Encoding"))
	if err != nil {
		return ""
	}
	for i := len(codings) - 1; i >= 0 && !uncompressed(head); i-- {
		r, err := decoder(bytes.NewReader(head), codings[i])
		if err != nil {
			return ""
		}
		head, _ = io.ReadAll(io.LimitReader(r, 4<<10)) // what decodes of a cut stream
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	var words string
	switch {
	case mt == "text/html" || mt == "application/xhtml+xml" || (mt == "" && bytes.HasPrefix(bytes.TrimSpace(head), []byte("<"))):
		words = pagetext.Title(head, maxSays)
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		words = jsonWords(head)
	case mt == "text/plain" || (mt == "" && plainText(head)):
		for line := range strings.SplitSeq(string(head), "\n") {
			if strings.TrimSpace(line) != "" {
				words = line
				break
			}
		}
	}
	words = pagetext.Line(words, maxSays)
	if repeatsStatus(words, resp.StatusCode) {
		return ""
	}
	return words
}

// jsonWords returns the message of a JSON error body, an object whose
// "message", "error" (or its own "message"), "detail", "error_description"
// or "title" is a string ({"message":"API rate limit exceeded"}, RFC 9457's
// problem details), or "".
func jsonWords(b []byte) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(b, &obj) != nil {
		return ""
	}
	for _, key := range []string{"message", "error", "detail", "error_description", "title"} {
		var s string
		if json.Unmarshal(obj[key], &s) == nil && strings.TrimSpace(s) != "" {
			return s
		}
		if key == "error" {
			if inner := jsonWords(obj[key]); inner != "" {
				return inner
			}
		}
	}
	return ""
}

// repeatsStatus reports whether words say no more than the status code
// does: its number, its words, and "page", "error", "http" or "status"
// ("404 page not found", "Error 502 (Bad Gateway)", "HTTP Status 403 –
// Forbidden").
func repeatsStatus(words string, code int) bool {
	known := map[string]bool{strconv.Itoa(code): true, "page": true, "error": true, "http": true, "status": true}
	for w := range strings.FieldsSeq(strings.ToLower(http.StatusText(code))) {
		known[w] = true
	}
	for w := range strings.FieldsFuncSeq(strings.ToLower(words), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !known[w] {
			return false
		}
	}
	return true
}

// plainText reports whether b reads as text: UTF-8 without control
// characters but for line breaks and tabs. Go's TLS server, for one,
// answers a request in plain HTTP with text and no Content-Type.
func plainText(b []byte) bool {
	for n := 0; n < utf8.UTFMax-1 && len(b) > 0 && !utf8.Valid(b); n++ {
		b = b[:len(b)-1] // a rune the read cut
	}
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
