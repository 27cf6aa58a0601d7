package fetch

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
)

// TestLargeHeaders fetches from servers whose response headers run past
// the limit, over HTTP/1.1 and HTTP/2: one header of a megabyte, ten
// thousand header lines, an endless stream of 100 Continue and thousands
// of 103 Early Hints before the answer. Each fails saying so, where the
// error was in net/http's words of its own connection.
func TestLargeHeaders(t *testing.T) {
	feed := func(c net.Conn, head string) {
		if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
			return
		}
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n%sContent-Length: %d\r\n\r\n%s", head, len(rssBody), rssBody)
	}
	var lines strings.Builder
	for i := range 10_000 {
		fmt.Fprintf(&lines, "X-Line-%d: value\r\n", i)
	}
	h1 := map[string]string{
		"a megabyte header": feedtest.RawServer(t, func(c net.Conn) { feed(c, "X-Big: "+strings.Repeat("a", 1<<20)+"\r\n") }),
		"10,000 lines":      feedtest.RawServer(t, func(c net.Conn) { feed(c, lines.String()) }),
		"endless 100s": feedtest.RawServer(t, func(c net.Conn) {
			if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
				return
			}
			for {
				if _, err := io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n"); err != nil {
					return
				}
			}
		}),
	}
	f := newFetcher(t, Options{})
	want := fmt.Sprintf("response headers larger than %d bytes", maxHeaderBytes)
	for name, addr := range h1 {
		u := "http://" + addr + "/feed"
		if _, err := f.Fetch(t.Context(), Request{URL: u}); err == nil || err.Error() != "requesting "+u+": "+want {
			t.Errorf("%s: Fetch(%s) error = %v; want %q", name, u, err, "requesting "+u+": "+want)
		}
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Big", strings.Repeat("a", 1<<20))
		io.WriteString(w, rssBody)
	})
	mux.HandleFunc("/lines", func(w http.ResponseWriter, r *http.Request) {
		for i := range 10_000 {
			w.Header().Set(fmt.Sprintf("X-Line-%d", i), "value")
		}
		io.WriteString(w, rssBody)
	})
	mux.HandleFunc("/hints", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload; as=style")
		for range 5_000 {
			w.WriteHeader(http.StatusEarlyHints)
		}
		io.WriteString(w, rssBody)
	})
	h2 := httptest.NewUnstartedServer(mux)
	h2.EnableHTTP2 = true
	h2.Config.ErrorLog = log.New(io.Discard, "", 0)
	h2.StartTLS()
	t.Cleanup(h2.Close)
	trusting := newFetcher(t, Options{})
	trusting.transport.TLSClientConfig = &tls.Config{RootCAs: h2.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}
	unread := "the HTTP/2 answer could not be read (%s): response headers larger than 65536 bytes, or a broken server"
	for path, w := range map[string]string{
		"/big":   fmt.Sprintf(unread, "COMPRESSION_ERROR"),
		"/lines": fmt.Sprintf(unread, "PROTOCOL_ERROR"),
		"/hints": want,
	} {
		u := h2.URL + path
		if _, err := trusting.Fetch(t.Context(), Request{URL: u}); err == nil || err.Error() != "requesting "+u+": "+w {
			t.Errorf("HTTP/2: Fetch(%s) error = %v; want %q", u, err, "requesting "+u+": "+w)
		}
	}
}
