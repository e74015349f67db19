package discord

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

const (
	// DefaultDefer is how long the handler waits for the bot before it
	// answers "thinking…" (Discord allows 3 seconds for the first answer).
	DefaultDefer = 2500 * time.Millisecond
	// followupWindow bounds a deferred command: interaction tokens last
	// 15 minutes.
	followupWindow = 14 * time.Minute
	// permManageChannels is Discord's MANAGE_CHANNELS permission bit.
	permManageChannels = 1 << 4
	// permAdministrator is ADMINISTRATOR, which grants every permission
	// (Discord does not set the others' bits for it).
	permAdministrator = 1 << 3
)

// InteractionHandler answers Discord's HTTP interactions for `/sahel`.
type InteractionHandler struct {
	Bot      *bot.Bot
	Verifier *Verifier
	Session  *discordgo.Session // REST, for follow-up messages
	AppID    string
	Defer    time.Duration // default DefaultDefer
	Log      *slog.Logger

	pending  sync.WaitGroup
	seen     seenIDs                                  // commands answered lately, to refuse replays
	rendered bot.Rendered[[]*discordgo.WebhookParams] // messages kept for a burst of the same answer
}

// Wait blocks until every follow-up in flight has been sent (or failed);
// call it on shutdown after the HTTP server stops.
func (h *InteractionHandler) Wait() { h.pending.Wait() }

// Handler verifies each request (401 if unsigned, 413 beyond maxBody) and
// answers it.
func (h *InteractionHandler) Handler(maxBody int64) http.Handler {
	return h.Verifier.Middleware(maxBody, http.HandlerFunc(h.serve))
}

func (h *InteractionHandler) log() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}

func (h *InteractionHandler) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "cannot read request body", http.StatusBadRequest)
		return
	}
	if IsPing(body) {
		WritePong(w)
		return
	}
	var in discordgo.Interaction
	if err := json.Unmarshal(body, &in); err != nil {
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	switch in.Type {
	case discordgo.InteractionApplicationCommand:
		// A signed request stays valid for the verifier's clock skew
		// either way: a replay within it must not run the command again.
		if !h.seen.first(in.ID, time.Now(), 2*h.Verifier.skew()) {
			h.log().Warn("discord: replayed interaction refused", "id", in.ID)
			http.Error(w, "interaction already handled", http.StatusConflict)
			return
		}
		h.command(w, r, &in)
	case discordgo.InteractionApplicationCommandAutocomplete:
		h.autocomplete(w, &in)
	default:
		http.Error(w, "unsupported interaction type", http.StatusBadRequest)
	}
}

func writeResponse(w http.ResponseWriter, resp *discordgo.InteractionResponse) {
	b, err := json.Marshal(resp)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

// subcommand returns the invoked subcommand (nil if none).
func subcommand(in *discordgo.Interaction) *discordgo.ApplicationCommandInteractionDataOption {
	data := in.ApplicationCommandData()
	for _, o := range data.Options {
		if o.Type == discordgo.ApplicationCommandOptionSubCommand {
			return o
		}
	}
	return nil
}

// commandText rebuilds the text after `/sahel` from the subcommand and its
// options, in the order the bot's parser expects, and says whether the
// user asked to share the answer.
func commandText(sub *discordgo.ApplicationCommandInteractionDataOption) (text string, share bool) {
	if sub == nil {
		return "", false
	}
	opts := map[string]*discordgo.ApplicationCommandInteractionDataOption{}
	for _, o := range sub.Options {
		opts[o.Name] = o
	}
	str := func(name string) string {
		o := opts[name]
		if o == nil {
			return ""
		}
		switch v := o.Value.(type) {
		case string:
			return strings.Join(strings.Fields(v), " ")
		case float64:
			return strconv.FormatInt(int64(v), 10)
		case bool:
			return strconv.FormatBool(v)
		}
		return ""
	}
	if o := opts[optShare]; o != nil {
		share, _ = o.Value.(bool)
	}
	parts := []string{sub.Name}
	for _, name := range []string{optName, optQuery, optID, optSchedule, optTZ, optCommand, optSince} {
		if s := str(name); s != "" {
			parts = append(parts, s)
		}
	}
	text = strings.Join(parts, " ")
	if share {
		text += " --share"
	}
	return text, share
}

func (h *InteractionHandler) request(in *discordgo.Interaction, text string) bot.Request {
	r := bot.Request{Channel: "discord:" + in.ChannelID, Text: text}
	switch {
	case in.Member != nil:
		if in.Member.User != nil {
			r.User = in.Member.User.ID
		}
		r.CanManage = in.Member.Permissions&(permManageChannels|permAdministrator) != 0
	case in.User != nil:
		r.User = in.User.ID
	}
	return r
}

func (h *InteractionHandler) command(w http.ResponseWriter, r *http.Request, in *discordgo.Interaction) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), followupWindow)
	h.answer(ctx, cancel, in, func(resp *discordgo.InteractionResponse) error {
		writeResponse(w, resp)
		return nil
	})
}

