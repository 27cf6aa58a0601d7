package parse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ext "github.com/mmcdole/gofeed/extensions"
	jsonfeed "github.com/mmcdole/gofeed/json"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"

	"github.com/tributary-feeds/tributary/aggregator"
)

var testNow = time.Date(2024, 3, 2, 12, 0, 0, 0, time.UTC)

const testFeedURL = "https://feeds.example/dir/feed.xml"

func mustParseFile(t *testing.T, name, contentType string) *Feed {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(b, contentType, testFeedURL, "src1", testNow, Options{})
	if err != nil {
		t.Fatalf("Parse(%s) error: %v", name, err)
	}
	checkFeed(t, name, f)
	return f
}

// checkFeed asserts the invariants every parsed feed keeps, whatever its
// input: valid UTF-8 everywhere, safe HTML, absolute http(s) links, ids
// derived from the GUID, UTC times, no duplicate ids.
func checkFeed(t *testing.T, name string, f *Feed) {
	t.Helper()
	for _, s := range []string{f.Title, f.SiteURL, f.Hub, f.Self} {
		if !utf8.ValidString(s) {
			t.Errorf("%s: feed field %q is not valid UTF-8", name, s)
		}
	}
	ids := map[string]bool{}
	for i, it := range f.Items {
		where := name + " item " + it.GUID
		for _, s := range append([]string{it.ID, it.SourceID, it.GUID, it.Link, it.CanonicalLink, it.Title, it.Summary, it.Content, it.Hash},
			slices.Concat(it.Authors, it.Categories, it.OriginLinks)...) {
			if !utf8.ValidString(s) {
				t.Errorf("%s: field %q is not valid UTF-8", where, s)
			}
			for _, r := range s {
				if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7F || r == 0xFFFE || r == 0xFFFF {
					t.Errorf("%s: field %q holds control character %U", where, s, r)
					break
				}
			}
		}
		for _, h := range []string{it.Summary, it.Content} {
			if why := unsafeHTML(h); why != "" {
				t.Errorf("%s: unsafe HTML %q: %s", where, h, why)
			}
		}
		if strings.ContainsAny(it.Title, "\n\t") || it.Title != strings.TrimSpace(it.Title) {
			t.Errorf("%s: title %q is not collapsed plain text", where, it.Title)
		}
		if it.Link != "" && !strings.HasPrefix(it.Link, "http://") && !strings.HasPrefix(it.Link, "https://") {
			t.Errorf("%s: link %q is not absolute http(s)", where, it.Link)
		}
		if it.CanonicalLink != CanonicalURL(it.Link) {
			t.Errorf("%s: canonical %q; want CanonicalURL(%q) = %q", where, it.CanonicalLink, it.Link, CanonicalURL(it.Link))
		}
		for _, e := range it.Enclosures {
			if !strings.HasPrefix(e.URL, "http://") && !strings.HasPrefix(e.URL, "https://") {
				t.Errorf("%s: enclosure %q is not absolute http(s)", where, e.URL)
			}
		}
		if it.GUID == "" || it.ID != aggregator.ItemID(it.SourceID, it.GUID) {
			t.Errorf("%s: id %q does not derive from guid %q", where, it.ID, it.GUID)
		}
		if ids[it.ID] {
			t.Errorf("%s: duplicate id %s (item %d)", where, it.ID, i)
		}
		ids[it.ID] = true
		if it.Published.Location() != time.UTC || it.FirstSeen.Location() != time.UTC {
			t.Errorf("%s: times not in UTC", where)
		}
		if it.Published.IsZero() || it.Hash == "" || it.StoryID != "" {
			t.Errorf("%s: published %v, hash %q, story %q", where, it.Published, it.Hash, it.StoryID)
		}
		if !it.Dated && it.Published.After(it.FirstSeen) {
			t.Errorf("%s: undated item published %v, after first seen %v", where, it.Published, it.FirstSeen)
		}
	}
}

func TestParseFormats(t *testing.T) {
	tests := []struct {
		file, contentType string
		title             string
		guids             []string
		links             []string
		titles            []string
	}{
		{"rss091.xml", "application/rss+xml", "Harbour Gazette",
			[]string{"https://gazette.example/news/ferry-timetable", "https://gazette.example/news/harbour-wall"},
			[]string{"https://gazette.example/news/ferry-timetable?utm_source=rss&utm_medium=feed", "https://gazette.example/news/harbour-wall"},
			[]string{"Ferry timetable changes & new routes", "Harbour wall repaired"}},
		{"rss092.xml", "", "Valley Radio",
			nil, []string{"", ""}, []string{"Morning show, 3 March", "Evening show, 3 March"}},
		{"rss10.rdf", "application/rdf+xml", "Science Notes",
			[]string{"https://science.example/notes/1", "urn:science-example:note:2"},
			[]string{"https://science.example/notes/1?ref_src=rss", "https://science.example/notes/2"},
			[]string{"Comet visible tonight", "Rain gauge results"}},
		{"rss20.xml", "application/rss+xml; charset=utf-8", "World & Tech Desk",
			[]string{"desk-1001", "https://desk.example/2024/03/01/chips"},
			[]string{"https://desk.example/2024/03/01/talks?utm_campaign=x&id=7#top", "https://desk.example/2024/03/01/chips"},
			[]string{"Talks resume in Geneva", "Chip maker posts results"}},
		{"atom03.xml", "application/atom+xml", "Old Weblog",
			[]string{"tag:old.example,2004:1"}, []string{"https://old.example/2004/06/hello"}, []string{"Hello from 2004"}},
		{"atom10.xml", "application/atom+xml", "Field Notes",
			[]string{"tag:blog.example,2024:1", "tag:blog.example,2024:2"},
			[]string{"https://blog.example/posts/relative-links", "https://mirror.example/archive/entry-2"},
			nil},
		{"jsonfeed10.json", "application/feed+json", "Micro Log",
			[]string{"2", "1"}, []string{"https://micro.example/2", "https://feeds.example/1"},
			[]string{"No title here, just <a short> note with two paragraphs.", "Linked: an article elsewhere"}},
		{"jsonfeed11.json", "application/feed+json", "Micro Log 1.1",
			[]string{"https://micro.example/posts/11"}, []string{"https://micro.example/posts/11"}, []string{"Version 1.1 item"}},
		{"utf16le-bom.xml", "application/xml", "Utf-16 Übertragung", []string{"u16-1"}, nil, []string{"Größe – 日本語 – ✓"}},
		{"utf16be-nobom.xml", "", "Utf-16 Übertragung", []string{"u16-1"}, nil, []string{"Größe – 日本語 – ✓"}},
		{"iso-8859-1.xml", "text/xml", "Café crème", []string{"l1"}, nil, []string{"Déjà vu à la façade – “quoted”"}},
		{"iso-8859-1.xml", "text/xml; charset=iso-8859-1", "Café crème", []string{"l1"}, nil, []string{"Déjà vu à la façade – “quoted”"}},
		{"windows-1251-mislabelled.xml", "", "Новости дня", []string{"ru-1"}, nil, []string{"Правительство обсудило бюджет на следующий год"}},
		{"windows-1251-mislabelled.xml", "text/xml; charset=windows-1252", "Новости дня", []string{"ru-1"}, nil, []string{"Правительство обсудило бюджет на следующий год"}},
		// A server's charset that the bytes cannot be in (UTF-8), or the
		// Latin default of a server that does not know, gives way to the
		// document's own declaration when the bytes fit it.
		{"shift_jis.xml", "", "港町新報", []string{"sj-1"}, nil, []string{"東京湾で震度５弱、津波の心配なし"}},
		{"shift_jis.xml", "application/rss+xml; charset=utf-8", "港町新報", []string{"sj-1"}, nil, []string{"東京湾で震度５弱、津波の心配なし"}},
		{"shift_jis.xml", "text/xml; charset=ISO-8859-1", "港町新報", []string{"sj-1"}, nil, []string{"東京湾で震度５弱、津波の心配なし"}},
		{"euc-kr.xml", "text/xml; charset=windows-1252", "한강일보", []string{"kr-1"}, nil, []string{"한국은행, 기준금리 연 2.75%로 동결"}},
		{"euc-kr.xml", "text/xml; charset=euc-kr", "한강일보", []string{"kr-1"}, nil, []string{"한국은행, 기준금리 연 2.75%로 동결"}},
		{"iso-8859-7.xml", "text/xml; charset=utf-8", "Νέα Φωνή", []string{"el-1"}, nil, []string{"Απεργία στα πλοία την Πέμπτη"}},
		{"iso-8859-7.xml", "text/xml; charset=iso-8859-1", "Νέα Φωνή", []string{"el-1"}, nil, []string{"Απεργία στα πλοία την Πέμπτη"}},
		// Greek in ISO-8859-7 that nothing labels, or that the server
		// labels Latin, is Greek, not Cyrillic: its accented vowels stand
		// where Windows-1251 has capitals, after lower-case letters.
		{"iso-8859-7-unlabelled.xml", "", "Φάρος της Πόλης", []string{"faros-1", "faros-2"}, nil,
			[]string{"Καιρός: βροχές και καταιγίδες το Σάββατο", "Νέο δρομολόγιο για το πλοίο της γραμμής"}},
		{"iso-8859-7-unlabelled.xml", "text/xml; charset=iso-8859-1", "Φάρος της Πόλης", []string{"faros-1", "faros-2"}, nil,
			[]string{"Καιρός: βροχές και καταιγίδες το Σάββατο", "Νέο δρομολόγιο για το πλοίο της γραμμής"}},
		// Japanese in Shift_JIS and Korean in EUC-KR that nothing labels
		// are read in those encodings, not as Latin.
		{"shift_jis-unlabelled.xml", "", "みなと新聞", []string{"minato-1"}, nil, []string{"港の花火大会は雨のため来週に延期されました"}},
		{"euc-kr-unlabelled.xml", "", "바다신문", []string{"bada-1"}, nil, []string{"항구 불꽃축제가 비 때문에 다음 주로 연기됐다"}},
		// English in Windows-1252 that declares UTF-8, whose only bytes
		// beyond ASCII are curly apostrophes before letters, is not
		// Korean: code page 949 reads each such pair as a syllable.
		{"windows-1252-apostrophes.xml", "", "Harbour Notes", []string{"notes-1", "notes-2"}, nil,
			[]string{"Here’s what the council decided", "Don’t miss the regatta"}},
		{"windows-1252-apostrophes.xml", "application/rss+xml; charset=utf-8", "Harbour Notes", []string{"notes-1", "notes-2"}, nil,
			[]string{"Here’s what the council decided", "Don’t miss the regatta"}},
		// Chinese in GBK or Big5 that nothing labels, or that the server
		// labels UTF-8, is read in that encoding, not as Latin.
		{"gbk-unlabelled.xml", "", "江城晚报", []string{"jc-1", "jc-2"}, nil, []string{"港口烟花晚会因雨推迟到下周举行", "新渡轮下个月开始运营"}},
		{"gbk-unlabelled.xml", "text/xml; charset=utf-8", "江城晚报", []string{"jc-1", "jc-2"}, nil, []string{"港口烟花晚会因雨推迟到下周举行", "新渡轮下个月开始运营"}},
		{"big5-unlabelled.xml", "", "港灣日報", []string{"gw-1", "gw-2"}, nil, []string{"港口煙火晚會因雨延到下週舉行", "新渡輪下個月開始營運"}},
	}
	for _, tt := range tests {
		f := mustParseFile(t, tt.file, tt.contentType)
		if f.Title != tt.title {
			t.Errorf("Parse(%s).Title = %q; want %q", tt.file, f.Title, tt.title)
		}
		n := max(len(tt.guids), len(tt.links), len(tt.titles))
		if len(f.Items) != n {
			t.Errorf("Parse(%s): %d items; want %d", tt.file, len(f.Items), n)
			continue
		}
		for i, it := range f.Items {
			if tt.guids != nil && it.GUID != tt.guids[i] {
				t.Errorf("Parse(%s) item %d GUID = %q; want %q", tt.file, i, it.GUID, tt.guids[i])
			}
			if tt.links != nil && it.Link != tt.links[i] {
				t.Errorf("Parse(%s) item %d Link = %q; want %q", tt.file, i, it.Link, tt.links[i])
			}
			if tt.titles != nil && it.Title != tt.titles[i] {
				t.Errorf("Parse(%s) item %d Title = %q; want %q", tt.file, i, it.Title, tt.titles[i])
			}
		}
	}
}

func TestParseRSS20Details(t *testing.T) {
	f := mustParseFile(t, "rss20.xml", "")
	if f.TTL != 90*time.Minute || f.Hub != "https://hub.example/" || f.Self != "https://desk.example/feed.xml" || f.SiteURL != "https://desk.example/" {
		t.Errorf("feed hints: TTL %v, hub %q, self %q, site %q", f.TTL, f.Hub, f.Self, f.SiteURL)
	}
	if !slices.Equal(f.SkipHours, []int{0, 1}) || !slices.Equal(f.SkipDays, []string{"Saturday", "Sunday"}) {
		t.Errorf("skip hours %v, days %v; want [0 1], [Saturday Sunday]", f.SkipHours, f.SkipDays)
	}
	a, b := f.Items[0], f.Items[1]
	if a.CanonicalLink != "https://desk.example/2024/03/01/talks?id=7" {
		t.Errorf("canonical %q", a.CanonicalLink)
	}
	if a.Summary != "Short summary of the talks." {
		t.Errorf("summary %q", a.Summary)
	}
	wantContent := `<p>Delegations met <b>again</b> on Friday.</p><p><img src="https://desk.example/img/geneva.jpg" alt="Geneva"></p>`
	if a.Content != wantContent {
		t.Errorf("content %q; want %q", a.Content, wantContent)
	}
	if !slices.Equal(a.Categories, []string{"World", "Diplomacy"}) || !slices.Equal(a.Authors, []string{"Jane Doe"}) {
		t.Errorf("categories %q, authors %q", a.Categories, a.Authors)
	}
	if !a.Dated || !a.Published.Equal(time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("published %v dated %v", a.Published, a.Dated)
	}
	if b.Summary != "" || b.Content != "<p>Revenue rose 12%.</p>" {
		t.Errorf("duplicate summary kept: summary %q content %q", b.Summary, b.Content)
	}
	if len(b.Enclosures) != 1 || b.Enclosures[0] != (aggregator.Enclosure{URL: "https://desk.example/media/chips.jpg", Type: "image/jpeg", Length: 12345}) {
		t.Errorf("enclosures %+v", b.Enclosures)
	}
}

func TestParseRelativeAndXMLBase(t *testing.T) {
	f := mustParseFile(t, "atom10.xml", "")
	if f.SiteURL != "https://blog.example/" || f.Hub != "https://hub.example/websub" {
		t.Errorf("site %q hub %q", f.SiteURL, f.Hub)
	}
	want := `<p>See <a href="https://blog.example/posts/other" rel="nofollow noopener noreferrer">the other post</a> and <img src="https://blog.example/i/pic.png"/>.</p>`
	if got := f.Items[0].Content; got != want {
		t.Errorf("content %q; want %q", got, want)
	}
	if got := f.Items[1].OriginLinks; !slices.Equal(got, []string{"https://origin.example/2024/03/original-entry"}) {
		t.Errorf("atom source origin %q", got)
	}
	g := mustParseFile(t, "rss092.xml", "")
	if got := g.Items[0].Summary; !strings.Contains(got, `href="https://radio.example/people/mayor"`) {
		t.Errorf("relative link in item without a link not resolved against the site: %q", got)
	}
	if got := g.Items[0].Enclosures; len(got) != 1 || got[0].URL != "https://feeds.example/audio/morning-0303.mp3" {
		t.Errorf("relative enclosure %+v", got)
	}
	if got := g.Items[1].Enclosures; len(got) != 0 {
		t.Errorf("javascript: enclosure kept: %+v", got)
	}
}

