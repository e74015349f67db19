package discordfake

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// gateway answers GET /gateway and /gateway/bot with the fake's gateway.
func (s *Server) gateway(w http.ResponseWriter, r *http.Request) {
	url := "ws" + strings.TrimPrefix(s.srv.URL, "http") + strings.TrimSuffix(gatewayPath, "/")
	v := map[string]any{"url": url}
	if strings.HasSuffix(r.URL.Path, "/bot") {
		s.checkAuth(r)
		v["shards"] = 1
		v["session_start_limit"] = map[string]any{"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
	}
	writeJSON(w, http.StatusOK, v)
}

// gatewayOp is a gateway payload.
type gatewayOp struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s"`
	T  *string         `json:"t"`
}

// privilegedIntents are GUILD_MEMBERS, GUILD_PRESENCES and MESSAGE_CONTENT.
const privilegedIntents = 1<<1 | 1<<8 | 1<<15

// gatewaySocket is a minimal gateway: Hello, then READY for Identify (or
// RESUMED for Resume), then heartbeat ACKs until the client goes.
func (s *Server) gatewaySocket(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "closed", http.StatusServiceUnavailable)
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	c, err := s.ws.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.Close()
		return
	}
	s.conns[c] = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
	}()
	var seq int64
	send := func(op int, t string, d any) error {
		p := map[string]any{"op": op, "d": d, "s": nil, "t": nil}
		if op == 0 {
			seq++
			p["s"], p["t"] = seq, t
		}
		c.SetWriteDeadline(time.Now().Add(10 * time.Second))
		return c.WriteJSON(p)
	}
	if send(10, "", map[string]any{"heartbeat_interval": 41250}) != nil {
		return
	}
	for {
		var op gatewayOp
		if err := c.ReadJSON(&op); err != nil {
			return
		}
		switch op.Op {
		case 1: // heartbeat
			err = send(11, "", nil)
		case 2: // identify
			var id struct {
				Token   string `json:"token"`
				Intents int    `json:"intents"`
			}
			_ = json.Unmarshal(op.D, &id)
			s.mu.Lock()
			s.gateways++
			if !strings.HasPrefix(id.Token, "Bot ") {
				s.problem("gateway identify without a bot token")
			}
			if id.Intents&privilegedIntents != 0 {
				s.problem("gateway identify with privileged intents %d", id.Intents&privilegedIntents)
			}
			s.mu.Unlock()
			err = send(0, "READY", map[string]any{
				"v": 10, "user": botUser(), "guilds": []any{}, "private_channels": []any{},
				"session_id": "fake-session", "resume_gateway_url": "ws" + strings.TrimPrefix(s.srv.URL, "http") + strings.TrimSuffix(gatewayPath, "/"),
				"application": map[string]any{"id": BotUserID, "flags": 0},
			})
		case 6: // resume
			s.mu.Lock()
			s.gateways++
			s.mu.Unlock()
			err = send(0, "RESUMED", map[string]any{})
		default:
			s.mu.Lock()
			s.problem("gateway op %d not expected from a client", op.Op)
			s.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}
