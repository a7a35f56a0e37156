package dynamo_test

// Regression tests of races a review found in the DynamoDB adapter, each
// once failing (a test's comment tells the failure it showed): concurrent writers at one version, a two-step move crossed
// by a rejection or refused by a claim, a body deleted under a newer
// writer, keys over DynamoDB's limits. A transport holds calls so that
// each race happens in a fixed order.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/awstest"
	"github.com/pressroom/pressroom/internal/config"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/index/dynamo"
	"github.com/pressroom/pressroom/internal/index/indextest"
	"github.com/pressroom/pressroom/internal/pipeline"
	"github.com/pressroom/pressroom/internal/store"
)

// gate is an http.RoundTripper that lets a test hold DynamoDB calls by
// operation name (X-Amz-Target "DynamoDB_20120810.<Op>").
type gate struct {
	mu   sync.Mutex
	hook func(op string) // may block; nil: pass
	// around, when set, is called instead of hook with the request and a
	// function that sends it.
	around func(op string, r *http.Request, send func() (*http.Response, error)) (*http.Response, error)
}

func (g *gate) RoundTrip(r *http.Request) (*http.Response, error) {
	op := r.Header.Get("X-Amz-Target")
	op = op[strings.LastIndex(op, ".")+1:]
	g.mu.Lock()
	h, a := g.hook, g.around
	g.mu.Unlock()
	if a != nil {
		return a(op, r, func() (*http.Response, error) { return http.DefaultTransport.RoundTrip(r) })
	}
	if h != nil {
		h(op)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func (g *gate) set(h func(op string)) { g.mu.Lock(); g.hook = h; g.mu.Unlock() }

func gatedDynamo(t *testing.T) (*dynamo.Index, *dynamodb.Client, string, *gate) {
	t.Helper()
	endpoint := awstest.DynamoDBEndpoint(t)
	g := &gate{}
	client := dynamodb.New(dynamodb.Options{
		Region:                          "us-east-1",
		Credentials:                     credentials.NewStaticCredentialsProvider("test", "secret", ""),
		BaseEndpoint:                    aws.String(endpoint),
		DisableValidateResponseChecksum: true,
		HTTPClient:                      &http.Client{Timeout: 30 * time.Second, Transport: g},
	})
	table := awstest.TableName(t)
	d := dynamo.New(client, table)
	if err := d.CreateTable(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d, client, table, g
}

func manyFeeds(prefix string) []index.Membership {
	ms := []index.Membership{{Feed: "", Label: "Site"}, {Feed: "languages/en", Label: "en"}}
	for i := 0; i < article.MaxNames; i++ {
		ms = append(ms, index.Membership{Feed: fmt.Sprintf("tags/%s%d", prefix, i), Label: "x"})
	}
	return ms
}

var day = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)

func art(id, slug string, published time.Time) *article.Article {
	return &article.Article{ID: id, Slug: slug, Title: slug, ContentHTML: "<p>" + slug + "</p>",
		URL: "https://x.example/" + slug + "/", Published: published, Updated: published}
}

// TestDynamoRaceTwoStepMoveThenConflict: an edit that moves an article between
// many feeds (the two-step move) AND claims an id another file holds. The
// contract: Put returns a *ConflictError "writing nothing", and the
// pipeline then records a rejection that keeps the last good article in
// its feeds. On DynamoDB the first step of the move has already taken the
// article out of every feed (Moving), and nothing puts it back.
func TestDynamoRaceTwoStepMoveThenConflict(t *testing.T) {
	d, _, _, _ := gatedDynamo(t)
	ctx := context.Background()
	if _, err := d.Put(ctx, index.Source{Key: "b.md", Version: "1", Config: "c", Article: art("tag:x,2021:b", "b", day),
		Feeds: []index.Membership{{Feed: "", Label: "Site"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Put(ctx, index.Source{Key: "a.md", Version: "1", Config: "c", Article: art("tag:x,2021:a", "a", day),
		Feeds: manyFeeds("old")}); err != nil {
		t.Fatal(err)
	}
	// a.md v2: new tags (40 feeds change) and b's slug.
	_, err := d.Put(ctx, index.Source{Key: "a.md", Version: "2", Config: "c", Article: art("tag:x,2021:b", "b", day),
		Feeds: manyFeeds("new")})
	var conflict *index.ConflictError
	if !errors.As(err, &conflict) {
		t.Fatalf("Put: %v, want a conflict", err)
	}
	// What the pipeline does next: reject, waiting on the claim.
	if err := d.Reject(ctx, index.Source{Key: "a.md", Version: "2", Config: "c",
		Problems: []article.Problem{{Field: "id", Message: "taken"}}, Waiting: conflict.Claim}); err != nil {
		t.Fatal(err)
	}
	now := day.Add(time.Hour)
	src := indextest.Read(d.Get(ctx, "a.md")).OK(t)
	site := indextest.Read(d.Latest(ctx, "", 10, now)).OK(t)
	old7 := indextest.Read(d.Latest(ctx, "tags/old7", 10, now)).OK(t)
	t.Logf("a.md after the refused edit: article kept=%v (%q), site feed holds %d articles, tags/old7 holds %d",
		src.Article != nil, func() string {
			if src.Article != nil {
				return src.Article.Slug
			}
			return ""
		}(), len(site), len(old7))
	if len(old7) != 1 || len(site) != 2 {
		t.Errorf("the last good version of a.md left its feeds although the edit was refused: site feed %d articles (want 2), tags/old7 %d (want 1)", len(site), len(old7))
	}
}

// barrier holds the first n calls of op until all n arrived, then lets
// them through one at a time, each after the previous one's answer.
func barrier(g *gate, op string, n int) (wait func()) {
	var mu sync.Mutex
	arrived := 0
	all := make(chan struct{})
	var serial sync.Mutex
	var held []*sync.Mutex
	_ = held
	g.set(func(o string) {
		if o != op {
			return
		}
		mu.Lock()
		if arrived >= n {
			mu.Unlock()
			return
		}
		arrived++
		if arrived == n {
			close(all)
		}
		mu.Unlock()
		<-all
		serial.Lock()
		// released once this call's answer came back: see RoundTrip
		// ordering below (a short pause is enough for DynamoDB Local).
		go func() { time.Sleep(300 * time.Millisecond); serial.Unlock() }()
	})
	return func() { g.set(nil) }
}

// TestDynamoRaceSameVersionWritersOneCommits: the source guard is "VK = the
// version read", so two writers at the SAME version (the re-parse after a
// configuration change, run twice at once: two quick configuration uploads,
// or the retry of a timed-out re-parse beside the hourly schedule) both
// commit, each with feed actions computed from the state it read. Here the
// second configuration moved the article's date (a new site.timezone):
// the first writer's feed items are never deleted, and the article appears
// twice in every feed.
func TestDynamoRaceSameVersionWritersOneCommits(t *testing.T) {
	d, client, table, g := gatedDynamo(t)
	ctx := context.Background()
	feeds := []index.Membership{{Feed: "", Label: "Site"}, {Feed: "tags/x", Label: "x"}}
	if _, err := d.Put(ctx, index.Source{Key: "a.md", Version: "5", Config: "c0", Article: art("tag:x,2021:a", "a", day), Feeds: feeds}); err != nil {
		t.Fatal(err)
	}
	release := barrier(g, "TransactWriteItems", 2)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, cfg := range []string{"c1", "c2"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each configuration puts the same file's date at another instant.
			_, errs[i] = d.Put(ctx, index.Source{Key: "a.md", Version: "5", Config: cfg,
				Article: art("tag:x,2021:a", "a", day.Add(time.Duration(i+1)*time.Hour)), Feeds: feeds})
		}()
	}
	wg.Wait()
	release()
	t.Logf("the two same-version Puts returned %v, %v", errs[0], errs[1])
	out, err := client.Query(ctx, &dynamodb.QueryInput{TableName: &table, KeyConditionExpression: aws.String("PK = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "FEED#"}}})
	if err != nil {
		t.Fatal(err)
	}
	latest, lerr := d.Latest(ctx, "", 10, day.Add(24*time.Hour))
	t.Logf("FEED# (site feed) partition holds %d items for one source; Latest returns %d articles, error %v", len(out.Items), len(latest), lerr)
	src, gerr := d.Get(ctx, "a.md")
	t.Logf("Get: config %q published %v err %v", src.Config, func() any {
		if src.Article != nil {
			return src.Article.Published
		}
		return nil
	}(), gerr)
	if len(out.Items) != 1 || len(latest) != 1 {
		t.Errorf("one article, one source: the site feed should hold it once; it holds %d items and renders %d articles", len(out.Items), len(latest))
	}
	// What the publish function then does, on every run from now on.
	p := &pipeline.Pipeline{Parse: article.Parse, Index: d, Store: store.NewMemory(), Config: config.Default(),
		Now: func() time.Time { return day.Add(24 * time.Hour) }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for run := 1; run <= 2; run++ {
		_, err := p.Publish(ctx, nil)
		t.Logf("publish run %d: %v", run, err)
		if err != nil {
			t.Errorf("publish fails on every run: no feed of the site is updated any more")
		}
	}
}

// TestDynamoRaceBodyKeptForANewerWriter: bodies are named by the hash of
// their bytes and deleted, after the commit, by the writer that replaced
// them. A file deleted and restored with the same bytes (an undelete; two
// ingest invocations at once) has a Put that writes the same body items
// and points at them, while the Delete's clean-up still has to run: the
// clean-up deletes the body the new record points at.
func TestDynamoRaceBodyKeptForANewerWriter(t *testing.T) {
	d, _, _, g := gatedDynamo(t)
	ctx := context.Background()
	a := art("tag:x,2021:a", "a", day)
	feeds := []index.Membership{{Feed: "", Label: "Site"}}
	if _, err := d.Put(ctx, index.Source{Key: "a.md", Version: "1", Config: "c", Article: a, Feeds: feeds}); err != nil {
		t.Fatal(err)
	}
	// The Delete's clean-up (its DeleteItem of the body) is held until the
	// restore is recorded.
	cleanup := make(chan struct{})
	restored := make(chan struct{})
	g.set(func(op string) {
		if op == "DeleteItem" {
			select {
			case <-cleanup:
			default:
				close(cleanup)
			}
			<-restored
		}
	})
	done := make(chan error)
	go func() { _, err := d.Delete(ctx, "a.md", "2", time.Now()); done <- err }()
	<-cleanup // the Delete committed; its clean-up is about to run
	if _, err := d.Put(ctx, index.Source{Key: "a.md", Version: "3", Config: "c", Article: a, Feeds: feeds}); err != nil {
		t.Fatal(err)
	}
	close(restored)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	g.set(nil)
	src, err := d.Get(ctx, "a.md")
	latest, lerr := d.Latest(ctx, "", 10, day.Add(time.Hour))
	t.Logf("after delete(v2) and restore(v3): Get error %v; Latest %d articles (error %v)", err, len(latest), lerr)
	if err != nil || src.Article == nil || len(latest) != 1 {
		t.Errorf("the restored article lost its body: it is in the index at v3 but cannot be read, and the site feed omits it")
	}
	// Uploading the same bytes again does not repair it: Put skips body
	// items whose hash the record already names.
	if _, err := d.Put(ctx, index.Source{Key: "a.md", Version: "4", Config: "c", Article: a, Feeds: feeds}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Get(ctx, "a.md"); err != nil {
		t.Errorf("after uploading the same bytes again at v4: %v", err)
	}
}

// TestDynamoRaceKeyLimits: the parser accepts an id of up to article.MaxID
// (1,024) bytes and a URL of up to article.MaxURL (2,048) bytes, and S3
// keys run to 1,024 bytes; the local indexes store such articles. On
// DynamoDB they become parts of keys: FEED# sort keys are
// "<instant>#<id>#<key>" (sort keys hold at most 1,024 bytes), CLAIM#
// partition keys "CLAIM#url:<url>" (at most 2,048 bytes).
func TestDynamoRaceKeyLimits(t *testing.T) {
	d, _, _, _ := gatedDynamo(t)
	ctx := context.Background()
	feeds := []index.Membership{{Feed: "", Label: "Site"}}
	cases := []struct {
		name string
		key  string
		a    *article.Article
	}{
		{"id of 1,024 bytes (MaxID)", "a.md", art("tag:x,2021:"+strings.Repeat("i", article.MaxID-len("tag:x,2021:")), "a", day)},
		{"URL of 2,045 bytes (MaxURL is 2,048)", "b.md", func() *article.Article {
			a := art("tag:x,2021:b", "b", day)
			a.URL = "https://x.example/" + strings.Repeat("u", 2045-len("https://x.example/"))
			return a
		}()},
		{"key of 1,010 bytes (S3 allows 1,024)", strings.Repeat("d/", 503) + "c.md", art("tag:x,2021:c", "c", day)},
	}
	for _, c := range cases {
		mem := index.NewMemory()
		_, merr := mem.Put(ctx, index.Source{Key: c.key, Version: "1", Config: "c", Article: c.a, Feeds: feeds})
		_, err := d.Put(ctx, index.Source{Key: c.key, Version: "1", Config: "c", Article: c.a, Feeds: feeds})
		t.Logf("%s: memory index: %v; DynamoDB: %v (ErrRefused: %v)", c.name, merr, err, errors.Is(err, index.ErrRefused))
		var tc *types.TransactionCanceledException
		if errors.As(err, &tc) {
			for i, r := range tc.CancellationReasons {
				if aws.ToString(r.Code) != "None" {
					t.Logf("  action %d: %s %q", i, aws.ToString(r.Code), aws.ToString(r.Message))
				}
			}
		}
		if err != nil {
			t.Errorf("%s: stored by the local index, not by DynamoDB", c.name)
		}
	}
}

// TestDynamoRaceRejectCrossesTwoStepMove: an edit that moves an article between
// many feeds (v2, the two-step move) and a rejected upload (v3) are
// ingested at once (Lambda runs ingest concurrently). The Reject read the
// source before the first step; the first step keeps the version (v1), so
// the Reject's guard "VK = v1" still passes after it, and the Reject writes
// back the record it read: not Moving, memberships listed, while the first
// step deleted every feed item. The second step is then stale (v2 < v3).
// In either serial order the article stays in some feeds (v2's new ones,
// or v1's old ones); here it is in none, and the record says otherwise.
func TestDynamoRaceRejectCrossesTwoStepMove(t *testing.T) {
	d, _, _, g := gatedDynamo(t)
	ctx := context.Background()
	if _, err := d.Put(ctx, index.Source{Key: "a.md", Version: "1", Config: "c", Article: art("tag:x,2021:a", "a", day),
		Feeds: manyFeeds("old")}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	calls := 0
	both := make(chan struct{})
	halfDone, rejectDone := make(chan struct{}), make(chan struct{})
	g.mu.Lock()
	g.around = func(op string, r *http.Request, send func() (*http.Response, error)) (*http.Response, error) {
		if op != "TransactWriteItems" {
			return send()
		}
		mu.Lock()
		calls++
		n := calls
		if n == 2 {
			close(both)
		}
		mu.Unlock()
		switch {
		case n <= 2 && r.ContentLength > 4000: // the first step of the move (dozens of deletes)
			<-both
			resp, err := send()
			close(halfDone)
			return resp, err
		case n <= 2: // the Reject
			<-both
			<-halfDone
			resp, err := send()
			close(rejectDone)
			return resp, err
		default: // the second step of the move, and anything after
			<-rejectDone
			return send()
		}
	}
	g.mu.Unlock()
	var wg sync.WaitGroup
	var putErr, rejErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		_, putErr = d.Put(ctx, index.Source{Key: "a.md", Version: "2", Config: "c", Article: art("tag:x,2021:a", "a", day), Feeds: manyFeeds("new")})
	}()
	go func() {
		defer wg.Done()
		rejErr = d.Reject(ctx, index.Source{Key: "a.md", Version: "3", Config: "c", Problems: []article.Problem{{Field: "date", Message: "bad"}}})
	}()
	wg.Wait()
	g.mu.Lock()
	g.around = nil
	g.mu.Unlock()
	now := day.Add(time.Hour)
	src := indextest.Read(d.Get(ctx, "a.md")).OK(t)
	site := indextest.Read(d.Latest(ctx, "", 10, now)).OK(t)
	old7 := indextest.Read(d.Latest(ctx, "tags/old7", 10, now)).OK(t)
	new7 := indextest.Read(d.Latest(ctx, "tags/new7", 10, now)).OK(t)
	t.Logf("Put v2: %v; Reject v3: %v; record: version %s, article kept %v, %d memberships listed", putErr, rejErr, src.Version, src.Article != nil, len(src.Feeds))
	t.Logf("site feed %d, tags/old7 %d, tags/new7 %d articles", len(site), len(old7), len(new7))
	if len(site) != 1 {
		t.Errorf("a.md keeps a good article (and the record lists %d feeds) but is in no feed", len(src.Feeds))
	}
	// The editor fixes the file (v4: the v1 text again). Put compares the
	// memberships the record lists with the new ones: equal, so it writes
	// no feed item, and the article stays out of every feed.
	a1 := art("tag:x,2021:a", "a", day)
	a1.Title = "fixed"
	if _, err := d.Put(ctx, index.Source{Key: "a.md", Version: "4", Config: "c", Article: a1, Feeds: manyFeeds("old")}); err != nil {
		t.Fatal(err)
	}
	site = indextest.Read(d.Latest(ctx, "", 10, now)).OK(t)
	t.Logf("after a good upload v4 with v1's feeds: site feed %d articles", len(site))
	if len(site) != 1 {
		t.Errorf("a good upload does not bring a.md back")
	}
}

// TestDynamoRaceDuplicateDeliveryOfAMove: S3 delivers an event twice;
// Lambda may run both at once. The first step of a two-step move keeps
// the version, so both copies' first steps pass the guard "VK = v1", and
// each applies "ADD Count -1" to every old feed. tags/old7 still holds
// b.md but its count drops to 0, and Feeds (index.html, feeds.opml, the
// re-render of every feed after a configuration change) no longer lists it.
func TestDynamoRaceDuplicateDeliveryOfAMove(t *testing.T) {
	d, _, _, g := gatedDynamo(t)
	ctx := context.Background()
	if _, err := d.Put(ctx, index.Source{Key: "b.md", Version: "1", Config: "c", Article: art("tag:x,2021:b", "b", day),
		Feeds: []index.Membership{{Feed: "", Label: "Site"}, {Feed: "tags/old7", Label: "x"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Put(ctx, index.Source{Key: "a.md", Version: "1", Config: "c", Article: art("tag:x,2021:a", "a", day), Feeds: manyFeeds("old")}); err != nil {
		t.Fatal(err)
	}
	release := barrier(g, "TransactWriteItems", 2)
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ { // the same event, twice, at once
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.Put(ctx, index.Source{Key: "a.md", Version: "2", Config: "c", Article: art("tag:x,2021:a", "a", day), Feeds: manyFeeds("new")})
		}()
	}
	wg.Wait()
	release()
	infos, err := d.Feeds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	listed := false
	for _, fi := range infos {
		if fi.ID == "tags/old7" {
			listed = true
			t.Logf("tags/old7 listed with count %d", fi.Count)
		}
	}
	l := indextest.Read(d.Latest(ctx, "tags/old7", 10, day.Add(time.Hour))).OK(t)
	t.Logf("tags/old7 holds %d article(s); listed by Feeds: %v", len(l), listed)
	if len(l) == 1 && !listed {
		t.Errorf("tags/old7 holds b.md but Feeds no longer lists it (its count went to 0)")
	}
}

// TestDynamoCleanupFailureIsLogged: the items a write leaves unreferenced
// (the old body here) are deleted after the commit; when DynamoDB refuses
// the delete, the write still succeeds (it committed) and the failure is
// logged with the item it left behind.
func TestDynamoCleanupFailureIsLogged(t *testing.T) {
	d, _, _, g := gatedDynamo(t)
	var logged strings.Builder
	d.Log = slog.New(slog.NewTextHandler(&logged, nil))
	ctx := context.Background()
	feeds := []index.Membership{{Feed: "", Label: "Site"}}
	if _, err := d.Put(ctx, index.Source{Key: "a.md", Version: "1", Config: "c", Article: art("tag:x,2021:a", "a", day), Feeds: feeds}); err != nil {
		t.Fatal(err)
	}
	g.mu.Lock()
	g.around = func(op string, r *http.Request, send func() (*http.Response, error)) (*http.Response, error) {
		if op != "DeleteItem" {
			return send()
		}
		body := `{"__type":"com.amazonaws.dynamodb.v20120810#AccessDeniedException","message":"denied by the test"}`
		return &http.Response{StatusCode: http.StatusBadRequest, Status: "400 Bad Request", Request: r,
			Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}}, Body: io.NopCloser(strings.NewReader(body)),
			ContentLength: int64(len(body))}, nil
	}
	g.mu.Unlock()
	edited := art("tag:x,2021:a", "a", day)
	edited.ContentHTML = "<p>edited</p>"
	if _, err := d.Put(ctx, index.Source{Key: "a.md", Version: "2", Config: "c", Article: edited, Feeds: feeds}); err != nil {
		t.Fatalf("a write whose clean-up failed: %v", err)
	}
	g.mu.Lock()
	g.around = nil
	g.mu.Unlock()
	if got, err := d.Get(ctx, "a.md"); err != nil || got.Article == nil || got.Article.ContentHTML != "<p>edited</p>" {
		t.Fatalf("after the write: %+v, %v", got.Article, err)
	}
	if l := logged.String(); !strings.Contains(l, "unreferenced item left behind") || !strings.Contains(l, "SRC#a.md") || !strings.Contains(l, "denied by the test") {
		t.Errorf("the failed clean-up was not logged with its item: %q", l)
	}
}
