package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sahelbrief/sahelbrief/bot"
	"github.com/sahelbrief/sahelbrief/bot/discord"
	"github.com/sahelbrief/sahelbrief/bot/slack"
)

// runSlack dispatches `sahelbrief slack <action>`.
func runSlack(_ context.Context, env *cliEnv, args []string) int {
	if len(args) == 0 || args[0] != "manifest" {
		fmt.Fprintln(env.stderr, "Usage: sahelbrief slack manifest [--name NAME] [--http]")
		return exitUsage
	}
	fs := newFlagSet(env, "slack manifest")
	name := fs.String("name", "sahelbrief", "the app's display `name`")
	httpMode := fs.Bool("http", false, "HTTP mode (request URL) instead of Socket Mode")
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	cfg, ok := loadConfig(env)
	if !ok {
		return exitUsage
	}
	useHTTP := *httpMode || (cfg.SlackSigningSecret != "" && cfg.SlackAppToken == "")
	requestURL := ""
	if useHTTP {
		if cfg.PublicURL == "" {
			fmt.Fprintln(env.stderr, "sahelbrief slack manifest: HTTP mode needs SAHELBRIEF_PUBLIC_URL (the bot's public https address)")
			return exitUsage
		}
		requestURL = strings.TrimRight(cfg.PublicURL, "/") + "/slack/commands"
	}
	fmt.Fprint(env.stdout, slack.Manifest(*name, "/sahel", !useHTTP, requestURL))
	return exitOK
}

// runDiscord dispatches `sahelbrief discord <action>`.
func runDiscord(ctx context.Context, env *cliEnv, args []string) int {
	switch {
	case len(args) > 0 && args[0] == "register":
		return runDiscordRegister(ctx, env, args[1:])
	case len(args) > 0 && args[0] == "invite-url":
		return runDiscordInviteURL(env, args[1:])
	}
	fmt.Fprintln(env.stderr, "Usage: sahelbrief discord register [--guild ID]\n       sahelbrief discord invite-url")
	return exitUsage
}

// runDiscordInviteURL prints the address that adds the bot to a server.
func runDiscordInviteURL(env *cliEnv, args []string) int {
	fs := newFlagSet(env, "discord invite-url")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, ok := loadConfig(env)
	if !ok {
		return exitUsage
	}
	if cfg.DiscordAppID == "" {
		fmt.Fprintln(env.stderr, "sahelbrief discord invite-url: set DISCORD_APPLICATION_ID")
		return exitUsage
	}
	fmt.Fprintln(env.stdout, discord.InviteURL(cfg.DiscordAppID))
	return exitOK
}

// runDiscordRegister creates or replaces the /sahel command.
func runDiscordRegister(ctx context.Context, env *cliEnv, args []string) int {
	fs := newFlagSet(env, "discord register")
	guild := fs.String("guild", "", "register in this server (guild `id`) only")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, gaz, ok := loadConfigAndGazetteer(env)
	if !ok {
		return exitUsage
	}
	if cfg.DiscordBotToken == "" || cfg.DiscordAppID == "" {
		fmt.Fprintln(env.stderr, "sahelbrief discord register: set DISCORD_BOT_TOKEN and DISCORD_APPLICATION_ID")
		return exitUsage
	}
	s, err := discord.NewSession(cfg.DiscordBotToken, cfg.DiscordAPIURL, nil)
	if err != nil {
		env.fail(err)
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := discord.Register(ctx, s, cfg.DiscordAppID, *guild, bot.New(nil, gaz, nil, bot.Limits{})); err != nil {
		fmt.Fprintf(env.stderr, "sahelbrief discord register: %v\n", err)
		return exitFail
	}
	where := "globally (it can take up to an hour to appear)"
	if *guild != "" {
		where = "in server " + *guild
	}
	fmt.Fprintf(env.stdout, "Registered /%s %s.\n", discord.CommandName, where)
	return exitOK
}
