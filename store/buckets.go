package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// schemaVersion is the layout of the buckets below. Open refuses a file whose
// stored version is newer, because an older build would misread it.
// Version 2 added item records compressed with a dictionary kept in meta
// (codecZstd); version 3 keeps new item records under sequence numbers
// (records and ids), where an older build would not find them; version 4
// dropped the links index (link → item), which an older build would look in
// and not find items stored since: ItemByLink walks the records instead;
// version 5 writes owned lists as ownedV2, with runs of entries alike
// (tx.go), which an older build would refuse as damaged. A writable Open
// marks an older file version 5 and deletes its links index; its records
// stay readable where they are, and their owned lists as they are, until
// they are rewritten or pruned.
const schemaVersion = 5

// Every top-level bucket. Keys and values:
//
//	meta      "schema" → uint32 big-endian schemaVersion;
//	          "zdict/" + uint32 big-endian ID → a Zstandard dictionary of item records (dict.go)
//	sources   source id → JSON aggregator.SourceState, with a validator that is not UTF-8
//	          in base64 beside it (etag_bytes, last_modified_bytes: sources.go)
//	records   8-byte big-endian sequence number, in the order items were first stored →
//	          the item record: codec byte + item JSON, compressed (codec.go, dict.go), behind
//	          the item's near-duplicate features and owned list when it has them (record.go)
//	ids       item id → the key of its record in records
//	items     item id → item record, in files written before version 3; a record moves
//	          to records when it is rewritten
//	stories   story id → aggregator.Story, binary (storycodec.go); JSON in older files
//	time      timeKey(Story.Time) + story id → empty; every story, oldest first
//	topics    nested bucket per topic id: timeKey(Story.Time) + story id → empty
//	keys      dedup key → encoded []aggregator.KeyRef (refs.go)
//	bands     near-duplicate band → encoded []aggregator.KeyRef
//	features  item id → near-duplicate features, for an item not stored in that transaction;
//	          files written before version 2 keep every item's here
//	counts    nested bucket per namespace: key → uint32 big-endian counter
//	owned     item id → the keys and bands the item owns, which Prune deletes with it (tx.go),
//	          like features only when the item's record cannot hold it
//	blobs     name → bytes the pipeline keeps for itself (each source's table of recurring lines)
//
// The built-in topic aggregator.AllTopic has no bucket under topics: it is
// served from the time index.
var (
	bucketMeta     = []byte("meta")
	bucketSources  = []byte("sources")
	bucketItems    = []byte("items")
	bucketStories  = []byte("stories")
	bucketTime     = []byte("time")
	bucketTopics   = []byte("topics")
	bucketKeys     = []byte("keys")
	bucketBands    = []byte("bands")
	bucketFeatures = []byte("features")
	bucketCounts   = []byte("counts")
	bucketOwned    = []byte("owned")
	bucketBlobs    = []byte("blobs")
	bucketRecords  = []byte("records")
	bucketIDs      = []byte("ids")
)

// allBuckets lists every top-level bucket; Open creates each of them.
var allBuckets = [][]byte{
	bucketMeta, bucketSources, bucketItems, bucketStories, bucketTime,
	bucketTopics, bucketKeys, bucketBands, bucketFeatures, bucketCounts,
	bucketOwned, bucketBlobs, bucketRecords, bucketIDs,
}

// droppedBuckets are buckets of older files that a writable Open deletes:
// links (link + 0x00 + item id → empty), an index that every stored item
// added a page write to every commit for, and that served only ItemByLink.
var droppedBuckets = [][]byte{[]byte("links")}

// laterBuckets are buckets added after files were already in use: a file
// not yet opened for writing by a build that has them lacks them (a
// writable Open creates them), so a read-only Open accepts their absence
// and their readers take a missing bucket as an empty one.
var laterBuckets = [][]byte{bucketBlobs, bucketRecords, bucketIDs}

// keySchema is the key of the schema version in the meta bucket.
var keySchema = []byte("schema")

// Kinds of entries in the owned bucket.
const (
	ownedKey  = 'k' // an entry of the keys bucket
	ownedBand = 'b' // an entry of the bands bucket
)

// initBuckets creates every bucket and the schema version in a new file, and
// checks an existing one (checkSchema) before it adds the buckets a file of
// an older version lacks.
func initBuckets(btx *bolt.Tx) error {
	if k, _ := btx.Cursor().First(); k != nil {
		// A file that holds buckets is checked before anything is added to
		// it: a bbolt file of another program, or a store missing a bucket,
		// is refused as it is, not filled with this schema's buckets.
		if err := checkSchema(btx); err != nil {
			return err
		}
	}
	for _, name := range allBuckets {
		if _, err := btx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("creating bucket %s: %w", name, err)
		}
	}
	meta := btx.Bucket(bucketMeta)
	if meta.Get(keySchema) == nil {
		return meta.Put(keySchema, binary.BigEndian.AppendUint32(nil, schemaVersion))
	}
	if binary.BigEndian.Uint32(meta.Get(keySchema)) < schemaVersion {
		for _, name := range droppedBuckets {
			if btx.Bucket(name) == nil {
				continue
			}
			if err := btx.DeleteBucket(name); err != nil {
				return fmt.Errorf("deleting bucket %s: %w", name, err)
			}
		}
		return meta.Put(keySchema, binary.BigEndian.AppendUint32(nil, schemaVersion))
	}
	return nil
}

// initialized reports whether the file holds every bucket, none that a
// writable open drops, and this version's schema: initBuckets would change
// nothing.
func initialized(btx *bolt.Tx) bool {
	meta := btx.Bucket(bucketMeta)
	if meta == nil {
		return false
	}
	if v := meta.Get(keySchema); len(v) != 4 || binary.BigEndian.Uint32(v) != schemaVersion {
		return false
	}
	for _, name := range allBuckets {
		if btx.Bucket(name) == nil {
			return false
		}
	}
	for _, name := range droppedBuckets {
		if btx.Bucket(name) != nil {
			return false
		}
	}
	return true
}

// checkSchema returns an error when the file was not made by this package or
// was made by a newer version of it.
func checkSchema(btx *bolt.Tx) error {
	meta := btx.Bucket(bucketMeta)
	if meta == nil {
		return fmt.Errorf("not a tributary store: no %s bucket", bucketMeta)
	}
	v := meta.Get(keySchema)
	if len(v) != 4 {
		return fmt.Errorf("not a tributary store: bad schema version %x", v)
	}
	if got := binary.BigEndian.Uint32(v); got > schemaVersion {
		return fmt.Errorf("schema version %d is newer than this build supports (%d); use a newer tributary", got, schemaVersion)
	}
	for _, name := range allBuckets {
		later := slices.ContainsFunc(laterBuckets, func(b []byte) bool { return bytes.Equal(b, name) })
		if btx.Bucket(name) == nil && !later {
			return fmt.Errorf("damaged store: bucket %s missing", name)
		}
	}
	return nil
}
