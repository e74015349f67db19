package config_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/config"
)

// configErrors splits a Load error into its *config.Error parts.
func configErrors(t *testing.T, err error) []*config.Error {
	t.Helper()
	if err == nil {
		t.Fatal("Load accepted it")
	}
	list := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	}
	var out []*config.Error
	for _, e := range list {
		var ce *config.Error
		if !errors.As(e, &ce) {
			t.Fatalf("error %v (%T) is not a *config.Error", e, e)
		}
		out = append(out, ce)
	}
	return out
}

func loadFile(t *testing.T, path string, o config.LoadOptions) (*config.Config, error) {
	t.Helper()
	o.Getenv = envFrom(map[string]string{"SAHELBRIEF_CONFIG": path})
	o.DotEnv = noDotEnv(t)
	return config.Load(o)
}

func TestRelativePathsResolveAgainstTheConfigFile(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "conf"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "conf"), "c.yaml", `sources:
  - name: Plain
    url: feeds/a.xml
  - name: Dot
    url: ./b.xml
  - name: Up
    url: ../shared/c.xml
  - name: File colon
    url: file:feeds/d.xml
  - name: File slashes
    url: file://feeds/e.xml
  - name: Absolute
    url: /srv/feeds/f.xml
  - name: File absolute
    url: file:///srv/my%20feeds/g.xml
  - name: Web
    url: https://example.org/rss
extra_sources:
  - name: Extra
    url: extra/h.xml
`)
	// Started from elsewhere, with the config named relatively: the
	// feeds are still the config file's neighbours.
	t.Chdir(root)
	if err := os.Mkdir("elsewhere", 0o700); err != nil {
		t.Fatal(err)
	}
	t.Chdir("elsewhere")
	c, err := loadFile(t, filepath.Join("..", "conf", "c.yaml"), config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(root, "conf")
	want := map[string]string{
		"Plain":         filepath.Join(conf, "feeds", "a.xml"),
		"Dot":           filepath.Join(conf, "b.xml"),
		"Up":            filepath.Join(root, "shared", "c.xml"),
		"File colon":    filepath.Join(conf, "feeds", "d.xml"),
		"File slashes":  filepath.Join(conf, "feeds", "e.xml"),
		"Absolute":      "/srv/feeds/f.xml",
		"File absolute": "/srv/my feeds/g.xml",
		"Web":           "https://example.org/rss",
		"Extra":         filepath.Join(conf, "extra", "h.xml"),
	}
	if len(c.Sources) != len(want) {
		t.Fatalf("Sources = %v, want %d", c.Sources, len(want))
	}
	for _, s := range c.Sources {
		if s.URL != want[s.Name] {
			t.Errorf("%s: URL = %q, want %q", s.Name, s.URL, want[s.Name])
		}
	}
	// The built-in list (and ParseSources) leaves paths as written.
	got, err := config.ParseSources([]byte("sources:\n  - name: A\n    url: feeds/a.xml\n"), "x.yaml")
	if err != nil || got[0].URL != "feeds/a.xml" {
		t.Errorf("ParseSources = %v, %v; want feeds/a.xml as written", got, err)
	}
}

func TestLoadReportsEveryError(t *testing.T) {
	path := writeFile(t, t.TempDir(), "bad.yaml", `sources:
  - name: A
    url: ftp://example.org/a
    lang: de
  - name: B
    url: https://example.org/b
    interval: soon
digests:
  - channel: console
    cron: "0 25 * * *"
  - channel: slack:#general
    cron: "@daily"
    tz: Mars/Olympus
`)
	_, err := config.Load(config.LoadOptions{
		Getenv: envFrom(map[string]string{"SAHELBRIEF_CONFIG": path, "SAHELBRIEF_POLL_INTERVAL": "often", "SAHELBRIEF_CONCURRENCY": "0"}),
		DotEnv: noDotEnv(t),
	})
	var keys []string
	for _, ce := range configErrors(t, err) {
		keys = append(keys, ce.Key)
	}
	want := []string{
		"SAHELBRIEF_POLL_INTERVAL", "SAHELBRIEF_CONCURRENCY",
		path + ": sources[0].url", path + ": sources[0].lang", path + ": sources[1].interval",
		path + ": digests[0].cron", path + ": digests[1].channel", path + ": digests[1].tz",
	}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("error keys =\n%q\nwant\n%q\n(error: %v)", keys, want, err)
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != len(want) {
		t.Errorf("error has %d lines, want one per problem:\n%v", n, err)
	}
}

