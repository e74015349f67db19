package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/config"
	"github.com/sahelbrief/sahelbrief/internal/redact"
	"github.com/sahelbrief/sahelbrief/sources"
)

// healthLine is the --json shape of one source in `sources`.
type healthLine struct {
	Source              string `json:"source"`
	URL                 string `json:"url"`
	Lang                string `json:"lang,omitempty"`
	Interval            string `json:"interval"`
	Status              string `json:"status"` // ok, not_modified, error, never
	Health              string `json:"health"` // healthy, failing, silent, new
	LastAttempt         string `json:"last_attempt,omitempty"`
	LastSuccess         string `json:"last_success,omitempty"`
	ConsecutiveFailures int    `json:"consecutive_failures"`
	Error               string `json:"error"`
	ItemsLastTime       int    `json:"items_last_time"`
	StoredItems         int    `json:"stored_items"`
	SilentSince         string `json:"silent_since,omitempty"`
	NextCheck           string `json:"next_check,omitempty"`

	nextCheck string // for people: briefing.NextCheckText
}

func runSources(ctx context.Context, env *cliEnv, args []string) int {
	fs := newFlagSet(env, "sources")
	check := fs.Bool("check", false, "fetch every source now (nothing is stored) and report reachability")
	asJSON := fs.Bool("json", false, "print one JSON object per source and line")
	builtin := fs.Bool("builtin", false, "print the built-in feed list in the config file's shape (sources:) and exit")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *builtin {
		if *check || *asJSON {
			fmt.Fprintln(env.stderr, "sahelbrief sources: --builtin takes neither --check nor --json")
			return exitUsage
		}
		return printBuiltinSources(env)
	}
	cfg, ok := loadConfig(env)
	if !ok {
		return exitUsage
	}
	srcs, ok := loadSources(env, cfg)
	if !ok {
		return exitUsage
	}
	if *check {
		return checkSources(ctx, env, srcs, newPoller(cfg, sources.Fresh), *asJSON)
	}
	st, ok := openStore(ctx, env, cfg, nil)
	if !ok {
		return exitFail
	}
	defer st.Close()
	states, err := st.SourceStates(ctx)
	if err != nil {
		env.fail(err)
		return exitFail
	}
	counts, err := st.ItemCounts(ctx)
	if err != nil {
		env.fail(err)
		return exitFail
	}
	now := time.Now()
	printStorageProblem(env, st.StorageProblem(), *asJSON)
	for _, s := range srcs {
		h := healthLineOf(s, states[s.Name], counts[s.Name], cfg.PollInterval, now)
		printHealth(env.stdout, h, *asJSON, now)
	}
	return exitOK
}

// printStorageProblem says, above the sources, that the database cannot
// store new items (on stderr with --json, whose lines are sources only).
func printStorageProblem(env *cliEnv, problem string, asJSON bool) {
	if problem == "" {
		return
	}
	w := env.stdout
	if asJSON {
		w = env.stderr
	}
	fmt.Fprintln(w, briefing.StorageLine(problem))
}

// healthLineOf summarizes one source for people and scripts.
func healthLineOf(s briefing.Source, st briefing.SourceState, stored int, defaultInterval time.Duration, now time.Time) healthLine {
	interval := s.Interval
	if interval <= 0 {
		interval = defaultInterval
	}
	h := healthLine{
		Source: s.Name, URL: redact.URLs(s.URL), Lang: s.Lang, Interval: shortDuration(interval),
		Status: string(st.LastStatus), ConsecutiveFailures: st.ConsecutiveFailures, Error: st.LastError,
		ItemsLastTime: st.ItemsLastTime, StoredItems: stored,
		LastAttempt: stamp(st.LastAttempt), LastSuccess: stamp(st.LastSuccess), NextCheck: stamp(st.NextCheck),
		nextCheck: briefing.NextCheckText(st, now),
	}
	h.Health = string(st.Health(now))
	switch st.Health(now) {
	case briefing.HealthNew:
		h.Status = "never"
	case briefing.HealthSilent:
		h.SilentSince = stamp(st.SilentSince(now))
	}
	return h
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func printHealth(w io.Writer, h healthLine, asJSON bool, now time.Time) {
	if asJSON {
		b, _ := json.Marshal(h)
		fmt.Fprintf(w, "%s\n", b)
		return
	}
	detail := ""
	switch h.Health {
	case "new":
		detail = h.nextCheck
	case "failing":
		detail = fmt.Sprintf("%s in a row: %s", bot.Plural(h.ConsecutiveFailures, "failure", "failures"), h.Error)
	case "silent":
		since, _ := time.Parse(time.RFC3339, h.SilentSince)
		detail = fmt.Sprintf("nothing new for %s", ago(now, since))
	default:
		last, _ := time.Parse(time.RFC3339, h.LastSuccess)
		detail = fmt.Sprintf("ok %s ago, %d items stored", ago(now, last), h.StoredItems)
	}
	if h.Health != "new" {
		detail += "; " + h.nextCheck
	}
	fmt.Fprintf(w, "%-28s %-8s %-4s every %-6s %s\n", truncate(h.Source, 28), h.Health, h.Lang, h.Interval, detail)
}

// shortDuration writes 10m rather than 10m0s, 1h30m rather than 1h30m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// ago renders how long ago t was the way people say it: 45s, 12m, 5h, 3d.
func ago(now, t time.Time) string { return briefing.Roughly(now.Sub(t)) }

// checkSources fetches every source once, stores nothing, and reports.
func checkSources(ctx context.Context, env *cliEnv, srcs []briefing.Source, p *sources.Poller, asJSON bool) int {
	jobs := sources.Due(srcs, nil, time.Now(), true)
	progress := newProgress(env.stderr, len(jobs), !asJSON)
	failed := 0
	for r := range p.Poll(ctx, jobs) {
		progress.clear()
		if r.Status == briefing.StatusError {
			failed++
		}
		l := lineFor(r, briefing.Saved{})
		l.NextCheck = ""
		if asJSON || r.Status == briefing.StatusError {
			printLine(env.stdout, l, asJSON)
		} else {
			fmt.Fprintf(env.stdout, "%-28s %-12s %6dms  reachable: %d items, %s\n",
				truncate(l.Source, 28), l.Status, l.DurationMS, l.Items, l.Charset)
		}
		progress.step()
	}
	progress.clear()
	if ctx.Err() != nil {
		return exitFail
	}
	if !asJSON {
		fmt.Fprintf(env.stdout, "%d sources checked: %d reachable, %d failed\n", len(jobs), len(jobs)-failed, failed)
	}
	if failed > 0 {
		return exitFail
	}
	return exitOK
}

// printBuiltinSources writes the built-in feed list as the config file
// takes it: entries can be copied under sources: or extra_sources:, and
// names under disable:. It reads no configuration: the list is the same
// whatever the file says.
func printBuiltinSources(env *cliEnv) int {
	srcs, err := config.ParseSources(sources.BuiltinYAML, "built-in feeds.yaml")
	if err == nil {
		var out []byte
		if out, err = config.SourcesYAML(srcs); err == nil {
			fmt.Fprintf(env.stdout, "# sahelbrief's %d built-in feeds (sources/feeds.yaml). In a config file, sources: replaces\n"+
				"# them all; extra_sources: adds feeds; disable: [name, ...] leaves some out.\n", len(srcs))
			_, err = env.stdout.Write(out)
		}
	}
	if err != nil {
		env.fail(err)
		return exitFail
	}
	return exitOK
}
