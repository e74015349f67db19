package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/sahelbrief/sahelbrief/briefing/tagger"
)

func runTag(_ context.Context, env *cliEnv, args []string) int {
	fs := newFlagSet(env, "tag")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	_, g, ok := loadConfigAndGazetteer(env)
	if !ok {
		return exitUsage
	}
	if err := tagLines(env.stdin, env.stdout, env.stderr, g); err != nil {
		fmt.Fprintf(env.stderr, "sahelbrief tag: %v\n", err)
		return exitFail
	}
	return exitOK
}

// errBadLines reports that some input lines were skipped.
var errBadLines = errors.New("some lines were not JSON objects and were skipped")

// tagLines tags every JSON line of r onto w.
func tagLines(r io.Reader, w, errw io.Writer, g *tagger.Gazetteer) error {
	out := bufio.NewWriterSize(w, 64<<10)
	defer out.Flush()
	bad, err := eachJSONLine(r, errw, func(_ int, line []byte) error {
		tagged, err := tagLine(line, g)
		if err != nil {
			return err
		}
		out.Write(tagged)
		out.WriteByte('\n')
		return nil
	})
	if err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if bad {
		return errBadLines
	}
	return nil
}

// eachJSONLine calls fn with every non-blank line of r (trimmed) and its
// number; a line fn rejects is reported on errw with its number and the
// reading goes on. It reports whether any line was rejected.
func eachJSONLine(r io.Reader, errw io.Writer, fn func(n int, line []byte) error) (bad bool, err error) {
	in := bufio.NewReaderSize(r, 64<<10)
	for n := 1; ; n++ {
		raw, rerr := in.ReadBytes('\n')
		if line := bytes.TrimSpace(raw); len(line) > 0 {
			if ferr := fn(n, line); ferr != nil {
				fmt.Fprintf(errw, "line %d: %v\n", n, ferr)
				bad = true
			}
		}
		if errors.Is(rerr, io.EOF) {
			return bad, nil
		}
		if rerr != nil {
			return bad, rerr
		}
	}
}

// tagLine adds countries and actors to one JSON object. When the object
// has neither key, they are appended to the original bytes, so field order
// and formatting survive; otherwise the object is re-encoded.
func tagLine(line []byte, g *tagger.Gazetteer) ([]byte, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(line, &fields); err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	var title, summary string
	for key, dst := range map[string]*string{"title": &title, "summary": &summary} {
		if raw, ok := fields[key]; ok && string(raw) != "null" {
			if err := json.Unmarshal(raw, dst); err != nil {
				return nil, fmt.Errorf("%q must be a string", key)
			}
		}
	}
	countries, actors := g.Tag(title, summary)
	c, _ := json.Marshal(countries)
	a, _ := json.Marshal(actors)
	_, hasC := fields["countries"]
	_, hasA := fields["actors"]
	if !hasC && !hasA {
		body := bytes.TrimSuffix(line, []byte("}"))
		sep := ","
		if len(fields) == 0 {
			sep = ""
		}
		return fmt.Appendf(nil, `%s%s"countries":%s,"actors":%s}`, body, sep, c, a), nil
	}
	fields["countries"], fields["actors"] = c, a
	return json.Marshal(fields)
}
