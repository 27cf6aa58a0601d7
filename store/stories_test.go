package store

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

// topicIDs returns the ids of the stories TopicStories yields for topic
// before the given time, at most limit (0: all).
func topicIDs(t *testing.T, d *DB, topic string, before time.Time, limit int) []string {
	t.Helper()
	var ids []string
	err := d.TopicStories(t.Context(), topic, before, func(st aggregator.Story, items []aggregator.Item) bool {
		if len(items) != len(st.Members) {
			t.Errorf("TopicStories(%s): story %s came with %d items; want %d", topic, st.ID, len(items), len(st.Members))
		}
		for i, it := range items {
			if it.ID != st.Members[i].Item {
				t.Errorf("TopicStories(%s): story %s item %d = %s; want member %s", topic, st.ID, i, it.ID, st.Members[i].Item)
			}
		}
		ids = append(ids, st.ID)
		return limit == 0 || len(ids) < limit
	})
	if err != nil {
		t.Fatalf("TopicStories(%s, %v) = %v", topic, before, err)
	}
	return ids
}

func TestStoryRoundTrip(t *testing.T) {
	d := mustOpen(t)
	a := mkItem("rt.example", "a", t0, "")
	b := mkItem("rt2.example", "b", t0.Add(-time.Hour), a.ID)
	var want aggregator.Story
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		want = putStory(t, tx, []string{"all", "x"}, a, b)
		want.Tags = []string{"tag"}
		want.Members[1].Match = aggregator.Match{Reason: aggregator.ReasonNear, Score: 0.91, With: a.ID}
		return tx.PutStory(want)
	})
	d.View(t.Context(), func(tx aggregator.Tx) error {
		got, err := tx.Story(a.ID)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Story(%s) = %+v, %v; want %+v", a.ID, got, err, want)
		}
		if _, err := tx.Story("missing"); !errors.Is(err, aggregator.ErrNotFound) {
			t.Errorf("Story(missing) = %v; want ErrNotFound", err)
		}
		if err := tx.PutStory(aggregator.Story{}); err == nil {
			t.Error("PutStory(empty id) = nil; want an error")
		}
		return nil
	})
	if !want.Time.Equal(b.Published) {
		t.Fatalf("fixture: story time %v; want the earliest item's %v", want.Time, b.Published)
	}
}

func TestPutStoryMovesIndexes(t *testing.T) {
	d := mustOpen(t)
	items := make([]aggregator.Item, 4)
	stories := make([]aggregator.Story, 4)
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		for i := range items {
			items[i] = mkItem("mv.example", fmt.Sprint("g", i), t0.Add(time.Duration(i)*time.Hour), "")
			stories[i] = putStory(t, tx, []string{"all", "red"}, items[i])
		}
		return nil
	})
	ids := func(is ...int) []string {
		var out []string
		for _, i := range is {
			out = append(out, stories[i].ID)
		}
		return out
	}
	steps := []struct {
		name string
		edit func(*aggregator.Story)
		idx  int
		want map[string][]string // topic -> ids newest first
	}{
		{"start", nil, 0, map[string][]string{"all": ids(3, 2, 1, 0), "red": ids(3, 2, 1, 0), "blue": nil}},
		{"story 0 moves newest", func(s *aggregator.Story) { s.Time = t0.Add(10 * time.Hour) }, 0,
			map[string][]string{"all": ids(0, 3, 2, 1), "red": ids(0, 3, 2, 1)}},
		{"story 1 leaves red, joins blue", func(s *aggregator.Story) { s.Topics = []string{"all", "blue"} }, 1,
			map[string][]string{"all": ids(0, 3, 2, 1), "red": ids(0, 3, 2), "blue": ids(1)}},
		{"story 2 moves and changes topics at once", func(s *aggregator.Story) {
			s.Time = t0.Add(-time.Hour)
			s.Topics = []string{"all", "blue", "blue"}
		}, 2, map[string][]string{"all": ids(0, 3, 1, 2), "red": ids(0, 3), "blue": ids(1, 2)}},
		{"story 3 leaves every topic", func(s *aggregator.Story) { s.Topics = nil }, 3,
			map[string][]string{"all": ids(0, 1, 2), "red": ids(0), "blue": ids(1, 2)}},
		{"story 3 comes back unchanged in time", func(s *aggregator.Story) { s.Topics = []string{"all", "red"} }, 3,
			map[string][]string{"all": ids(0, 3, 1, 2), "red": ids(0, 3)}},
		{"rewrite without change", func(s *aggregator.Story) {}, 0,
			map[string][]string{"all": ids(0, 3, 1, 2), "red": ids(0, 3), "blue": ids(1, 2)}},
	}
	for _, step := range steps {
		if step.edit != nil {
			mustUpdate(t, d, func(tx aggregator.Tx) error {
				st, err := tx.Story(stories[step.idx].ID)
				if err != nil {
					return err
				}
				step.edit(&st)
				stories[step.idx] = st
				return tx.PutStory(st)
			})
		}
		for topic, want := range step.want {
			if got := topicIDs(t, d, topic, time.Time{}, 0); !slices.Equal(got, want) {
				t.Errorf("%s: TopicStories(%s) = %v; want %v", step.name, topic, got, want)
			}
		}
		checkConsistent(t, d)
	}
}

