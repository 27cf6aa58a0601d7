package parse

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"html"
	"math"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	ext "github.com/mmcdole/gofeed/extensions"
	jsonfeed "github.com/mmcdole/gofeed/json"
	"github.com/mmcdole/gofeed/rss"
	"golang.org/x/text/language"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/internal/htmlcut"
)

const (
	maxTitle      = 300 // runes in a title
	derivedWords  = 12  // words of text that stand in for a missing title
	maxCategories = 50
	// An item or feed may name any number of authors and enclosures, and
	// every item without authors of its own takes the feed's: each list is
	// cut, so that one feed of many megabytes cannot store a copy of its
	// list with each of its items, nor spend the CPU its de-duplication
	// takes, which grows with the square of the list.
	maxAuthors    = 20
	maxEnclosures = 20
	// A GUID names an item, as its URL often: no real one is longer than
	// a URL may be (maxURL).
	maxGUID = maxURL
	// A media type's type and subtype are 127 characters at most each
	// (RFC 6838, section 4.2), and its parameters (codecs) a few dozen.
	maxMediaType = 512
)

// maxHTML is the most bytes of sanitised HTML an item keeps in its summary
// and in its content. The longest articles real feeds carry are some tens of
// kilobytes; a source that sends megabytes an item would otherwise store them
// with every item and republish them in every topic feed that takes its
// stories, fifty entries a document.
const maxHTML = 256 << 10

// Dates before minDate, or later than the fetch that read them, are taken
// to be wrong. A date still to come is a wrong time zone, a post scheduled
// ahead or a typo (2099): kept, it would place the item's story above every
// story that comes in until that date, at the top of its topics.
var minDate = time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC)

// source is one item as gofeed translated it, with the format's own item
// for the fields the translation drops.
type source struct {
	gi    *gofeed.Item
	rss   *rss.Item
	atom  *atom.Entry
	json  *jsonfeed.Item
	about string    // rdf:about of an RSS 1.0 item
	base  *itemBase // the xml:base in scope in an RSS item or Atom entry, when its document has any
	// xhtmlBody is the HTML of an RSS item's XHTML <body>, when it has one.
	xhtmlBody string
	// literalTitle is set for an Atom entry whose title is of type text:
	// its "<" and "&" are characters, not markup.
	literalTitle bool
	// created is the text of an Atom 0.3 entry's <created>, which gofeed
	// does not read, when gofeed read no other date of the entry.
	created string
	// lang is an Atom entry's own xml:lang, which gofeed does not read;
	// langSaid is set when the entry has one, also xml:lang="", which says
	// its language is not known rather than the feed's.
	lang     string
	langSaid bool
}

