package poller_test

import (
	"net/http"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator/feedtest"
)

// TestValidatorsNotUTF8 polls servers whose ETag and Last-Modified carry
// bytes that are not UTF-8 (Latin-1, say): the validators go back byte for
// byte, from the stored state too, so the server's 304 comes.
func TestValidatorsNotUTF8(t *testing.T) {
	body := fixture(t, "news.rss")
	o := feedtest.NewOrigin(t)
	const etag, modified = "\"caf\xe9-\xff\"", "Mon, 02 Mar 2026 10:00:00 GMT \xe9t\xe9"
	o.Handle("/etag.rss", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	})
	o.Handle("/modified.rss", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Last-Modified", modified)
		if r.Header.Get("If-Modified-Since") == modified {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	})
	cfg := config(t, "", o.URL("/etag.rss"), o.URL("/modified.rss"))
	db := mustOpen(t)
	for i, want := range []string{"ok", "not_modified", "not_modified"} {
		// A new poller each time reads the validators from the store.
		for _, oc := range newPoller(t, cfg, db, nil).PollAll(t.Context(), nil) {
			if oc.Result != want {
				t.Errorf("poll %d of %s: %q (err %v); want %s", i+1, oc.URL, oc.Result, oc.Err, want)
			}
		}
	}
	if st := state(t, db, o.URL("/etag.rss")); st.ETag != etag {
		t.Errorf("stored ETag %q; want %q", st.ETag, etag)
	}
	if st := state(t, db, o.URL("/modified.rss")); st.LastModified != modified {
		t.Errorf("stored Last-Modified %q; want %q", st.LastModified, modified)
	}
}
