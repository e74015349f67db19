package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/bot/console"
	"github.com/sahelbrief/sahelbrief/bot/discord"
	"github.com/sahelbrief/sahelbrief/bot/slack"
	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
	"github.com/sahelbrief/sahelbrief/config"
	"github.com/sahelbrief/sahelbrief/internal/health"
	"github.com/sahelbrief/sahelbrief/metrics"
	"github.com/sahelbrief/sahelbrief/sources"
	"github.com/sahelbrief/sahelbrief/store"
)

// Options are what `run` takes from its command line.
type Options struct {
	Addr  string // listen address; "" for the configuration's
	Shell bool   // open the console shell even with chat settings
}

// Main is the long-running bot of `run`: polling, alerting, scheduling,
// delivering, the chat endpoints and, in a terminal, the console shell.
// New builds it (config → store → sources → bot → adapters), Run runs it
// until a signal or a reason to stop, Close releases what New took.
type Main struct {
	env       *cliEnv
	cfg       *config.Config
	gaz       *tagger.Gazetteer
	srcs      []briefing.Source
	st        *store.Store
	lease     *heldLease // the bot's lease: its owner claims the deliveries
	log       *slog.Logger
	withShell bool

	metrics   *metrics.Metrics
	health    *health.Bot // GET /healthz
	alertKick chan struct{}

	bot        *bot.Bot
	alerter    *bot.Alerter
	disp       *bot.Dispatcher
	sched      *bot.Scheduler
	out        *console.SyncWriter // the terminal, shared by the shell and the console's deliveries
	consoleOut *console.Deliverer
	platforms  map[string]bot.Deliverer // channel prefix → its deliverer
	ep         *chatEndpoints
	ln         net.Listener // nil when a terminal try-out could not listen
	poller     *sources.Poller
}

// New loads the configuration, opens the store, takes the bot's lease and
// builds the bot, its deliverers and its endpoints, listening on the HTTP
// address. On failure it has said why on env's stderr and returns nil
// with the exit code. A Main that New returned must be closed.
func New(ctx context.Context, env *cliEnv, opts Options) (*Main, int) {
	cfg, gaz, srcs, ok := loadBotSetup(env)
	if !ok {
		return nil, exitUsage
	}
	if opts.Addr == "" {
		opts.Addr = cfg.HTTPAddr
	}
	st, ok := openStore(ctx, env, cfg, gaz)
	if !ok {
		return nil, exitFail
	}
	lease, ok := holdBotLease(ctx, env, "run", cfg, st)
	if !ok {
		st.Close()
		return nil, exitFail
	}
	m := &Main{env: env, cfg: cfg, gaz: gaz, srcs: srcs, st: st, lease: lease, log: slog.Default(),
		withShell: opts.Shell || !hasChat(cfg)}
	if code, ok := m.build(opts.Addr); !ok {
		m.Close()
		return nil, code
	}
	return m, exitOK
}

// build makes the bot and what it delivers through and serves on.
func (m *Main) build(addr string) (int, bool) {
	cfg := m.cfg
	m.metrics = metrics.New()
	m.st.SetLog(m.log, m.metrics.StoreError) // storage errors: one ERROR line an episode, the metric, /healthz
	m.health = &health.Bot{Store: m.st, Sources: m.srcs, Gauges: m.metrics, Adapters: map[string]func() bool{}}
	m.alertKick = make(chan struct{}, 1)

	b := bot.New(m.st, m.gaz, m.srcs, bot.Limits{})
	b.Lang, b.AnswerTTL = cfg.Lang, cfg.AnswerTTL
	b.Log, b.Observer = m.log, m.metrics
	m.alerter = &bot.Alerter{Store: m.st, Gazetteer: m.gaz, Log: m.log}
	b.Alerter = m.alerter
	m.bot = b

	if code, ok := m.buildDeliverers(); !ok {
		return code, false
	}
	m.buildDelivery()
	if code, ok := m.buildEndpoints(addr); !ok {
		return code, false
	}
	m.poller = newPoller(cfg, sources.Conditional)
	m.poller.Tag = m.gaz.TagItem
	return exitOK, true
}

