package app

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

// crashPoints are where the crash tests kill the bot: items stored,
// alerts queued, and for an alert, its thread reply and a digest: the
// attempt counted, the post accepted by the platform but not recorded,
// the post recorded.
var crashPoints = []string{"ingested", "alerts",
	"attempt:alert", "posted:alert", "sent:alert",
	"attempt:reply", "posted:reply", "sent:reply",
	"attempt:digest", "posted:digest", "sent:digest"}

// crashRestart is one crash test run against one platform: it seeds the
// store with a subscription of channel and an hourly digest owed at
// start, kills the bot (with the platform's env) at point, restarts it,
// waits until the alert, its reply and the digest are recorded sent and
// posted(deliveries) sees them on the platform, stops the bot, and checks
// that both items were stored. It returns the deliveries for the
// platform's own checks; describe shows the platform's state on failure.
func crashRestart(t *testing.T, channel, point string, platformEnv map[string]string,
	posted func([]briefing.Delivery) bool, describe func() string) []briefing.Delivery {
	t.Helper()
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
	if _, err := st.AddSubscription(ctx, briefing.Subscription{Channel: channel, Query: "boulkessi"}, 0); err != nil {
		t.Fatal(err)
	}
	// An hourly digest set two hours ago: this hour's slot is owed at start.
	if err := st.SetDigestSchedule(ctx, briefing.DigestSchedule{Channel: channel, Cron: "0 * * * *", TZ: "UTC",
		UpdatedAt: time.Now().Add(-2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	env := map[string]string{
		"SAHELBRIEF_CONFIG":        deskConfig(t, dir, desk, "", "Reuters", "AFP"),
		"SAHELBRIEF_DB":            dbPath,
		"SAHELBRIEF_POLL_INTERVAL": "1s",
		"SAHELBRIEF_HTTP_ADDR":     "127.0.0.1:0",
		"SAHELBRIEF_LEASE_TTL":     childLeaseTTL,
	}
	for k, v := range platformEnv {
		env[k] = v
	}
	first := startChild(t, env, point)
	first.waitKilled(t, 60*time.Second)
	waitLeaseFree(t, dbPath)

	second := startChild(t, env, "")
	deadline := time.Now().Add(60 * time.Second)
	for {
		ds, sent := deliveriesSent(dbPath, channel)
		if sent && posted(ds) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart the deliveries did not complete\nplatform: %s\nstderr:\n%s", describe(), second.stderr.String())
		}
		select {
		case err := <-second.done:
			t.Fatalf("the restarted bot stopped: %v\n%s", err, second.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	second.stop(t)

	st, err = store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	items, err := st.ItemsSince(ctx, time.Time{}, 0)
	if err != nil || len(items) != 2 {
		t.Errorf("items after the crash: %d, %v; want both", len(items), err)
	}
	ds, err := st.Deliveries(ctx, channel)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// deliveriesSent reads channel's deliveries and reports whether there are
// an alert, a reply and a digest, all recorded sent.
func deliveriesSent(dbPath, channel string) ([]briefing.Delivery, bool) {
	st, err := store.Open(context.Background(), dbPath)
	if err != nil {
		return nil, false
	}
	defer st.Close()
	ds, err := st.Deliveries(context.Background(), channel)
	if err != nil {
		return nil, false
	}
	kinds := map[string]bool{}
	for _, d := range ds {
		if d.Status != briefing.DeliverySent {
			return ds, false
		}
		kinds[d.Kind] = true
	}
	return ds, kinds["alert"] && kinds["reply"] && kinds["digest"]
}

// TestCrashAnywhereLosesNothingAndPostsOnce kills the running bot with
// SIGKILL at each crash point, restarts it, and checks on a fake Slack and
// in the database: no committed item lost, every alert, thread reply and
// digest posted, none of them twice.
func TestCrashAnywhereLosesNothingAndPostsOnce(t *testing.T) {
	for _, point := range crashPoints {
		t.Run(strings.ReplaceAll(point, ":", "_"), func(t *testing.T) {
			t.Parallel()
			slackCrashAndCheck(t, point)
		})
	}
}

const crashChannel = "C0CRASH1"

func slackCrashAndCheck(t *testing.T, point string) {
	slack := slackfake.New()
	t.Cleanup(slack.Close)
	posted := func([]briefing.Delivery) bool {
		kinds := map[string]bool{}
		for _, k := range keysOf(slack.Messages()) {
			kinds[strings.SplitN(k, ":", 2)[0]] = true
		}
		return kinds["alert"] && kinds["reply"] && kinds["digest"]
	}
	crashRestart(t, "slack:"+crashChannel, point,
		map[string]string{"SLACK_BOT_TOKEN": "xoxb-0000-crash-test", "SLACK_API_URL": slack.URL()},
		posted, func() string { return fmt.Sprint(keysOf(slack.Messages())) })

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
		if m.Metadata == nil {
			continue
		}
		if k, _ := m.Metadata.EventPayload["key"].(string); strings.HasPrefix(k, "reply:") && m.ThreadTS != alertTS {
			t.Errorf("reply %s in thread %q; want the alert's %q", k, m.ThreadTS, alertTS)
		}
	}
	if problems := slack.Problems(); len(problems) > 0 {
		t.Errorf("Slack API misuse: %v", problems)
	}
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
