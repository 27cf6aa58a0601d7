package store

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestBatch checks that concurrent Batch calls all commit, and that one
// failing call fails alone.
func TestBatch(t *testing.T) {
	d := mustOpen(t)
	d.SetMaxBatch(4)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range 8 {
		wg.Go(func() {
			errs[i] = d.Batch(t.Context(), func(tx aggregator.Tx) error {
				if i == 5 {
					return errors.New("refused")
				}
				return tx.PutSource(aggregator.SourceState{ID: fmt.Sprintf("s%d", i)})
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if (err != nil) != (i == 5) {
			t.Errorf("Batch %d = %v", i, err)
		}
	}
	srcs, err := d.Sources(t.Context())
	if err != nil || len(srcs) != 7 {
		t.Errorf("after 8 Batch calls, one refused: %d sources stored (err %v); want 7", len(srcs), err)
	}
}

// TestBatchGroupsWaitingCalls checks the group commit: calls that arrive
// while a transaction runs share the next one, up to the batch size, and
// a panicking call fails alone.
func TestBatchGroupsWaitingCalls(t *testing.T) {
	d := mustOpen(t)
	d.SetMaxBatch(4)
	txOf := func(t aggregator.Tx) int { return t.(*tx).sources.Tx().ID() }

	hold := make(chan struct{})
	started := make(chan struct{})
	var wg sync.WaitGroup
	var first int
	wg.Go(func() {
		if err := d.Batch(t.Context(), func(tx aggregator.Tx) error {
			first = txOf(tx)
			close(started)
			<-hold
			return nil
		}); err != nil {
			t.Errorf("first Batch: %v", err)
		}
	})
	<-started
	const waiting = 6
	var mu sync.Mutex
	ids := make([]int, waiting)
	for i := range waiting {
		wg.Go(func() {
			defer func() {
				// The panicking call panics again in its caller, alone.
				if p := recover(); (p != nil) != (i == 4) {
					t.Errorf("Batch %d panicked with %v", i, p)
				}
			}()
			err := d.Batch(t.Context(), func(tx aggregator.Tx) error {
				switch i {
				case 2:
					return errors.New("refused")
				case 4:
					panic("refused")
				}
				mu.Lock()
				ids[i] = txOf(tx)
				mu.Unlock()
				return tx.PutSource(aggregator.SourceState{ID: fmt.Sprintf("s%d", i)})
			})
			if (err != nil) != (i == 2) {
				t.Errorf("Batch %d = %v", i, err)
			}
		})
	}
	waitQueued(d, waiting) // every call behind the held transaction
	close(hold)
	wg.Wait()

	perTx := map[int]int{}
	for i, id := range ids {
		if i == 2 || i == 4 {
			continue
		}
		if id == first {
			t.Errorf("call %d ran in the held transaction", i)
		}
		perTx[id]++
	}
	// Six calls, four per transaction, one failing and one panicking: the
	// other four share at most two transactions.
	if len(perTx) == 0 || len(perTx) > 2 {
		t.Errorf("four waiting calls ran in %d transactions (%v); want 1 or 2", len(perTx), perTx)
	}
	srcs, err := d.Sources(t.Context())
	if err != nil || len(srcs) != waiting-2 {
		t.Errorf("%d sources stored (err %v); want %d", len(srcs), err, waiting-2)
	}
}

// waitQueued returns once n Batch calls wait for the group's next
// transaction.
func waitQueued(d *DB, n int) {
	for {
		d.group.mu.Lock()
		queued := len(d.group.queue)
		d.group.mu.Unlock()
		if queued == n {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// TestWritten checks the store's count of what its commits wrote: each
// commit, a Batch of several calls once, a rolled-back transaction never,
// and at least a page for each commit that changed something.
func TestWritten(t *testing.T) {
	d := mustOpen(t)
	w0 := d.Written()
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		return tx.PutSource(aggregator.SourceState{ID: "a"})
	})
	if err := d.Update(t.Context(), func(aggregator.Tx) error { return errors.New("refused") }); err == nil {
		t.Fatal("a refused Update returned nil")
	}
	hold := make(chan struct{})
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		d.Batch(t.Context(), func(tx aggregator.Tx) error {
			close(started)
			<-hold
			return tx.PutSource(aggregator.SourceState{ID: "b"})
		})
	})
	<-started
	for _, id := range []string{"c", "d"} {
		wg.Go(func() {
			d.Batch(t.Context(), func(tx aggregator.Tx) error { return tx.PutSource(aggregator.SourceState{ID: id}) })
		})
	}
	waitQueued(d, 2) // both behind the held transaction
	close(hold)
	wg.Wait()

	w := d.Written()
	if got := w.Commits - w0.Commits; got != 3 {
		t.Errorf("%d commits counted; want 3 (one Update, two Batch transactions, none for the rollback)", got)
	}
	if w.Pages-w0.Pages < 3 || w.Bytes-w0.Bytes != (w.Pages-w0.Pages)*int64(d.db.Info().PageSize) {
		t.Errorf("written %+v after %+v; want at least a page a commit, each of the page size", w, w0)
	}
}
