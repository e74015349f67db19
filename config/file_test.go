package config_test

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/config"
)

func TestLoadSourcesFile(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "sahelbrief.yaml", `# my feeds
sources:
  - name: Le Monde Afrique
    url: https://www.lemonde.fr/afrique/rss_full.xml
    lang: FR
    interval: 15m
  - name: "  RFI  "
    url: http://example.org/feed?x=1
  - name: Local archive
    url: ./testdata/archive.xml
    lang: en
  - name: Local by URL
    url: file:///var/lib/sahelbrief/feed.xml
`)
	c, err := config.Load(config.LoadOptions{
		Getenv: envFrom(map[string]string{"SAHELBRIEF_CONFIG": path}),
		DotEnv: noDotEnv(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []config.Source{
		{Name: "Le Monde Afrique", URL: "https://www.lemonde.fr/afrique/rss_full.xml", Lang: "fr", Interval: 15 * time.Minute},
		{Name: "RFI", URL: "http://example.org/feed?x=1"},
		{Name: "Local archive", URL: "./testdata/archive.xml", Lang: "en"},
		{Name: "Local by URL", URL: "file:///var/lib/sahelbrief/feed.xml"},
	}
	if !reflect.DeepEqual(c.Sources, want) {
		t.Errorf("Sources =\n%#v\nwant\n%#v", c.Sources, want)
	}
	if c.ConfigFile != path {
		t.Errorf("ConfigFile = %q, want %q", c.ConfigFile, path)
	}
	if d := c.Dump(); !strings.Contains(d, "# sources: 4 from "+path) {
		t.Errorf("Dump does not count the file's sources:\n%s", d)
	}
}

func TestLoadFileWithoutSources(t *testing.T) {
	tests := []struct{ name, content string }{
		{"empty file", ""},
		{"comments only", "# nothing here yet\n"},
		{"empty document", "---\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "c.yaml", tt.content)
			c, err := config.Load(config.LoadOptions{
				Getenv: envFrom(map[string]string{"SAHELBRIEF_CONFIG": path}),
				DotEnv: noDotEnv(t),
			})
			if err != nil {
				t.Fatal(err)
			}
			if c.Sources != nil {
				t.Errorf("Sources = %v, want nil (built-in list)", c.Sources)
			}
			if d := c.Dump(); !strings.Contains(d, "# sources: built-in list") {
				t.Errorf("Dump does not say the built-in list applies:\n%s", d)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	tests := []struct {
		name      string
		env       map[string]string
		overrides map[string]string
	}{
		{"environment", map[string]string{"SAHELBRIEF_CONFIG": path}, nil},
		{"flag", nil, map[string]string{"SAHELBRIEF_CONFIG": path}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(config.LoadOptions{Getenv: envFrom(tt.env), DotEnv: noDotEnv(t), Overrides: tt.overrides})
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *config.Error", err)
			}
			if ce.Key != "SAHELBRIEF_CONFIG" || !strings.Contains(ce.Msg, path) {
				t.Errorf("err = %v, want it under SAHELBRIEF_CONFIG naming %s", err, path)
			}
		})
	}
}

func TestParseSourcesErrors(t *testing.T) {
	const file = "conf/sahelbrief.yaml"
	ok := "  - name: Good\n    url: https://example.org/rss\n"
	tests := []struct {
		name    string
		yaml    string
		wantKey string
		wantMsg string
	}{
		{"unknown top-level key", "source:\n" + ok, file, "field source not found"},
		{"unknown entry field", "sources:\n  - name: A\n    urls: https://example.org/rss\n", file, "field urls not found"},
		{"not a mapping", "- name: A\n", file, "cannot unmarshal"},
		{"broken YAML", "sources: [\n", file, ""},
		{"empty list", "sources: []\n", file + ": sources", "empty"},
		{"key with no entries", "sources:\n#  - name: A\n#    url: https://example.org/rss\n", file + ": sources", "empty"},
		{"missing name", "sources:\n  - url: https://example.org/rss\n", file + ": sources[0].name", "missing"},
		{"blank name", "sources:\n" + ok + "  - name: '  '\n    url: https://example.org/b\n", file + ": sources[1].name", "missing"},
		{"duplicate name, other case", "sources:\n" + ok + "  - name: other\n    url: https://example.org/2\n  - name: GOOD\n    url: https://example.org/3\n",
			file + ": sources[2].name", `"GOOD" is already used by sources[0]`},
		{"missing url", "sources:\n  - name: A\n", file + ": sources[0].url", "missing"},
		{"ftp url", "sources:\n" + ok + "  - name: B\n    url: ftp://example.org/feed.xml\n", file + ": sources[1].url", "only http(s) URLs and local file paths"},
		{"url without host", "sources:\n  - name: A\n    url: https:///feed.xml\n", file + ": sources[0].url", "has no host"},
		{"bare scheme", "sources:\n  - name: A\n    url: http://\n", file + ": sources[0].url", "has no host"},
		{"invalid url", "sources:\n  - name: A\n    url: http://exa mple.org/\n", file + ": sources[0].url", "not a valid URL"},
		{"lang de", "sources:\n  - name: A\n    url: https://example.org/rss\n    lang: de\n", file + ": sources[0].lang", `"de" is not en or fr`},
		{"interval fast", "sources:\n  - name: A\n    url: https://example.org/rss\n    interval: fast\n", file + ": sources[0].interval", `"fast" is not a duration`},
		{"interval 0s", "sources:\n  - name: A\n    url: https://example.org/rss\n    interval: 0s\n", file + ": sources[0].interval", "below the minimum of 1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srcs, err := config.ParseSources([]byte(tt.yaml), file)
			if err == nil {
				t.Fatalf("ParseSources accepted it: %v", srcs)
			}
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v (%T), want a *config.Error", err, err)
			}
			if ce.Key != tt.wantKey {
				t.Errorf("Key = %q, want %q (error: %v)", ce.Key, tt.wantKey, err)
			}
			if !strings.Contains(ce.Msg, tt.wantMsg) {
				t.Errorf("Msg = %q, want it to say %q", ce.Msg, tt.wantMsg)
			}
			if !strings.HasPrefix(err.Error(), "config: "+tt.wantKey+": ") {
				t.Errorf("Error() = %q, want it to start with %q", err, "config: "+tt.wantKey+": ")
			}
		})
	}
}

// TestLoadFileErrorNamesFile checks Load reports an entry error under the
// path it was given, so a person knows which file to open.
func TestLoadFileErrorNamesFile(t *testing.T) {
	path := writeFile(t, t.TempDir(), "feeds.yaml", "sources:\n  - name: A\n    url: https://example.org/a\n  - name: B\n    url: gopher://example.org/b\n")
	_, err := config.Load(config.LoadOptions{Getenv: envFrom(map[string]string{"SAHELBRIEF_CONFIG": path}), DotEnv: noDotEnv(t)})
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a *config.Error", err)
	}
	if want := path + ": sources[1].url"; ce.Key != want {
		t.Errorf("Key = %q, want %q", ce.Key, want)
	}
}
