package publish_test

import (
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

func TestItemsPerDay(t *testing.T) {
	f := newFixture(t)
	var now atomic.Int64
	now.Store(fixedNow().UnixNano())
	f.pub.SetClock(func() time.Time { return time.Unix(0, now.Load()).UTC() })

	rate := func(name string) string {
		t.Helper()
		_, body := f.get(t, "/")
		row := parsePage(t, body).row(name)
		if len(row) < 3 {
			t.Fatalf("GET / sources row %q = %q; want state, last success, items per day…", name, row)
		}
		return row[len(row)-3]
	}
	if got := rate("Beta Wire"); got != "0.3" {
		t.Fatalf("items per day of Beta Wire = %q; want 0.3 (2 items in 7 days)", got)
	}

	// A story older than the window counts for nothing; a new one counts
	// once the cached measurement has expired.
	putStories(t, f.db,
		storySpec{at: fixedNow().Add(-8 * 24 * time.Hour), topics: []string{"all"}, items: []itemSpec{{src: srcBeta, guid: "b-old", title: "Long ago", link: "https://beta.example/old"}}},
		storySpec{at: fixedNow().Add(-time.Hour), topics: []string{"all"}, items: []itemSpec{
			{src: srcBeta, guid: "b-new", title: "Just now", link: "https://beta.example/new"},
			{src: srcBeta, guid: "b-new-2", title: "Just now, again", link: "https://beta.example/new2"},
			{src: srcAlpha, guid: "a-new", title: "Just now too", link: "https://alpha.example/new"},
		}},
	)
	f.pub.Changed()
	if got := rate("Beta Wire"); got != "0.3" {
		t.Errorf("items per day of Beta Wire within the cache's life = %q; want the cached 0.3", got)
	}
	now.Add(int64(6 * time.Minute))
	for name, want := range map[string]string{"Beta Wire": "0.6", "Alpha News": "0.6"} {
		if got := rate(name); got != want {
			t.Errorf("items per day of %s after the cache expired = %q; want %q", name, got, want)
		}
	}

	// Eight days on, only the newest story is within the window.
	now.Add(int64(7*24*time.Hour - 2*time.Hour))
	got := []string{rate("Alpha News"), rate("Beta Wire"), rate(`<script>alert("x")</script> Gazette & Co`)}
	if want := []string{"0.1", "0.3", "0"}; !slices.Equal(got, want) {
		t.Errorf("items per day of Alpha, Beta, Gamma a week later = %q; want %q", got, want)
	}
}