func (n *normaliser) item(s source) aggregator.Item {
	gi := s.gi
	it := aggregator.Item{SourceID: n.sourceID, FirstSeen: n.now}

	// Link: the item's link, else an RSS permalink GUID, else an Atom
	// link of any relation, else rdf:about.
	link := n.absURL(gi.Link)
	if link == "" && s.rss != nil && s.rss.GUID != nil && !strings.EqualFold(strings.TrimSpace(s.rss.GUID.IsPermalink), "false") {
		link = n.absURL(httpOnly(s.rss.GUID.Value))
	}
	if link == "" {
		for _, l := range gi.Links {
			if link = n.absURL(l); link != "" {
				break
			}
		}
	}
	if link == "" && s.about != "" {
		link = n.absURL(httpOnly(s.about))
	}
	it.Link = link
	it.CanonicalLink = CanonicalURL(link)

	// Relative URLs in the HTML are resolved against the xml:base in
	// scope where it stands, else against the item's own page, where the
	// HTML came from: feeds are often served from another host (a feed
	// service, a CDN) than the site. gofeed has already applied an Atom
	// xml:base to the URLs it knows. Without a link, the site, then the
	// feed URL, serve.
	base := parseBase(link)
	if base == nil {
		base = n.siteBase
	}
	if base == nil {
		base = n.feedBase
	}
	summaryBase, contentBase := base, base
	if b := s.base; b != nil {
		if b.summary != nil {
			summaryBase = b.summary
		}
		if b.content != nil {
			contentBase = b.content
		}
	}
	rawSummary, rawContent := gi.Description, gi.Content
	switch {
	case s.json != nil:
		rawSummary = textToHTML(s.json.Summary)
		rawContent = s.json.ContentHTML
		if rawContent == "" {
			rawContent = textToHTML(s.json.ContentText)
		}
	case s.atom != nil && s.atom.Content != nil:
		if t := strings.ToLower(s.atom.Content.Type); t == "text" || t == "text/plain" {
			rawContent = textToHTML(s.atom.Content.Value)
		}
	}
	if s.rss != nil && strings.TrimSpace(rawContent) == "" {
		if body := rssBody(s.rss, s.xhtmlBody); body != "" {
			rawContent = body
		}
	}
	rawSummary, rawContent = withAlertArea(gi.Extensions, rawSummary, rawContent)
	// The picture is found first: its alt text, a Media RSS description
	// of the picture, is not the item's text as well.
	lead, leadAlt := leadImage(s, contentBase)
	if strings.TrimSpace(rawSummary) == "" && strings.TrimSpace(rawContent) == "" {
		rawSummary = mediaDescription(gi.Extensions)
	}
	var anchors []anchor
	it.Summary = htmlcut.Cut(sanitize(rawSummary, summaryBase, &anchors), maxHTML)
	it.Content = htmlcut.Cut(sanitize(rawContent, contentBase, &anchors), maxHTML)
	if it.Summary == it.Content {
		it.Summary = ""
	}
	// A picture that the feed gives beside the text (Media RSS, JSON Feed's
	// image), and not in it, leads the HTML a reader shows, the content or
	// else the summary: readers show the source's item with it.
	if lead != "" {
		shown := &it.Content
		if it.Content == "" && it.Summary != "" {
			shown = &it.Summary
		}
		if !strings.Contains(*shown, "<img") {
			*shown = lead + *shown
		}
	}

	switch {
	case s.literalTitle:
		it.Title = truncateRunes(LiteralText(gi.Title), maxTitle)
	case s.json != nil:
		// JSON Feed's title is plain text: markup in it is a source's
		// HTML left in, its other "<" and "&" characters ("Vec<T>").
		it.Title = truncateRunes(textOrMarkup(gi.Title), maxTitle)
	default:
		it.Title = truncateRunes(PlainText(gi.Title), maxTitle)
	}
	if it.Title == "" {
		it.Title = truncateRunes(mediaTitle(gi.Extensions), maxTitle)
	}
	if it.Title == "" {
		text := it.Content
		if text == "" {
			text = it.Summary
		}
		it.Title = firstWords(PlainText(text), derivedWords)
	}
	if it.Title == "" {
		// A post of a picture alone (Mastodon's) is titled by what its
		// alt text says the picture shows.
		it.Title = firstWords(leadAlt, derivedWords)
	}

	it.Authors = personNames(gi.Authors)
	if len(it.Authors) == 0 && gi.Author != nil {
		it.Authors = personNames([]*gofeed.Person{gi.Author})
	}
	if text := rssAuthorText(s.rss); text != "" {
		it.Authors = personNames([]*gofeed.Person{{Name: text}})
	}
	if s.json != nil {
		if as := personNames(jsonPersons(gi.Authors, s.json.Author, s.json.Authors)); len(as) > 0 {
			it.Authors = as
		}
	}
	if creators := rssCreators(s.rss); len(creators) > 1 {
		it.Authors = creators
	}
	if len(it.Authors) == 0 {
		it.Authors = mediaAuthors(gi.Extensions)
	}
	if len(it.Authors) == 0 {
		it.Authors = n.authors
	}
	cats := gi.Categories
	if ic := itunesCategories(gi.Extensions); len(ic) > 0 {
		cats = slices.Concat(cats, ic)
	}
	if event := alertEvent(gi.Extensions); event != "" {
		cats = append(cats, event)
	}
	it.Categories = categories(cats)
	if s.atom != nil {
		it.CategoryTerms = atomTerms(s.atom.Categories, it.Categories)
	}
	var enclosureBase *url.URL
	if s.base != nil {
		enclosureBase = s.base.item
	}
	encs := append(gi.Enclosures, moduleEnclosures(gi.Extensions)...)
	if m := gi.Extensions["media"]; m != nil {
		// A relative Media RSS URL resolves as the item's picture's does.
		mediaBase := enclosureBase
		if mediaBase == nil {
			mediaBase = base
		}
		encs = withMediaFiles(encs, m, mediaBase)
	}
	it.Enclosures = n.enclosures(encs, enclosureBase)

	// Origin: credit lines in the HTML, the one link that is all its text,
	// the page a link aggregator's post is of, a <link rel="canonical"> in
	// it, Atom's <source>, RSS's <source url>, JSON Feed's external_url.
	// A redirect link stands for the page it leads to as well.
	var extra []string
	leadsTo := func(href string) {
		if to, ok := redirectTarget(href); ok {
			extra = append(extra, to)
		}
	}
	if href, ok := soleLink(it.Title, it.Summary, it.Content, anchors); ok {
		extra = append(extra, href)
		leadsTo(href)
	}
	if href, ok := postedLink(anchors); ok {
		extra = append(extra, href)
		leadsTo(href)
	}
	leadsTo(it.Link)
	extra = append(extra, canonicalInHTML(rawContent, contentBase)...)
	extra = append(extra, canonicalInHTML(rawSummary, summaryBase)...)
	switch {
	case s.atom != nil && s.atom.Source != nil:
		if l := firstAtomLink(s.atom.Source.Links); l != "" {
			extra = append(extra, n.absURL(l))
		}
	case s.rss != nil && s.rss.Source != nil:
		extra = append(extra, n.absURL(s.rss.Source.URL))
	case s.json != nil && s.json.ExternalURL != "":
		extra = append(extra, n.absURL(s.json.ExternalURL))
	}
	it.OriginLinks = originLinks(it.CanonicalLink, anchors, extra)

	// Times. A date in another language or another form that gofeed
	// cannot read is read here (looseDate); Dublin Core's terms (dcterms:issued, dcterms:modified),
	// which gofeed leaves among the extensions, stand in for missing ones.
	// A date in figures whose day and month could each be the other is
	// read here too, as the feed orders them (eitherOrder).
	pubParsed, updParsed := gi.PublishedParsed, gi.UpdatedParsed
	if eitherOrder(gi.Published) {
		pubParsed = nil
	}
	if eitherOrder(gi.Updated) {
		updParsed = nil
	}
	published, updated := zoned(gi.Published, pubParsed, n.ist), zoned(gi.Updated, updParsed, n.ist)
	if published == nil {
		published = looseDate(gi.Published, n.ist, n.order)
	}
	if updated == nil {
		updated = looseDate(gi.Updated, n.ist, n.order)
	}
	if n.chinese {
		published, updated = chinaTime(gi.Published, published), chinaTime(gi.Updated, updated)
	}
	if n.philippine {
		published, updated = philippineTime(gi.Published, published), philippineTime(gi.Updated, updated)
	}
	if published == nil {
		published = termsDate(gi.Extensions, "issued", "created", "date")
	}
	if updated == nil {
		updated = termsDate(gi.Extensions, "modified")
	}
	if published == nil && updated == nil && s.created != "" {
		// Atom 0.3's <created>, the date of the entry's first draft,
		// dates an entry that has no <issued> or <modified> it can read.
		if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s.created)); err == nil {
			published = &t
		} else {
			published = looseDate(s.created, n.ist, n.order)
		}
	}
	if t, ok := n.sane(published); ok {
		it.Published, it.Dated = t, true
	} else if t, ok := n.sane(updated); ok {
		it.Published, it.Dated = t, true
	} else {
		it.Published = n.now
	}
	if t, ok := n.sane(updated); ok {
		it.Updated = t
	}

	// GUID: the feed's, else RSS 1.0's rdf:about, else the canonical
	// link, else a digest of the text.
	it.GUID = strings.TrimSpace(cleanText(gi.GUID))
	if it.GUID == "" {
		it.GUID = strings.TrimSpace(cleanText(s.about))
	}
	if it.GUID == "" {
		it.GUID = it.CanonicalLink
	}
	if it.GUID == "" {
		it.GUID = "sha256:" + digest(it.Title + "\x00" + it.Summary + "\x00" + it.Content)[:32]
	}
	if len(it.GUID) > maxGUID {
		// Its digest tells the item apart as well, where the GUID would
		// be stored with the item, and exported, at any length.
		it.GUID = "sha256:" + digest(it.GUID)[:32]
	}
	it.ID = aggregator.ItemID(n.sourceID, it.GUID)
	it.Hash = it.EditHash()

	// Language: an Atom entry's xml:lang, a JSON Feed item's language or
	// an RSS item's dc:language, else the feed's, unless the entry's
	// xml:lang is "", XML's word for a language not known.
	it.Language = languageTag(s.lang)
	if s.json != nil && it.Language == "" {
		it.Language = languageTag(s.json.Language)
	}
	if it.Language == "" && gi.DublinCoreExt != nil && len(gi.DublinCoreExt.Language) > 0 {
		it.Language = languageTag(gi.DublinCoreExt.Language[0])
	}
	if !(s.langSaid && strings.TrimSpace(s.lang) == "") {
		it.Language = cmp.Or(it.Language, n.lang)
	}
	return it
}

