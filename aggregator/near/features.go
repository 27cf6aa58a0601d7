package near

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Term is one weighted word of a Doc.
type Term struct {
	Hash   uint32 // TermHash of the stemmed word
	Count  uint8  // occurrences, a title word counting twice, at most MaxCount
	IDF    uint8  // inverse document frequency when the Doc was weighed, in sixteenths
	Title  bool   // the word is in the title
	Entity bool   // a name or a number: capitalised mid-sentence, an acronym, or digits
}

// Doc is what near-duplicate detection keeps of an item: its words as
// weighted terms, its names and numbers, and hashed word shingles of its
// text for finding copies.
type Doc struct {
	Time      time.Time // the item's own time: published, else first seen
	Terms     []Term    // sorted by Hash, at most one per hash
	Shingles  []uint32  // sorted 16-bit hashes of the text's first word 3-shingles
	TitleLen  int       // number of distinct title terms
	Words     int       // number of words in the body text
	Truncated bool      // the title or the text ends in an ellipsis: a cut copy
	Digest    string    // hex digest of the normalised title and text; empty when too short to identify
}

// Clone returns a copy of d that Weigh may change without changing d.
func (d *Doc) Clone() *Doc {
	c := *d
	c.Terms = slices.Clone(d.Terms)
	return &c
}

// Limits of a Doc, so that an item's index entries and stored features stay
// small whatever the length of its text.
const (
	// MaxCount is where a term's count stops: past it, a term weighs
	// about the same (1 + ln count), and the count fits in six bits.
	MaxCount     = 63
	maxShingles  = 48 // shingles kept from the start of the text
	maxTerms     = 48 // terms kept, title terms first, then by count
	minDigestLen = 8  // words needed for the text digest to identify an item
)

// NewDoc builds the Doc of an item from its plain-text title, its body lines
// with chrome already removed (see Prose), and its time. The Doc is not
// weighed: call Weigh before comparing it.
func NewDoc(title string, lines []string, t time.Time) *Doc {
	d := &Doc{Time: t}
	title, tcut := cutEllipsis(strings.TrimSpace(title))
	body := strings.Join(lines, "\n")
	body, bcut := cutEllipsis(body)
	d.Truncated = tcut || bcut

	tw := words(unshout(title))
	if titleCase(tw) {
		// In a headline written in title case every word is capitalised:
		// the capitals say nothing about names.
		for i := range tw {
			if !tw[i].number && !tw[i].acronym {
				tw[i].capital = false
			}
		}
	}
	buf := wordBuffers.Get().(*[]word)
	bw := appendWords((*buf)[:0], unshout(body))
	defer func() {
		if cap(bw) <= 1<<14 { // do not keep one huge text's buffer
			clear(bw) // the words' strings may be large; do not hold them
			*buf = bw[:0]
			wordBuffers.Put(buf)
		}
	}()
	d.Words = len(bw)

	terms := make([]Term, 0, min(len(tw)+len(bw), 4*maxTerms))
	index := newTermIndex(len(tw) + len(bw) + 16) // hash → its term's place in terms
	defer index.release()
	add := func(w word, weight uint8, title bool) {
		if w.term == "" {
			return
		}
		h := TermHash(w.term)
		slot := index.find(h, terms)
		i := int(*slot) - 1
		if i < 0 {
			i = len(terms)
			*slot = int32(i + 1)
			terms = append(terms, Term{Hash: h})
		}
		t := &terms[i]
		if int(t.Count)+int(weight) <= MaxCount {
			t.Count += weight
		}
		t.Title = t.Title || title
		t.Entity = t.Entity || w.capital || w.number
	}
	for _, w := range tw {
		add(w, 2, true)
	}
	for _, w := range bw {
		add(w, 1, false)
	}
	var names []string
	if !titleCase(tw) {
		names = initials(tw)
	}
	for _, n := range append(names, initials(bw)...) {
		add(word{norm: n, term: stem(n), capital: true, acronym: true}, 1, false)
	}
	for _, t := range terms {
		if t.Title {
			d.TitleLen++
		}
	}
	if len(terms) > maxTerms {
		slices.SortFunc(terms, func(a, b Term) int {
			if a.Title != b.Title {
				if a.Title {
					return -1
				}
				return 1
			}
			if a.Count != b.Count {
				return int(b.Count) - int(a.Count)
			}
			return cmpU32(a.Hash, b.Hash)
		})
		terms = terms[:maxTerms]
	}
	slices.SortFunc(terms, func(a, b Term) int { return cmpU32(a.Hash, b.Hash) })
	d.Terms = terms

	d.Shingles = shingles(bw, maxShingles)
	if len(tw)+len(bw) >= minDigestLen {
		text := make([]byte, 0, len(title)+len(body)+2)
		for _, w := range tw {
			text = append(append(text, w.norm...), ' ')
		}
		text = append(text, '\n')
		for _, w := range bw {
			text = append(append(text, w.norm...), ' ')
		}
		sum := sha256.Sum256(text)
		d.Digest = hex.EncodeToString(sum[:16])
	}
	return d
}

