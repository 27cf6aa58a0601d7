package topic_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/topic"
)

var testSources = []aggregator.SourceConfig{
	{URL: "https://bbc.example/world.rss", Name: "BBC World"},
	{URL: "https://wire.example/feed.xml", Name: "Wire"},
	{URL: "https://blog.example/atom.xml"}, // no name: named by URL
}

func srcID(i int) string { return aggregator.SourceID(testSources[i].URL) }

func mustCompile(t testing.TB, topics ...aggregator.TopicConfig) *topic.Set {
	t.Helper()
	s, err := topic.Compile(topics, testSources)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return s
}

func text(fields ...string) aggregator.StoryText {
	return aggregator.StoryText{Fields: fields, Sources: []string{srcID(2)}}
}

// TestRules has cases for each kind of rule, alone, with a topic "t" and
// the built-in "all".
func TestRules(t *testing.T) {
	tests := []struct {
		name  string
		topic aggregator.TopicConfig
		story aggregator.StoryText
		want  bool
	}{
		{"sources by name", aggregator.TopicConfig{Sources: []string{"BBC World"}},
			aggregator.StoryText{Fields: []string{"x"}, Sources: []string{srcID(1), srcID(0)}}, true},
		{"sources by URL", aggregator.TopicConfig{Sources: []string{"https://blog.example/atom.xml"}},
			aggregator.StoryText{Sources: []string{srcID(2)}}, true},
		{"sources, other source", aggregator.TopicConfig{Sources: []string{"BBC World"}},
			aggregator.StoryText{Fields: []string{"BBC World"}, Sources: []string{srcID(1)}}, false},
		{"any, one appears", matchAny("Xi Jinping", "Blinken"), text("Blinken lands in Beijing"), true},
		{"any, none appears", matchAny("Xi Jinping", "Blinken"), text("Tokyo markets"), false},
		{"all, every one", aggregator.TopicConfig{Match: aggregator.MatchConfig{All: []string{"China", "Taiwan"}}}, text("China", "and Taiwan"), true},
		{"all, one missing", aggregator.TopicConfig{Match: aggregator.MatchConfig{All: []string{"China", "Taiwan"}}}, text("China only"), false},
		{"none alone, absent", aggregator.TopicConfig{Match: aggregator.MatchConfig{None: []string{"football"}}}, text("politics"), true},
		{"none alone, present", aggregator.TopicConfig{Match: aggregator.MatchConfig{None: []string{"football"}}}, text("Football results"), false},
		{"any and none", aggregator.TopicConfig{Match: aggregator.MatchConfig{Any: []string{"China"}, None: []string{"football"}}}, text("China football team"), false},
		{"any, a prefix", matchAny("econom*", "inflation"), text("Economists expect a slowdown"), true},
		{"any, a prefix starts the word", matchAny("econom*"), text("Macroeconomics class"), false},
		{"none, a prefix", aggregator.TopicConfig{Match: aggregator.MatchConfig{Any: []string{"China"}, None: []string{"footb*"}}}, text("China's footballers"), false},
		{"query, a prefix in a phrase", aggregator.TopicConfig{Match: aggregator.MatchConfig{Query: `"prime minist*" AND Japan`}}, text("Japan's Prime Ministership"), true},
		{"query", aggregator.TopicConfig{Match: aggregator.MatchConfig{Query: "Taiwan OR Beijing NOT sport"}}, text("Beijing summit"), true},
		{"query false", aggregator.TopicConfig{Match: aggregator.MatchConfig{Query: "Taiwan OR Beijing NOT sport"}}, text("Beijing sport"), false},
		{"categories, case-insensitive", matchCategories("Technology"),
			aggregator.StoryText{Categories: []string{"world", "TECHNOLOGY"}}, true},
		{"categories, case-insensitive beyond ASCII", matchCategories("ΑΘΛΗΤΙΣΜΟΣ"), // final sigma
			aggregator.StoryText{Categories: []string{"Αθλητισμος"}}, true},
		{"categories, spaces inside", matchCategories("World  News"),
			aggregator.StoryText{Categories: []string{"World News"}}, true},
		{"categories, spaces around", matchCategories("World News"),
			aggregator.StoryText{Categories: []string{" World\u00a0News\t"}}, true},
		{"categories, fullwidth", matchCategories("Technology"),
			aggregator.StoryText{Categories: []string{"ＴＥＣＨＮＯＬＯＧＹ"}}, true},
		{"categories, fullwidth in the rule", matchCategories("ＴＥＣＨＮＯＬＯＧＹ"),
			aggregator.StoryText{Categories: []string{"technology"}}, true},
		{"categories, full case folding", matchCategories("Straße"),
			aggregator.StoryText{Categories: []string{"STRASSE"}}, true},
		{"categories, decomposed", matchCategories("Économie"),
			aggregator.StoryText{Categories: []string{"E\u0301conomie"}}, true},
		{"categories, accents count", matchCategories("Économie"),
			aggregator.StoryText{Categories: []string{"Economie"}}, false},
		{"categories, exact", matchCategories("Technology"),
			aggregator.StoryText{Categories: []string{"Technology news"}}, false},
		{"categories, a part of a path", matchCategories("Europe"),
			aggregator.StoryText{Categories: []string{"World / Europe"}}, true},
		{"categories, the top of a path", matchCategories("world"),
			aggregator.StoryText{Categories: []string{"News > World > Europe"}}, true},
		{"categories, a part of a list", matchCategories("Crime"),
			aggregator.StoryText{Categories: []string{"UK,crime"}}, true},
		{"categories, a fullwidth list", matchCategories("Crime"),
			aggregator.StoryText{Categories: []string{"UK，Crime"}}, true},
		{"categories, a part of a Japanese list", matchCategories("経済"),
			aggregator.StoryText{Categories: []string{"政治・経済"}}, true},
		{"categories, a part of a Chinese list", matchCategories("亚洲"),
			aggregator.StoryText{Categories: []string{"国际、亚洲"}}, true},
		{"categories, Greek capitals", matchCategories("Αθλητισμός"),
			aggregator.StoryText{Categories: []string{"ΑΘΛΗΤΙΣΜΟΣ"}}, true},
		{"categories, the whole path", matchCategories("World/Europe"),
			aggregator.StoryText{Categories: []string{"world/europe"}}, true},
		{"categories, parts are exact", matchCategories("Europe"),
			aggregator.StoryText{Categories: []string{"World / Eastern Europe"}}, false},
		{"categories and any", aggregator.TopicConfig{Match: aggregator.MatchConfig{Any: []string{"chip"}, Categories: []string{"Technology"}}},
			aggregator.StoryText{Fields: []string{"New chip"}, Categories: []string{"Science"}}, false},
		{"categories count as text", matchAny("Elections"),
			aggregator.StoryText{Fields: []string{"Polls close"}, Categories: []string{"US Elections 2024"}}, true},
		{"sources or match: source", aggregator.TopicConfig{Sources: []string{"Wire"}, Match: aggregator.MatchConfig{Any: []string{"Taiwan"}}},
			aggregator.StoryText{Fields: []string{"markets"}, Sources: []string{srcID(1)}}, true},
		{"sources or match: match", aggregator.TopicConfig{Sources: []string{"Wire"}, Match: aggregator.MatchConfig{Any: []string{"Taiwan"}}},
			text("Taiwan votes"), true},
		{"sources or match: neither", aggregator.TopicConfig{Sources: []string{"Wire"}, Match: aggregator.MatchConfig{Any: []string{"Taiwan"}}},
			text("markets"), false},
	}
	for _, tt := range tests {
		tt.topic.ID, tt.topic.Title = "t", "T"
		s := mustCompile(t, tt.topic)
		got := s.Tag(tt.story)
		want := []string{"all"}
		if tt.want {
			want = append(want, "t")
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: Tag(%+v) = %q; want %q", tt.name, tt.story, got, want)
		}
	}
}

