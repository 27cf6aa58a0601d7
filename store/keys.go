package store

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

// Keys returns the refs stored under the exact dedup key, oldest first; none
// (and no error) for an unknown key.
func (t *tx) Keys(key string) ([]aggregator.KeyRef, error) {
	refs, err := decodeRefs(t.lookup(t.keys, storedKey([]byte(key))))
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", key, err)
	}
	return refs, nil
}

// AddKey appends ref under key and records that ref.Item owns the entry, so
// Prune removes it with the item. A key holds one ref per item: adding a
// ref for an item already there replaces the old one and moves it last. At
// most maxRefs refs are kept, the newest.
func (t *tx) AddKey(key string, ref aggregator.KeyRef) error {
	if key == "" {
		return errors.New("add key: empty key")
	}
	if err := t.addRef(t.keys, ownedKey, storedKey([]byte(key)), ref); err != nil {
		return fmt.Errorf("key %q: %w", key, err)
	}
	return nil
}

// Band returns the refs stored under a near-duplicate band, oldest first;
// none (and no error) for an unknown band.
func (t *tx) Band(band []byte) ([]aggregator.KeyRef, error) {
	refs, err := decodeRefs(t.lookup(t.bands, storedKey(band)))
	if err != nil {
		return nil, fmt.Errorf("band %x: %w", band, err)
	}
	return refs, nil
}

// BandLen returns how many refs are stored under a near-duplicate band,
// without decoding them: a lookup skips bands too common to tell stories
// apart before paying for their refs. An unknown band has none.
func (t *tx) BandLen(band []byte) (int, error) {
	n, err := countRefs(t.lookup(t.bands, storedKey(band)))
	if err != nil {
		return 0, fmt.Errorf("band %x: %w", band, err)
	}
	return n, nil
}

// VisitBandUpTo calls fn for each ref stored under a near-duplicate band,
// oldest first, but for the refs of the item skip, when there are at most
// limit refs; it returns how many there are, and calls fn for none when
// there are more. It spells no ids: a lookup reads hundreds of refs an
// item and counts them by story, so fn gets the story as a key, the same
// bytes for the same id, which RefID spells. The key is good until fn
// returns.
func (t *tx) VisitBandUpTo(band []byte, limit int, skip string, fn func(story []byte, at time.Time)) (int, error) {
	v := t.lookup(t.bands, storedKey(band))
	n, err := countRefs(v)
	if err != nil {
		return 0, fmt.Errorf("band %x: %w", band, err)
	}
	if n == 0 || n > limit {
		return n, nil
	}
	if t.refKey, err = visitRefs(v, skip, t.refKey[:0], fn); err != nil {
		return 0, fmt.Errorf("band %x: %w", band, err)
	}
	return n, nil
}

// RefID returns the id that VisitBandUpTo passed as key.
func (t *tx) RefID(key string) string { return refID(key) }

// AddBand appends ref under band, like AddKey.
func (t *tx) AddBand(band []byte, ref aggregator.KeyRef) error {
	if len(band) == 0 {
		return errors.New("add band: empty band")
	}
	if err := t.addRef(t.bands, ownedBand, storedKey(band), ref); err != nil {
		return fmt.Errorf("band %x: %w", band, err)
	}
	return nil
}

// AddBands appends ref under each of bands that holds fewer than limit
// refs (every band when limit is 0 or less), like AddBand, and returns how
// many took it. It records what the item owns in one write, where a call of
// AddBand per band rewrites the item's owned list each time.
func (t *tx) AddBands(bands [][]byte, ref aggregator.KeyRef, limit int) (int, error) {
	if ref.Item == "" {
		return 0, errors.New("add bands: ref without item")
	}
	// Every ref's item owns the entry (own, ownAll): a band the item does
	// not own holds no ref of it, and takes the new ref at its end without
	// a scan for one to replace.
	have, err := t.ownedList(ref.Item)
	if err != nil {
		return 0, err
	}
	owned := make([][]byte, 0, len(bands))
	filter := t.filter(t.bands)
	for _, band := range bands {
		if len(band) == 0 {
			return 0, errors.New("add band: empty band")
		}
		k := storedKey(band)
		v := t.lookup(t.bands, k)
		if limit > 0 {
			n, err := countRefs(v)
			if err != nil {
				return 0, fmt.Errorf("band %x: %w", band, err)
			}
			if n >= limit {
				continue
			}
		}
		add := addRef
		if !ownsEntry(have, ownedBand, k) && !slices.ContainsFunc(owned, func(o []byte) bool { return bytes.Equal(o, k) }) {
			add = appendNewRef
		}
		nv, err := add(v, ref, maxRefs)
		if err != nil {
			return 0, fmt.Errorf("band %x: %w", band, err)
		}
		// bbolt keeps the key slice until commit: k must not be the
		// caller's buffer.
		k = append([]byte(nil), k...)
		if err := t.bands.Put(k, nv); err != nil {
			return 0, fmt.Errorf("band %x: %w", band, err)
		}
		if filter != nil && v == nil {
			filter.add(k)
		}
		owned = append(owned, k)
	}
	if err := t.ownAll(ref.Item, ownedBand, owned); err != nil {
		return 0, err
	}
	return len(owned), nil
}

func (t *tx) addRef(b *bolt.Bucket, kind byte, k []byte, ref aggregator.KeyRef) error {
	if ref.Item == "" {
		return errors.New("ref without item")
	}
	old := t.lookup(b, k)
	v, err := addRef(old, ref, maxRefs)
	if err != nil {
		return err
	}
	if err := b.Put(k, v); err != nil {
		return err
	}
	if f := t.filter(b); f != nil && old == nil {
		f.add(k) // a new key
	}
	return t.own(ref.Item, kind, k)
}

// deleteRefs removes the refs for which del is true, keeping the order.
func deleteRefs(refs []aggregator.KeyRef, del func(aggregator.KeyRef) bool) []aggregator.KeyRef {
	out := refs[:0]
	for _, r := range refs {
		if !del(r) {
			out = append(out, r)
		}
	}
	return out
}