// maxLanguageTag bounds a language tag kept: BCP 47 tags in use are a few
// characters long.
const maxLanguageTag = 35

// languageTag returns tag, a language as a feed declares it ("en-us",
// "pt_BR", " ar "), as a BCP 47 tag in canonical form ("en-US", "pt-BR",
// "ar"), or "" when it is none.
func languageTag(tag string) string {
	tag = strings.ReplaceAll(strings.TrimSpace(tag), "_", "-")
	if tag == "" || len(tag) > maxLanguageTag {
		return ""
	}
	parsed, err := language.Parse(tag)
	if err != nil || parsed == language.Und {
		return ""
	}
	return parsed.String()
}

// zoneOffsets are the offsets of the time zone abbreviations that feeds
// write in dates and gofeed does not know, reading their times as UTC:
// each stands for one zone (not IST, which is India's, Ireland's or
// Israel's: istFor; nor ECT or SST, which feeds write for zones hours
// apart: Ecuador's or the Caribbean's, Samoa's or Singapore's). AST is
// Atlantic Standard Time, as the time zone database, and so Go, PHP and
// Java, write it; Arabia's is "+03" there. A date in Arabia's read so
// comes out later than it is, mostly later than the fetch, and falls back
// to it, where the other reading would date Atlantic items hours early.
var zoneOffsets = map[string]time.Duration{
	"AKST": -9 * time.Hour, "AKDT": -8 * time.Hour, "HST": -10 * time.Hour,
	"NST": -3*time.Hour - 30*time.Minute, "NDT": -2*time.Hour - 30*time.Minute,
	"AST": -4 * time.Hour, "ADT": -3 * time.Hour,
	"BRT": -3 * time.Hour, "BRST": -2 * time.Hour, "ART": -3 * time.Hour, "UYT": -3 * time.Hour,
	"CLT": -4 * time.Hour, "CLST": -3 * time.Hour, "VET": -4 * time.Hour, "BOT": -4 * time.Hour,
	"COT": -5 * time.Hour, "PET": -5 * time.Hour,
	"WAT": time.Hour, "CAT": 2 * time.Hour, "SAST": 2 * time.Hour, "EAT": 3 * time.Hour,
	"MSK": 3 * time.Hour, "TRT": 3 * time.Hour, "IDT": 3 * time.Hour,
	"IRST": 3*time.Hour + 30*time.Minute, "IRDT": 4*time.Hour + 30*time.Minute, "GST": 4 * time.Hour,
	"AFT": 4*time.Hour + 30*time.Minute, "PKT": 5 * time.Hour, "UZT": 5 * time.Hour,
	"SLST": 5*time.Hour + 30*time.Minute, "NPT": 5*time.Hour + 45*time.Minute,
	"MMT": 6*time.Hour + 30*time.Minute, "ICT": 7 * time.Hour, "WIB": 7 * time.Hour,
	"HKT": 8 * time.Hour, "SGT": 8 * time.Hour, "PHT": 8 * time.Hour, "AWST": 8 * time.Hour,
	"MYT": 8 * time.Hour, "WITA": 8 * time.Hour, "WIT": 9 * time.Hour,
	"JST": 9 * time.Hour, "KST": 9 * time.Hour,
	"ACST": 9*time.Hour + 30*time.Minute, "ACDT": 10*time.Hour + 30*time.Minute,
	"AEST": 10 * time.Hour, "AEDT": 11 * time.Hour,
	"NZST": 12 * time.Hour, "NZDT": 13 * time.Hour,
	"MEZ": time.Hour, // German for CET
}

// gmtOffset returns the offset of a zone written as one from GMT or UTC
// ("GMT+2", "UTC-03:00", "GMT+0530"), which gofeed reads as UTC itself.
func gmtOffset(zone string) (time.Duration, bool) {
	var rest string
	for _, p := range []string{"GMT", "UTC", "UT"} {
		if r, ok := strings.CutPrefix(zone, p); ok {
			rest = r
			break
		}
	}
	if len(rest) < 2 || (rest[0] != '+' && rest[0] != '-') {
		return 0, false
	}
	sign := time.Duration(1)
	if rest[0] == '-' {
		sign = -1
	}
	hh, mm, colon := rest[1:], "", false
	if i := strings.IndexByte(hh, ':'); i >= 0 {
		hh, mm, colon = hh[:i], hh[i+1:], true
	} else if len(hh) > 2 {
		hh, mm = hh[:len(hh)-2], hh[len(hh)-2:]
	}
	h, err := strconv.Atoi(hh)
	if err != nil || len(hh) > 2 || h > 14 {
		return 0, false
	}
	m := 0
	if mm != "" || colon {
		if m, err = strconv.Atoi(mm); err != nil || len(mm) != 2 || m > 59 {
			return 0, false
		}
	}
	return sign * (time.Duration(h)*time.Hour + time.Duration(m)*time.Minute), true
}

// zoned returns t, gofeed's reading of the date raw, moved by the offset
// of the zone abbreviation (or offset from GMT) raw ends in when gofeed
// read it as UTC: a time of 08:00 JST is 23:00 UTC the day before, not
// 08:00 UTC. IST is ist. So is an offset in figures written where the
// abbreviation goes ("2026-03-01 17:00:00 +08"), as Go and PHP write the
// zones that have none, Singapore's, Dubai's or Buenos Aires's.
func zoned(raw string, t *time.Time, ist time.Duration) *time.Time {
	if t == nil {
		return nil
	}
	raw = strings.TrimSpace(raw)
	i := strings.LastIndexAny(raw, " \t")
	if i < 0 {
		return t
	}
	off, ok := zoneOffsets[raw[i+1:]]
	if !ok && raw[i+1:] == "IST" {
		off, ok = ist, true
	}
	if !ok {
		off, ok = gmtOffset(raw[i+1:])
	}
	if _, z := t.Zone(); !ok && z == 0 && (raw[i+1] == '+' || raw[i+1] == '-') {
		off, ok = gmtOffset("UTC" + raw[i+1:])
	}
	// gofeed read the clock as UTC when the time it gives shows it.
	if !ok || !strings.Contains(raw[:i], t.UTC().Format("15:04")) {
		return t
	}
	u := t.Add(-off)
	return &u
}

// sane returns t in UTC when it is a plausible publication time.
func (n *normaliser) sane(t *time.Time) (time.Time, bool) {
	if t == nil || t.IsZero() {
		return time.Time{}, false
	}
	u := t.UTC()
	if u.Before(minDate) || u.After(n.now) {
		return time.Time{}, false
	}
	return u, true
}

