package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/robfig/cron/v3"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/digest"
	"github.com/sahelbrief/sahelbrief/briefing/query"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
	"github.com/sahelbrief/sahelbrief/internal/cronspec"
	"github.com/sahelbrief/sahelbrief/internal/editdist"
)

// Command is one `/sahel` subcommand, declared as data: the router parses
// with it, and help is generated from it.
type Command struct {
	Name     string
	Args     string   // usage after the name: "<name> [since]"
	Summary  string   // one line
	Examples []string // full invocations
	Manage   bool     // changes the channel: needs Request.CanManage
	Help     string   // more, for `help <command>`
	run      func(ctx context.Context, b *Bot, r Request, args string) Response
}

// Bot answers commands from any platform.
type Bot struct {
	Store     Store
	Gazetteer *tagger.Gazetteer
	Sources   []briefing.Source // the configured list, for `sources`
	Limits    Limits
	Now       func() time.Time
	Log       *slog.Logger
	// Alerter, when the bot runs (`sahelbrief run`), queues the alerts of
	// `/sahel subscribe --backfill`.
	Alerter *Alerter
	// Changed, when set, is called after a command changed a channel's
	// subscriptions or schedule (the scheduler reloads, the outbox wakes).
	Changed func()
	// Observer is told how long each command took (may be nil).
	Observer Observer
	// Lang is the language a story's lead is taken in when one of its
	// reports is in it (SAHELBRIEF_LANG: "en", "fr"; "" for none).
	Lang string
	// AnswerTTL is how long a digest or search answer is reused for the
	// same question while the store does not change (SAHELBRIEF_ANSWER_TTL;
	// New sets DefaultAnswerTTL; 0: never reused, builds still queue).
	AnswerTTL time.Duration
	commands  []Command
	answers   *answers
}

// New makes a Bot; zero fields take defaults.
func New(st Store, g *tagger.Gazetteer, srcs []briefing.Source, limits Limits) *Bot {
	b := &Bot{Store: st, Gazetteer: g, Sources: srcs, Limits: limits.withDefaults(), Now: time.Now, Log: slog.Default()}
	b.commands = commandTable()
	b.answers, b.AnswerTTL = newAnswers(), DefaultAnswerTTL
	return b
}

// Commands lists the commands in help order.
func (b *Bot) Commands() []Command { return append([]Command(nil), b.commands...) }

// queryHelp explains the query language of search and subscribe (see
// briefing's Query), precedence first: what people get wrong.
const queryHelp = "Queries: words must all appear (AND), in any case and with or without accents; " +
	"`\"exact phrase\"`; `a OR b` (OR in capitals) matches either, and binds tighter than AND: " +
	"`a b OR c` means a AND (b OR c); `-word` or `-\"a phrase\"` excludes; " +
	"`country:mali`, `actor:wagner` (any name or alias, `country:\"Burkina Faso\"`) match tagged news."

func commandTable() []Command {
	return []Command{
		{Name: "brief", Args: "[since]", Summary: "the digest of the last 24 hours (or since: 12h, 3d)",
			Examples: []string{"/sahel brief", "/sahel brief 12h"}, run: cmdBrief},
		{Name: "country", Args: "<name> [since]", Summary: "latest stories about one country (English or French names, demonyms)",
			Examples: []string{"/sahel country mali", "/sahel country Burkinabè 3d"}, run: cmdCountry},
		{Name: "actor", Args: "<name> [since]", Summary: "latest stories about one actor",
			Examples: []string{"/sahel actor wagner", "/sahel actor Goïta", "/sahel actor CEDEAO 3d"}, run: cmdActor},
		{Name: "search", Args: "<query>", Summary: "search stored news, answered in stories, latest first",
			Examples: []string{`/sahel search "coup d'État" OR putsch country:niger`, "/sahel search drone -turkey"},
			Help:     queryHelp, run: cmdSearch},
		{Name: "subscribe", Args: "[--backfill 24h] <query>", Summary: "alert this channel when news matching the query arrives (--backfill: and on the news of the last 24h)",
			Examples: []string{"/sahel subscribe actor:wagner Kidal", `/sahel subscribe "Tillabéri" attack OR attaque`, "/sahel subscribe --backfill 12h country:niger coup"},
			Help:     queryHelp, Manage: true, run: cmdSubscribe},
		{Name: "unsubscribe", Args: "<id>", Summary: "remove one of this channel's subscriptions",
			Examples: []string{"/sahel unsubscribe 12"}, Manage: true, run: cmdUnsubscribe},
		{Name: "subscriptions", Summary: "list this channel's subscriptions",
			Examples: []string{"/sahel subscriptions"}, run: cmdSubscriptions},
		{Name: "digest", Args: "<cron> [time zone] | off | show", Summary: "this channel's scheduled digest",
			Examples: []string{"/sahel digest 0 7 * * 1-5 Africa/Bamako", "/sahel digest show", "/sahel digest off"}, run: cmdDigest},
		{Name: "sources", Summary: "health of the news sources",
			Examples: []string{"/sahel sources"}, run: cmdSources},
		{Name: "help", Args: "[command]", Summary: "this help, or one command's",
			Examples: []string{"/sahel help", "/sahel help search"}, run: cmdHelp},
	}
}

