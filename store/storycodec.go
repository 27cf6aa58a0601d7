package store

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"

	"github.com/tributary-feeds/tributary/internal/wire"
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
	r := wire.NewReader(v[1:], errBadStory)
	st.ID = readString(r)
	st.Time = readTime(r)
	st.Updated = readTime(r)
	st.Face = readString(r)
	if n := r.Count(1, maxStoryList); n > 0 {
		st.Members = make([]aggregator.Member, n)
	}
	for i := range st.Members {
		m := &st.Members[i]
		flags := r.Byte()
		m.Item = readString(r)
		m.Source = readString(r)
		m.Time = readTime(r)
		m.Match.Reason = readString(r)
		if flags&memberKey != 0 {
			m.Match.Key = readString(r)
		}
		if flags&memberScore != 0 {
			m.Match.Score = math.Float64frombits(r.Uint64())
		}
		if flags&memberWith != 0 {
			m.Match.With = readString(r)
		}
	}
	st.Topics = readStrings(r)
	st.Tags = readStrings(r)
	if r.Err() == nil && r.Len() != 0 {
		r.Fail()
	}
	return st, r.Err()
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

// readString reads a string written by appendString.
func readString(r *wire.Reader) string {
	h := r.Uvarint()
	b := r.Bytes(h >> 1)
	if h&1 != 0 {
		return hex.EncodeToString(b)
	}
	return string(b)
}

// readStrings reads a list written by appendStrings.
func readStrings(r *wire.Reader) []string {
	n := r.Count(1, maxStoryList)
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = readString(r)
	}
	return out
}

// readTime reads a time written by appendTime.
func readTime(r *wire.Reader) time.Time {
	sec := r.Varint()
	ns := r.Uvarint()
	if ns >= 1e9 {
		r.Fail()
		return time.Time{}
	}
	return time.Unix(sec, int64(ns)).UTC()
}
