package aggregator

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// stored is the state a source configured at url under name left.
func stored(url, name string, fetched time.Time) SourceState {
	return SourceState{ID: SourceID(url), ConfigURL: url, URL: url, Name: name, LastFetch: fetched}
}

func TestBindSources(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	const (
		httpFeed  = "http://paper.example/feed"
		httpsFeed = "https://paper.example/feed"
		oldHome   = "https://old.example/rss"
		newHome   = "https://new.example/atom.xml"
		other     = "https://other.example/feed"
	)
	moved := stored(oldHome, "Paper", t0)
	moved.URL = newHome // a permanent redirect led it there
	taken := stored(oldHome, "Paper", t0)
	taken.ConfigURL, taken.URL = newHome, newHome // bound to newHome and fetched there
	type src struct{ url, name string }
	tests := []struct {
		name    string
		sources []src
		states  []SourceState
		want    []string // the id each source is bound to; "" for a new one
	}{
		{"the same URL and name", []src{{oldHome, "Paper"}}, []SourceState{stored(oldHome, "Paper", t0)},
			[]string{SourceID(oldHome)}},
		{"the URL edited, the name kept", []src{{newHome, "Paper"}}, []SourceState{stored(oldHome, "Paper", t0)},
			[]string{SourceID(oldHome)}},
		{"restarted after its first fetch at the new URL", []src{{newHome, "Paper"}}, []SourceState{taken},
			[]string{SourceID(oldHome)}},
		{"then the old URL added as another source", []src{{newHome, "Paper"}, {oldHome, "Archive"}}, []SourceState{taken},
			[]string{SourceID(oldHome), ""}},
		{"unnamed, at the same URL", []src{{oldHome, ""}}, []SourceState{stored(oldHome, "Paper's title", t0)},
			[]string{SourceID(oldHome)}},
		{"renamed at the same URL", []src{{oldHome, "Morning Paper"}}, []SourceState{stored(oldHome, "Paper", t0)},
			[]string{SourceID(oldHome)}},
		{"http to https, renamed", []src{{httpsFeed, "Morning Paper"}}, []SourceState{stored(httpFeed, "Paper", t0)},
			[]string{SourceID(httpFeed)}},
		{"a trailing slash, unnamed", []src{{httpsFeed + "/", ""}}, []SourceState{stored(httpsFeed, "Paper", t0)},
			[]string{SourceID(httpsFeed)}},
		{"set to where it moved, renamed", []src{{newHome, "Morning Paper"}}, []SourceState{moved},
			[]string{SourceID(oldHome)}},
		{"two sources swap URLs", []src{{other, "Paper"}, {oldHome, "Other"}},
			[]SourceState{stored(oldHome, "Paper", t0), stored(other, "Other", t0)},
			[]string{SourceID(other), SourceID(oldHome)}},
		{"one removed, an unrelated one added", []src{{other, "Other"}}, []SourceState{stored(oldHome, "Paper", t0)},
			[]string{""}},
		{"the name moved to a source still configured", []src{{newHome, "Paper"}, {oldHome, "Old Paper"}},
			[]SourceState{stored(oldHome, "Paper", t0)},
			[]string{"", SourceID(oldHome)}},
		{"renamed to the name of a source removed", []src{{oldHome, "Other"}},
			[]SourceState{stored(oldHome, "Paper", t0), stored(other, "Other", t0)},
			[]string{SourceID(oldHome)}},
		{"one removed, another set to its URL", []src{{other, "Paper"}},
			[]SourceState{stored(oldHome, "Paper", t0), stored(other, "Other", t0)},
			[]string{SourceID(other)}},
		{"set back to its first URL, the source added there since removed", []src{{oldHome, "Paper"}},
			[]SourceState{taken, {ID: SourceID(oldHome + "\x001"), ConfigURL: oldHome, URL: oldHome, Name: "Archive", LastFetch: t0}},
			[]string{SourceID(oldHome)}},
		{"two alike URLs for one stored source", []src{{httpsFeed, "A"}, {httpsFeed + "/", "B"}},
			[]SourceState{stored(httpFeed, "Paper", t0)},
			[]string{"", ""}},
		{"one URL alike two stored sources", []src{{httpsFeed, "A"}},
			[]SourceState{stored(httpFeed, "Paper", t0), stored("http://paper.example/feed/", "Paper too", t0)},
			[]string{""}},
		{"two stored under the name: the one fetched last", []src{{other, "Paper"}},
			[]SourceState{stored(oldHome, "Paper", t0), stored(newHome, "Paper", t0.Add(time.Hour))},
			[]string{SourceID(newHome)}},
		{"a state of before configured URLs were recorded", []src{{oldHome, "Paper"}},
			[]SourceState{{ID: SourceID(oldHome), Name: "Paper"}},
			[]string{SourceID(oldHome)}},
	}
	for _, tt := range tests {
		var sources []SourceConfig
		for _, s := range tt.sources {
			sources = append(sources, SourceConfig{URL: s.url, Name: s.name})
		}
		BindSources(sources, tt.states)
		seen := map[string]bool{}
		for i, s := range sources {
			want := tt.want[i]
			isStored := false
			for _, st := range tt.states {
				isStored = isStored || st.ID == s.ID
			}
			switch {
			case want == "" && (isStored || s.ID == ""):
				t.Errorf("%s: BindSources gave %s %s; want a new id", tt.name, s.URL, s.ID)
			case want != "" && s.ID != want:
				t.Errorf("%s: BindSources gave %s %s; want %s", tt.name, s.URL, s.ID, want)
			}
			if seen[s.ID] {
				t.Errorf("%s: BindSources gave two sources %s", tt.name, s.ID)
			}
			seen[s.ID] = true
			if s.SourceID() != s.ID {
				t.Errorf("%s: SourceID() = %s; want %s", tt.name, s.SourceID(), s.ID)
			}
		}
	}
}

