package publish

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-feeds/tributary/aggregator"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages holds the web pages' templates. html/template escapes every value
// for its context; no feed or source data is ever marked as trusted HTML.
var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return when(t)
	},
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	// short is a headline's time on the front page, where the year goes
	// without saying; the datetime attribute keeps the whole time.
	"short": func(t time.Time) string { return t.UTC().Format("2 Jan 15:04 UTC") },
}).ParseFS(templateFS, "templates/*.html"))

// pagePolicy is the Content-Security-Policy of the web pages. They load
// nothing and run nothing but their own inline style sheet and copy-button
// script, allowed by digest: even markup that slipped past escaping could
// neither run a script nor load anything.
var pagePolicy = "default-src 'none'; style-src " + inlineDigest("style", "style") +
	"; script-src " + inlineDigest("copyscript", "script") +
	"; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// inlineDigest renders the named template, which must be one <tag> element
// with static content, and returns the CSP source expression of its content.
func inlineDigest(name, tag string) string {
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, name, nil); err != nil {
		panic(fmt.Sprintf("publish: template %s: %v", name, err))
	}
	s := b.String()
	start, end := strings.Index(s, "<"+tag+">"), strings.LastIndex(s, "</"+tag+">")
	if start < 0 || end < start {
		panic(fmt.Sprintf("publish: template %s is not one <%s> element", name, tag))
	}
	sum := sha256.Sum256([]byte(s[start+len(tag)+2 : end]))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// feedLink is one subscribe link of a topic.
type feedLink struct {
	Label string            // RSS, Atom, JSON Feed
	Type  template.HTMLAttr // type="…", the media type for autodiscovery
	URL   string
}

// typeAttr writes a type attribute of one of the feeds' media types as it
// is, where the template would write its "+" as "&#43;": valid HTML, but
// readers that find a page's feeds by matching its text for
// type="application/atom+xml", as many do, would miss them. The types are
// the formats' own constants, never a source's text.
func typeAttr(mediaType string) template.HTMLAttr {
	return template.HTMLAttr(`type="` + mediaType + `"`)
}

// topicBlock is a topic as the web pages show it.
type topicBlock struct {
	ID          string
	Title       string
	Description string
	PageURL     string
	Lang        string // the language of the topic's stories (its language, else publish.language), marked on their titles; "" for none
	Feeds       []feedLink
	Stories     []storyView
	Err         string // the stories could not be read
}

// sourceRow is one line of the front page's sources table.
type sourceRow struct {
	ID          string // the source id; "" for a source not stored yet
	Name        string
	URL         string
	SiteURL     string
	State       string // ok, not modified, backing off, failing, disabled, pending
	Class       string // the state as a CSS class
	Detail      string // until when, since when, why
	LastSuccess time.Time
	Items       int64  // items stored from the source since it was added
	PerDay      string // items published per day lately; see itemsPerDay
	NotModified string // share of fetches answered 304, as a percentage
}

type indexData struct {
	Base    string
	OPML    string
	Topics  []topicBlock
	Sources []sourceRow
	Tally   []stateCount // the sources by state, in stateOrder, those with none left out
}

// stateCount is how many sources are in one state, for the line above the
// sources table: with hundreds of sources, the failing ones are otherwise
// found by scrolling.
type stateCount struct {
	Label string
	Class string
	N     int
}

// stateOrder is the order of the states in the tally, and their labels,
// by the class of sourceRow.
var stateOrder = []struct{ class, label string }{
	{"ok", "ok"}, {"failing", "failing"}, {"backoff", "backing off"}, {"waiting", "waiting"}, {"disabled", "disabled"}, {"pending", "pending"},
}

// tally counts the rows by state.
func tally(rows []sourceRow) []stateCount {
	n := map[string]int{}
	for _, r := range rows {
		n[r.Class]++
	}
	var out []stateCount
	for _, s := range stateOrder {
		if n[s.class] > 0 {
			out = append(out, stateCount{Label: s.label, Class: s.class, N: n[s.class]})
		}
	}
	return out
}

type topicPageData struct {
	Base  string
	OPML  string
	Topic topicBlock
	First string // URL of the first page, on older pages
	Next  string // URL of the next older page
}

func (s *state) block(t aggregator.TopicConfig) topicBlock {
	b := topicBlock{ID: t.ID, Title: oneLine(t.Title), Description: oneLine(t.Description), PageURL: s.topicURL(t.ID, "", ""), Lang: s.language(t)}
	if b.Title == "" {
		b.Title = oneLine(t.ID)
	}
	for _, f := range []format{formatAtom, formatRSS, formatJSON} {
		b.Feeds = append(b.Feeds, feedLink{Label: formatInfo[f].label, Type: typeAttr(formatInfo[f].mediaType), URL: s.topicURL(t.ID, formatInfo[f].ext, "")})
	}
	return b
}

