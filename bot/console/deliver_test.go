package console

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/briefing"
)

func TestDelivererPrintsEachKind(t *testing.T) {
	item := briefing.Item{ID: 7, Title: "Jihadists attack \x1b[31mBoulkessi\x1b[0m camp", Outlet: "Reuters", URL: "https://www.reuters.com/x",
		Summary: "Dozens of soldiers were killed.", Published: time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)}
	al := bot.Alert{Item: item, Queries: []string{"country:mali attack"}, Countries: []briefing.Tag{{ID: "mali", Name: "Mali"}},
		Outlets: []string{"Reuters"}}
	reply := al
	reply.Item.Outlet, reply.Item.Title = "AFP", "Dozens killed in Boulkessi"
	bamako, _ := time.LoadLocation("Africa/Bamako")
	for _, tt := range []struct {
		name string
		m    bot.Message
		want []string
	}{
		{"alert", bot.Message{Kind: bot.KindAlert, Alerts: []bot.Alert{al}},
			[]string{"ALERT Jihadists attack [31mBoulkessi[0m camp", "Reuters · Mali · Mon 01 Jun 08:00 UTC", "https://www.reuters.com/x", "matched: country:mali attack"}},
		{"reply", bot.Message{Kind: bot.KindReply, Alerts: []bot.Alert{reply}, ThreadOf: "console-1"},
			[]string{"↳ also reported by AFP: Dozens killed in Boulkessi"}},
		{"summary", bot.Message{Kind: bot.KindSummary, Alerts: []bot.Alert{al, reply}},
			[]string{"2 more stories matched your subscriptions", "• Jihadists attack", "• Dozens killed in Boulkessi — Reuters"}},
		{"late digest", bot.Message{Kind: bot.KindDigest, Late: true, Scheduled: time.Date(2026, 6, 1, 7, 0, 0, 0, bamako),
			Digest: &briefing.Digest{Title: "Sahel brief"}}, []string{"Late: this digest was scheduled for Mon 01 Jun 07:00 GMT", "Sahel brief"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			d := &Deliverer{Out: &out}
			tt.m.Channel = Channel
			ref, err := d.Deliver(context.Background(), tt.m, false)
			if err != nil || ref != "console-1" {
				t.Fatalf("Deliver = %q, %v", ref, err)
			}
			got := out.String()
			if strings.Contains(got, "\x1b") {
				t.Errorf("escape sequence from feed text reached the terminal: %q", got)
			}
			for _, w := range tt.want {
				w = strings.ReplaceAll(w, "[31m", "[31m") // the ESC itself is stripped
				if !strings.Contains(got, strings.ReplaceAll(w, "\x1b", "")) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

func TestDelivererRejectsOtherChannelsAndNotesResends(t *testing.T) {
	var out bytes.Buffer
	d := &Deliverer{Out: &out}
	if _, err := d.Deliver(context.Background(), bot.Message{Channel: "slack:C1", Kind: bot.KindAlert}, false); !bot.IsPermanent(err) {
		t.Errorf("other channel: %v; want a permanent error", err)
	}
	al := bot.Alert{Item: briefing.Item{Title: "x", Outlet: "y"}}
	if _, err := d.Deliver(context.Background(), bot.Message{Channel: Channel, Kind: bot.KindAlert, Alerts: []bot.Alert{al}}, true); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "(sent again after an interrupted attempt") {
		t.Errorf("resumed delivery printed %q", out.String())
	}
}

func TestSyncWriterKeepsMessagesWhole(t *testing.T) {
	var buf bytes.Buffer
	w := &SyncWriter{W: &buf}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := &Deliverer{Out: w}
			al := bot.Alert{Item: briefing.Item{Title: strings.Repeat(string(rune('a'+i)), 50), Outlet: "o"}}
			d.Deliver(context.Background(), bot.Message{Channel: Channel, Kind: bot.KindAlert, Alerts: []bot.Alert{al}}, false)
		}()
	}
	wg.Wait()
	lines := strings.Split(buf.String(), "\n")
	for i := 0; i+1 < len(lines); i++ {
		if strings.HasPrefix(lines[i], "ALERT ") && !strings.HasPrefix(lines[i+1], "  o") {
			t.Fatalf("an alert was cut into by another:\n%s", buf.String())
		}
	}
}

func TestDelivererRedrawsThePromptWhenInteractive(t *testing.T) {
	var out bytes.Buffer
	d := &Deliverer{Out: &out, Prompt: "sahel> "}
	al := bot.Alert{Item: briefing.Item{Title: "Niamey rally", Outlet: "AFP"}, Queries: []string{"niamey"}}
	if _, err := d.Deliver(context.Background(), bot.Message{Channel: Channel, Kind: bot.KindAlert, Alerts: []bot.Alert{al}}, false); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.HasPrefix(got, "\nALERT Niamey rally") || !strings.HasSuffix(got, "matched: niamey\nsahel> ") {
		t.Errorf("interactive alert = %q", got)
	}
}
