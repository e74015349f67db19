package slack

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/sahelbrief/sahelbrief/bot/internal/digesttest"
	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

func TestRenderDigestGolden(t *testing.T) {
	tests := []struct {
		name  string
		d     *briefing.Digest
		parts int
	}{
		{"typical", digesttest.Typical(), 1},
		{"quiet", digesttest.Quiet(), 1},
		{"split", digesttest.Split(), 2},
		{"blind", digesttest.Blind(), 1},
		{"partly-blind", digesttest.PartlyBlind(), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := RenderDigest(tt.d)
			if len(msgs) != tt.parts {
				t.Errorf("got %d messages, want %d", len(msgs), tt.parts)
			}
			checkMessages(t, tt.d, msgs)
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(msgs); err != nil {
				t.Fatal(err)
			}
			// Block Kit JSON is easier to review with <, > and & unescaped.
			out := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(buf.String())
			digesttest.Golden(t, filepath.Join("testdata", tt.name+".golden"), []byte(out))
		})
	}
}

func TestQuietDigestSaysSo(t *testing.T) {
	for _, d := range []*briefing.Digest{digesttest.Quiet(), nil, {Sections: []briefing.Section{{Name: "Mali"}}}} {
		msgs := RenderDigest(d)
		if len(msgs) != 1 {
			t.Fatalf("got %d messages", len(msgs))
		}
		b, _ := json.Marshal(msgs[0])
		if !strings.Contains(string(b), "Quiet day") || !strings.Contains(msgs[0].Text, "quiet day") {
			t.Errorf("no quiet-day sentence: %s", b)
		}
		checkMessages(t, d, msgs)
	}
	b, _ := json.Marshal(RenderDigest(digesttest.Quiet()))
	for _, want := range []string{"ActuNiger", "RFI Afrique", "Failed sources", "country niger", "!date^1773468000^"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("quiet digest lacks %q", want)
		}
	}
}

// A digest whose sources did not answer says so first, and a blind one
// never says "quiet day".
func TestBlindIsNotQuiet(t *testing.T) {
	msgs := RenderDigest(digesttest.Blind())
	b, _ := json.Marshal(msgs)
	if !strings.Contains(string(b), "*Blind:* none of 51 sources answered since") || strings.Contains(string(b), "Quiet day") ||
		!strings.Contains(msgs[0].Text, "blind") {
		t.Errorf("blind digest:\n%s", b)
	}
	msgs = RenderDigest(digesttest.PartlyBlind())
	b, _ = json.Marshal(msgs[0].Blocks[1])
	if !strings.Contains(string(b), "*Partly blind:* 30 of 51 sources did not answer") {
		t.Errorf("partly blind digest's second block: %s", b)
	}
}

// TestRenderProperties renders random hostile digests (fixed seed) and
// checks every limit, that every story appears exactly once and whole, and
// that no feed text produces mention or link syntax.
func TestRenderProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(20260314, 1))
	for i := range 40 {
		maxLen := []int{20, 300, 3000, 10000}[i%4]
		d := digesttest.RandDigest(r, r.IntN(70), maxLen)
		msgs := RenderDigest(d)
		checkMessages(t, d, msgs)
		if sch := blockSchema(t); sch != nil && i%5 == 0 {
			validate(t, sch, msgs)
		}
		if t.Failed() {
			t.Fatalf("digest %d failed", i)
		}
	}
	d := digesttest.RandDigest(r, 10000, 40)
	checkMessages(t, d, RenderDigest(d))
}

func FuzzRenderDigest(f *testing.F) {
	digesttest.AddFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, title, summary, url, outlet string, n uint8) {
		d := digesttest.FuzzDigest(title, summary, url, outlet, n)
		checkMessages(t, d, RenderDigest(d))
	})
}

// BenchmarkRenderDigest renders 2,000 stories of 10 items each (20,000
// items' worth) across 5 sections.
func BenchmarkRenderDigest(b *testing.B) {
	d := digesttest.Large()
	b.ReportAllocs()
	for b.Loop() {
		RenderDigest(d)
	}
}