// buildDeliverers makes one deliverer per platform: where deliveries go.
func (m *Main) buildDeliverers() (int, bool) {
	cfg := m.cfg
	m.out = &console.SyncWriter{W: m.env.stdout}
	m.consoleOut = &console.Deliverer{Out: m.out, Color: isTerminal(m.env.stdout)}
	if m.interactive() {
		m.consoleOut.Prompt = shellPrompt
	}
	m.platforms = map[string]bot.Deliverer{console.Channel: m.consoleOut}
	m.health.Adapters["console"] = func() bool { return true }
	m.metrics.SetAdapterConnected("console", true)
	if cfg.SlackBotToken != "" {
		m.platforms["slack:"] = &slack.Deliverer{Client: slack.NewClient(cfg.SlackBotToken, cfg.SlackAPIURL, nil), Observer: m.metrics, Log: m.log}
	}
	if cfg.DiscordBotToken != "" {
		s, err := discord.NewSession(cfg.DiscordBotToken, cfg.DiscordAPIURL, nil)
		if err != nil {
			fmt.Fprintf(m.env.stderr, "sahelbrief: config: %v\n", err)
			return exitUsage, false
		}
		m.platforms["discord:"] = &discord.Deliverer{Session: s, Observer: m.metrics, Log: m.log}
	}
	return exitOK, true
}

// buildDelivery makes the dispatcher, which posts deliveries, and the
// scheduler, which queues digests.
func (m *Main) buildDelivery() {
	cfg, b := m.cfg, m.bot
	m.disp = &bot.Dispatcher{Store: m.st, Platforms: m.platforms, Digest: b.ScheduledDigest,
		AlertsPerMinute: cfg.AlertsPerMinute, Observer: m.metrics, Log: m.log,
		Owner: m.lease.Owner, ClaimTTL: m.lease.TTL}
	if testHook != nil {
		m.disp.Trace = func(step string, d briefing.Delivery) { hook(step + ":" + d.Kind) }
	}
	// Channels of platforms without a deliverer get neither alerts nor
	// digests queued: they would wait forever.
	deliverable := func(channel string) bool {
		for prefix := range m.platforms {
			if strings.HasPrefix(channel, prefix) {
				return true
			}
		}
		return false
	}
	m.alerter.Deliverable = deliverable
	m.sched = &bot.Scheduler{Store: m.st, Grace: cfg.DigestGrace, Log: m.log, Deliverable: deliverable,
		Queued: func(briefing.Delivery, bool) { m.disp.Wake() }}
	b.Changed = func() {
		m.sched.Reload()
		m.disp.Wake()
	}
}

// buildEndpoints makes the chat endpoints, /healthz and /metrics, and
// listens on addr.
func (m *Main) buildEndpoints(addr string) (int, bool) {
	cfg := m.cfg
	ep, err := newChatEndpoints(cfg, m.bot, m.log)
	if err != nil {
		fmt.Fprintf(m.env.stderr, "sahelbrief: config: %v\n", err)
		return exitUsage, false
	}
	for name, up := range ep.connected {
		m.health.Adapters[name] = up
	}
	ep.onState = func(platform string, up bool) { m.metrics.SetAdapterConnected(platform, up) }
	ep.mux.Handle("GET /healthz", m.health)
	ep.mux.Handle("GET /metrics", m.metrics.Handler())
	m.ep = ep

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if hasChat(cfg) {
			fmt.Fprintf(m.env.stderr, "sahelbrief run: %v\n", err)
			return exitFail, false
		}
		// Trying it out in a terminal: a busy port should not stop that.
		m.log.Warn("not serving /healthz and /metrics", "addr", addr, "error", err)
	} else {
		m.ln = ln
		m.log.Info("listening", "addr", ln.Addr().String(), "endpoints", strings.Join(append([]string{"/healthz", "/metrics"}, ep.paths...), ", "))
		hook("listening:" + ln.Addr().String())
	}
	return exitOK, true
}

// Close releases the lease (unless it was lost) and closes the store.
func (m *Main) Close() {
	if m.ln != nil {
		m.ln.Close() // Run has closed it (the server's shutdown) unless it never ran
	}
	m.lease.close()
	m.st.Close()
}

