package near

import (
	"encoding/binary"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ChromeMin is how many items of one source must carry a line (or a title
// segment) before it counts as that source's chrome rather than its text.
const ChromeMin = 3

// LineKey is the key under which a line of text, or a segment of a title,
// is counted per source to find chrome. Lines differing only in case, white
// space, punctuation or digits share a key, so "May 29, 2020 12°C" and
// "May 30, 2020 19°C" are one line. The key is the eight bytes of a 64-bit
// FNV-1a hash of that normal form: short enough that the store keeps it as
// it is, where it digests longer keys.
func LineKey(line string) string {
	const (
		offset64 = 14695981039346656037
		prime64  = 1099511628211
	)
	h := uint64(offset64)
	space, started := false, false
	for _, r := range line {
		var lower rune
		switch {
		case r < utf8.RuneSelf:
			switch {
			case 'a' <= r && r <= 'z':
				lower = r
			case 'A' <= r && r <= 'Z':
				lower = r + 'a' - 'A'
			case '0' <= r && r <= '9':
				lower = '0'
			default:
				space = true
				continue
			}
		case unicode.IsLetter(r):
			lower = unicode.ToLower(r)
		case unicode.IsDigit(r):
			lower = '0'
		default:
			space = true
			continue
		}
		if space && started {
			h = (h ^ ' ') * prime64
		}
		space, started = false, true
		if lower < utf8.RuneSelf {
			h = (h ^ uint64(lower)) * prime64
			continue
		}
		var b [utf8.UTFMax]byte
		n := utf8.EncodeRune(b[:], lower)
		for _, c := range b[:n] {
			h = (h ^ uint64(c)) * prime64
		}
	}
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], h)
	return string(k[:])
}

// Prose reports whether a line reads as running text rather than page
// furniture: at least four words and either a function word or the end of a
// sentence, function words counting only when written in lower case as
// they are in running text ("New York" and "May 29" are names). Calls to action ("Read more"), credits, datelines, weather lines
// and labels are short runs of names and numbers; a sentence is not. A line
// wholly in brackets is not prose either, however many words it has: it
// is a note about the item rather than its report, as a wire's "(Corrects
// revenue fall to 4% from 3% in second paragraph)" or "(Reporting by …;
// Editing by …)", which one version of a story has and another not.
//
// In scripts written without spaces, whose words are pairs of characters
// (see words), Chinese has no function words among them, and Thai, Lao,
// Khmer and Burmese mark the end of a sentence with a space if at all: a
// line of at least minSpacelessProse such words, a clause or more, is
// prose, though cut short ("……") or without its stop.
func Prose(line string) bool {
	if bracketed(line) {
		return false
	}
	letters, stop, pairs := 0, 0, 0
	eachWord(line, func(w word) bool {
		if w.number || utf8.RuneCountInString(w.norm) < 2 {
			return true
		}
		letters++
		if w.term == "" && !w.initial {
			stop++
		}
		if w.pair {
			pairs++
		}
		// Four words and a function word: prose whatever follows.
		return letters < 4 || stop == 0 && pairs < minSpacelessProse
	})
	if letters < 4 {
		return false
	}
	if stop > 0 || pairs >= minSpacelessProse {
		return true
	}
	return Sentence(line)
}

// minSpacelessProse is the number of words, pairs of characters, from which
// a line in a script written without spaces is prose: some twenty
// characters, where a call to action ("点击阅读全文", "ข่าวด่วนวันนี้") or a
// credit has fewer.
const minSpacelessProse = 20

// bracketed reports whether s, trimmed, is wholly within one pair of round
// or square brackets: "(Adds comments)", not "(a) one thing (b) another".
func bracketed(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) < 2 {
		return false
	}
	open, closing := s[0], s[len(s)-1]
	if !(open == '(' && closing == ')' || open == '[' && closing == ']') {
		return false
	}
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case open:
			depth++
		case closing:
			depth--
			if depth == 0 && i < len(s)-1 {
				return false // closed before the end
			}
		}
	}
	return depth == 0
}

// maxLeadLabel bounds where a line's lead label may end, in bytes, and
// maxLeadWords its words: "READ ALSO", "Related", "More from the section".
const (
	maxLeadLabel = 40
	maxLeadWords = 4
)

// LeadLabel returns the label a line begins with, before a colon, as in
// "READ ALSO: Another report's headline" or "Related: …": one to four
// words and something after them. Counted per source like a line, a lead
// label that recurs across the source's items marks its lines as pointers
// to other pages rather than text of the item.
func LeadLabel(line string) (string, bool) {
	i := strings.Index(line, ": ")
	if i <= 0 || i > maxLeadLabel || strings.TrimSpace(line[i+2:]) == "" {
		return "", false
	}
	label := line[:i]
	n := 0
	ok := true
	eachWord(label, func(w word) bool {
		n++
		if w.number || n > maxLeadWords {
			ok = false
		}
		return ok
	})
	if !ok || n == 0 {
		return "", false
	}
	return label, true
}

