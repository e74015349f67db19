package app

import (
	"context"
	"fmt"

	"github.com/sahelbrief/sahelbrief/internal/buildinfo"
)

// runVersion prints the module version and VCS revision the toolchain
// recorded in the binary ("(devel)" under go run and go test).
func runVersion(_ context.Context, env *cliEnv, args []string) int {
	fs := newFlagSet(env, "version")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	fmt.Fprintln(env.stdout, buildinfo.Read())
	return exitOK
}
