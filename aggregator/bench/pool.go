package bench

import (
	"math/rand/v2"
	"slices"
	"sync"
)

// pool is a list of words drawn by a Zipf–Mandelbrot law, as news draws
// its names and nouns: the first words turn up in many stories, the long
// tail in few. Unrelated stories then share common words, which weigh
// little, and seldom a rare one.
type pool struct {
	words []string
	cum   []float64 // cum[i] is the weight of words[:i+1]
}

func newPool(words []string) *pool {
	p := &pool{words: words, cum: make([]float64, len(words))}
	var sum float64
	for i := range words {
		sum += 1 / float64(i+zipfOffset)
		p.cum[i] = sum
	}
	return p
}

// zipfOffset flattens the head of a pool's law: with 1/(i+1), a list's first
// word would be one draw in six of a few hundred nouns, where no content
// word of real news is nearly that common.
const zipfOffset = 10

// draw returns a word, the i-th (from 0) with weight 1/(i+zipfOffset).
func (p *pool) draw(r *rand.Rand) string {
	x := r.Float64() * p.cum[len(p.cum)-1]
	i, _ := slices.BinarySearch(p.cum, x)
	return p.words[min(i, len(p.words)-1)]
}

// coin reports true with probability percent/100.
func coin(r *rand.Rand, percent int) bool { return r.IntN(100) < percent }

// compose returns the distinct names made of one of heads, one of mids and
// one of tails, in an order that mixes the three, so that a Zipf draw's
// common names do not all share a first syllable.
func compose(heads, mids, tails []string, format func(head, mid, tail string) string) []string {
	n := len(heads) * len(mids) * len(tails)
	out := make([]string, 0, n)
	seen := make(map[string]bool, n)
	for k := range n {
		h := heads[k%len(heads)]
		m := mids[(k/len(heads)+k)%len(mids)]
		t := tails[(k/(len(heads)*len(mids))+k)%len(tails)]
		if name := format(h, m, t); !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

// pools are the pools the generator draws names and nouns from. Each starts
// with the hand-written list of its kind (the names topic rules are written
// with) and goes on with names composed from syllables, to the thousands of
// people, places and organisations a news service writes about.
type pools struct {
	person, place, org, noun, plural, verb, past, adjective *pool
}

// vocabulary returns the pools, made on first use: only the bench needs
// them, and they take some milliseconds and megabytes to make.
var vocabulary = sync.OnceValue(func() *pools {
	return &pools{
		person: newPool(append(slices.Clone(people), compose(givenNames, surnameHeads, surnameTails,
			func(g, h, t string) string { return g + " " + h + t })...)),
		place: newPool(append(slices.Clone(places), compose(placeHeads, placeMids, placeTails, placeName)...)),
		org: newPool(append(slices.Clone(orgs), compose(surnameHeads, orgMids, orgKinds,
			func(h, m, k string) string { return h + m + " " + k })...)),
		noun:      newPool(nouns),
		plural:    newPool(plurals),
		verb:      newPool(verbs),
		past:      newPool(pastVerbs),
		adjective: newPool(adjectives),
	}
})

func placeName(head, mid, tail string) string {
	switch tail {
	case "Port ", "San ", "New ", "Lake ", "Mount ":
		return tail + head + mid
	}
	return head + mid + tail
}
