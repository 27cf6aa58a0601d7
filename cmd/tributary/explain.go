package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/aggregator/near"
	"github.com/tributary-feeds/tributary/aggregator/ops"
	"github.com/tributary-feeds/tributary/aggregator/topic"
	"github.com/tributary-feeds/tributary/store"
)

// cmdExplain says which story the item at LINK joined and why, and which
// topics took that story and by which rule; given a second link, it also
// compares the two items and says why they are one story or two.
func cmdExplain(ctx context.Context, e *env, args []string) error {
	if len(args) != 1 && len(args) != 2 {
		return usageError("explain takes an item's link, and optionally another item's link to compare it with")
	}
	cfg, tags, err := loadConfig(e)
	if err != nil {
		return err
	}
	db, err := openStoreToRead(cfg, "explain")
	if err != nil {
		return err
	}
	defer db.Close()
	if tags, err = bindStored(ctx, cfg, db); err != nil {
		return err
	}
	link := args[0]
	it, story, form, err := itemByLink(ctx, db, link)
	if err != nil {
		return err
	}
	items, text, err := storyItems(ctx, db, story)
	if err != nil {
		return err
	}
	names := sourceNames(ctx, db)
	if err := writeExplain(e.stdout, it, foundAt(it, form), story, items, text, names, tags); err != nil || len(args) == 1 {
		return err
	}
	other, otherStory, otherForm, err := itemByLink(ctx, db, args[1])
	if err != nil {
		return err
	}
	var a, b *near.Doc
	err = db.View(ctx, func(tx aggregator.Tx) error {
		var err error
		if a, err = storedDoc(tx, it.ID); err != nil {
			return err
		}
		b, err = storedDoc(tx, other.ID)
		return err
	})
	if err != nil {
		return err
	}
	writeCompare(e.stdout, cfg, it, other, foundAt(other, otherForm), story, otherStory, a, b, names)
	return nil
}