// exitCode is an error that ends Run with a process exit code: the parts
// of the bot whose end stops it (the HTTP server, the shell, the lease,
// the database file) return one, so that the errgroup stops the others.
type exitCode int

func (c exitCode) Error() string { return "exit " + strconv.Itoa(int(c)) }

// Run runs the bot until ctx ends or a part of it stops it, then shuts it
// down: it stops taking commands and polling, waits for them, and lets the
// dispatcher finish the post in flight last. It returns the exit code.
func (m *Main) Run(ctx context.Context) int {
	// Deliveries get their own context: on shutdown the dispatcher
	// finishes the post in flight and stops after the others.
	dispCtx, stopDisp := context.WithCancel(context.WithoutCancel(ctx))
	defer stopDisp()
	var deliveries errgroup.Group
	deliveries.Go(func() error {
		m.disp.Run(dispCtx)
		return nil
	})

	g, ctx := errgroup.WithContext(ctx) // ctx ends when a part stops the bot
	m.runBackground(ctx, g)
	serveCode := m.runStoppers(ctx, g, stopDisp)

	code := exitOK
	if c, ok := g.Wait().(exitCode); ok {
		code = int(c)
	}
	if *serveCode != exitOK && code == exitOK {
		code = *serveCode
	}
	stopDisp()
	deliveries.Wait()
	m.log.Info("sahelbrief stopped")
	return code
}

// runBackground starts the parts whose errors are logged and stop
// nothing: polling, retagging, the database watch, alerts and, after the
// first poll, the scheduler.
func (m *Main) runBackground(ctx context.Context, g *errgroup.Group) {
	background := func(name string, f func(context.Context) error) {
		g.Go(func() error {
			if err := f(ctx); err != nil && ctx.Err() == nil {
				m.log.Error(name+" stopped", "error", err)
			}
			return nil
		})
	}
	firstPoll := make(chan struct{})
	background("poller", m.pollLoop(ctx, firstPoll).Run)
	// A changed gazetteer reaches the items stored before it, beside polling.
	background("retag", func(ctx context.Context) error { return retagInBackground(ctx, m.st, m.gaz, m.log) })
	background("database watch", func(ctx context.Context) error { return health.WatchDatabase(ctx, m.st) })
	background("alerts", m.alerts)
	background("scheduler", func(ctx context.Context) error {
		// Digests owed from while the bot was down go out after the first
		// poll, with the news that came in meanwhile (or after
		// firstPollWait, if the sources are slow).
		select {
		case <-firstPoll:
		case <-time.After(firstPollWait):
		case <-ctx.Done():
			return nil
		}
		return m.sched.Run(ctx)
	})
	m.kickAlerts() // items stored while the bot was down
	m.health.SetReady(true)
	m.log.Info("sahelbrief running", "sources", len(m.srcs), "poll_interval", m.cfg.PollInterval.String(),
		"platforms", platformNames(m.platforms), "shell", m.withShell)
	g.Go(func() error {
		<-ctx.Done()
		m.health.SetReady(false) // shutting down
		return nil
	})
}

// runStoppers starts the parts whose end stops the bot: the HTTP server,
// the shell, a lost lease (which stops deliveries at once) and the
// database file gone. The server's exit code is read after g.Wait.
func (m *Main) runStoppers(ctx context.Context, g *errgroup.Group, stopDisp func()) *int {
	serveCode := new(int)
	g.Go(func() error {
		if m.ln != nil {
			*serveCode = serveUntilDone(ctx, m.ln, m.ep, m.env, "run")
		} else {
			<-ctx.Done()
		}
		return exitCode(*serveCode)
	})
	if m.withShell {
		g.Go(func() error {
			if err := m.shell(ctx); err != nil {
				fmt.Fprintf(m.env.stderr, "sahelbrief shell: %v\n", err)
				return exitCode(exitFail)
			}
			return exitCode(exitOK) // the user quit
		})
	}
	g.Go(func() error {
		select {
		case <-ctx.Done():
			return nil
		case err := <-m.lease.lost:
			m.lease.lost <- err // for close: nothing of ours to release
			if ctx.Err() != nil {
				return nil // stopping already
			}
			// Someone else delivers from this database now: stop at once.
			stopDisp()
			m.lease.reportLost(m.env, "run", err)
			return exitCode(exitFail)
		}
	})
	g.Go(func() error {
		select {
		case <-ctx.Done():
			return nil
		case <-m.st.Gone():
			// The file was deleted or replaced: what the bot writes now is
			// lost. Stop (the store already logged why) rather than run on.
			return exitCode(exitLost)
		}
	})
	return serveCode
}

