package publish_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tributary-feeds/tributary/aggregator/publish"
)

// TestLastModifiedNeverAheadOfTheClock: a feed is served while the clock
// is hours ahead, as on a machine that booted with its clock wrong, and
// then with the clock set right, by the running daemon and after a
// restart. No response carries a Last-Modified later than the clock (RFC
// 9110, section 8.8.2.1): until the clock passes the date the feed was
// served with, it is sent without one, its ETag revalidating it, and the
// same bytes then get that date again.
func TestLastModifiedNeverAheadOfTheClock(t *testing.T) {
	f := newFixture(t)
	// The daemon starts with its clock three hours ahead.
	ahead := fixedNow().Add(3 * time.Hour)
	f.pub.SetClock(func() time.Time { return ahead.Add(-time.Hour) })
	if err := f.pub.SettingsSince(t.Context(), f.cfg); err != nil {
		t.Fatal(err)
	}
	f.pub.SetClock(func() time.Time { return ahead })
	stored := ahead.Add(-time.Minute)
	putStories(t, f.db, storySpec{
		at: stored, topics: []string{"all", "world"},
		items: []itemSpec{{src: srcAlpha, guid: "a-ahead", title: "Stored while the clock was ahead", link: "https://alpha.example/ahead"}},
	})
	f.pub.Changed("all", "world")
	resp, _ := f.get(t, "/topics/world.atom")
	lm, etag := resp.Header.Get("Last-Modified"), resp.Header.Get("Etag")
	if want := stored.Format(http.TimeFormat); lm != want {
		t.Fatalf("Last-Modified = %s; want %s, the story's, stored while the clock was ahead", lm, want)
	}

	check := func(when string, srv *httptest.Server, now time.Time, want string) {
		t.Helper()
		f2 := *f
		f2.srv = srv
		for _, header := range [][]string{nil, {"If-None-Match: " + etag}, {"Accept-Encoding: gzip"}} {
			resp, _ := f2.do(t, http.MethodGet, "/topics/world.atom", header...)
			if header != nil && header[0] == "If-None-Match: "+etag && resp.StatusCode != http.StatusNotModified {
				t.Errorf("%s: If-None-Match %s got %d; want 304", when, etag, resp.StatusCode)
			}
			got := resp.Header.Get("Last-Modified")
			if got != want {
				t.Errorf("%s, at %s (%v): Last-Modified = %q; want %q", when, now.Format(http.TimeFormat), header, got, want)
			}
			if d, err := http.ParseTime(got); err == nil && d.After(now) {
				t.Errorf("%s: Last-Modified %s is later than the clock, %s", when, got, now.Format(http.TimeFormat))
			}
		}
	}

	// The clock is set right while the daemon runs.
	f.pub.SetClock(fixedNow)
	check("the clock set right", f.srv, fixedNow(), "")

	// The daemon starts again with the clock right.
	f.pub.Close()
	restart := func(now time.Time) *httptest.Server {
		pub := publish.New(f.cfg, f.db, topicsCfg, prometheus.NewRegistry(), nil)
		t.Cleanup(pub.Close)
		pub.SetClock(func() time.Time { return now })
		if err := pub.SettingsSince(t.Context(), f.cfg); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(pub.Handler(nil))
		t.Cleanup(srv.Close)
		return srv
	}
	check("after a restart", restart(fixedNow()), fixedNow(), "")

	// Once the clock has passed it, the same bytes have the date they
	// were served with.
	later := ahead.Add(time.Hour)
	check("once the clock passed the date", restart(later), later, lm)
}
