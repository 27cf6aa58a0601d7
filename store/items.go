package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"

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

// PutItem stores it, replacing any item with the same ID.
func (t *tx) PutItem(it aggregator.Item) error {
	if it.ID == "" {
		return errors.New("put item: empty id")
	}
	v, err := t.codec.encode(it)
	if err != nil {
		return err
	}
	old := t.recordOf(it.ID)
	if old != nil {
		r, err := splitRecord(old)
		if err != nil {
			return fmt.Errorf("item %s: stored version: %w", it.ID, err)
		}
		if bytes.Equal(r.body, v) && t.pend[it.ID] == nil {
			return nil
		}
	}
	if err := t.putRecord(it.ID, v); err != nil {
		return err
	}
	if old == nil {
		t.codec.wrote(1)
	}
	return nil
}

// errFound stops ItemByLink's walk.
var errFound = errors.New("found")

// ItemByLink returns a stored item whose Link or CanonicalLink is one of
// links (of several, the first stored), and its story, or an error wrapping
// aggregator.ErrNotFound. It walks the
// stored items (Export), as no index is kept by link: an index every item
// adds to costs every commit a page write for each item, for a lookup that
// only `explain` makes; the pipeline's dedup keys find most items by link
// first (ingest.ItemByLink).
func (d *DB) ItemByLink(ctx context.Context, links ...string) (aggregator.Item, aggregator.Story, error) {
	var (
		it aggregator.Item
		st aggregator.Story
	)
	links = slices.DeleteFunc(slices.Clone(links), func(l string) bool { return l == "" })
	if len(links) == 0 {
		return it, st, fmt.Errorf("no link: %w", aggregator.ErrNotFound)
	}
	err := d.Export(ctx, func(i aggregator.Item, s aggregator.Story) error {
		if slices.Contains(links, i.Link) || slices.Contains(links, i.CanonicalLink) {
			it, st = i, s
			return errFound
		}
		return nil
	})
	switch {
	case errors.Is(err, errFound):
		return it, st, nil
	case err != nil:
		return it, st, err
	}
	return it, st, fmt.Errorf("item with link %s: %w", strings.Join(links, " or "), aggregator.ErrNotFound)
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
