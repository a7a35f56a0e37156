package store_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/pressroom/pressroom/internal/store"
	"github.com/pressroom/pressroom/internal/store/storetest"
)

// keepCacheControl wraps gofakes3, which drops Cache-Control, so that the
// header our PUT sent comes back on GET: the contract can then check that
// the adapter sends it. (gofakes3 keeps Content-Type itself.)
func keepCacheControl(next http.Handler) http.Handler {
	var mu sync.Mutex
	kept := map[string]string{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut && r.URL.Query().Get("uploadId") == "" && r.Header.Get("X-Amz-Copy-Source") == "":
			mu.Lock()
			kept[r.URL.Path] = r.Header.Get("Cache-Control")
			mu.Unlock()
		case r.Method == http.MethodGet || r.Method == http.MethodHead:
			mu.Lock()
			cc := kept[r.URL.Path]
			mu.Unlock()
			if cc != "" {
				w.Header().Set("Cache-Control", cc)
			}
		case r.Method == http.MethodDelete:
			mu.Lock()
			delete(kept, r.URL.Path)
			mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

// newFakeS3 starts gofakes3 on loopback with one bucket and returns a client
// configured as the stand-in needs (see TESTING.md): path-style addressing
// and checksums only when required.
func newFakeS3(t *testing.T, bucket string) *s3.Client {
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(keepCacheControl(gofakes3.New(backend).Server()))
	t.Cleanup(srv.Close)
	return s3.New(s3.Options{
		Region:                     "us-east-1",
		Credentials:                credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint:               aws.String(srv.URL),
		UsePathStyle:               true,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		HTTPClient:                 srv.Client(),
	})
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
