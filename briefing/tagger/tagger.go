package tagger

import (
	"math/bits"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// span is one word of folded text: bytes [start, end) of tokens.buf.
type span struct {
	start, end int32
	upper      bool // every letter was upper case in the original ("US")
	title      bool // the first letter was upper case ("Turkey")
}

// tokens is text cut into folded words. A span with start == end is a
// boundary (punctuation) that no phrase crosses.
type tokens struct {
	buf   []byte
	spans []span
	// exactCase keeps upper-case marks even for text in capitals: set for
	// aliases, where "AU" means the acronym.
	exactCase bool
}

func (t *tokens) word(i int) string { s := t.spans[i]; return string(t.buf[s.start:s.end]) }

// bytesOf returns the folded bytes of word i without copying.
func (t *tokens) bytesOf(i int) []byte { s := t.spans[i]; return t.buf[s.start:s.end] }

// tokenize folds s (lower case, accents stripped) and cuts it into words
// of letters and digits. Apostrophes split words ("l'armée" → "l",
// "armee"); sentence punctuation adds a boundary; dotted acronyms join
// ("U.S." → "us", marked upper case). It appends to into and returns it.
func tokenize(s string, into *tokens) tokens {
	var t tokens
	if into != nil {
		t = *into
		t.buf = t.buf[:0]
		t.spans = t.spans[:0]
	}
	return t.appendText(s)
}

// ASCII character classes for the tokenizer's fast path.
const (
	asciiPunct = iota // breaks phrases: . , ; : ! ? ( ) « » " …
	asciiLower
	asciiUpper
	asciiDigit
	asciiSep // separates words within a phrase: space, apostrophe, hyphen, slash
	asciiDot
)

var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for c := 0; c < utf8.RuneSelf; c++ {
		switch {
		case 'a' <= c && c <= 'z':
			t[c] = asciiLower
		case 'A' <= c && c <= 'Z':
			t[c] = asciiUpper
		case '0' <= c && c <= '9':
			t[c] = asciiDigit
		case c == '.':
			t[c] = asciiDot
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
			c == '\'' || c == '`' || c == '-' || c == '/' || c == '&' || c == '_':
			t[c] = asciiSep
		}
	}
	return t
}()

