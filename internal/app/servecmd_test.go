package app

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/briefing/tagger"
	"github.com/sahelbrief/sahelbrief/config"
	"github.com/sahelbrief/sahelbrief/store"
)

func TestChatEndpoints(t *testing.T) {
	seed := bytes.Repeat([]byte{7}, ed25519.SeedSize)
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	cfg, err := config.Load(config.LoadOptions{DotEnv: t.TempDir() + "/none", Getenv: func(k string) (string, bool) {
		v, ok := map[string]string{
			"SLACK_SIGNING_SECRET": "s3cret",
			"DISCORD_PUBLIC_KEY":   hex.EncodeToString(pub),
		}[k]
		return v, ok
	}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.Context(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ep, err := newChatEndpoints(cfg, bot.New(st, tagger.DefaultGazetteer(), nil, bot.Limits{}), nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ep.mux)
	defer srv.Close()

	if res, err := http.Get(srv.URL + "/healthz"); err != nil || res.StatusCode != http.StatusNotFound {
		t.Fatalf("healthz: %v %v; want 404 (serve and run each add their own)", res, err)
	}

	form := url.Values{"command": {"/sahel"}, "text": {"help"}, "channel_id": {"C1"}, "user_id": {"U1"}}.Encode()
	post := func(path, body string, header map[string]string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, _ := post("/slack/commands", form, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); code != http.StatusUnauthorized {
		t.Errorf("unsigned Slack request: %d", code)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte("s3cret"))
	mac.Write([]byte("v0:" + ts + ":" + form))
	code, body := post("/slack/commands", form, map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
		"X-Slack-Signature": "v0=" + hex.EncodeToString(mac.Sum(nil)),
	})
	if code != 200 || !strings.Contains(body, "/sahel brief") {
		t.Errorf("signed Slack help: %d %s", code, body)
	}

	ping := `{"type":1}`
	sig := ed25519.Sign(priv, []byte(ts+ping))
	code, body = post("/discord/interactions", ping, map[string]string{"X-Signature-Ed25519": hex.EncodeToString(sig), "X-Signature-Timestamp": ts})
	if code != 200 || !strings.Contains(body, `"type":1`) {
		t.Errorf("Discord PING: %d %s", code, body)
	}
	if code, _ := post("/discord/interactions", ping, map[string]string{"X-Signature-Ed25519": hex.EncodeToString(sig), "X-Signature-Timestamp": "1"}); code != http.StatusUnauthorized {
		t.Errorf("Discord stale/forged: %d", code)
	}
}

func TestServeStopsCleanly(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ep := &chatEndpoints{mux: http.NewServeMux()}
	ep.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- serveUntilDone(ctx, ln, ep, &cliEnv{stdout: io.Discard, stderr: io.Discard}, "serve") }()
	res, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz while serving: %v %v", res, err)
	}
	res.Body.Close()
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d after shutdown", code)
	}
}

func TestServeSocketModeBadToken(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":false,"error":"invalid_auth"}`)
	}))
	defer api.Close()
	env := map[string]string{"SLACK_APP_TOKEN": "xapp-1-A1-abc", "SLACK_BOT_TOKEN": "xoxb-1-abc", "SLACK_API_URL": api.URL + "/"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a safety net: serve must fail on its own
	defer cancel()
	t.Chdir(t.TempDir())
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, &stdout, &stderr, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if code != 1 || !strings.Contains(stderr.String(), "invalid_auth") || ctx.Err() != nil {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	if strings.Contains(stderr.String(), "xapp-1-A1-abc") || strings.Contains(stderr.String(), "xoxb-1-abc") {
		t.Errorf("a token was printed: %s", stderr.String())
	}

	delete(env, "SLACK_BOT_TOKEN")
	r := runCLI(t, env, "serve", "--addr", "127.0.0.1:0")
	if r.code != 2 || !strings.Contains(r.stderr, "Socket Mode needs both") {
		t.Errorf("app token alone: %v", r)
	}
}

func TestServeDiscordGatewayBadToken(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"message": "401: Unauthorized", "code": 0}`)
	}))
	defer api.Close()
	env := map[string]string{"DISCORD_BOT_TOKEN": "bad-token-value", "DISCORD_API_URL": api.URL + "/api/v10/"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a safety net: serve must fail on its own
	defer cancel()
	t.Chdir(t.TempDir())
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, &stdout, &stderr, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if code != 1 || ctx.Err() != nil || !strings.Contains(stderr.String(), "Discord gateway") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	if strings.Contains(stderr.String(), "bad-token-value") {
		t.Errorf("the token was printed: %s", stderr.String())
	}
}

// serve with no chat platform configured refuses to start (it would only
// answer /healthz) and says what to set.
func TestServeWithNothingConfigured(t *testing.T) {
	_, cfg, db := standardSetup(t)
	r := runCLI(t, nil, "--config", cfg, "--db", db, "serve", "--addr", "127.0.0.1:0")
	if r.code != exitUsage || !strings.Contains(r.stderr, "nothing to serve: set SLACK_SIGNING_SECRET") {
		t.Errorf("%v", r)
	}
}
