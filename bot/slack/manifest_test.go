package slack

import (
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"
)

type testManifest struct {
	DisplayInformation struct {
		Name string `yaml:"name"`
	} `yaml:"display_information"`
	Features struct {
		BotUser struct {
			DisplayName string `yaml:"display_name"`
		} `yaml:"bot_user"`
		SlashCommands []struct {
			Command      string  `yaml:"command"`
			URL          *string `yaml:"url"`
			Description  string  `yaml:"description"`
			UsageHint    string  `yaml:"usage_hint"`
			ShouldEscape *bool   `yaml:"should_escape"`
		} `yaml:"slash_commands"`
	} `yaml:"features"`
	OAuthConfig struct {
		Scopes struct {
			Bot []string `yaml:"bot"`
		} `yaml:"scopes"`
	} `yaml:"oauth_config"`
	Settings struct {
		SocketModeEnabled *bool `yaml:"socket_mode_enabled"`
		OrgDeployEnabled  *bool `yaml:"org_deploy_enabled"`
	} `yaml:"settings"`
}

func TestManifest(t *testing.T) {
	const url = "https://example.org/slack/commands?x=1&y=#frag"
	name := `Sahel: "brief" # 1`
	for _, socket := range []bool{false, true} {
		out := Manifest(name, "sahel", socket, url)
		var m testManifest
		if err := yaml.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("socket=%v: %v\n%s", socket, err, out)
		}
		if m.DisplayInformation.Name != name || m.Features.BotUser.DisplayName != name {
			t.Errorf("socket=%v: names %q, %q", socket, m.DisplayInformation.Name, m.Features.BotUser.DisplayName)
		}
		if len(m.Features.SlashCommands) != 1 {
			t.Fatalf("socket=%v: %d slash commands\n%s", socket, len(m.Features.SlashCommands), out)
		}
		c := m.Features.SlashCommands[0]
		if c.Command != "/sahel" || c.Description == "" || c.UsageHint == "" || c.ShouldEscape == nil || *c.ShouldEscape {
			t.Errorf("socket=%v: command %+v", socket, c)
		}
		if socket && c.URL != nil {
			t.Errorf("socket mode has url %q", *c.URL)
		}
		if !socket && (c.URL == nil || *c.URL != url) {
			t.Errorf("http mode url %v, want %q", c.URL, url)
		}
		for _, s := range []string{"commands", "chat:write", "chat:write.public", "channels:history", "groups:history"} {
			if !slices.Contains(m.OAuthConfig.Scopes.Bot, s) {
				t.Errorf("socket=%v: scope %s missing from %v", socket, s, m.OAuthConfig.Scopes.Bot)
			}
		}
		if m.Settings.SocketModeEnabled == nil || *m.Settings.SocketModeEnabled != socket {
			t.Errorf("socket=%v: socket_mode_enabled %v", socket, m.Settings.SocketModeEnabled)
		}
		if m.Settings.OrgDeployEnabled == nil || *m.Settings.OrgDeployEnabled {
			t.Errorf("socket=%v: org_deploy_enabled %v", socket, m.Settings.OrgDeployEnabled)
		}
	}
}
