package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"
	// The zone database, embedded: digests' tz: is checked here and used
	// by the scheduler, and must not depend on the machine having one
	// (containers built from scratch do not).
	_ "time/tzdata"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"
)

// fileShape is the YAML file. Unknown keys are errors, so a typo such as
// "source:" is reported instead of silently ignored.
type fileShape struct {
	Sources *[]sourceShape `yaml:"sources"`
	// Digests are the config-owned digest schedules.
	Digests []digestShape `yaml:"digests"`
	// Gazetteer extends the built-in gazetteer; briefing validates it.
	Gazetteer yaml.Node `yaml:"gazetteer"`
}

type sourceShape struct {
	Name     string `yaml:"name"`
	URL      string `yaml:"url"`
	Lang     string `yaml:"lang"`
	Interval string `yaml:"interval"`
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
// and Actor narrow the digest; they are trimmed and lower-cased but not
// resolved (the caller checks them against the gazetteer); "" means no
// narrowing.
type DigestConfig struct {
	Channel, Cron, TZ, Country, Actor string
}

func (c *Config) loadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return &Error{Key: "SAHELBRIEF_CONFIG", Msg: fmt.Sprintf("cannot read %s: %v", path, errors.Unwrap(err))}
	}
	f, err := decodeFile(data, path)
	if err != nil {
		return err
	}
	srcs, err := sourcesOf(f, data, path)
	if err != nil {
		return err
	}
	digests, err := digestsOf(f.Digests, path)
	if err != nil {
		return err
	}
	c.Sources, c.Digests = srcs, digests
	if !f.Gazetteer.IsZero() {
		out, err := yaml.Marshal(&f.Gazetteer)
		if err != nil {
			return &Error{Key: path + ": gazetteer", Msg: err.Error()}
		}
		c.GazetteerYAML = out
	}
	return nil
}

// decodeFile decodes a YAML document strictly: unknown keys, at the top or
// inside an entry, are errors naming the file.
func decodeFile(data []byte, file string) (fileShape, error) {
	var f fileShape
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return fileShape{}, &Error{Key: file, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	return f, nil
}

// ParseSources reads the `sources:` list of a YAML document (the config
// file, or the built-in list). It returns nil when the key is absent.
// Errors name the file and the entry at fault, e.g. "sources[2].url".
func ParseSources(data []byte, file string) ([]Source, error) {
	f, err := decodeFile(data, file)
	if err != nil {
		return nil, err
	}
	return sourcesOf(f, data, file)
}

// ParseDigests reads the `digests:` list of a YAML document. It returns
// nil when the list is absent or empty. Errors name the file, the entry
// and its channel, e.g.
// `my.yaml: digests[1].cron: "0 25 * * *" for slack:C0123456789 is not a valid cron schedule: ...`.
func ParseDigests(data []byte, file string) ([]DigestConfig, error) {
	f, err := decodeFile(data, file)
	if err != nil {
		return nil, err
	}
	return digestsOf(f.Digests, file)
}

func sourcesOf(f fileShape, data []byte, file string) ([]Source, error) {
	if f.Sources == nil {
		// "sources:" with nothing under it (every entry commented out)
		// decodes as null: treat it as the empty list it means, rather
		// than silently falling back to the built-in feeds.
		var keys map[string]any
		if yaml.Unmarshal(data, &keys) != nil {
			return nil, nil
		}
		if _, present := keys["sources"]; !present {
			return nil, nil
		}
	}
	if f.Sources == nil || len(*f.Sources) == 0 {
		return nil, &Error{Key: file + ": sources", Msg: "the list is empty; remove the key to use the built-in list"}
	}
	out := make([]Source, 0, len(*f.Sources))
	names := map[string]int{}
	for i, s := range *f.Sources {
		at := func(field string) string { return fmt.Sprintf("%s: sources[%d].%s", file, i, field) }
		src := Source{Name: strings.TrimSpace(s.Name), URL: strings.TrimSpace(s.URL), Lang: strings.ToLower(strings.TrimSpace(s.Lang))}
		if src.Name == "" {
			return nil, &Error{Key: at("name"), Msg: "missing"}
		}
		if j, dup := names[strings.ToLower(src.Name)]; dup {
			return nil, &Error{Key: at("name"), Msg: fmt.Sprintf("%q is already used by sources[%d]", src.Name, j)}
		}
		names[strings.ToLower(src.Name)] = i
		if err := checkSourceURL(src.URL); err != nil {
			return nil, &Error{Key: at("url"), Msg: err.Error()}
		}
		switch src.Lang {
		case "", "en", "fr":
		default:
			return nil, &Error{Key: at("lang"), Msg: fmt.Sprintf("%q is not en or fr", s.Lang)}
		}
		if s.Interval != "" {
			d, err := parseDuration(s.Interval, time.Second)
			if err != nil {
				return nil, &Error{Key: at("interval"), Msg: err.Error()}
			}
			src.Interval = d
		}
		out = append(out, src)
	}
	return out, nil
}

// checkSourceURL accepts http(s) URLs with a host, and local paths.
func checkSourceURL(raw string) error {
	if raw == "" {
		return errors.New("missing")
	}
	l := strings.ToLower(raw)
	if strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
		u, err := url.Parse(raw)
		if err != nil {
			return fmt.Errorf("%q is not a valid URL: %v", raw, errors.Unwrap(err))
		}
		if u.Host == "" {
			return fmt.Errorf("%q has no host", raw)
		}
		return nil
	}
	if i := strings.Index(l, "://"); i > 0 && !strings.HasPrefix(l, "file://") {
		return fmt.Errorf("%q: only http(s) URLs and local file paths are supported", raw)
	}
	return nil
}