func matchAny(phrases ...string) aggregator.TopicConfig {
	return aggregator.TopicConfig{Match: aggregator.MatchConfig{Any: phrases}}
}

func matchCategories(cats ...string) aggregator.TopicConfig {
	return aggregator.TopicConfig{Match: aggregator.MatchConfig{Categories: cats}}
}

func TestWordBoundaries(t *testing.T) {
	tests := []struct {
		phrase string
		field  string
		want   bool
	}{
		{"AI", "He said so", false},
		{"AI", "New AI rules", true},
		{"AI", "AI-powered search", true},
		{"AI", "#AI", true},
		{"AI", "AIs and robots", false},
		{"US", "the bus stopped", false},
		{"US", "US troops", true},
		{"US", "China-US talks", true},
		{"US", "us and them", false},  // an acronym in capitals is not the word in small letters
		{"US", "Us and them", false},  // nor, being a common word too, with a capital
		{"NATO", "Nato allies", true}, // one that is not matches in any case
		{"IT", "It is raining", false},
		{"IT", "IT budgets", true},
		{"WHO", "Who said so?", false},
		{"WHO", "W.H.O. officials", true},
		{"WHO", "who said so", false},
		{"WHO", "WHO says", true},
		{"NATO", "Nato allies", true},
		{"nato", "NATO allies", true},
		{"us", "US troops", true},
		{"COVID-19", "covid-19 cases", true}, // five capitals: not taken as an acronym
		{"U.S.", "us and them", false},
		{"US", "U.S. officials", true},
		{"US", "U.S.-China talks", true},
		{"UK", "the U.K.'s plan", true},
		{"C++", "C++ and C# developers", true},
		{"C++", "Vitamin C", false},
		{"C#", "Vitamin C", false},
		{"C#", "C++ and C# developers", true},
		{"C++", "C++26 approved", true},
		{"C#", "C++ only", false},
		{"Disney", "Disney+ subscribers", true},
		{"Taiwan security", "off Taiwan. Security forces", false}, // a phrase does not span two sentences
		{"Taiwan security", "off Taiwan! Security", false},
		{"Taiwan security", "Taiwan: Security", false},
		{"Taiwan security", "“off Taiwan.” Security", false},
		{"Taiwan security", "Taiwan security", true},
		{"Taiwan security", "Taiwan\nsecurity", true}, // a line break is not the end of a sentence
		{"Taiwan security", "Taiwan.security", true},
		{"US officials", "U.S. officials", true}, // a stop after an abbreviation is not
		{"Mr Smith", "Mr. Smith", true},
		{"St Louis", "St. Louis", true},
		{"Jan 6", "Jan. 6 hearing", true},
		{"J K Rowling", "J. K. Rowling", true},
		{"É Macron", "É. Macron", true},        // an initial with an accent
		{"B́ Smith", "B́. Smith", true},        // or with a mark of its own
		{"Yahoo! Japan", "Yahoo! Japan", true}, // the rule spans it too
		{"台湾 安全", "台湾。安全", false},
		{"台湾安全", "台湾安全", true},
		{"Xi Jinping", "xi jinping's visit", true},
		{"Europe", "l'Europe et l’Asie", true}, // an elided article is a word of its own
		{"Aria X7", "Veltro dévoile l'Aria X7", true},
		{"OTAN", "les alliés de l'OTAN", true},
		{"Israël", "le gouvernement d'Israël", true},
		{"Unione europea", "i ministri dell'Unione europea", true},
		{"Brien", "Conan O'Brien", false}, // an apostrophe after other letters stays in the word
		{"Don", "don't go", false},
		{"İstanbul", "İstanbul'da şiddetli yağış", true}, // a Turkish name's ending after an apostrophe
		{"Istanbul", "ISTANBUL'DA", true},
		{"Erdoğan", "Erdoğan'ın açıklaması", true},
		{"Erdogan", "Erdoğan’ın açıklaması", true},
		{"Türkiye", "Türkiye'nin ekonomisi", true},
		{"NATO", "NATO'nun zirvesi", true},
		{"AB", "AB'ye üyelik", true},
		{"Recep Tayyip Erdoğan", "Recep Tayyip Erdoğan'ın ziyareti", true},
		{"Erdoğan'ın", "Erdoğan'ın ziyareti", true},
		{"Ankara", "Ankara'daki toplantı", true},
		{"Xi Jinping", "XI JINPING’S VISIT", true},
		{"Xi Jinping", "Xi  Jinping", true},
		{"Xi Jinping", "Xi, Jinping", true}, // punctuation between words is not a word
		{"Xi Jinping", "Xi Jin ping", false},
		{"U.S.", "U.S. officials", true},
		{"U.S.", "US officials", true}, // letters joined by stops are one word
		{"U.S.A.", "USA", true},
		{"COVID-19", "covid 19 cases", true},
		{"Zürich", "ZÜRICH", true},
		{"Zürich", "Zurich", false}, // accents written in a rule count
		{"Zurich", "Zürich", true},  // a rule without them matches the word with them
		{"Zurich", "ZÜRICH", true},
		{"Zurich", "Zürich", true}, // decomposed
		{"Sao Paulo", "São Paulo", true},
		{"Sao Paulo", "Sao Paulo", true},
		{"año", "ano", false},
		{"Bogota", "in Bogotá.", true},
		{"Malmo*", "Malmö's", true},
		{"Lodz", "Łódź", false}, // Ł is a letter of its own, not L with an accent
		{"Łodz", "Łódź", true},  // the accents on its other letters go
		{"краи", "край", false}, // marks outside the Latin script are letters
		{"Muller", "Müller", true},
		{"email", "an e-mail to staff", true}, // words joined by a hyphen make one word
		{"e-mail", "an email to staff", true},
		{"e-mail", "an e mail to staff", true},
		{"e-mail", "an e-mail to staff", true},
		{"cooperation", "Co‑operation", true}, // a non-breaking hyphen
		{"email", "e- mail", false},           // a hyphen that ends a line or a word
		{"email", "e – mail", false},          // a dash separates
		{"anti-trust case", "the antitrust case", true},
		{"antitrust case", "the anti-trust case", true},
		{"antitrust case", "the anti-trust. Case", false}, // a phrase does not span a sentence's end
		{"ecommerc*", "E-commerce sales", true},
		{"COVID-19", "covid19 cases", true},
		{"mail", "an e-mail", true}, // each of the joined words is a word too
		{"café", "Cafe\u0301 society", true},
		{"cafe\u0301", "CAFÉ SOCIETY", true},
		{"Taiwan", "ＴＡＩＷＡＮ", true},            // fullwidth letters
		{"ＴＡＩＷＡＮ", "Taiwan", true},            //
		{"finance", "ﬁnance ministers", true}, // a ligature
		{"STRASSE", "Straße", true},           // full case folding
		{"Straße", "STRASSE", true},           //
		{"Apple", "Apple™ Watch", true},       // a symbol is not a letter
		{"タワー", "ﾀﾜｰ", true},                  // halfwidth Katakana
		{"São Paulo", "SÃO PAULO", true},
		{"中国", "中国外交部发言人", true},
		{"外交部", "中国外交部发言人", true},
		{"東京", "東京タワー", true},
		{"Москва", "В МОСКВЕ", false},
		{"Москва", "МОСКВА сегодня", true},
		{"น้ำท่วม", "น้ำท่วมหนักในเชียงใหม่", true}, // Thai, written without spaces, like Chinese
		{"เชียงใหม่", "น้ำท่วมหนักในเชียงใหม่ ประชาชน", true},
		{"ไฟไหม้", "น้ำท่วมหนักในเชียงใหม่", false},
		{"서울", "서울에서 열린 회의", true}, // a Korean word with its particle
		{"한국은행", "한국은행은 기준금리를 동결했다", true},
		{"서울", "북서울 공원", false},
		{"Αθήνα", "ΑΘΗΝΑ: ΣΥΓΚΕΝΤΡΩΣΗ", true}, // Greek capitals without accents
		{"οδός", "ΟΔΟΣ ΠΑΝΕΠΙΣΤΗΜΙΟΥ", true},
		{"Μάιος", "ΜΑΪΟΣ 2025", true},
		{"Αθηνα", "η Αθήνα σήμερα", true},
		{"Ёлка", "ЕЛКА", true},
		{"елка", "новогодняя ёлка", true},
		{"القاهرة", "في القاهرةِ اليوم", true},    // Arabic with vowel points
		{"ירושלים", "ביקור ביְרוּשָׁלַיִם", true}, // "in Jerusalem": a Hebrew word with its prefix
		{"ירושלים", "ביקור ירושלמי", false},
		{"القاهرة", "اجتماع بالقاهرة", true},    // "in Cairo": an Arabic word with its particle
		{"ירושלים", "העיר יְרוּשָׁלַיִם", true}, // Hebrew with vowel points
		{"2026", "موازنة عام ٢٠٢٦م", true},      // a year with the letter of its era
		{"2026", "موازنة عام 2026م", true},
		{"1405", "بودجه سال ۱۴۰۵ش", true},
		{"٢٠٢٦م", "موازنة عام 2026م", true},
		{"2026", "موازنة عام ٢٠٢٦٣", false},
		{"می\u200cخواهد", "دولت میخواهد", true}, // Persian parts joined by a non-joiner, or not
		{"میخواهد", "دولت می\u200cخواهد", true},
		{"می\u200cخواهد", "دولت می\u200cخواهد", true},
		{"می\u200cخواهد", "دولت می خواهد", true},
		{"کتاب", "کتاب\u200cها", true}, // each part is a word too
		{"میخواهد", "دولت می\u200c خواهد", false},
		{"Washington", "Wash\u200bington visit", true}, // a zero-width space inside a word, as a hyphenation hint
		{"Bundesregierung", "Die Bundes\u200bregierung", true},
		{"Bundes Regierung", "Die Bundes\u200bregierung", true},
		{"regierung", "Die Bundes\u200bregierung", true},
		{"ไฟไหม้", "น้ำท่วม\u200bไฟไหม้", true}, // the word break of Thai
		{"п'ять", "Минуло пʼять років", true},   // the apostrophe Ukrainian writes as a letter (U+02BC)
		{"в'їзд", "Вʼїзд до Києва закрито", true},
		{"п'ять", "пʼятниця", false},
	}
	for _, tt := range tests {
		s := mustCompile(t, aggregator.TopicConfig{ID: "t", Title: "T", Match: aggregator.MatchConfig{Any: []string{tt.phrase}}})
		got := slices.Contains(s.Tag(text(tt.field)), "t")
		if got != tt.want {
			t.Errorf("match.any %q on %q = %v; want %v", tt.phrase, tt.field, got, tt.want)
		}
	}
}

