// Package buildinfo describes the running binary: its module version and
// the VCS revision it was built from, as the Go toolchain recorded them.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Info is what the toolchain recorded about a build.
type Info struct {
	Module    string // module path; "" when no build information is embedded
	Version   string // module version: a tag, a pseudo-version or "(devel)"
	Revision  string // VCS revision; "" when built without VCS stamping (go run, go test)
	Time      string // commit time (RFC 3339); "" when unknown
	Modified  bool   // the working tree had uncommitted changes
	GoVersion string
}

// Read returns the running binary's build information.
func Read() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Info{Version: "(unknown)", GoVersion: runtime.Version()}
	}
	return FromBuildInfo(bi)
}

// FromBuildInfo extracts Info from what debug.ReadBuildInfo returns.
func FromBuildInfo(bi *debug.BuildInfo) Info {
	in := Info{Module: bi.Main.Path, Version: bi.Main.Version, GoVersion: bi.GoVersion}
	if in.Version == "" {
		// go test binaries record no main module version.
		in.Version = "(devel)"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			in.Revision = s.Value
		case "vcs.time":
			in.Time = s.Value
		case "vcs.modified":
			in.Modified = s.Value == "true"
		}
	}
	return in
}

// String is one line for people: "sahelbrief v1.2.0 (rev 3bb0e62aa1b2,
// modified, committed 2026-12-02T16:00:00Z, go1.26.0)". The toolchain
// records the commit's time, not the build's.
func (in Info) String() string {
	var parts []string
	if in.Revision != "" {
		rev := in.Revision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		parts = append(parts, "rev "+rev)
	} else {
		parts = append(parts, "no VCS revision recorded")
	}
	if in.Modified {
		parts = append(parts, "modified")
	}
	if in.Time != "" {
		parts = append(parts, "committed "+in.Time)
	}
	if in.GoVersion != "" {
		parts = append(parts, in.GoVersion)
	}
	return fmt.Sprintf("sahelbrief %s (%s)", in.Version, strings.Join(parts, ", "))
}
