// Command pressroom-kvs runs pressroom's partners key commands against the
// CloudFront KeyValueStore the edge function reads ("pressroom partners
// keys ... --kvs-arn ARN" runs it, with the same arguments): pressroom
// itself then links no AWS SDK, and starts a build without it. Credentials
// come from the SDK's usual chain: the environment, the shared files, SSO,
// roles. See docs/feeds.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/pressroom/pressroom/internal/cli"
	"github.com/pressroom/pressroom/internal/partners/kvs"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.PartnersKVS(ctx, os.Args[1:], os.Stdout, os.Stderr, open)
	stop()
	os.Exit(code)
}

// open is kvs.Open as the command line wants it.
func open(ctx context.Context, arn string) (cli.KeyStore, error) {
	s, err := kvs.Open(ctx, arn)
	if err != nil {
		return nil, err // not a nil *kvs.Store in an interface
	}
	return s, nil
}
