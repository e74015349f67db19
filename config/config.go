// Package config loads sahelbrief's settings: environment variables (a
// .env file in the working directory is read too; the real environment
// wins), command-line overrides, and an optional YAML file for structured
// settings such as the source list. Every value is validated at start-up;
// a bad one stops the program with an error naming its key.
package config

import (
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/internal/defaults"
	"github.com/sahelbrief/sahelbrief/internal/redact"
)

// Config is the typed, validated configuration.
type Config struct {
	ConfigFile   string        // SAHELBRIEF_CONFIG: optional YAML file
	DBPath       string        // SAHELBRIEF_DB
	PollInterval time.Duration // SAHELBRIEF_POLL_INTERVAL: default per-source interval
	FetchTimeout time.Duration // SAHELBRIEF_FETCH_TIMEOUT: one whole fetch
	MaxFeedBytes int64         // SAHELBRIEF_MAX_FEED_BYTES
	MaxFeedItems int           // SAHELBRIEF_MAX_FEED_ITEMS: entries taken from one feed a poll, the newest
	Concurrency  int           // SAHELBRIEF_CONCURRENCY: fetches in flight
	PerHost      int           // SAHELBRIEF_PER_HOST: fetches in flight per host
	MaxBackoff   time.Duration // SAHELBRIEF_MAX_BACKOFF
	UserAgent    string        // SAHELBRIEF_USER_AGENT
	LogLevel     slog.Level    // SAHELBRIEF_LOG_LEVEL
	PublicURL    string        // SAHELBRIEF_PUBLIC_URL: where Slack and Discord reach the bot's HTTP endpoints
	HTTPAddr     string        // SAHELBRIEF_HTTP_ADDR: where serve listens

	// Delivery.
	AlertsPerMinute int           // SAHELBRIEF_ALERTS_PER_MINUTE: alert messages per channel a minute; the rest are rolled into one summary
	Lang            string        // SAHELBRIEF_LANG: "en" or "fr", the language a story's lead is taken in when a report exists in it; "" for none
	DigestGrace     time.Duration // SAHELBRIEF_DIGEST_GRACE: how late a digest missed while down is still posted (0: never)
	LeaseTTL        time.Duration // SAHELBRIEF_LEASE_TTL: how long the bot's lease and delivery claims outlive its last heartbeat
	AnswerTTL       time.Duration // SAHELBRIEF_ANSWER_TTL: how long a digest or search answer is reused while no news arrives (0: never)

	// Chat platforms. Tokens are secrets: redacted in dumps and logs.
	SlackBotToken      string   // SLACK_BOT_TOKEN (xoxb-)
	SlackAppToken      string   // SLACK_APP_TOKEN (xapp-): Socket Mode
	SlackSigningSecret string   // SLACK_SIGNING_SECRET: HTTP mode
	SlackAPIURL        string   // SLACK_API_URL
	SlackManagers      []string // SAHELBRIEF_SLACK_MANAGERS: user ids who may change subscriptions and schedules
	DiscordBotToken    string   // DISCORD_BOT_TOKEN
	DiscordAppID       string   // DISCORD_APPLICATION_ID
	DiscordPublicKey   string   // DISCORD_PUBLIC_KEY: HTTP interactions
	DiscordAPIURL      string   // DISCORD_API_URL

	// Sources are the feeds to poll: the file's `sources:` when it has
	// them, else the built-in list (LoadOptions.BuiltinSources) less
	// `disable:`, plus `extra_sources:`. Local paths are resolved against
	// the config file's directory.
	Sources []Source
	// GazetteerYAML is the file's `gazetteer:` section (extra aliases and
	// actors), re-encoded; nil when absent. LoadOptions.Vocabulary
	// validates it.
	GazetteerYAML []byte
	// Digests are the file's `digests:` schedules, validated (channel,
	// cron, time zone, and with a Vocabulary country and actor, as ids);
	// nil when the file lists none.
	Digests []DigestConfig

	values      map[string]string // raw value of each option, as loaded
	origins     map[string]string // where each value came from
	sourcesNote string            // how Sources was made, for Dump
}

// Source is one feed as the YAML file declares it.
type Source struct {
	Name     string
	URL      string
	Lang     string
	Interval time.Duration
}

// Error is a configuration error; Key names the setting at fault.
type Error struct {
	Key string
	Msg string
}

