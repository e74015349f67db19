package slack

import (
	"strconv"
	"strings"
)

// Manifest returns a Slack app manifest (YAML) for the app: a bot user, the
// slash command and the scopes sahelbrief needs. With socketMode the slash
// command has no request URL; otherwise Slack posts commands to requestURL.
//
// The manifest is built from typed entries and written by a small
// block-style emitter that double-quotes every string, so names and
// descriptions need no care. (go.yaml.in/yaml/v3 would do, but this package
// may import only the standard library, bot, briefing and slack-go: see
// TestImports. The tests parse the output back with yaml/v3.)
func Manifest(appName, commandName string, socketMode bool, requestURL string) string {
	appName = strings.TrimSpace(appName)
	if appName == "" {
		appName = "Sahel brief"
	}
	commandName = strings.ToLower(strings.TrimSpace(commandName))
	if commandName == "" {
		commandName = DefaultCommand
	}
	if !strings.HasPrefix(commandName, "/") {
		commandName = "/" + commandName
	}
	cmd := []field{{"command", commandName}}
	if !socketMode && requestURL != "" {
		cmd = append(cmd, field{"url", requestURL})
	}
	cmd = append(cmd,
		field{"description", "Sahel news: digests, searches and alerts"},
		field{"usage_hint", "brief [12h] | country <name> | search <query> | help"},
		field{"should_escape", false},
	)
	m := []field{
		{"display_information", []field{
			{"name", cutRunes(appName, 35)},
			{"description", "Sahel news digests, searches and alerts"},
			{"background_color", "#8a5a14"},
		}},
		{"features", []field{
			{"bot_user", []field{
				{"display_name", cutRunes(appName, 80)},
				{"always_online", true},
			}},
			{"slash_commands", [][]field{cmd}},
		}},
		{"oauth_config", []field{
			{"scopes", []field{
				{"bot", BotScopes()},
			}},
		}},
		{"settings", []field{
			{"org_deploy_enabled", false},
			{"socket_mode_enabled", socketMode},
			{"token_rotation_enabled", false},
		}},
	}
	var b strings.Builder
	emit(&b, m, 0)
	return b.String()
}

// BotScopes are the bot token scopes the app asks for (the manifest's
// oauth_config.scopes.bot, and what `doctor` checks the token was granted).
// commands: the slash command; chat:write: scheduled digests and alerts;
// chat:write.public: post to public channels the bot was not invited to;
// users:read: tell workspace admins and owners (who may manage channels)
// from members. Replies to a command go to its response_url, which needs no
// scope. channels:history, groups:history: a resumed delivery looks in the
// channel for the parts already posted.
func BotScopes() []string {
	return []string{"commands", "chat:write", "chat:write.public", "users:read", "channels:history", "groups:history"}
}

// field is one mapping entry; val is a string, bool, []string, []field or
// [][]field (a sequence of mappings).
type field struct {
	key string
	val any
}

func emit(b *strings.Builder, fs []field, indent int) {
	pad := strings.Repeat("  ", indent)
	for _, f := range fs {
		b.WriteString(pad + f.key + ":")
		emitValue(b, f.val, indent)
	}
}

// emitValue writes v after "key:" at the given indent level. Strings are
// Go-quoted: every escape strconv.Quote emits is also a YAML double-quoted
// escape.
func emitValue(b *strings.Builder, v any, indent int) {
	pad := strings.Repeat("  ", indent)
	switch v := v.(type) {
	case string:
		b.WriteString(" " + strconv.Quote(v) + "\n")
	case bool:
		b.WriteString(" " + strconv.FormatBool(v) + "\n")
	case []string:
		b.WriteString("\n")
		for _, s := range v {
			b.WriteString(pad + "  - " + strconv.Quote(s) + "\n")
		}
	case []field:
		b.WriteString("\n")
		emit(b, v, indent+1)
	case [][]field:
		b.WriteString("\n")
		for _, item := range v {
			for j, f := range item {
				lead := pad + "    "
				if j == 0 {
					lead = pad + "  - "
				}
				b.WriteString(lead + f.key + ":")
				emitValue(b, f.val, indent+2)
			}
		}
	default:
		panic("slack: manifest value of unsupported type")
	}
}

func cutRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
