package discord

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// NewSession makes a discordgo session for the bot token whose REST calls
// go to apiURL (DISCORD_API_URL) instead of Discord's own API when they
// differ: discordgo builds its endpoint URLs once, at start-up, so the
// override is done by rewriting requests in the HTTP transport. Proxies
// and local fakes (tests) use it.
func NewSession(token, apiURL string, base http.RoundTripper) (*discordgo.Session, error) {
	if strings.TrimSpace(token) == "" {
		return nil, errors.New("discord: no bot token (set DISCORD_BOT_TOKEN)")
	}
	s, err := discordgo.New("Bot " + token)
	if err != nil {
		return nil, fmt.Errorf("discord: session: %w", err)
	}
	if base == nil {
		base = http.DefaultTransport
	}
	tr := base
	if apiURL != "" && strings.TrimRight(apiURL, "/")+"/" != discordgo.EndpointAPI {
		to, err := url.Parse(strings.TrimRight(apiURL, "/") + "/")
		if err != nil || (to.Scheme != "http" && to.Scheme != "https") || to.Host == "" {
			return nil, fmt.Errorf("discord: API URL %q is not an http(s) URL", apiURL)
		}
		tr = &rewriteTransport{from: discordgo.EndpointAPI, to: to, base: base}
	}
	s.Client = &http.Client{Transport: tr, Timeout: s.Client.Timeout}
	return s, nil
}

// rewriteTransport sends requests for URLs under from to the same path
// under to.
type rewriteTransport struct {
	from string
	to   *url.URL
	base http.RoundTripper
}

func (t *rewriteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	u := r.URL.String()
	if !strings.HasPrefix(u, t.from) {
		return t.base.RoundTrip(r)
	}
	target, err := t.to.Parse(strings.TrimPrefix(u, t.from))
	if err != nil {
		return nil, fmt.Errorf("discord: rewrite %s: %w", r.URL.Path, err)
	}
	r2 := r.Clone(r.Context())
	r2.URL = target
	r2.Host = target.Host
	return t.base.RoundTrip(r2)
}
