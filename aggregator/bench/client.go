package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// conn is one keep-alive HTTP/1.1 connection of the load: a minimal client,
// as a load generator such as wrk is, so that a serving measurement spends
// the machine's CPU on the server it measures rather than on its client.
// It writes one request, prepared once, and reads of each answer the status
// line, the headers that frame the body, and the body, which it discards.
type conn struct {
	addr string
	req  []byte
	br   *bufio.Reader
	used bool // the connection carried an answer: the server may have closed it since

	mu      sync.Mutex // guards nc and stopped against stop
	nc      net.Conn
	stopped bool
}

// dialTimeout bounds each connection's dial; ioTimeout each round trip.
const (
	dialTimeout = 5 * time.Second
	ioTimeout   = 30 * time.Second
)

// newConn prepares a connection for GET requests of rawURL with header
// added; it dials on its first round trip.
func newConn(rawURL string, header http.Header) (*conn, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("%s: only http URLs can be loaded", rawURL)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: tributary-bench\r\n", u.RequestURI(), u.Host)
	if err := header.Write(&b); err != nil {
		return nil, err
	}
	b.WriteString("\r\n")
	return &conn{addr: addr, req: b.Bytes()}, nil
}

// close closes the network connection, if one is open.
func (c *conn) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.nc != nil {
		c.nc.Close()
		c.nc, c.used = nil, false
	}
}

// stop ends the round trip in progress, from any goroutine, and fails
// those after it.
func (c *conn) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopped = true
	if c.nc != nil {
		c.nc.SetDeadline(time.Now()) //nolint:errcheck // a closed connection has ended already
	}
}

// errStopped is a round trip's error after stop.
var errStopped = errors.New("load stopped")

// roundTrip sends the request and reads the answer, returning its status
// and the number of body bytes. A connection the server closed while idle
// is dialled again and the request sent once more, as net/http does for a
// GET.
func (c *conn) roundTrip() (status int, n int64, err error) {
	for attempt := 0; ; attempt++ {
		reused := c.used
		status, n, err = c.try()
		if err == nil || !reused || attempt > 0 || !errors.Is(err, errIdleClosed) {
			return status, n, err
		}
	}
}

// errIdleClosed is try's error when a reused connection ended before any
// byte of the answer.
var errIdleClosed = errors.New("connection closed before the answer")

func (c *conn) try() (int, int64, error) {
	c.mu.Lock()
	nc, stopped := c.nc, c.stopped
	c.mu.Unlock()
	if stopped {
		return 0, 0, errStopped
	}
	if nc == nil {
		var err error
		if nc, err = net.DialTimeout("tcp", c.addr, dialTimeout); err != nil {
			return 0, 0, err
		}
		c.mu.Lock()
		if c.stopped { // stop ran while dialling
			c.mu.Unlock()
			nc.Close()
			return 0, 0, errStopped
		}
		c.nc = nc
		c.mu.Unlock()
		if c.br == nil {
			c.br = bufio.NewReaderSize(nc, 64<<10)
		} else {
			c.br.Reset(nc)
		}
	}
	// Under the lock, so that a stop after this point cuts the round trip.
	c.mu.Lock()
	stopped = c.stopped
	err := nc.SetDeadline(time.Now().Add(ioTimeout))
	c.mu.Unlock()
	if stopped {
		return 0, 0, errStopped
	}
	if err != nil {
		c.close()
		return 0, 0, err
	}
	if _, err := nc.Write(c.req); err != nil {
		c.close()
		return 0, 0, fmt.Errorf("%w: %w", errIdleClosed, err)
	}
	status, n, keep, err := readAnswer(c.br)
	if err != nil {
		c.close()
		return 0, 0, err
	}
	c.used = true
	if !keep {
		c.close()
	}
	return status, n, nil
}

