package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/pressroom/pressroom/internal/partners"
)

// KeyStore is what the partners commands need of a place that holds keys:
// the local keys file (partners.File) or the KeyValueStore the edge
// function reads (internal/partners/kvs).
type KeyStore interface {
	List(ctx context.Context) ([]partners.Entry, error)
	Add(ctx context.Context, partner string) (string, partners.Entry, error)
	Revoke(ctx context.Context, id string) (partners.Entry, error)
	RevokePartner(ctx context.Context, partner string) ([]partners.Entry, error)
}

var _ KeyStore = (*partners.File)(nil)

// OpenKVS opens the KeyValueStore of an ARN.
type OpenKVS func(ctx context.Context, arn string) (KeyStore, error)

// kvsOpener opens the KeyValueStore in this process; nil, as in pressroom
// itself, runs the key-store commands in the pressroom-kvs program
// (runKVS): the AWS SDK's client and its credential chain are most of
// what pressroom would otherwise link and initialise at every start, a
// build's too, for commands a build never runs.
var kvsOpener OpenKVS

const partnersUsage = `Usage:
  pressroom partners keys add NAME              make a key for partner NAME (printed once)
  pressroom partners keys list                  list keys: id, partner, creation time (never the keys)
  pressroom partners keys revoke KEYID          revoke one key
  pressroom partners keys revoke --partner NAME revoke every key of partner NAME

Partners read partners/NAME/... with their key. Locally the keys are in the
keys file that pressroom serve reads (--keys, default OUT/.pressroom/
partner-keys.json); with --kvs-arn (or PRESSROOM_KVS_ARN) they are in the
CloudFront KeyValueStore the edge function reads (template.yaml's output
PartnerKeysStoreArn), with AWS credentials from the environment.
Either holds each key's SHA-256 only.`

// partnersCmd runs "pressroom partners keys ...".
func partnersCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return PartnersKVS(ctx, args, stdout, stderr, kvsOpener)
}

// PartnersKVS runs "pressroom partners keys ..." (args without "partners")
// with open to open the KeyValueStore; with a nil open, a store named by
// --kvs-arn (or PRESSROOM_KVS_ARN) is handed to the pressroom-kvs
// program, which cmd/pressroom-kvs makes: it calls this with an open.
func PartnersKVS(ctx context.Context, args []string, stdout, stderr io.Writer, open OpenKVS) int {
	all := args
	if len(args) == 0 || args[0] != "keys" {
		if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(stdout, partnersUsage)
			return ExitOK
		}
		fmt.Fprintln(stderr, partnersUsage)
		return ExitUsage
	}
	args = args[1:]
	if len(args) == 0 {
		fmt.Fprintln(stderr, partnersUsage)
		return ExitUsage
	}
	verb, args := args[0], args[1:]
	var s siteFlags
	fl := flag.NewFlagSet("partners keys "+verb, flag.ContinueOnError)
	fl.StringVar(&s.out, "out", "public", "`folder` the feeds are written to (the keys file is in its .pressroom/)")
	fl.StringVar(&s.index, "index", "", "index `file`: the keys file is beside it (default: OUT/.pressroom/index.db)")
	s.registerKeys(fl)
	arn := fl.String("kvs-arn", os.Getenv("PRESSROOM_KVS_ARN"), "CloudFront KeyValueStore `ARN` to manage instead of the keys file (default $PRESSROOM_KVS_ARN)")
	var partner string
	if verb == "revoke" {
		fl.StringVar(&partner, "partner", "", "revoke every key of partner `NAME`")
	}
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprintln(stderr, partnersUsage)
		fl.PrintDefaults()
	}
	// Flags may come before or after the argument.
	var positional []string
	for {
		if err := fl.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return ExitOK
			}
			return ExitUsage
		}
		if fl.NArg() == 0 {
			break
		}
		positional = append(positional, fl.Arg(0))
		args = fl.Args()[1:]
	}

	var store KeyStore
	if *arn != "" {
		if !partners.ValidStoreARN(*arn) {
			fmt.Fprintf(stderr, "pressroom: --kvs-arn %q is not a CloudFront KeyValueStore ARN (arn:aws:cloudfront::ACCOUNT:key-value-store/ID)\n", safe(*arn))
			return ExitUsage
		}
		if open == nil {
			return runKVS(ctx, all, stdout, stderr)
		}
		k, err := open(ctx, *arn)
		if err != nil {
			fmt.Fprintln(stderr, "pressroom:", safeErr(err))
			return ExitUsage
		}
		store = k
	} else {
		store = &partners.File{Path: s.keysPath()}
	}

	switch verb {
	case "add":
		if len(positional) != 1 {
			fmt.Fprintln(stderr, "pressroom: partners keys add takes one partner NAME")
			return ExitUsage
		}
		return addKey(ctx, store, positional[0], stdout, stderr)
	case "list":
		if len(positional) != 0 {
			fmt.Fprintf(stderr, "pressroom: unexpected argument %q\n", safe(positional[0]))
			return ExitUsage
		}
		return listKeys(ctx, store, stdout, stderr)
	case "revoke":
		switch {
		case partner != "" && len(positional) == 0:
			return revokePartner(ctx, store, partner, stdout, stderr)
		case partner == "" && len(positional) == 1:
			return revokeKey(ctx, store, positional[0], stdout, stderr)
		}
		fmt.Fprintln(stderr, "pressroom: partners keys revoke takes one KEYID, or --partner NAME")
		return ExitUsage
	}
	fmt.Fprintf(stderr, "pressroom: unknown partners keys command %q\n\n%s\n", safe(verb), partnersUsage)
	return ExitUsage
}

