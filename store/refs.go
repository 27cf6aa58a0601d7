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

// A list of refs is stored as a version byte, the number of refs as a
// uvarint (refsV2; lists of refsV1 lack it), and the refs in order, so that
// a list's length is known without walking it.
// Each ref is a flags byte, the story id unless it equals the item id, and
// the item id (each a uvarint length and bytes; lowercase hex ids are stored
// as the bytes they spell, half the size), then the time unless it is zero:
// a varint of unix seconds when it falls on a whole second, as feed times
// do, else 8 bytes of big-endian unix nanoseconds. Most refs name the item
// that started its story, and most times are whole seconds, so a ref
// usually takes 15 bytes.
const (
	refsV1 = 1
	refsV2 = 2
)

const (
	refStoryHex  = 1 << iota // the story id is packed hex
	refItemHex               // the item id is packed hex
	refTime                  // a time follows
	refStorySame             // no story id follows: it is the item id
	refTimeSec               // the time is a varint of unix seconds
)

// encodeRefs returns the stored form of refs.
func encodeRefs(refs []aggregator.KeyRef) []byte {
	b := make([]byte, 0, 1+binary.MaxVarintLen32+len(refs)*27)
	b = appendRefsHeader(b, len(refs))
	for _, r := range refs {
		b = appendRef(b, r)
	}
	return b
}

func appendRefsHeader(b []byte, n int) []byte {
	return binary.AppendUvarint(append(b, refsV2), uint64(n))
}

// refsBody returns the refs of a stored list without its header, and their
// number, or -1 when the list (of refsV1) does not say.
func refsBody(v []byte) ([]byte, int, error) {
	switch {
	case len(v) == 0:
		return nil, 0, nil
	case v[0] == refsV1:
		return v[1:], -1, nil
	case v[0] == refsV2:
		n, w := binary.Uvarint(v[1:])
		if w <= 0 || n > uint64(len(v)) {
			return nil, 0, fmt.Errorf("bad ref count: %w", errBadRefs)
		}
		return v[1+w:], int(n), nil
	}
	return nil, 0, fmt.Errorf("ref list version %d: %w", v[0], errBadRefs)
}

// appendRef appends the stored form of one ref to b.
func appendRef(b []byte, r aggregator.KeyRef) []byte {
	var flags byte
	item, ih := packID(r.Item)
	if ih {
		flags |= refItemHex
	}
	var story []byte
	if r.Story == r.Item {
		flags |= refStorySame
	} else {
		var sh bool
		story, sh = packID(r.Story)
		if sh {
			flags |= refStoryHex
		}
	}
	if !r.Time.IsZero() {
		flags |= refTime
		if r.Time.Nanosecond() == 0 {
			flags |= refTimeSec
		}
	}
	b = append(b, flags)
	if flags&refStorySame == 0 {
		b = binary.AppendUvarint(b, uint64(len(story)))
		b = append(b, story...)
	}
	b = binary.AppendUvarint(b, uint64(len(item)))
	b = append(b, item...)
	switch {
	case flags&refTimeSec != 0:
		b = binary.AppendVarint(b, r.Time.Unix())
	case flags&refTime != 0:
		b = binary.BigEndian.AppendUint64(b, uint64(clampNanos(r.Time)))
	}
	return b
}