// answer runs a command and responds inline when the bot is done within
// Defer, else defers and sends the answer as follow-ups. respond sends the
// interaction response: the HTTP reply, or the REST callback on the
// gateway. cancel ends ctx once nothing more will be sent.
func (h *InteractionHandler) answer(ctx context.Context, cancel context.CancelFunc, in *discordgo.Interaction, respond func(*discordgo.InteractionResponse) error) {
	text, share := commandText(subcommand(in))
	req := h.request(in, text)
	done := make(chan bot.Response, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				h.log().Error("discord: command panicked", "text", req.Text, "panic", p)
				done <- bot.Response{Text: "Sorry, something went wrong.", Err: true}
			}
		}()
		done <- h.Bot.Handle(ctx, req)
	}()
	wait := h.Defer
	if wait <= 0 {
		wait = DefaultDefer
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case resp := <-done:
		msgs := h.messages(resp)
		first, rest := msgs[0], msgs[1:]
		err := respond(&discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{
				Content: first.Content, Embeds: first.Embeds, AllowedMentions: noMentions(), Flags: first.Flags,
			},
		})
		if err != nil {
			h.log().Error("discord: interaction response failed", "id", in.ID, "err", err)
		}
		if err != nil || len(rest) == 0 {
			cancel()
			return
		}
		h.pending.Add(1)
		go func() {
			defer h.pending.Done()
			defer cancel()
			h.followUp(ctx, in, rest)
		}()
	case <-timer.C:
		data := &discordgo.InteractionResponseData{AllowedMentions: noMentions()}
		if !share {
			data.Flags = discordgo.MessageFlagsEphemeral
		}
		if err := respond(&discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource, Data: data}); err != nil {
			h.log().Error("discord: deferred response failed", "id", in.ID, "err", err)
			cancel()
			return
		}
		h.pending.Add(1)
		go func() {
			defer h.pending.Done()
			defer cancel()
			var resp bot.Response
			select {
			case resp = <-done:
			case <-ctx.Done():
				resp = bot.Response{Text: "Sorry, that took too long.", Err: true}
			}
			h.followUp(ctx, in, h.messages(resp))
		}()
	}
}

// followUp posts messages as the interaction's follow-ups, in order.
func (h *InteractionHandler) followUp(ctx context.Context, in *discordgo.Interaction, msgs []*discordgo.WebhookParams) {
	if h.Session == nil {
		h.log().Error("discord: no session for follow-up messages", "messages", len(msgs))
		return
	}
	if in.AppID == "" {
		in.AppID = h.AppID
	}
	for i, m := range msgs {
		if _, err := h.Session.FollowupMessageCreate(in, true, m, discordgo.WithContext(ctx)); err != nil {
			h.log().Error("discord: follow-up failed", "part", i+1, "of", len(msgs), "err", err)
			return
		}
	}
}

// messages are resp's messages, rendered once for a burst of the same
// answer (bot.Response.RenderKey). They are shared: not to be changed.
func (h *InteractionHandler) messages(resp bot.Response) []*discordgo.WebhookParams {
	if resp.RenderKey == "" {
		return responseMessages(resp)
	}
	return h.rendered.Get(resp.RenderKey+"|"+strconv.FormatBool(resp.Share),
		func() []*discordgo.WebhookParams { return responseMessages(resp) })
}

// responseMessages turns a bot response into one or more messages, never
// none; each forbids mentions and is ephemeral unless shared.
func responseMessages(resp bot.Response) []*discordgo.WebhookParams {
	var flags discordgo.MessageFlags
	if !resp.Share {
		flags = discordgo.MessageFlagsEphemeral
	}
	var out []*discordgo.WebhookParams
	if resp.Digest != nil {
		for _, m := range RenderDigest(resp.Digest) {
			out = append(out, &discordgo.WebhookParams{Content: m.Content, Embeds: m.Embeds, AllowedMentions: noMentions(), Flags: flags})
		}
	} else {
		for _, part := range splitText(inert(resp.Text), MaxContent) {
			out = append(out, &discordgo.WebhookParams{Content: part, AllowedMentions: noMentions(), Flags: flags})
		}
	}
	if len(out) == 0 {
		out = append(out, &discordgo.WebhookParams{Content: "Nothing to show.", AllowedMentions: noMentions(), Flags: flags})
	}
	return out
}

// inert neutralises what user input echoed in the bot's text could do
// outside code spans (which Discord renders literally): mentions, channel
// and timestamp tags, masked links and spoilers. The bot's own markdown
// (code spans, bold) is kept.
func inert(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	code := false
	for _, r := range s {
		switch {
		case r == '`':
			code = !code
			b.WriteRune(r)
		case r == '@':
			b.WriteString("@" + bot.NoPing)
		case !code && strings.ContainsRune("<[]|\\", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// splitText cuts s into parts of at most max UTF-16 units, preferably at
// line breaks, then at spaces.
func splitText(s string, max int) []string {
	var parts []string
	for bot.Units(s) > max {
		head := cut(s, max)
		head = strings.TrimSuffix(head, bot.Ellipsis)
		if i := strings.LastIndexByte(head, '\n'); i > len(head)/2 {
			head = head[:i]
		}
		if head == "" {
			break
		}
		parts = append(parts, head)
		s = strings.TrimLeft(s[len(head):], "\n ")
	}
	if strings.TrimSpace(s) != "" {
		parts = append(parts, s)
	}
	return parts
}

func (h *InteractionHandler) autocomplete(w http.ResponseWriter, in *discordgo.Interaction) {
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	if sub := subcommand(in); sub != nil {
		var kind tagger.Kind
		switch sub.Name {
		case "country":
			kind = tagger.KindCountry
		case "actor":
			kind = tagger.KindActor
		}
		for _, o := range sub.Options {
			if o.Focused && o.Name == optName && kind != 0 {
				typed, _ := o.Value.(string)
				choices = AutocompleteChoices(h.Bot.Gazetteer, kind, typed)
			}
		}
	}
	writeResponse(w, &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices},
	})
}
