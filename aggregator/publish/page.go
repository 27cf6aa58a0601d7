package publish

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/idna"
	"golang.org/x/text/language"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/parse"
)

// page is one page of a topic: its stories newest first, and what the
// documents built from it need to link to.
type page struct {
	topic   aggregator.TopicConfig
	stories []storyView
	updated time.Time // the newest Updated of its stories; zero when empty
	before  string    // the cursor this page starts at; "" for the first page
	next    string    // the cursor of the next older page; "" when none

	// linked is set when the cursor names a story of the topic, as the
	// cursor of a page's next link does; one made up names none.
	linked bool
}

// storyView is a story with its face item and its sources resolved.
type storyView struct {
	ID       string
	Time     time.Time // when the story was published, never after Updated
	Updated  time.Time
	Title    string // the face item's, plain text
	Link     string // the face item's
	Lang     string // the face item's language as its source declares it (canonical BCP 47); "" unknown
	Face     aggregator.Item
	Source   string     // the face item's source name
	Others   []otherRef // one per other source, in member order
	Items    []itemRef  // every item, face first, then member order
	Tags     []string
	NSources int // distinct sources

	key time.Time // the story's own Time: its place in the topic and the paging cursor
}

// otherRef names another source of a story and its item's link.
type otherRef struct {
	Source string
	Link   string
	Title  string
}

// itemRef is one item of a story, for the HTML topic page.
type itemRef struct {
	Source    string
	Title     string
	Link      string
	Published time.Time
	Face      bool
	Lang      string // the item's language as its source declares it; "" unknown
}

// cursor is a position in a topic's order: the entries strictly after it
// (older, or as old with a greater id) form the next page.
type cursor struct {
	t  time.Time
	id string
}

// errBadCursor is returned for a before parameter that is not a cursor.
var errBadCursor = errors.New("bad paging cursor")

// String encodes c as <unix seconds>.<nanoseconds>.<story id>.
func (c cursor) String() string {
	return strconv.FormatInt(c.t.Unix(), 10) + "." + strconv.Itoa(c.t.Nanosecond()) + "." + c.id
}

// The seconds of a cursor lie between the start of year 0 and the end of
// year 9999, which RFC 3339 dates can write: a story is never dated
// outside them, and a time far beyond them overflows Go's (a cursor of
// 2^63-1 seconds read as a time long past, and gave an empty page).
var (
	minCursorSec = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	maxCursorSec = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix()
)

// parseCursor decodes a cursor written by cursor.String.
func parseCursor(s string) (cursor, error) {
	parts := strings.SplitN(s, ".", 3)
	if len(parts) != 3 || parts[2] == "" || len(s) > 256 {
		return cursor{}, fmt.Errorf("%q: %w", s, errBadCursor)
	}
	sec, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || sec < minCursorSec || sec > maxCursorSec {
		return cursor{}, fmt.Errorf("%q: %w", s, errBadCursor)
	}
	nsec, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || nsec < 0 || nsec > 999_999_999 {
		return cursor{}, fmt.Errorf("%q: %w", s, errBadCursor)
	}
	return cursor{t: time.Unix(sec, nsec).UTC(), id: parts[2]}, nil
}

// sourceNames maps source ids to display names: the stored name, else the
// configured one, else the feed's title, else the id.
func (p *Publisher) sourceNames(ctx context.Context, s *state) (map[string]string, []aggregator.SourceState, error) {
	srcs, err := p.store.Sources(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("listing sources: %w", err)
	}
	names := make(map[string]string, len(srcs)+len(s.names))
	for id, n := range s.names {
		names[id] = n
	}
	for _, st := range srcs {
		if n := sourceName(st); n != "" {
			names[st.ID] = n
		}
	}
	return names, srcs, nil
}

func sourceName(st aggregator.SourceState) string {
	for _, n := range []string{st.Name, st.Title} {
		if n = oneLine(n); n != "" {
			return n
		}
	}
	return ""
}

func nameOf(names map[string]string, id string) string {
	if n := names[id]; n != "" {
		return n
	}
	return id
}