// TestTitleOfAPost checks the title given to a social post, which has
// none of its own: its first words as they read, its hashtags, mentions
// and shortened links not broken at the tags that mark them up.
func TestTitleOfAPost(t *testing.T) {
	const body = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Ines Moreau</title><link>https://grid.social.test/@ines</link>
<item><guid isPermaLink="true">https://grid.social.test/@ines/114299406612390075</guid>
<link>https://grid.social.test/@ines/114299406612390075</link><pubDate>Tue, 08 Apr 2025 08:14:03 +0000</pubDate>
<description>&lt;p&gt;New &lt;a href="https://grid.social.test/tags/podcast" class="mention hashtag" rel="tag"&gt;#&lt;span&gt;podcast&lt;/span&gt;&lt;/a&gt; with &lt;span class="h-card"&gt;&lt;a href="https://grid.social.test/@dana" class="u-url mention"&gt;@&lt;span&gt;dana&lt;/span&gt;&lt;/a&gt;&lt;/span&gt;: &lt;a href="https://gridcast.test/episodes/118"&gt;&lt;span class="invisible"&gt;https://&lt;/span&gt;&lt;span class=""&gt;gridcast.test/episodes/118&lt;/span&gt;&lt;span class="invisible"&gt;&lt;/span&gt;&lt;/a&gt;&lt;/p&gt;</description>
</item></channel></rss>`
	f, err := Parse([]byte(body), "application/rss+xml", testFeedURL, "src1", testNow, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.Items[0].Title, "New #podcast with @dana: https://gridcast.test/episodes/118"; got != want {
		t.Errorf("title of a post %q; want %q", got, want)
	}
}

// TestDerivedTitleUnspaced checks the title an item without one takes from
// its text in scripts written without spaces between words: as many
// characters as twelve words of English take, not the whole paragraph.
func TestDerivedTitleUnspaced(t *testing.T) {
	tests := []struct{ text, want string }{
		{"８日午前９時１５分ごろ、東京湾を震源とする地震があり、東京都千代田区と神奈川県川崎市で震度５弱を観測した。気象庁によると、震源の深さは約４０キロ。",
			"８日午前９時１５分ごろ、東京湾を震源とする地震…"},
		{"据台湾气象部门消息，今年第4号台风“海葵”于8日下午在台东县沿海登陆，登陆时中心附近最大风力达14级。",
			"据台湾气象部门消息，今年第4号台风“海葵”于8日…"},
		{"ฝนตกหนักต่อเนื่องตั้งแต่คืนวันที่ 7 เมษายน ทำให้เกิดน้ำท่วมฉับพลันในหลายอำเภอของจังหวัดเชียงใหม่",
			"ฝนตกหนักต่อเนื่องตั้งแต่คืนวันที่ 7 เมษายน ทำให้เกิดน้ำท่วมฉับพลั…"},
		{"短い投稿です。", "短い投稿です。"},
		{"An item whose title is missing entirely, so the first words of its text stand in.",
			"An item whose title is missing entirely, so the first words of…"},
	}
	for _, tt := range tests {
		body := `{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[{"id":"1","url":"https://x.example/1","content_text":"` + tt.text + `"}]}`
		f, err := Parse([]byte(body), "application/feed+json", testFeedURL, "s", testNow, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Items[0].Title; got != tt.want {
			t.Errorf("title of an item without one, text %q = %q; want %q", tt.text, got, tt.want)
		}
	}
}

func TestParseIDs(t *testing.T) {
	f := mustParseFile(t, "noguid.xml", "")
	if got := f.Items[0].GUID; got != "https://noguid.example/a?a=1&b=2" {
		t.Errorf("GUID from link = %q", got)
	}
	if got := f.Items[1].GUID; !strings.HasPrefix(got, "sha256:") {
		t.Errorf("GUID from text = %q", got)
	}
	if got := f.Items[2].Title; got != "An item whose title is missing entirely, so the first words of…" {
		t.Errorf("derived title %q", got)
	}
	// The same bytes give the same ids, whenever they are parsed.
	b, _ := os.ReadFile("testdata/noguid.xml")
	g, err := Parse(b, "", testFeedURL, "src1", testNow.Add(time.Hour), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.Items {
		if f.Items[i].ID != g.Items[i].ID || f.Items[i].Hash != g.Items[i].Hash {
			t.Errorf("item %d: id/hash %s/%s then %s/%s", i, f.Items[i].ID, f.Items[i].Hash, g.Items[i].ID, g.Items[i].Hash)
		}
	}

	d := mustParseFile(t, "dupguid.xml", "")
	var titles, guids []string
	for _, it := range d.Items {
		titles = append(titles, it.Title)
		guids = append(guids, it.GUID)
	}
	if !slices.Equal(titles, []string{"First story", "Second story", "Third story"}) {
		t.Errorf("duplicate GUIDs: titles %q; want the identical repeat collapsed", titles)
	}
	if guids[0] != "same" || !strings.HasPrefix(guids[1], "same#") || guids[2] != "other" {
		t.Errorf("duplicate GUIDs: guids %q", guids)
	}
}

func TestParseDates(t *testing.T) {
	f := mustParseFile(t, "dates.xml", "")
	want := []struct {
		dated bool
		at    time.Time
	}{
		{false, testNow},
		{false, testNow},
		{true, time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)},
		{false, testNow},
		{false, testNow}, // a day ahead of the fetch
	}
	for i, it := range f.Items {
		if it.Dated != want[i].dated || !it.Published.Equal(want[i].at) {
			t.Errorf("%s: published %v dated %v; want %v dated %v", it.Title, it.Published, it.Dated, want[i].at, want[i].dated)
		}
	}
}

func TestParseOrigins(t *testing.T) {
	f := mustParseFile(t, "reposts.xml", "")
	want := map[string][]string{
		"One":   {"https://origin.example/2024/one"},
		"Two":   {"https://origin.example/2024/two"},
		"Three": {"https://origin.example/2024/three"},
		"Four":  {"https://origin.example/2024/four", "https://origin.example/2024/four-canonical"},
		"Five":  {"https://origin.example/2024/five"},
		"Six":   nil,
		// An item whose whole text is one link, under "Read more" or a
		// picture, points at its original; one with other text or with
		// several links does not.
		"Seven": {"https://origin.example/2024/seven"},
		"Eight": {"https://origin.example/2024/eight"},
		"Nine":  nil,
		"Ten":   nil,
		// A link to a report's AMP page names the report's page too.
		"Eleven": {"https://origin.example/2024/eleven/amp/", "https://origin.example/2024/eleven/"},
		// A link that two items of the feed name is a page of the site
		// (a show's page under each episode), no item's original.
		"Twelve":   nil,
		"Thirteen": nil,
		// A news finder's headline as one link followed by the name of
		// the outlet its own headline ends with points at the report;
		// followed by another name, it does not.
		"Ferry sails again - Origin Daily": {"https://origin.example/2024/fourteen"},
		"Ferry fares rise - Origin Daily":  nil,
	}
	for _, it := range f.Items {
		if !slices.Equal(it.OriginLinks, want[it.Title]) {
			t.Errorf("item %s: OriginLinks %q; want %q", it.Title, it.OriginLinks, want[it.Title])
		}
	}
	j := mustParseFile(t, "jsonfeed10.json", "")
	if got := j.Items[1].OriginLinks; !slices.Equal(got, []string{"https://news.example/story/42"}) {
		t.Errorf("json external_url origin %q", got)
	}
	r := mustParseFile(t, "rss092.xml", "")
	if got := r.Items[0].OriginLinks; !slices.Equal(got, []string{"https://wire.example/feed.xml"}) {
		t.Errorf("rss source origin %q", got)
	}
}

func TestMobilePages(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"https://news.example/2024/story/amp/", []string{"https://news.example/2024/story/"}},
		{"https://amp.news.example/2024/story", []string{"https://news.example/2024/story", "https://www.news.example/2024/story"}},
		{"https://news.example/world-123.amp", []string{"https://news.example/world-123"}},
		{"https://news.example/amp/2024/story", []string{"https://news.example/2024/story"}},
		{"https://news.example/a/story.amp.html", []string{"https://news.example/a/story.html"}},
		{"https://news.example/a/story?amp=1&id=3", []string{"https://news.example/a/story?id=3"}},
		{"https://news.example/a/story?outputType=amp", []string{"https://news.example/a/story"}},
		{"https://news.example/a/story?output=amp", []string{"https://news.example/a/story"}},
		{"https://news.example/a/story?output=xml", nil},
		{"https://m.news.example/2024/story", []string{"https://news.example/2024/story", "https://www.news.example/2024/story"}},
		{"https://mobile.news.example/2024/story", []string{"https://news.example/2024/story", "https://www.news.example/2024/story"}},
		{"https://m.www.news.example/2024/story", []string{"https://www.news.example/2024/story"}},
		{"https://m.example/2024/story", nil}, // the site itself, not a mobile host
		{"https://news.example/2024/story", nil},
		{"https://news.example/2024/campaign-amp", nil},
		{"https://news.example/amp/", nil}, // the front page's AMP page names no report
		{"https://m.news.example/", nil},
	}
	for _, tt := range tests {
		if got := MobilePages(CanonicalURL(tt.in)); !slices.Equal(got, tt.want) {
			t.Errorf("MobilePages(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
	// Links with "amp" inside a word are spared the parse.
	for _, c := range []string{"https://example.org/campus/news", "https://champion.example/lamps?sample=1", "https://news.example/2024/campaign-amp"} {
		if mentionsMobile(c) {
			t.Errorf("mentionsMobile(%q) = true; want false: no page of its own is named", c)
		}
	}
}

func TestIsCredit(t *testing.T) {
	tests := []struct {
		a    anchor
		want bool
	}{
		{anchor{text: "Source link"}, true},
		{anchor{text: "source"}, true},
		{anchor{text: "[Original Article]"}, true},
		{anchor{text: "Read the full story"}, true},
		{anchor{text: "Quelle"}, true},
		{anchor{text: "Reuters", before: "Some text. Source: "}, true},
		{anchor{text: "Medium", before: "Originally published at "}, true},
		{anchor{text: "the Verge", before: "This article first appeared on "}, true},
		{anchor{text: "ProPublica", before: "Republished with permission from "}, true},
		{anchor{text: "Headline", before: "The post ", after: " appeared first on Site."}, true},
		{anchor{text: "here", before: "a new data source "}, false},
		{anchor{text: "open source software"}, false},
		{anchor{text: "click here", before: "For details "}, false},
		{anchor{text: "Site", before: "The post Headline appeared first on "}, false},
		// Other languages' words for "source", after a sentence or
		// alone, the Vietnamese one in combining marks, and the Greek one
		// in capitals without its accent.
		{anchor{text: "Вести Сибири", before: "Подачу тепла восстановят к вечеру. Источник: "}, true},
		{anchor{text: "Gazeta", before: "Źródło: "}, true},
		{anchor{text: "日の出新聞", before: "出典："}, true},
		{anchor{text: "한빛일보", before: "출처: "}, true},
		{anchor{text: "दैनिक समाचार", before: "स्रोत: "}, true},
		{anchor{text: "ঢাকা বার্তা", before: "সূত্র: "}, true},
		{anchor{text: "أخبار الوادي", before: "المصدر: "}, true},
		{anchor{text: "خبر فارسی", before: "منبع: "}, true},
		{anchor{text: "ידיעות הצפון", before: "מקור: "}, true},
		{anchor{text: "Κρήτη Νέα", before: "ΠΗΓΗ: "}, true},
		{anchor{text: "Tin Thủ Đô", before: "Nguô\u0300n: "}, true},
		{anchor{text: "Київ вечірній", before: "Джерело: "}, true},
		{anchor{text: "出典"}, true},
		{anchor{text: "отчёт", before: "по данным источника в полиции, "}, false},
		{anchor{text: "नीति", before: "सरकार के स्रोतों के अनुसार "}, false},
		{anchor{text: "ダウンロード", before: "オープンソースのソフトウェアを"}, false},
		// A word that holds the word for "source" in a script without
		// spaces, or the word with another after it, is no credit.
		{anchor{text: "सौर ऊर्जा", before: "गाँव का मुख्य ऊर्जास्रोत: "}, false},
		{anchor{text: "ソースコード"}, false},
		{anchor{text: "オープンソース"}, false},
		{anchor{text: "Источник питания"}, false},
		{anchor{text: "مصدر الصورة"}, false},
		{anchor{text: "《出典》"}, true},
		// The word for "source" in the text the HTML shows: after more
		// markup than the text before a link is searched for it, or
		// written with an entity for its space.
		{anchor{text: "Harbour Newswire", before: `<p>Crews reopened the bridge on Friday.</p><p><strong>Source:</strong></p>` + "\n" +
			`<figure class="wp-block-embed is-type-rich is-provider-harbour-newswire wp-block-embed-harbour-newswire"><div class="wp-block-embed__wrapper">` + "\n"}, true},
		{anchor{text: "Harbour Newswire", before: "Crews reopened the bridge. Hat&nbsp;tip: "}, true},
		{anchor{text: "Harbour Newswire", before: "Crews reopened the bridge. Hat\ntip: "}, true},
		// Letters (?i) takes for those of the word.
		{anchor{text: "Harbour Newswire", before: "Crews reopened the bridge. ſource: "}, true},
		{anchor{text: "Вести Сибири", before: "Мост открыт. Иᲃточник: "}, true},
	}
	for _, tt := range tests {
		if got := isCredit(tt.a); got != tt.want {
			t.Errorf("isCredit(%+v) = %v; want %v", tt.a, got, tt.want)
		}
	}
}

// TestHTMLPageTitled checks that an HTML page that names no feed, as a
// login page or a bot check answers with 200, is named in the error by its
// title, so that the operator sees what stands in front of the feed.
func TestHTMLPageTitled(t *testing.T) {
	tests := []struct {
		page, want string
	}{
		{`<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head><body><noscript>Enable JavaScript and cookies to continue</noscript></body></html>`,
			`html page "Just a moment...", not a feed, and it links to no feed`},
		{"<html><head><TITLE>\n Sign in &amp;\n continue </TITLE></head><body><form></form></body></html>",
			`html page "Sign in & continue", not a feed, and it links to no feed`},
		{"<html><head><title>a\u202eb\x1b[0m c</title></head></html>", `html page "ab[0m c", not a feed, and it links to no feed`},
		{"<html><head><title>" + strings.Repeat("word ", 40) + "</title></head></html>",
			`html page "` + strings.TrimSpace(strings.Repeat("word ", 20)) + ` …", not a feed, and it links to no feed`},
		{"<html><head><title> </title></head><body><p>Parked</p></body></html>", "html page, not a feed, and it links to no feed"},
		{"<html><body><p>Parked</p><title>Not in the head</title></body></html>", "html page, not a feed, and it links to no feed"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.page), "text/html", "https://desk.example/feed", "s", testNow, Options{})
		if want := "parsing https://desk.example/feed: " + tt.want; err == nil || err.Error() != want {
			t.Errorf("Parse(%.60q) error = %v; want %q", tt.page, err, want)
		}
	}
}

func TestParseHTMLPage(t *testing.T) {
	b, _ := os.ReadFile("testdata/page.html")
	_, err := Parse(b, "text/html; charset=utf-8", "https://desk.example/en/index.html", "s", testNow, Options{})
	var pe *HTMLPageError
	if !errors.As(err, &pe) || !errors.Is(err, ErrHTMLPage) {
		t.Fatalf("Parse(page.html) error %v; want an *HTMLPageError", err)
	}
	if pe.Alternate != "https://desk.example/feeds/all.rss" {
		t.Errorf("Alternate = %q; want https://desk.example/feeds/all.rss", pe.Alternate)
	}
	b, _ = os.ReadFile("testdata/page-nofeed.html")
	_, err = Parse(b, "", "https://desk.example/", "s", testNow, Options{})
	if !errors.As(err, &pe) || pe.Alternate != "" || !strings.Contains(err.Error(), "no feed") {
		t.Errorf("Parse(page-nofeed.html) error %v; want an *HTMLPageError without alternate", err)
	}
	_, err = Parse([]byte("just some text"), "text/plain", "https://x.example/", "s", testNow, Options{})
	if !errors.Is(err, ErrNotFeed) {
		t.Errorf("Parse(text) error %v; want ErrNotFeed", err)
	}
	_, err = Parse(nil, "", "https://x.example/", "s", testNow, Options{})
	if !errors.Is(err, ErrNotFeed) {
		t.Errorf("Parse(nil) error %v; want ErrNotFeed", err)
	}
}

func TestParseHostile(t *testing.T) {
	f := mustParseFile(t, "billion-laughs.xml", "")
	if len(f.Items) != 1 || len(f.Items[0].Summary) > 1000 || len(f.Title) > 100 {
		t.Errorf("billion laughs expanded: %d items, title %d bytes", len(f.Items), len(f.Title))
	}

	m := mustParseFile(t, "malformed.xml", "")
	if len(m.Items) != 2 || m.Items[1].GUID != "b2" {
		t.Errorf("malformed: %d items; want the 2 before the damage", len(m.Items))
	}
	// Damage before the first item leaves nothing to read: the source is
	// to be seen failing, not fetched with nothing new.
	if cut, err := Parse([]byte(`<rss version="2.0"><channel><title>Cut</title><item><title>x</ti`), "", testFeedURL, "s", testNow, Options{}); err == nil {
		t.Errorf("Parse(cut inside the first item) = %+v; want the error", cut)
	}
	if _, err := Parse([]byte(`<rss version="2.0"`), "", testFeedURL, "s", testNow, Options{}); err == nil {
		t.Errorf("Parse(unreadable) = nil error; want an error")
	}
	if _, err := Parse([]byte(`{"version":"https://jsonfeed.org/version/1","items":[{"id":`), "", testFeedURL, "s", testNow, Options{}); err == nil {
		t.Errorf("Parse(broken JSON) = nil error; want an error")
	}
}

func TestParseMaxItems(t *testing.T) {
	b := syntheticFeed(1, 40, 500)
	f, err := Parse(b, "", testFeedURL, "s", testNow, Options{MaxItems: 7})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 7 {
		t.Errorf("MaxItems 7: %d items", len(f.Items))
	}
	f, _ = Parse(b, "", testFeedURL, "s", testNow, Options{})
	if len(f.Items) != 40 {
		t.Errorf("default MaxItems: %d items; want 40", len(f.Items))
	}
}

func TestParseHashDetectsEdits(t *testing.T) {
	orig := []byte(`<rss version="2.0"><channel><title>t</title><item><guid>g</guid><title>A</title><description>one</description></item></channel></rss>`)
	edit := []byte(`<rss version="2.0"><channel><title>t</title><item><guid>g</guid><title>A</title><description>two</description></item></channel></rss>`)
	a, _ := Parse(orig, "", testFeedURL, "s", testNow, Options{})
	a2, _ := Parse(orig, "", testFeedURL, "s", testNow.Add(time.Hour), Options{})
	b, _ := Parse(edit, "", testFeedURL, "s", testNow, Options{})
	if a.Items[0].Hash != a2.Items[0].Hash {
		t.Errorf("unchanged undated item: hash changed between fetches")
	}
	if a.Items[0].Hash == b.Items[0].Hash || a.Items[0].ID != b.Items[0].ID {
		t.Errorf("edited item: hash %s → %s, id %s → %s; want new hash, same id", a.Items[0].Hash, b.Items[0].Hash, a.Items[0].ID, b.Items[0].ID)
	}
}

func TestToUTF8(t *testing.T) {
	tests := []struct {
		name, in, contentType, want string
	}{
		{"utf-8 bom", "\xef\xbb\xbf<a>é</a>", "", "<a>é</a>"},
		// A UTF-8 BOM on bytes that are not UTF-8 is passed over.
		{"utf-8 bom, latin-1 declared", "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>Caf\xe9 cr\xe8me</a>", "",
			"<?xml version=\"1.0\" encoding=\"utf-8\"?><a>Café crème</a>"},
		{"utf-8 bom, a cp1252 byte", "\xef\xbb\xbf<a>東京湾で地震</a><b>don\x92t</b>", "", "<a>東京湾で地震</a><b>don’t</b>"},
		// Behind a UTF-8 BOM, a character cut short beside as few whole
		// ones leaves the rest UTF-8.
		{"utf-8 bom, a cut character", "\xef\xbb\xbf<a>Harbour — ferries</a><b>Tuesday \xe2\x80</b>", "", "<a>Harbour — ferries</a><b>Tuesday â€</b>"},
		{"utf-8 bom, utf-8 declared, a cut character", "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?><a>東京</a><b>\xe6\x9d</b>", "",
			"<?xml version=\"1.0\" encoding=\"utf-8\"?><a>東京</a><b>æ\ufffd</b>"},
		{"latin-1 decl", "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>\xe9</a>", "", "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>é</a>"},
		{"http overrides decl", "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>\xe9</a>", "text/xml; charset=iso-8859-1", "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>é</a>"},
		{"declared latin, really utf-8", "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>é</a>", "", "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>é</a>"},
		{"undeclared cp1252", "<a>don\x92t</a>", "", "<a>don’t</a>"},
		{"bogus label", "<?xml version=\"1.0\" encoding=\"bogus\"?><a>é</a>", "", "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>é</a>"},
		// Labels the web decodes to one replacement character are passed
		// over as unknown ones are.
		{"replacement label", "<?xml version=\"1.0\" encoding=\"iso-2022-kr\"?><a>x</a>", "", "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>x</a>"},
		{"replacement http charset", "<a>x</a>", "text/xml; charset=hz-gb-2312", "<a>x</a>"},
		{"control characters", "<a>x\x01y\x00z</a>", "", "<a>xyz</a>"},
		{"sloppy header", "<a>\xe9</a>", "text/xml;charset = iso-8859-1", "<a>é</a>"},
		{"sloppy header, upper case", "<a>\xe9</a>", "text/xml;CharSet = iso-8859-1", "<a>é</a>"},
		// Bytes that are not UTF-8 before the parameter: lower-casing the
		// header would move where "charset" is found.
		{"sloppy header, not utf-8", "<a>\xe9</a>", "\xbc\xbc;charset = iso-8859-1", "<a>é</a>"},
		{"sloppy header, nothing after", "<a>é</a>", "\xbcChArset", "<a>é</a>"},
		{"koi8-r", "<?xml version=\"1.0\" encoding=\"koi8-r\"?><a>\xf0\xd2\xc9\xd7\xc5\xd4</a>", "", "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>Привет</a>"},
		// A document in UTF-8 but for a few bytes (one item pasted in
		// Windows-1252) is UTF-8, those bytes read as Windows-1252,
		// whatever the labels say; one in Latin-1 with a pair of bytes
		// that happens to be UTF-8 is Latin-1.
		{"utf-8 with a latin-1 byte", "<a>東京湾で地震</a><b>caf\xe9</b>", "", "<a>東京湾で地震</a><b>café</b>"},
		{"utf-8 with a latin-1 byte, http utf-8", "<a>東京湾で地震</a><b>caf\xe9</b>", "text/xml; charset=utf-8", "<a>東京湾で地震</a><b>café</b>"},
		{"utf-8 with a latin-1 byte, http latin-1", "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>Zürich, Genève</a><b>don\x92t</b>", "text/xml; charset=iso-8859-1",
			"<?xml version=\"1.0\" encoding=\"utf-8\"?><a>Zürich, Genève</a><b>don’t</b>"},
		{"latin-1 with a pair like utf-8", "<a>\xc3\xa9t\xe9 \xe0 Gen\xe8ve</a>", "", "<a>Ã©té à Genève</a>"},
		// The HTTP charset names the encoding, unless the bytes cannot be
		// in it, or it is the Latin default of a server and the
		// declaration names another that the bytes are in.
		{"http utf-8, declared koi8-r", "<?xml version=\"1.0\" encoding=\"koi8-r\"?><a>\xf0\xd2\xc9\xd7\xc5\xd4</a>", "text/xml; charset=utf-8", "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>Привет</a>"},
		{"http latin-1, declared euc-jp", "<?xml version=\"1.0\" encoding=\"EUC-JP\"?><a>\xc5\xec\xb5\xfe</a>", "text/xml; charset=iso-8859-1", "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>東京</a>"},
		{"http latin-1, declared euc-jp, not in it", "<?xml version=\"1.0\" encoding=\"EUC-JP\"?><a>caf\xe9</a>", "text/xml; charset=iso-8859-1", "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>café</a>"},
		{"http windows-1251 over declared koi8-r", "<?xml version=\"1.0\" encoding=\"koi8-r\"?><a>\xcf\xf0\xe8\xe2\xe5\xf2</a>", "text/xml; charset=windows-1251", "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>Привет</a>"},
		{"http shift_jis, bytes in declared euc-jp", "<?xml version=\"1.0\" encoding=\"EUC-JP\"?><a>\xc5\xec\xb5\xfe\xa4\xc7</a>", "text/xml; charset=shift_jis", "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>東京で</a>"},
		// References to characters XML forbids go as the characters do;
		// others stay, as does everything in CDATA sections and comments,
		// and in JSON.
		{"forbidden references", "<a t=\"&#1;x\">a&#x1b;b&#11;c&#xFFFE;d&#0;e&#xD800;f&#x10FFFF;g&#1114112;h&#X1b;i&#x1b</a>", "",
			"<a t=\"x\">abcde&#xD800;f&#x10FFFF;g&#1114112;h&#X1b;i&#x1b</a>"},
		{"forbidden references, leading zeros", "<a>&#00000000000000000000027;&#x0000009;</a>", "", "<a>&#x0000009;</a>"},
		{"forbidden references in CDATA", "<a><![CDATA[&#x1b;]]>&#x1b;<!-- &#1; --><![CDATA[&#2;</a>", "", "<a><![CDATA[&#x1b;]]><!-- &#1; --><![CDATA[&#2;</a>"},
		{"forbidden references after a DOCTYPE", `<!DOCTYPE a [<!ENTITY c "<!--">]><a>&#1;</a>`, "", `<!DOCTYPE a [<!ENTITY c "<!--">]><a></a>`},
		{"valid references", "<a>&#xe9;&#233;&#10;&amp;#1;</a>", "", "<a>&#xe9;&#233;&#10;&amp;#1;</a>"},
		{"references in JSON", `{"title":"a&#1;b"}`, "", `{"title":"a&#1;b"}`},
	}
	for _, tt := range tests {
		if got := string(toUTF8([]byte(tt.in), tt.contentType)); got != tt.want {
			t.Errorf("%s: toUTF8(%q, %q) = %q; want %q", tt.name, tt.in, tt.contentType, got, tt.want)
		}
	}
}

// TestGuessMultiByte checks that text that nothing labels is taken for
// Japanese or Korean in the encodings they used before UTF-8 when it is
// that, and not when it is text of another language in another encoding,
// which is then read as before.
func TestGuessMultiByte(t *testing.T) {
	tests := []struct {
		name string
		enc  encoding.Encoding
		text string
		want bool
	}{
		{"japanese in shift_jis", japanese.ShiftJIS, "<a>港の花火大会は雨のため延期</a>", true},
		{"japanese in euc-jp", japanese.EUCJP, "<a>港の花火大会は雨のため延期</a>", true},
		{"korean in euc-kr", korean.EUCKR, "<a>항구 불꽃축제가 비 때문에 연기</a>", true},
		{"kanji alone", japanese.ShiftJIS, "<a>東京</a>", false},
		{"chinese in gbk", simplifiedchinese.GBK, "<a>港口烟花晚会因雨推迟到下周举行，市长在今天上午的会议上说明了原因。</a>", true},
		{"chinese in big5", traditionalchinese.Big5, "<a>港口煙火晚會因雨延到下週舉行，市長在今天上午的會議上說明了原因。</a>", true},
		{"chinese, a few characters", simplifiedchinese.GBK, "<a>上海的新闻</a>", false},
		{"japanese katakana in euc-jp", japanese.EUCJP, "<a>ゲームセンターでガンダムのシミュレーションゲーム、ウルトラマンのストーリーモード</a>", false},
		{"korean with hanja in euc-kr", korean.EUCKR, "<a>韓國銀行 基準金利 凍結 決定 發表 經濟 成長 展望 物價 上昇 憂慮 表明</a>", false},
		{"russian in koi8-r, at length", charmap.KOI8R, "<a>Правительство обсудило бюджет на следующий год, и министр финансов рассказал о планах на весну и лето</a>", false},
		{"russian in windows-1251, at length", charmap.Windows1251, "<a>Правительство обсудило бюджет на следующий год, и министр финансов рассказал о планах на весну и лето</a>", false},
		{"greek in iso-8859-7, at length", charmap.ISO8859_7, "<a>Καιρός: βροχές και καταιγίδες το Σάββατο σε όλη τη χώρα, με χιόνια στα ορεινά της βόρειας Ελλάδας</a>", false},
		{"french in windows-1252", charmap.Windows1252, "<a>“Déjà vu” à la façade, l’été à Genève</a>", false},
		{"russian in windows-1251", charmap.Windows1251, "<a>Правительство обсудило бюджет на следующий год</a>", false},
		{"russian in koi8-r", charmap.KOI8R, "<a>Учитель года: Очень ждём Вас</a>", false},
		{"greek in iso-8859-7", charmap.ISO8859_7, "<a>Καιρός: βροχές και καταιγίδες το Σάββατο</a>", false},
	}
	for _, tt := range tests {
		b, err := tt.enc.NewEncoder().Bytes([]byte(tt.text))
		if err != nil {
			t.Fatalf("%s: encoding %q: %v", tt.name, tt.text, err)
		}
		out, ok := guessMultiByte(b)
		if ok != tt.want || ok && string(out) != tt.text {
			t.Errorf("%s: guessMultiByte(%q) = %q, %v; want %v", tt.name, b, out, ok, tt.want)
		}
	}
}

func TestRSSTTL(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"60", time.Hour},
		{" 15 ", 15 * time.Minute},
		{"0", 0},
		{"-5", 0},
		{"soon", 0},
		{"20160", maxTTL},
		{"99999", maxTTL},
		// Minutes whose nanoseconds overflow a time.Duration: a feed asking
		// for ever waits the longest, never less.
		{"999999999", maxTTL},
		{"9223372036854775807", maxTTL},
		// And past what an int holds.
		{"9223372036854775808", maxTTL},
		{"99999999999999999999999999", maxTTL},
		{"-99999999999999999999999999", 0},
	}
	for _, tt := range tests {
		if got := rssTTL(tt.in); got != tt.want {
			t.Errorf("rssTTL(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

func TestSyndicationTTL(t *testing.T) {
	tests := []struct {
		period, frequency string
		want              time.Duration
	}{
		{"hourly", "", time.Hour},
		{"daily", "4", 6 * time.Hour},
		{" Weekly ", "0", maxTTL},
		{"daily", "-3", 24 * time.Hour},
		{"daily", "often", 24 * time.Hour},
		{"yearly", "", maxTTL},
		{"fortnightly", "1", 0},
		// More updates a day than an int holds: as often as can be, which
		// lengthens no interval, not once a day.
		{"daily", "99999999999999999999999999", 0},
	}
	for _, tt := range tests {
		exts := ext.Extensions{"sy": {
			"updatePeriod":    {{Value: tt.period}},
			"updateFrequency": {{Value: tt.frequency}},
		}}
		if got := syndicationTTL(exts); got != tt.want {
			t.Errorf("syndicationTTL(%q, %q) = %v; want %v", tt.period, tt.frequency, got, tt.want)
		}
	}
}

// TestParseLongLists checks that an item naming thousands of authors,
// enclosures or credited originals keeps the first few of each, in order,
// and that an item without authors of its own does not take a copy of a
// feed's thousands. Every list was kept whole, each de-duplicated in time
// that grows with its square: 280,000 authors fit in 10 MB.
func TestParseLongLists(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<feed xmlns="http://www.w3.org/2005/Atom"><title>Lists</title>`)
	for i := range 3000 {
		fmt.Fprintf(&b, `<author><name>Feed Author %d</name></author>`, i)
	}
	b.WriteString(`<entry><id>e1</id><title>Many</title><link href="https://lists.example/many"/>`)
	for i := range 3000 {
		fmt.Fprintf(&b, `<author><name>Author %d</name></author><link rel="enclosure" href="https://lists.example/e%d.mp3"/>`, i, i)
	}
	b.WriteString(`<content type="html">`)
	for i := range 3000 {
		fmt.Fprintf(&b, `&lt;p&gt;Source: &lt;a href="https://origin.example/story/%d"&gt;Wire&lt;/a&gt;&lt;/p&gt;`, i)
	}
	for i := range 3000 {
		fmt.Fprintf(&b, `&lt;link rel="canonical" href="https://canonical.example/story/%d"&gt;`, i)
	}
	b.WriteString(`</content></entry><entry><id>e2</id><title>Inherits</title></entry></feed>`)

	f, err := Parse([]byte(b.String()), "application/atom+xml", testFeedURL, "s", testNow, Options{})
	if err != nil || len(f.Items) != 2 {
		t.Fatalf("Parse = %v; want 2 items", err)
	}
	checkFeed(t, "long lists", f)
	many, inherits := f.Items[0], f.Items[1]
	if len(many.Authors) != maxAuthors || many.Authors[0] != "Author 0" || many.Authors[maxAuthors-1] != fmt.Sprint("Author ", maxAuthors-1) {
		t.Errorf("authors: %d, %q…; want the first %d", len(many.Authors), many.Authors[:min(3, len(many.Authors))], maxAuthors)
	}
	if len(inherits.Authors) != maxAuthors || inherits.Authors[0] != "Feed Author 0" {
		t.Errorf("inherited authors: %d; want the feed's first %d", len(inherits.Authors), maxAuthors)
	}
	if len(many.Enclosures) != maxEnclosures || many.Enclosures[0].URL != "https://lists.example/e0.mp3" {
		t.Errorf("enclosures: %d; want the first %d", len(many.Enclosures), maxEnclosures)
	}
	want := []string{}
	for i := range maxOrigins {
		want = append(want, fmt.Sprintf("https://origin.example/story/%d", i))
	}
	for i := range maxOrigins {
		want = append(want, fmt.Sprintf("https://canonical.example/story/%d", i))
	}
	if !slices.Equal(many.OriginLinks, want) {
		t.Errorf("origin links: %d, %q…; want the first %d credited and the first %d canonical", len(many.OriginLinks),
			many.OriginLinks[:min(3, len(many.OriginLinks))], maxOrigins, maxOrigins)
	}
}

// TestParseJSONWrongTypes checks that a JSON Feed with a member of the wrong
// type is read around it, as the XML formats are, rather than refused.
func TestParseJSONWrongTypes(t *testing.T) {
	const head = `{"version":"https://jsonfeed.org/version/1","title":"T",`
	item := func(extra string) string {
		return `{"id":"1","url":"https://a.example/1","title":"One","content_text":"Text of one."` + extra + `}`
	}
	tests := []struct {
		name       string
		doc        string
		authors    []string
		categories []string
	}{
		{"feed author as a string", head + `"author":"Bob Writer","items":[` + item("") + `]}`, []string{"Bob Writer"}, nil},
		{"item author as a string", head + `"items":[` + item(`,"author":"Ann Writer"`) + `]}`, []string{"Ann Writer"}, nil},
		{"authors as a string", head + `"items":[` + item(`,"authors":"Ann Writer"`) + `]}`, []string{"Ann Writer"}, nil},
		{"tags as a string", head + `"items":[` + item(`,"tags":"news"`) + `]}`, nil, []string{"news"}},
		{"several mistakes", head + `"author":"Bob","items":[` + item(`,"tags":"news","attachments":"none","title":7`) + `]}`, []string{"Bob"}, []string{"news"}},
		{"attachment size too large", head + `"items":[` + item(`,"attachments":[{"url":"https://a.example/a.mp3","mime_type":"audio/mpeg","size_in_bytes":1e400}]`) + `]}`, nil, nil},
		{"author as an empty string", head + `"items":[` + item(`,"author":" "`) + `]}`, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.doc), "application/feed+json", testFeedURL, "s", testNow, Options{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(f.Items) != 1 || f.Items[0].Link != "https://a.example/1" {
				t.Fatalf("items %+v; want the one item", f.Items)
			}
			it := f.Items[0]
			if !slices.Equal(it.Authors, tt.authors) {
				t.Errorf("authors %q; want %q", it.Authors, tt.authors)
			}
			if !slices.Equal(it.Categories, tt.categories) {
				t.Errorf("categories %q; want %q", it.Categories, tt.categories)
			}
		})
	}
	// However many members are wrong, the feed is read: a URL that is a
	// number is left out, not resolved as a relative link.
	var bad strings.Builder
	bad.WriteString(head + `"items":[` + item("") + `]`)
	for _, k := range []string{"home_page_url", "feed_url", "description", "user_comment", "next_url", "icon", "favicon", "language", "author", "authors", "expired"} {
		fmt.Fprintf(&bad, `,%q:5`, k)
	}
	bad.WriteString("}")
	f, err := Parse([]byte(bad.String()), "", testFeedURL, "s", testNow, Options{})
	if err != nil || f.Title != "T" || f.SiteURL != "" || f.Self != "" || len(f.Items) != 1 {
		t.Errorf("eleven members of the wrong type: %+v, %v; want the feed, without them", f, err)
	}
}

// TestParseForbiddenCharRefs checks that a reference to a character XML
// forbids costs only itself, as the raw character does, in text, in an
// attribute or in any item, while a CDATA section keeps its text as it is.
func TestParseForbiddenCharRefs(t *testing.T) {
	doc := `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Terminal&#x1b; Desk</title><link>https://refs.example/</link><description>d</description>` +
		`<item><title>Escape&#x1b;[31m red</title><link>https://refs.example/1</link><guid>r1</guid></item>` +
		`<item><title>Tab&#9;and vertical&#11; tab</title><link>https://refs.example/2?a=1&#1;</link><guid>r2</guid></item>` +
		`<item><title>Not a character&#xFFFE;&#xffff;</title><link>https://refs.example/3</link><guid>r3</guid>` +
		`<description><![CDATA[<p>Kept as written: &amp;#1;</p>]]></description></item>` +
		`<item><title>Fine &#233;t&#xE9; &#x1F600;</title><link>https://refs.example/4</link><guid>r4</guid></item>` +
		`</channel></rss>`
	f, err := Parse([]byte(doc), "", testFeedURL, "s", testNow, Options{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	checkFeed(t, "forbidden references", f)
	if f.Title != "Terminal Desk" {
		t.Errorf("feed title %q; want %q", f.Title, "Terminal Desk")
	}
	var titles []string
	for _, it := range f.Items {
		titles = append(titles, it.Title)
	}
	want := []string{"Escape[31m red", "Tab and vertical tab", "Not a character", "Fine été 😀"}
	if !slices.Equal(titles, want) {
		t.Errorf("titles %q; want %q", titles, want)
	}
	if len(f.Items) == 4 {
		if got := f.Items[1].Link; got != "https://refs.example/2?a=1" {
			t.Errorf("link %q; want the reference left out", got)
		}
		if got := f.Items[2].Summary + f.Items[2].Content; !strings.Contains(got, "&amp;#1;") {
			t.Errorf("CDATA text %q; want it as written", got)
		}
	}
}

// TestParseJSONWrongElements checks that a JSON Feed whose lists hold
// elements of the wrong type, null among them, keeps the rest of the item
// and of the feed: a number or true/false in a list of tags reads as its
// text, an item that is no object is left out.
func TestParseJSONWrongElements(t *testing.T) {
	const head = `{"version":"https://jsonfeed.org/version/1.1","title":"Mixed",`
	item := func(n int, extra string) string {
		return fmt.Sprintf(`{"id":"%d","url":"https://mixed.example/%[1]d","title":"Story %[1]d","content_text":"Text of %[1]d."%s}`, n, extra)
	}
	tests := []struct {
		name   string
		doc    string
		titles []string
		tags   [][]string
	}{
		{"tags with a number", head + `"items":[` + item(1, `,"tags":["a",3]`) + `,` + item(2, "") + `]}`,
			[]string{"Story 1", "Story 2"}, [][]string{{"a", "3"}, nil}},
		{"tags of every type", head + `"items":[` + item(1, `,"tags":["news",2024,true,null,{"a":1},["b"],"sport"]`) + `]}`,
			[]string{"Story 1"}, [][]string{{"news", "2024", "true", "sport"}}},
		{"a tag that is a number", head + `"items":[` + item(1, `,"tags":7`) + `]}`,
			[]string{"Story 1"}, [][]string{{"7"}}},
		{"an item that is a string", head + `"items":[` + item(1, "") + `,"just a string",` + item(2, "") + `]}`,
			[]string{"Story 1", "Story 2"}, nil},
		{"an item that is a number", head + `"items":[` + item(1, "") + `,42]}`, []string{"Story 1"}, nil},
		{"items of every type", head + `"items":[true,` + item(1, "") + `,[],null,"x",3.5,` + item(2, `,"tags":["b",1]`) + `]}`,
			[]string{"Story 1", "Story 2"}, [][]string{nil, {"b", "1"}}},
		{"a title that is a number", head + `"items":[` + item(1, `,"title":1984`) + `]}`, []string{"1984"}, nil},
		{"an author list that is one author", head + `"items":[` + item(1, `,"authors":{"name":"Al"},"attachments":{"url":"https://mixed.example/a.mp3","mime_type":"audio/mpeg"},"url":7`) + `]}`,
			[]string{"Story 1"}, nil},
		{"keys in another case", head + `"Items":[` + item(1, `,"Tags":["x",5]`) + `,"no"]}`, []string{"Story 1"}, [][]string{{"x", "5"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.doc), "application/feed+json", testFeedURL, "s", testNow, Options{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkFeed(t, tt.name, f)
			if f.Title != "Mixed" {
				t.Errorf("feed title %q; want it kept", f.Title)
			}
			var titles []string
			for _, it := range f.Items {
				titles = append(titles, it.Title)
			}
			if !slices.Equal(titles, tt.titles) {
				t.Fatalf("items %q; want %q", titles, tt.titles)
			}
			for i, want := range tt.tags {
				if got := f.Items[i].Categories; !slices.Equal(got, want) {
					t.Errorf("item %d tags %q; want %q", i, got, want)
				}
			}
		})
	}

	f, err := Parse([]byte(head+`"items":[`+item(1, `,"authors":{"name":"Al"},"attachments":{"url":"https://mixed.example/a.mp3","mime_type":"audio/mpeg"},"url":7`)+`]}`),
		"", testFeedURL, "s", testNow, Options{})
	if err != nil || len(f.Items) != 1 {
		t.Fatalf("Parse = %v; want the item", err)
	}
	if it := f.Items[0]; !slices.Equal(it.Authors, []string{"Al"}) || len(it.Enclosures) != 1 || it.Enclosures[0].URL != "https://mixed.example/a.mp3" || it.Link != "" {
		t.Errorf("item: authors %q, enclosures %+v, link %q; want the one author, the one attachment, and no link", it.Authors, it.Enclosures, it.Link)
	}
}

// TestParseJSONNullElements checks that null items and authors in a JSON
// Feed, which the decoder takes for no items and no authors, are left out
// and cost nothing else.
func TestParseJSONNullElements(t *testing.T) {
	const head = `{"version":"https://jsonfeed.org/version/1.1","title":"Nulls",`
	item := func(n int, extra string) string {
		return fmt.Sprintf(`{"id":"%d","url":"https://nulls.example/%[1]d","title":"Story %[1]d","content_text":"Text of %[1]d."%s}`, n, extra)
	}
	doc := head + `"authors":[null,{"name":"Ed"}],"items":[null,` + item(1, `,"authors":[null]`) + `,null,` + item(2, `,"authors":[{"name":"Al"},null,{"name":"Bo"}]`) + `,null]}`
	f, err := Parse([]byte(doc), "", testFeedURL, "s", testNow, Options{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	checkFeed(t, "nulls", f)
	if len(f.Items) != 2 || f.Items[0].Title != "Story 1" || f.Items[1].Title != "Story 2" {
		t.Fatalf("items %+v; want the two that are objects", f.Items)
	}
	if got := f.Items[0].Authors; !slices.Equal(got, []string{"Ed"}) {
		t.Errorf("item without authors of its own: authors %q; want the feed's", got)
	}
	if got := f.Items[1].Authors; !slices.Equal(got, []string{"Al", "Bo"}) {
		t.Errorf("item authors %q; want the two given", got)
	}
}

// TestParseJSONUnreadable checks that a JSON Feed that cannot be read says
// why in the terms of the feed, not of the program's types.
func TestParseJSONUnreadable(t *testing.T) {
	const head = `{"version":"https://jsonfeed.org/version/1","title":"T",`
	deep := head + `"items":[{"id":"1","title":"Deep","x":` + strings.Repeat("[", 20_000) + strings.Repeat("]", 20_000) + `}]}`
	tests := []struct {
		name, doc string
		is        error
		msg       string
	}{
		{"items as an object", head + `"items":{"id":"1","title":"One"}}`, ErrNotFeed, `JSON Feed: "items" is not a list`},
		{"items as a string", head + `"items":"none"}`, ErrNotFeed, `JSON Feed: "items" is not a list`},
		{"nested too deep", deep, ErrTooComplex, "document too complex: JSON nested more than 10000 deep"},
		{"nested too deep, and wrong", strings.Replace(deep, `"title":"Deep"`, `"title":{}`, 1), ErrTooComplex, "document too complex: JSON nested more than 10000 deep"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.doc), "application/feed+json", testFeedURL, "s", testNow, Options{})
		if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: Parse error %v; want %v saying %q", tt.name, err, tt.is, tt.msg)
		}
	}
	// Nested deep, but not too deep for the decoder, the feed is read.
	ok := head + `"items":[{"id":"1","title":"Deep","x":` + strings.Repeat("[", 9_000) + strings.Repeat("]", 9_000) + `,"tags":[1]}]}`
	if f, err := Parse([]byte(ok), "", testFeedURL, "s", testNow, Options{}); err != nil || len(f.Items) != 1 {
		t.Errorf("nested 9,000 deep: Parse = %v; want the item", err)
	}
	// Should the feed parser still refuse a member, its error names the
	// member as the feed does.
	var jf jsonfeed.Feed
	err := json.Unmarshal([]byte(`{"items":[{"tags":["a",3]}]}`), &jf)
	if got, want := fmt.Sprint(jsonFeedError(err)), `JSON Feed: "items.tags" is a number where a string is expected`; got != want {
		t.Errorf("jsonFeedError(%v) = %q; want %q", err, got, want)
	}
}

// TestMediaDescription reads a video channel's feed, whose entries carry
// their text only in media:description (in a media:group, as YouTube's
// do), and an RSS feed with one of type html: the description is the
// item's summary, plain text escaped with its line breaks kept, HTML
// sanitised; an item with a description of its own keeps that.
func TestMediaDescription(t *testing.T) {
	atomFeed := `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
 <title>Harbour Channel</title>
 <entry>
  <id>yt:video:abc123</id>
  <title>Ferry crews rescue stranded kayakers</title>
  <link rel="alternate" href="https://video.example/watch?v=abc123"/>
  <published>2026-11-02T08:00:00+00:00</published>
  <media:group>
   <media:title>Ferry crews rescue stranded kayakers</media:title>
   <media:description>Two kayakers were stranded off the point on Sunday.
Crews said conditions were &lt;rough&gt; but improving.</media:description>
  </media:group>
 </entry>
</feed>`
	f, err := Parse([]byte(atomFeed), "application/atom+xml", testFeedURL, "s", testNow, Options{})
	if err != nil || len(f.Items) != 1 {
		t.Fatalf("Parse(video channel) = %v, %d items", err, len(f.Items))
	}
	if got, want := f.Items[0].Summary, "<p>Two kayakers were stranded off the point on Sunday.<br>Crews said conditions were &lt;rough&gt; but improving.</p>"; got != want {
		t.Errorf("video entry summary = %q; want the media description %q", got, want)
	}

	rssFeed := `<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Clips</title>
<item><title>Bridge opens</title><link>https://clips.example/1</link>
 <media:content url="https://clips.example/1.mp4" type="video/mp4"><media:description type="html">&lt;p&gt;The &lt;b&gt;new&lt;/b&gt; bridge&lt;script&gt;x()&lt;/script&gt; opened.&lt;/p&gt;</media:description></media:content></item>
<item><title>Own words</title><link>https://clips.example/2</link><description>Its own text.</description>
 <media:description>Not this.</media:description></item>
</channel></rss>`
	f, err = Parse([]byte(rssFeed), "application/rss+xml", testFeedURL, "s", testNow, Options{})
	if err != nil || len(f.Items) != 2 {
		t.Fatalf("Parse(clips) = %v, %d items", err, len(f.Items))
	}
	if got := f.Items[0].Summary; got != "<p>The <b>new</b> bridge opened.</p>" {
		t.Errorf("clip summary = %q; want the html description, sanitised", got)
	}
	if got := f.Items[1].Summary + f.Items[1].Content; got != "Its own text." {
		t.Errorf("item with its own description: %q; want it kept", got)
	}
}

// TestAtomTextTitles reads Atom titles of each type: a title of type text,
// given or by default, is text whose "<" and "&" are characters, kept as
// the feed wrote them; one of type html or xhtml is markup, shown as its
// text. A source's title inside an entry does not decide its type.
func TestAtomTextTitles(t *testing.T) {
	doc := `<feed xmlns="http://www.w3.org/2005/Atom"><title>Titles</title>
<entry><id>urn:t:1</id><title type="text">History of the &lt;blink&gt; tag</title></entry>
<entry><id>urn:t:2</id><title>Why &lt;b&gt; is bold: AT&amp;amp;T and 3 &lt; 4</title></entry>
<entry><id>urn:t:3</id><title type="html">Tom &amp;amp; Jerry &lt;i&gt;again&lt;/i&gt;</title></entry>
<entry><id>urn:t:4</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Rates <b>rise</b></div></title></entry>
<entry><id>urn:t:5</id><source><title type="html">Wire &amp;amp; co</title></source><title type="text">Fish &amp; chips &lt;3</title></entry>
</feed>`
	f, err := Parse([]byte(doc), "application/atom+xml", testFeedURL, "s", testNow, Options{})
	if err != nil || len(f.Items) != 5 {
		t.Fatalf("Parse = %v, %d items", err, len(f.Items))
	}
	for i, want := range []string{
		"History of the <blink> tag",
		"Why <b> is bold: AT&amp;T and 3 < 4",
		"Tom & Jerry again",
		"Rates rise",
		"Fish & chips <3",
	} {
		if got := f.Items[i].Title; got != want {
			t.Errorf("entry %d title = %q; want %q", i+1, got, want)
		}
	}
}

// TestTermsDates reads items dated only by Dublin Core's terms: issued (or
// created) is the item's date, modified its update; a date of the feed's
// own element still wins.
func TestTermsDates(t *testing.T) {
	doc := `<rss version="2.0" xmlns:dcterms="http://purl.org/dc/terms/"><channel><title>Terms</title>
<item><title>Issued</title><guid>t1</guid><dcterms:issued>2024-02-28T10:14:55Z</dcterms:issued><dcterms:modified>2024-02-29T08:00+01:00</dcterms:modified></item>
<item><title>Created</title><guid>t2</guid><dcterms:created>2024-02-27</dcterms:created></item>
<item><title>Both</title><guid>t3</guid><pubDate>Wed, 28 Feb 2024 09:00:00 GMT</pubDate><dcterms:issued>2024-02-01T00:00:00Z</dcterms:issued></item>
</channel></rss>`
	f, err := Parse([]byte(doc), "application/rss+xml", testFeedURL, "s", testNow, Options{})
	if err != nil || len(f.Items) != 3 {
		t.Fatalf("Parse = %v, %d items", err, len(f.Items))
	}
	for i, want := range []struct{ published, updated time.Time }{
		{time.Date(2024, 2, 28, 10, 14, 55, 0, time.UTC), time.Date(2024, 2, 29, 7, 0, 0, 0, time.UTC)},
		{time.Date(2024, 2, 27, 0, 0, 0, 0, time.UTC), time.Time{}},
		{time.Date(2024, 2, 28, 9, 0, 0, 0, time.UTC), time.Time{}},
	} {
		it := f.Items[i]
		if !it.Dated || !it.Published.Equal(want.published) || !it.Updated.Equal(want.updated) {
			t.Errorf("item %q: published %v (dated %v), updated %v; want %v, %v", it.Title, it.Published, it.Dated, it.Updated, want.published, want.updated)
		}
	}
}

// TestParseJSONWithoutItems checks that a JSON document without an "items"
// list (a server's error answered with status 200, a feed cut short) fails
// as no feed, while a JSON Feed whose "items" is empty is read as a feed
// with no items.
func TestParseJSONWithoutItems(t *testing.T) {
	for _, name := range []string{"json-error.json", "jsonfeed-noitems.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		f, err := Parse(b, "application/json", testFeedURL, "s", testNow, Options{})
		if !errors.Is(err, ErrNotFeed) || !strings.Contains(fmt.Sprint(err), `no "items" list`) {
			t.Errorf("Parse(%s) = %v, %v; want an error wrapping ErrNotFeed saying there is no \"items\" list", name, f, err)
		}
	}
	null := `{"version":"https://jsonfeed.org/version/1.1","title":"T","items":null}`
	if _, err := Parse([]byte(null), "application/feed+json", testFeedURL, "s", testNow, Options{}); !errors.Is(err, ErrNotFeed) {
		t.Errorf(`Parse("items": null) error %v; want one wrapping ErrNotFeed`, err)
	}
	f := mustParseFile(t, "jsonfeed-empty.json", "application/feed+json")
	if f.Title != "Quiet Log" || len(f.Items) != 0 {
		t.Errorf("Parse(jsonfeed-empty.json) = title %q, %d items; want \"Quiet Log\" with none", f.Title, len(f.Items))
	}
}

// TestParseRSSXMLBase checks that relative URLs in RSS item HTML resolve
// against the xml:base in scope where the HTML stands, as XML Base and RFC
// 3986 say: on the root, the channel, the item or the content element
// itself, a relative one resolved against the one around it.
func TestParseRSSXMLBase(t *testing.T) {
	f := mustParseFile(t, "rss-xmlbase.xml", "")
	if len(f.Items) != 3 {
		t.Fatalf("%d items", len(f.Items))
	}
	tests := []struct {
		item        int
		field, want string
	}{
		// The item's link is on another host: the HTML still resolves
		// against the channel's base.
		{0, "summary", `<p>See <a href="https://www.harbour.example/news/ferry/winter.html" rel="nofollow noopener noreferrer">the winter timetable</a>.</p>`},
		{0, "content", `<p>The <a href="https://www.harbour.example/ports/north.html" rel="nofollow noopener noreferrer">north pier</a> closes; <img src="https://www.harbour.example/news/img/ferry.jpg" alt="The ferry"> <a href="https://www.harbour.example/news/#map" rel="nofollow noopener noreferrer">map</a>.</p>`},
		// The item's base is a document, not a folder; the content
		// elements carry bases of their own, relative to the item's.
		{1, "link", "https://archive.harbour.example/2024/03/fish-market.html"},
		{1, "enclosure", "https://archive.harbour.example/2024/03/audio/fish.mp3"},
		{1, "summary", `<p><a href="https://archive.harbour.example/summaries/fish.html" rel="nofollow noopener noreferrer">Summary</a></p>`},
		{1, "content", `<p><img src="https://archive.harbour.example/2024/photos/stalls.jpg" alt="Stalls"> <a href="https://archive.harbour.example/2024/market.html" rel="nofollow noopener noreferrer">The market</a></p>`},
		// An item without a link.
		{2, "summary", `<p><a href="https://www.harbour.example/news/lighthouse.html" rel="nofollow noopener noreferrer">Restored</a></p>`},
	}
	for _, tt := range tests {
		it := f.Items[tt.item]
		got := map[string]string{"link": it.Link, "summary": it.Summary, "content": it.Content}[tt.field]
		if tt.field == "enclosure" && len(it.Enclosures) > 0 {
			got = it.Enclosures[0].URL
		}
		if got != tt.want {
			t.Errorf("item %d %s:\n got %s\nwant %s", tt.item, tt.field, got, tt.want)
		}
	}
}

// TestParseAtomXMLBase checks Atom's xml:base as RFC 3986 resolves it: a
// base that names a document (WordPress writes .../wp-atom.php) resolves
// relative paths against its folder, and a relative base against the
// feed's URL, whatever host the entry's link is on.
func TestParseAtomXMLBase(t *testing.T) {
	f := mustParseFile(t, "atom-xmlbase.xml", "")
	if len(f.Items) != 3 {
		t.Fatalf("%d items", len(f.Items))
	}
	if got, want := f.Items[0].Link, "https://quay.example/2024/03/cranes"; got != want {
		t.Errorf("item 0 link %s; want %s", got, want)
	}
	if got, want := f.Items[0].Content, `<p><img src="https://quay.example/uploads/cranes.jpg" alt="Cranes"/> <a href="https://quay.example/2024/02/cranes-leave" rel="nofollow noopener noreferrer">They left</a> in February.</p>`; got != want {
		t.Errorf("item 0 content\n got %s\nwant %s", got, want)
	}
	// The lazily loaded image's source, which gofeed leaves relative,
	// resolves against the same base as the rest.
	if got, want := f.Items[1].Content, `<p><a href="https://quay.example/archive/2024/03/table.html" rel="nofollow noopener noreferrer">The table</a> <img src="https://quay.example/archive/2024/03/dues.jpg" alt="Dues"/></p>`; got != want {
		t.Errorf("item 1 content\n got %s\nwant %s", got, want)
	}
	// A base that is no http(s) URL is passed over; one with a slash too
	// many after its scheme is read as browsers read it.
	if got, want := f.Items[2].Summary, `<a href="https://quay.example/boats/show.html" rel="nofollow noopener noreferrer">The show</a>`; got != want {
		t.Errorf("item 2 summary\n got %s\nwant %s", got, want)
	}
	if got, want := f.Items[2].Content, `<a href="https://quay.example/tides/march.html" rel="nofollow noopener noreferrer">Tides</a>`; got != want {
		t.Errorf("item 2 content\n got %s\nwant %s", got, want)
	}
	// The feed's URL is https://feeds.example/dir/feed.xml; the entry's
	// link is on another host.
	g := mustParseFile(t, "atom-xmlbase-relative.xml", "")
	if got, want := g.Items[0].Content, `<a href="https://feeds.example/site/pages/moved.html" rel="nofollow noopener noreferrer">Moved</a>`; got != want {
		t.Errorf("relative base: content\n got %s\nwant %s", got, want)
	}
}

// TestParseWrappedLinks checks that an item's link and enclosure are read
// as browsers read a URL: a line break, where a generator wrapped a long
// line, or a tab is no part of it, nor a slash too many after the scheme.
func TestParseWrappedLinks(t *testing.T) {
	f := mustParseFile(t, "rss-wrapped-links.xml", "")
	want := []string{
		"https://wrapped.example/2024/03/council-budget-passes-after-a-long-night.html",
		"https://feeds.example/2024/03/ferryfares.html",
		"https://wrapped.example/2024/03/market-hall.html",
	}
	checkItems(t, f, "link", func(it aggregator.Item) string { return it.Link }, want)
	if got := f.Items[0].Enclosures; len(got) != 1 || got[0].URL != "https://wrapped.example/audio/council-budget.mp3" {
		t.Errorf("enclosures %+v; want the one with a wrapped URL", got)
	}
}

// TestParseXMLBaseBesideAnAttributeThatNamesIt checks that an attribute
// whose value reads like an xml:base does not take the place of the
// xml:base that follows it.
func TestParseXMLBaseBesideAnAttributeThatNamesIt(t *testing.T) {
	doc := `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:ed="urn:example:editor">
<title>Quay</title><id>urn:quay</id><updated>2024-03-02T10:00:00Z</updated>
<entry ed:note="xml:base='/drafts/' was the old one" xml:base="https://quay.example/2024/03/index.php">
<title>Cranes</title><id>urn:quay:1</id><updated>2024-03-02T10:00:00Z</updated>
<link href="cranes.html"/>
</entry>
</feed>`
	f, err := Parse([]byte(doc), "application/atom+xml", testFeedURL, "quay", testNow, Options{MaxItems: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 1 {
		t.Fatalf("%d items", len(f.Items))
	}
	if got, want := f.Items[0].Link, "https://quay.example/2024/03/cranes.html"; got != want {
		t.Errorf("link %s; want %s", got, want)
	}
}

// TestParseXMLBaseFragmentAndQuery checks that a reference that is a
// fragment or a query resolves against the xml:base as written, a
// document, and not against its folder.
func TestParseXMLBaseFragmentAndQuery(t *testing.T) {
	doc := `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xml:base="https://quay.example/2024/03/cranes.html">
<channel><title>Quay</title><link>https://quay.example/</link><description>d</description>
<item><title>Cranes</title><link>https://quay.example/2024/03/cranes.html</link>
<description>&lt;p&gt;See &lt;a href="#note"&gt;the note&lt;/a&gt;, &lt;a href="?page=2"&gt;page 2&lt;/a&gt; and &lt;a href="tides.html"&gt;the tides&lt;/a&gt;.&lt;/p&gt;</description>
</item></channel></rss>`
	f, err := Parse([]byte(doc), "application/rss+xml", testFeedURL, "quay", testNow, Options{MaxItems: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 1 {
		t.Fatalf("%d items", len(f.Items))
	}
	want := `<p>See <a href="https://quay.example/2024/03/cranes.html#note" rel="nofollow noopener noreferrer">the note</a>, ` +
		`<a href="https://quay.example/2024/03/cranes.html?page=2" rel="nofollow noopener noreferrer">page 2</a> and ` +
		`<a href="https://quay.example/2024/03/tides.html" rel="nofollow noopener noreferrer">the tides</a>.</p>`
	if got := f.Items[0].Summary + f.Items[0].Content; got != want {
		t.Errorf("text\n got %s\nwant %s", got, want)
	}
}

// TestParseImageAltText checks that an image keeps its text alternative
// whatever punctuation it holds (a number sign, a colon, curly quotes,
// quotation marks, an ampersand, angle brackets), escaped as HTML: a reader
// shows it in the image's place when the image does not load, and reads it
// out to those who cannot see it.
func TestParseImageAltText(t *testing.T) {
	f := mustParseFile(t, "rss-alt-text.xml", "")
	want := []string{
		`<p><img src="https://harbour.example/photos/crane.jpg" alt="Crane #4 lifts a container: the first of the day’s 300 moves."/></p><p>The crane lifted its first container on Friday.</p>`,
		`<img src="https://harbour.example/photos/ferry.jpg" alt="The &#34;Island Queen&#34; at 7:15 &amp; 8:40 &lt;weekdays&gt; (50% full?)"><p>The summer timetable starts on Monday.</p>`,
	}
	checkItems(t, f, "HTML", func(it aggregator.Item) string { return it.Summary + it.Content }, want)
}

// TestParseMediaImages checks that the picture a feed gives beside an
// item's text (Media RSS: an image media:content, else a media:thumbnail,
// on its own, in a media:group or in a media:content; of one picture in
// several sizes, the widest) leads the HTML a reader shows, with its URL
// made absolute, and that an item whose HTML
// already shows a picture, or whose media are no picture, is left as it is.
func TestParseMediaImages(t *testing.T) {
	f := mustParseFile(t, "rss-media-images.xml", "")
	want := []struct{ summary, content string }{
		{"New gates for the old lock.", `<img src="https://quayside.example/photos/lock-1152x648.jpg"><p>The lock&#39;s gates, a century old, were lifted out on Friday.</p>`},
		{`<img src="https://img.quayside.example/fish-240.jpg"><p>The market opens on the east quay on Monday.</p>`, ""},
		{`<img src="https://img.quayside.example/media/sea-wall/master/3000.jpg?width=140&amp;quality=85">Surveyors found the wall sound.`, ""},
		{`<img src="https://video.quayside.example/tug-race.jpg"><p>Six tugs raced the length of the harbour.</p>`, ""},
		{`<p><img src="https://quayside.example/photos/crane.jpg" alt="The crane">The crane at dusk.</p>`, ""},
		{"Listen to the harbour master.", ""},
		{`<img src="https://img.quayside.example/regatta/master/2000.jpg?width=460&amp;s=b2">The harbour club won again.`, ""},
	}
	if len(f.Items) != len(want) {
		t.Fatalf("%d items; want %d", len(f.Items), len(want))
	}
	for i, w := range want {
		it := f.Items[i]
		if it.Summary != w.summary || it.Content != w.content {
			t.Errorf("item %d (%s):\n got summary %q content %q\nwant summary %q content %q", i, it.Title, it.Summary, it.Content, w.summary, w.content)
		}
	}
}

// TestParseMediaAvatars checks that a Media RSS picture declared 64 pixels
// or less each way, the avatar of its author that a code host gives each
// release and commit, does not lead the entry's HTML as its picture, while
// a larger one beside it, or a narrow banner, still does.
func TestParseMediaAvatars(t *testing.T) {
	f := mustParseFile(t, "atom-avatars.xml", "")
	want := []string{
		`<p>Correct the tide height at ports west of Greenwich.</p>`,
		`<p>Correct the tide height at ports east of Greenwich.</p>`,
		`<img src="https://code.example/harbourtools/tidecalc/chart.png"><p>Draws a chart of the week&#39;s tides.</p>`,
		`<img src="https://code.example/harbourtools/tidecalc/banner.png"><p>A narrow banner.</p>`,
	}
	checkItems(t, f, "HTML", func(it aggregator.Item) string { return it.Summary + it.Content }, want)
}

// TestParseMastodonAltText reads a Mastodon account's feed, whose posts
// give each picture's alt text as the media:description of its
// media:content: the picture that leads the post carries it as its alt,
// where a reader shows it with the picture, and it is not also the text of
// a post of pictures alone, which is titled by it instead. A video's
// description is still the text of a post that has no other.
func TestParseMastodonAltText(t *testing.T) {
	f := mustParseFile(t, "rss-mastodon-alt.xml", "")
	const files = "https://files.toot.harbour.example/media_attachments/files/112/"
	want := []string{
		`<img src="` + files + `001/original/pontoon.jpeg" alt="A wooden pontoon floating off a shingle beach, two swimmers climbing its ladder."><p>The new pontoon is in. Swimmers can use it from Monday.</p>`,
		`<img src="` + files + `002/original/heron.png" alt="A grey heron standing on one leg on the harbour wall at low tide.">`,
		`<img src="` + files + `003/original/before.jpeg" alt="The slipway before the storm, its concrete whole.">`,
		`<img src="` + files + `004/original/tides.png" alt="Table: &#34;High water&#34; 06:12 &amp; 18:40 &lt;Mon&gt;, 07:01 &amp; 19:25 &lt;Tue&gt;"><p>Tide table for the week &lt;3</p>`,
		`<img src="` + files + `005/small/ferry.png"><p>The ferry backing out of its berth.</p>`,
	}
	checkItems(t, f, "HTML", func(it aggregator.Item) string { return it.Summary + it.Content }, want)
	titles := []string{
		"The new pontoon is in. Swimmers can use it from Monday.",
		"A grey heron standing on one leg on the harbour wall at…",
		"The slipway before the storm, its concrete whole.",
		"Tide table for the week <3",
		"The ferry backing out of its berth.",
	}
	checkItems(t, f, "title", func(it aggregator.Item) string { return it.Title }, titles)
}

// TestParseMediaFiles checks that the audio and video an item gives in
// Media RSS are its enclosures: a media:content on its own is one file
// (its URL resolved as its still's), a media:group one file of which the
// version marked isDefault, else the largest, is taken; a picture is not
// one (it leads the HTML instead), nor a GIF turned video shown as one;
// audio the item's own enclosure carries already is not taken twice; and
// a video goes before an enclosure that is a picture, as RSS publishes
// the first enclosure alone.
func TestParseMediaFiles(t *testing.T) {
	f := mustParseFile(t, "rss-media-video.xml", "")
	cdn := "https://cdn.estuary-tv.example/"
	want := [][]aggregator.Enclosure{
		{{URL: "https://estuary-tv.example/video/seals.mp4", Type: "video/mp4", Length: 18400000}},
		{{URL: cdn + "dredger-720.mp4", Type: "video/mp4", Length: 17500000}},
		{{URL: cdn + "keeper-high.webm", Type: "video/webm"}},
		{{URL: "https://stats.estuary-tv.example/redirect/podcast/12.mp3", Type: "audio/mpeg", Length: 31000000}},
		{{URL: cdn + "marsh.ogg", Type: "audio/ogg", Length: 5200000}},
		{{URL: cdn + "gull.mp4", Type: "video/mp4", Length: 800000}},
		{{URL: cdn + "regatta.mp4", Type: "video/mp4", Length: 26000000}, {URL: cdn + "regatta.jpg", Type: "image/jpeg", Length: 240000}},
	}
	checkItems(t, f, "enclosures", func(it aggregator.Item) []aggregator.Enclosure { return it.Enclosures }, want)
	pictures := []string{
		`<img src="https://estuary-tv.example/stills/seals.jpg">`,
		`<img src="` + cdn + `dredger.jpg">`,
		"",
		"",
		`<img src="` + cdn + `marsh.jpg">`,
		`<img src="` + cdn + `gull-still.png">`,
		"",
	}
	checkItems(t, f, "picture", func(it aggregator.Item) string {
		html := it.Summary + it.Content
		if i := strings.Index(html, "<img"); i >= 0 {
			return html[i : i+strings.Index(html[i:], ">")+1]
		}
		return ""
	}, pictures)
}

// TestParsePlayers checks that an embedded player, which the sanitiser
// drops (an iframe, a video, an audio), leaves a link to what it played
// where it stood, showing a video's poster, else the player's title, else
// the URL, so that a reader shows the way to the video where the source
// showed the video.
func TestParsePlayers(t *testing.T) {
	f := mustParseFile(t, "rss-players.xml", "")
	const rel = `rel="nofollow noopener noreferrer"`
	want := []string{
		`<p>Six tugs raced on Sunday.</p><a href="https://www.youtube-nocookie.example/embed/tUgRaCe?si=x&amp;start=5" ` + rel + `>Tug race: the finish</a>  <p>The <i>Marlin</i> won.</p>`,
		`<p>The gates closed for the last time.</p><a href="https://player.video.example/video/4711" ` + rel + `>https://player.video.example/video/4711</a>   ` +
			`<a href="https://harbourtv.example/clips/gates.webm" ` + rel + `><img src="https://harbourtv.example/stills/gates.jpg"></a>  Your browser cannot play this video.`,
		`<p>An interview.</p><a href="https://harbourtv.example/audio/harbour-master.mp3" ` + rel + `>https://harbourtv.example/audio/harbour-master.mp3</a>`,
	}
	checkItems(t, f, "content", func(it aggregator.Item) string { return it.Content }, want)
}

// TestParseJSONFeedImage checks that a JSON Feed item's image, its main
// picture, leads its HTML when the HTML shows none, as it does an RSS
// item's Media RSS picture.
func TestParseJSONFeedImage(t *testing.T) {
	f := mustParseFile(t, "jsonfeed-image.json", "application/feed+json")
	want := []string{
		`<img src="https://photodesk.example/images/regatta-1200.jpg"><p>Forty boats crossed the line.</p>`,
		`<p><img src="https://photodesk.example/images/fog-inline.jpg" alt="Fog">The fog lifted at noon.</p>`,
	}
	checkItems(t, f, "content", func(it aggregator.Item) string { return it.Content }, want)
}

// TestParseRSSCreators checks that an RSS item by several people, named in
// one dc:creator each, keeps every one of them, and that an item's author
// still goes before its creators.
func TestParseRSSCreators(t *testing.T) {
	f := mustParseFile(t, "rss-creators.xml", "")
	want := [][]string{
		{"Ann Writer", "Bo Reporter", "Cy Editor"},
		{"Ann Writer"},
		{"News Desk"},
	}
	checkItems(t, f, "authors", func(it aggregator.Item) []string { return it.Authors }, want)
}

// TestParseLazySrcset checks that an image whose lazy loading keeps its
// sources in data-srcset, and only a placeholder in src, shows its widest
// source.
func TestParseLazySrcset(t *testing.T) {
	f := mustParseFile(t, "rss-lazy-srcset.xml", "")
	want := `<p><img src="https://essays.example/wp-content/nets-1024.jpg" alt="Nets drying on the quay"></p><p>The nets dry for a day before they are mended.</p>`
	if len(f.Items) != 1 {
		t.Fatalf("%d items; want 1", len(f.Items))
	}
	if got := f.Items[0].Content; got != want {
		t.Errorf("content\n got %s\nwant %s", got, want)
	}
}

// TestParseDateZones checks that a date in a time zone that a feed names by
// its abbreviation (JST, AEDT, HST, MEZ) or as an offset from GMT or UTC
// (GMT+2, UTC+02:00) is read in that zone, where gofeed reads what it does
// not know as UTC, and that one it knows, or one with a numeric offset, is
// read as before.
func TestParseDateZones(t *testing.T) {
	f := mustParseFile(t, "dates-zones.xml", "")
	want := map[string]time.Time{
		"Tokyo":             time.Date(2024, 3, 1, 23, 0, 0, 0, time.UTC),
		"Sydney":            time.Date(2024, 3, 1, 22, 15, 0, 0, time.UTC),
		"Adelaide":          time.Date(2024, 3, 1, 21, 30, 0, 0, time.UTC),
		"Honolulu":          time.Date(2024, 3, 2, 6, 0, 0, 0, time.UTC),
		"New York":          time.Date(2024, 3, 2, 1, 0, 0, 0, time.UTC),
		"Numeric and named": time.Date(2024, 3, 1, 23, 0, 0, 0, time.UTC),
		"Updated in Seoul":  time.Date(2024, 3, 1, 23, 30, 0, 0, time.UTC),
		"Kyiv":              time.Date(2024, 3, 1, 23, 0, 0, 0, time.UTC),
		"Cairo":             time.Date(2024, 3, 1, 23, 0, 0, 0, time.UTC),
		"Sao Paulo":         time.Date(2024, 3, 1, 23, 0, 0, 0, time.UTC),
		"Berlin":            time.Date(2024, 3, 1, 23, 0, 0, 0, time.UTC),
	}
	if len(f.Items) != len(want) {
		t.Fatalf("%d items; want %d", len(f.Items), len(want))
	}
	for _, it := range f.Items {
		if w := want[it.Title]; !it.Dated || !it.Published.Equal(w) {
			t.Errorf("%s: published %v dated %v; want %v", it.Title, it.Published, it.Dated, w)
		}
	}
}

// TestParseDateZonesWorld checks that a date in the abbreviation of a
// zone outside Europe, North America, East Asia and Australia (PKT, WAT,
// EAT, NPT, GST, SLST, NST, CLST, COT, IDT), or in AST, which gofeed reads
// as UTC, is read in that zone, whether gofeed reads the rest of it or not.
// AST is the Atlantic's, as the time zone database writes it.
func TestParseDateZonesWorld(t *testing.T) {
	f := mustParseFile(t, "dates-zones-world.xml", "")
	if len(f.Items) != 17 {
		t.Fatalf("%d items; want 17", len(f.Items))
	}
	for _, it := range f.Items {
		want := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
		if it.Title == "Tel Aviv in summer" {
			want = time.Date(2023, 6, 1, 9, 0, 0, 0, time.UTC)
		}
		if !it.Dated || !it.Published.Equal(want) {
			t.Errorf("%s: published %v dated %v; want %v", it.Title, it.Published, it.Dated, want)
		}
	}
}

// TestParseDateZonesSpelled checks that a date that names its zone in
// words, a region alone ("Eastern", "Eastern Time", as American newsrooms
// write them) or a zone's whole name ("Pacific Standard Time", "India
// Standard Time", as Java's and .NET's date formats write them), is read
// in that zone, where it was left unread and the item took the time of the
// fetch; words that name no zone still leave the item undated.
func TestParseDateZonesSpelled(t *testing.T) {
	f := mustParseFile(t, "dates-zones-spelled.xml", "")
	if len(f.Items) != 13 {
		t.Fatalf("%d items; want 13", len(f.Items))
	}
	for _, it := range f.Items {
		want := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
		switch it.Title {
		case "Newsroom in summer":
			want = time.Date(2023, 6, 1, 9, 0, 0, 0, time.UTC)
		case "Not a zone":
			if it.Dated {
				t.Errorf("%s: published %v, dated; want undated", it.Title, it.Published)
			}
			continue
		}
		if !it.Dated || !it.Published.Equal(want) {
			t.Errorf("%s: published %v dated %v; want %v", it.Title, it.Published, it.Dated, want)
		}
	}
}

// TestParseDateFigures checks that a date in figures with the year first,
// with slashes ("2024/03/01 09:00:00", as Japanese and Chinese sites write
// them) or with a space before its offset ("2024-03-01 10:00:00 +01:00"),
// and SQL Server's ("Mar  1 2024  9:00AM") are read, where they were left
// unread and the item took the time of the fetch; a month 13 stays
// unread.
func TestParseDateFigures(t *testing.T) {
	f := mustParseFile(t, "dates-figures.xml", "")
	want := map[string]time.Time{
		"Slashes":                         time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC),
		"Slashes with an offset":          time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC),
		"Slashes in a named zone":         time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC),
		"Space before the offset":         time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC),
		"T and a space before the offset": time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC),
		"SQL Server morning":              time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC),
		"SQL Server evening":              time.Date(2024, 2, 29, 23, 30, 0, 0, time.UTC),
	}
	checkDated(t, f, want, 1)
}

