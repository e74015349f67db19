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
	// Relative paths are the config file's neighbours (see
	// TestRelativePathsResolveAgainstTheConfigFile).
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
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
		{Name: "Local archive", URL: filepath.Join(abs, "testdata", "archive.xml"), Lang: "en"},
		{Name: "Local by URL", URL: "/var/lib/sahelbrief/feed.xml"},
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
		{"unknown top-level key", "source:\n" + ok, file + ": line 1", `unknown key "source" in the top level; did you mean "sources"?`},
		{"unknown entry field", "sources:\n  - name: A\n    urls: https://example.org/rss\n", file + ": line 3", `unknown key "urls" in sources[0]; did you mean "url"?`},
		{"not a mapping", "- name: A\n", file, "line 1: should be keys and values (sources, extra_sources, disable, digests, gazetteer)"},
		{"entry not a mapping", "sources:\n  - https://example.org/rss\n", file + ": sources[0]", "line 2: should be keys and values (name, url, lang, interval)"},
		{"list as a value", "sources:\n  - name: [A, B]\n    url: https://example.org/rss\n", file + ": sources[0].name", "line 2: should be a single value"},
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
			checkConfigError(t, err, tt.wantKey, tt.wantMsg)
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

func TestLoadDigestsFile(t *testing.T) {
	path := writeFile(t, t.TempDir(), "sahelbrief.yaml", `sources:
  - name: RFI
    url: https://www.rfi.fr/fr/afrique/rss
digests:
  - channel: slack:C0123456789     # a Slack channel
    cron: "0 7 * * 1-5"
    tz: Africa/Bamako
    country: " Mali "
    actor: Wagner
  - channel: discord:123456789012345678
    cron: "  30   18 * *   * "
    tz: Africa/Niamey
  - channel: console
    cron: "@daily"
  - channel: " slack:G0ABCDEF "
    cron: 0 6 1 * *
    actor: jnim
gazetteer:
  countries:
    - id: mali
      aliases: [Hombori]
`)
	c, err := config.Load(config.LoadOptions{Getenv: envFrom(map[string]string{"SAHELBRIEF_CONFIG": path}), DotEnv: noDotEnv(t)})
	if err != nil {
		t.Fatal(err)
	}
	want := []config.DigestConfig{
		{Channel: "slack:C0123456789", Cron: "0 7 * * 1-5", TZ: "Africa/Bamako", Country: "mali", Actor: "wagner"},
		{Channel: "discord:123456789012345678", Cron: "30 18 * * *", TZ: "Africa/Niamey"},
		{Channel: "console", Cron: "@daily", TZ: "UTC"},
		{Channel: "slack:G0ABCDEF", Cron: "0 6 1 * *", TZ: "UTC", Actor: "jnim"},
	}
	if !reflect.DeepEqual(c.Digests, want) {
		t.Errorf("Digests =\n%#v\nwant\n%#v", c.Digests, want)
	}
	if len(c.Sources) != 1 {
		t.Errorf("Sources = %v, want the file's one source", c.Sources)
	}
	if !strings.Contains(string(c.GazetteerYAML), "Hombori") {
		t.Errorf("GazetteerYAML = %q, want the file's gazetteer section", c.GazetteerYAML)
	}
	d := c.Dump()
	for _, line := range []string{
		`# digest: slack:C0123456789 "0 7 * * 1-5" Africa/Bamako country=mali actor=wagner`,
		`# digest: discord:123456789012345678 "30 18 * * *" Africa/Niamey`,
		`# digest: console "@daily" UTC`,
		`# digest: slack:G0ABCDEF "0 6 1 * *" UTC actor=jnim`,
	} {
		if !strings.Contains(d, line+"\n") {
			t.Errorf("Dump lacks %q:\n%s", line, d)
		}
	}
	if strings.Contains(d, "# digests: none") {
		t.Errorf("Dump says there are no digests:\n%s", d)
	}
}

