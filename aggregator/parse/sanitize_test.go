package parse

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// unsafeHTML returns a description of the first construct in s that could
// run script, load active content or restyle the page, or "" when there is
// none. It checks what a browser would see, by tokenising s.
func unsafeHTML(s string) string {
	if !utf8.ValidString(s) {
		return "invalid UTF-8"
	}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			switch tok.Data {
			case "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form",
				"input", "button", "textarea", "select", "svg", "math", "meta", "link", "base", "template",
				"noscript", "xml", "video", "audio", "source", "marquee":
				return "element <" + tok.Data + ">"
			}
			for _, a := range tok.Attr {
				k := strings.ToLower(a.Key)
				if strings.HasPrefix(k, "on") || k == "style" || k == "srcdoc" || k == "formaction" || k == "xmlns" {
					return "attribute " + k + " on <" + tok.Data + ">"
				}
				if urlAttrs[k] || k == "background" || k == "action" || k == "data" || k == "srcset" {
					v := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
					if !(strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "mailto:")) &&
						strings.Contains(v, ":") && !strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "#") && !strings.HasPrefix(v, "?") {
						return "url " + a.Val + " in " + k
					}
				}
				if tok.Data == "a" && k == "rel" && a.Val != LinkRel {
					return "rel " + a.Val
				}
			}
		}
	}
}

