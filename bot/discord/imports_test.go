package discord

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports holds the layout rule: this renderer imports only the
// standard library, briefing and its own platform SDK.
func TestImports(t *testing.T) {
	allowed := map[string]bool{"github.com/sahelbrief/sahelbrief/briefing": true, "github.com/sahelbrief/sahelbrief/bot": true, "github.com/bwmarrin/discordgo": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if std := !strings.Contains(strings.SplitN(path, "/", 2)[0], "."); !std && !allowed[path] {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}
