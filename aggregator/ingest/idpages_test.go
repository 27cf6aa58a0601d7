package ingest_test

import (
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestPostsToldApartByIDs checks that posts of one source in the same
// words, at pages of its site told apart by an id alone, are a story
// each: a code host's two commits "Update README.md" an hour apart, each
// at its hash, and a forge's two pushes of "Fix typo in README" on two
// days, each at its compare page, whose only other line is the commit's
// hash as a link. The same words at another path, as a site moves a
// notice to a new link, stay one item (TestHeadlineFirstTextAtANewLink).
func TestPostsToldApartByIDs(t *testing.T) {
	commits := src("https://github.test/harbourtools/tidecalc/commits/main.atom")
	const pre = "<pre>Update README.md</pre>"
	first := item(commits, "tag:github.test,2008:Grit::Commit/5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6",
		"https://github.test/harbourtools/tidecalc/commit/5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6", "Update README.md", pre, t0)
	second := item(commits, "tag:github.test,2008:Grit::Commit/0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
		"https://github.test/harbourtools/tidecalc/commit/0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", "Update README.md", pre, t0.Add(time.Hour))
	first.Authors, second.Authors = []string{"marisol-dev"}, []string{"marisol-dev"}

	forge := src("https://git.harbour.test/harbourtools/tidecalc.atom")
	monday := item(forge, "4398", "https://git.harbour.test/harbourtools/tidecalc/compare/9e8d7c6b5a...0a1b2c3d4e",
		"marisol pushed to main at harbourtools/tidecalc",
		`<a href="https://git.harbour.test/harbourtools/tidecalc/commit/0a1b2c3d4e5f60718293a4b5c6d7e8f901234567">0a1b2c3d4e</a>`+"\nFix typo in README", t0)
	tuesday := item(forge, "4411", "https://git.harbour.test/harbourtools/tidecalc/compare/0a1b2c3d4e...5f6a7b8c9d",
		"marisol pushed to main at harbourtools/tidecalc",
		`<a href="https://git.harbour.test/harbourtools/tidecalc/commit/5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6">5f6a7b8c9d</a>`+"\nFix typo in README", t0.Add(18*time.Hour))
	monday.Authors, tuesday.Authors = []string{"marisol"}, []string{"marisol"}

	for _, posts := range []struct {
		source aggregator.SourceState
		a, b   aggregator.Item
	}{{commits, first, second}, {forge, monday, tuesday}} {
		a, b := twoStories(t, posts.source, posts.a, posts.b)
		if a.ID == b.ID {
			t.Errorf("%s joined %s's story; want a story of its own", posts.b.Link, posts.a.Link)
		}
	}
}
