package slack

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/bot/internal/digesttest"
	"github.com/sahelbrief/sahelbrief/briefing"
	slackgo "github.com/slack-go/slack"
)

// checkAlertMessages asserts Slack's limits, unfurls off, and that no
// text holds markup other than date tokens and links to allowed URLs; and
// validates the blocks against the Block Kit schema when it is present.
func checkAlertMessages(t *testing.T, msgs []Message, allowed map[string]bool) {
	t.Helper()
	if len(msgs) == 0 {
		t.Fatal("no messages")
	}
	for i, m := range msgs {
		if m.UnfurlLinks || m.UnfurlMedia {
			t.Errorf("message %d: unfurls on", i)
		}
		if n := len(m.Blocks); n < 1 || n > MaxBlocks {
			t.Errorf("message %d: %d blocks", i, n)
		}
		checkText(t, "text", m.Text, 1, 4000, allowed)
		b, err := json.Marshal(m.Blocks)
		if err != nil {
			t.Fatal(err)
		}
		var blocks []map[string]any
		if err := json.Unmarshal(b, &blocks); err != nil {
			t.Fatal(err)
		}
		for j, bl := range blocks {
			where := "message " + itoa(i) + " block " + itoa(j)
			switch bl["type"] {
			case "header":
				checkText(t, where, bl["text"].(map[string]any)["text"].(string), 1, MaxHeaderText, allowed)
			case "section":
				checkText(t, where, bl["text"].(map[string]any)["text"].(string), 1, MaxSectionText, allowed)
			case "context":
				els := bl["elements"].([]any)
				if len(els) < 1 || len(els) > MaxContextElems {
					t.Errorf("%s: %d context elements", where, len(els))
				}
				for _, e := range els {
					checkText(t, where, e.(map[string]any)["text"].(string), 1, MaxContextText, allowed)
				}
			default:
				t.Errorf("%s: unexpected block type %v", where, bl["type"])
			}
		}
	}
	if sch := blockSchema(t); sch != nil {
		validate(t, sch, msgs)
	}
}

func allText(t *testing.T, msgs []Message) string {
	t.Helper()
	b, err := json.Marshal(msgs)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	_ = json.Unmarshal(b, &v)
	var sb strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range []string{"text", "blocks", "elements"} {
				if x, ok := v[k]; ok {
					walk(x)
				}
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		case string:
			sb.WriteString(v + "\n")
		}
	}
	walk(v)
	return sb.String()
}

func TestRenderAlertKinds(t *testing.T) {
	plain := bot.Alert{Item: briefing.Item{Title: "Coup in Niamey", URL: "javascript:alert(1)", Outlet: "ActuNiger"}}
	allowed := map[string]bool{"https://example.org/a?x=1&amp;y=2": true}
	tests := []struct {
		name    string
		m       bot.Message
		want    []string
		notWant []string
	}{
		{
			name: "alert",
			m:    bot.Message{Kind: bot.KindAlert, Alerts: []bot.Alert{hostileAlert()}},
			want: []string{
				"*<https://example.org/a?x=1&amp;y=2|Attack near Ménaka &lt;!channel&gt; @here &lt;@U123&gt; &lt;https://evil.example|click&gt;>*",
				"Gunmen &lt;!everyone&gt; attacked a convoy &amp; fled.",
				"RFI &lt;Afrique&gt;, Studio Tamani", "Mali · JNIM &lt;@U999&gt;",
				"Matched your subscriptions: `country:mali actor:jnim`, `ménaka 'x'`",
				"New: Attack near Ménaka",
			},
		},
		{
			name:    "alert without outlets list, link or queries",
			m:       bot.Message{Kind: bot.KindAlert, Alerts: []bot.Alert{plain}},
			want:    []string{"*Coup in Niamey*", "ActuNiger", "New: Coup in Niamey (ActuNiger)"},
			notWant: []string{"Matched", "javascript"},
		},
		{
			name: "alert with one query",
			m:    bot.Message{Kind: bot.KindAlert, Alerts: []bot.Alert{{Item: plain.Item, Queries: []string{"niger"}}}},
			want: []string{"Matched your subscription: `niger`"},
		},
		{
			name:    "reply",
			m:       bot.Message{Kind: bot.KindReply, Alerts: []bot.Alert{hostileAlert()}},
			want:    []string{"Also reported by *RFI &lt;Afrique&gt;*: *<https://example.org/a?x=1&amp;y=2|Attack", "Mali · JNIM"},
			notWant: []string{"Matched"},
		},
		{
			name: "reply without tags or outlet",
			m:    bot.Message{Kind: bot.KindReply, Alerts: []bot.Alert{{Item: briefing.Item{Title: "x"}}}},
			want: []string{"Also reported by *another outlet*: *x*"},
		},
		{
			name:    "summary",
			m:       bot.Message{Kind: bot.KindSummary, Alerts: []bot.Alert{hostileAlert(), plain}},
			want:    []string{"2 more stories matched your subscriptions", "• *Coup in Niamey* · ActuNiger", "`country:mali actor:jnim`"},
			notWant: []string{"…and"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := Render(tt.m)
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != 1 {
				t.Fatalf("%d messages", len(msgs))
			}
			checkAlertMessages(t, msgs, allowed)
			all := allText(t, msgs)
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("lacks %q:\n%s", w, all)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(all, w) {
					t.Errorf("has %q:\n%s", w, all)
				}
			}
		})
	}
}

