package app

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/config"
)

// testHook, when set (by tests only), is told of the points where the
// running bot commits something: "ingested", "alerts", the dispatcher's
// "attempt:<kind>", "posted:<kind>" and "sent:<kind>", and
// "listening:<addr>". The crash tests kill the process there.
var testHook func(point string)

// clockNow is the time commands answer at (the bot's windows, brief's
// window). Only tests change it: the load test's corpus ends at a fixed
// date, and its windows must find the same items whenever it runs.
var clockNow = time.Now

// firstPollWait bounds how long the scheduler waits for the first poll.
const firstPollWait = 2 * time.Minute

func hook(point string) {
	if testHook != nil {
		testHook(point)
	}
}

func runRun(ctx context.Context, env *cliEnv, args []string) int {
	fs := newFlagSet(env, "run")
	shell := fs.Bool("shell", false, "open the console shell even when chat settings are present")
	addr := fs.String("addr", "", "listen `address` (default SAHELBRIEF_HTTP_ADDR)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	m, code := New(ctx, env, Options{Addr: *addr, Shell: *shell})
	if m == nil {
		return code
	}
	defer m.Close()
	return m.Run(ctx)
}

// hasChat reports whether any chat platform is configured.
func hasChat(cfg *config.Config) bool {
	return cfg.SlackSigningSecret != "" || cfg.SlackAppToken != "" || cfg.SlackBotToken != "" ||
		cfg.DiscordPublicKey != "" || cfg.DiscordBotToken != ""
}

func platformNames(m map[string]bot.Deliverer) string {
	var names []string
	for k := range m {
		names = append(names, strings.TrimSuffix(k, ":"))
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}
