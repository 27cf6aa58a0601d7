package parse

import (
	"bytes"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"
)

// Credit lines by which a re-post names its original. Each is matched
// case-insensitively against the link's own text, the text just before it,
// or the text just after it, in the common languages of news sites.
var (
	// creditWords are the words for "source" that a re-post writes before
	// the link to its original, as "Source:", in the languages of news
	// sites: "Fuente:", "Источник:", "出典：", "출처:", "स्रोत:", "المصدر:".
	// Greek capitals write "ΠΗΓΗ" without its accent.
	creditWords = `quelle|fuente|fonte|bron|źródło|zdroj|sursa|sursă|källa|kilde|lähde|forrás|sumber|` +
		`источник|джерело|крыніца|извор|kaynak|πηγή|πηγη|nguồn|מקור|المصدر|مصدر|منبع|` +
		`स्रोत|সূত্র|出典|引用元|元記事|ソース|来源|來源|出处|출처`
	// creditText is link text that says the link is the original. The
	// word stands alone: \W, which is ASCII, would take the letters of
	// another script around it as well, and "ソースコード" (source code) or
	// "Источник питания" (power supply) is no credit, as "source code"
	// is none.
	creditText = regexp.MustCompile(`(?i)^[^\pL\pM\pN_]*(?:` +
		`(?:(?:view|see|read|visit|go to)\s+(?:the\s+)?)?(?:source|original|origin)(?:\s+(?:link|article|post|story|source|url|page|report|version|here))?\W*$` +
		`|(?:read|view|see|continue reading)\s+(?:the\s+)?(?:full|original|complete|entire)\s+(?:article|post|story|report|text|piece)\b` +
		`|(?:originally\s+(?:published|posted|appeared)|first\s+(?:published|appeared))\b` +
		`|(?:` + creditWords + `|originalartikel|artículo original|article original)[^\pL\pM\pN_]*$)`)
	// creditBefore is text ending just before a link that credits it. The
	// word for "source" stands alone: after a letter or a mark (\pM, a
	// vowel sign) it ends a word of its own ("ऊर्जास्रोत:", source of
	// energy), which is no credit.
	creditBefore = regexp.MustCompile(`(?i)(?:(?:^|[^\pL\pM\pN_])(?:source|sources|` + creditWords + `|via|h/t|hat tip)\s*[:：]` +
		`|\b(?:originally|first)\s+(?:published|posted|appeared|ran|reported)(?:\s+(?:at|on|in|by|here))?` +
		`|\b(?:read|view|see|continue reading)\s+(?:the\s+)?(?:full|original|complete|entire|rest of the)?\s*(?:article|post|story|report)?\s*(?:at|on)` +
		`|\b(?:the\s+)?original\s+(?:article|post|story|report|source|version)(?:\s+(?:is|was))?\s*(?:at|on|here|in)?` +
		`|\bpublished\s+(?:originally\s+)?with\s+permission\s+(?:from|of)` +
		`|\b(?:republished|reprinted|reposted|syndicated)\s+(?:with\s+permission\s+)?(?:from|by)` +
		`|\bthis\s+(?:article|post|story)\s+(?:was\s+)?(?:originally|first)\s+(?:published|appeared)\s+(?:at|on|in|by))[\s:\-–—]*$`)
	// creditAfter is text starting just after a link that credits it, as in
	// "The post <a>Title</a> appeared first on <a>Site</a>".
	creditAfter = regexp.MustCompile(`(?i)^[\s"'”’»]*(?:appeared\s+first|first\s+appeared|was\s+(?:first|originally)\s+(?:published|posted)|originally\s+(?:appeared|published))\b`)
)

