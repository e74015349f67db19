package config

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// withSecretOption adds a secret option to the table for one test. There
// are no secret options yet (bot tokens come later); this proves the
// redaction works before one exists.
func withSecretOption(t *testing.T, key string) {
	t.Helper()
	saved := options
	options = append(options[:len(options):len(options)], option{
		key: key, def: "", help: "a token", secret: true,
		apply: func(_ *Config, v string) error {
			if strings.HasPrefix(v, "bad-") {
				// A careless validator that quotes the value.
				return fmt.Errorf("%q does not look like a token", v)
			}
			return nil
		},
	})
	t.Cleanup(func() { options = saved })
}

func TestSecretsAreRedacted(t *testing.T) {
	const key, secret = "SAHELBRIEF_TEST_TOKEN", "xoxb-super-secret-4242"
	withSecretOption(t, key)
	if vs := Variables(); !vs[len(vs)-1].Secret {
		t.Fatal("Variables does not mark the test option secret")
	}
	c, err := Load(LoadOptions{
		Getenv: func(k string) (string, bool) {
			if k == key {
				return secret, true
			}
			return "", false
		},
		DotEnv: t.TempDir() + "/absent.env",
	})
	if err != nil {
		t.Fatal(err)
	}

	var jsonLog, textLog bytes.Buffer
	slog.New(slog.NewJSONHandler(&jsonLog, nil)).Info("loaded", "config", c)
	slog.New(slog.NewTextHandler(&textLog, nil)).Info("loaded", slog.Any("config", c))

	outputs := []struct{ name, text, want string }{
		{"Dump", c.Dump(), key + "=[redacted]  # environment"},
		{"slog JSON", jsonLog.String(), `"sahelbrief_test_token":"[redacted]"`},
		{"slog text", textLog.String(), "config.sahelbrief_test_token=[redacted]"},
	}
	for _, o := range outputs {
		t.Run(o.name, func(t *testing.T) {
			if strings.Contains(o.text, secret) {
				t.Errorf("the secret leaks:\n%s", o.text)
			}
			if !strings.Contains(o.text, o.want) {
				t.Errorf("want %q in:\n%s", o.want, o.text)
			}
			if !strings.Contains(o.text, "sahelbrief.db") {
				t.Errorf("non-secret values are missing:\n%s", o.text)
			}
		})
	}
}

func TestEmptySecretIsNotRedacted(t *testing.T) {
	const key = "SAHELBRIEF_TEST_TOKEN"
	withSecretOption(t, key)
	c, err := Load(LoadOptions{Getenv: func(string) (string, bool) { return "", false }, DotEnv: t.TempDir() + "/absent.env"})
	if err != nil {
		t.Fatal(err)
	}
	// An unset secret shows as empty, so a bug report tells "not set"
	// from "set".
	if d := c.Dump(); !strings.Contains(d, key+"=  # default") {
		t.Errorf("unset secret not shown as empty:\n%s", d)
	}
}

func TestSecretNotInLoadError(t *testing.T) {
	const key, secret = "SAHELBRIEF_TEST_TOKEN", "bad-but-still-secret-4242"
	withSecretOption(t, key)
	_, err := Load(LoadOptions{
		Getenv:    func(string) (string, bool) { return "", false },
		DotEnv:    t.TempDir() + "/absent.env",
		Overrides: map[string]string{key: secret},
	})
	var ce *Error
	if !errors.As(err, &ce) || ce.Key != key {
		t.Fatalf("err = %v, want a *Error for %s", err, key)
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("the secret leaks into the error: %v", err)
	}
	if !strings.Contains(err.Error(), "does not look like a token") {
		t.Errorf("the error lost its reason: %v", err)
	}
}
