package discordfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

const channel = "123456789012345678"

func call(t *testing.T, method, url string, body any) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bot fake-token")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func post(t *testing.T, s *Server, ch string, body map[string]any) (int, http.Header, map[string]any) {
	t.Helper()
	code, h, b := call(t, http.MethodPost, s.URL()+"channels/"+ch+"/messages", body)
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("POST answer %d %q: %v", code, b, err)
	}
	return code, h, v
}

func list(t *testing.T, s *Server, ch string, limit int) []map[string]any {
	t.Helper()
	code, _, b := call(t, http.MethodGet, fmt.Sprintf("%schannels/%s/messages?limit=%d", s.URL(), ch, limit), nil)
	if code != http.StatusOK {
		t.Fatalf("GET messages: %d %s", code, b)
	}
	var v []map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func snowflake(t *testing.T, id string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		t.Fatalf("id %q: %v", id, err)
	}
	return n
}

func msg(content, nonce string) map[string]any {
	m := map[string]any{"content": content, "allowed_mentions": map[string]any{"parse": []string{}}}
	if nonce != "" {
		m["nonce"], m["enforce_nonce"] = nonce, true
	}
	return m
}

func TestPostAndList(t *testing.T) {
	s := New()
	defer s.Close()
	if !strings.HasSuffix(s.URL(), "/api/v10/") {
		t.Errorf("URL %q", s.URL())
	}
	var ids []string
	for i := range 3 {
		body := msg(fmt.Sprintf("m%d", i), fmt.Sprintf("n%d", i))
		body["embeds"] = []any{map[string]any{"title": "t", "footer": map[string]any{"text": fmt.Sprintf("ref 0000000%d·0", i)}}}
		if i == 2 {
			body["message_reference"] = map[string]any{"message_id": ids[0], "fail_if_not_exists": false}
		}
		code, _, got := post(t, s, channel, body)
		if code != http.StatusOK {
			t.Fatalf("POST %d: %v", code, got)
		}
		id, _ := got["id"].(string)
		if id == "" || got["nonce"] != fmt.Sprintf("n%d", i) || got["author"].(map[string]any)["id"] != BotUserID {
			t.Fatalf("POST answer %v", got)
		}
		if len(ids) > 0 && snowflake(t, id) <= snowflake(t, ids[len(ids)-1]) {
			t.Errorf("id %s not after %s", id, ids[len(ids)-1])
		}
		ids = append(ids, id)
	}
	post(t, s, "999", msg("elsewhere", ""))

	got := list(t, s, channel, 2)
	if len(got) != 2 || got[0]["id"] != ids[2] || got[1]["id"] != ids[1] {
		t.Fatalf("list limit 2: %v", got)
	}
	for _, m := range got {
		if _, ok := m["nonce"]; ok {
			t.Errorf("listed message has a nonce: %v", m)
		}
		if m["author"].(map[string]any)["bot"] != true {
			t.Errorf("author %v", m["author"])
		}
	}
	if ref, _ := got[0]["message_reference"].(map[string]any); ref["message_id"] != ids[0] || got[0]["type"] != float64(19) {
		t.Errorf("reply %v", got[0])
	}
	if emb, _ := got[1]["embeds"].([]any); len(emb) != 1 {
		t.Errorf("embeds %v", got[1]["embeds"])
	}
	if all := list(t, s, channel, 100); len(all) != 3 {
		t.Errorf("list: %d messages, want 3", len(all))
	}

	ms := s.Messages()
	if len(ms) != 4 || ms[0].ID != ids[0] || ms[0].Nonce != "n0" || ms[0].AuthorID != BotUserID || ms[0].ChannelID != channel ||
		ms[2].Reference["message_id"] != ids[0] || ms[3].ChannelID != "999" || len(ms[1].Embeds) != 1 {
		t.Errorf("Messages: %+v", ms)
	}
	ms[1].Embeds[0]["title"] = "changed"
	if s.Messages()[1].Embeds[0]["title"] != "t" {
		t.Error("Messages shares its embeds with the fake")
	}
	if posts, lists := s.Counts(); posts != 4 || lists != 2 {
		t.Errorf("Counts %d, %d", posts, lists)
	}
	if p := s.Problems(); len(p) != 0 {
		t.Errorf("problems: %v", p)
	}
	code, _, b := call(t, http.MethodGet, s.URL()+"users/@me", nil)
	if code != http.StatusOK || !strings.Contains(string(b), BotUserID) {
		t.Errorf("users/@me: %d %s", code, b)
	}
}