// TestParseDateMonths checks that a date whose month is named in Russian,
// Polish or Turkish, in full (in the genitive, as a date writes it) or
// abbreviated, or in Norwegian or Swedish, with the words around its time
// ("г. в", "kl.") and a time with a dot ("10.00"), is read, where it was
// left unread and the item took the time of the fetch.
func TestParseDateMonths(t *testing.T) {
	f := mustParseFile(t, "dates-months.xml", "")
	want := map[string]time.Time{
		"Moscow":                time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC),
		"Moscow, abbreviated":   time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC),
		"Warsaw":                time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC),
		"Warsaw, abbreviated":   time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
		"Istanbul":              time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC),
		"Istanbul, abbreviated": time.Date(2024, 2, 1, 9, 0, 0, 0, time.UTC),
		"Oslo":                  time.Date(2023, 12, 1, 10, 0, 0, 0, time.UTC),
		"Stockholm":             time.Date(2023, 5, 31, 10, 0, 0, 0, time.UTC),
	}
	checkDated(t, f, want, 1)
}

// TestParseDateCSTChinese checks that CST in a feed whose language is
// Chinese is China Standard Time (UTC+08:00), as servers in China write it,
// where gofeed read it as Central Standard Time and dated the item 14 hours
// late, or at the fetch when that was still to come; that a date with its
// offset in figures is read by it; and that CST in a feed in English is
// still Central Standard Time.
func TestParseDateCSTChinese(t *testing.T) {
	china := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	central := time.Date(2024, 3, 1, 23, 0, 0, 0, time.UTC)
	checkDatesInLanguages(t, "dates-cst-zh.xml", "zh-cn", []langDates{
		{"zh-cn", []time.Time{china, china, china, china}},
		{"en-us", []time.Time{central, central, central, china}},
	})
}