func TestPhraseNeverSpansFields(t *testing.T) {
	s := mustCompile(t, aggregator.TopicConfig{ID: "t", Title: "T", Match: aggregator.MatchConfig{Any: []string{"Xi Jinping"}}})
	st := aggregator.StoryText{Fields: []string{"Talks with Xi", "Jinping is a city"}, Categories: []string{"Xi"}}
	if got := s.Tag(st); slices.Contains(got, "t") {
		t.Errorf("Tag(%+v) = %q; a phrase must not span two fields", st, got)
	}
}

func TestUnicodeDoesNotCrash(t *testing.T) {
	s := mustCompile(t,
		aggregator.TopicConfig{ID: "t", Title: "T", Match: aggregator.MatchConfig{Any: []string{"中国", "한국"}, Query: `中国 OR "Ελλάδα"`}})
	for _, field := range []string{"", "\xff\xfe invalid", "中国外交部发言人表示", "대한민국 한국", "🙂🙂 emoji", "\u0301\u0301", strings.Repeat("字", 10000)} {
		s.Tag(text(field))
		s.Explain(text(field))
	}
}

func TestBuiltinAll(t *testing.T) {
	s := mustCompile(t, matchCategoriesID("tech", "Technology"))
	topics := s.Topics()
	if len(topics) != 2 || topics[0].ID != aggregator.AllTopic || topics[1].ID != "tech" {
		t.Fatalf("Topics() = %+v; want the built-in all, then tech", topics)
	}
	if topics[0].Title == "" || topics[0].Limit != 50 {
		t.Errorf("built-in all = %+v; want a title and limit 50", topics[0])
	}
	if got := s.Tag(aggregator.StoryText{}); !slices.Equal(got, []string{"all"}) {
		t.Errorf("Tag(empty story) = %q; want [all]", got)
	}
}

