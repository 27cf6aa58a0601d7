package fetch

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
)

// TestStatusOutsideHTTP fetches from servers whose status line carries
// three digits outside HTTP's 100 to 599: each fails the source as a
// server error does, saying that the number is no HTTP status.
func TestStatusOutsideHTTP(t *testing.T) {
	f := newFetcher(t, Options{})
	for _, line := range []string{"HTTP/1.1 999 Weird", "HTTP/1.1 600", "HTTP/1.1 000 Zero", "HTTP/1.1 099 Low"} {
		addr := feedtest.RawServer(t, func(c net.Conn) {
			if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
				return
			}
			fmt.Fprintf(c, "%s\r\nContent-Type: application/rss+xml\r\nContent-Length: %d\r\n\r\n%s", line, len(rssBody), rssBody)
		})
		u := "http://" + addr + "/feed"
		_, err := f.Fetch(t.Context(), Request{URL: u})
		code, _ := strconv.Atoi(strings.Fields(line)[1])
		var se *StatusError
		if want := fmt.Sprintf("http %d (not an HTTP status) from %s", code, u); !errors.As(err, &se) || se.Code != code || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Fetch of %q: error %v; want a StatusError starting %q", line, err, want)
		}
	}
}

// TestHeadersCutShort fetches from servers that close the connection in
// the middle of their answer's head: after some of its header lines, and
// after a 103 Early Hints with no answer after it. Each fails saying so,
// where the error was net/http's "transport connection broken: unexpected
// EOF".
func TestHeadersCutShort(t *testing.T) {
	f := newFetcher(t, Options{})
	for _, head := range []string{
		"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n",
		"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n",
	} {
		addr := feedtest.RawServer(t, func(c net.Conn) {
			if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
				return
			}
			fmt.Fprint(c, head)
		})
		u := "http://" + addr + "/feed"
		_, err := f.Fetch(t.Context(), Request{URL: u})
		if want := "requesting " + u + ": the server closed the connection before the end of its answer's headers"; err == nil || err.Error() != want {
			t.Errorf("Fetch after %q and a close: error %v; want %q", head, err, want)
		}
	}
}
