package app

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/bot/console"
	"github.com/sahelbrief/sahelbrief/bot/discord"
	"github.com/sahelbrief/sahelbrief/bot/slack"
	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
	"github.com/sahelbrief/sahelbrief/config"
	"github.com/sahelbrief/sahelbrief/sources"
	"github.com/sahelbrief/sahelbrief/store"
)

// briefFormats are the renderings `brief --format` offers.
var briefFormats = []string{"text", "markdown", "json", "slack", "discord"}

// runBrief is `sahelbrief brief`: its flags, then the digest.
func runBrief(ctx context.Context, env *cliEnv, args []string) int {
	o, code, ok := parseBriefFlags(env, args)
	if !ok {
		return code
	}
	cfg, gaz, ok := loadConfigAndGazetteer(env)
	if !ok {
		return exitUsage
	}
	filter, ok := briefFilter(env, gaz, o.country, o.actor)
	if !ok {
		return exitUsage
	}
	return brief(ctx, env, cfg, gaz, o, filter)
}

// briefOptions are `brief`'s flags, checked.
type briefOptions struct {
	since          time.Duration
	country, actor string // as given: resolved by briefFilter
	format         string // one of briefFormats
	noFetch        bool
	loc            *time.Location // --tz
}

// parseBriefFlags parses and checks `brief`'s flags; when it reports
// false the command exits with the code it returns.
func parseBriefFlags(env *cliEnv, args []string) (briefOptions, int, bool) {
	fs := newFlagSet(env, "brief")
	since := windowFlag(fs, "since", 24*time.Hour, "window: stories published in the last `window` (12h, 3d, 1w; at most 30d), as in chat")
	country := fs.String("country", "", "only stories about this country")
	actor := fs.String("actor", "", "only stories about this actor")
	format := fs.String("format", "text", "output: "+strings.Join(briefFormats, ", "))
	noFetch := fs.Bool("no-fetch", false, "use stored items only; do not poll the sources first")
	tz := fs.String("tz", "UTC", "time `zone` the text and markdown formats write times in (IANA name, e.g. Africa/Bamako)")
	if code, ok := parseFlags(fs, args); !ok {
		return briefOptions{}, code, false
	}
	if !validFormat(*format) {
		fmt.Fprintf(env.stderr, "sahelbrief brief: unknown --format %q: use one of %s\n", *format, strings.Join(briefFormats, ", "))
		return briefOptions{}, exitUsage, false
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		fmt.Fprintf(env.stderr, "sahelbrief brief: --tz %q is not a time zone I know: use an IANA name such as Africa/Niamey\n", *tz)
		return briefOptions{}, exitUsage, false
	}
	return briefOptions{since: *since, country: *country, actor: *actor, format: *format, noFetch: *noFetch, loc: loc}, 0, true
}

// briefFilter resolves --country and --actor to tag ids, or explains on
// stderr why it cannot and reports false.
func briefFilter(env *cliEnv, gaz *tagger.Gazetteer, country, actor string) (briefing.Filter, bool) {
	var filter briefing.Filter
	for _, f := range []struct {
		flag, text string
		kind       tagger.Kind
		dst        *string
	}{{"--country", country, tagger.KindCountry, &filter.Country}, {"--actor", actor, tagger.KindActor, &filter.Actor}} {
		if f.text == "" {
			continue
		}
		tag, err := gaz.ResolveName(f.kind, f.text)
		if err != nil {
			fmt.Fprintf(env.stderr, "sahelbrief brief: %s: %v\n", f.flag, err)
			return filter, false
		}
		*f.dst = tag.ID
	}
	return filter, true
}