var (
	slackChannelID   = regexp.MustCompile(`^[CGD][A-Z0-9]{6,}$`)
	discordChannelID = regexp.MustCompile(`^[0-9]{17,20}$`)
	// digestCron is the parser the scheduler uses: five fields or a
	// descriptor, with a CRON_TZ= prefix for the zone.
	digestCron = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
)

// digestsOf validates the `digests:` entries: one per channel, each with a
// valid channel, time zone and cron schedule.
func digestsOf(entries []digestShape, file string) ([]DigestConfig, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	out := make([]DigestConfig, 0, len(entries))
	channels := map[string]int{}
	for i, e := range entries {
		at := func(field string) string { return fmt.Sprintf("%s: digests[%d].%s", file, i, field) }
		d := DigestConfig{
			Channel: strings.TrimSpace(e.Channel),
			Cron:    strings.Join(strings.Fields(e.Cron), " "),
			TZ:      strings.TrimSpace(e.TZ),
			Country: strings.ToLower(strings.TrimSpace(e.Country)),
			Actor:   strings.ToLower(strings.TrimSpace(e.Actor)),
		}
		if d.Channel == "" {
			return nil, &Error{Key: at("channel"), Msg: "missing: use slack:<channel ID> (C…/G…), discord:<numeric channel id> or console"}
		}
		if !validDigestChannel(d.Channel) {
			return nil, &Error{Key: at("channel"), Msg: fmt.Sprintf("%q is not a channel: use slack:<channel ID> (C…/G…), discord:<numeric channel id> or console", e.Channel)}
		}
		if j, dup := channels[d.Channel]; dup {
			return nil, &Error{Key: at("channel"), Msg: fmt.Sprintf("%q is already used by digests[%d] (one digest per channel)", d.Channel, j)}
		}
		channels[d.Channel] = i
		if d.TZ == "" {
			d.TZ = "UTC"
		}
		if strings.EqualFold(d.TZ, "Local") {
			return nil, &Error{Key: at("tz"), Msg: fmt.Sprintf("%q for %s depends on the machine: name an IANA time zone such as Africa/Bamako or UTC", e.TZ, d.Channel)}
		}
		if _, err := time.LoadLocation(d.TZ); err != nil || strings.ContainsAny(d.TZ, " \t") {
			return nil, &Error{Key: at("tz"), Msg: fmt.Sprintf("unknown time zone %q for %s", e.TZ, d.Channel)}
		}
		if d.Cron == "" {
			return nil, &Error{Key: at("cron"), Msg: fmt.Sprintf("missing for %s (example: \"0 7 * * 1-5\", or @daily)", d.Channel)}
		}
		if u := strings.ToUpper(d.Cron); strings.HasPrefix(u, "CRON_TZ=") || strings.HasPrefix(u, "TZ=") {
			return nil, &Error{Key: at("cron"), Msg: fmt.Sprintf("%q for %s is not a valid cron schedule: give the time zone as tz:, not in the schedule", e.Cron, d.Channel)}
		}
		if _, err := digestCron.Parse("CRON_TZ=" + d.TZ + " " + d.Cron); err != nil {
			return nil, &Error{Key: at("cron"), Msg: fmt.Sprintf("%q for %s is not a valid cron schedule: %v", e.Cron, d.Channel, err)}
		}
		out = append(out, d)
	}
	return out, nil
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
