package bot

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/digest"
	"github.com/sahelbrief/sahelbrief/briefing/query"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

// AlertStore is what alert matching needs of persistence.
type AlertStore interface {
	AlertCursor(ctx context.Context) (int64, error)
	ItemsAfter(ctx context.Context, id int64, limit int) ([]briefing.Item, error)
	AllSubscriptions(ctx context.Context) ([]briefing.Subscription, error)
	RecentAlerts(ctx context.Context, channel string, since time.Time) ([]briefing.Delivery, error)
	// StoriesOf returns the current story of items (stories merge as
	// reports link them).
	StoriesOf(ctx context.Context, itemIDs []int64) (map[int64]int64, error)
	// EnqueueAlerts records deliveries and moves the cursor in one
	// transaction.
	EnqueueAlerts(ctx context.Context, cursor int64, ds []briefing.Delivery) (int, error)
}

// Alerter defaults.
const (
	// DefaultStoryWindow is how long an alerted story stays open for
	// replies: later reports within it go to the alert's thread.
	DefaultStoryWindow = 48 * time.Hour
	alertBatch         = 500
	// maxAlertAge: an item published this long before it was stored is
	// old news (a new source's backlog, a feed republishing its archive):
	// it goes to digests and search, not to alerts.
	maxAlertAge = 48 * time.Hour
)

// Alerter matches newly stored items against every channel's
// subscriptions, once each: it reads items past a cursor and moves the
// cursor in the transaction that queues the alerts they produced. One
// story alerts a channel once; later reports of it (in the alerted item's
// stored story, which follows merges) are queued as replies in the alert's
// thread, one per new outlet.
type Alerter struct {
	Store       AlertStore
	Gazetteer   *tagger.Gazetteer
	StoryWindow time.Duration
	// Deliverable, when set, says whether a channel's platform is
	// configured; subscriptions of other channels are left alone (their
	// alerts would wait forever, then flood the channel when the platform
	// is set up).
	Deliverable func(channel string) bool
	Log         *slog.Logger

	mu      sync.Mutex // one matching pass at a time
	queries map[string]*query.Query
}

// compiledSub is a subscription with its parsed query.
type compiledSub struct {
	sub briefing.Subscription
	q   *query.Query
}

// match is one item matching one channel, with the queries that matched.
type match struct {
	item    briefing.Item
	queries []string
}

