package discord

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/bwmarrin/discordgo"
)

func TestNewSessionRewritesAPIURL(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization")+" "+string(body[:min(len(body), 20)]))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `[]`)
	}))
	defer srv.Close()
	s, err := NewSession("tok", srv.URL+"/api/v10", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplicationCommandBulkOverwrite("42", "7", []*discordgo.ApplicationCommand{{Name: "sahel", Description: "x"}}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !strings.HasPrefix(got[0], "PUT /api/v10/applications/42/guilds/7/commands Bot tok [") {
		t.Errorf("fake API saw %q", got)
	}
	if _, err := NewSession("", srv.URL, nil); err == nil || !strings.Contains(err.Error(), "DISCORD_BOT_TOKEN") {
		t.Errorf("missing token: %v", err)
	}
	if _, err := NewSession("tok", "ftp://x", nil); err == nil {
		t.Error("bad API URL accepted")
	}
}
