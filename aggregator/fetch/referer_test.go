package fetch

import (
	"net/http"
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
