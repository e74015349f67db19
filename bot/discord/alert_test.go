package discord

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Africa/Niamey on machines without a zone database

	"github.com/bwmarrin/discordgo"
	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/bot/internal/digesttest"
	"github.com/sahelbrief/sahelbrief/briefing"
)

const hostile = "@everyone <@123> @here <@&456> <#789> [x](https://evil.example/) **b**"

func testAlert(title, url string) bot.Alert {
	return bot.Alert{
		Item: briefing.Item{
			Title: title, URL: url, Outlet: "RFI Afrique",
			Summary:   "Des combats ont éclaté près de Ménaka. " + hostile,
			Published: time.Date(2026, 3, 14, 6, 30, 0, 0, time.UTC),
		},
		Countries: []briefing.Tag{{ID: "mali", Name: "Mali"}, {ID: "niger", Name: "Niger @here"}},
		Actors:    []briefing.Tag{{ID: "wagner", Name: "Wagner / Africa Corps"}},
		Queries:   []string{"country:mali", "actor:wagner @everyone"},
		Outlets:   []string{"RFI Afrique", "Le Monde <@1>"},
	}
}

// checkAll runs checkText over every text of rendered messages and
// asserts allowed_mentions forbids everything.
func checkAll(t *testing.T, msgs []*discordgo.MessageSend, allowed map[string]bool) {
	t.Helper()
	if len(msgs) == 0 {
		t.Fatal("no messages")
	}
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
			t.Errorf("message %d: content of %d", i, n)
		}
		checkText(t, "content", v.Content, allowed)
		total := 0
		for _, e := range v.Embeds {
			total += embedChars(e, longest)
			if longest(e.Title) > MaxTitle || longest(e.Description) > MaxDescription {
				t.Errorf("message %d: title %d, description %d", i, longest(e.Title), longest(e.Description))
			}
			checkText(t, "title", e.Title, allowed)
			checkText(t, "description", e.Description, allowed)
			for _, f := range e.Fields {
				if longest(f.Name) > MaxFieldName || longest(f.Value) > MaxFieldValue {
					t.Errorf("field %q too long", f.Name)
				}
				checkText(t, "field", f.Name+" "+f.Value, allowed)
			}
			if e.Footer != nil {
				if longest(e.Footer.Text) > MaxFooter {
					t.Errorf("footer of %d", longest(e.Footer.Text))
				}
				checkText(t, "footer", e.Footer.Text, allowed)
			}
		}
		if total > MaxEmbedTotal {
			t.Errorf("message %d: embeds total %d", i, total)
		}
	}
	if sch := messageSchema(t); sch != nil {
		validate(t, sch, msgs)
	}
}

func TestRenderAlert(t *testing.T) {
	tests := []struct {
		name      string
		alert     bot.Alert
		wantTitle string
		wantURL   string
	}{
		{"typical", testAlert("Mali : attaque près de Ménaka", "https://www.rfi.fr/fr/afrique/x_(1)"),
			"Mali : attaque près de Ménaka", "https://www.rfi.fr/fr/afrique/x_%281%29"},
		{"hostile", testAlert(hostile, "javascript:alert(1)"), "", ""},
		{"long", testAlert(strings.Repeat("très long titre ", 100), "https://example.org/"), "", "https://example.org/"},
		{"empty", bot.Alert{Item: briefing.Item{Outlet: "X"}}, untitled, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := bot.Message{Kind: bot.KindAlert, Alerts: []bot.Alert{tt.alert}}
			msgs, err := RenderMessage(m)
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != 1 || len(msgs[0].Embeds) != 1 {
				t.Fatalf("got %d messages", len(msgs))
			}
			checkAll(t, msgs, map[string]bool{})
			e := msgs[0].Embeds[0]
			if tt.wantTitle != "" && e.Title != tt.wantTitle {
				t.Errorf("title %q, want %q", e.Title, tt.wantTitle)
			}
			if e.URL != tt.wantURL {
				t.Errorf("url %q, want %q", e.URL, tt.wantURL)
			}
			if tt.alert.Item.Title == "" {
				return
			}
			if e.Timestamp != "2026-03-14T06:30:00Z" {
				t.Errorf("timestamp %q", e.Timestamp)
			}
			fields := map[string]string{}
			for _, f := range e.Fields {
				fields[f.Name] = f.Value
			}
			if !strings.Contains(fields["Outlets"], "RFI Afrique") || !strings.Contains(fields["Outlets"], "Le Monde") {
				t.Errorf("outlets field %q", fields["Outlets"])
			}
			if !strings.HasPrefix(fields["Countries"], "Mali, Niger") || fields["Actors"] != "Wagner / Africa Corps" {
				t.Errorf("fields %q", fields)
			}
			if e.Footer == nil || !strings.HasPrefix(e.Footer.Text, "Matched: country:mali · actor:wagner @") {
				t.Errorf("footer %+v", e.Footer)
			}
			if !strings.Contains(e.Description, "Ménaka") {
				t.Errorf("description %q", e.Description)
			}
		})
	}
}

