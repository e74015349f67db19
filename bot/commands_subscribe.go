package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
)

// The subscription commands: `subscribe` (with its backfill),
// `unsubscribe` and `subscriptions`.

func cmdSubscribe(ctx context.Context, b *Bot, r Request, args string) Response {
	args, backfill, ok := cutValueFlag(args, "--backfill")
	var since time.Duration
	if ok {
		d, err := parseSince(backfill)
		if err != nil || backfill == "" {
			if backfill == "" {
				err = errors.New("--backfill needs a window, like 24h or 3d")
			}
			return b.usage("subscribe", err.Error()+".")
		}
		since = d
	}
	q, errResp := b.parseQuery("subscribe", args)
	if q == nil {
		return errResp
	}
	sub, err := b.Store.AddSubscription(ctx, briefing.Subscription{Channel: r.Channel, Query: q.String(), CreatedBy: r.User, CreatedAt: b.Now()},
		b.Limits.MaxSubscriptions)
	switch {
	case errors.Is(err, briefing.ErrLimit):
		return fail("This channel already has %d subscriptions, the limit. Remove one with `/sahel unsubscribe <id>`.", b.Limits.MaxSubscriptions)
	case errors.Is(err, briefing.ErrDuplicate):
		return Response{Text: fmt.Sprintf("This channel is already subscribed to `%s` (#%d).", sub.Query, sub.ID)}
	case err != nil:
		return b.internal(r, "subscribe", err)
	}
	msg := fmt.Sprintf("Subscribed (#%d): new stories matching `%s` will be posted here.", sub.ID, sub.Query)
	if since > 0 {
		msg += " " + b.backfill(ctx, r, sub, since)
	}
	if b.Changed != nil {
		b.Changed()
	}
	return Response{Text: msg}
}

// backfill queues alerts for the stored news of the last `since` that the
// new subscription matches, and says what it did.
func (b *Bot) backfill(ctx context.Context, r Request, sub briefing.Subscription, since time.Duration) string {
	if b.Alerter == nil {
		return "(Backfill works while the bot runs: `sahelbrief run`.)"
	}
	items, err := b.Store.ItemsSince(ctx, b.Now().Add(-since), 0)
	if err != nil {
		b.Log.Error("backfill", "channel", r.Channel, "error", err)
		return "(Backfill failed; the error was logged.)"
	}
	// Items stored after the subscription reach it the usual way.
	old := items[:0]
	for _, it := range items {
		if it.ID <= sub.AfterItem {
			old = append(old, it)
		}
	}
	n, err := b.Alerter.Backfill(ctx, sub, old)
	if err != nil {
		b.Log.Error("backfill", "channel", r.Channel, "error", err)
		return "(Backfill failed; the error was logged.)"
	}
	if n == 0 {
		return fmt.Sprintf("Nothing in the last %s matches it yet.", briefing.FormatWindow(since))
	}
	return fmt.Sprintf("Posting %d %s from the last %s, the most important first.", n, pluralWord(n, "story", "stories"),
		briefing.FormatWindow(since))
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func cmdUnsubscribe(ctx context.Context, b *Bot, r Request, args string) Response {
	arg := strings.TrimPrefix(strings.TrimSpace(args), "#")
	id, err := strconv.ParseInt(arg, 10, 64)
	if errors.Is(err, strconv.ErrRange) && strings.Trim(arg, "0123456789") == "" {
		// A number too large for any id is a number still: no such subscription.
		return fail("This channel has no subscription #%s. See `/sahel subscriptions`.", clip(arg, 30))
	}
	if err != nil || id <= 0 {
		return b.usage("unsubscribe", "Give the number of the subscription to remove (see `/sahel subscriptions`).")
	}
	switch err := b.Store.RemoveSubscription(ctx, r.Channel, id); {
	case errors.Is(err, briefing.ErrNotFound):
		return fail("This channel has no subscription #%d. See `/sahel subscriptions`.", id)
	case err != nil:
		return b.internal(r, "unsubscribe", err)
	}
	if b.Changed != nil {
		b.Changed()
	}
	return Response{Text: fmt.Sprintf("Subscription #%d removed.", id)}
}

func cmdSubscriptions(ctx context.Context, b *Bot, r Request, args string) Response {
	subs, err := b.Store.Subscriptions(ctx, r.Channel)
	if err != nil {
		return b.internal(r, "subscriptions", err)
	}
	if len(subs) == 0 {
		return Response{Text: "This channel has no subscriptions. Add one with `/sahel subscribe <query>`."}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "Subscriptions of this channel (%d of %d):\n", len(subs), b.Limits.MaxSubscriptions)
	for _, s := range subs {
		fmt.Fprintf(&sb, "#%d %s\n", s.ID, s.Query)
	}
	return Response{Text: strings.TrimRight(sb.String(), "\n")}
}