// checkMessages asserts Slack's limits on the JSON each message marshals
// to, that each story of d (after de-duplication by ID) appears exactly
// once and whole, and that no feed text became markup.
func checkMessages(t testing.TB, d *briefing.Digest, msgs []Message) {
	t.Helper()
	if len(msgs) == 0 {
		t.Fatal("no messages")
	}
	allowed := map[string]bool{}
	var want []string
	if d != nil {
		seen := map[string]bool{}
		for _, ss := range append([][]briefing.Story{d.Headlines}, sectionStories(d)...) {
			for _, s := range ss {
				if s.ID != "" && seen[s.ID] {
					continue
				}
				seen[s.ID] = true
				if strings.HasPrefix(s.Title, "ZQ") {
					want = append(want, s.Title[:strings.Index(s.Title[2:], "QZ")+4])
				}
				if l := link(s.URL); l != "" {
					allowed[l] = true
				}
			}
		}
	}
	found := map[string]int{}
	for i, m := range msgs {
		var v struct {
			Text   string           `json:"text"`
			Blocks []map[string]any `json:"blocks"`
			Unfurl *bool            `json:"unfurl_links"`
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		if v.Unfurl == nil || *v.Unfurl {
			t.Errorf("message %d: unfurl_links not false", i)
		}
		if n := len(v.Blocks); n < 1 || n > MaxBlocks {
			t.Errorf("message %d: %d blocks", i, n)
		}
		checkText(t, "text", v.Text, 1, 4000, allowed)
		for j, bl := range v.Blocks {
			where := func(s string) string { return "message " + itoa(i) + " block " + itoa(j) + " " + s }
			switch bl["type"] {
			case "header":
				txt := bl["text"].(map[string]any)
				if txt["type"] != "plain_text" {
					t.Errorf("%s: header text type %v", where(""), txt["type"])
				}
				checkText(t, where("header"), txt["text"].(string), 1, MaxHeaderText, allowed)
			case "section":
				txt := bl["text"].(map[string]any)
				s := txt["text"].(string)
				checkText(t, where("section"), s, 1, MaxSectionText, allowed)
				for _, mk := range markers(s) {
					found[mk]++
					if j+1 >= len(v.Blocks) || v.Blocks[j+1]["type"] != "context" {
						t.Errorf("%s: story %s without its context block in the same message", where(""), mk)
					}
				}
			case "context":
				els := bl["elements"].([]any)
				if len(els) < 1 || len(els) > MaxContextElems {
					t.Errorf("%s: %d context elements", where(""), len(els))
				}
				for _, e := range els {
					s := e.(map[string]any)["text"].(string)
					checkText(t, where("context"), s, 1, MaxContextText, allowed)
					if len(markers(s)) > 0 {
						t.Errorf("%s: story marker in a context block", where(""))
					}
				}
				if i > 0 && j == 0 && !strings.Contains(els[0].(map[string]any)["text"].(string), "part "+itoa(i+1)+" of "+itoa(len(msgs))) {
					t.Errorf("message %d does not open with its part line", i)
				}
			case "divider":
			default:
				t.Errorf("%s: unexpected block type %v", where(""), bl["type"])
			}
		}
	}
	for _, mk := range want {
		if found[mk] != 1 {
			t.Errorf("story %s appears %d times", mk, found[mk])
		}
		delete(found, mk)
	}
	for mk, n := range found {
		t.Errorf("unexpected story marker %s (%d times)", mk, n)
	}
}

func sectionStories(d *briefing.Digest) [][]briefing.Story {
	var out [][]briefing.Story
	for _, s := range d.Sections {
		out = append(out, s.Stories)
	}
	return out
}

var markerRE = regexp.MustCompile(`ZQ\d+QZ`)

func markers(s string) []string { return markerRE.FindAllString(s, -1) }

var (
	dateToken = regexp.MustCompile(`^<!date\^-?\d+\^\{date_short_pretty\} \{time\}\|[^|<>]+>`)
	linkToken = regexp.MustCompile(`^<(https?://[^\s|<>]+)\|[^<>]*>`)
)

// checkText asserts a text's length in code points and UTF-16 units, that
// it holds no control or invisible characters, and that every '<' opens a
// date token or a link to an allowed (sanitized story) URL.
func checkText(t testing.TB, where, s string, minLen, maxLen int, allowed map[string]bool) {
	t.Helper()
	if n := len(utf16.Encode([]rune(s))); n > maxLen || utf8.RuneCountInString(s) < minLen {
		t.Errorf("%s: length %d units (%d runes) outside [%d,%d]: %.80q", where, n, utf8.RuneCountInString(s), minLen, maxLen, s)
	}
	if strings.TrimSpace(s) == "" && minLen > 0 {
		t.Errorf("%s: blank text", where)
	}
	for _, r := range s {
		if (unicode.IsControl(r) && r != '\n') || unicode.Is(unicode.Cf, r) {
			t.Errorf("%s: invisible or control character %U", where, r)
		}
	}
	for _, bad := range []string{"<!channel", "<!here", "<!everyone", "<@", "<#", "<!subteam"} {
		if strings.Contains(s, bad) {
			t.Errorf("%s: contains %q: %q", where, bad, s)
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		rest := s[i:]
		if m := dateToken.FindString(rest); m != "" {
			i += len(m) - 1
			continue
		}
		if m := linkToken.FindStringSubmatch(rest); m != nil && allowed[m[1]] {
			i += len(m[0]) - 1
			continue
		}
		t.Errorf("%s: markup not produced by the renderer at %d: %.60q", where, i, rest)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// blockSchema is #/$defs/block of the third-party Block Kit schema in
// shared/schemas (see its README), or nil when that is absent (outside CI).
func blockSchema(t *testing.T) *jsonschema.Schema {
	return digesttest.Schema(t, "slack-block-kit.tightknit.schema.json", "/$defs/block")
}

// TestSchema validates every block of the fixtures' messages against the
// Block Kit schema, plus the 50-block limit it does not encode.
func TestSchema(t *testing.T) {
	sch := blockSchema(t)
	if sch == nil {
		t.Skip("shared/schemas not found; schema validation skipped")
	}
	r := rand.New(rand.NewPCG(7, 7))
	tests := []struct {
		name string
		d    *briefing.Digest
	}{
		{"typical", digesttest.Typical()},
		{"quiet", digesttest.Quiet()},
		{"split", digesttest.Split()},
		{"nil", nil},
		{"random-short", digesttest.RandDigest(r, 40, 100)},
		{"random-long", digesttest.RandDigest(r, 40, 10000)},
		{"many-outlets", digesttest.ManyOutlets(60)},
		{"blind", digesttest.Blind()},
		{"partly-blind", digesttest.PartlyBlind()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { validate(t, sch, RenderDigest(tt.d)) })
	}
}

func validate(t *testing.T, sch *jsonschema.Schema, msgs []Message) {
	t.Helper()
	for i, m := range msgs {
		if len(m.Blocks) > MaxBlocks {
			t.Errorf("message %d: %d blocks > %d", i, len(m.Blocks), MaxBlocks)
		}
		for j, bl := range m.Blocks {
			b, err := json.Marshal(bl)
			if err != nil {
				t.Fatal(err)
			}
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(v); err != nil {
				t.Errorf("message %d block %d: %v\n%s", i, j, err, b)
			}
		}
	}
}

// A story told by several outlets links each outlet to its report, as
// many as fit; the rest are counted.
func TestOutletLinks(t *testing.T) {
	msgs := RenderDigest(digesttest.ManyOutlets(3))
	b, _ := json.Marshal(msgs)
	text := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">").Replace(string(b))
	for _, want := range []string{"<https://o1.example/", "|Outlet 1>", "|Outlet 2>"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in %s", want, b)
		}
	}
	b, _ = json.Marshal(RenderDigest(digesttest.ManyOutlets(60)))
	if !strings.Contains(string(b), ", +") {
		t.Errorf("60 outlets: no \"+n\" for those that do not fit")
	}
}

// An empty search says so, not "quiet day".
func TestNoResultsIsNotQuiet(t *testing.T) {
	msgs := RenderDigest(digesttest.NoResults())
	b, _ := json.Marshal(msgs)
	if !strings.Contains(string(b), "No stored news matches this search.") || strings.Contains(strings.ToLower(string(b)), "quiet day") {
		t.Errorf("empty search: %s", b)
	}
}
