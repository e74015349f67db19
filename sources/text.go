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

// stripHTML keeps the text of an HTML fragment. Block-level tags become
// spaces so words on either side of <br> or </p> do not run together.
func stripHTML(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0 // depth inside <script>/<style>
	for {
		switch z.Next() {
		case html.ErrorToken:
			out := b.String()
			// Some publishers escape their HTML twice ("&amp;eacute;"): one
			// more pass decodes what the first left behind.
			if strings.Contains(out, "&") {
				out = html.UnescapeString(out)
			}
			return out
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style":
				if z.Token().Type == html.StartTagToken {
					skip++
				}
			}
			b.WriteByte(' ')
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style":
				if skip > 0 {
					skip--
				}
			}
			b.WriteByte(' ')
		}
	}
}

// collapseSpace trims s and folds every run of white space (including
// non-breaking and zero-width spaces) into one ASCII space.
func collapseSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
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
// encoded again ("GuaidÃ³" for "Guaidó"), a common fault in real feeds.
// It only rewrites a string that round-trips exactly and becomes valid
// UTF-8 with multi-byte characters, so genuine "Ã" survives.
func fixMojibake(s string) string {
	if !strings.ContainsAny(s, "ÃÂâÅÄ") {
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