// Handle answers one request. It never panics on user input and never
// returns an empty Response: a bad command gets usage help.
func (b *Bot) Handle(ctx context.Context, r Request) Response {
	if b.Observer != nil {
		start := time.Now()
		name, _, _ := strings.Cut(strings.TrimSpace(r.Text), " ")
		defer func() { b.Observer.CommandServed(platformOf(r.Channel), strings.ToLower(name), time.Since(start)) }()
	}
	text := strings.TrimSpace(r.Text)
	if utf8.RuneCountInString(text) > b.Limits.MaxText {
		return fail("That command is %d characters long; the limit is %d.", utf8.RuneCountInString(text), b.Limits.MaxText)
	}
	if text == "" {
		return cmdHelp(ctx, b, r, "")
	}
	share := false
	if rest, ok := cutFlag(text, "--share"); ok {
		text, share = rest, true
	}
	name, args, _ := strings.Cut(text, " ")
	name = strings.ToLower(name)
	for _, c := range b.commands {
		if c.Name != name {
			continue
		}
		if c.Manage && !r.CanManage {
			return fail("Sorry, only people who manage this channel can use `/sahel %s`.", c.Name)
		}
		resp := c.run(ctx, b, r, strings.TrimSpace(args))
		resp.Share = resp.Share || (share && !resp.Err)
		return resp
	}
	msg := fmt.Sprintf("Unknown command `%s`.", clip(name, 40))
	if s := b.closestCommand(name); s != "" {
		msg += fmt.Sprintf(" Did you mean `%s`?", s)
	}
	return Response{Text: msg + "\n\n" + b.helpText(), Err: true}
}

// cutFlag removes a standalone flag word from text.
func cutFlag(text, flag string) (string, bool) {
	fields := strings.Fields(text)
	for i, f := range fields {
		if f == flag {
			return strings.Join(append(fields[:i:i], fields[i+1:]...), " "), true
		}
	}
	return text, false
}

func fail(format string, args ...any) Response {
	return Response{Text: fmt.Sprintf(format, args...), Err: true}
}

// internal reports an unexpected failure: the detail goes to the log,
// the user gets a short apology.
func (b *Bot) internal(r Request, what string, err error) Response {
	b.Log.Error("command failed", "channel", r.Channel, "user", r.User, "command", what, "error", err)
	return fail("Sorry, something went wrong while running `%s`. The error was logged.", what)
}

// clip shortens user text quoted back in messages.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func (b *Bot) closestCommand(name string) string {
	best, bestD := "", 3
	for _, c := range b.commands {
		if d := editdist.Distance(name, c.Name); d < bestD || (strings.HasPrefix(c.Name, name) && len(name) >= 2) {
			best, bestD = c.Name, d
			if strings.HasPrefix(c.Name, name) {
				bestD = 0
			}
		}
	}
	return best
}

// parseSince reads a command's window ("" is the default, 24 hours).
func parseSince(s string) (time.Duration, error) {
	if strings.TrimSpace(s) == "" {
		return 24 * time.Hour, nil
	}
	return briefing.ParseWindow(s)
}

func cmdBrief(ctx context.Context, b *Bot, r Request, args string) Response {
	fields := strings.Fields(args)
	if len(fields) > 1 {
		return b.usage("brief", fmt.Sprintf("Unexpected %q: brief takes one window, like 3d.", clip(fields[1], 40)))
	}
	since, err := parseSince(args)
	if err != nil {
		return b.usage("brief", err.Error()+".")
	}
	return b.digest(ctx, r, since, briefing.Filter{})
}

func cmdCountry(ctx context.Context, b *Bot, r Request, args string) Response {
	return b.tagDigest(ctx, r, "country", tagger.KindCountry, args)
}

func cmdActor(ctx context.Context, b *Bot, r Request, args string) Response {
	return b.tagDigest(ctx, r, "actor", tagger.KindActor, args)
}