// enclosures returns the distinct enclosures with a URL, resolved against
// base, the xml:base in scope, when it is not nil.
func (n *normaliser) enclosures(in []*gofeed.Enclosure, base *url.URL) []aggregator.Enclosure {
	var out []aggregator.Enclosure
	for _, e := range in {
		if len(out) == maxEnclosures {
			break
		}
		if e == nil {
			continue
		}
		ref := e.URL
		if base != nil {
			ref = resolve(base, repairURL(cleanText(ref)))
		}
		u := n.absURL(ref)
		if u == "" {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || o.URL == u
		}
		if dup {
			continue
		}
		// A length past what an int64 holds is no file's: unknown, as an
		// unreadable one is, rather than the largest int64 ParseInt gives.
		length, err := strconv.ParseInt(strings.TrimSpace(e.Length), 10, 64)
		if err != nil {
			length = 0
		}
		typ := strings.ToLower(PlainText(e.Type))
		if len(typ) > maxMediaType {
			// No media type: the file is typed by its extension, as one
			// without a type is.
			typ = ""
		}
		out = append(out, aggregator.Enclosure{
			URL:    u,
			Type:   typ,
			Length: max(length, 0),
		})
	}
	return out
}

// httpOnly returns s when it looks like an absolute http(s) URL, or "".
func httpOnly(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 8 && (strings.EqualFold(s[:7], "http://") || strings.EqualFold(s[:8], "https://")) {
		return s
	}
	return ""
}

// textToHTML turns plain text into HTML: escaped, paragraphs at blank
// lines, line breaks at single newlines.
// termsDate returns the first of the named Dublin Core terms (dcterms:
// elements) that holds a W3C date and time, as the terms write them
// ("2003-12-31T10:14:55Z", "2003-12-31T10:14+01:00", "2003-12-31"), or nil.
func termsDate(exts ext.Extensions, names ...string) *time.Time {
	terms := exts["dcterms"]
	for _, name := range names {
		for _, e := range terms[name] {
			v := strings.TrimSpace(e.Value)
			for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02"} {
				if t, err := time.Parse(layout, v); err == nil {
					return &t
				}
			}
		}
	}
	return nil
}

// mediaDescription returns, as HTML, an item's Media RSS description
// (media:description, on its own or in a media:group or a media:content):
// feeds of videos, YouTube's among them, carry their text there and
// nowhere else. It is plain text unless its type says html.
//
// The description of a picture (an image media:content's) is not the
// item's text: it says what the picture shows, for readers who cannot see
// it (Mastodon's alt text), and goes with the picture (leadImage).
func mediaDescription(exts ext.Extensions) string {
	m := exts["media"]
	if m == nil {
		return ""
	}
	for _, h := range mediaElements(m, "description", true) {
		for _, d := range h {
			if strings.TrimSpace(d.Value) == "" {
				continue
			}
			if strings.EqualFold(strings.TrimSpace(d.Attrs["type"]), "html") {
				return d.Value
			}
			return textToHTML(d.Value)
		}
	}
	return ""
}

// withAlertArea returns an item's summary and content with the areas a
// Common Alerting Protocol alert is for (cap:areaDesc, as a weather
// service's feed of alerts gives each entry) after its text, the
// content's, else the summary's: such a feed titles an alert by its kind
// and its issuer alone ("Winter Storm Warning issued … by NWS …"), and its
// summary may be cut before the areas, so that a reader could not tell one
// county's warning from its neighbour's, nor could dedup. Text without
// markup ends with them, in its paragraph ("… Areas: Cedar; Dunmore."),
// where a line of names of its own would be taken for a credit and left
// out of what is compared; HTML takes a paragraph of them. A text that
// holds the areas already is left as it is.
func withAlertArea(exts ext.Extensions, summary, content string) (string, string) {
	area := strings.TrimRight(strings.TrimSpace(firstExt(exts["cap"], "areaDesc")), ".")
	if area == "" {
		return summary, content
	}
	text := &content
	if strings.TrimSpace(content) == "" {
		text = &summary
	}
	if namesAreas(*text, area) {
		return summary, content
	}
	areas := "Areas: " + html.EscapeString(area) + "."
	switch t := strings.TrimSpace(*text); {
	case t == "":
		*text = "<p>" + areas + "</p>"
	case !strings.Contains(t, "<"):
		// Read as HTML all the same: one paragraph.
		*text = "<p>" + t + " " + areas + "</p>"
	default:
		*text += "<p>" + areas + "</p>"
	}
	return summary, content
}

// namesAreas reports whether text names every area of an alert's
// areaDesc ("Cedar; Dunmore"), in any case: an alert that shouts them
// ("WHERE...CEDAR AND DUNMORE COUNTIES") names them too.
func namesAreas(text, areaDesc string) bool {
	folded := strings.ToLower(text)
	for a := range strings.SplitSeq(areaDesc, ";") {
		a = strings.ToLower(strings.TrimSpace(a))
		if a != "" && !strings.Contains(folded, a) && !strings.Contains(folded, html.EscapeString(a)) {
			return false
		}
	}
	return true
}

// moduleEnclosures returns the enclosures that an item gives in the
// enclosure module of RSS 1.0 (<enc:enclosure rdf:resource="…"
// enc:type="image/jpeg"/>, as classified ads' RDF feeds give each ad's
// picture), which gofeed leaves among the extensions: RSS 1.0 has no
// <enclosure> of its own.
func moduleEnclosures(exts ext.Extensions) []*gofeed.Enclosure {
	var out []*gofeed.Enclosure
	for _, e := range exts["enc"]["enclosure"] {
		u := e.Attrs["resource"]
		if u == "" {
			u = e.Attrs["url"]
		}
		if strings.TrimSpace(u) != "" {
			out = append(out, &gofeed.Enclosure{URL: u, Type: e.Attrs["type"], Length: e.Attrs["length"]})
		}
	}
	return out
}

// alertEvent returns the kind of a Common Alerting Protocol alert
// (cap:event: "Winter Storm Warning", "Flood Watch"), which an item takes
// as a category, so that a topic can take a kind of alert by its sources'
// categories.
func alertEvent(exts ext.Extensions) string {
	return strings.TrimSpace(firstExt(exts["cap"], "event"))
}

