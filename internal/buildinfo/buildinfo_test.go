package buildinfo

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	tests := []struct {
		name string
		bi   debug.BuildInfo
		want string
	}{
		{"release with VCS stamp", debug.BuildInfo{
			GoVersion: "go1.26.0",
			Main:      debug.Module{Path: "github.com/sahelbrief/sahelbrief", Version: "v1.2.0"},
			Settings: []debug.BuildSetting{
				{Key: "vcs.revision", Value: "3bb0e62aa1b2c3d4e5f60718293a4b5c6d7e8f90"},
				{Key: "vcs.time", Value: "2026-12-02T16:00:00Z"},
				{Key: "vcs.modified", Value: "true"},
			},
		}, "sahelbrief v1.2.0 (rev 3bb0e62aa1b2, modified, committed 2026-12-02T16:00:00Z, go1.26.0)"},
		{"go run", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/sahelbrief/sahelbrief", Version: "(devel)"}},
			"sahelbrief (devel) (no VCS revision recorded, go1.26.0)"},
		{"go test (no main version)", debug.BuildInfo{GoVersion: "go1.26.0"},
			"sahelbrief (devel) (no VCS revision recorded, go1.26.0)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FromBuildInfo(&tt.bi).String(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestReadUnderGoTest(t *testing.T) {
	in := Read()
	if in.Version == "" || !strings.HasPrefix(in.String(), "sahelbrief ") {
		t.Errorf("Read() = %+v, %q", in, in.String())
	}
}
