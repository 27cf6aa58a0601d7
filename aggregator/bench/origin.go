package bench

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// OriginEnv is the environment variable that turns a re-executed tributary
// (or test) binary into the bench's feed origin. Its value is the
// GenOptions, as JSON.
const OriginEnv = "TRIBUTARY_BENCH_ORIGIN"

// Modes of the origin, switched by the parent between passes.
const (
	// ModeValidators answers with ETag and Last-Modified, and 304 to a
	// conditional request that matches.
	ModeValidators = "validators"
	// ModeNoValidators answers every request 200 with the full body and
	// no validators, as many feed servers do.
	ModeNoValidators = "novalidators"
)

// OriginStats counts what the origin answered since the last reset.
type OriginStats struct {
	Requests    int64 `json:"requests"`
	OK          int64 `json:"ok"`
	NotModified int64 `json:"not_modified"`
	Gzip        int64 `json:"gzip"`
	Conditional int64 `json:"conditional"` // requests that carried If-None-Match or If-Modified-Since
	Bytes       int64 `json:"bytes"`       // body bytes sent
}

// Origin serves a Generator's feeds over HTTP, gzip-compressed when the
// client accepts it, with strong validators, and a control API under
// /_bench/:
//
//	POST /_bench/mode?set=validators|novalidators
//	POST /_bench/grow?percent=10&items=5&at=UNIX   (answers the feeds that grew)
//	GET  /_bench/stats[?reset=1]                   (answers OriginStats)
//
// Every feed is rendered and compressed when the Origin is made and again
// when it grows, never while a request waits.
type Origin struct {
	gen    *Generator
	digest string // of every body as first rendered, in feed order

	mu    sync.RWMutex
	docs  map[string]*servedDoc
	paths []string // by feed index

	noValidators atomic.Bool
	requests     atomic.Int64
	ok           atomic.Int64
	notModified  atomic.Int64
	gzipped      atomic.Int64
	conditional  atomic.Int64
	bytes        atomic.Int64
}

// servedDoc is one feed ready to serve; only the compressed body is kept.
type servedDoc struct {
	contentType string
	etag        string
	modified    time.Time
	lastMod     string
	gz          []byte
	size        int // uncompressed length
}

// NewOrigin renders and compresses every feed of gen, using every CPU.
func NewOrigin(gen *Generator) *Origin {
	o := &Origin{gen: gen, docs: make(map[string]*servedDoc), paths: make([]string, gen.Options().Feeds)}
	sums := make([][32]byte, len(o.paths))
	o.render(allFeeds(len(o.paths)), func(f int, d Doc) { sums[f] = sha256.Sum256(d.Body) })
	o.digest = CorpusDigest(sums)
	return o
}

// Digest returns a digest of every feed's body as first rendered, the one
// CorpusDigest computes from the same options.
func (o *Origin) Digest() string { return o.digest }

