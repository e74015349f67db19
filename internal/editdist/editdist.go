// Package editdist is the project's one Levenshtein distance: the measure
// behind every "did you mean" (config keys, commands, country and actor
// names).
package editdist

// Distance is the Levenshtein distance between a and b in runes: the
// fewest insertions, deletions and substitutions of one character that
// turn a into b ("Ménaka" and "Menaka" are one apart).
func Distance(a, b string) int {
	if a == b {
		return 0
	}
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