func TestConfiguredAll(t *testing.T) {
	// A configured "all" replaces the built-in one and keeps its place.
	s := mustCompile(t,
		matchCategoriesID("tech", "Technology"),
		aggregator.TopicConfig{ID: "all", Title: "Everything but sport", Match: aggregator.MatchConfig{None: []string{"sport"}}},
	)
	if ids := topicIDs(s.Topics()); !slices.Equal(ids, []string{"tech", "all"}) {
		t.Errorf("Topics() = %q; want [tech all]", ids)
	}
	if got := s.Tag(text("sport results")); len(got) != 0 {
		t.Errorf("Tag(sport) = %q; want none: the configured all follows its rules", got)
	}
	if got := s.Tag(aggregator.StoryText{Fields: []string{"x"}, Categories: []string{"technology"}}); !slices.Equal(got, []string{"tech", "all"}) {
		t.Errorf("Tag(technology) = %q; want [tech all] in configuration order", got)
	}
	// An "all" without rules takes every story.
	s = mustCompile(t, aggregator.TopicConfig{ID: "all", Title: "Everything", Limit: 100})
	if got := s.Tag(text("anything")); !slices.Equal(got, []string{"all"}) {
		t.Errorf("Tag with a rule-less configured all = %q; want [all]", got)
	}
}

