package main

import (
	"bytes"
	"context"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestImportRules holds the dependency rules of DESIGN.md: the domain
// imports nothing of ours, and no package pulls in a platform SDK or the
// SQLite driver unless its job is to.
func TestImportRules(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found")
	}
	const mod = "github.com/sahelbrief/sahelbrief"
	sdks := []string{"github.com/slack-go/slack", "github.com/bwmarrin/discordgo", "modernc.org/sqlite", "github.com/mattn/go-sqlite3"}
	tests := []struct {
		pkg       string
		allowOurs []string // our packages it may import (besides itself)
		forbidden []string // import path prefixes it must not reach
	}{
		{"briefing", nil, sdks},
		{"config", []string{"internal/redact"}, nil},
		{"sources", []string{"briefing", "internal/redact"}, []string{mod + "/store", mod + "/config", mod + "/bot", "modernc.org/sqlite", "github.com/mattn/go-sqlite3"}},
		{"bot", []string{"briefing", "internal/redact"}, sdks},
		// Each platform package is the only importer of its SDK.
		{"bot/slack", []string{"bot", "briefing", "internal/redact"}, []string{"github.com/bwmarrin/discordgo", "modernc.org/sqlite"}},
		{"bot/discord", []string{"bot", "briefing", "internal/redact"}, []string{"github.com/slack-go/slack", "modernc.org/sqlite"}},
		{"bot/console", []string{"bot", "briefing", "internal/redact"}, sdks},
		{"store", []string{"briefing"}, []string{"github.com/slack-go/slack", "github.com/bwmarrin/discordgo", mod + "/sources", mod + "/bot"}},
		// The checks of the bot's health read the store's; they know no
		// platform, nor the bot.
		{"internal/health", []string{"briefing", "store"}, []string{"github.com/slack-go/slack", "github.com/bwmarrin/discordgo", mod + "/bot", mod + "/sources"}},
		// The application wires everything; nothing of ours imports it
		// but main (TestNothingImportsTheApp).
		{"internal/app", []string{"bot", "bot/console", "bot/discord", "bot/slack", "briefing", "briefing/story", "config", "internal/buildinfo",
			"internal/doctor", "internal/health", "internal/redact", "metrics", "sources", "store"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			if m, _ := filepath.Glob(filepath.Join(tt.pkg, "*.go")); len(m) == 0 {
				t.Skipf("%s has no Go files yet", tt.pkg)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, goTool, "list", "-deps", "./"+tt.pkg)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go list -deps ./%s: %v\n%s", tt.pkg, err, stderr.String())
			}
			allowed := map[string]bool{mod + "/" + tt.pkg: true}
			for _, a := range tt.allowOurs {
				allowed[mod+"/"+a] = true
			}
			for _, dep := range strings.Fields(string(out)) {
				if (dep == mod || strings.HasPrefix(dep, mod+"/")) && !allowed[dep] {
					t.Errorf("%s imports %s", tt.pkg, dep)
				}
				for _, f := range tt.forbidden {
					if dep == f || strings.HasPrefix(dep, f+"/") {
						t.Errorf("%s depends on %s", tt.pkg, dep)
					}
				}
			}
		})
	}
}

// TestMainImportsOnlyTheApp holds DESIGN.md's rule for main.go: it parses
// the command line and calls the application, so it imports the standard
// library and internal/app, nothing else.
func TestMainImportsOnlyTheApp(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	const app = "github.com/sahelbrief/sahelbrief/internal/app"
	sawApp := false
	for _, spec := range f.Imports {
		path, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(path, "/")
		switch {
		case path == app:
			sawApp = true
		case strings.Contains(first, "."):
			t.Errorf("main.go imports %s: only the standard library and %s", path, app)
		}
	}
	if !sawApp {
		t.Errorf("main.go does not import %s", app)
	}
}

// TestNothingImportsTheApp: the application is the top of the graph; only
// main.go imports it.
func TestNothingImportsTheApp(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found")
	}
	const mod = "github.com/sahelbrief/sahelbrief"
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool, "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list ./...: %v\n%s", err, stderr.String())
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] == mod {
			continue
		}
		for _, imp := range f[1:] {
			if imp == mod+"/internal/app" {
				t.Errorf("%s imports internal/app: only main does", f[0])
			}
		}
	}
}