// appendText folds s and appends its words to t (see tokenize). It is
// one long function on purpose: it is the tokenizer's hot loop, every
// tagged, clustered and matched text goes through it, and its small
// closures share the word being built without allocating (BenchmarkTag:
// one allocation a tagged item); split, the state would travel through a
// struct and the loop would be harder to read, not easier.
func (t tokens) appendText(s string) tokens {
	first := len(t.spans)
	anyLower := false
	inWord := false
	var cur span
	upper, lower := 0, 0
	end := func() {
		if !inWord {
			return
		}
		cur.end = int32(len(t.buf))
		cur.upper = upper > 0 && lower == 0
		t.spans = append(t.spans, cur)
		inWord = false
	}
	boundary := func() {
		end()
		if n := len(t.spans); n > 0 && t.spans[n-1].start != t.spans[n-1].end {
			t.spans = append(t.spans, span{start: int32(len(t.buf)), end: int32(len(t.buf))})
		}
	}
	begin := func(isUpper bool) {
		if !inWord {
			inWord = true
			cur = span{start: int32(len(t.buf)), title: isUpper}
			upper, lower = 0, 0
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch asciiClass[c] {
			case asciiLower:
				begin(false)
				lower++
				anyLower = true
				t.buf = append(t.buf, c)
			case asciiUpper:
				begin(true)
				upper++
				t.buf = append(t.buf, c+'a'-'A')
			case asciiDigit:
				begin(false)
				t.buf = append(t.buf, c)
			case asciiSep:
				end()
			case asciiDot:
				switch {
				case inWord && int(cur.start)+1 == len(t.buf) && i+2 < len(s) && isLetterByte(s[i+1]) && s[i+2] == '.':
					// "U.S." / "U.N.": a one-letter word followed by ".X."
					// keeps going as one word.
				case inWord && isAcronymTail(s, i):
					end() // the final dot of "U.S." ends the word, no boundary
				default:
					boundary()
				}
			default:
				boundary()
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case isApostrophe(r):
			end()
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			isUpper := unicode.IsUpper(r)
			begin(isUpper)
			if isUpper {
				upper++
			} else if unicode.IsLower(r) {
				lower++
				anyLower = true
			}
			str, fr := foldRune(r)
			if str != "" {
				t.buf = append(t.buf, str...)
			} else {
				t.buf = utf8.AppendRune(t.buf, fr)
			}
		case r == '‐' || r == '‑' || unicode.IsSpace(r) ||
			r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060' || r == '\ufeff':
			end()
		case unicode.Is(unicode.Mn, r):
			// a combining accent (decomposed text): part of the word, dropped
		default:
			boundary() // « » … — and other punctuation
		}
	}
	end()
	// A text in capitals ("LE MALI A UN NOUVEAU PRÉSIDENT") cannot tell
	// the acronym "UN" from the article "un": no word counts as upper.
	if !anyLower && !t.exactCase {
		for i := first; i < len(t.spans); i++ {
			t.spans[i].upper = false
		}
	}
	return t
}

func isLetterByte(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

// isAcronymTail reports whether the dot at s[i] closes a dotted acronym
// such as "U.S." (the text before is "X.Y").
func isAcronymTail(s string, i int) bool {
	return i >= 3 && s[i-2] == '.' && isLetterByte(s[i-1]) && isLetterByte(s[i-3])
}

// tokensPool recycles token buffers: tagging allocates only its result.
var tokensPool = sync.Pool{New: func() any { return &tokens{buf: make([]byte, 0, 512), spans: make([]span, 0, 96)} }}

// Tag returns the canonical ids of the countries and actors that title and
// summary refer to, each sorted. It is safe for concurrent use.
func (g *Gazetteer) Tag(title, summary string) (countries, actors []string) {
	c, a := g.tagMasks(title, summary)
	return g.ids(c, g.countries, g.countryOrder), g.ids(a, g.actors, g.actorOrder)
}

// TagItem sets it.Countries and it.Actors from its title and summary.
func (g *Gazetteer) TagItem(it *briefing.Item) {
	it.Countries, it.Actors = g.Tag(it.Title, it.Summary)
}

// tagMasks does the work of Tag with bit masks.
func (g *Gazetteer) tagMasks(title, summary string) (countries, actors uint64) {
	return g.scan(title, summary, true)
}

// scan finds the entities in title and summary; with implied set, actors
// add the countries they imply (a leader his country).
func (g *Gazetteer) scan(title, summary string, implied bool) (countries, actors uint64) {
	tp := tokensPool.Get().(*tokens)
	t := tokenize(title, tp)
	t.spans = append(t.spans, span{start: int32(len(t.buf)), end: int32(len(t.buf))})
	t = t.appendText(summary)

	type pending struct {
		idx       int
		kind      Kind
		when, not uint64
	}
	var conds [8]pending
	nconds := 0
	g.walk(&t, func(_, _ int, h hit) {
		switch {
		case h.when != 0 || h.not != 0:
			if nconds < len(conds) {
				conds[nconds] = pending{idx: h.idx, kind: h.kind, when: h.when, not: h.not}
				nconds++
			}
		case h.kind == KindCountry:
			countries |= 1 << h.idx
		default:
			actors |= 1 << h.idx
		}
	})
	tp.buf, tp.spans = t.buf, t.spans
	tokensPool.Put(tp)

	if implied {
		for a := actors; a != 0; a &= a - 1 {
			countries |= g.implies[bits.TrailingZeros64(a)]
		}
	}
	for _, p := range conds[:nconds] {
		if (p.when == 0 || countries&p.when != 0) && countries&p.not == 0 {
			if p.kind == KindCountry {
				countries |= 1 << p.idx
			} else {
				actors |= 1 << p.idx
				if implied {
					countries |= g.implies[p.idx]
				}
			}
		}
	}
	return countries, actors
}

// walk calls fn for every hit of every alias phrase found in t, longest
// phrase first from each word, skipping ignored phrases and hits whose case
// rules fail; words [start, end) name the hit.
func (g *Gazetteer) walk(t *tokens, fn func(start, end int, h hit)) {
	var off map[string]bool
	if len(g.senses) > 0 {
		off = g.offSenses(t)
	}
	g.walkOff(t, off, fn)
}

// walkOff is walk with the names whose other sense the text shows given.
func (g *Gazetteer) walkOff(t *tokens, off map[string]bool, fn func(start, end int, h hit)) {
	for i := 0; i < len(t.spans); {
		n := g.root[string(t.bytesOf(i))]
		if n == nil || t.spans[i].start == t.spans[i].end {
			i++
			continue
		}
		// Longest phrase from i whose hits pass their case rules.
		var best *trieNode
		bestEnd := 0
		for j := i; n != nil; {
			if anyHitOK(t, i, n.hits) {
				best, bestEnd = n, j+1
			}
			j++
			if j >= len(t.spans) || n.next == nil || t.spans[j].start == t.spans[j].end {
				break
			}
			n = n.next[string(t.bytesOf(j))]
		}
		if best == nil || off != nil && bestEnd == i+1 && off[string(t.bytesOf(i))] {
			i++
			continue
		}
		for _, h := range best.hits {
			if h.cased != nil && !casesOK(t, i, h.cased) || h.kind == kindIgnore {
				continue
			}
			fn(i, bestEnd, h)
		}
		i = bestEnd
	}
}

// anyHitOK reports whether some hit of a node passes its case rules.
func anyHitOK(t *tokens, from int, hits []hit) bool {
	for _, h := range hits {
		if h.cased == nil || casesOK(t, from, h.cased) {
			return true
		}
	}
	return false
}

// casesOK checks a case-sensitive alias against the original words.
func casesOK(t *tokens, from int, rules []caseRule) bool {
	for k, r := range rules {
		s := t.spans[from+k]
		switch {
		case r == allUpper && !s.upper:
			return false
		case r == initialUpper && !s.title:
			return false
		}
	}
	return true
}

func (g *Gazetteer) ids(mask uint64, tags []briefing.Tag, order []int) []string {
	if mask == 0 {
		return []string{}
	}
	out := make([]string, 0, bits.OnesCount64(mask))
	for _, i := range order {
		if mask&(1<<i) != 0 {
			out = append(out, tags[i].ID)
		}
	}
	return out
}
