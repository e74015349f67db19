// Command sahelbrief keeps analysts, journalists and NGO security teams
// briefed on the Sahel juntas: it polls curated news feeds, stores and tags
// their items, and posts scheduled digests and keyword alerts to Slack,
// Discord or the terminal. With no command it runs the bot (`run`).
//
// This file only hands the command line to the application, internal/app.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/sahelbrief/sahelbrief/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}
