package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/aggregator/ops"
	"github.com/tributary-feeds/tributary/aggregator/topic"
)

// topicsBatch is how many stories `topics test` reads per read transaction.
const topicsBatch = 256

// verdict returns the verdict on the topic id among vs.
func verdict(vs []topic.Verdict, id string) topic.Verdict {
	for _, v := range vs {
		if v.Topic == id {
			return v
		}
	}
	return topic.Verdict{Topic: id}
}

// deciding names the first of a story's items that the topic takes on its
// own, for a story of several items that the topic takes: which report
// brought it in. A story taken on words spread over its items says so.
func deciding(tx aggregator.Tx, tags *topic.Set, s aggregator.Story, items []aggregator.Item, id string, names map[string]string) (string, error) {
	for _, it := range items {
		one, err := ingest.StoryText(tx, s, []aggregator.Item{it})
		if err != nil {
			return "", err
		}
		one.Sources = []string{it.SourceID}
		if verdict(tags.Explain(one), id).Taken {
			return fmt.Sprintf("\n      in %q from %s", it.Title, sourceName(names, it.SourceID)), nil
		}
	}
	return "\n      on the words of several of its items together", nil
}

// cmdTopics runs `topics test [-all] ID`: the topic's rules, as the config
// file says them now, against every stored story, printing which stories
// would enter or leave its feed (with -all, those that stay too), each with
// the rule that decided, so rules can be tuned before a reload.
func cmdTopics(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("tributary topics", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	configFlag(fs, e)
	all := fs.Bool("all", false, "list the stories that stay in the topic's feed too")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: tributary topics [-config FILE] test [-all] ID\n\n"+
			"Evaluate a topic's rules, as the config file says them now, against the stored stories, and say why.\n\n")
		fs.PrintDefaults()
	}
	args, err := parseInterleaved(fs, args, e.stdout)
	if err != nil {
		return err
	}
	if len(args) != 2 || args[0] != "test" {
		return usageError("usage: tributary topics test [-all] ID")
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
	db, err := openStoreToRead(cfg, "topics test")
	if err != nil {
		return err
	}
	defer db.Close()
	if tags, err = bindStored(ctx, cfg, db); err != nil {
		return err
	}
	names := sourceNames(ctx, db)
	// Every story, not only those of the topic "all": a configuration may
	// give "all" rules of its own.
	ids, err := db.StoryIDs(ctx)
	if err != nil {
		return err
	}
	type change struct {
		mark  string // + enters, - leaves, = stays
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
				text, err := ingest.StoryText(tx, s, items)
				if err != nil {
					return err
				}
				v := verdict(tags.Explain(text), id)
				now := v.Taken
				was := slices.Contains(s.Topics, id)
				if now {
					in++
				}
				if now == was && !(*all && now) {
					continue
				}
				title, src := "", ""
				for _, it := range items {
					if it.ID == s.Face {
						title, src = it.Title, sourceName(names, it.SourceID)
					}
				}
				line := fmt.Sprintf("%s  %s %s\n      %s", s.Time.UTC().Format("2006-01-02 15:04"), ops.Pad(src, 20), title, v.Why)
				if now && len(items) > 1 {
					by, err := deciding(tx, tags, s, items, id, names)
					if err != nil {
						return err
					}
					line += by
				}
				mark := "="
				switch {
				case now && !was:
					mark = "+"
				case !now:
					mark = "-"
				}
				changes = append(changes, change{mark: mark, time: s.Time, story: s.ID, line: line})
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
		switch c.mark {
		case "+":
			enter++
		case "-":
			leave++
		}
		fmt.Fprintf(e.stdout, "%s %s\n", c.mark, c.line)
	}
	match := "match"
	if in == 1 {
		match = "matches"
	}
	fmt.Fprintf(e.stdout, "\ntopic %s: %s %s; %d would enter (+), %d would leave (-)\n", id, counted(in, "stored story", "stored stories"), match, enter, leave)
	return nil
}
