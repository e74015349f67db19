package doctor

import (
	"bytes"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"github.com/sahelbrief/sahelbrief/bot/slack"
	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/config"
	"github.com/sahelbrief/sahelbrief/internal/discordfake"
	"github.com/sahelbrief/sahelbrief/sources"
)

const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title><link>https://example.org/</link>
<item><title>Mali: la junte annonce un remaniement</title><link>https://example.org/1</link><guid>1</guid><pubDate>Mon, 30 Nov 2026 08:00:00 GMT</pubDate></item>
</channel></rss>`

// feeds serves one feed at /ok.xml; every other path is a 404.
func feeds(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ok.xml" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(rss))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// slackServer is a slacktest server granting scopes; apps.connections.open
// answers socketErr when it is not "".
func slackServer(t *testing.T, scopes []string, socketErr string) string {
	t.Helper()
	srv := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/auth.test", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-OAuth-Scopes", strings.Join(scopes, ","))
			w.Write([]byte(`{"ok":true,"team":"Sahel desk","user":"sahelbrief"}`))
		})
		if socketErr != "" {
			c.Handle("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(`{"ok":false,"error":"` + socketErr + `"}`))
			})
		}
	})
	srv.Start()
	t.Cleanup(srv.Stop)
	return srv.GetAPIURL()
}

// discordServer is a discordfake accepting the token "good", with /sahel
// registered globally when register is set.
func discordServer(t *testing.T, register bool) *discordfake.Server {
	t.Helper()
	fake := discordfake.New()
	t.Cleanup(fake.Close)
	fake.SetToken("good")
	if register {
		req, _ := http.NewRequest(http.MethodPut, fake.URL()+"applications/"+discordfake.BotUserID+"/commands", strings.NewReader(`[{"name":"sahel","description":"Sahel news"}]`))
		req.Header.Set("Authorization", "Bot good")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("registering on the fake: %v %v", resp, err)
		}
		resp.Body.Close()
	}
	return fake
}

// loadConfig is config.Load over env alone (no .env file).
func loadConfig(t *testing.T, env map[string]string) *config.Config {
	t.Helper()
	cfg, err := config.Load(config.LoadOptions{
		Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		DotEnv: filepath.Join(t.TempDir(), "no.env"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func poller() *sources.Poller {
	return &sources.Poller{Fetcher: sources.NewFetcher(sources.Options{Timeout: 5 * time.Second}), Mode: sources.Fresh}
}

// want is a check's expected status and a piece of its detail.
type want struct {
	status Status
	detail string
}

func run(t *testing.T, o Options) (*Report, string) {
	t.Helper()
	var out bytes.Buffer
	r := Run(t.Context(), &out, o)
	return r, out.String()
}

func expect(t *testing.T, r *Report, out string, wants map[string]want) {
	t.Helper()
	got := map[string]Line{}
	for _, l := range r.Lines {
		got[l.Check] = l
	}
	for check, w := range wants {
		l, ok := got[check]
		if !ok {
			t.Errorf("no %q line", check)
			continue
		}
		if l.Status != w.status || !strings.Contains(l.Detail, w.detail) {
			t.Errorf("%s: %s %q, want %s with %q", check, l.Status, l.Detail, w.status, w.detail)
		}
	}
	if len(got) != len(wants) {
		t.Errorf("lines:\n%s", out)
	}
}

func TestAllOK(t *testing.T) {
	feed := feeds(t)
	fake := discordServer(t, true)
	cfg := loadConfig(t, map[string]string{
		"SAHELBRIEF_DB":          filepath.Join(t.TempDir(), "sahelbrief.db"),
		"SAHELBRIEF_HTTP_ADDR":   "127.0.0.1:0",
		"SLACK_BOT_TOKEN":        "xoxb-1",
		"SLACK_APP_TOKEN":        "xapp-1",
		"SLACK_API_URL":          slackServer(t, slack.BotScopes(), ""),
		"DISCORD_BOT_TOKEN":      "good",
		"DISCORD_APPLICATION_ID": discordfake.BotUserID,
		"DISCORD_PUBLIC_KEY":     discordfake.PublicKey,
		"DISCORD_API_URL":        fake.URL(),
	})
	srcs := []briefing.Source{{Name: "A", URL: feed.URL + "/ok.xml"}, {Name: "B", URL: feed.URL + "/ok.xml?b"}}
	r, out := run(t, Options{Config: cfg, Sources: srcs, Poller: poller()})
	expect(t, r, out, map[string]want{
		"config":              {OK, "2 sources"},
		"database":            {OK, " migrations applied, writable (created now)"}, // the count grows with each migration
		"slack auth":          {OK, `workspace "Sahel desk" as @sahelbrief`},
		"slack scopes":        {OK, "all 6 scopes"},
		"slack socket mode":   {OK, "apps.connections.open answers"},
		"discord bot":         {OK, "logged in as sahelbrief"},
		"discord application": {OK, "matches"},
		"discord public key":  {OK, "Ed25519"},
		"discord command":     {OK, "/sahel registered"},
		"sources":             {OK, "2 of 2 answered"},
		"http address":        {OK, "127.0.0.1:0 is free"},
	})
	if r.Failed() || !strings.HasSuffix(out, "\n11 ok, 0 failed, 0 skipped\n") {
		t.Errorf("report:\n%s", out)
	}
	if p := fake.Problems(); len(p) > 0 {
		t.Errorf("discordfake saw misuse: %v", p)
	}
}

func TestFailuresNameTheFix(t *testing.T) {
	feed := feeds(t)
	fake := discordServer(t, false)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	cfg := loadConfig(t, map[string]string{
		"SAHELBRIEF_DB":          filepath.Join(t.TempDir(), "missing-dir", "sahelbrief.db"),
		"SAHELBRIEF_HTTP_ADDR":   busy.Addr().String(),
		"SLACK_BOT_TOKEN":        "xoxb-1",
		"SLACK_APP_TOKEN":        "xapp-revoked",
		"SLACK_API_URL":          slackServer(t, []string{"commands", "chat:write"}, "invalid_auth"),
		"DISCORD_BOT_TOKEN":      "good",
		"DISCORD_APPLICATION_ID": "7",
		"DISCORD_PUBLIC_KEY":     strings.Repeat("ab", 32),
		"DISCORD_API_URL":        fake.URL(),
	})
	srcs := []briefing.Source{{Name: "A", URL: feed.URL + "/ok.xml"}, {Name: "Gone", URL: feed.URL + "/gone.xml"}}
	r, out := run(t, Options{Config: cfg, Sources: srcs, Poller: poller()})
	expect(t, r, out, map[string]want{
		"config":              {OK, ""},
		"database":            {Fail, "directory the service user can write"},
		"slack auth":          {OK, ""},
		"slack scopes":        {Fail, "missing chat:write.public, users:read, channels:history, groups:history: add them"},
		"slack socket mode":   {Fail, "invalid_auth: check SLACK_APP_TOKEN"},
		"discord bot":         {OK, ""},
		"discord application": {Fail, "set DISCORD_APPLICATION_ID=" + discordfake.BotUserID},
		"discord public key":  {Fail, "not the application's public key"},
		// a partial answer is the normal state of the web: ok, with names
		"sources":      {OK, "1 of 2 answered; not answering: Gone (http_status)"},
		"http address": {Fail, "cannot listen on " + busy.Addr().String()},
	})
	if !r.Failed() || !strings.Contains(out, "FAIL  slack scopes") {
		t.Errorf("report:\n%s", out)
	}
}

func TestDiscordCommandMissingAndTokenRejected(t *testing.T) {
	fake := discordServer(t, false)
	env := map[string]string{
		"SAHELBRIEF_DB":          ":memory:",
		"SAHELBRIEF_HTTP_ADDR":   "127.0.0.1:0",
		"DISCORD_BOT_TOKEN":      "good",
		"DISCORD_APPLICATION_ID": discordfake.BotUserID,
		"DISCORD_API_URL":        fake.URL(),
	}
	r, out := run(t, Options{Config: loadConfig(t, env), Poller: nil, DiscordGuild: "55"})
	expect(t, r, out, map[string]want{
		"config":              {OK, ""},
		"database":            {OK, ""},
		"slack":               {Skip, "no SLACK_BOT_TOKEN"},
		"discord bot":         {OK, ""},
		"discord application": {OK, ""},
		"discord public key":  {Skip, "gateway only"},
		"discord command":     {Fail, "run `sahelbrief discord register --guild 55`"},
		"sources":             {Skip, "--no-sources"},
		"http address":        {OK, ""},
	})

	env["DISCORD_BOT_TOKEN"] = "stale"
	r, out = run(t, Options{Config: loadConfig(t, env)})
	if l := r.Lines[3]; l.Check != "discord bot" || l.Status != Fail || !strings.Contains(l.Detail, "check DISCORD_BOT_TOKEN") {
		t.Errorf("rejected token:\n%s", out)
	}
}

func TestSkipsWhatIsNotConfigured(t *testing.T) {
	cfg := loadConfig(t, map[string]string{"SAHELBRIEF_DB": ":memory:", "SAHELBRIEF_HTTP_ADDR": "127.0.0.1:0"})
	r, out := run(t, Options{Config: cfg})
	if r.Failed() || !strings.Contains(out, "skip  slack ") || !strings.Contains(out, "skip  discord ") || !strings.HasSuffix(out, "3 ok, 0 failed, 3 skipped\n") {
		t.Errorf("report:\n%s", out)
	}
}

func TestConfigErrorStops(t *testing.T) {
	r, out := run(t, Options{ConfigErr: errors.New(`config: SAHELBRIEF_POLL_INTERVAL: "soon" is not a duration`)})
	if !r.Failed() || len(r.Lines) != 1 || !strings.HasPrefix(out, "FAIL  config             config: SAHELBRIEF_POLL_INTERVAL") {
		t.Errorf("report:\n%s", out)
	}
}

func TestSlackUnreachableIsNotATokenProblem(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // nothing listens there any more
	cfg := loadConfig(t, map[string]string{"SAHELBRIEF_DB": ":memory:", "SAHELBRIEF_HTTP_ADDR": "127.0.0.1:0",
		"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": srv.URL + "/"})
	r, out := run(t, Options{Config: cfg})
	if !r.Failed() || !strings.Contains(out, "Slack cannot be reached") {
		t.Errorf("report:\n%s", out)
	}
}

func TestAddressHeldByARunningBot(t *testing.T) {
	for name, body := range map[string]string{
		"run":   `{"status":"ok","ready":true,"sources":{"total":1},"adapters":{},"pending_deliveries":0}`,
		"serve": "ok\n",
	} {
		t.Run(name, func(t *testing.T) {
			bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/healthz" {
					w.Write([]byte(body))
				}
			}))
			defer bot.Close()
			_, port, _ := net.SplitHostPort(bot.Listener.Addr().String())
			if l := checkListen(t.Context(), ":"+port); l.Status != OK || !strings.Contains(l.Detail, "held by a running sahelbrief") {
				t.Errorf("%+v", l)
			}
		})
	}
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	if l := checkListen(t.Context(), other.Listener.Addr().String()); l.Status != Fail {
		t.Errorf("address held by another server: %+v", l)
	}
}

// Doctor's lines never show a URL's credentials, whichever check quotes it.
func TestURLCredentialsRedacted(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	api := strings.Replace(srv.URL, "http://", "http://alice:pa55w0rd@", 1) + "/"
	cfg := loadConfig(t, map[string]string{"SAHELBRIEF_DB": ":memory:", "SAHELBRIEF_HTTP_ADDR": "127.0.0.1:0",
		"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": api})
	_, out := run(t, Options{Config: cfg})
	_, out2 := run(t, Options{ConfigErr: errors.New(`config: SLACK_API_URL: "` + api + `" is wrong`)})
	for _, o := range []string{out, out2} {
		if strings.Contains(o, "pa55w0rd") || strings.Contains(o, "alice") {
			t.Errorf("credentials shown:\n%s", o)
		}
	}
}