// mediaElements returns the Media RSS elements of one name that an item
// may hold, most direct first: in the item, then in each media:group and
// media:content, then in the media:content of each of those. With
// notInImages, those in a media:content that is a picture are left out.
func mediaElements(m map[string][]ext.Extension, name string, notInImages bool) [][]ext.Extension {
	found := [][]ext.Extension{m[name]}
	for i, parent := range [][]ext.Extension{m["group"], m["content"]} {
		for _, p := range parent {
			if i == 0 || !notInImages || mediaKind(p) != "image" {
				found = append(found, p.Children[name])
			}
			for _, c := range p.Children["content"] {
				if !notInImages || mediaKind(c) != "image" {
					found = append(found, c.Children[name])
				}
			}
		}
	}
	return found
}

// mediaTitle returns, as plain text, the Media RSS title of an item
// (media:title, in the item, else in its media:group or media:content), or
// "". A podcast or video feed may title its items there alone.
func mediaTitle(exts ext.Extensions) string {
	m := exts["media"]
	if m == nil {
		return ""
	}
	for _, h := range mediaElements(m, "title", false) {
		for _, e := range h {
			var t string
			if strings.EqualFold(strings.TrimSpace(e.Attrs["type"]), "html") {
				t = PlainText(e.Value)
			} else {
				t = LiteralText(e.Value)
			}
			if t != "" {
				return t
			}
		}
	}
	return ""
}

// maxImageURL is the longest URL leadImage takes: a picture's address
// runs to a few hundred bytes.
const maxImageURL = 2048

// leadImage returns, as sanitised HTML (<img src="…">), the picture a feed
// gives an item beside its text, or "": a JSON Feed item's image, else, in
// Media RSS, the first media:content that is an image (mediaKind), else
// the first media:thumbnail, on its own, in a media:group or in a
// media:content (a video's still), the widest of each first, but for an
// icon or avatar (iconSized). A relative
// URL resolves against base. An image media:content's own
// media:description says what the picture shows (Mastodon gives a post's
// pictures their alt text so): the picture carries it as its alt text,
// which leadImage returns too, as plain text.
func leadImage(s source, base *url.URL) (img, alt string) {
	type picture struct{ url, alt string }
	var candidates []picture
	if s.json != nil {
		candidates = append(candidates, picture{url: s.json.Image})
	}
	m := s.gi.Extensions["media"]
	if m == nil && len(candidates) == 0 {
		return "", ""
	}
	contents := m["content"]
	for _, g := range m["group"] {
		contents = append(contents, g.Children["content"]...)
	}
	var images []ext.Extension
	for _, c := range contents {
		if mediaKind(c) == "image" {
			images = append(images, c)
		}
	}
	thumbs := slices.Clone(m["thumbnail"])
	for _, g := range m["group"] {
		thumbs = append(thumbs, g.Children["thumbnail"]...)
	}
	for _, c := range contents {
		thumbs = append(thumbs, c.Children["thumbnail"]...)
	}
	// A feed may give one picture in several sizes (a 140 and a 460 pixel
	// wide one): the widest goes first, then the order of the feed.
	for i, list := range [][]ext.Extension{images, thumbs} {
		slices.SortStableFunc(list, func(a, b ext.Extension) int { return cmp.Compare(mediaWidth(b), mediaWidth(a)) })
		for _, e := range list {
			if iconSized(e) {
				continue
			}
			p := picture{url: e.Attrs["url"]}
			if i == 0 {
				p.alt = altText(e)
			}
			candidates = append(candidates, p)
		}
	}
	for _, p := range candidates {
		u := strings.TrimSpace(p.url)
		if u == "" || len(u) > maxImageURL {
			continue
		}
		tag := `<img src="` + html.EscapeString(u) + `"`
		if p.alt != "" {
			tag += ` alt="` + html.EscapeString(p.alt) + `"`
		}
		// The sanitiser makes the URL absolute and drops one that is no
		// http(s) URL, as it does in the item's own HTML.
		if img := sanitize(tag+">", base, nil); strings.Contains(img, " src=") {
			return img, p.alt
		}
	}
	return "", ""
}

// mediaWidth is the width a Media RSS element gives its picture, in
// pixels, or 0.
func mediaWidth(e ext.Extension) int { return mediaSize(e, "width") }

// mediaSize is the width or height (attr) a Media RSS element gives its
// picture, in pixels, or 0.
func mediaSize(e ext.Extension, attr string) int {
	w, err := strconv.Atoi(strings.TrimSpace(e.Attrs[attr]))
	if err != nil || w < 0 {
		return 0
	}
	return w
}

// maxIcon is the most pixels each way of a picture that is an icon rather
// than an item's picture.
const maxIcon = 64

// iconSized reports whether a Media RSS picture is declared maxIcon
// pixels or less each way: an icon or an avatar, such as the 30-pixel
// picture of its author that a code host gives each release and commit,
// which is no picture of the item and would lead every entry of the feed.
func iconSized(e ext.Extension) bool {
	w, h := mediaWidth(e), mediaSize(e, "height")
	return w > 0 && h > 0 && w <= maxIcon && h <= maxIcon
}

// maxAlt is the most characters of alt text a picture keeps: Mastodon
// allows 1,500.
const maxAlt = 2000

// altText returns, as plain text, the first media:description of a Media
// RSS picture that says something, or "".
func altText(e ext.Extension) string {
	for _, d := range e.Children["description"] {
		var t string
		if strings.EqualFold(strings.TrimSpace(d.Attrs["type"]), "html") {
			t = PlainText(d.Value)
		} else {
			t = LiteralText(d.Value)
		}
		if t != "" {
			return truncateRunes(t, maxAlt)
		}
	}
	return ""
}

// mediaKind returns what a Media RSS media:content holds, "image",
// "audio" or "video", by its medium, else its type, else the extension of
// its file; or "" when it says none of them (a document, say). An audio/
// or video/ type goes before the medium: Mastodon gives a GIF that it
// turned into a looping video medium="image" and type="video/mp4", a file
// that no <img> shows.
func mediaKind(c ext.Extension) string {
	typ := strings.ToLower(strings.TrimSpace(c.Attrs["type"]))
	switch {
	case strings.HasPrefix(typ, "video/"):
		return "video"
	case strings.HasPrefix(typ, "audio/"):
		return "audio"
	}
	switch medium := strings.ToLower(strings.TrimSpace(c.Attrs["medium"])); medium {
	case "image", "audio", "video":
		return medium
	case "":
	default:
		return ""
	}
	switch {
	case strings.HasPrefix(typ, "image/"):
		return "image"
	case typ == "":
		return fileKind(c.Attrs["url"])
	}
	return ""
}

// fileKind returns "image", "audio" or "video" when URL u names a file of
// that kind by its extension, as feeds that give a media:content no
// medium or type do (".../master/3000.jpg?width=140"), or "".
func fileKind(u string) string {
	pu, err := url.Parse(strings.TrimSpace(u))
	if err != nil {
		return ""
	}
	switch strings.ToLower(path.Ext(pu.Path)) {
	case ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif":
		return "image"
	case ".mp3", ".m4a", ".aac", ".oga", ".ogg", ".opus", ".flac", ".wav":
		return "audio"
	case ".mp4", ".m4v", ".webm", ".mov":
		return "video"
	}
	return ""
}

