package kvs

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cfkvs "github.com/aws/aws-sdk-go-v2/service/cloudfrontkeyvaluestore"
	"github.com/aws/aws-sdk-go-v2/service/cloudfrontkeyvaluestore/types"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
)

const keyID = "AKIDKVSSTANDIN"

// client is the SDK's own client, sent to the stand-in (the SDK's rules
// still check the ARN and choose SigV4A).
func client(t *testing.T, url, key string) *cfkvs.Client {
	return clientWith(url, key, "secret", nil)
}

func clientWith(url, key, secret string, rt http.RoundTripper) *cfkvs.Client {
	var hc cfkvs.HTTPClient
	if rt != nil {
		hc = &http.Client{Transport: rt}
	}
	return cfkvs.New(cfkvs.Options{
		HTTPClient:         hc,
		Region:             "us-east-1",
		Credentials:        credentials.NewStaticCredentialsProvider(key, secret, ""),
		EndpointResolverV2: resolver{base: cfkvs.NewDefaultEndpointResolverV2(), url: url},
	})
}

type resolver struct {
	base cfkvs.EndpointResolverV2
	url  string
}

func (r resolver) ResolveEndpoint(ctx context.Context, p cfkvs.EndpointParameters) (smithyendpoints.Endpoint, error) {
	e, err := r.base.ResolveEndpoint(ctx, p)
	if err != nil {
		return e, err
	}
	u, _ := e.URI.Parse(r.url)
	e.URI = *u
	return e, nil
}

func start(t *testing.T) (*Server, string, *cfkvs.Client) {
	s := New(keyID, "secret")
	arn := s.CreateStore("123456789012", "0a1b2c3d-0000-4000-8000-000000000001")
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return s, arn, client(t, srv.URL, keyID)
}

func TestETagsAndItems(t *testing.T) {
	ctx := context.Background()
	s, arn, c := start(t)
	d, err := c.DescribeKeyValueStore(ctx, &cfkvs.DescribeKeyValueStoreInput{KvsARN: &arn})
	if err != nil {
		t.Fatal(err)
	}
	etag := aws.ToString(d.ETag)
	if etag == "" || aws.ToString(d.Status) != "READY" || aws.ToInt32(d.ItemCount) != 0 {
		t.Fatalf("describe: %+v", d)
	}
	_, err = c.PutKey(ctx, &cfkvs.PutKeyInput{KvsARN: &arn, Key: aws.String("k"), Value: aws.String("v")})
	var validation *types.ValidationException
	if !errors.As(err, &validation) {
		// The SDK itself refuses a PutKey without IfMatch (a required member).
		if err == nil || !strings.Contains(err.Error(), "IfMatch") {
			t.Errorf("PutKey without If-Match: %v", err)
		}
	}
	put, err := c.PutKey(ctx, &cfkvs.PutKeyInput{KvsARN: &arn, Key: aws.String("k"), Value: aws.String("v"), IfMatch: &etag})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(put.ETag) == etag || aws.ToInt32(put.ItemCount) != 1 || aws.ToInt64(put.TotalSizeInBytes) != 2 {
		t.Errorf("put: %+v", put)
	}
	// The old ETag is stale now.
	_, err = c.PutKey(ctx, &cfkvs.PutKeyInput{KvsARN: &arn, Key: aws.String("k2"), Value: aws.String("v"), IfMatch: &etag})
	var conflict *types.ConflictException
	if !errors.As(err, &conflict) {
		t.Errorf("stale If-Match: %v, want ConflictException", err)
	}
	_, err = c.DeleteKey(ctx, &cfkvs.DeleteKeyInput{KvsARN: &arn, Key: aws.String("k"), IfMatch: &etag})
	if !errors.As(err, &conflict) {
		t.Errorf("stale If-Match on delete: %v, want ConflictException", err)
	}
	cur := aws.ToString(put.ETag)
	g, err := c.GetKey(ctx, &cfkvs.GetKeyInput{KvsARN: &arn, Key: aws.String("k")})
	if err != nil || aws.ToString(g.Value) != "v" {
		t.Errorf("get: %+v, %v", g, err)
	}
	var notFound *types.ResourceNotFoundException
	if _, err := c.GetKey(ctx, &cfkvs.GetKeyInput{KvsARN: &arn, Key: aws.String("nope")}); !errors.As(err, &notFound) {
		t.Errorf("get a missing key: %v", err)
	}
	for _, tc := range []struct{ key, value string }{{strings.Repeat("k", 513), "v"}, {"k", strings.Repeat("v", 1025)}} {
		_, err := c.PutKey(ctx, &cfkvs.PutKeyInput{KvsARN: &arn, Key: &tc.key, Value: &tc.value, IfMatch: &cur})
		if !errors.As(err, &validation) {
			t.Errorf("key of %d bytes, value of %d: %v, want ValidationException", len(tc.key), len(tc.value), err)
		}
	}
	other := "arn:aws:cloudfront::123456789012:key-value-store/0a1b2c3d-0000-4000-8000-000000000002"
	if _, err := c.DescribeKeyValueStore(ctx, &cfkvs.DescribeKeyValueStoreInput{KvsARN: &other}); !errors.As(err, &notFound) {
		t.Errorf("wrong ARN: %v, want ResourceNotFoundException", err)
	}
	del, err := c.DeleteKey(ctx, &cfkvs.DeleteKeyInput{KvsARN: &arn, Key: aws.String("k"), IfMatch: &cur})
	if err != nil || aws.ToInt32(del.ItemCount) != 0 {
		t.Errorf("delete: %+v, %v", del, err)
	}
	if len(s.Items(arn)) != 0 {
		t.Errorf("items left: %v", s.Items(arn))
	}
}

