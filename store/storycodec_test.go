package store

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

func TestStoryCodec(t *testing.T) {
	at := time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		st   aggregator.Story
	}{
		{"empty", aggregator.Story{}},
		{"one member", aggregator.Story{
			ID: "0123456789abcdef01234567", Time: at, Updated: at.Add(time.Hour), Face: "0123456789abcdef01234567",
			Members: []aggregator.Member{{Item: "0123456789abcdef01234567", Source: "89abcdef01234567", Time: at,
				Match: aggregator.Match{Reason: aggregator.ReasonNew}}},
			Topics: []string{aggregator.AllTopic}, Tags: []string{"all", "World News"},
		}},
		{"merged, odd ids and times", aggregator.Story{
			ID: "Story-1", Time: at.Add(123456789), Updated: time.Date(1969, 7, 20, 20, 17, 0, 5, time.UTC), Face: "abc",
			Members: []aggregator.Member{
				{Item: "abc", Source: "s", Time: at, Match: aggregator.Match{Reason: aggregator.ReasonNew}},
				{Item: "ABCD", Source: "", Match: aggregator.Match{Reason: aggregator.ReasonNear, Key: "story", Score: 0.417, With: "abc"}},
				{Item: "ff", Source: "s2", Time: at, Match: aggregator.Match{Reason: aggregator.ReasonGUID, Key: "tag:x,2024:1"}},
			},
			Topics: []string{"all", "china-us"},
		}},
	}
	for _, tt := range tests {
		v := encodeStory(tt.st)
		got, err := decodeStory(v)
		if err != nil || !reflect.DeepEqual(got, tt.st) {
			t.Errorf("decodeStory(encodeStory(%s)) = %+v, %v; want %+v", tt.name, got, err, tt.st)
		}
		js, _ := json.Marshal(tt.st)
		if len(v) >= len(js) {
			t.Errorf("encodeStory(%s) takes %d bytes; want fewer than its JSON's %d", tt.name, len(v), len(js))
		}
		// Records of earlier versions are JSON, and still read.
		got, err = decodeStory(js)
		if err != nil || !reflect.DeepEqual(got, tt.st) {
			t.Errorf("decodeStory(JSON of %s) = %+v, %v; want %+v", tt.name, got, err, tt.st)
		}
	}
	for _, bad := range [][]byte{nil, {}, {storyV1}, {0x7f}, append(encodeStory(tests[1].st), 0)} {
		if _, err := decodeStory(bad); err == nil {
			t.Errorf("decodeStory(%x) = nil error; want one", bad)
		}
	}
}

func FuzzDecodeStory(f *testing.F) {
	f.Add(encodeStory(aggregator.Story{ID: "aa", Members: []aggregator.Member{{Item: "aa", Match: aggregator.Match{Reason: "new", Score: 0.5}}}}))
	f.Add([]byte(`{"id":"x","members":[{"item":"y"}]}`))
	f.Add([]byte{storyV1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, v []byte) {
		st, err := decodeStory(v)
		if err != nil || len(v) == 0 || v[0] == '{' {
			return
		}
		// What decodes re-encodes to the same story (compared by its
		// encoding, as a score may be NaN).
		v2 := encodeStory(st)
		again, err := decodeStory(v2)
		if err != nil || !bytes.Equal(encodeStory(again), v2) {
			t.Fatalf("decodeStory(encodeStory(%+v)) = %+v, %v", st, again, err)
		}
	})
}
