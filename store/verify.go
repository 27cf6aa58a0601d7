package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// mergedKeyPrefix starts the exact key under which the ingest files the id
// of a story merged into another; its ref names the story that took it.
const mergedKeyPrefix = "m:"

// Verify checks the whole store and returns one line for each problem it
// finds (the first 1,000 of the store's checks, then how many more), none
// when the store is sound. It runs bbolt's own check of the file's pages
// (every page reachable once, none both free and in use; see checkPages),
// then, in one read transaction, the store's checks of its records: every
// story is in the time index and in the indexes of its topics, every index
// entry names a story filed under that time, every item record decodes,
// belongs to a story that lists it and is listed once, and every dedup key
// and near-duplicate band names items and stories that exist and that own
// it. A ref to a story that was merged into another is sound when the
// merge keys lead to a story that exists.
//
// Verify reads every record: it takes time in proportion to the file's
// size. Writes wait while it checks the pages; while it checks the
// records, as during a backup, the file cannot reuse the pages that
// writes free. It returns an error when ctx ends, and one wrapping
// ErrDamaged when reading the file failed on a damaged page.
func (d *DB) Verify(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	bad, err := d.checkPages()
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = d.view(func(btx *bolt.Tx) error {
			v := &verifier{t: d.newTx(btx), ctx: ctx}
			v.run()
			bad = append(bad, v.bad...)
			if v.more > 0 {
				bad = append(bad, fmt.Sprintf("and %d more problems", v.more))
			}
			return ctx.Err()
		})
	}
	if errors.Is(err, ErrDamaged) {
		return bad, err // it names the file already
	}
	if err != nil {
		return bad, fmt.Errorf("verify %s: %w", d.path, err)
	}
	return bad, nil
}

// checkPages runs bbolt's check of the file's pages and returns one line
// for each problem. The check reads the free list the writers share, not
// a snapshot of it: a commit beside a read transaction's check frees
// pages that transaction still reaches, which the check would report as
// damage. On a file open for writing it runs in a write transaction,
// rolled back, so that no commit lands during it; writes wait for it
// meanwhile, as they wait for one another.
func (d *DB) checkPages() ([]string, error) {
	var bad []string
	check := func(btx *bolt.Tx) error {
		for err := range btx.Check() {
			bad = append(bad, fmt.Sprintf("bbolt: %v", err))
		}
		return nil
	}
	if d.db.IsReadOnly() {
		return bad, d.view(check)
	}
	return bad, guard(d.path, func() error {
		btx, err := d.db.Begin(true)
		if err != nil {
			return err
		}
		defer btx.Rollback() //nolint:errcheck // nothing was written
		return check(btx)
	})
}

// verifier is one run of the store's own checks.
type verifier struct {
	t       *tx
	ctx     context.Context
	bad     []string
	more    int // problems found past maxProblems
	stories map[string]verifiedStory
	items   map[string]string // item id → the story its record names
}

// verifiedStory is what the checks need of a story.
type verifiedStory struct {
	time    time.Time
	topics  []string
	members []string // item ids
}

// maxProblems bounds the problems Verify lists: a file damaged throughout
// could name every record.
const maxProblems = 1000

func (v *verifier) report(format string, args ...any) {
	v.more++
	if len(v.bad) < maxProblems {
		v.bad = append(v.bad, fmt.Sprintf(format, args...))
		v.more--
	}
}

// run checks every record; it stops early when v.ctx ends.
func (v *verifier) run() {
	t := v.t
	v.stories = map[string]verifiedStory{}
	t.stories.ForEach(func(k, _ []byte) error { //nolint:errcheck // reports, returns nil
		st, err := t.Story(string(k))
		if err != nil {
			v.report("story %s: %v", k, err)
			return nil
		}
		vs := verifiedStory{time: st.Time, topics: st.Topics}
		for _, m := range st.Members {
			vs.members = append(vs.members, m.Item)
		}
		v.stories[st.ID] = vs
		key := timeKey(st.Time, st.ID)
		if !hasKey(t.time, key) {
			v.report("story %s: not in the time index", st.ID)
		}
		for _, topic := range indexedTopics(st.Topics) {
			b := t.topics.Bucket([]byte(topic))
			if b == nil || !hasKey(b, key) {
				v.report("story %s: not in topic %s", st.ID, topic)
			}
		}
		return nil
	})
	if v.ctx.Err() != nil {
		return
	}
	v.checkIndex("time", t.time, "")
	t.topics.ForEach(func(k, val []byte) error { //nolint:errcheck // reports, returns nil
		if val != nil {
			v.report("topics: %s is not a bucket", k)
			return nil
		}
		v.checkIndex("topic "+string(k), t.topics.Bucket(k), string(k))
		return nil
	})
	if v.ctx.Err() != nil {
		return
	}
	v.checkItems()
	if v.ctx.Err() != nil {
		return
	}
	v.checkRefs("key", t.keys, ownedKey)
	v.checkRefs("band", t.bands, ownedBand)
	t.owned.ForEach(func(k, val []byte) error { //nolint:errcheck // reports, returns nil
		if _, ok := v.items[string(k)]; !ok {
			v.report("owned %q: item missing", k)
		}
		v.checkOwned(k, val)
		return nil
	})
	for id := range v.items {
		r, err := splitRecord(t.recordOf(id))
		if err != nil {
			v.report("item %s: %v", id, err)
		}
		v.checkOwned([]byte(id), r.owned)
	}
}

