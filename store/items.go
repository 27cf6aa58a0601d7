package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"

	"github.com/tributary-feeds/tributary/aggregator"
)

// Item returns the item id, or an error wrapping aggregator.ErrNotFound.
func (t *tx) Item(id string) (aggregator.Item, error) {
	v := t.recordOf(id)
	if v == nil {
		return aggregator.Item{}, fmt.Errorf("item %s: %w", id, aggregator.ErrNotFound)
	}
	it, err := t.codec.decode(v)
	if err != nil {
		return it, fmt.Errorf("item %s: %w", id, err)
	}
	return it, nil
}

// PutItem stores it, replacing any item with the same ID, and points the
// links index at it from it.Link and it.CanonicalLink (and no longer from
// links the stored version had and it has not).
func (t *tx) PutItem(it aggregator.Item) error {
	if it.ID == "" {
		return errors.New("put item: empty id")
	}
	v, err := t.codec.encode(it)
	if err != nil {
		return err
	}
	var oldLinks [][]byte
	old := t.recordOf(it.ID)
	if old != nil {
		r, err := splitRecord(old)
		if err != nil {
			return fmt.Errorf("item %s: stored version: %w", it.ID, err)
		}
		if bytes.Equal(r.body, v) && t.pend[it.ID] == nil {
			return nil
		}
		o, err := t.codec.decode(r.body)
		if err != nil {
			return fmt.Errorf("item %s: stored version: %w", it.ID, err)
		}
		oldLinks = itemLinks(o)
	}
	if err := t.putRecord(it.ID, v); err != nil {
		return err
	}
	if old == nil {
		t.codec.wrote(1)
	}
	if err := t.indexLinks(it.ID, oldLinks, itemLinks(it)); err != nil {
		return fmt.Errorf("item %s: links: %w", it.ID, err)
	}
	return nil
}

// linkKey is the key of a links entry: the stored form of the link (storedKey), a zero byte and
// the item id, so many items may share a link.
func linkKey(link []byte, itemID string) []byte {
	k := make([]byte, 0, len(link)+1+len(itemID))
	k = append(k, link...)
	k = append(k, 0)
	return append(k, itemID...)
}

// itemLinks returns the stored forms of the links of it that go into the
// links index.
func itemLinks(it aggregator.Item) [][]byte {
	var out [][]byte
	for _, l := range []string{it.Link, it.CanonicalLink} {
		if l == "" || bytes.IndexByte([]byte(l), 0) >= 0 {
			continue
		}
		b := storedKey([]byte(l))
		if len(out) == 1 && bytes.Equal(out[0], b) {
			continue
		}
		out = append(out, b)
	}
	return out
}

// indexLinks replaces the links index entries of the item for links old by
// those for links new.
func (t *tx) indexLinks(itemID string, old, new [][]byte) error {
	for _, l := range old {
		if slices.ContainsFunc(new, func(n []byte) bool { return bytes.Equal(n, l) }) {
			continue
		}
		if err := t.links.Delete(linkKey(l, itemID)); err != nil {
			return err
		}
	}
	for _, l := range new {
		if err := t.links.Put(linkKey(l, itemID), nil); err != nil {
			return err
		}
	}
	return nil
}

// itemByLink returns a stored item whose Link or CanonicalLink is link, and
// its story.
func (t *tx) itemByLink(link string) (aggregator.Item, aggregator.Story, error) {
	prefix := append(storedKey([]byte(link)), 0)
	if link != "" {
		for _, k := range scanPrefix(t.links, prefix) {
			it, err := t.Item(string(k[len(prefix):]))
			if errors.Is(err, aggregator.ErrNotFound) {
				continue // not expected: PutItem and Prune keep the index exact
			}
			if err != nil {
				return it, aggregator.Story{}, err
			}
			st, err := t.Story(it.StoryID)
			return it, st, err
		}
	}
	return aggregator.Item{}, aggregator.Story{}, fmt.Errorf("item with link %q: %w", link, aggregator.ErrNotFound)
}

// ItemByLink returns a stored item whose Link or CanonicalLink equals link,
// with its story, or an error wrapping aggregator.ErrNotFound. When several
// items carry the link, it returns the one with the smallest id.
func (d *DB) ItemByLink(ctx context.Context, link string) (aggregator.Item, aggregator.Story, error) {
	var (
		it aggregator.Item
		st aggregator.Story
	)
	err := d.View(ctx, func(atx aggregator.Tx) error {
		var err error
		it, st, err = atx.(*tx).itemByLink(link)
		return err
	})
	return it, st, err
}

// stampSeed makes ItemStamp's digests; they are compared within one
// process only.
var stampSeed = maphash.MakeSeed()

// ItemStamp returns a digest of the stored encoding of item id, which
// changes whenever the item is stored anew, and whether the item is
// stored at all. It costs a lookup and a hash where Item decodes.
func (t *tx) ItemStamp(id string) (uint64, bool, error) {
	v := t.recordOf(id)
	if v == nil {
		return 0, false, nil
	}
	r, err := splitRecord(v)
	if err != nil {
		return 0, false, fmt.Errorf("item %s: %w", id, err)
	}
	return maphash.Bytes(stampSeed, r.body), true, nil
}
