package config_test

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/config"
)

// envFrom turns a map into a LoadOptions.Getenv, so tests never read the
// real environment.
func envFrom(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// noDotEnv is a .env path that does not exist.
func noDotEnv(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "absent.env")
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// dumpEntry is one line of Config.Dump: "KEY=value  # origin".
type dumpEntry struct{ value, origin string }

func parseDump(t *testing.T, dump string) map[string]dumpEntry {
	t.Helper()
	out := map[string]dumpEntry{}
	for _, line := range strings.Split(strings.TrimSpace(dump), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		kv, origin, ok := strings.Cut(line, "  # ")
		if !ok {
			t.Fatalf("dump line %q has no origin", line)
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			t.Fatalf("dump line %q is not KEY=value", line)
		}
		out[k] = dumpEntry{v, origin}
	}
	return out
}

func TestLoadDefaults(t *testing.T) {
	c, err := config.Load(config.LoadOptions{Getenv: envFrom(nil), DotEnv: noDotEnv(t)})
	if err != nil {
		t.Fatalf("Load with nothing set: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"ConfigFile", c.ConfigFile, ""},
		{"DBPath", c.DBPath, "sahelbrief.db"},
		{"PollInterval", c.PollInterval, 10 * time.Minute},
		{"FetchTimeout", c.FetchTimeout, 30 * time.Second},
		{"MaxFeedBytes", c.MaxFeedBytes, int64(10 << 20)},
		{"Concurrency", c.Concurrency, 16},
		{"PerHost", c.PerHost, 2},
		{"MaxBackoff", c.MaxBackoff, 6 * time.Hour},
		{"UserAgent", c.UserAgent, ""},
		{"LogLevel", c.LogLevel, slog.LevelInfo},
		{"AlertsPerMinute", c.AlertsPerMinute, 5},
		{"DigestGrace", c.DigestGrace, 6 * time.Hour},
		{"LeaseTTL", c.LeaseTTL, 15 * time.Second},
		{"Digests", len(c.Digests), 0},
	}
	for _, ch := range checks {
		t.Run(ch.name, func(t *testing.T) {
			if ch.got != ch.want {
				t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
			}
		})
	}
	if c.Sources != nil {
		t.Errorf("Sources = %v, want nil (built-in list)", c.Sources)
	}
	dump := parseDump(t, c.Dump())
	for _, v := range config.Variables() {
		e, ok := dump[v.Key]
		if !ok {
			t.Errorf("Dump lacks %s", v.Key)
			continue
		}
		if e.value != v.Default || e.origin != "default" {
			t.Errorf("Dump %s = %q # %s, want %q # default", v.Key, e.value, e.origin, v.Default)
		}
	}
}

func TestVariables(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range config.Variables() {
		// Our own settings carry SAHELBRIEF_; the platforms' the names their
		// own docs use (SLACK_BOT_TOKEN, DISCORD_BOT_TOKEN).
		if !strings.HasPrefix(v.Key, "SAHELBRIEF_") && !strings.HasPrefix(v.Key, "SLACK_") && !strings.HasPrefix(v.Key, "DISCORD_") {
			t.Errorf("%s lacks the SAHELBRIEF_ prefix", v.Key)
		}
		if seen[v.Key] {
			t.Errorf("%s is listed twice", v.Key)
		}
		seen[v.Key] = true
		if strings.TrimSpace(v.Help) == "" {
			t.Errorf("%s has no help text", v.Key)
		}
	}
}

func TestLoadPrecedence(t *testing.T) {
	dir := t.TempDir()
	dot := writeFile(t, dir, ".env", strings.Join([]string{
		"# comments are fine",
		"SAHELBRIEF_DB=dot.db",
		"SAHELBRIEF_POLL_INTERVAL=3m",
		"SAHELBRIEF_CONCURRENCY=7",
		`SAHELBRIEF_USER_AGENT="dot agent"`,
		"UNRELATED=ignored",
	}, "\n")+"\n")
	c, err := config.Load(config.LoadOptions{
		Getenv: envFrom(map[string]string{
			"SAHELBRIEF_DB":            "env.db",
			"SAHELBRIEF_POLL_INTERVAL": "2m",
			"SAHELBRIEF_USER_AGENT":    "", // set but empty still wins over .env
		}),
		DotEnv:    dot,
		Overrides: map[string]string{"SAHELBRIEF_DB": "flag.db"},
	})
	if err != nil {
		t.Fatal(err)
	}
	dump := parseDump(t, c.Dump())
	tests := []struct {
		key, origin string
		got, want   any
	}{
		{"SAHELBRIEF_DB", "flag", c.DBPath, "flag.db"},
		{"SAHELBRIEF_POLL_INTERVAL", "environment", c.PollInterval, 2 * time.Minute},
		{"SAHELBRIEF_USER_AGENT", "environment", c.UserAgent, ""},
		{"SAHELBRIEF_CONCURRENCY", dot, c.Concurrency, 7},
		{"SAHELBRIEF_PER_HOST", "default", c.PerHost, 2},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("value = %v, want %v", tt.got, tt.want)
			}
			if o := dump[tt.key].origin; o != tt.origin {
				t.Errorf("origin in Dump = %q, want %q", o, tt.origin)
			}
		})
	}
}

