package discordfake

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// channelOK checks a channel id is a snowflake.
func channelOK(w http.ResponseWriter, r *http.Request) (string, bool) {
	ch := r.PathValue("channel")
	if ch == "" || strings.Trim(ch, "0123456789") != "" {
		writeError(w, http.StatusNotFound, 10003, "Unknown Channel")
		return "", false
	}
	return ch, true
}

// createBody is the part of a create-message body the fake reads.
type createBody struct {
	Content         string           `json:"content"`
	Embeds          []map[string]any `json:"embeds"`
	Nonce           any              `json:"nonce"` // string or integer
	EnforceNonce    bool             `json:"enforce_nonce"`
	AllowedMentions map[string]any   `json:"allowed_mentions"`
	Reference       map[string]any   `json:"message_reference"`
}

// createMessage answers POST /channels/{channel}/messages: an injected
// failure, or the body checked as Discord does, deduplicated by nonce
// under enforce_nonce, and stored.
func (s *Server) createMessage(w http.ResponseWriter, r *http.Request) {
	if !s.checkAuth(r) {
		writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return
	}
	ch, ok := channelOK(w, r)
	if !ok {
		return
	}
	var raw bytes.Buffer
	if _, err := raw.ReadFrom(http.MaxBytesReader(w, r.Body, 1<<20)); err != nil {
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.posts++
	if code := s.nextPostFail(); code != 0 {
		writeStatus(w, code)
		return
	}
	body, nonce, ok := s.decodeCreate(w, r.Header.Get("Content-Type"), ch, raw.Bytes())
	if !ok {
		return
	}
	if body.EnforceNonce {
		if m, ok := s.sameNonce(ch, nonce, now); ok {
			s.dedups++
			writeJSON(w, http.StatusOK, messageJSON(m, true))
			return
		}
	}
	ref, ok := s.resolveReference(w, ch, body.Reference)
	if !ok {
		return
	}
	m := Message{ID: s.nextID(now), ChannelID: ch, Content: body.Content, Nonce: nonce,
		Embeds: body.Embeds, Reference: ref, AuthorID: BotUserID}
	if m.Embeds == nil {
		m.Embeds = []map[string]any{}
	}
	s.msgs = append(s.msgs, stored{Message: m, created: now})
	writeJSON(w, http.StatusOK, messageJSON(m, true))
}

// nextPostFail consumes the next queued FailPosts status, 0 for none.
// Called with mu held.
func (s *Server) nextPostFail() int {
	if len(s.postFails) == 0 {
		return 0
	}
	code := s.postFails[0]
	s.postFails = s.postFails[1:]
	return code
}

// decodeCreate decodes and checks a create-message body sent with
// Content-Type ct to channel ch, returning it and its nonce as a string.
// When it is not valid it records the problem, answers Discord's error
// and returns false. Called with mu held.
func (s *Server) decodeCreate(w http.ResponseWriter, ct, ch string, raw []byte) (createBody, string, bool) {
	var body createBody
	if !strings.HasPrefix(ct, "application/json") {
		s.problem("create message in %s with Content-Type %q, not JSON", ch, ct)
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return body, "", false
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		s.problem("create message in %s: body is not JSON: %v", ch, err)
		writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return body, "", false
	}
	nonce, ok := s.nonceOf(ch, body.Nonce)
	if !ok {
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return body, "", false
	}
	if body.EnforceNonce && nonce == "" {
		s.problem("create message in %s: enforce_nonce without a nonce", ch)
	}
	if body.AllowedMentions == nil {
		s.problem("create message in %s without allowed_mentions", ch)
	} else if p, ok := body.AllowedMentions["parse"].([]any); !ok || len(p) != 0 {
		s.problem("create message in %s: allowed_mentions.parse is %v, not []", ch, body.AllowedMentions["parse"])
	}
	return body, nonce, s.checkContent(w, ch, body)
}

// nonceOf is a body's nonce as a string ("" without), or false, with the
// problem recorded, when it is neither a string nor an integer or is
// longer than Discord's 25 characters. Called with mu held.
func (s *Server) nonceOf(ch string, v any) (string, bool) {
	nonce := ""
	switch n := v.(type) {
	case nil:
	case string:
		nonce = n
	case float64:
		nonce = strconv.FormatFloat(n, 'f', -1, 64)
	default:
		s.problem("create message in %s: nonce %v is neither a string nor an integer", ch, n)
		return "", false
	}
	if utf8.RuneCountInString(nonce) > 25 {
		s.problem("create message in %s: nonce %q is longer than 25 characters", ch, nonce)
		return "", false
	}
	return nonce, true
}

// checkContent checks a message is not empty and within Discord's
// limits, or records the problem, answers Discord's error and returns
// false. Called with mu held.
func (s *Server) checkContent(w http.ResponseWriter, ch string, body createBody) bool {
	if body.Content == "" && len(body.Embeds) == 0 {
		s.problem("create message in %s: empty message", ch)
		writeError(w, http.StatusBadRequest, 50006, "Cannot send an empty message")
		return false
	}
	if n := utf8.RuneCountInString(body.Content); n > 2000 {
		s.problem("create message in %s: content of %d characters (at most 2000)", ch, n)
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return false
	}
	if len(body.Embeds) > 10 {
		s.problem("create message in %s: %d embeds (at most 10)", ch, len(body.Embeds))
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return false
	}
	return true
}

// sameNonce is Discord's enforce_nonce: the message already created in
// ch with nonce within the nonce window, if any. Called with mu held.
func (s *Server) sameNonce(ch, nonce string, now time.Time) (Message, bool) {
	if nonce == "" || s.nonceWindow <= 0 {
		return Message{}, false
	}
	for i := len(s.msgs) - 1; i >= 0; i-- {
		m := s.msgs[i]
		if m.ChannelID == ch && m.Nonce == nonce && now.Sub(m.created) < s.nonceWindow {
			return m.Message, true
		}
	}
	return Message{}, false
}

// resolveReference is the message_reference a reply in ch is stored
// with: nil for none, or for an unknown message with fail_if_not_exists
// false (Discord posts it as a plain message). A reply to an unknown
// message otherwise records the problem, answers Discord's error and
// returns false. Called with mu held.
func (s *Server) resolveReference(w http.ResponseWriter, ch string, ref map[string]any) (map[string]any, bool) {
	if ref == nil {
		return nil, true
	}
	id, _ := ref["message_id"].(string)
	rch, _ := ref["channel_id"].(string)
	if rch == "" {
		rch = ch
	}
	if rch != ch {
		s.problem("create message in %s: reply to message %s of another channel %s", ch, id, rch)
	}
	if !s.exists(rch, id) {
		if f, ok := ref["fail_if_not_exists"].(bool); ok && !f {
			return nil, true
		}
		s.problem("create message in %s: reply to unknown message %q", ch, id)
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return nil, false
	}
	out := map[string]any{"type": 0, "message_id": id, "channel_id": rch}
	if g, ok := ref["guild_id"].(string); ok && g != "" {
		out["guild_id"] = g
	}
	return out, true
}

// exists reports whether message id is in channel. Called with mu held.
func (s *Server) exists(channel, id string) bool {
	for _, m := range s.msgs {
		if m.ChannelID == channel && m.ID == id {
			return true
		}
	}
	return false
}

// snowflakeTime is when a snowflake id was made.
func snowflakeTime(id string) time.Time {
	n, _ := strconv.ParseInt(id, 10, 64)
	return time.UnixMilli(n>>22 + discordEpoch).UTC()
}

// messageJSON is m as Discord returns it; the nonce only in the answer
// to its creation.
func messageJSON(m Message, withNonce bool) map[string]any {
	v := map[string]any{
		"id": m.ID, "channel_id": m.ChannelID, "type": 0, "content": m.Content,
		"embeds": cloneAny(m.Embeds), "author": botUser(),
		"timestamp":        snowflakeTime(m.ID).Format("2006-01-02T15:04:05.000000+00:00"),
		"edited_timestamp": nil, "tts": false, "mention_everyone": false, "mentions": []any{},
		"mention_roles": []any{}, "attachments": []any{}, "components": []any{}, "pinned": false, "flags": 0,
	}
	if m.Reference != nil {
		v["type"] = 19 // REPLY
		v["message_reference"] = maps.Clone(m.Reference)
	}
	if withNonce && m.Nonce != "" {
		v["nonce"] = m.Nonce
	}
	return v
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) {
	if !s.checkAuth(r) {
		writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return
	}
	ch, ok := channelOK(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists++
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			s.problem("list messages in %s with limit %q (1 to 100)", ch, v)
			writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
			return
		}
		limit = n
	}
	for _, p := range []string{"before", "after", "around"} {
		if q.Has(p) {
			s.problem("list messages in %s with %s: the fake does not page", ch, p)
		}
	}
	out := []map[string]any{}
	for i := len(s.msgs) - 1; i >= 0 && len(out) < limit; i-- {
		if m := s.msgs[i]; m.ChannelID == ch {
			out = append(out, messageJSON(m.Message, false))
		}
	}
	writeJSON(w, http.StatusOK, out)
}