// TestParseDateOffsetNames checks that a date whose zone is written as an
// offset in figures where its abbreviation goes ("+08", "-03", as Go and
// PHP write the zones that have no abbreviation), which gofeed read as UTC
// after an ISO date, is read at that offset.
func TestParseDateOffsetNames(t *testing.T) {
	f := mustParseFile(t, "dates-offset-names.xml", "")
	if len(f.Items) != 6 {
		t.Fatalf("%d items; want 6", len(f.Items))
	}
	want := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, it := range f.Items {
		if !it.Dated || !it.Published.Equal(want) {
			t.Errorf("%s: published %v dated %v; want %v", it.Title, it.Published, it.Dated, want)
		}
	}
}

// TestParseLooseDates checks that a date whose day and month are named in
// German, French, Spanish or Italian, whose zone gofeed cannot read
// (MESZ), that ends in a comment ("(CEST)"), that has no space after the
// day's name or that is JavaScript's Date string is read, where gofeed leaves it unread and the item took the time
// of the fetch; one in a zone not known stays undated.
func TestParseLooseDates(t *testing.T) {
	f := mustParseFile(t, "dates-loose.xml", "")
	want := map[string]time.Time{
		"Berlin":    time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC),
		"Paris":     time.Date(2024, 3, 1, 7, 0, 0, 0, time.UTC),
		"Madrid":    time.Date(2024, 2, 29, 10, 0, 0, 0, time.UTC),
		"Vienna":    time.Date(2024, 2, 29, 9, 0, 0, 0, time.UTC),
		"Zurich":    time.Date(2023, 12, 28, 0, 0, 0, 0, time.UTC),
		"Munich":    time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC),
		"Rome":      time.Date(2024, 2, 29, 9, 0, 0, 0, time.UTC),
		"Stockholm": time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC),
		"Node":      time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC),
		"No space":  time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC),
	}
	if len(f.Items) != len(want)+1 {
		t.Fatalf("%d items; want %d", len(f.Items), len(want)+1)
	}
	for _, it := range f.Items {
		w, ok := want[it.Title]
		if !ok {
			if it.Dated || !it.Published.Equal(testNow) {
				t.Errorf("%s: published %v dated %v; want the fetch's time, undated", it.Title, it.Published, it.Dated)
			}
			continue
		}
		if !it.Dated || !it.Published.Equal(w) {
			t.Errorf("%s: published %v dated %v; want %v", it.Title, it.Published, it.Dated, w)
		}
	}
}

