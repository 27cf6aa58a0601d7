package near

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tributary-feeds/tributary/internal/wire"
)

// Encodings of a Doc. Version 1 stored each term in seven bytes and each
// shingle in four; version 2 packs a term's count and flags into one byte
// and keeps 16-bit shingles (shingleHash), 144 bytes less for a full Doc.
// Decode reads both.
const (
	encodingV1      = 1
	encodingVersion = 2
)

// Flags of a term in the count byte of encoding version 2.
const (
	termTitle  = 1 << 6
	termEntity = 1 << 7
)

// ErrBadFeatures is returned, wrapped, by Decode for bytes that Encode did
// not write.
var ErrBadFeatures = errors.New("bad near-duplicate features")

// Encode returns the Doc in a compact binary form for storage: six bytes a
// term and two a shingle.
func (d *Doc) Encode() []byte {
	b := make([]byte, 0, 16+len(d.Terms)*6+len(d.Shingles)*2)
	b = append(b, encodingVersion)
	b = binary.AppendVarint(b, d.Time.Unix())
	var flags uint64
	if d.Truncated {
		flags |= 1
	}
	b = binary.AppendUvarint(b, flags)
	b = binary.AppendUvarint(b, uint64(d.TitleLen))
	b = binary.AppendUvarint(b, uint64(d.Words))
	b = binary.AppendUvarint(b, uint64(len(d.Terms)))
	for _, t := range d.Terms {
		b = binary.LittleEndian.AppendUint32(b, t.Hash)
		c := min(t.Count, MaxCount)
		if t.Title {
			c |= termTitle
		}
		if t.Entity {
			c |= termEntity
		}
		b = append(b, c, t.IDF)
	}
	b = binary.AppendUvarint(b, uint64(len(d.Shingles)))
	for _, s := range d.Shingles {
		b = binary.LittleEndian.AppendUint16(b, uint16(s))
	}
	return b
}

// errTruncated is Decode's error for features that end early.
var errTruncated = fmt.Errorf("truncated: %w", ErrBadFeatures)

// Decode reads a Doc written by Encode. It returns an error wrapping
// ErrBadFeatures for anything else.
func Decode(b []byte) (*Doc, error) {
	r := wire.NewReader(b, errTruncated)
	d := &Doc{}
	v := r.Byte()
	if v != encodingV1 && v != encodingVersion {
		return nil, fmt.Errorf("version %d: %w", v, ErrBadFeatures)
	}
	d.Time = time.Unix(r.Varint(), 0).UTC()
	flags := r.Uvarint()
	d.Truncated = flags&1 != 0
	d.TitleLen = int(r.Uvarint())
	d.Words = int(r.Uvarint())
	termSize, shingleSize := 6, 2
	if v == encodingV1 {
		termSize, shingleSize = 7, 4
	}
	n := r.Count(termSize, 0)
	if n > 0 {
		d.Terms = make([]Term, n)
	}
	for i := range d.Terms {
		t := &d.Terms[i]
		t.Hash = r.Uint32()
		if v == encodingV1 {
			t.Count = r.Byte()
			t.IDF = r.Byte()
			f := r.Byte()
			t.Title = f&1 != 0
			t.Entity = f&2 != 0
			continue
		}
		c := r.Byte()
		t.Count = c &^ (termTitle | termEntity)
		t.Title = c&termTitle != 0
		t.Entity = c&termEntity != 0
		t.IDF = r.Byte()
	}
	n = r.Count(shingleSize, 0)
	if n > 0 {
		d.Shingles = make([]uint32, n)
	}
	for i := range d.Shingles {
		if v == encodingV1 {
			d.Shingles[i] = shingleHash(r.Uint32())
		} else {
			d.Shingles[i] = uint32(r.Uint16())
		}
	}
	if v == encodingV1 {
		// Folded to 16 bits, two shingles can meet.
		slices.Sort(d.Shingles)
		d.Shingles = slices.Compact(d.Shingles)
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("%d trailing bytes: %w", r.Len(), ErrBadFeatures)
	}
	return d, nil
}