// withMediaFiles returns an item's enclosures with the audio and video its
// Media RSS gives: each media:content on its own is one file, and a
// media:group one file in several versions (bitrates, sizes, types) of
// which the one the feed marks isDefault goes, else the largest.
// Pictures are left out: the item's picture leads its HTML (leadImage),
// and published twice, as an enclosure too, it would show twice. So is
// audio, or video, when the item's own enclosures carry some already, or
// a file they do not say the kind of: a podcast gives its episode in an
// <enclosure> and in a media:content, often under two addresses. The
// files follow the item's own enclosures, unless those are pictures
// alone: RSS publishes one enclosure an item, the first, which is then
// the video. A relative URL resolves against base.
func withMediaFiles(encs []*gofeed.Enclosure, m map[string][]ext.Extension, base *url.URL) []*gofeed.Enclosure {
	if len(m["content"]) == 0 && len(m["group"]) == 0 {
		return encs
	}
	hasAudio, hasVideo, pictures := false, false, 0
	for _, e := range encs {
		if e == nil {
			continue
		}
		kind := ""
		switch typ := strings.ToLower(strings.TrimSpace(e.Type)); {
		case strings.HasPrefix(typ, "audio/"):
			kind = "audio"
		case strings.HasPrefix(typ, "video/"):
			kind = "video"
		case strings.HasPrefix(typ, "image/"):
			kind = "image"
		default:
			kind = fileKind(e.URL)
		}
		hasAudio = hasAudio || kind == "audio" || kind == ""
		hasVideo = hasVideo || kind == "video" || kind == ""
		if kind == "image" {
			pictures++
		}
	}
	var files []*gofeed.Enclosure
	add := func(versions []ext.Extension) {
		if len(files) >= maxEnclosures {
			return
		}
		var best *ext.Extension
		bestKind := ""
		for i := range versions {
			c := &versions[i]
			kind := mediaKind(*c)
			if kind == "audio" && hasAudio || kind == "video" && hasVideo ||
				kind != "audio" && kind != "video" || strings.TrimSpace(c.Attrs["url"]) == "" {
				continue
			}
			if best == nil || betterVersion(*c, kind, *best, bestKind) {
				best, bestKind = c, kind
			}
		}
		if best != nil {
			u := resolve(base, repairURL(cleanText(best.Attrs["url"])))
			files = append(files, &gofeed.Enclosure{URL: u, Type: best.Attrs["type"], Length: best.Attrs["fileSize"]})
		}
	}
	for _, c := range m["content"] {
		add([]ext.Extension{c})
	}
	for _, g := range m["group"] {
		add(g.Children["content"])
	}
	switch {
	case len(files) == 0:
		return encs
	case pictures > 0 && pictures == len(encs):
		return slices.Concat(files, encs)
	}
	return slices.Concat(encs, files)
}

// betterVersion reports whether version a of one media file (kind ka) is
// the one to take rather than b (kind kb): a video rather than its sound
// alone, then the one the feed marks isDefault, then the larger file, the
// higher bitrate, the more pixels.
func betterVersion(a ext.Extension, ka string, b ext.Extension, kb string) bool {
	if ka != kb {
		return ka == "video"
	}
	isDefault := func(e ext.Extension) bool { return strings.EqualFold(strings.TrimSpace(e.Attrs["isDefault"]), "true") }
	if da, db := isDefault(a), isDefault(b); da != db {
		return da
	}
	num := func(e ext.Extension, name string) float64 {
		f, err := strconv.ParseFloat(strings.TrimSpace(e.Attrs[name]), 64)
		if err != nil || !(f > 0) || math.IsInf(f, 1) {
			return 0
		}
		return f
	}
	for _, size := range []func(ext.Extension) float64{
		func(e ext.Extension) float64 { return num(e, "fileSize") },
		func(e ext.Extension) float64 { return num(e, "bitrate") },
		func(e ext.Extension) float64 { return num(e, "width") * num(e, "height") },
	} {
		if sa, sb := size(a), size(b); sa != sb {
			return sa > sb
		}
	}
	return false
}

func textToHTML(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	s = html.EscapeString(strings.ReplaceAll(s, "\r\n", "\n"))
	paras := strings.Split(s, "\n\n")
	var b strings.Builder
	for _, p := range paras {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(p, "\n", "<br>"))
		b.WriteString("</p>")
	}
	return b.String()
}

// rssAuthorText returns an RSS item's author as written, from the first
// of author, dc:author, dc:creator and itunes:author that has one, where
// gofeed takes its author: gofeed reads a name and an address out of it
// in two forms alone and leaves out the rest, "Jane Doe (Reuters)" among
// them, which authorName reads.
func rssAuthorText(it *rss.Item) string {
	if it == nil {
		return ""
	}
	itunes := ""
	if it.ITunesExt != nil {
		itunes = it.ITunesExt.Author
	}
	return authorText(it.Author, it.DublinCoreExt, itunes)
}

// authorText returns the first of author, the Dublin Core author, the
// Dublin Core creator and itunes that is not empty, as gofeed picks an RSS
// item's or channel's author, or "": the first that names a person, when
// one before it is an address alone (<author>jane@x.example</author> and
// <dc:creator>Jane Doe</dc:creator>), as RSS 2.0 asks for an address there.
func authorText(author string, dc *ext.DublinCoreExtension, itunes string) string {
	texts := []string{author}
	if dc != nil {
		if dc.Author != nil {
			texts = append(texts, firstOf(dc.Author))
		} else if dc.Creator != nil {
			texts = append(texts, firstOf(dc.Creator))
		}
	}
	texts = append(texts, itunes)
	first := ""
	for _, t := range texts {
		if t == "" {
			continue
		}
		if name, _ := Author(t); name != "" {
			return t
		}
		first = cmp.Or(first, t)
	}
	return first
}