// readAnswer reads one HTTP/1.1 answer to a GET from br: its status and
// its body's length, discarding the body, and whether the connection may
// carry another request. Interim (1xx) answers are skipped.
func readAnswer(br *bufio.Reader) (status int, n int64, keep bool, err error) {
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			if len(line) == 0 {
				return 0, 0, false, fmt.Errorf("%w: %w", errIdleClosed, err)
			}
			return 0, 0, false, fmt.Errorf("reading status line: %w", err)
		}
		status, keep, err = parseStatusLine(line)
		if err != nil {
			return 0, 0, false, err
		}
		length, chunked, close, err := readHeaders(br)
		if err != nil {
			return 0, 0, false, err
		}
		if close {
			keep = false
		}
		switch {
		case status >= 100 && status < 200:
			continue
		case status == http.StatusNoContent || status == http.StatusNotModified:
			return status, 0, keep, nil
		case chunked:
			n, err = discardChunked(br)
			return status, n, keep, err
		case length >= 0:
			d, err := br.Discard(int(length))
			return status, int64(d), keep, err
		default: // the body ends with the connection
			n, err = io.Copy(io.Discard, br)
			return status, n, false, err
		}
	}
}

// parseStatusLine reads "HTTP/1.x NNN reason\r\n"; an HTTP/1.0 answer
// closes the connection.
func parseStatusLine(line []byte) (status int, keep bool, err error) {
	line = bytes.TrimRight(line, "\r\n")
	proto, rest, ok := bytes.Cut(line, []byte(" "))
	if !ok || !bytes.HasPrefix(proto, []byte("HTTP/1.")) || len(rest) < 3 {
		return 0, false, fmt.Errorf("malformed status line %q", line)
	}
	status, err = strconv.Atoi(string(rest[:3]))
	if err != nil || status < 100 || status > 999 {
		return 0, false, fmt.Errorf("malformed status line %q", line)
	}
	return status, string(proto) == "HTTP/1.1", nil
}

// readHeaders reads the header lines up to the blank one, keeping those
// that frame the body: Content-Length (-1 when absent), chunked
// Transfer-Encoding and Connection: close.
func readHeaders(br *bufio.Reader) (length int64, chunked, close bool, err error) {
	length = -1
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return 0, false, false, fmt.Errorf("reading headers: %w", err)
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			return length, chunked, close, nil
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, false, false, fmt.Errorf("malformed header line %q", line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case asciiEqualFold(name, "Content-Length"):
			length, err = strconv.ParseInt(string(value), 10, 64)
			if err != nil || length < 0 {
				return 0, false, false, fmt.Errorf("bad Content-Length %q", value)
			}
		case asciiEqualFold(name, "Transfer-Encoding"):
			chunked = asciiEqualFold(value, "chunked")
			if !chunked {
				return 0, false, false, fmt.Errorf("unsupported Transfer-Encoding %q", value)
			}
		case asciiEqualFold(name, "Connection"):
			close = asciiEqualFold(value, "close")
		}
	}
}

// discardChunked reads a chunked body and its trailers, returning the
// body's length.
func discardChunked(br *bufio.Reader) (int64, error) {
	var n int64
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return n, fmt.Errorf("reading chunk size: %w", err)
		}
		size, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
		sz, err := strconv.ParseInt(string(bytes.TrimSpace(size)), 16, 64)
		if err != nil || sz < 0 {
			return n, fmt.Errorf("bad chunk size %q", line)
		}
		if sz == 0 {
			_, _, _, err := readHeaders(br) // trailers, up to the blank line
			return n, err
		}
		d, err := br.Discard(int(sz))
		n += int64(d)
		if err != nil {
			return n, err
		}
		crlf, err := br.ReadSlice('\n')
		if err != nil || len(bytes.TrimRight(crlf, "\r\n")) != 0 {
			return n, fmt.Errorf("chunk not followed by CRLF")
		}
	}
}

// asciiEqualFold reports whether b equals s, ignoring ASCII case.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
