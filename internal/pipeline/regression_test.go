package pipeline_test

// Regression tests of bugs a review found in the reliability change, each
// once failing (a test's comment tells the failure it showed): lost waiters, claim cycles, delivery order with files over
// the size limit, long ids on DynamoDB, duplicate keys in a batch, reading
// a whole version history.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/awstest"
	"github.com/pressroom/pressroom/internal/awstest/s3mem"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/index/bolt"
	"github.com/pressroom/pressroom/internal/index/dynamo"
	"github.com/pressroom/pressroom/internal/pipeline"
	"github.com/pressroom/pressroom/internal/store"
	"github.com/pressroom/pressroom/internal/store/s3store"
)

// flaky is an articles store whose Get of one key fails n times (S3
// throttling, a reset connection): a transient error Lambda retries.
type flaky struct {
	*store.Memory
	key string
	n   atomic.Int32
}

func (f *flaky) Get(ctx context.Context, key string, o store.GetOptions) (store.Object, error) {
	if key == f.key && f.n.Add(-1) >= 0 {
		return store.Object{}, errors.New("SlowDown: please reduce your request rate")
	}
	return f.Memory.Get(ctx, key, o)
}

// TestWaiterSurvivesATransientFailure: b.md waits for the slug a.md
// holds. a.md is deleted; the Delete hands back (and forgets) b.md as a
// waiter, and Apply applies it again, but reading b.md fails once (a
// transient S3 error). Apply returns the error, as it should, so Lambda
// retries the event, but the retry finds a.md's removal already recorded
// (stale) and has no waiter left to apply: b.md stays rejected, out of
// every feed, for good.
func TestWaiterSurvivesATransientFailure(t *testing.T) {
	for _, name := range []string{"memory", "bolt", "dynamodb"} {
		t.Run(name, func(t *testing.T) {
			var ix index.Index = index.NewMemory()
			if name == "dynamodb" {
				d := dynamo.New(awstest.DynamoDB(awstest.DynamoDBEndpoint(t)), awstest.TableName(t))
				if err := d.CreateTable(context.Background()); err != nil {
					t.Fatal(err)
				}
				ix = d
			}
			if name == "bolt" {
				b, err := bolt.Open(t.TempDir() + "/index.db")
				if err != nil {
					t.Fatal(err)
				}
				defer b.Close()
				ix = b
			}
			e := newEnv(t, ix, store.NewMemory())
			e.ingest("a.md", md("Story", "2021-05-01", "slug: story"))
			if r := e.ingest("b.md", md("Story again", "2021-05-01", "slug: story")); r.Outcome != pipeline.Rejected {
				t.Fatalf("b.md: %+v", r)
			}
			ctx := context.Background()
			articles := &flaky{Memory: e.articles, key: "b.md"}
			articles.n.Store(1)
			if err := e.articles.Delete(ctx, "a.md"); err != nil {
				t.Fatal(err)
			}
			_, err := e.p.Apply(ctx, articles, "a.md", "0100")
			t.Logf("first delivery of a.md's removal: %v", err)
			// Lambda retries the same event (twice, then the failure queue).
			for i := 0; i < 2; i++ {
				r, err := e.p.Apply(ctx, articles, "a.md", "0100")
				t.Logf("retry %d: outcome %s, waiters applied again %d, error %v", i+1, r.Outcome, len(r.Again), err)
			}
			e.publish()
			src, _ := e.ix.Get(ctx, "b.md")
			t.Logf("b.md: article=%v problems=%v waiting=%q; site feed %q", src.Article != nil, src.Problems, src.Waiting, e.titles("feed.json"))
			if got := e.titles("feed.json"); len(got) != 1 || got[0] != "Story again" {
				t.Errorf("b.md should be published once the slug is free: site feed is %q", got)
			}
		})
	}
}