func matchCategoriesID(id string, cats ...string) aggregator.TopicConfig {
	return aggregator.TopicConfig{ID: id, Title: id, Match: aggregator.MatchConfig{Categories: cats}}
}

func topicIDs(ts []aggregator.TopicConfig) []string {
	var ids []string
	for _, t := range ts {
		ids = append(ids, t.ID)
	}
	return ids
}

// TestAtLeast checks match.at_least: how many different phrases of
// match.any a story must have, a phrase in a title counting twice.
func TestAtLeast(t *testing.T) {
	s := mustCompile(t,
		aggregator.TopicConfig{ID: "econ", Title: "Economy", Match: aggregator.MatchConfig{
			Any: []string{"econom*", "inflation", "interest rates", "jobs", "Jobs"}, AtLeast: 2}},
		aggregator.TopicConfig{ID: "three", Title: "Three", Match: aggregator.MatchConfig{
			Any: []string{"econom*", "inflation", "interest rates", "jobs"}, AtLeast: 3, None: []string{"football"}}},
	)
	tests := []struct {
		name  string
		story aggregator.StoryText
		want  []string
	}{
		{"one phrase in the text", aggregator.StoryText{Titles: []string{"Budget day"}, Fields: []string{"The economy slows"}}, nil},
		{"one phrase, twice", aggregator.StoryText{Fields: []string{"The economy slows; economists worry"}}, nil},
		{"one phrase listed twice", aggregator.StoryText{Fields: []string{"Jobs report"}}, nil},
		{"two phrases in the text", aggregator.StoryText{Fields: []string{"The economy slows", "inflation rises"}}, []string{"econ"}},
		{"one phrase in a title", aggregator.StoryText{Titles: []string{"Inflation at 5%"}, Fields: []string{"Prices rose"}}, []string{"econ"}},
		{"a title and the text", aggregator.StoryText{Titles: []string{"Inflation at 5%"}, Fields: []string{"Jobs are scarce"}}, []string{"econ", "three"}},
		{"the same phrase in a title and the text", aggregator.StoryText{Titles: []string{"Inflation at 5%"}, Fields: []string{"inflation"}}, []string{"econ"}},
		{"a category counts as text", aggregator.StoryText{Fields: []string{"Jobs report"}, Categories: []string{"Economy"}}, []string{"econ"}},
		{"none still holds", aggregator.StoryText{Titles: []string{"Inflation hits football"}, Fields: []string{"jobs"}}, []string{"econ"}},
	}
	for _, tt := range tests {
		got := s.Tag(tt.story)
		if want := append([]string{"all"}, tt.want...); !slices.Equal(got, want) {
			t.Errorf("%s: Tag = %q; want %q", tt.name, got, want)
		}
	}
	v := s.Explain(aggregator.StoryText{Titles: []string{"Inflation at 5%"}, Fields: []string{"The economy"}})
	want := []topic.Verdict{
		{"all", true, "every story"},
		{"econ", true, `match.any "econom*", "inflation" (3 of at_least 2)`},
		{"three", true, `match.any "econom*", "inflation" (3 of at_least 3)`},
	}
	if !slices.Equal(v, want) {
		t.Errorf("Explain:\n%s\nwant:\n%s", verdicts(v), verdicts(want))
	}
	v = s.Explain(aggregator.StoryText{Fields: []string{"The economy"}})
	if v[1].Taken || v[1].Why != `match.any: 1 of at_least 2 from "econom*", "inflation", "interest rates", "jobs", "Jobs"` {
		t.Errorf("Explain(one phrase) = %+v", v[1])
	}
}