// brief fetches the due sources (unless --no-fetch), then builds and
// prints the digest of the window; it exits non-zero for a blind digest.
func brief(ctx context.Context, env *cliEnv, cfg *config.Config, gaz *tagger.Gazetteer, o briefOptions, filter briefing.Filter) int {
	open := openStore
	if o.noFetch { // reading only: works on a read-only database
		open = readOnly
	}
	st, ok := open(ctx, env, cfg, gaz)
	if !ok {
		return exitFail
	}
	defer st.Close()
	if !o.noFetch {
		if err := fetchDue(ctx, env, cfg, gaz, st); err != nil {
			fmt.Fprintf(env.stderr, "sahelbrief brief: fetch: %v\n", err)
			return exitFail
		}
	}
	now := clockNow()
	srcs, err := sourceList(cfg)
	if err != nil {
		fmt.Fprintf(env.stderr, "sahelbrief brief: %v\n", err)
		return exitUsage
	}
	d, err := buildDigest(ctx, st, gaz, srcs, now.Add(-o.since), now, filter, cfg.Lang)
	if err != nil {
		fmt.Fprintf(env.stderr, "sahelbrief brief: %v\n", err)
		return exitFail
	}
	d.Location = o.loc
	if err := renderDigest(env.stdout, d, o.format); err != nil {
		fmt.Fprintf(env.stderr, "sahelbrief brief: %v\n", err)
		return exitFail
	}
	if d.Blind() { // scripts must not take a blind digest for a quiet day
		fmt.Fprintf(env.stderr, "sahelbrief brief: blind: none of %d sources answered since %s\n",
			d.Coverage.Sources, d.Coverage.Since.UTC().Format(time.RFC3339))
		return exitFail
	}
	return exitOK
}

func validFormat(f string) bool {
	for _, ok := range briefFormats {
		if f == ok {
			return true
		}
	}
	return false
}

// windowFlag defines a flag that reads a window as chat does
// (briefing.ParseWindow: 12h, 3d, 1w, at most 30d).
func windowFlag(fs *flag.FlagSet, name string, def time.Duration, usage string) *time.Duration {
	d := def
	fs.Func(name, usage+" (default "+briefing.FormatWindow(def)+")", func(s string) error {
		w, err := briefing.ParseWindow(s)
		if err != nil {
			return err
		}
		d = w
		return nil
	})
	return &d
}

// fetchDue polls the due sources quietly (progress on a terminal only),
// as `fetch` does, so the digest is current.
func fetchDue(ctx context.Context, env *cliEnv, cfg *config.Config, gaz *tagger.Gazetteer, st *store.Store) error {
	srcs, err := sourceList(cfg)
	if err != nil {
		return err
	}
	states, err := st.SourceStates(ctx)
	if err != nil {
		return err
	}
	jobs := sources.Due(srcs, states, time.Now(), false)
	if len(jobs) == 0 {
		return nil
	}
	poller := newPoller(cfg, sources.Conditional)
	poller.Tag = gaz.TagItem
	progress := newProgress(env.stderr, len(jobs), true)
	defer progress.clear()
	return sources.Ingest(ctx, poller, jobs, st, func(sources.Result, briefing.Saved) { progress.step() })
}

// buildDigest builds the digest of the window as the bot's commands do
// (one rule for both): stories whole, source failures noted.
func buildDigest(ctx context.Context, st *store.Store, gaz *tagger.Gazetteer, srcs []briefing.Source, since, until time.Time,
	f briefing.Filter, lang string) (*briefing.Digest, error) {
	b := bot.New(st, gaz, srcs, bot.Limits{})
	b.Lang = lang
	return b.DigestFor(ctx, since, until, f)
}

// renderDigest writes d in the chosen format.
func renderDigest(w io.Writer, d *briefing.Digest, format string) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	switch format {
	case "markdown":
		return console.RenderMarkdown(w, d)
	case "json":
		return enc.Encode(d)
	case "slack":
		return enc.Encode(slack.RenderDigest(d))
	case "discord":
		return enc.Encode(discord.RenderDigest(d))
	default:
		return console.RenderText(w, d, isTerminal(w))
	}
}
