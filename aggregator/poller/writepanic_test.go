package poller_test

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/aggregator/poller"
	"github.com/tributary-feeds/tributary/store"
)

// panickingStore is the store with a fault: while armed, the write
// transaction of a fetched feed (Batch) whose source's URL holds "/poison"
// panics when it stores the source's state, after its items, as a bug in
// the ingest would. Source states written alone (Update) pass.
type panickingStore struct {
	*store.DB
	armed atomic.Bool
}

func (s *panickingStore) Batch(ctx context.Context, fn func(aggregator.Tx) error) error {
	return s.DB.Batch(ctx, func(tx aggregator.Tx) error { return fn(panickingTx{tx, s}) })
}

type panickingTx struct {
	aggregator.Tx
	s *panickingStore
}

func (tx panickingTx) PutSource(st aggregator.SourceState) error {
	if tx.s.armed.Load() && strings.Contains(st.URL, "/poison") {
		panic("a bug in the ingest")
	}
	return tx.Tx.PutSource(st)
}

// TestWritePanic: a panic in a fetched feed's write transaction fails that
// source, recorded with the panic, and keeps nothing of its items, while
// the daemon goes on and other sources' feeds, sharing the commit, are
// stored; the source keeps its old validators, and once the fault is gone
// its next poll stores its items.
func TestWritePanic(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/poison.rss", "application/rss+xml", smallFeed(1))
	o.Feed("/good.rss", "application/rss+xml", smallFeed(2))
	poison, good := o.URL("/poison.rss"), o.URL("/good.rss")
	db := &panickingStore{DB: mustOpen(t)}
	db.armed.Store(true)
	var logs lockedBuffer
	p := newPollerWith(t, config(t, "", poison, good), db, poller.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})

	for _, oc := range p.PollAll(t.Context(), nil) {
		switch oc.URL {
		case poison:
			if oc.Err == nil || !strings.Contains(oc.Err.Error(), "storing feed: internal error: a bug in the ingest") {
				t.Errorf("poisoned source: %q, %v; want the write's panic as its error", oc.Result, oc.Err)
			}
		case good:
			if oc.Err != nil || oc.New != 2 {
				t.Errorf("good source: %q, %d new, %v; want its 2 items", oc.Result, oc.New, oc.Err)
			}
		}
	}
	if l := logs.String(); strings.Count(l, "level=ERROR") != 1 || !strings.Contains(l, `msg="storing feed panicked; the source is marked failed"`) || !strings.Contains(l, "stack=") {
		t.Errorf("log:\n%s\nwants one error line for the panic, with its stack", l)
	}
	st := state(t, db, poison)
	if !strings.Contains(st.LastError, "internal error: a bug in the ingest") || st.Failures != 1 || st.ETag != "" || st.LastModified != "" || st.Items != 0 {
		t.Errorf("poisoned source's state: error %q, %d failures, ETag %q, Last-Modified %q, %d items; want the panic, 1 failure, no validators, no items",
			st.LastError, st.Failures, st.ETag, st.LastModified, st.Items)
	}
	stored := func() map[string]int {
		by := map[string]int{}
		if err := db.Export(t.Context(), func(it aggregator.Item, _ aggregator.Story) error {
			by[it.SourceID]++
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return by
	}
	if by := stored(); by[aggregator.SourceID(poison)] != 0 || by[aggregator.SourceID(good)] != 2 {
		t.Errorf("stored items by source: %v; want the good source's 2 and none of the poisoned one's", by)
	}

	db.armed.Store(false)
	p.PollAll(t.Context(), nil)
	if st := state(t, db, poison); st.LastError != "" || st.Items != 2 {
		t.Errorf("after the fault: error %q, %d items; want none and 2", st.LastError, st.Items)
	}
	if by := stored(); by[aggregator.SourceID(poison)] != 2 {
		t.Errorf("stored items by source after the fault: %v; want the poisoned source's 2", by)
	}
}
