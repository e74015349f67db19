package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestKeepConnectedRetriesOutagesAndStopsOnARejectedToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs bytes.Buffer
		log := slog.New(slog.NewJSONHandler(&logs, nil))
		// The waits are the (virtual) times between the attempts.
		var waits []time.Duration
		last := time.Now()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		calls := 0
		run := KeepConnected("test", func(ctx context.Context) error {
			calls++
			if calls > 1 {
				waits = append(waits, time.Since(last))
			}
			last = time.Now()
			switch calls {
			case 1, 2, 3:
				return errors.New("dial tcp: connection refused")
			case 4:
				return nil // the connection ended without an error: reconnect too
			}
			cancel()
			return errors.New("stopped")
		}, log)
		if err := run(ctx); err != nil || calls != 5 {
			t.Fatalf("run = %v after %d calls", err, calls)
		}
		if fmt.Sprint(waits) != "[5s 10s 20s 40s]" {
			t.Errorf("waits = %v", waits)
		}
		// One warning per failed attempt, with its reason and the wait as a
		// duration ("5s", not nanoseconds).
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
			var rec struct{ Level, Msg, Error, Retry_in string }
			if err := json.Unmarshal([]byte(l), &rec); err != nil {
				t.Fatalf("%v: %s", err, l)
			}
			got = append(got, rec.Level+" "+rec.Retry_in+" "+rec.Error)
		}
		want := []string{"WARN 5s dial tcp: connection refused", "WARN 10s dial tcp: connection refused",
			"WARN 20s dial tcp: connection refused", "WARN 40s connection ended"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("logged\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// The adapters mark a rejected token with AuthRejected (before, these
		// texts were recognised by matching them).
		for _, msg := range []string{"slack: socket mode: invalid_auth", "discord: gateway: HTTP 401 Unauthorized", "websocket: close 4004: Authentication failed."} {
			calls = 0
			err := KeepConnected("test", func(context.Context) error { calls++; return AuthRejected(errors.New(msg)) }, log)(t.Context())
			if err == nil || calls != 1 {
				t.Errorf("%q: err %v after %d calls; want it returned at once", msg, err, calls)
			}
		}
	})
}

func TestAuthRejectedKeepsTheErrorAndItsChain(t *testing.T) {
	inner := errors.New("invalid_auth")
	err := fmt.Errorf("slack: socket mode: %w", AuthRejected(inner))
	if !errors.Is(err, ErrAuthRejected) || !errors.Is(err, inner) || err.Error() != "slack: socket mode: invalid_auth" {
		t.Errorf("%v: Is(ErrAuthRejected) %v, Is(inner) %v", err, errors.Is(err, ErrAuthRejected), errors.Is(err, inner))
	}
	if AuthRejected(nil) != nil {
		t.Error("AuthRejected(nil) != nil")
	}
	if errors.Is(errors.New("HTTP 401"), ErrAuthRejected) {
		t.Error("an unmarked error counts as rejected")
	}
}
