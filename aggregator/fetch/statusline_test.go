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
