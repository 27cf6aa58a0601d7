package store

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// maxRefs bounds the refs kept under one dedup key or band. A key carried by
// thousands of items (boilerplate text, a shared link) says little about
// identity, and rewriting an ever-growing value on every add would make
// ingest slower with age; past the bound the oldest refs are dropped.
const maxRefs = 4096

// A list of refs is stored as a version byte followed by the refs in order.
// Each ref is a flags byte, the story id and item id (each a uvarint length
// and bytes; lowercase hex ids are stored as the bytes they spell, half the
// size), then, unless the time is zero, 8 bytes of big-endian unix nanoseconds.
const refsV1 = 1

const (
	refStoryHex = 1 << iota // the story id is packed hex
	refItemHex              // the item id is packed hex
	refTime                 // a time follows
)

// encodeRefs returns the stored form of refs.
func encodeRefs(refs []aggregator.KeyRef) []byte {
	b := make([]byte, 1, 1+len(refs)*36)
	b[0] = refsV1
	for _, r := range refs {
		b = appendRef(b, r)
	}
	return b
}

// appendRef appends the stored form of one ref to b.
func appendRef(b []byte, r aggregator.KeyRef) []byte {
	var flags byte
	story, sh := packID(r.Story)
	item, ih := packID(r.Item)
	if sh {
		flags |= refStoryHex
	}
	if ih {
		flags |= refItemHex
	}
	if !r.Time.IsZero() {
		flags |= refTime
	}
	b = append(b, flags)
	b = binary.AppendUvarint(b, uint64(len(story)))
	b = append(b, story...)
	b = binary.AppendUvarint(b, uint64(len(item)))
	b = append(b, item...)
	if !r.Time.IsZero() {
		b = binary.BigEndian.AppendUint64(b, uint64(clampNanos(r.Time)))
	}
	return b
}

// addRef returns the ref list v with ref appended, without any earlier ref
// of the same item, and without the oldest refs past max. It works on the
// stored bytes, so adding to a long list costs one scan and no decoding.
func addRef(v []byte, ref aggregator.KeyRef, limit int) ([]byte, error) {
	if len(v) == 0 {
		return appendRef([]byte{refsV1}, ref), nil
	}
	if v[0] != refsV1 {
		return nil, fmt.Errorf("ref list version %d: %w", v[0], errBadRefs)
	}
	item, itemHex := packID(ref.Item)
	var starts []int // offsets of the refs kept
	dupStart, dupEnd := -1, -1
	for off := 1; off < len(v); {
		end, ri, rHex, err := refSpan(v, off)
		if err != nil {
			return nil, err
		}
		if rHex == itemHex && bytes.Equal(ri, item) {
			dupStart, dupEnd = off, end
		} else {
			starts = append(starts, off)
		}
		off = end
	}
	out := make([]byte, 0, len(v)+len(item)+len(ref.Story)+16)
	out = append(out, refsV1)
	from := 1 // where the kept refs start
	if drop := len(starts) + 1 - limit; drop >= len(starts) {
		from = len(v)
	} else if drop > 0 {
		from = starts[drop]
	}
	if dupStart >= from {
		out = append(out, v[from:dupStart]...)
		out = append(out, v[dupEnd:]...)
	} else {
		out = append(out, v[from:]...) // a duplicate before from is dropped with the oldest
	}
	return appendRef(out, ref), nil
}

// refSpan parses the ref at off in v and returns where it ends and its
// stored item id.
func refSpan(v []byte, off int) (end int, item []byte, itemHex bool, err error) {
	flags := v[off]
	rest := v[off+1:]
	if _, rest, err = skipID(rest); err != nil {
		return 0, nil, false, err
	}
	n, w := binary.Uvarint(rest)
	if w <= 0 || uint64(len(rest)-w) < n {
		return 0, nil, false, fmt.Errorf("bad id length: %w", errBadRefs)
	}
	item = rest[w : w+int(n)]
	rest = rest[w+int(n):]
	if flags&refTime != 0 {
		if len(rest) < 8 {
			return 0, nil, false, fmt.Errorf("short time: %w", errBadRefs)
		}
		rest = rest[8:]
	}
	return len(v) - len(rest), item, flags&refItemHex != 0, nil
}

func skipID(v []byte) ([]byte, []byte, error) {
	n, w := binary.Uvarint(v)
	if w <= 0 || uint64(len(v)-w) < n {
		return nil, nil, fmt.Errorf("bad id length: %w", errBadRefs)
	}
	return v[w : w+int(n)], v[w+int(n):], nil
}

var errBadRefs = errors.New("malformed ref list")

// decodeRefs parses a stored list of refs. It copies everything out of v.
func decodeRefs(v []byte) ([]aggregator.KeyRef, error) {
	if len(v) == 0 {
		return nil, nil
	}
	if v[0] != refsV1 {
		return nil, fmt.Errorf("ref list version %d: %w", v[0], errBadRefs)
	}
	v = v[1:]
	var refs []aggregator.KeyRef
	for len(v) > 0 {
		flags := v[0]
		v = v[1:]
		var r aggregator.KeyRef
		var err error
		if r.Story, v, err = unpackID(v, flags&refStoryHex != 0); err != nil {
			return nil, err
		}
		if r.Item, v, err = unpackID(v, flags&refItemHex != 0); err != nil {
			return nil, err
		}
		if flags&refTime != 0 {
			if len(v) < 8 {
				return nil, fmt.Errorf("short time: %w", errBadRefs)
			}
			r.Time = time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC()
			v = v[8:]
		}
		refs = append(refs, r)
	}
	return refs, nil
}

// packID returns the bytes to store for id and whether they are packed hex.
func packID(id string) ([]byte, bool) {
	if len(id) == 0 || len(id)%2 != 0 {
		return []byte(id), false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return []byte(id), false
		}
	}
	b, _ := hex.DecodeString(id) // cannot fail: checked above
	return b, true
}

func unpackID(v []byte, packed bool) (string, []byte, error) {
	n, w := binary.Uvarint(v)
	if w <= 0 || uint64(len(v)-w) < n {
		return "", nil, fmt.Errorf("bad id length: %w", errBadRefs)
	}
	b := v[w : w+int(n)]
	v = v[w+int(n):]
	if packed {
		return hex.EncodeToString(b), v, nil
	}
	return string(b), v, nil
}
