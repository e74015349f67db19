package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/internal/slackfake"
	"github.com/sahelbrief/sahelbrief/store"
)

// TestCrashAnywhereLosesNothingAndPostsOnce kills the running bot with
// SIGKILL at each point where it commits something (items stored, alerts
// queued, a post attempted, accepted by Slack but not yet recorded,
// recorded), restarts it, and checks on a fake Slack and in the database:
// no committed item lost, every alert, thread reply and digest posted,
// none of them twice.
func TestCrashAnywhereLosesNothingAndPostsOnce(t *testing.T) {
	points := []string{"ingested", "alerts",
		"attempt:alert", "posted:alert", "sent:alert",
		"attempt:reply", "posted:reply", "sent:reply",
		"attempt:digest", "posted:digest", "sent:digest"}
	for _, point := range points {
		t.Run(strings.ReplaceAll(point, ":", "_"), func(t *testing.T) {
			t.Parallel()
			crashAndCheck(t, point)
		})
	}
}

const crashChannel = "C0CRASH1"

func crashAndCheck(t *testing.T, point string) {
	slack := slackfake.New()
	t.Cleanup(slack.Close)
	desk := newNewsDesk(t)
	desk.add("Reuters", boulkessi, "Dozens of soldiers were killed on Tuesday.")
	desk.add("AFP", "Dozens of soldiers killed as jihadists attack Boulkessi army camp in Mali", "The army confirmed the toll.")
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "sahelbrief.db")
	ctx := context.Background()
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddSubscription(ctx, briefing.Subscription{Channel: "slack:" + crashChannel, Query: "boulkessi"}, 0); err != nil {
		t.Fatal(err)
	}
	// An hourly digest set two hours ago: this hour's slot is owed at start.
	if err := st.SetDigestSchedule(ctx, briefing.DigestSchedule{Channel: "slack:" + crashChannel, Cron: "0 * * * *", TZ: "UTC",
		UpdatedAt: time.Now().Add(-2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	env := map[string]string{
		"SAHELBRIEF_CONFIG":        deskConfig(t, dir, desk, "", "Reuters", "AFP"),
		"SAHELBRIEF_DB":            dbPath,
		"SAHELBRIEF_POLL_INTERVAL": "1s",
		"SAHELBRIEF_HTTP_ADDR":     "127.0.0.1:0",
		"SLACK_BOT_TOKEN":          "xoxb-0000-crash-test",
		"SLACK_API_URL":            slack.URL(),
	}
	first := startChild(t, env, point)
	first.waitKilled(t, 60*time.Second)

	second := startChild(t, env, "")
	deadline := time.Now().Add(60 * time.Second)
	for !crashDone(t, dbPath, slack) {
		if time.Now().After(deadline) {
			t.Fatalf("after the restart the deliveries did not complete\nslack: %v\nstderr:\n%s", keysOf(slack.Messages()), second.stderr.String())
		}
		select {
		case err := <-second.done:
			t.Fatalf("the restarted bot stopped: %v\n%s", err, second.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	second.stop(t)

	msgs := slack.Messages()
	seen := map[string]int{}
	var alertTS string
	for _, m := range msgs {
		if m.Metadata == nil {
			t.Errorf("message without metadata: %+v", m)
			continue
		}
		k := fmt.Sprintf("%v#%v", m.Metadata.EventPayload["key"], m.Metadata.EventPayload["part"])
		seen[k]++
		if strings.HasPrefix(k, "alert:") {
			alertTS = m.TS
		}
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s posted %d times", k, n)
		}
	}
	for _, m := range msgs {
		if k, _ := m.Metadata.EventPayload["key"].(string); strings.HasPrefix(k, "reply:") && m.ThreadTS != alertTS {
			t.Errorf("reply %s in thread %q; want the alert's %q", k, m.ThreadTS, alertTS)
		}
	}
	if problems := slack.Problems(); len(problems) > 0 {
		t.Errorf("Slack API misuse: %v", problems)
	}
	st, err = store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	items, err := st.ItemsSince(ctx, time.Time{}, 0)
	if err != nil || len(items) != 2 {
		t.Errorf("items after the crash: %d, %v; want both", len(items), err)
	}
}

// crashDone reports whether the alert, its reply and the digest are all
// recorded sent and visible on Slack.
func crashDone(t *testing.T, dbPath string, slack *slackfake.Server) bool {
	st, err := store.Open(context.Background(), dbPath)
	if err != nil {
		return false
	}
	defer st.Close()
	ds, err := st.Deliveries(context.Background(), "slack:"+crashChannel)
	if err != nil {
		return false
	}
	kinds := map[string]bool{}
	for _, d := range ds {
		if d.Status != briefing.DeliverySent {
			return false
		}
		kinds[d.Kind] = true
	}
	if !kinds["alert"] || !kinds["reply"] || !kinds["digest"] {
		return false
	}
	posted := map[string]bool{}
	for _, k := range keysOf(slack.Messages()) {
		posted[strings.SplitN(k, ":", 2)[0]] = true
	}
	return posted["alert"] && posted["reply"] && posted["digest"]
}

func keysOf(msgs []slackfake.Message) []string {
	var out []string
	for _, m := range msgs {
		if m.Metadata != nil {
			out = append(out, fmt.Sprintf("%v#%v", m.Metadata.EventPayload["key"], m.Metadata.EventPayload["part"]))
		}
	}
	sort.Strings(out)
	return out
}
