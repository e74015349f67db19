package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/bot/console"
	"github.com/sahelbrief/sahelbrief/bot/discord"
	"github.com/sahelbrief/sahelbrief/bot/slack"
	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/config"
	"github.com/sahelbrief/sahelbrief/internal/health"
	"github.com/sahelbrief/sahelbrief/metrics"
	"github.com/sahelbrief/sahelbrief/sources"
	"github.com/sahelbrief/sahelbrief/store"
)

// testHook, when set (by tests only), is told of the points where the
// running bot commits something: "ingested", "alerts", the dispatcher's
// "attempt:<kind>", "posted:<kind>" and "sent:<kind>", and
// "listening:<addr>". The crash tests kill the process there.
var testHook func(point string)

// clockNow is the time commands answer at (the bot's windows, brief's
// window). Only tests change it: the load test's corpus ends at a fixed
// date, and its windows must find the same items whenever it runs.
var clockNow = time.Now

// firstPollWait bounds how long the scheduler waits for the first poll.
const firstPollWait = 2 * time.Minute

func hook(point string) {
	if testHook != nil {
		testHook(point)
	}
}

func runRun(ctx context.Context, env *cliEnv, args []string) int {
	fs := newFlagSet(env, "run", "[--shell] [--addr ADDR]",
		"Run the bot: poll the sources on their intervals, tag and store new items, post keyword alerts and\n"+
			"scheduled digests, answer /sahel commands, and serve GET /healthz and GET /metrics.\n"+
			"With chat settings (SLACK_*, DISCORD_*) it serves those platforms; with none, or with --shell, it\n"+
			"opens the console shell too, whose channel gets its alerts and digests in the terminal.\n"+
			"This is what `sahelbrief` with no command does. SIGINT/SIGTERM stop it cleanly.")
	shell := fs.Bool("shell", false, "open the console shell even when chat settings are present")
	addr := fs.String("addr", "", "listen `address` (default SAHELBRIEF_HTTP_ADDR)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, gaz, srcs, ok := loadBotSetup(env)
	if !ok {
		return exitUsage
	}
	if *addr == "" {
		*addr = cfg.HTTPAddr
	}
	st, ok := openStore(ctx, env, cfg, gaz)
	if !ok {
		return exitFail
	}
	defer st.Close()
	lease, ok := holdBotLease(ctx, env, "run", cfg, st)
	if !ok {
		return exitFail
	}
	defer lease.close()
	r := &runner{env: env, cfg: cfg, gaz: gaz, srcs: srcs, st: st, log: slog.Default(), withShell: *shell || !hasChat(cfg), lease: lease}
	return r.run(ctx, *addr)
}

// hasChat reports whether any chat platform is configured.
func hasChat(cfg *config.Config) bool {
	return cfg.SlackSigningSecret != "" || cfg.SlackAppToken != "" || cfg.SlackBotToken != "" ||
		cfg.DiscordPublicKey != "" || cfg.DiscordBotToken != ""
}

// runner is the long-running bot: polling, alerting, scheduling,
// delivering, the chat endpoints and, in a terminal, the console shell.
type runner struct {
	env       *cliEnv
	cfg       *config.Config
	gaz       *briefing.Gazetteer
	srcs      []briefing.Source
	st        *store.Store
	log       *slog.Logger
	withShell bool
	lease     *heldLease // the bot's lease: its owner claims the deliveries

	metrics   *metrics.Metrics
	health    *health.Bot // /healthz
	alertKick chan struct{}
}

func (r *runner) run(parent context.Context, addr string) int {
	ctx, stop := context.WithCancel(parent)
	defer stop()
	cfg := r.cfg
	r.metrics = metrics.New()
	r.st.SetLog(r.log, r.metrics.StoreError) // storage errors: one ERROR line an episode, the metric, /healthz
	r.health = &health.Bot{Store: r.st, Sources: r.srcs, Gauges: r.metrics, Adapters: map[string]func() bool{}}
	r.alertKick = make(chan struct{}, 1)
	clock := bot.RealClock{}

	b := bot.New(r.st, r.gaz, r.srcs, bot.Limits{})
	b.Lang = r.cfg.Lang
	b.Log, b.Observer = r.log, r.metrics
	alerter := &bot.Alerter{Store: r.st, Gazetteer: r.gaz, Clock: clock, Log: r.log}
	b.Alerter = alerter

	// Where deliveries go: one deliverer per platform.
	out := &console.SyncWriter{W: r.env.stdout}
	consoleOut := &console.Deliverer{Out: out, Color: isTerminal(r.env.stdout)}
	if r.interactive() {
		consoleOut.Prompt = shellPrompt
	}
	platforms := map[string]bot.Deliverer{console.Channel: consoleOut}
	r.health.Adapters["console"] = func() bool { return true }
	r.metrics.SetAdapterConnected("console", true)
	if cfg.SlackBotToken != "" {
		platforms["slack:"] = &slack.Deliverer{Client: slack.NewClient(cfg.SlackBotToken, cfg.SlackAPIURL, nil), Observer: r.metrics, Log: r.log}
	}
	if cfg.DiscordBotToken != "" {
		s, err := discord.NewSession(cfg.DiscordBotToken, cfg.DiscordAPIURL, nil)
		if err != nil {
			fmt.Fprintf(r.env.stderr, "sahelbrief: config: %v\n", err)
			return exitUsage
		}
		platforms["discord:"] = &discord.Deliverer{Session: s, Observer: r.metrics, Log: r.log}
	}
	disp := &bot.Dispatcher{Store: r.st, Platforms: platforms, Clock: clock, Digest: b.ScheduledDigest,
		AlertsPerMinute: cfg.AlertsPerMinute, Observer: r.metrics, Log: r.log,
		Owner: r.lease.Owner, ClaimTTL: r.lease.TTL}
	if testHook != nil {
		disp.Trace = func(step string, d briefing.Delivery) { hook(step + ":" + d.Kind) }
	}
	// Channels of platforms without a deliverer get neither alerts nor
	// digests queued: they would wait forever.
	deliverable := func(channel string) bool {
		for prefix := range platforms {
			if strings.HasPrefix(channel, prefix) {
				return true
			}
		}
		return false
	}
	alerter.Deliverable = deliverable
	sched := &bot.Scheduler{Store: r.st, Clock: clock, Grace: cfg.DigestGrace, Log: r.log, Deliverable: deliverable,
		Queued: func(briefing.Delivery, bool) { disp.Wake() }}
	b.Changed = func() {
		sched.Reload()
		disp.Wake()
	}

	ep, err := newChatEndpoints(cfg, b, r.log)
	if err != nil {
		fmt.Fprintf(r.env.stderr, "sahelbrief: config: %v\n", err)
		return exitUsage
	}
	for name, up := range ep.connected {
		r.health.Adapters[name] = up
	}
	ep.onState = func(platform string, up bool) { r.metrics.SetAdapterConnected(platform, up) }
	ep.mux.Handle("GET /healthz", r.health)
	ep.mux.Handle("GET /metrics", r.metrics.Handler())

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if hasChat(cfg) {
			fmt.Fprintf(r.env.stderr, "sahelbrief run: %v\n", err)
			return exitFail
		}
		// Trying it out in a terminal: a busy port should not stop that.
		r.log.Warn("not serving /healthz and /metrics", "addr", addr, "error", err)
	} else {
		r.log.Info("listening", "addr", ln.Addr().String(), "endpoints", strings.Join(append([]string{"/healthz", "/metrics"}, ep.paths...), ", "))
		hook("listening:" + ln.Addr().String())
	}

	poller := newPoller(cfg, sources.Conditional)
	poller.Tag = r.gaz.TagItem
	firstPoll := make(chan struct{})
	var firstOnce sync.Once
	var firstRound struct{ ok, items atomic.Int64 }
	loop := &sources.Loop{Poller: poller, Store: r.st, Sources: r.srcs, Interval: cfg.PollInterval, Log: r.log,
		AfterRound: func() {
			r.st.CheckFile()
			// The last round may end after shutdown began: its
			// cancelled read is no error worth logging.
			if _, err := r.health.SourceHealth(ctx); err != nil && ctx.Err() == nil {
				r.log.Error("source health", "error", err)
			}
			firstOnce.Do(func() {
				close(firstPoll)
				if consoleOut.Prompt != "" {
					// The try-out: say once how the first poll went, in
					// the shell, rather than a log line per source.
					fmt.Fprintf(out, "\nFirst poll: %d of %d sources answered, %d new items stored. /sahel sources has the details.\n%s",
						firstRound.ok.Load(), len(r.srcs), firstRound.items.Load(), consoleOut.Prompt)
				}
			})
		},
		Report: func(res sources.Result, saved briefing.Saved) {
			kind := ""
			if res.Err != nil {
				kind = string(sources.KindOf(res.Err))
				// Logged when a source starts failing, not at every poll:
				// /healthz, /metrics and /sahel sources keep the state.
				if res.State.ConsecutiveFailures == 1 && consoleOut.Prompt == "" {
					r.log.Warn("source failing", "source", res.Source.Name, "error", res.Err)
				} else {
					r.log.Debug("source failed", "source", res.Source.Name, "failures", res.State.ConsecutiveFailures, "error", res.Err)
				}
			} else {
				firstRound.ok.Add(1)
			}
			firstRound.items.Add(int64(len(saved.New)))
			r.metrics.Fetch(res.Source.Name, string(res.Status), kind, len(saved.New), res.Duration)
			hook("ingested")
			if len(saved.New) > 0 {
				r.kickAlerts()
			}
		}}

	var wg sync.WaitGroup
	goRun := func(name string, f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(ctx); err != nil && ctx.Err() == nil {
				r.log.Error(name+" stopped", "error", err)
			}
		}()
	}
	// Deliveries get their own context: on shutdown the dispatcher
	// finishes the post in flight and stops after the others.
	dispCtx, stopDisp := context.WithCancel(context.WithoutCancel(ctx))
	dispDone := make(chan struct{})
	go func() {
		defer close(dispDone)
		disp.Run(dispCtx)
	}()
	goRun("poller", loop.Run)
	// A changed gazetteer reaches the items stored before it, beside polling.
	goRun("retag", func(ctx context.Context) error { return retagInBackground(ctx, r.st, r.gaz, r.log) })
	goRun("database watch", func(ctx context.Context) error { return health.WatchDatabase(ctx, r.st) })
	goRun("alerts", func(ctx context.Context) error { return r.alerts(ctx, alerter, disp) })
	goRun("scheduler", func(ctx context.Context) error {
		// Digests owed from while the bot was down go out after the first
		// poll, with the news that came in meanwhile (or after
		// firstPollWait, if the sources are slow).
		select {
		case <-firstPoll:
		case <-time.After(firstPollWait):
		case <-ctx.Done():
			return nil
		}
		return sched.Run(ctx)
	})
	r.kickAlerts() // items stored while the bot was down
	r.health.SetReady(true)
	r.log.Info("sahelbrief running", "sources", len(r.srcs), "poll_interval", cfg.PollInterval.String(),
		"platforms", platformNames(platforms), "shell", r.withShell)

	code := exitOK
	serveDone := make(chan int, 1)
	if ln != nil {
		go func() { serveDone <- serveUntilDone(ctx, ln, ep, r.env, "run") }()
	} else {
		go func() {
			<-ctx.Done()
			serveDone <- exitOK
		}()
	}
	shellDone := make(chan error, 1)
	if r.withShell {
		go func() { shellDone <- r.shell(ctx, b, out) }()
	}
	select {
	case <-ctx.Done():
	case c := <-serveDone:
		code = c
		serveDone <- c
	case err := <-shellDone:
		if err != nil {
			fmt.Fprintf(r.env.stderr, "sahelbrief shell: %v\n", err)
			code = exitFail
		}
	case err := <-r.lease.lost:
		// Someone else delivers from this database now: stop at once.
		stopDisp()
		r.lease.reportLost(r.env, "run", err)
		r.lease.lost <- err
		code = exitFail
	case <-r.st.Gone():
		// The file was deleted or replaced: what the bot writes now is
		// lost. Stop (the store already logged why) rather than run on.
		code = exitLost
	}
	r.health.SetReady(false)
	stop()
	wg.Wait()
	if c := <-serveDone; c != exitOK && code == exitOK {
		code = c
	}
	stopDisp()
	<-dispDone
	r.log.Info("sahelbrief stopped")
	return code
}