// Error never shows a URL's credentials (a feed or API URL may carry
// them): messages quote the values at fault.
func (e *Error) Error() string { return redact.URLs(fmt.Sprintf("config: %s: %s", e.Key, e.Msg)) }

// option is one environment setting: its key, default, one-line help (the
// same text .env.example carries), whether it is secret, and how to apply it.
type option struct {
	key    string
	def    string
	help   string
	secret bool
	apply  func(c *Config, v string) error
}

// options is the single table of environment settings. README and
// .env.example are checked against it by tests.
var options = []option{
	{key: "SAHELBRIEF_CONFIG", def: "", help: "optional YAML file (sources list and other structured settings)",
		apply: func(c *Config, v string) error { c.ConfigFile = v; return nil }},
	{key: "SAHELBRIEF_DB", def: "sahelbrief.db", help: "SQLite database path",
		apply: func(c *Config, v string) error {
			if strings.TrimSpace(v) == "" {
				return errors.New("must not be empty")
			}
			c.DBPath = v
			return nil
		}},
	{key: "SAHELBRIEF_POLL_INTERVAL", def: shortDuration(defaults.PollInterval), help: "default poll interval of sources that set none (minimum 1s)",
		apply: func(c *Config, v string) (err error) { c.PollInterval, err = parseDuration(v, time.Second); return }},
	{key: "SAHELBRIEF_FETCH_TIMEOUT", def: shortDuration(defaults.FetchTimeout), help: "time limit for one feed fetch, from connecting to the last byte",
		apply: func(c *Config, v string) (err error) {
			c.FetchTimeout, err = parseDuration(v, 100*time.Millisecond)
			return
		}},
	{key: "SAHELBRIEF_MAX_FEED_BYTES", def: bytesText(defaults.MaxFeedBytes), help: "largest feed body accepted, after decompression (e.g. 10MiB, 512KiB)",
		apply: func(c *Config, v string) (err error) { c.MaxFeedBytes, err = parseBytes(v); return }},
	{key: "SAHELBRIEF_MAX_FEED_ITEMS", def: strconv.Itoa(defaults.MaxFeedItems), help: "entries taken from one feed a poll, the newest by date (1..100000); the older ones are counted and skipped, to bound memory",
		apply: func(c *Config, v string) (err error) { c.MaxFeedItems, err = parseCount(v, 1, 100_000); return }},
	{key: "SAHELBRIEF_CONCURRENCY", def: strconv.Itoa(defaults.Concurrency), help: "feeds fetched at once, overall",
		apply: func(c *Config, v string) (err error) { c.Concurrency, err = parseCount(v, 1, 1024); return }},
	{key: "SAHELBRIEF_PER_HOST", def: strconv.Itoa(defaults.PerHost), help: "feeds fetched at once from any one host",
		apply: func(c *Config, v string) (err error) { c.PerHost, err = parseCount(v, 1, 64); return }},
	{key: "SAHELBRIEF_MAX_BACKOFF", def: shortDuration(defaults.MaxBackoff), help: "longest wait before retrying a failing source",
		apply: func(c *Config, v string) (err error) { c.MaxBackoff, err = parseDuration(v, time.Second); return }},
	{key: "SAHELBRIEF_USER_AGENT", def: "", help: "User-Agent sent to feeds (empty: sahelbrief's own, naming the project)",
		apply: func(c *Config, v string) error {
			// A control character would make every request fail (or, with
			// CR/LF, inject a header): refuse it here, naming the key.
			if strings.ContainsFunc(v, func(r rune) bool { return r < ' ' || r == 0x7f }) {
				return fmt.Errorf("%q contains a control character", v)
			}
			c.UserAgent = v
			return nil
		}},
	{key: "SAHELBRIEF_LOG_LEVEL", def: "info", help: "log level: debug, info, warn or error",
		apply: func(c *Config, v string) error {
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "debug":
				c.LogLevel = slog.LevelDebug
			case "info", "":
				c.LogLevel = slog.LevelInfo
			case "warn", "warning":
				c.LogLevel = slog.LevelWarn
			case "error":
				c.LogLevel = slog.LevelError
			default:
				return fmt.Errorf("%q is not one of debug, info, warn, error", v)
			}
			return nil
		}},
	{key: "SAHELBRIEF_HTTP_ADDR", def: ":8080", help: "address the HTTP endpoints (/healthz, /slack/commands, /discord/interactions) listen on",
		apply: func(c *Config, v string) error {
			v = strings.TrimSpace(v)
			if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
				return fmt.Errorf("%q is not a host:port address (examples: :8080, 127.0.0.1:8080)", v)
			}
			c.HTTPAddr = v
			return nil
		}},
	{key: "SAHELBRIEF_PUBLIC_URL", def: "", help: "public https URL of this bot, for the Slack app manifest's request URL (HTTP mode)",
		apply: func(c *Config, v string) (err error) { c.PublicURL, err = optionalURL(v); return }},
	{key: "SAHELBRIEF_ALERTS_PER_MINUTE", def: strconv.Itoa(defaults.AlertsPerMinute), help: "alert messages a channel gets a minute at most (1..60); the rest are rolled into one summary message",
		apply: func(c *Config, v string) (err error) { c.AlertsPerMinute, err = parseCount(v, 1, 60); return }},
	{key: "SAHELBRIEF_LANG", def: "", help: "language a story's lead report is taken in when the story has a report in it: en or fr (empty: the most representative report, whatever its language)",
		apply: func(c *Config, v string) error {
			switch v {
			case "", "en", "fr":
				c.Lang = v
				return nil
			}
			return fmt.Errorf("%q is not a language: use en, fr or nothing", v)
		}},
	{key: "SAHELBRIEF_DIGEST_GRACE", def: shortDuration(defaults.DigestGrace), help: "how late a scheduled digest missed while the bot was down is still posted (marked late) on start; 0 disables catch-up, at most 168h",
		apply: func(c *Config, v string) (err error) {
			c.DigestGrace, err = parseDurationIn(v, 0, maxDigestGrace)
			return
		}},
	{key: "SAHELBRIEF_LEASE_TTL", def: shortDuration(defaults.LeaseTTL), help: "one bot per database: how long a stopped bot's lease (and its claims on deliveries) outlives its last heartbeat, renewed every third of it; a new run or serve is refused until then (1s to 10m)",
		apply: func(c *Config, v string) (err error) {
			c.LeaseTTL, err = parseDurationIn(v, time.Second, 10*time.Minute)
			return
		}},
	{key: "SAHELBRIEF_ANSWER_TTL", def: "1m", help: "how long a command's digest or search result is reused for the same question while no news is stored (a burst of the same command is built once); 0 builds every answer afresh, at most 10m",
		apply: func(c *Config, v string) (err error) {
			c.AnswerTTL, err = parseDurationIn(v, 0, 10*time.Minute)
			return
		}},
	{key: "SLACK_BOT_TOKEN", def: "", secret: true, help: "Slack bot token (xoxb-…)",
		apply: func(c *Config, v string) (err error) { c.SlackBotToken, err = token(v, "xoxb-"); return }},
	{key: "SLACK_APP_TOKEN", def: "", secret: true, help: "Slack app-level token (xapp-…) for Socket Mode",
		apply: func(c *Config, v string) (err error) { c.SlackAppToken, err = token(v, "xapp-"); return }},
	{key: "SLACK_SIGNING_SECRET", def: "", secret: true, help: "Slack signing secret, for HTTP mode (requests are verified with it)",
		apply: func(c *Config, v string) (err error) { c.SlackSigningSecret, err = token(v, ""); return }},
	{key: "SLACK_API_URL", def: "https://slack.com/api/", help: "Slack Web API base URL (proxies, local fakes)",
		apply: func(c *Config, v string) (err error) { c.SlackAPIURL, err = requiredURL(v); return }},
	{key: "SAHELBRIEF_SLACK_MANAGERS", def: "", help: "Slack user ids (comma-separated, e.g. U0123ABCD) who may change channels' subscriptions and digests",
		apply: func(c *Config, v string) error {
			c.SlackManagers = nil
			for _, id := range strings.Split(v, ",") {
				id = strings.TrimSpace(id)
				if id == "" {
					continue
				}
				if !slackUserID.MatchString(id) {
					return fmt.Errorf("%q is not a Slack user id (like U0123ABCD)", id)
				}
				c.SlackManagers = append(c.SlackManagers, id)
			}
			return nil
		}},
	{key: "DISCORD_BOT_TOKEN", def: "", secret: true, help: "Discord bot token",
		apply: func(c *Config, v string) (err error) { c.DiscordBotToken, err = token(v, ""); return }},
	{key: "DISCORD_APPLICATION_ID", def: "", help: "Discord application id (a number), for registering /sahel",
		apply: func(c *Config, v string) error {
			v = strings.TrimSpace(v)
			if v != "" {
				if _, err := strconv.ParseUint(v, 10, 64); err != nil {
					return fmt.Errorf("%q is not a Discord id (a number)", v)
				}
			}
			c.DiscordAppID = v
			return nil
		}},
	{key: "DISCORD_PUBLIC_KEY", def: "", help: "Discord application public key (64 hex characters), for HTTP interactions",
		apply: func(c *Config, v string) error {
			v = strings.TrimSpace(v)
			if v != "" {
				if b, err := hex.DecodeString(v); err != nil || len(b) != 32 {
					return errors.New("must be 64 hex characters (the application's public key)")
				}
			}
			c.DiscordPublicKey = v
			return nil
		}},
	{key: "DISCORD_API_URL", def: "https://discord.com/api/v10/", help: "Discord REST API base URL (proxies, local fakes)",
		apply: func(c *Config, v string) (err error) { c.DiscordAPIURL, err = requiredURL(v); return }},
}