// TestSlugSwap: a.md has slug one, b.md slug two; an editor swaps
// them. A build from scratch publishes both; an incremental build rejects
// both for good, whatever order the files are recorded in (a cycle of
// claims: each waits for the slug the other's last good version holds).
func TestSlugSwap(t *testing.T) {
	e := newEnv(t, index.NewMemory(), store.NewMemory())
	e.ingest("a.md", md("A", "2021-05-01", "slug: one"))
	e.ingest("b.md", md("B", "2021-05-02", "slug: two"))
	ra := e.ingest("a.md", md("A swapped", "2021-05-01", "slug: two"))
	rb := e.ingest("b.md", md("B swapped", "2021-05-02", "slug: one"))
	e.publish()
	t.Logf("a.md: %s %v", ra.Outcome, ra.Problems)
	t.Logf("b.md: %s %v", rb.Outcome, rb.Problems)
	got := e.titles("feed.json")

	fresh := newEnv(t, index.NewMemory(), store.NewMemory())
	fresh.ingest("a.md", md("A swapped", "2021-05-01", "slug: two"))
	fresh.ingest("b.md", md("B swapped", "2021-05-02", "slug: one"))
	fresh.publish()
	want := fresh.titles("feed.json")
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("site feed after the swap %q; a build from the same files %q", got, want)
	}
}

// TestTooLargeDeliveredOutOfOrderConverges: a.md v1 and v2 are good, v3 is over
// articles.max_file_size. In order, v3 is rejected and v2 stays published.
// When v3's notification arrives first (S3 delivers out of order), the
// too-large path records a rejection without looking at the history (as
// the parse-error path does with lastGood), v1's and v2's events are then
// stale, and nothing is published.
func TestTooLargeDeliveredOutOfOrderConverges(t *testing.T) {
	ctx := context.Background()
	big := md("Big", "2021-05-03") + strings.Repeat("word ", 2<<20)
	run := func(inOrder bool) (string, []string) {
		e := newEnv(t, index.NewMemory(), store.NewMemory())
		e.p.Config = killConfig(t)
		b := newBucket(t)
		bodies := []string{md("First", "2021-05-01"), md("Second", "2021-05-02"), big}
		apply := func(i int) {
			if _, err := e.p.Apply(ctx, b.store, "a.md", fmt.Sprintf("%018X", i+1)); err != nil {
				t.Fatal(err)
			}
		}
		for i, body := range bodies {
			b.do(t, op{kind: "put", key: "a.md", body: body})
			if inOrder {
				apply(i) // each notification right after its upload
			}
		}
		if !inOrder {
			for _, i := range []int{2, 0, 1} { // v3's notification first
				apply(i)
			}
		}
		e.publish()
		src, _ := e.ix.Get(ctx, "a.md")
		return fmt.Sprintf("article=%v problems=%d", src.Article != nil, len(src.Problems)), e.titles("feed.json")
	}
	wantSrc, want := run(true)
	gotSrc, got := run(false)
	t.Logf("in order: %s, site %q; v3 first: %s, site %q", wantSrc, want, gotSrc, got)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("delivery order changed the feeds: in order %q, v3's event first %q", want, got)
	}
}

// TestMain stops the DynamoDB Local the package's tests started.
func TestMain(m *testing.M) { awstest.Main(m) }

