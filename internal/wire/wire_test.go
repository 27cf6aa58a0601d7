package wire

import (
	"encoding/binary"
	"errors"
	"testing"
)

var errBad = errors.New("bad record")

func TestReader(t *testing.T) {
	var b []byte
	b = append(b, 7)
	b = binary.LittleEndian.AppendUint16(b, 0xbeef)
	b = binary.LittleEndian.AppendUint32(b, 0xdeadbeef)
	b = binary.LittleEndian.AppendUint64(b, 1<<40)
	b = binary.AppendVarint(b, -5)
	b = binary.AppendUvarint(b, 3)
	b = append(b, "abc"...)
	r := NewReader(b, errBad)
	if got := r.Byte(); got != 7 {
		t.Errorf("Byte() = %d; want 7", got)
	}
	if got := r.Uint16(); got != 0xbeef {
		t.Errorf("Uint16() = %x; want beef", got)
	}
	if got := r.Uint32(); got != 0xdeadbeef {
		t.Errorf("Uint32() = %x; want deadbeef", got)
	}
	if got := r.Uint64(); got != 1<<40 {
		t.Errorf("Uint64() = %d; want %d", got, uint64(1<<40))
	}
	if got := r.Varint(); got != -5 {
		t.Errorf("Varint() = %d; want -5", got)
	}
	if got := string(r.Bytes(r.Uvarint())); got != "abc" {
		t.Errorf("Bytes = %q; want abc", got)
	}
	if r.Len() != 0 || r.Err() != nil {
		t.Errorf("after reading everything: Len %d, Err %v; want 0, nil", r.Len(), r.Err())
	}
	if r.Byte() != 0 || !errors.Is(r.Err(), errBad) {
		t.Errorf("reading past the end: Err %v; want %v", r.Err(), errBad)
	}
	// A fixed-size read longer than what is left fails and reads zero.
	short := NewReader([]byte{1, 2, 3}, errBad)
	if got := short.Uint32(); got != 0 || !errors.Is(short.Err(), errBad) || short.Len() != 0 {
		t.Errorf("Uint32 of 3 bytes = %d, Err %v, Len %d; want 0, %v, 0", got, short.Err(), short.Len(), errBad)
	}
}

func TestCountRefusesImpossibleLengths(t *testing.T) {
	tests := []struct {
		name        string
		n           uint64
		rest        int
		size        int
		limit, want uint64
		ok          bool
	}{
		{"fits", 3, 12, 4, 0, 3, true},
		{"longer than the bytes left", 4, 12, 4, 0, 0, false},
		{"over the limit", 5, 100, 1, 4, 0, false},
	}
	for _, tt := range tests {
		b := binary.AppendUvarint(nil, tt.n)
		b = append(b, make([]byte, tt.rest)...)
		r := NewReader(b, errBad)
		got := r.Count(tt.size, tt.limit)
		if uint64(got) != tt.want || (r.Err() == nil) != tt.ok {
			t.Errorf("%s: Count(%d, %d) = %d, err %v; want %d, ok %v", tt.name, tt.size, tt.limit, got, r.Err(), tt.want, tt.ok)
		}
	}
}
