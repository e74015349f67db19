package discord

import (
	"net/url"
	"strings"

	"github.com/sahelbrief/sahelbrief/bot"
)

// Text helpers for feed text. Lengths are counted in UTF-16 code units,
// which is never less than the code-point count, so a text within a limit
// by this count is within it however Discord counts.

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
			b.WriteString("@" + bot.NoPing)
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

// cuttable reports whether s may be cut before byte i: not right after an
// escaping backslash or an '@' (whose zero-width space would be lost), and
// not between a character and its combining marks.
func cuttable(s string, i int) bool {
	return !bot.JoinsAt(s, i) && !strings.HasPrefix(s[i:], bot.NoPing) && !bot.Escaped(s, i) && (i == 0 || s[i-1] != '@')
}

// maxURL bounds a link target, in units after encoding.
const maxURL = 600

// link returns raw as a markdown link target, or "" when it is not a plain
// absolute http(s) URL: no other scheme, no credentials, no control or
// invisible characters; characters that could end the target or the link
// early are percent-encoded.
func link(raw string) string { return bot.LinkTarget(raw, maxURL, urlEscaper, nil) }

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

// Shared feed-text helpers (see package bot).
var clean, cleanN, units = bot.Clean, bot.CleanN, bot.Units

// cut shortens s to max units at a point this platform's escaping allows.
func cut(s string, max int) string { return bot.Cut(s, max, cuttable) }
