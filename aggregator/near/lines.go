package near

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/tributary-feeds/tributary/internal/wire"
)

// LineCounts is one source's memory of the lines (and headline segments)
// its items carried, by LineKey: how many items carried each, so that the
// lines that recur are known as the source's chrome (ChromeMin).
//
// It is bounded, whatever the number of items a source publishes: most
// lines of a feed are article text seen once, and counting each of them
// for ever would make the statistics grow with every item. The table
// keeps at most MaxLineCounts keys, giving up the least counted and, among
// those, the longest unseen; and every lineAging fetches that bring new
// items (Add) it halves every count, so a line a source stopped printing fades out while a line it
// prints in every item stays far above ChromeMin.
type LineCounts struct {
	fetches uint32 // fetches added (calls of Add)
	lines   map[string]lineCount
}

type lineCount struct {
	n    uint32 // items that carried the line, halved every lineAging fetches
	seen uint32 // the fetch that last carried it
}

// Bounds of a LineCounts table.
const (
	// MaxLineCounts is how many line keys a table keeps: far more than a
	// site's chrome, and room for a few fetches' worth of lines seen once.
	MaxLineCounts = 256
	// lineAging is how many fetches with new items pass between two
	// halvings of the counts.
	lineAging = 64
)

const linesVersion = 1

// DecodeLineCounts reads a table written by Encode; nil or empty bytes are
// an empty table. It returns an error wrapping ErrBadFeatures for anything
// else.
func DecodeLineCounts(b []byte) (*LineCounts, error) {
	c := &LineCounts{lines: map[string]lineCount{}}
	if len(b) == 0 {
		return c, nil
	}
	r := wire.NewReader(b, fmt.Errorf("line counts truncated: %w", ErrBadFeatures))
	if v := r.Byte(); v != linesVersion {
		return nil, fmt.Errorf("line counts version %d: %w", v, ErrBadFeatures)
	}
	c.fetches = uint32(r.Uvarint())
	n := r.Count(3, 0)
	for range n {
		k := string(r.Bytes(r.Uvarint()))
		cnt := uint32(min(r.Uvarint(), math.MaxUint32))
		age := r.Uvarint()
		seen := uint32(0)
		if age <= uint64(c.fetches) {
			seen = c.fetches - uint32(age)
		}
		c.lines[k] = lineCount{n: cnt, seen: seen}
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// Encode returns the table in a compact binary form, its keys in order.
func (c *LineCounts) Encode() []byte {
	keys := make([]string, 0, len(c.lines))
	for k := range c.lines {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := make([]byte, 0, 8+len(keys)*14)
	b = append(b, linesVersion)
	b = binary.AppendUvarint(b, uint64(c.fetches))
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		e := c.lines[k]
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = binary.AppendUvarint(b, uint64(e.n))
		b = binary.AppendUvarint(b, uint64(c.fetches-e.seen))
	}
	return b
}

// Count returns how many items carried the line key, as far as the table
// remembers.
func (c *LineCounts) Count(key string) uint32 { return c.lines[key].n }

// Len returns the number of keys the table holds.
func (c *LineCounts) Len() int { return len(c.lines) }

// Add counts one fetch's new items: keys holds each item's line keys, a
// key once for every item that carried it.
func (c *LineCounts) Add(keys []string) {
	if c.lines == nil {
		c.lines = map[string]lineCount{}
	}
	c.fetches++
	if c.fetches%lineAging == 0 {
		for k, e := range c.lines {
			if e.n /= 2; e.n == 0 {
				delete(c.lines, k)
				continue
			}
			c.lines[k] = e
		}
	}
	for _, k := range keys {
		e := c.lines[k]
		if e.n < math.MaxUint32 {
			e.n++
		}
		e.seen = c.fetches
		c.lines[k] = e
	}
	if over := len(c.lines) - MaxLineCounts; over > 0 {
		type entry struct {
			key string
			lineCount
		}
		all := make([]entry, 0, len(c.lines))
		for k, e := range c.lines {
			all = append(all, entry{k, e})
		}
		slices.SortFunc(all, func(a, b entry) int {
			return cmp.Or(cmp.Compare(a.n, b.n), cmp.Compare(a.seen, b.seen), cmp.Compare(a.key, b.key))
		})
		for _, e := range all[:over] {
			delete(c.lines, e.key)
		}
	}
}