// serveIndex serves the front page: every topic with its subscribe links
// and latest headlines, and the state of every source.
func (p *Publisher) serveIndex(w http.ResponseWriter, r *http.Request) {
	s := p.state.Load()
	// The generations are read before what they stand for, so a page is
	// never kept under a key newer than what it shows.
	var topics uint64
	for _, tc := range s.topics {
		topics += tc.gen.Load()
	}
	key := p.keyAt(s, p.store.Generation(), topics)
	// One render serves every request waiting for it: a client going
	// away must not fail it for the others.
	ctx := context.WithoutCancel(r.Context())
	pg, err := p.front.get(key, func() ([]byte, bool, error) {
		defer p.observePage("front", time.Now())
		return p.renderIndex(ctx, s)
	})
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	p.servePage(w, r, pg)
}

// renderIndex renders the front page, and reports whether it may be kept:
// not when a part of it could not be read.
func (p *Publisher) renderIndex(ctx context.Context, s *state) ([]byte, bool, error) {
	srcs, err := p.store.Sources(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("listing sources: %w", err)
	}
	keep := true
	data := indexData{Base: s.base, OPML: s.base + "/opml", Sources: p.sourceRows(s, srcs)}
	data.Tally = tally(data.Sources)
	rates, err := p.itemsPerDay(ctx, p.clock())
	if err != nil {
		// The page is still worth showing without the rates.
		p.logger.ErrorContext(ctx, "measuring items per day", "err", err)
		keep = false
	}
	for i := range data.Sources {
		row := &data.Sources[i]
		row.PerDay = "–" // not fetched yet, or not measured
		if err == nil && row.ID != "" {
			row.PerDay = formatRate(rates[row.ID])
		}
	}
	for _, tc := range s.topics {
		b := s.block(tc.cfg)
		// The headlines come from the cached first page of the topic's
		// feeds: the front page costs no store read per topic.
		pg, _, err := p.firstPage(ctx, s, tc)
		if err != nil {
			p.logger.ErrorContext(ctx, "reading headlines", "topic", tc.cfg.ID, "err", err)
			b.Err = "The stories of this topic cannot be read right now."
			keep = false
		} else {
			b.Stories = pg.stories[:min(len(pg.stories), headlinesPerTopic)]
		}
		data.Topics = append(data.Topics, b)
	}
	body, err := renderPage("index.html", data)
	if err != nil {
		return nil, false, fmt.Errorf("rendering index.html: %w", err)
	}
	return body, keep, nil
}

// serveTopicPage serves /topics/{id}: the topic's stories, each with all
// its sources, paged like the feeds. The first page is kept until the
// topic changes.
func (p *Publisher) serveTopicPage(w http.ResponseWriter, r *http.Request, s *state, tc *topicCache) {
	var cur *cursor
	if before := r.URL.Query().Get("before"); before != "" {
		c, err := parseCursor(before)
		if err != nil {
			http.Error(w, "bad before parameter", http.StatusBadRequest)
			return
		}
		cur = &c
	}
	if cur != nil {
		key := p.olderKeyOf(tc, olderHTML, cur.String())
		e, err := p.older.render(r.Context(), key, func() (*olderEntry, error) {
			body, page, err := p.renderTopicPage(r.Context(), s, tc, cur)
			if err != nil {
				return nil, err
			}
			pg := newHTMLPage(pageKey{}, body)
			return &olderEntry{html: pg, size: len(pg.body) + len(pg.gz), linked: page.linked && p.linkedTo(tc, key), next: page.next}, nil
		})
		if err != nil {
			p.serverError(w, r, err)
			return
		}
		p.servePage(w, r, e.html)
		return
	}
	key := pageKey{s: s, gen: tc.gen.Load()}
	ctx := context.WithoutCancel(r.Context())
	pg, err := tc.html.get(key, func() ([]byte, bool, error) {
		defer p.observePage("topic", time.Now())
		body, _, err := p.renderTopicPage(ctx, s, tc, nil)
		return body, true, err
	})
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	p.servePage(w, r, pg)
}

// observePage records the time a page took to render since start.
func (p *Publisher) observePage(page string, start time.Time) {
	p.m.pageRender.WithLabelValues(page).Observe(time.Since(start).Seconds())
}

// renderTopicPage renders a page of a topic's stories: the first, or the
// one before cur, and returns it with the page it shows.
func (p *Publisher) renderTopicPage(ctx context.Context, s *state, tc *topicCache, cur *cursor) ([]byte, *page, error) {
	var (
		pg  *page
		err error
	)
	if cur == nil {
		pg, _, err = p.firstPage(ctx, s, tc)
	} else {
		pg, err = p.buildPage(ctx, s, tc.cfg, cur)
	}
	if err != nil {
		return nil, nil, err
	}
	data := topicPageData{Base: s.base, OPML: s.base + "/opml", Topic: s.block(tc.cfg)}
	data.Topic.Stories = pg.stories
	if cur != nil {
		data.First = s.topicURL(tc.cfg.ID, "", "")
	}
	if pg.next != "" {
		data.Next = s.topicURL(tc.cfg.ID, "", pg.next)
	}
	body, err := renderPage("topic.html", data)
	if err != nil {
		return nil, nil, fmt.Errorf("rendering topic.html: %w", err)
	}
	return body, pg, nil
}

