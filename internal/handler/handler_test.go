package handler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/mmcdole/gofeed"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/awstest"
	"github.com/pressroom/pressroom/internal/awstest/s3mem"
	"github.com/pressroom/pressroom/internal/handler"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/index/dynamo"
	"github.com/pressroom/pressroom/internal/store"
	"github.com/pressroom/pressroom/internal/store/s3store"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// invalidations records what publish asks the CDN to purge.
type invalidations struct {
	mu   sync.Mutex
	runs [][]string
}

func (r *invalidations) Invalidate(_ context.Context, _ string, paths []string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs = append(r.runs, append([]string(nil), paths...))
	return nil
}

// world is both handlers on a versioned articles bucket, a feeds bucket
// (an S3 server on loopback) and DynamoDB Local.
type world struct {
	t     *testing.T
	s3    *s3.Client
	deps  *handler.Deps
	cdn   *invalidations
	index *dynamo.Index
	seq   int
}

const siteYAML = "site:\n  title: Example Daily\n  base_url: https://news.example.org/\n  language: ar\n  timezone: Africa/Casablanca\nfeeds:\n  base_url: https://feeds.example.org/\n"

const articlesBucket, feedsBucket = "pressroom-articles", "pressroom-feeds"

// newWorld makes the world; with a configuration, it is uploaded first.
func newWorld(t *testing.T, configYAML string) *world {
	client, _ := awstest.FakeS3(t, s3mem.WithVersionedBucket(articlesBucket), s3mem.WithBucket(feedsBucket))
	ix := dynamo.New(awstest.DynamoDB(awstest.DynamoDBEndpoint(t)), awstest.TableName(t))
	if err := ix.CreateTable(t.Context()); err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, s3: client, cdn: &invalidations{}, index: ix}
	w.deps = &handler.Deps{
		Settings: handler.Settings{Table: "unused", ArticlesBucket: articlesBucket, ArticlesPrefix: "articles/",
			ConfigKey: "config/pressroom.yaml", ReportsPrefix: "reports/", FeedsBucket: feedsBucket},
		Index: ix, Bucket: s3store.New(client, articlesBucket, ""), Articles: s3store.New(client, articlesBucket, "articles/"),
		Reports: s3store.New(client, articlesBucket, "reports/"), Feeds: s3store.New(client, feedsBucket, ""), CDN: w.cdn,
	}
	if configYAML != "" {
		w.upload("config/pressroom.yaml", configYAML)
	}
	return w
}

func (w *world) put(key, body string) string {
	w.t.Helper()
	out, err := w.s3.PutObject(w.t.Context(), &s3.PutObjectInput{Bucket: aws.String(articlesBucket), Key: aws.String(key), Body: strings.NewReader(body)})
	if err != nil {
		w.t.Fatal(err)
	}
	return aws.ToString(out.VersionId)
}

// event is the notification S3 sends for a change of key, with the next
// sequencer.
func (w *world) event(name, key string) events.S3Event {
	w.t.Helper()
	var ev events.S3Event
	readEvent(w.t, "../../functions/ingest/event.json", &ev)
	w.seq++
	r := &ev.Records[0]
	// S3 sends keys URL-encoded (spaces as +); the handler decodes them.
	r.EventName, r.S3.Object.Sequencer = name, fmt.Sprintf("0062E99A%010X", w.seq)
	r.S3.Object.Key, r.S3.Object.URLDecodedKey = strings.ReplaceAll(url.QueryEscape(key), "%2F", "/"), key
	return ev
}

func (w *world) ingest(ev any) error {
	w.t.Helper()
	raw, _ := json.Marshal(ev)
	return (&handler.Ingest{Deps: w.deps, Parse: article.Parse}).Handle(w.t.Context(), raw)
}

// upload puts an object and delivers its event.
func (w *world) upload(key, body string) {
	w.t.Helper()
	w.put(key, body)
	if err := w.ingest(w.event("ObjectCreated:Put", key)); err != nil {
		w.t.Fatal(err)
	}
}