// TestKilledBuildKeepsWaiter: the local form of the lost waiter. a.md
// and b.md want one slug; b.md waits. a.md is deleted and the build is
// killed right after the removal committed (the next index write fails:
// the waiter's own Put). docs/operations.md: "a build killed at any point (even with
// kill -9) leaves nothing unpublished: the next build finishes the work".
// The next build finds b.md unchanged (same size and modification time as
// its rejection), and the removal that named it as a waiter is done: b.md
// is never published.
func TestKilledBuildKeepsWaiter(t *testing.T) {
	dir := t.TempDir()
	arts := filepath.Join(dir, "articles")
	os.MkdirAll(arts, 0o755)
	os.WriteFile(filepath.Join(arts, "a.md"), []byte(md("A", "2021-05-01", "slug: story")), 0o644)
	os.WriteFile(filepath.Join(arts, "b.md"), []byte(md("B", "2021-05-01", "slug: story")), 0o644)
	onDisk, err := bolt.Open(filepath.Join(dir, "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer onDisk.Close()
	out := store.NewMemory()
	p := func(ix index.Index) *pipeline.Pipeline {
		return &pipeline.Pipeline{Parse: article.Parse, Index: ix, Store: out, Config: killConfig(t), Now: func() time.Time { return time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC) },
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	}
	ctx := context.Background()
	if _, _, err := p(onDisk).Build(ctx, arts, false, nil); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(arts, "a.md"))
	// Killed at the second index write of the build: the first is the
	// removal of a.md (committed), the second b.md's Put.
	_, _, err = p(faultyIndex{onDisk, &faults{at: 2}}).Build(ctx, arts, false, nil)
	t.Logf("killed build: %v", err)
	if _, _, err := p(onDisk).Build(ctx, arts, false, nil); err != nil {
		t.Fatal(err)
	}
	src, err := onDisk.Get(ctx, "b.md")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("b.md after the next build: article=%v waiting=%q problems=%v", src.Article != nil, src.Waiting, src.Problems)
	var titles []string
	if o, err := out.Get(ctx, "feed.json", store.GetOptions{}); err == nil {
		var doc struct{ Items []struct{ Title string } }
		json.Unmarshal(o.Body, &doc)
		for _, it := range doc.Items {
			titles = append(titles, it.Title)
		}
	}
	if len(titles) != 1 || titles[0] != "B" {
		t.Errorf("site feed after the next build: %q, want [B] (what a build from scratch publishes)", titles)
	}
}

// TestBrokenUploadKeepsWaiting: b.md v1 wants the slug a.md holds
// (rejected, waiting). b.md v2 is broken: its last good version, from the
// history, is v1, whose Put conflicts again, and the fallback records the
// rejection without the claim it waits on. When a.md is deleted, nobody
// is waiting any more: b.md's last good version is never published. Had
// a.md been deleted before b.md v2 arrived, b.md v1 would be published and
// kept: same bucket, different feeds.
func TestBrokenUploadKeepsWaiting(t *testing.T) {
	ctx := context.Background()
	broken := "---\ntitle: Broken\ndate: someday\n---\n\nx\n"
	run := func(deleteFirst bool) []string {
		e := newEnv(t, index.NewMemory(), store.NewMemory())
		b := newBucket(t)
		v := 0
		apply := func(o op) {
			b.do(t, o)
			v++
			if _, err := e.p.Apply(ctx, b.store, o.key, fmt.Sprintf("%018X", v)); err != nil {
				t.Fatal(err)
			}
		}
		apply(op{kind: "put", key: "a.md", body: md("A", "2021-05-01", "slug: story")})
		apply(op{kind: "put", key: "b.md", body: md("B", "2021-05-01", "slug: story")})
		if deleteFirst {
			apply(op{kind: "delete", key: "a.md"})
			apply(op{kind: "put", key: "b.md", body: broken})
		} else {
			apply(op{kind: "put", key: "b.md", body: broken})
			apply(op{kind: "delete", key: "a.md"})
		}
		e.publish()
		src, _ := e.ix.Get(ctx, "b.md")
		t.Logf("deleteFirst=%v: b.md article=%v waiting=%q; site %q", deleteFirst, src.Article != nil, src.Waiting, e.titles("feed.json"))
		return e.titles("feed.json")
	}
	want := run(true)
	got := run(false)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("same bucket, different feeds: %q (broken upload before the holder left) vs %q", got, want)
	}
}