// isCredit reports whether a link's text or surroundings name it as the
// original of a re-post.
func isCredit(a anchor) bool {
	// Each regexp needs one of a few words: a plain search for them spares
	// the regexp on most links (ASCII only, as (?i) folds a few letters
	// beyond it).
	text := a.text
	// A credit word written with its accents as combining marks, as a
	// feed in windows-1258 writes Vietnamese ("Nguồn:"), is the word.
	if !isASCII(text) {
		text = norm.NFC.String(text)
	}
	if before := tail(a.before, 240); !isASCII(before) && !norm.NFC.IsNormalString(before) {
		a.before = norm.NFC.String(before)
	}
	if text != "" && len(text) <= 80 && (!isASCII(text) || hasCreditStem(text)) && creditText.MatchString(text) {
		return true
	}
	// creditBefore ends in $, which Go's regexp can only find by trying
	// every start: run it on a short tail, and only when a word it needs
	// is there. The word is looked for in the text the regexp reads, as
	// the HTML can split it ("Hat&nbsp;tip:") or put more tags between
	// it and the link than the tail holds.
	if a.before != "" {
		if before := tail(collapseSpace(stripTags(a.before)), 72); hasCreditStem(before) && endsLikeCredit(before) && creditBefore.MatchString(before) {
			return true
		}
	}
	if a.after == "" {
		return false
	}
	after := stripTags(a.after)
	after = after[:min(len(after), 120)]
	if isASCII(after) && !containsASCIIFold(after, "first") && !containsASCIIFold(after, "origin") {
		return false
	}
	return creditAfter.MatchString(after)
}

// creditEnds are the words one of which every creditBefore match ends in,
// but for the colon that ends the first of its alternatives.
var creditEnds = []string{"published", "posted", "appeared", "ran", "reported", "at", "on", "in", "by",
	"here", "article", "post", "story", "report", "source", "version", "is", "was", "from", "of"}

// endsLikeCredit reports whether s could match creditBefore, judged by its
// end alone: a colon, or one of creditEnds, before the spaces, colons and
// dashes the regexp allows after it. The regexp ends in $, which Go's
// regexp can only find by trying every start; most text before a link ends
// otherwise, and is spared it. It compares as (?i) does, by Unicode simple
// case folding (ſ is s, K is k).
func endsLikeCredit(s string) bool {
	for s != "" {
		r, n := utf8.DecodeLastRuneInString(s)
		if r == ':' || r == '：' {
			return true
		}
		if !strings.ContainsRune("\t\n\f\r -–—", r) {
			break
		}
		s = s[:len(s)-n]
	}
	for _, w := range creditEnds {
		if hasSuffixFold(s, w) {
			return true
		}
	}
	return false
}

// hasSuffixFold reports whether s ends in suffix, a lower-case ASCII
// word, under Unicode simple case folding.
func hasSuffixFold(s, suffix string) bool {
	for i := len(suffix) - 1; i >= 0; i-- {
		if s == "" {
			return false
		}
		r, n := rune(s[len(s)-1]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeLastRuneInString(s)
		}
		if !foldsTo(r, suffix[i]) {
			return false
		}
		s = s[:len(s)-n]
	}
	return true
}

// foldsTo reports whether r equals the lower-case ASCII letter c under
// Unicode simple case folding, as regexp's (?i) compares: its upper case,
// and for s and k the long s and the Kelvin sign.
func foldsTo(r rune, c byte) bool {
	switch {
	case r == rune(c) || r == rune(c)-('a'-'A'):
		return true
	case c == 's':
		return r == 'ſ'
	case c == 'k':
		return r == '\u212a'
	}
	return false
}

// creditStems are lower-case fragments one of which every creditBefore
// match holds.
var creditStems = append([]string{"sourc", "via", "h/t", "hat tip", "origin",
	"first", "read", "view", "see", "publish", "reprint", "repost", "syndicat"}, strings.Split(creditWords, "|")...)

// asciiStems and otherStems are creditStems in ASCII and the rest, as
// bytes: a text of ASCII alone can hold none of the others.
var asciiStems, otherStems = func() (ascii, other [][]byte) {
	for _, st := range creditStems {
		if isASCII(st) {
			ascii = append(ascii, []byte(st))
		} else {
			other = append(other, []byte(st))
		}
	}
	return ascii, other
}()

