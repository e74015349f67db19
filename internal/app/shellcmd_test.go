package app

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
)

// TestShellEndToEnd drives the console adapter through the real CLI, store
// and feeds: fetch, then commands piped in as a person would type them.
func TestShellEndToEnd(t *testing.T) {
	_, cfg, db := standardSetup(t)
	if r := runCLI(t, nil, "--config", cfg, "--db", db, "fetch"); r.code != 0 {
		t.Fatalf("%v", r)
	}
	in := strings.Join([]string{
		"/sahel help",
		"/sahel country mali",
		"country Nigérien",
		"/sahel search Bamako",
		"/sahel subscribe actor:wagner Kidal",
		"/sahel subscriptions",
		"/sahel digest 0 7 * * 1-5 Africa/Bamako",
		"/sahel digest show",
		"/sahel sources",
		"/sahel bogus",
		"/other command",
		"",
		"quit",
		"/sahel help digest", // after quit: never answered
	}, "\n")
	r := runCLIWithInput(t, in, nil, "--config", cfg, "--db", db, "shell")
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	for _, want := range []string{
		"/sahel brief [since]",            // help from the command table
		"one: Bamako talks",               // country mali
		"two: Niamey news",                // country Nigérien
		"Search: bamako",                  // search results digest
		"Subscribed (#1)",                 // subscribe
		"#1 actor:wagner kidal",           // subscriptions (canonical form)
		"`0 7 * * 1-5` (Africa/Bamako)",   // digest set and shown
		"3 sources: 2 healthy, 1 failing", // sources
		"Unknown command `bogus`",         // usage help
		"Commands start with /sahel",      // another bot's command
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("shell output lacks %q\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "/sahel digest show") {
		t.Errorf("answered a command after quit:\n%s", r.stdout)
	}
	// The subscription persists for the next session.
	r = runCLIWithInput(t, "/sahel subscriptions\n", nil, "--config", cfg, "--db", db, "shell")
	if !strings.Contains(r.stdout, "#1 actor:wagner kidal") {
		t.Errorf("subscription not persisted:\n%s", r.stdout)
	}
}

// TestOpenBotTakesTheSettings: the bot that answers commands gets the
// lead language and how long answers are reused from the configuration.
func TestOpenBotTakesTheSettings(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		lang string
		ttl  time.Duration
	}{
		{map[string]string{}, "", bot.DefaultAnswerTTL},
		{map[string]string{"SAHELBRIEF_LANG": "fr", "SAHELBRIEF_ANSWER_TTL": "0"}, "fr", 0},
	} {
		tt.env["SAHELBRIEF_DB"] = filepath.Join(t.TempDir(), "bot.db")
		env := &cliEnv{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, overrides: map[string]string{},
			getenv: func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }}
		_, b, st, code := openBot(context.Background(), env, openStore)
		if b == nil {
			t.Fatalf("openBot %v: exit %d", tt.env, code)
		}
		st.Close()
		if b.Lang != tt.lang || b.AnswerTTL != tt.ttl {
			t.Errorf("openBot %v: Lang %q, AnswerTTL %v; want %q, %v", tt.env, b.Lang, b.AnswerTTL, tt.lang, tt.ttl)
		}
	}
}
