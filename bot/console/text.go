package console

import (
	"strings"

	"github.com/sahelbrief/sahelbrief/bot"
)

// Text helpers for feed text: cleaning (which also keeps terminal escape
// sequences out), Markdown escaping, cutting at a word and link checking.

// text is feed text cleaned and cut to max units, for the terminal.
func text(s string, max int) string { return cut(cleanN(s, max), max) }

// md is feed text cleaned, Markdown-escaped and cut to max units.
func md(s string, max int) string { return cut(mdEscape(cleanN(s, max)), max) }

// mdEscape backslash-escapes what Markdown (and GFM) would read as markup
// in feed text, so it renders as the literal text it is: no emphasis,
// links, images, HTML, entities, code, tables or strikethrough anywhere,
// and no heading, list or quote at its start. Punctuation that is markup
// only at a line's start ("-", "+", "#", a number and ".") is escaped only
// there, so "Guinea-Bissau" stays as written; "!" only before "[".
func mdEscape(s string) string {
	if !strings.ContainsAny(s, "\\`*_[]<>|~&#+-!.>") {
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
		case strings.ContainsRune("\\`*_[]<>|~&", r),
			i == 0 && strings.ContainsRune("#+-", r),
			r == '.' && i == lead,
			r == '!' && strings.HasPrefix(s[i+1:], "["):
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// cuttable reports whether s may be cut before byte i: not right after an
// escaping backslash, and not between a character and its combining marks.
func cuttable(s string, i int) bool { return !bot.JoinsAt(s, i) && !bot.Escaped(s, i) }

// link returns raw when it is a plain absolute http(s) URL (no other
// scheme, no credentials, no control or invisible characters), with
// spaces, quotes, < and > percent-encoded; else "".
func link(raw string) string { return bot.SafeURL(raw, 4000, urlEscaper) }

var urlEscaper = strings.NewReplacer(" ", "%20", "<", "%3C", ">", "%3E", `"`, "%22", "`", "%60", "\\", "%5C")

// Shared feed-text helpers (see package bot).
var clean, cleanN, units = bot.Clean, bot.CleanN, bot.Units

// cut shortens s to max units at a point this platform's escaping allows.
func cut(s string, max int) string { return bot.Cut(s, max, cuttable) }
