// Package wire reads the compact binary records Tributary stores
// (fingerprints, stories): fixed-size and variable-length integers and byte
// strings from a slice, remembering the first error instead of returning
// one from every call, so a decoder reads a whole record and checks once.
package wire

import "encoding/binary"

// Reader reads from a byte slice. After the first failure every read
// returns zero values and Err returns the error given to NewReader.
type Reader struct {
	b   []byte
	bad error
	err error
}

// NewReader returns a Reader over b that fails with bad.
func NewReader(b []byte, bad error) *Reader { return &Reader{b: b, bad: bad} }

// Err returns nil, or the Reader's error once a read failed.
func (r *Reader) Err() error { return r.err }

// Len returns how many bytes are left.
func (r *Reader) Len() int { return len(r.b) }

// Fail marks the record as malformed.
func (r *Reader) Fail() {
	if r.err == nil {
		r.err = r.bad
	}
	r.b = nil
}

// fixed reads n bytes, or returns n zero bytes once a read has failed.
func (r *Reader) fixed(n int) []byte {
	if b := r.Bytes(uint64(n)); b != nil {
		return b
	}
	return make([]byte, n)
}

// Byte reads one byte.
func (r *Reader) Byte() byte { return r.fixed(1)[0] }

// Uint16 reads a little-endian uint16.
func (r *Reader) Uint16() uint16 { return binary.LittleEndian.Uint16(r.fixed(2)) }

// Uint32 reads a little-endian uint32.
func (r *Reader) Uint32() uint32 { return binary.LittleEndian.Uint32(r.fixed(4)) }

// Uint64 reads a little-endian uint64.
func (r *Reader) Uint64() uint64 { return binary.LittleEndian.Uint64(r.fixed(8)) }

// Varint reads a signed varint.
func (r *Reader) Varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.Fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

// Uvarint reads an unsigned varint.
func (r *Reader) Uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.Fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

// Bytes reads n bytes; the result aliases the Reader's slice.
func (r *Reader) Bytes(n uint64) []byte {
	if n > uint64(len(r.b)) {
		r.Fail()
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

// Count reads the length of a list whose elements take at least size bytes
// each, refusing one that the bytes left cannot hold or that exceeds limit
// (0: no limit), so a corrupt length never makes a decoder allocate wildly.
func (r *Reader) Count(size int, limit uint64) int {
	n := r.Uvarint()
	if n > uint64(len(r.b)/max(size, 1)) || (limit > 0 && n > limit) {
		r.Fail()
		return 0
	}
	return int(n)
}
