package app

import (
	"context"
	"fmt"

	"github.com/sahelbrief/sahelbrief/internal/buildinfo"
)

// runVersion prints the module version and VCS revision the toolchain
// recorded in the binary ("(devel)" under go run and go test).
func runVersion(_ context.Context, env *cliEnv, args []string) int {
	fs := newFlagSet(env, "version", "", "Print the module version, VCS revision (and whether the tree was modified),\n"+
		"the commit time and the Go version this binary was built with.")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	fmt.Fprintln(env.stdout, buildinfo.Read())
	return exitOK
}
