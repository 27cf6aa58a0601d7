package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/aggregator/ops"
	"github.com/tributary-feeds/tributary/store"
)

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
	var in, enter, leave int
	err = db.TopicStories(ctx, aggregator.AllTopic, time.Time{}, func(s aggregator.Story, items []aggregator.Item) bool {
		now := slices.Contains(tags.Tag(ingest.StoryText(s, items)), id)
		was := slices.Contains(s.Topics, id)
		title := ""
		src := ""
		for _, it := range items {
			if it.ID == s.Face {
				title, src = it.Title, names[it.SourceID]
			}
		}
		switch {
		case now && !was:
			enter++
			fmt.Fprintf(e.stdout, "+ %s  %-20s %s\n", s.Time.UTC().Format("2006-01-02 15:04"), ops.Clip(src, 20), title)
		case !now && was:
			leave++
			fmt.Fprintf(e.stdout, "- %s  %-20s %s\n", s.Time.UTC().Format("2006-01-02 15:04"), ops.Clip(src, 20), title)
		}
		if now {
			in++
		}
		return true
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\ntopic %s: %d stored stories match; %d would enter (+), %d would leave (-)\n", id, in, enter, leave)
	return nil
}