// xssPayloads are classic attack strings: script tags, event handlers,
// javascript:/vbscript:/data: URLs in links and images in several encodings,
// SVG, iframes, styles, meta refresh, forms and objects.
var xssPayloads = []string{
	`<script>alert(1)</script>`,
	`<SCRIPT SRC=https://evil.example/x.js></SCRIPT>`,
	`<scr<script>ipt>alert(1)</scr</script>ipt>`,
	`<img src=x onerror=alert(1)>`,
	`<img src="x" OnError="alert(1)">`,
	`<img src=javascript:alert(1)>`,
	`<img src="jav&#x09;ascript:alert(1)">`,
	`<img src="jav&#x0A;ascript:alert(1)">`,
	`<img src="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">`,
	`<img src="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">`,
	`<img src="  javascript:alert(1)">`,
	`<img src=data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+>`,
	`<img src="data:text/html,<script>alert(1)</script>">`,
	`<a href="javascript:alert(1)">x</a>`,
	`<a href="JaVaScRiPt:alert(1)">x</a>`,
	`<a href="java&#0000115;cript:alert(1)">x</a>`,
	`<a href="javascript&colon;alert(1)">x</a>`,
	`<a href=" &#14;  javascript:alert(1)">x</a>`,
	`<a href="vbscript:msgbox(1)">x</a>`,
	`<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`,
	`<a href="https://ok.example/" onclick="alert(1)" onmouseover=alert(1)>x</a>`,
	`<a href="https://ok.example/" target="_blank" rel="opener">x</a>`,
	`<svg onload=alert(1)><circle r=10 /></svg>`,
	`<svg><script>alert(1)</script></svg>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`<iframe src="https://evil.example/"></iframe>`,
	`<iframe srcdoc="<script>alert(1)</script>"></iframe>`,
	`<style>body{background:url(javascript:alert(1))}</style>`,
	`<p style="background:url(javascript:alert(1))">x</p>`,
	`<div style="position:fixed;top:0;left:0;width:100%;height:100%">x</div>`,
	`<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
	`<link rel="stylesheet" href="https://evil.example/x.css">`,
	`<base href="https://evil.example/">`,
	`<form action="https://evil.example/"><input name="q"><button formaction="javascript:alert(1)">go</button></form>`,
	`<object data="https://evil.example/x.swf"></object>`,
	`<embed src="https://evil.example/x.swf">`,
	`<body onload=alert(1)>`,
	`<video><source onerror="alert(1)"></video>`,
	`<details open ontoggle=alert(1)>`,
	`<table background="javascript:alert(1)"><tr><td>x</td></tr></table>`,
	`<blockquote cite="javascript:alert(1)">x</blockquote>`,
	`<<script>script>alert(1)<</script>/script>`,
	`"><script>alert(1)</script>`,
	`<img """><script>alert(1)</script>">`,
	`<!--<img src="--><img src=x onerror=alert(1)//">`,
	`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
	`<a href="&#1;javascript:alert(1)">x</a>`,
	`<img src=x:alert(alt) onerror=eval(src) alt=0>`,
	"<a href=\"java\x00script:alert(1)\">x</a>",
	"<img src=\"java\tscript:alert(1)\">",
	`<img data-src="javascript:alert(1)">`,
	`<img src="/p.gif" data-src=" JaVa&#x09;Script:alert(1)">`,
	`<img data-src="data:text/html,<script>alert(1)</script>">`,
	`<img data-original="vbscript:msgbox(1)" src=x>`,
}

func TestSanitizeXSS(t *testing.T) {
	for _, p := range xssPayloads {
		for _, wrap := range []string{"%s", "<p>before %s after</p>", "<div><a href=\"/ok\">ok</a>%s</div>"} {
			in := strings.Replace(wrap, "%s", p, 1)
			got := Sanitize(in, "https://site.example/dir/page.html")
			if why := unsafeHTML(got); why != "" {
				t.Errorf("Sanitize(%q) = %q: unsafe: %s", in, got, why)
			}
			if strings.Contains(strings.ToLower(got), "alert(1)") && strings.Contains(got, "<") && strings.Contains(strings.ToLower(got), "script") {
				t.Errorf("Sanitize(%q) = %q: script text survives as markup", in, got)
			}
		}
	}
}

func TestSanitize(t *testing.T) {
	const base = "https://site.example/news/story.html"
	tests := []struct {
		name, in, want string
	}{
		{"plain text", "Just text.", "Just text."},
		{"empty", "   ", ""},
		{"keeps formatting", "<p>A <b>bold</b> <em>claim</em>.</p>", "<p>A <b>bold</b> <em>claim</em>.</p>"},
		{"relative link", `<a href="../other.html">x</a>`, `<a href="https://site.example/other.html" rel="nofollow noopener noreferrer">x</a>`},
		{"root-relative image", `<img src="/i/a.png" alt="a">`, `<img src="https://site.example/i/a.png" alt="a">`},
		{"protocol-relative", `<img src="//cdn.example/a.png">`, `<img src="https://cdn.example/a.png">`},
		// Browsers read a backslash in an http(s) URL's path as a slash:
		// the link goes where a reader's click would.
		{"backslashes for slashes", `<a href="\\cdn.example\a\b.html?q=\x">x</a><img src="\i\a.png">`, `<a href="https://cdn.example/a/b.html?q=\x" rel="nofollow noopener noreferrer">x</a><img src="https://site.example/i/a.png">`},
		{"three slashes", `<a href="///cdn.example/a">x</a>`, `<a href="https://cdn.example/a" rel="nofollow noopener noreferrer">x</a>`},
		{"three slashes before a host Go does not parse", `<img src="///a&quot;b/i.png">`, `<img src="https://a%22b/i.png">`},
		{"backslash in another scheme", `<a href="mailto:a\\b@x.example">x</a>`, `<a href="mailto:a\\b@x.example" rel="nofollow noopener noreferrer">x</a>`},
		{"slash and backslash", `<a href="/\\cdn.example/a">x</a>`, `<a href="https://cdn.example/a" rel="nofollow noopener noreferrer">x</a>`},
		{"absolute link", `<a href="https://x.example/a">x</a>`, `<a href="https://x.example/a" rel="nofollow noopener noreferrer">x</a>`},
		{"rel replaced", `<a href="https://x.example/" rel="opener author">x</a>`, `<a href="https://x.example/" rel="nofollow noopener noreferrer">x</a>`},
		{"script removed", `<p>a</p><script>alert(1)</script><p>b</p>`, `<p>a</p><p>b</p>`},
		{"handler removed", `<b onclick="x()">b</b>`, `<b>b</b>`},
		{"javascript link dropped", `<a href="javascript:alert(1)">x</a>`, `x`},
		{"data image dropped", `<img src="data:image/png;base64,AAAA">`, ``},
		{"iframe as a link", `<iframe src="https://v.example/"></iframe>ok`, `<a href="https://v.example/" rel="nofollow noopener noreferrer">https://v.example/</a>  ok`},
		{"iframe without a source dropped", `<iframe srcdoc="<p>x</p>"></iframe>ok`, `ok`},
		{"iframe of a bad source dropped", `<iframe src="javascript:alert(1)"></iframe>ok`, `ok`},
		// A player's URL whose port is past 65535 is no URL a link may
		// keep, nor its URL the link's text: written without its scheme
		// the policy would take it for relative and keep it.
		{"iframe of a port past 65535 dropped", `<iframe src="https://v.example:99999/embed/a"></iframe>ok`, `ok`},
		{"video of a port past 65535 dropped", `<video src="//v.example:99999/a.mp4"></video>ok`, `ok`},
		{"poster of a port past 65535 dropped", `<video src="/a.mp4" poster="//v.example:70000/a.jpg"></video>ok`,
			`<a href="https://site.example/a.mp4" rel="nofollow noopener noreferrer">https://site.example/a.mp4</a>  ok`},
		{"direction and language", `<div dir="rtl" lang="ar"><p dir="auto">مرحبا <span dir="LTR" lang="en">Hello</span></p><p dir="up">x</p></div>`,
			`<div dir="rtl" lang="ar"><p dir="auto">مرحبا <span dir="LTR" lang="en">Hello</span></p><p>x</p></div>`},
		{"control chars", "a\x00b\x01c\x7fd\u0081", "abcd"},
		{"c1 as windows-1252", "don\u0092t", "don’t"},
		{"control chars as references", "<p>a&#1;b&#x7f;c&#x1B;d&#128;e</p>", "<p>abcd€e</p>"},
		{"invalid utf-8", "caf\xe9 <b>ok</b>", "caf <b>ok</b>"},
		{"entity kept", "AT&amp;T", "AT&amp;T"},
		{"fragment link", `<a href="#note">n</a>`, `<a href="https://site.example/news/story.html#note" rel="nofollow noopener noreferrer">n</a>`},
		{"scheme without host", `<a href=http:>x</a>`, `<a href="https://site.example/news/story.html" rel="nofollow noopener noreferrer">x</a>`},
		{"scheme and path without host", `<a href="https:other.html">x</a>`, `<a href="https://site.example/news/other.html" rel="nofollow noopener noreferrer">x</a>`},
		// Slashes beyond two after the scheme, which browsers skip.
		{"three slashes", `<a href="http:///x.example/a">x</a>`, `<a href="http://x.example/a" rel="nofollow noopener noreferrer">x</a>`},
		{"four slashes in image", `<img src="https:////cdn.example/i.png">`, `<img src="https://cdn.example/i.png">`},
		// Browsers trim the white space around a URL, drop tabs and line
		// breaks inside it and percent-encode its spaces.
		{"space in link", `<a href="/news/a story.html">x</a>`, `<a href="https://site.example/news/a%20story.html" rel="nofollow noopener noreferrer">x</a>`},
		{"trailing space in link", `<a href="other story.html ">x</a>`, `<a href="https://site.example/news/other%20story.html" rel="nofollow noopener noreferrer">x</a>`},
		{"spaces and line breaks around link", "<a href=\"\n  https://x.example/a b?q=c d\n\">x</a>", `<a href="https://x.example/a%20b?q=c%20d" rel="nofollow noopener noreferrer">x</a>`},
		{"space as reference in link", `<a href="/a&#32;b.html">x</a>`, `<a href="https://site.example/a%20b.html" rel="nofollow noopener noreferrer">x</a>`},
		{"space in image", `<IMG SRC="/i/a b.png" alt="a">`, `<img src="https://site.example/i/a%20b.png" alt="a">`},
		{"space in javascript link", "<a href=\"java script:alert(1)\">x</a>", `x`},
		{"tab in javascript link", "<a href=\" java\tscript:alert(1)\">x</a>", `x`},
		// Lazy loading: the real image is in data-src and the like, src
		// holds a placeholder or nothing.
		{"lazy image", `<img src="/i/placeholder.gif" data-src="/photos/harbour.jpg" alt="Harbour">`, `<img src="https://site.example/photos/harbour.jpg" alt="Harbour">`},
		{"lazy image without src", `<img data-lazy-src="harbour 2.jpg" alt="Harbour">`, `<img alt="Harbour" src="https://site.example/news/harbour%202.jpg">`},
		{"lazy image with data placeholder", `<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-original="//cdn.example/h.jpg">`, `<img src="https://cdn.example/h.jpg">`},
		{"lazy image with a bad source", `<img src="/i/p.png" data-src="javascript:alert(1)">`, `<img src="https://site.example/i/p.png">`},
		{"lazy image of several sizes", `<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-srcset="/i/h-300.jpg 300w, /i/h-1200.jpg 1200w, /i/h-600.jpg 600w" alt="Harbour">`, `<img src="https://site.example/i/h-1200.jpg" alt="Harbour">`},
		{"lazy image of several densities", `<img data-srcset="//cdn.example/h.jpg, //cdn.example/h@2x.jpg 2x">`, `<img src="https://cdn.example/h@2x.jpg">`},
		{"lazy image of several sizes with commas in its URLs", `<img data-srcset="/c/w_300,h_200/h.jpg 300w, /c/w_900,h_600/h.jpg 900w">`, `<img src="https://site.example/c/w_900,h_600/h.jpg">`},
		{"data-src before data-srcset", `<img data-src="/i/h.jpg" data-srcset="/i/h-1200.jpg 1200w">`, `<img src="https://site.example/i/h.jpg">`},
		{"data-src on a link", `<a href="/a" data-src="/b">x</a>`, `<a href="https://site.example/a" rel="nofollow noopener noreferrer">x</a>`},
		// Tracking pixels: images a pixel or less each way.
		{"tracking pixel", `<p>Text.<img src="https://t.example/p.gif?u=1" width="1" height="1" alt=""></p>`, `<p>Text.</p>`},
		{"tracking pixel of no size", `<p>Text.<IMG SRC="/p.gif" HEIGHT=0 WIDTH="0px" border="0"/></p>`, `<p>Text.</p>`},
		{"tracking pixel with spaced sizes", `<p>Text.<img src="https://t.example/p.gif" width=" 1" height=" 0px"></p>`, `<p>Text.</p>`},
		{"tracking pixel of referenced sizes", `<p>Text.<img src="https://t.example/p.gif" width=&#49; height=&#48;></p>`, `<p>Text.</p>`},
		{"unquoted link with a referenced space", `<a href=/a&#32;b.html>x</a>`, `<a href="https://site.example/a%20b.html" rel="nofollow noopener noreferrer">x</a>`},
		{"thin image kept", `<img src="/rule.png" width="1" height="300">`, `<img src="https://site.example/rule.png" width="1" height="300">`},
		{"space text is no attribute", `<p>write href="a b" here</p>`, `<p>write href=&#34;a b&#34; here</p>`},
		// An override of the letters' order, which shows "gpj.exe" as
		// "exe.jpg", keeps only its direction.
		{"bdo", `<p>Open <BDO dir="rtl">gpj.exe</BDO> or <bdo>this</bdo></p>`, `<p>Open <bdi dir="rtl">gpj.exe</bdi> or  this </p>`},
		// A wiki's diff marks its lines in an attribute its style sheet
		// shows: the marks are written in the cells.
		{"diff marks", `<table class="diff"><tr><td class="diff-marker" data-marker="−"></td><td class="diff-deletedline"><div>about <del class="diffchange">5,000</del> people</div></td>` +
			`<td class="diff-marker" data-marker="+"></td><td class="diff-addedline"><div>about <ins class="diffchange">5,400</ins> people</div></td></tr></table>`,
			`<table><tr><td>−</td><td><div>about <del>5,000</del> people</div></td><td>+</td><td><div>about <ins>5,400</ins> people</div></td></tr></table>`},
		{"diff mark escaped", `<table><tr><td data-marker="<"></td><td data-marker="&amp;&amp;"></td><td data-marker="a long note">x</td></tr></table>`,
			`<table><tr><td>&lt;</td><td>&amp;&amp;</td><td>x</td></tr></table>`},
	}
	for _, tt := range tests {
		got := Sanitize(tt.in, base)
		if got != tt.want {
			t.Errorf("%s: Sanitize(%q, %q) = %q; want %q", tt.name, tt.in, base, got, tt.want)
		}
	}
}