// checkIndex checks each entry of a time or topic index: it names a story
// that exists, is filed under that story's time and, in a topic's index,
// the story is in that topic.
func (v *verifier) checkIndex(name string, b *bolt.Bucket, topic string) {
	b.ForEach(func(k, _ []byte) error { //nolint:errcheck // reports, returns nil
		if len(k) < timeKeyLen {
			v.report("%s: malformed entry %x", name, k)
			return nil
		}
		st, ok := v.stories[timeKeyStory(k)]
		switch {
		case !ok:
			v.report("%s: entry %x names a missing story", name, k)
		case !bytes.Equal(timeKey(st.time, timeKeyStory(k)), k):
			v.report("%s: stale entry %x for story %s", name, k, timeKeyStory(k))
		case topic != "" && !slices.Contains(st.topics, topic):
			v.report("%s: story %s is not in the topic", name, timeKeyStory(k))
		}
		return nil
	})
}

// checkItems checks every item record and every story's members.
func (v *verifier) checkItems() {
	t := v.t
	v.items = map[string]string{}
	for _, b := range t.recordBuckets() {
		b.ForEach(func(k, val []byte) error { //nolint:errcheck // reports, returns nil
			it, err := t.codec.decode(val)
			if err != nil {
				v.report("item record %q: %v", k, err)
				return nil
			}
			if _, ok := v.items[it.ID]; ok {
				v.report("item %s: two records", it.ID)
			}
			v.items[it.ID] = it.StoryID
			if k := t.recordKey(it.ID); k != nil && !bytes.Equal(t.records.Get(k), val) {
				v.report("item %s: ids names another record", it.ID)
			}
			st, ok := v.stories[it.StoryID]
			if !ok {
				v.report("item %s: story %s missing", it.ID, it.StoryID)
			} else if !slices.Contains(st.members, it.ID) {
				v.report("item %s: not a member of story %s", it.ID, it.StoryID)
			}
			return nil
		})
	}
	// A file of a version before 3, not yet opened for writing by a later
	// build, has neither ids nor records (laterBuckets).
	if t.ids != nil {
		t.ids.ForEach(func(k, val []byte) error { //nolint:errcheck // reports, returns nil
			if t.records == nil || t.records.Get(val) == nil {
				v.report("ids: %s names a missing record %x", k, val)
			}
			return nil
		})
	}
	for id, st := range v.stories {
		seen := map[string]bool{}
		for _, m := range st.members {
			if _, ok := v.items[m]; !ok {
				v.report("story %s: member %s missing", id, m)
			}
			if seen[m] {
				v.report("story %s: member %s twice", id, m)
			}
			seen[m] = true
		}
	}
	t.features.ForEach(func(k, _ []byte) error { //nolint:errcheck // reports, returns nil
		if _, ok := v.items[string(k)]; !ok {
			v.report("features: item %s missing", k)
		}
		return nil
	})
}

// checkRefs checks each ref list of the keys or bands bucket b.
func (v *verifier) checkRefs(name string, b *bolt.Bucket, kind byte) {
	t := v.t
	b.ForEach(func(k, val []byte) error { //nolint:errcheck // reports, returns nil
		refs, err := decodeRefs(val)
		if err != nil || len(refs) == 0 {
			v.report("%s %q: %d refs, %v", name, k, len(refs), err)
		}
		seen := map[string]bool{}
		for _, r := range refs {
			if seen[r.Item] {
				v.report("%s %q: item %s twice", name, k, r.Item)
			}
			seen[r.Item] = true
			if _, ok := v.items[r.Item]; !ok {
				v.report("%s %q: ref to missing item %s", name, k, r.Item)
			}
			if _, ok := v.stories[r.Story]; !ok {
				if to, ok := v.mergedInto(r.Story); !ok {
					v.report("%s %q: ref to missing story %s (merge keys lead to %s)", name, k, r.Story, to)
				}
			}
			if owned, _ := t.ownedList(r.Item); !ownsEntry(owned, kind, k) {
				v.report("%s %q: item %s does not own it", name, k, r.Item)
			}
		}
		return nil
	})
}

// mergedInto follows the merge keys from the story id, as the ingest does
// for a ref to a story merged into another, and reports the story they lead
// to and whether it exists.
func (v *verifier) mergedInto(id string) (string, bool) {
	for range 8 {
		refs, err := v.t.Keys(mergedKeyPrefix + id)
		if err != nil || len(refs) == 0 {
			break
		}
		id = refs[len(refs)-1].Story
		if _, ok := v.stories[id]; ok {
			return id, true
		}
	}
	return id, false
}

// checkOwned checks that every entry an item's owned list names exists.
func (v *verifier) checkOwned(item, list []byte) {
	t := v.t
	err := walkOwned(list, func(kind byte, entry []byte) error {
		var found bool
		switch kind {
		case ownedKey:
			found = t.keys.Get(entry) != nil
		case ownedBand:
			found = t.bands.Get(entry) != nil
		}
		if !found {
			v.report("owned by %s: entry %c %q missing", item, kind, entry)
		}
		return nil
	})
	if err != nil {
		v.report("owned by %s: %v", item, err)
	}
}

// hasKey reports whether the bucket holds the key.
func hasKey(b *bolt.Bucket, k []byte) bool {
	got, _ := b.Cursor().Seek(k)
	return got != nil && bytes.Equal(got, k)
}