// sourceRows describes every stored source, and every configured one not
// fetched yet, sorted by name.
func (p *Publisher) sourceRows(s *state, srcs []aggregator.SourceState) []sourceRow {
	now := p.clock()
	configured := make(map[string]aggregator.SourceConfig, len(s.cfg.Sources))
	for _, c := range s.cfg.Sources {
		configured[c.SourceID()] = c
	}
	rows := make([]sourceRow, 0, len(srcs)+len(configured))
	stored := make(map[string]bool, len(srcs))
	readAt := map[string]string{} // configured sources read at their URL, by it
	for _, st := range srcs {
		if _, ok := configured[st.ID]; ok && st.URL == st.ConfigURL {
			readAt[st.URL] = sourceName(st)
		}
	}
	for _, st := range srcs {
		stored[st.ID] = true
		row := sourceState(st, now)
		_, ok := configured[st.ID]
		if !ok && len(configured) > 0 {
			row.Detail = strings.TrimSpace(row.Detail + " (no longer configured)")
		}
		if other, at := readAt[st.URL]; ok && at && st.URL != st.ConfigURL && !st.LastFetch.IsZero() {
			// Moved, by a permanent redirect or its HTML page, to another
			// configured source's feed: both read it, until the operator
			// drops one from the config.
			if other == "" {
				other = urlName(st.URL)
			}
			row.Detail = strings.TrimSpace(row.Detail + " (moved to where " + oneLine(other) + " is read too)")
		}
		rows = append(rows, row)
	}
	for id, c := range configured {
		if stored[id] {
			continue
		}
		name := oneLine(c.Name)
		if name == "" {
			name = urlName(c.URL)
		}
		rows = append(rows, sourceRow{Name: name, URL: sourceLink(c.URL), State: "pending", Class: "pending", Detail: "not fetched yet", NotModified: "–"})
	}
	slices.SortFunc(rows, func(a, b sourceRow) int {
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.URL, b.URL)
	})
	return rows
}

// sourceState turns a stored source state into a table row, judged at now.
func sourceState(st aggregator.SourceState, now time.Time) sourceRow {
	row := sourceRow{
		ID:          st.ID,
		Name:        sourceName(st),
		URL:         sourceLink(st.URL),
		SiteURL:     sourceLink(st.SiteURL),
		LastSuccess: st.LastSuccess,
		Items:       st.Items,
		NotModified: "–",
	}
	if row.Name == "" {
		row.Name = urlName(st.URL)
	}
	if st.Fetches > 0 {
		row.NotModified = strconv.FormatFloat(100*float64(st.NotModified)/float64(st.Fetches), 'f', 0, 64) + "%"
	}
	reason := publicReason(oneLine(st.LastError), st.URL, st.ConfigURL)
	switch st.Condition(now) {
	case aggregator.ConditionDisabled:
		row.State, row.Class = "disabled", "disabled"
		row.Detail = reason
	case aggregator.ConditionBackingOff:
		row.State, row.Class = "backing off until "+when(st.NextDue), "backoff"
		row.Detail = failingDetail(st, reason)
		if st.Held != "" && st.RetryAfter == 0 {
			// Failed on its own, and kept waiting past its backoff by
			// its host's hold, which sets the time: both are said.
			row.State = "waiting until " + when(st.NextDue)
			row.Detail = publicReason(oneLine(st.Held), st.URL, st.ConfigURL) + "; " + row.Detail
		}
	case aggregator.ConditionFailing:
		row.State, row.Class = "failing", "failing"
		row.Detail = failingDetail(st, reason)
	case aggregator.ConditionHeld:
		// Not failing: counted apart from the sources backing off.
		row.State, row.Class = "waiting until "+when(st.NextDue), "waiting"
		row.Detail = publicReason(oneLine(st.Held), st.URL, st.ConfigURL)
	case aggregator.ConditionPending:
		row.State, row.Class = "pending", "pending"
		row.Detail = "not fetched yet"
	case aggregator.ConditionNotModified:
		row.State, row.Class = "not modified", "ok"
	default:
		row.State, row.Class = "ok", "ok"
	}
	return row
}

func failingDetail(st aggregator.SourceState, reason string) string {
	var b strings.Builder
	if !st.FailingSince.IsZero() {
		b.WriteString("failing since " + when(st.FailingSince))
	} else {
		b.WriteString("failing")
	}
	if st.Failures > 1 {
		b.WriteString(" (" + strconv.Itoa(st.Failures) + " failures in a row)")
	}
	if reason != "" {
		b.WriteString(": " + reason)
	}
	return b.String()
}

// urlName is a source's name when it has no other: the host, path and
// query of its URL, as the poller and status name it, without the user
// name and password, and with the credentials a private feed's query may
// carry as "xxxxx" (aggregator.URLName).
func urlName(raw string) string { return oneLine(aggregator.URLName(raw)) }

// sourceLink is safeLink for a source's URL, or the site URL its feed
// gives, which may carry the credentials of a private feed: the value of a
// query parameter that holds one reads "xxxxx" (see aggregator.RedactURL),
// as the user name and password are left out. Links to items, which are
// other sites' pages, keep their queries.
func sourceLink(u string) string { return aggregator.RedactURL(safeLink(u)) }

func when(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
