package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// BotPermissions are the permission bits the bot needs in the channels it
// posts to, derived from the calls it makes there: it posts digests and
// alerts as messages (Send Messages) with embeds (Embed Links), answers an
// alert's later outlets as replies to it (a reply needs Read Message
// History), and, when resuming a delivery, lists the channel's recent
// messages to find the parts already posted (View Channel and Read
// Message History). It creates no threads: alerts thread as replies.
// Command answers go through the interaction and need no permission.
const BotPermissions = discordgo.PermissionViewChannel |
	discordgo.PermissionSendMessages |
	discordgo.PermissionEmbedLinks |
	discordgo.PermissionReadMessageHistory

// InviteScopes are the OAuth2 scopes of the invite: the bot user, and its
// slash command.
var InviteScopes = []string{"bot", "applications.commands"}

// InviteURL is the address a server admin opens to add the bot to a server
// with BotPermissions.
func InviteURL(appID string) string {
	q := url.Values{}
	q.Set("client_id", appID)
	q.Set("permissions", strconv.FormatInt(BotPermissions, 10))
	q.Set("scope", InviteScopes[0]+" "+InviteScopes[1])
	q.Set("integration_type", "0") // a server install, not a user install
	return "https://discord.com/oauth2/authorize?" + q.Encode()
}

// BotUser calls GET /users/@me with the session's bot token and returns
// the bot's user name and id.
func BotUser(ctx context.Context, s *discordgo.Session) (name, id string, err error) {
	u, err := s.User("@me", discordgo.WithContext(ctx))
	if err != nil {
		return "", "", fmt.Errorf("discord: GET /users/@me: %w", err)
	}
	return u.Username, u.ID, nil
}

// Rejected reports whether err is Discord refusing the token (401) or the
// access (403), as opposed to Discord not being reached.
func Rejected(err error) bool {
	var e *discordgo.RESTError
	return errors.As(err, &e) && e.Response != nil &&
		(e.Response.StatusCode == http.StatusUnauthorized || e.Response.StatusCode == http.StatusForbidden)
}

// AppInfo is what Discord tells of the bot token's application.
type AppInfo struct {
	ID        string
	VerifyKey string // the public key interactions are signed for, hex
}

// Application returns the bot token's application (GET
// /oauth2/applications/@me): its id and public key.
func Application(ctx context.Context, s *discordgo.Session) (AppInfo, error) {
	ep := discordgo.EndpointOAuth2Application("@me")
	body, err := s.RequestWithBucketID("GET", ep, nil, ep, discordgo.WithContext(ctx))
	if err != nil {
		return AppInfo{}, fmt.Errorf("discord: GET /oauth2/applications/@me: %w", err)
	}
	var app discordgo.Application
	if err := json.Unmarshal(body, &app); err != nil {
		return AppInfo{}, fmt.Errorf("discord: GET /oauth2/applications/@me: %w", err)
	}
	return AppInfo{ID: app.ID, VerifyKey: app.VerifyKey}, nil
}

// CheckApplicationID tells whether the token's application is the
// configured one (DISCORD_APPLICATION_ID).
func CheckApplicationID(app AppInfo, appID string) error {
	if app.ID != appID {
		return fmt.Errorf("discord: the bot token belongs to application %s, not DISCORD_APPLICATION_ID %s", app.ID, appID)
	}
	return nil
}

// CheckPublicKey tells whether publicKey (DISCORD_PUBLIC_KEY) is an Ed25519
// public key and, when Discord reports one, the application's.
func CheckPublicKey(app AppInfo, publicKey string) error {
	if _, err := ParsePublicKey(publicKey); err != nil {
		return err
	}
	if app.VerifyKey != "" && !strings.EqualFold(app.VerifyKey, strings.TrimSpace(publicKey)) {
		return errors.New("discord: DISCORD_PUBLIC_KEY is not the application's public key")
	}
	return nil
}

// CommandRegistered reports whether /sahel is among the application's
// commands: global ones when guildID is "", else that server's.
func CommandRegistered(ctx context.Context, s *discordgo.Session, appID, guildID string) (bool, error) {
	cmds, err := s.ApplicationCommands(appID, guildID, discordgo.WithContext(ctx))
	if err != nil {
		return false, fmt.Errorf("discord: listing application commands: %w", err)
	}
	for _, c := range cmds {
		if c.Name == CommandName {
			return true, nil
		}
	}
	return false, nil
}