func TestRenderSummaryLimits(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 9))
	for _, n := range []int{1, 20, 21, 25, 200} {
		for _, maxLen := range []int{30, 10000} {
			alerts := make([]bot.Alert, n)
			allowed := map[string]bool{}
			for i := range alerts {
				u := "https://example.org/" + strings.Repeat("p", r.IntN(min(maxLen, 1990)))
				allowed[link(u)] = true
				alerts[i] = bot.Alert{
					Item:    briefing.Item{Title: digesttest.RandText(r, maxLen), URL: u, Outlet: digesttest.RandText(r, maxLen)},
					Queries: []string{digesttest.RandText(r, maxLen)},
				}
			}
			msgs := RenderSummary(bot.Message{Kind: bot.KindSummary, Alerts: alerts})
			checkAlertMessages(t, msgs, allowed)
			all := allText(t, msgs)
			if !strings.Contains(msgs[0].Text, itoa(n)+" more stor") {
				t.Errorf("n=%d: text %q", n, msgs[0].Text)
			}
			if more := n - MaxSummaryAlerts; more > 0 && !strings.Contains(all, "…and "+itoa(more)+" more") {
				t.Errorf("n=%d: no count of the rest", n)
			}
			if got := strings.Count(all, "• "); got > MaxSummaryAlerts || got < min(n, MaxSummaryAlerts) {
				t.Errorf("n=%d: %d lines", n, got)
			}
		}
	}
}

func TestRenderAlertHostile(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 3))
	for i := range 30 {
		maxLen := []int{20, 300, 10000}[i%3]
		a := bot.Alert{
			Item: briefing.Item{Title: digesttest.RandText(r, maxLen), Summary: digesttest.RandText(r, maxLen), Outlet: digesttest.RandText(r, maxLen),
				URL: digesttest.BadURLs[i%len(digesttest.BadURLs)], Published: digesttest.WindowEnd},
			Countries: []briefing.Tag{{Name: digesttest.RandText(r, maxLen)}},
			Actors:    []briefing.Tag{{Name: digesttest.Nasty[i%len(digesttest.Nasty)]}},
			Queries:   []string{digesttest.RandText(r, maxLen), digesttest.Nasty[(i+1)%len(digesttest.Nasty)]},
			Outlets:   []string{digesttest.Nasty[(i+2)%len(digesttest.Nasty)], digesttest.RandText(r, maxLen)},
		}
		allowed := map[string]bool{link(a.Item.URL): true}
		for _, k := range []bot.Kind{bot.KindAlert, bot.KindReply, bot.KindSummary} {
			msgs, err := Render(bot.Message{Kind: k, Alerts: []bot.Alert{a, a}})
			if err != nil {
				t.Fatal(err)
			}
			checkAlertMessages(t, msgs, allowed)
		}
		if t.Failed() {
			t.Fatalf("alert %d failed", i)
		}
	}
}

