package bench

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Format is the syndication format of a generated feed.
type Format int

// The formats the generator writes. Most feeds are RSS 2.0, as on the web;
// one in twenty is Atom 1.0 and one in twenty JSON Feed 1.1.
const (
	RSS Format = iota
	Atom
	JSONFeed
)

// String returns the format's short name.
func (f Format) String() string {
	switch f {
	case Atom:
		return "atom"
	case JSONFeed:
		return "json"
	default:
		return "rss"
	}
}

// Generator shape constants.
const (
	// Window is how far back the items of a fresh feed are spread.
	Window = 48 * time.Hour
	// SharePermille is how many items in a thousand re-post another feed's
	// story (with their own link and a lightly edited title and text).
	SharePermille = 50
	// MinHTML and MaxHTML bound the bytes of HTML of one item's content.
	MinHTML = 1024
	MaxHTML = 3072
)

// GenOptions sets what a Generator makes. The same options always give
// the same bytes.
type GenOptions struct {
	Feeds int       `json:"feeds"` // number of feeds
	Items int       `json:"items"` // items per feed before any Grow
	Seed  uint64    `json:"seed"`
	Now   time.Time `json:"now"` // items are dated in the Window before Now
}

// Generator makes synthetic but realistic news feeds: titles and texts
// about each report's own cast of names and things (see pool.go), 1–3 KB of
// HTML per item (paragraphs, links, an image, entities), categories,
// authors, dates spread over the last two days, and about 5% of items
// re-posting another feed's story. Everything is computed from the options,
// item by item, so a feed costs no memory until it is rendered. Its methods
// are safe for concurrent use.
type Generator struct {
	opts GenOptions

	mu    sync.RWMutex
	grown [][]time.Time // per feed: the publication times of the items Grow added, oldest first
	round uint64        // calls of Grow so far
}

// NewGenerator returns a Generator for opts. Feeds and Items below 1 are
// taken as 1; a zero Now is the current time.
func NewGenerator(opts GenOptions) *Generator {
	opts.Feeds = max(opts.Feeds, 1)
	opts.Items = max(opts.Items, 1)
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	opts.Now = opts.Now.UTC().Truncate(time.Second)
	return &Generator{opts: opts, grown: make([][]time.Time, opts.Feeds)}
}

// Options returns the options the Generator was made with, defaults applied.
func (g *Generator) Options() GenOptions { return g.opts }

// Item is one generated feed entry.
type Item struct {
	Feed, Index int
	Story       string // "feed/index" of the story it carries: its own, or the one it re-posts
	Repost      bool
	GUID        string
	Link        string
	Title       string // plain text
	Summary     string // plain text
	HTML        string // the content
	Author      string
	Categories  []string
	Published   time.Time
}

// rng kinds: each draw of the generator has its own stream, so that adding
// one kind of detail never shifts another.
const (
	kindStory = iota + 1
	kindItem
	kindRepost
	kindGrow
	kindFeed
)

func (g *Generator) rng(kind, feed, index int) *rand.Rand {
	return rand.New(rand.NewPCG(g.opts.Seed, uint64(kind)<<56|uint64(feed)<<24|uint64(index)))
}

// FeedLen returns the number of items feed f has now.
func (g *Generator) FeedLen(f int) int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.opts.Items + len(g.grown[f])
}

// isRepost reports whether item j of feed f re-posts another feed's story.
func (g *Generator) isRepost(f, j int) bool {
	if g.opts.Feeds < 2 || j >= g.opts.Items {
		return false
	}
	return g.rng(kindRepost, f, j).IntN(1000) < SharePermille
}

// origin returns the feed and index of the story item j of feed f carries.
func (g *Generator) origin(f, j int) (int, int) {
	if !g.isRepost(f, j) {
		return f, j
	}
	r := g.rng(kindRepost, f, j)
	r.IntN(1000) // the draw isRepost made
	of := r.IntN(g.opts.Feeds - 1)
	if of >= f {
		of++
	}
	for range g.opts.Feeds {
		if of != f && !g.isRepost(of, j) {
			return of, j
		}
		of = (of + 1) % g.opts.Feeds
	}
	return f, j
}

