package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/bot/discord"
	"github.com/sahelbrief/sahelbrief/bot/slack"
	"github.com/sahelbrief/sahelbrief/config"
	"github.com/sahelbrief/sahelbrief/internal/health"
	"github.com/sahelbrief/sahelbrief/internal/redact"
	"golang.org/x/net/netutil"
)

// maxRequestBody bounds what the chat endpoints read before verifying.
const maxRequestBody = 64 << 10

// chatEndpoints is the HTTP side of the bot: /healthz, and the Slack and
// Discord endpoints the configuration enables. Wait lets shutdown finish
// the answers still being delivered.
type chatEndpoints struct {
	mux   *http.ServeMux
	waits []func()
	paths []string
	// runners are long-lived connections (Slack Socket Mode, Discord's
	// gateway), each kept up by bot.KeepConnected, that run beside the HTTP
	// server until the context ends.
	runners []func(context.Context) error
	// connected reports, per platform, whether its adapter is connected
	// (HTTP endpoints are whenever the server runs).
	connected map[string]func() bool
	// onState, when set before the runners start, is told when a
	// long-lived connection goes up or down.
	onState func(platform string, up bool)
}

func (e *chatEndpoints) stateTo(platform string) func(bool) {
	return func(up bool) {
		if e.onState != nil {
			e.onState(platform, up)
		}
	}
}

// newChatEndpoints builds the endpoints for cfg. Each platform's handler
// verifies signatures before it parses anything.
func newChatEndpoints(cfg *config.Config, b *bot.Bot, log *slog.Logger) (*chatEndpoints, error) {
	e := &chatEndpoints{mux: http.NewServeMux(), connected: map[string]func() bool{}}
	always := func() bool { return true }
	// Who may manage a channel on Slack: the listed users, and workspace
	// admins and owners (asked of users.info when there is a bot token).
	managers := &slack.Managers{Listed: map[string]bool{}, Log: log}
	for _, id := range cfg.SlackManagers {
		managers.Listed[id] = true
	}
	if cfg.SlackBotToken != "" {
		managers.API = slack.NewClient(cfg.SlackBotToken, cfg.SlackAPIURL, nil)
	}
	if cfg.SlackSigningSecret != "" {
		h := &slack.CommandHandler{Bot: b, Verifier: &slack.Verifier{Secret: []byte(cfg.SlackSigningSecret)}, Managers: managers, Log: log}
		e.mux.Handle("POST /slack/commands", h.Handler(maxRequestBody))
		e.waits = append(e.waits, h.Wait)
		e.paths = append(e.paths, "/slack/commands")
		e.connected["slack_http"] = always
	}
	if cfg.SlackAppToken != "" {
		// config has checked SLACK_BOT_TOKEN is set too.
		sm := &slack.SocketMode{Bot: b, API: slack.NewSocketClient(cfg.SlackBotToken, cfg.SlackAppToken, cfg.SlackAPIURL), Managers: managers, Log: log}
		sm.OnState = e.stateTo("slack")
		e.addRunner("Slack Socket Mode", sm.Run, log)
		e.connected["slack"] = sm.Connected
		e.paths = append(e.paths, "Slack Socket Mode")
	}
	if cfg.DiscordPublicKey != "" {
		key, err := discord.ParsePublicKey(cfg.DiscordPublicKey)
		if err != nil {
			return nil, fmt.Errorf("DISCORD_PUBLIC_KEY: %w", err)
		}
		h := &discord.InteractionHandler{Bot: b, Verifier: &discord.Verifier{PublicKey: key}, AppID: cfg.DiscordAppID, Log: log}
		if cfg.DiscordBotToken != "" {
			s, err := discord.NewSession(cfg.DiscordBotToken, cfg.DiscordAPIURL, nil)
			if err != nil {
				return nil, err
			}
			h.Session = s
		}
		e.mux.Handle("POST /discord/interactions", h.Handler(maxRequestBody))
		e.waits = append(e.waits, h.Wait)
		e.paths = append(e.paths, "/discord/interactions")
		e.connected["discord_http"] = always
	}
	if cfg.DiscordBotToken != "" {
		// Gateway mode: interactions arrive over Discord's websocket (no
		// public URL needed); no privileged intents.
		s, err := discord.NewSession(cfg.DiscordBotToken, cfg.DiscordAPIURL, nil)
		if err != nil {
			return nil, err
		}
		gw := &discord.Gateway{Bot: b, Session: s, Log: log}
		gw.OnState = e.stateTo("discord")
		e.addRunner("Discord gateway", gw.Run, log)
		e.connected["discord"] = gw.Connected
		e.paths = append(e.paths, "Discord gateway")
	}
	return e, nil
}