func firstOf(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

// rssCreators returns the names of an RSS item's authors when it names
// them as Dublin Core creators, one dc:creator each, and nothing else
// (author, dc:author) goes before them: gofeed takes the first alone.
func rssCreators(it *rss.Item) []string {
	if it == nil || strings.TrimSpace(it.Author) != "" || it.DublinCoreExt == nil || len(it.DublinCoreExt.Author) > 0 {
		return nil
	}
	var ps []*gofeed.Person
	for _, c := range it.DublinCoreExt.Creator {
		ps = append(ps, &gofeed.Person{Name: c})
	}
	return personNames(ps)
}

// mediaAuthors returns the names that an item's Media RSS credits give
// the role of its author (<media:credit role="author">, in the item, its
// media:group or a media:content that is no picture: a picture's author
// is who took it), as feeds of videos and some newsrooms name the byline
// there alone.
func mediaAuthors(exts ext.Extensions) []string {
	m := exts["media"]
	if m == nil {
		return nil
	}
	var ps []*gofeed.Person
	for _, h := range mediaElements(m, "credit", true) {
		for _, e := range h {
			if strings.EqualFold(strings.TrimSpace(e.Attrs["role"]), "author") {
				ps = append(ps, &gofeed.Person{Name: e.Value})
			}
		}
	}
	return personNames(ps)
}

// jsonPersons returns ps, the authors gofeed read from a JSON Feed item
// or feed, its "authors", else its "author" (JSON Feed 1.0), by their
// names alone as written, with the address that a "mailto:" URL gives for an author
// named by that URL alone, whom gofeed leaves without a name or an
// address. An author given by a web URL alone stays out: a URL is no name.
func jsonPersons(ps []*gofeed.Person, author *jsonfeed.Author, authors []*jsonfeed.Author) []*gofeed.Person {
	as := authors
	if as == nil && author != nil {
		as = []*jsonfeed.Author{author}
	}
	if len(as) != len(ps) {
		return ps
	}
	out := make([]*gofeed.Person, len(ps))
	for i, p := range ps {
		out[i] = p
		if a := as[i]; a != nil && strings.TrimSpace(a.Name) != "" {
			// The name as written: gofeed reads a name and an address
			// out of it in two forms alone and leaves out the rest
			// ("Jane Doe (Reuters)"), which authorName reads.
			out[i] = &gofeed.Person{Name: a.Name}
		} else if a != nil && (p == nil || p.Name == "" && p.Email == "") {
			if addr := mailtoAddress(a.URL); addr != "" {
				out[i] = &gofeed.Person{Email: addr}
			}
		}
	}
	return out
}

// mailtoAddress returns the address of a "mailto:" URL
// ("mailto:desk@example.org?subject=Tip" is desk@example.org), or "".
func mailtoAddress(u string) string {
	u = strings.TrimSpace(u)
	if len(u) < len("mailto:") || !strings.EqualFold(u[:len("mailto:")], "mailto:") {
		return ""
	}
	addr, _, _ := strings.Cut(u[len("mailto:"):], "?")
	if a, err := url.PathUnescape(addr); err == nil {
		addr = a
	}
	addr = strings.TrimSpace(addr)
	if strings.Count(addr, "@") != 1 || strings.ContainsAny(addr, ", <>") {
		return "" // several addresses, or none
	}
	return addr
}

// personNames returns the names of ps, each once, at most maxAuthors: a
// person's name, else the address, as plain text without the quotation
// marks around the whole of it (unquoteName).
func personNames(ps []*gofeed.Person) []string {
	var out []string
	for _, p := range ps {
		if p == nil {
			continue
		}
		name := authorName(p.Name)
		if name == "" {
			name = PlainText(p.Email)
		}
		name = truncateRunes(name, 200)
		if name != "" && !containsFoldString(out, name) {
			out = append(out, name)
			if len(out) == maxAuthors {
				break
			}
		}
	}
	return out
}

// authorName returns the person's name in an author as feeds write it
// (Author), else the address when the author is an address alone.
func authorName(text string) string {
	name, addr := Author(text)
	if name == "" {
		return addr
	}
	return name
}

// Author returns the person's name, as plain text, and e-mail address in
// an author as feeds write it: "Jane Doe" and jane@x.example of "Jane Doe
// <jane@x.example>", "Jane Doe (jane@x.example)" and "jane@x.example (Jane
// Doe)" (RSS 2.0's own form); "Smith, John" of `"Smith, John" <j@x.example>`
// and of "Smith, John <j@x.example>"; "Jane Doe" of "By Jane Doe", and
// "Jane Doe (Reuters)" of "By Jane Doe | Reuters" and, with the address,
// of "Jane Doe <jane@x.example> | Reuters", the outlet kept as a comment. A comment that is no address ("Jane Doe (Reuters)") is part of
// the name, and so is a bar outside a byline ("Reporter | Photographer")
// and "By" before a word in lower case ("By the numbers"); an address
// alone has no name.
func Author(text string) (name, addr string) {
	text = collapseSpace(text)
	if isAddress(text) {
		return "", text
	}
	outlet := "" // after a bar that follows the address: "Jane Doe <jane@x.example> | Reuters"
	if n, rest, ok := strings.Cut(text, "<"); ok && addressThenOutlet(rest) {
		a, tail, _ := strings.Cut(rest, ">")
		text, addr = strings.TrimSpace(n), a
		outlet = PlainText(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(tail), "|")))
	} else if i := strings.LastIndex(text, " ("); i > 0 && strings.HasSuffix(text, ")") {
		before, inner := text[:i], text[i+2:len(text)-1]
		switch {
		case isAddress(inner) && !strings.ContainsAny(before, "()"):
			text, addr = before, inner
		case isAddress(before) && inner != "" && !strings.ContainsAny(inner, "()"):
			text, addr = inner, before
		}
	}
	name = unquoteName(PlainText(text))
	// A byline names a person after "By": a name, which does not start
	// in lower case ("By the numbers" is a column's name). Only in a
	// byline is what follows a bar the outlet: elsewhere a bar stands
	// between two names, or a name and a role ("Reporter | Photographer").
	rest, ok := cutPrefixFold(name, "by ")
	switch {
	case !ok || rest == "":
		return withOutlet(name, outlet), addr
	case addr == "" && isAddress(rest):
		return "", rest
	case startsLower(rest):
		return withOutlet(name, outlet), addr
	}
	name = rest
	if outlet != "" {
		return withOutlet(name, outlet), addr
	}
	if person, outlet, ok := strings.Cut(name, " | "); ok && person != "" && outlet != "" && !strings.Contains(outlet, "|") {
		name = person + " (" + outlet + ")"
	}
	return name, addr
}

// addressThenOutlet reports whether rest, what follows the "<" in an
// author, is an address and its ">", alone or followed by a bar and an
// outlet ("jane@x.example> | Reuters").
func addressThenOutlet(rest string) bool {
	a, tail, ok := strings.Cut(rest, ">")
	if !ok || !isAddress(a) {
		return false
	}
	if tail = strings.TrimSpace(tail); tail == "" {
		return true
	}
	outlet, barred := strings.CutPrefix(tail, "|")
	outlet = strings.TrimSpace(outlet)
	return barred && outlet != "" && !strings.ContainsAny(outlet, "|<>")
}