// TestParseUndatedKeepFeedOrder checks that the items of a feed that dates
// none of them are dated at the fetch in the feed's order, newest first,
// within the second of the fetch, so that a topic lists them as their
// feed does rather than by their ids; a fetch at a whole second dates them
// all at it.
func TestParseUndatedKeepFeedOrder(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "undated.xml"))
	if err != nil {
		t.Fatal(err)
	}
	now := testNow.Add(400 * time.Millisecond)
	for _, at := range []time.Time{now, testNow} {
		f, err := Parse(b, "", testFeedURL, "src1", at, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var undated []aggregator.Item
		for _, it := range f.Items {
			if !it.FirstSeen.Equal(at) {
				t.Errorf("at %v: %s: first seen %v; want the fetch's time", at, it.Title, it.FirstSeen)
			}
			if !it.Dated {
				undated = append(undated, it)
			}
		}
		if len(undated) != 4 {
			t.Fatalf("at %v: %d undated items; want 4", at, len(undated))
		}
		for i, it := range undated {
			if !it.Published.Truncate(time.Second).Equal(at.Truncate(time.Second)) || it.Published.After(at) {
				t.Errorf("at %v: %s: published %v; want within the second of the fetch, not after it", at, it.Title, it.Published)
			}
			if i == 0 {
				continue
			}
			before := undated[i-1]
			if at == now && !it.Published.Before(before.Published) {
				t.Errorf("at %v: %s published %v, not before %s above it in the feed (%v)", at, it.Title, it.Published, before.Title, before.Published)
			}
			if at == testNow && !it.Published.Equal(at) {
				t.Errorf("at %v: %s published %v; want the fetch's time", at, it.Title, it.Published)
			}
		}
	}
}

// TestParseUndatedAmongDated checks that an item a feed does not date
// takes the date of the dated item listed on its newer side, a nanosecond
// earlier for each place further from it, in feeds listed newest first and
// oldest first: an old post without a date must not top a topic as news on
// its source's first fetch. Items with nothing dated on their newer side,
// and every undated item of a feed whose dates are not in order, are
// dated at the fetch.
func TestParseUndatedAmongDated(t *testing.T) {
	budget := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	trees := time.Date(2024, 1, 10, 9, 0, 0, 0, time.UTC)
	second := time.Date(2024, 1, 15, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		file string
		want []time.Time
	}{
		{"undated-among-dated.xml", []time.Time{testNow, budget, budget.Add(-1), budget.Add(-2), trees, trees.Add(-1)}},
		{"undated-oldest-first.xml", []time.Time{
			time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC), second.Add(-1), second, testNow,
		}},
		{"undated-unordered.xml", []time.Time{
			time.Date(2023, 9, 5, 8, 0, 0, 0, time.UTC), testNow,
			time.Date(2024, 3, 1, 18, 0, 0, 0, time.UTC), time.Date(2024, 2, 23, 18, 0, 0, 0, time.UTC),
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f := mustParseFile(t, tc.file, "")
			checkItems(t, f, "published", func(it aggregator.Item) time.Time { return it.Published }, tc.want)
		})
	}
}