func TestSanitizeNoBase(t *testing.T) {
	in := `<a href="/rel">x</a>`
	got := Sanitize(in, "")
	want := `<a href="/rel" rel="nofollow noopener noreferrer">x</a>`
	if got != want {
		t.Errorf("Sanitize(%q, \"\") = %q; want %q", in, got, want)
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Plain title", "Plain title"},
		{"  spaced \n\t out  ", "spaced out"},
		{"AT&amp;T &#8211; &quot;Q&quot;", `AT&T – "Q"`},
		{"<b>Bold</b> and <i>italic</i>", "Bold and italic"},
		{"<script>alert(1)</script>Title", "Title"},
		{"<style>p{}</style>Styled", "Styled"},
		{"a<br>b", "a b"},
		{"<p>one</p><p>two</p>", "one two"},
		{"<li>one</li><li>two<img src=x>three</li>", "one two three"},
		// Inline elements part no words: a post's hashtags, mentions and
		// shortened links, a word set partly in bold.
		{`Loving <a href="https://m.test/tags/golang" class="mention hashtag" rel="tag">#<span>golang</span></a> with <span class="h-card"><a href="https://m.test/@bob" class="u-url mention">@<span>bob</span></a></span>`, "Loving #golang with @bob"},
		{`<a href="https://gridcast.test/episodes/118"><span class="invisible">https://</span><span class="">gridcast.test/episodes/118</span><span class="invisible"></span></a>`, "https://gridcast.test/episodes/118"},
		{"Fri<b>day</b>, H<sub>2</sub>O", "Friday, H2O"},
		{"x < y and y > z", "x < y and y > z"},
		{"caf\xe9", "caf"},
		{"tab\x00null\x1besc", "tabnullesc"},
		{"non\u00a0breaking", "non breaking"},
		{"", ""},
		{"&lt;b&gt;escaped&lt;/b&gt;", "<b>escaped</b>"},
		// Overrides that would show "exe.jpg" go; marks of right-to-left
		// text stay.
		{"Bank \u202egpj.exe", "Bank gpj.exe"},
		{"\u202d \u202e forced &#x202E;both", "forced both"},
		{"\u05e9\u05dc\u05d5\u05dd\u200f world", "\u05e9\u05dc\u05d5\u05dd\u200f world"},
		// Embeddings and isolates stay; those left open are closed, so
		// that they end with the title.
		{"Mal&#x2067;lory", "Mal\u2067lory\u2069"},
		{"\u202bRTL \u2066name\u2069 text\u202c tail", "\u202bRTL \u2066name\u2069 text\u202c tail"},
		{"\u2067a \u202bb", "\u2067a \u202bb\u202c\u2069"},
		{"\u2066a \u202bb\u2069 c \u202a", "\u2066a \u202bb\u2069 c \u202a\u202c"},
		// A closer of nothing goes: it would close what a reader opens
		// around the title.
		{"stray\u2069 \u202c closers", "stray closers"},
		{"\u2067a\u202c b\u2069\u2069", "\u2067a b\u2069"},
		{"\u202bשלום\u202c\u202c עולם", "\u202bשלום\u202c עולם"},
	}
	for _, tt := range tests {
		if got := PlainText(tt.in); got != tt.want {
			t.Errorf("PlainText(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestPlainTextDeepBidi holds closeBidi to the depth the bidirectional
// algorithm reads: openers past 125, which change nothing a reader shows,
// go with their closers, and a closer is looked for among 125 openers at
// most, where a title of a few hundred kilobytes of them took seconds.
func TestPlainTextDeepBidi(t *testing.T) {
	r := strings.Repeat
	tests := []struct{ in, want string }{
		{r("\u2068", 130) + "a", r("\u2068", 125) + "a" + r("\u2069", 125)},
		{r("\u2068", 130) + "a" + r("\u2069", 131) + "b", r("\u2068", 125) + "a" + r("\u2069", 125) + "b"},
		{r("\u202b", 125) + "a\u2067b\u2069\u202c", r("\u202b", 125) + "ab" + r("\u202c", 125)},
		{r("\u202a", 20000) + "a" + r("\u2069", 20000), r("\u202a", 125) + "a" + r("\u202c", 125)},
		{"\u2066" + r("\u202a", 130) + "a\u2069\u202a\u202cb", "\u2066" + r("\u202a", 124) + "a\u2069\u202a\u202cb"},
	}
	for i, tt := range tests {
		if got := PlainText(tt.in); got != tt.want {
			t.Errorf("case %d: PlainText(%d runes) = %d runes %+q; want %d runes", i, utf8.RuneCountInString(tt.in),
				utf8.RuneCountInString(got), got[:min(len(got), 60)], utf8.RuneCountInString(tt.want))
		}
	}
}

// TestSanitizeSVGMathML checks what the README says of SVG and MathML:
// their elements are dropped and the text written in them is kept.
func TestSanitizeSVGMathML(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<p>a <svg width="9"><circle r="4"/><text x="1">hi</text></svg> b</p>`, "a hi b"},
		{`<p><math><mi>x</mi><mo>=</mo><mn>2</mn></math></p>`, "x = 2"},
	}
	for _, tt := range tests {
		got := Sanitize(tt.in, "https://site.example/")
		if strings.Contains(got, "<svg") || strings.Contains(got, "<circle") || strings.Contains(got, "<math") || strings.Contains(got, "<mi") {
			t.Errorf("Sanitize(%q) = %q; want no SVG or MathML elements", tt.in, got)
		}
		if text := PlainText(got); text != tt.want {
			t.Errorf("PlainText(Sanitize(%q)) = %q; want %q", tt.in, text, tt.want)
		}
	}
}

func TestHoldsMarkup(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"World", false},
		{"<p>World</p>", true},
		{"<p>Shipping <b>News</b>", true},
		{"x<y>", false},
		{"a<b>", false},
		{"Load <40t>", false},
		{"Tides & Weather", false},
		{"Salt&Pepper", false},
		{"this&not", false},
		{"Locks &amp; Weirs", true},
		{"caf&#233;", true},
		{"x<y> &amp; z", true},
		{"&bogus;", false},
	}
	for _, tt := range tests {
		if got := holdsMarkup(tt.in); got != tt.want {
			t.Errorf("holdsMarkup(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}
