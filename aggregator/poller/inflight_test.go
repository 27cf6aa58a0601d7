package poller_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/aggregator/topic"
	"github.com/tributary-feeds/tributary/store"
)

// hookedStore runs a func, once, when the next fetched feed is about to be
// committed.
type hookedStore struct {
	*store.DB
	hook atomic.Pointer[func()]
}

func (h *hookedStore) Batch(ctx context.Context, fn func(aggregator.Tx) error) error {
	if f := h.hook.Swap(nil); f != nil {
		(*f)()
	}
	return h.DB.Batch(ctx, fn)
}

// TestReloadDuringFetchFilesUnderNewRules reloads the configuration while
// a source's feed is on its way, or read and about to be committed, and
// then retags the stored stories, as the daemon does at a SIGHUP: the
// stories the feed brings end decided under the settings of the reload,
// so that none keeps the topics or tags of the configuration it replaced
// (the retagging re-decides the stories stored before it).
func TestReloadDuringFetchFilesUnderNewRules(t *testing.T) {
	edits := []struct {
		name string
		edit func(cfg *aggregator.Config) // the reload's configuration, from the first
		// want is the topics and tags of each story, by its title's
		// first word, after the poll.
		want map[string][]string
	}{{
		name: "topic rule edited",
		edit: func(cfg *aggregator.Config) { cfg.Topics[0].Match.Any = []string{"choir"} },
		want: map[string][]string{"Bridge": {"all", "gazette"}, "School": {"all", "gazette", "roads"}},
	}, {
		name: "source tags edited",
		edit: func(cfg *aggregator.Config) { cfg.Sources[0].Tags = []string{"valley"} },
		want: map[string][]string{"Bridge": {"all", "roads", "valley"}, "School": {"all", "valley"}},
	}, {
		name: "source removed",
		edit: func(cfg *aggregator.Config) { cfg.Sources = cfg.Sources[1:] },
		want: map[string][]string{"Bridge": {"all", "roads"}, "School": {"all"}},
	}}
	for _, tt := range edits {
		for _, beforeCommit := range []bool{false, true} {
			name := tt.name + " during the fetch"
			if beforeCommit {
				name = tt.name + " before the commit"
			}
			t.Run(name, func(t *testing.T) {
				o := feedtest.NewOrigin(t)
				asked := make(chan struct{}, 1)
				answer := make(chan struct{})
				body := fixture(t, "news.rss")
				o.Handle("/gazette.rss", func(w http.ResponseWriter, r *http.Request) {
					asked <- struct{}{}
					<-answer
					w.Header().Set("Content-Type", "application/rss+xml")
					w.Write(body)
				})
				o.Feed("/other.rss", "application/rss+xml", []byte(`<rss version="2.0"><channel><title>Other</title><link>https://other.example/</link></channel></rss>`))
				configure := func() *aggregator.Config {
					cfg := config(t, "timeout: 10s", o.URL("/gazette.rss"), o.URL("/other.rss"))
					cfg.Sources[0].Tags = []string{"gazette"}
					cfg.Topics = append(cfg.Topics, aggregator.TopicConfig{
						ID: "roads", Title: "Roads", Match: aggregator.MatchConfig{Any: []string{"bridge"}},
					})
					return cfg
				}
				db := &hookedStore{DB: mustOpen(t)}
				clk := feedtest.NewClock(time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC))
				p := newPoller(t, configure(), db, clk.Now)
				if _, err := p.RetagIfChanged(t.Context()); err != nil {
					t.Fatal(err)
				}
				reload := func() {
					edited := configure()
					tt.edit(edited)
					tags, err := topic.Compile(edited.Topics, edited.Sources)
					if err != nil {
						t.Error(err)
						return
					}
					if err := p.Reload(edited, tags); err != nil {
						t.Error(err)
						return
					}
					if _, err := p.RetagIfChanged(t.Context()); err != nil {
						t.Error(err)
					}
				}
				if beforeCommit {
					db.hook.Store(&reload)
				}
				done := make(chan struct{})
				go func() {
					defer close(done)
					p.PollAll(t.Context(), nil)
				}()
				<-asked
				if !beforeCommit {
					reload()
				}
				close(answer)
				<-done

				got := map[string][]string{}
				err := db.Export(t.Context(), func(it aggregator.Item, st aggregator.Story) error {
					first, _, _ := strings.Cut(it.Title, " ")
					labels := slices.Concat(st.Topics, st.Tags)
					slices.Sort(labels)
					got[first] = slices.Compact(labels)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				for first, want := range tt.want {
					if !slices.Equal(got[first], want) {
						t.Errorf("story %q: topics and tags %q; want %q", first, got[first], want)
					}
				}
			})
		}
	}
}
