package console

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/sahelbrief/sahelbrief/bot/internal/digesttest"
	"github.com/sahelbrief/sahelbrief/briefing"
)

func TestGolden(t *testing.T) {
	digests := []struct {
		name string
		d    *briefing.Digest
	}{
		{"typical", digesttest.Typical()},
		{"quiet", digesttest.Quiet()},
		{"split", digesttest.Split()},
		{"blind", digesttest.Blind()},
		{"partly-blind", digesttest.PartlyBlind()},
	}
	formats := []struct {
		name   string
		render func(*bytes.Buffer, *briefing.Digest) error
	}{
		{"text", func(b *bytes.Buffer, d *briefing.Digest) error { return RenderText(b, d, false) }},
		{"color", func(b *bytes.Buffer, d *briefing.Digest) error { return RenderText(b, d, true) }},
		{"md", func(b *bytes.Buffer, d *briefing.Digest) error { return RenderMarkdown(b, d) }},
	}
	for _, dd := range digests {
		for _, f := range formats {
			t.Run(dd.name+"-"+f.name, func(t *testing.T) {
				var b bytes.Buffer
				if err := f.render(&b, dd.d); err != nil {
					t.Fatal(err)
				}
				digesttest.Golden(t, filepath.Join("testdata", dd.name+"."+f.name+".golden"), b.Bytes())
			})
		}
	}
}

func TestQuiet(t *testing.T) {
	for _, d := range []*briefing.Digest{digesttest.Quiet(), nil} {
		var b bytes.Buffer
		if err := RenderText(&b, d, false); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "Quiet day") {
			t.Errorf("no quiet-day sentence:\n%s", b.String())
		}
	}
}

