package slack

import (
	stdctx "context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// SocketMode answers slash commands over a Slack Socket Mode connection, so
// the app needs no public HTTP endpoint. Answers are built and delivered as
// CommandHandler builds and delivers them: a command that answers within
// the ack window is answered in the envelope's acknowledgement; a slower
// one is acknowledged empty and answered through its response_url, as are
// the extra parts of a long digest.
type SocketMode struct {
	Bot *bot.Bot
	// API is a Web API client created with slackgo.OptionAppLevelToken (the
	// xapp- token); it opens the Socket Mode connection.
	API *slackgo.Client
	// Managers decides who may manage channels; nil means only Admins can.
	Managers *Managers
	// Admins are Slack user ids allowed to manage channels when Managers is
	// nil.
	Admins map[string]bool
	// Command is the slash command answered; empty means DefaultCommand.
	Command string
	// Log is the logger; nil means slog.Default(). Tokens and response_url
	// paths are never logged.
	Log *slog.Logger

	// Optional, mostly for tests: see the CommandHandler fields of the
	// same names (zero values mean the same defaults).
	Ack                time.Duration
	Timeout            time.Duration
	Client             *http.Client
	ResponseURLAllowed func(u *url.URL) bool

	// OnState, if set, is told whenever the connection goes up (true) or
	// down (false): for a health check or a gauge. It is called only on
	// changes, in order, one call at a time, with no lock held (it may call
	// Connected); it should return quickly. Set it before Run.
	OnState func(connected bool)

	state bot.ConnState
}

// Connected reports whether the Socket Mode connection is up: it has
// connected (or said hello) and not since lost the connection, started to
// reconnect or stopped running.
func (s *SocketMode) Connected() bool { return s.state.Up() }

// Run connects and answers slash commands until ctx ends, then waits for
// the commands in flight (cancelled with ctx) and returns nil. It returns an
// error if the connection fails for good (bad token, say) before that.
// It is one function (over 80 lines) because it is one event loop whose
// cases share the run's state, cancel function and wait group.
func (s *SocketMode) Run(ctx stdctx.Context) error {
	if s.Bot == nil || s.API == nil {
		return errors.New("slack: socket mode needs a Bot and an API client")
	}
	h := &CommandHandler{
		Bot:                s.Bot,
		Client:             s.Client,
		Managers:           s.Managers,
		Admins:             s.Admins,
		Ack:                s.Ack,
		Log:                s.Log,
		Command:            s.Command,
		Timeout:            s.Timeout,
		ResponseURLAllowed: s.ResponseURLAllowed,
	}
	log := h.log()
	client := socketmode.New(s.API)
	run := s.state.Begin()

	runCtx, cancel := stdctx.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- client.RunContext(runCtx) }()

	var wg sync.WaitGroup
	defer wg.Wait() // after cancel (deferred later, so run earlier)
	defer cancel()
	// Down as soon as the loop ends, before waiting for commands in flight.
	defer s.state.End(run, s.OnState)
	for {
		select {
		case <-ctx.Done():
			cancel()
			<-errc
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			if err == nil {
				err = errors.New("socket mode connection ended")
			}
			return fmt.Errorf("slack: socket mode: %w", markAuth(err))
		case ev := <-client.Events:
			switch ev.Type {
			case socketmode.EventTypeSlashCommand:
				cmd, ok := ev.Data.(slackgo.SlashCommand)
				if !ok || ev.Request == nil {
					log.Warn("slack: malformed slash command event")
					continue
				}
				req := *ev.Request
				wg.Go(func() { s.command(runCtx, h, client, req, cmd) })
			case socketmode.EventTypeConnected, socketmode.EventTypeHello:
				// Event data may carry the WebSocket URL (with its ticket):
				// log the type only.
				log.Debug("slack: socket mode", "event", string(ev.Type))
				s.state.Set(run, true, s.OnState)
			case socketmode.EventTypeConnectionError:
				// slack-go would retry on its own, from 100 ms and logging
				// nothing: stop it and return the failure, so the caller
				// retries with the bot's backoff and logs the reason.
				s.state.Set(run, false, s.OnState)
				cancel()
				<-errc
				if ctx.Err() != nil {
					return nil
				}
				err := errors.New(connectError(ev.Data))
				if ce, ok := ev.Data.(*slackgo.ConnectionErrorEvent); ok && isAuthFailure(ce.ErrorObj) {
					err = bot.AuthRejected(err)
				}
				return fmt.Errorf("slack: socket mode: %w", err)
			case socketmode.EventTypeConnecting, socketmode.EventTypeDisconnect, socketmode.EventTypeInvalidAuth:
				log.Debug("slack: socket mode", "event", string(ev.Type))
				s.state.Set(run, false, s.OnState)
			default:
				// Events API, interactivity, errors: not ours.
			}
		}
	}
}

