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

// An item's near-duplicate features and the list of index entries it owns
// live in its own record, in front of the item (codecSections): one key
// where three buckets each repeated the item id, and one B+tree where a
// commit dirtied pages in three. Files written before keep them in the
// features and owned buckets, which are read as a fallback and emptied as
// items are rewritten.
const codecSections = 3 // uvarint length and features, uvarint length and owned list, then the item as codecJSON/FlateDict/Zstd

// record is an item record split into its parts. The slices may point into
// bbolt's memory.
type record struct {
	features []byte // nil when the item has none
	owned    []byte // nil when the item owns nothing
	body     []byte // the item: a codec byte and what it says
}

// splitRecord splits a stored item record.
func splitRecord(v []byte) (record, error) {
	if len(v) == 0 || v[0] != codecSections {
		return record{body: v}, nil
	}
	rest := v[1:]
	var parts [2][]byte
	for i := range parts {
		n, w := binary.Uvarint(rest)
		if w <= 0 || uint64(len(rest)-w) < n {
			return record{}, errors.New("item record has bad sections")
		}
		if n > 0 {
			parts[i] = rest[w : w+int(n)]
		}
		rest = rest[w+int(n):]
	}
	if len(rest) == 0 || rest[0] == codecSections {
		return record{}, errors.New("item record has bad sections")
	}
	return record{features: parts[0], owned: parts[1], body: rest}, nil
}

// bytes returns the stored form of r: the body alone when there is nothing
// in front of it.
func (r record) bytes() []byte {
	if len(r.features) == 0 && len(r.owned) == 0 {
		return bytes.Clone(r.body)
	}
	out := make([]byte, 0, 1+2*binary.MaxVarintLen32+len(r.features)+len(r.owned)+len(r.body))
	out = append(out, codecSections)
	out = binary.AppendUvarint(out, uint64(len(r.features)))
	out = append(out, r.features...)
	out = binary.AppendUvarint(out, uint64(len(r.owned)))
	out = append(out, r.owned...)
	return append(out, r.body...)
}

// extras is what a transaction changed of an item's features and owned
// list; it goes into the item's record when the item is put, or when the
// transaction ends.
type extras struct {
	features, owned       []byte
	setFeatures, setOwned bool
}

func (t *tx) pending(itemID string) *extras {
	t.feats.wrote(itemID)
	if t.pend == nil {
		t.pend = map[string]*extras{}
	}
	e := t.pend[itemID]
	if e == nil {
		e = &extras{}
		t.pend[itemID] = e
	}
	return e
}

// recordSeq returns the sequence number under which records holds the
// item's record, or 0 when it holds none. The transaction keeps what it
// learnt: an item is looked up several times while it is filed.
func (t *tx) recordSeq(itemID string) uint64 {
	if seq, ok := t.seqs[itemID]; ok {
		return seq
	}
	var seq uint64
	if t.ids != nil {
		if v := t.get(t.ids, []byte(itemID)); len(v) == 8 {
			seq = binary.BigEndian.Uint64(v)
		}
	}
	if t.seqs == nil {
		t.seqs = map[string]uint64{}
	}
	t.seqs[itemID] = seq
	return seq
}

// recordKey returns the key in records of the item's record, or nil when
// it has none there.
func (t *tx) recordKey(itemID string) []byte {
	if seq := t.recordSeq(itemID); seq != 0 {
		return seqKey(seq)
	}
	return nil
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), seq) }

// hasOldItems reports whether the items bucket of a file written before
// version 3 still holds records; once it holds none, the lookup of an item
// that records lacks goes no further.
func (t *tx) hasOldItems() bool {
	if !t.oldKnown {
		k, _ := t.items.Cursor().First()
		t.oldItems, t.oldKnown = k != nil, true
	}
	return t.oldItems
}

// recordOf returns the item's stored record, or nil: from records, else
// from the items bucket of a file written before version 3.
func (t *tx) recordOf(itemID string) []byte {
	if seq := t.recordSeq(itemID); seq != 0 {
		binary.BigEndian.PutUint64(t.seqBuf[:], seq)
		return t.get(t.records, t.seqBuf[:])
	}
	if !t.hasOldItems() {
		return nil
	}
	return t.get(t.items, []byte(itemID))
}

// storeRecord writes v as the item's record: in place when records holds
// it, else under the next sequence number, out of the items bucket of an
// older file. Keys only grow, so a commit's new records share the last
// pages of records.
func (t *tx) storeRecord(itemID string, v []byte) error {
	t.feats.wrote(itemID)
	if k := t.recordKey(itemID); k != nil {
		return t.records.Put(k, v)
	}
	seq, err := t.records.NextSequence()
	if err != nil {
		return err
	}
	k := seqKey(seq)
	if t.get(t.records, k) != nil {
		return fmt.Errorf("records: sequence number %d is taken", seq)
	}
	if err := t.ids.Put([]byte(itemID), k); err != nil {
		return err
	}
	t.seqs[itemID] = seq // recordKey above made the map
	if t.hasOldItems() && t.get(t.items, []byte(itemID)) != nil {
		if err := t.items.Delete([]byte(itemID)); err != nil {
			return err
		}
	}
	return t.records.Put(k, v)
}

