package cloudfront_test

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"

	"github.com/pressroom/pressroom/internal/cdn"
	pcf "github.com/pressroom/pressroom/internal/cdn/cloudfront"
)

type batch struct {
	CallerReference string   `xml:"CallerReference"`
	Quantity        int      `xml:"Paths>Quantity"`
	Items           []string `xml:"Paths>Items>Path"`
}

// recorder is a local endpoint that speaks enough of the CloudFront API
// for CreateInvalidation and records what the real SDK sends.
type recorder struct {
	mu       sync.Mutex
	requests []string // method and path
	batches  []batch
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	var b batch
	xml.Unmarshal(body, &b)
	r.mu.Lock()
	r.requests = append(r.requests, req.Method+" "+req.URL.Path)
	r.batches = append(r.batches, b)
	n := len(r.batches)
	r.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Location", "https://cloudfront.amazonaws.com/2020-05-31/distribution/E123/invalidation/I"+fmt.Sprint(n))
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `<?xml version="1.0"?><Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>I%d</Id><Status>InProgress</Status><CreateTime>2021-02-22T16:18:00Z</CreateTime>%s</Invalidation>`,
		n, strings.TrimPrefix(string(body), `<?xml version="1.0" encoding="UTF-8"?>`))
}

func newClient(t *testing.T) (*cloudfront.Client, *recorder) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	client := cloudfront.New(cloudfront.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(srv.URL),
		HTTPClient:   srv.Client(),
	})
	return client, rec
}

func TestInvalidateExactlyTheChangedPaths(t *testing.T) {
	client, rec := newClient(t)
	c := pcf.New(client, "E123")
	keys := []string{"tags/الرباط/feed.xml", "feed.xml", "feed.xml", "index.html", "tags/x/atom.xml", "feed.json"}
	if err := c.Invalidate(t.Context(), "run-1", keys); err != nil {
		t.Fatal(err)
	}
	if len(rec.requests) != 1 || rec.requests[0] != "POST /2020-05-31/distribution/E123/invalidation" {
		t.Fatalf("requests %v", rec.requests)
	}
	want := []string{"/", "/feed.json", "/feed.xml", "/index.html", "/tags/%D8%A7%D9%84%D8%B1%D8%A8%D8%A7%D8%B7/feed.xml", "/tags/x/atom.xml"}
	b := rec.batches[0]
	if !reflect.DeepEqual(b.Items, want) || b.Quantity != len(want) {
		t.Errorf("paths %q (quantity %d), want %q", b.Items, b.Quantity, want)
	}
	// The same run again: the same caller reference, so CloudFront treats a
	// retry as the same invalidation. Another run: another reference.
	c.Invalidate(t.Context(), "run-1", keys)
	c.Invalidate(t.Context(), "run-2", keys)
	if rec.batches[1].CallerReference != b.CallerReference || rec.batches[2].CallerReference == b.CallerReference {
		t.Errorf("caller references %q %q %q", b.CallerReference, rec.batches[1].CallerReference, rec.batches[2].CallerReference)
	}
}

func TestInvalidateBatchesUnderTheLimit(t *testing.T) {
	client, rec := newClient(t)
	var keys []string
	for i := 0; i < pcf.MaxPaths+10; i++ {
		keys = append(keys, fmt.Sprintf("tags/t%05d/feed.xml", i))
	}
	if err := pcf.New(client, "E123").Invalidate(t.Context(), "big", keys); err != nil {
		t.Fatal(err)
	}
	if len(rec.batches) != 2 || len(rec.batches[0].Items) != pcf.MaxPaths || len(rec.batches[1].Items) != 10 ||
		rec.batches[0].CallerReference == rec.batches[1].CallerReference {
		t.Errorf("%d batches", len(rec.batches))
	}
}

func TestNothingToInvalidate(t *testing.T) {
	client, rec := newClient(t)
	if err := pcf.New(client, "E123").Invalidate(t.Context(), "r", nil); err != nil || len(rec.requests) != 0 {
		t.Errorf("%v, %d requests", err, len(rec.requests))
	}
	if err := (cdn.None{}).Invalidate(t.Context(), "r", []string{"feed.xml"}); err != nil {
		t.Error(err)
	}
}