// tagDigest answers `country` and `actor`: a name (several words allowed:
// "burkina faso", "africa corps"), then an optional window. A last word
// that starts with a digit is a window, refused when it is not a good one;
// a word the name cannot hold is refused, named.
func (b *Bot) tagDigest(ctx context.Context, r Request, cmd string, kind tagger.Kind, args string) Response {
	fields := strings.Fields(args)
	if len(fields) == 0 {
		return b.usage(cmd, fmt.Sprintf("Which %s?", kind))
	}
	since := 24 * time.Hour
	if last := fields[len(fields)-1]; len(fields) > 1 && briefing.LooksLikeWindow(last) {
		d, err := briefing.ParseWindow(last)
		if err != nil {
			return b.usage(cmd, err.Error()+".")
		}
		since, fields = d, fields[:len(fields)-1]
	}
	tag, exact := b.Gazetteer.ResolveExact(kind, strings.Join(fields, " "))
	if !exact {
		// "niger foo": the name without its extra words is known.
		for n := len(fields) - 1; n > 0; n-- {
			if t, ok := b.Gazetteer.ResolveExact(kind, strings.Join(fields[:n], " ")); ok {
				return b.usage(cmd, fmt.Sprintf("Unexpected %q after %s: give a %s, then optionally a window like 3d.",
					clip(strings.Join(fields[n:], " "), 40), t.Name, kind))
			}
		}
		var err error
		if tag, err = b.Gazetteer.ResolveName(kind, strings.Join(fields, " ")); err != nil {
			return fail("%s", nameProblem(err))
		}
	}
	f := briefing.Filter{}
	if kind == tagger.KindCountry {
		f.Country = tag.ID
	} else {
		f.Actor = tag.ID
	}
	return b.digest(ctx, r, since, f)
}

// nameProblem says in chat why a name resolved to nothing: unknown (and
// what it may have meant) or shared (and by whom).
func nameProblem(err error) string {
	var ne *tagger.NameError
	if !errors.As(err, &ne) {
		return clip(err.Error(), 400)
	}
	names := make([]string, len(ne.Suggestions))
	for i, t := range ne.Suggestions {
		names[i] = fmt.Sprintf("`%s` (%s)", t.ID, t.Name)
	}
	if ne.Ambiguous {
		return fmt.Sprintf("%q could be %s. Which one?", clip(ne.Text, 60), strings.Join(names, " or "))
	}
	msg := fmt.Sprintf("I don't know the %s %q.", ne.Kind, clip(ne.Text, 60))
	if len(names) > 0 {
		msg += " Did you mean " + strings.Join(names, ", ") + "?"
	}
	return msg
}

// digest builds the digest of the window with the filter. Its stories
// come from the answer cache; which sources answer is read every time.
func (b *Bot) digest(ctx context.Context, r Request, since time.Duration, f briefing.Filter) Response {
	now := b.Now()
	key := fmt.Sprintf("digest %d %s %s", since, f.Country, f.Actor)
	d, err := b.cached(ctx, key, now, func(ctx context.Context) (*briefing.Digest, error) {
		return b.storiesDigest(ctx, now.Add(-since), now, f)
	})
	if err == nil {
		err = b.addSourceReport(ctx, d)
	}
	if err != nil {
		return b.internal(r, "brief", err)
	}
	return Response{Digest: d}
}

// cached returns a copy of the answer to key from the answer cache when
// the store tells its content version, or builds it.
func (b *Bot) cached(ctx context.Context, key string, now time.Time,
	build func(context.Context) (*briefing.Digest, error)) (*briefing.Digest, error) {
	cv, ok := b.Store.(ContentVersioner)
	if !ok || b.answers == nil {
		return build(ctx)
	}
	version, err := cv.ContentVersion(ctx)
	if err != nil { // a database from before the version: no reuse
		b.Log.Debug("bot: no content version", "err", err)
		return build(ctx)
	}
	d, err := b.answers.get(ctx, key, version, now, b.AnswerTTL, build)
	if err != nil {
		return nil, err
	}
	dup := *d
	return &dup, nil
}

// DigestFor builds the digest of the items published in [from, until]
// with the filter, noting the sources that failed in the window. Commands
// and scheduled digests both use it.
func (b *Bot) DigestFor(ctx context.Context, from, until time.Time, f briefing.Filter) (*briefing.Digest, error) {
	d, err := b.storiesDigest(ctx, from, until, f)
	if err != nil {
		return nil, err
	}
	if err := b.addSourceReport(ctx, d); err != nil {
		return nil, err
	}
	return d, nil
}

