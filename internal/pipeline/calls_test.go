package pipeline_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/awstest"
	"github.com/pressroom/pressroom/internal/awstest/s3mem"
	"github.com/pressroom/pressroom/internal/config"
	"github.com/pressroom/pressroom/internal/index/dynamo"
	"github.com/pressroom/pressroom/internal/pipeline"
	"github.com/pressroom/pressroom/internal/store/s3store"
)

// callCounter is an HTTP transport that counts the requests it carries:
// DynamoDB operations by name (X-Amz-Target), S3 requests by method.
type callCounter struct {
	next http.RoundTripper
	mu   sync.Mutex
	ops  map[string]int
}

func (c *callCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	op := r.Method
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		_, op, _ = strings.Cut(t, ".")
	}
	c.mu.Lock()
	c.ops[op]++
	c.mu.Unlock()
	return c.next.RoundTrip(r)
}

// reset forgets the counts and returns them.
func (c *callCounter) reset() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.ops
	c.ops = map[string]int{}
	return out
}

func total(ops map[string]int) int {
	n := 0
	for _, v := range ops {
		n += v
	}
	return n
}

func describe(ops map[string]int) string {
	var names []string
	for k := range ops {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		fmt.Fprintf(&b, " %s=%d", k, ops[k])
	}
	return strings.TrimSpace(b.String())
}

// maxPublishCalls bounds the DynamoDB calls of the publish TestPublishCalls
// makes (issue 11). Before batching: 226 (BatchGetItem=25
// BatchWriteItem=2 GetItem=143 PutItem=2 Query=17 TransactWriteItems=37);
// then 32. Now 27: a Query a live feed and an archive page (12), the
// publisher's own partitions (pending marks, schedule, feeds, deletions,
// output hashes, purge marks: 6), two BatchGetItem rounds for the articles
// of the twelve documents (4, 100 keys a call), the states and the due
// articles (2), one transaction of the 36 files' purge marks and hashes
// (50 paths a call), one of the purge marks cleared (100 a call) and one
// of the pending marks cleared with the last publish time.
const maxPublishCalls = 27

// TestPublishCalls counts the DynamoDB calls (against DynamoDB Local) and
// the S3 PUTs (against the S3 stand-in) of one publish on AWS: a site of
// 100 feeds (the site, its language, 5 categories, 73 tags, 20 authors)
// and 300 articles, published, then one new article in 6 of the feeds,
// published. The bound is a count, not a time: it must not grow with the
// articles or the feeds of the site.
func TestPublishCalls(t *testing.T) {
	if raceDetector {
		t.Skip("make unit runs it without -race: it counts calls, and under the detector setting up its 300 articles takes minutes")
	}
	ctx := context.Background()
	ddb := &callCounter{next: http.DefaultTransport, ops: map[string]int{}}
	client := dynamodb.New(awstest.DynamoDB(awstest.DynamoDBEndpoint(t)).Options(), func(o *dynamodb.Options) {
		o.HTTPClient = &http.Client{Transport: ddb, Timeout: 30 * time.Second}
	})
	d := dynamo.New(client, awstest.TableName(t))
	if err := d.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s3mem.New(s3mem.WithBucket("feeds")).Handler())
	t.Cleanup(srv.Close)
	s3c := &callCounter{next: http.DefaultTransport, ops: map[string]int{}}
	feeds := s3.New(awstest.S3(srv.URL).Options(), func(o *s3.Options) {
		o.HTTPClient = &http.Client{Transport: s3c, Timeout: 30 * time.Second}
	})
	cfg, err := config.Parse("pressroom.yaml", []byte("site:\n  title: Calls\n  base_url: https://news.example.org/\n  language: en\nfeeds:\n  base_url: https://feeds.example.org/\n"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2021, 3, 1, 12, 0, 0, 0, time.UTC)
	p := &pipeline.Pipeline{Parse: article.Parse, Index: d, Store: s3store.New(feeds, "feeds", ""), Config: cfg,
		Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}

	t0 := time.Date(2021, 1, 1, 8, 0, 0, 0, time.UTC)
	text := func(i int, date time.Time, category, tag1, tag2, author int) []byte {
		return []byte(fmt.Sprintf("---\ntitle: \"Story %d\"\ndate: %s\ncategories: [cat-%d]\ntags: [tag-%d, tag-%d]\nauthor: Author %d\nlang: en\n---\n\nThe council met on Monday and voted on story %d.\n",
			i, date.Format(time.RFC3339), category, tag1, tag2, author, i))
	}
	const articles = 300
	for i := 0; i < articles; i++ {
		data := text(i, t0.Add(time.Duration(i)*time.Hour), i%5, i%73, (i+31)%73, i%20)
		if r, err := p.Ingest(ctx, fmt.Sprintf("story-%03d.md", i), "0001", data, t0); err != nil || r.Outcome != pipeline.Published {
			t.Fatalf("story %d: %+v %v", i, r, err)
		}
	}
	if _, err := p.Publish(ctx, nil); err != nil {
		t.Fatal(err)
	}
	list, err := d.Feeds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 100 {
		t.Fatalf("the site has %d feeds, want 100", len(list))
	}

	// One new article, dated since the last publish, in 6 feeds.
	now = now.Add(10 * time.Minute)
	data := text(articles, now.Add(-5*time.Minute), 1, 5, 9, 3)
	if r, err := p.Ingest(ctx, "new.md", "0001", data, now); err != nil || r.Outcome != pipeline.Published || len(r.Feeds) != 6 {
		t.Fatalf("new article: %+v %v", r, err)
	}
	ddb.reset()
	s3c.reset()
	rep, err := p.Publish(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	calls, puts := ddb.reset(), s3c.reset()
	t.Logf("publish of one new article in 6 of 100 feeds: %d DynamoDB calls (%s); S3: %s; %d documents rendered, %d files written",
		total(calls), describe(calls), describe(puts), rep.Rendered, len(rep.Written))
	if n := total(calls); n > maxPublishCalls {
		t.Errorf("%d DynamoDB calls, more than %d", n, maxPublishCalls)
	}
	if puts["PUT"] != len(rep.Written) {
		t.Errorf("%d S3 PUTs for %d files written", puts["PUT"], len(rep.Written))
	}
}