// termIndex finds a term of a Doc being built by its hash: an
// open-addressed table of places in the Doc's terms, one more than the
// place (0 is an empty slot), sized for a text's words and reused from
// Doc to Doc. A Go map of the same costs a hashing of its own and, for
// a long text, its growth.
type termIndex struct {
	slots []int32
	shift uint32
}

var termIndexes = sync.Pool{New: func() any { return new(termIndex) }}

// newTermIndex returns an empty termIndex with room for n terms.
func newTermIndex(n int) *termIndex {
	x := termIndexes.Get().(*termIndex)
	bits := uint32(6)
	for 1<<bits < 2*n {
		bits++
	}
	if len(x.slots) != 1<<bits {
		x.slots = make([]int32, 1<<bits)
	}
	x.shift = 32 - bits
	return x
}

// find returns the slot of the term hashed h among terms, or the empty
// slot where it goes.
func (x *termIndex) find(h uint32, terms []Term) *int32 {
	mask := uint32(len(x.slots) - 1)
	for i := h * 0x9E3779B1 >> x.shift; ; i = (i + 1) & mask {
		if s := x.slots[i]; s == 0 || terms[s-1].Hash == h {
			return &x.slots[i]
		}
	}
}

// release empties x and returns it to the pool, unless it grew for an
// unusually long text.
func (x *termIndex) release() {
	if len(x.slots) > 1<<14 {
		return
	}
	clear(x.slots)
	termIndexes.Put(x)
}

// TermHash is the hash a term is counted and indexed under.
func TermHash(term string) uint32 { return fnv1a(fnvOffset, term) }

// FNV-1a, 32 bits, without hash.Hash's allocations.
const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

// fnv1a continues the FNV-1a hash h over s.
func fnv1a(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= fnvPrime
	}
	return h
}

// TermKey is the counter key of a term hash: eight hex digits.
func TermKey(h uint32) string {
	const digits = "0123456789abcdef"
	var b [8]byte
	for i := 7; i >= 0; i-- {
		b[i] = digits[h&0xf]
		h >>= 4
	}
	return string(b[:])
}

// TermKeys returns the counter keys of the Doc's terms, in Terms order.
func (d *Doc) TermKeys() []string {
	keys := make([]string, len(d.Terms))
	for i, t := range d.Terms {
		keys[i] = TermKey(t.Hash)
	}
	return keys
}

// Weigh sets each term's inverse document frequency from the number of
// documents seen, docs, and the document frequency of each term, df, in
// Terms order (as returned for TermKeys).
func (d *Doc) Weigh(docs uint32, df []uint32) {
	for i := range d.Terms {
		var f uint32
		if i < len(df) {
			f = df[i]
		}
		d.Terms[i].IDF = quantIDF(IDF(docs, f))
	}
}

// IDF is the smoothed inverse document frequency of a term found in df of
// docs documents. It is never below one, so a term seen everywhere still
// counts a little, and a store that has seen few documents weighs all terms
// alike.
func IDF(docs, df uint32) float64 {
	if df > docs {
		docs = df
	}
	return 1 + math.Log(float64(docs+1)/float64(df+1))
}

func quantIDF(f float64) uint8 {
	q := math.Round(f * 16)
	if q > math.MaxUint8 {
		q = math.MaxUint8
	}
	return uint8(q)
}

// weight is a term's tf-idf weight, with a dampened count.
func (t Term) weight() float64 {
	return countWeight[min(t.Count, MaxCount)] * float64(t.IDF) / 16
}

// countWeight[c] is 1 + ln c, the weight of a term counted c times
// (c ≤ MaxCount); 0 for c = 0.
var countWeight = func() (w [MaxCount + 1]float64) {
	for c := 1; c <= MaxCount; c++ {
		w[c] = 1 + math.Log(float64(c))
	}
	return w
}()

