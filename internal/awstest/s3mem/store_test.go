package s3mem_test

import (
	"testing"

	"github.com/pressroom/pressroom/internal/awstest/s3mem"
	"github.com/pressroom/pressroom/internal/store"
	"github.com/pressroom/pressroom/internal/store/s3store"
	"github.com/pressroom/pressroom/internal/store/storetest"
)

// TestStoreContract runs the store.Store contract for the S3 adapter on
// this backend, on an unversioned bucket and on a versioned one (where a
// Delete leaves a delete marker that Get and List must not see).
func TestStoreContract(t *testing.T) {
	for name, opt := range map[string]s3mem.Option{
		"unversioned": s3mem.WithBucket(bkt),
		"versioned":   s3mem.WithVersionedBucket(bkt),
	} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, storetest.Harness{
				New: func(t *testing.T) store.Store {
					_, c := start(t, opt)
					return s3store.New(c, bkt, "feeds")
				},
				KeepsMetadata: true,
			})
		})
	}
}
