// Command pressroom checks article files and publishes their feeds on one
// machine, with no AWS. See README.md.
package main

import (
	"os"

	"github.com/pressroom/pressroom/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