// checkItems checks that f has an item for each of want, whose field (as
// get reads it, named what) is that want.
func checkItems[T any](t *testing.T, f *Feed, what string, get func(aggregator.Item) T, want []T) {
	t.Helper()
	if len(f.Items) != len(want) {
		t.Fatalf("%d items; want %d", len(f.Items), len(want))
	}
	for i, w := range want {
		if got := get(f.Items[i]); !reflect.DeepEqual(got, w) {
			t.Errorf("item %d (%s) %s\n got %#v\nwant %#v", i, f.Items[i].Title, what, got, w)
		}
	}
}

// TestParseMediaTitle checks that an item without a title of its own takes
// its Media RSS title (the item's, its group's or its content's) before
// words of its text, and that an item's own title is kept.
func TestParseMediaTitle(t *testing.T) {
	f := mustParseFile(t, "rss-media-title.xml", "")
	want := []string{
		"Night pilots",
		"Tides & currents",
		"The lighthouse keeper",
		"Ferry timetable",
		"The winter timetable starts on Monday with two crossings fewer each day.",
	}
	checkItems(t, f, "title", func(it aggregator.Item) string { return it.Title }, want)
}

// TestParseAtom03Base64 checks that the text of an Atom 0.3 title,
// summary or content in mode="base64" is decoded and read as its type says:
// HTML, or text whose "<" and "&" are characters.
func TestParseAtom03Base64(t *testing.T) {
	f := mustParseFile(t, "atom03-base64.xml", "")
	html := `<p>The <a href="https://log.harbour.example/boats/7" rel="nofollow noopener noreferrer">seventh boat</a> came in; a ]]&gt; marks no end here.</p>`
	want := []struct{ title, summary, content string }{
		{"Lock & gates", "", html},
		{"Keepers & their <lamps>, a list", html, ""},
	}
	if len(f.Items) != len(want) {
		t.Fatalf("%d items; want %d", len(f.Items), len(want))
	}
	for i, w := range want {
		it := f.Items[i]
		if it.Title != w.title || it.Summary != w.summary || it.Content != w.content {
			t.Errorf("item %d:\n got title %q summary %q content %q\nwant title %q summary %q content %q", i, it.Title, it.Summary, it.Content, w.title, w.summary, w.content)
		}
	}
}

// TestDecodeBase64TextLeavesCDATA checks that a base64 text construct
// written inside a CDATA section, which is text, is left as it is, while
// one after it is decoded.
func TestDecodeBase64TextLeavesCDATA(t *testing.T) {
	doc := `<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry>` +
		`<summary type="text/html" mode="escaped"><![CDATA[<title mode="base64">UXVheQ==</title>]]></summary>` +
		`<title type="text/plain" mode="base64">UXVheQ==</title></entry></feed>`
	want := `<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry>` +
		`<summary type="text/html" mode="escaped"><![CDATA[<title mode="base64">UXVheQ==</title>]]></summary>` +
		`<title type="text/plain"><![CDATA[Quay]]></title></entry></feed>`
	if got := string(decodeBase64Text([]byte(doc))); got != want {
		t.Errorf("decodeBase64Text:\n got %s\nwant %s", got, want)
	}
}

// TestParseRSSBodies checks that an RSS item whose text is in an XHTML
// <body> (prefixed or in the default namespace), a <body> or a <fullitem>
// has it as its content, with its markup, sanitised and with relative
// links resolved; an item's description stays its summary.
func TestParseRSSBodies(t *testing.T) {
	f := mustParseFile(t, "rss-bodies.xml", "")
	content := []string{
		`<p>The <b>new</b> crane is for hire <a href="https://quayside.example/rates" rel="nofollow noopener noreferrer">by the hour</a>.</p>`,
		`<p>Printed tables for April &amp; May are in the harbour office.</p>`,
		`<p>The rope store opens <em>at seven</em>.</p>`,
		`<p>The net loft is closed for repairs.</p>`,
		``,
		`<p>The office opens at nine.</p>`,
	}
	checkItems(t, f, "content", func(it aggregator.Item) string { return it.Content }, content)
	summary := []string{``, `Printed tables are in the harbour office.`, ``, ``, `The slipway is clear.`, ``}
	checkItems(t, f, "summary", func(it aggregator.Item) string { return it.Summary }, summary)
	// An item with a <BODY> and a <Body> reads the same every time.
	for range 20 {
		g := mustParseFile(t, "rss-bodies.xml", "")
		if got, want := g.Items[5].Content, content[5]; got != want {
			t.Fatalf("item with two bodies: content %q; want %q every time", got, want)
		}
	}
}

// TestParseITunesCategories checks that an item's iTunes categories, and
// their subcategories, are among its categories, after its RSS ones and
// once whatever their case; the channel's are not, as no channel category
// is an item's.
func TestParseITunesCategories(t *testing.T) {
	f := mustParseFile(t, "rss-itunes-categories.xml", "")
	want := [][]string{{"Harbour", "Technology", "Gadgets"}, {"Leisure"}, nil}
	checkItems(t, f, "categories", func(it aggregator.Item) []string { return it.Categories }, want)
}

// TestParseDateForms checks dates that gofeed reads in the wrong zone
// (IST, as UTC) or not at all, where the item took the time of the fetch:
// a zone of the time zone database or an American region's after the
// time, a twelve-hour time, French "10h00", a date in figures with dots,
// ISO 8601's basic format and Drupal's long form. IST is India's in a feed
// that names no language, Ireland's in an Irish one. A zone not known
// leaves the item undated.
func TestParseDateForms(t *testing.T) {
	f := mustParseFile(t, "dates-forms.xml", "")
	want := map[string]time.Time{
		"Mumbai":               time.Date(2024, 3, 1, 3, 30, 0, 0, time.UTC),
		"Berlin":               time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC),
		"Sao Paulo":            time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC),
		"Boston in winter":     time.Date(2024, 3, 1, 14, 0, 0, 0, time.UTC),
		"Boston in summer":     time.Date(2023, 6, 1, 13, 0, 0, 0, time.UTC),
		"Seattle":              time.Date(2024, 3, 1, 20, 30, 0, 0, time.UTC),
		"Atlanta":              time.Date(2024, 3, 1, 5, 15, 0, 0, time.UTC),
		"Lyon":                 time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC),
		"Hamburg":              time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC),
		"Calendar":             time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC),
		"Calendar with offset": time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC),
		"Drupal":               time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC),
	}
	checkDated(t, f, want, 1)
	ie := mustParseFile(t, "dates-ist-ie.xml", "")
	if w := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC); len(ie.Items) != 1 || !ie.Items[0].Published.Equal(w) {
		t.Errorf("IST in a feed in en-IE: items %+v; want one published at %v", ie.Items, w)
	}
}

func TestISTFor(t *testing.T) {
	tests := []struct {
		lang string
		want time.Duration
	}{
		{"", istIndia},
		{"en", istIndia},
		{"hi-IN", istIndia},
		{"en-IE", istIreland},
		{"en_ie", istIreland},
		{"ga", istIreland},
		{"he", istIsrael},
		{"iw-IL", istIsrael},
		{"en-IL", istIsrael},
		{"  ", istIndia},
	}
	for _, tt := range tests {
		if got := istFor(tt.lang); got != tt.want {
			t.Errorf("istFor(%q) = %v; want %v", tt.lang, got, tt.want)
		}
	}
}

// TestParseDeclaredEntities checks that the entities a document declares
// in its DOCTYPE are expanded, in text, in links and in HTML's attributes,
// with the entities within them; that one holding markup, an external one
// and one in a comment are left as written, as is a reference in a CDATA
// section; and that HTML's named entities are read beside them.
func TestParseDeclaredEntities(t *testing.T) {
	f := mustParseFile(t, "rss-entities.xml", "")
	if f.Title != "Harbour Gazette" || f.SiteURL != "https://gazette.example/" {
		t.Errorf("feed title %q, site %q; want Harbour Gazette, https://gazette.example/", f.Title, f.SiteURL)
	}
	checkItems(t, f, "title", func(it aggregator.Item) string { return it.Title }, []string{
		`Crane hire at the "Old" quay — Harbour Gazette`,
		"Café opens &commented;",
		"Logo &logo; and &licence;",
	})
	checkItems(t, f, "link", func(it aggregator.Item) string { return it.Link }, []string{
		"https://gazette.example/news/crane",
		"https://gazette.example/news/cafe",
		"https://gazette.example/news/logo",
	})
	checkItems(t, f, "summary", func(it aggregator.Item) string { return it.Summary }, []string{
		`<p title="Harbour Gazette">Hire by Quay &amp; Sons for the Harbour Gazette.</p>`,
		`<p>Written as &amp;site; in CDATA.</p>`,
		``,
	})
	checkItems(t, f, "authors", func(it aggregator.Item) []string { return it.Authors }, [][]string{nil, {"Quay & Sons"}, nil})
	checkItems(t, f, "categories", func(it aggregator.Item) []string { return it.Categories }, [][]string{{"Harbour Gazette"}, nil, nil})
}

// TestExpandEntitiesBounded checks that a document whose entities hold
// entities ("billion laughs"), hold themselves, nest too deep or would
// make it grow too much, one large entity used many times, is read with
// its references left as written, and that reading it takes memory
// bounded by its size, not by what it would expand to.
func TestExpandEntitiesBounded(t *testing.T) {
	laughs, err := os.ReadFile(filepath.Join("testdata", "billion-laughs.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var deep strings.Builder
	deep.WriteString(`<!DOCTYPE rss [<!ENTITY e0 "x">`)
	for i := 1; i <= maxEntityDepth+2; i++ {
		fmt.Fprintf(&deep, `<!ENTITY e%d "&e%d;">`, i, i-1)
	}
	fmt.Fprintf(&deep, `]><rss version="2.0"><channel><title>&e%d;</title></channel></rss>`, maxEntityDepth+2)
	big := `<!DOCTYPE rss [<!ENTITY big "` + strings.Repeat("ha", 500) + `">]><rss version="2.0"><channel><title>t</title><item><title>a</title><description>` +
		strings.Repeat("&big;", 2*maxEntityGrowth/1000) + `</description></item></channel></rss>`
	docs := map[string][]byte{
		"billion laughs": laughs,
		"itself":         []byte(`<!DOCTYPE rss [<!ENTITY a "x&b;"><!ENTITY b "y&a;">]><rss version="2.0"><channel><title>&a;</title></channel></rss>`),
		"too deep":       []byte(deep.String()),
		"too much":       []byte(big),
	}
	for name, doc := range docs {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		got := expandEntities(doc)
		runtime.ReadMemStats(&after)
		if !bytes.Equal(got, doc) {
			t.Errorf("%s: expandEntities expanded the document, %d bytes to %d", name, len(doc), len(got))
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
			t.Errorf("%s: expandEntities allocated %d bytes for a document of %d", name, alloc, len(doc))
		}
		if _, err := Parse(doc, "", testFeedURL, "s", testNow, Options{}); err != nil {
			t.Errorf("%s: Parse error %v", name, err)
		}
	}
}

func TestExpandEntities(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"no DOCTYPE", `<rss><a>&x;</a></rss>`, `<rss><a>&x;</a></rss>`},
		{"no subset", `<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "rss-0.91.dtd"><rss>&eacute;</rss>`,
			`<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "rss-0.91.dtd"><rss>&eacute;</rss>`},
		{"text and attribute", `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY q 'say "hi"'>]><a t="&q;">&q;</a>`,
			`<?xml version="1.0"?><!DOCTYPE a [<!ENTITY q 'say "hi"'>]><a t="say &quot;hi&quot;">say &quot;hi&quot;</a>`},
		{"first declaration counts", `<!DOCTYPE a [<!ENTITY x "1"><!ENTITY x "2">]><a>&x;</a>`, `<!DOCTYPE a [<!ENTITY x "1"><!ENTITY x "2">]><a>1</a>`},
		{"comment, CDATA and instruction left", `<!DOCTYPE a [<!ENTITY x "1">]><a><!-- &x; --><![CDATA[&x;]]><?pi &x;?>&x;</a>`,
			`<!DOCTYPE a [<!ENTITY x "1">]><a><!-- &x; --><![CDATA[&x;]]><?pi &x;?>1</a>`},
		{"markup left, and what holds it", `<!DOCTYPE a [<!ENTITY m "<b>x</b>"><!ENTITY n "y&m;"><!ENTITY o "z">]><a>&m;&n;&o;</a>`,
			`<!DOCTYPE a [<!ENTITY m "<b>x</b>"><!ENTITY n "y&m;"><!ENTITY o "z">]><a>&m;&n;z</a>`},
		{"forbidden characters dropped", `<!DOCTYPE a [<!ENTITY x "a&#1;b"><!ENTITY amp1 "&amp;#"><!ENTITY y "&">]><a>&x;&y;#x1b;</a>`,
			`<!DOCTYPE a [<!ENTITY x "a&#1;b"><!ENTITY amp1 "&amp;#"><!ENTITY y "&">]><a>ab&amp;#x1b;</a>`},
		{"a bare ampersand stands for itself", `<!DOCTYPE a [<!ENTITY y "&">]><a>&x&y;</a>`, `<!DOCTYPE a [<!ENTITY y "&">]><a>&amp;x&amp;</a>`},
		{"so does one before a number that is no reference", `<!DOCTYPE a [<!ENTITY e "">]><a>&#&e;38; &#x&e;26; &#38;&e; &#x26;</a>`,
			`<!DOCTYPE a [<!ENTITY e "">]><a>&amp;#38; &amp;#x26; &#38; &#x26;</a>`},
		{"XML's own not redefined", `<!DOCTYPE a [<!ENTITY lt "x">]><a>&lt;</a>`, `<!DOCTYPE a [<!ENTITY lt "x">]><a>&lt;</a>`},
	}
	for _, tt := range tests {
		if got := string(expandEntities([]byte(tt.in))); got != tt.want {
			t.Errorf("%s: expandEntities(%q)\n got %q\nwant %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// TestParseLongProlog checks that a feed whose root element starts past
// the first 4 KB, after a DOCTYPE that declares every Latin-1 character as
// an entity, is read, where it was taken for no feed at all, with its
// entities expanded.
func TestParseLongProlog(t *testing.T) {
	f := mustParseFile(t, "rss091-inline-dtd.xml", "")
	if f.Title != "Café du Port" {
		t.Errorf("feed title %q; want Café du Port", f.Title)
	}
	checkItems(t, f, "title", func(it aggregator.Item) string { return it.Title }, []string{"Crêpes à la fraîche"})
	checkItems(t, f, "summary", func(it aggregator.Item) string { return it.Summary }, []string{"Le café ouvre à sept\u00a0heures."})
}

func TestTrimProlog(t *testing.T) {
	long := strings.Repeat("x", detectionPeek)
	tests := []struct{ name, in, want string }{
		{"short prolog kept", `<?xml version="1.0"?><!-- c --><rss/>`, `<?xml version="1.0"?><!-- c --><rss/>`},
		{"long comment", `<?xml version="1.0"?>` + "\n<!-- " + long + ` --><?xml-stylesheet href="s.xsl"?><rss>a</rss>`, `<?xml version="1.0"?>` + "\n" + `<rss>a</rss>`},
		{"no declaration", `<!DOCTYPE rss [<!-- ` + long + ` -->]><rss>a</rss>`, "\n<rss>a</rss>"},
		{"not XML", "{" + long, "{" + long},
	}
	for _, tt := range tests {
		if got := string(trimProlog([]byte(tt.in))); got != tt.want {
			t.Errorf("%s: trimProlog = %q; want %q", tt.name, abbrev(got), abbrev(tt.want))
		}
	}
}

// TestParseDateNumbers checks that a date in seconds or milliseconds since
// 1970, one as Java writes a zoned date ("…+01:00[Europe/Paris]"), one in
// Chinese, Japanese or Korean ("2024年3月1日", "2024년 3월 1일", with the
// day of the week, "18時00分", "下午5:00", or an hour 0 of the morning or
// afternoon, "午前0時30分") and one
// whose month is named in Greek is read, where each was left unread and
// the item took the time of the fetch.
func TestParseDateNumbers(t *testing.T) {
	f := mustParseFile(t, "dates-numbers.xml", "")
	nine := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	want := map[string]time.Time{
		"Seconds":                nine,
		"Milliseconds":           nine,
		"Java with an offset":    nine,
		"Java without an offset": nine,
		"Beijing":                nine,
		"Tokyo":                  nine,
		"Seoul":                  nine,
		"Osaka":                  nine,
		"Taipei":                 nine,
		"Busan":                  nine,
		"Kyoto, after midnight":  time.Date(2024, 2, 29, 15, 30, 0, 0, time.UTC),
		"Incheon, noon":          time.Date(2024, 3, 1, 3, 15, 0, 0, time.UTC),
		"Seoul, no time":         time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
		"Athens":                 nine,
		"Athens, in capitals":    nine,
		"Athens, afternoon":      time.Date(2024, 2, 29, 21, 0, 0, 0, time.UTC),
	}
	checkDated(t, f, want, 2)
}

// TestParseDateYearLast checks that a date in figures with the year last
// ("01-02-2024", "29/01/2024") is read with its day first when the day is
// past 12, and otherwise as the feed's other such dates or, without them,
// its language order day and month, and left unread when neither decides
// or the feed's dates disagree.
func TestParseDateYearLast(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "dates-year-last.xml"))
	if err != nil {
		t.Fatal(err)
	}
	const dayPast12 = "<item><title>Day past 12</title><guid>y2</guid><pubDate>29/01/2024 10:15:00</pubDate></item>"
	feb1 := time.Date(2024, 2, 1, 10, 15, 0, 0, time.UTC)
	jan2 := time.Date(2024, 1, 2, 10, 15, 0, 0, time.UTC)
	jan1 := time.Date(2024, 1, 1, 10, 15, 0, 0, time.UTC)
	jan29 := time.Date(2024, 1, 29, 10, 15, 0, 0, time.UTC)
	for _, tt := range []struct {
		name, lang, item string
		want             []time.Time // zero: undated
	}{
		{"a day past 12 in the feed", "en", dayPast12, []time.Time{feb1, jan29, jan1}},
		{"English of no country", "en", "", []time.Time{{}, jan1}},
		{"English of the United States", "en-US", "", []time.Time{jan2, jan1}},
		{"Filipino", "fil", "", []time.Time{jan2, jan1}},
		{"German", "de", "", []time.Time{feb1, jan1}},
		{"the feed's dates over its language", "en-GB",
			"<item><title>Month first</title><guid>y2</guid><pubDate>01/29/2024 10:15:00</pubDate></item>",
			[]time.Time{jan2, jan29, jan1}},
		{"the feed's dates disagree", "de",
			dayPast12 + "<item><title>Month first</title><guid>y4</guid><pubDate>01/29/2024 10:15:00</pubDate></item>",
			[]time.Time{{}, jan29, jan29, jan1}},
	} {
		doc := bytes.Replace(b, []byte("<language>en</language>"), []byte("<language>"+tt.lang+"</language>"), 1)
		doc = bytes.Replace(doc, []byte(dayPast12), []byte(tt.item), 1)
		f, err := Parse(doc, "", testFeedURL, "src1", testNow, Options{})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(f.Items) != len(tt.want) {
			t.Fatalf("%s: %d items; want %d", tt.name, len(f.Items), len(tt.want))
		}
		for i, it := range f.Items {
			if w := tt.want[i]; it.Dated != !w.IsZero() || !w.IsZero() && !it.Published.Equal(w) {
				t.Errorf("%s: %s: published %v dated %v; want %v", tt.name, it.Title, it.Published, it.Dated, w)
			}
		}
	}
}

// TestParseDateYearLastForms checks that a date in figures with the year
// last whose day and month could each be the other is ordered as the
// feed's language says, or left unread, in the forms gofeed reads itself
// too ("02/01/2024", "02-01-2024", "02/01/2024 10:15:00", "02/01/2024
// 3:04 PM"), where gofeed read the first three with the day first and the
// last with the month first, whatever the feed's language.
func TestParseDateYearLastForms(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "dates-year-last-forms.xml"))
	if err != nil {
		t.Fatal(err)
	}
	on := func(m time.Month, d int) []time.Time {
		return []time.Time{
			time.Date(2024, m, d, 0, 0, 0, 0, time.UTC),
			time.Date(2024, m, d, 0, 0, 0, 0, time.UTC),
			time.Date(2024, m, d, 10, 15, 0, 0, time.UTC),
			time.Date(2024, m, d, 15, 4, 0, 0, time.UTC),
		}
	}
	for _, tt := range []struct {
		lang string
		want []time.Time // nil: every item undated
	}{
		{"en-US", on(time.February, 1)},
		{"en-GB", on(time.January, 2)},
		{"de", on(time.January, 2)},
		{"en", nil},
	} {
		doc := bytes.Replace(b, []byte("<language>en</language>"), []byte("<language>"+tt.lang+"</language>"), 1)
		f, err := Parse(doc, "", testFeedURL, "src1", testNow, Options{})
		if err != nil {
			t.Fatalf("%s: %v", tt.lang, err)
		}
		if len(f.Items) != 4 {
			t.Fatalf("%s: %d items; want 4", tt.lang, len(f.Items))
		}
		for i, it := range f.Items {
			switch {
			case tt.want == nil && it.Dated:
				t.Errorf("%s: %s: dated %v; want undated", tt.lang, it.Title, it.Published)
			case tt.want != nil && (!it.Dated || !it.Published.Equal(tt.want[i])):
				t.Errorf("%s: %s: published %v dated %v; want %v", tt.lang, it.Title, it.Published, it.Dated, tt.want[i])
			}
		}
	}
}

