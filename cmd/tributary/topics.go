package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/aggregator/ops"
	"github.com/tributary-feeds/tributary/store"
)

// topicsBatch is how many stories `topics test` reads per read transaction.
const topicsBatch = 256

// cmdTopics runs `topics test ID`: the topic's rules, as the config file
// says them now, against every stored story, printing which stories would
// enter or leave its feed, so rules can be tuned before a reload.
func cmdTopics(ctx context.Context, e *env, args []string) error {
	if len(args) != 2 || args[0] != "test" {
		return usageError("usage: tributary topics test ID")
	}
	id := args[1]
	cfg, tags, err := loadConfig(e)
	if err != nil {
		return err
	}
	known := false
	for _, t := range tags.Topics() {
		known = known || t.ID == id
	}
	if !known {
		return usageError("topic %q is not in %s", id, cfg.Path)
	}
	db, err := store.Open(cfg.Storage.Path, store.Options{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("%w (topics test reads the store directly: stop the daemon or run it on a backup)", err)
	}
	defer db.Close()
	names := sourceNames(ctx, db)
	// Every story, not only those of the topic "all": a configuration may
	// give "all" rules of its own.
	ids, err := db.StoryIDs(ctx)
	if err != nil {
		return err
	}
	type change struct {
		enter bool
		time  time.Time
		story string
		line  string
	}
	var changes []change
	var in, enter, leave int
	for start := 0; start < len(ids); start += topicsBatch {
		err := db.View(ctx, func(tx aggregator.Tx) error {
			for _, sid := range ids[start:min(start+topicsBatch, len(ids))] {
				s, err := tx.Story(sid)
				if errors.Is(err, aggregator.ErrNotFound) {
					continue
				}
				if err != nil {
					return fmt.Errorf("story %s: %w", sid, err)
				}
				items := make([]aggregator.Item, 0, len(s.Members))
				for _, m := range s.Members {
					it, err := tx.Item(m.Item)
					if errors.Is(err, aggregator.ErrNotFound) {
						continue
					}
					if err != nil {
						return fmt.Errorf("item %s of story %s: %w", m.Item, sid, err)
					}
					items = append(items, it)
				}
				now := slices.Contains(tags.Tag(ingest.StoryText(s, items)), id)
				was := slices.Contains(s.Topics, id)
				if now {
					in++
				}
				if now == was {
					continue
				}
				title, src := "", ""
				for _, it := range items {
					if it.ID == s.Face {
						title, src = it.Title, sourceName(names, it.SourceID)
					}
				}
				changes = append(changes, change{enter: now, time: s.Time, story: s.ID,
					line: fmt.Sprintf("%s  %-20s %s", s.Time.UTC().Format("2006-01-02 15:04"), ops.Clip(src, 20), title)})
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	slices.SortFunc(changes, func(a, b change) int { // newest first, as in the feeds
		return cmp.Or(b.time.Compare(a.time), cmp.Compare(b.story, a.story))
	})
	for _, c := range changes {
		mark := "-"
		if c.enter {
			mark = "+"
			enter++
		} else {
			leave++
		}
		fmt.Fprintf(e.stdout, "%s %s\n", mark, c.line)
	}
	fmt.Fprintf(e.stdout, "\ntopic %s: %d stored stories match; %d would enter (+), %d would leave (-)\n", id, in, enter, leave)
	return nil
}
