package fetch

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
)

// TestCookieWall checks that a server which sets a cookie and redirects
// until the cookie comes back (a bot check, a cookie consent wall) fails
// the fetch saying so, whether it sends the fetch back to the same URL or
// on to new ones, and that no request, to it or to another source's
// server, carries a cookie.
func TestCookieWall(t *testing.T) {
	var mu sync.Mutex
	var cookies []string
	seen := func(r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if c := r.Header.Get("Cookie"); c != "" {
			cookies = append(cookies, r.URL.String()+": "+c)
		}
	}
	wall := feedtest.NewOrigin(t)
	wall.Handle("/feed", func(w http.ResponseWriter, r *http.Request) {
		seen(r)
		if _, err := r.Cookie("checked"); err == nil {
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write([]byte(rssBody))
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "checked", Value: "1", Path: "/"})
		http.Redirect(w, r, "/feed", http.StatusFound)
	})
	n := 0
	wall.Handle("/onward", func(w http.ResponseWriter, r *http.Request) {
		seen(r)
		mu.Lock()
		n++
		to := fmt.Sprintf("/onward?attempt=%d", n)
		mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: "checked", Value: "1", Path: "/"})
		http.Redirect(w, r, to, http.StatusFound)
	})
	other := feedtest.NewOrigin(t)
	other.Handle("/feed", func(w http.ResponseWriter, r *http.Request) {
		seen(r)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(rssBody))
	})
	f := newFetcher(t, Options{MaxRedirects: 3})
	const wallWhy = ": the server sets a cookie and redirects until it is sent back, " +
		"as a bot check or a cookie wall does, and feeds are fetched without cookies"

	tests := []struct {
		path string
		kind error
		msg  string
	}{
		{"/feed", ErrRedirectLoop, "redirect loop at " + wall.URL("/feed") + wallWhy},
		{"/onward", ErrTooManyRedirects, "stopped after 3 redirects at " + wall.URL("/onward?attempt=3") + wallWhy},
	}
	for _, tt := range tests {
		_, err := f.Fetch(t.Context(), Request{URL: wall.URL(tt.path)})
		if !errors.Is(err, tt.kind) || err.Error() != tt.msg {
			t.Errorf("Fetch(%s) error = %v; want %q wrapping %v", tt.path, err, tt.msg, tt.kind)
		}
	}
	if res, err := f.Fetch(t.Context(), Request{URL: other.URL("/feed")}); err != nil || string(res.Body) != rssBody {
		t.Errorf("Fetch(%s) after the wall = %q, %v; want the feed", other.URL("/feed"), res.Body, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(cookies) > 0 {
		t.Errorf("requests sent cookies: %q; want none", cookies)
	}
}
