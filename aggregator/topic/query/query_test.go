package query

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

func TestWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Hello, World!", []string{"hello", "world"}},
		{"China-US talks", []string{"china", "us", "talks"}},
		{"U.S. says", []string{"us", "says"}}, // letters joined by stops are one word
		{"U.S.-China", []string{"us", "china"}},
		{"a.m. and p.m.", []string{"am", "and", "pm"}},
		{"Ph.D. e.coli 3.5", []string{"ph", "d", "e", "coli", "3", "5"}},
		{"C++ and C#", []string{"c", "and", "c"}}, // a tail is a mark, not letters: see Phrase
		{"Xi Jinping's visit", []string{"xi", "jinping", "visit"}},
		{"Xi Jinping’s visit", []string{"xi", "jinping", "visit"}},                      // typographic apostrophe
		{"O'Brien don't", []string{"o'brien", "don't"}},                                 // apostrophe inside a word
		{"пʼять п’ять ʼцитатаʼ", []string{"п'ять", "п'ять", "цитата"}},                  // the modifier letter apostrophe is an apostrophe
		{"l'Europe d’Israël qu'il", []string{"l", "europe", "d", "israël", "qu", "il"}}, // elided article, preposition
		{"dell'Unione rock'n'roll", []string{"dell", "unione", "rock'n'roll"}},
		{"the countries' leaders", []string{"the", "countries", "leaders"}}, // plural possessive
		{"'quoted'", []string{"quoted"}},
		{"COVID-19 in 2024", []string{"covid", "19", "in", "2024"}},
		{"ZÜRICH Zürich", []string{"zürich", "zürich"}},
		{"Cafe\u0301 CAFÉ", []string{"café", "café"}},                                  // decomposed and composed forms agree
		{"ΛΌΓΟΣ λόγος", []string{"λογοσ", "λογοσ"}},                                    // final sigma folds with sigma, and accents go
		{"ΑΘΗΝΑ Αθήνα ΜΑΪΟΣ Μάιος", []string{"αθηνα", "αθηνα", "μαιοσ", "μαιοσ"}},      // Greek capitals have no accents
		{"Ёлка ЕЛКА", []string{"елка", "елка"}},                                        // "ё" is written "е"
		{"القاهرةِ القاهرة مـصـر", []string{"القاهرة", "القاهرة", "مصر"}},              // Arabic vowel points, tatweel
		{"יְרוּשָׁלַיִם ירושלים", []string{"ירושלים", "ירושלים"}},                      // Hebrew vowel points
		{"أحمد إيران آمن ٱلله", []string{"احمد", "ايران", "امن", "الله"}},              // the alef with a hamza, madda or wasla is alef
		{"ایران کتاب على", []string{"ايران", "كتاب", "على"}},                           // Persian yeh and kaf; the alef maqsura stays
		{"٢٠٢٦ ۲۰۲۶ २०२६ ๒๕๖๙ ১৯৭১", []string{"2026", "2026", "2026", "2569", "1971"}}, // digits of other scripts
		{"ज़िला जिला फ़ैसला", []string{"जिला", "जिला", "फैसला"}},                       // Hindi: the nukta left out
		{"हिन्दी हिंदी हिँदी सम्बन्ध", []string{"हिंदी", "हिंदी", "हिंदी", "संबंध"}}, // a nasal with a virama, the candrabindu
		{"น้ำท่วม", []string{"น้\u0e4d", "า", "ท่", "ว", "ม"}},                       // Thai: a letter with its marks a word (NFKC splits "ำ")
		{"中国外交部", []string{"中", "国", "外", "交", "部"}},                                 // Han: one word per character
		{"東京タワーへ", []string{"東", "京", "タ", "ワ", "ー", "へ"}},                           // Katakana, Hiragana
		{"Seoul 서울특별시", []string{"seoul", "서울특별시"}},                                  // Hangul has spaces: runs stay words
		{"#AI @user ai_model", []string{"ai", "user", "ai", "model"}},
		{"don's's", []string{"don"}},
		{"ＴＡＩＷＡＮ ｔａｉｗａｎ", []string{"taiwan", "taiwan"}},                                                   // fullwidth letters
		{"２０２４年", []string{"2024", "年"}},                                                                  // fullwidth digits
		{"ﬁnance ﬂow", []string{"finance", "flow"}},                                                       // ligatures
		{"x² H₂O", []string{"x2", "h2o"}},                                                                 // superscripts, subscripts
		{"ﾀﾜｰ", []string{"タ", "ワ", "ー"}},                                                                  // halfwidth Katakana
		{"Straße STRASSE straße", []string{"strasse", "strasse", "strasse"}},                              // full case folding
		{"ᾼ ᾳ ΑΙ", []string{"αι", "αι", "αι"}},                                                            // iota subscript
		{"İstanbul ISTANBUL", []string{"istanbul", "istanbul"}},                                           // Turkish dotted capital I
		{"Apple™ 20℃", []string{"apple", "20"}},                                                           // symbols separate words
		{"Wash\u00adington Ver\u00adein\u00ads", []string{"washington", "vereins"}},                       // soft hyphens
		{"\ufeffक्\u200dष \u2060Tür\u2060kei", []string{"क्ष", "türkei"}},                                 // joiners, a byte order mark
		{"Wash\u200bington ภาษา\u200bไทย", []string{"wash", "ington", "ภ", "า", "ษ", "า", "ไ", "ท", "ย"}}, // a zero-width space separates (joins, see Phrase)
		{"می\u200cخواهد", []string{"مي", "خواهد"}},                                                        // a non-joiner, as a hyphen (see Phrase)
		{"٢٠٢٦م ۱۴۰۵ش F35 م٢", []string{"2026", "م", "1405", "ش", "f35", "م2"}},                           // a year and the letter of its era
	}
	for _, tt := range tests {
		if got := Words(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Words(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestIndexFind(t *testing.T) {
	x := NewIndex()
	phrases := []string{"AI", "US", "Xi Jinping", "national security", "中国", "Zürich", "said"}
	ids := make(map[string]int)
	for _, p := range phrases {
		ids[p] = x.Add(Words(p))
	}
	if again := x.Add(Words("xi  JINPING")); again != ids["Xi Jinping"] {
		t.Errorf("Add(same phrase) = %d; want %d", again, ids["Xi Jinping"])
	}
	if got := x.Add(nil); got != -1 {
		t.Errorf("Add(nil) = %d; want -1", got)
	}
	tests := []struct {
		fields []string
		want   []string
	}{
		{[]string{"He said the bus was late"}, []string{"said"}},            // not AI, not US
		{[]string{"The US and AI"}, []string{"AI", "US"}},                   // whole words
		{[]string{"Xi Jinping's speech"}, []string{"Xi Jinping"}},           // possessive
		{[]string{"Talks with Xi", "Jinping later"}, nil},                   // never across fields
		{[]string{"national\nsecurity law"}, []string{"national security"}}, // any spacing inside a field
		{[]string{"中国外交部发言人"}, []string{"中国"}},                              // inside a run of Han
		{[]string{"ZURICH"}, nil},                                           // accents matter
		{[]string{"ZÜRICH"}, []string{"Zürich"}},
		{[]string{"ZU\u0308RICH"}, []string{"Zürich"}}, // decomposed
		{[]string{"ＵＳ ＡＩ"}, []string{"AI", "US"}},      // fullwidth
		{[]string{"xi"}, nil},                          // a prefix of a phrase is not the phrase
	}
	for _, tt := range tests {
		checkFind(t, x, ids, tt.fields, tt.want)
	}
}

func TestPhrase(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr string
	}{
		{"Prime Minister", []string{"prime", "minister"}, ""},
		{"econom*", []string{"econom*"}, ""},
		{"econom＊", []string{"econom*"}, ""},                                  // the fullwidth asterisk
		{"می\u200cخواهد", []string{"مي", Join + "خواهد"}, ""},                 // a non-joiner joins as a hyphen does
		{"Bundes\u200bregierung", []string{"bundes", Join + "regierung"}, ""}, // so does a zero-width space
		{"ｅｃｏｎｏｍ＊ ＰＯＬＩＣＹ", []string{"econom*", "policy"}, ""},
		{"Prime MINIST*", []string{"prime", "minist*"}, ""},
		{"minist* of health", []string{"minist*", "of", "health"}, ""},
		{"Jinping's*", []string{"jinping*"}, ""}, // the possessive goes before the prefix is taken
		{"ZÜR*", []string{"zür*"}, ""},           // a prefix is not an acronym
		{"US", []string{"US"}, ""},               // an acronym keeps its capitals
		{"U.S.", []string{"US"}, ""},
		{"WHO chief", []string{"WHO", "chief"}, ""},
		{"COVID-19", []string{"covid", "-19"}, ""}, // longer than an acronym
		{"MPs", []string{"mps"}, ""},
		{"C++ and C#", []string{"c++", "and", "c#"}, ""},
		{"Yahoo! Japan", []string{"yahoo", ".japan"}, ""},
		{"C++*", nil, "a * must end a word, as in econom*"},
		{"ec*", nil, "the prefix ec* is shorter than 3 characters"},
		{"U.S*", nil, "the prefix s* is shorter than 3 characters"},
		{"econ*omy", nil, "a * must end a word, as in econom*"},
		{"*econ", nil, "a * must end a word, as in econom*"},
		{"econ *", nil, "a * must end a word, as in econom*"},
		{"--", nil, "no letters or digits"},
		{"*", nil, "a * must end a word, as in econom*"},
	}
	for _, tt := range tests {
		got, err := Phrase(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("Phrase(%q) = %q, %v; want error %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("Phrase(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// checkFind checks that x finds in fields exactly the phrases want, of the
// phrases in ids (phrase -> its id in x).
func checkFind(t *testing.T, x *Index, ids map[string]int, fields, want []string) {
	t.Helper()
	found := make([]bool, x.Len())
	x.Find(found, fields)
	var got []string
	for p, id := range ids {
		if found[id] {
			got = append(got, p)
		}
	}
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Find(%q) found %q; want %q", fields, got, want)
	}
}

func TestIndexFindPrefix(t *testing.T) {
	x := NewIndex()
	phrases := []string{"econom*", "prime minist*", "minist* of health", "economy", "zür*"}
	ids := make(map[string]int)
	for _, p := range phrases {
		words, err := Phrase(p)
		if err != nil {
			t.Fatal(err)
		}
		ids[p] = x.Add(words)
	}
	tests := []struct {
		fields []string
		want   []string
	}{
		{[]string{"The economy grows"}, []string{"econom*", "economy"}},
		{[]string{"Economic news"}, []string{"econom*"}},
		{[]string{"econom"}, []string{"econom*"}}, // the prefix alone is a word it matches
		{[]string{"Econ news"}, nil},              // shorter than the prefix
		{[]string{"macroeconomics"}, nil},         // a prefix starts the word
		{[]string{"the Prime Ministers met"}, []string{"prime minist*"}},
		{[]string{"prime time"}, nil},
		{[]string{"Ministry of Health"}, []string{"minist* of health"}},
		{[]string{"ministers of state health"}, nil},
		{[]string{"ZÜRICH"}, []string{"zür*"}},
	}
	for _, tt := range tests {
		checkFind(t, x, ids, tt.fields, tt.want)
	}
}

// TestMatch has one case per rule of the query language.
func TestMatch(t *testing.T) {
	tests := []struct {
		rule   string
		query  string
		fields []string
		want   bool
	}{
		{"bare word", "Taiwan", []string{"Taiwan votes"}, true},
		{"bare word is a whole word", "Taiwan", []string{"Taiwanese votes"}, false},
		{"case-insensitive", "TAIWAN", []string{"taiwan"}, true},
		{"compatibility forms", "Taiwan", []string{"ＴＡＩＷＡＮ"}, true},
		{"compatibility forms in the query", `"ＮＡＴＩＯＮＡＬ ＳＥＣＵＲＩＴＹ"`, []string{"national security"}, true},
		{"full case folding", "STRASSE", []string{"Straße"}, true},
		{"soft hyphen in a word", `"Washington talks"`, []string{"Wash\u00adington talks on trade"}, true},
		{"soft hyphen in a rule", "Bundes\u00adregierung", []string{"Die Bundesregierung"}, true},
		{"Arabic alef with a hamza", "أحمد", []string{"قال احمد"}, true},
		{"Arabic alef without a hamza", `"ايران"`, []string{"في إيران"}, true},
		{"Persian yeh and kaf", "ایران OR کتاب", []string{"كتاب جديد"}, true},
		{"Arabic alef maqsura is not yeh", "علي", []string{"على الطاولة"}, false},
		{"single guillemets quote a phrase", "‹Conseil fédéral›", []string{"le Conseil d'État et le fédéral"}, false},
		{"single guillemets quote a phrase", "‹Conseil fédéral›", []string{"le Conseil fédéral a décidé"}, true},
		{"reversed single guillemets quote a phrase", "›Neue Zürcher‹", []string{"die Zürcher Neue"}, false},
		{"Swedish single guillemets quote a phrase", "›Svenska Dagbladet›", []string{"Dagbladet Svenska"}, false},
		{"Ukrainian apostrophe", "п'ять", []string{"пʼять років"}, true},
		{"Hebrew acronym typed with a double quote", `צה"ל`, []string{"דובר צה״ל מסר"}, true},
		{"Hebrew acronyms with an operator", `צה"ל OR ארה"ב`, []string{"שגריר ארה\"ב בישראל"}, true},
		{"a double quote between Hebrew letters is no quotation mark", `צה"ל NOT "ארה"`, []string{"צה״ל בארה״ב"}, false},
		{"Ukrainian modifier apostrophe in a rule", "Обʼєднання", []string{"Об'єднання громад"}, true},
		{"Hindi without a nukta", "फैसला", []string{"अदालत का फ़ैसला"}, true},
		{"Hindi with a nukta", "ज़िला", []string{"जिला अस्पताल"}, true},
		{"Hindi anusvara", "हिंदी", []string{"हिन्दी दिवस"}, true},
		{"Hindi nasal", "हिन्दी", []string{"हिंदी दिवस"}, true},
		{"Arabic-Indic digits", "2026", []string{"انتخابات ٢٠٢٦"}, true},
		{"Persian digits in a rule", `"۱۴۰۳"`, []string{"Iran's year 1403"}, true},
		{"Devanagari digits", `"G20"`, []string{"G२० शिखर सम्मेलन"}, true},
		{"a phrase does not span a danda", `"भारत सरकार"`, []string{"यह भारत। सरकार ने कहा"}, false},
		{"a phrase matches without a danda", `"भारत सरकार"`, []string{"यह भारत सरकार ने कहा"}, true},
		{"a phrase does not span an Arabic question mark", `"مصر اليوم"`, []string{"هل تزور مصر؟ اليوم نعم"}, false},
		{"a phrase does not span an Arabic semicolon", `"مصر اليوم"`, []string{"في مصر؛ اليوم"}, false},
		{"a phrase does not span an Urdu full stop", `"پاکستان حکومت"`, []string{"پاکستان۔ حکومت نے"}, false},
		{"a phrase does not span an Armenian full stop", `"Երևան քաղաք"`, []string{"Երևան։ Քաղաք"}, false},
		{"Arabic particle", "القاهرة", []string{"اجتماع بالقاهرة"}, true},
		{"Arabic particles", "القاهرة", []string{"وبالقاهرة"}, true},
		{"Arabic particle that takes the alef", "القاهرة", []string{"زيارة للقاهرة"}, true},
		{"Arabic particle before a hamza", "ايران", []string{"وإيران"}, true},
		{"Arabic particle on the first word of a phrase", `"جامعة القاهرة"`, []string{"بجامعة القاهرة"}, true},
		{"Arabic particle inside a phrase", `"جامعة القاهرة"`, []string{"جامعة بالقاهرة"}, false},
		{"Arabic word is not a particle and a word", "قاهرة", []string{"القاهرة"}, false},
		{"Hebrew prefix", "ירושלים", []string{"הפגנה בירושלים"}, true},
		{"Hebrew prefixes", "כנסת", []string{"והכנסת"}, true},
		{"Hebrew prefix not in a word", "ירושלים", []string{"ירושלימי"}, false},
		{"Arabic particle on a word of three letters", "مصر", []string{"زيارة لمصر"}, true},
		{"Arabic word is not a particle and a word of two letters", "طن", []string{"وطن واحد"}, false},
		{"Hebrew word is not a particle and a word of two letters", "ים", []string{"שתיית מים"}, false},
		{"Hebrew word is not two particles and a word of two letters", "בן", []string{"ומבן"}, false},
		{"quoted phrase", `"national security"`, []string{"a national security law"}, true},
		{"quoted phrase in order", `"national security"`, []string{"security is national"}, false},
		{"phrase within one field", `"Xi Jinping"`, []string{"Xi", "Jinping"}, false},
		{"curly quotes", "“national security”", []string{"National Security"}, true},
		{"German quotes", "„nationale Sicherheit“", []string{"Nationale Sicherheit"}, true},
		{"Polish quotes", "„bezpieczeństwo narodowe”", []string{"Bezpieczeństwo narodowe"}, true},
		{"German quotes in order", "„nationale Sicherheit“", []string{"Sicherheit, national"}, false},
		{"a low quote ends a bare word", "Merkel„Zitat“", []string{"Merkel: Zitat"}, true},
		{"guillemets", "«Единая Россия» OR Кремль", []string{"партия «Единая Россия» победила"}, true},
		{"guillemets hold a phrase", "«Единая Россия»", []string{"Россия — единая страна"}, false},
		{"German guillemets", "»Deutsche Bahn« Streik", []string{"Streik: Die Bahn und die Deutsche Post"}, false},
		{"Swedish guillemets", "»Svenska Dagbladet»", []string{"Svenska Dagbladet skriver"}, true},
		{"Arabic guillemets", "«البنك المركزي»", []string{"قال البنك المركزي اليوم"}, true},
		{"corner brackets", "「日本 経済」 OR 『New York』", []string{"York, New"}, false},
		{"corner brackets hold", "「日本 経済」 OR 『New York』", []string{"New York Times"}, true},
		{"fullwidth parentheses group", "（北京 OR 上海） AND 台湾", []string{"北京下雪"}, false},
		{"fullwidth parentheses group holds", "（北京 OR 上海） AND 台湾", []string{"上海与台湾"}, true},
		{"fullwidth OR", "北京 ＯＲ 上海", []string{"上海天气"}, true},
		{"fullwidth quotes", "＂national security＂", []string{"security is national"}, false},
		{"prefix", "econom*", []string{"Economists warn"}, true},
		{"fullwidth prefix", "econom＊", []string{"Economists warn"}, true},
		{"prefix starts the word", "nomic*", []string{"economics"}, false},
		{"prefix in a phrase", `"prime minist*"`, []string{"Prime Ministers meet"}, true},
		{"bare word with punctuation is a phrase", "U.S.", []string{"the U.S. said"}, true},
		{"a quoted minus is punctuation", `"-40" cold`, []string{"40 below, cold"}, true},
		{"a hyphen inside a word", "COVID-19", []string{"covid 19 cases"}, true},
		{"implicit AND holds", "Taiwan Beijing", []string{"Beijing and Taiwan"}, true},
		{"implicit AND fails", "Taiwan Beijing", []string{"Taiwan only"}, false},
		{"AND holds", "Taiwan AND Beijing", []string{"Taiwan", "Beijing"}, true},
		{"AND fails", "Taiwan AND Beijing", []string{"Beijing only"}, false},
		{"OR left", "Taiwan OR Beijing", []string{"Taiwan"}, true},
		{"OR right", "Taiwan OR Beijing", []string{"Beijing"}, true},
		{"OR neither", "Taiwan OR Beijing", []string{"Tokyo"}, false},
		{"unary NOT", "NOT sport", []string{"politics"}, true},
		{"unary NOT fails", "NOT sport", []string{"sport news"}, false},
		{"binary NOT is AND NOT", "Taiwan NOT sport", []string{"Taiwan politics"}, true},
		{"binary NOT excludes", "Taiwan NOT sport", []string{"Taiwan sport"}, false},
		{"AND binds tighter than OR", "a OR b AND c", []string{"a"}, true},          // a OR (b AND c)
		{"AND binds tighter than OR, right", "a OR b AND c", []string{"b"}, false},  // not (a OR b) AND c
		{"NOT binds tighter than AND", "NOT a AND b", []string{"b"}, true},          // (NOT a) AND b
		{"NOT binds tighter than AND, both", "NOT a AND b", []string{"a b"}, false}, // not NOT (a AND b)
		{"NOT binds tighter than OR", "NOT a OR b", []string{"a b"}, true},          // (NOT a) OR b
		{"parentheses group", "(a OR b) AND c", []string{"b"}, false},               // needs c
		{"parentheses group holds", "(a OR b) AND c", []string{"b c"}, true},        //
		{"NOT of a group", "NOT (a OR b)", []string{"c"}, true},                     //
		{"NOT of a group fails", "NOT (a OR b)", []string{"b"}, false},              //
		{"double NOT", "NOT NOT a", []string{"a"}, true},                            //
		{"quoted and is a word", `cats "and" dogs`, []string{"cats, dogs"}, false},  // needs the word "and"
		{"quoted or is a word", `tea "or" coffee`, []string{"tea or coffee"}, true},
		{"quoted not is a word", `"not"`, []string{"not now"}, true},
		{"quoted operator is a word", `"AND"`, []string{"this AND that"}, true}, //
		{"repeated term", "a AND (a OR b)", []string{"a"}, true},                //
		{"issue example", `("Xi Jinping" OR Beijing) AND (Taiwan OR "national security") NOT sport`, []string{"Beijing passes national security law"}, true},
		{"issue example, sport", `("Xi Jinping" OR Beijing) AND (Taiwan OR "national security") NOT sport`, []string{"Beijing Taiwan", "sport"}, false},
		{"documented example", `(A OR B) AND (C OR "d e") NOT sport`, []string{"b: d e"}, true},
	}
	for _, tt := range tests {
		q, err := Parse(tt.query)
		if err != nil {
			t.Errorf("%s: Parse(%q) error: %v", tt.rule, tt.query, err)
			continue
		}
		if got := q.Match(tt.fields...); got != tt.want {
			t.Errorf("%s: Parse(%q).Match(%q) = %v; want %v", tt.rule, tt.query, tt.fields, got, tt.want)
		}
	}
}

func TestConstant(t *testing.T) {
	tests := []struct {
		in        string
		value, ok bool
	}{
		{"a", false, false},
		{"NOT a", false, false},
		{"a NOT a", false, true},
		{`Taiwan NOT "taiwan"`, false, true}, // one term, written twice
		{"(a OR b) NOT (b OR a)", false, true},
		{"a OR NOT a", true, true},
		{"NOT (a NOT a)", true, true},
		{"(a NOT b) OR (b NOT a)", false, false},
		{strings.Repeat("a OR ", 20) + "NOT a", true, true},
		{"a b c d e f g h i j k l m n o p q NOT a", false, false}, // too many terms to try
	}
	for _, tt := range tests {
		q, err := Parse(tt.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.in, err)
		}
		if value, ok := q.Constant(); value != tt.value || ok != tt.ok {
			t.Errorf("Parse(%q).Constant() = %v, %v; want %v, %v", tt.in, value, ok, tt.value, tt.ok)
		}
	}
}

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a", "a"},
		{"a b c", "a AND b AND c"},
		{"a b AND c", "a AND b AND c"},
		{"a OR b c", "a OR (b AND c)"},
		{"(a OR b) c", "(a OR b) AND c"},
		{"(a b) c", "(a AND b) AND c"},
		{"a NOT b", "a AND NOT b"},
		{"NOT (a b)", "NOT (a AND b)"},
		{"NOT NOT a", "NOT NOT a"},
		{`"Xi Jinping"   OR  Beijing`, `"Xi Jinping" OR Beijing`},
		{`“say "hi"”`, `“say "hi"”`},
		{`„Xi Jinping“ OR „a b”`, `"Xi Jinping" OR "a b"`},
		{`„say "hi"“`, `“say "hi"”`},
		{`"a „b“"`, `"a „b“"`},
		{`«Единая Россия»`, `"Единая Россия"`},
		{`‹Conseil fédéral› OR ›Neue Zürcher‹ OR ›Svenska Dagbladet›`, `"Conseil fédéral" OR "Neue Zürcher" OR "Svenska Dagbladet"`},
		{`‹a «b»›`, `"a «b»"`},
		{`«say "hi" ”x»`, `«say "hi" ”x»`},
		{`「“a” "b" »c»」`, `「“a” "b" »c»」`},
		{`（a OR b） ＡＮＤ c`, `(a OR b) AND c`},
		{`(((a)))`, "a"},
		// A '"' between two Hebrew letters is an acronym's gershayim,
		// but for one that a later '"' closes: a prefix of one letter
		// before a quotation, as Hebrew writes it.
		{`צה"ל OR ארה"ב`, `צה"ל OR ארה"ב`},
		{`צה"ל NOT "ארה"`, `צה"ל AND NOT "ארה"`},
		{`ב"הארץ"`, `ב AND "הארץ"`},
		{`צבא"ארצות הברית"`, `צבא AND "ארצות הברית"`},
		{`ו"ידיעות אחרונות" OR צה"ל`, `(ו AND "ידיעות אחרונות") OR צה"ל`},
		{`צה"ל ו"ידיעות אחרונות"`, `צה"ל AND ו AND "ידיעות אחרונות"`},
	}
	for _, tt := range tests {
		q, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q) error: %v", tt.in, err)
			continue
		}
		if got := q.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in   string
		col  int
		msg  string
		rule string
	}{
		{"", 1, "empty query", "empty"},
		{"   ", 1, "empty query", "blank"},
		{"(a OR b", 8, `expected ")" to close "(" at column 1`, "unclosed parenthesis"},
		{"(a (b)", 7, `expected ")" to close "(" at column 1`, "unclosed outer parenthesis"},
		{"a OR b)", 7, `unexpected ")"`, "stray closing parenthesis"},
		{")", 1, `unexpected ")"`, "only a closing parenthesis"},
		{"()", 1, "empty parentheses", "empty parentheses"},
		{"a AND", 6, "expected a term after AND, got end of query", "dangling AND"},
		{"a OR", 5, "expected a term after OR, got end of query", "dangling OR"},
		{"a NOT", 6, "expected a term after NOT, got end of query", "dangling NOT"},
		{"AND a", 1, "expected a term before AND", "leading AND"},
		{"OR a", 1, "expected a term before OR", "leading OR"},
		{"a AND OR b", 7, "expected a term after AND, got OR", "two operators"},
		{"(AND a)", 2, "expected a term before AND", "operator after parenthesis"},
		{"a OR )", 6, `expected a term after OR, got ")"`, "operator before closing parenthesis"},
		{`a "b c`, 3, "unterminated quote", "unterminated quote"},
		{"a “b c", 3, "unterminated quote", "unterminated curly quote"},
		{"a ” b", 3, "closing quote without an opening one", "stray curly quote"},
		{"a „b c", 3, "unterminated quote", "unterminated low quote"},
		{"„a“ „b", 5, "unterminated quote", "unterminated low quote after a phrase"},
		{"„a b“ (c", 9, `expected ")" to close "(" at column 7`, "columns after a low-quoted phrase"},
		{"a „“", 3, "empty phrase", "empty low-quoted phrase"},
		{"a «b c", 3, "unterminated quote", "unterminated guillemet"},
		{"a ‹b c", 3, "unterminated quote", "unterminated single guillemet"},
		{"a ›b c", 3, "unterminated quote", "unterminated reversed single guillemet"},
		{"‹a› ‹b", 5, "unterminated quote", "unterminated single guillemet after a phrase"},
		{"東京 」", 4, "closing quote without an opening one", "stray corner bracket"},
		{"（台湾 OR 北京", 10, `expected ")" to close "(" at column 1`, "unclosed fullwidth parenthesis"},
		{"台湾 OR 北京）", 9, `unexpected ")"`, "stray fullwidth parenthesis"},
		{"tea ｏｒ coffee", 5, `"ｏｒ": write OR for the operator, or quote "ｏｒ" to find the word`, "fullwidth lower-case or"},
		{`a ""`, 3, "empty phrase", "empty phrase"},
		{`a "--"`, 3, `"--" has no letters or digits`, "phrase without words"},
		{"a & b", 3, `"&" has no letters or digits`, "word without letters"},
		{"tea or coffee", 5, `"or": write OR for the operator, or quote "or" to find the word`, "lower-case or"},
		{"cats and dogs", 6, `"and": write AND for the operator, or quote "and" to find the word`, "lower-case and"},
		{"Taiwan Not sport", 8, `"Not": write NOT for the operator, or quote "Not" to find the word`, "capitalised not"},
		{"Taiwan -sport", 8, `"-sport": write NOT sport to leave it out, or quote it`, "a minus is not NOT"},
		{"a OR (-b c)", 7, `"-b": write NOT b to leave it out, or quote it`, "a minus inside parentheses"},
		{"台湾 －体育", 4, `"－体育": write NOT 体育 to leave it out, or quote it`, "a fullwidth minus"},
		{"Taiwan −sport", 8, `"−sport": write NOT sport to leave it out, or quote it`, "a minus sign"},
		{"a econ*omy", 3, `"econ*omy": a * must end a word, as in econom*`, "star inside a word"},
		{`a "ec* rates"`, 3, `"ec* rates": the prefix ec* is shorter than 3 characters`, "short prefix"},
		{"Ünïcødé (ü", 11, `expected ")" to close "(" at column 9`, "columns count characters"},
		{strings.Repeat("(", 200) + "a" + strings.Repeat(")", 200), 102, "query nested too deeply", "too deep"},
		{strings.Repeat("NOT ", 200) + "a", 405, "query nested too deeply", "too many NOTs"},
	}
	for _, tt := range tests {
		q, err := Parse(tt.in)
		var qe *Error
		if !errors.As(err, &qe) {
			t.Errorf("%s: Parse(%q) = %v, %v; want *Error at column %d", tt.rule, tt.in, q, err, tt.col)
			continue
		}
		if qe.Column != tt.col || qe.Msg != tt.msg {
			t.Errorf("%s: Parse(%q) error = column %d %q; want column %d %q", tt.rule, tt.in, qe.Column, qe.Msg, tt.col, tt.msg)
		}
	}
}

func TestTermsAndEval(t *testing.T) {
	q, err := Parse(`"Xi Jinping" OR (Taiwan NOT "xi  jinping")`)
	if err != nil {
		t.Fatal(err)
	}
	terms := q.Terms()
	if len(terms) != 2 || !slices.Equal(terms[0], []string{"xi", "jinping"}) || !slices.Equal(terms[1], []string{"taiwan"}) {
		t.Fatalf("Terms() = %q; want [[xi jinping] [taiwan]] (one entry per distinct phrase)", terms)
	}
	for _, tt := range []struct{ xi, taiwan, want bool }{{false, false, false}, {true, false, true}, {false, true, true}, {true, true, true}} {
		got := q.Eval(func(i int) bool { return []bool{tt.xi, tt.taiwan}[i] })
		if got != tt.want {
			t.Errorf("Eval(xi=%v, taiwan=%v) = %v; want %v", tt.xi, tt.taiwan, got, tt.want)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain words", "plain words"},
		{"World News", "world news"},
		{"ＷＯＲＬＤ　ＮＥＷＳ", "world news"}, // fullwidth, and an ideographic space
		{"Cafe\u0301", "café"},
		{"Straße", "strasse"},
		{"ΑΘΛΗΤΙΣΜΟΣ", "αθλητισμοσ"},
		{"Apple™", "appletm"}, // Fold alone keeps no word boundaries
		{"J\u030c", "ǰ"},      // composes once folded
		{"\xffA", "\ufffda"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%+q) = %+q; want %+q", tt.in, got, tt.want)
		}
	}
}

// TestFoldIsFullCaseFolding checks Fold on every letter, digit and mark
// against NFKC and the full case folding of x/text, allowing for the
// simple folding that Words and Fold apply last (Cherokee folds to its
// lower case, x/text's to its upper), for the dotted and dotless "i",
// which fold to "i", and for the Greek accents, the Russian "ё" and the
// Arabic and Hebrew vowel points, which Fold leaves out (dropOptionalMarks).
func TestFoldIsFullCaseFolding(t *testing.T) {
	c := cases.Fold()
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		if !isWordRune(r) || unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hangul, r) {
			continue // nothing to fold in the largest scripts: faster under -race
		}
		s := string(r)
		got := Fold(s)
		want := strings.Map(fold, dropOptionalMarks(norm.NFKC.String(c.String(norm.NFKC.String(s)))))
		switch r {
		case 'İ', 'ı':
			want = "i"
		}
		if got != want {
			t.Errorf("Fold(%+q) = %+q; want %+q", s, got, want)
		}
		if again := Fold(got); again != got {
			t.Errorf("Fold(Fold(%+q)) = %+q; want %+q", s, again, got)
		}
		if n := dropOptionalMarks(norm.NFKC.String(s)); foldsByRune(n) && strings.Map(fold, n) != got {
			t.Errorf("foldsByRune(%+q) = true, but folded rune by rune it is %+q, not %+q", n, strings.Map(fold, n), got)
		}
	}
}

func TestFoldLabel(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Tech", "tech"},
		{"  New  York ", "new york"},
		{"New\u00a0York", "new york"}, // a no-break space
		{"ＮＥＷ\u3000ＹＯＲＫ", "new york"}, // fullwidth, with an ideographic space
		{"Αθλητισμος", "αθλητισμοσ"},
		{"ΑΘΛΗΤΙΣΜΟΣ", "αθλητισμοσ"},
		{"Straße\tnews", "strasse news"},
	} {
		if got := FoldLabel(tt.in); got != tt.want {
			t.Errorf("FoldLabel(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
