package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/internal/cronspec"
)

// The `digest` command: show, set or turn off a channel's scheduled
// digest.

func cmdDigest(ctx context.Context, b *Bot, r Request, args string) Response {
	fields := strings.Fields(args)
	switch {
	case len(fields) == 0:
		return b.usage("digest", "Give a schedule, `show` or `off`.")
	case len(fields) == 1 && strings.EqualFold(fields[0], "show"):
		d, err := b.Store.DigestSchedule(ctx, r.Channel)
		if errors.Is(err, briefing.ErrNotFound) {
			return Response{Text: "This channel has no scheduled digest. Set one with `/sahel digest 0 7 * * * Africa/Bamako`."}
		}
		if err != nil {
			return b.internal(r, "digest show", err)
		}
		msg := fmt.Sprintf("This channel's digest runs at `%s` (%s)", d.Cron, d.TZ)
		if d.Country != "" || d.Actor != "" {
			msg += ", about " + strings.Trim(b.Gazetteer.Name(d.Country)+", "+b.Gazetteer.Name(d.Actor), ", ")
		}
		if sched, loc, err := ParseSchedule(d.Cron, d.TZ); err == nil {
			msg += "; next at " + sched.Next(b.Now()).In(loc).Format("Mon 2 Jan 15:04 MST")
		}
		if d.Origin == briefing.OriginConfig {
			msg += " (set in the config file)"
		}
		return Response{Text: msg + "."}
	}
	if !r.CanManage {
		return fail("Sorry, only people who manage this channel can change its digest.")
	}
	if cur, err := b.Store.DigestSchedule(ctx, r.Channel); err == nil && cur.Origin == briefing.OriginConfig {
		return fail("This channel's digest (`%s`, %s) is set in the config file (`digests:`); change it there.", cur.Cron, cur.TZ)
	}
	if len(fields) == 1 && strings.EqualFold(fields[0], "off") {
		switch err := b.Store.DeleteDigestSchedule(ctx, r.Channel); {
		case errors.Is(err, briefing.ErrNotFound):
			return Response{Text: "This channel had no scheduled digest."}
		case err != nil:
			return b.internal(r, "digest off", err)
		}
		if b.Changed != nil {
			b.Changed()
		}
		return Response{Text: "Scheduled digest turned off for this channel."}
	}
	n := 5
	if strings.HasPrefix(fields[0], "@") {
		n = 1
	}
	if len(fields) < n || len(fields) > n+1 {
		return b.usage("digest", "A schedule is five cron fields (minute hour day month weekday) and an optional time zone.")
	}
	spec := strings.Join(fields[:n], " ")
	tz := "UTC"
	if len(fields) == n+1 {
		tz = fields[n]
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return b.usage("digest", fmt.Sprintf("%q is not a time zone I know: use an IANA name such as Africa/Bamako or Africa/Niamey.", clip(tz, 40)))
	}
	sched, err := cronspec.Parse(spec)
	if err != nil {
		return b.usage("digest", fmt.Sprintf("%q is not a valid schedule: %v.", clip(spec, 60), err))
	}
	if err := b.Store.SetDigestSchedule(ctx, briefing.DigestSchedule{Channel: r.Channel, Cron: spec, TZ: tz, UpdatedBy: r.User, UpdatedAt: b.Now()}); err != nil {
		return b.internal(r, "digest", err)
	}
	if b.Changed != nil {
		b.Changed()
	}
	return Response{Text: fmt.Sprintf("Scheduled: this channel gets its digest at `%s` (%s).", spec, tz) + frequentWarning(sched, b.Now())}
}

// frequentWarning warns when a schedule posts more than hourly (`* * * *
// *` is a digest every minute): allowed, but rarely meant.
func frequentWarning(s cron.Schedule, now time.Time) string {
	next := s.Next(now)
	if gap := s.Next(next).Sub(next); gap > 0 && gap < time.Hour {
		return fmt.Sprintf(" Note: that is a digest every %s (%d a day); a daily one is `0 7 * * *`.",
			briefing.FormatWindow(gap), int(24*time.Hour/gap))
	}
	return ""
}