// deleteRecord deletes the item's record, wherever it is.
func (t *tx) deleteRecord(itemID string) error {
	t.feats.wrote(itemID)
	if k := t.recordKey(itemID); k != nil {
		if err := t.records.Delete(k); err != nil {
			return err
		}
		t.seqs[itemID] = 0
		return t.ids.Delete([]byte(itemID))
	}
	return t.items.Delete([]byte(itemID))
}

// recordBuckets returns the buckets that hold item records, in the order a
// walk of every item visits them: the items bucket of an older file, by
// item id, then records, in the order items were first stored.
func (t *tx) recordBuckets() []*bolt.Bucket {
	if t.records == nil {
		return []*bolt.Bucket{t.items}
	}
	return []*bolt.Bucket{t.items, t.records}
}

// stored returns the features and owned list of the item as stored: in its
// record, else in the buckets of earlier files.
func (t *tx) stored(itemID string) (features, owned []byte, err error) {
	k := []byte(itemID)
	r, err := splitRecord(t.recordOf(itemID))
	if err != nil {
		return nil, nil, fmt.Errorf("item %s: %w", itemID, err)
	}
	features, owned = r.features, r.owned
	if features == nil {
		features = t.get(t.features, k)
	}
	if owned == nil {
		owned = t.get(t.owned, k)
	}
	return features, owned, nil
}

// extrasOf returns the item's features and owned list as this transaction
// sees them.
func (t *tx) extrasOf(itemID string) (features, owned []byte, err error) {
	e := t.pend[itemID]
	if e != nil && e.setFeatures && e.setOwned {
		return e.features, e.owned, nil
	}
	features, owned, err = t.stored(itemID)
	if e != nil {
		if e.setFeatures {
			features = e.features
		}
		if e.setOwned {
			owned = e.owned
		}
	}
	return features, owned, err
}

// ownedList returns the item's owned list as this transaction sees it.
func (t *tx) ownedList(itemID string) ([]byte, error) {
	if e := t.pend[itemID]; e != nil && e.setOwned {
		return e.owned, nil
	}
	_, owned, err := t.extrasOf(itemID)
	return owned, err
}

func (t *tx) setOwned(itemID string, v []byte) {
	e := t.pending(itemID)
	e.owned, e.setOwned = v, true
}

// Features returns a copy of the near-duplicate features of the item, or an
// error wrapping aggregator.ErrNotFound.
func (t *tx) Features(itemID string) ([]byte, error) {
	if f, ok := t.feats.cached(itemID); ok {
		return bytes.Clone(f), nil
	}
	f, _, err := t.extrasOf(itemID)
	if err != nil {
		return nil, err
	}
	if f == nil {
		return nil, fmt.Errorf("features of %s: %w", itemID, aggregator.ErrNotFound)
	}
	t.feats.readFile(itemID, bytes.Clone(f))
	return bytes.Clone(f), nil
}

// PutFeatures stores the near-duplicate features of the item, replacing any.
// Prune deletes them with the item.
func (t *tx) PutFeatures(itemID string, b []byte) error {
	if itemID == "" {
		return errors.New("put features: empty item id")
	}
	if !t.items.Writable() {
		return fmt.Errorf("features of %s: read-only transaction", itemID)
	}
	e := t.pending(itemID)
	e.features, e.setFeatures = append([]byte{}, b...), true
	return nil
}

// putRecord writes the item's record with body (the item's stored form;
// nil keeps the stored one) and its features and owned list as this
// transaction sees them, and drops the copies in the buckets of earlier
// files.
func (t *tx) putRecord(itemID string, body []byte) error {
	k := []byte(itemID)
	features, owned, err := t.extrasOf(itemID)
	if err != nil {
		return err
	}
	if body == nil {
		r, err := splitRecord(t.recordOf(itemID))
		if err != nil {
			return fmt.Errorf("item %s: %w", itemID, err)
		}
		body = r.body
	}
	v := record{features: features, owned: owned, body: body}.bytes()
	delete(t.pend, itemID)
	for _, b := range []*bolt.Bucket{t.features, t.owned} {
		if t.get(b, k) != nil {
			if err := b.Delete(k); err != nil {
				return fmt.Errorf("item %s: %w", itemID, err)
			}
		}
	}
	if err := t.storeRecord(itemID, v); err != nil {
		return fmt.Errorf("item %s: %w", itemID, err)
	}
	return nil
}

// flush writes what the transaction changed of items' features and owned
// lists: into the item's record, or, for an item not stored (yet), into
// the features and owned buckets, which its record takes over when it is
// put. Update and Batch call it before they commit.
func (t *tx) flush() error {
	ids := make([]string, 0, len(t.pend))
	for id := range t.pend {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		k := []byte(id)
		if t.recordOf(id) != nil {
			if err := t.putRecord(id, nil); err != nil {
				return err
			}
			continue
		}
		e := t.pend[id]
		if e.setFeatures {
			if err := t.features.Put(k, e.features); err != nil {
				return fmt.Errorf("features of %s: %w", id, err)
			}
		}
		if e.setOwned {
			if err := t.owned.Put(k, e.owned); err != nil {
				return fmt.Errorf("owned by %s: %w", id, err)
			}
		}
	}
	t.pend = nil
	return nil
}