func TestLoadGoodValues(t *testing.T) {
	tests := []struct {
		key, value string
		get        func(*config.Config) any
		want       any
	}{
		{"SAHELBRIEF_MAX_FEED_BYTES", "512KiB", func(c *config.Config) any { return c.MaxFeedBytes }, int64(524288)},
		{"SAHELBRIEF_MAX_FEED_BYTES", "10MiB", func(c *config.Config) any { return c.MaxFeedBytes }, int64(10 << 20)},
		{"SAHELBRIEF_MAX_FEED_BYTES", "1GiB", func(c *config.Config) any { return c.MaxFeedBytes }, int64(1 << 30)},
		{"SAHELBRIEF_MAX_FEED_BYTES", "10MB", func(c *config.Config) any { return c.MaxFeedBytes }, int64(10_000_000)},
		{"SAHELBRIEF_MAX_FEED_BYTES", "1048576", func(c *config.Config) any { return c.MaxFeedBytes }, int64(1 << 20)},
		{"SAHELBRIEF_MAX_FEED_BYTES", " 2 mib ", func(c *config.Config) any { return c.MaxFeedBytes }, int64(2 << 20)},
		{"SAHELBRIEF_POLL_INTERVAL", "1s", func(c *config.Config) any { return c.PollInterval }, time.Second},
		{"SAHELBRIEF_POLL_INTERVAL", "1h30m", func(c *config.Config) any { return c.PollInterval }, 90 * time.Minute},
		{"SAHELBRIEF_FETCH_TIMEOUT", "100ms", func(c *config.Config) any { return c.FetchTimeout }, 100 * time.Millisecond},
		{"SAHELBRIEF_MAX_BACKOFF", "24h", func(c *config.Config) any { return c.MaxBackoff }, 24 * time.Hour},
		{"SAHELBRIEF_CONCURRENCY", "1", func(c *config.Config) any { return c.Concurrency }, 1},
		{"SAHELBRIEF_CONCURRENCY", " 1024 ", func(c *config.Config) any { return c.Concurrency }, 1024},
		{"SAHELBRIEF_PER_HOST", "64", func(c *config.Config) any { return c.PerHost }, 64},
		{"SAHELBRIEF_MAX_FEED_ITEMS", " 250 ", func(c *config.Config) any { return c.MaxFeedItems }, 250},
		{"SAHELBRIEF_LOG_LEVEL", "DEBUG", func(c *config.Config) any { return c.LogLevel }, slog.LevelDebug},
		{"SAHELBRIEF_LOG_LEVEL", "warning", func(c *config.Config) any { return c.LogLevel }, slog.LevelWarn},
		{"SAHELBRIEF_LOG_LEVEL", "error", func(c *config.Config) any { return c.LogLevel }, slog.LevelError},
		{"SAHELBRIEF_USER_AGENT", "mybot/1.0 (+mailto:ops@example.org)", func(c *config.Config) any { return c.UserAgent }, "mybot/1.0 (+mailto:ops@example.org)"},
		{"SAHELBRIEF_DB", ":memory:", func(c *config.Config) any { return c.DBPath }, ":memory:"},
		{"SAHELBRIEF_ALERTS_PER_MINUTE", "1", func(c *config.Config) any { return c.AlertsPerMinute }, 1},
		{"SAHELBRIEF_ALERTS_PER_MINUTE", " 60 ", func(c *config.Config) any { return c.AlertsPerMinute }, 60},
		{"SAHELBRIEF_LANG", "fr", func(c *config.Config) any { return c.Lang }, "fr"},
		{"SAHELBRIEF_DIGEST_GRACE", "0", func(c *config.Config) any { return c.DigestGrace }, time.Duration(0)},
		{"SAHELBRIEF_DIGEST_GRACE", "0s", func(c *config.Config) any { return c.DigestGrace }, time.Duration(0)},
		{"SAHELBRIEF_DIGEST_GRACE", "90m", func(c *config.Config) any { return c.DigestGrace }, 90 * time.Minute},
		{"SAHELBRIEF_DIGEST_GRACE", "168h", func(c *config.Config) any { return c.DigestGrace }, 7 * 24 * time.Hour},
		{"SAHELBRIEF_LEASE_TTL", "1s", func(c *config.Config) any { return c.LeaseTTL }, time.Second},
		{"SAHELBRIEF_ANSWER_TTL", "0", func(c *config.Config) any { return c.AnswerTTL }, time.Duration(0)},
		{"SAHELBRIEF_ANSWER_TTL", "30s", func(c *config.Config) any { return c.AnswerTTL }, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			c, err := config.Load(config.LoadOptions{Getenv: envFrom(map[string]string{tt.key: tt.value}), DotEnv: noDotEnv(t)})
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.get(c); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLoadBadValues(t *testing.T) {
	tests := []struct {
		key, value string
		wantMsg    string // the message must say this
	}{
		{"SAHELBRIEF_CONFIG", "/nonexistent/sahelbrief.yaml", "cannot read /nonexistent/sahelbrief.yaml"},
		{"SAHELBRIEF_DB", "", "must not be empty"},
		{"SAHELBRIEF_DB", "   ", "must not be empty"},
		{"SAHELBRIEF_POLL_INTERVAL", "0s", "below the minimum of 1s"},
		{"SAHELBRIEF_POLL_INTERVAL", "500ms", "below the minimum of 1s"},
		{"SAHELBRIEF_POLL_INTERVAL", "-5m", "below the minimum of 1s"},
		{"SAHELBRIEF_POLL_INTERVAL", "soon", `"soon" is not a duration`},
		{"SAHELBRIEF_POLL_INTERVAL", "10", `"10" is not a duration`},
		{"SAHELBRIEF_FETCH_TIMEOUT", "10ms", "below the minimum of 100ms"},
		{"SAHELBRIEF_FETCH_TIMEOUT", "half a minute", "is not a duration"},
		{"SAHELBRIEF_MAX_FEED_BYTES", "ten", `"ten" is not a size`},
		{"SAHELBRIEF_MAX_FEED_BYTES", "0", `"0" is not a size`},
		{"SAHELBRIEF_MAX_FEED_BYTES", "-1MiB", "is not a size"},
		{"SAHELBRIEF_MAX_FEED_BYTES", "2TiB", "is not a size"},
		{"SAHELBRIEF_MAX_FEED_BYTES", "2000GiB", "too large"},
		{"SAHELBRIEF_CONCURRENCY", "0", "0 is outside 1..1024"},
		{"SAHELBRIEF_CONCURRENCY", "5000", "5000 is outside 1..1024"},
		{"SAHELBRIEF_CONCURRENCY", "many", `"many" is not a whole number`},
		{"SAHELBRIEF_PER_HOST", "0", "outside 1..64"},
		{"SAHELBRIEF_PER_HOST", "65", "outside 1..64"},
		{"SAHELBRIEF_PER_HOST", "2.5", "not a whole number"},
		{"SAHELBRIEF_MAX_FEED_ITEMS", "0", "outside 1..100000"},
		{"SAHELBRIEF_MAX_FEED_ITEMS", "99999999999999999999", "not a whole number"},
		{"SAHELBRIEF_MAX_BACKOFF", "0s", "below the minimum of 1s"},
		{"SAHELBRIEF_MAX_BACKOFF", "forever", "is not a duration"},
		{"SAHELBRIEF_ALERTS_PER_MINUTE", "0", "0 is outside 1..60"},
		{"SAHELBRIEF_LANG", "de", `"de" is not a language`},
		{"SAHELBRIEF_ALERTS_PER_MINUTE", "61", "61 is outside 1..60"},
		{"SAHELBRIEF_ALERTS_PER_MINUTE", "five", `"five" is not a whole number`},
		{"SAHELBRIEF_DIGEST_GRACE", "-1h", "-1h is below the minimum of 0s"},
		{"SAHELBRIEF_DIGEST_GRACE", "168h0m1s", "168h0m1s is above the maximum of 168h"},
		{"SAHELBRIEF_DIGEST_GRACE", "8d", `"8d" is not a duration`},
		{"SAHELBRIEF_LEASE_TTL", "500ms", "500ms is below the minimum of 1s"},
		{"SAHELBRIEF_ANSWER_TTL", "11m", "11m is above the maximum of 10m"},
		{"SAHELBRIEF_USER_AGENT", "bot\r\nX-Injected: 1", "control character"},
		{"SAHELBRIEF_LOG_LEVEL", "loud", `"loud" is not one of debug, info, warn, error`},
		{"SAHELBRIEF_PUBLIC_URL", "bot.example.org", "is not an http(s) URL"},
		{"SAHELBRIEF_HTTP_ADDR", "8080", "is not a host:port address"},
		{"SLACK_BOT_TOKEN", "xoxp-user-token", `should start with "xoxb-"`},
		{"SLACK_APP_TOKEN", "xoxb-not-an-app-token", `should start with "xapp-"`},
		{"SLACK_SIGNING_SECRET", "abc def", "contains white space"},
		{"SLACK_API_URL", "ftp://slack", "is not an http(s) URL"},
		{"SAHELBRIEF_SLACK_MANAGERS", "U0123ABCD, bob", `"bob" is not a Slack user id`},
		{"DISCORD_BOT_TOKEN", "tok en", "contains white space"},
		{"DISCORD_APPLICATION_ID", "my-app", "is not a Discord id"},
		{"DISCORD_PUBLIC_KEY", "abcd", "64 hex characters"},
		{"DISCORD_API_URL", "discord.com/api", "is not an http(s) URL"},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.key] = true
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			c, err := config.Load(config.LoadOptions{Getenv: envFrom(map[string]string{tt.key: tt.value}), DotEnv: noDotEnv(t)})
			if err == nil {
				t.Fatalf("Load accepted %s=%q:\n%s", tt.key, tt.value, c.Dump())
			}
			checkConfigError(t, err, tt.key, tt.wantMsg)
		})
	}
	for _, v := range config.Variables() {
		if !covered[v.Key] {
			t.Errorf("no bad-value case for %s: add one to this table", v.Key)
		}
	}
}