func TestParseDigestsNone(t *testing.T) {
	tests := []struct{ name, yaml string }{
		{"no file content", ""},
		{"no digests key", "sources:\n  - name: A\n    url: https://example.org/a\n"},
		{"empty list", "digests: []\n"},
		{"key with no entries", "digests:\n#  - channel: console\n#    cron: '@daily'\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := config.ParseDigests([]byte(tt.yaml), "c.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if got != nil {
				t.Errorf("ParseDigests = %#v, want nil", got)
			}
			path := writeFile(t, t.TempDir(), "c.yaml", tt.yaml)
			c, err := config.Load(config.LoadOptions{Getenv: envFrom(map[string]string{"SAHELBRIEF_CONFIG": path}), DotEnv: noDotEnv(t)})
			if err != nil {
				t.Fatal(err)
			}
			if c.Digests != nil {
				t.Errorf("Digests = %#v, want nil", c.Digests)
			}
			if d := c.Dump(); !strings.Contains(d, "# digests: none\n") {
				t.Errorf("Dump does not say there are no digests:\n%s", d)
			}
		})
	}
}

func TestParseDigestsErrors(t *testing.T) {
	const file = "conf/sahelbrief.yaml"
	const useChannel = "use slack:<channel ID> (C…/G…), discord:<numeric channel id> or console"
	ok := "  - channel: console\n    cron: '@daily'\n"
	slack := func(cron string) string {
		return "digests:\n" + ok + "  - channel: slack:C0123456789\n    cron: \"" + cron + "\"\n"
	}
	tests := []struct {
		name    string
		yaml    string
		wantKey string
		wantMsg string
	}{
		{"unknown entry field", "digests:\n  - channel: console\n    cron: '@daily'\n    timezone: UTC\n", file + ": line 4", `unknown key "timezone" in digests[0] (known keys: channel, cron, tz, country, actor)`},
		{"misspelt entry field", "digests:\n  - chanel: console\n    cron: '@daily'\n", file + ": line 2", `unknown key "chanel" in digests[0]; did you mean "channel"?`},
		{"misspelt key", "digest:\n" + ok, file + ": line 1", `unknown key "digest" in the top level; did you mean "digests"?`},
		{"not a list", "digests: daily\n", file + ": digests", `line 1: should be a list (entries starting with "- ")`},
		{"entry not a mapping", "digests:\n  - console\n", file + ": digests[0]", "line 2: should be keys and values"},
		{"missing channel", "digests:\n  - cron: '@daily'\n", file + ": digests[0].channel", "missing"},
		{"slack channel name", "digests:\n" + ok + "  - channel: discord:123456789012345678\n    cron: '@daily'\n  - channel: 'slack:#general'\n    cron: '@daily'\n",
			file + ": digests[2].channel", `"slack:#general" is not a channel: ` + useChannel},
		{"slack user id", "digests:\n  - channel: slack:U0123456789\n    cron: '@daily'\n", file + ": digests[0].channel", `"slack:U0123456789" is not a channel`},
		{"slack id lower case", "digests:\n  - channel: slack:c0123456789\n    cron: '@daily'\n", file + ": digests[0].channel", "is not a channel"},
		{"slack id too short", "digests:\n  - channel: slack:C01\n    cron: '@daily'\n", file + ": digests[0].channel", `"slack:C01" is not a channel`},
		{"discord id too short", "digests:\n  - channel: discord:1234\n    cron: '@daily'\n", file + ": digests[0].channel", "is not a channel"},
		{"discord id too long", "digests:\n  - channel: discord:123456789012345678901\n    cron: '@daily'\n", file + ": digests[0].channel", "is not a channel"},
		{"discord name", "digests:\n  - channel: discord:general\n    cron: '@daily'\n", file + ": digests[0].channel", "is not a channel"},
		{"no platform", "digests:\n  - channel: C0123456789\n    cron: '@daily'\n", file + ": digests[0].channel", "is not a channel"},
		{"Console", "digests:\n  - channel: Console\n    cron: '@daily'\n", file + ": digests[0].channel", "is not a channel"},
		{"duplicate channel", "digests:\n" + ok + "  - channel: slack:C0123456789\n    cron: '@daily'\n  - channel: ' console '\n    cron: '@weekly'\n",
			file + ": digests[2].channel", `"console" is already used by digests[0]`},
		{"unknown tz", "digests:\n  - channel: console\n    cron: '@daily'\n    tz: Africa/Atlantis\n", file + ": digests[0].tz", `unknown time zone "Africa/Atlantis" for console`},
		{"tz offset", "digests:\n" + ok + "  - channel: slack:C0123456789\n    cron: '@daily'\n    tz: '+01:00'\n", file + ": digests[1].tz", `unknown time zone "+01:00" for slack:C0123456789`},
		{"tz Local", "digests:\n  - channel: console\n    cron: '@daily'\n    tz: Local\n", file + ": digests[0].tz", `"Local" for console depends on the machine`},
		{"missing cron", "digests:\n  - channel: discord:123456789012345678\n", file + ": digests[0].cron", "missing for discord:123456789012345678"},
		{"hour 25", slack("0 25 * * *"), file + ": digests[1].cron", `"0 25 * * *" for slack:C0123456789 is not a valid cron schedule: `},
		{"six fields", slack("0 0 7 * * *"), file + ": digests[1].cron", `"0 0 7 * * *" for slack:C0123456789 is not a valid cron schedule: `},
		{"four fields", slack("0 7 * *"), file + ": digests[1].cron", "is not a valid cron schedule: "},
		{"bad descriptor", slack("@sometimes"), file + ": digests[1].cron", `"@sometimes" for slack:C0123456789 is not a valid cron schedule: `},
		{"words", slack("every morning"), file + ": digests[1].cron", "is not a valid cron schedule: "},
		{"zone in cron", slack("CRON_TZ=Europe/Paris 0 7 * * *"), file + ": digests[1].cron", "give the time zone as tz:"},
		{"TZ= in cron", slack("TZ=UTC 0 7 * * *"), file + ": digests[1].cron", "give the time zone as tz:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := config.ParseDigests([]byte(tt.yaml), file)
			if err == nil {
				t.Fatalf("ParseDigests accepted it: %#v", got)
			}
			checkConfigError(t, err, tt.wantKey, tt.wantMsg)
		})
	}
}

