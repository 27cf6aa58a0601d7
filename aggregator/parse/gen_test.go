package parse

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

var loremWords = strings.Fields(`the government said on tuesday that talks with regional partners would
resume next week after a pause caused by disagreements over trade tariffs energy prices and border
security analysts expect a difficult round of negotiations while markets reacted cautiously to the
announcement shares in exporters rose slightly officials declined to comment on details of the draft
agreement which according to people familiar with the matter includes provisions on technology transfer`)

// syntheticFeed writes a realistic RSS 2.0 news feed: items with GUIDs,
// dates, categories, tracking parameters on links, and HTML bodies of
// paragraphs, links, images and emphasis of about itemBytes each.
func syntheticFeed(seed uint64, items, itemBytes int) []byte {
	r := rand.New(rand.NewPCG(seed, seed*7+1))
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel><title>Synthetic News</title><link>https://news.example/</link><description>Synthetic</description>
<atom:link rel="self" href="https://news.example/feed.xml"/><ttl>15</ttl>
`)
	words := func(n int) string {
		w := make([]string, n)
		for i := range w {
			w[i] = loremWords[r.IntN(len(loremWords))]
		}
		return strings.Join(w, " ")
	}
	for i := range items {
		size := itemBytes + r.IntN(itemBytes+1) // itemBytes to 2×itemBytes
		var body strings.Builder
		for body.Len() < size {
			fmt.Fprintf(&body, `<p>%s <a href="https://news.example/topics/%d">%s</a> %s <em>%s</em>.</p>`,
				words(25), r.IntN(1000), words(2), words(20), words(3))
			if r.IntN(3) == 0 {
				fmt.Fprintf(&body, `<figure><img src="/images/%d.jpg" alt="%s" width="640" height="360"><figcaption>%s</figcaption></figure>`,
					r.IntN(100000), words(3), words(8))
			}
		}
		fmt.Fprintf(&b, `<item>
<title>%s</title>
<link>https://news.example/2024/03/%02d/story-%d?utm_source=rss&amp;utm_medium=feed</link>
<guid isPermaLink="false">news-%d-%d</guid>
<pubDate>%s</pubDate>
<dc:creator>%s</dc:creator>
<category>World</category><category>%s</category>
<description><![CDATA[<p>%s</p>]]></description>
<content:encoded><![CDATA[%s]]></content:encoded>
</item>
`, words(8), 1+i%28, i, seed, i, fmt.Sprintf("Fri, %02d Mar 2024 %02d:%02d:00 +0000", 1+i%28, i%24, i%60),
			words(2), words(1), words(30), body.String())
	}
	b.WriteString("</channel></rss>\n")
	return []byte(b.String())
}

func bytesReader(b []byte) *strings.Reader { return strings.NewReader(string(b)) }
