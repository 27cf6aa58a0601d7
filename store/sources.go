package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

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
	st, err := decodeSource(v)
	if err != nil {
		return st, fmt.Errorf("source %s: decoding: %w", id, err)
	}
	return st, nil
}

// sourceRecord is a source state as stored: its JSON, and beside it, in
// base64, a validator that is not UTF-8. A server may send an ETag or a
// Last-Modified in Latin-1, and matches what comes back byte for byte,
// where a JSON string would carry U+FFFD in place of those bytes. A record
// written before these fields has the validators in etag and
// last_modified alone, and one that an older build reads keeps its
// validators, unknown to it, out of the requests it sends.
type sourceRecord struct {
	aggregator.SourceState
	ETagBytes         []byte `json:"etag_bytes,omitempty"`
	LastModifiedBytes []byte `json:"last_modified_bytes,omitempty"`
}

// encodeSource returns the stored form of st.
func encodeSource(st aggregator.SourceState) ([]byte, error) {
	st.Held = "" // the running poller's hold of the source's host, which a restart takes up anew
	rec := sourceRecord{SourceState: st}
	if !utf8.ValidString(st.ETag) {
		rec.ETag, rec.ETagBytes = "", []byte(st.ETag)
	}
	if !utf8.ValidString(st.LastModified) {
		rec.LastModified, rec.LastModifiedBytes = "", []byte(st.LastModified)
	}
	return json.Marshal(rec)
}

// decodeSource reads a source state stored by encodeSource.
func decodeSource(v []byte) (aggregator.SourceState, error) {
	var rec sourceRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return aggregator.SourceState{}, err
	}
	if rec.ETagBytes != nil {
		rec.ETag = string(rec.ETagBytes)
	}
	if rec.LastModifiedBytes != nil {
		rec.LastModified = string(rec.LastModifiedBytes)
	}
	return rec.SourceState, nil
}

// PutSource stores st under st.ID, replacing any earlier state.
func (t *tx) PutSource(st aggregator.SourceState) error {
	if st.ID == "" {
		return errors.New("put source: empty id")
	}
	v, err := encodeSource(st)
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
	err := d.view(func(btx *bolt.Tx) error {
		return btx.Bucket(bucketSources).ForEach(func(k, v []byte) error {
			st, err := decodeSource(v)
			if err != nil {
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

// ForgetSources deletes the state of each source in ids that no stored
// story has an item from, and returns the ids whose state it deleted, in the
// order given. A source that some story still has an item from keeps its
// state, which names it in that story, and so does one whose state changed
// while the stories were read (it was polled again). It reads every stored
// story, in a read transaction: writers carry on meanwhile.
func (d *DB) ForgetSources(ctx context.Context, ids []string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	unused := make(map[string][]byte, len(ids)) // id → its state as read
	err := d.view(func(btx *bolt.Tx) error {
		t := d.newTx(btx)
		for _, id := range ids {
			if v := t.sources.Get([]byte(id)); v != nil {
				unused[id] = bytes.Clone(v)
			}
		}
		err := t.stories.ForEach(func(k, v []byte) error {
			if len(unused) == 0 {
				return errStopWalk
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			st, err := decodeStory(v)
			if err != nil {
				return fmt.Errorf("story %s: decoding: %w", k, err)
			}
			for _, m := range st.Members {
				delete(unused, m.Source)
			}
			return nil
		})
		if errors.Is(err, errStopWalk) {
			return nil
		}
		return err
	})
	if err != nil || len(unused) == 0 {
		if err != nil {
			err = fmt.Errorf("forgetting sources: %w", err)
		}
		return nil, err
	}
	// A source no longer configured brings no items: no story can have
	// gained one of its items since the stories were read.
	var forgotten []string
	err = d.update(func(btx *bolt.Tx) error {
		forgotten = forgotten[:0]
		b := btx.Bucket(bucketSources)
		for _, id := range ids {
			read, ok := unused[id]
			if !ok || !bytes.Equal(b.Get([]byte(id)), read) {
				continue
			}
			if err := b.Delete([]byte(id)); err != nil {
				return fmt.Errorf("source %s: %w", id, err)
			}
			forgotten = append(forgotten, id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("forgetting sources: %w", err)
	}
	return forgotten, nil
}

// errStopWalk ends a ForEach early.
var errStopWalk = errors.New("stop walk")