func TestLoadBadValueSaysWhereItCameFrom(t *testing.T) {
	dir := t.TempDir()
	dot := writeFile(t, dir, "my.env", "SAHELBRIEF_CONCURRENCY=0\n")
	tests := []struct {
		name      string
		env       map[string]string
		overrides map[string]string
		want      string
	}{
		{"dotenv", nil, nil, "(from " + dot + ")"},
		{"environment", map[string]string{"SAHELBRIEF_CONCURRENCY": "-1"}, nil, "(from environment)"},
		{"flag", nil, map[string]string{"SAHELBRIEF_CONCURRENCY": "9999"}, "(from flag)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(config.LoadOptions{Getenv: envFrom(tt.env), DotEnv: dot, Overrides: tt.overrides})
			var ce *config.Error
			if !errors.As(err, &ce) || ce.Key != "SAHELBRIEF_CONCURRENCY" {
				t.Fatalf("err = %v, want a *config.Error for SAHELBRIEF_CONCURRENCY", err)
			}
			if !strings.Contains(ce.Msg, tt.want) {
				t.Errorf("Msg = %q, want it to contain %q", ce.Msg, tt.want)
			}
		})
	}
}

func TestLoadMalformedDotEnv(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, content string }{
		{"unterminated quote", "SAHELBRIEF_DB=\"oops\n"},
		{"unterminated single quote", "SAHELBRIEF_USER_AGENT='x\nSAHELBRIEF_DB=a.db\n"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, dir, strings.Repeat("x", i+1)+".env", tt.content)
			_, err := config.Load(config.LoadOptions{Getenv: envFrom(nil), DotEnv: p})
			if err == nil {
				t.Fatal("Load accepted a malformed .env file")
			}
			if !strings.Contains(err.Error(), p) {
				t.Errorf("error %q does not name the file %s", err, p)
			}
		})
	}
	t.Run("directory", func(t *testing.T) {
		_, err := config.Load(config.LoadOptions{Getenv: envFrom(nil), DotEnv: dir})
		if err == nil || !strings.Contains(err.Error(), dir) {
			t.Errorf("err = %v, want an error naming %s", err, dir)
		}
	})
}
