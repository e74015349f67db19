package config

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/sahelbrief/sahelbrief/internal/editdist"
	"go.yaml.in/yaml/v3"
)

// checkShape walks a decoded YAML node against the Go type it will be
// decoded into and reports, in document order, every key that type does
// not declare (with the closest known key) and every value of the wrong
// kind. yaml's own strict mode stops at a Go type name ("field sourcs not
// found in type config.fileShape"); this says where, in the file's terms.
// where is the path of n ("sources[1]"), "" for the top level.
func checkShape(n *yaml.Node, t reflect.Type, where, file string) []error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[yaml.Node]() {
		return nil // a section another package validates (gazetteer:)
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil // "key:" with nothing under it: each caller decides
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return []error{shapeError(n, where, file, "should be keys and values ("+strings.Join(yamlKeys(t), ", ")+")")}
		}
		return checkMapping(n, t, where, file)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return []error{shapeError(n, where, file, "should be a list (entries starting with \"- \")")}
		}
		var errs []error
		for i, e := range n.Content {
			errs = append(errs, checkShape(e, t.Elem(), fmt.Sprintf("%s[%d]", where, i), file)...)
		}
		return errs
	default:
		if n.Kind != yaml.ScalarNode {
			return []error{shapeError(n, where, file, "should be a single value")}
		}
		return nil
	}
}

// checkMapping checks each key of a mapping against the struct t.
func checkMapping(n *yaml.Node, t reflect.Type, where, file string) []error {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		if name := yamlName(t.Field(i)); name != "" {
			fields[name] = t.Field(i).Type
		}
	}
	var errs []error
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		ft, ok := fields[k.Value]
		if !ok {
			errs = append(errs, unknownKey(k, t, where, file))
			continue
		}
		errs = append(errs, checkShape(v, ft, join(where, k.Value), file)...)
	}
	return errs
}

// unknownKey reports a key t does not declare, with the closest known
// one when it is a likely typo, else the list of known keys.
func unknownKey(k *yaml.Node, t reflect.Type, where, file string) error {
	in := where
	if in == "" {
		in = "the top level"
	}
	msg := fmt.Sprintf("unknown key %q in %s", k.Value, in)
	known := yamlKeys(t)
	if s := closest(k.Value, known); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	} else {
		msg += " (known keys: " + strings.Join(known, ", ") + ")"
	}
	return &Error{Key: fmt.Sprintf("%s: line %d", file, k.Line), Msg: msg}
}

func shapeError(n *yaml.Node, where, file, msg string) error {
	key := file
	if where != "" {
		key += ": " + where
	}
	return &Error{Key: key, Msg: fmt.Sprintf("line %d: %s", n.Line, msg)}
}

func join(where, key string) string {
	if where == "" {
		return key
	}
	return where + "." + key
}

// yamlName is the key a struct field is decoded from ("" if none).
func yamlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// yamlKeys lists the keys a struct declares, in declaration order.
func yamlKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		if name := yamlName(t.Field(i)); name != "" {
			keys = append(keys, name)
		}
	}
	return keys
}

// closest returns the candidate nearest to s (case-insensitive) when it is
// near enough to be a typo of it: at most a third of the letters of the
// longer of the two changed (at least one). "" when none is.
func closest(s string, candidates []string) string {
	best, bestD := "", -1
	ls := strings.ToLower(s)
	for _, c := range candidates {
		d := editdist.Distance(ls, strings.ToLower(c))
		if d <= max(1, max(len([]rune(ls)), len([]rune(c)))/3) && (bestD < 0 || d < bestD) {
			best, bestD = c, d
		}
	}
	return best
}
