package store

import (
	"errors"
	"fmt"
	"sync"
	"testing"

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