// storiesDigest is the digest of [from, until] without its source report.
func (b *Bot) storiesDigest(ctx context.Context, from, until time.Time, f briefing.Filter) (*briefing.Digest, error) {
	sums, err := b.Store.StorySummaries(ctx, from, until, f)
	if err != nil {
		return nil, err
	}
	// Stories are shown whole: all their items, whatever part of them the
	// window holds.
	load := func(ids []int64) (map[int64][]*briefing.Item, error) {
		items, err := b.Store.StoryItems(ctx, ids, time.Time{})
		if err != nil {
			return nil, err
		}
		return briefing.GroupByStory(items), nil
	}
	return digest.Build(sums, load, digest.Options{Since: from, Until: until, Now: until, Filter: f,
		Names: b.Gazetteer.Name, Lang: b.Lang})
}

// addSourceReport notes in d the sources that failed since its start and
// how many answered.
func (b *Bot) addSourceReport(ctx context.Context, d *briefing.Digest) error {
	failed, cov, err := b.sourceReport(ctx, d.Since)
	if err != nil {
		return err
	}
	d.Failed, d.Coverage = failed, cov
	return nil
}

// wholeStories adds to items the earlier items of their stories (reports
// published before the window, at from): a story is shown whole, with the
// same lead and outlets in every answer.
func (b *Bot) wholeStories(ctx context.Context, items []briefing.Item, from time.Time) ([]briefing.Item, error) {
	have := make(map[int64]bool, len(items))
	seen := map[int64]bool{}
	var ids []int64
	for _, it := range items {
		have[it.ID] = true
		if it.Story != 0 && !seen[it.Story] {
			seen[it.Story] = true
			ids = append(ids, it.Story)
		}
	}
	if len(ids) == 0 {
		return items, nil
	}
	more, err := b.Store.StoryItems(ctx, ids, from)
	if err != nil {
		return nil, err
	}
	for _, it := range more {
		if !have[it.ID] {
			items = append(items, it)
		}
	}
	return items, nil
}

// lateArrivalLimit bounds how long before its window an item may have
// been published and still count as news in a scheduled digest.
const lateArrivalLimit = 7 * 24 * time.Hour

// ScheduledDigest builds a channel's scheduled digest: the items stored
// in [from, until), whatever their publication date (within a week), so
// that consecutive digests, whose windows follow each other, show every
// item once, even one a feed published late or a source delivered after
// an outage.
func (b *Bot) ScheduledDigest(ctx context.Context, from, until time.Time, f briefing.Filter) (*briefing.Digest, error) {
	items, err := b.Store.ItemsStoredBetween(ctx, from, until, from.Add(-lateArrivalLimit))
	if err != nil {
		return nil, err
	}
	failed, cov, err := b.sourceReport(ctx, from)
	if err != nil {
		return nil, err
	}
	// The window is the arrival window: digest.BuildItems is not asked to cut by
	// publication date, and the digest is labelled with the window after.
	d := digest.BuildItems(items, digest.Options{Now: until, Filter: f, Names: b.Gazetteer.Name, Failed: failed,
		Lang: b.Lang})
	d.Since, d.Until, d.Coverage = from, until, cov
	for _, it := range items {
		if it.Published.Before(from) && (d.Backlog.IsZero() || it.Published.Before(d.Backlog)) {
			d.Backlog = it.Published
		}
	}
	return d, nil
}

// sourceReport lists the sources whose last attempt, at or after from,
// failed, and how many of the bot's sources answered since from (nil when
// the bot knows no sources).
func (b *Bot) sourceReport(ctx context.Context, from time.Time) ([]briefing.SourceFailure, *briefing.Coverage, error) {
	states, err := b.Store.SourceStates(ctx)
	if err != nil {
		return nil, nil, err
	}
	failed := briefing.FailuresSince(states, from)
	if len(b.Sources) == 0 {
		return failed, nil, nil
	}
	cov := briefing.CoverageOf(b.Sources, states, from)
	return failed, &cov, nil
}

func cmdSearch(ctx context.Context, b *Bot, r Request, args string) Response {
	q, errResp := b.parseQuery("search", args)
	if q == nil {
		return errResp
	}
	d, err := b.cached(ctx, "search "+args, b.Now(), func(ctx context.Context) (*briefing.Digest, error) {
		return b.search(ctx, q)
	})
	if err != nil {
		return b.internal(r, "search", err)
	}
	return Response{Digest: d}
}

