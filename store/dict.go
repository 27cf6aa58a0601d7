package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/dict"
	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"
)

// Item records are small (1–3 KB of JSON) and alike: the same field names,
// the same markup, each source's own bylines and footers, the words of the
// day's news. A compressor that starts every record from nothing finds few
// matches in so little input; one primed with a dictionary of what records
// share finds most of them. So once a store holds trainAfter items, it
// builds a Zstandard dictionary from a sample of them, keeps it in the meta
// bucket, and compresses every later record with it (codecZstd). Records
// written before stay as they are; every dictionary a file ever had stays in
// it, so every record stays readable.
const (
	trainAfter    = 1000     // items written before the first dictionary is built
	maxTrainAfter = 1 << 16  // items written between two attempts, at most, once attempts failed
	trainSamples  = 1000     // records the dictionary is built from, at most
	maxSample     = 16 << 10 // bytes of a record the dictionary learns from, at most
	minSamples    = 50       // fewer records than this are too few to learn from
	dictSize      = 32 << 10 // bytes of a dictionary
	firstDictID   = 1 << 15  // IDs below are reserved by the Zstandard format
	dictKeyPrefix = "zdict/" // meta key prefix; the dictionary ID follows, uint32 big-endian
)

// itemCodec encodes item records with the newest dictionary of the file and
// decodes them with any of its dictionaries.
type itemCodec struct {
	enc     atomic.Pointer[zstd.Encoder] // nil until the file has a dictionary
	dec     atomic.Pointer[zstd.Decoder]
	written atomic.Int64 // new item records since the last training attempt
	after   atomic.Int64 // records written before a training starts: trainAfter, doubled by each failure
	busy    atomic.Bool  // a training runs
	nextID  uint32       // ID of the next dictionary; guarded by busy
	// built is a dictionary built and checked that the file did not take
	// (a full disk), stored by the next attempt without building it again;
	// guarded by busy.
	built    []byte
	retrying bool // built waits for a commit that passes; logged once; guarded by busy
	wg       sync.WaitGroup
	log      *slog.Logger
}

// loadCodec reads the file's dictionaries into a codec.
func loadCodec(btx *bolt.Tx) (*itemCodec, error) {
	c := &itemCodec{nextID: firstDictID, log: slog.Default()}
	c.after.Store(trainAfter)
	var dicts [][]byte
	cur := btx.Bucket(bucketMeta).Cursor()
	prefix := []byte(dictKeyPrefix)
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		if len(k) != len(prefix)+4 {
			return nil, fmt.Errorf("damaged store: dictionary key %q", k)
		}
		dicts = append(dicts, bytes.Clone(v))
		c.nextID = binary.BigEndian.Uint32(k[len(prefix):]) + 1
	}
	if len(dicts) == 0 {
		return c, nil
	}
	if err := c.install(dicts); err != nil {
		return nil, fmt.Errorf("damaged store: %w", err)
	}
	return c, nil
}

// encoderWindow is the zstd window of item records.
const encoderWindow = 256 << 10

// install makes the codec decode with every dictionary of dicts and encode
// with the last.
func (c *itemCodec) install(dicts [][]byte) error {
	procs := runtime.GOMAXPROCS(0)
	dec, err := zstd.NewReader(nil,
		zstd.WithDecoderDicts(dicts...),
		zstd.WithDecoderConcurrency(procs),
		zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxMemory(maxItemJSON))
	if err != nil {
		return fmt.Errorf("item dictionaries: %w", err)
	}
	enc, err := zstd.NewWriter(nil,
		zstd.WithEncoderDict(dicts[len(dicts)-1]),
		zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderConcurrency(procs),
		zstd.WithEncoderCRC(false),
		zstd.WithLowerEncoderMem(true),
		// An item record is a few kilobytes: a window of 256 KB holds it
		// whole, where the default 8 MB window costs each encoder 8 MB.
		zstd.WithWindowSize(encoderWindow))
	if err != nil {
		dec.Close()
		return fmt.Errorf("item dictionary: %w", err)
	}
	c.dec.Store(dec)
	c.enc.Store(enc)
	return nil
}

// compress appends the zstd frame of js to dst, or returns false when the
// file has no dictionary yet.
func (c *itemCodec) compress(dst, js []byte) ([]byte, bool) {
	if c == nil {
		return dst, false
	}
	enc := c.enc.Load()
	if enc == nil {
		return dst, false
	}
	return enc.EncodeAll(js, dst), true
}

// decompress appends what the zstd frame src holds to dst.
func (c *itemCodec) decompress(dst, src []byte) ([]byte, error) {
	var dec *zstd.Decoder
	if c != nil {
		dec = c.dec.Load()
	}
	if dec == nil {
		return dst, errors.New("record needs a dictionary the file does not have")
	}
	return dec.DecodeAll(src, dst)
}

// wrote counts new item records.
func (c *itemCodec) wrote(n int) {
	if c != nil && n > 0 {
		c.written.Add(int64(n))
	}
}

