package store

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sync"
	"time"

	kflate "github.com/klauspost/compress/flate"

	"github.com/tributary-feeds/tributary/aggregator"
)

// Codecs of an item record: the first byte of the value says how the rest is
// encoded. A new codec gets a new byte; existing ones never change, because
// the flate dictionary is part of the stored format.
const (
	codecJSON      = 0 // plain JSON
	codecFlateDict = 1 // uvarint length of the JSON, then the JSON deflated with itemDict as preset dictionary
	codecZstd      = 2 // a Zstandard frame of the JSON, made with one of the file's dictionaries (dict.go)
)

// itemDict primes the compressor with what every item record repeats: the
// JSON field names and common HTML. Deflate reaches matches in the dictionary
// like earlier input, which is what makes a 1–3 KB record shrink well. Later
// bytes are cheaper to refer to, so the most frequent text comes last.
var itemDict = []byte(`<figure><img src="https://" alt="" width="" height="" loading="lazy"><figcaption></figcaption></figure>` +
	`<blockquote><p></p></blockquote><ul><li></li></ul><ol><li></li></ol><h2></h2><h3></h3><em></em><strong></strong><br>` +
	` the of and to in a is that for on with as was said it by at from his her he she they this have are be has an not but ` +
	`.html","https://www.","Getty Images","Associated Press","Reuters" according to the said on ` +
	`"enclosures":[{"url":"https://","type":"image/jpeg","length":` +
	`"authors":["],"categories":["","dated":true,"hash":"` +
	`<p><a href="https://" rel="nofollow noopener"></a></p>` +
	`{"id":"","source":"","guid":"https://","link":"https://","canonical":"https://","title":"","summary":"<p>","content":"<p>` +
	`","published":"T00:00:00Z","updated":"","first_seen":"T00:00:00Z","story":"`)

// maxItemJSON bounds the length a stored item claims, so a damaged record
// cannot make decodeItem allocate without limit.
const maxItemJSON = 64 << 20

// Records are deflated with github.com/klauspost/compress/flate, about a
// third faster than compress/flate on records this small for the same size;
// its output is plain deflate, which compress/flate reads back.
var (
	jsonBufs     = sync.Pool{New: func() any { return new([]byte) }}
	flateWriters = sync.Pool{New: func() any {
		w, err := kflate.NewWriterDict(io.Discard, kflate.DefaultCompression, itemDict)
		if err != nil {
			panic(err) // only for a bad level, which is a constant here
		}
		return w
	}}
	flateReaders = sync.Pool{New: func() any {
		return flate.NewReaderDict(bytes.NewReader(nil), itemDict)
	}}
)

