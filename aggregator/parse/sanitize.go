package parse

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// LinkRel is the rel value every link in sanitised HTML carries: the
// republished feed vouches for none of them, passes no referrer, and gives
// the target no handle on the reader's window. HTML written around
// sanitised HTML gives its links the same.
const LinkRel = "nofollow noopener noreferrer"

// policy is bluemonday's UGC policy with no relative URL left unresolved
// (Sanitize makes them absolute afterwards), no data: URLs, nofollow and
// noreferrer on every link, and an image's alt text kept whatever it says.
// A Policy is safe for concurrent use once built.
var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("mailto")
	// A URL whose port is past 65535 is dropped as other invalid URLs
	// are: browsers and readers would drop it, and the link with it.
	p.AllowURLSchemeWithCustomPolicy("http", validPort)
	p.AllowURLSchemeWithCustomPolicy("https", validPort)
	// The UGC policy keeps an alt text only of letters, digits and a few
	// marks: "Crane #4 at work: the day’s first lift" lost to its "#", ":"
	// or "’", and the image with it its description. An attribute's value
	// is written escaped, so no text in it can end the tag.
	p.AllowAttrs("alt").OnElements("img")
	// The UGC policy keeps dir="rtl" and dir="ltr"; dir="auto" lets a
	// paragraph take the direction of its own text, which a feed of
	// Arabic or Hebrew posts that quote English sets on each of them.
	p.AllowAttrs("dir").Matching(regexp.MustCompile(`(?i)^auto$`)).Globally()
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddSpaceWhenStrippingTag(true)
	return p
}()

// Sanitize returns html safe to republish: bluemonday's UGC policy removes
// scripts, event handlers, styles, iframes, forms, objects and every URL
// that is not http(s) or mailto (javascript:, vbscript: and data: among
// them); relative links and image sources are then made absolute against
// base (an absolute http(s) URL, or "" to keep them relative), and every link
// gets rel="nofollow noopener noreferrer". Before the policy, URLs are read
// as browsers read them (repairURL), a lazily loaded image gets its real
// source, tracking pixels are left out, and so are the elements a browser
// keeps out of sight, with what they hold (withoutHidden). The characters
// that override the direction of text (U+202D, U+202E) are dropped. Invalid UTF-8 and control
// characters are removed, written as they are or as character references.
// It is the one sanitising policy: item HTML is sanitised with it when it
// is stored and again when it is published.
func Sanitize(html, base string) string {
	return sanitize(html, parseBase(base), nil)
}

