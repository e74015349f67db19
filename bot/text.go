package bot

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// Text helpers the platform renderers share for feed text. Lengths are
// counted in UTF-16 code units, never fewer than code points, so a text
// within a platform's limit by this count is within it however the
// platform counts.

// Ellipsis marks text that Cut shortened.
const Ellipsis = "…"

// Clean makes feed text safe to place in a message: invalid UTF-8, control
// characters and invisible format characters (zero-width spaces and
// joiners, bidi controls, BOM, soft hyphen, tag characters, Hangul fillers)
// are dropped; line breaks, tabs and other white space become one space;
// runs of combining marks are capped so "zalgo" text cannot grow a line
// without bound.
func Clean(s string) string { return CleanN(s, -1) }

// CleanN is Clean that may stop once its result exceeds limit units (no
// limit when negative): enough for Cut to produce the same result as on
// the whole text.
func CleanN(s string, limit int) string {
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
		case Invisible(r):
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
// which Clean would return unchanged.
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

// Invisible reports control, format and blank-looking filler characters.
func Invisible(r rune) bool {
	if r < 0xa0 {
		return r < 0x20 || r >= 0x7f
	}
	switch r {
	case '\u115f', '\u1160', '\u3164', '\uffa0', '\u2800', '\u034f':
		return true
	}
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co) || (r >= 0xe0000 && r <= 0xe007f)
}

// Units is the length of s in UTF-16 code units.
func Units(s string) int {
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

// Cut shortens s to at most max units, preferably at a space, never where
// cuttable says no (inside an escape sequence, before a combining mark),
// and ends it with an ellipsis.
func Cut(s string, max int, cuttable func(s string, i int) bool) string {
	if Units(s) <= max {
		return s
	}
	if max < 1 {
		return ""
	}
	budget := max - Units(Ellipsis)
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
	return strings.TrimRight(s[:at], " ") + Ellipsis
}

// JoinsAt reports whether the character at byte i of s belongs with the
// one before it (a combining mark, a variation selector, a zero-width
// joiner), so that text must not be cut between them.
func JoinsAt(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) || unicode.Is(unicode.Variation_Selector, r) || r == 0x200d
}

// Escaped reports whether byte i of s follows an escaping backslash (an
// odd run of them), so that text must not be cut there.
func Escaped(s string, i int) bool {
	bs := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		bs++
	}
	return bs%2 == 1
}

// NoPing is what follows every '@' in text a platform could read as a
// mention (@everyone, @here): a zero-width space. Clean strips zero-width
// characters, so in cleaned text the only ones left are these.
const NoPing = "\u200b"

// Unping puts NoPing after every '@' of s, so @everyone and @here cannot
// ping even where a platform ignores its allowed-mentions setting.
func Unping(s string) string { return strings.ReplaceAll(s, "@", "@"+NoPing) }

// FilterLine describes a digest's filter ("filter: country mali, actor
// wagner"), with esc cleaning and escaping each value for the platform and
// capping it at the given length; "" when there is no filter.
func FilterLine(country, actor, query string, esc func(s string, max int) string) string {
	var parts []string
	if country != "" {
		parts = append(parts, "country "+esc(country, 100))
	}
	if actor != "" {
		parts = append(parts, "actor "+esc(actor, 100))
	}
	if query != "" {
		parts = append(parts, "query “"+esc(query, 300)+"”")
	}
	if len(parts) == 0 {
		return ""
	}
	return "filter: " + strings.Join(parts, ", ")
}

// SafeURL returns raw as a link target when it is a plain absolute
// http(s) URL of at most maxBytes bytes (no other scheme, no credentials,
// no control or invisible characters), with the characters that could
// end a platform's link early percent-encoded by escaper; else "".
func SafeURL(raw string, maxBytes int, escaper *strings.Replacer) string {
	u := strings.TrimSpace(raw)
	if u == "" || len(u) > maxBytes {
		return ""
	}
	for _, r := range u {
		if r != ' ' && (unicode.IsSpace(r) || Invisible(r) || r == utf8.RuneError) {
			return ""
		}
	}
	u = escaper.Replace(u)
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.User != nil {
		return ""
	}
	return u
}

// LinkTarget is SafeURL for a platform's link syntax, with at most max
// units: raw checked and escaped by escaper, then by entities (nil for
// none); "" when it is not a plain absolute http(s) URL or the result is
// longer than max.
func LinkTarget(raw string, max int, escaper, entities *strings.Replacer) string {
	u := SafeURL(raw, max, escaper)
	if entities != nil {
		u = entities.Replace(u)
	}
	if Units(u) > max {
		return ""
	}
	return u
}

