package discord

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text helpers for feed text. Lengths are counted in UTF-16 code units,
// which is never less than the code-point count, so a text within a limit
// by this count is within it however Discord counts.

const (
	ellipsis = "…"
	zwsp     = "\u200b"
)

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

// escape makes feed text inert in Discord markdown: every markdown
// character gets a backslash (so no bold, links, spoilers, quotes,
// headings, lists or code), '<' too (no <@id>, <#id>, <@&id>, <t:…> or
// custom emoji), a leading "1." is escaped, and a zero-width space follows
// every '@' so @everyone and @here cannot ping even where allowed_mentions
// is ignored. Run it on cleaned text: clean strips zero-width characters,
// so the only ones left are these.
func escape(s string) string {
	if !strings.ContainsAny(s, "\\*_~`|><#-[]()+@.") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	lead := leadingNumber(s)
	for i, r := range s {
		switch r {
		case '\\', '*', '_', '~', '`', '|', '>', '<', '#', '-', '[', ']', '(', ')', '+':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '@':
			b.WriteString("@" + zwsp)
		case '.':
			if i == lead {
				b.WriteByte('\\')
			}
			b.WriteByte('.')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// leadingNumber is the index of the '.' in a leading "12." (an ordered
// list marker), or -1.
func leadingNumber(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i < len(s) && s[i] == '.' {
		return i
	}
	return -1
}

// feed cleans, escapes and cuts feed text to max units.
func feed(s string, max int) string { return cut(escape(cleanN(s, max)), max) }

// cut shortens escaped text s to at most max units, at a word boundary
// when there is one in the second half of the room, else between two
// characters (never inside an escape or before a combining mark), and ends
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

// cuttable reports whether s may be cut before byte i: not right after an
// escaping backslash or an '@' (whose zero-width space would be lost), and
// not between a character and its combining marks.
func cuttable(s string, i int) bool {
	if i < len(s) {
		r, _ := utf8.DecodeRuneInString(s[i:])
		if unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) || unicode.Is(unicode.Variation_Selector, r) || r == 0x200b || r == 0x200d {
			return false
		}
	}
	bs := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		bs++
	}
	return bs%2 == 0 && (i == 0 || s[i-1] != '@')
}

// maxURL bounds a link target, in units after encoding.
const maxURL = 600

// link returns raw as a markdown link target, or "" when it is not a plain
// absolute http(s) URL: no other scheme, no credentials, no control or
// invisible characters; characters that could end the target or the link
// early are percent-encoded.
func link(raw string) string {
	u := strings.TrimSpace(raw)
	if u == "" || len(u) > maxURL {
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
	if units(u) > maxURL {
		return ""
	}
	return u
}

var urlEscaper = strings.NewReplacer(" ", "%20", "|", "%7C", "<", "%3C", ">", "%3E", `"`, "%22", "`", "%60",
	"(", "%28", ")", "%29", "[", "%5B", "]", "%5D", "\\", "%5C")

// host is the link text for u: its host name without "www.".
func host(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "link"
	}
	h := strings.TrimPrefix(strings.ToLower(p.Hostname()), "www.")
	if h == "" {
		return "link"
	}
	return cut(escape(h), 40)
}