func parseBase(base string) *url.URL {
	if base == "" {
		return nil
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !validPort(u) {
		return nil
	}
	return u
}

// anchor is a link found in sanitised HTML with the text around it, for
// recognising a re-post's credit line.
type anchor struct {
	href   string // absolute when a base was known
	text   string // unescaped, whitespace-collapsed
	before string // HTML just before the link, without a partial tag
	after  string // HTML just after the link, without a partial tag
}

// sanitize is Sanitize with the links it kept, when anchors is not nil.
func sanitize(s string, base *url.URL, anchors *[]anchor) string {
	s = cleanText(s)
	if strings.TrimSpace(s) == "" {
		return ""
	}
	if !strings.ContainsAny(s, "<&") {
		// Plain text: nothing to sanitise, but it must still be HTML.
		if hasOverride(s) {
			s = strings.Map(dropOverride, s)
		}
		return strings.TrimSpace(s)
	}
	if mayHide(s) {
		s = withoutHidden(s)
	}
	if needsRepair(s) {
		s = repairHTML(s, base)
	}
	clean := policy.Sanitize(s)
	if strings.Contains(s, "&#") {
		// The policy writes the characters references stand for as they
		// are, control characters among them.
		clean = cleanText(clean)
	}
	if hasOverride(clean) {
		// As in titles (withoutOverrides): "Invoice \u202Egpj.exe" shows as
		// "Invoice exe.jpg", and a reader shows the text as a preview
		// beside other entries. A <bdo>, which does the same, is a <bdi>.
		clean = strings.Map(dropOverride, clean)
	}
	if !strings.Contains(clean, "<") {
		return strings.TrimSpace(clean)
	}
	if strings.Contains(clean, "<bdo") {
		clean = withoutBdo(clean)
	}
	return strings.TrimSpace(rewriteLinks(clean, base, anchors))
}

// withoutBdo returns sanitised HTML with each <bdo> written <bdi>. A <bdo>
// overrides the order its letters are shown in, as U+202E does in text
// (<bdo dir="rtl">gpj.exe</bdo> shows "exe.jpg"), which no item needs and
// which validators call a security risk; a <bdi> keeps its direction
// apart from the text around it and shows its letters in their order.
// The policy writes every tag in lower case, "<bdo" followed by a space
// or ">", and escapes every "<" of text.
func withoutBdo(h string) string {
	return bdoTags.Replace(h)
}

var bdoTags = strings.NewReplacer("<bdo>", "<bdi>", "<bdo ", "<bdi ", "</bdo>", "</bdi>")

// urlAttrs are the attributes the policy lets through that hold a URL.
var urlAttrs = map[string]bool{"href": true, "src": true, "cite": true, "poster": true, "longdesc": true}

// rewriteLinks finishes bluemonday's output: every link gets LinkRel, URL
// attributes are made absolute against base, and, when anchors is not nil,
// the links are recorded with the text around them. Bluemonday writes every
// attribute as name="value" with '"', '<' and '>' escaped everywhere, so
// plain string scanning finds tags and attributes exactly, at a fraction of
// the cost of tokenising the HTML a second time.
func rewriteLinks(s string, base *url.URL, anchors *[]anchor) string {
	if strings.Contains(s, `rel="nofollow noreferrer"`) {
		s = strings.ReplaceAll(s, `rel="nofollow noreferrer"`, `rel="`+LinkRel+`"`)
	}
	if base != nil {
		s = absolutize(s, base)
	}
	if anchors != nil {
		collectAnchors(s, anchors)
	}
	return s
}

// absolutize resolves every relative URL attribute in s against base.
func absolutize(s string, base *url.URL) string {
	return mapURLAttrs(s, func(val string) string {
		if val == "" || plainAbsolute(val) {
			return val
		}
		abs := resolve(base, html.UnescapeString(val))
		if abs == val {
			return val
		}
		return html.EscapeString(abs)
	})
}

// MapURLs returns the HTML h, as Sanitize writes it, with each URL in an
// attribute (href, src, cite, poster, longdesc) replaced by what fn gives
// for it, and h itself when fn changes none. fn is given the URL
// unescaped, and what it gives is escaped.
func MapURLs(h string, fn func(string) string) string {
	return mapURLAttrs(h, func(val string) string {
		u := html.UnescapeString(val)
		if v := fn(u); v != u {
			return html.EscapeString(v)
		}
		return val
	})
}

// mapURLAttrs returns s with the value of each URL attribute replaced by
// what fn gives for it, both as written in s, escaped; s itself when fn
// changes none.
func mapURLAttrs(s string, fn func(string) string) string {
	var b *strings.Builder
	last := 0 // s[:last] is already written to b
	for pos := 0; ; {
		i := strings.Index(s[pos:], `="`)
		if i < 0 {
			break
		}
		i += pos
		valStart := i + 2
		j := strings.IndexByte(s[valStart:], '"')
		if j < 0 {
			break
		}
		valEnd := valStart + j
		pos = valEnd + 1
		k := i
		for k > 0 && (s[k-1] >= 'a' && s[k-1] <= 'z' || s[k-1] == '-') {
			k--
		}
		if k == 0 || s[k-1] != ' ' || !urlAttrs[s[k:i]] {
			continue
		}
		val := s[valStart:valEnd]
		v := fn(val)
		if v == val {
			continue
		}
		if b == nil {
			b = &strings.Builder{}
			b.Grow(len(s) + 256)
		}
		b.WriteString(s[last:valStart])
		b.WriteString(v)
		last = valEnd
	}
	if b == nil {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// collectAnchors appends each link in s with its text and the text around
// it. A link's text ends at its </a>, or where the next link begins, as a
// browser ends it: the sanitiser does not close links, and read to the end
// of s, the texts of thousands of unclosed links in one item cost time and
// memory that grow with the square of its length.
func collectAnchors(s string, anchors *[]anchor) {
	for pos := 0; ; {
		i := strings.Index(s[pos:], "<a ")
		if i < 0 {
			return
		}
		i += pos
		gt := strings.IndexByte(s[i:], '>')
		if gt < 0 {
			return
		}
		tagEnd := i + gt + 1
		tag := s[i:tagEnd]
		next := len(s)
		if n := strings.Index(s[tagEnd:], "<a "); n >= 0 {
			next = tagEnd + n
		}
		textEnd := next
		closeEnd := len(s)
		if c := strings.Index(s[tagEnd:next], "</a>"); c >= 0 {
			textEnd = tagEnd + c
			closeEnd = textEnd + len("</a>")
		}
		pos = tagEnd
		h := strings.Index(tag, ` href="`)
		if h < 0 {
			continue
		}
		href := tag[h+len(` href="`):]
		href = html.UnescapeString(href[:strings.IndexByte(href, '"')])
		*anchors = append(*anchors, anchor{
			href:   href,
			text:   collapseSpace(stripTags(s[tagEnd:textEnd])),
			before: windowBefore(s, i, 320),
			after:  windowAfter(s, closeEnd, 240),
		})
	}
}

// windowBefore returns up to n bytes of s before i, starting after a tag
// boundary so that no half tag is included.
func windowBefore(s string, i, n int) string {
	if i <= n {
		return s[:i]
	}
	w := s[i-n : i]
	if gt := strings.IndexByte(w, '>'); gt >= 0 && (strings.IndexByte(w, '<') < 0 || strings.IndexByte(w, '<') > gt) {
		w = w[gt+1:]
	}
	return w
}

// windowAfter returns up to n bytes of s from i, ending before a tag
// boundary so that no half tag is included.
func windowAfter(s string, i, n int) string {
	if i >= len(s) {
		return ""
	}
	if len(s)-i <= n {
		return s[i:]
	}
	w := s[i : i+n]
	if lt := strings.LastIndexByte(w, '<'); lt >= 0 && strings.LastIndexByte(w, '>') < lt {
		w = w[:lt]
	}
	return w
}

// stripTags replaces each tag in well-formed HTML with a space and decodes
// entities.
func stripTags(s string) string {
	if strings.IndexByte(s, '<') < 0 {
		if strings.IndexByte(s, '&') < 0 {
			return s
		}
		return html.UnescapeString(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:lt])
		b.WriteByte(' ')
		gt := strings.IndexByte(s[lt:], '>')
		if gt < 0 {
			break
		}
		s = s[lt+gt+1:]
	}
	return html.UnescapeString(b.String())
}

// resolve returns ref made absolute against base, or ref unchanged when it
// cannot be.
func resolve(base *url.URL, ref string) string {
	if base == nil || ref == "" || plainAbsolute(ref) {
		return ref
	}
	fixed := repairURL(ref)
	u, err := url.Parse(fixed)
	if err != nil {
		if strings.HasPrefix(fixed, "//") {
			// A host Go does not parse ("//a%22b/", which "///a%22b/"
			// is to a browser): a browser takes the base's scheme for
			// it, and so does the published link, which must not stay
			// relative to the reader's page.
			return base.Scheme + ":" + fixed
		}
		return ref
	}
	if u.Scheme != "" {
		if u.Scheme != "http" && u.Scheme != "https" {
			return ref
		}
		if u.Host != "" {
			return u.String() // "http:///host/" made "http://host/"
		}
		// "http:" or "https:page" without a host: browsers read it as a
		// relative reference, and it must not stay a URL without one.
		rel := *u
		rel.Scheme = ""
		if rel.Opaque != "" {
			// The opaque part is the path as written, escapes and all:
			// taken for a path already unescaped, its escapes would be
			// escaped again ("http:a%20b.html" would link to a%2520b.html).
			p, err := url.Parse("./" + rel.Opaque)
			if err != nil {
				return ref
			}
			rel.Path, rel.RawPath, rel.Opaque = p.Path, p.RawPath, ""
		}
		u = &rel
	}
	return base.ResolveReference(u).String()
}

// lazySrc are the attributes in which news sites' lazy loading keeps an
// image's real source, most common first, while src holds a placeholder
// (a blank GIF, a data: URL) or nothing until a script swaps them.
var lazySrc = []string{"data-src", "data-lazy-src", "data-original"}

// lazySrcset is the attribute in which lazy loading keeps an image's
// sources of several sizes ("a-300.jpg 300w, a-600.jpg 600w") when it
// keeps none in lazySrc.
const lazySrcset = "data-srcset"

// needsRepair reports whether s may hold what repairHTML repairs: a URL
// attribute whose value holds white space, a lazily loaded image, a
// tracking pixel or a diff's marked cell. It
// looks at every "=" with such an attribute's name before it, in tags or
// not, so that most HTML is not tokenised twice.
func needsRepair(s string) bool {
	if hasEmbed(s) {
		return true
	}
	// Where the unquoted value last found ends, and the next "&" at or
	// after the value being read: kept from one "=" to the next, so that
	// "href=href=href=…" is read once, not once an "=".
	unquotedEnd, amp := -1, -1
	for i := 0; ; {
		eq := strings.IndexByte(s[i:], '=')
		if eq < 0 {
			return false
		}
		eq += i
		i = eq + 1
		end := eq
		for end > 0 && isHTMLSpace(s[end-1]) {
			end--
		}
		start := end
		for start > 0 && end-start < 13 && (isASCIILetter(s[start-1]) || s[start-1] == '-') {
			start--
		}
		name := strings.ToLower(s[start:end])
		if slices.Contains(lazySrc, name) || name == lazySrcset || name == "data-marker" {
			return true
		}
		dimension := name == "width" || name == "height"
		if !dimension && !urlAttrs[name] {
			continue
		}
		v := eq + 1
		for v < len(s) && isHTMLSpace(s[v]) {
			v++
		}
		if v == len(s) || (s[v] != '"' && s[v] != '\'') {
			// Unquoted: white space or ">" ends the value, which holds
			// white space, or is a pixel, only through a character
			// reference, or when it is as short as "1px".
			if unquotedEnd < v {
				unquotedEnd = len(s)
				if e := strings.IndexAny(s[v:], " \t\n\r\f>"); e >= 0 {
					unquotedEnd = v + e
				}
			}
			if amp < v {
				amp = len(s)
				if a := strings.IndexByte(s[v:], '&'); a >= 0 {
					amp = v + a
				}
			}
			if amp < unquotedEnd || dimension && unquotedEnd-v <= len("1px") && tinyDimension(s[v:unquotedEnd]) ||
				!dimension && (strings.IndexByte(s[v:unquotedEnd], '\\') >= 0 || lonePercent(s[v:unquotedEnd]) || portOutOfRange(s[v:unquotedEnd])) {
				return true
			}
			continue
		}
		val := s[v+1:]
		if q := strings.IndexByte(val, s[v]); q >= 0 {
			val = val[:q]
		}
		if strings.IndexByte(val, '&') >= 0 {
			val = html.UnescapeString(val)
		}
		if dimension && tinyDimension(val) || !dimension && (strings.ContainsAny(val, " \t\n\r\f\\") || lonePercent(val) || portOutOfRange(val)) {
			return true // white space, a backslash, a lone % or a port past 65535 in a URL, or perhaps a tracking pixel
		}
	}
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// repairHTML rewrites the tags of s whose URL attributes hold white space,
// backslashes or a % that starts no escape with each such URL as a browser
// reads it (repairURL), gives a lazily
// loaded image its real source as src, leaves tracking pixels out,
// writes a link to what an embedded player (an iframe, a video, an audio)
// plays before it and a diff's mark of a line in its cell (diffMarker); it
// leaves the rest of s as it is.
// The policy drops a URL with a space in it, and with it the link or the
// image, drops the data- attributes, and drops players: a reader would see
// a placeholder, or nothing where the source showed a video.
// What repairHTML writes is sanitised as the rest is; a player's URL shown
// as the link's text is resolved against base, when it is not nil.
func repairHTML(s string, base *url.URL) string {
	var b strings.Builder
	b.Grow(len(s) + 64)
	z := html.NewTokenizer(strings.NewReader(s))
	// A video or audio element without a src plays its first <source>.
	var player html.Token
	inPlayer, linked := false, false
	for {
		switch tt := z.Next(); tt {
		case html.ErrorToken:
			return b.String()
		case html.StartTagToken, html.SelfClosingTagToken:
			raw := string(z.Raw()) // Token changes what Raw returned
			tok := z.Token()
			changed := false
			after := ""
			for i, a := range tok.Attr {
				if urlAttrs[a.Key] && (strings.ContainsAny(a.Val, " \t\n\r\f\\") || lonePercent(a.Val)) {
					tok.Attr[i].Val = repairURL(a.Val)
					changed = true
				}
			}
			switch tok.DataAtom {
			case atom.Img:
				if trackingPixel(tok) {
					continue
				}
				if lazyImage(&tok) {
					changed = true
				}
			case atom.Iframe:
				b.WriteString(playerLink(tok, tok, base))
			case atom.Video, atom.Audio:
				player = tok
				link := playerLink(tok, tok, base)
				b.WriteString(link)
				inPlayer, linked = tt == html.StartTagToken, link != ""
			case atom.Source:
				if inPlayer && !linked {
					link := playerLink(tok, player, base)
					b.WriteString(link)
					linked = link != ""
				}
			case atom.Td:
				if tt == html.StartTagToken {
					after = diffMarker(tok)
				}
			}
			// A URL the policy takes for relative, "//example.org:99999/x"
			// or "http:///example.org:99999/", is not checked by it as an
			// absolute one is: its port past 65535 is dropped here, the
			// attribute with it, as the policy drops the absolute one's.
			if n := len(tok.Attr); n > 0 {
				tok.Attr = slices.DeleteFunc(tok.Attr, func(a html.Attribute) bool { return urlAttrs[a.Key] && portOutOfRange(a.Val) })
				changed = changed || len(tok.Attr) != n
			}
			if changed {
				b.WriteString(tok.String())
			} else {
				b.WriteString(raw)
			}
			b.WriteString(after)
		case html.EndTagToken:
			b.Write(z.Raw())
			if name, _ := z.TagName(); string(name) == "video" || string(name) == "audio" {
				inPlayer = false
			}
		default:
			b.Write(z.Raw())
		}
	}
}

// diffMarker returns, escaped, the mark of a line of a diff that a table
// cell holds in its data-marker attribute ("+" for a line added, "−" for
// one removed), as a wiki's recent changes give each line of an edit and
// show it by their style sheet: the policy drops the attribute, and a
// reader would see the old and the new line side by side, neither marked.
// A value longer than a mark is none.
func diffMarker(td html.Token) string {
	for _, a := range td.Attr {
		if a.Key == "data-marker" {
			if m := strings.TrimSpace(a.Val); m != "" && utf8.RuneCountInString(m) <= 2 {
				return html.EscapeString(m)
			}
		}
	}
	return ""
}

// embedTags are the elements of players, which the policy drops, that
// repairHTML writes a link for.
var embedTags = []string{"iframe", "video", "audio"}

// hasEmbed reports whether s may hold a player's element: "<" then one
// of embedTags, in any case.
func hasEmbed(s string) bool {
	for i := 0; ; {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			return false
		}
		i += lt + 1
		for _, tag := range embedTags {
			if len(s)-i >= len(tag) && strings.EqualFold(s[i:i+len(tag)], tag) {
				return true
			}
		}
	}
}

// playerLink returns a link to what tok, an iframe, video, audio or source
// element of player, plays: its src when that is a relative or http(s)
// URL, or "". The link shows the poster of a video player when it has one,
// else the player's title, else the URL, resolved against base when it is
// not nil.
func playerLink(tok, player html.Token, base *url.URL) string {
	src, ok := playerURL(tok, "src")
	if !ok {
		return ""
	}
	a := html.Token{Type: html.StartTagToken, Data: "a", Attr: []html.Attribute{{Key: "href", Val: src}}}
	var label string
	if poster, ok := playerURL(player, "poster"); ok && player.DataAtom == atom.Video {
		label = html.Token{Type: html.StartTagToken, Data: "img", Attr: []html.Attribute{{Key: "src", Val: poster}}}.String()
	} else {
		label = html.EscapeString(resolve(base, src))
		for _, at := range player.Attr {
			if at.Key == "title" && strings.TrimSpace(at.Val) != "" {
				label = html.EscapeString(collapseSpace(at.Val))
			}
		}
	}
	return a.String() + label + "</a>"
}

// playerURL returns the URL in tok's attribute key, as a browser reads it,
// when it is a relative or http(s) URL with a port in range (validPort),
// which a link to it may keep.
func playerURL(tok html.Token, key string) (string, bool) {
	for _, at := range tok.Attr {
		if at.Key != key {
			continue
		}
		v := repairURL(at.Val)
		u, err := url.Parse(v)
		if v == "" || err != nil || (u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https") || !validPort(u) {
			return "", false
		}
		return v, true
	}
	return "", false
}

// trackingPixel reports whether img is a pixel or less each way: an image
// no reader sees, there to tell its sender who opened the item.
func trackingPixel(img html.Token) bool {
	w, h := false, false
	for _, a := range img.Attr {
		switch a.Key {
		case "width":
			w = tinyDimension(a.Val)
		case "height":
			h = tinyDimension(a.Val)
		}
	}
	return w && h
}

// tinyDimension reports whether v, a width or height, is a pixel or none:
// "0", "1", "1px", with HTML's white space around it.
func tinyDimension(v string) bool {
	v = strings.TrimSuffix(strings.ToLower(strings.Trim(v, " \t\n\r\f")), "px")
	return v == "0" || v == "1"
}

// lazyImage gives img the source its first lazy-loading attribute holds,
// when that is a relative or http(s) URL, as src, and reports whether it
// did. Of the sources in data-srcset, the widest is taken.
func lazyImage(img *html.Token) bool {
	for _, name := range append(lazySrc, lazySrcset) {
		for _, a := range img.Attr {
			if a.Key != name {
				continue
			}
			v := a.Val
			if name == lazySrcset {
				v = widestSource(v)
			}
			v = repairURL(v)
			u, err := url.Parse(v)
			if v == "" || err != nil || (u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https") {
				continue
			}
			for i, a := range img.Attr {
				if a.Key == "src" {
					img.Attr[i].Val = v
					return true
				}
			}
			img.Attr = append(img.Attr, html.Attribute{Key: "src", Val: v})
			return true
		}
	}
	return false
}

// widestSource returns the URL of the widest image a srcset names
// ("a-300.jpg 300w, a-600.jpg 2x"), by its width, else its density, else
// the first; "" when it names none. A URL in a srcset holds no white
// space, and a comma ends it only when white space follows.
func widestSource(srcset string) string {
	best, bestSize := "", -1.0
	for _, c := range strings.Split(srcset, ", ") {
		f := strings.Fields(c)
		if len(f) == 0 {
			continue
		}
		u := strings.TrimSuffix(f[0], ",")
		size := 0.0
		if len(f) > 1 {
			d := f[1]
			if n, err := strconv.ParseFloat(d[:len(d)-1], 64); err == nil && len(d) > 1 {
				switch d[len(d)-1] {
				case 'w':
					size = n * 1000 // a width outranks any density
				case 'x':
					size = n
				}
			}
		}
		if size > bestSize {
			best, bestSize = u, size
		}
	}
	return best
}

// portOutOfRange reports whether the URL v, read as browsers read it
// (repairURL), has a port validPort refuses.
func portOutOfRange(v string) bool {
	if !longDigits(v) {
		return false
	}
	u, err := url.Parse(repairURL(v))
	return err == nil && !validPort(u)
}

// longDigits reports whether a ":" in v is followed by five digits or
// more, as a port past 65535 is: most URLs need not be parsed to know
// they have none.
func longDigits(v string) bool {
	for i := strings.IndexByte(v, ':'); i >= 0; {
		n := 0
		for n < len(v)-i-1 && '0' <= v[i+1+n] && v[i+1+n] <= '9' {
			n++
		}
		if n >= 5 {
			return true
		}
		j := strings.IndexByte(v[i+1:], ':')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// repairURL returns a URL as browsers read one written in an attribute:
// without the spaces and control characters around it and the tabs and
// line breaks inside it, with the spaces inside percent-encoded
// ("/news/a story.html " is "/news/a%20story.html"), a % that starts no
// escape percent-encoded itself ("/sale-50%-off" is "/sale-50%25-off":
// browsers follow such a link, where url.Parse refuses it, and the link,
// the picture or the enclosure would be lost), and an http(s) URL with its
// host after any number of slashes or backslashes ("http:///example.org/"
// is "http://example.org/").
func repairURL(v string) string {
	v = strings.TrimFunc(v, func(r rune) bool { return r <= ' ' })
	if strings.ContainsAny(v, "\t\n\r") {
		v = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(v)
	}
	if strings.Contains(v, " ") {
		v = strings.ReplaceAll(v, " ", "%20")
	}
	if lonePercent(v) {
		v = escapeLonePercents(v)
	}
	if scheme, rest, ok := strings.Cut(v, ":"); ok && (strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https")) &&
		len(rest) > 2 && isSlash(rest[0]) && isSlash(rest[1]) && (isSlash(rest[2]) || rest[0] == '\\' || rest[1] == '\\') {
		v = scheme + "://" + strings.TrimLeft(rest, "/\\")
	}
	return slashes(v)
}

// slashes writes the backslashes before the query of an http(s) URL, or
// of a reference relative to one, as slashes, and the three or more
// slashes that begin a reference as two, as browsers read them: a link to
// "\\cdn.example\a.html" or "///cdn.example/a.html" takes a reader's
// click to //cdn.example/a.html, and should not be published as a path on
// the item's own site.
func slashes(v string) string {
	head, rest := v, ""
	if i := strings.IndexAny(v, "?#"); i >= 0 {
		head, rest = v[:i], v[i:]
	}
	if strings.Contains(head, "\\") {
		if i := strings.IndexAny(head, ":/\\"); i >= 0 && head[i] == ':' && !strings.EqualFold(head[:i], "http") && !strings.EqualFold(head[:i], "https") {
			return v // another scheme's, whose backslashes are its own
		}
		head = strings.ReplaceAll(head, "\\", "/")
	} else if !strings.HasPrefix(head, "///") {
		return v
	}
	if strings.HasPrefix(head, "///") {
		head = "//" + strings.TrimLeft(head, "/")
	}
	return head + rest
}

func isSlash(c byte) bool { return c == '/' || c == '\\' }

// lonePercent reports whether v holds a % that two hex digits do not
// follow: one that starts no escape.
func lonePercent(v string) bool {
	for i := strings.IndexByte(v, '%'); i >= 0; {
		if i+2 >= len(v) || !isHexDigit(v[i+1]) || !isHexDigit(v[i+2]) {
			return true
		}
		j := strings.IndexByte(v[i+3:], '%')
		if j < 0 {
			return false
		}
		i += 3 + j
	}
	return false
}

// escapeLonePercents returns v with each % that starts no escape written
// %25.
func escapeLonePercents(v string) string {
	var b strings.Builder
	b.Grow(len(v) + 8)
	for i := 0; i < len(v); i++ {
		if v[i] == '%' && (i+2 >= len(v) || !isHexDigit(v[i+1]) || !isHexDigit(v[i+2])) {
			b.WriteString("%25")
			continue
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// plainAbsolute reports whether u is an absolute http(s) URL with its host
// right after the two slashes, or a mailto: URL: one that needs no
// resolving.
func plainAbsolute(u string) bool {
	var rest string
	switch {
	case strings.HasPrefix(u, "https://"):
		rest = u[len("https://"):]
	case strings.HasPrefix(u, "http://"):
		rest = u[len("http://"):]
	default:
		return strings.HasPrefix(u, "mailto:")
	}
	return rest != "" && !isSlash(rest[0])
}

// cleanText removes invalid UTF-8 and control characters (C0 other than tab,
// newline and carriage return, DEL, U+FFFE/U+FFFF) from s and maps C1
// controls to the Windows-1252 characters they stand for. It returns s
// itself when there is nothing to change.
func cleanText(s string) string {
	i := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F {
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if badRune(r, n) {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c >= 0x20 && c != 0x7F) || c == '\t' || c == '\n' || c == '\r' {
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r >= 0x80 && r <= 0x9F:
			// C1 controls in feeds are Windows-1252 punctuation decoded
			// as Latin-1 somewhere upstream: map them as browsers map
			// &#128;–&#159;.
			if c := cp1252C1[r-0x80]; c != 0 {
				b.WriteRune(c)
			}
		case !badRune(r, n):
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// cp1252C1 maps U+0080–U+009F to the Windows-1252 characters at those byte
// values; 0 marks the five bytes Windows-1252 leaves undefined.
var cp1252C1 = [32]rune{
	'€', 0, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0, 'Ž', 0,
	0, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0, 'ž', 'Ÿ',
}

func badRune(r rune, n int) bool {
	return (r == utf8.RuneError && n == 1) || (r >= 0x80 && r <= 0x9F) || r == 0xFFFE || r == 0xFFFF
}

// PlainText returns the text of an HTML fragment, for titles, names and
// categories: tags (and the contents of script and style) removed, entities
// decoded, runs of white space collapsed to one space, control characters,
// bidirectional overrides and invalid UTF-8 dropped, and the embeddings
// and isolates it leaves open closed (closeBidi).
func PlainText(s string) string {
	return closeBidi(withoutOverrides(plainText(s)))
}

// LiteralText is PlainText for text that is plain already, as an Atom
// title of type text is: its "<" and "&" are characters, not markup.
func LiteralText(s string) string {
	return closeBidi(withoutOverrides(collapseSpace(cleanText(s))))
}

// closeBidi closes the directional embeddings (U+202A, U+202B, closed by
// U+202C) and isolates (U+2066–U+2068, closed by U+2069) that s opens and
// leaves open, and drops the closers that close nothing it opened.
// Right-to-left text mixed with names in Latin letters uses them, and they
// stay; but one left open reaches past the text, where a reader shows a
// title or an author beside the source's name or the date, and turns them
// around ("Mal\u2067lory" before "· Harbour Wire"), and a closer of
// nothing closes what a reader opened around the text: one that wraps a
// title in an isolate of its own ("\u2068title\u2069 · source") finds
// the rest of the title outside it. An opener past maxBidiDepth open,
// which the bidirectional algorithm ignores, goes, and so does its closer:
// a closer is looked for among no more than maxBidiDepth openers.
func closeBidi(s string) string {
	if !strings.ContainsAny(s, "\u202a\u202b\u202c\u2066\u2067\u2068\u2069") {
		return s
	}
	var (
		open    []rune // the closers owed, innermost last
		b       strings.Builder
		dropped bool
		// Openers past maxBidiDepth: the isolates, and the embeddings
		// since the last isolate open, as UAX #9 counts them.
		overIsolates, overEmbeddings int
	)
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch r {
		case '\u202a', '\u202b', '\u2066', '\u2067', '\u2068':
			isolate := r >= '\u2066'
			if len(open) < maxBidiDepth && overIsolates == 0 && overEmbeddings == 0 {
				if isolate {
					open = append(open, '\u2069')
				} else {
					open = append(open, '\u202c')
				}
				break
			}
			if isolate {
				overIsolates++
			} else if overIsolates == 0 {
				overEmbeddings++
			}
			dropped = true
			continue
		case '\u202c':
			// Closes the innermost embedding, not an isolate.
			n := len(open)
			if overIsolates > 0 || overEmbeddings > 0 || n == 0 || open[n-1] != '\u202c' {
				if overIsolates == 0 && overEmbeddings > 0 {
					overEmbeddings--
				}
				dropped = true
				continue
			}
			open = open[:n-1]
		case '\u2069':
			// Closes the innermost isolate and the embeddings within it.
			if overIsolates > 0 {
				overIsolates--
				dropped = true
				continue
			}
			i := -1
			for j := len(open) - 1; j >= 0; j-- {
				if open[j] == '\u2069' {
					i = j
					break
				}
			}
			if i < 0 {
				dropped = true
				continue
			}
			open, overEmbeddings = open[:i], 0
		}
		b.WriteRune(r)
	}
	if len(open) == 0 && !dropped {
		return s
	}
	slices.Reverse(open)
	out := b.String() + string(open)
	if dropped {
		out = collapseSpace(out)
	}
	return out
}

// maxBidiDepth is the most embeddings and isolates that closeBidi keeps
// open, UAX #9's max_depth: each raises the embedding level by one at
// least, and the algorithm ignores one that would take it past 125.
const maxBidiDepth = 125

// withoutOverrides removes the characters that force a direction.
func withoutOverrides(s string) string {
	if strings.ContainsAny(s, bidiOverrides) {
		// U+202D and U+202E make what follows read backwards ("Bank
		// \u202Egpj.exe" shows as "Bank exe.jpg"): no headline needs them,
		// and a reader shows a title among others.
		s = collapseSpace(strings.Map(func(r rune) rune {
			if strings.ContainsRune(bidiOverrides, r) {
				return -1
			}
			return r
		}, s))
	}
	return s
}

// hasOverride is strings.ContainsAny(s, bidiOverrides), at a fraction of
// its cost over long text: U+202D and U+202E are written E2 80 AD and
// E2 80 AE, and a search for their first two bytes skips the rest.
func hasOverride(s string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], "\xe2\x80")
		if j < 0 {
			return false
		}
		i += j + 2
		if i < len(s) && (s[i] == 0xad || s[i] == 0xae) {
			return true
		}
	}
}

// dropOverride maps the characters of bidiOverrides to none.
func dropOverride(r rune) rune {
	if r == '\u202d' || r == '\u202e' {
		return -1
	}
	return r
}

// bidiOverrides are the two characters that force a direction on the text
// after them, left-to-right and right-to-left.
const bidiOverrides = "\u202d\u202e"

func plainText(s string) string {
	s = cleanText(s)
	if !strings.ContainsAny(s, "<&") {
		return collapseSpace(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return collapseSpace(cleanText(b.String()))
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Script, atom.Style, atom.Template, atom.Noscript, atom.Iframe, atom.Noembed, atom.Noframes, atom.Textarea, atom.Title, atom.Xmp:
				skip++
			}
			if !inlineText[a] {
				b.WriteByte(' ')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Script, atom.Style, atom.Template, atom.Noscript, atom.Iframe, atom.Noembed, atom.Noframes, atom.Textarea, atom.Title, atom.Xmp:
				if skip > 0 {
					skip--
				}
			}
			if !inlineText[a] {
				b.WriteByte(' ')
			}
		case html.SelfClosingTagToken:
			b.WriteByte(' ')
		}
	}
}

// holdsMarkup reports whether s, text that may hold HTML, holds markup:
// an element closed by its end tag ("<p>World</p>"), or a reference to a
// character ("&amp;"), which gofeed leaves as written in CDATA. A "<" that
// opens no element closed after it ("x<y>", "Load <40t>") is a character,
// as a source that escaped it meant.
func holdsMarkup(s string) bool {
	if !strings.Contains(s, "<") {
		return hasReference(s)
	}
	var open []string
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return false
		case html.StartTagToken:
			name, _ := z.TagName()
			open = append(open, string(name))
		case html.EndTagToken:
			name, _ := z.TagName()
			if slices.Contains(open, string(name)) {
				return true
			}
		case html.TextToken:
			if hasReference(string(z.Raw())) {
				return true
			}
		}
	}
}

// reference is a reference to a character written in full, with its ";".
var reference = regexp.MustCompile(`&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);`)

// hasReference reports whether s holds a reference to a character written
// in full ("&amp;", "&#233;"): HTML reads some without their ";", but a
// category's "&" before a word ("Salt&Pepper", "this&not") is a character.
func hasReference(s string) bool {
	for _, r := range reference.FindAllString(s, -1) {
		if html.UnescapeString(r) != r {
			return true
		}
	}
	return false
}

// inlineText are the elements that mark up a run of text within a line
// without breaking it: their tags part no words. Social posts wrap
// hashtags, mentions and the parts of a shortened link in them
// ("#<span>golang</span>", "<span class=invisible>https://</span><span>example.org/…</span>"),
// which read "#golang" and "https://example.org/…", not "# golang".
var inlineText = map[atom.Atom]bool{
	atom.A: true, atom.Abbr: true, atom.B: true, atom.Bdi: true, atom.Bdo: true, atom.Cite: true,
	atom.Code: true, atom.Data: true, atom.Del: true, atom.Dfn: true, atom.Em: true, atom.Font: true,
	atom.I: true, atom.Ins: true, atom.Kbd: true, atom.Mark: true, atom.Q: true, atom.S: true,
	atom.Samp: true, atom.Small: true, atom.Span: true, atom.Strike: true, atom.Strong: true,
	atom.Sub: true, atom.Sup: true, atom.Time: true, atom.Tt: true, atom.U: true, atom.Var: true,
}

// collapseSpace trims s and replaces each run of white space with one space.
func collapseSpace(s string) string {
	s = strings.TrimFunc(s, unicode.IsSpace)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c >= utf8.RuneSelf ||
			(c == ' ' && i+1 < len(s) && s[i+1] == ' ') {
			return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
		}
	}
	return s
}
