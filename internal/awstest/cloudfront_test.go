package awstest_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/smithy-go"

	"github.com/pressroom/pressroom/internal/awstest"
)

func invalidate(dist, ref string, quantity int, paths ...string) *cloudfront.CreateInvalidationInput {
	return &cloudfront.CreateInvalidationInput{DistributionId: aws.String(dist), InvalidationBatch: &types.InvalidationBatch{
		CallerReference: aws.String(ref), Paths: &types.Paths{Quantity: aws.Int32(int32(quantity)), Items: paths}}}
}

// TestCloudFrontStandIn: the SDK's own client creates invalidations on
// the stand-in and reads its answers, and the stand-in refuses what
// CloudFront refuses, with the errors the SDK maps to CloudFront's types.
func TestCloudFrontStandIn(t *testing.T) {
	fake, client := awstest.FakeCloudFront(t, "E123")
	ctx := t.Context()
	paths := []string{"/feed.xml", "/tags/%D8%A7%D9%84%D8%B1%D8%A8%D8%A7%D8%B7/feed.xml", "/archive/*"}
	out, err := client.CreateInvalidation(ctx, invalidate("E123", "run-1", 3, paths...))
	if err != nil {
		t.Fatal(err)
	}
	got := fake.Invalidations()
	if len(got) != 1 || got[0].ID != aws.ToString(out.Invalidation.Id) || !slices.Equal(got[0].Paths, paths) ||
		!slices.Equal(out.Invalidation.InvalidationBatch.Paths.Items, paths) || aws.ToString(out.Location) == "" {
		t.Fatalf("created %+v, answered %+v", got, out.Invalidation)
	}
	// A retry (the same reference and paths) answers the same invalidation
	// and creates none; the same reference with other paths is refused.
	again, err := client.CreateInvalidation(ctx, invalidate("E123", "run-1", 3, paths...))
	if err != nil || aws.ToString(again.Invalidation.Id) != got[0].ID || len(fake.Invalidations()) != 1 {
		t.Errorf("retry: %v, id %v, %d invalidations", err, again, len(fake.Invalidations()))
	}
	var apiErr smithy.APIError
	if _, err := client.CreateInvalidation(ctx, invalidate("E123", "run-1", 1, "/other.xml")); !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidationBatchAlreadyExists" {
		t.Errorf("a reference reused with other paths: %v", err)
	}
	// Reset forgets what was created, not the references.
	fake.Reset()
	if _, err := client.CreateInvalidation(ctx, invalidate("E123", "run-1", 3, paths...)); err != nil || len(fake.Invalidations()) != 0 {
		t.Errorf("after Reset, a retry: %v, %d invalidations", err, len(fake.Invalidations()))
	}

	var noDist *types.NoSuchDistribution
	if _, err := client.CreateInvalidation(ctx, invalidate("EOTHER", "r", 1, "/feed.xml")); !errors.As(err, &noDist) {
		t.Errorf("unknown distribution: %v", err)
	}
	var inconsistent *types.InconsistentQuantities
	if _, err := client.CreateInvalidation(ctx, invalidate("E123", "r", 2, "/feed.xml")); !errors.As(err, &inconsistent) {
		t.Errorf("quantity 2, one path: %v", err)
	}
	var tooLarge *types.BatchTooLarge
	var many []string
	for i := 0; i <= awstest.MaxInvalidationPaths; i++ {
		many = append(many, fmt.Sprintf("/tags/t%d/feed.xml", i))
	}
	if _, err := client.CreateInvalidation(ctx, invalidate("E123", "r", len(many), many...)); !errors.As(err, &tooLarge) {
		t.Errorf("%d paths: %v", len(many), err)
	}
	if _, err := client.CreateInvalidation(ctx, invalidate("E123", "r-max", len(many)-1, many[1:]...)); err != nil {
		t.Errorf("%d paths: %v", len(many)-1, err)
	}
	for name, p := range map[string]string{
		"no leading slash":    "feed.xml",
		"Arabic not encoded":  "/tags/الرباط/feed.xml",
		"a space":             "/tags/a b/feed.xml",
		"a star inside":       "/tags/*/feed.xml",
		"a bare percent":      "/tags/100%/feed.xml",
		"a quote":             `/tags/"x"/feed.xml`,
		"a control character": "/tags/a\x01/feed.xml",
	} {
		var invalid *types.InvalidArgument
		if _, err := client.CreateInvalidation(ctx, invalidate("E123", "r-"+name, 1, p)); !errors.As(err, &invalid) {
			t.Errorf("%s (%q): %v, want InvalidArgument", name, p, err)
		}
	}
	var invalid *types.InvalidArgument
	if _, err := client.CreateInvalidation(ctx, invalidate("E123", "r-empty", 0)); !errors.As(err, &invalid) {
		t.Errorf("no paths: %v, want InvalidArgument", err)
	}
	if n := len(fake.Invalidations()); n != 1 {
		t.Errorf("%d invalidations created since Reset, want 1 (the 3,000 paths)", n)
	}
}

// TestCloudFrontStandInRefusesMalformedRequests: what the SDK never
// sends, sent by hand.
func TestCloudFrontStandInRefusesMalformedRequests(t *testing.T) {
	srv := httptest.NewServer(awstest.NewCloudFront("E123"))
	t.Cleanup(srv.Close)
	for name, c := range map[string]struct {
		method, path, body string
		status             int
		code               string
	}{
		"no body":         {"POST", "/2020-05-31/distribution/E123/invalidation", "", 400, "MissingBody"},
		"not XML":         {"POST", "/2020-05-31/distribution/E123/invalidation", "{}", 400, "MalformedInput"},
		"another element": {"POST", "/2020-05-31/distribution/E123/invalidation", "<DistributionConfig/>", 400, "MalformedInput"},
		"no reference":    {"POST", "/2020-05-31/distribution/E123/invalidation", "<InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/a</Path></Items></Paths></InvalidationBatch>", 400, "InvalidArgument"},
		"no quantity":     {"POST", "/2020-05-31/distribution/E123/invalidation", "<InvalidationBatch><CallerReference>r</CallerReference><Paths><Items><Path>/a</Path></Items></Paths></InvalidationBatch>", 400, "InvalidArgument"},
		"a GET":           {"GET", "/2020-05-31/distribution/E123/invalidation", "", 404, "NotFound"},
		"another API":     {"POST", "/2019-03-26/distribution/E123/invalidation", "<InvalidationBatch/>", 404, "NotFound"},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 4096)
		n, _ := resp.Body.Read(buf)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(buf[:n]), "<Code>"+c.code+"</Code>") {
			t.Errorf("%s: %d %s, want %d %s", name, resp.StatusCode, buf[:n], c.status, c.code)
		}
	}
}
