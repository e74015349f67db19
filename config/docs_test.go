package config_test

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/sahelbrief/sahelbrief/config"
)

// readDoc reads a file at the module root, skipping the test while it does
// not exist yet.
func readDoc(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s does not exist yet", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// envExampleLines maps each KEY in .env.example to its value. Commented-out
// assignments ("# KEY=value") count too: an optional setting is often
// documented that way. Quotes around the value and a trailing " # comment"
// are removed.
func envExampleLines(text string) map[string][]string {
	out := map[string][]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		line = strings.TrimSpace(strings.TrimLeft(line, "#"))
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.ContainsAny(k, " \t") || k == "" {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		} else if i := strings.Index(v, " #"); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		out[k] = append(out[k], v)
	}
	return out
}

func TestEnvExampleListsEveryVariable(t *testing.T) {
	lines := envExampleLines(readDoc(t, "../.env.example"))
	known := map[string]bool{}
	for _, v := range config.Variables() {
		known[v.Key] = true
		t.Run(v.Key, func(t *testing.T) {
			vals, ok := lines[v.Key]
			if !ok {
				t.Fatalf(".env.example has no %s= line; add %s=%s", v.Key, v.Key, v.Default)
			}
			for _, got := range vals {
				if got == v.Default {
					return
				}
			}
			t.Errorf(".env.example gives %s=%q, want the default: %s=%s", v.Key, vals, v.Key, v.Default)
		})
	}
	for k := range lines {
		if strings.HasPrefix(k, "SAHELBRIEF_") && !known[k] {
			t.Errorf(".env.example documents %s, which config does not read", k)
		}
	}
}

func TestReadmeMentionsEveryVariable(t *testing.T) {
	readme := readDoc(t, "../README.md")
	for _, v := range config.Variables() {
		if !strings.Contains(readme, v.Key) {
			t.Errorf("README.md does not mention %s", v.Key)
		}
	}
}