// addRunner adds a long-lived connection, kept up across outages (for
// `run` and `serve` alike): only a rejected token stops it.
func (e *chatEndpoints) addRunner(name string, run func(context.Context) error, log *slog.Logger) {
	e.runners = append(e.runners, bot.KeepConnected(name, run, log))
}

func runServe(ctx context.Context, env *cliEnv, args []string) int {
	fs := newFlagSet(env, "serve")
	addr := fs.String("addr", "", "listen `address` (default SAHELBRIEF_HTTP_ADDR, :8080)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, b, st, code := openBot(ctx, env, openStore)
	if b == nil {
		return code
	}
	defer st.Close()
	lease, ok := holdBotLease(ctx, env, "serve", cfg, st)
	if !ok {
		return exitFail
	}
	defer lease.close()
	log := slog.Default()
	ep, err := newChatEndpoints(cfg, b, log)
	if err != nil {
		fmt.Fprintf(env.stderr, "sahelbrief: config: %v\n", err)
		return exitUsage
	}
	ep.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		health.ServeDatabase(w, r, st)
	})
	if len(ep.paths) == 0 { // only /healthz: nothing anyone could use
		fmt.Fprintln(env.stderr, "sahelbrief serve: nothing to serve: set SLACK_SIGNING_SECRET or SLACK_APP_TOKEN + SLACK_BOT_TOKEN "+
			"(Slack), DISCORD_PUBLIC_KEY or DISCORD_BOT_TOKEN (Discord); `sahelbrief shell` answers in the terminal")
		return exitUsage
	}
	if *addr == "" {
		*addr = cfg.HTTPAddr
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(env.stderr, "sahelbrief serve: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(env.stderr, "sahelbrief: listening on %s (/healthz, %s)\n", ln.Addr(), strings.Join(ep.paths, ", "))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lostErr := make(chan error, 1)
	go func() {
		select {
		case err := <-lease.lost:
			lease.lost <- err
			lostErr <- err
			cancel()
		case <-ctx.Done():
		}
	}()
	code = serveUntilDone(ctx, ln, ep, env, "serve")
	select {
	case err := <-lostErr:
		lease.reportLost(env, "serve", err)
		return exitFail
	default:
		return code
	}
}

// Limits of the HTTP server (README, "Running the bot"): an idle
// keep-alive connection is closed after httpIdleTimeout, and at most
// httpMaxConns connections are open at once (further ones wait in the
// kernel's backlog), so idle or slow clients cannot exhaust file
// descriptors or memory. Slack and Discord send one request at a time
// per command: 256 is far above any real load.
const (
	httpIdleTimeout = 60 * time.Second
	httpMaxConns    = 256
)

// newHTTPServer is the one HTTP server configuration of run and serve.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: httpIdleTimeout}
}

// serveUntilDone serves until ctx ends, then stops taking requests and
// finishes the answers in flight under a fresh time limit. cmd names the
// command (run, serve) in the messages it prints.
func serveUntilDone(ctx context.Context, ln net.Listener, ep *chatEndpoints, env *cliEnv, cmd string) int {
	srv := newHTTPServer(ep.mux)
	ln = netutil.LimitListener(ln, httpMaxConns)
	prefix := "sahelbrief " + cmd + ": "
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	errc := make(chan error, 1+len(ep.runners))
	go func() { errc <- srv.Serve(ln) }()
	var runners sync.WaitGroup
	for _, run := range ep.runners {
		runners.Add(1)
		go func() {
			defer runners.Done()
			if err := run(ctx); err != nil {
				errc <- err
			}
		}()
	}
	code := exitOK
	select {
	case err := <-errc:
		fmt.Fprintf(env.stderr, "%s%s\n", prefix, redact.URLs(err.Error()))
		code = exitFail
	case <-ctx.Done():
	}
	stop()
	runners.Wait()
	shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(env.stderr, "%sshutdown: %v\n", prefix, err)
	}
	for _, wait := range ep.waits {
		wait()
	}
	return code
}
