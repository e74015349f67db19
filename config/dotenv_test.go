package config

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A broken .env names its file, line and setting, never a value: not
// the secret on the broken line, nor any other line's.
func TestDotEnvErrorsNeverShowValues(t *testing.T) {
	const secret, other = "SECRETSIGNING", "xoxb-other-secret"
	for _, tt := range []struct{ name, text, want string }{
		{"no equals sign", "SLACK_BOT_TOKEN=" + other + "\nSLACK_SIGNING_SECRET " + secret + "\nSAHELBRIEF_DB=x.db\n",
			".env:2: SLACK_SIGNING_SECRET: no \"=\""},
		{"unterminated double quote", "SLACK_BOT_TOKEN=" + other + "\n\nSLACK_SIGNING_SECRET=\"" + secret + "\nSAHELBRIEF_DB=x.db\n",
			".env:3: SLACK_SIGNING_SECRET: quoted value never closed"},
		{"unterminated single quote", "export SLACK_SIGNING_SECRET='" + secret, ".env:1: SLACK_SIGNING_SECRET: quoted value never closed"},
		{"escaped quote does not close", `SLACK_SIGNING_SECRET="` + secret + `\"`, ".env:1: SLACK_SIGNING_SECRET: quoted value never closed"},
		{"a bare value", "# comment\n" + secret + "\n", ".env:2: no \"=\""},
		{"a value as name", secret + "-x=1\n", ".env:1: expected NAME=value"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), ".env")
			if err := os.WriteFile(path, []byte(tt.text), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(LoadOptions{Getenv: func(string) (string, bool) { return "", false }, DotEnv: path})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q lacks %q", msg, tt.want)
			}
			if strings.Contains(msg, secret) || strings.Contains(msg, other) {
				t.Errorf("error shows a secret: %q", msg)
			}
		})
	}
}

// Valid files read as godotenv reads them: quotes spanning lines,
// comments, export, KEY: value.
func TestDotEnvValidSyntax(t *testing.T) {
	text := "# c\nexport SAHELBRIEF_DB=a.db # note\nSAHELBRIEF_USER_AGENT: 'ua x'\n" +
		"SLACK_SIGNING_SECRET=\"s3\\\"cr\n3t\"\nSAHELBRIEF_LANG=fr\n"
	m, err := readDotEnv(writeTemp(t, text))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"SAHELBRIEF_DB": "a.db", "SAHELBRIEF_USER_AGENT": "ua x", "SLACK_SIGNING_SECRET": "s3\"cr\n3t", "SAHELBRIEF_LANG": "fr"}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %q, want %q", k, m[k], v)
		}
	}
}

func writeTemp(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// URLs with credentials are redacted in Dump, logs and errors.
func TestURLCredentialsRedacted(t *testing.T) {
	env := map[string]string{"SLACK_API_URL": "https://alice:pa55word@proxy.example/api/"}
	c, err := Load(LoadOptions{Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }, DotEnv: filepath.Join(t.TempDir(), "none")})
	if err != nil {
		t.Fatal(err)
	}
	if c.SlackAPIURL != env["SLACK_API_URL"] {
		t.Errorf("the value itself changed: %q", c.SlackAPIURL)
	}
	var log bytes.Buffer
	slog.New(slog.NewTextHandler(&log, nil)).Info("loaded", "config", c)
	env["DISCORD_API_URL"] = "ftp://bob:hunter2@proxy.example/"
	dir := t.TempDir()
	yml := filepath.Join(dir, "c.yaml")
	os.WriteFile(yml, []byte("sources:\n  - name: x\n    url: \"gopher://carol:s3cret@feeds.example/rss\"\n"), 0o600)
	env["SAHELBRIEF_CONFIG"] = yml
	_, lerr := Load(LoadOptions{Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }, DotEnv: filepath.Join(dir, "none")})
	if lerr == nil {
		t.Fatal("bad URLs accepted")
	}
	for name, out := range map[string]string{"Dump": c.Dump(), "log": log.String(), "error": lerr.Error()} {
		for _, s := range []string{"pa55word", "alice", "hunter2", "bob:", "s3cret", "carol"} {
			if strings.Contains(out, s) {
				t.Errorf("%s shows %q:\n%s", name, s, out)
			}
		}
		if !strings.Contains(out, "redacted@") {
			t.Errorf("%s shows no redacted URL:\n%s", name, out)
		}
	}
}
