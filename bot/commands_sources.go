package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// The `sources` command: the health of the news sources.

func cmdSources(ctx context.Context, b *Bot, r Request, args string) Response {
	states, err := b.Store.SourceStates(ctx)
	if err != nil {
		return b.internal(r, "sources", err)
	}
	now := b.Now()
	var ok, failing, silent, fresh []string
	for _, s := range b.Sources {
		st := states[s.Name]
		switch st.Health(now) {
		case briefing.HealthNew:
			fresh = append(fresh, s.Name)
		case briefing.HealthFailing:
			failing = append(failing, fmt.Sprintf("%s (%s: %s) — %s", s.Name, Plural(st.ConsecutiveFailures, "failure", "failures"), clip(st.LastError, 120),
				briefing.NextCheckText(st, now)))
		case briefing.HealthSilent:
			silent = append(silent, fmt.Sprintf("%s (nothing new since %s) — %s", s.Name, Day(st.SilentSince(now), now),
				briefing.NextCheckText(st, now)))
		default:
			ok = append(ok, s.Name)
		}
	}
	var sb strings.Builder
	if sp, ok := b.Store.(StorageProber); ok {
		if p := sp.StorageProblem(); p != "" {
			sb.WriteString("⚠ " + briefing.StorageLine(p) + "\n")
		}
	}
	fmt.Fprintf(&sb, "%d sources: %d healthy, %d failing, %d silent, %d not polled yet.", len(b.Sources), len(ok), len(failing), len(silent), len(fresh))
	for _, group := range []struct {
		title string
		list  []string
	}{{"Failing", failing}, {"Silent", silent}, {"Not polled yet", fresh}} {
		if len(group.list) > 0 {
			fmt.Fprintf(&sb, "\n%s:\n• %s", group.title, strings.Join(group.list, "\n• "))
		}
	}
	return Response{Text: sb.String()}
}
