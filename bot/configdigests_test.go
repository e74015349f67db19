package bot

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// digestBook is a ConfigDigestStore in memory that counts its writes.
type digestBook struct {
	m      map[string]briefing.DigestSchedule
	writes []string
}

func (b *digestBook) DigestSchedules(context.Context) ([]briefing.DigestSchedule, error) {
	var out []briefing.DigestSchedule
	for _, d := range b.m {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Channel < out[j].Channel })
	return out, nil
}

func (b *digestBook) SetDigestSchedule(_ context.Context, d briefing.DigestSchedule) error {
	b.writes = append(b.writes, "set "+d.Channel+" by "+d.UpdatedBy)
	b.m[d.Channel] = d
	return nil
}

func (b *digestBook) DeleteDigestSchedule(_ context.Context, channel string) error {
	b.writes = append(b.writes, "delete "+channel)
	delete(b.m, channel)
	return nil
}

func TestSyncConfigDigestsWritesOnlyWhatChanged(t *testing.T) {
	cfgd := func(ch, cron string) briefing.DigestSchedule {
		return briefing.DigestSchedule{Channel: ch, Cron: cron, TZ: "UTC", Origin: briefing.OriginConfig}
	}
	book := &digestBook{m: map[string]briefing.DigestSchedule{
		"slack:keep": cfgd("slack:keep", "0 7 * * *"),
		"slack:edit": cfgd("slack:edit", "0 7 * * *"),
		"slack:gone": cfgd("slack:gone", "0 7 * * *"),
		"slack:chat": {Channel: "slack:chat", Cron: "0 9 * * *", TZ: "UTC", UpdatedBy: "U1"},
		"slack:took": {Channel: "slack:took", Cron: "0 9 * * *", TZ: "UTC", UpdatedBy: "U1"},
	}}
	want := []briefing.DigestSchedule{cfgd("slack:keep", "0 7 * * *"), cfgd("slack:edit", "0 8 * * *"),
		cfgd("slack:took", "0 7 * * *"), cfgd("slack:new", "0 6 * * 1")}
	if err := SyncConfigDigests(context.Background(), book, want); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(book.writes); got != "[set slack:edit by config set slack:took by config set slack:new by config delete slack:gone]" {
		t.Errorf("writes %s", got)
	}
	if _, ok := book.m["slack:chat"]; !ok {
		t.Error("a schedule set in chat was removed")
	}
	book.writes = nil
	if err := SyncConfigDigests(context.Background(), book, want); err != nil || len(book.writes) != 0 {
		t.Errorf("second sync: %v, writes %v", err, book.writes)
	}
}
