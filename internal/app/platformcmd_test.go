package app

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestDiscordRegister(t *testing.T) {
	var mu sync.Mutex
	var method, path string
	var body []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		method, path = r.Method, r.URL.Path
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}))
	defer srv.Close()
	env := map[string]string{"DISCORD_BOT_TOKEN": "tok", "DISCORD_APPLICATION_ID": "42", "DISCORD_API_URL": srv.URL + "/api/v10/"}
	r := runCLI(t, env, "discord", "register", "--guild", "7")
	if r.code != 0 || !strings.Contains(r.stdout, "Registered /sahel in server 7") {
		t.Fatalf("%v", r)
	}
	mu.Lock()
	defer mu.Unlock()
	if method != http.MethodPut || path != "/api/v10/applications/42/guilds/7/commands" || len(body) != 1 || body[0]["name"] != "sahel" {
		t.Errorf("fake Discord saw %s %s %v", method, path, body)
	}
	if r := runCLI(t, nil, "discord", "register"); r.code != 2 || !strings.Contains(r.stderr, "DISCORD_BOT_TOKEN") {
		t.Errorf("without a token: %v", r)
	}
	if r := runCLI(t, nil, "discord"); r.code != 2 || !strings.Contains(r.stderr, "Usage: sahelbrief discord register") {
		t.Errorf("no action: %v", r)
	}
}

func TestSlackManifest(t *testing.T) {
	r := runCLI(t, nil, "slack", "manifest")
	if r.code != 0 || !strings.Contains(r.stdout, "socket_mode_enabled: true") || !strings.Contains(r.stdout, "/sahel") {
		t.Errorf("socket mode manifest: %v", r)
	}
	r = runCLI(t, map[string]string{"SAHELBRIEF_PUBLIC_URL": "https://bot.example.org"}, "slack", "manifest", "--http", "--name", "Sahel desk")
	if r.code != 0 || !strings.Contains(r.stdout, "https://bot.example.org/slack/commands") || !strings.Contains(r.stdout, "socket_mode_enabled: false") {
		t.Errorf("HTTP manifest: %v", r)
	}
	if r := runCLI(t, nil, "slack", "manifest", "--http"); r.code != 2 || !strings.Contains(r.stderr, "SAHELBRIEF_PUBLIC_URL") {
		t.Errorf("HTTP mode without a URL: %v", r)
	}
}

func TestDiscordInviteURL(t *testing.T) {
	r := runCLI(t, map[string]string{"DISCORD_APPLICATION_ID": "123456789012345678"}, "discord", "invite-url")
	want := "https://discord.com/oauth2/authorize?client_id=123456789012345678&integration_type=0&permissions=84992&scope=bot+applications.commands\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("%v\nwant stdout %s", r, want)
	}
	if r := runCLI(t, nil, "discord", "invite-url"); r.code != 2 || !strings.Contains(r.stderr, "DISCORD_APPLICATION_ID") {
		t.Errorf("without an application id: %v", r)
	}
}
