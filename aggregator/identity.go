package aggregator

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SourceID returns the id of the configured source: the stored identity
// BindSources gave it, else the SourceID of its URL.
func (s SourceConfig) SourceID() string {
	if s.ID != "" {
		return s.ID
	}
	return SourceID(s.URL)
}

// BindSources gives each configured source the identity it has in the store,
// from the stored source states, in its ID: the id its items and stories are
// filed under. A source whose URL the operator edited stays the same source,
// its stories keeping its topics, tags and priority, when it can be told
// apart from every other. In order, a source takes:
//
//   - the state configured at its URL under its name (or, for a source the
//     config gives no name, under any name);
//   - the state of a source under its configured name whose URL is no
//     longer configured, unless a state is configured at its URL and it
//     was not first configured there: the operator edited the URL, or
//     set it back, and kept the name;
//   - the state configured at its URL under another name: a renamed source;
//   - the state whose URL is no longer configured and is its URL but for
//     the scheme (http or https) or a trailing slash, or is where that
//     source had moved to (a permanent redirect): the operator tidied the
//     address, or corrected it as status said, and renamed the source.
//
// Each state goes to one source at most: a state that the rules find for two
// sources goes to neither, and so does one of two that the last rule finds
// for one source, so that two configured sources are never made one. Of
// several states at one URL, or under one name, a source takes the one
// fetched last. A source that takes no state is a new one, under the
// SourceID of its URL, or, when a stored state holds that id, under another
// derived from it. The result depends on the states alone,
// so the daemon, a restart and `tributary poll` bind alike; once a source is
// fetched at its new URL, its state is configured at it, and the first rule
// finds it.
func BindSources(sources []SourceConfig, states []SourceState) {
	configured := make(map[string]bool, len(sources))
	configuredIDs := make(map[string]bool, len(sources))
	for i := range sources {
		sources[i].ID = ""
		configured[sources[i].URL] = true
		configuredIDs[SourceID(sources[i].URL)] = true
	}
	// The states by the URL they are configured at (one written before
	// states recorded it is where its id says), by name and, for those
	// whose URL is no longer configured, by the URL alike and where they
	// had moved to.
	byURL := make(map[string][]int, len(states))
	legacy := make(map[string]int)
	byName := make(map[string][]int, len(states))
	alike := make(map[string][]int)
	orphan := make([]bool, len(states))
	stored := make(map[string]bool, len(states))
	for j, st := range states {
		stored[st.ID] = true
		byName[st.Name] = append(byName[st.Name], j)
		if st.ConfigURL == "" {
			legacy[st.ID] = j
			orphan[j] = !configuredIDs[st.ID]
			continue
		}
		byURL[st.ConfigURL] = append(byURL[st.ConfigURL], j)
		if orphan[j] = !configured[st.ConfigURL]; orphan[j] {
			k := feedKey(st.ConfigURL)
			alike[k] = append(alike[k], j)
			if st.URL != "" && st.URL != st.ConfigURL && feedKey(st.URL) != k {
				alike[st.URL] = append(alike[st.URL], j)
			}
		}
	}
	atURL := func(u string) []int {
		if j, ok := legacy[SourceID(u)]; ok {
			return append(slices.Clip(byURL[u]), j)
		}
		return byURL[u]
	}
	named := func(name string) func(int) bool {
		return func(j int) bool { return name == "" || states[j].Name == name }
	}
	isOrphan := func(j int) bool { return orphan[j] }
	filter := func(c []int, keep func(int) bool) []int {
		var out []int
		for _, j := range c {
			if keep(j) {
				out = append(out, j)
			}
		}
		return out
	}
	rules := []func(src SourceConfig) []int{
		func(src SourceConfig) []int { return filter(atURL(src.URL), named(src.Name)) },
		func(src SourceConfig) []int {
			if src.Name == "" {
				return nil
			}
			c := filter(byName[src.Name], isOrphan)
			if len(atURL(src.URL)) > 0 {
				// A source the store knows at its URL was not moved
				// there from elsewhere: it is that one, renamed (the
				// next rule), not the source its new name had, whose
				// stories came from another feed; unless that source
				// was first configured at this URL, and is set back.
				first := SourceID(src.URL)
				c = filter(c, func(j int) bool { return states[j].ID == first })
			}
			return c
		},
		func(src SourceConfig) []int { return atURL(src.URL) },
		func(src SourceConfig) []int {
			c := alike[feedKey(src.URL)]
			for _, j := range alike[src.URL] {
				if !slices.Contains(c, j) {
					c = append(slices.Clip(c), j)
				}
			}
			return c
		},
	}
	const fuzzy = 3 // the rule by a URL alike, which must find one state
	taken := make(map[string]bool, len(states))
	for r, rule := range rules {
		// Each source's candidates under this rule, and each state's.
		cands := make([][]int, len(sources))
		claims := make(map[int]int)
		for i, src := range sources {
			if src.ID != "" {
				continue
			}
			cands[i] = filter(rule(src), func(j int) bool { return !taken[states[j].ID] })
			for _, j := range cands[i] {
				claims[j]++
			}
		}
		for i, c := range cands {
			if len(c) == 0 || len(c) > 1 && r == fuzzy {
				continue
			}
			// Several states at one URL, or under one name: the one
			// fetched last is the one the source went on as.
			j := slices.MaxFunc(c, func(a, b int) int {
				if n := states[a].LastFetch.Compare(states[b].LastFetch); n != 0 {
					return n
				}
				return strings.Compare(states[b].ID, states[a].ID)
			})
			if claims[j] > 1 {
				continue
			}
			sources[i].ID = states[j].ID
			taken[states[j].ID] = true
		}
	}
	for i := range sources {
		if sources[i].ID != "" {
			continue
		}
		id := SourceID(sources[i].URL)
		for n := 1; stored[id] || taken[id]; n++ {
			// Its URL's id holds another source's stories (one that went
			// on at another URL): this one starts anew beside them.
			id = SourceID(sources[i].URL + "\x00" + strconv.Itoa(n))
		}
		sources[i].ID = id
		taken[id] = true
	}
}