func TestRenderAlertOutletFallback(t *testing.T) {
	a := testAlert("t", "")
	a.Outlets = nil
	msgs := RenderAlert(bot.Message{Kind: bot.KindAlert, Alerts: []bot.Alert{a}})
	if f := msgs[0].Embeds[0].Fields[0]; f.Name != "Outlets" || f.Value != "RFI Afrique" {
		t.Errorf("outlets field %+v", f)
	}
}

func TestRenderReply(t *testing.T) {
	a := testAlert("Niger: @everyone <@123> @here", "https://lemonde.fr/a")
	a.Item.Outlet = "Le Monde"
	tests := []struct {
		name     string
		threadOf string
	}{
		{"threaded", "1234567890"},
		{"no thread", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := RenderMessage(bot.Message{Kind: bot.KindReply, Alerts: []bot.Alert{a}, ThreadOf: tt.threadOf})
			if err != nil {
				t.Fatal(err)
			}
			checkAll(t, msgs, map[string]bool{"https://lemonde.fr/a": true})
			m := msgs[0]
			if want := "Also reported by **Le Monde**: [Niger: @\u200beveryone \\<@\u200b123\\> @\u200bhere](https://lemonde.fr/a)"; m.Content != want {
				t.Errorf("content %q, want %q", m.Content, want)
			}
			if len(m.Embeds) != 0 || m.Flags&discordgo.MessageFlagsSuppressEmbeds == 0 {
				t.Errorf("reply is not compact: %d embeds, flags %d", len(m.Embeds), m.Flags)
			}
			if tt.threadOf == "" {
				if m.Reference != nil {
					t.Errorf("reference %+v without ThreadOf", m.Reference)
				}
				return
			}
			if r := m.Reference; r == nil || r.MessageID != tt.threadOf || r.FailIfNotExists == nil || *r.FailIfNotExists {
				t.Errorf("reference %+v", r)
			}
		})
	}
}

