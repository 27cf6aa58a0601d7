package poller_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/aggregator/poller"
	"github.com/tributary-feeds/tributary/store"
)

// gatedStore is the store as the poller sees it, with a gate on Update. A
// flush of buffered source states commits through Update, a fetched feed
// through Batch, so a test can hold a flush that has taken its states
// while feeds are committed.
type gatedStore struct {
	*store.DB
	armed atomic.Bool
	held  chan struct{} // closed when an Update reaches the armed gate
	open  chan struct{} // closed to let it through
}

func newGatedStore(t *testing.T) *gatedStore {
	return &gatedStore{DB: mustOpen(t), held: make(chan struct{}), open: make(chan struct{})}
}

func (g *gatedStore) Update(ctx context.Context, fn func(aggregator.Tx) error) error {
	if g.armed.CompareAndSwap(true, false) {
		close(g.held)
		<-g.open
	}
	return g.DB.Update(ctx, fn)
}

// reports returns an RSS feed of n numbered reports, the same first ones
// whatever n.
func reports(n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Reports</title><link>https://reports.example/</link><description>d</description>`)
	for i := range n {
		fmt.Fprintf(&b, `<item><title>Report %d on matter m%d</title><link>https://reports.example/%d</link><guid>https://reports.example/%d</guid><description>Report %d, on matter m%d.</description></item>`,
			i, i, i, i, i, i)
	}
	b.WriteString("</channel></rss>")
	return []byte(b.String())
}

// versioned serves reports(2*v) under the ETag "v<v>", and 304 to a
// request that names the current one.
func versioned(o *feedtest.Origin, path string, v *atomic.Int32) {
	o.Handle(path, func(w http.ResponseWriter, r *http.Request) {
		n := int(v.Load())
		etag := fmt.Sprintf(`"v%d"`, n)
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(reports(2 * n))
	})
}

// within waits for ch to be closed or to deliver, failing the test after
// ten seconds.
func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not happen", what)
		panic("unreachable")
	}
}

// TestFlushNeverUndoesANewerState holds the scheduler's flush once it has
// taken a source's buffered state (a 304), while the source's next poll
// brings new items and commits its own state with them: the flush, let
// go, must not write the older state over the newer one, or the source
// would go back to its old validators and counts, and fetch and parse its
// feed again at its next poll.
func TestFlushNeverUndoesANewerState(t *testing.T) {
	o := feedtest.NewOrigin(t)
	var version atomic.Int32
	version.Store(1)
	versioned(o, "/feed.rss", &version)
	url := o.URL("/feed.rss")
	clk := feedtest.NewClock(time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC))
	gs := newGatedStore(t)
	p := newPollerWith(t, config(t, "", url), gs, poller.Options{Tick: time.Millisecond, Now: clk.Now})
	if oc := p.PollAll(t.Context(), nil)[0]; oc.Result != "ok" || oc.New != 2 {
		t.Fatalf("first poll: %q with %d new (err %v); want ok with 2", oc.Result, oc.New, oc.Err)
	}

	gs.armed.Store(true)
	run(t, p)
	let := sync.OnceFunc(func() { close(gs.open) })
	t.Cleanup(let) // before the scheduler stops
	// Due again: the scheduler's poll is answered 304, and the flush of
	// its state waits at the gate.
	clk.Add(time.Hour)
	within(t, gs.held, "a flush of the 304's state")

	version.Store(2)
	polled := make(chan poller.Outcome, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.PollAll(t.Context(), func(oc poller.Outcome) { polled <- oc })
	}()
	if oc := within(t, polled, "the poll of the new version"); oc.Result != "ok" || oc.New != 2 {
		t.Fatalf("poll of the new version: %q with %d new (err %v); want ok with 2", oc.Result, oc.New, oc.Err)
	}
	let()
	within(t, done, "the end of the poll of the new version")

	st := state(t, gs.DB, url)
	if st.ETag != `"v2"` || st.Items != 4 || st.Fetches != 3 || st.LastResult != "ok" {
		t.Errorf("stored state: etag %s, %d items, %d fetches, last result %q; want \"v2\", 4, 3, ok (the state the flush held came after)",
			st.ETag, st.Items, st.Fetches, st.LastResult)
	}
	clk.Add(time.Hour)
	if oc := p.PollAll(t.Context(), nil)[0]; oc.Result != "not_modified" {
		t.Errorf("the poll after: %q (err %v); want not_modified, with the validators of the feed last read", oc.Result, oc.Err)
	}
}
