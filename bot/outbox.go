package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/internal/backoff"
	"github.com/sahelbrief/sahelbrief/internal/defaults"
)

// DeliveryStore is what the dispatcher needs of persistence.
type DeliveryStore interface {
	DueDeliveries(ctx context.Context, prefix, owner string, now time.Time, limit int) ([]briefing.Delivery, error)
	NextDue(ctx context.Context, prefix, owner string) (time.Time, bool, error)
	// ClaimDelivery claims a pending delivery for owner and counts the
	// attempt, only when no other owner's claim on it is live; it fails
	// with briefing.ErrClaimed or briefing.ErrNotFound otherwise.
	ClaimDelivery(ctx context.Context, id int64, owner string, now time.Time, ttl time.Duration) (int, error)
	MarkSent(ctx context.Context, id int64, ref string, at time.Time) error
	MarkRetry(ctx context.Context, id int64, next time.Time, lastError string) error
	MarkFailed(ctx context.Context, id int64, lastError string) error
	Postpone(ctx context.Context, ids []int64, at time.Time) error
	RollUp(ctx context.Context, summary briefing.Delivery, ids []int64) (int64, error)
	SentSince(ctx context.Context, channel string, since time.Time) (int, time.Time, error)
}

// Dispatcher defaults.
const (
	DefaultAlertsPerMinute = defaults.AlertsPerMinute
	// sendTimeout bounds one delivery; it is not cut short by shutdown,
	// so a post in flight finishes.
	sendTimeout = 60 * time.Second
	dueBatch    = 50
	// idleCheck is how often a worker looks at the outbox with nothing
	// due (another process may have queued something).
	idleCheck = 30 * time.Second
	// summaryMax bounds the alerts one summary lists.
	summaryMax = 50
	// defaultClaimTTL is how long a claim lasts when nothing renews it:
	// longer than one attempt (its send and its record) can take.
	defaultClaimTTL = 2 * sendTimeout
)

// Dispatcher sends pending deliveries: one worker per platform, so an
// outage of one never holds up another. Each delivery is claimed in the
// store before it is attempted (a conditional update that only one
// claimer wins) and the attempt counted with the claim, so two
// dispatchers never attempt one delivery and after a crash the next
// attempt tells the platform to look for what may already be posted
// (Deliver's resume).
// Failures are retried with backoff, never dropped; only errors marked
// Permanent give up. Alerts are rate limited per channel: at most
// AlertsPerMinute top-level messages a minute, the excess rolled into one
// summary.
type Dispatcher struct {
	Store DeliveryStore
	// Platforms maps a channel prefix ("slack:", "discord:", "console")
	// to the deliverer of its channels.
	Platforms map[string]Deliverer
	// Digest builds a scheduled digest: the Bot's ScheduledDigest.
	Digest func(ctx context.Context, from, until time.Time, f briefing.Filter) (*briefing.Digest, error)
	// AlertsPerMinute is each channel's alert budget (default 5).
	AlertsPerMinute int
	// Owner names this dispatcher in its claims (the process's lease
	// owner); empty, a random one is made. ClaimTTL is how long a claim
	// lasts unless renewed (default two send timeouts); the app's lease
	// heartbeat renews its owner's claims, so it may be short.
	Owner    string
	ClaimTTL time.Duration
	Observer Observer
	Log      *slog.Logger
	// Trace, when set, is told of each step of an attempt: "attempt"
	// (claimed and counted, about to post), "posted" (the platform accepted it, not
	// yet recorded) and "sent" (recorded). The crash tests kill the
	// process at these points.
	Trace func(step string, d briefing.Delivery)

	once sync.Once
	wake map[string]chan struct{}
}

func (p *Dispatcher) init() {
	p.once.Do(func() {
		p.wake = map[string]chan struct{}{}
		if p.Owner == "" {
			p.Owner = NewOwner()
		}
		if p.ClaimTTL <= 0 {
			p.ClaimTTL = defaultClaimTTL
		}
		for prefix := range p.Platforms {
			p.wake[prefix] = make(chan struct{}, 1)
		}
	})
}

func (p *Dispatcher) log() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Wake tells every worker to look at the outbox now.
func (p *Dispatcher) Wake() {
	p.init()
	for _, ch := range p.wake {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Run sends deliveries until ctx ends, then returns once the deliveries
// in flight are done.
func (p *Dispatcher) Run(ctx context.Context) error {
	p.init()
	var wg sync.WaitGroup
	for prefix, d := range p.Platforms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.worker(ctx, prefix, d)
		}()
	}
	wg.Wait()
	return nil
}

func (p *Dispatcher) worker(ctx context.Context, prefix string, d Deliverer) {
	for ctx.Err() == nil {
		wait, err := p.Drain(ctx, prefix, d)
		if err != nil && ctx.Err() == nil { // cut short by shutdown: no error
			p.log().Error("outbox", "platform", platformOf(prefix), "error", err)
			wait = backoff.Platform.First
		}
		select {
		case <-ctx.Done():
			return
		case <-p.wake[prefix]:
		case <-time.After(wait):
		}
	}
}