func TestListPagesAndStoreLimit(t *testing.T) {
	ctx := context.Background()
	s, arn, c := start(t)
	etag := func() *string {
		d, err := c.DescribeKeyValueStore(ctx, &cfkvs.DescribeKeyValueStoreInput{KvsARN: &arn})
		if err != nil {
			t.Fatal(err)
		}
		return d.ETag
	}
	// Fill the store to its 5 MB limit, 50 items an UpdateKeys.
	value := strings.Repeat("v", MaxValueBytes)
	n := 0
	for {
		var puts []types.PutKeyRequestListItem
		for range 50 {
			puts = append(puts, types.PutKeyRequestListItem{Key: aws.String(strings.Repeat("k", 500) + string(rune('a'+n/26/26%26)) + string(rune('a'+n/26%26)) + string(rune('a'+n%26))), Value: &value})
			n++
		}
		_, err := c.UpdateKeys(ctx, &cfkvs.UpdateKeysInput{KvsARN: &arn, Puts: puts, IfMatch: etag()})
		var quota *types.ServiceQuotaExceededException
		if errors.As(err, &quota) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if n > 10000 {
			t.Fatal("no store limit")
		}
	}
	items := len(s.Items(arn))
	if size := items * (503 + MaxValueBytes); size > MaxStoreBytes || size+50*(503+MaxValueBytes) <= MaxStoreBytes {
		t.Errorf("store refused at %d items (%d bytes)", items, size)
	}
	// Every key comes back once, in order, over pages of at most 50.
	var got []string
	pages := 0
	p := cfkvs.NewListKeysPaginator(c, &cfkvs.ListKeysInput{KvsARN: &arn, MaxResults: aws.Int32(50)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, it := range page.Items {
			got = append(got, aws.ToString(it.Key))
		}
	}
	if len(got) != items || pages != (items+49)/50 {
		t.Errorf("listed %d keys in %d pages, the store holds %d", len(got), pages, items)
	}
	for i := 1; i < len(got); i++ {
		if got[i-1] >= got[i] {
			t.Fatalf("keys out of order at %d", i)
		}
	}
	if _, err := c.ListKeys(ctx, &cfkvs.ListKeysInput{KvsARN: &arn, MaxResults: aws.Int32(51)}); err == nil {
		t.Error("MaxResults 51 accepted")
	}
}

// TestSignatures: the stand-in takes SigV4A only, with its access key id.
func TestSignatures(t *testing.T) {
	ctx := context.Background()
	s := New(keyID, "secret")
	arn := s.CreateStore("123456789012", "0a1b2c3d-0000-4000-8000-000000000001")
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	var denied *types.AccessDeniedException
	if _, err := client(t, srv.URL, "AKIDOTHER").DescribeKeyValueStore(ctx, &cfkvs.DescribeKeyValueStoreInput{KvsARN: &arn}); !errors.As(err, &denied) {
		t.Errorf("another access key id: %v", err)
	}
	// A SigV4 signature, as most AWS APIs take: refused.
	path := "/key-value-stores/" + strings.ReplaceAll(strings.ReplaceAll(arn, ":", "%3A"), "/", "%2F")
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: keyID, SecretAccessKey: "secret"}, req,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "cloudfront-keyvaluestore", "us-east-1", timeNow())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-Amzn-ErrorType") != "AccessDeniedException" || !strings.Contains(body.String(), "SigV4A") {
		t.Errorf("SigV4 request: %d %s %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), body.String())
	}
	// Unsigned: refused.
	resp, err = http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned request: %d", resp.StatusCode)
	}
	// The right key id with another secret: the signature does not verify.
	if _, err := clientWith(srv.URL, keyID, "not-the-secret", nil).DescribeKeyValueStore(ctx, &cfkvs.DescribeKeyValueStoreInput{KvsARN: &arn}); !errors.As(err, &denied) || !strings.Contains(err.Error(), "signature does not match") {
		t.Errorf("wrong secret: %v", err)
	}
	// A request changed after it was signed (its body, its If-Match): refused.
	for name, tamper := range map[string]func(*http.Request){
		"body": func(r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			b = bytes.Replace(b, []byte(`"v"`), []byte(`"w"`), 1)
			r.Body = io.NopCloser(bytes.NewReader(b))
		},
		"If-Match": func(r *http.Request) { r.Header.Set("If-Match", r.Header.Get("If-Match")+"x") },
	} {
		c := clientWith(srv.URL, keyID, "secret", roundTripper(func(r *http.Request) (*http.Response, error) {
			if r.Method == http.MethodPut {
				tamper(r)
			}
			return http.DefaultTransport.RoundTrip(r)
		}))
		d, err := c.DescribeKeyValueStore(ctx, &cfkvs.DescribeKeyValueStoreInput{KvsARN: &arn})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.PutKey(ctx, &cfkvs.PutKeyInput{KvsARN: &arn, Key: aws.String("k"), Value: aws.String("v"), IfMatch: d.ETag})
		if !errors.As(err, &denied) {
			t.Errorf("%s changed after signing: %v", name, err)
		}
	}
	if len(s.Items(arn)) != 0 {
		t.Errorf("a tampered write landed: %v", s.Items(arn))
	}
	// The SDK's client, as configured: accepted.
	if _, err := client(t, srv.URL, keyID).DescribeKeyValueStore(ctx, &cfkvs.DescribeKeyValueStoreInput{KvsARN: &arn}); err != nil {
		t.Errorf("the SDK's SigV4A request: %v", err)
	}
}

func timeNow() time.Time { return time.Now() }

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
