package near

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/tributary-feeds/tributary/internal/wire"
)

const encodingVersion = 1

// ErrBadFeatures is returned, wrapped, by Decode for bytes that Encode did
// not write.
var ErrBadFeatures = errors.New("bad near-duplicate features")

// Encode returns the Doc in a compact binary form for storage: about six
// bytes a term and four a shingle.
func (d *Doc) Encode() []byte {
	b := make([]byte, 0, 16+len(d.Terms)*7+len(d.Shingles)*4)
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
		var f byte
		if t.Title {
			f |= 1
		}
		if t.Entity {
			f |= 2
		}
		b = append(b, t.Count, t.IDF, f)
	}
	b = binary.AppendUvarint(b, uint64(len(d.Shingles)))
	for _, s := range d.Shingles {
		b = binary.LittleEndian.AppendUint32(b, s)
	}
	return b
}

// Decode reads a Doc written by Encode. It returns an error wrapping
// ErrBadFeatures for anything else.
func Decode(b []byte) (*Doc, error) {
	r := wire.NewReader(b, fmt.Errorf("truncated: %w", ErrBadFeatures))
	if v := r.Byte(); v != encodingVersion {
		return nil, fmt.Errorf("version %d: %w", v, ErrBadFeatures)
	}
	d := &Doc{}
	d.Time = time.Unix(r.Varint(), 0).UTC()
	flags := r.Uvarint()
	d.Truncated = flags&1 != 0
	d.TitleLen = int(r.Uvarint())
	d.Words = int(r.Uvarint())
	n := r.Count(7, 0)
	if n > 0 {
		d.Terms = make([]Term, n)
	}
	for i := range d.Terms {
		t := &d.Terms[i]
		t.Hash = r.Uint32()
		t.Count = r.Byte()
		t.IDF = r.Byte()
		f := r.Byte()
		t.Title = f&1 != 0
		t.Entity = f&2 != 0
	}
	n = r.Count(4, 0)
	if n > 0 {
		d.Shingles = make([]uint32, n)
	}
	for i := range d.Shingles {
		d.Shingles[i] = r.Uint32()
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("%d trailing bytes: %w", r.Len(), ErrBadFeatures)
	}
	return d, nil
}
