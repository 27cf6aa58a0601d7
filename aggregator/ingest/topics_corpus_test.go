package ingest_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/near"
	"github.com/tributary-feeds/tributary/aggregator/topic"
)

// Regression guards of TestTopicsCorpus: the micro-averaged precision and
// F1 of testdata/topics/config.yaml (0.776 and 0.726), less a small margin.
// They are floors, not targets.
const (
	minTopicPrecision = 0.75
	minTopicF1        = 0.70
)

// topicLabelKey is how testdata/topics/labels.jsonl names an item: the
// first 16 hex digits of the SHA-256 of its link, so that the file holds
// no text of the corpus.
func topicLabelKey(link string) string {
	sum := sha256.Sum256([]byte(link))
	return hex.EncodeToString(sum[:])[:16]
}

// readTopicLabels reads testdata/topics/labels.jsonl: the topics each item
// of the story corpus belongs to, by topicLabelKey.
func readTopicLabels(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "topics", "labels.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l struct {
			Key    string   `json:"key"`
			Topics []string `json:"topics"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("topic labels: %v", err)
		}
		out[l.Key] = l.Topics
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// topicScores counts one topic's decisions against the labels.
type topicScores struct{ tp, fp, fn int }

func (s *topicScores) add(predicted, gold bool) {
	switch {
	case predicted && gold:
		s.tp++
	case predicted:
		s.fp++
	case gold:
		s.fn++
	}
}

func (s topicScores) prf() (p, r, f float64) {
	p, r = ratio(s.tp, s.tp+s.fp), ratio(s.tp, s.tp+s.fn)
	return p, r, f1(p, r)
}

// scoreTopics scores predicted topics (by label key) against the labels,
// for each of names and over all of them (micro-averaged).
func scoreTopics(names []string, gold, predicted map[string][]string) (map[string]topicScores, topicScores) {
	per := map[string]topicScores{}
	var all topicScores
	for key, want := range gold {
		got := predicted[key]
		for _, name := range names {
			s := per[name]
			s.add(slices.Contains(got, name), slices.Contains(want, name))
			per[name] = s
			all.add(slices.Contains(got, name), slices.Contains(want, name))
		}
	}
	return per, all
}

// taxonomyBaseline tags each item with the baseline keyword rules of the
// corpus's topic-taxonomy.json: case-insensitive regular expressions over
// the title and the summary's text.
func taxonomyBaseline(t *testing.T, dir string, items map[string]storedItem) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "topic-taxonomy.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tax struct {
		Topics map[string]struct {
			Keywords []string `json:"keywords"`
		} `json:"topics"`
	}
	if err := json.Unmarshal(b, &tax); err != nil {
		t.Fatalf("topic-taxonomy.json: %v", err)
	}
	rules := map[string]*regexp.Regexp{}
	for name, tp := range tax.Topics {
		rules[name] = regexp.MustCompile("(?i)(" + strings.Join(tp.Keywords, ")|(") + ")")
	}
	out := map[string][]string{}
	for link, si := range items {
		text := si.item.Title + "\n" + near.Text(si.item.Summary)
		var tags []string
		for name, re := range rules {
			if re.MatchString(text) {
				tags = append(tags, name)
			}
		}
		out[topicLabelKey(link)] = tags
	}
	return out
}

// TestTopicsCorpus runs the real pipeline over the story corpus with the
// topics of testdata/topics/config.yaml, and scores the topics each item's
// story took against hand-made labels (testdata/topics/labels.jsonl),
// beside the corpus's own baseline keyword rules.
func TestTopicsCorpus(t *testing.T) {
	dir := corpusDir(t)
	path := filepath.Join("testdata", "topics", "config.yaml")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := aggregator.Load(f, path)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	gold := readTopicLabels(t)
	files := corpusFiles(t, dir)
	run := func(cfg *aggregator.Config) (map[string]storedItem, map[string][]string) {
		tags, err := topic.Compile(cfg.Topics, cfg.Sources)
		if err != nil {
			t.Fatal(err)
		}
		items := runCorpusTagged(t, files, cfg, tags)
		predicted := map[string][]string{}
		for link, si := range items {
			predicted[topicLabelKey(link)] = si.story.Topics
		}
		return items, predicted
	}
	items, predicted := run(cfg)
	// The same rules, each topic taking a story on any one phrase.
	anyOne := *cfg
	anyOne.Topics = slices.Clone(cfg.Topics)
	for i := range anyOne.Topics {
		anyOne.Topics[i].Match.AtLeast = 0
	}
	_, predictedAnyOne := run(&anyOne)
	for _, l := range readLabels(t, dir) {
		if _, ok := gold[topicLabelKey(l.Link)]; !ok {
			t.Errorf("item %s has no topic label", l.Link)
		}
		if _, ok := items[l.Link]; !ok {
			t.Errorf("item %s was not stored", l.Link)
		}
	}
	var names []string
	for _, tc := range cfg.Topics {
		names = append(names, tc.ID)
	}
	per, all := scoreTopics(names, gold, predicted)
	_, allAnyOne := scoreTopics(names, gold, predictedAnyOne)
	basePer, baseAll := scoreTopics(names, gold, taxonomyBaseline(t, dir, items))

	t.Logf("topics of %d labelled items: testdata/topics/config.yaml against the taxonomy's keyword baseline", len(gold))
	t.Logf("| topic | labelled | precision | recall | F1 | baseline P | baseline R | baseline F1 |")
	var macro, baseMacro float64
	row := func(name string, s, b topicScores) {
		p, r, f := s.prf()
		bp, br, bf := b.prf()
		t.Logf("| %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |", name, s.tp+s.fn, p, r, f, bp, br, bf)
	}
	for _, name := range names {
		row(name, per[name], basePer[name])
		_, _, f := per[name].prf()
		_, _, bf := basePer[name].prf()
		macro += f / float64(len(names))
		baseMacro += bf / float64(len(names))
	}
	row("all (micro)", all, baseAll)
	t.Logf("macro-averaged F1 %.3f (baseline %.3f)", macro, baseMacro)
	p1, r1, fAnyOne := allAnyOne.prf()
	t.Logf("the same rules taking a story on any one phrase (at_least 1): micro P=%.3f R=%.3f F1=%.3f", p1, r1, fAnyOne)

	p, _, microF1 := all.prf()
	if p < minTopicPrecision {
		t.Errorf("topic precision %.3f; want at least %.2f", p, minTopicPrecision)
	}
	if microF1 < minTopicF1 {
		t.Errorf("topic F1 %.3f; want at least %.2f", microF1, minTopicF1)
	}
	if _, _, bf := baseAll.prf(); microF1 <= bf {
		t.Errorf("topic F1 %.3f is no better than the keyword baseline's %.3f", microF1, bf)
	}
	if *evalFlag {
		for _, name := range names {
			for link, si := range items {
				key := topicLabelKey(link)
				got, want := slices.Contains(predicted[key], name), slices.Contains(gold[key], name)
				if got != want {
					why := "MISSED"
					if got {
						why = "WRONG "
					}
					t.Logf("%s %-13s %s", why, name, fmt.Sprintf("%.90s", si.item.Title))
				}
			}
		}
	}
}