// connectError is the reason of a failed connection attempt, with any
// URL's query (the WebSocket URL carries a ticket) cut out.
func connectError(data any) string {
	ev, ok := data.(*slackgo.ConnectionErrorEvent)
	if !ok || ev.ErrorObj == nil {
		return "connection failed"
	}
	return urlQuery.ReplaceAllString(ev.ErrorObj.Error(), "$1")
}

// authCodes are the Slack error codes that mean the token was refused.
var authCodes = map[string]bool{"invalid_auth": true, "not_authed": true, "token_revoked": true,
	"account_inactive": true, "token_expired": true}

// isAuthFailure reports whether err is Slack refusing the token: one of
// authCodes, or HTTP 401.
func isAuthFailure(err error) bool {
	var se slackgo.SlackErrorResponse
	var sc slackgo.StatusCodeError
	return errors.As(err, &se) && authCodes[se.Err] || errors.As(err, &sc) && sc.Code == http.StatusUnauthorized
}

// markAuth marks err bot.AuthRejected when Slack refused the token, so the
// caller (bot.KeepConnected) stops retrying.
func markAuth(err error) error {
	if isAuthFailure(err) {
		return bot.AuthRejected(err)
	}
	return err
}

// urlQuery matches a URL's query and fragment, keeping what precedes them.
var urlQuery = regexp.MustCompile(`((?:https?|wss?)://[^\s"'?#]*)[?#][^\s"']*`)

// command answers one slash command envelope; it always acknowledges it.
func (s *SocketMode) command(ctx stdctx.Context, h *CommandHandler, client *socketmode.Client, env socketmode.Request, cmd slackgo.SlashCommand) {
	log := h.log().With("channel", "slack:"+cmd.ChannelID, "user", cmd.UserID, "team", cmd.TeamID)
	ack := func(payload any) bool {
		if err := client.AckCtx(ctx, env.EnvelopeID, payload); err != nil {
			log.Warn("slack: socket mode ack failed", "error", err)
			return false
		}
		return true
	}
	if c := strings.TrimSpace(cmd.Command); !strings.EqualFold(c, h.command()) {
		log.Warn("slack: unexpected slash command", "command", clip(c, 40))
		ack(textReply(fmt.Sprintf("This app answers `%s`. Try `%s help`.", h.command(), h.command()), false))
		return
	}
	req := bot.Request{
		Channel: "slack:" + cmd.ChannelID,
		User:    cmd.UserID,
		Text:    cmd.Text,
	}
	ru, err := h.responseURL(cmd.ResponseURL)
	if err != nil {
		log.Warn("slack: response_url refused", "error", err)
	}

	cctx, cancel := stdctx.WithTimeout(ctx, h.timeout())
	defer cancel()
	done := make(chan bot.Response, 1)
	timer := time.NewTimer(h.ack())
	go func() {
		// The permission lookup (users.info) runs inside the ack window.
		req.CanManage = h.canManage(cctx, req.User)
		done <- h.handle(cctx, req, log)
	}()
	defer timer.Stop()

	var resp bot.Response
	acked := false
	select {
	case resp = <-done:
		limit := 1
		if ru != nil {
			limit += maxResponseURLUses
		}
		rs := replies(resp, limit)
		if client.AckCtx(ctx, env.EnvelopeID, rs[0]) == nil {
			if len(rs) > 1 {
				h.deliver(cctx, ru, rs[1:], log)
			}
			return
		}
		// Most likely over the 20KB ack limit: send it all to response_url.
		log.Warn("slack: answer too large to ack, using response_url")
	case <-timer.C:
		if !ack(nil) {
			return
		}
		acked = true
		select {
		case resp = <-done:
		case <-cctx.Done():
			log.Error("slack: command timed out", "error", cctx.Err())
			return
		}
	}
	// Here the ack with the answer failed: acknowledge the envelope empty.
	if !acked && !ack(nil) {
		return
	}
	if ru == nil {
		log.Error("slack: answer not delivered: no usable response_url")
		return
	}
	h.deliver(cctx, ru, replies(resp, maxResponseURLUses), log)
}
