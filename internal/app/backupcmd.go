package app

import (
	"context"
	"fmt"
)

// runBackup copies the database into a new file while the bot may keep
// running (store.Backup: VACUUM INTO).
func runBackup(ctx context.Context, env *cliEnv, args []string) int {
	fs := newFlagSet(env, "backup")
	if code, ok := parseFlagsArgs(fs, args, 1); !ok {
		return code
	}
	cfg, ok := loadConfig(env)
	if !ok {
		return exitUsage
	}
	st, ok := openStore(ctx, env, cfg, nil)
	if !ok {
		return exitFail
	}
	defer st.Close()
	dest := fs.Arg(0)
	if err := st.Backup(ctx, dest); err != nil {
		fmt.Fprintf(env.stderr, "sahelbrief backup: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(env.stdout, "Backed up %s to %s.\n", cfg.DBPath, dest)
	return exitOK
}