// deleteObject deletes key (a delete marker on the versioned bucket), or
// one version of it, and delivers the event.
func (w *world) deleteObject(key, version string) {
	w.t.Helper()
	in := &s3.DeleteObjectInput{Bucket: aws.String(articlesBucket), Key: aws.String(key)}
	name := "ObjectRemoved:DeleteMarkerCreated"
	if version != "" {
		in.VersionId, name = aws.String(version), "ObjectRemoved:Delete"
	}
	out, err := w.s3.DeleteObject(w.t.Context(), in)
	if err != nil {
		w.t.Fatal(err)
	}
	_ = out
	if err := w.ingest(w.event(name, key)); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) get(bucket, key string) (string, bool) {
	out, err := w.s3.GetObject(w.t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return "", false
	}
	defer out.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(out.Body)
	return b.String(), true
}

func (w *world) source(key string) index.Source {
	w.t.Helper()
	src, err := w.index.Get(w.t.Context(), key)
	if err != nil {
		w.t.Fatalf("index %s: %v", key, err)
	}
	return src
}

func (w *world) publish() {
	w.t.Helper()
	raw, _ := os.ReadFile("../../functions/publish/schedule.json")
	if _, err := (&handler.Publish{Deps: w.deps}).Handle(w.t.Context(), raw); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) titles(path string) []string {
	w.t.Helper()
	body, ok := w.get(feedsBucket, path)
	if !ok {
		return nil
	}
	f, err := gofeed.NewParser().ParseString(body)
	if err != nil {
		w.t.Fatalf("%s: %v", path, err)
	}
	var out []string
	for _, it := range f.Items {
		out = append(out, it.Title)
	}
	return out
}