func hasCreditStem(s string) bool {
	s = tail(s, 160)
	var buf [160]byte
	lower := buf[:len(s)]
	var high byte // the bytes of s or'ed: 0x80 is set when s is not ASCII
	for i := 0; i < len(s); i++ {
		c := s[i]
		high |= c
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	for _, st := range asciiStems {
		if bytes.Contains(lower, st) {
			return true
		}
	}
	if high < utf8.RuneSelf {
		return false
	}
	for _, st := range otherStems {
		if bytes.Contains(lower, st) {
			return true
		}
	}
	// Upper-case letters outside ASCII ("Źródło", "Источник"), and the
	// letters (?i) takes for others ("ſource" for "source", "ϖηγή" for
	// "πηγή"), need a full case fold.
	ls := strings.Map(foldLower, s)
	for _, st := range creditStems {
		if strings.Contains(ls, st) {
			return true
		}
	}
	return false
}

// foldLower returns the one lower-case letter that stands for r and every
// letter Unicode simple case folding, as regexp's (?i), takes for it: the
// least of their lower cases (s for S, s and ſ; k for K, k and the Kelvin
// sign). It lowers a letter whose folds are its own alone as
// strings.ToLower does (İ to i).
func foldLower(r rune) rune {
	low := unicode.ToLower(r)
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		low = min(low, unicode.ToLower(f))
	}
	return low
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// tail returns the last n bytes of s, or fewer so as to start on a rune.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	for len(s) > 0 && !utf8.RuneStart(s[0]) {
		s = s[1:]
	}
	return s
}

// maxOrigins is the most origin links an item keeps from the credit lines of
// its text, and again from the rest (<link rel="canonical">, <source>,
// external_url). Each is a key in the store's index; a re-post names one
// original, rarely a few.
const maxOrigins = 8

// originLinks returns the canonical links a re-post names as its original,
// without duplicates and without the item's own canonical link or a site's
// front page (which credits a site, not a story): those of its credit lines,
// then those of extra, at most maxOrigins of each.
func originLinks(own string, anchors []anchor, extra []string) []string {
	var out []string
	add := func(raw string) {
		c := CanonicalURL(raw)
		if c == "" || c == own || isFrontPage(c) {
			return
		}
		for _, o := range out {
			if o == c {
				return
			}
		}
		out = append(out, c)
		// An aggregator links to the mobile (AMP) page of a report as
		// often as to the report: it names the report's own page too.
		for _, page := range MobilePages(c) {
			if page != own && !slices.Contains(out, page) {
				out = append(out, page)
			}
		}
	}
	for _, a := range anchors {
		if len(out) >= maxOrigins {
			break
		}
		if isCredit(a) {
			add(a.href)
		}
	}
	limit := len(out) + maxOrigins
	for _, e := range extra {
		if len(out) >= limit {
			break
		}
		add(e)
	}
	return out
}

// postedLink returns the address of the page that a link aggregator's post
// is of: Reddit ends each post with "[link]", to the page posted, and
// "[comments]", to the post's own page, whatever title its poster gave it.
// A post of text alone links its own page there, which names nothing
// (originLinks leaves out the item's own link).
func postedLink(anchors []anchor) (string, bool) {
	var link string
	comments := false
	for _, a := range anchors {
		switch a.text {
		case "[link]":
			if link != "" && link != a.href {
				return "", false
			}
			link = a.href
		case "[comments]":
			comments = true
		}
	}
	return link, link != "" && comments
}

// soleLink returns the address of the one link that is all of an item's
// text, summary and content (sanitised HTML, whose links are anchors): an
// aggregator's item of a headline over "Read more", or of a picture that
// links to the article, points at the report it stands for, which is its
// original. So does a news finder's item of the report's headline as a link
// followed by the outlet's name, which its own headline ends with
// ("… dies at 76 - Corbel Press"). An item with any other text, or with
// links to several pages (a newsletter's "Read more" under each of its
// headlines), is not one.
func soleLink(title, summary, content string, anchors []anchor) (string, bool) {
	if len(anchors) == 0 {
		return "", false
	}
	href := anchors[0].href
	for _, a := range anchors[1:] {
		if a.href != href {
			return "", false
		}
	}
	for _, h := range []string{summary, content} {
		text := collapseSpace(stripTags(h))
		if text == "" {
			continue
		}
		outlet := headlineOutlet(title)
		if !slices.ContainsFunc(anchors, func(a anchor) bool { return a.text == text || outlet != "" && a.text+" "+outlet == text }) {
			return "", false
		}
	}
	return href, true
}

