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
