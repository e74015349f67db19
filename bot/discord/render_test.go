package discord

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
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
		{"split", digesttest.Split(), 3},
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
			digesttest.Golden(t, filepath.Join("testdata", tt.name+".golden"), buf.Bytes())
		})
	}
}

func TestAllowedMentionsAlwaysEmpty(t *testing.T) {
	for _, d := range []*briefing.Digest{digesttest.Typical(), digesttest.Quiet(), digesttest.Split(), nil} {
		for i, m := range RenderDigest(d) {
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(b, []byte(`"allowed_mentions":{"parse":[],`)) {
				t.Errorf("message %d: allowed_mentions.parse is not []: %s", i, b)
			}
		}
	}
}

func TestQuietDigestSaysSo(t *testing.T) {
	msgs := RenderDigest(digesttest.Quiet())
	if len(msgs) != 1 {
		t.Fatalf("got %d messages", len(msgs))
	}
	b, _ := json.Marshal(msgs[0])
	for _, want := range []string{"Quiet day", "country niger", "<t:1773468000:f>", "ActuNiger", "RFI Afrique", "Failed sources"} {
		if !strings.Contains(string(b), want) && !strings.Contains(msgs[0].Content, want) {
			t.Errorf("quiet digest lacks %q: %s", want, b)
		}
	}
}

// A digest whose sources did not answer says so first, and a blind one
// never says "quiet day".
func TestBlindIsNotQuiet(t *testing.T) {
	msgs := RenderDigest(digesttest.Blind())
	if c := msgs[0].Content; !strings.Contains(c, "**Blind:** none of 51 sources answered since <t:") ||
		strings.Contains(c, "Quiet day") {
		t.Errorf("blind digest: %q", c)
	}
	if c := RenderDigest(digesttest.PartlyBlind())[0].Content; !strings.Contains(c, "**Partly blind:** 30 of 51 sources") {
		t.Errorf("partly blind digest: %q", c)
	}
}

