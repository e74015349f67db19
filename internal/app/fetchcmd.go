package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/config"
	"github.com/sahelbrief/sahelbrief/internal/redact"
	"github.com/sahelbrief/sahelbrief/sources"
)

// sourceLine is the --json shape of one source's outcome, shared by
// `fetch` and `sources --check`.
type sourceLine struct {
	Source     string `json:"source"`
	URL        string `json:"url"`
	Status     string `json:"status"`
	NewItems   int    `json:"new_items"`
	Items      int    `json:"items"`
	Updated    int    `json:"updated_items"`
	Skipped    int    `json:"skipped_items,omitempty"` // older entries beyond SAHELBRIEF_MAX_FEED_ITEMS
	DurationMS int64  `json:"duration_ms"`
	Error      string `json:"error"`
	ErrorKind  string `json:"error_kind,omitempty"`
	Charset    string `json:"charset,omitempty"`
	NextCheck  string `json:"next_check,omitempty"`
}

func lineFor(r sources.Result, saved briefing.Saved) sourceLine {
	l := sourceLine{
		Source: r.Source.Name, URL: redact.URLs(r.Source.URL), Status: string(r.Status),
		NewItems: len(saved.New), Items: len(r.Items), Updated: saved.Updated, Skipped: r.Skipped,
		DurationMS: r.Duration.Milliseconds(), Charset: r.Charset,
	}
	if r.Err != nil {
		l.Error = r.Err.Error()
		l.ErrorKind = string(sources.KindOf(r.Err))
	}
	if !r.State.NextCheck.IsZero() {
		l.NextCheck = r.State.NextCheck.UTC().Format(time.RFC3339)
	}
	return l
}

func runFetch(ctx context.Context, env *cliEnv, args []string) int {
	fs := newFlagSet(env, "fetch")
	all := fs.Bool("all", false, "poll every source now, ignoring schedules and backoff")
	asJSON := fs.Bool("json", false, "print one JSON object per source and line")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, gaz, srcs, ok := loadBotSetup(env)
	if !ok {
		return exitUsage
	}
	st, ok := openStore(ctx, env, cfg, gaz)
	if !ok {
		return exitFail
	}
	defer st.Close()

	states, err := st.SourceStates(ctx)
	if err != nil {
		env.fail(err)
		return exitFail
	}
	now := time.Now()
	jobs := sources.Due(srcs, states, now, *all)
	if len(jobs) == 0 {
		fmt.Fprintf(env.stderr, "Nothing is due: %s. Use --all to poll anyway.\n", nextDue(srcs, states))
		return exitOK
	}
	poller := newPoller(cfg, sources.Conditional)
	poller.Tag = gaz.TagItem
	progress := newProgress(env.stderr, len(jobs), !*asJSON)
	var total struct{ ok, notModified, failed, newItems int }
	start := time.Now()
	err = sources.Ingest(ctx, poller, jobs, st, func(r sources.Result, saved briefing.Saved) {
		progress.clear()
		line := lineFor(r, saved)
		switch r.Status {
		case briefing.StatusOK:
			total.ok++
		case briefing.StatusNotModified:
			total.notModified++
		default:
			total.failed++
			slog.Debug("source failed", "source", r.Source.Name, "error", r.Err)
		}
		total.newItems += len(saved.New)
		printLine(env.stdout, line, *asJSON)
		progress.step()
	})
	progress.clear()
	if err != nil {
		fmt.Fprintf(env.stderr, "sahelbrief: fetch: %v\n", err)
		return exitFail
	}
	if !*asJSON {
		fmt.Fprintf(env.stdout, "%d sources: %d ok, %d not modified, %d failed; %d new items in %s\n",
			len(jobs), total.ok, total.notModified, total.failed, total.newItems, time.Since(start).Round(time.Millisecond))
	}
	if total.ok+total.notModified == 0 {
		return exitFail
	}
	return exitOK
}

func newPoller(cfg *config.Config, mode sources.Mode) *sources.Poller {
	return &sources.Poller{Fetcher: newFetcher(cfg), Concurrency: cfg.Concurrency, PerHost: cfg.PerHost, Mode: mode}
}

// printLine prints one source's outcome as a text row or a JSON line.
func printLine(w io.Writer, l sourceLine, asJSON bool) {
	if asJSON {
		b, _ := json.Marshal(l)
		fmt.Fprintf(w, "%s\n", b)
		return
	}
	detail := ""
	switch l.Status {
	case string(briefing.StatusOK):
		detail = fmt.Sprintf("%d new, %d in feed", l.NewItems, l.Items)
		if l.Updated > 0 {
			detail += fmt.Sprintf(", %d updated", l.Updated)
		}
		if l.Skipped > 0 {
			detail += fmt.Sprintf(", %d older skipped (SAHELBRIEF_MAX_FEED_ITEMS)", l.Skipped)
		}
	case string(briefing.StatusNotModified):
		detail = "unchanged"
	default:
		detail = l.Error
	}
	fmt.Fprintf(w, "%-28s %-12s %6dms  %s\n", truncate(l.Source, 28), l.Status, l.DurationMS, detail)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// nextDue says when the earliest source is due again.
func nextDue(srcs []briefing.Source, states map[string]briefing.SourceState) string {
	var next time.Time
	name := ""
	for _, s := range srcs {
		st := states[s.Name]
		if name == "" || st.NextCheck.Before(next) {
			next, name = st.NextCheck, s.Name
		}
	}
	if name == "" {
		return "no sources"
	}
	return fmt.Sprintf("next is %s at %s", name, next.Local().Format("15:04:05"))
}

// progress shows "fetched N/M" on a terminal while sources are polled
// (or another count, as format says); it writes nothing when the stream is
// not a TTY or the output is JSON.
type progress struct {
	w         io.Writer
	done, of  int
	on, shown bool
	format    string // of done and of
}

func newProgress(w io.Writer, of int, enabled bool) *progress {
	return &progress{w: w, of: of, on: enabled && isTerminal(w), format: "fetched %d/%d sources…"}
}

func (p *progress) step() { p.set(p.done+1, p.of) }

// set shows done of of.
func (p *progress) set(done, of int) {
	p.done, p.of = done, of
	if !p.on {
		return
	}
	fmt.Fprintf(p.w, "\r  "+p.format, p.done, p.of)
	p.shown = true
}

func (p *progress) clear() {
	if p.on && p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