// A digest whose sources did not answer says so first, in text and
// Markdown, and a blind one never says "quiet day".
func TestBlindIsNotQuiet(t *testing.T) {
	var text, md bytes.Buffer
	if err := RenderText(&text, digesttest.Blind(), false); err != nil {
		t.Fatal(err)
	}
	if err := RenderMarkdown(&md, digesttest.Blind()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(text.String(), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[1], "BLIND: none of 51 sources answered since Sat 14 Mar 06:00 UTC") ||
		strings.Contains(text.String(), "Quiet day") {
		t.Errorf("blind text:\n%s", text.String())
	}
	if !strings.Contains(md.String(), "**Blind:** none of 51") || strings.Contains(md.String(), "Quiet day") {
		t.Errorf("blind markdown:\n%s", md.String())
	}
	text.Reset()
	if err := RenderText(&text, digesttest.PartlyBlind(), false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "PARTLY BLIND: 30 of 51 sources did not answer") {
		t.Errorf("partly blind text:\n%s", text.String())
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrorIsReturned(t *testing.T) {
	if err := RenderText(failWriter{}, digesttest.Typical(), false); err == nil {
		t.Error("RenderText: no error")
	}
	if err := RenderMarkdown(failWriter{}, digesttest.Typical()); err == nil {
		t.Error("RenderMarkdown: no error")
	}
}

// TestRenderProperties renders random hostile digests (fixed seed): no
// control character from feed text reaches the terminal, every story
// appears exactly once, and Markdown output holds no markup from feed text.
func TestRenderProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(20260314, 3))
	for i := range 40 {
		d := digesttest.RandDigest(r, r.IntN(70), []int{20, 300, 3000, 10000}[i%4])
		check(t, d)
		if t.Failed() {
			t.Fatalf("digest %d failed", i)
		}
	}
	big := digesttest.RandDigest(r, 10000, 40)
	checkText(t, big, false)
	checkMarkdown(t, big)
}

func FuzzRenderText(f *testing.F) {
	for i, s := range digesttest.Nasty {
		f.Add(s, digesttest.Nasty[(i+7)%len(digesttest.Nasty)], digesttest.BadURLs[i%len(digesttest.BadURLs)], digesttest.Nasty[(i+3)%len(digesttest.Nasty)])
	}
	f.Add(strings.Repeat("x", 10000), strings.Repeat("👍🏽", 3000), "http://evil|<!channel>", "@everyone")
	f.Fuzz(func(t *testing.T, title, summary, url, outlet string) {
		noQ := func(s string) string { return strings.ReplaceAll(s, "Q", "q") }
		title, summary, outlet = noQ(title), noQ(summary), noQ(outlet)
		d := &briefing.Digest{Title: title, Since: digesttest.WindowEnd, Until: digesttest.WindowEnd}
		d.Failed = []briefing.SourceFailure{{Name: outlet, Error: summary}}
		d.Headlines = []briefing.Story{{ID: "a", Title: digesttest.Marker(0) + title, URL: url, Summary: summary, Outlets: []string{outlet}}}
		d.Sections = []briefing.Section{{Name: title, Stories: []briefing.Story{{Title: digesttest.Marker(1) + title, URL: url, Summary: summary}}}}
		check(t, d)
	})
}

var (
	markerRE = regexp.MustCompile(`ZQ\d+QZ`)
	ansiRE   = regexp.MustCompile(`\x1b\[[0-9;]*m`)
)

func check(t testing.TB, d *briefing.Digest) {
	t.Helper()
	checkText(t, d, false)
	checkText(t, d, true)
	checkMarkdown(t, d)
}

// wantStories is the markers of d's stories, duplicates (same ID) once.
func wantStories(d *briefing.Digest) map[string]bool {
	want := map[string]bool{}
	seen := map[string]bool{}
	for _, ss := range append([][]briefing.Story{d.Headlines}, sections(d)...) {
		for _, s := range ss {
			if s.ID != "" && seen[s.ID] {
				continue
			}
			seen[s.ID] = true
			want[markerRE.FindString(s.Title)] = true
		}
	}
	return want
}

func checkText(t testing.TB, d *briefing.Digest, color bool) {
	t.Helper()
	var b bytes.Buffer
	if err := RenderText(&b, d, color); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !color && strings.Contains(out, "\x1b") {
		t.Error("escape sequence without colour")
	}
	checkPlain(t, ansiRE.ReplaceAllString(out, ""), wantStories(d))
}

// checkMarkdown asserts that every unescaped '[' or '<' in the Markdown
// output belongs to a link the renderer wrote.
func checkMarkdown(t testing.TB, d *briefing.Digest) {
	t.Helper()
	var b bytes.Buffer
	if err := RenderMarkdown(&b, d); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	checkPlain(t, out, wantStories(d))
	for i := 0; i < len(out); i++ {
		j := strings.IndexAny(out[i:], "[<")
		if j < 0 {
			break
		}
		i += j
		if escapedAt(out, i) {
			continue
		}
		if out[i] == '[' && isMDLink(out[i:]) {
			continue
		}
		if out[i] == '<' && i >= 2 && out[i-2:i] == "](" {
			continue
		}
		t.Errorf("unescaped %q at %d: %.60q", out[i], i, out[i:])
	}
}

func checkPlain(t testing.TB, out string, want map[string]bool) {
	t.Helper()
	for _, r := range out {
		if r >= ' ' && r < 0x7f {
			continue
		}
		if (unicode.IsControl(r) && r != '\n') || unicode.Is(unicode.Cf, r) {
			t.Errorf("control or invisible character %U in output", r)
			break
		}
	}
	found := map[string]int{}
	for _, m := range markerRE.FindAllString(out, -1) {
		found[m]++
	}
	for m := range want {
		if found[m] != 1 {
			t.Errorf("story %s appears %d times", m, found[m])
		}
	}
	if len(found) != len(want) {
		t.Errorf("found %d stories, want %d", len(found), len(want))
	}
}

// isMDLink reports whether s opens a link as the renderer writes them:
// [text](<http(s)://…>) on one line, with no unescaped ']' in the text.
func isMDLink(s string) bool {
	if nl := strings.IndexByte(s, '\n'); nl >= 0 {
		s = s[:nl]
	}
	for i := 1; i < len(s); i++ {
		if s[i] != ']' || escapedAt(s, i) {
			continue
		}
		rest, ok := strings.CutPrefix(s[i+1:], "(<")
		if !ok || !(strings.HasPrefix(rest, "http://") || strings.HasPrefix(rest, "https://")) {
			return false
		}
		end := strings.Index(rest, ">)")
		return end > 0 && !strings.ContainsAny(rest[:end], " <>")
	}
	return false
}

func escapedAt(s string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

func sections(d *briefing.Digest) [][]briefing.Story {
	var out [][]briefing.Story
	for _, s := range d.Sections {
		out = append(out, s.Stories)
	}
	return out
}

// BenchmarkRenderText renders 2,000 stories of 10 items each (20,000
// items' worth) across 5 sections.
func BenchmarkRenderText(b *testing.B) {
	d := digesttest.Large()
	b.ReportAllocs()
	for b.Loop() {
		if err := RenderText(&bytes.Buffer{}, d, true); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderMarkdown(b *testing.B) {
	d := digesttest.Large()
	b.ReportAllocs()
	for b.Loop() {
		if err := RenderMarkdown(&bytes.Buffer{}, d); err != nil {
			b.Fatal(err)
		}
	}
}

// An empty search says so, not "quiet day".
func TestNoResultsIsNotQuiet(t *testing.T) {
	var text, md bytes.Buffer
	if err := RenderText(&text, digesttest.NoResults(), false); err != nil {
		t.Fatal(err)
	}
	if err := RenderMarkdown(&md, digesttest.NoResults()); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{text.String(), md.String()} {
		if !strings.Contains(out, "No stored news matches this search.") || strings.Contains(out, "Quiet day") {
			t.Errorf("empty search:\n%s", out)
		}
	}
}
