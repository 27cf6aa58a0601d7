package near

import (
	"encoding/hex"
	"hash/fnv"
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
// "May 30, 2020 19°C" are one line.
func LineKey(line string) string {
	h := fnv.New64a()
	space, started := false, false
	for _, r := range line {
		switch {
		case unicode.IsLetter(r):
			if space && started {
				h.Write([]byte{' '})
			}
			space, started = false, true
			var b [utf8.UTFMax]byte
			n := utf8.EncodeRune(b[:], unicode.ToLower(r))
			h.Write(b[:n])
		case unicode.IsDigit(r):
			if space && started {
				h.Write([]byte{' '})
			}
			space, started = false, true
			h.Write([]byte{'0'})
		default:
			space = true
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Prose reports whether a line reads as running text rather than page
// furniture: at least four words and either a function word or the end of a
// sentence, function words counting only when written in lower case as
// they are in running text ("New York" and "May 29" are names). Calls to action ("Read more"), credits, datelines, weather lines
// and labels are short runs of names and numbers; a sentence is not.
func Prose(line string) bool {
	ws := words(line)
	letters, stop := 0, 0
	for _, w := range ws {
		if w.number {
			continue
		}
		if utf8.RuneCountInString(w.norm) < 2 {
			continue
		}
		letters++
		if w.term == "" && !w.initial {
			stop++
		}
	}
	if letters < 4 {
		return false
	}
	if stop > 0 {
		return true
	}
	t := strings.TrimRightFunc(line, func(r rune) bool { return r == '"' || r == '”' || r == '\'' || r == '’' || r == ')' })
	return strings.HasSuffix(t, ".") || strings.HasSuffix(t, "!") || strings.HasSuffix(t, "?")
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
