package tagger

import (
	"unicode"
	"unicode/utf8"
)

// foldRune lower-cases r and strips its accent, so "Goïta", "GOITA" and
// "goïta" all read "goita". Latin letters with diacritics map to their
// base letter; ligatures expand (œ → oe). It returns up to two bytes of
// ASCII for Latin letters and the lower-cased rune otherwise.
func foldRune(r rune) (string, rune) {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return "", r
	}
	switch r {
	case 'œ', 'Œ':
		return "oe", 0
	case 'æ', 'Æ':
		return "ae", 0
	case 'ß':
		return "ss", 0
	}
	if r >= 0xC0 && r <= 0x17F {
		if b := latinBase[r-0xC0]; b != 0 {
			return "", rune(b)
		}
	}
	return "", unicode.ToLower(r)
}

// latinBase maps U+00C0..U+017F to base lower-case ASCII letters (0 when
// the character is not a letter with a base, such as × and ÷).
var latinBase = func() [0x17F - 0xC0 + 1]byte {
	var t [0x17F - 0xC0 + 1]byte
	set := func(from, to rune, base string) {
		for r := from; r <= to; r++ {
			t[r-0xC0] = base[(r-from)%rune(len(base))]
		}
	}
	// Latin-1 Supplement, in code point order.
	const latin1 = "aaaaaaxceeeeiiiidnooooo-ouuuuyts" + "aaaaaaxceeeeiiiidnooooo-ouuuuyty"
	for i := 0; i < len(latin1); i++ {
		c := latin1[i]
		if c == '-' || c == 'x' {
			continue // × ÷ Æ æ handled elsewhere
		}
		t[i] = c
	}
	// Latin Extended-A: pairs of upper/lower case per base letter.
	ext := []struct {
		from, to rune
		base     string
	}{
		{0x100, 0x105, "a"}, {0x106, 0x10D, "c"}, {0x10E, 0x111, "d"}, {0x112, 0x11B, "e"},
		{0x11C, 0x123, "g"}, {0x124, 0x127, "h"}, {0x128, 0x131, "i"}, {0x134, 0x135, "j"},
		{0x136, 0x138, "k"}, {0x139, 0x142, "l"}, {0x143, 0x14B, "n"}, {0x14C, 0x151, "o"},
		{0x154, 0x159, "r"}, {0x15A, 0x161, "s"}, {0x162, 0x167, "t"}, {0x168, 0x173, "u"},
		{0x174, 0x175, "w"}, {0x176, 0x178, "y"}, {0x179, 0x17E, "z"}, {0x17F, 0x17F, "s"},
	}
	for _, e := range ext {
		set(e.from, e.to, e.base)
	}
	return t
}()

// isApostrophe reports the characters publishers use as apostrophes.
func isApostrophe(r rune) bool {
	return r == '\'' || r == '’' || r == '‘' || r == 'ʼ' || r == '`' || r == '´'
}
