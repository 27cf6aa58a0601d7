package parse

import (
	"fmt"
	"testing"
	"time"
)

func TestScratch(t *testing.T) {
	for _, in := range []string{
		`<a href="https://bücher.example/straße?q=é#frag">idn</a>`,
		`<a href="https://xn--bcher-kva.example/">puny</a>`,
		`<img src="https://t.example/p.gif" width="1" height="1">`,
		`<video src="v.mp4" poster="p.jpg" controls></video><audio src="a.mp3"></audio>`,
		`<img srcset="a.png 1x, b.png 2x" src="a.png" sizes="100vw">`,
		`<base href="https://b.example/dir/"><a href="x">x</a>`,
		`<blockquote cite="/q">q</blockquote><q cite="q2">q</q><del cite="d">d</del>`,
		`<a href="tel:+123">tel</a> <a href="MAILTO:a@b.example">m</a> <a href="HTTPS://UP.example/A">up</a>`,
		`<p>&nbsp;&amp;lt;b&amp;gt; &copy; &#x1F600; &bogus; &amp</p>`,
		`<a href="/a?x=1&amp;y=2">q</a> <a href="/a?x=1&y=2&copy=3">q2</a>`,
		`<img src="/a.png" style="width:1px"><p style="color:red" class="x" id="y" dir="rtl" lang="ar">s</p>`,
		`<table background="/bg.png"><tr><td>t</td></tr></table>`,
		`<a href="https://x.example/" target="_blank">t</a>`,
		`<img src="//cdn.example/a.png"><a href="///evil.example/x">3s</a><a href="\\evil.example\x">bs</a><a href="/\evil.example">sb</a>`,
		`<a href="http:\\evil.example">h</a><a href="https:/x.example/a">one slash</a>`,
		`<a href="  https://x.example/a  ">sp</a>`,
		`<svg><a href="/s">svg link</a></svg>`,
		`<p>]]&gt; and ]]> in text</p>`,
		`<img src="/a.png" alt="a &quot;quote&quot; ]]>">`,
	} {
		fmt.Printf("%s\n  -> %s\n", in, Sanitize(in, "https://site.example/news/story.html"))
	}
	doc := `<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example/posts/index.html">
<title>T</title><id>x</id><updated>2024-03-01T00:00:00Z</updated>
<entry><title>E</title><id>e1</id><updated>2024-03-01T00:00:00Z</updated><link href="e1.html"/>
<content type="html">&lt;a href="other.html"&gt;o&lt;/a&gt;&lt;img src="pic.png"&gt;</content></entry>
<entry xml:base="/archive/2024/"><title>E2</title><id>e2</id><updated>2024-03-01T00:00:00Z</updated><link href="https://elsewhere.example/e2"/>
<content type="xhtml" xml:base="sub/page.html"><div xmlns="http://www.w3.org/1999/xhtml"><a href="x.html">x</a></div></content></entry>
</feed>`
	f, err := Parse([]byte(doc), "", "https://feeds.example/feed.xml", "s", time.Now(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range f.Items {
		fmt.Printf("link=%s\nsummary=%s\ncontent=%s\n", it.Link, it.Summary, it.Content)
	}
}