func TestExplain(t *testing.T) {
	s := mustCompile(t,
		aggregator.TopicConfig{ID: "china-us", Title: "China–US", Sources: []string{"BBC World"},
			Match: aggregator.MatchConfig{Any: []string{"Xi Jinping", "Blinken"}, None: []string{"football"}}},
		aggregator.TopicConfig{ID: "taiwan", Title: "Taiwan", Match: aggregator.MatchConfig{Query: `("Xi Jinping" OR Beijing) AND Taiwan NOT sport`}},
		aggregator.TopicConfig{ID: "both", Title: "Both", Match: aggregator.MatchConfig{All: []string{"Taiwan", "Beijing"}}},
		aggregator.TopicConfig{ID: "tech", Title: "Tech", Match: aggregator.MatchConfig{Categories: []string{"Technology", "Science"}}},
		aggregator.TopicConfig{ID: "quiet", Title: "Quiet", Match: aggregator.MatchConfig{None: []string{"football", "Taiwan"}}},
	)
	tests := []struct {
		story aggregator.StoryText
		want  []topic.Verdict
	}{
		{
			aggregator.StoryText{Fields: []string{"Xi Jinping meets Taiwan envoy in Beijing"}, Categories: []string{"science"}, Sources: []string{srcID(1)}},
			[]topic.Verdict{
				{"all", true, "every story"},
				{"china-us", true, `match.any "Xi Jinping"`},
				{"taiwan", true, `query ("Xi Jinping" OR Beijing) AND Taiwan AND NOT sport (found "Xi Jinping", Beijing, Taiwan)`},
				{"both", true, `match.all "Taiwan", "Beijing"`},
				{"tech", true, `match.categories "Science"`},
				{"quiet", false, `match.none "Taiwan"`},
			},
		},
		{
			aggregator.StoryText{Fields: []string{"Blinken at the football final in Beijing"}, Sources: []string{srcID(0)}},
			[]topic.Verdict{
				{"all", true, "every story"},
				{"china-us", true, `source "BBC World"`},
				{"taiwan", false, `query false: ("Xi Jinping" OR Beijing) AND Taiwan AND NOT sport (found Beijing)`},
				{"both", false, `match.all: no "Taiwan"`},
				{"tech", false, `match.categories: none of "Technology", "Science"`},
				{"quiet", false, `match.none "football"`},
			},
		},
		{
			aggregator.StoryText{Fields: []string{"Markets calm"}, Sources: []string{srcID(1)}},
			[]topic.Verdict{
				{"all", true, "every story"},
				{"china-us", false, `no item from "BBC World"; match.any: none of "Xi Jinping", "Blinken"`},
				{"taiwan", false, `query false: ("Xi Jinping" OR Beijing) AND Taiwan AND NOT sport (found none of its terms)`},
				{"both", false, `match.all: no "Taiwan"`},
				{"tech", false, `match.categories: none of "Technology", "Science"`},
				{"quiet", true, `match.none: none of "football", "Taiwan"`},
			},
		},
	}
	for _, tt := range tests {
		got := s.Explain(tt.story)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Explain(%q):\n%s\nwant:\n%s", tt.story.Fields, verdicts(got), verdicts(tt.want))
		}
		// Explain and Tag agree.
		var taken []string
		for _, v := range got {
			if v.Taken {
				taken = append(taken, v.Topic)
			}
		}
		if tag := s.Tag(tt.story); !slices.Equal(tag, taken) {
			t.Errorf("Tag(%q) = %q, but Explain takes %q", tt.story.Fields, tag, taken)
		}
	}
}

