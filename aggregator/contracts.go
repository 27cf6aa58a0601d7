package aggregator

import (
	"context"
	"time"
)

// KeyRef points from a dedup key, or a near-duplicate band, to the story of
// the item that carries it.
type KeyRef struct {
	Story string    `json:"story"`
	Item  string    `json:"item"`
	Time  time.Time `json:"time"` // the item's Published
}

// Tx is one write transaction on the store: everything ingest reads and
// writes for one fetched feed happens in one Tx, committed atomically.
// Getters return an error wrapping ErrNotFound for a missing record.
type Tx interface {
	Source(id string) (SourceState, error)
	PutSource(st SourceState) error

	Item(id string) (Item, error)
	// PutItem stores the item, replacing any with the same ID.
	PutItem(it Item) error

	Story(id string) (Story, error)
	// PutStory stores the story and moves it in the time index and in the
	// index of every topic in st.Topics (and out of topics it left).
	PutStory(st Story) error
	// DeleteStory removes a story record and its time and topic index
	// entries (when two stories merge into one). Its items, keys and bands
	// stay: the caller moves the items to the surviving story first. A
	// missing story is not an error.
	DeleteStory(id string) error

	// Keys returns the refs stored under an exact dedup key (GUID, canonical
	// link, text digest), newest last.
	Keys(key string) ([]KeyRef, error)
	// AddKey appends ref under key.
	AddKey(key string, ref KeyRef) error

	// Band returns the refs stored under a near-duplicate index band.
	Band(band []byte) ([]KeyRef, error)
	// AddBand appends ref under band.
	AddBand(band []byte, ref KeyRef) error

	// Features returns the near-duplicate features stored for an item.
	Features(itemID string) ([]byte, error)
	PutFeatures(itemID string, b []byte) error

	// Counts returns, for each key, the counter stored under namespace ns
	// (0 when absent). Counters hold document frequencies and per-source
	// boilerplate statistics.
	Counts(ns string, keys []string) ([]uint32, error)
	// AddCounts adds one to each key's counter in namespace ns.
	AddCounts(ns string, keys []string) error
	// DropCounts deletes every counter of namespace ns.
	DropCounts(ns string) error

	// Blob returns the bytes the pipeline keeps under name (per-source
	// statistics), nil when there are none.
	Blob(name string) ([]byte, error)
	// PutBlob stores b under name, replacing what was there.
	PutBlob(name string, b []byte) error
}

// Store is what the pipeline, the server and the command line need from
// storage. *store.DB implements it.
type Store interface {
	// Update runs fn in one write transaction; an error from fn rolls it back.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in one read-only transaction; Tx's writes fail there.
	View(ctx context.Context, fn func(Tx) error) error

	Source(ctx context.Context, id string) (SourceState, error)
	Sources(ctx context.Context) ([]SourceState, error)
	PutSource(ctx context.Context, st SourceState) error
	// ForgetSources deletes the state of each source in ids that no stored
	// story has an item from, and returns the ids whose state it deleted.
	ForgetSources(ctx context.Context, ids []string) ([]string, error)

	// TopicStories calls fn with the topic's stories newest first, starting
	// strictly before the given time (zero: from the newest), with the
	// story's items in member order, until fn returns false.
	TopicStories(ctx context.Context, topic string, before time.Time, fn func(Story, []Item) bool) error
	// StoryIDs returns the id of every stored story, reading no story or
	// item record.
	StoryIDs(ctx context.Context) ([]string, error)
	// Export calls fn with every stored item and its story.
	Export(ctx context.Context, fn func(Item, Story) error) error
	// Prune deletes stories whose items were all published before cutoff
	// (a story whose Time is before cutoff stays while a later item of its
	// own is not), with their items, keys, bands and features, and returns
	// how many stories it deleted.
	Prune(ctx context.Context, cutoff time.Time) (int, error)
	// ItemByLink finds the stored item rank puts first (the lowest rank
	// of 0 or more), of items ranked alike the first stored.
	ItemByLink(ctx context.Context, rank func(Item) int) (Item, Story, error)
	// Generation changes whenever a write transaction commits, so that a
	// cache of what the store holds can tell when it may be stale.
	Generation() uint64
}

// StoryText is what a story's topics are decided on: the plain text and feed
// categories of its items (of a large story, its face and first members:
// ingest.MaxTopicMembers) and the sources of all of them.
type StoryText struct {
	Titles     []string // plain-text titles of those items
	Fields     []string // plain-text summaries and contents; a phrase never spans two fields or titles
	Categories []string // feed categories of those items
	Sources    []string // SourceIDs of every item
}

// Tagger decides which topics take a story. topic.Set implements it.
type Tagger interface {
	// Tag returns the ids of the topics that take the story, in
	// configuration order, the built-in AllTopic included.
	Tag(StoryText) []string
}
