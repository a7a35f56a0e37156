// Package cdn defines the invalidation port, called after a publish with
// exactly the paths whose bytes changed, and its adapters: CloudFront, and
// None for the local mode (the local server has no cache to purge).
package cdn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
)

// Invalidator purges changed paths from a CDN.
type Invalidator interface {
	// Invalidate purges paths (store keys such as "tags/x/feed.xml"). run
	// identifies the publish run: retrying the same run with the same
	// paths must not create a second invalidation.
	Invalidate(ctx context.Context, run string, paths []string) error
}

// None is the Invalidator for a CDN-less setup.
type None struct{}

var _ Invalidator = None{}

// Invalidate implements Invalidator.
func (None) Invalidate(context.Context, string, []string) error { return nil }

// MaxPaths is CloudFront's limit of paths in one invalidation request.
const MaxPaths = 3000

// CloudFront invalidates paths of one distribution.
type CloudFront struct {
	client       *cloudfront.Client
	distribution string
}

var _ Invalidator = (*CloudFront)(nil)

// NewCloudFront returns an Invalidator for a distribution.
func NewCloudFront(client *cloudfront.Client, distribution string) *CloudFront {
	return &CloudFront{client: client, distribution: distribution}
}

// Paths turns store keys into CloudFront invalidation paths: deduplicated,
// sorted, rooted at "/", percent-encoded (CloudFront matches encoded
// paths), with "/" added when the index page changed (it is the default
// root object).
func Paths(keys []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, k := range keys {
		k = strings.TrimPrefix(path.Clean("/"+k), "/")
		if k == "" || k == "." {
			continue
		}
		add((&url.URL{Path: "/" + k}).EscapedPath())
		if path.Base(k) == "index.html" {
			add((&url.URL{Path: "/" + strings.TrimSuffix(k, "index.html")}).EscapedPath())
		}
	}
	sort.Strings(out)
	return out
}

// Invalidate implements Invalidator: one CreateInvalidation per run, or
// one per MaxPaths paths when a run changed more. The caller reference is
// derived from the run and the paths, so a retried run is recognised by
// CloudFront instead of invalidating twice.
func (c *CloudFront) Invalidate(ctx context.Context, run string, keys []string) error {
	paths := Paths(keys)
	for i := 0; i < len(paths); i += MaxPaths {
		batch := paths[i:min(i+MaxPaths, len(paths))]
		sum := sha256.Sum256([]byte(run + "\n" + strings.Join(batch, "\n")))
		ref := "pressroom-" + hex.EncodeToString(sum[:12]) + "-" + strconv.Itoa(i/MaxPaths)
		_, err := c.client.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{
			DistributionId: aws.String(c.distribution),
			InvalidationBatch: &types.InvalidationBatch{
				CallerReference: aws.String(ref),
				Paths:           &types.Paths{Quantity: aws.Int32(int32(len(batch))), Items: batch},
			},
		})
		if err != nil {
			return fmt.Errorf("cdn: invalidate %d paths: %w", len(batch), err)
		}
	}
	return nil
}
