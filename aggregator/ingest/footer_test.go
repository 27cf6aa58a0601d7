package ingest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/near"
)

// TestFooterBeforeSharing files posts of a blog whose every post ends in
// its platform's footer ("The post … appeared first on …") and then a line
// the blog prints under every post ("Share this: Facebook Twitter"): once
// that line recurs, the footer is left out of the text near-duplicates and
// topics are decided on, as it is when it comes last, while a post whose
// own last paragraph follows the footer keeps that paragraph, and one
// whose last paragraph only starts like a footer keeps it.
func TestFooterBeforeSharing(t *testing.T) {
	db := openStore(t)
	in := New(&aggregator.Config{}, nil)
	t0 := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	const share = "Share this: Facebook Twitter"
	texts := []string{
		"Painters finished the harbour bridge after two years of work.",
		"The education board cut the price of school lunches by a third.",
		"The central library will now stay open until ten at night.",
		"Four new bus routes will serve the eastern suburbs from June.",
	}
	footer := func(title string) string {
		return fmt.Sprintf("The post %s appeared first on Lakeside Garden Notes.", title)
	}
	titles := []string{"Bridge painters finish", "Cheaper school lunches", "Library opens late", "New bus routes east"}
	var work []*pending
	for i, text := range texts {
		title := titles[i]
		work = append(work, &pending{it: aggregator.Item{
			ID: fmt.Sprint("a", i), SourceID: "a", Title: title, Published: t0.Add(time.Duration(i) * time.Hour),
			Summary: "<p>" + text + "</p><p>" + footer(title) + "</p><p>" + share + "</p>",
		}})
	}
	// A paragraph of its own after the footer, and one that starts and
	// ends like a footer but names another title.
	last := "The society meets again at the town hall on the first Tuesday of April."
	work[2].it.Summary = "<p>" + texts[2] + "</p><p>" + footer(work[2].it.Title) + "</p><p>" + last + "</p><p>" + share + "</p>"
	lookalike := "The post office notice about the allotments appeared first on the parish board."
	work[3].it.Summary = "<p>" + texts[3] + "</p><p>" + lookalike + "</p><p>" + share + "</p>"
	var table *near.LineCounts
	err := db.Update(t.Context(), func(tx aggregator.Tx) error {
		s := newSession(in, tx)
		if _, _, err := s.prepare("a", work, nil); err != nil {
			return err
		}
		table = s.chrome.tables["a"]
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wants := [][]string{{texts[0]}, {texts[1]}, {texts[2], footer(work[2].it.Title), last}, {texts[3], lookalike}}
	for i, p := range work {
		if !slices.Equal(p.lines, wants[i]) {
			t.Errorf("post %d: near-duplicate lines %q; want %q", i, p.lines, wants[i])
		}
		text := topicText(near.Text(p.it.Summary), p.it.Title, table)
		for _, l := range wants[i] {
			if !strings.Contains(text, l) {
				t.Errorf("post %d: topic text %q lacks %q", i, text, l)
			}
		}
		if i < 2 && strings.Contains(text, "appeared first on") {
			t.Errorf("post %d: topic text %q keeps the footer", i, text)
		}
	}
}
