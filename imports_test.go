package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// module is this module's path.
const module = "github.com/sahelbrief/sahelbrief"

// importRule is what one package of the module may import directly
// (besides the standard library and itself), and what it must not depend
// on even through others.
type importRule struct {
	ours      []string // our packages, relative to the module ("briefing"); "x/..." is x and everything under it
	libs      []string // other modules' import path prefixes
	forbidden []string // import path prefixes no dependency may have
	anything  bool     // the application: may import anything
}

// Groups the table is written with.
var (
	// leaf holds our small rule packages that import nothing of ours: any
	// package may use them.
	leaf = []string{"internal/backoff", "internal/cronspec", "internal/defaults", "internal/editdist", "internal/redact", "internal/buildinfo"}
	// textLibs are the text libraries the vocabulary and its engines use.
	textLibs = []string{"golang.org/x/text", "go.yaml.in/yaml/v3"}
	// sdks are the chat SDKs and SQLite drivers the core must not reach.
	slackSDK   = "github.com/slack-go/slack"
	discordSDK = "github.com/bwmarrin/discordgo"
	sqlite     = []string{"modernc.org/sqlite", "github.com/mattn/go-sqlite3"}
	sdks       = append([]string{slackSDK, discordSDK}, sqlite...)
)

func with(groups ...[]string) []string { return slices.Concat(groups...) }

// importRules covers every package of the module: one that is missing
// fails TestImportRules, so a new package is added here with its rule.
// Dependencies point inward to briefing; siblings do not import each
// other; the application (main, internal/app) wires them together.
var importRules = map[string]importRule{
	// The command line: it parses and calls the application, nothing else
	// (TestMainImportsOnlyTheApp); the application wires everything.
	"":             {ours: []string{"internal/app"}},
	"internal/app": {anything: true},
	// Health ties the store, sources and platforms together for /healthz.
	"internal/health": {anything: true},
	// doctor checks the whole configured deployment.
	"internal/doctor": {anything: true},

	// The vocabulary and its engines. The vocabulary imports none of its
	// engines and reads no data (no YAML); an engine imports the
	// vocabulary, the tagger (the one accent folder and tokenizer) and
	// leaf helpers, never bot, store, sources or an SDK.
	"briefing":        {libs: []string{"golang.org/x/text"}, ours: leaf, forbidden: sdks},
	"briefing/tagger": {ours: with([]string{"briefing"}, leaf), libs: textLibs, forbidden: sdks},
	"briefing/story":  {ours: with([]string{"briefing", "briefing/tagger"}, leaf), libs: textLibs, forbidden: sdks},
	"briefing/digest": {ours: with([]string{"briefing", "briefing/tagger"}, leaf), libs: textLibs, forbidden: sdks},
	"briefing/query":  {ours: with([]string{"briefing", "briefing/tagger"}, leaf), libs: textLibs, forbidden: sdks},
	// A new engine under briefing starts from this row.
	"briefing/...": {ours: with([]string{"briefing", "briefing/tagger"}, leaf), libs: textLibs, forbidden: sdks},

	"config":  {ours: leaf, libs: []string{"github.com/joho/godotenv", "go.yaml.in/yaml/v3"}, forbidden: sdks},
	"sources": {ours: with([]string{"briefing"}, leaf), libs: []string{"github.com/mmcdole/gofeed", "golang.org/x/net/html", "golang.org/x/text"}, forbidden: sdks},
	"store":   {ours: with([]string{"briefing", "briefing/query"}, leaf), libs: sqlite, forbidden: []string{slackSDK, discordSDK}},
	"metrics": {ours: with([]string{"bot", "briefing"}, leaf), libs: []string{"github.com/prometheus/client_golang"}, forbidden: sdks},

	// The platform-neutral bot, and one package per platform: the only
	// importer of its SDK.
	"bot":                     {ours: with([]string{"briefing", "briefing/tagger", "briefing/query", "briefing/digest"}, leaf), libs: []string{"github.com/robfig/cron/v3"}, forbidden: sdks},
	"bot/slack":               {ours: with([]string{"bot", "briefing", "bot/internal/..."}, leaf), libs: []string{slackSDK}, forbidden: append([]string{discordSDK}, sqlite...)},
	"bot/discord":             {ours: with([]string{"bot", "briefing", "briefing/tagger", "bot/internal/..."}, leaf), libs: []string{discordSDK, "github.com/gorilla/websocket"}, forbidden: append([]string{slackSDK}, sqlite...)},
	"bot/console":             {ours: with([]string{"bot", "briefing", "bot/internal/..."}, leaf), forbidden: sdks},
	"internal/backoff":        {},
	"internal/cronspec":       {libs: []string{"github.com/robfig/cron/v3"}},
	"internal/defaults":       {},
	"internal/editdist":       {},
	"internal/redact":         {},
	"internal/buildinfo":      {},
	"internal/slackfake":      {forbidden: sdks},
	"internal/discordfake":    {libs: []string{"github.com/gorilla/websocket"}, forbidden: sdks},
	"internal/storytest":      {ours: with([]string{"briefing", "briefing/..."}, leaf), forbidden: sdks},
	"internal/synthnews":      {ours: with([]string{"briefing", "briefing/..."}, leaf), forbidden: sdks},
	"internal/loadtest":       {ours: with([]string{"briefing", "briefing/...", "store", "internal/storytest", "internal/synthnews"}, leaf), libs: sqlite},
	"bot/internal/digesttest": {ours: with([]string{"briefing"}, leaf), libs: []string{"github.com/santhosh-tekuri/jsonschema/v6"}, forbidden: sdks},
}