func verdicts(vs []topic.Verdict) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "  %s %v %s\n", v.Topic, v.Taken, v.Why)
	}
	return b.String()
}

func TestCompileErrors(t *testing.T) {
	_, err := topic.Compile([]aggregator.TopicConfig{
		{ID: "a", Title: "A", Sources: []string{"Nope"}},
		{ID: "b", Title: "B", Match: aggregator.MatchConfig{Query: "(x OR y"}},
		{ID: "b", Title: "B again", Match: aggregator.MatchConfig{Any: []string{"x"}}},
		{ID: "c", Title: "C"},
		{ID: "d", Title: "D", Match: aggregator.MatchConfig{Any: []string{"..."}, All: []string{"ok", "x*"}}},
		{ID: "e", Title: "E", Match: aggregator.MatchConfig{Any: []string{"x"}, AtLeast: -1}},
		{ID: "f", Title: "F", Match: aggregator.MatchConfig{All: []string{"x"}, AtLeast: 2}},
		{ID: "g", Title: "G", Match: aggregator.MatchConfig{Any: []string{"x", "y"}, AtLeast: 5}},
	}, testSources)
	want := []string{
		`topic "a": sources: unknown source "Nope"`,
		`topic "b": match.query: column 8: expected ")" to close "(" at column 1`,
		`topic "b": duplicate id`,
		`topic "c": no rules: give sources or match`,
		`topic "d": match: phrase "...": no letters or digits`,
		`topic "d": match: phrase "x*": the prefix x* is shorter than 3 characters`,
		`topic "e": match.at_least: must not be negative`,
		`topic "f": match.at_least: counts the phrases of match.any, which has none`,
		`topic "g": match.at_least: 5 can never be met: match.any has 2 phrases, each counting at most twice (in a title)`,
	}
	if err == nil {
		t.Fatalf("Compile(bad topics) = nil; want:\n%s", strings.Join(want, "\n"))
	}
	if got := err.Error(); got != strings.Join(want, "\n") {
		t.Errorf("Compile(bad topics) =\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	var qe *topic.QueryError
	if !errors.As(err, &qe) || qe.Column != 8 {
		t.Errorf("Compile(bad query): errors.As(*QueryError) = %v, %+v; want column 8", qe != nil, qe)
	}
}

func TestParseQueryReexport(t *testing.T) {
	q, err := topic.ParseQuery(`Taiwan NOT sport`)
	if err != nil {
		t.Fatal(err)
	}
	if !q.Match("Taiwan election") || q.Match("Taiwan", "sport") {
		t.Errorf("ParseQuery(%q).Match: wrong answers", "Taiwan NOT sport")
	}
	if _, err := topic.ParseQuery("a AND"); err == nil {
		t.Error(`ParseQuery("a AND") = nil error; want one`)
	}
}

func TestConcurrentTag(t *testing.T) {
	s := mustCompile(t, benchTopics()...)
	st := benchStory()
	want := s.Tag(st)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				if got := s.Tag(st); !slices.Equal(got, want) {
					t.Errorf("concurrent Tag = %q; want %q", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func benchTopics() []aggregator.TopicConfig {
	return []aggregator.TopicConfig{
		{ID: "china-us", Title: "China–US", Match: aggregator.MatchConfig{Any: []string{"Xi Jinping", "Blinken", "Beijing", "Washington"}, None: []string{"football"}}},
		{ID: "taiwan", Title: "Taiwan", Match: aggregator.MatchConfig{Query: `("Xi Jinping" OR Beijing) AND (Taiwan OR "national security") NOT sport`}},
		{ID: "ai", Title: "AI", Match: aggregator.MatchConfig{Any: []string{"AI", "artificial intelligence", "machine learning", "OpenAI", "large language model"}}},
		{ID: "climate", Title: "Climate", Match: aggregator.MatchConfig{Any: []string{"climate change", "emissions", "heatwave", "COP29"}, None: []string{"opinion"}}},
		{ID: "markets", Title: "Markets", Match: aggregator.MatchConfig{Query: `(stocks OR shares OR "bond yields") AND NOT crypto`}},
		{ID: "ukraine", Title: "Ukraine", Match: aggregator.MatchConfig{All: []string{"Ukraine"}, Any: []string{"Kyiv", "Zelensky", "front line"}}},
		{ID: "elections", Title: "Elections", Match: aggregator.MatchConfig{Any: []string{"election", "polls", "ballot", "vote"}, Categories: []string{"Politics"}}},
		{ID: "health", Title: "Health", Match: aggregator.MatchConfig{Any: []string{"WHO", "vaccine", "outbreak", "hospital"}}},
		{ID: "space", Title: "Space", Match: aggregator.MatchConfig{Query: `NASA OR SpaceX OR "space station" OR (rocket AND launch)`}},
		{ID: "wire", Title: "Wire", Sources: []string{"Wire"}},
	}
}

// benchStory is about 3 KB of text in three fields.
func benchStory() aggregator.StoryText {
	para := "Officials in Washington said on Tuesday that talks with Beijing on trade and Taiwan would resume next week, " +
		"after a call between the two presidents. Markets rose as bond yields eased, and analysts expect shares of chip makers " +
		"to gain. The announcement came as a heatwave hit southern Europe and the hospital system warned of pressure. "
	content := strings.Repeat(para, 9)
	return aggregator.StoryText{
		Fields:     []string{"Washington and Beijing to resume trade talks", para, content},
		Categories: []string{"World", "Politics", "Asia"},
		Sources:    []string{srcID(0), srcID(2)},
	}
}

func BenchmarkTag(b *testing.B) {
	s := mustCompile(b, benchTopics()...)
	plain := benchStory()
	// Most English news is typeset: curly quotes, apostrophes and dashes.
	typeset := plain
	typeset.Fields = slices.Clone(plain.Fields)
	for i, f := range typeset.Fields {
		typeset.Fields[i] = f + " “We’re ready,” the minister said — again."
	}
	// A word beyond ASCII anywhere in a field sends all of it through
	// normalisation and case folding.
	accented := plain
	accented.Fields = slices.Clone(plain.Fields)
	for i, f := range accented.Fields {
		accented.Fields[i] = f + " À Zürich et à São Paulo, « nous sommes prêts », a déclaré le ministre."
	}
	for _, bc := range []struct {
		name  string
		story aggregator.StoryText
	}{{"ascii", plain}, {"typeset", typeset}, {"accented", accented}} {
		b.Run(bc.name, func(b *testing.B) {
			n := 0
			for _, f := range bc.story.Fields {
				n += len(f)
			}
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				s.Tag(bc.story)
			}
		})
	}
}
