package parse

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds raw bytes to Parse: it must not panic, every string it
// returns must be valid UTF-8 and safe, and parsing the same bytes twice
// must give the same ids and hashes.
func FuzzParse(f *testing.F) {
	fixtures, _ := filepath.Glob("testdata/*.*")
	for _, p := range fixtures {
		if b, err := os.ReadFile(p); err == nil && len(b) < 8<<10 {
			f.Add(b, "")
		}
	}
	f.Add([]byte(`<rss version="2.0"><channel><item><title>t</title><guid>g</guid></item></channel></rss>`), "text/xml; charset=windows-1251")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		a, errA := Parse(body, contentType, testFeedURL, "fuzz", testNow, Options{MaxItems: 50})
		b, errB := Parse(body, contentType, testFeedURL, "fuzz", testNow, Options{MaxItems: 50})
		if (errA == nil) != (errB == nil) {
			t.Fatalf("two parses disagree: %v / %v", errA, errB)
		}
		if errA != nil {
			if !utf8.ValidString(errA.Error()) {
				t.Errorf("error message is not valid UTF-8: %q", errA.Error())
			}
			if msg := errA.Error(); strings.Contains(msg, "Go struct") || strings.Contains(msg, "Go value") {
				t.Errorf("error message names the program's types, not the feed's: %q", msg)
			}
			return
		}
		checkFeed(t, "fuzz", a)
		if len(a.Items) != len(b.Items) {
			t.Fatalf("two parses: %d then %d items", len(a.Items), len(b.Items))
		}
		for i := range a.Items {
			x, y := a.Items[i], b.Items[i]
			if x.ID != y.ID || x.Hash != y.Hash || x.GUID != y.GUID {
				t.Errorf("item %d: id/hash %s/%s then %s/%s", i, x.ID, x.Hash, y.ID, y.Hash)
			}
			if !slices.Equal(x.OriginLinks, y.OriginLinks) {
				t.Errorf("item %d: origins %q then %q", i, x.OriginLinks, y.OriginLinks)
			}
		}
	})
}