// Drain sends what is due for the channels of prefix and returns how long
// to wait before looking again.
func (p *Dispatcher) Drain(ctx context.Context, prefix string, d Deliverer) (time.Duration, error) {
	p.init()
	for ctx.Err() == nil {
		now := time.Now()
		due, err := p.Store.DueDeliveries(ctx, prefix, p.Owner, now, dueBatch)
		if err != nil {
			return 0, err
		}
		if len(due) == 0 {
			break
		}
		progressed, err := p.sendBatch(ctx, d, due)
		if err != nil {
			return 0, err
		}
		if !progressed {
			break
		}
	}
	next, ok, err := p.Store.NextDue(ctx, prefix, p.Owner)
	if err != nil || !ok {
		return idleCheck, err
	}
	return min(max(next.Sub(time.Now()), 0), idleCheck), nil
}

// sendBatch works through due deliveries in order. It reports whether it
// changed anything (sent, failed, postponed or rolled up), so Drain knows
// whether to look again at once.
func (p *Dispatcher) sendBatch(ctx context.Context, d Deliverer, due []briefing.Delivery) (bool, error) {
	// Alerts are rate limited per channel; the budget is settled for the
	// whole batch first, so an excess is rolled up in one summary.
	alerts := map[string][]briefing.Delivery{}
	replies := map[string][]briefing.Delivery{}
	for _, del := range due {
		switch del.Kind {
		case string(KindAlert):
			alerts[del.Channel] = append(alerts[del.Channel], del)
		case string(KindReply):
			replies[del.Channel] = append(replies[del.Channel], del)
		}
	}
	skip := map[int64]bool{}
	progressed := false
	for ch, list := range alerts {
		held, changed, err := p.ration(ctx, ch, list, replies[ch])
		if err != nil {
			return progressed, err
		}
		progressed = progressed || changed
		for _, id := range held {
			skip[id] = true
		}
	}
	sent := map[int64]string{} // refs of what this batch sent, for replies to it
	for _, del := range due {
		if ctx.Err() != nil {
			return progressed, nil
		}
		if skip[del.ID] {
			continue
		}
		if del.Kind == string(KindReply) && del.ThreadRef == "" {
			del.ThreadRef = sent[del.ParentID]
		}
		if del.Kind == string(KindReply) && del.ThreadRef == "" {
			// Its alert (or the summary that carried it) is not out yet.
			switch del.ParentStatus {
			case briefing.DeliveryFailed:
				if err := p.Store.MarkFailed(ctx, del.ID, "its alert could not be delivered"); err != nil {
					return progressed, err
				}
			default:
				if err := p.Store.Postpone(ctx, []int64{del.ID}, time.Now().Add(backoff.Platform.First)); err != nil {
					return progressed, err
				}
			}
			progressed = true
			continue
		}
		ref, err := p.attempt(ctx, d, del)
		if err != nil {
			return progressed, err
		}
		if ref != "" {
			sent[del.ID] = ref
		}
		progressed = true
	}
	return progressed, nil
}

// ration applies channel's alert budget to its due alerts: it returns the
// ids to hold back this round. Within budget all go; over it, all but one
// of the budget go and the rest are rolled into one summary (queued, so
// it goes next round), with the due replies to them folded in (their
// outlets join their alert's line); with no budget left they wait for the
// minute to free up.
func (p *Dispatcher) ration(ctx context.Context, channel string, list, replies []briefing.Delivery) ([]int64, bool, error) {
	perMinute := p.AlertsPerMinute
	if perMinute <= 0 {
		perMinute = DefaultAlertsPerMinute
	}
	now := time.Now()
	used, oldest, err := p.Store.SentSince(ctx, channel, now.Add(-time.Minute))
	if err != nil {
		return nil, false, err
	}
	budget := perMinute - used
	ids := func(ds []briefing.Delivery) []int64 {
		out := make([]int64, len(ds))
		for i, d := range ds {
			out[i] = d.ID
		}
		return out
	}
	switch {
	case budget <= 0:
		at := oldest.Add(time.Minute)
		if !at.After(now) {
			at = now.Add(time.Second)
		}
		if p.Observer != nil {
			p.Observer.RateLimited("channel_limit", at.Sub(now))
		}
		p.log().Info("channel alert limit reached; alerts wait", "channel", channel, "waiting", len(list), "until", at)
		return ids(list), true, p.Store.Postpone(ctx, ids(list), at)
	case len(list) <= budget:
		return nil, false, nil
	}
	rest := list[budget-1:]
	if len(rest) > summaryMax {
		rest = rest[:summaryMax] // the others roll into the next summary
	}
	var als []Alert
	at := map[int64]int{} // alert delivery id → its line in als
	for _, d := range rest {
		var al Alert
		if err := json.Unmarshal(d.Payload, &al); err == nil {
			at[d.ID] = len(als)
			als = append(als, al)
		}
	}
	rolled := ids(rest)
	for _, r := range replies {
		var al Alert
		if k, ok := at[r.ParentID]; ok && json.Unmarshal(r.Payload, &al) == nil {
			if len(al.Outlets) > len(als[k].Outlets) { // a reply lists the story's outlets so far
				als[k].Outlets = al.Outlets
			}
			rolled = append(rolled, r.ID)
		}
	}
	payload, _ := json.Marshal(als)
	sum := briefing.Delivery{Key: fmt.Sprintf("summary:%s:%d", channel, rest[0].ID), Channel: channel, Kind: string(KindSummary),
		Payload: payload, NextAttempt: now}
	if _, err := p.Store.RollUp(ctx, sum, rolled); err != nil {
		return nil, false, err
	}
	p.log().Info("alerts over the channel limit rolled into a summary", "channel", channel, "alerts", len(rest),
		"replies", len(rolled)-len(rest))
	return rolled, true, nil
}