func TestTopicStoriesPaging(t *testing.T) {
	d := mustOpen(t)
	const n = 300 // more than one read batch
	var all, red []string
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		for i := range n {
			topics := []string{"all"}
			if i%3 == 0 {
				topics = append(topics, "red")
			}
			a := mkItem("page.example", fmt.Sprint("a", i), t0.Add(time.Duration(i)*time.Minute), "")
			b := mkItem("page2.example", fmt.Sprint("b", i), t0.Add(time.Duration(i)*time.Minute+time.Second), a.ID)
			st := putStory(t, tx, topics, a, b)
			all = append([]string{st.ID}, all...)
			if i%3 == 0 {
				red = append([]string{st.ID}, red...)
			}
		}
		// A story without the built-in topic (a configuration that defines
		// its own "all") is not in it.
		putStory(t, tx, []string{"red2"}, mkItem("page.example", "other", t0.Add(time.Hour), ""))
		return nil
	})
	if got := topicIDs(t, d, "all", time.Time{}, 0); !slices.Equal(got, all) {
		t.Errorf("TopicStories(all) = %d stories; want %d newest first", len(got), len(all))
	}
	if got := topicIDs(t, d, "red", time.Time{}, 0); !slices.Equal(got, red) {
		t.Errorf("TopicStories(red) = %v; want %v", got, red)
	}
	if got := topicIDs(t, d, "unknown", time.Time{}, 0); len(got) != 0 {
		t.Errorf("TopicStories(unknown) = %v; want none", got)
	}
	// Paging: each page starts strictly before the last story's Time.
	for _, topic := range []string{"all", "red"} {
		var paged []string
		before := time.Time{}
		for page := 0; ; page++ {
			var last aggregator.Story
			count := 0
			err := d.TopicStories(t.Context(), topic, before, func(st aggregator.Story, _ []aggregator.Item) bool {
				paged = append(paged, st.ID)
				last = st
				count++
				return count < 50
			})
			if err != nil {
				t.Fatal(err)
			}
			if count == 0 {
				break
			}
			if page > n {
				t.Fatal("paging does not end")
			}
			before = last.Time
		}
		want := all
		if topic == "red" {
			want = red
		}
		if !slices.Equal(paged, want) {
			t.Errorf("TopicStories(%s) paged by 50 = %d stories; want %d in order", topic, len(paged), len(want))
		}
	}
	tests := []struct {
		topic  string
		before time.Time
		limit  int
		want   []string
	}{
		{"all", t0.Add(10 * time.Minute), 0, all[n-10:]},
		{"all", t0.Add(10*time.Minute + time.Nanosecond), 3, all[n-11 : n-8]},
		{"all", t0, 0, nil},
		{"all", t0.Add(1000 * time.Hour), 1, all[:1]},
		{"red", t0.Add(7 * time.Minute), 0, red[len(red)-3:]},
	}
	for _, tt := range tests {
		if got := topicIDs(t, d, tt.topic, tt.before, tt.limit); !slices.Equal(got, tt.want) {
			t.Errorf("TopicStories(%s, %v) = %v; want %v", tt.topic, tt.before, got, tt.want)
		}
	}
}

func TestTimeKeyOrder(t *testing.T) {
	times := []time.Time{
		{},
		time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Unix(0, 0),
		t0,
		t0.Add(time.Nanosecond),
		time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for i := 1; i < len(times); i++ {
		a, b := timeKey(times[i-1], "z"), timeKey(times[i], "a")
		if string(a[:timeKeyLen]) > string(b[:timeKeyLen]) {
			t.Errorf("timeKey(%v) sorts after timeKey(%v)", times[i-1], times[i])
		}
	}
	if got := timeKeyStory(timeKey(t0, "abc")); got != "abc" {
		t.Errorf("timeKeyStory(timeKey(t0, abc)) = %q; want abc", got)
	}
}

func TestDeleteStory(t *testing.T) {
	d := mustOpen(t)
	a := mkItem("del.example", "a", t0, "")
	b := mkItem("del2.example", "b", t0.Add(time.Hour), "")
	var keep, gone aggregator.Story
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		keep = putStory(t, tx, []string{"all", "x"}, a)
		gone = putStory(t, tx, []string{"all", "x", "y"}, b)
		return nil
	})
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		if err := tx.DeleteStory(gone.ID); err != nil {
			return err
		}
		return tx.DeleteStory("never-stored")
	})
	for _, topic := range []string{"all", "x", "y"} {
		got := topicIDs(t, d, topic, time.Time{}, 0)
		want := []string{}
		if topic != "y" {
			want = []string{keep.ID}
		}
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("after DeleteStory, topic %s lists %v; want %v", topic, got, want)
		}
	}
	d.View(t.Context(), func(tx aggregator.Tx) error {
		if _, err := tx.Story(gone.ID); !errors.Is(err, aggregator.ErrNotFound) {
			t.Errorf("Story(%s) after DeleteStory = %v; want ErrNotFound", gone.ID, err)
		}
		return nil
	})
}

func TestStoryIDs(t *testing.T) {
	d := mustOpen(t)
	a := mkItem("ids.example", "a", t0, "")
	b := mkItem("ids2.example", "b", t0.Add(time.Hour), "")
	var want []string
	mustUpdate(t, d, func(tx aggregator.Tx) error {
		want = append(want, putStory(t, tx, []string{"all"}, a).ID, putStory(t, tx, []string{"x"}, b).ID)
		return nil
	})
	got, err := d.StoryIDs(t.Context())
	slices.Sort(got)
	slices.Sort(want)
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("StoryIDs() = %v, %v; want %v (every story, whatever its topics)", got, err, want)
	}
}
