package ingest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestTopStories ranks the stories a lookup found: those sharing the
// report's own words come before those sharing only its topic words,
// however many of those there are and however heavy the topics.
func TestTopStories(t *testing.T) {
	weights := []float64{20, 18, 9, 8} // terms 0 and 1 are topic words, 2 and 3 the report's own
	const topics = 1<<0 | 1<<1
	var hits []hit
	for i := range 12 { // stories of the day's topics
		hits = append(hits, hit{key: fmt.Sprintf("topic-%02d", i), mask: 1<<0 | 1<<1})
	}
	hits = append(hits,
		hit{key: "one-own", mask: 1 << 3},
		hit{key: "own-and-topic", mask: 1<<0 | 1<<3},
		hit{key: "both-own", mask: 1<<2 | 1<<3},
	)
	keys := func(hits []hit) []string {
		var out []string
		for _, h := range hits {
			out = append(out, h.key)
		}
		return out
	}
	got := keys(topStories(hits, topics, weights, 5))
	want := []string{"both-own", "own-and-topic", "one-own", "topic-00", "topic-01"}
	if !slices.Equal(got, want) {
		t.Errorf("topStories() = %q; want %q", got, want)
	}
	// With no topic words, the weights of the shared terms rank alone.
	got = keys(topStories(hits, 0, weights, 3))
	want = []string{"topic-00", "topic-01", "topic-02"}
	if !slices.Equal(got, want) {
		t.Errorf("topStories(no topics) = %q; want %q", got, want)
	}
}

// A story merged away earlier in the session is found under the story that
// took its members, as one hit sharing the terms of both.
func TestRedirectHits(t *testing.T) {
	s := newSession(New(&aggregator.Config{}, nil), newMemTx())
	s.merged["gone"] = "kept"
	hits := []hit{
		{key: "gone", mask: 1 << 0},
		{key: "other", mask: 1 << 1},
		{key: "kept", mask: 1 << 2},
	}
	got := s.redirectHits(hits)
	want := []hit{
		{key: "gone", id: "kept", mask: 1<<0 | 1<<2},
		{key: "other", id: "other", mask: 1 << 1},
	}
	if !slices.Equal(got, want) {
		t.Errorf("redirectHits() = %+v; want %+v", got, want)
	}
}
