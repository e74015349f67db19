package digesttest

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Schema validation against the platforms' published schemas in
// shared/schemas (see its README), which sits beside the repository.

var (
	schemaMu    sync.Mutex
	schemaCache = map[string]*jsonschema.Schema{}
)

// findSchemas walks up from the package directory to shared/schemas.
func findSchemas() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(dir, "shared", "schemas")
		if _, err := os.Stat(filepath.Join(p, "discord-openapi.json")); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Schema compiles the definition at pointer (a JSON pointer such as
// "/$defs/block") of the schema file in shared/schemas, once per test
// binary. It returns nil when shared/schemas is absent, except under CI
// (CI set), where that fails the test.
func Schema(t testing.TB, file, pointer string) *jsonschema.Schema {
	t.Helper()
	schemaMu.Lock()
	defer schemaMu.Unlock()
	key := file + "#" + pointer
	if sch, ok := schemaCache[key]; ok {
		return sch
	}
	dir := findSchemas()
	if dir == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("shared/schemas not found above the package directory")
		}
		return nil
	}
	f, err := os.Open(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	url := "file:///" + file
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url + "#" + pointer)
	if err != nil {
		t.Fatal(err)
	}
	schemaCache[key] = sch
	return sch
}
