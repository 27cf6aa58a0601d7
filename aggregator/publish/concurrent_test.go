package publish_test

import (
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestReadersWhileIngesting has many readers of every format, coding, page
// and web page at once while ingests commit, Changed fires and the
// configuration is reloaded: after each Changed returns, a new request
// shows the new story, and each change renders each first page once
// however many readers ask.
func TestReadersWhileIngesting(t *testing.T) {
	l := newLive(t, liveTopics(4))
	l.advance(48 * time.Hour)
	for i := range 10 {
		l.story(t, liveWire, i, t0.Add(time.Duration(i)*time.Minute))
	}
	var (
		stop    atomic.Bool
		wg      sync.WaitGroup
		changes atomic.Int64
	)
	paths := []string{"/", "/topics/all", "/topics/volcano", "/opml"}
	for _, topic := range []string{"all", "volcano"} {
		for _, ext := range []string{".atom", ".rss", ".json"} {
			paths = append(paths, "/topics/"+topic+ext)
		}
	}
	for r := range 4 {
		wg.Go(func() {
			rnd := rand.New(rand.NewPCG(uint64(r), 1))
			for !stop.Load() {
				path := paths[rnd.IntN(len(paths))]
				h := map[string]string{}
				if rnd.IntN(2) == 0 {
					h["Accept-Encoding"] = "gzip"
				}
				resp, body := l.fetch(t, path, h)
				if resp.StatusCode != http.StatusOK {
					t.Errorf("GET %s = %d", path, resp.StatusCode)
					return
				}
				ids := entryIDs(body)
				if len(ids) != len(slices.Compact(slices.Sorted(slices.Values(ids)))) {
					t.Errorf("GET %s: an entry twice in %v", path, ids)
				}
				if next := nextPath(t, body); next != "" && rnd.IntN(2) == 0 {
					if resp, _ := l.fetch(t, next, h); resp.StatusCode != http.StatusOK {
						t.Errorf("GET %s = %d", next, resp.StatusCode)
					}
				}
			}
		})
	}
	for i := range 20 {
		l.advance(time.Second)
		id := l.story(t, liveWire, 100+i, t0.Add(time.Hour+time.Duration(i)*time.Minute))
		changes.Add(1)
		if i%5 == 2 {
			l.pub.SetConfig(l.cfg, l.topics)
		}
		for _, ext := range []string{".atom", ".rss", ".json"} {
			resp, body := l.fetch(t, "/topics/all"+ext, map[string]string{"Accept-Encoding": "gzip"})
			if ids := entryIDs(body); resp.StatusCode != http.StatusOK || len(ids) == 0 || ids[0] != id {
				t.Fatalf("after Changed returned, all%s = %d with entries %v; want %s first", ext, resp.StatusCode, ids, id)
			}
		}
		if _, body := l.fetch(t, "/topics/all", nil); !strings.Contains(string(body), "story-"+id) {
			t.Fatalf("after Changed returned, the topic page lacks %s", id)
		}
	}
	stop.Store(true)
	wg.Wait()
}

// TestOneRenderPerChange has readers of every first page ask at once after
// each change: each format of each topic is rendered once per change.
func TestOneRenderPerChange(t *testing.T) {
	l := newLive(t, liveTopics(4))
	l.advance(48 * time.Hour)
	const rounds = 5
	for i := range rounds {
		l.advance(time.Second)
		l.story(t, liveWire, i, t0.Add(time.Duration(i)*time.Minute))
		var wg sync.WaitGroup
		for r := range 48 {
			wg.Go(func() {
				ext := []string{".atom", ".rss", ".json"}[r%3]
				h := map[string]string{}
				if r%2 == 0 {
					h["Accept-Encoding"] = "gzip"
				}
				if resp, _ := l.fetch(t, "/topics/all"+ext, h); resp.StatusCode != http.StatusOK {
					t.Errorf("GET all%s = %d", ext, resp.StatusCode)
				}
				l.fetch(t, "/topics/all", nil)
			})
		}
		wg.Wait()
	}
	for _, f := range []string{"atom", "rss", "json"} {
		if got := liveRenders(t, l, f); got != rounds {
			t.Errorf("%d changes rendered all.%s %d times; want %d", rounds, f, got, rounds)
		}
	}
}

func liveRenders(tb testing.TB, l *live, format string) uint64 {
	tb.Helper()
	f := &fixture{reg: l.reg}
	return f.renders(tb, format)
}
