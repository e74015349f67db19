package slack

import (
	stdctx "context"
	"errors"
	"fmt"
	"slices"
	"strings"

	slackgo "github.com/slack-go/slack"
)

// Identity is what auth.test tells of a bot token.
type Identity struct {
	Team, User, BotID string
	// Scopes are the scopes granted to the token, from the X-OAuth-Scopes
	// header Slack sends with every Web API answer; nil when absent.
	Scopes []string
}

// Authenticate calls auth.test with the client's token, for `doctor`.
func Authenticate(ctx stdctx.Context, api *slackgo.Client) (Identity, error) {
	r, err := api.AuthTestContext(ctx)
	if err != nil {
		return Identity{}, fmt.Errorf("slack: auth.test: %w", err)
	}
	id := Identity{Team: r.Team, User: r.User, BotID: r.BotID}
	if h := r.Header.Get("X-OAuth-Scopes"); h != "" {
		for _, s := range strings.Split(h, ",") {
			if s = strings.TrimSpace(s); s != "" {
				id.Scopes = append(id.Scopes, s)
			}
		}
	}
	return id, nil
}

// MissingScopes returns the scopes of BotScopes that granted lacks, in
// BotScopes' order.
func MissingScopes(granted []string) []string {
	var missing []string
	for _, s := range BotScopes() {
		if !slices.Contains(granted, s) {
			missing = append(missing, s)
		}
	}
	return missing
}

// CheckSocketMode asks apps.connections.open for a Socket Mode address with
// the client's app-level token, as the bot does when it connects; the
// address is not dialled (it is good for one connection, and expires).
func CheckSocketMode(ctx stdctx.Context, api *slackgo.Client) error {
	_, url, err := api.StartSocketModeContext(ctx)
	if err != nil {
		return fmt.Errorf("slack: apps.connections.open: %w", err)
	}
	if url == "" {
		return errors.New("slack: apps.connections.open: no websocket URL in the answer")
	}
	return nil
}

// Rejected reports whether err is Slack answering with an error code
// (invalid_auth, token_revoked, not_allowed_token_type…), as opposed to
// Slack not being reached at all.
func Rejected(err error) bool {
	var e slackgo.SlackErrorResponse
	return errors.As(err, &e)
}
