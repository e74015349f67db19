package briefing

import (
	"math/bits"
	"sort"
	"strings"
)

// Resolve finds the country or actor (as kind says) a person means by
// text: an id ("burkina-faso"), a name or any alias in either language
// ("Burkinabè", "Goïta", "CEDEAO"). When nothing matches it returns up to
// three suggestions, closest first, for a "did you mean" answer.
func (g *Gazetteer) Resolve(kind Kind, text string) (tag Tag, ok bool, suggestions []Tag) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Tag{}, false, nil
	}
	if k, found := g.kinds[strings.ToLower(text)]; found && k == kind {
		return g.tag(kind, g.index[strings.ToLower(text)]), true, nil
	}
	// Direct names only: asked for a country, "Goïta" should not quietly
	// mean Mali.
	cMask, aMask := g.scan(text, "", false)
	mask := aMask
	if kind == KindCountry {
		mask = cMask
	}
	if mask != 0 && mask&(mask-1) == 0 { // exactly one
		return g.tag(kind, bits.TrailingZeros64(mask)), true, nil
	}
	return Tag{}, false, g.suggest(kind, text)
}

func (g *Gazetteer) tag(kind Kind, i int) Tag {
	if kind == KindCountry {
		return g.countries[i]
	}
	return g.actors[i]
}

// suggest ranks ids and names by edit distance to text (folded).
func (g *Gazetteer) suggest(kind Kind, text string) []Tag {
	list := g.actors
	if kind == KindCountry {
		list = g.countries
	}
	want := fold(text)
	type scored struct {
		t Tag
		d int
	}
	var cands []scored
	for _, t := range list {
		d := min(editDistance(want, fold(t.ID)), editDistance(want, fold(t.Name)))
		for _, w := range strings.Fields(fold(t.Name)) {
			if len(w) > 3 && (strings.HasPrefix(w, want) || strings.HasPrefix(want, w)) {
				d = min(d, 1)
			}
			if len(w) > 4 {
				d = min(d, editDistance(want, w))
			}
		}
		if d <= max(2, len(want)/3) {
			cands = append(cands, scored{t, d})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].d < cands[j].d })
	out := make([]Tag, 0, 3)
	for i := 0; i < len(cands) && i < 3; i++ {
		out = append(out, cands[i].t)
	}
	return out
}

// fold lower-cases s and strips accents, keeping only letters, digits and
// single spaces.
func fold(s string) string {
	t := tokenize(s, nil)
	words := make([]string, 0, len(t.spans))
	for i, sp := range t.spans {
		if sp.start != sp.end {
			words = append(words, t.word(i))
		}
	}
	return strings.Join(words, " ")
}

// editDistance is the Levenshtein distance between a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