// buildPage reads one page of the topic from the store: the topic's newest
// limit stories (older than cur, when given), skipping a story whose face
// source already has max_per_source entries on the page.
func (p *Publisher) buildPage(ctx context.Context, s *state, t aggregator.TopicConfig, cur *cursor) (*page, error) {
	names, _, err := p.sourceNames(ctx, s)
	if err != nil {
		return nil, err
	}
	pg := &page{topic: t}
	if cur != nil {
		pg.before = cur.String()
	}
	limit := t.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	views, more, linked, err := p.collect(ctx, t, cur, limit, t.MaxPerSource, names)
	if err != nil {
		return nil, err
	}
	pg.stories, pg.linked = views, linked
	for _, v := range views {
		if v.Updated.After(pg.updated) {
			pg.updated = v.Updated
		}
	}
	if more && len(views) > 0 {
		last := views[len(views)-1]
		pg.next = cursor{t: last.key, id: last.ID}.String()
	}
	return pg, nil
}

type storyItems struct {
	story aggregator.Story
	items []aggregator.Item
}

// collect walks the topic's stories newest first and returns up to limit of
// them in the published order (time descending, ties by ascending id),
// whether older stories remain, and whether the cursor names a story of
// the topic. Stories of one time are gathered and sorted
// before any is taken, so the result does not depend on the store's order of
// ties. The store reads a long topic in several transactions: a story that
// moved down the topic between two of them (an earlier report joined it)
// is met twice, and kept where it was met first.
func (p *Publisher) collect(ctx context.Context, t aggregator.TopicConfig, cur *cursor, limit, maxPerSource int, names map[string]string) ([]storyView, bool, bool, error) {
	var (
		out       []storyView
		more      bool
		linked    bool
		full      bool
		group     []storyItems
		perSource = map[string]int{}
		met       = map[string]bool{}
		before    time.Time
	)
	if cur != nil {
		// Ask from a whole second later than the cursor, so that a store
		// keying by coarser times still yields the cursor's ties; those
		// already served are filtered out below.
		before = cur.t.Truncate(time.Second).Add(time.Second)
		if before.IsZero() {
			// The cursor is in the second before the zero time, which
			// TopicStories would read as "from the newest", walking the
			// whole topic for a page that holds nothing older.
			return nil, false, false, nil
		}
	}
	flush := func() {
		slices.SortFunc(group, func(a, b storyItems) int { return cmp.Compare(a.story.ID, b.story.ID) })
		for _, g := range group {
			if full {
				more = true
				break
			}
			v := makeView(g.story, g.items, names)
			if maxPerSource > 0 {
				if perSource[v.Face.SourceID] >= maxPerSource {
					continue
				}
				perSource[v.Face.SourceID]++
			}
			out = append(out, v)
			full = len(out) >= limit
		}
		group = group[:0]
	}
	err := p.store.TopicStories(ctx, t.ID, before, func(st aggregator.Story, items []aggregator.Item) bool {
		if cur != nil && (st.Time.After(cur.t) || (st.Time.Equal(cur.t) && st.ID <= cur.id)) {
			linked = linked || st.ID == cur.id && st.Time.Equal(cur.t)
			return true
		}
		if met[st.ID] {
			return true
		}
		met[st.ID] = true
		if len(group) > 0 && !st.Time.Equal(group[0].story.Time) {
			flush()
			if full {
				more = true
				return false
			}
		}
		group = append(group, storyItems{story: st, items: slices.Clone(items)})
		return true
	})
	if err != nil {
		return nil, false, false, fmt.Errorf("reading topic %s: %w", t.ID, err)
	}
	flush()
	return out, more, linked, nil
}

// languageOf returns the language that the source of item it declared for
// it, in canonical form, or "" when none (or none that is a language tag)
// is stored.
func languageOf(it aggregator.Item) string {
	if it.Language == "" {
		return ""
	}
	tag, err := language.Parse(it.Language)
	if err != nil || tag == language.Und {
		return ""
	}
	return tag.String()
}