// redirectTarget returns the address that a redirect link carries in its
// query, as a news finder's links do ("https://news.example/url?…&url=
// https%3A%2F%2Fpaper.example%2Farticle"): the value of its one parameter
// named for where the link goes (redirectParams) that is an absolute
// http(s) URL of another host. An item at such a link, or whose text is
// one such link, stands for the page it leads to. A link with no such
// parameter, or with two that lead to different pages, names none; nor
// does an address in any other parameter, which tells where the reader came
// from or goes back to ("?ref=…", "?utm_referrer=…", "?return_to=…",
// "?redirect_uri=…", "?next=…"), on an article's own link as often as on
// a redirect's: a page that two reports each name so would be taken for
// the original of both.
func redirectTarget(link string) (string, bool) {
	if i := strings.IndexByte(link, '?'); i < 0 || !containsASCIIFold(link[i:], "http") {
		return "", false // most links: no need to parse them
	}
	u, err := url.Parse(link)
	if err != nil || u.RawQuery == "" {
		return "", false
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", false
	}
	var to string
	for key, values := range q {
		if !redirectParams[strings.ToLower(key)] {
			continue
		}
		for _, v := range values {
			t, err := url.Parse(v)
			if err != nil || (t.Scheme != "http" && t.Scheme != "https") || t.Host == "" ||
				strings.EqualFold(t.Hostname(), u.Hostname()) {
				continue
			}
			if to != "" && to != v {
				return "", false
			}
			to = v
		}
	}
	return to, to != ""
}

// redirectParams are the names, in lower case, of the query parameters in
// which redirect links carry the address they lead to: news finders' and
// search engines' "url" and "q" (".../url?…&url=", ".../news/apiclick.aspx?
// …&url=", ".../url?q="), social sites' "u" and "to" ("l.php?u=",
// "away.php?to="), and the other names link shorteners and mail and chat
// programs' link checkers give it.
var redirectParams = map[string]bool{
	"url": true, "u": true, "q": true, "to": true, "target": true,
	"dest": true, "destination": true, "goto": true, "redirect": true,
	"redirect_url": true, "redirecturl": true, "redir": true, "link": true,
	"out": true, "href": true,
}

// headlineOutlet returns the name that ends a news finder's headline after
// a dash or a bar ("… dies at 76 - Corbel Press" gives "Corbel Press"), or
// "" when the headline ends in no such name of one to four words.
func headlineOutlet(title string) string {
	title = collapseSpace(title)
	i := -1
	for _, sep := range []string{" - ", " – ", " — ", " | "} {
		i = max(i, strings.LastIndex(title, sep))
	}
	if i <= 0 {
		return ""
	}
	_, name, _ := strings.Cut(title[i+1:], " ")
	if n := len(strings.Fields(name)); n == 0 || n > 4 {
		return ""
	}
	return name
}

// MobilePages returns the canonical links of the page whose mobile version
// is at the canonical link c, or none when c is no mobile page: an "amp.",
// "m." or "mobile." host, a path that ends or begins in an "amp" segment or
// ends in ".amp" or ".amp.html", or an "amp", "outputType=amp" or
// "output=amp" query parameter, as sites publish their AMP and mobile pages
// beside their articles. A page on a mobile host is named on the host
// without the prefix and on its "www." host, where sites keep the article.
func MobilePages(c string) []string {
	if !mentionsMobile(c) {
		return nil // most links: no need to parse them
	}
	return mobilePages(c)
}

