package console

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text helpers for feed text: cleaning (which also keeps terminal escape
// sequences out), Markdown escaping, cutting at a word and link checking.

const ellipsis = "…"

// clean makes feed text safe to place in a message: invalid UTF-8, control
// characters and invisible format characters (zero-width spaces and
// joiners, bidi controls, BOM, soft hyphen, tag characters, Hangul fillers)
// are dropped; line breaks, tabs and other white space become one space;
// runs of combining marks are capped so "zalgo" text cannot grow a line
// without bound.
func clean(s string) string { return cleanN(s, -1) }

// cleanN is clean that may stop once its result exceeds limit units (no
// limit when negative): enough for cut to produce the same result as on
// the whole text.
func cleanN(s string, limit int) string {
	if limit >= 0 {
		limit += 8 // room for cut to look past the boundary
	}
	if isPlain(s) {
		if limit >= 0 && len(s) > limit {
			return s[:limit]
		}
		return s
	}
	if limit < 0 {
		limit = len(s) * 2 // more units than s can yield
	}
	var b strings.Builder
	b.Grow(min(len(s), 4*limit))
	pending, marks, n := false, 0, 0
	for i := 0; i < len(s) && n < limit; {
		c := s[i]
		if c > ' ' && c < 0x7f { // a run of printable ASCII, copied whole
			j := i + 1
			for j < len(s) && s[j] > ' ' && s[j] < 0x7f {
				j++
			}
			if pending {
				b.WriteByte(' ')
				n++
				pending = false
			}
			j = min(j, i+max(0, limit-n))
			b.WriteString(s[i:j])
			n += j - i
			marks, i = 0, j
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		i += w
		switch {
		case r == utf8.RuneError && w <= 1:
			continue // invalid UTF-8
		case unicode.IsSpace(r):
			pending = b.Len() > 0
			continue
		case invisible(r):
			continue
		}
		if r >= 0x300 && unicode.In(r, unicode.Mn, unicode.Me) {
			if marks++; marks > 4 {
				continue
			}
		} else {
			marks = 0
		}
		if pending {
			b.WriteByte(' ')
			n++
			pending = false
		}
		b.WriteRune(r)
		if n++; r > 0xffff {
			n++
		}
	}
	return b.String()
}

// isPlain reports whether s is printable ASCII with single inner spaces,
// which clean would return unchanged.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f {
			return false
		}
		if c == ' ' && (i == 0 || i == len(s)-1 || s[i+1] == ' ') {
			return false
		}
	}
	return true
}

// invisible reports control, format and blank-looking filler characters.
func invisible(r rune) bool {
	if r < 0xa0 {
		return r < 0x20 || r >= 0x7f
	}
	switch r {
	case '\u115f', '\u1160', '\u3164', '\uffa0', '\u2800', '\u034f':
		return true
	}
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co) || (r >= 0xe0000 && r <= 0xe007f)
}

// units is the length of s in UTF-16 code units.
func units(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x80 || c >= 0xc0 && c < 0xf0:
			n++ // ASCII or the lead byte of a 2- or 3-byte sequence
		case c >= 0xf0:
			n += 2 // lead byte of a 4-byte sequence: a surrogate pair
		}
	}
	return n
}

// text is feed text cleaned and cut to max units, for the terminal.
func text(s string, max int) string { return cut(cleanN(s, max), max) }

// md is feed text cleaned, Markdown-escaped and cut to max units.
func md(s string, max int) string { return cut(mdEscape(cleanN(s, max)), max) }

// mdEscape backslash-escapes the ASCII punctuation that Markdown (and GFM)
// reads as markup, and a leading ordered-list marker, so feed text renders
// as the literal text it is: no emphasis, links, images, HTML, entities,
// code, tables, headings, lists or quotes.
func mdEscape(s string) string {
	if !strings.ContainsAny(s, "\\`*_{}[]<>()#+-!|~&.") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	lead := -1
	if i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }); i > 0 && s[i] == '.' {
		lead = i
	}
	for i, r := range s {
		switch {
		case strings.ContainsRune("\\`*_{}[]<>()#+-!|~&", r), r == '.' && i == lead:
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// cut shortens s to at most max units, at a word boundary when there is
// one in the second half of the room, else between two characters (never
// right after an escaping backslash or before a combining mark), and ends
// it with an ellipsis.
func cut(s string, max int) string {
	if units(s) <= max {
		return s
	}
	if max < 1 {
		return ""
	}
	budget := max - units(ellipsis)
	end, n := 0, 0
	for i, r := range s {
		w := 1
		if r > 0xffff {
			w = 2
		}
		if n+w > budget {
			break
		}
		n += w
		end = i + utf8.RuneLen(r)
	}
	at := end
	if sp := strings.LastIndexByte(s[:min(end+1, len(s))], ' '); sp > 0 && sp >= end/2 {
		at = sp
	}
	for at > 0 && !cuttable(s, at) {
		_, w := utf8.DecodeLastRuneInString(s[:at])
		at -= w
	}
	return strings.TrimRight(s[:at], " ") + ellipsis
}

func cuttable(s string, i int) bool {
	if i < len(s) {
		r, _ := utf8.DecodeRuneInString(s[i:])
		if unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) || unicode.Is(unicode.Variation_Selector, r) || r == 0x200d {
			return false
		}
	}
	bs := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		bs++
	}
	return bs%2 == 0
}

// link returns raw when it is a plain absolute http(s) URL (no other
// scheme, no credentials, no control or invisible characters), with
// spaces, quotes, < and > percent-encoded; else "".
func link(raw string) string {
	u := strings.TrimSpace(raw)
	if u == "" || len(u) > 4000 {
		return ""
	}
	for _, r := range u {
		if r != ' ' && (unicode.IsSpace(r) || invisible(r) || r == utf8.RuneError) {
			return ""
		}
	}
	u = urlEscaper.Replace(u)
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.User != nil {
		return ""
	}
	return u
}

var urlEscaper = strings.NewReplacer(" ", "%20", "<", "%3C", ">", "%3E", `"`, "%22", "`", "%60", "\\", "%5C")