// Plural is "1 story" or "3 stories".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// DigestFacts is the line under a digest's title, the same on every
// platform: its window (formatted by the platform), the stories and items
// it holds, and its filter (escaped with esc), joined by " · ".
func DigestFacts(window string, stories int, d *briefing.Digest, esc func(s string, max int) string) string {
	var line []string
	if window != "" {
		line = append(line, window)
	}
	line = append(line, Plural(stories, "story", "stories"))
	if d.TotalItems > 0 {
		line = append(line, Plural(d.TotalItems, "item", "items"))
	}
	if !d.Backlog.IsZero() {
		line = append(line, Backlog(d))
	}
	if f := FilterLine(d.Filter.Country, d.Filter.Actor, d.Filter.Query, esc); f != "" {
		line = append(line, f)
	}
	return strings.Join(line, " · ")
}

// OutletList joins a story's outlets in order (the lead's first) as
// ", "-separated parts, as many as fit in max units (measured by units),
// then "+n" for the rest, so a renderer can point to every outlet's
// telling within its limits. part formats one outlet with the link of its
// earliest report in the story ("" when it has none, or when the story has
// one outlet, whose link is the story's own); it returns "" to skip one.
func OutletList(s *briefing.Story, max int, units func(string) int, part func(name, url string) string) string {
	var parts []string
	size := 0
	for _, name := range s.Outlets {
		url := ""
		if len(s.Outlets) > 1 {
			url = firstURL(s, name)
		}
		p := part(name, url)
		if p == "" {
			continue
		}
		if size+units(p)+2 > max {
			break
		}
		parts = append(parts, p)
		size += units(p) + 2
	}
	if len(parts) < len(s.Outlets) && len(parts) > 0 {
		parts = append(parts, fmt.Sprintf("+%d", len(s.Outlets)-len(parts)))
	}
	return strings.Join(parts, ", ")
}

// firstURL is the link of an outlet's earliest report in a story.
func firstURL(s *briefing.Story, outlet string) string {
	for k := range s.Items {
		it := &s.Items[k]
		if (it.Outlet == outlet || it.Outlet == "" && it.Source == outlet) && it.URL != "" {
			return it.URL
		}
	}
	return ""
}

// Stamp writes a time for people, in t's location: "Mon 02 Jan 15:04 UTC"
// within the year of now, "Sun 24 Feb 2019 15:04 UTC" otherwise, so an old
// item never passes for this year's.
func Stamp(t, now time.Time) string {
	if t.Year() == now.In(t.Location()).Year() {
		return t.Format("Mon 02 Jan 15:04 MST")
	}
	return t.Format("Mon 02 Jan 2006 15:04 MST")
}

// Day writes a date for people, in UTC: "2 Jan" within the year of now,
// "24 Feb 2019" otherwise.
func Day(t, now time.Time) string {
	t = t.UTC()
	if t.Year() == now.UTC().Year() {
		return t.Format("2 Jan")
	}
	return t.Format("2 Jan 2006")
}

// Coverage is what a digest says of its sources before anything else, as
// a label ("Blind", "Partly blind") and a sentence; both "" when enough
// sources answered in its window (or it is not about a window). A blind
// digest must never read as a quiet day: it cannot tell one from an
// outage.
func Coverage(d *briefing.Digest, stamp func(time.Time) string) (label, sentence string) {
	c := d.Coverage
	if c == nil {
		return "", ""
	}
	switch {
	case c.Blind():
		return "Blind", fmt.Sprintf("none of %s answered since %s: no stories here does not mean a quiet day.",
			Plural(c.Sources, "source", "sources"), stamp(c.Since))
	case c.PartlyBlind():
		return "Partly blind", fmt.Sprintf("%d of %s did not answer since %s: stories may be missing.",
			c.Sources-c.Answering, Plural(c.Sources, "source", "sources"), stamp(c.Since))
	}
	return "", ""
}

// Backlog is the header's note that a digest of stored arrivals holds
// reports published before its window ("" when it does not).
func Backlog(d *briefing.Digest) string {
	if d.Backlog.IsZero() {
		return ""
	}
	return "includes reports published since " + Day(d.Backlog, d.Until) + ", first stored in this window"
}
