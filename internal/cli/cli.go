// Package cli implements the pressroom command line: the subcommands, their
// flags, output and exit statuses. cmd/pressroom only calls Main.
package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Exit statuses shared by every subcommand.
const (
	ExitOK       = 0 // everything was fine
	ExitRejected = 1 // some article was rejected
	ExitUsage    = 2 // bad flags, arguments or configuration
)

const usage = `pressroom publishes RSS 2.0, Atom 1.0 and JSON Feed 1.1 feeds from article files.

Usage:
  pressroom check [--config FILE] [--json] [--html DIR] PATH...  validate article files or folders
  pressroom build [--src DIR] [--out DIR] [--force]      build the feeds, incrementally
  pressroom serve [--src DIR] [--out DIR] [--addr ADDR]  build, serve like the CDN, rebuild on changes
  pressroom status [--out DIR]                           rejected files and scheduled articles
  pressroom partners keys add|list|revoke ...            partners' access keys (locally, or in the
                                                         CloudFront KeyValueStore with --kvs-arn)
  pressroom version (or --version)                       the release, commit and Go version

Every command takes --config FILE. Without it, build, serve and status use the first
pressroom.yaml in the articles folder (--src), its parent, then the working folder
(status: the out folder's parent, then the working folder), else the built-in
defaults, and say which on stderr. build and serve refuse a configuration that would
give the site's articles other ids than it was built with, unless --new-ids.

Run "pressroom COMMAND --help" for a command's flags.
`

// Main runs the command line with args (without the program name) and
// returns the exit status. Cancelling ctx stops a running serve.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return ExitUsage
	}
	switch args[0] {
	case "check":
		return check(args[1:], stdout, stderr)
	case "build":
		return build(ctx, args[1:], stdout, stderr)
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "status":
		return status(args[1:], stdout, stderr)
	case "partners":
		return partnersCmd(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-version":
		if len(args) > 1 {
			fmt.Fprintf(stderr, "pressroom: version takes no arguments\n")
			return ExitUsage
		}
		fmt.Fprintln(stdout, version())
		return ExitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return ExitOK
	}
	fmt.Fprintf(stderr, "pressroom: unknown command %q\n\n%s", args[0], usage)
	return ExitUsage
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	if strings.HasSuffix(word, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(word, "y"))
	}
	return fmt.Sprintf("%d %ss", n, word)
}
