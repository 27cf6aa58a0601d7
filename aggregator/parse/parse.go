// Package parse turns the bytes of one fetched feed document into
// normalised, sanitised aggregator.Item values: it reads every format
// gofeed reads (RSS 0.9x, 1.0 and 2.0, Atom 0.3 and 1.0, JSON Feed 1.0 and
// 1.1) in any common character encoding, gives each item a stable id,
// absolute and canonical links, UTC times, plain-text titles and HTML that
// is safe to republish, and reads the feed's own polling hints.
package parse

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	ext "github.com/mmcdole/gofeed/extensions"
	jsonfeed "github.com/mmcdole/gofeed/json"
	"github.com/mmcdole/gofeed/rss"

	"github.com/tributary-feeds/tributary/aggregator"
)

// DefaultMaxItems is the number of items Parse keeps when Options.MaxItems
// is zero.
const DefaultMaxItems = 500

// Options tunes Parse.
type Options struct {
	MaxItems int // most items taken from one document, in document order; 0 means DefaultMaxItems
}

// Feed is a parsed feed document: its metadata, its polling hints and its
// normalised items.
type Feed struct {
	Title     string        // plain text
	SiteURL   string        // absolute http(s) URL of the site, or ""
	Hub       string        // WebSub hub, or ""
	Self      string        // the feed's own URL as it states it, or ""
	TTL       time.Duration // interval the feed asks for: RSS <ttl>, sy:updatePeriod/updateFrequency; 0 if none
	SkipHours []int         // RSS skipHours, 0–23, sorted
	SkipDays  []string      // RSS skipDays, "Monday"…"Sunday"
	Items     []aggregator.Item
	// Cut is true when the document broke off before the end of its root
	// element (the connection that brought it closed early, where nothing
	// said where the body ends, or the program that wrote it stopped) and
	// was read up to where it broke: the items after, and its end, never
	// came.
	Cut bool
}

// maxTTL bounds the interval a feed may ask for, so that a typo such as
// <ttl>9999999</ttl> does not stop a source from being polled.
const maxTTL = 7 * 24 * time.Hour

// feedParser is shared by every Parse call; gofeed's Parser is safe for
// concurrent use from v1.4.0. The RSS translator's scan of every item's
// HTML for an image is turned off: Tributary does not use Item.Image, and
// the scan is a full HTML parse per item. The Atom and JSON translators do
// no such scan; the JSON one is wrapped to leave out null items and
// authors, on which it fails. The original feed is kept for the fields the
// translators drop (rdf:about, <source>, skipHours, ttl, external_url).
var feedParser = func() *gofeed.Parser {
	p := gofeed.NewParser()
	p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	p.JSONTranslator = &jsonTranslator{}
	p.KeepOriginalFeed = true
	return p
}()

// Parse reads one fetched document. contentType is the HTTP Content-Type
// (its charset is honoured), feedURL the URL it was fetched from (relative
// links resolve against it), sourceID the aggregator.SourceID of the
// source, and now the time of the fetch (every item's FirstSeen).
//
// Items come back in document order, at most opts.MaxItems of them. A
// document that breaks off or goes wrong part-way keeps the items before
// the damage. Parse returns an *HTMLPageError (wrapping ErrHTMLPage) for an
// HTML page, an error wrapping ErrNotFeed for anything else it cannot
// recognise, and gofeed's error for a feed it cannot read at all.
func Parse(body []byte, contentType, feedURL, sourceID string, now time.Time, opts Options) (*Feed, error) {
	if opts.MaxItems <= 0 {
		opts.MaxItems = DefaultMaxItems
	}
	now = now.UTC()
	b := toUTF8(body, contentType)
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, fmt.Errorf("parsing %s: empty document: %w", feedURL, ErrNotFeed)
	}
	if firstByte(b) == '<' {
		b = trimProlog(expandEntities(b))
	}
	doc, shape, err := fitXML(b, opts.MaxItems, defaultLimits)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", feedURL, err)
	}
	defer reserve(shape.extensions)()
	doc = fitJSON(doc, opts.MaxItems)
	// based is the document with its xml:base as written, which itemBases
	// reads: a folder that folderBases wrote for gofeed is no base for a
	// reference that is a fragment or a query ("#note", "?page=2").
	if firstByte(doc) == '<' {
		doc = decodeBase64Text(doc)
	}
	based := doc
	if firstByte(doc) == '<' {
		doc = folderBases(doc, parseBase(feedURL))
	}
	gf, err := feedParser.Parse(bytes.NewReader(doc))
	if err != nil && firstByte(doc) == '{' {
		gf, doc, err = reparseJSON(doc, err)
	}
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		if looksLikeHTML(b, contentType) {
			return nil, htmlPageError(b, feedURL)
		}
		return nil, fmt.Errorf("parsing %s: %w", feedURL, ErrNotFeed)
	}
	brokeOff := false
	if err != nil {
		if cut := truncateToLastEntry(doc, err); cut != nil {
			if _, cutShape, err2 := fitXML(cut, opts.MaxItems, defaultLimits); err2 == nil {
				// With no item before the damage, the feed is recorded as
				// failed, not read as one with nothing new.
				if gf2, err2 := feedParser.Parse(bytes.NewReader(cut)); err2 == nil && len(gf2.Items) > 0 {
					based = truncateToLastEntry(based, err)
					brokeOff = endsEarly(doc)
					gf, doc, err = gf2, cut, nil
					shape.langs = cutShape.langs
				}
			}
		}
		if err != nil {
			return nil, fmt.Errorf("parsing %s: %w", feedURL, err)
		}
	}
	n := &normaliser{
		sourceID: sourceID,
		now:      now,
		feedBase: parseBase(feedURL),
	}
	f := n.feed(gf, doc, based, shape.langs, opts.MaxItems)
	f.Cut = brokeOff
	return f, nil
}