// story is the shared part of every item that carries one report.
type story struct {
	title      string // plain text
	summary    string // plain text
	paras      []string
	figure     string
	categories []string
	published  time.Time
}

// story computes the report first published as item j of feed f.
func (g *Generator) story(f, j int, published time.Time) story {
	r := g.rng(kindStory, f, j)
	s := story{published: published}
	c := newCast(r)
	s.title = html.UnescapeString(fill(r, headlines[r.IntN(len(headlines))], f, false, c))
	s.title = strings.ToUpper(s.title[:1]) + s.title[1:]
	img := fmt.Sprintf("https://cdn.outlet-%05d.example/images/%016x.jpg", f, r.Uint64())
	s.figure = fmt.Sprintf(`<figure><img src="%s" alt="%s" width="1200" height="675"/>`+
		`<figcaption>%s (Photo: %s &#169; Outlet %05d)</figcaption></figure>`,
		img, html.EscapeString(s.title), html.EscapeString(s.title), reporters[r.IntN(len(reporters))], f)
	target := MinHTML + 80 + r.IntN(MaxHTML-MinHTML-500)
	size := len(s.figure)
	for size < target {
		var p strings.Builder
		p.WriteString("<p>")
		n := 2 + r.IntN(3)
		for k := 0; k < n && size+p.Len() < target; k++ {
			if k > 0 {
				p.WriteByte(' ')
			}
			sent := sentence(r, f, c)
			if s.summary == "" {
				s.summary = html.UnescapeString(stripTags(sent))
			}
			p.WriteString(sent)
		}
		p.WriteString("</p>")
		s.paras = append(s.paras, p.String())
		size += p.Len()
	}
	nc := 1 + r.IntN(3)
	for len(s.categories) < nc {
		c := categories[r.IntN(len(categories))]
		if !slices.Contains(s.categories, c) {
			s.categories = append(s.categories, c)
		}
	}
	return s
}

// Item returns item j of feed f: 0 is the newest of the feed's original
// items, GenOptions.Items-1 the oldest, and the items Grow added, newer
// still, come after them.
func (g *Generator) Item(f, j int) Item {
	ri := g.rng(kindItem, f, j)
	it := Item{Feed: f, Index: j, Author: reporters[ri.IntN(len(reporters))]}
	of, oj := g.origin(f, j)
	it.Story = fmt.Sprintf("%d/%d", of, oj)
	it.Repost = of != f
	s := g.story(of, oj, g.published(of, oj))
	paras := s.paras
	it.Title, it.Summary = s.title, s.summary
	it.Published = s.published
	if it.Repost {
		rr := g.rng(kindRepost, f, j+1<<20)
		it.Published = s.published.Add(time.Duration(10+rr.IntN(170)) * time.Minute)
		if it.Published.After(g.opts.Now) {
			it.Published = g.opts.Now
		}
		switch rr.IntN(4) {
		case 0:
			it.Title = "Update: " + it.Title
		case 1:
			it.Title += ", officials say"
		case 2:
			if edited := strings.Replace(it.Title, " in ", " in central ", 1); edited != it.Title {
				it.Title = edited
			} else {
				it.Title += " – live"
			}
		default:
			it.Title = "Report: " + it.Title
		}
		paras = append([]string(nil), paras...)
		switch rr.IntN(3) {
		case 0: // the text as it was
		case 1:
			if n := len(paras); n > 2 && len(s.figure)+len(strings.Join(paras[:n-1], "")) >= MinHTML {
				paras = paras[:n-1]
				break
			}
			fallthrough
		default:
			paras = append(paras, fmt.Sprintf("<p>This report was first published by Outlet %05d. "+
				"Additional reporting by %s.</p>", of, vocabulary().person.draw(rr)))
		}
	}
	it.Categories = s.categories
	it.HTML = s.figure + strings.Join(paras, "")
	slug := slugify(it.Title)
	it.Link = fmt.Sprintf("https://www.outlet-%05d.example/%s/%s-%d", f,
		it.Published.Format("2006/01/02"), slug, j)
	if f%5 == 2 {
		it.Link += "?utm_source=rss&utm_medium=feed"
	}
	switch {
	case g.format(f) == Atom:
		it.GUID = fmt.Sprintf("tag:outlet-%05d.example,2024:story-%d", f, j)
	case f%2 == 0:
		it.GUID = it.Link
	default:
		it.GUID = fmt.Sprintf("outlet-%05d-%d", f, j)
	}
	return it
}

