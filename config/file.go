package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"time"

	// The zone database, embedded: digests' tz: is checked here and used
	// by the scheduler, and must not depend on the machine having one
	// (containers built from scratch do not).
	_ "time/tzdata"

	"github.com/sahelbrief/sahelbrief/internal/cronspec"
	"go.yaml.in/yaml/v3"
)

// fileShape is the YAML file. Unknown keys are errors (see checkShape), so
// a typo such as "source:" is reported instead of silently ignored.
type fileShape struct {
	// Sources, when present, replace the built-in list.
	Sources *[]sourceShape `yaml:"sources"`
	// ExtraSources are added to the built-in list (or to sources:).
	ExtraSources []sourceShape `yaml:"extra_sources"`
	// Disable names built-in sources to leave out.
	Disable []string `yaml:"disable"`
	// Digests are the config-owned digest schedules.
	Digests []digestShape `yaml:"digests"`
	// Gazetteer extends the built-in gazetteer; LoadOptions.Vocabulary
	// (briefing, through the application, internal/app) validates it.
	Gazetteer yaml.Node `yaml:"gazetteer"`
}

type sourceShape struct {
	Name     string `yaml:"name"`
	URL      string `yaml:"url"`
	Lang     string `yaml:"lang,omitempty"`
	Interval string `yaml:"interval,omitempty"`
}

// digestShape is one entry of `digests:`.
type digestShape struct {
	Channel string `yaml:"channel"`
	Cron    string `yaml:"cron"`
	TZ      string `yaml:"tz"`
	Country string `yaml:"country"`
	Actor   string `yaml:"actor"`
}

// DigestConfig is one scheduled digest as the YAML file declares it,
// validated: Channel is "console", "slack:<channel ID>" or
// "discord:<channel id>"; Cron parses (five fields or a descriptor such as
// @daily) in TZ, an IANA zone ("UTC" when the file gives none). Country
// and Actor narrow the digest ("" for no narrowing): canonical ids when
// Load had a Vocabulary, else trimmed and lower-cased as written.
type DigestConfig struct {
	Channel, Cron, TZ, Country, Actor string
}

// parsedFile is a decoded file and the top-level keys it sets (a key
// with nothing under it decodes as absent, but was written).
type parsedFile struct {
	fileShape
	has map[string]bool
}

// loadFile reads the YAML file at path and applies it; every error found
// is returned, each naming its key.
func (c *Config) loadFile(path string, o LoadOptions) []error {
	data, err := os.ReadFile(path)
	if err != nil {
		return []error{&Error{Key: "SAHELBRIEF_CONFIG", Msg: fmt.Sprintf("cannot read %s: %v", path, errors.Unwrap(err))}}
	}
	f, errs := decodeFile(data, path)
	if len(errs) > 0 {
		return errs
	}
	// Relative paths in the file mean paths beside it, not beside
	// wherever the bot happens to be started.
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return []error{&Error{Key: "SAHELBRIEF_CONFIG", Msg: fmt.Sprintf("cannot resolve the directory of %s: %v", path, err)}}
	}
	return c.apply(f, path, dir, o)
}

// apply fills c's file-backed settings from f (a zero parsedFile when
// there is no file: the built-in sources, no digests).
func (c *Config) apply(f parsedFile, file, dir string, o LoadOptions) []error {
	srcs, note, errs := sourcesOf(f, file, dir, o.BuiltinSources)
	c.Sources, c.sourcesNote = srcs, note
	if !f.Gazetteer.IsZero() {
		out, err := yaml.Marshal(&f.Gazetteer)
		if err != nil {
			return append(errs, &Error{Key: file + ": gazetteer", Msg: err.Error()})
		}
		c.GazetteerYAML = out
	}
	var vocab Vocabulary
	if o.Vocabulary != nil {
		v, err := o.Vocabulary(c.GazetteerYAML)
		if err != nil {
			key := "gazetteer"
			if file != "" {
				key = file + ": gazetteer"
			}
			errs = append(errs, &Error{Key: key, Msg: err.Error()})
		} else {
			vocab = v
		}
	}
	digests, derrs := digestsOf(f.Digests, file, vocab)
	c.Digests = digests
	return append(errs, derrs...)
}

