package near

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// textTwoPass is Text as it was written first, with a tokenizer pass to
// find block markup before the pass that writes the text. Text must return
// what it returns for every input: FuzzTextMatchesTwoPass and
// TestTextMatchesTwoPass compare them.
func textTwoPass(fragment string) string {
	if fragment == "" {
		return ""
	}
	if !utf8.ValidString(fragment) {
		fragment = strings.ToValidUTF8(fragment, "\uFFFD")
	}
	plain := !hasBlockMarkup(fragment)
	var b strings.Builder
	b.Grow(len(fragment))
	skip := 0
	// Blocks whose text is all link text, dropped when other text has some.
	link, lineStart := 0, 0
	linked, own, anyOwn := false, false, false
	var linkOnly [][2]int
	endLine := func() {
		if linked && !own {
			linkOnly = append(linkOnly, [2]int{lineStart, b.Len()})
		}
		lineStart, linked, own = b.Len(), false, false
	}
	z := xhtml.NewTokenizer(strings.NewReader(fragment))
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			if plain {
				return finish(b.String())
			}
			endLine()
			out := []byte(b.String())
			if anyOwn {
				for _, span := range linkOnly {
					for i := span[0]; i < span[1]; i++ {
						if out[i] != '\n' {
							out[i] = ' '
						}
					}
				}
			}
			return finish(string(out))
		case xhtml.TextToken:
			if skip > 0 {
				continue
			}
			t := z.Text()
			if len(bytes.TrimSpace(t)) > 0 {
				if link > 0 {
					linked = true
				} else {
					own, anyOwn = true, true
				}
			}
			if plain {
				b.Write(t)
				continue
			}
			for len(t) > 0 {
				i := bytes.IndexByte(t, '\n')
				if i < 0 {
					b.Write(t)
					break
				}
				b.Write(t[:i])
				b.WriteByte(' ')
				t = t[i+1:]
			}
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken, xhtml.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if a == atom.A && tt != xhtml.SelfClosingTagToken {
				if tt == xhtml.StartTagToken {
					link++
				} else if link > 0 {
					link--
				}
			}
			if blockTags[a] {
				endLine()
			}
			if skipTags[a] && tt != xhtml.SelfClosingTagToken {
				if tt == xhtml.StartTagToken {
					skip++
				} else if skip > 0 {
					skip--
				}
				b.WriteByte(' ')
				continue
			}
			if blockTags[a] || a == atom.Img {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		}
	}
}

func hasBlockMarkup(s string) bool {
	if !strings.Contains(s, "<") {
		return false
	}
	z := xhtml.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return false
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken, xhtml.EndTagToken:
			name, _ := z.TagName()
			if blockTags[atom.Lookup(name)] {
				return true
			}
		}
	}
}

func TestTextMatchesTwoPass(t *testing.T) {
	for _, in := range textSamples {
		if got, want := Text(in), textTwoPass(in); got != want {
			t.Errorf("Text(%q) = %q; the two-pass reading gives %q", in, got, want)
		}
	}
}