// CorpusDigest combines the SHA-256 sums of every feed body, in feed order,
// into the digest Origin.Digest returns; it lets the parent check that it
// parses the very bytes the origin served.
func CorpusDigest(sums [][32]byte) string {
	h := sha256.New()
	for _, s := range sums {
		h.Write(s[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func allFeeds(n int) []int {
	fs := make([]int, n)
	for i := range fs {
		fs[i] = i
	}
	return fs
}

// render renders and compresses the given feeds in parallel and installs
// them; each (feed, doc) is also handed to seen, from several goroutines.
func (o *Origin) render(feeds []int, seen func(int, Doc)) {
	work := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
			for f := range work {
				d := o.gen.Feed(f)
				buf.Reset()
				zw.Reset(&buf)
				zw.Write(d.Body) //nolint:errcheck // writes to a bytes.Buffer do not fail
				zw.Close()       //nolint:errcheck // idem
				sd := &servedDoc{
					contentType: d.ContentType,
					etag:        d.ETag,
					modified:    d.LastModified,
					lastMod:     d.LastModified.Format(http.TimeFormat),
					gz:          bytes.Clone(buf.Bytes()),
					size:        len(d.Body),
				}
				if seen != nil {
					seen(f, d)
				}
				o.mu.Lock()
				o.docs[d.Path] = sd
				o.paths[f] = d.Path
				o.mu.Unlock()
			}
		})
	}
	for _, f := range feeds {
		work <- f
	}
	close(work)
	wg.Wait()
}

// URLs returns every feed's URL under base (scheme and host), in feed order.
func (o *Origin) URLs(base string) []string {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := make([]string, len(o.paths))
	for i, p := range o.paths {
		out[i] = base + p
	}
	return out
}

// Stats returns the counters, and zeroes them when reset is true.
func (o *Origin) Stats(reset bool) OriginStats {
	get := func(v *atomic.Int64) int64 {
		if reset {
			return v.Swap(0)
		}
		return v.Load()
	}
	return OriginStats{
		Requests: get(&o.requests), OK: get(&o.ok), NotModified: get(&o.notModified),
		Gzip: get(&o.gzipped), Conditional: get(&o.conditional), Bytes: get(&o.bytes),
	}
}

// ServeHTTP serves a feed or the control API.
func (o *Origin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_bench/") {
		o.control(w, r)
		return
	}
	o.requests.Add(1)
	o.mu.RLock()
	d := o.docs[r.URL.Path]
	o.mu.RUnlock()
	if d == nil {
		http.NotFound(w, r)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", d.contentType)
	hdr.Set("Vary", "Accept-Encoding")
	inm, ims := r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")
	if inm != "" || ims != "" {
		o.conditional.Add(1)
	}
	if !o.noValidators.Load() {
		hdr.Set("ETag", d.etag)
		hdr.Set("Last-Modified", d.lastMod)
		if fresh(inm, ims, d) {
			o.notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	o.ok.Add(1)
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		o.gzipped.Add(1)
		o.bytes.Add(int64(len(d.gz)))
		hdr.Set("Content-Encoding", "gzip")
		hdr.Set("Content-Length", strconv.Itoa(len(d.gz)))
		w.Write(d.gz) //nolint:errcheck // the client went away
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(d.gz))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	hdr.Set("Content-Length", strconv.Itoa(d.size))
	n, _ := io.Copy(w, zr)
	o.bytes.Add(n)
}

// fresh reports whether a conditional request matches d: If-None-Match
// wins over If-Modified-Since (RFC 9110, section 13.2.2).
func fresh(inm, ims string, d *servedDoc) bool {
	if inm != "" {
		for _, tag := range strings.Split(inm, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == "*" || tag == d.etag {
				return true
			}
		}
		return false
	}
	if ims == "" {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !d.modified.Truncate(time.Second).After(t)
}

func (o *Origin) control(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch r.URL.Path {
	case "/_bench/mode":
		switch q.Get("set") {
		case ModeValidators:
			o.noValidators.Store(false)
		case ModeNoValidators:
			o.noValidators.Store(true)
		default:
			http.Error(w, "unknown mode", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case "/_bench/grow":
		percent, err1 := strconv.Atoi(q.Get("percent"))
		items, err2 := strconv.Atoi(q.Get("items"))
		at, err3 := strconv.ParseInt(q.Get("at"), 10, 64)
		if err := errors.Join(err1, err2, err3); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		grown := o.gen.Grow(percent, items, time.Unix(at, 0))
		o.render(grown, nil)
		writeJSON(w, grown)
	case "/_bench/stats":
		writeJSON(w, o.Stats(q.Get("reset") == "1"))
	default:
		http.NotFound(w, r)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client went away
}

// IsOrigin reports whether this process was started as the bench's feed
// origin (OriginEnv is set).
func IsOrigin() bool { return os.Getenv(OriginEnv) != "" }

// ServeOrigin runs the feed origin of a re-executed process: it reads the
// GenOptions from OriginEnv, renders every feed, listens on a loopback
// port, writes "ADDRESS DIGEST\n" to out and serves until in reaches its
// end (the parent closed the pipe or exited) or ctx is done.
func ServeOrigin(ctx context.Context, in io.Reader, out io.Writer) error {
	var opts GenOptions
	if err := json.Unmarshal([]byte(os.Getenv(OriginEnv)), &opts); err != nil {
		return fmt.Errorf("bench origin: reading %s: %w", OriginEnv, err)
	}
	o := NewOrigin(NewGenerator(opts))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("bench origin: %w", err)
	}
	srv := &http.Server{Handler: o, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	if _, err := fmt.Fprintf(out, "%s %s\n", ln.Addr(), o.Digest()); err != nil {
		srv.Close()
		return fmt.Errorf("bench origin: %w", err)
	}
	eof := make(chan struct{})
	go func() {
		io.Copy(io.Discard, in) //nolint:errcheck // any end of the pipe means the parent is gone
		close(eof)
	}()
	select {
	case <-eof:
	case <-ctx.Done():
	case err := <-done:
		return fmt.Errorf("bench origin: %w", err)
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// originProc is the origin running in a child process.
type originProc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	addr   string
	base   string // http://ADDRESS
	digest string
	client *http.Client
}

// startOrigin re-executes this binary as the feed origin and waits until it
// listens.
func startOrigin(ctx context.Context, exe string, args []string, opts GenOptions, stderr io.Writer) (*originProc, error) {
	spec, err := json.Marshal(opts)
	if err != nil {
		return nil, fmt.Errorf("starting origin: %w", err)
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), OriginEnv+"="+string(spec))
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("starting origin: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("starting origin: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting origin %s: %w", exe, err)
	}
	p := &originProc{cmd: cmd, stdin: stdin, client: &http.Client{Timeout: 5 * time.Minute}}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		p.stop()
		return nil, fmt.Errorf("starting origin: no address from %s (does it call bench.ServeOrigin when %s is set?): %w",
			exe, OriginEnv, err)
	}
	fields := strings.Fields(line)
	if len(fields) != 2 {
		p.stop()
		return nil, fmt.Errorf("starting origin: unexpected first line %q", line)
	}
	p.addr, p.digest = fields[0], fields[1]
	p.base = "http://" + p.addr
	return p, nil
}

// call makes one control request and decodes its JSON answer into v (when
// not nil).
func (p *originProc) call(ctx context.Context, method, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, method, p.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("origin %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("origin %s: %s: %s", path, resp.Status, bytes.TrimSpace(b))
	}
	if v == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("origin %s: %w", path, err)
	}
	return nil
}

func (p *originProc) setMode(ctx context.Context, mode string) error {
	return p.call(ctx, http.MethodPost, "/_bench/mode?set="+mode, nil)
}

func (p *originProc) stats(ctx context.Context) (OriginStats, error) {
	var s OriginStats
	err := p.call(ctx, http.MethodGet, "/_bench/stats?reset=1", &s)
	return s, err
}

// stop ends the child: closing its stdin asks it to shut down; it is killed
// if it has not exited within five seconds.
func (p *originProc) stop() {
	p.stdin.Close()
	done := make(chan struct{})
	go func() {
		p.cmd.Wait() //nolint:errcheck // the child's exit status says nothing about the bench
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill() //nolint:errcheck // it may just have exited
		<-done
	}
}
