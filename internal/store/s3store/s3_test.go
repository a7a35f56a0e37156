package s3store_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/pressroom/pressroom/internal/awstest"
	"github.com/pressroom/pressroom/internal/awstest/s3mem"

	"github.com/pressroom/pressroom/internal/store"
	"github.com/pressroom/pressroom/internal/store/s3store"
	"github.com/pressroom/pressroom/internal/store/storetest"
)

func newFakeS3(t *testing.T, bucket string) *s3.Client {
	client, _ := awstest.FakeS3(t, s3mem.WithBucket(bucket))
	return client
}

func TestS3(t *testing.T) {
	for _, prefix := range []string{"", "feeds"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			storetest.Run(t, storetest.Harness{
				New: func(t *testing.T) store.Store {
					return s3store.New(newFakeS3(t, "pressroom-feeds"), "pressroom-feeds", prefix)
				},
				KeepsMetadata: true,
			})
		})
	}
}

func TestS3WritesHashMetadata(t *testing.T) {
	client := newFakeS3(t, "pressroom-feeds")
	s := s3store.New(client, "pressroom-feeds", "")
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

// TestS3VersionsInOrder: a key's history, versions and delete markers in
// one sequence, newest first, read through a prefix, with other keys'
// versions left out; older versions read back by id.
func TestS3VersionsInOrder(t *testing.T) {
	client, _ := awstest.FakeS3(t, s3mem.WithVersionedBucket("articles"))
	s := s3store.New(client, "articles", "articles/")
	ctx := t.Context()
	put := func(key, body string) {
		if err := s.Put(ctx, key, []byte(body), store.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	put("a.md", "one")
	put("a.md", "two")
	s.Delete(ctx, "a.md")
	put("a.md", "three")
	put("a.md.bak", "other key")
	put("ab.md", "other key")
	vs, err := s.Versions(ctx, "a.md", 10)
	if err != nil {
		t.Fatal(err)
	}
	var shape []string
	for _, v := range vs {
		switch {
		case v.DeleteMarker:
			shape = append(shape, "marker")
		default:
			o, err := s.Get(ctx, "a.md", store.GetOptions{Version: v.ID})
			if err != nil {
				t.Fatal(err)
			}
			shape = append(shape, string(o.Body))
		}
		if v.Latest != (len(shape) == 1) {
			t.Errorf("version %d: latest %v", len(shape), v.Latest)
		}
	}
	if strings.Join(shape, " ") != "three marker two one" {
		t.Errorf("history %q, want three marker two one", shape)
	}
	if vs, _ := s.Versions(ctx, "none.md", 10); len(vs) != 0 {
		t.Errorf("history of a key never written: %v", vs)
	}
	if vs, _ := s.Versions(ctx, "a.md", 2); len(vs) != 2 || vs[1].DeleteMarker != true {
		t.Errorf("the 2 newest versions: %+v", vs)
	}
}