// pollLoop is the poller's loop: it tags and stores new items, kicks the
// alerts, keeps the source health current and, once, closes firstPoll
// (saying in the try-out's shell how the first poll went).
func (m *Main) pollLoop(ctx context.Context, firstPoll chan struct{}) *sources.Loop {
	var firstOnce sync.Once
	var firstRound struct{ ok, items atomic.Int64 }
	return &sources.Loop{Poller: m.poller, Store: m.st, Sources: m.srcs, Interval: m.cfg.PollInterval, Log: m.log,
		AfterRound: func() {
			m.st.CheckFile()
			m.kickAlerts() // items whose stories came at the end of the round (AssignDeferred)
			// The last round may end after shutdown began: its
			// cancelled read is no error worth logging.
			if _, err := m.health.SourceHealth(ctx); err != nil && ctx.Err() == nil {
				m.log.Error("source health", "error", err)
			}
			firstOnce.Do(func() {
				close(firstPoll)
				if m.consoleOut.Prompt != "" {
					// The try-out: say once how the first poll went, in
					// the shell, rather than a log line per source.
					fmt.Fprintf(m.out, "\nFirst poll: %d of %d sources answered, %d new items stored. /sahel sources has the details.\n%s",
						firstRound.ok.Load(), len(m.srcs), firstRound.items.Load(), m.consoleOut.Prompt)
				}
			})
		},
		Report: func(res sources.Result, saved briefing.Saved) {
			kind := ""
			if res.Err != nil {
				kind = string(sources.KindOf(res.Err))
				// Logged when a source starts failing, not at every poll:
				// /healthz, /metrics and /sahel sources keep the state.
				if res.State.ConsecutiveFailures == 1 && m.consoleOut.Prompt == "" {
					m.log.Warn("source failing", "source", res.Source.Name, "error", res.Err)
				} else {
					m.log.Debug("source failed", "source", res.Source.Name, "failures", res.State.ConsecutiveFailures, "error", res.Err)
				}
			} else {
				firstRound.ok.Add(1)
			}
			firstRound.items.Add(int64(len(saved.New)))
			m.metrics.Fetch(res.Source.Name, string(res.Status), kind, len(saved.New), res.Duration)
			hook("ingested")
			if len(saved.New) > 0 {
				m.kickAlerts()
			}
		}}
}

// kickAlerts asks the alert goroutine to match what was stored.
func (m *Main) kickAlerts() {
	select {
	case m.alertKick <- struct{}{}:
	default:
	}
}

// alerts matches new items whenever the poller stored some, and wakes
// the dispatcher for what it queued.
func (m *Main) alerts(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-m.alertKick:
		}
		n, err := m.alerter.Process(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			m.log.Error("alert matching", "error", err)
			continue
		}
		hook("alerts")
		if n > 0 {
			m.disp.Wake()
		}
		if p, err := m.st.PendingCount(ctx); err == nil {
			m.metrics.SetPending(p)
		}
	}
}

// shell runs the console shell over stdin. It returns when the user quits
// (or ends a terminal's input); when stdin is not a terminal and ends, the
// bot keeps running until it is signalled, as a service would.
func (m *Main) shell(ctx context.Context) error {
	sh := &console.Shell{Bot: m.bot, In: m.env.stdin, Out: m.out, Color: isTerminal(m.env.stdout)}
	interactive := m.interactive()
	if interactive {
		fmt.Fprintf(m.out, "sahelbrief: polling %d sources every %s; alerts and digests for this console appear here.\n"+
			"Type /sahel help, or quit.\n", len(m.srcs), m.cfg.PollInterval)
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
func (m *Main) interactive() bool {
	f, ok := m.env.stdin.(*os.File)
	return m.withShell && ok && isTerminal(f)
}
