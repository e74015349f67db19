package sources

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/text/encoding/charmap"
)

// SummaryLimit is the longest summary kept, in characters. Summaries feed
// chat messages and the tagger; a few sentences are enough for both.
const SummaryLimit = 600

// titleFromSummaryLimit caps a title derived from the summary of an
// untitled entry.
const titleFromSummaryLimit = 120

// plainText turns feed HTML (or plain text) into one line of plain text:
// tags stripped, script and style dropped, entities decoded, whitespace
// collapsed, double-encoded UTF-8 repaired.
func plainText(s string) string {
	if strings.IndexByte(s, '<') >= 0 || strings.IndexByte(s, '&') >= 0 {
		s = stripHTML(s)
	}
	return collapseSpace(fixMojibake(s))
}

// stripHTML keeps the text of an HTML fragment: tags and comments are
// dropped, the contents of <script> and <style> too, and entities decoded.
// Block tags become a space so words on either side of <br> or </p> do not
// run together (collapseSpace folds the extra spaces); inline tags such as
// <b> vanish, so "<b>Mali</b>." stays "Mali.". A hand-written scan:
// feeds carry small, simple fragments, and a full tokenizer cost more than
// the rest of normalization together.
func stripHTML(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			b.WriteString(s[i:])
			break
		}
		b.WriteString(s[i : i+lt])
		i += lt
		rest := s[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			end := strings.Index(rest, "-->")
			if end < 0 {
				i = len(s)
				continue
			}
			i += end + 3
		case len(rest) > 1 && (isASCIILetter(rest[1]) || rest[1] == '/' || rest[1] == '!' || rest[1] == '?'):
			end := tagEnd(rest)
			if end < 0 {
				i = len(s) // an unclosed tag: drop the rest, as browsers do
				continue
			}
			name := tagName(rest)
			i += end + 1
			if (name == "script" || name == "style") && rest[1] != '/' {
				if close := indexFold(s[i:], "</"+name); close >= 0 {
					i += close
					if gt := strings.IndexByte(s[i:], '>'); gt >= 0 {
						i += gt + 1
					} else {
						i = len(s)
					}
				} else {
					i = len(s)
				}
			}
			if !inlineTags[name] {
				b.WriteByte(' ')
			}
		default:
			b.WriteByte('<') // a bare "<", as in "a < b"
			i++
		}
	}
	out := b.String()
	if strings.IndexByte(out, '&') >= 0 {
		out = html.UnescapeString(out)
		// Some publishers escape their HTML twice ("&amp;eacute;"): one
		// more pass decodes what the first left behind.
		if strings.IndexByte(out, '&') >= 0 && strings.IndexByte(out, ';') >= 0 {
			out = html.UnescapeString(out)
		}
	}
	return out
}

// inlineTags do not separate words.
var inlineTags = map[string]bool{"a": true, "b": true, "i": true, "em": true, "strong": true, "span": true,
	"u": true, "s": true, "small": true, "sup": true, "sub": true, "abbr": true, "cite": true, "q": true,
	"mark": true, "font": true, "code": true, "time": true}

func isASCIILetter(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

// tagEnd finds the '>' closing the tag that starts s, skipping quoted
// attribute values; -1 when there is none.
func tagEnd(s string) int {
	var quote byte
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i
		}
	}
	return -1
}

// tagName returns the lower-case name of the tag at the start of s
// ("<p class=x>" and "</P>" give "p").
func tagName(s string) string {
	start := 1
	if start < len(s) && s[start] == '/' {
		start++
	}
	i := start
	for i < len(s) && (isASCIILetter(s[i]) || (i > start && s[i] >= '0' && s[i] <= '9')) {
		i++
	}
	return strings.ToLower(s[start:i])
}

// indexFold is strings.Index ignoring ASCII case.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// collapseSpace trims s and folds every run of white space (including
// non-breaking and zero-width spaces) into one ASCII space; control
// characters go.
func collapseSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
				space = true
				continue
			case c < 0x20 || c == 0x7f:
				continue
			}
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteByte(c)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' || r == '\u200c' || r == '\u200d' || r == '\u2060' {
			space = true
			continue
		}
		if unicode.IsControl(r) {
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// fixMojibake repairs UTF-8 text that was decoded as Windows-1252 and
// encoded again ("GuaidÃ³" for "Guaidó", "dâ€™Ã©tat" for "d’état"), a
// common fault in real feeds. It only rewrites a string that round-trips
// exactly and becomes valid UTF-8, so a genuine "Ã" survives.
func fixMojibake(s string) string {
	if !strings.Contains(s, "Ã") && !strings.Contains(s, "Â") && !strings.Contains(s, "â€") {
		return s
	}
	enc, err := charmap.Windows1252.NewEncoder().String(s)
	if err != nil || !utf8.ValidString(enc) || enc == s {
		return s
	}
	return enc
}

// cutAtSentence shortens s to at most limit characters, preferring to stop
// after a sentence; failing that at a word, with an ellipsis.
func cutAtSentence(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	// byte offset of the limit-th rune
	cut := len(s)
	n := 0
	for i := range s {
		if n == limit {
			cut = i
			break
		}
		n++
	}
	head := s[:cut]
	best := -1
	for i := 0; i < len(head)-1; i++ {
		switch head[i] {
		case '.', '!', '?':
			if head[i+1] == ' ' && i > limit/3 {
				best = i + 1
			}
		}
	}
	if best > 0 {
		return strings.TrimSpace(head[:best])
	}
	if sp := strings.LastIndexByte(head, ' '); sp > limit/2 {
		head = head[:sp]
	}
	return strings.TrimRight(head, " ,;:-") + "…"
}

// titleFromSummary gives an untitled entry a readable title: the summary's
// first sentence, shortened at a word when long.
func titleFromSummary(summary string) string {
	if summary == "" {
		return ""
	}
	first := summary
	for i := 0; i < len(summary)-1; i++ {
		if (summary[i] == '.' || summary[i] == '!' || summary[i] == '?') && summary[i+1] == ' ' {
			first = summary[:i+1]
			break
		}
	}
	return cutAtSentence(first, titleFromSummaryLimit)
}
