package sources

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPlainText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"<p>Bamako, <b>jeudi</b>.</p><p>La junte</p>", "Bamako, jeudi. La junte"},
		{"Line one<br/>line two", "Line one line two"},
		{"<li>un</li><li>deux</li><H2>trois</H2>", "un deux trois"},
		{"<a href=\"x\">Goïta</a>, <em>président</em>", "Goïta, président"},
		{"<script>alert('x')</script>Texte <style>p{}</style>visible", "Texte visible"},
		{"<SCRIPT type=\"a\">x</SCRIPT>ok", "ok"},
		{"<!-- hidden --> seen", "seen"},
		{"stray </script> end tag keeps text", "stray end tag keeps text"},
		{`<a href="https://x/?a=1&amp;b=2" title="a > b">lien</a>`, "lien"},
		{"C&#233;deao &amp; AES &eacute;", "Cédeao & AES é"},
		{"double &amp;eacute;chelon", "double échelon"},
		{"a < b and c > d", "a < b and c > d"},
		{"  spaced \n\t out\u00a0here\u200b ", "spaced out here"},
		{"GuaidÃ³ calls for support", "Guaidó calls for support"},
		{"le coup dâ€™Ã‰tat", "le coup d’État"},
		{"Ã real capital A tilde stays", "Ã real capital A tilde stays"},
		{"unclosed <b tag", "unclosed"},
		{"<p>Ménaka &lt;script&gt;</p>", "Ménaka <script>"},
	}
	for _, tc := range cases {
		if got := plainText(tc.in); got != tc.want {
			t.Errorf("plainText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCutAtSentence(t *testing.T) {
	long := strings.Repeat("Le Mali et le Niger. ", 40)
	got := cutAtSentence(long, 100)
	if utf8.RuneCountInString(got) > 100 || !strings.HasSuffix(got, ".") {
		t.Errorf("cut %q", got)
	}
	noStop := strings.Repeat("mot ", 100)
	got = cutAtSentence(noStop, 50)
	if !strings.HasSuffix(got, "…") || utf8.RuneCountInString(got) > 51 || strings.HasSuffix(got, " …") {
		t.Errorf("cut without sentence end: %q", got)
	}
	if s := "court."; cutAtSentence(s, 50) != s {
		t.Error("short text changed")
	}
	accents := strings.Repeat("é", 200)
	if got := cutAtSentence(accents, 10); !utf8.ValidString(got) {
		t.Errorf("cut split a character: %q", got)
	}
}

func TestTitleFromSummary(t *testing.T) {
	if got := titleFromSummary("Première phrase. Deuxième."); got != "Première phrase." {
		t.Errorf("got %q", got)
	}
	if got := titleFromSummary(strings.Repeat("long ", 60)); utf8.RuneCountInString(got) > titleFromSummaryLimit+1 {
		t.Errorf("title too long: %d", utf8.RuneCountInString(got))
	}
	if titleFromSummary("") != "" {
		t.Error("empty summary gave a title")
	}
}
