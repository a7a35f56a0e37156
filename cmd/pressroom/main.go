// Command pressroom checks article files and publishes their feeds on one
// machine, with no AWS. See README.md and docs/operations.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // site.timezone must load on a machine without a zone database (Windows, scratch containers)

	"github.com/pressroom/pressroom/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