// listedPackage is what TestImportRules reads of `go list -json`.
type listedPackage struct {
	ImportPath string
	Standard   bool
	Imports    []string // direct, of the non-test files
	Deps       []string // everything they depend on
	Error      *struct{ Err string }
}

// TestImportRules holds every package of the module to its row of
// importRules: direct imports of ours and of other modules must be listed
// there (the standard library always may be), and the forbidden paths
// (chat SDKs, SQLite drivers) must not be reached even through another
// package.
func TestImportRules(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool, "list", "-json=ImportPath,Standard,Imports,Deps,Error", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list ./...: %v\n%s", err, stderr.String())
	}
	pkgs, err := decodePackages(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages", len(pkgs))
	}
	for _, p := range pkgs {
		rel, ok := relative(p.ImportPath)
		if !ok {
			t.Errorf("go list listed %s, not of this module", p.ImportPath)
			continue
		}
		name := rel
		if name == "" {
			name = "main"
		}
		t.Run(name, func(t *testing.T) {
			if p.Error != nil {
				t.Fatalf("go list: %s", p.Error.Err)
			}
			rule, ok := ruleFor(rel)
			if !ok {
				t.Fatalf("package %s has no row in importRules: add one saying what it may import", name)
			}
			for _, imp := range p.Imports {
				if problem := rule.check(rel, imp); problem != "" {
					t.Errorf("%s imports %s: %s", name, imp, problem)
				}
			}
			for _, dep := range p.Deps {
				for _, f := range rule.forbidden {
					if under(dep, f) {
						t.Errorf("%s depends on %s", name, dep)
					}
				}
			}
		})
	}
}

func decodePackages(out []byte) ([]listedPackage, error) {
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			return pkgs, nil
		}
		if err != nil {
			return nil, err
		}
		pkgs = append(pkgs, p)
	}
}

// relative is path relative to the module ("" for the module's root).
func relative(path string) (string, bool) {
	if path == module {
		return "", true
	}
	rel, ok := strings.CutPrefix(path, module+"/")
	return rel, ok
}

// under reports whether path is prefix or a package below it.
func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// matches reports whether rel (relative to the module) is named by pattern:
// itself, or for "x/..." a package strictly below x.
func matches(rel, pattern string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return strings.HasPrefix(rel, base+"/")
	}
	return rel == pattern
}

// ruleFor is rel's row: its own, else the longest "x/..." pattern above it.
func ruleFor(rel string) (importRule, bool) {
	if r, ok := importRules[rel]; ok {
		return r, true
	}
	best, found := "", false
	for pattern := range importRules {
		if strings.HasSuffix(pattern, "/...") && matches(rel, pattern) && len(pattern) > len(best) {
			best, found = pattern, true
		}
	}
	return importRules[best], found
}

// check says what is wrong with rel importing imp, or "".
func (r importRule) check(rel, imp string) string {
	if r.anything {
		return ""
	}
	if ours, ok := relative(imp); ok {
		if ours == rel {
			return ""
		}
		for _, a := range r.ours {
			if matches(ours, a) {
				return ""
			}
		}
		return "not one of the packages of ours its row allows"
	}
	if !strings.Contains(strings.Split(imp, "/")[0], ".") {
		return "" // the standard library
	}
	for _, l := range r.libs {
		if under(imp, l) {
			return ""
		}
	}
	return "a library its row does not allow"
}

// The rules themselves: a package missing from the table, an import of a
// sibling and an SDK in the vocabulary are caught.
func TestImportRuleTable(t *testing.T) {
	for _, tc := range []struct {
		rel, imp string
		ok       bool
	}{
		{"briefing", "strings", true},
		{"briefing", "golang.org/x/text/unicode/norm", true},
		{"briefing", module + "/store", false},
		{"briefing", slackSDK, false},
		{"briefing/story", module + "/briefing", true},
		{"briefing/story", module + "/bot", false},
		{"briefing", module + "/briefing/tagger", false},
		{"briefing", module + "/briefing/digest", false},
		{"briefing", "go.yaml.in/yaml/v3", false},
		{"briefing/tagger", module + "/briefing", true},
		{"briefing/tagger", module + "/store", false},
		{"briefing/digest", module + "/briefing/tagger", true},
		{"briefing/digest", module + "/sources", false},
		{"briefing/query", module + "/store", false},
		{"store", module + "/briefing/query", true},
		{"store", module + "/briefing/digest", false},
		{"bot", module + "/internal/backoff", true},
		{"bot", module + "/store", false},
		{"bot", discordSDK, false},
		{"bot/slack", slackSDK + "/socketmode", true},
		{"bot/slack", discordSDK, false},
		{"bot/slack", module + "/bot/discord", false},
		{"sources", module + "/store", false},
		{"store", "modernc.org/sqlite/lib", true},
		{"config", module + "/briefing", false},
		{"internal/app", module + "/store", true},
	} {
		r, ok := ruleFor(tc.rel)
		if !ok {
			t.Fatalf("no rule for %s", tc.rel)
		}
		if got := r.check(tc.rel, tc.imp) == ""; got != tc.ok {
			t.Errorf("%s importing %s allowed = %v; want %v", tc.rel, tc.imp, got, tc.ok)
		}
	}
	if _, ok := ruleFor("newpkg"); ok {
		t.Error("a package missing from the table has a rule")
	}
	if _, ok := ruleFor("briefing/tagger"); !ok {
		t.Error("an engine under briefing has no rule")
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
