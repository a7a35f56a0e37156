// Command pressroom checks article files and publishes their feeds on one
// machine, with no AWS. See README.md and docs/operations.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/pressroom/pressroom/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