func TestProblems(t *testing.T) {
	s := New()
	defer s.Close()
	post(t, s, channel, map[string]any{"content": "no mentions field"})
	post(t, s, channel, map[string]any{"content": "x", "allowed_mentions": map[string]any{"parse": []string{"users"}}})
	if code, _, _ := post(t, s, channel, msg("x", strings.Repeat("n", 26))); code != http.StatusBadRequest {
		t.Errorf("26-character nonce: %d", code)
	}
	if code, _, _ := post(t, s, channel, map[string]any{"content": "x", "allowed_mentions": map[string]any{"parse": []string{}},
		"message_reference": map[string]any{"message_id": "1"}}); code != http.StatusBadRequest {
		t.Errorf("reply to unknown message: %d", code)
	}
	call(t, http.MethodDelete, s.URL()+"channels/"+channel+"/messages/1", nil)
	p := s.Problems()
	want := []string{"without allowed_mentions", "not []", "longer than 25", "unknown message", "unknown route DELETE"}
	if len(p) != len(want) {
		t.Fatalf("problems %q; want %d", p, len(want))
	}
	for i, w := range want {
		if !strings.Contains(p[i], w) {
			t.Errorf("problem %d %q; want %q", i, p[i], w)
		}
	}
}

func TestNonceDedupe(t *testing.T) {
	s := New()
	defer s.Close()
	_, _, a := post(t, s, channel, msg("first", "abc.0"))
	_, _, b := post(t, s, channel, msg("again", "abc.0"))
	if a["id"] != b["id"] || b["content"] != "first" {
		t.Errorf("same nonce: %v then %v", a, b)
	}
	// Another channel, another nonce, or no enforce_nonce: new messages.
	_, _, c := post(t, s, "42", msg("other channel", "abc.0"))
	_, _, d := post(t, s, channel, msg("other nonce", "abc.1"))
	plain := msg("not enforced", "")
	plain["nonce"] = "abc.0"
	_, _, e := post(t, s, channel, plain)
	for _, m := range []map[string]any{c, d, e} {
		if m["id"] == a["id"] {
			t.Errorf("%v deduplicated", m["content"])
		}
	}
	if n := len(s.Messages()); n != 4 {
		t.Errorf("%d messages; want 4", n)
	}
	if posts, _ := s.Counts(); posts != 5 || s.Deduplicated() != 1 {
		t.Errorf("posts %d, deduplicated %d", posts, s.Deduplicated())
	}
	s.SetNonceWindow(0)
	if _, _, f := post(t, s, channel, msg("after the window", "abc.0")); f["id"] == a["id"] {
		t.Error("deduplicated with the window off")
	}
	s.SetNonceWindow(time.Millisecond)
	time.Sleep(5 * time.Millisecond)
	if _, _, g := post(t, s, channel, msg("after the window", "abc.1")); g["id"] == d["id"] {
		t.Error("deduplicated after the window")
	}
}

func TestFailPosts(t *testing.T) {
	s := New()
	defer s.Close()
	s.FailPosts(429, 403, 0, 503)
	code, h, v := post(t, s, channel, msg("a", "n.0"))
	if code != http.StatusTooManyRequests || h.Get("Retry-After") == "" || v["retry_after"] != 0.01 || v["global"] != false {
		t.Errorf("429: %d %v %v", code, h, v)
	}
	code, _, v = post(t, s, channel, msg("a", "n.0"))
	if code != http.StatusForbidden || v["code"] != float64(50001) || v["message"] != "Missing Access" {
		t.Errorf("403: %d %v", code, v)
	}
	if code, _, _ = post(t, s, channel, msg("a", "n.0")); code != http.StatusOK {
		t.Errorf("queued 0: %d", code)
	}
	if code, _, _ = post(t, s, channel, msg("b", "n.1")); code != http.StatusServiceUnavailable {
		t.Errorf("503: %d", code)
	}
	if code, _, _ = post(t, s, channel, msg("b", "n.1")); code != http.StatusOK {
		t.Errorf("queue empty: %d", code)
	}
	if n := len(s.Messages()); n != 2 {
		t.Errorf("%d messages; want 2", n)
	}
	if posts, _ := s.Counts(); posts != 5 {
		t.Errorf("posts %d; want 5", posts)
	}
	if p := s.Problems(); len(p) != 0 {
		t.Errorf("problems: %v", p)
	}
}

