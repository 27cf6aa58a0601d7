package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestPrune prunes stories of two items an hour apart: a story goes when
// its later item is older than the cutoff, and one whose first item is
// older but whose later item is not stays.
func TestPrune(t *testing.T) {
	d := mustOpen(t)
	const n = pruneBatch + 120
	cutoff := t0.Add((pruneBatch + 80) * time.Minute) // prunes two batches' worth
	var keep, gone []aggregator.Story
	var goneItems []aggregator.Item
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		for i := range n {
			pub := t0.Add(time.Duration(i) * time.Minute)
			a := mkItem("prune.example", fmt.Sprint("a", i), pub, "")
			b := mkItem("prune2.example", fmt.Sprint("b", i), pub.Add(time.Hour), a.ID)
			topics := []string{"all", fmt.Sprint("t", i%3)}
			st := putStory(t, tx, topics, a, b)
			// Keys shared across stories: a kept story's ref must survive.
			shared := aggregator.KeyRef{Story: st.ID, Item: a.ID, Time: pub}
			if err := tx.AddKey("shared", shared); err != nil {
				return err
			}
			if err := tx.AddBand([]byte("shared"), shared); err != nil {
				return err
			}
			if err := tx.AddCounts("df", []string{"word"}); err != nil {
				return err
			}
			if b.Published.Before(cutoff) {
				gone = append(gone, st)
				goneItems = append(goneItems, a, b)
			} else {
				keep = append(keep, st)
			}
		}
		return nil
	})
	checkConsistent(t, d)

	got, err := d.Prune(t.Context(), cutoff)
	if err != nil || got != len(gone) {
		t.Fatalf("Prune(%v) = %d, %v; want %d", cutoff, got, err, len(gone))
	}
	checkConsistent(t, d)

	s, err := d.Stats(t.Context())
	if err != nil || s.Stories != len(keep) || s.Items != 2*len(keep) {
		t.Errorf("Stats() after Prune = %+v, %v; want %d stories, %d items", s, err, len(keep), 2*len(keep))
	}
	d.View(t.Context(), func(tx aggregator.Tx) error {
		for _, st := range gone {
			if _, err := tx.Story(st.ID); !errors.Is(err, aggregator.ErrNotFound) {
				t.Errorf("Story(%s) after Prune = %v; want ErrNotFound", st.ID, err)
			}
		}
		for _, it := range goneItems {
			if _, err := tx.Item(it.ID); !errors.Is(err, aggregator.ErrNotFound) {
				t.Errorf("Item(%s) after Prune = %v; want ErrNotFound", it.ID, err)
			}
			if _, err := tx.Features(it.ID); !errors.Is(err, aggregator.ErrNotFound) {
				t.Errorf("Features(%s) after Prune = %v; want ErrNotFound", it.ID, err)
			}
			if refs, _ := tx.Keys("guid:" + it.GUID); len(refs) != 0 {
				t.Errorf("Keys(guid:%s) after Prune = %v; want none", it.GUID, refs)
			}
		}
		for _, st := range keep {
			if _, err := tx.Story(st.ID); err != nil {
				t.Errorf("Story(%s) kept = %v", st.ID, err)
			}
		}
		refs, err := tx.Keys("shared")
		if err != nil || len(refs) != len(keep) {
			t.Errorf("Keys(shared) after Prune = %d refs, %v; want %d", len(refs), err, len(keep))
		}
		band, _ := tx.Band([]byte("shared"))
		if !refsEqual(band, refs) {
			t.Errorf("Band(shared) after Prune = %d refs; want the %d of Keys(shared)", len(band), len(refs))
		}
		if c, _ := tx.Counts("df", []string{"word"}); c[0] != n {
			t.Errorf("Counts(df, word) after Prune = %d; want %d (counters are kept)", c[0], n)
		}
		return nil
	})
	for _, it := range goneItems[:4] {
		if _, _, err := d.ItemByLink(t.Context(), atLink(it.Link)); !errors.Is(err, aggregator.ErrNotFound) {
			t.Errorf("ItemByLink(%s) after Prune = %v; want ErrNotFound", it.Link, err)
		}
	}
	for _, topic := range []string{"all", "t0", "t1", "t2"} {
		ids := topicIDs(t, d, topic, time.Time{}, 0)
		for _, id := range ids {
			if slices.ContainsFunc(gone, func(s aggregator.Story) bool { return s.ID == id }) {
				t.Errorf("TopicStories(%s) after Prune yields pruned story %s", topic, id)
			}
		}
	}

	// Nothing more is older than the cutoff.
	if got, err := d.Prune(t.Context(), cutoff); err != nil || got != 0 {
		t.Errorf("second Prune(%v) = %d, %v; want 0", cutoff, got, err)
	}
	// Pruning everything leaves empty buckets.
	if got, err := d.Prune(t.Context(), t0.Add(1000*time.Hour)); err != nil || got != len(keep) {
		t.Errorf("Prune(all) = %d, %v; want %d", got, err, len(keep))
	}
	checkConsistent(t, d)
	d.db.View(func(btx *bolt.Tx) error {
		for _, name := range [][]byte{bucketItems, bucketRecords, bucketIDs, bucketStories, bucketTime, bucketKeys, bucketBands, bucketFeatures, bucketOwned} {
			if k, _ := btx.Bucket(name).Cursor().First(); k != nil {
				t.Errorf("bucket %s after pruning everything still holds %q", name, k)
			}
		}
		return btx.Bucket(bucketTopics).ForEach(func(k, _ []byte) error {
			if first, _ := btx.Bucket(bucketTopics).Bucket(k).Cursor().First(); first != nil {
				t.Errorf("topic %s after pruning everything still holds %x", k, first)
			}
			return nil
		})
	})
}

