package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

// pruneBatch bounds the stories Prune deletes per write transaction, so a
// large prune neither holds the writer lock for long nor builds one huge
// set of dirty pages in memory.
const pruneBatch = 256

// Prune deletes every story whose items were all published before cutoff,
// with its items and everything they own (dedup keys, bands, features, link
// index entries) and its time and topic index entries, and returns how many
// stories it deleted. A story whose first item is older than cutoff stays
// while a later one of its items is not: a feed that still carries that item
// would otherwise bring it back as a story of its own, under a new id. It
// commits every 256 stories, so a large prune never holds one huge
// transaction; when ctx ends or a batch fails, the batches before stay
// deleted and the count says how many. Counters (Counts) are kept.
func (d *DB) Prune(ctx context.Context, cutoff time.Time) (int, error) {
	limit := timeKey(cutoff, "")
	total := 0
	var from []byte // past the last time index entry looked at: the stories kept stay ahead of the rest
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		n, done := 0, false
		err := d.update(func(btx *bolt.Tx) error {
			t := d.newTx(btx)
			var ids []string
			c := t.time.Cursor()
			k, _ := c.First()
			if from != nil {
				k, _ = c.Seek(from)
			}
			for ; k != nil && len(ids) < pruneBatch; k, _ = c.Next() {
				if bytes.Compare(k, limit) >= 0 {
					break
				}
				if last := len(ids) - 1; from != nil && bytes.Compare(k, from) < 0 || last >= 0 && bytes.Compare(k, []byte(ids[last])) <= 0 {
					return d.outOfOrder("the time index")
				}
				ids = append(ids, string(k))
			}
			deleted := 0
			for _, k := range ids {
				ok, err := t.pruneStory([]byte(k), cutoff)
				if err != nil {
					return err
				}
				if ok {
					deleted++
				}
			}
			if len(ids) > 0 {
				from = append([]byte(ids[len(ids)-1]), 0)
			}
			n, done = deleted, len(ids) < pruneBatch
			return t.flush()
		})
		if err != nil {
			return total, fmt.Errorf("prune before %s: %w", cutoff.Format(time.RFC3339), err)
		}
		total += n
		if done {
			return total, nil
		}
	}
}

// pruneStory deletes the story of the time index entry k and all it owns,
// unless one of its own items (not one that moved to another story) was
// published at or after cutoff, and reports whether it deleted the story. A
// stale entry (its story gone, or indexed under another time) only loses
// the entry.
func (t *tx) pruneStory(k []byte, cutoff time.Time) (bool, error) {
	if len(k) < timeKeyLen {
		return false, t.time.Delete(k)
	}
	st, err := t.Story(timeKeyStory(k))
	if errors.Is(err, aggregator.ErrNotFound) {
		return false, t.time.Delete(k)
	}
	if err != nil {
		return false, err
	}
	if !bytes.Equal(timeKey(st.Time, st.ID), k) {
		return false, t.time.Delete(k)
	}
	for _, m := range st.Members {
		if m.Time.Before(cutoff) {
			continue
		}
		it, err := t.Item(m.Item)
		if errors.Is(err, aggregator.ErrNotFound) {
			continue
		}
		if err != nil {
			return false, err
		}
		if it.StoryID == "" || it.StoryID == st.ID {
			return false, nil
		}
	}
	if err := t.deleteStoryIndex(st); err != nil { // k among them
		return false, fmt.Errorf("story %s: %w", st.ID, err)
	}
	for _, m := range st.Members {
		it, err := t.Item(m.Item)
		if err == nil && it.StoryID != "" && it.StoryID != st.ID {
			continue // it moved to another story, which keeps it
		}
		if err != nil && !errors.Is(err, aggregator.ErrNotFound) {
			return false, err
		}
		if err := t.deleteItem(m.Item, st.ID); err != nil {
			return false, fmt.Errorf("story %s: item %s: %w", st.ID, m.Item, err)
		}
	}
	return true, t.stories.Delete([]byte(st.ID))
}

// deleteItem deletes the item and every entry it owns. Refs that name the
// item, or the story being deleted, leave the keys and bands it owns.
func (t *tx) deleteItem(itemID, storyID string) error {
	owned, err := t.ownedList(itemID)
	if err != nil {
		return err
	}
	owned = bytes.Clone(owned)
	err = walkOwned(owned, func(kind byte, entry []byte) error {
		entry = bytes.Clone(entry) // bbolt keeps a key it is given until the commit
		switch kind {
		case ownedKey:
			return t.dropRefs(t.keys, entry, itemID, storyID)
		case ownedBand:
			return t.dropRefs(t.bands, entry, itemID, storyID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := t.owned.Delete([]byte(itemID)); err != nil {
		return err
	}
	if err := t.features.Delete([]byte(itemID)); err != nil {
		return err
	}
	delete(t.pend, itemID)
	return t.deleteRecord(itemID)
}

// dropRefs removes from the ref list under k the refs of the item or the
// story, and the list itself when it ends up empty.
func (t *tx) dropRefs(b *bolt.Bucket, k []byte, itemID, storyID string) error {
	v := b.Get(k)
	if v == nil {
		return nil
	}
	refs, err := decodeRefs(v)
	if err != nil {
		return fmt.Errorf("refs %x: %w", k, err)
	}
	n := len(refs)
	refs = deleteRefs(refs, func(r aggregator.KeyRef) bool { return r.Item == itemID || r.Story == storyID })
	switch {
	case len(refs) == 0:
		if f := t.filter(b); f != nil {
			f.drop()
		}
		return b.Delete(k)
	case len(refs) < n:
		return b.Put(k, encodeRefs(refs))
	}
	return nil
}
