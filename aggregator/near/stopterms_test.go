package near

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestStopWordTable holds isStopWord to the list of stop words: every one
// of them, every word of the samples and of the feeds in the ingest
// package's testdata, and every prefix and extension of a stop word.
func TestStopWordTable(t *testing.T) {
	check := func(w string) {
		t.Helper()
		if got, want := isStopWord(w), stopWords[w]; got != want {
			t.Fatalf("isStopWord(%q) = %v, want %v", w, got, want)
		}
	}
	check("")
	for w := range stopWords {
		check(w)
		for i := range len(w) {
			check(w[:i])
		}
		check(w + "s")
		check(strings.ToUpper(w))
	}
	texts := append([]string(nil), wordSamples...)
	files, _ := filepath.Glob("../ingest/testdata/*/*")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			texts = append(texts, Text(string(b)))
		}
	}
	n := 0
	for _, s := range texts {
		for _, w := range words(s) {
			check(w.norm)
			n++
		}
	}
	if n < 10_000 {
		t.Fatalf("only %d words read from %d files", n, len(files))
	}
}

func FuzzStopWordTable(f *testing.F) {
	for w := range stopWords {
		f.Add(w)
	}
	f.Fuzz(func(t *testing.T, w string) {
		if got, want := isStopWord(w), stopWords[w]; got != want {
			t.Fatalf("isStopWord(%q) = %v, want %v", w, got, want)
		}
	})
}

// TestTermIndexMatchesMap fills termIndexes as NewDoc does, with hashes
// drawn from a few values (so that they share slots) and from all of
// uint32 (0 among them), and holds each look-up to a map's.
func TestTermIndexMatchesMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 500 {
		n := r.IntN(600)
		x := newTermIndex(n)
		var terms []Term
		want := map[uint32]int{}
		for range n {
			var h uint32
			switch r.IntN(3) {
			case 0:
				h = uint32(r.IntN(8)) << uint(r.IntN(32)) // shared low or high bits
			case 1:
				h = uint32(r.IntN(40))
			default:
				h = r.Uint32()
			}
			slot := x.find(h, terms)
			i, ok := want[h]
			if got := int(*slot) - 1; ok != (got >= 0) || ok && got != i {
				t.Fatalf("round %d: hash %#x at %d, want %d (%v)", round, h, got, i, ok)
			}
			if !ok {
				want[h] = len(terms)
				*slot = int32(len(terms) + 1)
				terms = append(terms, Term{Hash: h})
			}
		}
		x.release()
	}
}

// TestNewDocConcurrent builds the Docs of the ingest testdata's feeds on
// several goroutines at once, as pollers prepare their feeds, each with
// texts of other lengths than its neighbour's: the pooled term tables and
// word buffers leave no state from one text to the next, and every Doc is
// the one built alone.
func TestNewDocConcurrent(t *testing.T) {
	files, _ := filepath.Glob("../ingest/testdata/*/*")
	var texts []string
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			texts = append(texts, Text(string(b)))
		}
	}
	if len(texts) < 50 {
		t.Fatalf("only %d texts read", len(texts))
	}
	when := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	build := func(s string) *Doc {
		title, body, _ := strings.Cut(s, "\n")
		return NewDoc(title, strings.Split(body, "\n"), when)
	}
	want := make([]*Doc, len(texts))
	for i, s := range texts {
		want[i] = build(s)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range len(texts) {
				i := (k*(2*g+1) + g) % len(texts)
				if got := build(texts[i]); !reflect.DeepEqual(got, want[i]) {
					errs <- fmt.Sprintf("goroutine %d, text %d: Doc differs from the one built alone", g, i)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
