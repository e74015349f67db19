package main

import (
	"context"

	"github.com/sahelbrief/sahelbrief/config"
)

func runRun(ctx context.Context, env *cliEnv, args []string) int {
	fs := newFlagSet(env, "run", "[--shell] [--addr ADDR]",
		"Run the bot: with chat settings (SLACK_SIGNING_SECRET, SLACK_APP_TOKEN, DISCORD_PUBLIC_KEY or\n"+
			"DISCORD_BOT_TOKEN) it serves them as `serve` does; with none, or with --shell, it opens the console\n"+
			"shell, so anyone can try it in a terminal. Polling, scheduled digests and alerts join it next.")
	shell := fs.Bool("shell", false, "open the console shell even when chat settings are present")
	addr := fs.String("addr", "", "listen `address` (default SAHELBRIEF_HTTP_ADDR)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, ok := loadConfig(env)
	if !ok {
		return exitUsage
	}
	if *shell || !hasChat(cfg) {
		return runShell(ctx, env, nil)
	}
	var serveArgs []string
	if *addr != "" {
		serveArgs = []string{"--addr", *addr}
	}
	return runServe(ctx, env, serveArgs)
}

// hasChat reports whether any chat platform is configured.
func hasChat(cfg *config.Config) bool {
	return cfg.SlackSigningSecret != "" || cfg.SlackAppToken != "" || cfg.DiscordPublicKey != "" || cfg.DiscordBotToken != ""
}
