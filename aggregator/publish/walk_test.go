package publish_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

var nextPattern = regexp.MustCompile(`(?:rel="next"[^>]*href="([^"]+)"|href="([^"]+)"[^>]*rel="next"|"next_url": "([^"]+)")`)

// nextPath returns the path and query of a feed page's next link, or "".
func nextPath(tb testing.TB, body []byte) string {
	tb.Helper()
	m := nextPattern.FindSubmatch(body)
	if m == nil {
		return ""
	}
	href := string(m[1]) + string(m[2]) + string(m[3])
	href = strings.ReplaceAll(href, "&amp;", "&")
	u, err := url.Parse(href)
	if err != nil {
		tb.Fatalf("next link %q: %v", href, err)
	}
	return u.RequestURI()
}

// story files one unrelated story of src dated at.
func (l *live) story(tb testing.TB, src aggregator.SourceState, n int, at time.Time) string {
	tb.Helper()
	words := []string{"harbour", "orchard", "glacier", "tramway", "lantern", "quarry", "meadow", "citadel", "foundry", "estuary", "vineyard", "observatory"}
	w := words[n%len(words)]
	it := newsItem(src, fmt.Sprintf("s%d", n), fmt.Sprintf("The %s %d opens its gates to %s visitors", w, n, words[(n+5)%len(words)]),
		fmt.Sprintf("Story number %d tells of the %s and nothing else at all, %d.", n, w, n*7919), at)
	l.fetched(tb, src, it)
	return it.ID
}

// TestOlderPageByDate revalidates an older page by date after a prune took
// the stories after it: its bytes changed (no next link any more) though
// no story on it was updated, so it must not be answered 304.
func TestOlderPageByDate(t *testing.T) {
	for _, ext := range []string{".atom", ".rss", ".json"} {
		l := newLive(t, liveTopics(2))
		l.advance(48 * time.Hour)
		for i := range 5 {
			l.story(t, liveWire, i, t0.Add(time.Duration(i)*time.Hour))
		}
		l.advance(time.Hour)
		_, first := l.fetch(t, "/topics/all"+ext, nil)
		second := nextPath(t, first)
		resp, before := l.fetch(t, second, nil)
		if resp.StatusCode != http.StatusOK || nextPath(t, before) == "" {
			t.Fatalf("%s = %d, next %q; want 200 with a next page", second, resp.StatusCode, nextPath(t, before))
		}
		etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
		l.advance(time.Hour)
		if n := l.prune(t, t0.Add(time.Hour)); n != 1 {
			t.Fatalf("Prune = %d; want 1", n)
		}
		if _, after := l.fetch(t, second, nil); nextPath(t, after) != "" {
			t.Fatalf("%s after the prune still links %s", second, nextPath(t, after))
		}
		if resp, _ := l.fetch(t, second, map[string]string{"If-None-Match": etag}); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: If-None-Match %s after the page changed = %d; want 200", second, etag, resp.StatusCode)
		}
		if lm == "" {
			continue
		}
		if resp, _ := l.fetch(t, second, map[string]string{"If-Modified-Since": lm}); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: If-Modified-Since %s after the page changed = %d; want 200", second, lm, resp.StatusCode)
		}
	}
}

// TestPageWhileAStoryMoves reads a topic of more stories than the store
// yields at once while a story already read gains an earlier report and
// moves down the topic: the feed holds it once.
func TestPageWhileAStoryMoves(t *testing.T) {
	l := newLive(t, liveTopics(100))
	l.advance(48 * time.Hour)
	var ids []string
	for i := range 60 {
		ids = append(ids, l.story(t, liveWire, i, t0.Add(time.Duration(i)*time.Minute)))
	}
	moved := ids[len(ids)-5] // the fifth newest
	l.hooked.onStory = func(n int, st aggregator.Story) {
		if n != 10 {
			return
		}
		l.hooked.onStory = nil
		it := newsItem(livePaper, "earlier", "An earlier report", "Reported an hour before anyone else.", t0.Add(-time.Hour))
		it.GUID = "https://wire.test/s55"
		l.fetched(t, livePaper, it)
	}
	_, body := l.fetch(t, "/topics/all.atom", nil)
	got := entryIDs(body)
	seen := map[string]int{}
	for _, id := range got {
		seen[id]++
	}
	for _, id := range ids {
		if seen[id] != 1 {
			t.Errorf("all.atom holds story %s %d times; want once (%d entries)", id, seen[id], len(got))
		}
	}
	_, body = l.fetch(t, "/topics/all.atom", nil)
	if got := entryIDs(body); got[len(got)-1] != moved {
		t.Errorf("rebuilt after the change, the oldest entry is %s; want the story that moved, %s", got[len(got)-1], moved)
	}
}
