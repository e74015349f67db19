package app

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := runCLI(t, nil, args...)
		// Under go test the toolchain records no module version.
		if r.code != 0 || !strings.HasPrefix(r.stdout, "sahelbrief (devel) (") {
			t.Errorf("%v: %v", args, r)
		}
	}
	if r := runCLI(t, nil, "version", "extra"); r.code != 2 {
		t.Errorf("version with an argument: %v", r)
	}
}

func TestBackupCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "live.db")
	dest := filepath.Join(dir, "copy.db")
	env := map[string]string{"SAHELBRIEF_DB": db}
	if r := runCLI(t, env, "backup", dest); r.code != 0 || !strings.Contains(r.stdout, "Backed up "+db+" to "+dest) {
		t.Fatalf("backup: %v", r)
	}
	if r := runCLI(t, env, "backup", dest); r.code != 1 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("backup over an existing file: %v", r)
	}
	if r := runCLI(t, env, "backup", "--db", db, filepath.Join(dir, "second.db")); r.code != 0 {
		t.Errorf("backup with a flag before the path: %v", r)
	}
	if r := runCLI(t, env, "backup"); r.code != 2 || !strings.Contains(r.stderr, "want 1 argument") {
		t.Errorf("backup without a path: %v", r)
	}
	// The copy is a database the bot can open as it is.
	if r := runCLI(t, map[string]string{"SAHELBRIEF_DB": dest}, "backup", filepath.Join(dir, "third.db")); r.code != 0 {
		t.Errorf("backing up the backup: %v", r)
	}
}

func TestDoctorCommand(t *testing.T) {
	env := map[string]string{"SAHELBRIEF_DB": filepath.Join(t.TempDir(), "d.db"), "SAHELBRIEF_HTTP_ADDR": "127.0.0.1:0"}
	r := runCLI(t, env, "doctor", "--no-sources")
	if r.code != 0 || !strings.Contains(r.stdout, "ok    database") || !strings.Contains(r.stdout, "skip  slack") || !strings.Contains(r.stdout, "skip  sources") {
		t.Errorf("nothing configured but the database: %v", r)
	}
	env["SAHELBRIEF_POLL_INTERVAL"] = "soon"
	if r := runCLI(t, env, "doctor", "--no-sources"); r.code != 1 || !strings.HasPrefix(r.stdout, "FAIL  config") || !strings.Contains(r.stdout, "SAHELBRIEF_POLL_INTERVAL") {
		t.Errorf("bad setting: %v", r)
	}
}