// addRef returns the ref list v with ref appended, without any earlier ref
// of the same item, and without the oldest refs past max. It works on the
// stored bytes, so adding to a long list costs one scan and no decoding.
func addRef(v []byte, ref aggregator.KeyRef, limit int) ([]byte, error) {
	body, _, err := refsBody(v)
	if err != nil {
		return nil, err
	}
	item, itemHex := packID(ref.Item)
	var starts []int // offsets in body of the refs kept
	dupStart, dupEnd := -1, -1
	for off := 0; off < len(body); {
		end, ri, rHex, err := refSpan(body, off)
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
	from, kept := 0, len(starts) // where the kept refs start, and how many
	if drop := len(starts) + 1 - limit; drop >= len(starts) {
		from, kept = len(body), 0
	} else if drop > 0 {
		from, kept = starts[drop], len(starts)-drop
	}
	out := make([]byte, 0, 1+binary.MaxVarintLen32+len(body)+len(item)+len(ref.Story)+16)
	out = appendRefsHeader(out, kept+1)
	if dupStart >= from {
		out = append(out, body[from:dupStart]...)
		out = append(out, body[dupEnd:]...)
	} else {
		out = append(out, body[from:]...) // a duplicate before from is dropped with the oldest
	}
	return appendRef(out, ref), nil
}

// appendNewRef appends ref to a stored list of fewer than limit refs (no
// limit when limit is 0 or less) that holds no ref of ref.Item: a copy with
// one more, where addRef scans the list for a ref to replace.
func appendNewRef(v []byte, ref aggregator.KeyRef, limit int) ([]byte, error) {
	body, n, err := refsBody(v)
	if err != nil {
		return nil, err
	}
	if n < 0 || limit > 0 && n+1 > limit {
		return addRef(v, ref, limit)
	}
	out := make([]byte, 0, 1+binary.MaxVarintLen32+len(body)+len(ref.Item)+len(ref.Story)+16)
	out = appendRefsHeader(out, n+1)
	out = append(out, body...)
	return appendRef(out, ref), nil
}

// rawRef is one ref as a stored list holds it: its flags, the stored
// bytes of its ids (story only when refStorySame is not set) and its time.
type rawRef struct {
	flags       byte
	story, item []byte
	at          time.Time
}

func (r rawRef) itemHex() bool { return r.flags&refItemHex != 0 }

// storyKey appends to key the story's key of visitRefs: a byte that says
// whether the id is packed hex, then its stored bytes.
func (r rawRef) storyKey(key []byte) []byte {
	if r.flags&refStorySame != 0 {
		return append(append(key, b2u(r.itemHex())), r.item...)
	}
	return append(append(key, b2u(r.flags&refStoryHex != 0)), r.story...)
}

// nextRef parses the ref at the front of v, which is not empty, and returns
// it and the bytes after it.
func nextRef(v []byte) (r rawRef, rest []byte, err error) {
	r.flags, rest = v[0], v[1:]
	if r.flags&refStorySame == 0 {
		if r.story, rest, err = skipID(rest); err != nil {
			return rawRef{}, nil, err
		}
	}
	if r.item, rest, err = skipID(rest); err != nil {
		return rawRef{}, nil, err
	}
	if rest, r.at, err = refTimeSpan(rest, r.flags); err != nil {
		return rawRef{}, nil, err
	}
	return r, rest, nil
}

// refSpan parses the ref at off in v and returns where it ends and its
// stored item id.
func refSpan(v []byte, off int) (end int, item []byte, itemHex bool, err error) {
	r, rest, err := nextRef(v[off:])
	if err != nil {
		return 0, nil, false, err
	}
	return len(v) - len(rest), r.item, r.itemHex(), nil
}

// refTimeSpan parses the time of a ref with flags at the start of v and
// returns the bytes after it.
func refTimeSpan(v []byte, flags byte) ([]byte, time.Time, error) {
	switch {
	case flags&refTimeSec != 0:
		sec, w := binary.Varint(v)
		if w <= 0 {
			return nil, time.Time{}, fmt.Errorf("bad time: %w", errBadRefs)
		}
		return v[w:], time.Unix(sec, 0).UTC(), nil
	case flags&refTime != 0:
		if len(v) < 8 {
			return nil, time.Time{}, fmt.Errorf("short time: %w", errBadRefs)
		}
		return v[8:], time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC(), nil
	}
	return v, time.Time{}, nil
}

func skipID(v []byte) ([]byte, []byte, error) {
	n, w := binary.Uvarint(v)
	if w <= 0 || uint64(len(v)-w) < n {
		return nil, nil, fmt.Errorf("bad id length: %w", errBadRefs)
	}
	return v[w : w+int(n)], v[w+int(n):], nil
}

var errBadRefs = errors.New("malformed ref list")

// countRefs returns the number of refs in a stored list, walking their
// lengths without decoding them.
func countRefs(v []byte) (int, error) {
	body, n, err := refsBody(v)
	if err != nil || n >= 0 {
		return n, err
	}
	count := 0
	for off := 0; off < len(body); count++ {
		end, _, _, err := refSpan(body, off)
		if err != nil {
			return 0, err
		}
		off = end
	}
	return count, nil
}

// decodeRefs parses a stored list of refs. It copies everything out of v.
func decodeRefs(v []byte) ([]aggregator.KeyRef, error) {
	v, n, err := refsBody(v)
	if err != nil || len(v) == 0 && n <= 0 {
		return nil, err
	}
	refs := make([]aggregator.KeyRef, 0, max(n, 0))
	for len(v) > 0 {
		raw, rest, err := nextRef(v)
		if err != nil {
			return nil, err
		}
		v = rest
		r := aggregator.KeyRef{Item: spellID(raw.item, raw.itemHex()), Time: raw.at}
		r.Story = r.Item
		if raw.flags&refStorySame == 0 {
			r.Story = spellID(raw.story, raw.flags&refStoryHex != 0)
		}
		refs = append(refs, r)
	}
	if n >= 0 && len(refs) != n {
		return nil, fmt.Errorf("%d refs where the list says %d: %w", len(refs), n, errBadRefs)
	}
	return refs, nil
}

// visitRefs calls fn with the story key and the time of each ref of a
// stored list but skip's (none when skip is empty), like decodeRefs
// without spelling an id. The key is a byte that says whether the id is
// packed hex, then the id's stored bytes, which refID spells; it is built
// in key's storage, which visitRefs returns for the next call.
func visitRefs(v []byte, skip string, key []byte, fn func(story []byte, at time.Time)) ([]byte, error) {
	v, n, err := refsBody(v)
	if err != nil {
		return key, err
	}
	var buf [32]byte
	skipped, skippedHex := appendPackedID(buf[:0], skip)
	count := 0
	for ; len(v) > 0; count++ {
		r, rest, err := nextRef(v)
		if err != nil {
			return key, err
		}
		v = rest
		if skip != "" && r.itemHex() == skippedHex && string(r.item) == string(skipped) {
			continue
		}
		key = r.storyKey(key[:0])
		fn(key, r.at)
	}
	if n >= 0 && count != n {
		return key, fmt.Errorf("%d refs where the list says %d: %w", count, n, errBadRefs)
	}
	return key, nil
}

func b2u(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// refID spells a story key of visitRefs as its id.
func refID(key string) string {
	if len(key) == 0 {
		return ""
	}
	if key[0] == 1 {
		return hex.EncodeToString([]byte(key[1:]))
	}
	return key[1:]
}

// packID returns the bytes to store for id and whether they are packed hex.
func packID(id string) ([]byte, bool) { return appendPackedID(nil, id) }

// appendPackedID appends to dst the bytes to store for id, and reports
// whether they are packed hex: the bytes a lowercase hex id of even length
// spells, else the id as it is.
func appendPackedID(dst []byte, id string) ([]byte, bool) {
	if len(id) == 0 || len(id)%2 != 0 {
		return append(dst, id...), false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return append(dst, id...), false
		}
	}
	dst, _ = hex.AppendDecode(dst, []byte(id)) // cannot fail: checked above
	return dst, true
}

// spellID returns the id whose stored bytes are b.
func spellID(b []byte, packed bool) string {
	if packed {
		return hex.EncodeToString(b)
	}
	return string(b)
}
