package poller_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/feedtest"
	"github.com/tributary-feeds/tributary/store"
)

// failingStore is the store with a fault: while armed, every write fails
// as on a full disk, after the transaction did its work, which is rolled
// back.
type failingStore struct {
	*store.DB
	armed atomic.Bool
}

var errDiskFull = errors.New("write tributary.db: no space left on device")

func (s *failingStore) fail(fn func(aggregator.Tx) error) func(aggregator.Tx) error {
	return func(tx aggregator.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if s.armed.Load() {
			return errDiskFull
		}
		return nil
	}
}

func (s *failingStore) Batch(ctx context.Context, fn func(aggregator.Tx) error) error {
	return s.DB.Batch(ctx, s.fail(fn))
}

func (s *failingStore) Update(ctx context.Context, fn func(aggregator.Tx) error) error {
	return s.DB.Update(ctx, s.fail(fn))
}

// TestStoreWritesFailing: while the store refuses writes the daemon is
// unhealthy, with the store's error, and source states that could not be
// saved wait for the next write rather than being lost; once writes pass,
// it is healthy again.
func TestStoreWritesFailing(t *testing.T) {
	o := feedtest.NewOrigin(t)
	o.Feed("/a.rss", "application/rss+xml", smallFeed(1)) // validators on: 304 once read
	u := o.URL("/a.rss")
	db := &failingStore{DB: mustOpen(t)}
	p := newPoller(t, config(t, "", u), db, nil)
	storeUnhealthy := func() bool {
		err := p.Healthy()
		return err != nil && strings.Contains(err.Error(), "store writes failing") && strings.Contains(err.Error(), "no space left")
	}

	// A fetched feed's write fails: the source's items are not stored.
	db.armed.Store(true)
	if oc := p.PollAll(t.Context(), nil); len(oc) != 1 || !errors.Is(oc[0].Err, errDiskFull) {
		t.Fatalf("poll on a full disk: %+v; want the store's error", oc)
	}
	if !storeUnhealthy() {
		t.Errorf("Healthy() = %v on a full disk; want the store's error", p.Healthy())
	}

	db.armed.Store(false)
	p.PollAll(t.Context(), nil)
	if storeUnhealthy() {
		t.Errorf("Healthy() = %v once writes pass; want the store's error gone", p.Healthy())
	}
	if st := state(t, db, u); st.Items != 2 || st.NotModified != 0 {
		t.Fatalf("after the disk had room: %d items, %d 304s; want 2 and 0", st.Items, st.NotModified)
	}

	// A 304's state, buffered, fails to flush: it is not lost, and the
	// next poll counts on from it.
	db.armed.Store(true)
	p.PollAll(t.Context(), nil)
	if !storeUnhealthy() {
		t.Errorf("Healthy() = %v after a failed flush; want the store's error", p.Healthy())
	}
	db.armed.Store(false)
	p.PollAll(t.Context(), nil)
	if st := state(t, db, u); st.NotModified != 2 {
		t.Errorf("after a failed flush and another 304: %d 304s stored; want 2", st.NotModified)
	}
	if storeUnhealthy() {
		t.Errorf("Healthy() = %v once writes pass; want the store's error gone", p.Healthy())
	}
}
