package near

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"plain words", "plain words"},
		{"line one\nline two\n\n  line three ", "line one\nline two\nline three"},
		{"<p>First paragraph\nwrapped.</p><p>Second</p>", "First paragraph wrapped.\nSecond"},
		{"a<br>b<br/>c", "a\nb\nc"},
		{"<ul><li>one</li><li>two</li></ul>", "one\ntwo"},
		{"<p>x<script>alert(1)</script>y</p>", "x y"},
		{"<nav><a href=/>Home</a></nav><p>Story</p>", "Story"},
		{"<b>bold</b>text", "bold text"},
		{"fish &amp; chips &lt;3", "fish & chips <3"},
		{"&lt;b&gt;not a tag&lt;/b&gt;", "\uFF1Cb>not a tag\uFF1C/b>"},
		{"&amp;amp; stays", "\uFF06amp; stays"},
		{"AT&amp;T", "AT&T"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"non\u00a0breaking\u200bspace", "non breakingspace"},
		// Blocks that are all a link point at other pages.
		{`<p>Story text, with <a href="/x">a link</a> inside.</p><p>Must read</p><p><a href="/y">Another report's headline</a></p>` +
			`<ul><li><a href="/z">A third headline</a></li></ul><p><a href="/">Source link</a></p>`,
			"Story text, with a link inside.\nMust read"},
		{`<p><a href="/self">A summary that is all one link</a></p>`, "A summary that is all one link"},
		{`<li><a href="/a">Headline</a> Publisher</li>`, "Headline Publisher"},
	}
	for _, tt := range tests {
		if got := Text(tt.in); got != tt.want {
			t.Errorf("Text(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestProse(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"Crowds appear to have gathered at the town hall in the city.", true},
		{"Varland hits record high for new influenza cases", true},
		{"Rescuers Reach Village Hours Later.", true},
		{"Must read", false},
		{"- Advertisement -", false},
		{"Friday, May 29, 2020 12°C New York", false},
		{"Photo credit: Metro Herald Top Stories / file photo", false},
		{"Source link", false},
		{"Warriors 18 / Dragons 0", false},
		{"(Corrects revenue fall to 4% from 3% in second paragraph)", false}, // notes about the item
		{"(Reporting by Nadia Ferreira; Editing by Clare Addo and Mark Ferris)", false},
		{"[This story has been updated with comments from the mayor.]", false},
		{"(a) the levy is unlawful and (b) the council must repay it", true},
		{"The council (which set the levy) must now repay it.", true},
		// Chinese ends a sentence with "。"; a line cut short, without
		// it, is prose when it has a clause's worth of characters. Thai
		// has no stops: a line is prose by its length.
		{"国家统计局表示，消费市场总体保持平稳。", true},
		{"受台风影响，花莲、台东等地宣布停工停课，多条航线取消，部分地区停电……", true},
		{"点击阅读全文", false},
		{"本文来源：华夏日报", false},
		{"ผู้ว่าราชการจังหวัดได้สั่งการให้เจ้าหน้าที่เร่งอพยพผู้สูงอายุ", true},
		{"ข่าวด่วนวันนี้", false},
	}
	for _, tt := range tests {
		if got := Prose(tt.in); got != tt.want {
			t.Errorf("Prose(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

func TestHeadlineNamesDisagree(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"Yellow warning of thunderstorms: Northern Uplands", "Yellow warning of thunderstorms: Eastern Moors", true},
		{"Ward 3 – Millbrook: Priya Anand (Green) elected", "Ward 4 – Hatherley: Sam Okafor (Labour) elected", true},
		// A flash and its story: the story adds names.
		{"Tram derails in Harwood city centre", "Passengers hurt as tram derails on Harwood's Castle Street", false},
		// A name at the start of a segment has its capital anyway.
		{"Teenager among three hurt in drive-by shooting at Marlow Heights club queue", "VIDEO: Marlow Heights shooting – three hurt outside nightclub", false},
		// Title case and two-word headlines name nothing by their capitals.
		{"Storm Batters The Northern Coast", "Storm Batters The Eastern Hills", false},
		{"USA Riots", "PHOTOS: Riots break out around America in wake of George Floyd death", false},
		{"Markets close lower", "Markets close higher", false},
	}
	for _, tt := range tests {
		if got := HeadlineNamesDisagree(tt.a, tt.b); got != tt.want {
			t.Errorf("HeadlineNamesDisagree(%q, %q) = %v; want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestHeadlineNamesDisagreeIn checks that a headline in title case names
// what its text writes with a capital mid-sentence, so that one site's two
// items of one template in title case are told apart as in sentence case.
func TestHeadlineNamesDisagreeIn(t *testing.T) {
	tests := []struct {
		a, textA, b, textB string
		want               bool
	}{
		{"Harlow Water Fined £2m Over Sewage Spill", "<p>A court fined Harlow Water £2 million on Monday.</p>",
			"Tenby Gas Fined £1m Over Meter Errors", "<p>A court fined Tenby Gas £1 million on Monday.</p>", true},
		// A flash and its story: the story's headline adds names.
		{"Tram Derails In Harwood City Centre", "<p>A tram left the rails in Harwood on Monday.</p>",
			"Passengers Hurt As Tram Derails On Harwood's Castle Street", "<p>Four passengers were hurt when a tram left the rails on Castle Street in Harwood.</p>", false},
		// Without a text, title case names nothing.
		{"Storm Batters The Northern Coast", "", "Storm Batters The Eastern Hills", "", false},
		// In sentence case the text adds nothing.
		{"Yellow warning of thunderstorms: Northern Uplands", "", "Yellow warning of thunderstorms: Eastern Moors", "", true},
		// A text in capitals writes its names so.
		{"Winter Storm Warning Issued November 28 By WS Pinecrest", "...WINTER STORM WARNING IN EFFECT FROM 6 PM THIS EVENING...",
			"Winter Weather Advisory Issued November 28 By WS Pinecrest", "...WINTER WEATHER ADVISORY IN EFFECT FROM 6 PM THIS EVENING...", true},
		{"Winter Storm Warning Issued November 28 By WS Pinecrest", "...WINTER STORM WARNING IN EFFECT FROM 6 PM THIS EVENING...",
			"Winter Storm Warning Issued November 28 By WS Pinecrest", "...WINTER STORM WARNING IN EFFECT FROM 9 PM THIS EVENING...", false},
	}
	for _, tt := range tests {
		if got := HeadlineNamesDisagreeIn(tt.a, tt.textA, tt.b, tt.textB); got != tt.want {
			t.Errorf("HeadlineNamesDisagreeIn(%q, %q, %q, %q) = %v; want %v", tt.a, tt.textA, tt.b, tt.textB, got, tt.want)
		}
	}
}

// TestNamesDisagreeIn checks that two items of one template that differ
// in names alone, each holding one the other lacks, are told apart, and
// that a flash and its story, an update that rewords, texts that differ in
// figures alone, and long texts are not.
func TestNamesDisagreeIn(t *testing.T) {
	const warning = "Winter Storm Warning issued November 28 at 9:52AM CST by WS Pinecrest"
	const where = "...WINTER STORM WARNING IN EFFECT FROM 6 PM THIS EVENING... * WHAT...Heavy snow expected. Total snow accumulations of 8 to 14 inches. * WHERE...%s County. * WHEN...From 6 PM this evening to 6 PM CST Sunday."
	long := strings.Repeat("<p>The harbour board met on Monday and agreed the budget for the year.</p>", 60)
	tests := []struct {
		a, textA, b, textB string
		want               bool
	}{
		{warning, fmt.Sprintf(where, "Alder"), warning, fmt.Sprintf(where, "Birchwood"), true},
		{warning, fmt.Sprintf(where, "Alder"), warning, fmt.Sprintf(where, "Cedar and Elm Valley"), true},
		{"Gold steady ahead of jobs data", "<p>Gold prices were steady on Saturday ahead of the jobs data.</p>",
			"Silver steady ahead of jobs data", "<p>Silver prices were steady on Saturday ahead of the jobs data.</p>", true},
		// A flash and its story add names at most.
		{"Tram derails in Harwood", "<p>A tram left the rails in Harwood on Monday morning, police said.</p>",
			"Tram derails in Harwood", "<p>A tram left the rails on Castle Street in Harwood on Monday morning, police said.</p>", false},
		// An update that rewords.
		{warning, fmt.Sprintf(where, "Alder"), warning, fmt.Sprintf(where, "Alder") + " Travel could be very difficult.", false},
		{"Gold steady ahead of jobs data", "<p>Gold prices were steady on Saturday ahead of the jobs data.</p>",
			"Gold slips ahead of jobs data", "<p>Gold prices slipped on Saturday ahead of the jobs data.</p>", false},
		// Figures alone.
		{warning, fmt.Sprintf(where, "Alder"), warning, strings.Replace(fmt.Sprintf(where, "Alder"), "8 to 14", "10 to 16", 1), false},
		// A name written in small letters elsewhere in its item is a word.
		{"Report on the harbour", "<p>Storm damage to the harbour wall was repaired by the council this week.</p>",
			"Report on the harbour", "<p>Flood damage to the harbour wall was repaired by the council this week after the flood.</p>", false},
		// Long texts are not read.
		{"Harbour board budget", "<p>Alder.</p>" + long, "Harbour board budget", "<p>Birchwood.</p>" + long, false},
		// An alert that shouts its kind, for other places.
		{"Winter Weather Advisory issued November 28 by WS Pinecrest", "<p>...WINTER WEATHER ADVISORY IN EFFECT FROM 6 PM THIS EVENING... Areas: Cedar; Dunmore.</p>",
			"Winter Weather Advisory issued November 28 by WS Pinecrest", "<p>...WINTER WEATHER ADVISORY IN EFFECT FROM 6 PM THIS EVENING... Areas: Fernhill; Granite Pass.</p>", true},
		// Too few words to tell.
		{"Photo", "<p>By Alder</p>", "Photo", "<p>By Birchwood</p>", false},
	}
	for _, tt := range tests {
		if got := NamesDisagreeIn(tt.a, tt.textA, tt.b, tt.textB); got != tt.want {
			t.Errorf("NamesDisagreeIn(%q, %q, %q, %q) = %v; want %v", tt.a, tt.textA, tt.b, tt.textB, got, tt.want)
		}
	}
}

// TestFiguresDisagreeUnder checks that two short texts under one headline
// are told apart when each holds a figure the other lacks, and not when
// one tells fewer of the same figures, when the headlines differ, or when
// the texts are long.
func TestFiguresDisagreeUnder(t *testing.T) {
	const ad = "Airworthiness Directives; Corvina Aerospace S.p.A. Airplanes"
	const c72 = "<p>The Authority is adopting a new airworthiness directive (AD) for certain Corvina Aerospace Model C-72 airplanes. This AD was prompted by reports of cracking in the main landing gear attachment fitting.</p>"
	const c90 = "<p>The Authority is adopting a new airworthiness directive (AD) for certain Corvina Aerospace Model C-90 airplanes. This AD was prompted by a report of a fuel leak at the wing root.</p>"
	long := strings.Repeat("<p>The harbour board met on Monday and agreed the budget for the year.</p>", 60)
	tests := []struct {
		a, textA, b, textB string
		want               bool
	}{
		{ad, c72, ad, c90, true},
		// An article and its video: the video tells fewer figures.
		{"Ferry fares to rise 8% in April", "<p>Fares on the island ferries will rise 8% from 1 April, the operator said, the first rise since 2022.</p>",
			"Ferry fares to rise 8% in April", "<p>Watch: fares will rise 8% from April.</p>", false},
		// Another headline.
		{ad, c72, "Airworthiness Directives; Halvorsen Aircraft Airplanes", c90, false},
		// No figures in one.
		{ad, c72, ad, "<p>The Authority is adopting a new airworthiness directive.</p>", false},
		// Long texts are not read.
		{ad, "<p>Model C-72.</p>" + long, ad, "<p>Model C-90.</p>" + long, false},
	}
	for _, tt := range tests {
		if got := FiguresDisagreeUnder(tt.a, tt.textA, tt.b, tt.textB); got != tt.want {
			t.Errorf("FiguresDisagreeUnder(%q, %q, %q, %q) = %v; want %v", tt.a, tt.textA, tt.b, tt.textB, got, tt.want)
		}
	}
}

// TestHeadlinesOverOneText checks that two headlines over one standing
// text tell two items of a series apart when each holds words the other
// lacks and the text none of them, and that a headline changed over its
// text, a headline that only adds words, and texts that differ in their
// words do not.
func TestHeadlinesOverOneText(t *testing.T) {
	const stats = "<p>Monthly statistics on the size and landings of the fishing fleet.</p>"
	const book = "author: Elspeth Carrow<br/>name: Morwenna<br/>average rating: %s<br/>rating: 4<br/>shelves: read<br/>"
	const storm = "<p>Storm Orla brought gusts of 80mph to the coast overnight, and thousands of homes lost power.</p>"
	tests := []struct {
		a, textA, b, textB string
		want               bool
	}{
		{"Fishing fleet statistics: October 2026", stats, "Fishing fleet statistics: September 2026", stats, true},
		{"The Lighthouse Keeper's Daughter", fmt.Sprintf(book, "3.91"), "Tidewrack", fmt.Sprintf(book, "4.02"), true},
		{"Agency Information Collection Activities; Commercial Space Launch Accident Reporting",
			"<p>The Authority invites public comments on its intention to renew an information collection.</p>",
			"Agency Information Collection Activities; Pilot Certification Requirements",
			"<p>The Authority invites public comments on its intention to renew an information collection.</p>", true},
		// An article given again under a new headline: its words are in
		// the text.
		{"Storm hits the coast", storm, "Storm Orla cuts power to thousands", storm, false},
		// A headline that adds words to the other's.
		{"Fishing fleet statistics", stats, "Fishing fleet statistics: October 2026", stats, false},
		// Texts of other words.
		{"Fishing fleet statistics: October 2026", stats, "Fishing fleet statistics: September 2026",
			"<p>Monthly statistics on the size and landings of the fishing fleet, revised.</p>", false},
		// No text.
		{"Fishing fleet statistics: October 2026", "", "Fishing fleet statistics: September 2026", "", false},
	}
	for _, tt := range tests {
		if got := HeadlinesOverOneText(tt.a, tt.textA, tt.b, tt.textB); got != tt.want {
			t.Errorf("HeadlinesOverOneText(%q, %q, %q, %q) = %v; want %v", tt.a, tt.textA, tt.b, tt.textB, got, tt.want)
		}
	}
}

func TestSegmentsAndLabel(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Plain headline", []string{"Plain headline"}},
		{"BREAKING: Mayor signs order", []string{"BREAKING", "Mayor signs order"}},
		{"Bear attack injures keeper | Latest News", []string{"Bear attack injures keeper", "Latest News"}},
		{"Keeper hurt (VIDEO)", []string{"Keeper hurt", "VIDEO"}},
		{"Site - Section: Story [PHOTOS]", []string{"Site", "Section", "Story", "PHOTOS"}},
	}
	for _, tt := range tests {
		if got := Segments(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Segments(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
	for in, want := range map[string]bool{"BREAKING": true, "VIDEO": true, "US": false, "Latest News": false, "Story": false} {
		if got := Label(in); got != want {
			t.Errorf("Label(%q) = %v; want %v", in, got, want)
		}
	}
}

func TestLeadLabel(t *testing.T) {
	tests := []struct {
		line, want string
		ok         bool
	}{
		{"READ ALSO: Council votes to close the old pool", "READ ALSO", true},
		{"Related: Storm cuts power to thousands", "Related", true},
		{"More from the section: Prices rise again", "More from the section", true},
		{"Mayor: we will rebuild the bridge", "Mayor", true},
		{"The five people who were hurt said the same: nobody warned them", "", false}, // too many words
		{"Q2 2024: revenue fell", "", false},                                           // a number
		{"Update:", "", false},                                                         // nothing after
		{"No label here", "", false},
		{": nothing before", "", false},
	}
	for _, tt := range tests {
		got, ok := LeadLabel(tt.line)
		if got != tt.want || ok != tt.ok {
			t.Errorf("LeadLabel(%q) = %q, %v; want %q, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
	for s, want := range map[string]bool{
		"It rained.": true, `He said "no."`: true, "Why? ": true, "(Really!)": true,
		"Council votes to close the old pool": false, "Read more…": false,
	} {
		if got := Sentence(s); got != want {
			t.Errorf("Sentence(%q) = %v; want %v", s, got, want)
		}
	}
}

func TestLineKey(t *testing.T) {
	same := [][2]string{
		{"Friday, May 29, 2020 12°C New York", "friday may 30 2020 19°c new york"},
		{"- Advertisement -", "Advertisement"},
	}
	for _, p := range same {
		if LineKey(p[0]) != LineKey(p[1]) {
			t.Errorf("LineKey(%q) != LineKey(%q); want equal", p[0], p[1])
		}
	}
	if LineKey("Source link") == LineKey("More articles") {
		t.Errorf("LineKey(%q) == LineKey(%q); want different", "Source link", "More articles")
	}
}

func TestWords(t *testing.T) {
	ws := words("Mayor says the U.S. will leave the W.H.O. and Olsen's family didn't")
	var terms []string
	for _, w := range ws {
		if w.term != "" {
			terms = append(terms, w.term)
		}
	}
	want := []string{"mayor", "us", "leave", "who", "olsen", "family"}
	if !reflect.DeepEqual(terms, want) {
		t.Errorf("terms of words(...) = %q; want %q", terms, want)
	}
	if got := initials(words("He left the World Health Organization today")); !reflect.DeepEqual(got, []string{"who"}) {
		t.Errorf("initials(World Health Organization) = %q; want [who]", got)
	}
}

// TestWordsModifierApostrophe checks text with the modifier letter
// apostrophe U+02BC, a letter to Unicode, where no letter follows it: at
// the end of a word ("Jamesʼ car"), before a digit ("the ʼ90s") or at the
// end of the text. It ends the word before it, as an apostrophe does, and
// words returns.
func TestWordsModifierApostrophe(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Jamesʼ car", []string{"james", "car"}},
		{"the ʼ90s", []string{"the", "90s"}},
		{"Hawaiʼ", []string{"hawai"}},
		{"ʼ", nil},
		{"сімʼя", []string{"сімя"}},
	}
	for _, tt := range tests {
		done := make(chan []string, 1)
		go func() {
			var got []string
			for _, w := range words(tt.in) {
				got = append(got, w.norm)
			}
			done <- got
		}()
		select {
		case got := <-done:
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("words(%q) = %q; want %q", tt.in, got, tt.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("words(%q) did not return", tt.in)
		}
	}
}

// TestWordsOfScripts checks the words of scripts other than English's: a
// mark stays in its word, text in NFD has the words of the same text in
// NFC, and scripts written without spaces give pairs of characters, with
// Japanese hiragana as stop words between the kanji and katakana.
func TestWordsOfScripts(t *testing.T) {
	tests := []struct {
		in           string
		norms, terms []string
	}{
		{"H\u00e0 N\u1ed9i", []string{"hà", "nội"}, []string{"hà", "nội"}},
		{"Ha\u0300 No\u0302\u0323i", []string{"hà", "nội"}, []string{"hà", "nội"}},
		{"ΔΕΜΕΝΑ ΠΛΟΙΑ Δεμένα πλοία ΟΔΟΣ οδός", []string{"δεμενα", "πλοια", "δεμενα", "πλοια", "οδοσ", "οδοσ"}, nil}, // Greek capitals have no accents
		{"ЁЛКА Ёлка ёлка", []string{"елка", "елка", "елка"}, nil},
		{"मुंबई में बारिश", []string{"मुंबई", "में", "बारिश"}, []string{"मुंबई", "में", "बारिश"}},
		{"台湾海峡 台", []string{"台湾", "湾海", "海峡", "台"}, []string{"台湾", "湾海", "海峡", "台"}},
		{"第4号台风", []string{"第", "4", "号台", "台风"}, []string{"第", "4", "号台", "台风"}},
		{"東京湾を震源とする地震", []string{"東京", "京湾", "を", "震源", "とす", "する", "地震"}, []string{"東京", "京湾", "震源", "地震"}},
		{"マグニチュード５．３", []string{"マグ", "グニ", "ニチ", "チュ", "ュー", "ード", "5", "3"}, []string{"マグ", "グニ", "ニチ", "チュ", "ュー", "ード", "5", "3"}},
		// Digits of any script are their ASCII digits, as a copy may write
		// them so: full-width, Arabic-Indic, Persian, Bengali.
		{"約３万２０００人 ٢٠٢٥ ۱۴۰۴ ১৪টি", []string{"約", "3", "万", "2000", "人", "2025", "1404", "14টি"}, nil},
		// Persian typed on an Arabic keyboard, and the alef without its hamza.
		{"زلزله كرمان را لرزاند أحمد إيران آمن", []string{"زلزله", "کرمان", "را", "لرزاند", "احمد", "ایران", "امن"}, nil},
		{"น้ำท่วมในเชียงใหม่", []string{"น้ำ", "ำท่", "ท่ว", "วม", "ใน", "เชี", "ชีย", "ยง", "ให", "หม่"}, nil},
		// A soft hyphen, a zero-width space, non-joiner or joiner between
		// letters is left out; elsewhere it separates, as a space does.
		{"Par\u00adlia\u00adment Wash\u200bington \u00adend\u00ad", []string{"parliament", "washington", "end"}, []string{"parlia", "washin", "end"}},
		{"دولت می\u200cخواهد میخواهد", []string{"دولت", "میخواهد", "میخواهد"}, []string{"دولت", "میخواه", "میخواه"}},
	}
	for _, tt := range tests {
		var norms, terms []string
		for _, w := range words(tt.in) {
			norms = append(norms, w.norm)
			if w.term != "" {
				terms = append(terms, w.term)
			}
		}
		if tt.terms == nil {
			tt.terms = tt.norms
		}
		if !reflect.DeepEqual(norms, tt.norms) || !reflect.DeepEqual(terms, tt.terms) {
			t.Errorf("words(%q) = %q, terms %q; want %q, terms %q", tt.in, norms, terms, tt.norms, tt.terms)
		}
	}
}

// weighed builds a Doc as the ingest code does, weighing every term alike.
func weighed(title, body string, at time.Time) *Doc {
	d := NewDoc(title, Lines(Text(body)), at)
	d.Weigh(1000, make([]uint32, len(d.Terms)))
	return d
}

func TestSimilarity(t *testing.T) {
	t0 := time.Date(2020, 5, 29, 4, 0, 0, 0, time.UTC)
	orig := weighed("Bear escape in Portmere leaves keeper badly injured",
		"The man is being treated for critical injuries after the incident in the Varland hills, police say.", t0)
	tests := []struct {
		name     string
		doc      *Doc
		kind     string
		min, max float64
	}{
		{"truncated copy", weighed("Bear escape in Portmere leaves keeper...",
			"The man is being treated for critical injuries after the […]", t0.Add(10*time.Hour)), "copy", 0.99, 1},
		{"retitled copy", weighed("BREAKING: BEAR ESCAPE IN PORTMERE LEAVES KEEPER BADLY INJURED | Latest News",
			"The man is being treated for critical injuries after the incident in the Varland hills, police say.", t0.Add(3*time.Hour)), "copy", 0.99, 1},
		{"rewrite", weighed("Two bears attack male keeper at Portmere park",
			"A keeper is in a critical condition after two bears attacked him in the Varland hills.", t0.Add(2*time.Hour)), "rewrite", 0.3, 0.9},
		{"unrelated", weighed("Stocks rally as tech shares climb",
			"Markets rose on Friday led by technology companies.", t0), "rewrite", 0, 0.05},
	}
	for _, tt := range tests {
		s := Similarity(orig, tt.doc)
		if s.Kind() != tt.kind || s.Value < tt.min || s.Value > tt.max {
			t.Errorf("Similarity(orig, %s) = %+v kind %s; want kind %s, value in [%.2f, %.2f]", tt.name, s, s.Kind(), tt.kind, tt.min, tt.max)
		}
		if r := Similarity(tt.doc, orig); r.Value != s.Value {
			t.Errorf("Similarity(%s, orig) = %.3f; want %.3f (symmetric)", tt.name, r.Value, s.Value)
		}
	}
	later := *tt0(orig, 48*time.Hour)
	if a, b := Similarity(orig, tests[2].doc).Value, Similarity(&later, tests[2].doc).Value; b >= a {
		t.Errorf("rewrite two days later scores %.3f; want less than %.3f", b, a)
	}
}

// TestSimilarityStandingLinesNoCopy checks that two issues of a newsletter
// whose text, their links aside, is the same greeting and sign-off, under
// headlines that differ in their dates, are no copy of each other: they
// share no name or figure. A copy re-titled with a name of its own still
// shares those of the text it copies.
func TestSimilarityStandingLinesNoCopy(t *testing.T) {
	t0 := time.Date(2025, 3, 12, 8, 0, 0, 0, time.UTC)
	lines := "<p>Good morning. Here is what you need to know today.</p><p>Forwarded this email? Subscribe here for free.</p>"
	wed := weighed("The Morning Mail: Wednesday 12 March", lines, t0)
	thu := weighed("The Morning Mail: Thursday 13 March", lines, t0.Add(24*time.Hour))
	if s := Similarity(wed, thu); s.Kind() == "copy" || s.Value >= DefaultThreshold {
		t.Errorf("Similarity(two issues) = %+v kind %s; want no copy, below %.2f", s, s.Kind(), DefaultThreshold)
	}
	report := weighed("Harbour board picks Lena Voss as chair",
		"<p>The Kellby harbour board on Monday picked Lena Voss, a former ferry captain, as its chair for the next four years.</p>", t0)
	retitled := weighed("Lena Voss to chair Kellby harbour board",
		"<p>The Kellby harbour board on Monday picked Lena Voss, a former ferry captain, as its chair for the next four years.</p>", t0.Add(time.Hour))
	if s := Similarity(report, retitled); s.Kind() != "copy" {
		t.Errorf("Similarity(report, re-titled copy) = %+v kind %s; want a copy", s, s.Kind())
	}
}

// TestSimilarityCopyUnderOwnHeadline checks that a copy of the first half
// of a text, under a headline that shares no word or few words with its
// original's, is a copy of it, while one of its four paragraphs alone is
// not.
func TestSimilarityCopyUnderOwnHeadline(t *testing.T) {
	t0 := time.Date(2025, 4, 8, 5, 0, 0, 0, time.UTC)
	first := "<p>Today: fog lifting slowly over the Kellby estuary, then sunny spells spreading from the south-west, with highs of 13C inland.</p>" +
		"<p>Tonight: clear and cold, a frost in sheltered valleys of the Varland hills, lows of 0C to 4C.</p>"
	forecast := weighed("Regional forecast for Tuesday 8 April", first+
		"<p>Wind: light and variable, freshening from the west on Morrow Point by evening.</p>"+
		"<p>Outlook: a dry Wednesday after a frosty start, rain reaching Kellby late on Thursday.</p>", t0)
	copied := weighed("Today's weather", first, t0.Add(18*time.Hour))
	if s := Similarity(forecast, copied); s.Kind() != "copy" || s.Value < copyMin {
		t.Errorf("Similarity(forecast, half of it under its own headline) = %+v kind %s; want a copy of at least %.2f", s, s.Kind(), copyMin)
	}
	// So is it under a headline of its own that shares a word with the
	// original's: a copy is known by its text, however little of its
	// original's headline it keeps.
	sharing := weighed("Sunny spells after the fog, then a hard frost in the hills on Tuesday night", first, t0.Add(18*time.Hour))
	if s := Similarity(forecast, sharing); s.Kind() != "copy" || s.Value < copyMin {
		t.Errorf("Similarity(forecast, half of it under a headline sharing one word) = %+v kind %s; want a copy of at least %.2f", s, s.Kind(), copyMin)
	}
	// One paragraph of four, under a headline of its own, keeps too
	// little of the text to be known as its copy: a summary, scored as a
	// rewrite.
	lead := weighed("Frost tonight",
		"<p>Tonight: clear and cold, a frost in sheltered valleys of the Varland hills, lows of 0C to 4C.</p>", t0.Add(time.Hour))
	if s := Similarity(forecast, lead); s.Kind() == "copy" {
		t.Errorf("Similarity(forecast, one paragraph of it under its own headline) = %+v kind copy; want a rewrite", s)
	}
}

// TestFiguresDisagree checks which headlines name other figures than each
// other: the items of a series, not a copy and its re-titled original.
func TestFiguresDisagree(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"v2.4.1", "v2.4.2", true},
		{"M 4.6 - 97 km SSE of Sand Point, Alaska", "M 5.2 - 98 km SSE of Sand Point, Alaska", true},
		{"Chapter 9, Page 13", "Chapter 9, Page 14", true},
		{"Harbour City 2–1 Eastvale", "Eastvale 1–1 Harbour City", true},
		{"Price drop: Acme X200 now $229.99", "Price drop: Acme X200 now $249.99", true},
		{"Attendance 11,204 at Riverside Park", "Attendance 11,204 at the park.", false},
		{"Harbour City 2–1 Eastvale", "Harbour City beat Eastvale 2-1", false},
		{"UPDATE 2-Harlow Mining halts work at Keld", "Harlow Mining halts work at Keld", false},
		{"Storm closes the port (2025)", "Storm closes the port", false},
		{"Veltro unveils the Aria X7", "Veltro Aria X7 announced", false},
		{"Tidewater 2.4.0 released", "v2.4.0", false},
		{"Two die in crash", "Crash on the A1 kills two", false},
		{"Storm death toll rises to nine", "UPDATE 2-Storm death toll rises to seven; two still missing", true},
		{"Four dead as storm batters coast", "Storm kills 4 along the coast", false},
		{"One of two bridges reopens", "Bridge reopens", false},
		{"Twenty-two dead as ferry sinks off Kessa", "Ferry sinks off Kessa, 22 dead", false},
		{"Twenty-two dead as ferry sinks off Kessa", "Ferry toll rises to 23", true},
		{"Thirty-one rescued from Kessa ferry", "31 rescued from Kessa ferry", false},
		{"Two-thirds of Varland councils to raise tax", "67% of Varland councils to raise tax", false},
		{"Storm: two-day closure of the A1", "Storm: 2-day closure of the A1", false},
		{"Twenty\u2011two dead as ferry sinks off Kessa", "Ferry sinks off Kessa, 22 dead", false},
		{"Two\u2010thirds of Varland councils to raise tax", "67% of Varland councils to raise tax", false},
		// Digits of any script are the figures they write.
		{"福島県沖で地震、最大震度４", "【地震】福島県沖で震度4", false},
		{"福島県沖で地震、最大震度４", "福島県沖で地震、最大震度３", true},
		{"زلزله ۵٫۲ ریشتری در کرمان", "Magnitude 5.2 quake in Kerman", false},
		{"زلزله ۵٫۲ ریشتری در کرمان", "زلزله ۵٫۴ ریشتری در کرمان", true},
		{"أسعار العملات ٢٤ مارس", "أسعار العملات 24 مارس", false},
	}
	for _, tt := range tests {
		if got := FiguresDisagree(tt.a, tt.b); got != tt.want {
			t.Errorf("FiguresDisagree(%q, %q) = %v; want %v", tt.a, tt.b, got, tt.want)
		}
		if got := FiguresDisagree(tt.b, tt.a); got != tt.want {
			t.Errorf("FiguresDisagree(%q, %q) = %v; want %v", tt.b, tt.a, got, tt.want)
		}
	}
}

// TestSimilarityNamesDisagree checks that two reports of one kind of event
// that name different teams score nothing, however alike their other words,
// while a rewrite naming the same ones scores.
func TestSimilarityNamesDisagree(t *testing.T) {
	t0 := time.Date(2025, 4, 7, 21, 0, 0, 0, time.UTC)
	a := weighed("Redmoor beat Ashcombe 2-1",
		"Tomas Vell scored twice as Redmoor beat Ashcombe 2-1 at Millfield Park on Monday night.", t0)
	other := weighed("Linton beat Marsh Town 2-1",
		"Linton beat Marsh Town 2-1 at Ferry Lane on Monday night, with a late goal from Sam Okoro.", t0)
	same := weighed("Redmoor edge Ashcombe",
		"Two goals from Tomas Vell gave Redmoor a 2-1 win over Ashcombe at Millfield Park on Monday.", t0)
	if s := Similarity(a, other); s.Value != 0 || !s.Named || s.Entity >= NamesMin {
		t.Errorf("Similarity(Redmoor, Linton) = %+v; want value 0 (names %.2f of NamesMin %.2f)", s, s.Entity, NamesMin)
	}
	if s := Similarity(a, same); s.Value < 0.3 {
		t.Errorf("Similarity(Redmoor, Redmoor rewritten) = %+v; want at least 0.3", s)
	}
}

// TestSimilarityFewWordsShared checks that two items sharing only the
// two words of a stock headline score nothing, however alike their cosine
// (one of them has no text but its headline), while two short reports of
// one event that share three words or more still score.
func TestSimilarityFewWordsShared(t *testing.T) {
	t0 := time.Date(2025, 4, 7, 12, 0, 0, 0, time.UTC)
	bare := weighed("Pictures of the day", "", t0)
	gallery := weighed("Pictures of the day",
		"<figure><figcaption>Waves break over the harbour wall at Kellby</figcaption></figure>", t0)
	if s := Similarity(bare, gallery); s.Value != 0 || s.Shared >= minShared {
		t.Errorf("Similarity(bare gallery, gallery) = %+v; want value 0 (%d terms shared, fewer than %d)", s, s.Shared, minShared)
	}
	flash := weighed("Explosion reported at Dunmore refinery", "", t0)
	report := weighed("Dunmore refinery blast: two workers missing",
		"Two workers are missing after an explosion at the Dunmore refinery, the operator said.", t0)
	if s := Similarity(flash, report); s.Value < 0.3 || s.Kind() != "rewrite" {
		t.Errorf("Similarity(headline alone, report) = %+v kind %s; want a rewrite of at least 0.3", s, s.Kind())
	}
}

// TestUnspacedScripts checks copies of a report in a script written
// without spaces between words (Chinese here): each pair of characters is a
// word, so a copy under a new headline and wrapped in a site's lines, or
// cut short, shares the original's and joins it, while another report of
// the same city, in words of its own, does not.
func TestUnspacedScripts(t *testing.T) {
	t0 := time.Date(2026, 11, 4, 2, 0, 0, 0, time.UTC)
	body := "<p>周三上午，港口城市的渔民协会宣布，由于连日暴雨，所有渔船将暂停出海三天。</p>" +
		"<p>协会负责人在记者会上表示，气象部门预计本周末风浪仍将持续，渔民的安全是首要考虑。</p>" +
		"<p>据了解，此次停航将影响约两千名渔民的收入，地方政府正在研究临时补贴方案。</p>" +
		"<p>市场方面，海鲜批发价格在消息公布后上涨了百分之十五，部分餐馆已开始调整菜单。</p>"
	orig := weighed("暴雨持续 港口渔船停航三天", body, t0)
	tests := []struct {
		name     string
		doc      *Doc
		min, max float64
	}{
		{"retitled copy with a site's lines", weighed("突发：渔民协会宣布停航",
			"<p>点击关注我们，获取更多本地新闻</p>"+body+"<p>原文链接</p><p>更多文章</p>", t0.Add(time.Hour)), 0.5, 1},
		{"cut short", weighed("暴雨持续 港口渔船停航三天", body[:strings.Index(body, "<p>据了解")]+"<p>……</p>", t0.Add(2*time.Hour)), 0.5, 1},
		{"another report of the city", weighed("燃油涨价 出租车起步价上调",
			"<p>周三下午，港口城市的出租车司机协会宣布，由于燃油价格上涨，出租车起步价将上调两元。</p>"+
				"<p>司机们表示，过去一年收入明显下降，调价是不得已的选择。</p>"+
				"<p>市民对此反应不一，部分上班族表示将改乘地铁和公交车。</p>", t0.Add(time.Hour)), 0, DefaultThreshold / 2},
	}
	for _, tt := range tests {
		if s := Similarity(orig, tt.doc); s.Value < tt.min || s.Value > tt.max {
			t.Errorf("Similarity(orig, %s) = %.3f; want it in [%.2f, %.2f]", tt.name, s.Value, tt.min, tt.max)
		}
	}
}

// tt0 returns a copy of d moved later by shift.
func tt0(d *Doc, shift time.Duration) *Doc {
	c := *d
	c.Time = d.Time.Add(shift)
	return &c
}

func TestStoryScore(t *testing.T) {
	copyScore := Score{Cosine: 0.9, Title: 1, Copy: 1, Value: 1}
	rw := func(v float64) Score { return Score{Cosine: v, Title: 0.5, Value: v, Apart: 3 * time.Hour} }
	later := func(s Score, d time.Duration) Score { s.Apart = d; return s }
	retitled := func(s Score) Score { s.Title = 0.2; return s }
	distinct := func(s Score) Score { s.Distinct = true; return s }
	named := func(s Score, e float64) Score { s.Named, s.Entity = true, e; return s }
	tests := []struct {
		name     string
		scores   []Score
		same     []bool
		centroid float64
		want     float64
		wantWith int
	}{
		{"none", nil, nil, 0.5, 0, -1},
		{"rewrites score the centroid", []Score{rw(0.55), rw(0.2)}, []bool{false, false}, 0.45, 0.45, 0},
		{"a near-identical rewrite joins whatever the centroid", []Score{rw(0.2), rw(0.7)}, []bool{false, false}, 0.25, 0.7, 1},
		{"a near-identical rewrite joins beside its source's report", []Score{rw(0.3), rw(0.7)}, []bool{true, false}, 0.5, 0.7, 1},
		{"centroid above every member", []Score{rw(0.3), rw(0.3), rw(0.2)}, []bool{false, false, false}, 0.35, 0.35, 0},
		{"centroid far above every member", []Score{rw(0.3), rw(0.3), rw(0.2)}, []bool{false, false, false}, 0.45, 0.36, 0},
		{"centroid of texts it hardly resembles", []Score{rw(0.2), rw(0.15)}, []bool{false, false}, 0.45, 0.24, 0},
		{"copy of one member", []Score{rw(0.1), copyScore}, []bool{false, false}, 0.3, 1, 1},
		{"own source blocks a rewrite hours later", []Score{later(rw(0.8), 3*time.Hour)}, []bool{true}, 0.8, 0, 0},
		{"own source blocks a rewrite under another headline", []Score{retitled(later(rw(0.8), 25*time.Minute))}, []bool{true}, 0.8, 0, 0},
		{"own source blocks a rewrite of a story holding its report", []Score{rw(0.5), later(rw(0.3), 5*time.Hour)}, []bool{false, true}, 0.5, 0, 0},
		{"own source's item within the hour is one report", []Score{later(rw(0.4), 25*time.Minute), rw(0.2)}, []bool{true, false}, 0.45, 0.45, 0},
		{"own source's item within the hour naming the same people", []Score{named(later(rw(0.4), 25*time.Minute), 0.75), rw(0.2)}, []bool{true, false}, 0.45, 0.45, 0},
		{"own source's report of another event within the hour", []Score{named(later(rw(0.7), 20*time.Minute), 0.58)}, []bool{true}, 0.7, 0, 0},
		{"own source's other post within the hour", []Score{distinct(later(rw(0.4), 25*time.Minute)), rw(0.2)}, []bool{true, false}, 0.45, 0, 0},
		{"own source copy joins", []Score{copyScore}, []bool{true}, 0.9, 1, 0},
	}
	for _, tt := range tests {
		got, with := StoryScore(tt.scores, tt.same, tt.centroid)
		if fmt.Sprintf("%.3f", got) != fmt.Sprintf("%.3f", tt.want) || with != tt.wantWith {
			t.Errorf("StoryScore(%s, centroid %.2f) = %.3f, %d; want %.3f, %d", tt.name, tt.centroid, got, with, tt.want, tt.wantWith)
		}
	}
}

func TestProfile(t *testing.T) {
	t0 := time.Date(2020, 5, 29, 4, 0, 0, 0, time.UTC)
	bbc := weighed("Varland terminates membership of Northern Fisheries Council",
		"Premier Halvorsen says Varland will end its membership of the Northern Fisheries Council over the quota dispute.", t0)
	cnn := weighed("Varland quitting Northern Fisheries Council, Halvorsen says",
		"Premier Erik Halvorsen said Varland is terminating its membership of the Northern Fisheries Council.", t0.Add(2*time.Hour))
	tele := weighed("Varland terminating membership of fisheries council",
		"The Varland premier has announced the country is cutting ties with the Northern Fisheries Council.", t0.Add(20*time.Hour))
	zoo := weighed("Bear escape at Portmere wildlife park leaves keeper badly injured",
		"The man is being treated for critical injuries after the incident at the park's east gate, police say.", t0.Add(time.Hour))

	var who Profile
	who.Add(bbc)
	who.Add(cnn)
	if who.Len() != 2 {
		t.Fatalf("Profile.Len() = %d after two Adds; want 2", who.Len())
	}
	// A Profile of one Doc is that Doc: its centroid cosine is the cosine.
	var one Profile
	one.Add(bbc)
	if got, want := one.Centroid(cnn), Similarity(bbc, cnn).Cosine; math.Abs(got-want) > 1e-9 {
		t.Errorf("Profile{bbc}.Centroid(cnn) = %.4f; want the cosine %.4f", got, want)
	}
	// The centroid of two reports matches a third at least as well as
	// their average does: the terms the two agree on add up.
	avg := (Similarity(bbc, tele).Cosine + Similarity(cnn, tele).Cosine) / 2
	if got := who.Centroid(tele); got < avg {
		t.Errorf("Profile{bbc, cnn}.Centroid(tele) = %.3f; want at least the average cosine %.3f", got, avg)
	}
	if got := who.Centroid(zoo); got > 0.05 {
		t.Errorf("Profile{bbc, cnn}.Centroid(zoo) = %.3f; want about 0", got)
	}

	// Linkage is the average cosine over pairs of members.
	var other Profile
	other.Add(tele)
	if got, want := Linkage(&who, &other), avg; math.Abs(got-want) > 1e-9 {
		t.Errorf("Linkage({bbc, cnn}, {tele}) = %.4f; want the average cosine %.4f", got, want)
	}
	merged := who.Clone()
	merged.Merge(&other)
	if merged.Len() != 3 || who.Len() != 2 {
		t.Errorf("after Clone and Merge: Len %d and %d; want 3 and 2 (the original untouched)", merged.Len(), who.Len())
	}

	// Time: the span of the members, and the gap between two spans.
	tests := []struct {
		at   time.Time
		want time.Duration
	}{
		{t0.Add(-3 * time.Hour), 3 * time.Hour},
		{t0.Add(time.Hour), 0},
		{t0.Add(5 * time.Hour), 3 * time.Hour},
	}
	for _, tt := range tests {
		if got := who.Apart(tt.at); got != tt.want {
			t.Errorf("Profile{t0, t0+2h}.Apart(%v) = %v; want %v", tt.at.Sub(t0), got, tt.want)
		}
	}
	if got, want := Gap(&who, &other), 18*time.Hour; got != want {
		t.Errorf("Gap({t0, t0+2h}, {t0+20h}) = %v; want %v", got, want)
	}
	if got := Gap(&who, merged); got != 0 {
		t.Errorf("Gap of overlapping profiles = %v; want 0", got)
	}
	if got, want := Discount(0.6, HalfLife), 0.3; math.Abs(got-want) > 1e-9 {
		t.Errorf("Discount(0.6, HalfLife) = %.3f; want %.3f", got, want)
	}
}

// TestProfileOfStrays checks that a story whose members agree on nothing
// does not lift a report that shares a little with each of them: the
// centroid's cosine rises far above the members' (the √n of StoryScore),
// and StoryScore keeps the story's score within 1.2 times the best member's.
func TestProfileOfStrays(t *testing.T) {
	t0 := time.Date(2020, 5, 29, 4, 0, 0, 0, time.UTC)
	word := func(i int) string { // a distinct made-up word per i
		b := []byte("qu")
		for n := i + 26; n > 0; n /= 26 {
			b = append(b, byte('a'+n%26))
		}
		return string(b)
	}
	var strays Profile
	var sum float64
	var scores []Score
	probe := weighed("Harbour council meets on ferry timetable", "The harbour council discussed the ferry timetable.", t0)
	const n = 30
	shared := []string{"harbour", "council", "ferry", "timetable", "meets", "discussed"}
	for i := range n {
		w := shared[i%len(shared)]
		d := weighed(word(3*i)+" "+word(3*i+1)+" "+w, word(3*i+2)+" "+word(3*i)+" "+word(3*i+1)+".", t0)
		strays.Add(d)
		scores = append(scores, Similarity(probe, d))
		sum += scores[i].Cosine
	}
	avg := sum / n
	if avg <= 0 {
		t.Fatalf("average cosine %.3f; the probe should share a word with each stray", avg)
	}
	centroid := strays.Centroid(probe)
	if centroid < 1.8*avg {
		t.Fatalf("centroid cosine %.3f, average %.3f: the strays should agree on too little for this test", centroid, avg)
	}
	best := 0.0
	for _, sc := range scores {
		best = max(best, sc.Value)
	}
	if got, _ := StoryScore(scores, make([]bool, n), centroid); got > 1.2*best+1e-9 {
		t.Errorf("StoryScore over %d strays = %.3f (centroid %.3f); want at most 1.2 × the best member's %.3f", n, got, centroid, best)
	}
}

func TestEncodeDecode(t *testing.T) {
	d := weighed("World's oldest man dies aged 112", "<p>Bob Weighton died peacefully in his sleep, his family said.</p>",
		time.Date(2020, 5, 28, 17, 5, 44, 0, time.UTC))
	d.Truncated = true
	b := d.Encode()
	got, err := Decode(b)
	if err != nil {
		t.Fatalf("Decode(Encode(d)): %v", err)
	}
	d.Digest = "" // not stored
	if !reflect.DeepEqual(got, d) {
		t.Errorf("Decode(Encode(d)) = %+v; want %+v", got, d)
	}
	for _, bad := range [][]byte{nil, {9}, b[:len(b)-1], append(append([]byte{}, b...), 0)} {
		if _, err := Decode(bad); err == nil {
			t.Errorf("Decode(%x) succeeded; want an error", bad)
		}
	}
	if len(b) > 600 {
		t.Errorf("encoded Doc is %d bytes; want at most 600", len(b))
	}

	// Features stored in the first encoding read back as the same Doc,
	// their 32-bit shingles folded to 16 bits (two of them meeting).
	v1 := []byte{encodingV1}
	v1 = binary.AppendVarint(v1, d.Time.Unix())
	v1 = binary.AppendUvarint(v1, 1) // truncated
	v1 = binary.AppendUvarint(v1, uint64(d.TitleLen))
	v1 = binary.AppendUvarint(v1, uint64(d.Words))
	v1 = binary.AppendUvarint(v1, uint64(len(d.Terms)))
	for _, t := range d.Terms {
		var f byte
		if t.Title {
			f |= 1
		}
		if t.Entity {
			f |= 2
		}
		v1 = append(binary.LittleEndian.AppendUint32(v1, t.Hash), t.Count, t.IDF, f)
	}
	v1 = binary.AppendUvarint(v1, uint64(len(d.Shingles)+1))
	for i, sh := range d.Shingles {
		v1 = binary.LittleEndian.AppendUint32(v1, sh<<16|uint32(i))
		if i == 0 {
			v1 = binary.LittleEndian.AppendUint32(v1, sh<<16|0xffff)
		}
	}
	old, err := Decode(v1)
	if err != nil {
		t.Fatalf("Decode(version 1): %v", err)
	}
	if !reflect.DeepEqual(old, d) {
		t.Errorf("Decode(version 1) = %+v; want %+v", old, d)
	}
}

// TestCountsStopAtMaxCount checks that a term's count stops where its
// encoding does.
func TestCountsStopAtMaxCount(t *testing.T) {
	d := weighed("Rain", strings.Repeat("<p>Rain rain rain.</p>", 40), time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC))
	for _, term := range d.Terms {
		if term.Count > MaxCount {
			t.Errorf("term count %d; want at most %d", term.Count, MaxCount)
		}
	}
	got, err := Decode(d.Encode())
	d.Digest = ""
	if err != nil || !reflect.DeepEqual(got, d) {
		t.Errorf("Decode(Encode(d)) = %+v, %v; want %+v", got, err, d)
	}
}

func TestBands(t *testing.T) {
	at := time.Date(2020, 5, 29, 12, 0, 0, 0, time.UTC)
	d := weighed("Bear escape in Portmere leaves keeper badly injured", strings.Repeat("word ", 3), at)
	file := d.Bands()
	if len(file) == 0 || len(file) > IndexTerms {
		t.Fatalf("Bands() gave %d bands; want 1..%d", len(file), IndexTerms)
	}
	look, per := d.LookupBands(72 * time.Hour)
	if per != 7 || len(look) != len(file)*7 {
		t.Fatalf("LookupBands(72h) gave %d bands, %d a term; want %d, 7 (7 day buckets per filed term)", len(look), per, len(file)*7)
	}
	term := func(b Band) string { return string(b.Key[1:5]) } // the term hash in a band's key
	for i, f := range file {
		// Terms in the order they are filed under, heaviest first.
		g := look[i*per : (i+1)*per]
		if !slices.ContainsFunc(g, func(l Band) bool { return string(l.Key) == string(f.Key) }) ||
			slices.ContainsFunc(g, func(l Band) bool { return term(l) != term(f) }) {
			t.Errorf("LookupBands(72h) term %d: keys %x…; want the buckets of filed term %x", i, g[0].Key, term(f))
		}
	}
	found := 0
	for _, f := range file {
		for _, l := range look {
			if string(f.Key) == string(l.Key) {
				found++
			}
		}
	}
	if found != len(file) {
		t.Errorf("%d of %d filed bands are looked up; want all", found, len(file))
	}
}

func TestTextStable(t *testing.T) {
	for _, in := range []string{"<p>a &lt;b&gt; c</p>", "x &amp;amp; y", "<div>one<div>two</div></div>three"} {
		once := Text(in)
		if twice := Text(once); twice != once || !utf8.ValidString(once) {
			t.Errorf("Text(Text(%q)) = %q; want %q", in, twice, once)
		}
	}
}

// TestOwnCopy checks that a source's notice, updated under a new link
// with a line put before its text and one paragraph changed, is a copy of
// the notice when both texts are compared whole, where their Docs' first
// words are not; and that the same source's notice of another product to
// the same template, and a post of its own under a headline of its own
// over the same paragraphs, are not.
func TestOwnCopy(t *testing.T) {
	t0 := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
	standing := []string{
		"Risk statement: the bacteria can cause a rare illness with a high temperature, aches and chills, and some people, including pregnant women and people over 65, are more likely to become seriously ill.",
		"Action taken by the company: the product is being taken off the shelves of the shops that sell it, and notices in those shops explain to customers why and what to do if they have bought it.",
		"Our advice to consumers: if you have bought the product, do not eat it, but take it back to the shop where it was bought for a full refund, with or without a receipt.",
	}
	notice := append([]string{
		"Greyholm Creamery is recalling Greyholm Mature Gouda 250g because Listeria has been found in the product.",
		"Product details: Greyholm Mature Gouda, pack size 250g, batch code GM4410, best before 20 June 2025.",
	}, standing...)
	update := append([]string{
		"Updated 2 April 2025: a second batch code, GM4411, has been added to this notice after further tests.",
		notice[0],
		"Product details: Greyholm Mature Gouda, pack size 250g, batch codes GM4410 and GM4411, best before 20 and 22 June 2025.",
	}, standing...)
	other := append([]string{
		"Tallow Farm Kitchen is recalling Tallow Farm Chicken Pâté 180g because Listeria has been found in the product.",
		"Product details: Tallow Farm Chicken Pâté, pack size 180g, batch code TP0317, use by 12 April 2025.",
	}, standing...)
	doc := func(title string, lines []string, at time.Time) *Doc {
		d := NewDoc(title, lines, at)
		d.Weigh(1000, make([]uint32, len(d.Terms)))
		return d
	}
	title := "Greyholm Creamery recalls Greyholm Mature Gouda because of Listeria"
	a := doc(title, notice, t0)
	tests := []struct {
		name  string
		title string
		lines []string
		copy  bool
	}{
		{"update under a new link", "Update: " + title, update, true},
		{"another product to the template", "Tallow Farm Kitchen recalls Tallow Farm Chicken Pâté because of Listeria", other, false},
		{"a post of its own over the same paragraphs", "Greyholm opens a visitor centre at its creamery", append([]string{
			"Greyholm Creamery opened a visitor centre on Monday where families can watch cheese being made and taste it.",
		}, standing...), false},
	}
	for _, tt := range tests {
		b := doc(tt.title, tt.lines, t0.Add(23*time.Hour))
		s := Similarity(a, b)
		if s.Kind() == "copy" {
			t.Fatalf("Similarity(notice, %s) = %+v kind copy; want its first words to tell no copy", tt.name, s)
		}
		got := s.OwnCopy(func() float64 { return Containment(NewWhole(notice), NewWhole(tt.lines)) })
		if (got.Kind() == "copy") != tt.copy {
			t.Errorf("OwnCopy(notice, %s) = %+v kind %s; want copy %v", tt.name, got, got.Kind(), tt.copy)
		}
	}
}

func TestFooter(t *testing.T) {
	const garlic = "Planting garlic in November"
	tests := []struct {
		line, title string
		want        bool
	}{
		{"The post Planting garlic in November appeared first on Coastline Gardener .", garlic, true},
		{"The post Planting garlic in November appeared first on Coastline Gardener", garlic, true},
		{"The post Planting garlic in November! appeared first on Coastline Gardener.", "Planting Garlic in November", true},
		{"Der Beitrag Knoblauch im November erschien zuerst auf Küstengarten .", "Knoblauch im November", true},
		{"L’article Planter l'ail en novembre est apparu en premier sur Jardin côtier .", "Planter l’ail en novembre", true},
		{"La entrada Plantar ajo en noviembre se publicó primero en Huerto costero .", "Plantar ajo en noviembre", true},
		{"Het bericht Knoflook planten in november verscheen eerst op Kusttuin .", "Knoflook planten in november", true},
		{"submitted by /u/keelhaul_kay", "Fouled anchor", true},
		{"submitted by /u/bowline_ben to r/sailing", "", true},
		{"Submitted by u/bowline_ben", "Fouled anchor", true},
		// Lines of articles that start alike.
		{"The post office appeared first on the high street in 1840, records show.", garlic, false},
		{"The post office closed at noon. Its painted sign appeared first on the cover of the Gazette.", "Village loses its last counter", false},
		{"The post of harbour master is vacant.", garlic, false},
		{"Submitted by the council, the plan goes to a vote on Monday.", garlic, false},
		{"submitted by /u/a and approved by the moderators", garlic, false},
		// Another post's footer, quoted.
		{"The post Ten tips for tomatoes appeared first on Garden Weekly.", garlic, false},
		{"", garlic, false},
	}
	for _, tt := range tests {
		if got := Footer(tt.line, tt.title); got != tt.want {
			t.Errorf("Footer(%q, %q) = %v; want %v", tt.line, tt.title, got, tt.want)
		}
	}
}

// TestTemplate checks that Template gives headlines of one template
// under other figures one string, in capitals or small letters and in
// Greek with or without accents, and headlines of other words another.
func TestTemplate(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{"Σεισμός 4,9 Ρίχτερ νότια της Κρήτης", "ΣΕΙΣΜΟΣ 4,2 ΡΙΧΤΕΡ ΝΟΤΙΑ ΤΗΣ ΚΡΗΤΗΣ", true},
		{"Measles in Brakeby: 9 new cases", "MEASLES IN BRAKEBY: seven new cases", true},
		{"福島県沖で地震、最大震度４", "福島県沖で地震、最大震度３", true},
		{"Σεισμός 4,9 Ρίχτερ νότια της Κρήτης", "Σεισμός 4,2 Ρίχτερ βόρεια της Κρήτης", false},
		{"Measles in Brakeby: 9 new cases", "Measles in Alby: 7 new cases", false},
	} {
		if got := Template(tt.a) == Template(tt.b); got != tt.same {
			t.Errorf("Template(%q) == Template(%q) is %v (%q, %q); want %v", tt.a, tt.b, got, Template(tt.a), Template(tt.b), tt.same)
		}
	}
}

// TestFigureless checks that Figureless leaves out the figures
// FiguresDisagree reads, in digits and in words, and nothing else: a
// fraction, "one" alone and words that only hold a count's letters stay.
func TestFigureless(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Measles in Brakeby: 7 new cases", "Measles in Brakeby:  new cases"},
		{"Measles in Brakeby: seven new cases", "Measles in Brakeby:  new cases"},
		{"Seven New Cases In Brakeby", " New Cases In Brakeby"},
		{"Twenty-two dead, thirty‑one hurt", " dead,  hurt"},
		{"Two-thirds of voters, one of them", "Two-thirds of voters, one of them"},
		{"Often tends to nineteen", "Often tends to nineteen"},
		{"Brakeby: ٣ new cases", "Brakeby:  new cases"},
	} {
		if got := Figureless(tt.in); got != tt.want {
			t.Errorf("Figureless(%q) = %q; want %q", tt.in, got, tt.want)
		}
		if got := Figureless(tt.in); FiguresDisagree(got, "x 1") {
			t.Errorf("Figureless(%q) = %q still holds a figure", tt.in, got)
		}
	}
}

// TestHeadlineOnly checks which items hold nothing but their headline: a
// flash, a link aggregator's headline over "Comments", a news finder's
// headline as its link with the outlet's name after it; a report, or a
// headline over a sentence of its own, holds more.
func TestHeadlineOnly(t *testing.T) {
	at := time.Date(2025, 3, 11, 12, 0, 0, 0, time.UTC)
	headline := "Stratocum outage leaves online shops unable to take card payments for hours"
	tests := []struct {
		title, body string
		want        bool
	}{
		{headline, "", true},
		{headline, "Comments", true},
		{headline + " - Bytewire", headline + "  Bytewire", true},
		{headline, "Thousands of online shops in Europe and North America were unable to take card payments for much of Tuesday afternoon after an outage at Stratocum.", false},
		{headline, "Our readers tell us their checkouts stalled too.", false},
	}
	for _, tt := range tests {
		if got := NewDoc(tt.title, Lines(Text(tt.body)), at).HeadlineOnly(); got != tt.want {
			t.Errorf("HeadlineOnly(%q over %q) = %v; want %v", tt.title, tt.body, got, tt.want)
		}
	}
}