func readEvent(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

const greve = "Flash info\nPublié le mardi 17 mars 2026 à 7h45\n\nGrève des transports : le trafic sera perturbé jeudi\n\nLes syndicats appellent à une journée de grève jeudi. Seul un train sur trois circulera, selon les prévisions publiées mardi.\n"

func md(title, date string) string {
	return "---\ntitle: \"" + title + "\"\ndate: " + date + "\n---\n\nText of " + title + ".\n"
}

// TestIngestFromEventJSON drives the ingest handler with
// functions/ingest/event.json, as `sam local invoke` would.
func TestIngestFromEventJSON(t *testing.T) {
	w := newWorld(t, siteYAML)
	raw, _ := os.ReadFile("../../functions/ingest/event.json")
	var ev events.S3Event
	json.Unmarshal(raw, &ev)
	key := ev.Records[0].S3.Object.URLDecodedKey
	if key != "articles/fr/grève des transports.txt" {
		t.Fatalf("decoded key %q", key)
	}
	w.put(key, greve)
	h := &handler.Ingest{Deps: w.deps, Parse: article.Parse}
	if err := h.Handle(t.Context(), raw); err != nil {
		t.Fatal(err)
	}
	src := w.source("fr/grève des transports.txt")
	if src.Article == nil || src.Version != "0062E99A88DC407460" || src.ObjectVersion == "" {
		t.Fatalf("index: %+v", src)
	}
	if src.Article.Title != "Grève des transports : le trafic sera perturbé jeudi" || src.Article.Lang != "fr" {
		t.Errorf("article %q %q", src.Article.Title, src.Article.Lang)
	}
	rep, ok := w.get(articlesBucket, "reports/"+key+".json")
	if !ok || !strings.Contains(rep, `"ok": true`) {
		t.Errorf("report %q", rep)
	}
	// The same event again (S3 delivers at least once), then an older one:
	// both harmless.
	if err := h.Handle(t.Context(), raw); err != nil {
		t.Fatal(err)
	}
	ev.Records[0].S3.Object.Sequencer = "0062E99A0000000000"
	older, _ := json.Marshal(ev)
	w.put(key, "not a good version\x00")
	if err := h.Handle(t.Context(), older); err != nil {
		t.Fatal(err)
	}
	if src := w.source("fr/grève des transports.txt"); src.Version != "0062E99A88DC407460" || src.Problems != nil {
		t.Errorf("an older event changed the index: %+v", src)
	}
}

func TestIngestRejectionKeepsLastGoodAndReports(t *testing.T) {
	w := newWorld(t, siteYAML)
	w.upload("articles/a.md", md("Good", "2026-03-01"))
	w.put("articles/a.md", "---\ntitle: Bad\ndate: someday\n---\n\nBad text.\n")
	if err := w.ingest(w.event("ObjectCreated:Put", "articles/a.md")); err != nil {
		t.Fatalf("a rejected file must not be retried: %v", err)
	}
	src := w.source("a.md")
	if src.Article == nil || src.Article.Title != "Good" || len(src.Problems) != 1 || src.Problems[0].Field != "date" {
		t.Errorf("index after rejection: %+v", src)
	}
	rep, _ := w.get(articlesBucket, "reports/articles/a.md.json")
	if !strings.Contains(rep, `"ok": false`) || !strings.Contains(rep, `"field": "date"`) || !strings.Contains(rep, "someday") {
		t.Errorf("report %s", rep)
	}
	// Too large: refused without reading the body.
	w.upload("articles/big.md", strings.Repeat("x", 5<<20+1))
	if src := w.source("big.md"); len(src.Problems) != 1 || !strings.Contains(src.Problems[0].Message, "limit") {
		t.Errorf("big file: %+v", src)
	}
	// Removal: the report goes too.
	w.deleteObject("articles/a.md", "")
	if src := w.source("a.md"); !src.Deleted {
		t.Errorf("after removal: %+v", src)
	}
	if _, ok := w.get(articlesBucket, "reports/articles/a.md.json"); ok {
		t.Error("the removed article's report remains")
	}
	// Objects outside the articles prefix, or not articles, are ignored.
	w.upload("reports/x.json", "{}")
	w.upload("articles/photo.jpg", "\xff\xd8")
	if _, err := w.index.Get(t.Context(), "photo.jpg"); err == nil {
		t.Error("a photo was indexed")
	}
	// A broken configuration upload is reported, and the old one stays.
	w.upload("config/pressroom.yaml", "site:\n  titel: x\n")
	if rep, _ := w.get(articlesBucket, "reports/config/pressroom.yaml.json"); !strings.Contains(rep, "site.titel") {
		t.Errorf("config report %s", rep)
	}
	w.upload("articles/c.md", md("C", "2026-03-01"))
	if src := w.source("c.md"); src.Article == nil || src.Article.URL != "https://news.example.org/c/" {
		t.Errorf("an article after a broken configuration: %+v", src.Article)
	}
}

// TestUppercaseExtensions: S3 suffix filters are case sensitive, so the
// trigger is on the prefix and the extension is judged here.
func TestUppercaseExtensions(t *testing.T) {
	w := newWorld(t, siteYAML)
	w.upload("articles/Story.MD", md("Upper", "2026-03-01"))
	w.upload("articles/Page.HTML", "<html lang=en><head><title>Page</title></head><body><article><h1>Page</h1><p>Some text of the page here.</p></article></body></html>")
	for _, k := range []string{"Story.MD", "Page.HTML"} {
		if src := w.source(k); src.Article == nil {
			t.Errorf("%s not indexed: %+v", k, src)
		}
	}
}

// TestRemovalsReadTheCurrentState: on a versioned bucket, deleting an old
// version or a delete marker (an undelete) sends ObjectRemoved too; the
// handler asks S3 what is current instead of removing the article.
func TestRemovalsReadTheCurrentState(t *testing.T) {
	w := newWorld(t, siteYAML)
	v1 := w.put("articles/a.md", md("Version 1", "2026-03-01"))
	w.ingest(w.event("ObjectCreated:Put", "articles/a.md"))
	w.upload("articles/a.md", md("Version 2", "2026-03-01"))
	w.publish()
	// Deleting the non-current version 1 leaves version 2 published.
	w.deleteObject("articles/a.md", v1)
	if src := w.source("a.md"); src.Deleted || src.Article == nil || src.Article.Title != "Version 2" {
		t.Fatalf("after deleting an old version: %+v", src)
	}
	// A delete marker removes it...
	w.deleteObject("articles/a.md", "")
	w.publish()
	if got := w.titles("feed.xml"); len(got) != 0 {
		t.Fatalf("after the delete marker: %q", got)
	}
	// ...and removing the marker (the usual undelete) brings it back.
	vs, err := w.s3.ListObjectVersions(t.Context(), &s3.ListObjectVersionsInput{Bucket: aws.String(articlesBucket), Prefix: aws.String("articles/a.md")})
	if err != nil || len(vs.DeleteMarkers) != 1 {
		t.Fatalf("versions: %+v, %v", vs, err)
	}
	w.deleteObject("articles/a.md", aws.ToString(vs.DeleteMarkers[0].VersionId))
	w.publish()
	if got := w.titles("feed.xml"); len(got) != 1 || got[0] != "Version 2" {
		t.Errorf("after the undelete: %q", got)
	}
	// A created event for an object deleted since removes it too: the
	// current state wins, whatever the event's name.
	w.put("articles/b.md", md("B", "2026-03-01"))
	ev := w.event("ObjectCreated:Put", "articles/b.md")
	w.deleteObject("articles/b.md", "")
	if err := w.ingest(ev); err != nil {
		t.Fatal(err)
	}
	if _, err := w.index.Get(t.Context(), "b.md"); err == nil {
		if src := w.source("b.md"); src.Article != nil {
			t.Errorf("a late created event brought back a deleted article: %+v", src)
		}
	}
}

// TestPublishFromEventJSON ingests, then drives the publish handler with
// functions/publish/event.json and functions/publish/schedule.json.
func TestPublishFromEventJSON(t *testing.T) {
	w := newWorld(t, siteYAML)
	var ev events.S3Event
	readEvent(t, "../../functions/ingest/event.json", &ev)
	w.put(ev.Records[0].S3.Object.URLDecodedKey, greve)
	if err := w.ingest(ev); err != nil {
		t.Fatal(err)
	}
	pub := &handler.Publish{Deps: w.deps}
	raw, _ := os.ReadFile("../../functions/publish/event.json")
	resp, err := pub.Handle(t.Context(), raw)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("publish: %+v, %v", resp, err)
	}
	body, ok := w.get(feedsBucket, "languages/fr/feed.xml")
	if !ok {
		t.Fatal("no languages/fr/feed.xml in the feeds bucket")
	}
	f, err := gofeed.NewParser().ParseString(body)
	if err != nil || len(f.Items) != 1 || f.Items[0].Title != "Grève des transports : le trafic sera perturbé jeudi" {
		t.Fatalf("gofeed: %v %+v", err, f)
	}
	o, err := s3store.New(w.s3, feedsBucket, "").Get(t.Context(), "feed.json", store.GetOptions{})
	if err != nil || o.ContentType != "application/feed+json; charset=utf-8" || o.CacheControl != "public, max-age=300, stale-while-revalidate=60" {
		t.Errorf("feed.json object: %q %q %v", o.ContentType, o.CacheControl, err)
	}
	if len(w.cdn.runs) != 1 {
		t.Fatalf("%d invalidations", len(w.cdn.runs))
	}
	paths := w.cdn.runs[0]
	sort.Strings(paths)
	for _, want := range []string{"feed.xml", "atom.xml", "feed.json", "languages/fr/feed.xml", "index.html", "feeds.opml"} {
		if i := sort.SearchStrings(paths, want); i == len(paths) || paths[i] != want {
			t.Errorf("invalidation lacks %s: %v", want, paths)
		}
	}
	// The same batch again: nothing pending, nothing to invalidate.
	if _, err := pub.Handle(t.Context(), raw); err != nil {
		t.Fatal(err)
	}
	if len(w.cdn.runs) != 1 {
		t.Errorf("a repeated batch invalidated %v", w.cdn.runs[1:])
	}
	// The schedule: nothing due yet.
	sched, _ := os.ReadFile("../../functions/publish/schedule.json")
	if _, err := pub.Handle(t.Context(), sched); err != nil {
		t.Fatal(err)
	}
	// A scheduled article comes due.
	w.upload("articles/later.md", "---\ntitle: Later\npublishDate: 2030-01-01T00:00:00Z\nlang: en\n---\n\nLater text.\n")
	if _, err := pub.Handle(t.Context(), sched); err != nil {
		t.Fatal(err)
	}
	pub.Now = func() time.Time { return time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC) }
	if _, err := pub.Handle(t.Context(), sched); err != nil {
		t.Fatal(err)
	}
	if body, _ := w.get(feedsBucket, "feed.xml"); !strings.Contains(body, "<title>Later</title>") {
		t.Error("the scheduled article did not appear after its date")
	}
}