// TestLongIDPublishedOnDynamo: an article whose id is within the
// parser's bound (article.MaxID, 1,024 bytes) passes `check`, and the local
// build publishes it. On DynamoDB, the id is part of a sort key (at most
// 1,024 bytes with the instant and the key) and the write fails with an
// error that is not ErrRefused: Apply returns it, Lambda retries, the event
// lands in the failure queue, and the file gets no report.
func TestLongIDPublishedOnDynamo(t *testing.T) {
	ctx := context.Background()
	text := md("Long id", "2021-05-01", "id: tag:news.example.org,2021:"+strings.Repeat("x", 1024-len("tag:news.example.org,2021:")))
	local := newEnv(t, index.NewMemory(), store.NewMemory())
	r := local.ingest("a.md", text)
	t.Logf("memory index: %s %v", r.Outcome, r.Problems)
	d := dynamo.New(awstest.DynamoDB(awstest.DynamoDBEndpoint(t)), awstest.TableName(t))
	if err := d.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	aws := newEnv(t, d, store.NewMemory())
	aws.articles.Put(ctx, "a.md", []byte(text), store.PutOptions{})
	res, err := aws.p.Apply(ctx, aws.articles, "a.md", "0001")
	t.Logf("DynamoDB index: outcome %q, error %v", res.Outcome, err)
	if err != nil {
		t.Errorf("Apply fails (a retry for ever) for a file `check` and the local build accept")
	}
}

// TestExpiringArticlePublishesOnDynamo: an article with an
// expiry date has two schedule items (publish and expiry instants). When
// both fall in the interval a publish run asks Due about (the first run
// after a deploy, whose interval starts at the zero time; or an article
// that expires within one schedule period), the DynamoDB adapter asks
// BatchGetItem for the same source twice, which DynamoDB refuses ("Provided
// list of item keys contains duplicates"). Publish fails before it records
// its time, so the next run asks about the same interval: every run fails.
func TestExpiringArticlePublishesOnDynamo(t *testing.T) {
	ctx := context.Background()
	d := dynamo.New(awstest.DynamoDB(awstest.DynamoDBEndpoint(t)), awstest.TableName(t))
	if err := d.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, d, store.NewMemory())
	e.ingest("a.md", md("Short-lived", "2021-05-01", "expiryDate: 2021-05-10"))
	e.ingest("b.md", md("Other", "2021-05-02"))
	for run := 1; run <= 3; run++ {
		_, err := e.p.Publish(ctx, nil)
		t.Logf("publish run %d: %v", run, err)
		if err != nil {
			t.Errorf("publish run %d fails", run)
		}
		e.now = e.now.Add(5 * time.Minute)
	}
	mem := newEnv(t, index.NewMemory(), store.NewMemory())
	mem.ingest("a.md", md("Short-lived", "2021-05-01", "expiryDate: 2021-05-10"))
	mem.ingest("b.md", md("Other", "2021-05-02"))
	_, err := mem.p.Publish(ctx, nil)
	t.Logf("the same on the memory index: %v; site %q", err, mem.titles("feed.json"))
}

// TestHistoryReadOnlyAsFarAsNeeded: lastGood looks at most 20 versions back,
// but s3store.Store.Versions lists every version of the key first, one
// ListObjectVersions call per 1,000 versions. A key uploaded every minute
// for a year (525,600 versions) costs 526 listing calls for each rejected
// upload, and for each such article in a re-parse.
func TestHistoryReadOnlyAsFarAsNeeded(t *testing.T) {
	var lists atomic.Int32
	h := s3mem.New(s3mem.WithVersionedBucket("articles")).Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.URL.Query()["versions"]; ok {
			lists.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c := awstest.S3(srv.URL)
	st := s3store.New(c, "articles", "")
	ctx := context.Background()
	const n = 3500
	for i := 0; i < n; i++ {
		body := md(fmt.Sprintf("v%d", i), "2021-05-01")
		if i == n-1 {
			body = "---\ntitle: Broken\ndate: someday\n---\n\nx\n"
		}
		if err := st.Put(ctx, "a.md", []byte(body), store.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	e := newEnv(t, index.NewMemory(), store.NewMemory())
	lists.Store(0)
	if _, err := e.p.Apply(ctx, st, "a.md", "0001"); err != nil {
		t.Fatal(err)
	}
	t.Logf("one rejected upload of a key with %d versions: %d ListObjectVersions calls (the search needs the newest 21 versions)", n, lists.Load())
	if lists.Load() > 1 {
		t.Errorf("the whole history is listed: %d calls", lists.Load())
	}
}
