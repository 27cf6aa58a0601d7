package publish_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzServe sends the handler requests a reader, a crawler or an attacker
// could: any method, path, query and conditional or encoding headers. Over
// a healthy store no request may fail with 500 (which is also what a
// recovered panic answers), and every answer is one the endpoint can give.
func FuzzServe(f *testing.F) {
	fx := newFixture(f)
	h := fx.pub.Handler(nil)
	seeds := []struct{ method, target, inm, ims, ae string }{
		{"GET", "/", "", "", ""},
		{"GET", "/topics/all.atom", `"x", W/"y"`, "", "gzip"},
		{"HEAD", "/topics/world.rss", "*", "Fri, 01 Mar 2024 09:00:00 GMT", "gzip;q=0, br"},
		{"GET", "/topics/paged.json?before=1709283600.0.abc", "", "not a date", "identity"},
		{"GET", "/topics/paged.atom?before=..", "", "", ""},
		{"GET", "/topics/world", "", "", ""},
		{"GET", "/topics/../opml", "", "", ""},
		{"GET", "/topics/%2e%2e%2fall.atom", "", "", ""},
		{"POST", "/topics/all.atom", "", "", ""},
		{"GET", "/topics/all.atom.atom", "", "", "*"},
		{"GET", "/healthz", "", "", ""},
		{"GET", "/opml?x=%ff", "", "", ""},
	}
	for _, s := range seeds {
		f.Add(s.method, s.target, s.inm, s.ims, s.ae)
	}
	f.Fuzz(func(t *testing.T, method, target, inm, ims, ae string) {
		req, err := http.NewRequestWithContext(t.Context(), method, "http://feeds.test"+target, nil)
		if err != nil || req.URL.Host != "feeds.test" {
			return // not a request a server could receive
		}
		for k, v := range map[string]string{"If-None-Match": inm, "If-Modified-Since": ims, "Accept-Encoding": ae} {
			if v != "" {
				req.Header.Set(k, v)
			}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch code := rec.Code; code {
		case http.StatusOK, http.StatusNotModified, http.StatusBadRequest, http.StatusNotFound,
			http.StatusMethodNotAllowed, http.StatusMovedPermanently, http.StatusTemporaryRedirect:
		default:
			t.Fatalf("%s %q (If-None-Match %q, If-Modified-Since %q, Accept-Encoding %q) = %d %s",
				method, target, inm, ims, ae, code, strings.TrimSpace(rec.Body.String()))
		}
		if rec.Code == http.StatusNotModified && rec.Body.Len() != 0 {
			t.Fatalf("%s %q = 304 with a %d-byte body", method, target, rec.Body.Len())
		}
		if rec.Code == http.StatusOK && method == http.MethodGet && rec.Body.Len() == 0 {
			t.Fatalf("GET %q = 200 with an empty body", target)
		}
	})
}