// short writes d to the minute, without trailing zero units: "2h", "1h30m".
func short(d time.Duration) string {
	d = d.Round(time.Minute)
	if d == 0 {
		return "0m"
	}
	s := strings.TrimSuffix(d.String(), "0s")
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// storedDoc returns the near-duplicate features stored for an item, or nil
// when it has none.
func storedDoc(tx aggregator.Tx, id string) (*near.Doc, error) {
	f, err := tx.Features(id)
	if errors.Is(err, aggregator.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	d, err := near.Decode(f)
	if err != nil {
		return nil, nil // features of an older encoding, compared with nothing
	}
	return d, nil
}

// writeCompare says how alike two items are and why they are one story or
// two: the similarity of their stored features, signal by signal, and the
// rule that kept them apart.
func writeCompare(w io.Writer, cfg *aggregator.Config, x, y aggregator.Item, found string, sx, sy aggregator.Story,
	dx, dy *near.Doc, names map[string]string) {
	fmt.Fprintf(w, "\ncompared with %s\n       %q from %s, published %s\n", y.ID, y.Title, sourceName(names, y.SourceID),
		y.Published.UTC().Format(time.RFC3339))
	if found != "" {
		fmt.Fprintf(w, "       %s\n", found)
	}
	in := ingest.New(cfg, nil)
	window := cfg.Dedup.Window
	if window <= 0 {
		window = ingest.DefaultWindow
	}
	var sc near.Score
	if dx != nil && dy != nil {
		sc = near.Similarity(dx, dy)
		names := "no names or figures in one of the two"
		if sc.Named {
			names = fmt.Sprintf("names and figures shared %.3f (a rewrite needs %.2f)", sc.Entity, near.NamesMin)
		}
		fmt.Fprintf(w, "similarity %.3f (%s): cosine %.3f, headline %.3f, text copied %.3f, %s, %s apart (a rewrite %s apart counts half); dedup.threshold %.2f\n",
			sc.Value, sc.Kind(), sc.Cosine, sc.Title, sc.Copy, names, short(sc.Apart), short(near.HalfLife), in.Threshold())
	} else {
		fmt.Fprintln(w, "similarity: one of the two has no stored features to compare")
	}
	apart := x.Published.Sub(y.Published).Abs()
	switch {
	case sx.ID == sy.ID:
		fmt.Fprintf(w, "one story: %s (the members above say why each joined)\n", sx.ID)
	case !cfg.Dedup.NearEnabled():
		fmt.Fprintln(w, "two stories: dedup.near is off, so only the same GUID, link, original or text joins items")
	case apart > window:
		fmt.Fprintf(w, "two stories: published %s apart, beyond dedup.window (%s)\n", short(apart), short(window))
	case dx == nil || dy == nil:
		fmt.Fprintln(w, "two stories: without features, only the same GUID, link, original or text joins items")
	case sc.Value < in.Threshold() && sc.NamesDisagree() && sc.Words() >= in.Threshold():
		fmt.Fprintf(w, "two stories: their words score %.3f, but they name different people, places or figures\n"+
			"(%.3f of the names and figures of the one with fewer are in the other; a rewrite needs %.2f)\n",
			sc.Words(), sc.Entity, near.NamesMin)
	case sc.Value < in.Threshold():
		fmt.Fprintf(w, "two stories: their similarity %.3f is below dedup.threshold %.2f\n", sc.Value, in.Threshold())
	case x.SourceID == y.SourceID && sc.Kind() != "copy":
		fmt.Fprintf(w, "two stories: both from %s, whose second report on an event is a follow-up, not the same report\n", sourceName(names, x.SourceID))
	default:
		fmt.Fprintf(w, "two stories (%s, %s): their similarity reaches the threshold, but the later one was scored\n"+
			"against the other's story as a whole (its centroid, at most 1.2 times its closest member), or the\n"+
			"other's story was not among those its lookup compared in full\n", sx.ID, sy.ID)
	}
}

// itemByLink finds the stored item at link or at another of the
// addresses ingest takes for its page (ingest.LinkForms), and its story:
// through the dedup keys, which file most items under their link, else by
// walking every stored item. It returns the form the item was found at.
func itemByLink(ctx context.Context, db *store.DB, link string) (aggregator.Item, aggregator.Story, ingest.LinkForm, error) {
	forms := ingest.LinkForms(link)
	links := make([]string, len(forms))
	for i, f := range forms {
		links[i] = f.Link
	}
	var (
		it    aggregator.Item
		story aggregator.Story
		found bool
	)
	err := db.View(ctx, func(tx aggregator.Tx) error {
		var err error
		it, err = ingest.ItemByLink(tx, links...)
		if errors.Is(err, aggregator.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		story, err = tx.Story(it.StoryID)
		found = err == nil
		return err
	})
	if err == nil && !found {
		it, story, err = db.ItemByLink(ctx, func(it aggregator.Item) int { return ingest.LinkRank(it, links) })
	}
	switch {
	case errors.Is(err, aggregator.ErrNotFound):
		return it, story, ingest.LinkForm{}, fmt.Errorf("no stored item has the link %s or another address of its page: %w", link, aggregator.ErrNotFound)
	case err != nil:
		return it, story, ingest.LinkForm{}, fmt.Errorf("finding the item of %s: %w", link, err)
	}
	for _, f := range forms {
		if ingest.ItemAt(it, f.Link) {
			return it, story, f, nil
		}
	}
	return it, story, forms[0], nil
}

// foundAt says at which address of the page given the item was found, or
// "" when at the link given.
func foundAt(it aggregator.Item, f ingest.LinkForm) string {
	if it.Link == f.Link || it.CanonicalLink == f.Link {
		if f.How == "" {
			return ""
		}
		return fmt.Sprintf("found at %s, %s", f.Link, f.How)
	}
	s := fmt.Sprintf("found at %s, the mobile (AMP) page of %s", ingest.LinkOf(it), f.Link)
	if f.How != "" {
		s += " (" + f.How + ")"
	}
	return s
}

// storyItems reads the story's items in member order, and the text its
// topics are decided on.
func storyItems(ctx context.Context, db *store.DB, story aggregator.Story) ([]aggregator.Item, aggregator.StoryText, error) {
	var items []aggregator.Item
	var text aggregator.StoryText
	err := db.View(ctx, func(tx aggregator.Tx) error {
		for _, m := range story.Members {
			it, err := tx.Item(m.Item)
			if err != nil {
				return fmt.Errorf("item %s of story %s: %w", m.Item, story.ID, err)
			}
			items = append(items, it)
		}
		var err error
		text, err = ingest.StoryText(tx, story, items)
		return err
	})
	return items, text, err
}

// sourceName returns the name of source id, or the id when it has none.
func sourceName(names map[string]string, id string) string {
	if n := names[id]; n != "" {
		return n
	}
	return id
}

func sourceNames(ctx context.Context, db aggregator.Store) map[string]string {
	names := map[string]string{}
	if srcs, err := db.Sources(ctx); err == nil {
		for _, s := range srcs {
			names[s.ID] = s.Name
		}
	}
	return names
}

// writeExplain says which story the item joined and why, and which topics
// took it; found, when not "", says at which address of the link given the
// item was found (foundAt).
func writeExplain(w io.Writer, it aggregator.Item, found string, story aggregator.Story, items []aggregator.Item,
	text aggregator.StoryText, names map[string]string, tags *topic.Set) error {
	byID := make(map[string]aggregator.Item, len(items))
	for _, x := range items {
		byID[x.ID] = x
	}
	fmt.Fprintf(w, "item   %s\n       %q from %s, published %s\n", it.ID, it.Title, sourceName(names, it.SourceID),
		it.Published.UTC().Format(time.RFC3339))
	if found != "" {
		fmt.Fprintf(w, "       %s\n", found)
	}
	fmt.Fprintf(w, "story  %s: %d item(s) from %d source(s); shown as %q\n", story.ID, len(story.Members),
		countSources(story), byID[story.Face].Title)
	fmt.Fprintln(w, "\nmembers, in the order they joined:")
	for _, m := range story.Members {
		x := byID[m.Item]
		mark := " "
		if m.Item == it.ID {
			mark = "*"
		}
		if m.Item == story.Face {
			mark += "F"
		} else {
			mark += " "
		}
		fmt.Fprintf(w, " %s %s  %s %q\n     %s\n", mark, m.Time.UTC().Format("2006-01-02 15:04"),
			ops.Pad(sourceName(names, m.Source), 22), x.Title, why(x, m.Match, byID))
	}
	if len(items) > ingest.MaxTopicMembers {
		fmt.Fprintf(w, "\ntopics, on the text and categories of the face and the first %d others to join, and every member's source:\n",
			ingest.MaxTopicMembers-1)
	} else {
		fmt.Fprintln(w, "\ntopics:")
	}
	var taken []string
	for _, v := range tags.Explain(text) {
		verdict := "no "
		if v.Taken {
			verdict = "yes"
			taken = append(taken, v.Topic)
		}
		fmt.Fprintf(w, "  %s %-20s %s\n", verdict, v.Topic, v.Why)
	}
	// The verdicts follow the config file as it is now; the feeds follow
	// the rules the store last decided the story's topics under.
	stored := slices.Sorted(slices.Values(story.Topics))
	if slices.Sort(taken); !slices.Equal(taken, stored) {
		fmt.Fprintf(w, "\nstored under other rules, the story is in the feeds of: %s\n"+
			"(serve decides them anew under this config when it starts or reloads, and so does poll)\n", strings.Join(stored, ", "))
	}
	if len(story.Tags) > 0 {
		fmt.Fprintf(w, "\ntags: %s\n", strings.Join(story.Tags, ", "))
	}
	return nil
}

// why says in words why the member x joined its story.
func why(x aggregator.Item, m aggregator.Match, items map[string]aggregator.Item) string {
	other := ""
	if m.With != "" {
		other = fmt.Sprintf(" %q", items[m.With].Title)
		if items[m.With].ID == "" {
			other = " " + m.With
		}
	}
	switch m.Reason {
	case aggregator.ReasonNew:
		return "started the story (nothing similar within the dedup window)"
	case aggregator.ReasonGUID:
		return fmt.Sprintf("same GUID as%s (%s)", other, m.Key)
	case aggregator.ReasonLink:
		return fmt.Sprintf("same canonical link as%s (%s)", other, m.Key)
	case aggregator.ReasonOrigin:
		// The key is the original's link: x's own when a stored copy
		// named x, else the link of the stored item x names.
		if m.Key == x.CanonicalLink || m.Key == x.Link {
			return fmt.Sprintf("is the original that%s names (%s)", other, m.Key)
		}
		return fmt.Sprintf("names%s as its original (%s)", other, m.Key)
	case aggregator.ReasonText:
		return fmt.Sprintf("identical text to%s", other)
	case aggregator.ReasonNear:
		switch m.Key {
		case ingest.KeyStory:
			return fmt.Sprintf("came with its story, merged into this one: the two stories' reports resemble each other %.2f on average (closest:%s)", m.Score, other)
		case "copy":
			return fmt.Sprintf("a copy of%s, similarity %.2f", other, m.Score)
		case "rewrite":
			return fmt.Sprintf("a rewrite of the story, similarity %.2f to it as a whole (closest:%s)", m.Score, other)
		}
		return fmt.Sprintf("near-duplicate of%s, similarity %.2f", other, m.Score)
	}
	return m.Reason
}

func countSources(s aggregator.Story) int {
	var ids []string
	for _, m := range s.Members {
		if !slices.Contains(ids, m.Source) {
			ids = append(ids, m.Source)
		}
	}
	return len(ids)
}
