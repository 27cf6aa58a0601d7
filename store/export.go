package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

// exportBatch is how many items Export reads per read transaction; fn runs
// between transactions, so a slow reader of the export does not hold one.
const exportBatch = 256

// Export calls fn with every stored item, in the order items were first
// stored (those a file written before version 3 still holds come first, by
// item id), and the story it belongs to, until fn returns an error, which
// Export returns. An item whose story record is missing comes with a Story
// holding only its ID. Items are read in batches, each a consistent
// snapshot; an item written during the export may or may not be included,
// and none comes twice (a record an older file holds moves when its item
// is rewritten).
func (d *DB) Export(ctx context.Context, fn func(aggregator.Item, aggregator.Story) error) error {
	type pair struct {
		it aggregator.Item
		st aggregator.Story
	}
	var (
		phase    int    // the record bucket being walked (tx.recordBuckets)
		after    []byte // the last key exported from it
		lastOld  []byte // the last item id exported from the items bucket of an older file
		startSeq uint64 // records' sequence when the export began
	)
	err := d.view(func(btx *bolt.Tx) error {
		if b := btx.Bucket(bucketRecords); b != nil {
			startSeq = b.Sequence()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var batch []pair
		done := false
		err := d.view(func(btx *bolt.Tx) error {
			t := d.newTx(btx)
			stories := map[string]aggregator.Story{}
			buckets := t.recordBuckets()
			for ; phase < len(buckets) && len(batch) < exportBatch; phase, after = phase+1, nil {
				c := buckets[phase].Cursor()
				k, v := c.First()
				if after != nil {
					if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
						k, v = c.Next()
					}
				}
				for ; k != nil && len(batch) < exportBatch; k, v = c.Next() {
					if after != nil && bytes.Compare(k, after) <= 0 {
						return d.outOfOrder("the item records")
					}
					after = append(after[:0], k...)
					if phase == 0 {
						lastOld = append(lastOld[:0], k...)
					}
					it, err := t.codec.decode(v)
					if err != nil {
						return fmt.Errorf("item record %q: %w", k, err)
					}
					if phase > 0 && movedDuring(k, startSeq, it.ID, lastOld) {
						continue
					}
					st, ok := stories[it.StoryID]
					if !ok {
						var err error
						st, err = t.Story(it.StoryID)
						if errors.Is(err, aggregator.ErrNotFound) {
							st = aggregator.Story{ID: it.StoryID}
						} else if err != nil {
							return err
						}
						stories[it.StoryID] = st
					}
					batch = append(batch, pair{it, st})
				}
				if k != nil {
					return nil // the batch is full; the walk goes on from after
				}
			}
			done = phase == len(buckets)
			return nil
		})
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		for _, p := range batch {
			if err := fn(p.it, p.st); err != nil {
				return err
			}
		}
		if done {
			return nil
		}
	}
}

// movedDuring reports whether the record under key k of records, of the
// item id, may have been exported already from the items bucket of an
// older file: it was stored after the export began (its sequence number is
// past startSeq), under an id the walk of that bucket had reached.
func movedDuring(k []byte, startSeq uint64, id string, lastOld []byte) bool {
	return len(k) == 8 && binary.BigEndian.Uint64(k) > startSeq && lastOld != nil && id <= string(lastOld)
}
