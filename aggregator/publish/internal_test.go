package publish

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/tributary-feeds/tributary/aggregator"
)

func TestXMLText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"tab\tnl\ncr\r", "tab\tnl\ncr\r"},
		{"nul\x00bell\x07esc\x1b", "nulbellesc"},
		{"bad \xff byte", "bad \ufffd byte"},
		{"surrogate \xed\xa0\x80", "surrogate \ufffd\ufffd\ufffd"},
		{"nonchar \ufffe\uffff", "nonchar "},
		{"ok \u00e9 \U0001F600", "ok \u00e9 \U0001F600"},
		{"]]>", "]]>"},
	}
	for _, tt := range tests {
		if got := xmlText(tt.in); got != tt.want {
			t.Errorf("xmlText(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  a  b\n\tc ", "a b c"},
		{"x\x00y", "xy"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := oneLine(tt.in); got != tt.want {
			t.Errorf("oneLine(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestETagListMatches(t *testing.T) {
	etags := []string{`"abc"`, `"abc-gz"`}
	tests := []struct {
		list string
		want bool
	}{
		{`"abc"`, true},
		{`W/"abc"`, true},
		{`"x", "abc-gz"`, true},
		{`"x",W/"abc"`, true},
		{`*`, true},
		{`"abcd"`, false},
		{`abc`, false},
		{`"abc`, false},
		{``, false},
		{`"x", junk, "abc"`, false},
	}
	for _, tt := range tests {
		if got := etagListMatches(tt.list, etags); got != tt.want {
			t.Errorf("etagListMatches(%q) = %v; want %v", tt.list, got, tt.want)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		in   []string
		want bool
	}{
		{nil, false},
		{[]string{"gzip"}, true},
		{[]string{"deflate, gzip;q=0.5"}, true},
		{[]string{"GZIP"}, true},
		{[]string{"x-gzip"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; q=0.000"}, false},
		{[]string{"br", "gzip"}, true},
		{[]string{"*"}, true},
		{[]string{"*;q=0"}, false},
		{[]string{"*, gzip;q=0"}, false},
		{[]string{"identity"}, false},
	}
	for _, tt := range tests {
		if got := acceptsGzip(tt.in); got != tt.want {
			t.Errorf("acceptsGzip(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

func TestCursor(t *testing.T) {
	c := cursor{t: time.Date(2024, 3, 1, 9, 0, 0, 123, time.UTC), id: "abc.def"}
	got, err := parseCursor(c.String())
	if err != nil || !got.t.Equal(c.t) || got.id != c.id {
		t.Errorf("parseCursor(%q) = %v, %v; want %v", c.String(), got, err, c)
	}
	for _, bad := range []string{"", "1", "1.2", "1.2.", "x.0.id", "1.x.id", "1.1000000000.id", "1.-1.id"} {
		if _, err := parseCursor(bad); !errors.Is(err, errBadCursor) {
			t.Errorf("parseCursor(%q) error = %v; want errBadCursor", bad, err)
		}
	}
}

// hostilePage is a one-story page whose every field comes from the caller.
func hostilePage(title, content, author, source, tag, link string) (*state, *page) {
	s := &state{base: "http://feeds.test", hubs: []string{"https://hub.example/"}}
	now := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	items := []aggregator.Item{
		{ID: "face", SourceID: "s1", Title: title, Content: content, Authors: []string{author}, Link: link},
		{ID: "other", SourceID: "s2", Title: title, Link: link},
	}
	st := aggregator.Story{ID: "story-1", Time: now, Updated: now, Face: "face", Tags: []string{tag, "fixed"}}
	v := makeView(st, items, map[string]string{"s1": source, "s2": source + " 2"})
	return s, &page{topic: aggregator.TopicConfig{ID: "t", Title: title, Description: content}, stories: []storyView{v}, updated: now, next: "1.0." + tag}
}

// wellFormed reports why body is not well-formed XML, or nil.
func wellFormed(body []byte) error {
	if !utf8.Valid(body) {
		return errors.New("invalid UTF-8")
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// FuzzRender renders a story whose every string is arbitrary and checks
// that each format stays well-formed, keeps the story's id and carries no
// script.
func FuzzRender(f *testing.F) {
	f.Add("Title", "<p>Body</p>", "Author", "Source", "tag", "https://example.org/a")
	f.Add("a\x00b\x1bc", "]]><![CDATA[x]]>\x07", "\xff\xfe", "<script>alert(1)</script>", "]]>", "javascript:alert(1)")
	f.Add("\ufffe\uffff", `<img src=x onerror=alert(1)><a href="javascript:x">y</a>`, "", "", "", "https://e.org/?a=1&b=<2>")
	p := &Publisher{m: newMetrics(nil, nil)}
	f.Fuzz(func(t *testing.T, title, content, author, source, tag, link string) {
		s, pg := hostilePage(title, content, author, source, tag, link)
		for _, fm := range []format{formatAtom, formatRSS, formatJSON} {
			r, err := p.render(s, pg, fm)
			if err != nil {
				t.Fatalf("render %s: %v", fm, err)
			}
			if fm == formatJSON {
				var doc struct {
					Items []struct {
						ID          string `json:"id"`
						ContentHTML string `json:"content_html"`
					} `json:"items"`
				}
				if !utf8.Valid(r.plain.body) || json.Unmarshal(r.plain.body, &doc) != nil {
					t.Fatalf("json: not valid UTF-8 JSON:\n%s", r.plain.body)
				}
				if len(doc.Items) != 1 || doc.Items[0].ID != "urn:tributary:story:story-1" || doc.Items[0].ContentHTML == "" {
					t.Fatalf("json items = %+v", doc.Items)
				}
				if why := scriptIn(doc.Items[0].ContentHTML); why != "" {
					t.Fatalf("json content carries %s: %q", why, doc.Items[0].ContentHTML)
				}
				if needsMending(doc.Items[0].ContentHTML) {
					t.Fatalf("json content leaves an element open or needs mending: %q", doc.Items[0].ContentHTML)
				}
				continue
			}
			if fm == formatRSS {
				// Read as HTML, as many readers read them, RSS titles,
				// creators and categories hold no tag.
				var doc struct {
					Texts []string `xml:"channel>item>title"`
					More  []string `xml:"channel>item>creator"`
					Cats  []string `xml:"channel>item>category"`
				}
				if err := xml.Unmarshal(r.plain.body, &doc); err != nil {
					t.Fatalf("rss: %v\n%s", err, r.plain.body)
				}
				for _, text := range slices.Concat(doc.Texts, doc.More, doc.Cats) {
					if opensTag(text) {
						t.Fatalf("rss text %q opens a tag", text)
					}
				}
			}
			if err := wellFormed(r.plain.body); err != nil {
				t.Fatalf("%s: %v\n%s", fm, err, r.plain.body)
			}
			if !bytes.Contains(r.plain.body, []byte("urn:tributary:story:story-1")) {
				t.Fatalf("%s: lacks the story id", fm)
			}
		}
	})
}

// scriptIn says what in an HTML fragment could run a script: a script
// element, an event handler, or a javascript:, vbscript: or data: URL in a
// link or source. The same words as text are harmless.
func scriptIn(fragment string) string {
	z := html.NewTokenizer(strings.NewReader(fragment))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if tok.Data == "script" {
				return "a script element"
			}
			for _, a := range tok.Attr {
				k := strings.ToLower(a.Key)
				v := strings.ToLower(strings.Map(func(r rune) rune {
					if r <= ' ' {
						return -1
					}
					return r
				}, a.Val))
				switch {
				case strings.HasPrefix(k, "on"):
					return "an event handler"
				case (k == "href" || k == "src") && (strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") || strings.HasPrefix(v, "data:")):
					return "a script URL"
				}
			}
		}
	}
}

// FuzzCursor checks that any before parameter parses or fails cleanly, and
// that a parsed cursor survives a round trip.
func FuzzCursor(f *testing.F) {
	f.Add("1709283600.0.abc")
	f.Add("-1.999999999.x.y")
	f.Add("..")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseCursor(s)
		if err != nil {
			return
		}
		again, err := parseCursor(c.String())
		if err != nil || !again.t.Equal(c.t) || again.id != c.id {
			t.Fatalf("parseCursor(%q) = %v; its String %q parses to %v, %v", s, c, c.String(), again, err)
		}
	})
}

func TestFormatRate(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{-1, "0"},
		{0.01, "< 0.1"},
		{0.05, "0.1"},
		{3.0 / 7, "0.4"},
		{9.94, "9.9"},
		{10, "10"},
		{123.6, "124"},
	}
	for _, tt := range tests {
		if got := formatRate(tt.in); got != tt.want {
			t.Errorf("formatRate(%v) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestSafeLink(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://news.example/a/b?c=1&d=2#e", "https://news.example/a/b?c=1&d=2#e"},
		{"  http://news.example/  ", "http://news.example/"},
		{"https://news.example/a?b=1&c=<2>", "https://news.example/a?b=1&c=%3C2%3E"},
		{`https://news.example/"q"{x}|y\z^` + "`", "https://news.example/%22q%22%7Bx%7D%7Cy%5Cz%5E%60"},
		{"https://news.example/caf\u00e9?q=\u00fc", "https://news.example/caf%C3%A9?q=%C3%BC"},
		{"https://news.example/already%20escaped", "https://news.example/already%20escaped"},
		{"https://news.example/a?q=%zz&r=%4&s=%41", "https://news.example/a?q=%25zz&r=%254&s=%41"},
		{"https://news.example/100%", ""}, // not a URL: its path holds a bad escape
		{"https://b\u00fccher.example:8443/x", "https://xn--bcher-kva.example:8443/x"},
		{"http://b%C3%BCcher.example/a?x=%C3%BC", "http://xn--bcher-kva.example/a?x=%C3%BC"},
		{"http://b%ZZcher.example/", ""},
		{"https://news.example", "https://news.example"},
		{"https://news.example?q=<", "https://news.example?q=%3C"},
		{"https://reader:hunter2@private.example/feed?x=1", "https://private.example/feed?x=1"},
		{"https://reader@private.example:8443/feed", "https://private.example:8443/feed"},
		{"https://bank.example@attacker.example/login", "https://attacker.example/login"},
		{"https://a@b@news.example/", "https://news.example/"},
		{"https://reader:hunter2@b\u00fccher.example/x", "https://xn--bcher-kva.example/x"},
		{"https://news.example/a@b?c=d@e", "https://news.example/a@b?c=d@e"},
		{"javascript:alert(1)", ""},
		{"data:text/html,x", ""},
		{"/relative/path", ""},
		{"https:///no-host", ""},
		{"https://news.example/a b", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := safeLink(tt.in); got != tt.want {
			t.Errorf("safeLink(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestASCIIHost(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"https://b\u00fccher.example/p.png?w=\u00fc", "https://xn--bcher-kva.example/p.png?w=\u00fc", true},
		{"http://b%C3%BCcher.example:8443/a%20b", "http://xn--bcher-kva.example:8443/a%20b", true},
		{"https://user@B\u00dcCHER.example/", "https://user@xn--bcher-kva.example/", true},
		{"https://news.example/caf\u00e9", "https://news.example/caf\u00e9", true},
		{"https://user@news.example/?q=b\u00fccher.example", "https://user@news.example/?q=b\u00fccher.example", true},
		{"/b\u00fccher/", "/b\u00fccher/", true},
		{"mailto:a@b\u00fccher.example", "mailto:a@b\u00fccher.example", true},
		{"http://b%ZZcher.example/", "http://b%ZZcher.example/", true}, // not a URL: left as it is
		{"http://a_\u00fc.example/", "http://a_\u00fc.example/", false},
	}
	for _, tt := range tests {
		if got, ok := asciiHost(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("asciiHost(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzSafeLink holds safeLink's output to a URI: empty, or ASCII bytes a
// URI may hold, an http or https URL with a host, and unchanged by a second
// pass.
func FuzzSafeLink(f *testing.F) {
	for _, s := range []string{"https://news.example/a?b=<1>", "http://b\u00fccher.example/caf\u00e9", "javascript:x", "https://[::1]:80/%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := safeLink(in)
		if out == "" {
			return
		}
		for i := range len(out) {
			if c := out[i]; c >= 0x80 || !uriByte[c] {
				t.Fatalf("safeLink(%q) = %q: byte %q at %d is not for a URI", in, out, c, i)
			}
		}
		for i := range len(out) {
			if out[i] == '%' && (i+2 >= len(out) || !isHex(out[i+1]) || !isHex(out[i+2])) {
				t.Fatalf("safeLink(%q) = %q: a %% at %d that starts no escape", in, out, i)
			}
		}
		if u, err := url.Parse(out); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Fatalf("safeLink(%q) = %q, which is not an http(s) URL with a host (%v)", in, out, err)
		}
		if again := safeLink(out); again != out {
			t.Fatalf("safeLink(%q) = %q, and again %q", in, out, again)
		}
	})
}

func TestWithoutTags(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Plain title", "Plain title"},
		{"Tom & Jerry &lt;b&gt; 5 < 6 > 4 <", "Tom & Jerry &lt;b&gt; 5 < 6 > 4 <"},
		{"Tom & Jerry <b>bold</b> markets", "Tom & Jerry bold markets"},
		{"Harbour <img src=x onerror=alert(1)>reopens", "Harbour reopens"},
		{"<script>alert(1)</script> end", "alert(1) end"},
		{"a <!-- c --> b <!doctype html> c <?php x ?> d </ e", "a b c d"},
		{"unclosed <img src=x onerror=alert(1)", "unclosed < img src=x onerror=alert(1)"},
		{"x<y and a<b, 5 < 6", "x< y and a< b, 5 < 6"},
		{"Why <b>bold</b> x<y", "Why bold x< y"},
		{"a </b c", "a < /b c"},
		{"<title><img src=x onerror=alert(1)></title>", "img src=x onerror=alert(1)>"},
		{"<<b>img src=x onerror=alert(1)>", "< img src=x onerror=alert(1)>"},
		{"<<<<b>/script>", "<<< /script>"},
		{"<title><<img src=x></title>a", "img src=x> a"},
		{"<textarea></textarea><svg onload=alert(1)>", ""},
	}
	for _, tt := range tests {
		got := withoutTags(tt.in)
		if got != tt.want {
			t.Errorf("withoutTags(%q) = %q; want %q", tt.in, got, tt.want)
		}
		if opensTag(got) {
			t.Errorf("withoutTags(%q) = %q opens a tag", tt.in, got)
		}
	}
}

func TestWithoutIDs(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<p>no ids</p>`, `<p>no ids</p>`},
		{`<p id="settings" title="t">a</p><a id="main" href="https://x.example/" rel="nofollow">b</a>`, `<p title="t">a</p><a href="https://x.example/" rel="nofollow">b</a>`},
		{`<p title="a id=&#34;x&#34;">say id=&#34;x&#34; here</p>`, `<p title="a id=&#34;x&#34;">say id=&#34;x&#34; here</p>`},
		// A value that ends in " id=": its closing quote is no id's opening.
		{`<img alt="user id=" src="https://x.example/i.png">`, `<img alt="user id=" src="https://x.example/i.png">`},
		{`<img alt="user id=" id="pic" src="https://x.example/i.png">`, `<img alt="user id=" src="https://x.example/i.png">`},
	}
	for _, tt := range tests {
		if got := withoutIDs(tt.in); got != tt.want {
			t.Errorf("withoutIDs(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestNeedsMendingDeep holds needsMending to a bounded list of open
// elements: an item nested deeper than html.ParseFragment reads, which
// closed returns as it is, is not read to its end, where each of its
// links was looked for among every element left open, and an item of a
// few hundred kilobytes kept the publisher busy for seconds.
func TestNeedsMendingDeep(t *testing.T) {
	const n = 10000
	h := strings.Repeat("<div>", n) + strings.Repeat(`<a href="https://x.example/">x</a>`, n)
	if needsMending(h) {
		t.Errorf("needsMending(%d nested <div>, %d links) = true; want false: html.ParseFragment refuses it", n, n)
	}
	if got := closed(h); got != h {
		t.Errorf("closed(%d nested <div>, %d links) changed it; want it as it is", n, n)
	}
}

func TestClosed(t *testing.T) {
	tests := []struct{ in, want string }{
		{`plain text`, `plain text`},
		{`<p>one<p>two <b>bold</b><br><img src="https://x.example/i.png">`, `<p>one<p>two <b>bold</b><br><img src="https://x.example/i.png">`},
		{`<ul><li>one<li>two</ul><table><tr><td>cell</table>`, `<ul><li>one<li>two</ul><table><tr><td>cell</table>`},
		{`<p>Read <a href="https://x.example/">more`, `<p>Read <a href="https://x.example/">more</a></p>`},
		{`<details><summary>Credits</summary><p>Photo`, `<details><summary>Credits</summary><p>Photo</p></details>`},
		{`<div><del>old <b>text`, `<div><del>old <b>text</b></del></div>`},
		{`<table><tr><td>cell`, `<table><tbody><tr><td>cell</td></tr></tbody></table>`},
		{`<p><b>bold<p>still bold`, `<p><b>bold</b></p><p><b>still bold</b></p>`},
		// A slash ends no element but a void one: <details/> opens one.
		{`<details/><summary>Credits</summary>Photo<br/>`, `<details><summary>Credits</summary>Photo<br/></details>`},
		{`<a href="https://x.example/"/>more`, `<a href="https://x.example/">more</a>`},
		// Tags a browser mends are written as it mends them: an end tag
		// that closes nothing is dropped, a paragraph written "<p/>"
		// opened and closed, a link inside a link ends the first.
		{`<p>One</b> two</p></div><p>three`, `<p>One two</p><p>three</p>`},
		{`<p>Text</p><p/>more`, `<p>Text</p><p>more</p>`},
		{`<p>Line</br>end</p>`, `<p>Line<br/>end</p>`},
		{`<a href="https://a.example/">a <a href="https://b.example/">b</a></a>`, `<a href="https://a.example/">a </a><a href="https://b.example/">b</a>`},
		{`<ul><li>one<li>two</ul><p>x</p>`, `<ul><li>one<li>two</ul><p>x</p>`},
		// A start tag closes what a browser closes before it: a block
		// the paragraph it stands in, a list item the item before, a
		// heading the heading it stands in, and the end tag left after
		// them closes nothing.
		{`<p>Intro<ul><li>one</li></ul></p>`, `<p>Intro</p><ul><li>one</li></ul><p></p>`},
		{`<p>a<div>b</div></p>`, `<p>a</p><div>b</div><p></p>`},
		{`<p>a<hr></p>`, `<p>a</p><hr/><p></p>`},
		{`<p>a<p>b</p></p>`, `<p>a</p><p>b</p><p></p>`},
		{`<ul><li>a<li>b</li></li></ul>`, `<ul><li>a</li><li>b</li></ul>`},
		{`<dl><dt>a<dd>b</dd></dt></dl>`, `<dl><dt>a</dt><dd>b</dd></dl>`},
		{`<h2>a<h3>b</h3></h2>`, `<h2>a</h2><h3>b</h3>`},
		{`<h2><p>a<h3>b</h3></p></h2>`, `<h2><p>a</p></h2><h3>b</h3><p></p>`},
		{`<p><b>x<div>y</div></b></p>`, `<p><b>x</b></p><div><b>y</b></div><p></p>`},
		// What they close only in scope stays open: a cell or a list
		// between them.
		{`<p>a<table><tr><td><div>b</div></td></tr></table>`, `<p>a<table><tr><td><div>b</div></td></tr></table>`},
		{`<ul><li>a<ol><li>b</li></ol></li></ul>`, `<ul><li>a<ol><li>b</li></ol></li></ul>`},
		{`<div><p>a</p><div>b</div></div>`, `<div><p>a</p><div>b</div></div>`},
		{`<p>a<button><div>b</div></button></p>`, `<p>a<button><div>b</div></button></p>`},
	}
	for _, tt := range tests {
		if got := closed(tt.in); got != tt.want {
			t.Errorf("closed(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