// TestBindSourcesNeverJoins binds random configurations to random stores
// and checks that no two sources share an id, and that a source the store
// knows at its URL under its name is always that source.
func TestBindSourcesNeverJoins(t *testing.T) {
	urls := []string{"http://a.example/f", "https://a.example/f", "https://a.example/f/", "https://b.example/f", "https://c.example/f"}
	names := []string{"", "A", "B", "C"}
	for n := range 2000 {
		var sources []SourceConfig
		var states []SourceState
		pick := n
		next := func(k int) int { v := pick % k; pick /= k; return v }
		usedURL, usedName := map[string]bool{}, map[string]bool{}
		for range 3 {
			u, nm := urls[next(len(urls))], names[next(len(names))]
			if !usedURL[u] && (nm == "" || !usedName[nm]) {
				usedURL[u], usedName[nm] = true, nm != ""
				sources = append(sources, SourceConfig{URL: u, Name: nm})
			}
		}
		pick = n*7919 + 13
		storedURL := map[string]bool{}
		for range 3 {
			u, nm := urls[next(len(urls))], names[1+next(len(names)-1)]
			if !storedURL[u] { // a state's id is its key in the store
				storedURL[u] = true
				states = append(states, stored(u, nm, time.Unix(int64(next(3)), 0)))
			}
		}
		BindSources(sources, states)
		seen := map[string]bool{}
		for _, s := range sources {
			if s.ID == "" || seen[s.ID] {
				t.Fatalf("sources %v, states %v: %s bound to %q, or twice", sources, describe(states), s.URL, s.ID)
			}
			seen[s.ID] = true
			for _, st := range states {
				if st.ConfigURL == s.URL && (s.Name == "" || st.Name == s.Name) && s.ID != st.ID {
					t.Fatalf("sources %v, states %v: %s bound to %s; want %s, stored at its URL", sources, describe(states), s.URL, s.ID, st.ID)
				}
			}
		}
	}
}

func describe(states []SourceState) string {
	var b strings.Builder
	for _, st := range states {
		fmt.Fprintf(&b, "[%s %s %q] ", st.ID, st.ConfigURL, st.Name)
	}
	return b.String()
}

func TestConfiguredAt(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	st := SourceState{ID: "x", ConfigURL: "https://old.example/rss", URL: "https://new.example/rss", Name: "Paper",
		ETag: `"a"`, BodyHash: "h", Failures: 2, LastError: "http 503", Disabled: true, NextDue: t0, LastFetch: t0, Items: 7}
	if got := st.ConfiguredAt(st.ConfigURL); got.ETag != st.ETag || !got.Disabled || got.URL != st.URL {
		t.Errorf("ConfiguredAt(its own URL) = %+v; want it as it was", got)
	}
	got := st.ConfiguredAt("https://new.example/rss")
	if got.ConfigURL != "https://new.example/rss" || got.URL != got.ConfigURL || got.ETag != st.ETag || got.Disabled {
		t.Errorf("ConfiguredAt(where it moved) = %+v; want its validators kept, enabled", got)
	}
	got = st.ConfiguredAt("https://third.example/rss")
	if got.URL != "https://third.example/rss" || got.ETag != "" || got.BodyHash != "" || got.Failures != 0 || got.LastError != "" ||
		got.Disabled || !got.NextDue.IsZero() || got.Items != 7 || !got.LastFetch.Equal(t0) || got.ID != "x" || got.Name != "Paper" {
		t.Errorf("ConfiguredAt(another URL) = %+v; want the address's state gone, the source's kept", got)
	}
	legacy := SourceState{ID: SourceID("https://old.example/rss"), Name: "Paper", ETag: `"a"`, Disabled: true, Items: 7}
	if got := legacy.ConfiguredAt("https://old.example/rss"); got.ConfigURL != "https://old.example/rss" || got.ETag != `"a"` || !got.Disabled {
		t.Errorf("ConfiguredAt(the URL of a state that did not record it) = %+v; want it as it was, at that URL", got)
	}
	got = legacy.ConfiguredAt("https://new.example/rss")
	if got.ConfigURL != "https://new.example/rss" || got.URL != got.ConfigURL || got.ETag != "" || got.Disabled || got.Items != 7 {
		t.Errorf("ConfiguredAt(another URL than a state that did not record its own) = %+v; want the old address's state gone", got)
	}
}