func (a *Alerter) log() *slog.Logger {
	if a.Log != nil {
		return a.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Process matches every item stored since the last pass and queues the
// alerts; it returns how many deliveries it queued.
func (a *Alerter) Process(ctx context.Context) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	subs, err := a.compile(ctx)
	if err != nil {
		return 0, err
	}
	index := newSubIndex(subs)
	total := 0
	for {
		cursor, err := a.Store.AlertCursor(ctx)
		if err != nil {
			return total, fmt.Errorf("bot: alerts: %w", err)
		}
		items, err := a.Store.ItemsAfter(ctx, cursor, alertBatch)
		if err != nil {
			return total, fmt.Errorf("bot: alerts: %w", err)
		}
		if len(items) == 0 {
			return total, nil
		}
		byChannel := groupHits(items, subs, matchItems(items, index, false))
		ds, err := a.deliveries(ctx, byChannel)
		if err != nil {
			return total, err
		}
		n, err := a.Store.EnqueueAlerts(ctx, items[len(items)-1].ID, ds)
		if err != nil {
			return total, fmt.Errorf("bot: alerts: %w", err)
		}
		total += n
		if len(items) < alertBatch {
			return total, nil
		}
	}
}

// Backfill queues alerts for sub on items stored before it (the ones it
// does not see) and published since since: `/sahel subscribe --backfill`.
// Items already alerted to the channel are not alerted again.
func (a *Alerter) Backfill(ctx context.Context, sub briefing.Subscription, items []briefing.Item) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	q, err := query.Parse(sub.Query, a.Gazetteer)
	if err != nil {
		return 0, fmt.Errorf("bot: backfill %q: %w", sub.Query, err)
	}
	// Oldest first, as they would have arrived.
	sorted := append([]briefing.Item(nil), items...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	subs := []compiledSub{{sub: sub, q: q}}
	byChannel := groupHits(sorted, subs, matchItems(sorted, newSubIndex(subs), true))
	ds, err := a.deliveries(ctx, byChannel)
	if err != nil {
		return 0, err
	}
	ds, stories := backfillStories(ds, time.Now())
	if _, err := a.Store.EnqueueAlerts(ctx, 0, ds); err != nil {
		return 0, fmt.Errorf("bot: backfill: %w", err)
	}
	return stories, nil
}

// backfillStories makes a backfill's deliveries one alert per new story,
// carrying every outlet that told it (past news needs no thread of
// replies), the most important story first, so that the channel's alert
// limit rolls the least important into its summary. Replies to alerts
// posted before stay replies. It returns them and the number of stories.
func backfillStories(ds []briefing.Delivery, now time.Time) ([]briefing.Delivery, int) {
	type story struct {
		d     briefing.Delivery
		al    Alert
		items []*briefing.Item
	}
	var alerts []*story
	byKey := map[string]*story{}
	var rest []briefing.Delivery
	for _, d := range ds {
		var al Alert
		if json.Unmarshal(d.Payload, &al) != nil {
			rest = append(rest, d)
			continue
		}
		switch s := byKey[d.ParentKey]; {
		case d.Kind == string(KindAlert):
			s := &story{d: d, al: al, items: []*briefing.Item{&al.Item}}
			alerts = append(alerts, s)
			byKey[d.Key] = s
		case d.Kind == string(KindReply) && s != nil: // folded into its new alert
			s.al.Outlets = al.Outlets
			s.items = append(s.items, &al.Item)
		default:
			rest = append(rest, d)
		}
	}
	score := make(map[*story]float64, len(alerts))
	for _, s := range alerts {
		sum := briefing.Summarize(s.al.Item.ID, s.items)
		score[s] = digest.Score(&sum, now).Total()
	}
	slices.SortStableFunc(alerts, func(x, y *story) int { return cmp.Compare(score[y], score[x]) })
	out := make([]briefing.Delivery, 0, len(alerts)+len(rest))
	for _, s := range alerts {
		s.d.Payload, _ = json.Marshal(s.al)
		out = append(out, s.d)
	}
	return append(out, rest...), len(alerts)
}

// compile loads every subscription and parses its query, reusing the
// parse of a query seen before.
func (a *Alerter) compile(ctx context.Context) ([]compiledSub, error) {
	subs, err := a.Store.AllSubscriptions(ctx)
	if err != nil {
		return nil, fmt.Errorf("bot: alerts: %w", err)
	}
	if a.queries == nil {
		a.queries = map[string]*query.Query{}
	}
	out := make([]compiledSub, 0, len(subs))
	live := make(map[string]bool, len(subs))
	for _, s := range subs {
		if a.Deliverable != nil && !a.Deliverable(s.Channel) {
			continue
		}
		live[s.Query] = true
		q, ok := a.queries[s.Query]
		if !ok {
			q, err = query.Parse(s.Query, a.Gazetteer)
			if err != nil {
				// Stored queries were valid when made; a gazetteer change
				// can orphan one (an actor removed from the config).
				a.log().Warn("subscription query no longer parses", "channel", s.Channel, "subscription", s.ID, "error", err)
				continue
			}
			a.queries[s.Query] = q
		}
		out = append(out, compiledSub{sub: s, q: q})
	}
	for k := range a.queries {
		if !live[k] {
			delete(a.queries, k)
		}
	}
	return out, nil
}

// hit is one subscription (index in subs) matching one item (index in
// items).
type hit struct{ item, sub int32 }

// subIndex finds the subscriptions an item may match without trying them
// all: each query is filed under its anchors (query.Query.Anchors), so
// an item only tries the queries filed under its words and tags.
type subIndex struct {
	subs   []compiledSub
	byKey  map[string][]int32
	always []int32  // queries without anchors: tried on every item
	seen   []uint32 // per sub: the generation that last made it a candidate
	gen    uint32
	cands  []int32
}

func newSubIndex(subs []compiledSub) *subIndex {
	x := &subIndex{subs: subs, byKey: map[string][]int32{}, seen: make([]uint32, len(subs))}
	for i, cs := range subs {
		keys, ok := cs.q.Anchors()
		if !ok {
			x.always = append(x.always, int32(i))
			continue
		}
		for _, k := range keys {
			x.byKey[k] = append(x.byKey[k], int32(i))
		}
	}
	return x
}

// candidates returns the subscriptions that may match the prepared item,
// in subscription order (reused until the next call).
func (x *subIndex) candidates(mt *query.MatchText) []int32 {
	x.gen++
	x.cands = append(x.cands[:0], x.always...)
	for _, i := range x.always {
		x.seen[i] = x.gen
	}
	mt.Keys(func(k string) {
		for _, i := range x.byKey[k] {
			if x.seen[i] != x.gen {
				x.seen[i] = x.gen
				x.cands = append(x.cands, i)
			}
		}
	})
	slices.Sort(x.cands)
	return x.cands
}

// matchItems returns the (item, subscription) pairs that match, items in
// the order given: a subscription sees the items stored after it was made
// (all of them when backfill is set), unless they are old news. It runs for every stored item, so it
// tries only the index's candidates and collects indexes.
func matchItems(items []briefing.Item, x *subIndex, backfill bool) []hit {
	var hits []hit
	for i := range items {
		it := &items[i]
		if !backfill && !it.FirstSeen.IsZero() && it.FirstSeen.Sub(it.Published) > maxAlertAge {
			continue
		}
		mt := query.NewMatchText(it)
		for _, j := range x.candidates(mt) {
			cs := &x.subs[j]
			if !backfill && it.ID <= cs.sub.AfterItem {
				continue
			}
			if cs.q.MatchPrepared(mt) {
				hits = append(hits, hit{item: int32(i), sub: j})
			}
		}
	}
	return hits
}

// groupHits gathers hits per channel: each matched item once per channel,
// in item order, with every query of the channel that matched it.
func groupHits(items []briefing.Item, subs []compiledSub, hits []hit) map[string][]match {
	out := map[string][]match{}
	index := map[string]int{} // channel + item → index in out[channel]
	for _, h := range hits {
		cs := &subs[h.sub]
		ch := cs.sub.Channel
		k := fmt.Sprintf("%s\x00%d", ch, h.item)
		i, ok := index[k]
		if !ok {
			i = len(out[ch])
			index[k] = i
			out[ch] = append(out[ch], match{item: items[h.item]})
		}
		out[ch][i].queries = append(out[ch][i].queries, cs.sub.Query)
	}
	return out
}

// alertedEntry is an item already alerted (or replied) in a channel.
type alertedEntry struct {
	root   string // the key of the alert whose thread it belongs to
	rootID int64  // and its delivery id, to find the earliest thread
	outlet string
}

// deliveries turns matches into alert and reply deliveries, story by
// story, per channel.
func (a *Alerter) deliveries(ctx context.Context, byChannel map[string][]match) ([]briefing.Delivery, error) {
	now := time.Now()
	window := a.StoryWindow
	if window <= 0 {
		window = DefaultStoryWindow
	}
	channels := make([]string, 0, len(byChannel))
	for ch := range byChannel {
		channels = append(channels, ch)
	}
	sort.Strings(channels)
	var out []briefing.Delivery
	for _, ch := range channels {
		recent, err := a.Store.RecentAlerts(ctx, ch, now.Add(-window))
		if err != nil {
			return nil, fmt.Errorf("bot: alerts: %w", err)
		}
		stories, err := a.Store.StoriesOf(ctx, alertedItems(recent))
		if err != nil {
			return nil, fmt.Errorf("bot: alerts: %w", err)
		}
		out = append(out, a.channelDeliveries(ch, recent, stories, byChannel[ch], now)...)
	}
	return out, nil
}

// alertedItems lists the items of alert and reply deliveries.
func alertedItems(ds []briefing.Delivery) []int64 {
	var ids []int64
	for _, d := range ds {
		if d.ItemID != 0 {
			ids = append(ids, d.ItemID)
		}
	}
	return ids
}

// channelDeliveries groups the channel's recent alerts with its new
// matches by their stored stories (stories holds the current story of the
// alerted items, so a thread follows a merge): a new item in a story
// already alerted becomes a reply in that alert's thread (when its outlet
// is new to the thread), and the first new item of a new story becomes its
// alert.
func (a *Alerter) channelDeliveries(ch string, recent []briefing.Delivery, stories map[int64]int64, ms []match,
	now time.Time) []briefing.Delivery {
	entries, items := alertedEntries(recent, stories)
	newItems := map[int64]*match{}
	for i := range ms {
		if _, done := entries[ms[i].item.ID]; done {
			continue // alerted already (a backfill overlapping the live path)
		}
		newItems[ms[i].item.ID] = &ms[i]
		items = append(items, ms[i].item)
	}
	if len(newItems) == 0 {
		return nil
	}
	var out []briefing.Delivery
	for _, story := range byStory(items) {
		// The thread: the earliest alert of the story, if any.
		root, rootID := "", int64(0)
		outlets := map[string]bool{}
		var shown []string
		for _, it := range story {
			if e, ok := entries[it.ID]; ok && (root == "" || e.rootID < rootID) {
				root, rootID = e.root, e.rootID
			}
		}
		for _, it := range story {
			if e, ok := entries[it.ID]; ok && e.root == root && !outlets[e.outlet] {
				outlets[e.outlet] = true
				shown = append(shown, e.outlet)
			}
		}
		// New items in arrival (id) order.
		var fresh []*match
		for _, it := range story {
			if m, ok := newItems[it.ID]; ok {
				fresh = append(fresh, m)
			}
		}
		sort.Slice(fresh, func(i, j int) bool { return fresh[i].item.ID < fresh[j].item.ID })
		for _, m := range fresh {
			outlet := outletOf(&m.item)
			al := Alert{Item: m.item, Queries: m.queries, Countries: a.tags(m.item.Countries), Actors: a.tags(m.item.Actors)}
			if root == "" {
				d := briefing.Delivery{Key: alertKey(ch, m.item.ID), Channel: ch, Kind: string(KindAlert), ItemID: m.item.ID,
					NextAttempt: now}
				outlets[outlet] = true
				shown = append(shown, outlet)
				al.Outlets = append([]string(nil), shown...)
				d.Payload, _ = json.Marshal(al)
				out = append(out, d)
				root = d.Key
				continue
			}
			if outlets[outlet] {
				continue // the thread already has this outlet's report
			}
			outlets[outlet] = true
			shown = append(shown, outlet)
			al.Outlets = append([]string(nil), shown...)
			d := briefing.Delivery{Key: replyKey(ch, m.item.ID), Channel: ch, Kind: string(KindReply), ItemID: m.item.ID,
				ParentKey: root, NextAttempt: now}
			d.Payload, _ = json.Marshal(al)
			out = append(out, d)
		}
	}
	return out
}

// alertedEntries reads the channel's recent alert and reply deliveries:
// what was posted about each item (by item id), and the items themselves,
// each in its current story.
func alertedEntries(recent []briefing.Delivery, stories map[int64]int64) (map[int64]alertedEntry, []briefing.Item) {
	var items []briefing.Item
	entries := map[int64]alertedEntry{} // item id → what was posted about it
	keyOf := map[int64]string{}         // delivery id → key
	for _, d := range recent {
		keyOf[d.ID] = d.Key
	}
	for _, d := range recent {
		var al Alert
		if json.Unmarshal(d.Payload, &al) != nil || al.Item.ID == 0 {
			continue
		}
		if _, dup := entries[al.Item.ID]; dup {
			continue
		}
		root, rootID := d.Key, d.ID
		if d.Kind == string(KindReply) {
			root, rootID = keyOf[d.ParentID], d.ParentID
			if root == "" {
				continue // its alert is older than the window
			}
		}
		entries[al.Item.ID] = alertedEntry{root: root, rootID: rootID, outlet: outletOf(&al.Item)}
		if s, ok := stories[al.Item.ID]; ok {
			al.Item.Story = s
		}
		items = append(items, al.Item)
	}
	return entries, items
}

// byStory groups items by their stored story (an item without one stands
// alone), stories in order of their first item, items by id.
func byStory(items []briefing.Item) [][]briefing.Item {
	index := map[int64]int{}
	var out [][]briefing.Item
	sorted := slices.Clone(items)
	slices.SortFunc(sorted, func(a, b briefing.Item) int { return cmp.Compare(a.ID, b.ID) })
	for _, it := range sorted {
		id := it.Story
		if id == 0 {
			id = it.ID
		}
		k, ok := index[id]
		if !ok {
			k = len(out)
			index[id] = k
			out = append(out, nil)
		}
		out[k] = append(out[k], it)
	}
	return out
}

func (a *Alerter) tags(ids []string) []briefing.Tag {
	if len(ids) == 0 {
		return nil
	}
	out := make([]briefing.Tag, len(ids))
	for i, id := range ids {
		name := id
		if a.Gazetteer != nil {
			name = a.Gazetteer.Name(id)
		}
		out[i] = briefing.Tag{ID: id, Name: name}
	}
	return out
}

// outletOf names who published an item: its outlet, else its source.
func outletOf(it *briefing.Item) string {
	if it.Outlet != "" {
		return it.Outlet
	}
	return it.Source
}

func alertKey(channel string, item int64) string { return fmt.Sprintf("alert:%s:%d", channel, item) }
func replyKey(channel string, item int64) string { return fmt.Sprintf("reply:%s:%d", channel, item) }