func TestUnknownKeysSuggestTheClosest(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"top level", "# my feeds\n\n\nsourcs:\n  - name: A\n    url: https://example.org/a\n",
			`config: c.yaml: line 4: unknown key "sourcs" in the top level; did you mean "sources"?`},
		{"extra sources", "extra_source:\n  - name: A\n    url: https://example.org/a\n",
			`config: c.yaml: line 1: unknown key "extra_source" in the top level; did you mean "extra_sources"?`},
		{"gazetteer", "gazeteer:\n  actors: []\n",
			`config: c.yaml: line 1: unknown key "gazeteer" in the top level; did you mean "gazetteer"?`},
		{"inside a source", "sources:\n  - name: A\n    url: https://example.org/a\n  - name: B\n    link: https://example.org/b\n    langue: fr\n",
			`config: c.yaml: line 5: unknown key "link" in sources[1] (known keys: name, url, lang, interval)` + "\n" +
				`config: c.yaml: line 6: unknown key "langue" in sources[1]; did you mean "lang"?`},
		{"inside extra_sources", "extra_sources:\n  - name: A\n    url: https://example.org/a\n    intervall: 1h\n",
			`config: c.yaml: line 4: unknown key "intervall" in extra_sources[0]; did you mean "interval"?`},
		{"inside a digest", "digests:\n  - channel: console\n    Cron: '@daily'\n",
			`config: c.yaml: line 3: unknown key "Cron" in digests[0]; did you mean "cron"?`},
		{"nothing close", "feeds:\n  - x\n",
			`config: c.yaml: line 1: unknown key "feeds" in the top level (known keys: sources, extra_sources, disable, digests, gazetteer)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.ParseSources([]byte(tt.yaml), "c.yaml")
			if err == nil || err.Error() != tt.want {
				t.Errorf("error =\n%v\nwant\n%s", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "config.") {
				t.Errorf("error names a Go type: %v", err)
			}
		})
	}
}

// builtinYAML is a stand-in for the built-in feed list.
const builtinYAML = `sources:
  - name: RFI Afrique
    url: https://www.rfi.fr/fr/afrique/rss
    lang: fr
    interval: 15m
  - name: BBC Africa
    url: https://feeds.bbci.co.uk/news/world/africa/rss.xml
    lang: en
  - name: Studio Tamani
    url: https://www.studiotamani.org/feed
`

func TestExtraSourcesAndDisable(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, yaml string
		want       []string // names, in order
		note       string
	}{
		{"no file sources", "digests: []\n", []string{"RFI Afrique", "BBC Africa", "Studio Tamani"}, "# sources: built-in list\n"},
		{"extra", "extra_sources:\n  - name: Local\n    url: local.xml\n", []string{"RFI Afrique", "BBC Africa", "Studio Tamani", "Local"},
			"# sources: 4: 3 built-in, 0 disabled, 1 from extra_sources\n"},
		{"disable", "disable: [bbc africa, ' Studio Tamani ']\n", []string{"RFI Afrique"}, "# sources: 1: 3 built-in, 2 disabled, 0 from extra_sources\n"},
		{"replace one built-in", "disable: [RFI Afrique]\nextra_sources:\n  - name: RFI Afrique\n    url: https://example.org/rfi\n",
			[]string{"BBC Africa", "Studio Tamani", "RFI Afrique"}, "# sources: 3: 3 built-in, 1 disabled, 1 from extra_sources\n"},
		{"sources replace the built-ins; extra adds", "sources:\n  - name: Mine\n    url: https://example.org/m\nextra_sources:\n  - name: Also\n    url: https://example.org/a\n",
			[]string{"Mine", "Also"}, "# sources: 1 from " + filepath.Join(dir, "c.yaml") + ", 1 from extra_sources\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, dir, "c.yaml", tt.yaml)
			c, err := loadFile(t, path, config.LoadOptions{BuiltinSources: []byte(builtinYAML)})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range c.Sources {
				names = append(names, s.Name)
			}
			if !reflect.DeepEqual(names, tt.want) {
				t.Errorf("sources = %q, want %q", names, tt.want)
			}
			if d := c.Dump(); !strings.Contains(d, tt.note) {
				t.Errorf("Dump lacks %q:\n%s", tt.note, d)
			}
		})
	}
	t.Run("built-in entries keep their fields", func(t *testing.T) {
		c, err := config.Load(config.LoadOptions{Getenv: envFrom(nil), DotEnv: noDotEnv(t), BuiltinSources: []byte(builtinYAML)})
		if err != nil {
			t.Fatal(err)
		}
		want := config.Source{Name: "RFI Afrique", URL: "https://www.rfi.fr/fr/afrique/rss", Lang: "fr", Interval: 15 * time.Minute}
		if len(c.Sources) != 3 || c.Sources[0] != want {
			t.Errorf("Sources = %v, want the built-in list starting with %v", c.Sources, want)
		}
	})
}

func TestExtraSourcesAndDisableErrors(t *testing.T) {
	entry := func(name string) string {
		return fmt.Sprintf("  - name: %s\n    url: https://example.org/%d\n", name, len(name))
	}
	tests := []struct {
		name, yaml, wantKey, wantMsg string
	}{
		{"extra named as a built-in", "extra_sources:\n" + entry("New") + entry("bbc africa"),
			"extra_sources[1].name", `"bbc africa" is already a built-in source; pick another name, or add it to disable: to replace it`},
		{"extra named twice", "extra_sources:\n" + entry("New") + entry("NEW"), "extra_sources[1].name", `"NEW" is already used by extra_sources[0]`},
		{"extra named as a source", "sources:\n" + entry("Mine") + "extra_sources:\n" + entry("mine"), "extra_sources[0].name", `"mine" is already a sources source`},
		{"bad extra entry", "extra_sources:\n  - name: X\n    url: gopher://example.org/x\n", "extra_sources[0].url", "only http(s) URLs and local file paths"},
		{"unknown name to disable", "disable: [RFI, BBC Afrika]\n", "disable[1]", `"BBC Afrika" is not a built-in source; did you mean "BBC Africa"?`},
		{"nothing close to disable", "disable: [Le Monde]\n", "disable[0]", `"Le Monde" is not a built-in source (sahelbrief sources --builtin lists them)`},
		{"disable with sources", "sources:\n" + entry("Mine") + "disable: [BBC Africa]\n", "disable", "sources: replaces the built-in list"},
		{"disable not a list", "disable: BBC Africa\n", "disable", "should be a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "c.yaml", tt.yaml)
			_, err := loadFile(t, path, config.LoadOptions{BuiltinSources: []byte(builtinYAML)})
			errs := configErrors(t, err)
			last := errs[len(errs)-1]
			if last.Key != path+": "+tt.wantKey || !strings.Contains(last.Msg, tt.wantMsg) {
				t.Errorf("error = %v\nwant key %q saying %q", err, path+": "+tt.wantKey, tt.wantMsg)
			}
		})
	}
}

// vocab is a stand-in for the gazetteer.
type vocab struct{ gazetteer []byte }

func (v *vocab) Resolve(kind, name string) (string, string, bool) {
	known := map[string]string{"country/mali": "mali", "country/malien": "mali", "actor/wagner": "wagner", "actor/goïta": "assimi-goita"}
	if id, ok := known[kind+"/"+name]; ok {
		return id, "", true
	}
	if kind == "country" && strings.HasPrefix(name, "mal") {
		return "", "mali", false
	}
	return "", "", false
}

func TestDigestNamesCheckedWhenLoading(t *testing.T) {
	dir := t.TempDir()
	var v vocab
	opts := config.LoadOptions{Vocabulary: func(g []byte) (config.Vocabulary, error) {
		v.gazetteer = g
		if strings.Contains(string(g), "broken") {
			return nil, errors.New("actors[0]: id missing")
		}
		return &v, nil
	}}
	path := writeFile(t, dir, "ok.yaml", `digests:
  - channel: console
    cron: "@daily"
    country: Malien
    actor: Goïta
gazetteer:
  countries:
    - id: mali
      aliases: [Hombori]
`)
	c, err := loadFile(t, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Digests[0]; got.Country != "mali" || got.Actor != "assimi-goita" {
		t.Errorf("digest = %+v, want country and actor as ids", got)
	}
	if !strings.Contains(string(v.gazetteer), "Hombori") {
		t.Errorf("Vocabulary got %q, want the file's gazetteer section", v.gazetteer)
	}

	path = writeFile(t, dir, "bad.yaml", `digests:
  - channel: console
    cron: "@daily"
    country: malli
  - channel: slack:C0123456789
    cron: "@daily"
    country: atlantis
    actor: nobody
`)
	_, err = loadFile(t, path, opts)
	want := `config: ` + path + `: digests[0].country: unknown country "malli" for console (did you mean mali?)` + "\n" +
		`config: ` + path + `: digests[1].country: unknown country "atlantis" for slack:C0123456789` + "\n" +
		`config: ` + path + `: digests[1].actor: unknown actor "nobody" for slack:C0123456789`
	if err == nil || err.Error() != want {
		t.Errorf("error =\n%v\nwant\n%s", err, want)
	}

	path = writeFile(t, dir, "gaz.yaml", "gazetteer:\n  actors:\n    - name: broken\n")
	_, err = loadFile(t, path, opts)
	if err == nil || err.Error() != "config: "+path+": gazetteer: actors[0]: id missing" {
		t.Errorf("error = %v, want the gazetteer's error under %s: gazetteer", err, path)
	}
}

func TestSourcesYAMLRoundTrips(t *testing.T) {
	srcs, err := config.ParseSources([]byte(builtinYAML), "b.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := config.SourcesYAML(srcs)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), "sources:\n  - name: RFI Afrique\n    url: https://www.rfi.fr/fr/afrique/rss\n    lang: fr\n    interval: 15m\n") {
		t.Errorf("SourcesYAML =\n%s", out)
	}
	back, err := config.ParseSources(out, "out.yaml")
	if err != nil || !reflect.DeepEqual(back, srcs) {
		t.Errorf("read back %v, %v; want %v", back, err, srcs)
	}
}

func TestSlackAppTokenNeedsTheBotToken(t *testing.T) {
	_, err := config.Load(config.LoadOptions{Getenv: envFrom(map[string]string{"SLACK_APP_TOKEN": "xapp-1-A1-abc"}), DotEnv: noDotEnv(t)})
	errs := configErrors(t, err)
	if errs[0].Key != "SLACK_APP_TOKEN" || !strings.Contains(errs[0].Msg, "Socket Mode needs both") || strings.Contains(err.Error(), "xapp-1") {
		t.Errorf("error = %v", err)
	}
}