// kvsProgram finds the pressroom-kvs program (findKVSProgram).
var kvsProgram = findKVSProgram

// findKVSProgram returns the pressroom-kvs program beside this one, else
// on PATH.
func findKVSProgram() (string, error) {
	name := "pressroom-kvs"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, nil
		}
	}
	return exec.LookPath(name)
}

// runKVS runs "pressroom-kvs args..." (the arguments of "pressroom
// partners", the environment as it is) and returns its exit status.
func runKVS(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	prog, err := kvsProgram()
	if err != nil {
		fmt.Fprintf(stderr, "pressroom: --kvs-arn needs the pressroom-kvs program, beside pressroom or on PATH (make build makes both; go install github.com/pressroom/pressroom/cmd/pressroom-kvs@latest): %s\n", safeErr(err))
		return ExitUsage
	}
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		return exit.ExitCode()
	case err != nil:
		fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		return ExitRejected
	}
	return ExitOK
}

func addKey(ctx context.Context, store KeyStore, name string, stdout, stderr io.Writer) int {
	if !partners.ValidName(name) {
		fmt.Fprintf(stderr, "pressroom: partner name %q: %v\n", name, partners.ErrBadName)
		return ExitUsage
	}
	key, e, err := store.Add(ctx, name)
	if err != nil {
		fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		return ExitRejected
	}
	// The key is printed here and nowhere else, ever: only its hash is kept.
	fmt.Fprintln(stdout, key)
	fmt.Fprintf(stdout, "Key %s for %s, shown only now: the partner sends it as \"Authorization: Bearer <key>\" or adds \"?key=<key>\" to URLs under /%s%s/.\n",
		e.ID, e.Partner, partners.PathPrefix, e.Partner)
	return ExitOK
}

func listKeys(ctx context.Context, store KeyStore, stdout, stderr io.Writer) int {
	keys, err := store.List(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		return ExitRejected
	}
	if len(keys) == 0 {
		fmt.Fprintln(stdout, "no keys")
		return ExitOK
	}
	fmt.Fprintf(stdout, "%-12s  %-20s  %s\n", "KEY ID", "PARTNER", "CREATED")
	for _, k := range keys {
		created := "-"
		if !k.Created.IsZero() {
			created = k.Created.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(stdout, "%-12s  %-20s  %s\n", k.ID, k.Partner, created)
	}
	return ExitOK
}

func revokeKey(ctx context.Context, store KeyStore, id string, stdout, stderr io.Writer) int {
	e, err := store.Revoke(ctx, id)
	if errors.Is(err, partners.ErrNoSuchKey) {
		fmt.Fprintf(stderr, "pressroom: no key has the id %s (pressroom partners keys list shows them)\n", safe(id))
		return ExitRejected
	}
	if err != nil {
		fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		return ExitRejected
	}
	fmt.Fprintf(stdout, "revoked key %s of %s\n", e.ID, e.Partner)
	return ExitOK
}

func revokePartner(ctx context.Context, store KeyStore, name string, stdout, stderr io.Writer) int {
	if !partners.ValidName(name) {
		fmt.Fprintf(stderr, "pressroom: --partner %q: %v\n", name, partners.ErrBadName)
		return ExitUsage
	}
	gone, err := store.RevokePartner(ctx, name)
	for _, e := range gone {
		fmt.Fprintf(stdout, "revoked key %s of %s\n", e.ID, e.Partner)
	}
	if err != nil {
		fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		return ExitRejected
	}
	if len(gone) == 0 {
		fmt.Fprintf(stdout, "%s had no keys\n", name)
	}
	return ExitOK
}
