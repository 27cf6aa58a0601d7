package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"

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

// ItemByLink returns the stored item that rank puts first, and its story,
// or an error wrapping aggregator.ErrNotFound when rank is negative for
// every item. rank tells how far an item's link is from the link looked
// for (ingest.LinkRank): 0 for the link itself, more for its other
// addresses, negative for none of them; of items ranked alike, the first
// stored wins, as in the lookup by dedup keys (ingest.ItemByLink). It
// walks the stored items (Export), as no index is kept by link: an index
// every item adds to costs every commit a page write for each item, for a
// lookup that only `explain` makes; the pipeline's dedup keys find most
// items by link first.
func (d *DB) ItemByLink(ctx context.Context, rank func(aggregator.Item) int) (aggregator.Item, aggregator.Story, error) {
	var (
		it   aggregator.Item
		st   aggregator.Story
		best = -1
	)
	err := d.Export(ctx, func(i aggregator.Item, s aggregator.Story) error {
		if r := rank(i); r >= 0 && (best < 0 || r < best) {
			it, st, best = i, s, r
			if r == 0 {
				return errFound
			}
		}
		return nil
	})
	switch {
	case err != nil && !errors.Is(err, errFound):
		return aggregator.Item{}, aggregator.Story{}, err
	case best < 0:
		return aggregator.Item{}, aggregator.Story{}, fmt.Errorf("item at the link: %w", aggregator.ErrNotFound)
	}
	return it, st, nil
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