// TestPruneBehindKeptStories prunes a story that the time index holds
// behind more than a batch of stories older than the cutoff that a later
// item keeps: the prune goes past them to it.
func TestPruneBehindKeptStories(t *testing.T) {
	d := mustOpen(t)
	cutoff := t0.Add(400 * time.Minute)
	old := mkItem("behind.example", "old", t0.Add(300*time.Minute), "")
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		for i := range pruneBatch + 1 {
			a := mkItem("kept.example", fmt.Sprint("a", i), t0.Add(time.Duration(i)*time.Second), "")
			b := mkItem("kept2.example", fmt.Sprint("b", i), cutoff.Add(time.Hour), a.ID)
			putStory(t, tx, []string{"all"}, a, b)
		}
		putStory(t, tx, []string{"all"}, old)
		return nil
	})
	if got, err := d.Prune(t.Context(), cutoff); err != nil || got != 1 {
		t.Fatalf("Prune(%v) = %d, %v; want 1, the story behind the kept ones", cutoff, got, err)
	}
	checkConsistent(t, d)
	if s, err := d.Stats(t.Context()); err != nil || s.Stories != pruneBatch+1 {
		t.Errorf("Stats() after Prune = %+v, %v; want the %d kept stories", s, err, pruneBatch+1)
	}
}

func TestPruneKeepsMovedItem(t *testing.T) {
	d := mustOpen(t)
	a := mkItem("mv.example", "a", t0, "")
	b := mkItem("mv.example", "b", t0.Add(time.Hour), a.ID)
	newer := mkItem("mv.example", "n", t0.Add(2*time.Hour), "")
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		putStory(t, tx, []string{"all"}, a, b)
		putStory(t, tx, []string{"all"}, newer)
		// b moves to the newer story; the old story still names it.
		b.StoryID = newer.ID
		if err := tx.PutItem(b); err != nil {
			return err
		}
		st, _ := tx.Story(newer.ID)
		st.Members = append(st.Members, aggregator.Member{Item: b.ID, Source: b.SourceID, Time: b.FirstSeen})
		return tx.PutStory(st)
	})
	if got, err := d.Prune(t.Context(), t0.Add(time.Minute)); err != nil || got != 1 {
		t.Fatalf("Prune = %d, %v; want 1", got, err)
	}
	d.View(t.Context(), func(tx aggregator.Tx) error {
		if _, err := tx.Item(b.ID); err != nil {
			t.Errorf("Item(%s), moved to a kept story, after Prune = %v; want it kept", b.ID, err)
		}
		if _, err := tx.Item(a.ID); !errors.Is(err, aggregator.ErrNotFound) {
			t.Errorf("Item(%s) after Prune = %v; want ErrNotFound", a.ID, err)
		}
		return nil
	})
}

func TestPruneCancelled(t *testing.T) {
	d := mustOpen(t)
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		putStory(t, tx, []string{"all"}, mkItem("c.example", "a", t0, ""))
		return nil
	})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if n, err := d.Prune(ctx, t0.Add(time.Hour)); !errors.Is(err, context.Canceled) || n != 0 {
		t.Errorf("Prune(cancelled) = %d, %v; want 0, context.Canceled", n, err)
	}
}
