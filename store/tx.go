package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

// tx implements aggregator.Tx over one bbolt transaction. Its methods live
// next to the records they handle: sources.go, items.go, stories.go,
// keys.go, counts.go. Everything it returns is copied out of bbolt's memory,
// so it stays valid after the transaction ends.
type tx struct {
	sources  *bolt.Bucket
	items    *bolt.Bucket
	stories  *bolt.Bucket
	time     *bolt.Bucket
	topics   *bolt.Bucket
	keys     *bolt.Bucket
	bands    *bolt.Bucket
	features *bolt.Bucket
	counts   *bolt.Bucket
	owned    *bolt.Bucket
	blobs    *bolt.Bucket // nil in a file opened read-only that predates it
	records  *bolt.Bucket // nil, like ids, in a file opened read-only that predates it
	ids      *bolt.Bucket
	seqs     map[string]uint64 // item id → sequence number in records, 0 for none, as looked up (record.go)
	oldItems bool              // the items bucket of an older file holds records; known when oldKnown
	oldKnown bool
	seqBuf   [8]byte // recordOf's key
	codec    *itemCodec
	pend     map[string]*extras // features and owned lists changed, by item id (record.go)
	refKey   []byte             // VisitBandUpTo's key of a ref's story
	cursors  []bucketCursor     // get's cursors
	filters  *bucketFilters     // the file's key filters (filter.go); nil in a read-only transaction
	cache    *countCache        // counter increments not yet in the file (counts.go)
	feats    *featureStage      // the write transaction's staging of the feature cache (featcache.go); nil in a read-only one
	writable bool
}

var _ aggregator.Tx = (*tx)(nil)

func (d *DB) newTx(btx *bolt.Tx) *tx {
	var filters *bucketFilters
	if btx.Writable() {
		filters = &d.filters
	}
	t := &tx{
		codec:    d.codec,
		filters:  filters,
		cache:    &d.counters,
		writable: btx.Writable(),
		sources:  btx.Bucket(bucketSources),
		items:    btx.Bucket(bucketItems),
		stories:  btx.Bucket(bucketStories),
		time:     btx.Bucket(bucketTime),
		topics:   btx.Bucket(bucketTopics),
		keys:     btx.Bucket(bucketKeys),
		bands:    btx.Bucket(bucketBands),
		features: btx.Bucket(bucketFeatures),
		counts:   btx.Bucket(bucketCounts),
		owned:    btx.Bucket(bucketOwned),
		blobs:    btx.Bucket(bucketBlobs),
		records:  btx.Bucket(bucketRecords),
		ids:      btx.Bucket(bucketIDs),
	}
	if btx.Writable() {
		t.feats = d.features.stage
		// New records go at the end of records: its pages are filled
		// before the next is begun, where random keys leave them a third
		// empty on average.
		t.records.FillPercent = 1
	}
	return t
}

// bucketCursor is a cursor kept for reads of one bucket.
type bucketCursor struct {
	b *bolt.Bucket
	c *bolt.Cursor
}

// maxCursors bounds the cursors get keeps: a read-only transaction hands
// out a new *bolt.Bucket for each lookup of a nested bucket.
const maxCursors = 16

// filter returns b's key filter, ready for use, or nil when b has none or
// the transaction is read-only.
func (t *tx) filter(b *bolt.Bucket) *keyFilter {
	if t.filters == nil {
		return nil
	}
	switch b {
	case t.keys:
		return t.filters.keys.ready(b)
	case t.bands:
		return t.filters.bands.ready(b)
	}
	return nil
}

// lookup is get that skips the search when b's filter says b lacks k.
func (t *tx) lookup(b *bolt.Bucket, k []byte) []byte {
	if f := t.filter(b); f != nil && !f.mayHold(k) {
		return nil
	}
	return t.get(b, k)
}