// TestParseDatePSTPhilippines checks that PST in a feed whose language is
// Filipino or of the Philippines is Philippine Standard Time (UTC+08:00),
// as newsrooms there write it, where it was read as Pacific Standard Time
// and the item dated 16 hours late, or at the fetch when that was still to
// come; that a date with its offset in figures is read by it; and that PST
// in a feed of the United States is still Pacific Standard Time.
func TestParseDatePSTPhilippines(t *testing.T) {
	manila := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	pacific := time.Date(2024, 3, 2, 1, 0, 0, 0, time.UTC)
	checkDatesInLanguages(t, "dates-pst-ph.xml", "en-PH", []langDates{
		{"en-PH", []time.Time{manila, manila, manila, manila}},
		{"fil", []time.Time{manila, manila, manila, manila}},
		{"tl-ph", []time.Time{manila, manila, manila, manila}},
		{"en-US", []time.Time{pacific, pacific, pacific, manila}},
	})
}

// TestParseAtom03Created checks that an Atom 0.3 entry whose only readable
// date is its <created> is dated by it, where gofeed left it unread and
// the entry took the date of the one above it; an <issued> gofeed reads
// comes first.
func TestParseAtom03Created(t *testing.T) {
	f := mustParseFile(t, "atom03-created.xml", "")
	want := map[string]time.Time{
		"Issued and created":     time.Date(2004, 6, 4, 9, 0, 0, 0, time.UTC),
		"Created with an offset": time.Date(2004, 6, 3, 9, 0, 0, 0, time.UTC),
		"Issued unreadable":      time.Date(2004, 6, 2, 9, 0, 0, 0, time.UTC),
		"Created alone":          time.Date(2004, 6, 1, 9, 0, 0, 0, time.UTC),
	}
	checkDated(t, f, want, 1)
}

// TestParseMediaCredits checks that an item without an author of its own
// is credited to the names its Media RSS credits give the role of author,
// before its feed's, where it took its feed's author or none; that a
// picture's credits and credits of other roles name no author; and that
// the item's own author comes first.
func TestParseMediaCredits(t *testing.T) {
	f := mustParseFile(t, "rss-media-credit.xml", "")
	checkItems(t, f, "authors", func(it aggregator.Item) string { return strings.Join(it.Authors, "; ") }, []string{
		"Dana Reyes; Omar Lindqvist",
		"Priya Nair",
		"Sam Okafor",
		"Valley News Desk",
	})
}

// TestParseJSONEpochDates checks that a JSON Feed item dated in seconds or
// milliseconds since 1970, written as a number or as a string, is dated
// so, where a number was left out and the item took the time of the fetch.
func TestParseJSONEpochDates(t *testing.T) {
	f := mustParseFile(t, "jsonfeed-epoch.json", "application/feed+json")
	nine := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	checkItems(t, f, "date", func(it aggregator.Item) string {
		if !it.Dated {
			return "undated"
		}
		return it.Published.String()
	}, []string{nine.String(), nine.String(), nine.String(), "undated"})
}

// checkDated checks that each item of f titled as a key of want is dated
// at its value, and that the others, undated of them, are undated.
func checkDated(t *testing.T, f *Feed, want map[string]time.Time, undated int) {
	t.Helper()
	if len(f.Items) != len(want)+undated {
		t.Fatalf("%d items; want %d", len(f.Items), len(want)+undated)
	}
	for _, it := range f.Items {
		w, ok := want[it.Title]
		switch {
		case !ok && it.Dated:
			t.Errorf("%s: published %v, dated; want undated", it.Title, it.Published)
		case ok && (!it.Dated || !it.Published.Equal(w)):
			t.Errorf("%s: published %v dated %v; want %v", it.Title, it.Published, it.Dated, w)
		}
	}
}

// langDates is a language to read a feed in and the dates its items then
// take, in order.
type langDates struct {
	lang string
	want []time.Time
}

// checkDatesInLanguages reads the fixture name, whose <language> is lang,
// in the language of each case, and checks that its items are dated as the
// case says.
func checkDatesInLanguages(t *testing.T, name, lang string, cases []langDates) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("<language>"+lang+"</language>")) {
		t.Fatalf("%s has no <language>%s</language>", name, lang)
	}
	for _, tt := range cases {
		doc := bytes.Replace(b, []byte("<language>"+lang+"</language>"), []byte("<language>"+tt.lang+"</language>"), 1)
		f, err := Parse(doc, "", testFeedURL, "src1", testNow, Options{})
		if err != nil {
			t.Fatalf("%s: %v", tt.lang, err)
		}
		if len(f.Items) != len(tt.want) {
			t.Fatalf("%s: %d items; want %d", tt.lang, len(f.Items), len(tt.want))
		}
		for i, it := range f.Items {
			if !it.Dated || !it.Published.Equal(tt.want[i]) {
				t.Errorf("%s: %s: published %v dated %v; want %v", tt.lang, it.Title, it.Published, it.Dated, tt.want[i])
			}
		}
	}
}

// TestParseAuthorForms checks that an author written with an address
// ("Smith, John <j@…>", "Jane Doe (jane@…)", RSS 2.0's "jane@… (Jane
// Doe)", "Jane Doe <jane@…> | Wire") or as a byline ("By Jane Doe | Wire") is stored as the person's
// name in each format that holds it (RSS's <author>, dc:creator and
// managingEditor, Atom's <name>, JSON Feed's name), and that a comment in a name ("Jane Doe
// (Harbour Wire)") stays in it, where gofeed left such an author out.
func TestParseAuthorForms(t *testing.T) {
	tests := []struct{ text, want string }{
		{"Smith, John <john.smith@wire.example>", "Smith, John"},
		{`"Smith, John" <john.smith@wire.example>`, "Smith, John"},
		{"Jane Doe <jane@wire.example>", "Jane Doe"},
		{"Jane Doe (jane@wire.example)", "Jane Doe"},
		{"jane@wire.example (Jane Doe)", "Jane Doe"},
		{"Jane Doe (Harbour Wire)", "Jane Doe (Harbour Wire)"},
		{"By Jane Doe | Harbour Wire", "Jane Doe (Harbour Wire)"},
		{"by Jane Doe", "Jane Doe"},
		{"jane@wire.example", "jane@wire.example"}, // publish names the source and keeps the address
		{"Jack (Salty) Penrose", "Jack (Salty) Penrose"},
		{"Byron Hale", "Byron Hale"},
		{"Reporter | Photographer", "Reporter | Photographer"}, // no byline: no outlet after the bar
		{"By the numbers", "By the numbers"},                   // a column's name, not a byline
		{"By jane@wire.example", "jane@wire.example"},
		{"Jane Doe <jane@wire.example> | Harbour Wire", "Jane Doe (Harbour Wire)"}, // the address is none of the name's markup
		{"By Jane Doe <jane@wire.example> | Harbour Wire", "Jane Doe (Harbour Wire)"},
	}
	formats := []struct{ name, contentType, doc string }{
		{"RSS author", "application/rss+xml", `<rss version="2.0"><channel><title>T</title><link>https://wire.example/</link>` +
			`<item><title>One</title><link>https://wire.example/1</link><author>%s</author></item></channel></rss>`},
		{"dc:creator", "application/rss+xml", `<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title><link>https://wire.example/</link>` +
			`<item><title>One</title><link>https://wire.example/1</link><dc:creator>%s</dc:creator></item></channel></rss>`},
		{"RSS managingEditor", "application/rss+xml", `<rss version="2.0"><channel><title>T</title><link>https://wire.example/</link><managingEditor>%s</managingEditor>` +
			`<item><title>One</title><link>https://wire.example/1</link></item></channel></rss>`},
		{"Atom name", "application/atom+xml", `<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:x</id><updated>2024-01-01T00:00:00Z</updated>` +
			`<entry><title>One</title><id>https://wire.example/1</id><link href="https://wire.example/1"/><updated>2024-01-01T00:00:00Z</updated><author><name>%s</name></author></entry></feed>`},
		{"JSON Feed name", "application/feed+json", `{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[{"id":"1","url":"https://wire.example/1","title":"One","content_text":"x","authors":[{"name":%s}]}]}`},
	}
	for _, tt := range tests {
		for _, ft := range formats {
			text := html.EscapeString(tt.text)
			if ft.contentType == "application/feed+json" {
				b, _ := json.Marshal(tt.text)
				text = string(b)
			}
			f, err := Parse([]byte(fmt.Sprintf(ft.doc, text)), ft.contentType, testFeedURL, "s", testNow, Options{})
			if err != nil {
				t.Fatalf("%s %q: %v", ft.name, tt.text, err)
			}
			if len(f.Items) != 1 {
				t.Fatalf("%s %q: %d items; want 1", ft.name, tt.text, len(f.Items))
			}
			if got := f.Items[0].Authors; !slices.Equal(got, []string{tt.want}) {
				t.Errorf("%s %q: authors %q; want [%q]", ft.name, tt.text, got, tt.want)
			}
		}
	}
}

// TestAuthorAddressBeforeOutlet checks that Author reads an address
// followed by a bar and an outlet as it reads the address alone after a
// name, rather than as a tag of HTML that it drops.
func TestAuthorAddressBeforeOutlet(t *testing.T) {
	tests := []struct{ text, name, addr string }{
		{"Jane Doe <jane@wire.example> | Harbour Wire", "Jane Doe (Harbour Wire)", "jane@wire.example"},
		{"By Jane Doe <jane@wire.example> | Harbour Wire", "Jane Doe (Harbour Wire)", "jane@wire.example"},
		{"Jane Doe <jane@wire.example>|Harbour Wire", "Jane Doe (Harbour Wire)", "jane@wire.example"},
		{"Jane Doe <jane@wire.example>", "Jane Doe", "jane@wire.example"},
	}
	for _, tt := range tests {
		if name, addr := Author(tt.text); name != tt.name || addr != tt.addr {
			t.Errorf("Author(%q) = %q, %q; want %q, %q", tt.text, name, addr, tt.name, tt.addr)
		}
	}
}

