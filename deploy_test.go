package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const unitPath = "deploy/sahelbrief.service"

// TestSystemdUnitHardening holds the directives docs/deploy.md promises,
// with or without systemd on the machine.
func TestSystemdUnitHardening(t *testing.T) {
	b, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(string(b), "\n") {
		lines[strings.TrimSpace(l)] = true
	}
	for _, want := range []string{
		"ExecStart=/usr/local/bin/sahelbrief run --db %S/sahelbrief/sahelbrief.db",
		"Restart=on-failure",
		"RestartPreventExitStatus=2 3",
		"DynamicUser=yes",
		"StateDirectory=sahelbrief",
		"EnvironmentFile=/etc/sahelbrief/sahelbrief.env",
		"NoNewPrivileges=yes",
		"CapabilityBoundingSet=",
		"ProtectSystem=strict",
		"ProtectHome=yes",
		"PrivateTmp=yes",
		"RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
		"SystemCallFilter=@system-service",
		"MemoryDenyWriteExecute=yes",
	} {
		if !lines[want] {
			t.Errorf("%s lacks the line %q", unitPath, want)
		}
	}
}

// TestSystemdUnitVerifies runs systemd-analyze verify on the units of
// deploy/ (with the binary's path pointing at an executable that exists:
// the test binary) and fails on any complaint about them: verify exits 0
// on unknown keys and bad values, and only says so. It also holds the
// services' exposure scores.
func TestSystemdUnitVerifies(t *testing.T) {
	tool, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	units := installUnits(t)
	out, err := analyze(t, tool, append([]string{"verify", "--man=no"}, units...)...)
	if strings.Contains(out, "Failed to initialize manager") {
		t.Skipf("systemd-analyze cannot run here: %s", out)
	}
	if err != nil || strings.Contains(out, "sahelbrief") {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	// Exposure scores run from 0 (safest) to 100; when written the bot was
	// at 12 and the backup at 5.
	for _, u := range units {
		if !strings.HasSuffix(u, ".service") {
			continue
		}
		out, err = analyze(t, tool, "security", "--offline=yes", "--threshold=20", u)
		if strings.Contains(out, "unrecognized option") {
			t.Skipf("systemd-analyze security has no --offline here: %s", out)
		}
		if err != nil {
			t.Errorf("systemd-analyze security %s: %v\n%s", filepath.Base(u), err, out)
		}
	}
}

// installUnits copies deploy/'s units to a temporary directory, with the
// test binary as the sahelbrief binary, and returns their paths.
func installUnits(t *testing.T) []string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var units []string
	for _, pattern := range []string{"deploy/*.service", "deploy/*.timer"} {
		m, _ := filepath.Glob(pattern)
		for _, src := range m {
			b, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(dir, filepath.Base(src))
			body := strings.ReplaceAll(string(b), "/usr/local/bin/sahelbrief", self)
			if err := os.WriteFile(dst, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			units = append(units, dst)
		}
	}
	if len(units) < 3 {
		t.Fatalf("deploy/ holds %d units, want the service, the backup service and its timer", len(units))
	}
	return units
}

func analyze(t *testing.T, tool string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, tool, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}