// published is the publication time of item j of feed f, when it carries
// its own story.
func (g *Generator) published(f, j int) time.Time {
	if j >= g.opts.Items {
		g.mu.RLock()
		defer g.mu.RUnlock()
		return g.grown[f][j-g.opts.Items]
	}
	r := g.rng(kindStory, f, j+1<<22)
	frac := (float64(j) + r.Float64()) / float64(g.opts.Items)
	return g.opts.Now.Add(-time.Duration(frac * float64(Window))).Truncate(time.Second)
}

// Grow adds n new items, published at times up to at, to percent% of the
// feeds (at least one), and returns the indexes of the feeds that grew.
// Successive calls pick different feeds.
func (g *Generator) Grow(percent, n int, at time.Time) []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.round++
	k := max(g.opts.Feeds*percent/100, 1)
	perm := rand.New(rand.NewPCG(g.opts.Seed, uint64(kindGrow)<<56|g.round)).Perm(g.opts.Feeds)[:k]
	at = at.UTC().Truncate(time.Second)
	for _, f := range perm {
		for i := range n {
			g.grown[f] = append(g.grown[f], at.Add(-time.Duration(n-1-i)*3*time.Minute))
		}
	}
	return perm
}

// format returns feed f's syndication format.
func (g *Generator) format(f int) Format {
	switch f % 20 {
	case 7:
		return Atom
	case 13:
		return JSONFeed
	}
	return RSS
}

// Path returns the URL path feed f is served at.
func (g *Generator) Path(f int) string {
	switch g.format(f) {
	case Atom:
		return fmt.Sprintf("/feeds/%05d.atom", f)
	case JSONFeed:
		return fmt.Sprintf("/feeds/%05d.json", f)
	}
	return fmt.Sprintf("/feeds/%05d.xml", f)
}

// Doc is one rendered feed document with its validators.
type Doc struct {
	Feed         int
	Path         string
	Format       Format
	ContentType  string
	Body         []byte
	ETag         string    // strong: a digest of Body
	LastModified time.Time // the newest item's publication time
	Items        int
}

// Feed renders feed f, newest item first.
func (g *Generator) Feed(f int) Doc {
	n := g.FeedLen(f)
	items := make([]Item, 0, n)
	for j := n - 1; j >= g.opts.Items; j-- {
		items = append(items, g.Item(f, j))
	}
	for j := range g.opts.Items {
		items = append(items, g.Item(f, j))
	}
	var newest time.Time
	for _, it := range items {
		if it.Published.After(newest) {
			newest = it.Published
		}
	}
	r := g.rng(kindFeed, f, 0)
	meta := feedMeta{
		title:   fmt.Sprintf("%s %s %d", places[f%len(places)], mastheads[r.IntN(len(mastheads))], f),
		site:    fmt.Sprintf("https://www.outlet-%05d.example/", f),
		desc:    "News, analysis and opinion from Outlet " + strconv.Itoa(f),
		updated: newest,
		feed:    f,
	}
	d := Doc{Feed: f, Path: g.Path(f), Format: g.format(f), LastModified: newest, Items: len(items)}
	switch d.Format {
	case Atom:
		d.ContentType = "application/atom+xml; charset=utf-8"
		d.Body = renderAtom(meta, items)
	case JSONFeed:
		d.ContentType = "application/feed+json; charset=utf-8"
		d.Body = renderJSON(meta, items)
	default:
		d.ContentType = "application/rss+xml; charset=utf-8"
		d.Body = renderRSS(meta, items)
	}
	sum := sha256.Sum256(d.Body)
	d.ETag = `"` + hex.EncodeToString(sum[:12]) + `"`
	return d
}

var mastheads = []string{"Courier", "Herald", "Observer", "Tribune", "Gazette", "Chronicle", "Post", "Dispatch"}

// cast is what one report is about: the people, places, organisations and
// things its sentences keep coming back to, as a real report's do.
type cast struct {
	people, places, orgs, nouns []string
}