// Sentence reports whether s ends as a sentence does, in a full stop, a
// question mark or an exclamation mark (or the ideographic and full-width
// ones of Chinese and Japanese), perhaps inside closing quotes or brackets.
func Sentence(s string) bool {
	t := strings.TrimRightFunc(s, func(r rune) bool {
		return r == '"' || r == '”' || r == '\'' || r == '’' || r == ')' || r == '」' || r == '』' || r == '）' || unicode.IsSpace(r)
	})
	r, _ := utf8.DecodeLastRuneInString(t)
	switch r {
	case '.', '!', '?', '。', '．', '！', '？', '｡':
		return true
	}
	return false
}

// titleSeps separate the parts of a headline: a section label and the
// headline, the headline and the site's name, a kicker and its story.
var titleSeps = []string{" | ", " - ", " – ", " — ", " :: ", ": ", " · ", " • "}

// Segments splits a headline at its separators (" | ", " - ", ": " and the
// like) and around bracketed labels such as "(VIDEO)", trimmed and without
// empty parts. A headline without separators is one segment.
func Segments(title string) []string {
	parts := []string{title}
	for _, sep := range titleSeps {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, sep)...)
		}
		parts = next
	}
	var out []string
	for _, p := range parts {
		for _, q := range splitBrackets(p) {
			if q = strings.TrimSpace(q); q != "" {
				out = append(out, q)
			}
		}
	}
	return out
}

// splitBrackets splits "Headline (VIDEO)" into "Headline" and "VIDEO".
func splitBrackets(s string) []string {
	var out []string
	for {
		i := strings.IndexAny(s, "([")
		if i < 0 {
			break
		}
		closer := ")"
		if s[i] == '[' {
			closer = "]"
		}
		j := strings.Index(s[i:], closer)
		if j < 0 {
			break
		}
		out = append(out, s[:i], s[i+1:i+j])
		s = s[i+j+1:]
	}
	return append(out, s)
}

// Label reports whether a headline segment is a label rather than words of
// the headline: a single word written in capitals, like a kicker.
func Label(segment string) bool {
	ws := words(segment)
	return len(ws) == 1 && ws[0].acronym && utf8.RuneCountInString(ws[0].norm) >= 4
}

// footers are the lines that publishing platforms print under every item,
// each naming the item's own title, author or site, so that no two items'
// lines are alike and counting them per source (LineKey) never finds them:
// WordPress's "The post <title> appeared first on <site>." (Yoast SEO's
// footer, in the languages it ships; a site's name of at most eight words
// without a comma ends it, where a sentence that starts alike goes on)
// and Reddit's "submitted by /u/<name>
// to r/<community>", whose "[link]" and "[comments]" Text leaves out. The
// first group is the title a WordPress footer names.
var footers = regexp.MustCompile(`(?i)^(?:` +
	`(?:the post|der beitrag|l['’]article|la entrada|het bericht) (.+) (?:appeared first on|erschien zuerst auf|est apparu en premier sur|se publicó primero en|verscheen eerst op)(?: [^ ,;:]+){1,8}` +
	`|submitted by /?u/\S+(?: to /?r/\S+)?` +
	`)$`)

// footerStarts are the lower-case starts of the lines footers matches,
// which spare the regexp every other line.
var footerStarts = []string{"the post ", "der beitrag ", "l'article ", "l’article ", "la entrada ", "het bericht ", "submitted by "}

// Footer reports whether line, a line of an item's text (of Text) and the
// item titled title, is such a platform's footer: it says where the item
// was published and by whom, not what it reports, and topics and
// near-duplicates are decided without it, as they are without a source's
// recurring lines. The platforms print it last (a caller reads only the
// last line, or the last but for the source's recurring lines under it,
// as ingest's footerLine does), and WordPress's names the
// item's own title (compared as LineKey compares lines): a last paragraph
// that only starts and ends alike ("The post office closed at noon. Its
// sign appeared first on the cover of the Gazette."), or one that quotes
// another post's footer, is the article's text.
func Footer(line, title string) bool {
	line = strings.TrimSpace(line)
	for _, p := range footerStarts {
		if len(line) > len(p) && strings.EqualFold(line[:len(p)], p) {
			m := footers.FindStringSubmatch(line)
			return m != nil && (m[1] == "" || LineKey(m[1]) == LineKey(title))
		}
	}
	return false
}