// FuzzForbiddenCharRefs holds toUTF8 to what the feed parser relies on: the
// XML decoder never refuses an XML document it returns for a character XML
// forbids, written as a reference or not.
func FuzzForbiddenCharRefs(f *testing.F) {
	for _, s := range []string{
		`<a t="&#1;">x&#x1b;y&#11;z&#xFFFE;&#0;&#xD800;&#1114112;&#X1b;&#x1b</a>`,
		`<a><![CDATA[&#x1b;]]>&#x1b;<!-- &#1; --><![CDATA[&#2;</a>`,
		`<!DOCTYPE a [<!ENTITY c "<!--">]><a>&#1;</a>`,
		`<?xml version="1.0"?><rss><channel><title>a&#00000000027;b</title></channel></rss>`,
		`<a>&#x10FFFF;&#xe9;&amp;#1;&#65;</a>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		doc := toUTF8(b, "")
		if !startsLikeXML(doc) {
			return // read as JSON, or not at all
		}
		d := xml.NewDecoder(bytes.NewReader(doc))
		d.Strict = false
		for {
			_, err := d.Token()
			if err == nil {
				continue
			}
			if strings.Contains(err.Error(), "illegal character code") {
				t.Fatalf("toUTF8(%q) = %q: the decoder refuses it: %v", b, doc, err)
			}
			return
		}
	})
}

// FuzzSanitize checks that no input survives Sanitize as unsafe HTML or
// with control characters or bidirectional overrides, and that PlainText always returns collapsed,
// valid text.
func FuzzSanitize(f *testing.F) {
	for _, p := range xssPayloads {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Sanitize(s, "https://site.example/a/b.html")
		if why := unsafeHTML(got); why != "" {
			t.Errorf("Sanitize(%q) = %q: unsafe: %s", s, got, why)
		}
		if cleanText(got) != got {
			t.Errorf("Sanitize(%q) = %q: holds control characters or invalid UTF-8", s, got)
		}
		if strings.ContainsAny(got, bidiOverrides) {
			t.Errorf("Sanitize(%q) = %q: holds a bidirectional override", s, got)
		}
		p := PlainText(s)
		if !utf8.ValidString(p) || p != strings.TrimSpace(p) || strings.ContainsAny(p, "\t\n\r\x00") || strings.Contains(p, "  ") {
			t.Errorf("PlainText(%q) = %q: not collapsed, valid text", s, p)
		}
	})
}

// endsLikeCredit spares the credit regexp only text it cannot match.
func FuzzCreditEnds(f *testing.F) {
	for _, s := range []string{
		"Source:", "h/t：", "Source: —", "via :", "originally published at", "first ran",
		"read the full story on — ", "the original article is here", "original articleat",
		"published with permission from", "republished by", "This article first appeared in",
		"ſource:", "SOURCE :", "originally published \u212aat", "the original ſtory",
		"said the minister on Tuesday", "according to", "see the photos of", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if creditBefore.MatchString(s) && !endsLikeCredit(s) {
			t.Fatalf("endsLikeCredit(%q) = false, but creditBefore matches it", s)
		}
	})
}

func TestEndsLikeCredit(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want bool
	}{
		{"Source:", true},
		{"Originally published at —", true},
		{"the original ſtory", true}, // ſ folds to s under (?i)
		{"read more at", true},
		{"said the minister", false},
		{"according to", false},
		{"photos: Reuters /", false},
	} {
		if got := endsLikeCredit(tt.s); got != tt.want {
			t.Errorf("endsLikeCredit(%q) = %v; want %v", tt.s, got, tt.want)
		}
		if creditBefore.MatchString(tt.s) && !tt.want {
			t.Errorf("creditBefore matches %q, which the test says cannot end a credit", tt.s)
		}
	}
}

// foldsTo agrees with strings.EqualFold, which folds as regexp's (?i) does.
func TestFoldsTo(t *testing.T) {
	for r := rune(0); r < 0x3000; r++ {
		for c := byte('a'); c <= 'z'; c++ {
			if got, want := foldsTo(r, c), strings.EqualFold(string(r), string(rune(c))); got != want {
				t.Errorf("foldsTo(%q, %q) = %v; want %v", r, c, got, want)
			}
		}
	}
}

// FuzzExpandEntities holds expandEntities to its bounds and to what the
// feed parser relies on: a document without a DOCTYPE comes back as it is,
// an expanded one grows by no more than maxEntityGrowth, and the XML
// decoder reads an expanded document as far as it reads the document
// itself.
func FuzzExpandEntities(f *testing.F) {
	for _, s := range []string{
		`<!DOCTYPE rss [<!ENTITY a "x&b;"><!ENTITY b "y">]><rss t="&a;">&a;&b;&c;</rss>`,
		`<?xml version="1.0"?><!-- c --><!DOCTYPE rss [<!ENTITY q 'say "hi"'><!ENTITY m "<b>">]><rss><a t='&q;'>&q;&m;<![CDATA[&q;]]></a></rss>`,
		`<!DOCTYPE a [<!ENTITY x "a&#1;b"><!ENTITY y "&">]><a>&x;&y;#x1b;</a>`,
		`<!DOCTYPE a [<!ENTITY a "&b;"><!ENTITY b "&a;">]><a>&a;</a>`,
		`<!DOCTYPE a [<!ENTITY a "">]>&#&a;`,
	} {
		f.Add([]byte(s))
	}
	if b, err := os.ReadFile("testdata/billion-laughs.xml"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		doc = toUTF8(doc, "")
		out := expandEntities(doc)
		if !bytes.Contains(doc, []byte("<!DOCTYPE")) && !bytes.Equal(out, doc) {
			t.Fatalf("expandEntities(%q) = %q; want it unchanged, without a DOCTYPE", doc, out)
		}
		if len(out) > len(doc)+maxEntityGrowth {
			t.Fatalf("expandEntities grew %d bytes to %d", len(doc), len(out))
		}
		tokens := func(b []byte) (n int, err error) {
			d := xml.NewDecoder(bytes.NewReader(b))
			d.Strict = false
			for {
				if _, err := d.Token(); err != nil {
					return n, err
				}
				n++
			}
		}
		if _, err := tokens(doc); err == io.EOF {
			if _, err := tokens(out); err != io.EOF {
				t.Fatalf("expandEntities(%q) = %q, which the decoder refuses: %v", doc, out, err)
			}
		}
	})
}

// FuzzLooseDate reads any string as a date: looseDate must not panic, and
// must read the same string the same way twice, its cache of time zones
// filled or not.
func FuzzLooseDate(f *testing.F) {
	for _, s := range []string{
		"Fr, 01 Mär 2024 10:00:00 +0100", "Friday, March 1, 2024 - 09:00", "March 1, 2024 12:15 AM ET",
		"2024-03-01 09:00:00 Europe/Berlin", "20240301T100000+0100", "01.03.2024 10h00 MEZ",
		"Fri Mar 01 2024 10:00:00 GMT+0200 (Central European Summer Time)", "1 mars 2024 à 10h00 IST",
		"March 1, 2024 4:00 AM COT", "Fri, 01 Mar 2024 01:00:00 Pacific Standard Time", "2024-03-01 02:00:00 Mountain",
		"2024/03/01 18:00:00 Asia/Tokyo", "2024-03-01T04:00:00 -05:00", "Mar  1 2024  9:00AM",
		"1 марта 2024 г. в 12:00", "1. desember 2023 kl. 10.00", "Cum, 01 Şub 2024 12:00:00 +0300",
		"1709284500", "1709284500000", "01-03-2024 10:15", "03/01/2024 10:15:00 PM", "2024年3月1日 10:15",
		"2024년 3월 1일 10:15", "Παρ, 01 Μαρτίου 2024 10:15 μ.μ.", "2024-03-01T10:15+01:00[Europe/Paris]",
		"2024-03-01T10:15:00[Asia/Tokyo]", "2024年3月1日(金) 午後6時00分 JST", "2024년 3월 1일 (금) 오후 6시 00분", "2024年3月1日 午前0時30分",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, b := looseDate(s, istIndia, orderUnknown), looseDate(s, istIndia, orderUnknown)
		if (a == nil) != (b == nil) || a != nil && !a.Equal(*b) {
			t.Fatalf("looseDate(%q) = %v, then %v", s, a, b)
		}
	})
}