// makeView resolves a story's face and sources. The face is the item named
// by Story.Face, else the first item.
func makeView(st aggregator.Story, items []aggregator.Item, names map[string]string) storyView {
	v := storyView{
		ID:      st.ID,
		Time:    st.Time.UTC(),
		Updated: st.Updated.UTC(),
		Tags:    cleanList(st.Tags),
		key:     st.Time,
	}
	// Updated is the fetch that last changed what the story's entries
	// show: its first item's arrival or later. A story dated later than
	// that was dated ahead by its source (a wrong time zone, a post
	// scheduled for later): it is published as of its arrival, so that no
	// feed announces a time still to come.
	if !v.Updated.IsZero() && v.Time.After(v.Updated) {
		v.Time = v.Updated
	}
	if v.Updated.Before(v.Time) {
		v.Updated = v.Time
	}
	face := -1
	for i := range items {
		if items[i].ID == st.Face {
			face = i
			break
		}
	}
	if face < 0 && len(items) > 0 {
		face = 0
	}
	if face >= 0 {
		v.Face = items[face]
	} else {
		// A story without readable items still gets an entry: its id and
		// times are known, and the members name its sources.
		for _, m := range st.Members {
			v.Face.SourceID = m.Source
			break
		}
	}
	v.Title = oneLine(v.Face.Title)
	if v.Title == "" {
		v.Title = "(untitled)"
	}
	v.Link = safeLink(v.Face.Link)
	v.Lang = languageOf(v.Face)
	v.Source = nameOf(names, v.Face.SourceID)

	seen := map[string]bool{v.Face.SourceID: true}
	// An item at a link listed already is the same article, come in again
	// under another source: the source whose URL the operator changed (to
	// https, or to where it moved) starts anew, and its items join their
	// old copies' stories. It is not another outlet's report: neither
	// listed again nor counted, unless it has an article of its own here.
	links := map[string]bool{}
	again := map[string]bool{} // sources with only such items so far
	if face >= 0 {
		v.Items = append(v.Items, itemRef{Source: v.Source, Title: v.Title, Link: v.Link, Published: v.Face.Published.UTC(), Face: true, Lang: v.Lang})
		links[v.Link] = v.Link != ""
	}
	for i, it := range items {
		if i == face {
			continue
		}
		ref := itemRef{Source: nameOf(names, it.SourceID), Title: oneLine(it.Title), Link: safeLink(it.Link), Published: it.Published.UTC(), Lang: languageOf(it)}
		if links[ref.Link] {
			if !seen[it.SourceID] {
				again[it.SourceID] = true
			}
			continue
		}
		links[ref.Link] = ref.Link != ""
		v.Items = append(v.Items, ref)
		delete(again, it.SourceID)
		if seen[it.SourceID] {
			continue
		}
		seen[it.SourceID] = true
		v.Others = append(v.Others, otherRef{Source: ref.Source, Link: ref.Link, Title: ref.Title})
	}
	for _, m := range st.Members {
		if !again[m.Source] {
			seen[m.Source] = true
		}
	}
	delete(seen, "")
	v.NSources = len(seen)
	return v
}