// maybeTrain starts building the file's first dictionary in the background
// once enough items were written. Writers carry on meanwhile; records use
// the dictionary from the commit that stores it.
func (d *DB) maybeTrain() {
	c := d.codec
	if c.enc.Load() != nil || c.written.Load() < c.after.Load() || !c.busy.CompareAndSwap(false, true) {
		return
	}
	c.wg.Go(func() {
		defer c.busy.Store(false)
		err := d.train()
		c.trained(err)
		if !errors.Is(err, errDictNotStored) {
			c.written.Store(0)
		}
	})
}

// errDictNotStored is the error of a training whose dictionary was built
// but that the file did not take: a failed write, as on a full disk.
var errDictNotStored = errors.New("storing the item dictionary")

// trained records the outcome of a training. A dictionary the file did not
// take is stored after the next commit that passes, without waiting for
// more records: the write failed, not the builder, and the next attempt
// costs one small write. Any other failure waits twice as many records as
// the attempt before it for the next, up to maxTrainAfter, so that records
// the builder cannot learn from cost little and log little.
func (c *itemCodec) trained(err error) {
	if err == nil {
		c.retrying = false
		return
	}
	if errors.Is(err, errDictNotStored) {
		if !c.retrying {
			c.log.Warn("storing the item dictionary failed; tried again after each commit until it is stored", "err", err)
		}
		c.retrying = true
		return
	}
	next := min(2*c.after.Load(), maxTrainAfter)
	c.after.Store(next)
	c.log.Warn("building the item dictionary failed; records stay compressed without it",
		"err", err, "next_attempt_after_records", next)
}

// train builds a dictionary from a sample of stored records, stores it and
// switches the codec to it. Too few records is not an error: the next
// trainAfter writes try again.
func (d *DB) train() error {
	c := d.codec
	if c.built != nil {
		return d.storeDict(c.built)
	}
	var samples [][]byte
	err := d.view(func(btx *bolt.Tx) error {
		t := d.newTx(btx)
		for _, b := range t.recordBuckets() {
			cur := b.Cursor()
			for k, v := cur.First(); k != nil && len(samples) < trainSamples; k, v = cur.Next() {
				it, err := t.codec.decode(v)
				if err != nil {
					continue // a damaged record teaches nothing; reading it reports it elsewhere
				}
				js, err := marshalItem(it)
				if err != nil {
					return err
				}
				// A record's start holds what records share (the keys,
				// the links' hosts, the markup); one of hundreds of
				// kilobytes teaches no more, and one that repeats itself
				// makes the dictionary builder panic.
				samples = append(samples, js[:min(len(js), maxSample)])
			}
		}
		return nil
	})
	if err != nil || len(samples) < minSamples {
		return err
	}
	zd, err := buildDict(samples, c.nextID)
	if err != nil {
		return err
	}
	if err := checkDict(zd, samples); err != nil {
		return err
	}
	return d.storeDict(zd)
}

// storeDict stores the dictionary zd, built with the ID c.nextID, and
// switches the codec to it. When the file does not take it, it keeps zd for
// the next attempt and returns an error wrapping errDictNotStored.
func (d *DB) storeDict(zd []byte) error {
	c := d.codec
	id := c.nextID
	var dicts [][]byte
	err := d.update(func(btx *bolt.Tx) error {
		meta := btx.Bucket(bucketMeta)
		if err := meta.Put(dictKey(id), zd); err != nil {
			return err
		}
		prefix := []byte(dictKeyPrefix)
		cur := meta.Cursor()
		for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			dicts = append(dicts, bytes.Clone(v))
		}
		return nil
	})
	if err != nil {
		c.built = zd
		return fmt.Errorf("%w: %w", errDictNotStored, err)
	}
	c.built = nil
	c.nextID++
	return c.install(dicts)
}

// buildDict builds a dictionary from samples. The builder can panic on
// degenerate input, which must not take the daemon down.
func buildDict(samples [][]byte, id uint32) (zd []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			zd, err = nil, fmt.Errorf("building the item dictionary: %v", r)
		}
	}()
	zd, err = dict.BuildZstdDict(samples, dict.Options{
		MaxDictSize: dictSize,
		HashBytes:   6,
		ZstdDictID:  id,
		ZstdLevel:   zstd.SpeedFastest,
	})
	if err != nil {
		return nil, fmt.Errorf("building the item dictionary: %w", err)
	}
	return zd, nil
}

// checkDict makes sure that records compressed with zd read back before
// the file keeps it: the builder can return a dictionary the codec refuses
// (an offset table it cannot use), and a file holding one would not open.
func checkDict(zd []byte, samples [][]byte) error {
	var c itemCodec
	if err := c.install([][]byte{zd}); err != nil {
		return fmt.Errorf("the built dictionary: %w", err)
	}
	defer c.close()
	for _, s := range samples[:min(len(samples), 8)] {
		z, _ := c.compress(nil, s)
		back, err := c.decompress(nil, z)
		if err != nil {
			return fmt.Errorf("the built dictionary: %w", err)
		}
		if !bytes.Equal(back, s) {
			return errors.New("the built dictionary: a record does not read back")
		}
	}
	return nil
}

func dictKey(id uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte(dictKeyPrefix), id)
}

// close waits for a training in progress and releases the codec.
func (c *itemCodec) close() {
	c.wg.Wait()
	if dec := c.dec.Load(); dec != nil {
		dec.Close()
	}
	if enc := c.enc.Load(); enc != nil {
		enc.Close()
	}
}
