// Package doctor checks what a deployment needs, one line per check: the
// configuration, the database, Slack and Discord when their tokens are
// set, the feeds and the HTTP address. Each check calls the package that
// owns the thing checked (store.Check, slack.Authenticate, discord.BotUser…);
// this package only runs them in order and words the fixes.
package doctor

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/config"
	"github.com/sahelbrief/sahelbrief/internal/redact"
	"github.com/sahelbrief/sahelbrief/sources"
)

// Status is a check's outcome.
type Status string

// Statuses. A skipped check (Slack without tokens) is not a failure.
const (
	OK   Status = "ok"
	Fail Status = "FAIL"
	Skip Status = "skip"
)

// Line is one check's outcome: what was checked and, when it failed, the fix.
type Line struct {
	Status Status
	Check  string // "database", "slack scopes"…
	Detail string // what was found when ok; the fix when failed; why when skipped
}

// Options is what the doctor checks.
type Options struct {
	Config *config.Config
	// ConfigErr is why the configuration (environment, config file, feed
	// list, gazetteer extensions) could not be loaded; the other checks,
	// which need it, are then not run.
	ConfigErr error
	Sources   []briefing.Source
	// Poller fetches the sources (nothing is stored); nil skips them
	// (--no-sources).
	Poller *sources.Poller
	// DiscordGuild, when not "", is also where the /sahel command may be
	// registered (discord register --guild).
	DiscordGuild string
	// Timeout bounds each network call to Slack or Discord; zero means 10s.
	Timeout time.Duration
}

// Report is the outcome of a run: every line, in order.
type Report struct {
	Lines []Line
}

// Failed reports whether any check failed.
func (r *Report) Failed() bool {
	for _, l := range r.Lines {
		if l.Status == Fail {
			return true
		}
	}
	return false
}

// Run runs every check, writing each line to w as it is known, then a
// summary, and returns the report.
func Run(ctx context.Context, w io.Writer, o Options) *Report {
	r := &Report{}
	add := func(ls ...Line) {
		for _, l := range ls {
			l.Detail = redact.URLs(l.Detail) // API and feed URLs may carry credentials
			r.Lines = append(r.Lines, l)
			fmt.Fprintf(w, "%-4s  %-18s %s\n", l.Status, l.Check, l.Detail)
		}
	}
	if o.ConfigErr != nil {
		add(Line{Fail, "config", o.ConfigErr.Error() + ": fix it (sahelbrief config prints every setting and where it came from)"})
		printSummary(w, r)
		return r
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	add(checkConfig(o))
	add(checkDatabase(ctx, o.Config.DBPath))
	add(checkSlack(ctx, o)...)
	add(checkDiscord(ctx, o)...)
	add(checkSources(ctx, o))
	add(checkListen(ctx, o.Config.HTTPAddr))
	printSummary(w, r)
	return r
}

func printSummary(w io.Writer, r *Report) {
	n := map[Status]int{}
	for _, l := range r.Lines {
		n[l.Status]++
	}
	fmt.Fprintf(w, "\n%d ok, %d failed, %d skipped\n", n[OK], n[Fail], n[Skip])
}

func checkConfig(o Options) Line {
	from := "environment"
	if o.Config.ConfigFile != "" {
		from = o.Config.ConfigFile
	}
	return Line{OK, "config", fmt.Sprintf("valid (%s), %d sources", from, len(o.Sources))}
}
