package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
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
	// Now is the time commands answer at (New: time.Now). Unlike bot's
	// other clocks (time.Now read directly, virtual in the tests'
	// synctest bubbles: time_test.go), it stays injectable: the test
	// binary's child processes answer at a fixed date (internal/app's
	// SAHELBRIEF_TEST_NOW, the load test's corpus), and the adapters'
	// command tests, on real time over loopback fakes, pin it.
	Now func() time.Time
	Log *slog.Logger
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