// search answers a query in stories, the most recently updated first.
func (b *Bot) search(ctx context.Context, q *query.Query) (*briefing.Digest, error) {
	// The store narrows by text and required tags; Match applies the rest
	// (exclusions, OR groups with tags) exactly.
	cands, err := b.Store.Search(ctx, q, 20*b.Limits.SearchResults)
	if err != nil {
		return nil, err
	}
	// Results are stories: the hits of one story count once, and each is
	// shown whole, as digests show it.
	var hits []briefing.Item
	seen := map[int64]bool{}
	for i := range cands {
		it := &cands[i]
		if !q.Match(it) {
			continue
		}
		id := it.Story
		if id == 0 {
			id = -it.ID
		}
		if !seen[id] && len(seen) == b.Limits.SearchResults {
			continue
		}
		seen[id] = true
		hits = append(hits, *it)
	}
	hits, err = b.wholeStories(ctx, hits, time.Time{})
	if err != nil {
		return nil, err
	}
	return b.resultsDigest("Search: "+q.String(), hits), nil
}

// resultsDigest shows the stories of items in one section, the most
// recently updated first.
func (b *Bot) resultsDigest(title string, items []briefing.Item) *briefing.Digest {
	d := &briefing.Digest{Title: title, Until: b.Now(), TotalItems: len(items)}
	if len(items) == 0 {
		d.NoResults = "No stored news matches this search."
		return d
	}
	stories := digest.GroupStories(items, b.Lang, b.Gazetteer.Name)
	sec := briefing.Section{ID: "results", Name: fmt.Sprintf("Results (%d, newest first)", len(stories)), Stories: stories}
	d.Sections = []briefing.Section{sec}
	return d
}

// parseQuery parses a query argument; on failure it returns nil and the
// answer to give.
func (b *Bot) parseQuery(cmd, args string) (*query.Query, Response) {
	if args == "" {
		return nil, b.usage(cmd, "What should I look for?")
	}
	if n := utf8.RuneCountInString(args); n > b.Limits.MaxQuery {
		return nil, fail("That query is %d characters long; the limit is %d.", n, b.Limits.MaxQuery)
	}
	q, err := query.Parse(args, b.Gazetteer)
	if err != nil {
		var qe *query.Error
		if errors.As(err, &qe) {
			return nil, b.usage(cmd, "I couldn't read that query: "+qe.Message)
		}
		return nil, b.usage(cmd, "I couldn't read that query.")
	}
	return q, Response{}
}

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

// cutValueFlag removes "flag value" or "flag=value" from text.
func cutValueFlag(text, flag string) (rest, value string, ok bool) {
	fields := strings.Fields(text)
	for i, f := range fields {
		switch {
		case f == flag:
			if i+1 < len(fields) {
				value = fields[i+1]
				return strings.Join(append(fields[:i:i], fields[i+2:]...), " "), value, true
			}
			return strings.Join(fields[:i], " "), "", true
		case strings.HasPrefix(f, flag+"="):
			return strings.Join(append(fields[:i:i], fields[i+1:]...), " "), strings.TrimPrefix(f, flag+"="), true
		}
	}
	return text, "", false
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

func cmdHelp(_ context.Context, b *Bot, _ Request, args string) Response {
	name := strings.ToLower(strings.TrimSpace(args))
	if name == "" {
		return Response{Text: b.helpText()}
	}
	for _, c := range b.commands {
		if c.Name == name {
			return Response{Text: commandHelp(c)}
		}
	}
	return fail("There is no command `%s`.\n\n%s", clip(name, 40), b.helpText())
}

func (b *Bot) helpText() string {
	var sb strings.Builder
	sb.WriteString("sahelbrief: news on the Sahel juntas and their neighbours. Commands:\n")
	for _, c := range b.commands {
		fmt.Fprintf(&sb, "• `/sahel %s` — %s\n", strings.TrimSpace(c.Name+" "+c.Args), c.Summary)
	}
	sb.WriteString("Queries: words (all must match), \"exact phrase\", OR, -exclude, country:mali, actor:wagner; accents optional.\n")
	sb.WriteString("Add --share to post an answer for everyone in the channel.")
	return sb.String()
}

func commandHelp(c Command) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "`/sahel %s` — %s", strings.TrimSpace(c.Name+" "+c.Args), c.Summary)
	if c.Manage {
		sb.WriteString(" (for people who manage the channel)")
	}
	if c.Help != "" {
		sb.WriteString("\n" + c.Help)
	}
	if len(c.Examples) > 0 {
		sb.WriteString("\nExamples:")
		for _, e := range c.Examples {
			fmt.Fprintf(&sb, "\n  %s", e)
		}
	}
	return sb.String()
}

// usage answers a malformed command with what was wrong and its help.
func (b *Bot) usage(cmd, problem string) Response {
	for _, c := range b.commands {
		if c.Name == cmd {
			return fail("%s\n\n%s", problem, commandHelp(c))
		}
	}
	return fail("%s", problem)
}