// TestRenderProperties renders random hostile digests (fixed seed) and
// checks every limit, that every story appears exactly once, and that no
// feed text produces mentions, links or markdown.
func TestRenderProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(20260314, 2))
	sch := messageSchema(t)
	for i := range 40 {
		maxLen := []int{20, 300, 3000, 10000}[i%4]
		d := digesttest.RandDigest(r, r.IntN(70), maxLen)
		msgs := RenderDigest(d)
		checkMessages(t, d, msgs)
		if sch != nil && i%5 == 0 {
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

// wire is the JSON body Discord receives.
type wire struct {
	Content         string          `json:"content"`
	Embeds          []wireEmbed     `json:"embeds"`
	AllowedMentions json.RawMessage `json:"allowed_mentions"`
}

type wireEmbed struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Fields      []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"fields"`
	Footer *struct {
		Text string `json:"text"`
	} `json:"footer"`
	Author *struct {
		Name string `json:"name"`
	} `json:"author"`
}

// embedChars counts an embed as Discord does towards the 6000 total:
// title, description, field names and values, footer text, author name.
func embedChars(e wireEmbed, count func(string) int) int {
	n := count(e.Title) + count(e.Description)
	for _, f := range e.Fields {
		n += count(f.Name) + count(f.Value)
	}
	if e.Footer != nil {
		n += count(e.Footer.Text)
	}
	if e.Author != nil {
		n += count(e.Author.Name)
	}
	return n
}

func runes(s string) int   { return utf8.RuneCountInString(s) }
func utf16n(s string) int  { return len(utf16.Encode([]rune(s))) }
func longest(s string) int { return max(runes(s), utf16n(s)) }

// checkMessages asserts Discord's limits on the JSON each message marshals
// to (lengths counted both in code points and UTF-16 units), that each
// story of d (after de-duplication by ID) appears exactly once, and that
// no feed text became a mention, a link or markdown.
func checkMessages(t testing.TB, d *briefing.Digest, msgs []*discordgo.MessageSend) {
	t.Helper()
	if len(msgs) == 0 {
		t.Fatal("no messages")
	}
	allowed := map[string]bool{}
	var want []string
	if d != nil {
		seen := map[string]bool{}
		all := append([]briefing.Story{}, d.Headlines...)
		for _, s := range d.Sections {
			all = append(all, s.Stories...)
		}
		for _, s := range all {
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
	found := map[string]int{}
	for i, m := range msgs {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var v wire
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		if string(v.AllowedMentions) != `{"parse":[],"replied_user":false}` {
			t.Errorf("message %d: allowed_mentions = %s", i, v.AllowedMentions)
		}
		if n := longest(v.Content); n > MaxContent {
			t.Errorf("message %d: content of %d > %d", i, n, MaxContent)
		}
		if strings.TrimSpace(v.Content) == "" && len(v.Embeds) == 0 {
			t.Errorf("message %d is empty", i)
		}
		checkText(t, "content", v.Content, allowed)
		if len(v.Embeds) > MaxEmbeds {
			t.Errorf("message %d: %d embeds", i, len(v.Embeds))
		}
		total, total16 := 0, 0
		for j, e := range v.Embeds {
			where := "message " + itoa(i) + " embed " + itoa(j)
			total += embedChars(e, runes)
			total16 += embedChars(e, utf16n)
			if e.Title == "" || longest(e.Title) > MaxTitle {
				t.Errorf("%s: title of %d", where, longest(e.Title))
			}
			if longest(e.Description) > MaxDescription {
				t.Errorf("%s: description of %d", where, longest(e.Description))
			}
			if len(e.Fields) > MaxFields || (len(e.Fields) == 0 && e.Description == "") {
				t.Errorf("%s: %d fields, description %q", where, len(e.Fields), e.Description)
			}
			if e.Footer != nil && longest(e.Footer.Text) > MaxFooter {
				t.Errorf("%s: footer too long", where)
			}
			checkText(t, where+" title", e.Title, allowed)
			checkText(t, where+" description", e.Description, allowed)
			for k, f := range e.Fields {
				fw := where + " field " + itoa(k)
				if strings.TrimSpace(f.Name) == "" || longest(f.Name) > MaxFieldName {
					t.Errorf("%s: name of %d: %.40q", fw, longest(f.Name), f.Name)
				}
				if strings.TrimSpace(f.Value) == "" || longest(f.Value) > MaxFieldValue {
					t.Errorf("%s: value of %d: %.40q", fw, longest(f.Value), f.Value)
				}
				checkText(t, fw+" name", f.Name, allowed)
				checkText(t, fw+" value", f.Value, allowed)
				checkInert(t, fw+" name", f.Name)
				for _, mk := range markers(f.Name) {
					found[mk]++
				}
				if len(markers(f.Value)) > 0 {
					t.Errorf("%s: story marker in a value", fw)
				}
			}
		}
		if total > MaxEmbedTotal || total16 > MaxEmbedTotal {
			t.Errorf("message %d: embeds total %d code points, %d UTF-16 units > %d", i, total, total16, MaxEmbedTotal)
		}
		if i > 0 && !strings.Contains(v.Content, "part "+itoa(i+1)+" of "+itoa(len(msgs))) {
			t.Errorf("message %d lacks its part line: %q", i, v.Content)
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

var markerRE = regexp.MustCompile(`ZQ\d+QZ`)

func markers(s string) []string { return markerRE.FindAllString(s, -1) }

var (
	stampToken = regexp.MustCompile(`^<t:-?\d+:[fR]>`)
	linkToken  = regexp.MustCompile(`^\[[^\[\]]*\]\((https?://[^\s()<>]+)\)`)
)

func escaped(s string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

// checkText asserts that a text holds no control or invisible character
// other than the zero-width space after '@', no pinging @everyone/@here,
// and that every unescaped '<' opens a timestamp and every unescaped '['
// a link to an allowed (sanitized story) URL.
func checkText(t testing.TB, where, s string, allowed map[string]bool) {
	t.Helper()
	prev := rune(0)
	for _, r := range s {
		if r == 0x200b && prev != '@' || r != 0x200b && ((unicode.IsControl(r) && r != '\n') || unicode.Is(unicode.Cf, r)) {
			t.Errorf("%s: invisible or control character %U", where, r)
		}
		prev = r
	}
	for _, bad := range []string{"@everyone", "@here"} {
		if strings.Contains(s, bad) {
			t.Errorf("%s: contains %q", where, bad)
		}
	}
	for i := 0; i < len(s); i++ {
		if escaped(s, i) {
			continue
		}
		switch s[i] {
		case '<':
			if m := stampToken.FindString(s[i:]); m != "" {
				i += len(m) - 1
				continue
			}
			t.Errorf("%s: unescaped '<' at %d: %.60q", where, i, s[i:])
		case '[':
			if m := linkToken.FindStringSubmatch(s[i:]); m != nil && allowed[m[1]] {
				i += len(m[0]) - 1
				continue
			}
			t.Errorf("%s: unescaped '[' at %d: %.60q", where, i, s[i:])
		}
	}
}

// checkInert asserts that every markdown character in pure feed text is
// escaped.
func checkInert(t testing.TB, where, s string) {
	t.Helper()
	for i := 0; i < len(s); i++ {
		if strings.IndexByte("*_~`|><#-[]()+", s[i]) >= 0 && !escaped(s, i) {
			t.Errorf("%s: unescaped %q at %d: %.60q", where, s[i], i, s)
		}
	}
	if m := regexp.MustCompile(`^\d+\.`).FindString(s); m != "" {
		t.Errorf("%s: leading list marker %q", where, m)
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// messageSchema is MessageCreateRequest of Discord's OpenAPI spec in
// shared/schemas (see its README), or nil when that is absent (outside CI).
func messageSchema(t *testing.T) *jsonschema.Schema {
	return digesttest.Schema(t, "discord-openapi.json", "/components/schemas/MessageCreateRequest")
}

// TestSchema validates the fixtures' messages against
// MessageCreateRequest, plus the limits it does not encode: content ≤ 2000
// and embed characters ≤ 6000.
func TestSchema(t *testing.T) {
	sch := messageSchema(t)
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

func validate(t *testing.T, sch *jsonschema.Schema, msgs []*discordgo.MessageSend) {
	t.Helper()
	for i, m := range msgs {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("message %d: %v\n%s", i, err, b)
		}
		var w wire
		if err := json.Unmarshal(b, &w); err != nil {
			t.Fatal(err)
		}
		if n := longest(w.Content); n > MaxContent {
			t.Errorf("message %d: content of %d > %d", i, n, MaxContent)
		}
		total := 0
		for _, e := range w.Embeds {
			total += embedChars(e, longest)
		}
		if total > MaxEmbedTotal {
			t.Errorf("message %d: embeds total %d > %d", i, total, MaxEmbedTotal)
		}
	}
}

// A story told by several outlets links each outlet to its report, as
// many as fit; the rest are counted.
func TestOutletLinks(t *testing.T) {
	msgs := RenderDigest(digesttest.ManyOutlets(3))
	b, _ := json.Marshal(msgs)
	for _, want := range []string{"[Outlet 1](https://o1.example/", "[Outlet 2](https://o2.example/"} {
		if !strings.Contains(string(b), want) {
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
	c := RenderDigest(digesttest.NoResults())[0].Content
	if !strings.Contains(c, "No stored news matches this search.") || strings.Contains(c, "Quiet day") {
		t.Errorf("empty search: %q", c)
	}
}
