package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/ingest"
	"github.com/tributary-feeds/tributary/aggregator/topic"
)

// TestExplainLargeStory checks that explain says which members' text
// decided the topics of a story with more members than that, and decides
// them as the ingester does.
func TestExplainLargeStory(t *testing.T) {
	topics := []aggregator.TopicConfig{{ID: "transport", Title: "Transport", Match: aggregator.MatchConfig{Any: []string{"ferry"}}}}
	tags, err := topic.Compile(topics, nil)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	var items []aggregator.Item
	story := aggregator.Story{Time: t0}
	for i := range ingest.MaxTopicMembers + 4 {
		src := aggregator.SourceID(fmt.Sprintf("https://outlet-%d.test/feed", i))
		it := aggregator.Item{
			ID: aggregator.ItemID(src, fmt.Sprint(i)), SourceID: src, Title: "Harbour bridge reopens",
			Summary: "Traffic flows again.", Published: t0.Add(time.Duration(i) * time.Minute),
		}
		if i >= ingest.MaxTopicMembers {
			it.Summary = "The ferry stops." // beyond the members whose text counts
		}
		items = append(items, it)
		story.Members = append(story.Members, aggregator.Member{Item: it.ID, Source: src, Time: it.Published, Match: aggregator.Match{Reason: aggregator.ReasonLink}})
	}
	story.ID, story.Face = items[0].ID, items[0].ID
	var out bytes.Buffer
	if err := writeExplain(&out, items[0], story, items, nil, tags); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(out.String()), " ")
	for _, want := range []string{"the face and the first 15 others to join", "no transport"} {
		if !strings.Contains(text, want) {
			t.Errorf("explain output lacks %q:\n%s", want, out.String())
		}
	}
}
