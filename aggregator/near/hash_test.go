package near

import (
	"hash/fnv"
	"slices"
	"testing"
)

// Stores keep bands and document frequencies under term hashes, and
// fingerprints hold shingle hashes: both must stay FNV-1a as hash/fnv
// computes it, or files written before would no longer match.
func TestHashesAreFNV1a(t *testing.T) {
	for _, term := range []string{"", "a", "harbou", "zookee", "jinpin", "españ", "北京", "naïve"} {
		h := fnv.New32a()
		h.Write([]byte(term))
		if got, want := TermHash(term), h.Sum32(); got != want {
			t.Errorf("TermHash(%q) = %#x; hash/fnv gives %#x", term, got, want)
		}
	}
	ws := words("Engineers closed the old harbour bridge in Portmere after cracks — ¡otra vez!")
	var want []uint32
	for i := 0; i < len(ws)-2; i++ {
		h := fnv.New32a()
		for _, w := range ws[i : i+3] {
			h.Write([]byte(w.norm))
			h.Write([]byte{0})
		}
		want = append(want, shingleHash(h.Sum32()))
	}
	slices.Sort(want)
	want = slices.Compact(want)
	if got := shingles(ws, maxShingles); !slices.Equal(got, want) {
		t.Errorf("shingles = %x; hash/fnv gives %x", got, want)
	}
}
