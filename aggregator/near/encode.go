package near

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
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
	r := reader{b: b}
	if v := r.byte(); v != encodingVersion {
		return nil, fmt.Errorf("version %d: %w", v, ErrBadFeatures)
	}
	d := &Doc{}
	d.Time = time.Unix(r.varint(), 0).UTC()
	flags := r.uvarint()
	d.Truncated = flags&1 != 0
	d.TitleLen = int(r.uvarint())
	d.Words = int(r.uvarint())
	n := r.count(7)
	if n > 0 {
		d.Terms = make([]Term, n)
	}
	for i := range d.Terms {
		t := &d.Terms[i]
		t.Hash = r.uint32()
		t.Count = r.byte()
		t.IDF = r.byte()
		f := r.byte()
		t.Title = f&1 != 0
		t.Entity = f&2 != 0
	}
	n = r.count(4)
	if n > 0 {
		d.Shingles = make([]uint32, n)
	}
	for i := range d.Shingles {
		d.Shingles[i] = r.uint32()
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%d trailing bytes: %w", len(r.b), ErrBadFeatures)
	}
	return d, nil
}

// reader decodes Encode's format, remembering the first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = fmt.Errorf("truncated: %w", ErrBadFeatures)
	}
	r.b = nil
}

func (r *reader) byte() byte {
	if len(r.b) < 1 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) uint32() uint32 {
	if len(r.b) < 4 {
		r.fail()
		return 0
	}
	v := binary.LittleEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a length of elements of size bytes each, refusing one longer
// than the bytes left.
func (r *reader) count(size int) int {
	n := r.uvarint()
	if n > uint64(len(r.b)/size) {
		r.fail()
		return 0
	}
	return int(n)
}
