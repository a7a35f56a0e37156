package awstest

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// KeepCacheControl wraps gofakes3, which drops Cache-Control, so that the
// header a PUT sent comes back on GET: tests can then check that our code
// sends it. (gofakes3 keeps Content-Type itself.)
func KeepCacheControl(next http.Handler) http.Handler {
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

// FakeS3 starts gofakes3 (the S3 protocol, in memory) on loopback with the
// given buckets, and returns a client configured as the stand-in needs
// (TESTING.md): path-style addressing, checksums only when required.
func FakeS3(t testing.TB, buckets ...string) (*s3.Client, string) {
	t.Helper()
	backend := s3mem.New()
	for _, b := range buckets {
		if err := backend.CreateBucket(b); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(KeepCacheControl(gofakes3.New(backend).Server()))
	t.Cleanup(srv.Close)
	return S3(srv.URL), srv.URL
}

// S3 returns a client for an S3 stand-in at endpoint.
func S3(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region:                     "us-east-1",
		Credentials:                credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               true,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}
