package publish_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// TestLastModifiedMovesWhenAStoryLeaves checks that a client sending only
// If-Modified-Since sees a feed change even when no story's Updated moved,
// as when a story leaves the topic.
func TestLastModifiedMovesWhenAStoryLeaves(t *testing.T) {
	f := newFixture(t)
	resp, _ := f.get(t, "/topics/world.atom")
	lm := resp.Header.Get("Last-Modified")
	if lm == "" {
		t.Fatal("no Last-Modified on /topics/world.atom")
	}
	// Take a world story out of the topic without touching its Updated.
	err := f.db.Update(t.Context(), func(tx aggregator.Tx) error {
		for _, id := range f.ids {
			st, err := tx.Story(id)
			if err != nil {
				return err
			}
			for i, topic := range st.Topics {
				if topic == "world" {
					st.Topics = append(st.Topics[:i:i], st.Topics[i+1:]...)
					return tx.PutStory(st)
				}
			}
		}
		t.Fatal("no fixture story is in world")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.pub.SetClock(func() time.Time { return fixedNow().Add(time.Hour) })
	f.pub.Changed("world")
	resp, _ = f.do(t, http.MethodGet, "/topics/world.atom", "If-Modified-Since: "+lm)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("after a story left the topic, If-Modified-Since %s got %d; want 200 with the new feed", lm, resp.StatusCode)
	}
	if got := resp.Header.Get("Last-Modified"); got == lm {
		t.Errorf("Last-Modified stayed %s although the feed changed", got)
	}
}
