package fetch

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
)

// TestTLSErrors fetches from https sources that fail in each way a TLS
// source does: the error names what is wrong, and the fetch ends within
// its time.
func TestTLSErrors(t *testing.T) {
	feed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, rssBody) })
	quiet := log.New(io.Discard, "", 0) // the servers log the handshakes the tests fail
	selfSigned := httptest.NewUnstartedServer(feed)
	selfSigned.Config.ErrorLog = quiet
	selfSigned.StartTLS()
	t.Cleanup(selfSigned.Close)

	expired := httptest.NewUnstartedServer(feed)
	expired.Config.ErrorLog = quiet
	expired.TLS = &tls.Config{Certificates: []tls.Certificate{expiredCert(t)}}
	expired.StartTLS()
	t.Cleanup(expired.Close)

	plain := httptest.NewServer(feed)
	t.Cleanup(plain.Close)

	// A port that takes connections and never says a word.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() })
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()

	// A Fetcher that trusts the self-signed test certificate, as one whose
	// system trusts the source's authority.
	trusting := newFetcher(t, Options{})
	trusting.transport.TLSClientConfig = &tls.Config{RootCAs: selfSigned.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}
	if res, err := trusting.Fetch(t.Context(), Request{URL: selfSigned.URL + "/feed"}); err != nil || string(res.Body) != rssBody {
		t.Fatalf("Fetch(%s) trusting its certificate = %v; want the feed", selfSigned.URL, err)
	}

	tests := []struct {
		name string
		f    *Fetcher
		url  string
		want string
		is   error
	}{
		{"self-signed", newFetcher(t, Options{}), selfSigned.URL + "/feed", "x509: certificate signed by unknown authority", nil},
		{"wrong name", trusting, strings.Replace(selfSigned.URL, "127.0.0.1", "localhost", 1) + "/feed", "certificate is valid for example.com, *.example.com, not localhost", nil},
		{"expired", newFetcher(t, Options{}), expired.URL + "/feed", "x509: certificate has expired or is not yet valid", nil},
		{"plain HTTP on https", newFetcher(t, Options{}), strings.Replace(plain.URL, "http:", "https:", 1) + "/feed", "server gave HTTP response to HTTPS client", nil},
		{"handshake hangs", newFetcher(t, Options{TLSTimeout: 200 * time.Millisecond}), "https://" + silent.Addr().String() + "/feed", "timeout after 200ms in the TLS handshake", ErrTimeout},
	}
	for _, tt := range tests {
		_, err := tt.f.Fetch(t.Context(), Request{URL: tt.url})
		if err == nil || !strings.Contains(err.Error(), tt.want) || (tt.is != nil && !errors.Is(err, tt.is)) {
			t.Errorf("%s: Fetch(%s) error = %v; want it to say %q", tt.name, tt.url, err, tt.want)
		}
	}
}

// expiredCert returns a self-signed certificate for 127.0.0.1 that expired
// a year ago.
func expiredCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "expired.test"},
		NotBefore:    time.Now().AddDate(-2, 0, 0),
		NotAfter:     time.Now().AddDate(-1, 0, 0),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestOldTLS fetches from servers that speak no TLS version of 1.2 or
// later: one that answers the versions offered with an alert, and one that
// chooses TLS 1.0 whatever it is offered. Each fails saying which side
// lacks what, where the error said "protocol version not supported", or
// named the version in hexadecimal.
func TestOldTLS(t *testing.T) {
	feed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, rssBody) })
	alerting := httptest.NewUnstartedServer(feed)
	alerting.Config.ErrorLog = log.New(io.Discard, "", 0)
	alerting.TLS = &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10}
	alerting.StartTLS()
	t.Cleanup(alerting.Close)

	// A ServerHello of TLS 1.0 (0x0301) in a record, after the client's hello.
	hello := []byte{0x03, 0x01}
	hello = append(hello, make([]byte, 32)...)    // random
	hello = append(hello, 0x00, 0x00, 0x2f, 0x00) // no session id, TLS_RSA_WITH_AES_128_CBC_SHA, no compression
	msg := append([]byte{0x02, 0x00, 0x00, byte(len(hello))}, hello...)
	record := append([]byte{0x16, 0x03, 0x01, 0x00, byte(len(msg))}, msg...)
	choosing := feedtest.RawServer(t, func(c net.Conn) {
		buf := make([]byte, 5)
		if _, err := io.ReadFull(c, buf); err != nil {
			return
		}
		if _, err := io.CopyN(io.Discard, c, int64(buf[3])<<8|int64(buf[4])); err != nil {
			return
		}
		c.Write(record)
		io.Copy(io.Discard, c) // until the client hangs up
	})

	f := newFetcher(t, Options{})
	for _, tt := range []struct{ url, want string }{
		{alerting.URL + "/feed", "the server speaks no TLS version of 1.2 or later, the least a feed is fetched with (remote error: tls: protocol version not supported)"},
		{"https://" + choosing + "/feed", "the server speaks TLS 1.0, older than TLS 1.2, the least a feed is fetched with (tls: server selected unsupported protocol version 301)"},
	} {
		_, err := f.Fetch(t.Context(), Request{URL: tt.url})
		if want := "requesting " + tt.url + ": " + tt.want; err == nil || err.Error() != want {
			t.Errorf("Fetch(%s) error = %v; want %q", tt.url, err, want)
		}
	}
}
