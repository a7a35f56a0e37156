package awstest

import (
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/pressroom/pressroom/internal/awstest/s3mem"
)

// FakeS3 starts an S3 server on loopback (gofakes3's protocol front end
// on s3mem, a backend that keeps S3's versioning semantics and the
// Cache-Control a PUT sent) with the buckets opts create, and returns a
// client configured as the stand-in needs (TESTING.md): path-style
// addressing, checksums only when required.
func FakeS3(t testing.TB, opts ...s3mem.Option) (*s3.Client, string) {
	t.Helper()
	srv := httptest.NewServer(s3mem.New(opts...).Handler())
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
