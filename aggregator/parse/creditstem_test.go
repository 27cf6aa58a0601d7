package parse

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hasCreditStemReference is hasCreditStem read plainly: every stem
// searched for in the text with its ASCII capitals lowered, and in the
// text in lower case when it is not ASCII.
func hasCreditStemReference(s string) bool {
	s = tail(s, 160)
	lower := []byte(s)
	for i, c := range lower {
		if c >= 'A' && c <= 'Z' {
			lower[i] = c + 'a' - 'A'
		}
	}
	for _, st := range creditStems {
		if bytes.Contains(lower, []byte(st)) {
			return true
		}
	}
	if !isASCII(s) {
		ls := strings.Map(foldLower, s)
		for _, st := range creditStems {
			if strings.Contains(ls, st) {
				return true
			}
		}
	}
	return false
}

// TestCreditStemsFolded holds every credit stem to its own fold, so that
// a text folded by foldLower holds the stem whenever (?i) matches it.
func TestCreditStemsFolded(t *testing.T) {
	for _, st := range creditStems {
		if f := strings.Map(foldLower, st); f != st {
			t.Errorf("credit stem %q folds to %q", st, f)
		}
	}
}

// creditRegexpSeeds are texts creditBefore matches, some with letters
// (?i) takes for others.
var creditRegexpSeeds = []string{
	"Source:", "The bridge reopened. ſource:", "Мост открыт. Иᲃточник:", "ϖηγή:", "\u212aälla:",
	"Originally published at", "Republished with permission from", "VİA:", "hat tip:",
}

// TestCreditStemBeforeRegexp holds hasCreditStem to creditBefore, which
// it spares: a text the regexp matches holds a credit stem.
func TestCreditStemBeforeRegexp(t *testing.T) {
	for _, s := range creditRegexpSeeds {
		if creditBefore.MatchString(s) && !hasCreditStem(s) {
			t.Errorf("creditBefore matches %q, but hasCreditStem finds no credit word in it", s)
		}
	}
}

func FuzzCreditStemBeforeRegexp(f *testing.F) {
	for _, s := range append(creditRegexpSeeds, creditStemSeeds...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if creditBefore.MatchString(s) && !hasCreditStem(s) {
			t.Errorf("creditBefore matches %q, but hasCreditStem finds no credit word in it", s)
		}
		if isASCII(s) && creditText.MatchString(s) && !hasCreditStem(s) {
			t.Errorf("creditText matches %q, but hasCreditStem finds no credit word in it", s)
		}
	})
}

// creditStemSeeds are texts around links, credit lines and not.
var creditStemSeeds = []string{
	"", "Source:", "SOURCE: ", "via ", "H/T", "Hat Tip to", "Originally published at",
	"First appeared on", "Read more", "Quelle:", "ŹRÓDŁO:", "Źródło:", "ИСТОЧНИК:", "Источник:",
	"Nguồn:", "Nguồn:", "出典：", "<p>The council met on Tuesday. See the ", "Ｓource:",
	"<p>Crews worked through the night on the bridge</p><p>", "ΠΗΓΗ:", "Πηγή:", "KÄLLA:",
	strings.Repeat("x", 200) + "source", "source" + strings.Repeat("x", 200),
}

// TestCreditStemMatchesReference holds hasCreditStem to the plain reading
// on the text around every link of every feed in testdata, the ingest
// package's testdata (news in Korean, Russian, Japanese, Hebrew, Arabic, …)
// and the shared corpus, raw and as isCredit reads the text before it, and
// on a few credit lines in several languages.
func TestCreditStemMatchesReference(t *testing.T) {
	texts := append([]string(nil), creditStemSeeds...)
	var files []string
	for _, root := range []string{"testdata", "../ingest/testdata", corpusDir} {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, p)
			}
			return nil
		})
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		gf, err := feedParser.Parse(bytes.NewReader(b))
		if err != nil {
			continue
		}
		for _, it := range gf.Items {
			for _, h := range []string{it.Description, it.Content} {
				var anchors []anchor
				sanitize(h, nil, &anchors)
				for _, a := range anchors {
					texts = append(texts, a.text, a.before, a.after, tail(collapseSpace(stripTags(a.before)), 72))
				}
			}
		}
	}
	if len(texts) < 200 {
		t.Fatalf("only %d texts around links", len(texts))
	}
	for _, s := range texts {
		if got, want := hasCreditStem(s), hasCreditStemReference(s); got != want {
			t.Errorf("hasCreditStem(%q) = %v, want %v", s, got, want)
		}
		if creditBefore.MatchString(s) && !hasCreditStem(s) {
			t.Errorf("creditBefore matches %q, but hasCreditStem finds no credit word in it", s)
		}
	}
	t.Logf("%d texts from %d files", len(texts), len(files))
}

func FuzzCreditStem(f *testing.F) {
	for _, s := range creditStemSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := hasCreditStem(s), hasCreditStemReference(s); got != want {
			t.Errorf("hasCreditStem(%q) = %v, want %v", s, got, want)
		}
	})
}
