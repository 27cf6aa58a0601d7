package store

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// A story record is binary: storyV1, then the fields of aggregator.Story in
// order. A string is a uvarint of its length times two, plus one when it is
// lowercase hex stored as the bytes it spells (ids are), then its bytes; a
// time is a varint of unix seconds and a uvarint of nanoseconds, in UTC; a
// list is a uvarint count and its elements. Each member starts with a flags
// byte saying which of the match's optional fields follow. Records written
// before this codec are JSON objects, which start with '{' and are still
// read. A one-member story takes about 70 bytes where its JSON took 300,
// and decodes without reflection: the near-duplicate lookup reads several
// stories for every item it files.
const storyV1 = 1

// Flags of a stored member: which optional match fields follow.
const (
	memberKey   = 1 << iota // Match.Key
	memberScore             // Match.Score, 8 bytes
	memberWith              // Match.With
)

// maxStoryList bounds a count read from a record, so that a damaged record
// cannot make decodeStory allocate without limit.
const maxStoryList = 1 << 20

// encodeStory returns the stored form of st.
func encodeStory(st aggregator.Story) []byte {
	b := make([]byte, 0, 64+len(st.Members)*48)
	b = append(b, storyV1)
	b = appendString(b, st.ID)
	b = appendTime(b, st.Time)
	b = appendTime(b, st.Updated)
	b = appendString(b, st.Face)
	b = binary.AppendUvarint(b, uint64(len(st.Members)))
	for _, m := range st.Members {
		var flags byte
		if m.Match.Key != "" {
			flags |= memberKey
		}
		if m.Match.Score != 0 {
			flags |= memberScore
		}
		if m.Match.With != "" {
			flags |= memberWith
		}
		b = append(b, flags)
		b = appendString(b, m.Item)
		b = appendString(b, m.Source)
		b = appendTime(b, m.Time)
		b = appendString(b, m.Match.Reason)
		if flags&memberKey != 0 {
			b = appendString(b, m.Match.Key)
		}
		if flags&memberScore != 0 {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(m.Match.Score))
		}
		if flags&memberWith != 0 {
			b = appendString(b, m.Match.With)
		}
	}
	b = appendStrings(b, st.Topics)
	return appendStrings(b, st.Tags)
}

// decodeStory parses a stored story, binary or JSON. It never keeps a
// reference to v, which may be memory owned by bbolt.
func decodeStory(v []byte) (aggregator.Story, error) {
	var st aggregator.Story
	if len(v) > 0 && v[0] == '{' {
		err := json.Unmarshal(v, &st)
		return st, err
	}
	if len(v) == 0 || v[0] != storyV1 {
		return st, errBadStory
	}
	r := storyReader{b: v[1:]}
	st.ID = r.string()
	st.Time = r.time()
	st.Updated = r.time()
	st.Face = r.string()
	if n := r.count(); n > 0 {
		st.Members = make([]aggregator.Member, n)
	}
	for i := range st.Members {
		m := &st.Members[i]
		flags := r.byte()
		m.Item = r.string()
		m.Source = r.string()
		m.Time = r.time()
		m.Match.Reason = r.string()
		if flags&memberKey != 0 {
			m.Match.Key = r.string()
		}
		if flags&memberScore != 0 {
			m.Match.Score = math.Float64frombits(r.uint64())
		}
		if flags&memberWith != 0 {
			m.Match.With = r.string()
		}
	}
	st.Topics = r.strings()
	st.Tags = r.strings()
	if r.err == nil && len(r.b) != 0 {
		r.err = errBadStory
	}
	return st, r.err
}

var errBadStory = errors.New("malformed story record")

func appendString(b []byte, s string) []byte {
	if p, ok := packID(s); ok {
		b = binary.AppendUvarint(b, uint64(len(p))<<1|1)
		return append(b, p...)
	}
	b = binary.AppendUvarint(b, uint64(len(s))<<1)
	return append(b, s...)
}

func appendStrings(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendString(b, s)
	}
	return b
}

func appendTime(b []byte, t time.Time) []byte {
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// storyReader decodes a story record, remembering the first error.
type storyReader struct {
	b   []byte
	err error
}

func (r *storyReader) fail() {
	if r.err == nil {
		r.err = errBadStory
	}
	r.b = nil
}

func (r *storyReader) byte() byte {
	if len(r.b) < 1 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *storyReader) uint64() uint64 {
	if len(r.b) < 8 {
		r.fail()
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

func (r *storyReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *storyReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads the length of a list, refusing one that the bytes left
// cannot hold (every element takes at least one byte).
func (r *storyReader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.b)) || n > maxStoryList {
		r.fail()
		return 0
	}
	return int(n)
}

func (r *storyReader) string() string {
	h := r.uvarint()
	n := h >> 1
	if n > uint64(len(r.b)) {
		r.fail()
		return ""
	}
	s := r.b[:n]
	r.b = r.b[n:]
	if h&1 != 0 {
		return hex.EncodeToString(s)
	}
	return string(s)
}

func (r *storyReader) strings() []string {
	n := r.count()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.string()
	}
	return out
}

func (r *storyReader) time() time.Time {
	sec := r.varint()
	ns := r.uvarint()
	if ns >= 1e9 {
		r.fail()
		return time.Time{}
	}
	return time.Unix(sec, int64(ns)).UTC()
}