// withOutlet returns name with the outlet after it as a comment, "Jane
// Doe (Reuters)", or name alone when there is no outlet or no name.
func withOutlet(name, outlet string) string {
	if name == "" || outlet == "" {
		return name
	}
	return name + " (" + outlet + ")"
}

// startsLower reports whether s starts with a lower-case letter.
func startsLower(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}

// isAddress reports whether s is an e-mail address alone: one "@" with
// text either side, and no space or bracket.
func isAddress(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-1 && strings.Count(s, "@") == 1 && !strings.ContainsAny(s, " <>()")
}

// cutPrefixFold is strings.CutPrefix with prefix matched in any case.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// unquoteName returns a name without the quotation marks that stand
// around the whole of it: a photo site credits each upload to
// `nobody@photos.example ("Ishbel Grant")`, which reads as the name
// `"Ishbel Grant"`. A name that holds another quotation mark keeps its own
// (`Jack "Salty" Penrose`, `"Salty" and "Moorhen"`).
func unquoteName(name string) string {
	for _, q := range [][2]string{{`"`, `"`}, {"\u201c", "\u201d"}} {
		inner, ok := strings.CutPrefix(name, q[0])
		if !ok {
			continue
		}
		inner, ok = strings.CutSuffix(inner, q[1])
		if ok && !strings.ContainsAny(inner, "\"\u201c\u201d") {
			return strings.TrimSpace(inner)
		}
	}
	return name
}

// itunesCategories returns the names of an item's iTunes categories,
// each followed by those of its subcategories (<itunes:category
// text="Technology"><itunes:category text="Gadgets"/></itunes:category>),
// which gofeed reads on the channel alone.
func itunesCategories(exts ext.Extensions) []string {
	var out []string
	for _, c := range exts["itunes"]["category"] {
		out = append(out, c.Attrs["text"])
		for _, sub := range c.Children["category"] {
			out = append(out, sub.Attrs["text"])
		}
	}
	return out
}

// atomTerms returns the terms of the Atom categories that have a label
// too, which gofeed takes for the category (<category term="tech"
// label="Technology"/>), less those already among cats: a topic's
// categories match the term as well as the label, while entries show the
// label alone.
func atomTerms(in []*atom.Category, cats []string) []string {
	var out []string
	for _, c := range in {
		if c == nil || strings.TrimSpace(c.Label) == "" {
			continue
		}
		t := truncateRunes(CategoryText(c.Term), 200)
		if t == "" || containsFoldString(cats, t) || containsFoldString(out, t) {
			continue
		}
		out = append(out, t)
		if len(out) == maxCategories {
			break
		}
	}
	return out
}

// categories returns the item's categories, at most maxCategories of them,
// each once whatever its case (CategoryText).
func categories(in []string) []string {
	var out []string
	for _, c := range in {
		c = truncateRunes(CategoryText(c), 200)
		if c == "" || containsFoldString(out, c) {
			continue
		}
		out = append(out, c)
		if len(out) == maxCategories {
			break
		}
	}
	return out
}

// CategoryText returns a category as plain text (textOrMarkup). A
// category is text in every format (an RSS element's text, an Atom term or
// label, a JSON Feed tag): its "<" and "&" are characters, so "x&lt;y&gt;"
// is the category "x<y>". One that holds markup, which a source wrote as
// elements, in CDATA or escaped (<category><p>World</p></category>, which
// gofeed hands over as "<p>World</p>"), is read as a reader shows it: the
// category "World".
func CategoryText(c string) string {
	return textOrMarkup(c)
}

// textOrMarkup returns s, text that a source may have left HTML in, as
// plain text: as a reader shows it (PlainText) when it holds markup
// (holdsMarkup), else as it is, its "<" and "&" characters (LiteralText).
func textOrMarkup(s string) string {
	if holdsMarkup(s) {
		return PlainText(s)
	}
	return LiteralText(s)
}

func containsFoldString(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// truncateRunes cuts s to at most n runes, ending with "…" when cut. The
// cut falls between two characters as a reader sees them
// (htmlcut.Boundary), never between an emoji and its skin tone, the two
// letters of a flag or the consonants of an Indic conjunct, and closes the
// embeddings and isolates it leaves open (closeBidi), whose closers it may
// have cut off, and so may end in a few runes more.
func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := htmlcut.Runes(s, n)
	if i == len(s) {
		return s
	}
	return closeBidi(strings.TrimSpace(s[:i]) + "…")
}

// firstWords returns the first n words of text, with "…" when there were
// more. In scripts written without spaces between words a run of
// characters is not one word: two Chinese or Japanese characters count as
// a word, and four letters of Thai, Lao, Khmer or Burmese (their marks
// not counted), about what a word of those takes, so that a Chinese post
// without a title is not titled with its whole first paragraph.
func firstWords(text string, n int) string {
	words := strings.Fields(text)
	budget := 4 * n // in quarters of a word
	for i, w := range words {
		cost, cut := 0, -1
		for j, r := range w {
			switch {
			case unicode.IsMark(r):
				continue
			case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana):
				cost += 2
			case unspacedLetter(r):
				cost++
			default:
				if cost == 0 || !strings.ContainsFunc(w, unspaced) {
					cost = 4 // a word of a script written with spaces
				} else {
					cost += 2 // a digit or a sign among characters
				}
			}
			if cost > budget && cut < 0 {
				cut = j
			}
		}
		if cost > budget {
			out := strings.Join(words[:i], " ")
			if cut > 0 && strings.ContainsFunc(w, unspaced) {
				out = strings.TrimSpace(out + " " + w[:cut])
			}
			if out == "" {
				out = w
			}
			if utf8.RuneCountInString(out) >= maxTitle {
				return truncateRunes(out+"…", maxTitle) // with its one "…"
			}
			// The isolates and embeddings the words leave open, whose
			// closers the text had after them, are closed after the "…".
			return closeBidi(out + "…")
		}
		budget -= cost
	}
	return truncateRunes(text, maxTitle)
}

// unspaced reports whether r is a character of a script written without
// spaces between words: Han, Hiragana, Katakana, and the letters of Thai,
// Lao, Khmer and Myanmar.
func unspaced(r rune) bool {
	return unspacedLetter(r) || r >= 0x2E80 && unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}

// unspacedLetter reports whether r is a letter of Thai, Lao, Khmer or
// Myanmar.
func unspacedLetter(r rune) bool {
	return (0x0E00 <= r && r <= 0x0EFF || 0x1000 <= r && r <= 0x109F || 0x1780 <= r && r <= 0x17FF) && unicode.IsLetter(r)
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
