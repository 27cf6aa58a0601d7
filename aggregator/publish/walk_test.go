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

// story files one story of src dated at, in words of its own: no two
// stories of different n resemble each other.
func (l *live) story(tb testing.TB, src aggregator.SourceState, n int, at time.Time) string {
	tb.Helper()
	word := func(k int) string {
		v := uint32(n*7919+k*104729) * 2654435761
		var b []byte
		for range 7 {
			b = append(b, byte('a'+v%26))
			v /= 26
		}
		return string(b)
	}
	var title, text []string
	for k := range 6 {
		title = append(title, word(k))
	}
	for k := 6; k < 30; k++ {
		text = append(text, word(k))
	}
	it := newsItem(src, fmt.Sprintf("s%d", n), strings.Join(title, " "), strings.Join(text, " ")+".", at)
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

var storyIDPattern = regexp.MustCompile(`<li class="story" id="story-([^"]+)"`)

// walk follows the next links from path, calling between after each page
// but the last, and returns the entries met, in order.
func walk(tb testing.TB, l *live, path string, between func(page int)) []string {
	tb.Helper()
	var got []string
	for page := 1; path != ""; page++ {
		if page > 50 {
			tb.Fatalf("more than 50 pages")
		}
		resp, body := l.fetch(tb, path, nil)
		if resp.StatusCode != http.StatusOK {
			tb.Fatalf("%s = %d; want 200", path, resp.StatusCode)
		}
		if strings.HasSuffix(strings.SplitN(path, "?", 2)[0], "/all") {
			for _, m := range storyIDPattern.FindAllSubmatch(body, -1) {
				got = append(got, string(m[1]))
			}
		} else {
			got = append(got, entryIDs(body)...)
		}
		path = nextPath(tb, body)
		if path != "" && between != nil {
			between(page)
		}
	}
	return got
}

// TestWalkWhileChanging follows the next links of every format and of the
// topic page while stories arrive, merge and are pruned between the
// requests: every story there from the first page to the last is met
// exactly once, and so is one that arrived dated older than the pages
// already read.
func TestWalkWhileChanging(t *testing.T) {
	for _, path := range []string{"/topics/all.atom", "/topics/all.rss", "/topics/all.json", "/topics/all"} {
		t.Run(path, func(t *testing.T) {
			l := newLive(t, liveTopics(3))
			l.advance(72 * time.Hour)
			oldest := l.story(t, livePaper, 100, t0.Add(-2*time.Hour))
			l.fetched(t, liveWire, volcanoA)
			l.fetched(t, livePaper, volcanoB)
			var stay []string
			for i := 2; i < 14; i++ {
				stay = append(stay, l.story(t, liveWire, i, t0.Add(time.Duration(i)*time.Hour)))
			}
			stay = append(stay, volcanoA.ID)
			var late string
			got := walk(t, l, path, func(page int) {
				l.advance(time.Second)
				switch page {
				case 1:
					l.story(t, livePaper, 200, t0.Add(20*time.Hour)) // newer than any page left
					late = l.story(t, livePaper, 201, t0.Add(90*time.Minute))
				case 2:
					l.fetched(t, liveThird, volcanoC) // b's story merges into a's
				case 3:
					if n := l.prune(t, t0.Add(-time.Hour)); n != 1 {
						t.Fatalf("Prune = %d; want 1", n)
					}
				}
			})
			count := map[string]int{}
			for _, id := range got {
				count[id]++
			}
			for _, id := range append(stay, late) {
				if count[id] != 1 {
					t.Errorf("story %s met %d times; want once\nmet: %v", id, count[id], got)
				}
			}
			for _, id := range []string{volcanoB.ID, oldest} {
				if count[id] > 1 {
					t.Errorf("story %s met %d times; want at most once", id, count[id])
				}
			}
		})
	}
}

// TestHostileCursors sends cursors no page ever linked: each is refused
// with 400 or answered with a page, never 500, and none reads the whole
// topic.
func TestHostileCursors(t *testing.T) {
	l := newLive(t, liveTopics(3))
	l.advance(48 * time.Hour)
	for i := range 12 {
		l.story(t, liveWire, i, t0.Add(time.Duration(i)*time.Hour))
	}
	var yielded int
	l.hooked.onStory = func(n int, _ aggregator.Story) { yielded++ }
	cursors := []string{
		"garbage", "1.2", "1.2.", "..", "a.b.c", "1.-1.x", "1.1000000000.x", "+1.+2.x", "0x10.0.x",
		"9223372036854775807.999999999.x", "-9223372036854775808.0.x", "-62135596801.0.x", "-62135596800.0.x",
		"253402300800.0.x", "1709294400.0.%00", "1709294400.0.%FF%FE", "1709294400.0." + strings.Repeat("z", 250),
		"1709294400.0.a%0D%0ALocation:%20x", "1709294400.0.<script>", "1709294400.0.x&before=1.2.y",
		"1709294400.00000000000000000000000000000001.x", "１７.0.x",
	}
	for _, c := range cursors {
		for _, path := range []string{"/topics/all.atom", "/topics/all.rss", "/topics/all.json", "/topics/all"} {
			yielded = 0
			req := path + "?before=" + strings.ReplaceAll(c, " ", "%20")
			resp, body := l.fetch(t, req, nil)
			if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusBadRequest {
				t.Errorf("%s = %d %s; want 200 or 400", req, resp.StatusCode, body)
			}
			if yielded > 8 {
				t.Errorf("%s read %d stories for a page of 3", req, yielded)
			}
		}
	}
}