// Variables lists every environment variable sahelbrief reads, with its
// default and help, in the order of the option table.
func Variables() []Variable {
	out := make([]Variable, len(options))
	for i, o := range options {
		out[i] = Variable{Key: o.key, Default: o.def, Help: o.help, Secret: o.secret}
	}
	return out
}

// Variable describes one environment setting.
type Variable struct {
	Key, Default, Help string
	Secret             bool
}

// LoadOptions say where Load looks.
type LoadOptions struct {
	// Getenv reads the process environment; nil means os.LookupEnv.
	Getenv func(string) (string, bool)
	// DotEnv is the .env file to read; "" means ".env" in the working
	// directory. A missing file is fine.
	DotEnv string
	// Overrides come from command-line flags and win over everything.
	Overrides map[string]string
	// BuiltinSources is the built-in feed list (a YAML document with a
	// `sources:` list, as the file's): what Sources is when the file
	// gives no `sources:`, and what `disable:` names. nil: none.
	BuiltinSources []byte
	// Vocabulary, when set, is called once with Config.GazetteerYAML (nil
	// when the file has none) and returns the names digests may use; its
	// error is reported under `gazetteer`. The names live in briefing's
	// gazetteer, which this package cannot import, yet loading must check
	// everything the bot will use: the application (internal/app) passes it. Unset, country: and
	// actor: are not checked.
	Vocabulary func(gazetteerYAML []byte) (Vocabulary, error)
}

