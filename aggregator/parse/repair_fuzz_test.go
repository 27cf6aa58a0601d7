package parse

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// FuzzRepairHTML holds needsRepair to repairHTML: HTML it passes over is
// HTML repairHTML would leave as the policy reads it. It also checks that repairing never
// makes invalid UTF-8 of valid, and that every URL sanitised HTML holds is
// absolute http(s) or mailto once resolved against an absolute base.
func FuzzRepairHTML(f *testing.F) {
	for _, s := range []string{
		`<a href="/news/a story.html">x</a>`,
		`<img src="data:image/gif;base64,R0lGOD" data-src="/img/a b.jpg">`,
		`<img width="1" height="1" src="https://t.example/p.gif">`,
		`<img width=" 1" height=" 1" src="https://t.example/p.gif">`,
		`<a href=a&#32;b>x</a>`,
		`<a HREF = 'x&#9;y'>x</a>`,
		`<img data-lazy-src="//cdn.example/x.png" src="">`,
		`<a href="http:///example.org/">x</a><a href="https:\\example.org\a">y</a>`,
		`<a href="#x">x</a><a href="?q">q</a><a href="../../..">u</a>`,
		`<p width=1>`, `=`, `href="`, `<a href="é ü">`,
	} {
		f.Add(s)
	}
	base, _ := url.Parse("https://site.example/a/b.html")
	f.Fuzz(func(t *testing.T, s string) {
		r := repairHTML(s, nil)
		// An unfinished tag at the end, which repairHTML drops, is
		// dropped by the policy too.
		if !needsRepair(s) && policy.Sanitize(r) != policy.Sanitize(s) {
			t.Fatalf("needsRepair(%q) = false, but repairHTML makes it %q", s, r)
		}
		if utf8.ValidString(s) && !utf8.ValidString(r) {
			t.Fatalf("repairHTML(%q) = %q: invalid UTF-8", s, r)
		}
		got := sanitize(s, base, nil)
		z := html.NewTokenizer(strings.NewReader(got))
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			for _, a := range z.Token().Attr {
				if urlAttrs[a.Key] && !absoluteAsBrowsersRead(a.Val) && !strings.HasPrefix(a.Val, "mailto:") {
					t.Errorf("sanitize(%q) = %q: %s=%q is not absolute", s, got, a.Key, a.Val)
				}
			}
		}
	})
}

// absoluteAsBrowsersRead reports whether v is an absolute http(s) URL:
// its scheme, then two slashes, either of which browsers take a backslash
// for. Whether a host follows, and a valid one, is for the browser to
// find.
func absoluteAsBrowsersRead(v string) bool {
	for _, scheme := range []string{"https:", "http:"} {
		if rest, ok := strings.CutPrefix(v, scheme); ok {
			return len(rest) >= 2 && isSlash(rest[0]) && isSlash(rest[1])
		}
	}
	return false
}