func TestSetDown(t *testing.T) {
	s := New()
	defer s.Close()
	s.FailPosts(403)
	s.SetDown(true)
	if code, _, _ := post(t, s, channel, msg("a", "n.0")); code != http.StatusServiceUnavailable {
		t.Errorf("POST while down: %d", code)
	}
	if code, _, _ := call(t, http.MethodGet, s.URL()+"channels/"+channel+"/messages?limit=100", nil); code != http.StatusServiceUnavailable {
		t.Errorf("GET while down: %d", code)
	}
	if code, _, _ := call(t, http.MethodGet, s.URL()+"users/@me", nil); code != http.StatusServiceUnavailable {
		t.Errorf("users/@me while down: %d", code)
	}
	if posts, lists := s.Counts(); posts != 1 || lists != 1 {
		t.Errorf("Counts while down %d, %d", posts, lists)
	}
	s.SetDown(false)
	if code, _, _ := post(t, s, channel, msg("a", "n.0")); code != http.StatusForbidden {
		t.Errorf("the queued 403 was consumed while down: %d", code)
	}
	if code, _, _ := post(t, s, channel, msg("a", "n.0")); code != http.StatusOK {
		t.Errorf("POST back up: %d", code)
	}
	if n := len(list(t, s, channel, 100)); n != 1 {
		t.Errorf("%d messages; want 1", n)
	}
}

func TestGateway(t *testing.T) {
	s := New()
	defer s.Close()
	code, _, b := call(t, http.MethodGet, s.URL()+"gateway", nil)
	var g struct{ URL string }
	if code != http.StatusOK || json.Unmarshal(b, &g) != nil || !strings.HasPrefix(g.URL, "ws://") {
		t.Fatalf("GET gateway: %d %s", code, b)
	}
	c, _, err := websocket.DefaultDialer.Dial(g.URL+"/?v=10&encoding=json", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var op map[string]any
	if err := c.ReadJSON(&op); err != nil || op["op"] != float64(10) {
		t.Fatalf("hello: %v %v", op, err)
	}
	c.WriteJSON(map[string]any{"op": 2, "d": map[string]any{"token": "Bot x", "intents": 1}})
	if err := c.ReadJSON(&op); err != nil || op["t"] != "READY" || op["d"].(map[string]any)["user"].(map[string]any)["id"] != BotUserID {
		t.Fatalf("ready: %v %v", op, err)
	}
	c.WriteJSON(map[string]any{"op": 1, "d": 1})
	if err := c.ReadJSON(&op); err != nil || op["op"] != float64(11) {
		t.Fatalf("heartbeat ack: %v %v", op, err)
	}
	if s.Gateways() != 1 || len(s.Problems()) != 0 {
		t.Errorf("gateways %d, problems %v", s.Gateways(), s.Problems())
	}
}

func TestConcurrent(t *testing.T) {
	s := New()
	defer s.Close()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 5 {
				post(t, s, channel, msg("x", fmt.Sprintf("c%d.%d", i, j)))
				list(t, s, channel, 100)
				s.Messages()
				s.Counts()
			}
		})
	}
	wg.Wait()
	ms := s.Messages()
	seen := map[string]bool{}
	for _, m := range ms {
		if seen[m.ID] {
			t.Errorf("id %s twice", m.ID)
		}
		seen[m.ID] = true
	}
	if len(ms) != 40 {
		t.Errorf("%d messages; want 40", len(ms))
	}
}