func newCast(r *rand.Rand) *cast {
	v := vocabulary()
	return &cast{
		people: drawDistinct(r, v.person, 2+r.IntN(2)),
		places: drawDistinct(r, v.place, 1+r.IntN(2)),
		orgs:   drawDistinct(r, v.org, 1+r.IntN(2)),
		nouns:  drawDistinct(r, v.noun, 3+r.IntN(3)),
	}
}

// drawDistinct draws n different words from p (fewer if p has fewer).
func drawDistinct(r *rand.Rand, p *pool, n int) []string {
	n = min(n, len(p.words))
	out := make([]string, 0, n)
	for len(out) < n {
		if w := p.draw(r); !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// pick returns one of own percent of the time, else a word of p: a report
// mostly names its own cast, and now and then someone or something else.
func pick(r *rand.Rand, own []string, percent int, p *pool) string {
	if len(own) > 0 && coin(r, percent) {
		return own[r.IntN(len(own))]
	}
	return p.draw(r)
}

// fill replaces the {slots} of tmpl with words, most of them the story's
// cast c; in HTML, some nouns become links to the outlet's topic pages.
func fill(r *rand.Rand, tmpl string, feed int, links bool, c *cast) string {
	v := vocabulary()
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		j := strings.IndexByte(tmpl[i:], '}')
		slot := tmpl[i+1 : i+j]
		tmpl = tmpl[i+j+1:]
		switch slot {
		case "person":
			b.WriteString(pick(r, c.people, 85, v.person))
		case "role":
			b.WriteString(roles[r.IntN(len(roles))])
		case "org":
			b.WriteString(pick(r, c.orgs, 75, v.org))
		case "place":
			b.WriteString(pick(r, c.places, 80, v.place))
		case "noun":
			n := pick(r, c.nouns, 65, v.noun)
			if links && r.IntN(6) == 0 {
				fmt.Fprintf(&b, `<a href="https://www.outlet-%05d.example/topics/%s">%s</a>`, feed, url.PathEscape(n), n)
			} else {
				b.WriteString(n)
			}
		case "nouns":
			b.WriteString(v.plural.draw(r))
		case "verb":
			b.WriteString(v.verb.draw(r))
		case "past":
			b.WriteString(v.past.draw(r))
		case "adj":
			b.WriteString(v.adjective.draw(r))
		case "day":
			b.WriteString(days[r.IntN(len(days))])
		case "month":
			b.WriteString(months[r.IntN(len(months))])
		case "num":
			b.WriteString(strconv.Itoa(20 + r.IntN(9980)))
		case "pct":
			fmt.Fprintf(&b, "%d.%d%%", r.IntN(15), r.IntN(10))
		case "money":
			fmt.Fprintf(&b, "$%d.%d billion", 1+r.IntN(90), r.IntN(10))
		default:
			b.WriteString(slot)
		}
	}
}

// sentence makes one sentence of body text: a template, sometimes opened
// by a lead-in and closed by a tail clause.
func sentence(r *rand.Rand, feed int, c *cast) string {
	tmpl := sentences[r.IntN(len(sentences))]
	if r.IntN(3) == 0 {
		if end := len(tmpl) - 1; tmpl[end] == '.' {
			tmpl = tmpl[:end] + tails[r.IntN(len(tails))] + "."
		}
	}
	s := fill(r, tmpl, feed, true, c)
	if r.IntN(3) == 0 {
		lead := fill(r, leadIns[r.IntN(len(leadIns))], feed, false, c)
		if tmpl[0] != '{' { // a template's own first word is a common one
			s = strings.ToLower(s[:1]) + s[1:]
		}
		s = lead + s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// stripTags removes HTML tags (the generator's own, well-formed ones).
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, c := range s {
		switch {
		case c == '<':
			in = true
		case c == '>':
			in = false
		case !in:
			b.WriteRune(c)
		}
	}
	return b.String()
}

func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// Reposts returns how many of the feeds' original items re-post another
// feed's story.
func (g *Generator) Reposts() int {
	n := 0
	for f := range g.opts.Feeds {
		for j := range g.opts.Items {
			if g.isRepost(f, j) {
				n++
			}
		}
	}
	return n
}