// Vocabulary resolves the country and actor names of digests.
type Vocabulary interface {
	// Resolve returns the id of the country or actor (kind "country" or
	// "actor") name means; when none, ok is false and suggestion is the
	// closest id ("" for none).
	Resolve(kind, name string) (id, suggestion string, ok bool)
}

// Load reads and validates the configuration. It reports every bad
// setting at once: the error joins one *Error per setting or entry at
// fault (errors.Join), each naming its key.
func Load(o LoadOptions) (*Config, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.LookupEnv
	}
	dotPath := o.DotEnv
	if dotPath == "" {
		dotPath = ".env"
	}
	dot, err := readDotEnv(dotPath)
	if err != nil {
		return nil, err
	}
	c := &Config{values: map[string]string{}, origins: map[string]string{}}
	var errs []error
	for _, opt := range options {
		v, origin := opt.def, "default"
		if dv, ok := dot[opt.key]; ok {
			v, origin = dv, dotPath
		}
		if ev, ok := getenv(opt.key); ok {
			v, origin = ev, "environment"
		}
		if ov, ok := o.Overrides[opt.key]; ok {
			v, origin = ov, "flag"
		}
		if err := opt.apply(c, v); err != nil {
			msg := err.Error()
			if opt.secret && v != "" {
				msg = strings.ReplaceAll(msg, v, "[redacted]")
			}
			errs = append(errs, &Error{Key: opt.key, Msg: fmt.Sprintf("%s (from %s)", msg, origin)})
		}
		c.values[opt.key], c.origins[opt.key] = v, origin
	}
	if c.SlackAppToken != "" && c.SlackBotToken == "" {
		errs = append(errs, &Error{Key: "SLACK_APP_TOKEN", Msg: "is set but SLACK_BOT_TOKEN is not: Socket Mode needs both"})
	}
	if c.ConfigFile != "" {
		errs = append(errs, c.loadFile(c.ConfigFile, o)...)
	} else {
		errs = append(errs, c.apply(parsedFile{}, "", "", o)...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// Dump lists every setting with its value and origin, secrets redacted, in
// "KEY=value  # origin" lines: safe to paste into a bug report.
func (c *Config) Dump() string {
	var b strings.Builder
	for _, opt := range options {
		v := c.shown(opt)
		fmt.Fprintf(&b, "%s=%s  # %s\n", opt.key, v, c.origins[opt.key])
	}
	if c.ConfigFile != "" {
		fmt.Fprintf(&b, "# sources: %s\n", c.sourcesNote)
		if len(c.Digests) == 0 {
			b.WriteString("# digests: none\n")
		}
		for _, d := range c.Digests {
			fmt.Fprintf(&b, "# digest: %s\n", digestLine(d))
		}
	}
	return b.String()
}

// shown is an option's value as it may be printed: secrets hidden, and
// the credentials of URLs (SLACK_API_URL=https://user:pass@proxy/…) too.
func (c *Config) shown(opt option) string {
	v := c.values[opt.key]
	if opt.secret && v != "" {
		return "[redacted]"
	}
	return redact.URLs(v)
}

// LogValue keeps secrets out of logs when a Config is logged with slog.
func (c *Config) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, len(options))
	for _, opt := range options {
		v := c.shown(opt)
		attrs = append(attrs, slog.String(strings.ToLower(opt.key), v))
	}
	return slog.GroupValue(attrs...)
}