// TestParseAuthorAddressAndName checks that an RSS item or channel whose
// <author> or managingEditor holds an address alone, as RSS 2.0 asks, and
// whose dc:creator or itunes:author names a person is written by the
// person, where the address was stored and the source's name published.
func TestParseAuthorAddressAndName(t *testing.T) {
	const ns = `xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"`
	tests := []struct {
		name, channel, item string
		want                []string
	}{
		{"author and dc:creator", "", `<author>jane@wire.example</author><dc:creator>Jane Doe</dc:creator>`, []string{"Jane Doe"}},
		{"author and itunes:author", "", `<author>jane@wire.example</author><itunes:author>Harbour Hour</itunes:author>`, []string{"Harbour Hour"}},
		{"author with a name", "", `<author>jane@wire.example (Jane Doe)</author><dc:creator>Desk</dc:creator>`, []string{"Jane Doe"}},
		{"author alone", "", `<author>jane@wire.example</author>`, []string{"jane@wire.example"}},
		{"managingEditor and dc:creator", `<managingEditor>desk@wire.example</managingEditor><dc:creator>Night Desk</dc:creator>`, "", []string{"Night Desk"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := `<rss version="2.0" ` + ns + `><channel><title>Wire</title><link>https://wire.example/</link>` + tt.channel +
				`<item><title>One</title><link>https://wire.example/1</link>` + tt.item + `</item></channel></rss>`
			f, err := Parse([]byte(doc), "application/rss+xml", testFeedURL, "s", testNow, Options{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(f.Items) != 1 || !slices.Equal(f.Items[0].Authors, tt.want) {
				t.Errorf("items %+v; want one by %q", f.Items, tt.want)
			}
		})
	}
}

// TestParseWebMasterIsNoAuthor checks that an RSS channel's webMaster, the
// address for the feed's technical problems, is not taken for the author
// of its items: a news finder's headlines and an agency's notices name no
// author, and a podcast's episodes name the show's itunes:author, while a
// managingEditor, who answers for the content, still counts.
func TestParseWebMasterIsNoAuthor(t *testing.T) {
	const item = `<item><title>Buoy off station</title><link>https://msa.example/n/112</link></item>`
	tests := []struct {
		name    string
		channel string
		authors []string
	}{
		{"webMaster alone", `<webMaster>webmaster@msa.example</webMaster>`, nil},
		{"webMaster with a name", `<webMaster>webmaster@msa.example (Web Team)</webMaster>`, nil},
		{"webMaster and itunes:author", `<webMaster>hosting@podhost.example</webMaster><itunes:author>Harbour Hour</itunes:author>`, []string{"Harbour Hour"}},
		{"webMaster and dc:creator", `<webMaster>hosting@blogs.example</webMaster><dc:creator>Morwenna Tregarthen</dc:creator>`, []string{"Morwenna Tregarthen"}},
		{"managingEditor and webMaster", `<managingEditor>editor@msa.example (Notices Desk)</managingEditor><webMaster>webmaster@msa.example</webMaster>`, []string{"Notices Desk"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := `<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Notices</title><link>https://msa.example/</link>` +
				tt.channel + item + `</channel></rss>`
			f, err := Parse([]byte(doc), "application/rss+xml", testFeedURL, "s", testNow, Options{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkFeed(t, tt.name, f)
			if len(f.Items) != 1 {
				t.Fatalf("%d items; want 1", len(f.Items))
			}
			if got := f.Items[0].Authors; !slices.Equal(got, tt.authors) {
				t.Errorf("authors %q; want %q", got, tt.authors)
			}
		})
	}
}

// TestParseRedditLinkPost checks that a Reddit post of a page, which ends
// in "[link]" to the page and "[comments]" to the post, names the page as
// its original, while a post of text alone, whose "[link]" is its own
// page, names nothing.
func TestParseRedditLinkPost(t *testing.T) {
	post := func(id, link, body string) string {
		c := body + ` &#32; submitted by &#32; <a href="https://www.reddit.example/user/tess"> /u/tess </a> <br/> <span><a href="` + link + `">[link]</a></span> &#32; <span><a href="https://www.reddit.example/r/sailing/comments/` + id + `/">[comments]</a></span>`
		return `<entry><id>t3_` + id + `</id><title>Post ` + id + `</title><link href="https://www.reddit.example/r/sailing/comments/` + id + `/"/><updated>2024-03-01T10:00:00Z</updated><content type="html">` + html.EscapeString(c) + `</content></entry>`
	}
	doc := `<feed xmlns="http://www.w3.org/2005/Atom"><title>sailing</title><id>/r/sailing</id>` +
		post("a1", "https://coastnews.example/2024/03/01/marina-dredging", "") +
		post("a2", "https://www.reddit.example/r/sailing/comments/a2/", `<div><p>My jib sheets keep fouling.</p></div>`) + `</feed>`
	f, err := Parse([]byte(doc), "application/atom+xml", testFeedURL, "s", testNow, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkFeed(t, "reddit", f)
	want := [][]string{{"https://coastnews.example/2024/03/01/marina-dredging"}, nil}
	if len(f.Items) != len(want) {
		t.Fatalf("%d items; want %d", len(f.Items), len(want))
	}
	for i, it := range f.Items {
		if !slices.Equal(it.OriginLinks, want[i]) {
			t.Errorf("%s: OriginLinks %q; want %q", it.Title, it.OriginLinks, want[i])
		}
	}
}

// TestParseDateYearLastComma checks that a date in figures with the year
// last and a comma before its time ("03/04/2026, 10:15") tells the feed's
// order of day and month as one without the comma does: a feed of no
// language whose other date has its day past 12 ("13/02/2024, 10:15")
// writes the day first, where the comma left both dates out of that
// count and the one whose figures could each be the day stayed unread.
func TestParseDateYearLastComma(t *testing.T) {
	f := mustParseFile(t, "dates-year-last-comma.xml", "")
	checkDated(t, f, map[string]time.Time{
		"Berth four closed": time.Date(2024, 2, 13, 10, 15, 0, 0, time.UTC),
		"Dredging resumes":  time.Date(2024, 2, 3, 10, 15, 0, 0, time.UTC),
	}, 0)
}

// TestParsePortOutOfRange checks that a URL whose port is past 65535
// ("http://example.org:99999/"), which browsers and readers drop as
// invalid, is not the item's link nor kept in its HTML, as other invalid
// URLs are not, and that a URL with a port in range is kept.
func TestParsePortOutOfRange(t *testing.T) {
	f := mustParseFile(t, "port-out-of-range.xml", "")
	if len(f.Items) != 1 {
		t.Fatalf("%d items; want 1", len(f.Items))
	}
	it := f.Items[0]
	if strings.Contains(it.Link, "99999") || strings.Contains(it.CanonicalLink, "99999") {
		t.Errorf("link %q, canonical %q; want neither the link with port 99999", it.Link, it.CanonicalLink)
	}
	for _, bad := range []string{"70000", "123456"} {
		if strings.Contains(it.Summary, bad) {
			t.Errorf("summary %q keeps the URL with port %s", it.Summary, bad)
		}
	}
	if !strings.Contains(it.Summary, `href="https://lighthouse.example.org:8443/log/old-lamp"`) {
		t.Errorf("summary %q lost the link with port 8443", it.Summary)
	}
	for _, tt := range []struct{ in, want string }{
		{"http://example.org:99999/a", ""},
		{"http://example.org:65535/a", "http://example.org:65535/a"},
	} {
		if got := CanonicalURL(tt.in); got != tt.want {
			t.Errorf("CanonicalURL(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestParseJSONAuthorURLs checks that a JSON Feed author given by a
// "mailto:" URL alone, in an item's "authors" or "author" or the feed's,
// is that address, which is published as the author's address, where it
// was left out and the item took no author or the feed's; and that an
// author given by a web URL alone is left out, not named by the URL.
func TestParseJSONAuthorURLs(t *testing.T) {
	f := mustParseFile(t, "json-author-urls.json", "application/feed+json")
	want := map[string][]string{
		"Winter ferry timetable published": {"Transport.Desk@gazette.example.org"},
		"Library opens on Sundays":         {"civic@gazette.example.org"},
		"Bridge repairs begin":             {"Tomas Reyes"},
		"Market day moves to Saturday":     {"newsdesk@gazette.example.org"},
		"School roof to be replaced":       {"Ilse Brandt"},
	}
	if len(f.Items) != len(want) {
		t.Fatalf("%d items; want %d", len(f.Items), len(want))
	}
	for _, it := range f.Items {
		if w := want[it.Title]; !slices.Equal(it.Authors, w) {
			t.Errorf("%s: authors %q; want %q", it.Title, it.Authors, w)
		}
	}
}

// TestParsePortOutOfRangeRelative checks that a link or picture in item
// HTML written as a reference the sanitising policy takes for relative
// ("//example.org:99999/x", "http:///example.org:99999/"), whose port is
// past 65535, is dropped as the absolute one is: the link keeps its text
// and the picture its alt, without the URL; one with a port in range is
// kept.
func TestParsePortOutOfRangeRelative(t *testing.T) {
	f := mustParseFile(t, "port-out-of-range-relative.xml", "")
	if len(f.Items) != 1 {
		t.Fatalf("%d items; want 1", len(f.Items))
	}
	sum := f.Items[0].Summary
	for _, bad := range []string{"99999", "88888", "70000"} {
		if strings.Contains(sum, bad) {
			t.Errorf("summary %q keeps the URL with port %s", sum, bad)
		}
	}
	for _, want := range []string{"took berth four", "its crew", `alt="The dredger at berth four"`,
		`href="https://harbour.example.net:8080/notes/tides"`} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary %q lost %s", sum, want)
		}
	}
}

// TestParseURLTooLong checks that a feed's site, an item's link or one of
// its media files longer than 8 KiB, which no web server takes in a
// request, is dropped, as an invalid URL is, and the item and the rest of
// the feed read; a URL of 8 KiB is kept.
func TestParseURLTooLong(t *testing.T) {
	long := "https://desk.example/" + strings.Repeat("l", 100<<10)
	fits := "https://desk.example/" + strings.Repeat("k", 8<<10-len("https://desk.example/"))
	doc := `<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title><link>` + long + `</link>` +
		`<item><title>Harbour wall repaired</title><guid>wall-1</guid><link>` + long + `</link>` +
		`<enclosure url="` + long + `.mp3" type="audio/mpeg" length="100"/>` +
		`<enclosure url="https://desk.example/wall.mp3" type="audio/mpeg" length="100"/>` +
		`<description>The harbour wall stands again.</description></item>` +
		`<item><title>Ferry runs again</title><guid>ferry-1</guid><link>` + fits + `</link>` +
		`<description>The ferry to Kelso runs again.</description></item></channel></rss>`
	f, err := Parse([]byte(doc), "application/rss+xml", testFeedURL, "src1", testNow, Options{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(f.Items) != 2 {
		t.Fatalf("%d items; want 2", len(f.Items))
	}
	if f.SiteURL != "" {
		t.Errorf("site URL of %d bytes; want none", len(f.SiteURL))
	}
	it := f.Items[0]
	if it.Link != "" || it.CanonicalLink != "" {
		t.Errorf("item %q: link of %d bytes, canonical link of %d; want none", it.Title, len(it.Link), len(it.CanonicalLink))
	}
	if len(it.Enclosures) != 1 || it.Enclosures[0].URL != "https://desk.example/wall.mp3" {
		t.Errorf("item %q: %d enclosures; want the one of a short URL", it.Title, len(it.Enclosures))
	}
	if got := f.Items[1]; got.Link != fits {
		t.Errorf("item %q: link of %d bytes; want the link of %d", got.Title, len(got.Link), len(fits))
	}
}

// TestParseGUIDTooLong checks that a GUID longer than 8 KiB, which no real
// feed sends, is kept as its digest: the item is stored without it, under
// the same id at every fetch, and two such GUIDs that differ past their
// first 8 KiB still tell their items apart.
func TestParseGUIDTooLong(t *testing.T) {
	long := "https://desk.example/" + strings.Repeat("g", 1<<20)
	doc := `<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>` +
		`<item><title>Harbour wall repaired</title><guid>` + long + `1</guid><description>The harbour wall stands again.</description></item>` +
		`<item><title>Ferry runs again</title><guid>` + long + `2</guid><description>The ferry to Kelso runs again.</description></item>` +
		`<item><title>Market opens</title><guid>market-1</guid><description>The winter market opens on Friday.</description></item>` +
		`</channel></rss>`
	parse := func() *Feed {
		f, err := Parse([]byte(doc), "application/rss+xml", testFeedURL, "src1", testNow, Options{})
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		if len(f.Items) != 3 {
			t.Fatalf("%d items; want 3", len(f.Items))
		}
		return f
	}
	f, again := parse(), parse()
	for i, it := range f.Items[:2] {
		if len(it.GUID) > 64 || !strings.HasPrefix(it.GUID, "sha256:") {
			t.Errorf("item %q: GUID of %d bytes, %.40q; want its digest", it.Title, len(it.GUID), it.GUID)
		}
		if again.Items[i].ID != it.ID {
			t.Errorf("item %q: id %s, then %s; want the same at every fetch", it.Title, it.ID, again.Items[i].ID)
		}
	}
	if f.Items[0].ID == f.Items[1].ID {
		t.Errorf("two items whose GUIDs differ at their end share the id %s", f.Items[0].ID)
	}
	if f.Items[2].GUID != "market-1" {
		t.Errorf("item %q: GUID %q; want market-1", f.Items[2].Title, f.Items[2].GUID)
	}
}

// TestParseMediaTypeTooLong checks that an enclosure's type longer than a
// media type can be is dropped, the file then typed by its extension as
// one without a type is, rather than stored with the item and published
// in every topic feed that takes its story; a type with parameters is
// kept.
func TestParseMediaTypeTooLong(t *testing.T) {
	doc := `<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>` +
		`<item><title>Harbour wall repaired</title><guid>wall-1</guid><link>https://desk.example/wall</link>` +
		`<enclosure url="https://desk.example/wall.mp3" type="audio/` + strings.Repeat("x", 100<<10) + `" length="100"/>` +
		`<enclosure url="https://desk.example/wall.mp4" type="video/mp4; codecs=&quot;avc1.42E01E, mp4a.40.2&quot;" length="200"/>` +
		`<description>The harbour wall stands again.</description></item></channel></rss>`
	f, err := Parse([]byte(doc), "application/rss+xml", testFeedURL, "src1", testNow, Options{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(f.Items) != 1 || len(f.Items[0].Enclosures) != 2 {
		t.Fatalf("items %+v; want one with two enclosures", f.Items)
	}
	enc := f.Items[0].Enclosures
	if enc[0].Type != "" {
		t.Errorf("enclosure %s: type of %d bytes; want none", enc[0].URL, len(enc[0].Type))
	}
	if want := `video/mp4; codecs="avc1.42e01e, mp4a.40.2"`; enc[1].Type != want {
		t.Errorf("enclosure %s: type %q; want %q", enc[1].URL, enc[1].Type, want)
	}
}

// TestParseQuotedAuthors checks that an author whose name the feed gives
// in quotation marks, as a photo site credits every upload
// ("nobody@photos.example ("Ishbel Grant")"), is named without them, while
// a name that only holds a quotation, a nickname, keeps it.
func TestParseQuotedAuthors(t *testing.T) {
	f := mustParseFile(t, "rss-quoted-authors.xml", "")
	want := [][]string{
		{"Ishbel Grant"},
		{"Ishbel Grant"},
		{`Jack "Salty" Penrose`},
		{`"Salty" and "Moorhen"`},
	}
	checkItems(t, f, "authors", func(it aggregator.Item) []string { return it.Authors }, want)
}

// TestParseAlertAreas checks that an alert of a weather service's feed
// (Common Alerting Protocol in Atom) names the areas it is for after its
// text, where its title and its summary, cut short, do not, and takes its
// kind as a category, while a text that names the areas is left as it is.
func TestParseAlertAreas(t *testing.T) {
	f := mustParseFile(t, "atom-cap-alerts.xml", "")
	texts := []string{
		"<p>...WINTER WEATHER ADVISORY IN EFFECT FROM 6 PM THIS EVENING TO 6 PM CST SUNDAY... Areas: Cedar; Dunmore &amp; Elm Valley.</p>",
		"* WHAT...Heavy snow expected. * WHERE...Alder County.",
		"<p>Rivers may overflow after the snow melts.</p><p>Areas: Fernhill.</p>",
		"* WHAT...Gusts up to 50 mph. * WHERE...CEDAR AND DUNMORE COUNTIES.",
	}
	checkItems(t, f, "text", func(it aggregator.Item) string { return it.Summary + it.Content }, texts)
	cats := [][]string{{"Winter Weather Advisory"}, {"Winter Storm Warning"}, {"Flood Watch"}, {"Wind Advisory"}}
	checkItems(t, f, "categories", func(it aggregator.Item) []string { return it.Categories }, cats)
}

// TestParseRDFEnclosures checks that an RSS 1.0 item's enclosures in the
// enclosure module (enc:enclosure), the pictures of a classified ads feed,
// are its enclosures, with their attributes in either form.
func TestParseRDFEnclosures(t *testing.T) {
	f := mustParseFile(t, "rdf-enclosures.rdf", "")
	want := [][]aggregator.Enclosure{
		{{URL: "https://images.listings.example/00a0a_dinghy1_600x450.jpg", Type: "image/jpeg"}},
		{{URL: "https://images.listings.example/00b0b_outboard.jpg", Type: "image/jpeg", Length: 48213}},
	}
	checkItems(t, f, "enclosures", func(it aggregator.Item) []aggregator.Enclosure { return it.Enclosures }, want)
}

// TestParseSessionRecords checks that the items of a conference programme
// without GUIDs, each at the link of its session ("?sessionid=101"), are
// known by their own links, where the number was dropped as a session id:
// the items shared one canonical link and were told apart by their place
// in the feed, so that a session added at the top took the GUID, and the
// stored item, of the one below it.
func TestParseSessionRecords(t *testing.T) {
	doc := `<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Conference</title>` +
		`<item><title>Opening: the port in 2030</title><link>https://conf.example/program.php?sessionid=101</link>` +
		`<description>The harbour master opens the conference.</description></item>` +
		`<item><title>Dredging the outer channel</title><link>https://conf.example/program.php?sessionid=102</link>` +
		`<description>Engineers on the new channel works.</description></item></channel></rss>`
	f, err := Parse([]byte(doc), "application/rss+xml", testFeedURL, "src1", testNow, Options{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(f.Items) != 2 {
		t.Fatalf("%d items; want 2", len(f.Items))
	}
	for _, it := range f.Items {
		if it.GUID != it.Link || it.CanonicalLink != it.Link {
			t.Errorf("item %q at %s: GUID %q, canonical link %q; want its link", it.Title, it.Link, it.GUID, it.CanonicalLink)
		}
	}
}

// TestItemLanguage checks the language each item keeps: an RSS item's
// dc:language, else its channel's, in canonical form; a JSON Feed item's,
// else its feed's; an Atom entry's xml:lang, else its feed's, and none for
// an entry whose xml:lang is ""; and none for a feed that declares none or
// something that is no language tag.
func TestItemLanguage(t *testing.T) {
	rss := func(channel, item string) string {
		return `<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title>` +
			`<link>https://site.example/</link><description>d</description>` + channel +
			`<item><title>One</title><link>https://site.example/1</link>` + item + `</item></channel></rss>`
	}
	tests := []struct {
		name, body, contentType, want string
	}{
		{"RSS channel", rss("<language>ar</language>", ""), "application/rss+xml", "ar"},
		{"RSS channel in small letters", rss("<language> en-us </language>", ""), "application/rss+xml", "en-US"},
		{"RSS channel with an underscore", rss("<language>pt_BR</language>", ""), "application/rss+xml", "pt-BR"},
		{"RSS item's dc:language", rss("<language>en</language>", "<dc:language>fa</dc:language>"), "application/rss+xml", "fa"},
		{"RSS channel's dc:language", rss("<dc:language>tr</dc:language>", ""), "application/rss+xml", "tr"},
		{"RSS without a language", rss("", ""), "application/rss+xml", ""},
		{"RSS with no language tag", rss("<language>English (UK)</language>", ""), "application/rss+xml", ""},
		{"Atom xml:lang", `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="he"><title>T</title><id>urn:x</id>` +
			`<entry><title>One</title><id>urn:1</id><link href="https://site.example/1"/></entry></feed>`, "application/atom+xml", "he"},
		{"Atom entry's xml:lang", `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>T</title><id>urn:x</id>` +
			`<entry xml:lang="ar-EG"><title>One</title><id>urn:1</id><link href="https://site.example/1"/><content xml:lang="fr">x</content></entry></feed>`, "application/atom+xml", "ar-EG"},
		{"Atom entry's xml:lang under a prefix", `<a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:title>T</a:title><a:id>urn:x</a:id>` +
			`<a:entry xml:lang="ku"><a:title>One</a:title><a:id>urn:1</a:id><a:link href="https://site.example/1"/></a:entry></a:feed>`, "application/atom+xml", "ku"},
		{"Atom xml:lang inside an entry", `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>T</title><id>urn:x</id>` +
			`<entry><title>One</title><id>urn:1</id><link href="https://site.example/1"/><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p xml:lang="fr">x</p></div></content></entry></feed>`, "application/atom+xml", "en"},
		{"Atom entry's xml:lang in a feed that breaks off", `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>T</title><id>urn:x</id>` +
			`<entry xml:lang="ar"><title>One</title><id>urn:1</id><link href="https://site.example/1"/></entry><entry xml:lang="fa"><title>Tw`, "application/atom+xml", "ar"},
		{"Atom entry's empty xml:lang", `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>T</title><id>urn:x</id>` +
			`<entry xml:lang=""><title>One</title><id>urn:1</id><link href="https://site.example/1"/></entry></feed>`, "application/atom+xml", ""},
		{"JSON Feed", `{"version":"https://jsonfeed.org/version/1.1","title":"T","language":"de",` +
			`"items":[{"id":"1","url":"https://site.example/1","title":"One","content_text":"x"}]}`, "application/feed+json", "de"},
		{"JSON Feed item", `{"version":"https://jsonfeed.org/version/1.1","title":"T","language":"de",` +
			`"items":[{"id":"1","url":"https://site.example/1","title":"One","content_text":"x","language":"ur"}]}`, "application/feed+json", "ur"},
	}
	for _, tt := range tests {
		f, err := Parse([]byte(tt.body), tt.contentType, testFeedURL, "src1", testNow, Options{})
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if len(f.Items) != 1 || f.Items[0].Language != tt.want {
			t.Errorf("%s: items %+v; want one in language %q", tt.name, f.Items, tt.want)
		}
	}
}

// TestParseCategoriesAreText checks that a category, plain text in RSS
// (the element's text), Atom (the term and label attributes) and JSON
// Feed, keeps a "<" it holds as a character: "x&lt;y&gt;" is the category
// "x<y>", not "x" with a tag dropped.
func TestParseCategoriesAreText(t *testing.T) {
	rss := mustParseFile(t, "rss-category-text.xml", "")
	checkItems(t, rss, "categories", func(it aggregator.Item) []string { return it.Categories },
		[][]string{{"x<y>", "Load <40t>", "Tides & Weather"}})
	atom := mustParseFile(t, "atom-category-text.xml", "")
	checkItems(t, atom, "categories", func(it aggregator.Item) []string { return it.Categories },
		[][]string{{"a<b>", "Load <40t>"}})
	checkItems(t, atom, "category terms", func(it aggregator.Item) []string { return it.CategoryTerms },
		[][]string{{"cranes"}})
}

// TestParseCategoryMarkup checks that a category that holds markup, an
// element with its end tag that a source wrote as elements, in CDATA or
// escaped, or a reference to a character in CDATA, is read as a reader
// shows it, in every format: "<p>Harbour Works</p>" is the category
// "Harbour Works", as a topic's categories compare it and every format
// publishes it. A "<" that opens no such element stays a character.
func TestParseCategoryMarkup(t *testing.T) {
	rss := mustParseFile(t, "rss-category-markup.xml", "")
	checkItems(t, rss, "categories", func(it aggregator.Item) []string { return it.Categories },
		[][]string{{"Harbour Works", "Shipping News", "Tides", "Locks & Weirs", "x<y>", "Load <40t>"}})
	atom := mustParseFile(t, "atom-category-markup.xml", "")
	checkItems(t, atom, "categories", func(it aggregator.Item) []string { return it.Categories },
		[][]string{{"Harbour Works", "a<b>"}})
	json := mustParseFile(t, "json-category-markup.json", "application/feed+json")
	checkItems(t, json, "categories", func(it aggregator.Item) []string { return it.Categories },
		[][]string{{"Harbour Works", "x<y>"}})
}

// TestParseJSONTitleIsText checks that a JSON Feed's title and its items',
// plain text as JSON Feed says, keep a "<" that opens no element as a character
// ("Vec<T>", "a<b"), where it was read as a tag and dropped with what
// followed, while one that holds markup (holdsMarkup) is read as a reader
// shows it, as a category is.
func TestParseJSONTitleIsText(t *testing.T) {
	f := mustParseFile(t, "json-title-text.json", "application/feed+json")
	if want := "Yard Notes: Vec<T> & co"; f.Title != want {
		t.Errorf("feed title %q; want %q", f.Title, want)
	}
	checkItems(t, f, "title", func(it aggregator.Item) string { return it.Title },
		[]string{"Why Vec<T> beats a list", "if a<b then swap", "Tom & Jerry <3", "Bold move by the yard"})
}

// TestParseAtomFeedTitleType checks that an Atom feed's own title, which
// names its source where the config gives none, is read as its type says,
// as an entry's is: one of type text keeps its "<" and "&" as characters
// ("Notes on <blink> & other tags"), where it was read as HTML and named
// the source "Notes on & other tags"; one of type html drops its tags.
func TestParseAtomFeedTitleType(t *testing.T) {
	for _, tt := range []struct{ file, want string }{
		{"atom-feed-title-text.xml", "Notes on <blink> & other tags"},
		{"atom-feed-title-html.xml", "Tag Notes"},
	} {
		if f := mustParseFile(t, tt.file, ""); f.Title != tt.want {
			t.Errorf("Parse(%s): feed title %q; want %q", tt.file, f.Title, tt.want)
		}
	}
}

// TestCreditWordEndingAWord checks that a word that ends in the word for
// "source" after a vowel sign ("ऊर्जास्रोत:", source of energy) credits
// no original with the link after it, where "स्रोत:" on its own does.
func TestCreditWordEndingAWord(t *testing.T) {
	f := mustParseFile(t, "rss-credit-word-inside.xml", "application/rss+xml")
	want := map[string][]string{
		"https://gram.example/2024/03/rampur-solar": nil,
		"https://gram.example/2024/03/canal-repair": {"https://zila.example/news/canal-repair-begins"},
	}
	for _, it := range f.Items {
		if !slices.Equal(it.OriginLinks, want[it.Link]) {
			t.Errorf("%s names %q as its original; want %q", it.Link, it.OriginLinks, want[it.Link])
		}
	}
}

// TestParseRedirectOrigins checks that an item at a redirect link, or whose
// text is one such link, names the page the redirect carries in its query
// as its original: a news finder links each headline through its own
// redirect ("…/url?…&url=https%3A%2F%2F…"), which is no page of the report,
// so that the report it stands for was not named. A parameter that leads
// back to the link's own host, or two that lead to two pages, name none;
// nor does an address in a parameter that tells where the reader came from
// or goes back to (a digest's issue in "ref", a topic page in
// "utm_referrer", a section in "return_to", a login's callback in
// "redirect_uri"), which an article's own link carries as well, and which
// two reports would each name; beside the address a redirect leads to
// ("apiclick.aspx?ref=…&url=…"), it leaves that address to name.
func TestParseRedirectOrigins(t *testing.T) {
	f := mustParseFile(t, "redirects.xml", "")
	want := map[string][]string{
		"Ferry sails again after repairs - Origin Daily": {"https://origin.example/2024/ferry-sails-again"},
		"Harbour toll goes up in May":                    {"https://origin.example/2024/harbour-toll"},
		"Ferry timetable for the summer":                 nil,
		"Two ferries, two links":                         nil,
		"Dam contract goes to a local builder":           nil,
		"Comet passes closest on Friday night":           nil,
		"Tram vote put off to June":                      nil,
		"Old bridge shuts for a week":                    nil,
		"Library reopens after the flood - Origin Daily": {"https://origin.example/2024/library-reopens"},
	}
	if len(f.Items) != len(want) {
		t.Fatalf("%d items; want %d", len(f.Items), len(want))
	}
	for _, it := range f.Items {
		if !slices.Equal(it.OriginLinks, want[it.Title]) {
			t.Errorf("item %s: OriginLinks %q; want %q", it.Title, it.OriginLinks, want[it.Title])
		}
	}
}