// normaliser holds what every item of one document shares.
type normaliser struct {
	sourceID   string
	now        time.Time
	feedBase   *url.URL      // the feed's URL, for relative links
	siteBase   *url.URL      // the site's URL, for HTML of items without a link
	authors    []string      // feed-level authors, inherited by items without any
	lang       string        // the feed's language (languageTag), inherited by items without their own
	ist        time.Duration // the offset of IST in the feed's dates: istFor its language
	chinese    bool          // the feed's language is Chinese: CST in its dates is China's
	philippine bool          // the feed's language is Filipino or of the Philippines: PST is theirs
	order      dayOrder      // the order of day and month in its dates in figures: feedDayOrder
}

// feed normalises gf, read from b (based: b with its xml:base as
// written), and at most maxItems of its items. entryLangs holds each Atom
// entry's own xml:lang, as fitXML found them, or nil when none has one.
func (n *normaliser) feed(gf *gofeed.Feed, b, based []byte, entryLangs []entryLang, maxItems int) *Feed {
	f := &Feed{
		Title:   truncateRunes(PlainText(gf.Title), maxTitle),
		SiteURL: n.absURL(gf.Link),
		Self:    n.absURL(gf.FeedLink),
	}
	switch {
	case gf.FeedType == "json":
		// Plain text, as an item's title is (textOrMarkup).
		f.Title = truncateRunes(textOrMarkup(gf.Title), maxTitle)
	case gf.FeedType == "atom" && strings.ContainsAny(gf.Title, "<&") && PlainText(gf.Title) != LiteralText(gf.Title) && atomTextTitle(b):
		// Read as its type says, as an entry's title is.
		f.Title = truncateRunes(LiteralText(gf.Title), maxTitle)
	}
	n.authors = personNames(gf.Authors)
	n.lang = languageTag(gf.Language)
	n.ist = istFor(gf.Language)
	n.chinese = isChinese(gf.Language)
	n.philippine = isPhilippine(gf.Language)
	dates := make([]string, 0, 2*len(gf.Items))
	for _, gi := range gf.Items {
		if gi != nil {
			dates = append(dates, gi.Published, gi.Updated)
		}
	}
	n.order = feedDayOrder(dates, gf.Language)

	var (
		rf     *rss.Feed
		af     *atom.Feed
		jf     *jsonfeed.Feed
		abouts []string
		bases  []itemBase // nil without xml:base
	)
	switch o := gf.OriginalFeed().(type) {
	case *rss.Feed:
		rf = o
		if strings.TrimSpace(o.ManagingEditor) == "" && strings.TrimSpace(o.WebMaster) != "" {
			n.authors = rssChannelAuthors(o)
		}
		// The author as written (rssAuthorText), but for the webMaster.
		itunes := ""
		if o.ITunesExt != nil {
			itunes = o.ITunesExt.Author
		}
		if text := authorText(o.ManagingEditor, o.DublinCoreExt, itunes); text != "" {
			n.authors = personNames([]*gofeed.Person{{Name: text}})
		}
		f.TTL = max(rssTTL(o.TTL), syndicationTTL(o.Extensions))
		f.SkipHours = skipHours(o.SkipHours)
		f.SkipDays = skipDays(o.SkipDays)
		f.Hub = n.absURL(atomLinkExt(o.Extensions, "hub"))
		if bases = itemBases(based, n.feedBase); len(bases) != len(o.Items) {
			bases = nil
		}
		if strings.HasPrefix(o.Version, "1.0") || strings.HasPrefix(o.Version, "0.9") {
			abouts = rdfAbouts(b)
			if len(abouts) != len(o.Items) {
				abouts = nil
			}
		}
	case *atom.Feed:
		af = o
		if bases = itemBases(based, n.feedBase); len(bases) != len(o.Entries) {
			bases = nil
		}
		f.TTL = syndicationTTL(o.Extensions)
		for _, l := range o.Links {
			if hasToken(l.Rel, "hub") && f.Hub == "" {
				f.Hub = n.absURL(l.Href)
			}
		}
		if f.SiteURL == "" {
			if l := firstAtomLink(o.Links); l != "" {
				f.SiteURL = n.absURL(l)
			}
		}
	case *jsonfeed.Feed:
		jf = o
		f.Hub = n.absURL(jsonHub(b))
		n.authors = personNames(jsonPersons(gf.Authors, o.Author, o.Authors))
	}
	f.TTL = min(f.TTL, maxTTL)
	n.siteBase = parseBase(f.SiteURL)

	titleTypes := sync.OnceValue(func() []bool { return atomTextTitles(b) })
	bodies := sync.OnceValue(func() []string { return xhtmlBodies(b) })
	created := sync.OnceValue(func() []string { return atomCreated(b) })
	if af == nil || len(entryLangs) != len(af.Entries) {
		entryLangs = nil
	}
	items := make([]aggregator.Item, 0, min(len(gf.Items), maxItems))
	seen := make(map[string][]int, len(gf.Items)) // GUID as given → indexes in items
	taken := make(map[string]bool, len(gf.Items)) // final GUIDs
	for i, gi := range gf.Items {
		if len(items) >= maxItems {
			break
		}
		src := source{gi: gi}
		switch {
		case rf != nil && i < len(rf.Items):
			src.rss = rf.Items[i]
			if abouts != nil {
				src.about = abouts[i]
			}
			if bases != nil {
				src.base = &bases[i]
			}
			// gofeed keeps an XHTML <body> as an extension, of which it
			// keeps the bare text: only an item that has one needs the
			// look at the document that reads its markup.
			if len(gi.Extensions["xhtml"]["body"]) > 0 {
				if bs := bodies(); len(bs) == len(rf.Items) {
					src.xhtmlBody = bs[i]
				}
			}
		case af != nil && i < len(af.Entries):
			src.atom = af.Entries[i]
			if entryLangs != nil {
				src.lang, src.langSaid = entryLangs[i].tag, entryLangs[i].said
			}
			if bases != nil {
				src.base = &bases[i]
			}
			// A title that reads the same as text and as HTML ("AT&T",
			// as most do) needs no look at its type, which gofeed does not
			// keep: the look reads the whole document again.
			if strings.ContainsAny(gi.Title, "<&") && PlainText(gi.Title) != LiteralText(gi.Title) {
				if types := titleTypes(); i < len(types) {
					src.literalTitle = types[i]
				}
			}
			// gofeed reads Atom 0.3's <issued> and <modified>, not its
			// <created>: only an entry it left undated needs the look.
			if gi.PublishedParsed == nil && gi.UpdatedParsed == nil {
				if cs := created(); len(cs) == len(af.Entries) {
					src.created = cs[i]
				}
			}
		case jf != nil && i < len(jf.Items):
			src.json = jf.Items[i]
		}
		it := n.item(src)
		// Duplicate GUIDs: an identical repeat collapses into the first;
		// a different entry gets a GUID of its own, derived from what
		// tells it apart, so that the same document always yields the
		// same ids.
		dup := false
		for _, j := range seen[it.GUID] {
			if items[j].Hash == it.Hash {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		given := it.GUID
		if taken[it.GUID] {
			it.GUID = given + "#" + digest(it.CanonicalLink + "\x00" + it.Title)[:12]
			if taken[it.GUID] {
				it.GUID = given + "#" + it.Hash[:12]
			}
			if taken[it.GUID] {
				continue // same link, title and hash as an earlier entry: identical after all
			}
			it.ID = aggregator.ItemID(n.sourceID, it.GUID)
		}
		taken[it.GUID] = true
		seen[given] = append(seen[given], len(items))
		items = append(items, it)
	}
	dropSharedOrigins(items)
	dateUndated(items, n.now)
	f.Items = items
	return f
}

// dropSharedOrigins drops from each item the origin links that another
// item of the feed names too. A re-post names its own original; a link
// that several of a feed's items name is a page of the site, not one
// report: the show's page under each of a podcast's episodes ("Listen"),
// a newsletter's archive under each issue, a section page under each of an
// aggregator's "Read more", a partner's credit line stuck on one article
// under every story. Taken for an original, it would put all those items
// in one story, with whatever item has that link.
func dropSharedOrigins(items []aggregator.Item) {
	named := map[string]int{}
	for _, it := range items {
		for _, o := range it.OriginLinks {
			named[o]++
		}
	}
	for i := range items {
		links := items[i].OriginLinks
		if !slices.ContainsFunc(links, func(o string) bool { return named[o] > 1 }) {
			continue
		}
		kept := make([]string, 0, len(links))
		for _, o := range links {
			if named[o] == 1 {
				kept = append(kept, o)
			}
		}
		if len(kept) == 0 {
			kept = nil
		}
		items[i].OriginLinks = kept
	}
}

// dateUndated dates the items the feed does not date. In a feed whose
// dated items stand in order of their dates, newest or oldest first, an
// item is no newer than the dated item listed on its newer side, so it
// takes that item's date, a nanosecond earlier for each place it stands
// further from it: an old post without a date in a dated feed stays among
// its neighbours instead of topping the topics on the source's first
// fetch. Other undated items are dated at the fetch, in the feed's order,
// within the fetch's second, so that a topic lists them as their feed
// does rather than by their ids. A feed whose dated items are not in order
// (featured items first, a pinned post) says nothing of its undated ones.
func dateUndated(items []aggregator.Item, now time.Time) {
	var bounded []bool // items dated by a neighbour
	if step := datedOrder(items); step != 0 {
		bounded = make([]bool, len(items))
		newer := -1 // the dated item last met, walking from the newest end
		for k := range items {
			i := k
			if step > 0 {
				i = len(items) - 1 - k
			}
			switch {
			case items[i].Dated:
				newer = i
			case newer >= 0 && items[newer].Published.Before(now):
				items[i].Published = items[newer].Published.Add(-time.Duration(max(i-newer, newer-i)))
				bounded[i] = true
			}
		}
	}
	k := time.Duration(0)
	floor := now.Truncate(time.Second)
	for i := range items {
		if items[i].Dated || bounded != nil && bounded[i] {
			continue
		}
		if t := now.Add(-k); t.After(floor) {
			items[i].Published = t
		} else {
			items[i].Published = floor
		}
		k++
	}
}

// datedOrder returns the step from an item towards its newer neighbours
// when the feed's dated items stand in order of their dates, each pair
// that follows one another the same way round: -1 when the feed lists
// them newest first, 1 when oldest first. It returns 0 for a feed with
// fewer than two dates, all the same, or dates out of order.
func datedOrder(items []aggregator.Item) int {
	down, up := 0, 0
	last := -1
	for i := range items {
		if !items[i].Dated {
			continue
		}
		if last >= 0 {
			switch a, b := items[last].Published, items[i].Published; {
			case a.After(b):
				down++
			case a.Before(b):
				up++
			}
		}
		last = i
	}
	switch {
	case down > 0 && up == 0:
		return -1
	case up > 0 && down == 0:
		return 1
	}
	return 0
}

// absURL returns ref, read as browsers read a URL (repairURL), resolved
// against the feed URL when it is absolute http(s) there, or "".
func (n *normaliser) absURL(ref string) string {
	ref = repairURL(strings.TrimSpace(cleanText(ref)))
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if !u.IsAbs() && n.feedBase != nil {
		u = n.feedBase.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !validPort(u) {
		return ""
	}
	if s := u.String(); len(s) <= maxURL {
		return s
	}
	return ""
}

// maxURL is the longest URL kept as an item's link, one of its media files
// or links to an original, or a feed's site, self or hub address. Web
// servers refuse a request line much past 8 KiB (414 URI Too Long), so a
// longer one leads nowhere; kept, a feed's links of a hundred kilobytes
// would be stored with each of its items and published with their stories
// in every topic feed that takes them.
const maxURL = 8 << 10

func firstAtomLink(links []*atom.Link) string {
	for _, l := range links {
		if l.Rel == "" || l.Rel == "alternate" {
			return l.Href
		}
	}
	return ""
}

// rssTTL reads RSS <ttl>, a number of minutes.
func rssTTL(s string) time.Duration {
	m, err := strconv.Atoi(strings.TrimSpace(s))
	if errors.Is(err, strconv.ErrRange) && m > 0 {
		return maxTTL // more minutes than an int holds: the longest, not none
	}
	if err != nil || m <= 0 {
		return 0
	}
	if m > int(maxTTL/time.Minute) {
		return maxTTL // before multiplying, which could overflow
	}
	return time.Duration(m) * time.Minute
}

// syndicationTTL reads sy:updatePeriod and sy:updateFrequency (updates per
// period, default 1).
func syndicationTTL(exts ext.Extensions) time.Duration {
	sy := exts["sy"]
	if sy == nil {
		return 0
	}
	var period time.Duration
	switch strings.ToLower(strings.TrimSpace(firstExt(sy, "updatePeriod"))) {
	case "hourly":
		period = time.Hour
	case "daily":
		period = 24 * time.Hour
	case "weekly":
		period = 7 * 24 * time.Hour
	case "monthly":
		period = 30 * 24 * time.Hour
	case "yearly":
		period = 365 * 24 * time.Hour
	default:
		return 0
	}
	freq, err := strconv.Atoi(strings.TrimSpace(firstExt(sy, "updateFrequency")))
	if errors.Is(err, strconv.ErrRange) && freq > 0 {
		return 0 // more updates a period than an int holds: as often as can be
	}
	if err != nil || freq <= 0 {
		freq = 1
	}
	return min(period/time.Duration(freq), maxTTL)
}

func firstExt(m map[string][]ext.Extension, name string) string {
	if es := m[name]; len(es) > 0 {
		return es[0].Value
	}
	return ""
}

// atomLinkExt returns the href of the first atom:link with the given rel in
// an RSS channel.
func atomLinkExt(exts ext.Extensions, rel string) string {
	for _, prefix := range []string{"atom", "atom10", "atom03"} {
		for _, l := range exts[prefix]["link"] {
			if hasToken(l.Attrs["rel"], rel) && l.Attrs["href"] != "" {
				return l.Attrs["href"]
			}
		}
	}
	return ""
}

func skipHours(in []string) []int {
	var out []int
	for _, s := range in {
		h, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || h < 0 || h > 24 {
			continue
		}
		h %= 24 // some feeds write 24 for midnight
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	slices.Sort(out)
	return out
}

var weekdays = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

func skipDays(in []string) []string {
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		for _, d := range weekdays {
			if strings.EqualFold(s, d) || (len(s) == 3 && strings.EqualFold(s, d[:3])) {
				if !slices.Contains(out, d) {
					out = append(out, d)
				}
			}
		}
	}
	return out
}

// jsonHub reads the first WebSub hub of a JSON Feed, which gofeed does not
// map.
func jsonHub(b []byte) string {
	if !bytes.Contains(b, []byte(`"hubs"`)) {
		return ""
	}
	var doc struct {
		Hubs []struct {
			Type string `json:"type"`
			URL  string `json:"url"`
		} `json:"hubs"`
	}
	if json.Unmarshal(b, &doc) != nil {
		return ""
	}
	for _, h := range doc.Hubs {
		if h.URL != "" && (h.Type == "" || strings.EqualFold(h.Type, "WebSub")) {
			return h.URL
		}
	}
	return ""
}

// atomEntries reads an Atom document's entries in order and calls child
// for each element directly inside one, with the entry's index, to read
// the element to its end (d.Skip, or elementText). It returns the number
// of entries, those before any damage to the document.
func atomEntries(doc []byte, child func(entry int, start xml.StartElement, d *xml.Decoder) error) int {
	d := feedDecoder(doc)
	n, depth, entry := 0, 0, -1 // entry: the depth of the entry open, or -1
	for {
		tok, err := d.Token()
		if err != nil {
			return n
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if entry >= 0 && depth == entry {
				if child(n-1, t, d) != nil {
					return n
				}
				continue
			}
			depth++
			if entry < 0 && t.Name.Local == "entry" {
				entry = depth
				n++
			}
		case xml.EndElement:
			if depth == entry {
				entry = -1
			}
			depth--
		}
	}
}

// elementText reads the element whose start d has just read to its end
// and returns its text, the first limit bytes of it.
func elementText(d *xml.Decoder, limit int) (string, error) {
	var text strings.Builder
	for depth := 1; depth > 0; {
		tok, err := d.Token()
		if err != nil {
			return text.String(), err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if text.Len() < limit {
				text.Write(t)
			}
		}
	}
	return text.String(), nil
}

// padTo returns s lengthened with zero values to n elements, if shorter.
func padTo[T any](s []T, n int) []T {
	for len(s) < n {
		var zero T
		s = append(s, zero)
	}
	return s
}

// atomTextTitle reports whether an Atom feed's own title is text, as
// atomTextTitles reads an entry's.
func atomTextTitle(doc []byte) bool {
	d := feedDecoder(doc)
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 1 && t.Name.Local == "title" {
				return textTitle(t)
			}
			if depth == 1 {
				if d.Skip() != nil {
					return false
				}
				continue
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
}

// textTitle reports whether the Atom title that starts with t is text:
// of the type Atom takes when none is given, "text", or a text/ media
// type, not base64.
func textTitle(t xml.StartElement) bool {
	var typ, mode string
	for _, a := range t.Attr {
		switch a.Name.Local {
		case "type":
			typ = strings.ToLower(strings.TrimSpace(a.Value))
		case "mode":
			mode = strings.ToLower(strings.TrimSpace(a.Value))
		}
	}
	return mode != "base64" && (typ == "" || typ == "text" || strings.HasPrefix(typ, "text/") && typ != "text/html")
}

// atomTextTitles reads an Atom document's entries in order and reports,
// for each, whether its title is text (the type Atom takes when none is
// given, "text", or a text/ media type, not base64), whose "<" and "&"
// gofeed has decoded into characters that are no markup.
func atomTextTitles(doc []byte) []bool {
	var out []bool
	titled := -1 // the last entry whose title was read
	n := atomEntries(doc, func(i int, t xml.StartElement, d *xml.Decoder) error {
		if t.Name.Local == "title" && titled != i {
			titled = i
			out = padTo(out, i+1)
			out[i] = textTitle(t)
		}
		return d.Skip()
	})
	return padTo(out, n)
}

// atomCreated returns the text of each Atom entry's <created>, as Atom 0.3
// dates an entry's first draft, or "" for an entry without one, in the
// order of the entries.
func atomCreated(doc []byte) []string {
	var out []string
	dated := -1 // the last entry whose <created> was read
	n := atomEntries(doc, func(i int, t xml.StartElement, d *xml.Decoder) error {
		if t.Name.Local != "created" || dated == i || t.Name.Space != "" && t.Name.Space != "http://purl.org/atom/ns#" {
			return d.Skip()
		}
		dated = i
		text, err := elementText(d, maxLooseDate)
		if err == nil {
			out = padTo(out, i+1)
			out[i] = text
		}
		return err
	})
	return padTo(out, n)
}

// entryLang is an Atom entry's own xml:lang. An entry without one (said
// false) is in its feed's language; xml:lang="" (said, tag "") says that
// its language is not known.
type entryLang struct {
	tag  string
	said bool
}

// rssChannelAuthors returns the authors of an RSS channel that names a
// webMaster and no managingEditor, as gofeed names them but for the
// webMaster, which it takes for the author before the channel's Dublin Core
// and iTunes authors. The webMaster is the address for the feed's technical
// problems, not who wrote its items: a news finder's or an agency's items
// would be published as written by it, and a podcast's episodes by it
// rather than by the show's itunes:author.
func rssChannelAuthors(rf *rss.Feed) []string {
	channel := &rss.Feed{DublinCoreExt: rf.DublinCoreExt, ITunesExt: rf.ITunesExt}
	gf, err := (&gofeed.DefaultRSSTranslator{}).Translate(channel)
	if err != nil || gf == nil {
		return nil
	}
	return personNames(gf.Authors)
}