// get is b.Get through one cursor kept for b for the transaction. bbolt's
// Get makes a cursor and grows its path through the tree on every call;
// a kept cursor's Seek reuses both, and starts at the root each time, so
// writes in between do not disturb it.
func (t *tx) get(b *bolt.Bucket, k []byte) []byte {
	var c *bolt.Cursor
	for _, bc := range t.cursors {
		if bc.b == b {
			c = bc.c
			break
		}
	}
	if c == nil {
		if len(t.cursors) == maxCursors {
			return b.Get(k)
		}
		c = b.Cursor()
		t.cursors = append(t.cursors, bucketCursor{b, c})
	}
	found, v := c.Seek(k)
	if !bytes.Equal(found, k) {
		return nil
	}
	return v
}

// An item's owned list names the entries the item owns, so Prune finds
// them; it lives in the item's record (record.go): a version byte, then per entry its kind, a uvarint length and
// the stored key. One value per item keeps the item id from repeating per
// entry (an item may own dozens of bands).
const ownedV1 = 1

// own records that the item owns the entry of kind, once.
func (t *tx) own(itemID string, kind byte, entry []byte) error {
	v, err := t.ownedList(itemID)
	if err != nil {
		return err
	}
	found := false
	err = walkOwned(v, func(k byte, e []byte) error {
		if k == kind && bytes.Equal(e, entry) {
			found = true
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("owned by %s: %w", itemID, err)
	}
	if found {
		return nil
	}
	nv := make([]byte, 0, max(len(v), 1)+2+binary.MaxVarintLen64+len(entry))
	if len(v) == 0 {
		nv = append(nv, ownedV1)
	}
	nv = append(nv, v...)
	nv = append(nv, kind)
	nv = binary.AppendUvarint(nv, uint64(len(entry)))
	nv = append(nv, entry...)
	t.setOwned(itemID, nv)
	return nil
}

// ownAll records that the item owns each of the entries of kind, once,
// in one write of its owned list.
func (t *tx) ownAll(itemID string, kind byte, entries [][]byte) error {
	if len(entries) == 0 {
		return nil
	}
	v, err := t.ownedList(itemID)
	if err != nil {
		return err
	}
	var have [][]byte
	err = walkOwned(v, func(k byte, e []byte) error {
		if k == kind {
			have = append(have, e)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("owned by %s: %w", itemID, err)
	}
	nv := make([]byte, 0, len(v)+1+len(entries)*(2+binary.MaxVarintLen64+maxRawKey))
	if len(v) == 0 {
		nv = append(nv, ownedV1)
	}
	nv = append(nv, v...)
	added := false
	for _, e := range entries {
		if slices.ContainsFunc(have, func(h []byte) bool { return bytes.Equal(h, e) }) {
			continue
		}
		have = append(have, e)
		nv = append(nv, kind)
		nv = binary.AppendUvarint(nv, uint64(len(e)))
		nv = append(nv, e...)
		added = true
	}
	if added {
		t.setOwned(itemID, nv)
	}
	return nil
}

// ownsEntry reports whether the owned list v names the entry of kind. A
// damaged list says no; walking it elsewhere reports the damage.
func ownsEntry(v []byte, kind byte, entry []byte) bool {
	found := false
	walkOwned(v, func(k byte, e []byte) error {
		found = found || k == kind && bytes.Equal(e, entry)
		return nil
	})
	return found
}

// walkOwned calls fn with each entry of an owned list.
func walkOwned(v []byte, fn func(kind byte, entry []byte) error) error {
	if len(v) == 0 {
		return nil
	}
	if v[0] != ownedV1 {
		return fmt.Errorf("owned list version %d", v[0])
	}
	for v = v[1:]; len(v) > 0; {
		kind := v[0]
		n, w := binary.Uvarint(v[1:])
		if w <= 0 || uint64(len(v)-1-w) < n {
			return errors.New("malformed owned list")
		}
		entry := v[1+w : 1+w+int(n)]
		v = v[1+w+int(n):]
		if err := fn(kind, entry); err != nil {
			return err
		}
	}
	return nil
}