// kickAlerts asks the alert goroutine to match what was stored.
func (r *runner) kickAlerts() {
	select {
	case r.alertKick <- struct{}{}:
	default:
	}
}

// alerts matches new items whenever the poller stored some, and wakes
// the dispatcher for what it queued.
func (r *runner) alerts(ctx context.Context, a *bot.Alerter, disp *bot.Dispatcher) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-r.alertKick:
		}
		n, err := a.Process(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			r.log.Error("alert matching", "error", err)
			continue
		}
		hook("alerts")
		if n > 0 {
			disp.Wake()
		}
		if p, err := r.st.PendingCount(ctx); err == nil {
			r.metrics.SetPending(p)
		}
	}
}

// shell runs the console shell over stdin. It returns when the user quits
// (or ends a terminal's input); when stdin is not a terminal and ends, the
// bot keeps running until it is signalled, as a service would.
func (r *runner) shell(ctx context.Context, b *bot.Bot, out *console.SyncWriter) error {
	sh := &console.Shell{Bot: b, In: r.env.stdin, Out: out, Color: isTerminal(r.env.stdout)}
	interactive := r.interactive()
	if interactive {
		fmt.Fprintf(out, "sahelbrief: polling %d sources every %s; alerts and digests for this console appear here.\n"+
			"Type /sahel help, or quit.\n", len(r.srcs), r.cfg.PollInterval)
		sh.Prompt = shellPrompt
	}
	err := sh.Run(ctx)
	if err != nil && ctx.Err() == nil {
		return err
	}
	if !interactive && !sh.Quit() {
		<-ctx.Done()
	}
	return nil
}

const shellPrompt = "sahel> "

// interactive reports whether the console shell reads a terminal.
func (r *runner) interactive() bool {
	f, ok := r.env.stdin.(*os.File)
	return r.withShell && ok && isTerminal(f)
}

func platformNames(m map[string]bot.Deliverer) string {
	var names []string
	for k := range m {
		names = append(names, strings.TrimSuffix(k, ":"))
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}