// decodeFile decodes a YAML document, reporting every unknown key and
// misshapen value at once (see checkShape), each naming the file.
func decodeFile(data []byte, file string) (parsedFile, []error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return parsedFile{}, nil
		}
		return parsedFile{}, []error{&Error{Key: file, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return parsedFile{}, nil
		}
		root = root.Content[0]
	}
	if errs := checkShape(root, reflect.TypeFor[fileShape](), "", file); len(errs) > 0 {
		return parsedFile{}, errs
	}
	p := parsedFile{has: map[string]bool{}}
	if root.Kind == yaml.MappingNode {
		for i := 0; i < len(root.Content); i += 2 {
			p.has[root.Content[i].Value] = true
		}
	}
	if err := root.Decode(&p.fileShape); err != nil {
		return parsedFile{}, []error{&Error{Key: file, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	return p, nil
}

// ParseSources reads the `sources:` list of a YAML document (the config
// file, or the built-in list) as it is written: local paths are not
// resolved. It returns nil when the key is absent. Errors name the file
// and the entry at fault, e.g. "sources[2].url", all of them joined.
func ParseSources(data []byte, file string) ([]Source, error) {
	f, errs := decodeFile(data, file)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if !f.has["sources"] {
		return nil, nil
	}
	srcs, errs := listedSources(f, file, "")
	return srcs, errors.Join(errs...)
}

// SourcesYAML writes srcs as a `sources:` list in the shape the config
// file accepts (and ParseSources reads back).
func SourcesYAML(srcs []Source) ([]byte, error) {
	list := make([]sourceShape, len(srcs))
	for i, s := range srcs {
		list[i] = sourceShape{Name: s.Name, URL: s.URL, Lang: s.Lang}
		if s.Interval > 0 {
			list[i].Interval = shortDuration(s.Interval)
		}
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(struct {
		Sources []sourceShape `yaml:"sources"`
	}{list}); err != nil {
		return nil, fmt.Errorf("config: sources: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("config: sources: %w", err)
	}
	return b.Bytes(), nil
}

// ParseDigests reads the `digests:` list of a YAML document. It returns
// nil when the list is absent or empty. Errors name the file, the entry
// and its channel, e.g.
// `my.yaml: digests[1].cron: "0 25 * * *" for slack:C0123456789 is not a valid cron schedule: ...`.
// Country and actor names are not checked (no Vocabulary).
func ParseDigests(data []byte, file string) ([]DigestConfig, error) {
	f, errs := decodeFile(data, file)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	d, errs := digestsOf(f.Digests, file, nil)
	return d, errors.Join(errs...)
}

// listedSources validates the file's `sources:` list, which replaces the
// built-in one; a key with no entries is an error rather than a silent
// fall back to the built-in feeds.
func listedSources(f parsedFile, file, dir string) ([]Source, []error) {
	if f.Sources == nil || len(*f.Sources) == 0 {
		return nil, []error{&Error{Key: file + ": sources", Msg: "the list is empty; remove the key to use the built-in list"}}
	}
	return sourceEntries(*f.Sources, "sources", file, dir)
}

// sourceEntries validates one list of feed entries (key is "sources" or
// "extra_sources"): every entry, every field, all errors.
func sourceEntries(entries []sourceShape, key, file, dir string) ([]Source, []error) {
	out := make([]Source, 0, len(entries))
	var errs []error
	names := map[string]int{}
	for i, s := range entries {
		at := func(field string) string { return fmt.Sprintf("%s: %s[%d].%s", file, key, i, field) }
		src, e := sourceEntry(s, at, dir)
		errs = append(errs, e...)
		if src.Name == "" {
			continue
		}
		if j, dup := names[strings.ToLower(src.Name)]; dup {
			errs = append(errs, &Error{Key: at("name"), Msg: fmt.Sprintf("%q is already used by %s[%d]", src.Name, key, j)})
			continue
		}
		names[strings.ToLower(src.Name)] = i
		out = append(out, src)
	}
	return out, errs
}

// sourceEntry validates one feed entry; at names its fields.
func sourceEntry(s sourceShape, at func(string) string, dir string) (Source, []error) {
	var errs []error
	bad := func(field, msg string) { errs = append(errs, &Error{Key: at(field), Msg: msg}) }
	src := Source{Name: strings.TrimSpace(s.Name), Lang: strings.ToLower(strings.TrimSpace(s.Lang))}
	if src.Name == "" {
		bad("name", "missing")
	}
	u, err := feedURL(strings.TrimSpace(s.URL), dir)
	if err != nil {
		bad("url", err.Error())
	}
	src.URL = u
	switch src.Lang {
	case "", "en", "fr":
	default:
		bad("lang", fmt.Sprintf("%q is not en or fr", s.Lang))
	}
	if s.Interval != "" {
		d, err := parseDuration(s.Interval, time.Second)
		if err != nil {
			bad("interval", err.Error())
		}
		src.Interval = d
	}
	return src, errs
}

// feedURL checks a source's url: and returns what the fetcher reads:
// http(s) URLs as written; local feeds (a path, or a file: URL, which the
// fetcher would otherwise take literally) as a path. A relative path is
// joined to dir, the directory of the config file naming it, so the file
// means the same feeds whatever the working directory; dir "" (the
// built-in list, ParseSources) leaves it as written.
func feedURL(raw, dir string) (string, error) {
	if raw == "" {
		return "", errors.New("missing")
	}
	l := strings.ToLower(raw)
	if strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
		u, err := url.Parse(raw)
		if err != nil {
			return "", fmt.Errorf("%q is not a valid URL: %v", raw, errors.Unwrap(err))
		}
		if u.Host == "" {
			return "", fmt.Errorf("%q has no host", raw)
		}
		return raw, nil
	}
	path := raw
	if strings.HasPrefix(l, "file:") {
		// file:///abs/x.xml is /abs/x.xml; file://x.xml and file:x.xml are
		// the relative x.xml (as the fetcher has always read file://).
		p, err := url.PathUnescape(strings.TrimPrefix(raw[len("file:"):], "//"))
		if err != nil || p == "" {
			return "", fmt.Errorf("%q is not a valid file URL", raw)
		}
		path = p
	} else if i := strings.Index(l, "://"); i > 0 {
		return "", fmt.Errorf("%q: only http(s) URLs and local file paths are supported", raw)
	}
	if dir != "" && !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	return path, nil
}

var (
	slackChannelID   = regexp.MustCompile(`^[CGD][A-Z0-9]{6,}$`)
	discordChannelID = regexp.MustCompile(`^[0-9]{17,20}$`)
)

// digestsOf validates the `digests:` entries: one per channel, each with a
// valid channel, time zone and cron schedule, and, with a vocabulary,
// known country and actor names (turned into their ids). Every error is
// returned.
func digestsOf(entries []digestShape, file string, vocab Vocabulary) ([]DigestConfig, []error) {
	if len(entries) == 0 {
		return nil, nil
	}
	out := make([]DigestConfig, 0, len(entries))
	var errs []error
	channels := map[string]int{}
	for i, e := range entries {
		at := func(field string) string { return fmt.Sprintf("%s: digests[%d].%s", file, i, field) }
		d, derrs := digestEntry(e, at, vocab)
		errs = append(errs, derrs...)
		if j, dup := channels[d.Channel]; dup && d.Channel != "" {
			errs = append(errs, &Error{Key: at("channel"), Msg: fmt.Sprintf("%q is already used by digests[%d] (one digest per channel)", d.Channel, j)})
			continue
		}
		channels[d.Channel] = i
		out = append(out, d)
	}
	return out, errs
}

const useChannel = "use slack:<channel ID> (C…/G…), discord:<numeric channel id> or console"

// digestEntry validates one digest; at names its fields.
func digestEntry(e digestShape, at func(string) string, vocab Vocabulary) (DigestConfig, []error) {
	var errs []error
	bad := func(field, msg string) { errs = append(errs, &Error{Key: at(field), Msg: msg}) }
	d := DigestConfig{
		Channel: strings.TrimSpace(e.Channel),
		Cron:    strings.Join(strings.Fields(e.Cron), " "),
		TZ:      strings.TrimSpace(e.TZ),
		Country: strings.ToLower(strings.TrimSpace(e.Country)),
		Actor:   strings.ToLower(strings.TrimSpace(e.Actor)),
	}
	switch {
	case d.Channel == "":
		bad("channel", "missing: "+useChannel)
	case !validDigestChannel(d.Channel):
		bad("channel", fmt.Sprintf("%q is not a channel: %s", e.Channel, useChannel))
	}
	if d.TZ == "" {
		d.TZ = "UTC"
	}
	zoneOK := false
	switch _, err := time.LoadLocation(d.TZ); {
	case strings.EqualFold(d.TZ, "Local"):
		bad("tz", fmt.Sprintf("%q for %s depends on the machine: name an IANA time zone such as Africa/Bamako or UTC", e.TZ, d.Channel))
	case err != nil || strings.ContainsAny(d.TZ, " \t"):
		bad("tz", fmt.Sprintf("unknown time zone %q for %s", e.TZ, d.Channel))
	default:
		zoneOK = true
	}
	if msg := cronProblem(d, e.Cron, zoneOK); msg != "" {
		bad("cron", msg)
	}
	for _, n := range []struct {
		kind string
		name *string
	}{{"country", &d.Country}, {"actor", &d.Actor}} {
		if *n.name == "" || vocab == nil {
			continue
		}
		id, sugg, ok := vocab.Resolve(n.kind, *n.name)
		if !ok {
			msg := fmt.Sprintf("unknown %s %q for %s", n.kind, *n.name, d.Channel)
			if sugg != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", sugg)
			}
			bad(n.kind, msg)
			continue
		}
		*n.name = id
	}
	return d, errs
}

// cronProblem says what is wrong with a digest's schedule, "" if nothing.
// zoneOK says d.TZ is a zone; when not, the schedule is parsed in UTC so
// its own mistakes are still reported.
func cronProblem(d DigestConfig, raw string, zoneOK bool) string {
	if d.Cron == "" {
		return fmt.Sprintf("missing for %s (example: \"0 7 * * 1-5\", or @daily)", d.Channel)
	}
	if u := strings.ToUpper(d.Cron); strings.HasPrefix(u, "CRON_TZ=") || strings.HasPrefix(u, "TZ=") {
		return fmt.Sprintf("%q for %s is not a valid cron schedule: give the time zone as tz:, not in the schedule", raw, d.Channel)
	}
	tz := d.TZ
	if !zoneOK {
		tz = "UTC"
	}
	if _, err := cronspec.Parse("CRON_TZ=" + tz + " " + d.Cron); err != nil {
		return fmt.Sprintf("%q for %s is not a valid cron schedule: %v", raw, d.Channel, err)
	}
	return ""
}

// validDigestChannel accepts "console", "slack:<channel ID>" and
// "discord:<channel id>".
func validDigestChannel(ch string) bool {
	if ch == "console" {
		return true
	}
	if id, ok := strings.CutPrefix(ch, "slack:"); ok {
		return slackChannelID.MatchString(id)
	}
	if id, ok := strings.CutPrefix(ch, "discord:"); ok {
		return discordChannelID.MatchString(id)
	}
	return false
}

// digestLine is one digest as `sahelbrief config` shows it.
func digestLine(d DigestConfig) string {
	s := fmt.Sprintf("%s %q %s", d.Channel, d.Cron, d.TZ)
	if d.Country != "" {
		s += " country=" + d.Country
	}
	if d.Actor != "" {
		s += " actor=" + d.Actor
	}
	return s
}
