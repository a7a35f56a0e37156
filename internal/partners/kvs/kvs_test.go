package kvs

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	standin "github.com/pressroom/pressroom/internal/awstest/kvs"
	"github.com/pressroom/pressroom/internal/partners"
)

func kvsStandIn(t *testing.T, wrap func(http.Handler) http.Handler) (*standin.Server, string, string) {
	t.Helper()
	s := standin.New("AKIDPARTNERS", "secret")
	arn := s.CreateStore("123456789012", "7c9f0e2a-1111-4222-8333-444455556666")
	var h http.Handler = s.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return s, arn, srv.URL
}

func testConfig() aws.Config {
	return aws.Config{Credentials: credentials.NewStaticCredentialsProvider("AKIDPARTNERS", "secret", "")}
}

func TestKVS(t *testing.T) {
	ctx := context.Background()
	s, arn, url := kvsStandIn(t, nil)
	k, err := New(testConfig(), arn, url)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	k.Now = func() time.Time { clock = clock.Add(time.Second); return clock }

	key, e, err := k.Add(ctx, "culture-desk")
	if err != nil {
		t.Fatal(err)
	}
	items := s.Items(arn)
	if items[partners.Hash(key)] != "culture-desk 2026-11-25T10:00:01Z" || len(items) != 1 {
		t.Fatalf("store holds %v", items)
	}
	for h, v := range items {
		if strings.Contains(h+v, key) || strings.Contains(h+v, strings.TrimPrefix(key, partners.KeyPrefix)) {
			t.Fatal("the store holds the key")
		}
	}
	// The edge function's view of the store.
	lookup := func(h string) (string, bool) { v, ok := s.Items(arn)[h]; return v, ok }
	if d := partners.Authorize(partners.Request{Method: "GET", URI: "/partners/culture-desk/feed.json", RawQuery: "key=" + key}, lookup); !d.Allow {
		t.Error("the new key does not open the partner's feed")
	}

	// 60 more keys: listing takes two pages of 50.
	for i := range 60 {
		partner := "sports"
		if i%2 == 0 {
			partner = "culture-desk"
		}
		if _, _, err := k.Add(ctx, partner); err != nil {
			t.Fatal(err)
		}
	}
	list, err := k.List(ctx)
	if err != nil || len(list) != 61 {
		t.Fatalf("listed %d keys: %v", len(list), err)
	}
	if list[0].Hash != e.Hash || list[0].ID != e.ID || !list[0].Created.Equal(e.Created) {
		t.Errorf("oldest first: %+v, want %+v", list[0], e)
	}
	if got, err := k.Revoke(ctx, e.ID); err != nil || got.Hash != e.Hash {
		t.Errorf("revoke: %+v, %v", got, err)
	}
	if _, err := k.Revoke(ctx, e.ID); !errors.Is(err, partners.ErrNoSuchKey) {
		t.Errorf("revoke twice: %v", err)
	}
	if d := partners.Authorize(partners.Request{Method: "GET", URI: "/partners/culture-desk/feed.json", RawQuery: "key=" + key}, lookup); d.Allow {
		t.Error("a revoked key still opens the feed")
	}
	gone, err := k.RevokePartner(ctx, "sports")
	if err != nil || len(gone) != 30 {
		t.Errorf("revoke partner: %d, %v", len(gone), err)
	}
	list, err = k.List(ctx)
	if err != nil || len(list) != 30 {
		t.Errorf("%d keys left, %v", len(list), err)
	}
	for _, e := range list {
		if e.Partner != "culture-desk" {
			t.Errorf("left: %+v", e)
		}
	}
}

// TestKVSConflict: another writer changes the store between the client's
// DescribeKeyValueStore and its write; the stale If-Match is refused and
// the client reads the ETag again.
func TestKVSConflict(t *testing.T) {
	ctx := context.Background()
	var s *standin.Server
	var arn string
	var bumped atomic.Int32
	s, arn, url := kvsStandIn(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut && bumped.Add(1) == 1 {
				s.Bump(arn)
			}
			h.ServeHTTP(w, r)
		})
	})
	k, _ := New(testConfig(), arn, url)
	if _, _, err := k.Add(ctx, "culture-desk"); err != nil {
		t.Fatal(err)
	}
	calls := strings.Join(s.Calls(), " ")
	if calls != "DescribeKeyValueStore PutKey DescribeKeyValueStore PutKey" {
		t.Errorf("calls %s", calls)
	}
	if len(s.Items(arn)) != 1 {
		t.Errorf("items %v", s.Items(arn))
	}
}

func TestKVSErrors(t *testing.T) {
	ctx := context.Background()
	_, arn, url := kvsStandIn(t, nil)
	for _, bad := range []string{"", "arn:aws:cloudfront::123456789012:distribution/E1", "arn:aws:cloudfront:us-east-1:123456789012:key-value-store/x", "arn:aws-cn:cloudfront::123456789012:key-value-store/x"} {
		if _, err := New(testConfig(), bad, url); err == nil {
			t.Errorf("ARN %q accepted", bad)
		}
	}
	if _, err := New(testConfig(), arn, "ftp://x"); err == nil {
		t.Error("an ftp endpoint accepted")
	}
	other := strings.Replace(arn, "7c9f0e2a", "00000000", 1)
	k, _ := New(testConfig(), other, url)
	if _, err := k.List(ctx); err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") || !strings.Contains(err.Error(), other) {
		t.Errorf("a store that does not exist: %v", err)
	}
	if _, _, err := k.Add(ctx, "Bad"); !errors.Is(err, partners.ErrBadName) {
		t.Errorf("bad name: %v", err)
	}
	wrongKey := aws.Config{Credentials: credentials.NewStaticCredentialsProvider("AKIDOTHER", "secret", "")}
	k, _ = New(wrongKey, arn, url)
	if _, _, err := k.Add(ctx, "a"); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("unknown access key: %v", err)
	}
}