// TestLoadDigestErrorNamesFile checks Load reports a digest error under the
// file's path, and that a bad digest fails Load even with good sources.
func TestLoadDigestErrorNamesFile(t *testing.T) {
	path := writeFile(t, t.TempDir(), "bot.yaml", `sources:
  - name: A
    url: https://example.org/a
digests:
  - channel: console
    cron: "0 7 * * *"
    tz: Africa/Atlantis
`)
	_, err := config.Load(config.LoadOptions{Getenv: envFrom(map[string]string{"SAHELBRIEF_CONFIG": path}), DotEnv: noDotEnv(t)})
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a *config.Error", err)
	}
	if want := path + ": digests[0].tz"; ce.Key != want {
		t.Errorf("Key = %q, want %q", ce.Key, want)
	}
	if want := `config: ` + path + `: digests[0].tz: unknown time zone "Africa/Atlantis" for console`; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
}

// checkConfigError asserts that err is a *config.Error naming key, whose
// message says msg, and whose text starts with the key.
func checkConfigError(t *testing.T, err error, key, msg string) {
	t.Helper()
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v (%T), want a *config.Error", err, err)
	}
	if ce.Key != key {
		t.Errorf("Key = %q, want %q (error: %v)", ce.Key, key, err)
	}
	if !strings.Contains(ce.Msg, msg) {
		t.Errorf("Msg = %q, want it to say %q", ce.Msg, msg)
	}
	if !strings.HasPrefix(err.Error(), "config: "+key+": ") {
		t.Errorf("Error() = %q, want it to start with %q", err, "config: "+key+": ")
	}
}
