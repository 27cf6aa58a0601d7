package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

// Source returns the state of the source id, or an error wrapping
// aggregator.ErrNotFound.
func (t *tx) Source(id string) (aggregator.SourceState, error) {
	var st aggregator.SourceState
	v := t.get(t.sources, []byte(id))
	if v == nil {
		return st, fmt.Errorf("source %s: %w", id, aggregator.ErrNotFound)
	}
	if err := json.Unmarshal(v, &st); err != nil {
		return st, fmt.Errorf("source %s: decoding: %w", id, err)
	}
	return st, nil
}

// PutSource stores st under st.ID, replacing any earlier state.
func (t *tx) PutSource(st aggregator.SourceState) error {
	if st.ID == "" {
		return errors.New("put source: empty id")
	}
	v, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("source %s: encoding: %w", st.ID, err)
	}
	if err := t.sources.Put([]byte(st.ID), v); err != nil {
		return fmt.Errorf("source %s: %w", st.ID, err)
	}
	return nil
}

// Source returns the state of the source id, or an error wrapping
// aggregator.ErrNotFound.
func (d *DB) Source(ctx context.Context, id string) (aggregator.SourceState, error) {
	var st aggregator.SourceState
	err := d.View(ctx, func(t aggregator.Tx) error {
		var err error
		st, err = t.Source(id)
		return err
	})
	return st, err
}

// Sources returns the state of every stored source, ordered by id.
func (d *DB) Sources(ctx context.Context) ([]aggregator.SourceState, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []aggregator.SourceState
	err := d.db.View(func(btx *bolt.Tx) error {
		return btx.Bucket(bucketSources).ForEach(func(k, v []byte) error {
			var st aggregator.SourceState
			if err := json.Unmarshal(v, &st); err != nil {
				return fmt.Errorf("source %s: decoding: %w", k, err)
			}
			out = append(out, st)
			return nil
		})
	})
	return out, err
}

// PutSource stores st under st.ID in its own transaction.
func (d *DB) PutSource(ctx context.Context, st aggregator.SourceState) error {
	return d.Update(ctx, func(t aggregator.Tx) error { return t.PutSource(st) })
}