func TestRenderSummary(t *testing.T) {
	tests := []struct {
		name      string
		n         int
		title     string
		wantLines int // story lines
		wantMore  string
	}{
		{"one", 1, "short", 1, ""},
		{"twenty", 20, "short", 20, ""},
		{"over twenty", 27, "short", 20, "…and 7 more"},
		{"long titles", 20, strings.Repeat("x", 400), -1, "more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := bot.Message{Kind: bot.KindSummary}
			allowed := map[string]bool{}
			for i := range tt.n {
				u := "https://example.org/" + strconv.Itoa(i)
				if tt.wantLines < 0 {
					u = "https://example.org/" + strings.Repeat("p", 500) + "/" + strconv.Itoa(i)
				}
				allowed[u] = true
				a := testAlert(tt.title+" "+hostile, u)
				a.Queries = []string{"q" + strconv.Itoa(i%3)}
				m.Alerts = append(m.Alerts, a)
			}
			msgs, err := RenderMessage(m)
			if err != nil {
				t.Fatal(err)
			}
			checkAll(t, msgs, allowed)
			e := msgs[0].Embeds[0]
			wantTitle := strconv.Itoa(tt.n) + " more stories matched your subscriptions"
			if tt.n == 1 {
				wantTitle = "1 more story matched your subscriptions"
			}
			if e.Title != wantTitle {
				t.Errorf("title %q", e.Title)
			}
			lines := strings.Count(e.Description, "• ")
			if tt.wantLines >= 0 && lines != tt.wantLines {
				t.Errorf("%d story lines, want %d", lines, tt.wantLines)
			}
			if tt.wantMore != "" && !strings.Contains(e.Description, tt.wantMore) {
				t.Errorf("description lacks %q: %q", tt.wantMore, e.Description[max(0, len(e.Description)-80):])
			}
			if tt.wantMore == "" && strings.Contains(e.Description, "more") {
				t.Errorf("unexpected …and K more")
			}
			if tt.wantLines < 0 && !strings.Contains(e.Description, "…and "+strconv.Itoa(tt.n-lines)+" more") {
				t.Errorf("%d lines shown of %d but the count is wrong", lines, tt.n)
			}
			if e.Footer == nil || (tt.n >= 3 && e.Footer.Text != "Matched: q0 · q1 · q2") {
				t.Errorf("footer %+v", e.Footer)
			}
		})
	}
}

func TestRenderLateDigest(t *testing.T) {
	loc, err := time.LoadLocation("Africa/Niamey")
	if err != nil {
		t.Fatal(err)
	}
	sched := time.Date(2026, 3, 14, 7, 0, 0, 0, loc)
	for _, d := range []*briefing.Digest{digesttest.Typical(), digesttest.Split(), digesttest.Quiet()} {
		on, err := RenderMessage(bot.Message{Kind: bot.KindDigest, Digest: d})
		if err != nil {
			t.Fatal(err)
		}
		late, err := RenderMessage(bot.Message{Kind: bot.KindDigest, Digest: d, Late: true, Scheduled: sched})
		if err != nil {
			t.Fatal(err)
		}
		if len(late) != len(on) {
			t.Fatalf("late digest has %d parts, on time %d", len(late), len(on))
		}
		checkMessages(t, d, late)
		note := "Late: scheduled for 2026-03-14 07:00 (Africa/Niamey)"
		first, _, _ := strings.Cut(on[0].Content, "\n")
		if !strings.HasPrefix(late[0].Content, first+"\n⏰ "+note) {
			t.Errorf("late content %q", late[0].Content)
		}
		for i := 1; i < len(late); i++ {
			if strings.Contains(late[i].Content, "Late") {
				t.Errorf("part %d repeats the late note", i)
			}
		}
		if strings.Contains(on[0].Content, "Late") {
			t.Errorf("on-time digest says late")
		}
	}
	d := digesttest.Typical()
	d.Title = strings.Repeat("T", 300)
	d.Counts = nil
	for range 100 {
		d.Counts = append(d.Counts, briefing.CountryCount{Tag: briefing.Tag{Name: strings.Repeat("Burkina Faso ", 3)}, Stories: 9})
	}
	late, _ := RenderMessage(bot.Message{Kind: bot.KindDigest, Digest: d, Late: true, Scheduled: sched})
	if units(late[0].Content) > MaxContent || !strings.Contains(late[0].Content, "Late: scheduled") {
		t.Errorf("long late content: %d units", units(late[0].Content))
	}
}

func TestRenderMessageRejects(t *testing.T) {
	for name, m := range map[string]bot.Message{
		"digest without digest": {Kind: bot.KindDigest},
		"alert without alerts":  {Kind: bot.KindAlert},
		"summary without":       {Kind: bot.KindSummary},
		"unknown kind":          {Kind: "poem", Alerts: []bot.Alert{{}}},
	} {
		if _, err := RenderMessage(m); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