var slackUserID = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

// token checks a secret's shape without ever quoting it in the error.
func token(v, prefix string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	if strings.ContainsAny(v, " \t\r\n") {
		return "", errors.New("contains white space")
	}
	if prefix != "" && !strings.HasPrefix(v, prefix) {
		return "", fmt.Errorf("should start with %q", prefix)
	}
	return v, nil
}

func optionalURL(v string) (string, error) {
	if strings.TrimSpace(v) == "" {
		return "", nil
	}
	return requiredURL(v)
}

func requiredURL(v string) (string, error) {
	v = strings.TrimSpace(v)
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not an http(s) URL", v)
	}
	return v, nil
}

// maxDigestGrace bounds SAHELBRIEF_DIGEST_GRACE: a week.
const maxDigestGrace = 7 * 24 * time.Hour

func parseDuration(v string, minimum time.Duration) (time.Duration, error) {
	return parseDurationIn(v, minimum, 0)
}

// parseDurationIn parses a duration in minimum..maximum; maximum 0 means
// no upper bound.
func parseDurationIn(v string, minimum, maximum time.Duration) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (examples: 90s, 10m, 2h)", v)
	}
	if d < minimum {
		return 0, fmt.Errorf("%s is below the minimum of %s", shortDuration(d), shortDuration(minimum))
	}
	if maximum > 0 && d > maximum {
		return 0, fmt.Errorf("%s is above the maximum of %s", shortDuration(d), shortDuration(maximum))
	}
	return d, nil
}

// shortDuration prints d without trailing zero units: 168h, not 168h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

func parseCount(v string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number", v)
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("%d is outside %d..%d", n, lo, hi)
	}
	return n, nil
}

// bytesText writes a default size in the largest binary unit that divides
// it ("10MiB").
func bytesText(n int64) string {
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.mult && n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

// parseBytes reads sizes such as 10MiB, 512KiB, 1GiB, 10MB or 1048576.
func parseBytes(v string) (int64, error) {
	s := strings.TrimSpace(v)
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(strings.ToUpper(s), strings.ToUpper(u.suffix)) {
			s = strings.TrimSpace(s[:len(s)-len(u.suffix)])
			mult = u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size (examples: 10MiB, 512KiB, 1048576)", v)
	}
	if n > (1<<40)/mult {
		return 0, fmt.Errorf("%q is too large", v)
	}
	return n * mult, nil
}
