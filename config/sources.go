package config

import (
	"fmt"
	"strings"
)

// builtinFile names the built-in feed list in errors.
const builtinFile = "built-in feeds.yaml"

// sourcesOf returns the feeds to poll and a note on how the list was made
// (for Dump). `sources:` replaces the built-in list; otherwise it is the
// built-in list (builtinYAML, parsed as the file is) less `disable:`.
// `extra_sources:` is added to either; a name may be used once.
func sourcesOf(f parsedFile, file, dir string, builtinYAML []byte) ([]Source, string, []error) {
	if f.has["sources"] {
		srcs, errs := listedSources(f, file, dir)
		if len(f.Disable) > 0 {
			errs = append(errs, &Error{Key: file + ": disable", Msg: "names built-in sources, but sources: replaces the built-in list; remove one of the two"})
		}
		extra, eerrs := extraSources(f, file, dir, srcs, "sources")
		note := fmt.Sprintf("%d from %s", len(srcs), file)
		if len(extra) > 0 {
			note += fmt.Sprintf(", %d from extra_sources", len(extra))
		}
		return append(srcs, extra...), note, append(errs, eerrs...)
	}
	builtin, err := ParseSources(builtinYAML, builtinFile)
	if err != nil {
		return nil, "", []error{err}
	}
	kept, errs := disable(builtin, f.Disable, file)
	extra, eerrs := extraSources(f, file, dir, kept, "built-in")
	errs = append(errs, eerrs...)
	if len(f.Disable) == 0 && len(extra) == 0 {
		return builtin, "built-in list", errs
	}
	note := fmt.Sprintf("%d: %d built-in, %d disabled, %d from extra_sources", len(kept)+len(extra), len(builtin), len(builtin)-len(kept), len(extra))
	return append(kept, extra...), note, errs
}

// disable drops the named built-in sources (names compare without case);
// an unknown name is an error with the closest built-in name.
func disable(builtin []Source, names []string, file string) ([]Source, []error) {
	if len(names) == 0 {
		return builtin, nil
	}
	var errs []error
	off := map[string]bool{}
	all := make([]string, len(builtin))
	for i, s := range builtin {
		all[i] = s.Name
	}
	for i, n := range names {
		n = strings.TrimSpace(n)
		if !hasName(builtin, n) {
			msg := fmt.Sprintf("%q is not a built-in source", n)
			if s := closest(n, all); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			} else {
				msg += " (sahelbrief sources --builtin lists them)"
			}
			errs = append(errs, &Error{Key: fmt.Sprintf("%s: disable[%d]", file, i), Msg: msg})
			continue
		}
		off[strings.ToLower(n)] = true
	}
	kept := make([]Source, 0, len(builtin))
	for _, s := range builtin {
		if !off[strings.ToLower(s.Name)] {
			kept = append(kept, s)
		}
	}
	return kept, errs
}

// extraSources validates `extra_sources:`; a name already in base (the
// list they are added to, called baseName in errors) is an error.
func extraSources(f parsedFile, file, dir string, base []Source, baseName string) ([]Source, []error) {
	if len(f.ExtraSources) == 0 {
		return nil, nil
	}
	extra, errs := sourceEntries(f.ExtraSources, "extra_sources", file, dir)
	out := extra[:0]
	for i, s := range extra {
		if !hasName(base, s.Name) {
			out = append(out, s)
			continue
		}
		msg := fmt.Sprintf("%q is already a %s source; pick another name", s.Name, baseName)
		if baseName == "built-in" {
			msg = fmt.Sprintf("%q is already a built-in source; pick another name, or add it to disable: to replace it", s.Name)
		}
		errs = append(errs, &Error{Key: fmt.Sprintf("%s: extra_sources[%d].name", file, entryIndex(f.ExtraSources, s.Name, i)), Msg: msg})
	}
	return out, errs
}

// entryIndex finds the entry named name (the index in the file, which
// differs from i when entries before it were dropped as invalid).
func entryIndex(entries []sourceShape, name string, i int) int {
	for j, e := range entries {
		if strings.EqualFold(strings.TrimSpace(e.Name), name) {
			return j
		}
	}
	return i
}

func hasName(list []Source, name string) bool {
	for _, s := range list {
		if strings.EqualFold(s.Name, name) {
			return true
		}
	}
	return false
}