// failingCDN fails its first n calls.
type failingCDN struct {
	invalidations
	fail int
}

func (f *failingCDN) Invalidate(ctx context.Context, run string, paths []string) error {
	if f.fail > 0 {
		f.fail--
		return fmt.Errorf("cloudfront: throttled")
	}
	return f.invalidations.Invalidate(ctx, run, paths)
}

// TestFailedPurgeIsRetried: paths written by a run whose invalidation
// failed are purged by the next run.
func TestFailedPurgeIsRetried(t *testing.T) {
	w := newWorld(t, siteYAML)
	cdn := &failingCDN{fail: 1}
	w.deps.CDN = cdn
	w.upload("articles/a.md", md("A", "2026-03-01"))
	raw, _ := os.ReadFile("../../functions/publish/schedule.json")
	if _, err := (&handler.Publish{Deps: w.deps}).Handle(t.Context(), raw); err == nil {
		t.Fatal("a failed invalidation was not reported")
	}
	w.publish()
	if len(cdn.runs) != 1 || !contains(cdn.runs[0], "feed.xml") || !contains(cdn.runs[0], "index.html") {
		t.Errorf("the retry purged %v", cdn.runs)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestSettingsFromEnv(t *testing.T) {
	for _, v := range []string{"PRESSROOM_TABLE", "PRESSROOM_ARTICLES_BUCKET", "PRESSROOM_FEEDS_BUCKET"} {
		t.Setenv(v, "")
	}
	if _, err := handler.PublishSettings(); err == nil || !strings.Contains(err.Error(), "PRESSROOM_TABLE") || !strings.Contains(err.Error(), "PRESSROOM_FEEDS_BUCKET") {
		t.Errorf("missing settings: %v", err)
	}
	if _, err := handler.IngestSettings(); err == nil || !strings.Contains(err.Error(), "PRESSROOM_ARTICLES_BUCKET") || strings.Contains(err.Error(), "FEEDS") {
		t.Errorf("missing ingest settings: %v", err)
	}
	t.Setenv("PRESSROOM_TABLE", "t")
	t.Setenv("PRESSROOM_ARTICLES_BUCKET", "a")
	t.Setenv("PRESSROOM_S3_PATH_STYLE", "true")
	s, err := handler.IngestSettings()
	if err != nil || !s.PathStyle || s.ArticlesPrefix != "articles/" || s.ConfigKey != "config/pressroom.yaml" {
		t.Errorf("%+v %v", s, err)
	}
}

func TestConfigFromEnvironmentUntilUploaded(t *testing.T) {
	w := newWorld(t, "")
	t.Setenv("PRESSROOM_SITE_TITLE", "Le Quotidien")
	t.Setenv("PRESSROOM_SITE_BASE_URL", "https://quotidien.example.fr/")
	t.Setenv("PRESSROOM_SITE_LANGUAGE", "fr")
	w.upload("articles/a.md", md("Titre", "2026-03-01"))
	src := w.source("a.md")
	if src.Article == nil || src.Article.URL != "https://quotidien.example.fr/a/" || src.Article.Lang != "fr" {
		t.Errorf("article %+v", src.Article)
	}
}

// TestConfigUploadReparsesArticles: a new pressroom.yaml changes article
// URLs; uploading it parses every article again at its current version,
// the last good version of a rejected one included (read back from the
// bucket's versions), and marks every feed for publishing.
func TestConfigUploadReparsesArticles(t *testing.T) {
	w := newWorld(t, siteYAML)
	for _, k := range []string{"a", "b", "c"} {
		w.upload("articles/"+k+".md", md("T"+k, "2026-03-01"))
	}
	// c's latest upload is rejected: its last good version stays.
	w.upload("articles/c.md", "---\ntitle: Broken\ndate: someday\n---\n\nx\n")
	versions := map[string]string{}
	for _, k := range []string{"a", "b", "c"} {
		src := w.source(k + ".md")
		if src.Article.URL != "https://news.example.org/"+k+"/" {
			t.Fatalf("before: %s", src.Article.URL)
		}
		versions[k] = src.Version
	}
	w.publish()
	w.upload("config/pressroom.yaml", strings.Replace(siteYAML, "https://news.example.org/", "https://www.example.net/news/", 1)+"  limit: 20\n")
	for _, k := range []string{"a", "b", "c"} {
		src := w.source(k + ".md")
		if src.Article == nil || src.Article.URL != "https://www.example.net/news/"+k+"/" || src.Version != versions[k] {
			t.Errorf("%s after the configuration change: %+v", k, src.Article)
		}
	}
	if src := w.source("c.md"); len(src.Problems) != 1 || src.Article.Title != "Tc" {
		t.Errorf("the rejected article after the configuration change: %+v", src)
	}
	if p, _ := w.index.Pending(t.Context()); !p.All {
		t.Errorf("every feed is not marked for publishing: %+v", p)
	}
	w.publish()
	f, err := gofeed.NewParser().ParseString(func() string { b, _ := w.get(feedsBucket, "feed.xml"); return b }())
	if err != nil || len(f.Items) != 3 {
		t.Fatalf("feed after the configuration change: %v", err)
	}
	for _, it := range f.Items {
		if !strings.HasPrefix(it.Link, "https://www.example.net/news/") {
			t.Errorf("%s still links to %s", it.Title, it.Link)
		}
	}
	// Uploading the same configuration again parses nothing again: a later
	// upload of an article is still accepted at its own, newer version.
	w.upload("config/pressroom.yaml", strings.Replace(siteYAML, "https://news.example.org/", "https://www.example.net/news/", 1)+"  limit: 20\n")
	w.upload("articles/a.md", md("New A", "2026-03-01"))
	if src := w.source("a.md"); src.Article.Title != "New A" {
		t.Errorf("after a new upload: %q", src.Article.Title)
	}
}

// TestScheduleResumesAReparse: a new parser (or a re-parse cut short by
// the deadline) is finished by the ingest schedule.
func TestScheduleResumesAReparse(t *testing.T) {
	w := newWorld(t, siteYAML)
	w.upload("articles/a.md", md("A", "2026-03-01"))
	// As after a deploy of another parser: the records carry a hash that
	// is not the current one.
	src := w.source("a.md")
	src.Config = "parsed-by-an-older-release"
	if _, err := w.index.Put(t.Context(), src); err != nil {
		t.Fatal(err)
	}
	w.index.SetState(t.Context(), handler.StateProcessed, "parsed-by-an-older-release")
	raw, _ := os.ReadFile("../../functions/publish/schedule.json")
	if err := (&handler.Ingest{Deps: w.deps, Parse: article.Parse}).Handle(t.Context(), raw); err != nil {
		t.Fatal(err)
	}
	if src := w.source("a.md"); src.Config == "parsed-by-an-older-release" {
		t.Error("the schedule did not parse the article again")
	}
	if v, _ := w.index.State(t.Context(), handler.StateProcessed); v == "parsed-by-an-older-release" {
		t.Error("the re-parse is not recorded as done")
	}
}

// TestReplayOnFailureRecord: the record Lambda sends to the on-failure
// queue replays the event it carries.
func TestReplayOnFailureRecord(t *testing.T) {
	w := newWorld(t, siteYAML)
	w.put("articles/a.md", md("A", "2026-03-01"))
	ev := w.event("ObjectCreated:Put", "articles/a.md")
	record := map[string]any{"version": "1.0", "timestamp": "2026-03-17T07:45:12.000Z",
		"requestContext":  map[string]any{"requestId": "r", "functionArn": "arn:aws:lambda:eu-west-3:123456789012:function:ingest:$LATEST", "condition": "RetriesExhausted", "approximateInvokeCount": 3},
		"requestPayload":  ev,
		"responseContext": map[string]any{"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}}
	if err := w.ingest(record); err != nil {
		t.Fatal(err)
	}
	if src := w.source("a.md"); src.Article == nil {
		t.Errorf("the replayed event was not ingested: %+v", src)
	}
}
