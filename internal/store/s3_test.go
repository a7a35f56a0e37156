package store_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/pressroom/pressroom/internal/awstest"

	"github.com/pressroom/pressroom/internal/store"
	"github.com/pressroom/pressroom/internal/store/storetest"
)

func newFakeS3(t *testing.T, bucket string) *s3.Client {
	client, _ := awstest.FakeS3(t, bucket)
	return client
}

func TestS3(t *testing.T) {
	for _, prefix := range []string{"", "feeds"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			storetest.Run(t, storetest.Harness{
				New: func(t *testing.T) store.Store {
					return store.NewS3(newFakeS3(t, "pressroom-feeds"), "pressroom-feeds", prefix)
				},
				KeepsMetadata: true,
			})
		})
	}
}

func TestS3WritesHashMetadata(t *testing.T) {
	client := newFakeS3(t, "pressroom-feeds")
	s := store.NewS3(client, "pressroom-feeds", "")
	if err := s.Put(t.Context(), "feed.xml", []byte("abc"), store.PutOptions{ContentType: "application/rss+xml"}); err != nil {
		t.Fatal(err)
	}
	head, err := client.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String("pressroom-feeds"), Key: aws.String("feed.xml")})
	if err != nil {
		t.Fatal(err)
	}
	if h := head.Metadata["sha256"]; !strings.HasPrefix(h, "ba7816bf") {
		t.Errorf("sha256 metadata %q", h)
	}
}
