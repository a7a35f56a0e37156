package cloudfront_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudfront"

	"github.com/pressroom/pressroom/internal/awstest"
	"github.com/pressroom/pressroom/internal/cdn"
	pcf "github.com/pressroom/pressroom/internal/cdn/cloudfront"
)

func newClient(t *testing.T) (*cloudfront.Client, *awstest.CloudFront) {
	fake, client := awstest.FakeCloudFront(t, "E123")
	return client, fake
}

func TestInvalidateExactlyTheChangedPaths(t *testing.T) {
	client, rec := newClient(t)
	c := pcf.New(client, "E123")
	keys := []string{"tags/الرباط/feed.xml", "feed.xml", "feed.xml", "index.html", "tags/x/atom.xml", "feed.json"}
	if err := c.Invalidate(t.Context(), "run-1", keys); err != nil {
		t.Fatal(err)
	}
	got := rec.Invalidations()
	if rec.Requests() != 1 || len(got) != 1 || got[0].Distribution != "E123" {
		t.Fatalf("%d requests, invalidations %+v", rec.Requests(), got)
	}
	want := []string{"/", "/feed.json", "/feed.xml", "/index.html", "/tags/%D8%A7%D9%84%D8%B1%D8%A8%D8%A7%D8%B7/feed.xml", "/tags/x/atom.xml"}
	if !reflect.DeepEqual(got[0].Paths, want) {
		t.Errorf("paths %q, want %q", got[0].Paths, want)
	}
	// The same run again: the same caller reference, so CloudFront treats a
	// retry as the same invalidation (the stand-in refuses a reference
	// reused with other paths). Another run: another invalidation.
	if err := c.Invalidate(t.Context(), "run-1", keys); err != nil {
		t.Fatal(err)
	}
	if err := c.Invalidate(t.Context(), "run-2", keys); err != nil {
		t.Fatal(err)
	}
	got = rec.Invalidations()
	if rec.Requests() != 3 || len(got) != 2 || got[1].CallerReference == got[0].CallerReference {
		t.Errorf("%d requests, invalidations %+v", rec.Requests(), got)
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
	got := rec.Invalidations()
	if len(got) != 2 || len(got[0].Paths) != pcf.MaxPaths || len(got[1].Paths) != 10 {
		t.Errorf("%d invalidations", len(got))
	}
}

func TestNothingToInvalidate(t *testing.T) {
	client, rec := newClient(t)
	if err := pcf.New(client, "E123").Invalidate(t.Context(), "r", nil); err != nil || rec.Requests() != 0 {
		t.Errorf("%v, %d requests", err, rec.Requests())
	}
	if err := (cdn.None{}).Invalidate(t.Context(), "r", []string{"feed.xml"}); err != nil {
		t.Error(err)
	}
}