// safeLink returns u when it is an absolute http or https URL, cleaned for
// XML, and "" otherwise: nothing else is worth a link in a feed. Bytes that
// a URI cannot hold (", <, >, \, ^, `, {, |, }, non-ASCII, and a % that
// starts no escape) are percent-encoded after the host, so that readers and validators that want
// a URI, as RSS does, get one; a host that is not ASCII, or is
// percent-encoded, is given in its ASCII form, and one with such bytes left
// gives "". A user name and
// password before the host are left out: a source's URL may carry the
// credentials of a private feed, and in a link to anything else they only
// serve to disguise its host.
func safeLink(u string) string {
	u = strings.TrimSpace(xmlText(u))
	if u == "" || strings.ContainsAny(u, " \t\r\n") {
		return ""
	}
	start, end := authoritySpan(u)
	if start < 0 {
		return ""
	}
	u, end, ok := asciiHostAt(u, start, end)
	if !ok {
		return ""
	}
	authority := u[start:end]
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		authority = authority[at+1:] // where url.Parse ends the user info too
	}
	for i := range len(authority) {
		if !uriByte[authority[i]] {
			return "" // no real host has it
		}
	}
	var b strings.Builder
	b.WriteString(u[:start])
	b.WriteString(authority)
	const hex = "0123456789ABCDEF"
	for i := end; i < len(u); i++ {
		c := u[i]
		if c == '%' && !(i+2 < len(u) && isHex(u[i+1]) && isHex(u[i+2])) {
			b.WriteString("%25") // a lone %, not an escape
		} else if c < 0x80 && uriByte[c] {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// authoritySpan returns where the authority of u, an absolute http or
// https URL with a host, starts and ends: from its "//" to the first "/",
// "?" or "#" after it. It returns -1, -1 for any other u.
func authoritySpan(u string) (start, end int) {
	pu, err := url.Parse(u)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return -1, -1
	}
	start = strings.Index(u, "//") + 2
	end = len(u)
	if i := strings.IndexAny(u[start:], "/?#"); i >= 0 {
		end = start + i
	}
	return start, end
}

// asciiHost returns u with its host in the form links are published with:
// a host written in Unicode, or percent-encoded as url.URL.String writes it
// (b%C3%BCcher.example), is given in its IDNA ASCII form
// (xn--bcher-kva.example), as RFC 3986 (section 3.2.2) asks of a name
// meant for DNS, since readers' HTTP libraries look up the escapes as they
// stand. Anything else, an ASCII host or a URL that is not absolute http
// or https, comes back as it is. It reports false for a host that has no
// ASCII form.
func asciiHost(u string) (string, bool) {
	start, end := authoritySpan(u)
	if start < 0 {
		return u, true
	}
	u, _, ok := asciiHostAt(u, start, end)
	return u, ok
}

// asciiHostAt is asciiHost of u whose authority is u[start:end]; it
// returns where the authority ends in the URL it returns.
func asciiHostAt(u string, start, end int) (string, int, bool) {
	hostStart := start
	if at := strings.LastIndexByte(u[start:end], '@'); at >= 0 {
		hostStart = start + at + 1 // where url.Parse ends the user info too
	}
	hostPort := u[hostStart:end]
	if isASCII(hostPort) && !strings.Contains(hostPort, "%") {
		return u, end, true
	}
	pu, err := url.Parse(u)
	if err != nil {
		return u, end, false
	}
	host, err := idna.Lookup.ToASCII(pu.Hostname())
	if err != nil {
		return u, end, false
	}
	if port := pu.Port(); port != "" {
		host += ":" + port
	}
	return u[:hostStart] + host + u[end:], hostStart + len(host), true
}

// asciiHosts returns sanitised item HTML h with each http(s) URL in its
// attributes in the form links are published with: its host in ASCII
// (asciiHost), where the sanitiser writes a host in Unicode
// percent-encoded, and without a user name or password, as safeLink
// leaves them out of an item's own link: in a link in an article they
// only serve to disguise its host ("https://bank.example@evil.example/").
// It returns h itself when there is no such URL.
func asciiHosts(h string) string {
	if isASCII(h) && !strings.Contains(h, "%") && !strings.Contains(h, "@") {
		return h
	}
	return parse.MapURLs(h, func(u string) string {
		if isASCII(u) && !strings.Contains(u, "%") && !strings.Contains(u, "@") {
			return u
		}
		u = withoutUserinfo(u)
		if a, ok := asciiHost(u); ok {
			return a
		}
		return u
	})
}

// withoutUserinfo returns the absolute http(s) URL u without the user name
// and password before its host, and any other u as it is.
func withoutUserinfo(u string) string {
	start, end := authoritySpan(u)
	if start < 0 {
		return u
	}
	at := strings.LastIndexByte(u[start:end], '@') // where url.Parse ends the user info too
	if at < 0 {
		return u
	}
	return u[:start] + u[start+at+1:]
}

// uriByte marks the ASCII bytes a URI may hold as they are (RFC 3986's
// unreserved and reserved characters, and % of an escape).
var uriByte = func() (t [128]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%" {
		t[c] = true
	}
	return t
}()

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// topicURL is the absolute URL of topic id's page, or of its feed in the
// given extension (".atom"), starting at cursor before when it is not "".
func (s *state) topicURL(id, ext, before string) string {
	u := s.base + "/topics/" + url.PathEscape(id) + ext
	if before != "" {
		u += "?before=" + url.QueryEscape(before)
	}
	return u
}
