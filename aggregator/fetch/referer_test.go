package fetch

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
)

// TestRedirectSendsNoReferer checks that a redirect to another host learns
// nothing of the source's URL: its query may hold the token of a private
// feed, and its user name and password must not follow either.
func TestRedirectSendsNoReferer(t *testing.T) {
	src := feedtest.NewOrigin(t)
	other := feedtest.NewOrigin(t)
	other.Feed("/feed", "application/rss+xml", []byte(rssBody))
	// A different host name for the same loopback address.
	elsewhere := strings.Replace(other.URL("/feed"), "127.0.0.1", "localhost", 1)
	src.Redirect("/private", elsewhere, http.StatusFound)
	src.Redirect("/same", "/hop", http.StatusFound)
	src.Redirect("/hop", other.URL("/feed"), http.StatusFound)
	f := newFetcher(t, Options{})

	for _, u := range []string{
		src.URL("/private") + "?token=S3CR3T&format=rss",
		strings.Replace(src.URL("/private"), "http://", "http://reader:S3CR3T@", 1),
		src.URL("/same") + "?key=S3CR3T",
	} {
		if _, err := f.Fetch(t.Context(), Request{URL: u}); err != nil {
			t.Fatalf("Fetch(%s): %v", u, err)
		}
	}
	for _, l := range other.RequestsTo("/feed") {
		if ref := l.Header.Get("Referer"); ref != "" {
			t.Errorf("request to the redirect's target carried Referer %q; want none", ref)
		}
		if auth := l.Header.Get("Authorization"); auth != "" {
			t.Errorf("request to the redirect's target carried Authorization %q; want none", auth)
		}
	}
	if n := other.Count("/feed"); n != 3 {
		t.Errorf("the redirect's target was asked %d times; want 3", n)
	}
}

// TestRedirectKeepsCredentialsOnSameOrigin fetches a private feed, whose
// URL holds its user name and password, through redirects: one to an
// absolute URL on the same origin is sent the credentials, as one to a
// relative URL is, and the source moves with them, while one to another
// host name or another port of the same address is not.
func TestRedirectKeepsCredentialsOnSameOrigin(t *testing.T) {
	o := feedtest.NewOrigin(t)
	other := feedtest.NewOrigin(t)
	private := func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "reader" || p != "S3CR3T" {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(rssBody))
	}
	o.Handle("/private", private)
	other.Handle("/private", private)
	o.Redirect("/relative", "/private", http.StatusMovedPermanently)
	o.Redirect("/absolute", o.URL("/private"), http.StatusMovedPermanently)
	o.Redirect("/other-name", strings.Replace(o.URL("/private"), "127.0.0.1", "localhost", 1), http.StatusMovedPermanently)
	o.Redirect("/other-port", other.URL("/private"), http.StatusMovedPermanently)
	f := newFetcher(t, Options{})
	withCredentials := func(u string) string { return strings.Replace(u, "http://", "http://reader:S3CR3T@", 1) }

	for _, path := range []string{"/relative", "/absolute"} {
		res, err := f.Fetch(t.Context(), Request{URL: withCredentials(o.URL(path))})
		if err != nil || string(res.Body) != rssBody {
			t.Errorf("Fetch(%s) = %v; want the private feed", path, err)
			continue
		}
		if want := withCredentials(o.URL("/private")); res.MovedTo != want {
			t.Errorf("Fetch(%s) moved to %q; want %q, with the credentials", path, res.MovedTo, want)
		}
	}
	for _, path := range []string{"/other-name", "/other-port"} {
		_, err := f.Fetch(t.Context(), Request{URL: withCredentials(o.URL(path))})
		var se *StatusError
		if !errors.As(err, &se) || se.Code != http.StatusUnauthorized {
			t.Errorf("Fetch(%s) = %v; want a 401, the credentials not sent on", path, err)
		}
	}
	for _, l := range other.RequestsTo("/private") {
		if auth := l.Header.Get("Authorization"); auth != "" {
			t.Errorf("the request to another port carried Authorization %q; want none", auth)
		}
	}
}

func TestSameOrigin(t *testing.T) {
	tests := []struct {
		from, to string
		want     bool
	}{
		{"http://feeds.example/a", "http://feeds.example/b", true},
		{"http://feeds.example/a", "http://FEEDS.example:80/b", true},
		{"http://feeds.example/a", "https://feeds.example/b", true},
		{"http://feeds.example:80/a", "https://feeds.example:443/b", true},
		{"https://feeds.example/a", "https://feeds.example:443/b", true},
		{"https://feeds.example/a", "http://feeds.example/b", false},
		{"http://feeds.example:8080/a", "https://feeds.example/b", false},
		{"http://feeds.example/a", "https://feeds.example:8443/b", false},
		{"http://feeds.example/a", "http://feeds.example:8080/b", false},
		{"http://feeds.example/a", "http://cdn.feeds.example/b", false},
		{"http://feeds.example/a", "http://example/b", false},
	}
	for _, tt := range tests {
		from, _ := url.Parse(tt.from)
		to, _ := url.Parse(tt.to)
		if got := sameOrigin(from, to); got != tt.want {
			t.Errorf("sameOrigin(%s, %s) = %v; want %v", tt.from, tt.to, got, tt.want)
		}
	}
}
