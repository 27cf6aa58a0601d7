package fetch

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// TestHTTP2StreamErrorsStayTheSame fetches, three times each over one
// HTTP/2 connection, from a server that answers with a header name in
// capitals, which HTTP/2 forbids, and from one that resets the stream in
// the middle of the feed. Each fetch fails with the same words, where the
// error named the stream by its number ("stream error: stream ID 3; …"),
// another at every fetch, so that the error a source records changed at
// every poll for one and the same failure.
func TestHTTP2StreamErrorsStayTheSame(t *testing.T) {
	// httptest's certificate, for 127.0.0.1, and the pool that trusts it.
	certs := httptest.NewUnstartedServer(nil)
	certs.StartTLS()
	cert := certs.TLS.Certificates[0]
	roots := certs.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	certs.Close()

	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveH2(c)
		}
	}()

	f := newFetcher(t, Options{})
	f.transport.TLSClientConfig = &tls.Config{RootCAs: roots}
	for path, want := range map[string]string{
		"/capitals": `stream error: PROTOCOL_ERROR; invalid header field name "X-Feed-Version"`,
		"/reset":    "stream error: INTERNAL_ERROR; received from peer",
	} {
		u := "https://" + ln.Addr().String() + path
		var errs []string
		for range 3 {
			_, err := f.Fetch(t.Context(), Request{URL: u})
			if err == nil {
				t.Fatalf("Fetch(%s) = nil error; want %q", u, want)
			}
			errs = append(errs, err.Error())
		}
		for _, e := range errs {
			if e != errs[0] || !strings.HasSuffix(e, want) || strings.Contains(e, "stream ID") {
				t.Errorf("Fetch(%s), three times over one connection: errors %q; want each the same, ending %q", u, errs, want)
				break
			}
		}
	}
}

// serveH2 speaks HTTP/2 on c, answering each request by its path:
// "/capitals" with headers that hold a name in capitals, anything else
// with the start of a feed and then a reset of its stream.
func serveH2(c net.Conn) {
	defer c.Close()
	if _, err := io.ReadFull(c, make([]byte, len(http2.ClientPreface))); err != nil {
		return
	}
	fr := http2.NewFramer(c, c)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	if err := fr.WriteSettings(); err != nil {
		return
	}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				fr.WriteSettingsAck()
			}
		case *http2.MetaHeadersFrame:
			var block bytes.Buffer
			enc := hpack.NewEncoder(&block)
			enc.WriteField(hpack.HeaderField{Name: ":status", Value: "200"})
			enc.WriteField(hpack.HeaderField{Name: "content-type", Value: "application/rss+xml"})
			if f.PseudoValue("path") == "/capitals" {
				enc.WriteField(hpack.HeaderField{Name: "X-Feed-Version", Value: "2"})
				fr.WriteHeaders(http2.HeadersFrameParam{StreamID: f.StreamID, BlockFragment: block.Bytes(), EndHeaders: true, EndStream: true})
				continue
			}
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: f.StreamID, BlockFragment: block.Bytes(), EndHeaders: true})
			fr.WriteData(f.StreamID, false, []byte(rssBody[:len(rssBody)/2]))
			fr.WriteRSTStream(f.StreamID, http2.ErrCodeInternal)
		}
	}
}