// attempt claims del, makes one attempt at it and records the outcome; it
// returns the platform reference when del was sent. A delivery it cannot
// claim is left alone.
func (p *Dispatcher) attempt(ctx context.Context, d Deliverer, del briefing.Delivery) (string, error) {
	before, err := p.Store.ClaimDelivery(ctx, del.ID, p.Owner, time.Now(), p.ClaimTTL)
	if errors.Is(err, briefing.ErrNotFound) || errors.Is(err, briefing.ErrClaimed) {
		// No longer pending (sent meanwhile), or being attempted by
		// another process: not ours to send.
		p.log().Info("delivery not claimed; left to its holder", "channel", del.Channel, "key", del.Key, "reason", err.Error())
		return "", nil
	}
	if err != nil {
		return "", err
	}
	// A post in flight finishes even when shutdown starts.
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
	defer cancel()
	p.trace("attempt", del)
	msg, err := p.message(sendCtx, del)
	var ref string
	if err == nil {
		ref, err = d.Deliver(sendCtx, msg, before > 0)
	}
	if err == nil {
		p.trace("posted", del)
	}
	platform := platformOf(del.Channel)
	if p.Observer != nil {
		p.Observer.Delivered(platform, Kind(del.Kind), err)
	}
	// Record the outcome even when shutting down.
	rec := context.WithoutCancel(ctx)
	now := time.Now()
	switch {
	case err == nil:
		if err := p.Store.MarkSent(rec, del.ID, ref, now); err != nil {
			return "", err
		}
		p.log().Info("delivered", "channel", del.Channel, "kind", del.Kind, "key", del.Key, "attempt", before+1)
		p.trace("sent", del)
		return ref, nil
	case IsPermanent(err):
		p.log().Error("delivery failed for good", "channel", del.Channel, "kind", del.Kind, "key", del.Key, "error", err)
		return "", p.Store.MarkFailed(rec, del.ID, err.Error())
	}
	wait := backoff.Platform.Wait(before)
	if ra := RetryAfter(err); ra > wait {
		wait = ra
		if p.Observer != nil {
			p.Observer.RateLimited(platform, ra)
		}
	}
	p.log().Warn("delivery failed; will retry", "channel", del.Channel, "kind", del.Kind, "key", del.Key,
		"attempt", before+1, "retry_in", wait.String(), "error", err)
	return "", p.Store.MarkRetry(rec, del.ID, now.Add(wait), err.Error())
}

func (p *Dispatcher) trace(step string, d briefing.Delivery) {
	if p.Trace != nil {
		p.Trace(step, d)
	}
}

// message builds the platform-neutral message of a delivery.
func (p *Dispatcher) message(ctx context.Context, del briefing.Delivery) (Message, error) {
	m := Message{Key: del.Key, Channel: del.Channel, Kind: Kind(del.Kind), ThreadOf: del.ThreadRef}
	switch m.Kind {
	case KindDigest:
		var pl digestPayload
		if len(del.Payload) > 0 {
			if err := json.Unmarshal(del.Payload, &pl); err != nil {
				return m, Permanent(fmt.Errorf("bot: digest %s: payload: %w", del.Key, err))
			}
		}
		loc, err := time.LoadLocation(pl.TZ)
		if err != nil {
			loc = time.UTC
		}
		dg, err := p.Digest(ctx, del.Since, del.Until, briefing.Filter{Country: pl.Country, Actor: pl.Actor})
		if err != nil {
			return m, fmt.Errorf("bot: digest %s: %w", del.Key, err)
		}
		m.Digest = dg
		m.Scheduled = del.Scheduled.In(loc)
		m.Late = time.Now().Sub(del.Scheduled) > lateAfter
	case KindAlert, KindReply:
		var al Alert
		if err := json.Unmarshal(del.Payload, &al); err != nil {
			return m, Permanent(fmt.Errorf("bot: %s %s: payload: %w", del.Kind, del.Key, err))
		}
		m.Alerts = []Alert{al}
	case KindSummary:
		if err := json.Unmarshal(del.Payload, &m.Alerts); err != nil {
			return m, Permanent(fmt.Errorf("bot: summary %s: payload: %w", del.Key, err))
		}
	default:
		return m, Permanent(fmt.Errorf("bot: delivery %s: unknown kind %q", del.Key, del.Kind))
	}
	return m, nil
}

// platformOf names a channel's platform: "slack", "discord", "console".
func platformOf(channel string) string {
	name, _, _ := strings.Cut(channel, ":")
	return name
}
