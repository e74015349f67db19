package doctor

import (
	"context"
	"fmt"
	"strings"

	"github.com/sahelbrief/sahelbrief/bot/discord"
	"github.com/sahelbrief/sahelbrief/bot/slack"
	"github.com/sahelbrief/sahelbrief/config"
)

// checkSlack checks the bot token (auth.test), the scopes it was granted
// against the manifest's, and Socket Mode (or HTTP mode's secret).
func checkSlack(ctx context.Context, o Options) []Line {
	cfg := o.Config
	if cfg.SlackBotToken == "" && cfg.SlackAppToken == "" && cfg.SlackSigningSecret == "" {
		return []Line{{Skip, "slack", "no SLACK_BOT_TOKEN, SLACK_APP_TOKEN or SLACK_SIGNING_SECRET set"}}
	}
	if cfg.SlackBotToken == "" {
		return []Line{{Fail, "slack auth", "SLACK_BOT_TOKEN is not set (digests and alerts are posted with it): install the app to the workspace and copy its Bot User OAuth Token (xoxb-)"}}
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	id, err := slack.Authenticate(ctx, slack.NewClient(cfg.SlackBotToken, cfg.SlackAPIURL, nil))
	if err != nil && slack.Rejected(err) {
		return []Line{{Fail, "slack auth", fmt.Sprintf("%v: check SLACK_BOT_TOKEN (the Bot User OAuth Token, xoxb-, under Install App)", err)}}
	}
	if err != nil {
		return []Line{{Fail, "slack auth", fmt.Sprintf("%v: Slack cannot be reached: check outbound HTTPS to slack.com (or SLACK_API_URL)", err)}}
	}
	return []Line{
		{OK, "slack auth", fmt.Sprintf("workspace %q as @%s", id.Team, id.User)},
		slackScopes(id),
		slackMode(ctx, cfg),
	}
}

func slackScopes(id slack.Identity) Line {
	if id.Scopes == nil {
		return Line{Skip, "slack scopes", "Slack did not report the token's scopes (no X-OAuth-Scopes header)"}
	}
	if missing := slack.MissingScopes(id.Scopes); len(missing) > 0 {
		return Line{Fail, "slack scopes", fmt.Sprintf("missing %s: add them under OAuth & Permissions (or recreate the app from `sahelbrief slack manifest`) and reinstall the app",
			strings.Join(missing, ", "))}
	}
	return Line{OK, "slack scopes", fmt.Sprintf("all %d scopes of the manifest granted", len(slack.BotScopes()))}
}

// slackMode checks how commands reach the bot: Socket Mode when an app
// token is set, else HTTP mode with the signing secret.
func slackMode(ctx context.Context, cfg *config.Config) Line {
	if cfg.SlackAppToken == "" {
		if cfg.SlackSigningSecret != "" {
			return Line{Skip, "slack socket mode", "HTTP mode (SLACK_SIGNING_SECRET set, no SLACK_APP_TOKEN): Slack must reach SAHELBRIEF_PUBLIC_URL/slack/commands"}
		}
		return Line{Fail, "slack socket mode", "no SLACK_APP_TOKEN: create an app-level token with connections:write (Basic Information → App-Level Tokens), or set SLACK_SIGNING_SECRET for HTTP mode"}
	}
	err := slack.CheckSocketMode(ctx, slack.NewSocketClient(cfg.SlackBotToken, cfg.SlackAppToken, cfg.SlackAPIURL))
	if err != nil {
		return Line{Fail, "slack socket mode", fmt.Sprintf("%v: check SLACK_APP_TOKEN (xapp-, scope connections:write) and that Socket Mode is enabled for the app", err)}
	}
	return Line{OK, "slack socket mode", "apps.connections.open answers"}
}

// checkDiscord checks the bot token (GET /users/@me), the application id
// and public key against the token's application, and the /sahel command.
func checkDiscord(ctx context.Context, o Options) []Line {
	cfg := o.Config
	if cfg.DiscordBotToken == "" {
		return []Line{{Skip, "discord", "no DISCORD_BOT_TOKEN set"}}
	}
	s, err := discord.NewSession(cfg.DiscordBotToken, cfg.DiscordAPIURL, nil)
	if err != nil {
		return []Line{{Fail, "discord bot", err.Error()}}
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	name, userID, err := discord.BotUser(ctx, s)
	if err != nil && discord.Rejected(err) {
		return []Line{{Fail, "discord bot", fmt.Sprintf("%v: check DISCORD_BOT_TOKEN (Developer Portal → Bot → Reset Token)", err)}}
	}
	if err != nil {
		return []Line{{Fail, "discord bot", fmt.Sprintf("%v: Discord cannot be reached: check outbound HTTPS to discord.com (or DISCORD_API_URL)", err)}}
	}
	lines := []Line{{OK, "discord bot", fmt.Sprintf("logged in as %s (%s)", name, userID)}}
	app, err := discord.Application(ctx, s)
	if err != nil {
		return append(lines, Line{Fail, "discord application", err.Error()})
	}
	lines = append(lines, discordAppID(app, cfg.DiscordAppID), discordKey(app, cfg.DiscordPublicKey))
	if cfg.DiscordAppID == "" || app.ID != cfg.DiscordAppID {
		return lines // the commands are listed under the configured id
	}
	registered := func(guild string) (bool, error) { return discord.CommandRegistered(ctx, s, app.ID, guild) }
	return append(lines, discordCommand(registered, o.DiscordGuild))
}

func discordAppID(app discord.AppInfo, appID string) Line {
	if appID == "" {
		return Line{Fail, "discord application", fmt.Sprintf("DISCORD_APPLICATION_ID is not set: set it to %s", app.ID)}
	}
	if err := discord.CheckApplicationID(app, appID); err != nil {
		return Line{Fail, "discord application", fmt.Sprintf("%v: set DISCORD_APPLICATION_ID=%s, or use that application's bot token", err, app.ID)}
	}
	return Line{OK, "discord application", appID + " matches the bot token"}
}

func discordKey(app discord.AppInfo, key string) Line {
	if key == "" {
		return Line{Skip, "discord public key", "DISCORD_PUBLIC_KEY not set: commands come over the gateway only (set it for HTTP interactions)"}
	}
	if err := discord.CheckPublicKey(app, key); err != nil {
		return Line{Fail, "discord public key", fmt.Sprintf("%v: copy Public Key from the Developer Portal's General Information page", err)}
	}
	return Line{OK, "discord public key", "an Ed25519 key, the application's"}
}

// discordCommand checks /sahel is registered globally or in guild;
// registered lists one place ("" is global).
func discordCommand(registered func(guild string) (bool, error), guild string) Line {
	name := "/" + discord.CommandName
	ok, err := registered("")
	if err == nil && !ok && guild != "" {
		ok, err = registered(guild)
	}
	switch {
	case err != nil:
		return Line{Fail, "discord command", err.Error()}
	case !ok && guild != "":
		return Line{Fail, "discord command", fmt.Sprintf("%s is registered neither globally nor in server %s: run `sahelbrief discord register --guild %s`", name, guild, guild)}
	case !ok:
		return Line{Fail, "discord command", fmt.Sprintf("%s is not registered globally: run `sahelbrief discord register` (with --guild ID, check with `doctor --guild ID`)", name)}
	}
	return Line{OK, "discord command", name + " registered"}
}
