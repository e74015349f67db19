package main

import (
	"strings"
	"testing"
)

func TestRunChoosesTheConsoleWithoutChatSettings(t *testing.T) {
	r := runCLIWithInput(t, "/sahel help\nquit\n", nil, "run")
	if r.code != 0 || !strings.Contains(r.stdout, "/sahel brief [since]") {
		t.Errorf("run without chat settings should open the shell: %v", r)
	}
	// --shell wins over chat settings.
	env := map[string]string{"SLACK_SIGNING_SECRET": "s3cret"}
	r = runCLIWithInput(t, "/sahel sources\n", env, "run", "--shell")
	if r.code != 0 || !strings.Contains(r.stdout, "sources:") {
		t.Errorf("run --shell: %v", r)
	}
	// With chat settings, run serves them (here it fails at once: the address is invalid).
	r = runCLIWithInput(t, "", env, "run", "--addr", "256.0.0.1:1")
	if r.code != 1 || !strings.Contains(r.stderr, "sahelbrief serve:") {
		t.Errorf("run with chat settings should serve: %v", r)
	}
}
