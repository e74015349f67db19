package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// fileShape is the YAML file. Unknown keys are errors, so a typo such as
// "source:" is reported instead of silently ignored.
type fileShape struct {
	Sources *[]sourceShape `yaml:"sources"`
	// Gazetteer extends the built-in gazetteer; briefing validates it.
	Gazetteer yaml.Node `yaml:"gazetteer"`
}

type sourceShape struct {
	Name     string `yaml:"name"`
	URL      string `yaml:"url"`
	Lang     string `yaml:"lang"`
	Interval string `yaml:"interval"`
}

func (c *Config) loadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return &Error{Key: "SAHELBRIEF_CONFIG", Msg: fmt.Sprintf("cannot read %s: %v", path, errors.Unwrap(err))}
	}
	srcs, err := ParseSources(data, path)
	if err != nil {
		return err
	}
	c.Sources = srcs
	var f fileShape
	if err := yaml.Unmarshal(data, &f); err == nil && !f.Gazetteer.IsZero() {
		out, err := yaml.Marshal(&f.Gazetteer)
		if err != nil {
			return &Error{Key: path + ": gazetteer", Msg: err.Error()}
		}
		c.GazetteerYAML = out
	}
	return nil
}

// ParseSources reads the `sources:` list of a YAML document (the config
// file, or the built-in list). It returns nil when the key is absent.
// Errors name the file and the entry at fault, e.g. "sources[2].url".
func ParseSources(data []byte, file string) ([]Source, error) {
	var f fileShape
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, &Error{Key: file, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
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
