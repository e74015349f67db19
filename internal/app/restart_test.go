package app

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/store"
)

// TestRunDeliversAnInterruptedDigestOnce restarts the bot between a
// digest's scheduled time and its delivery: killed (SIGKILL) just after it
// recorded the attempt, the next run posts it, once.
func TestRunDeliversAnInterruptedDigestOnce(t *testing.T) {
	desk := newNewsDesk(t)
	desk.add("desk", boulkessi, "Dozens of soldiers were killed on Tuesday.")
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "sahelbrief.db")
	// The console asked two hours ago for an hourly digest: the slot ten
	// minutes ago is owed (caught up on start, late, so it covers the news
	// up to now; a slot under two minutes old would end before the poll).
	st, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	minute := (time.Now().UTC().Minute() + 50) % 60
	if err := st.SetDigestSchedule(context.Background(), briefing.DigestSchedule{Channel: "console",
		Cron: fmt.Sprintf("%d * * * *", minute), TZ: "UTC", UpdatedAt: time.Now().Add(-2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	env := map[string]string{
		"SAHELBRIEF_CONFIG":        deskConfig(t, dir, desk, "", "desk"),
		"SAHELBRIEF_DB":            dbPath,
		"SAHELBRIEF_POLL_INTERVAL": "1s",
		"SAHELBRIEF_HTTP_ADDR":     "127.0.0.1:0",
		"SAHELBRIEF_LEASE_TTL":     childLeaseTTL,
	}
	first := startChild(t, env, "attempt:digest")
	first.waitKilled(t, 60*time.Second)
	waitLeaseFree(t, dbPath)
	if strings.Contains(first.all.String(), "Sahel brief") {
		t.Fatalf("the killed run printed the digest:\n%s", first.all.String())
	}
	second := startChild(t, env, "")
	waitLine(t, second.stdout, "Sahel brief", 60*time.Second)
	second.stop(t)
	out := second.all.String()
	if n := strings.Count(out, "Sahel brief"); n != 1 {
		t.Errorf("the digest was printed %d times:\n%s", n, out)
	}
	if !strings.Contains(out, "(sent again after an interrupted attempt") {
		t.Errorf("the resumed digest does not say it may repeat:\n%s", out)
	}
	if !strings.Contains(out, "Boulkessi") {
		t.Errorf("the digest lacks the stored story:\n%s", out)
	}
	st, err = store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ds, err := st.Deliveries(context.Background(), "console")
	if err != nil || len(ds) != 1 || ds[0].Status != briefing.DeliverySent || ds[0].Attempts != 2 {
		t.Fatalf("deliveries = %+v, %v; want one digest, sent on its second attempt", ds, err)
	}
}