func TestLateDigest(t *testing.T) {
	bamako := time.FixedZone("Africa/Bamako", 0)
	sched := time.Date(2026, 12, 7, 7, 0, 0, 0, bamako)
	const note = "Late: scheduled for Mon 7 Dec 07:00 (Africa/Bamako)"
	r := rand.New(rand.NewPCG(3, 4))
	digests := map[string]*briefing.Digest{
		"typical": digesttest.Typical(), "quiet": digesttest.Quiet(), "split": digesttest.Split(), "nil": nil,
		"big": digesttest.RandDigest(r, 200, 40),
	}
	for name, d := range digests {
		t.Run(name, func(t *testing.T) {
			msgs := RenderDelivery(bot.Message{Kind: bot.KindDigest, Digest: d, Late: true, Scheduled: sched})
			plain := RenderDigest(d)
			if len(msgs) != len(plain) {
				t.Fatalf("%d parts, on time %d", len(msgs), len(plain))
			}
			checkMessages(t, d, msgs)
			if sch := blockSchema(t); sch != nil {
				validate(t, sch, msgs)
			}
			if !strings.HasPrefix(msgs[0].Text, note) {
				t.Errorf("text %q", msgs[0].Text)
			}
			first := allText(t, msgs[:1])
			if !strings.Contains(first, "*"+note+"*") {
				t.Errorf("first message lacks the note:\n%.500s", first)
			}
			if strings.Contains(allText(t, msgs[1:]), "Late:") {
				t.Error("note in a later part")
			}
			if len(plain[0].Blocks) < MaxBlocks {
				c, ok := msgs[0].Blocks[0].(*slackgo.ContextBlock)
				if !ok || len(msgs[0].Blocks) != len(plain[0].Blocks)+1 {
					t.Errorf("note is not a block of its own at the top: %T", msgs[0].Blocks[0])
				} else if txt := c.ContextElements.Elements[0].(*slackgo.TextBlockObject).Text; !strings.Contains(txt, note) {
					t.Errorf("top block %q", txt)
				}
			}
			onTime := RenderDelivery(bot.Message{Kind: bot.KindDigest, Digest: d, Scheduled: sched})
			if strings.Contains(allText(t, onTime), "Late") {
				t.Error("on-time digest says late")
			}
		})
	}
}

// TestMarkLateFull covers a first message already at MaxBlocks.
func TestMarkLateFull(t *testing.T) {
	sched := time.Date(2026, 12, 7, 7, 0, 0, 0, time.FixedZone("Africa/Bamako", 0))
	full := func(withContext bool, sectionText string) Message {
		m := Message{Text: "Sahel brief"}
		for i := range MaxBlocks {
			if withContext && i == 1 {
				m.Blocks = append(m.Blocks, context(mrkdwn("window")))
				continue
			}
			m.Blocks = append(m.Blocks, section(sectionText))
		}
		return m
	}
	tests := []struct {
		name  string
		m     Message
		where func(m Message) string
	}{
		{"merged into a context", full(true, "s"), func(m Message) string {
			return m.Blocks[1].(*slackgo.ContextBlock).ContextElements.Elements[0].(*slackgo.TextBlockObject).Text
		}},
		{"prefixed to a section", full(false, "s"), func(m Message) string {
			return m.Blocks[0].(*slackgo.SectionBlock).Text.Text
		}},
		{"no room anywhere", full(false, strings.Repeat("x", MaxSectionText)), func(m Message) string { return "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.m
			markLate(&m, sched)
			if len(m.Blocks) != MaxBlocks {
				t.Errorf("%d blocks", len(m.Blocks))
			}
			if !strings.HasPrefix(m.Text, "Late: scheduled for Mon 7 Dec 07:00 (Africa/Bamako)") {
				t.Errorf("text %q", m.Text)
			}
			if got := tt.where(m); got != "" && !strings.HasPrefix(got, ":hourglass: *Late: scheduled for") {
				t.Errorf("note not where expected: %q", got)
			}
			if sch := blockSchema(t); sch != nil {
				validate(t, sch, []Message{m})
			}
		})
	}
	var zero Message
	zero.Blocks = []slackgo.Block{section("x")}
	markLate(&zero, time.Time{})
	if !strings.Contains(allText(t, []Message{zero}), "Late: this digest was delayed") {
		t.Error("zero schedule time")
	}
}