// shingles hashes the first limit word 3-shingles of ws (stop words
// included, as word order is what a copy keeps), sorted and distinct. A text
// shorter than three words gives one shingle of all its words. A shingle
// that starts with a pair of characters of a script written without spaces
// is kept only when its hash is a multiple of pairSample: such a text has a
// word for each character, several times the words of a text in English
// that says as much, and the first limit of them would reach only into its
// first sentence or two, which a copy's added lead line then fills. Chosen
// by hash, the shingles kept are the same in a copy, wherever its text
// begins.
func shingles(ws []word, limit int) []uint32 {
	return hashShingles(ws, limit, shingleHash)
}

// hashShingles returns the sorted, distinct hashes of the word 3-shingles
// of ws, at most limit of them from the start, each folded by fold.
func hashShingles(ws []word, limit int, fold func(uint32) uint32) []uint32 {
	if len(ws) == 0 {
		return nil
	}
	n := max(1, len(ws)-2)
	out := make([]uint32, 0, min(n, limit))
	for i := 0; i < n && len(out) < limit; i++ {
		// FNV-1a of the words, each followed by a zero byte.
		h := uint32(fnvOffset)
		for j := i; j < min(i+3, len(ws)); j++ {
			h = fnv1a(h, ws[j].norm) * fnvPrime // the zero byte: h ^= 0, h *= prime
		}
		if ws[i].pair && h%pairSample != 0 {
			continue
		}
		out = append(out, fold(h))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Whole is the word 3-shingles of the whole of a text, as Containment
// compares two texts: made once for a text that is compared with many, as
// long texts are costly to read word by word.
type Whole []uint32

// NewWhole returns the Whole of a text's body lines, as NewDoc takes them.
func NewWhole(lines []string) Whole {
	return hashShingles(words(unshout(strings.Join(lines, "\n"))), math.MaxInt, func(h uint32) uint32 { return h })
}

// Containment returns the share of the word 3-shingles of the shorter of
// two texts that the other holds, over the whole of both; 0 when the
// shorter has fewer than a copy needs. A Doc keeps the shingles of its
// text's first words only (maxShingles), which a version of the text that
// puts a line before it shares few of.
func Containment(a, b Whole) float64 {
	n := min(len(a), len(b))
	if n < minCopyShingles {
		return 0
	}
	return float64(intersect(a, b)) / float64(n)
}

// pairSample is the share (one in pairSample) of the shingles starting with
// a pair of characters that shingles keeps.
const pairSample = 3

// shingleHash folds a shingle's 32-bit hash to the 16 bits kept: copy
// detection compares at most 48 shingles with 48, which 16 bits tell apart
// but for one chance pair in thirty, and a copy shares most of them.
func shingleHash(h uint32) uint32 { return h >> 16 }

// cutEllipsis removes a trailing ellipsis ("...", "…", "[…]", "[...]") and
// reports whether there was one: the mark of a text cut short.
func cutEllipsis(s string) (string, bool) {
	t := strings.TrimRightFunc(s, unicode.IsSpace)
	for _, mark := range []string{"[…]", "[...]", "(…)", "(...)", "…", "..."} {
		if strings.HasSuffix(t, mark) {
			return strings.TrimRightFunc(strings.TrimSuffix(t, mark), unicode.IsSpace), true
		}
	}
	return s, false
}

// unshout lower-cases text written mostly in capitals, so that a shouted
// headline reads like any other and its words are not taken for acronyms.
func unshout(s string) string {
	upper, letters := 0, 0
	for _, r := range s {
		if r < utf8.RuneSelf && asciiClass[r] != asciiUnicode {
			switch {
			case 'a' <= r && r <= 'z':
				letters++
			case 'A' <= r && r <= 'Z':
				letters++
				upper++
			}
			continue
		}
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	if letters >= 12 && upper*10 > letters*6 {
		return strings.ToLower(s)
	}
	return s
}

// titleCase reports whether most words of a headline are capitalised.
func titleCase(ws []word) bool {
	content, capital := 0, 0
	for _, w := range ws {
		if w.term == "" || w.number {
			continue
		}
		content++
		if w.capital {
			capital++
		}
	}
	return content >= 3 && capital*4 >= content*3
}

func cmpU32(a, b uint32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