// mobilePages is MobilePages without the quick test that spares most
// links their parse.
func mobilePages(c string) []string {
	u, err := url.Parse(c)
	if err != nil {
		return nil
	}
	changed := false
	mobileHost := false
	for _, prefix := range []string{"amp.", "m.", "mobile."} {
		if h, ok := strings.CutPrefix(u.Host, prefix); ok && strings.Contains(h, ".") {
			u.Host, changed, mobileHost = h, true, true
			break
		}
	}
	path := u.Path
	switch {
	case strings.HasSuffix(path, "/amp/"):
		path = strings.TrimSuffix(path, "amp/")
	case strings.HasSuffix(path, "/amp"):
		path = strings.TrimSuffix(path, "/amp")
	case strings.HasSuffix(path, ".amp.html"):
		path = strings.TrimSuffix(path, ".amp.html") + ".html"
	case strings.HasSuffix(path, ".amp"):
		path = strings.TrimSuffix(path, ".amp")
	case strings.HasPrefix(path, "/amp/") && len(path) > len("/amp/"):
		path = strings.TrimPrefix(path, "/amp")
	}
	if path != u.Path {
		u.Path, u.RawPath, changed = path, "", true
	}
	if q := u.Query(); q.Has("amp") || strings.EqualFold(q.Get("outputType"), "amp") || strings.EqualFold(q.Get("output"), "amp") {
		q.Del("amp")
		q.Del("outputType")
		if strings.EqualFold(q.Get("output"), "amp") {
			q.Del("output")
		}
		u.RawQuery, changed = q.Encode(), true
	}
	if !changed {
		return nil
	}
	page := CanonicalURL(u.String())
	if page == c || isFrontPage(page) {
		return nil
	}
	pages := []string{page}
	if mobileHost && !strings.HasPrefix(u.Host, "www.") {
		u.Host = "www." + u.Host
		if www := CanonicalURL(u.String()); www != "" && www != c {
			pages = append(pages, www)
		}
	}
	return pages
}

// mentionsMobile reports whether c holds "amp", in any case, as a part of
// its own (between two of "/", ".", "?", "&", "=" and "#", or at its end),
// or a host that begins "m." or "mobile.": whether MobilePages may find a
// page. The "amp" inside a word ("example", "campus") is not one. A link
// with an escape ("%61mp") is parsed to be sure.
func mentionsMobile(c string) bool {
	if strings.Contains(c, "//m.") || strings.Contains(c, "//mobile.") || strings.Contains(c, "%") {
		return true
	}
	for i := 1; i+3 <= len(c); i++ {
		if strings.EqualFold(c[i:i+3], "amp") && strings.IndexByte("/.?&=", c[i-1]) >= 0 &&
			(i+3 == len(c) || strings.IndexByte("/.?&=#", c[i+3]) >= 0) {
			return true
		}
	}
	return false
}

func isFrontPage(canonical string) bool {
	u, err := url.Parse(canonical)
	return err != nil || ((u.Path == "" || u.Path == "/") && u.RawQuery == "")
}

// canonicalInHTML returns the href of each <link rel="canonical"> in an HTML
// fragment, resolved against base. The sanitiser drops <link> elements, so
// this reads the raw fragment, and only when it mentions "canonical".
func canonicalInHTML(s string, base *url.URL) []string {
	if !strings.Contains(s, "canonical") && !strings.Contains(s, "Canonical") && !strings.Contains(s, "CANONICAL") {
		return nil
	}
	var out []string
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if !hasAttr || atom.Lookup(name) != atom.Link {
			continue
		}
		var rel, href string
		for {
			k, v, more := z.TagAttr()
			switch string(k) {
			case "rel":
				rel = string(v)
			case "href":
				href = string(v)
			}
			if !more {
				break
			}
		}
		if href != "" && hasToken(rel, "canonical") {
			out = append(out, resolve(base, href))
		}
	}
}

// hasToken reports whether the space-separated list has tok, ignoring case.
func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

// containsASCIIFold reports whether s holds sub, a lower-case ASCII word,
// in any case.
func containsASCIIFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for ; j < len(sub); j++ {
			c := s[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}
