package store

import (
	"context"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

// DefaultMaxBatch is how many concurrent Batch calls one transaction holds
// at most until SetMaxBatch says otherwise.
const DefaultMaxBatch = 8

// Batch runs fn in a write transaction that concurrent Batch calls may
// share (bbolt's group commit), so that one commit and one fsync serve
// several fetched feeds. fn may run more than once — alone, when the shared
// transaction failed — so it must depend only on what it reads through tx
// and on values it does not change.
func (d *DB) Batch(ctx context.Context, fn func(aggregator.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.batchOnce.Do(func() { d.db.MaxBatchSize = DefaultMaxBatch })
	err := d.db.Batch(func(btx *bolt.Tx) error { return d.run(btx, fn) })
	if err == nil {
		d.maybeTrain()
	}
	return err
}

// SetMaxBatch sets how many concurrent Batch calls one transaction may
// hold, once, before the first Batch; the poller sets it to its number of
// fetches in flight, so a batch commits as soon as every writer has joined.
// Later calls do nothing.
func (d *DB) SetMaxBatch(n int) {
	d.batchOnce.Do(func() {
		if n > 0 {
			d.db.MaxBatchSize = n
		}
	})
}