// feedKey is u without what an edit that keeps the feed changes: the
// scheme (http or https), the case of the host and a trailing slash.
func feedKey(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	p.Scheme = ""
	p.Host = strings.ToLower(p.Host)
	p.Path = strings.TrimSuffix(p.Path, "/")
	p.RawPath = strings.TrimSuffix(p.RawPath, "/")
	p.Fragment, p.RawFragment = "", ""
	return p.String()
}

// ConfiguredAt returns s as it stands once its source is configured at u.
// When u is its configured URL, that is s. Otherwise the source is fetched
// at u from now on, as a source added is, soon: a 410's disabling goes,
// and, unless u is where the source had moved to already, so do the
// validators, the digest of the last body, the failures and the waits they
// set, and the polling its feed asked for, which were those of another
// address. What it brought before (its name and title, its counts, its
// last fetch) stays: it is the same source.
func (s SourceState) ConfiguredAt(u string) SourceState {
	if s.ConfigURL == u {
		return s
	}
	if s.ConfigURL == "" && s.ID == SourceID(u) {
		// Written before states recorded their URL: u is the one its
		// id says. Bound to another URL by its name, it is read at an
		// address of its own, as below.
		s.ConfigURL, s.URL = u, u
		return s
	}
	s.ConfigURL = u
	s.Disabled = false
	if s.URL == u {
		return s
	}
	s.URL, s.NextDue = u, time.Time{}
	s.ETag, s.LastModified, s.BodyHash, s.ViaHost = "", "", "", ""
	s.LastStatus, s.LastResult, s.LastError = 0, "", ""
	s.Failures, s.FailingSince, s.RetryAfter = 0, time.Time{}, 0
	// What the old address's feed asked of its polling (its <ttl> or
	// max-age, its skipHours and skipDays): the new one says its own.
	s.FeedTTL, s.SkipHours, s.SkipDays = 0, nil, nil
	return s
}

// Bound returns sources bound to states (BindSources): sources as they are
// when they are bound already, else a bound copy.
func Bound(sources []SourceConfig, states []SourceState) []SourceConfig {
	for _, s := range sources {
		if s.ID == "" {
			out := slices.Clone(sources)
			BindSources(out, states)
			return out
		}
	}
	return sources
}