// encode returns the stored form of it: JSON, compressed with the file's
// dictionary when it has one, else deflated, when that is smaller. A nil
// codec deflates.
func (c *itemCodec) encode(it aggregator.Item) ([]byte, error) {
	jb := jsonEncoders.Get().(*jsonEncoder)
	defer jsonEncoders.Put(jb)
	js, err := jb.marshal(it)
	if err != nil {
		return nil, fmt.Errorf("encoding item %s: %w", it.ID, err)
	}
	if out, ok := c.compress(append(make([]byte, 0, len(js)/3+16), codecZstd), js); ok {
		if len(out) >= len(js)+1 {
			return append([]byte{codecJSON}, js...), nil
		}
		return out, nil
	}
	out := make([]byte, 0, len(js)/2+16)
	out = append(out, codecFlateDict)
	out = binary.AppendUvarint(out, uint64(len(js)))
	buf := bytes.NewBuffer(out)
	w := flateWriters.Get().(*kflate.Writer)
	defer flateWriters.Put(w)
	w.Reset(buf)
	if _, err := w.Write(js); err != nil {
		return nil, fmt.Errorf("compressing item %s: %w", it.ID, err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("compressing item %s: %w", it.ID, err)
	}
	if buf.Len() >= len(js)+1 {
		return append([]byte{codecJSON}, js...), nil
	}
	return buf.Bytes(), nil
}

// jsonEncoder is a JSON encoder of items with its buffer, kept in
// jsonEncoders between calls.
type jsonEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

var jsonEncoders = sync.Pool{New: func() any {
	e := &jsonEncoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}}

// marshal is json.Marshal without escaping <, > and &: items carry HTML,
// and \u003c takes six bytes where < takes one. The result is valid until
// the next call.
func (e *jsonEncoder) marshal(it aggregator.Item) ([]byte, error) {
	e.buf.Reset()
	if err := e.enc.Encode(it); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(e.buf.Bytes(), []byte("\n")), nil
}

// marshalItem is json.Marshal without escaping <, > and &.
func marshalItem(it aggregator.Item) ([]byte, error) {
	var e jsonEncoder
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	js, err := e.marshal(it)
	return bytes.Clone(js), err
}

// decode parses a stored item. It never keeps a reference to v, which may
// be memory owned by bbolt. A nil codec reads every record but codecZstd.
func (c *itemCodec) decode(v []byte) (aggregator.Item, error) {
	var it aggregator.Item
	if len(v) == 0 {
		return it, fmt.Errorf("empty item record")
	}
	switch v[0] {
	case codecSections:
		r, err := splitRecord(v)
		if err != nil {
			return it, err
		}
		return c.decode(r.body)
	case codecJSON:
		if err := json.Unmarshal(v[1:], &it); err != nil {
			return it, fmt.Errorf("decoding item: %w", err)
		}
	case codecFlateDict:
		n, w := binary.Uvarint(v[1:])
		if w <= 0 || n > maxItemJSON {
			return it, fmt.Errorf("item record has a bad length")
		}
		r := flateReaders.Get().(io.ReadCloser)
		defer flateReaders.Put(r)
		if err := r.(flate.Resetter).Reset(bytes.NewReader(v[1+w:]), itemDict); err != nil {
			return it, fmt.Errorf("decompressing item: %w", err)
		}
		bp := jsonBufs.Get().(*[]byte)
		defer jsonBufs.Put(bp)
		if uint64(cap(*bp)) < n {
			*bp = make([]byte, n)
		}
		js := (*bp)[:n]
		if _, err := io.ReadFull(r, js); err != nil {
			return it, fmt.Errorf("decompressing item: %w", err)
		}
		// json.Unmarshal copies what it keeps, so the buffer is reused.
		if err := json.Unmarshal(js, &it); err != nil {
			return it, fmt.Errorf("decoding item: %w", err)
		}
	case codecZstd:
		bp := jsonBufs.Get().(*[]byte)
		defer jsonBufs.Put(bp)
		js, err := c.decompress((*bp)[:0], v[1:])
		if err != nil {
			return it, fmt.Errorf("decompressing item: %w", err)
		}
		*bp = js
		if err := json.Unmarshal(js, &it); err != nil {
			return it, fmt.Errorf("decoding item: %w", err)
		}
	default:
		return it, fmt.Errorf("item record has unknown codec %d", v[0])
	}
	return it, nil
}

// timeKeyLen is the length of the time prefix of index keys.
const timeKeyLen = 8

// timeKey is the index key of a story: its time as 8-byte big-endian unix
// nanoseconds with the sign bit flipped (so times before 1970 sort first),
// then the story id. Times outside the int64 nanosecond range (years 1678 to
// 2262), such as the zero time, are clamped to its ends.
func timeKey(t time.Time, storyID string) []byte {
	k := make([]byte, timeKeyLen, timeKeyLen+len(storyID))
	binary.BigEndian.PutUint64(k, uint64(clampNanos(t))^(1<<63))
	return append(k, storyID...)
}

var (
	minNanoTime = time.Unix(0, math.MinInt64)
	maxNanoTime = time.Unix(0, math.MaxInt64)
)

func clampNanos(t time.Time) int64 {
	switch {
	case t.Before(minNanoTime):
		return math.MinInt64
	case t.After(maxNanoTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// timeKeyStory returns the story id of an index key.
func timeKeyStory(k []byte) string { return string(k[timeKeyLen:]) }

// maxRawKey is the longest caller key (dedup key, band, link, counter key)
// stored as it is. A longer one is stored as digestMark and the first 16
// bytes of its SHA-256: dedup keys are often whole URLs or texts, and each
// is stored twice (under keys, and in the owned list of every item that
// carries it), so a fixed 17 bytes keeps both small, and a huge key cannot
// exceed bbolt's key limit and fail a feed's transaction. Lookups are exact
// matches, which a 128-bit digest keeps (and by length, a raw key never
// equals a digest).
const maxRawKey = 16

const digestMark = 0xff

// storedKey returns the stored form of a caller's key.
func storedKey(k []byte) []byte {
	if len(k) <= maxRawKey {
		return k
	}
	sum := sha256.Sum256(k)
	return append([]byte{digestMark}, sum[:16]...)
}

// u32 encodes a counter.
func u32(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }
