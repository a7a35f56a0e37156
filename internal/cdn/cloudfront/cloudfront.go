// Package cloudfront is the CDN adapter for Amazon CloudFront.
package cloudfront

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"

	"github.com/pressroom/pressroom/internal/cdn"
)

// MaxPaths is CloudFront's limit of paths in one invalidation request.
const MaxPaths = 3000

// Invalidator invalidates paths of one distribution.
type Invalidator struct {
	client       *cloudfront.Client
	distribution string
}

var _ cdn.Invalidator = (*Invalidator)(nil)

// New returns an Invalidator for a distribution.
func New(client *cloudfront.Client, distribution string) *Invalidator {
	return &Invalidator{client: client, distribution: distribution}
}

// Invalidate implements Invalidator: one CreateInvalidation per run, or
// one per MaxPaths paths when a run changed more. The caller reference is
// derived from the run and the paths, so a retried run is recognised by
// CloudFront instead of invalidating twice.
func (c *Invalidator) Invalidate(ctx context.Context, run string, keys []string) error {
	paths := cdn.Paths(keys)
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
