package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode"

	"github.com/joho/godotenv"
)

// readDotEnv parses a .env file; a missing file yields no values. Its
// syntax is checked first by checkDotEnv, whose errors name the file, the
// line and the setting but never the value: godotenv's own errors quote
// the rest of the file, secrets included, and it reads a line without "="
// as part of the next one's name instead of failing.
func readDotEnv(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: %s: %w", path, errors.Unwrap(err))
	}
	if err := checkDotEnv(data, path); err != nil {
		return nil, err
	}
	m, err := godotenv.Parse(bytes.NewReader(data))
	if err != nil {
		// Not caught above, and godotenv's message may quote values.
		return nil, &Error{Key: path, Msg: "cannot parse this .env file (its text is not shown: it may hold secrets)"}
	}
	return m, nil
}

// checkDotEnv checks the syntax godotenv reads (KEY=value or KEY: value
// lines, an optional "export ", # comments, values in single or double
// quotes spanning lines) and returns the first error as an *Error whose
// Key is "file:line: NAME".
func checkDotEnv(data []byte, file string) error {
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		start := i + 1
		line := strings.TrimLeftFunc(lines[i], unicode.IsSpace)
		if line == "" || line[0] == '#' {
			continue
		}
		if rest, ok := strings.CutPrefix(line, "export"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
			line = strings.TrimLeft(rest, " \t")
		}
		eq := strings.IndexAny(line, "=:")
		if eq < 0 {
			return dotEnvError(file, start, line, `no "=" between the name and its value`)
		}
		name := strings.TrimRight(line[:eq], " \t")
		if !validEnvName(name) {
			return dotEnvError(file, start, name, `expected NAME=value (a name is letters, digits, "_" and ".")`)
		}
		value := strings.TrimLeft(line[eq+1:], " \t")
		if value == "" || (value[0] != '"' && value[0] != '\'') {
			continue
		}
		quote, rest := value[0], value[1:]
		for closingQuote(rest, quote) < 0 {
			if i++; i == len(lines) {
				return dotEnvError(file, start, name, "quoted value never closed")
			}
			rest = lines[i]
		}
	}
	return nil
}

// dotEnvError names the setting the line starts with only when it is one
// of ours (SAHELBRIEF_*, SLACK_*, DISCORD_*): a word of a broken line may
// be a secret value.
func dotEnvError(file string, line int, text, msg string) error {
	word := text
	if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
		word = text[:i]
	}
	where := fmt.Sprintf("%s:%d", file, line)
	for _, p := range []string{"SAHELBRIEF_", "SLACK_", "DISCORD_"} {
		if strings.HasPrefix(word, p) && validEnvName(word) {
			return &Error{Key: where + ": " + word, Msg: msg}
		}
	}
	return &Error{Key: where, Msg: msg + " (the line is not shown: it may hold a secret)"}
}

// validEnvName is godotenv's name rule: letters, digits, "_" and ".".
func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r != '_' && r != '.' && !unicode.IsLetter(r) && !unicode.IsNumber(r) {
			return false
		}
	}
	return true
}

// closingQuote returns the index of the quote ending a value in s, or -1:
// in double quotes a backslash escapes the next character.
func closingQuote(s string, quote byte) int {
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && quote == '"':
			i++
		case s[i] == quote:
			return i
		}
	}
	return -1
}
