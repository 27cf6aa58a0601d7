package ingest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/store"
)

// storedItems returns how many items the store holds, and the most members
// of one source with one story.
func storedItems(t *testing.T, db *store.DB) (items, most int) {
	t.Helper()
	perStory := map[string]map[string]int{}
	err := db.Export(t.Context(), func(it aggregator.Item, st aggregator.Story) error {
		items++
		if perStory[st.ID] == nil {
			perStory[st.ID] = map[string]int{}
			for _, m := range st.Members {
				perStory[st.ID][m.Source]++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, bySource := range perStory {
		for _, n := range bySource {
			most = max(most, n)
		}
	}
	return items, most
}

// TestSameTextNewLinkEveryPollBounded polls a feed that gives each of its
// items a new link at every poll, without a GUID, over the same headline
// and text (one of them with a word changed at every poll): each item is stored again as a member of its story until the
// story holds ingest.MaxSameText items of its source, and is left out
// after that, counted in Result.SameText, so that neither the story nor the
// store grows with the polls.
func TestSameTextNewLinkEveryPollBounded(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	// Every poll within the dedup window of the first, that items of one
	// text are joined within.
	polls := 3 * ingest.MaxSameText
	every := ingest.DefaultWindow / time.Duration(polls)
	s := src("https://d.example/feed.xml")
	texts := []struct{ title, body string }{
		{"Regional council approves the new harbour bridge after a long debate",
			"The council voted on Tuesday evening to fund the harbour bridge, ending three years of argument over its cost and route."},
		{"Orchard growers report the earliest apple harvest in forty years",
			"Growers across the valley began picking in July, weeks ahead of the usual season, after a warm and dry spring."},
	}
	bound := (len(texts) + 1) * ingest.MaxSameText
	var leftOut int
	for poll := range polls {
		at := t0.Add(time.Duration(poll) * every)
		var items []aggregator.Item
		for i, tx := range texts {
			link := fmt.Sprintf("http://d.example/p/%d-%d", poll, i)
			it := item(s, link, link, tx.title, tx.body, at)
			it.Dated = false
			items = append(items, it)
		}
		// The same text with a word changed at every poll, a word of its
		// own: a copy.
		link := fmt.Sprintf("http://d.example/p/%d-%d", poll, len(texts))
		it := item(s, link, link, "Ferry crossing suspended as storm reaches the northern coast",
			fmt.Sprintf("All sailings between the islands are cancelled until Friday while the storm passes, the operator said in note %s.", word(poll)), at)
		it.Dated = false
		items = append(items, it)
		r := apply(t, db, in, s, items...)
		leftOut += r.SameText
		n, most := storedItems(t, db)
		if n > bound || most > ingest.MaxSameText {
			t.Fatalf("after poll %d: %d items stored, at most %d of one source in one story; want at most %d and %d",
				poll+1, n, most, bound, ingest.MaxSameText)
		}
	}
	n, most := storedItems(t, db)
	if n != bound || most != ingest.MaxSameText {
		t.Errorf("after %d polls: %d items stored, at most %d of one source in one story; want %d and %d", polls, n, most, bound, ingest.MaxSameText)
	}
	if want := polls*(len(texts)+1) - bound; leftOut != want {
		t.Errorf("Result.SameText summed over %d polls = %d; want %d", polls, leftOut, want)
	}
}

// TestSameTextManyLinksOneFetch gives, in one fetch, more items at links of
// their own over one headline and text than a story takes of one source:
// the story takes ingest.MaxSameText of them and the rest are left out.
func TestSameTextManyLinksOneFetch(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	s := src("https://d.example/feed.xml")
	var items []aggregator.Item
	for i := range ingest.MaxSameText + 5 {
		link := fmt.Sprintf("http://d.example/p/%d", i)
		items = append(items, item(s, link, link, "Regional council approves the new harbour bridge after a long debate",
			"The council voted on Tuesday evening to fund the harbour bridge, ending three years of argument over its cost and route.", t0))
	}
	r := apply(t, db, in, s, items...)
	n, most := storedItems(t, db)
	if r.New != ingest.MaxSameText || r.SameText != 5 || n != ingest.MaxSameText || most != ingest.MaxSameText {
		t.Errorf("Apply(%d items of one text at links of their own) = %d new, %d left out; store holds %d, at most %d of one source in one story; want %d, 5, %d, %d",
			len(items), r.New, r.SameText, n, most, ingest.MaxSameText, ingest.MaxSameText, ingest.MaxSameText)
	}
}

// TestShortTextNewLinkEveryPoll polls a feed that gives its one item, of
// fewer than eight words in all (no text digest to be known by), a new link
// at every poll: past the first polls, whose words then count among the
// source's recurring lines, each poll stores it as a story of its own, and
// what bounds them is the retention, whose prune leaves only the polls
// within it.
func TestShortTextNewLinkEveryPoll(t *testing.T) {
	db := mustOpen(t)
	in := ingest.New(&aggregator.Config{}, nil)
	s := src("https://d.example/feed.xml")
	const polls, every, retention = 48, time.Hour, 12 * time.Hour
	var last time.Time
	for poll := range polls {
		last = t0.Add(time.Duration(poll) * every)
		link := fmt.Sprintf("http://d.example/p/%d", poll)
		it := item(s, link, link, "Gates open", "Free entry today.", last)
		it.Dated = false
		apply(t, db, in, s, it)
	}
	if n, _ := storedItems(t, db); n != polls {
		t.Errorf("after %d polls: %d items stored; want one a poll", polls, n)
	}
	if _, err := db.Prune(t.Context(), last.Add(-retention)); err != nil {
		t.Fatal(err)
	}
	n, most := storedItems(t, db)
	if want := int(retention/every) + 1; n != want || most != 1 {
		t.Errorf("after %d polls, %v apart, and a prune of all older than %v: %d items, at most %d of one source in one story; want %d, each a story",
			polls, every, retention, n, most, want)
	}
}

// word returns a word of letters for n, another for each n.
func word(n int) string {
	w := []byte("note")
	for {
		w = append(w, byte('a'+n%26))
		if n /= 26; n == 0 {
			return string(w)
		}
	}
}
