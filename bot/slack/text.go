package slack

import (
	"strings"

	"github.com/sahelbrief/sahelbrief/bot"
)

// Text helpers for feed text. Lengths are counted in UTF-16 code units,
// which is never less than the code-point count Slack's limits are stated
// in, so a text within a limit by this count is within it by either.

// escape turns the three characters Slack treats as control sequences into
// entities, so feed text can never open a link or a mention.
func escape(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	return escaper.Replace(s)
}

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// feed cleans, escapes and cuts feed text to max units.
func feed(s string, max int) string { return cut(escape(cleanN(s, max)), max) }

// cuttable reports whether s may be cut before byte i: not inside an
// entity, and not between a character and its combining marks.
func cuttable(s string, i int) bool {
	if bot.JoinsAt(s, i) {
		return false
	}
	for j := max(0, i-4); j < i; j++ {
		if s[j] != '&' {
			continue
		}
		for _, e := range [...]string{"&amp;", "&lt;", "&gt;"} {
			if strings.HasPrefix(s[j:], e) && j+len(e) > i {
				return false
			}
		}
	}
	return true
}

// maxURL bounds a link target, in units after encoding.
const maxURL = 2000

// link returns raw as a Slack link target, or "" when it is not a plain
// absolute http(s) URL: no other scheme, no credentials, no control or
// invisible characters; spaces, |, < and > are percent-encoded and &
// becomes an entity, so the target cannot end the <url|text> early.
func link(raw string) string { return bot.LinkTarget(raw, maxURL, urlEscaper, ampEscaper) }

var (
	urlEscaper = strings.NewReplacer(" ", "%20", "|", "%7C", "<", "%3C", ">", "%3E", `"`, "%22", "`", "%60")
	ampEscaper = strings.NewReplacer("&", "&amp;")
)

// Shared feed-text helpers (see package bot).
var cleanN, units = bot.CleanN, bot.Units

// cut shortens s to max units at a point this platform's escaping allows.
func cut(s string, max int) string { return bot.Cut(s, max, cuttable) }
