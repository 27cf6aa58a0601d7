package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

// Story returns the story id, or an error wrapping aggregator.ErrNotFound.
func (t *tx) Story(id string) (aggregator.Story, error) {
	v := t.get(t.stories, []byte(id))
	if v == nil {
		return aggregator.Story{}, fmt.Errorf("story %s: %w", id, aggregator.ErrNotFound)
	}
	st, err := decodeStory(v)
	if err != nil {
		return st, fmt.Errorf("story %s: decoding: %w", id, err)
	}
	return st, nil
}

// PutStory stores st, replacing any story with the same ID, and keeps the
// indexes exact: the story is in the time index under st.Time and in the
// index of each topic in st.Topics, and no longer under its stored time or
// in topics it left.
func (t *tx) PutStory(st aggregator.Story) error {
	if st.ID == "" {
		return errors.New("put story: empty id")
	}
	v := encodeStory(st)
	newKey := timeKey(st.Time, st.ID)
	newTopics := indexedTopics(st.Topics)
	indexed := false // already under newKey in the time index
	if old, err := t.Story(st.ID); err == nil {
		oldKey := timeKey(old.Time, old.ID)
		oldTopics := indexedTopics(old.Topics)
		moved := !bytes.Equal(oldKey, newKey)
		if moved {
			if err := t.time.Delete(oldKey); err != nil {
				return fmt.Errorf("story %s: %w", st.ID, err)
			}
		}
		for _, topic := range oldTopics {
			if !moved && slices.Contains(newTopics, topic) {
				continue
			}
			if b := t.topics.Bucket([]byte(topic)); b != nil {
				if err := b.Delete(oldKey); err != nil {
					return fmt.Errorf("story %s: topic %s: %w", st.ID, topic, err)
				}
			}
		}
		if !moved {
			// Only topics it joined need an entry.
			newTopics = slices.DeleteFunc(newTopics, func(topic string) bool { return slices.Contains(oldTopics, topic) })
			indexed = true
		}
	} else if !errors.Is(err, aggregator.ErrNotFound) {
		return err
	}
	if !indexed {
		if err := t.time.Put(newKey, nil); err != nil {
			return fmt.Errorf("story %s: %w", st.ID, err)
		}
	}
	for _, topic := range newTopics {
		b, err := t.topics.CreateBucketIfNotExists([]byte(topic))
		if err != nil {
			return fmt.Errorf("story %s: topic %s: %w", st.ID, topic, err)
		}
		if err := b.Put(newKey, nil); err != nil {
			return fmt.Errorf("story %s: topic %s: %w", st.ID, topic, err)
		}
	}
	if err := t.stories.Put([]byte(st.ID), v); err != nil {
		return fmt.Errorf("story %s: %w", st.ID, err)
	}
	return nil
}

// DeleteStory removes the story id and its index entries; a missing story
// is not an error. Its items, keys and bands are the caller's to move.
func (t *tx) DeleteStory(id string) error {
	st, err := t.Story(id)
	if errors.Is(err, aggregator.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := t.deleteStoryIndex(st); err != nil {
		return fmt.Errorf("story %s: %w", id, err)
	}
	if err := t.stories.Delete([]byte(id)); err != nil {
		return fmt.Errorf("story %s: %w", id, err)
	}
	return nil
}

// indexedTopics returns the topics that have a bucket of their own under
// topics: each distinct non-empty topic but the built-in AllTopic, which the
// time index serves.
func indexedTopics(topics []string) []string {
	out := make([]string, 0, len(topics))
	for _, topic := range topics {
		if topic != "" && topic != aggregator.AllTopic && !slices.Contains(out, topic) {
			out = append(out, topic)
		}
	}
	return out
}

// deleteStoryIndex removes st from the time index and its topics' indexes.
func (t *tx) deleteStoryIndex(st aggregator.Story) error {
	k := timeKey(st.Time, st.ID)
	if err := t.time.Delete(k); err != nil {
		return err
	}
	for _, topic := range indexedTopics(st.Topics) {
		if b := t.topics.Bucket([]byte(topic)); b != nil {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
	}
	return nil
}

// storyItems returns the stored items of st in member order, skipping
// members whose item is gone.
func (t *tx) storyItems(st aggregator.Story) ([]aggregator.Item, error) {
	items := make([]aggregator.Item, 0, len(st.Members))
	for _, m := range st.Members {
		it, err := t.Item(m.Item)
		if errors.Is(err, aggregator.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
}

// topicBatch is how many stories TopicStories reads per read transaction at
// first; later batches double up to topicBatchMax. fn runs between
// transactions, never inside one, so a slow consumer does not hold a read
// transaction (which would keep writers from growing the file).
const (
	topicBatch    = 50 // a published feed's default length
	topicBatchMax = 1024
)

type storyWithItems struct {
	st    aggregator.Story
	items []aggregator.Item
}

// StoryIDs returns the id of every stored story, from the keys of the
// stories bucket alone.
func (d *DB) StoryIDs(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var ids []string
	err := d.view(func(btx *bolt.Tx) error {
		return d.newTx(btx).stories.ForEach(func(k, _ []byte) error {
			ids = append(ids, string(k))
			return nil
		})
	})
	return ids, err
}

// TopicStories calls fn with the stories of topic newest first, starting
// strictly before the given time (zero: from the newest), each with its
// stored items in member order, until fn returns false or the stories run
// out. An unknown topic has no stories. Stories are read in batches, each a
// consistent snapshot.
//
// Paging by time (the next page starts before the last story's Time) skips
// stories that share that exact Time with the last one shown but came after
// it; stories of the same instant order by id.
//
// The built-in aggregator.AllTopic is served from the time index: it yields
// every story whose Topics names it.
func (d *DB) TopicStories(ctx context.Context, topic string, before time.Time, fn func(aggregator.Story, []aggregator.Item) bool) error {
	var seek []byte // continue strictly before this key; nil: from the newest
	if !before.IsZero() {
		seek = timeKey(before, "")
	}
	n := topicBatch
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var (
			batch []storyWithItems
			done  bool
		)
		err := d.view(func(btx *bolt.Tx) error {
			t := d.newTx(btx)
			b := t.time
			if topic != aggregator.AllTopic {
				b = t.topics.Bucket([]byte(topic))
			}
			if b == nil {
				done = true
				return nil
			}
			c := b.Cursor()
			var k []byte
			if seek == nil {
				k, _ = c.Last()
			} else if k, _ = c.Seek(seek); k == nil {
				k, _ = c.Last()
			} else {
				k, _ = c.Prev()
			}
			for ; k != nil && len(batch) < n; k, _ = c.Prev() {
				if seek != nil && bytes.Compare(k, seek) >= 0 {
					return d.outOfOrder("the time index")
				}
				seek = append(seek[:0], k...)
				if len(k) < timeKeyLen {
					continue
				}
				st, err := t.Story(timeKeyStory(k))
				if errors.Is(err, aggregator.ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				if !bytes.Equal(timeKey(st.Time, st.ID), k) {
					continue // a stale entry; the story is indexed under its current time
				}
				if topic == aggregator.AllTopic && !slices.Contains(st.Topics, aggregator.AllTopic) {
					continue
				}
				items, err := t.storyItems(st)
				if err != nil {
					return err
				}
				batch = append(batch, storyWithItems{st, items})
			}
			done = k == nil
			return nil
		})
		if err != nil {
			return fmt.Errorf("topic %s stories: %w", topic, err)
		}
		for _, s := range batch {
			if !fn(s.st, s.items) {
				return nil
			}
		}
		if done {
			return nil
		}
		n = min(2*n, topicBatchMax)
	}
}
