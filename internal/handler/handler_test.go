package handler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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

	"github.com/pressroom/pressroom/internal/awstest"
	"github.com/pressroom/pressroom/internal/handler"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/store"
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

type world struct {
	t     *testing.T
	s3    *s3.Client
	deps  *handler.Deps
	cdn   *invalidations
	index *index.Dynamo
}

const siteYAML = "site:\n  title: Example Daily\n  base_url: https://news.example.org/\n  language: ar\n  timezone: Africa/Casablanca\nfeeds:\n  base_url: https://feeds.example.org/\n"

func newWorld(t *testing.T) *world {
	client, _ := awstest.FakeS3(t, "pressroom-articles", "pressroom-feeds")
	ix := index.NewDynamo(awstest.DynamoDB(awstest.DynamoDBEndpoint(t)), awstest.TableName(t))
	if err := ix.CreateTable(t.Context()); err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, s3: client, cdn: &invalidations{}, index: ix}
	w.deps = &handler.Deps{
		Settings: handler.Settings{Table: "unused", ArticlesBucket: "pressroom-articles", ArticlesPrefix: "articles/",
			ConfigKey: "config/pressroom.yaml", ReportsPrefix: "reports/", FeedsBucket: "pressroom-feeds"},
		S3: client, Index: ix, Feeds: store.NewS3(client, "pressroom-feeds", ""), CDN: w.cdn,
	}
	w.put("pressroom-articles", "config/pressroom.yaml", siteYAML)
	return w
}

func (w *world) put(bucket, key, body string) {
	w.t.Helper()
	_, err := w.s3.PutObject(w.t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
	if err != nil {
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

// TestIngestFromEventJSON drives the ingest handler with
// functions/ingest/event.json, as `sam local invoke` would.
func TestIngestFromEventJSON(t *testing.T) {
	w := newWorld(t)
	var ev events.S3Event
	readEvent(t, "../../functions/ingest/event.json", &ev)
	key := ev.Records[0].S3.Object.URLDecodedKey
	if key != "articles/fr/grève des transports.txt" {
		t.Fatalf("decoded key %q", key)
	}
	w.put("pressroom-articles", key, greve)
	h := &handler.Ingest{Deps: w.deps}
	if err := h.Handle(t.Context(), ev); err != nil {
		t.Fatal(err)
	}
	src, err := w.index.Get(t.Context(), "fr/grève des transports.txt")
	if err != nil || src.Article == nil || src.Version != "0062E99A88DC407460" {
		t.Fatalf("index: %+v, %v", src, err)
	}
	if src.Article.Title != "Grève des transports : le trafic sera perturbé jeudi" || src.Article.Lang != "fr" {
		t.Errorf("article %q %q", src.Article.Title, src.Article.Lang)
	}
	rep, ok := w.get("pressroom-articles", "reports/"+key+".json")
	if !ok || !strings.Contains(rep, `"ok": true`) {
		t.Errorf("report %q", rep)
	}
	// The same event again (S3 delivers at least once), then an older one:
	// both harmless.
	if err := h.Handle(t.Context(), ev); err != nil {
		t.Fatal(err)
	}
	old := ev
	old.Records = append([]events.S3EventRecord(nil), ev.Records...)
	old.Records[0].S3.Object.Sequencer = "0062E99A0000000000"
	w.put("pressroom-articles", key, "not a good version\x00")
	if err := h.Handle(t.Context(), old); err != nil {
		t.Fatal(err)
	}
	if src, _ := w.index.Get(t.Context(), "fr/grève des transports.txt"); src.Version != "0062E99A88DC407460" || src.Problems != nil {
		t.Errorf("an older event changed the index: %+v", src)
	}
}

func TestIngestRejectionKeepsLastGoodAndReports(t *testing.T) {
	w := newWorld(t)
	h := &handler.Ingest{Deps: w.deps}
	event := func(name, key, seq string) events.S3Event {
		var ev events.S3Event
		readEvent(t, "../../functions/ingest/event.json", &ev)
		ev.Records[0].EventName = name
		ev.Records[0].S3.Object.URLDecodedKey = key
		ev.Records[0].S3.Object.Sequencer = seq
		ev.Records[0].S3.Object.Size = 100
		return ev
	}
	w.put("pressroom-articles", "articles/a.md", "---\ntitle: Good\ndate: 2026-03-01\n---\n\nGood text.\n")
	if err := h.Handle(t.Context(), event("ObjectCreated:Put", "articles/a.md", "01")); err != nil {
		t.Fatal(err)
	}
	w.put("pressroom-articles", "articles/a.md", "---\ntitle: Bad\ndate: someday\n---\n\nBad text.\n")
	if err := h.Handle(t.Context(), event("ObjectCreated:Put", "articles/a.md", "02")); err != nil {
		t.Fatalf("a rejected file must not be retried: %v", err)
	}
	src, _ := w.index.Get(t.Context(), "a.md")
	if src.Article == nil || src.Article.Title != "Good" || len(src.Problems) != 1 || src.Problems[0].Field != "date" {
		t.Errorf("index after rejection: %+v", src)
	}
	rep, _ := w.get("pressroom-articles", "reports/articles/a.md.json")
	if !strings.Contains(rep, `"ok": false`) || !strings.Contains(rep, `"field": "date"`) || !strings.Contains(rep, "someday") {
		t.Errorf("report %s", rep)
	}
	// Too large: refused from the event's size, before reading.
	big := event("ObjectCreated:Put", "articles/big.md", "03")
	big.Records[0].S3.Object.Size = 6 << 20
	if err := h.Handle(t.Context(), big); err != nil {
		t.Fatal(err)
	}
	if src, _ := w.index.Get(t.Context(), "big.md"); len(src.Problems) != 1 || !strings.Contains(src.Problems[0].Message, "limit") {
		t.Errorf("big file: %+v", src)
	}
	// Removal.
	if err := h.Handle(t.Context(), event("ObjectRemoved:Delete", "articles/a.md", "04")); err != nil {
		t.Fatal(err)
	}
	if src, _ := w.index.Get(t.Context(), "a.md"); !src.Deleted {
		t.Errorf("after removal: %+v", src)
	}
	// Objects outside the articles prefix are ignored.
	if err := h.Handle(t.Context(), event("ObjectCreated:Put", "reports/x.json", "05")); err != nil {
		t.Fatal(err)
	}
	// A broken configuration upload is reported, and the old one stays.
	w.put("pressroom-articles", "config/pressroom.yaml", "site:\n  titel: x\n")
	if err := h.Handle(t.Context(), event("ObjectCreated:Put", "config/pressroom.yaml", "06")); err != nil {
		t.Fatal(err)
	}
	if rep, _ := w.get("pressroom-articles", "reports/config/pressroom.yaml.json"); !strings.Contains(rep, "site.titel") {
		t.Errorf("config report %s", rep)
	}
}

// TestPublishFromEventJSON ingests, then drives the publish handler with
// functions/publish/event.json and functions/publish/schedule.json.
func TestPublishFromEventJSON(t *testing.T) {
	w := newWorld(t)
	ing := &handler.Ingest{Deps: w.deps}
	var ev events.S3Event
	readEvent(t, "../../functions/ingest/event.json", &ev)
	w.put("pressroom-articles", ev.Records[0].S3.Object.URLDecodedKey, greve)
	if err := ing.Handle(t.Context(), ev); err != nil {
		t.Fatal(err)
	}
	pub := &handler.Publish{Deps: w.deps}
	raw, _ := os.ReadFile("../../functions/publish/event.json")
	resp, err := pub.Handle(t.Context(), raw)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("publish: %+v, %v", resp, err)
	}
	body, ok := w.get("pressroom-feeds", "languages/fr/feed.xml")
	if !ok {
		t.Fatal("no languages/fr/feed.xml in the feeds bucket")
	}
	f, err := gofeed.NewParser().ParseString(body)
	if err != nil || len(f.Items) != 1 || f.Items[0].Title != "Grève des transports : le trafic sera perturbé jeudi" {
		t.Fatalf("gofeed: %v %+v", err, f)
	}
	o, err := store.NewS3(w.s3, "pressroom-feeds", "").Get(t.Context(), "feed.json")
	if err != nil || o.ContentType != "application/feed+json; charset=utf-8" || o.CacheControl != "public, max-age=300, stale-while-revalidate=60" {
		t.Errorf("feed.json object: %q %q %v", o.ContentType, o.CacheControl, err)
	}
	if len(w.cdn.runs) != 1 {
		t.Fatalf("%d invalidations", len(w.cdn.runs))
	}
	paths := w.cdn.runs[0]
	sort.Strings(paths)
	for _, want := range []string{"feed.xml", "atom.xml", "feed.json", "languages/fr/feed.xml", "index.html", "feeds.opml"} {
		if sort.SearchStrings(paths, want) == len(paths) || paths[sort.SearchStrings(paths, want)] != want {
			t.Errorf("invalidation lacks %s: %v", want, paths)
		}
	}
	// The same batch again: nothing changed, nothing to invalidate.
	if _, err := pub.Handle(t.Context(), raw); err != nil {
		t.Fatal(err)
	}
	if len(w.cdn.runs[1]) != 0 {
		t.Errorf("a repeated batch invalidated %v", w.cdn.runs[1])
	}
	// The schedule: nothing due yet.
	sched, _ := os.ReadFile("../../functions/publish/schedule.json")
	if _, err := pub.Handle(t.Context(), sched); err != nil {
		t.Fatal(err)
	}
	// A scheduled article comes due.
	w.put("pressroom-articles", "articles/later.md", "---\ntitle: Later\npublishDate: 2030-01-01T00:00:00Z\nlang: en\n---\n\nLater text.\n")
	readEvent(t, "../../functions/ingest/event.json", &ev)
	ev.Records[0].S3.Object.URLDecodedKey, ev.Records[0].S3.Object.Sequencer = "articles/later.md", "0062E99A99"
	if err := ing.Handle(t.Context(), ev); err != nil {
		t.Fatal(err)
	}
	pub.Now = func() time.Time { return time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC) }
	if _, err := pub.Handle(t.Context(), sched); err != nil {
		t.Fatal(err)
	}
	if body, _ := w.get("pressroom-feeds", "feed.xml"); !strings.Contains(body, "<title>Later</title>") {
		t.Error("the scheduled article did not appear after its date")
	}
}

func TestStreamFeeds(t *testing.T) {
	var ev events.DynamoDBEvent
	readEvent(t, "../../functions/publish/event.json", &ev)
	feeds, all := handler.StreamFeeds(ev.Records)
	if all || strings.Join(feeds, ",") != ",languages/fr,tags/grève,tags/transports" {
		t.Errorf("feeds %q, all %v", feeds, all)
	}
}

func TestSettingsFromEnv(t *testing.T) {
	for _, v := range []string{"PRESSROOM_TABLE", "PRESSROOM_ARTICLES_BUCKET", "PRESSROOM_FEEDS_BUCKET"} {
		t.Setenv(v, "")
	}
	if _, err := handler.FromEnv(true); err == nil || !strings.Contains(err.Error(), "PRESSROOM_TABLE") || !strings.Contains(err.Error(), "PRESSROOM_FEEDS_BUCKET") {
		t.Errorf("missing settings: %v", err)
	}
	t.Setenv("PRESSROOM_TABLE", "t")
	t.Setenv("PRESSROOM_ARTICLES_BUCKET", "a")
	t.Setenv("PRESSROOM_S3_PATH_STYLE", "true")
	s, err := handler.FromEnv(false)
	if err != nil || !s.PathStyle || s.ArticlesPrefix != "articles/" || s.ConfigKey != "config/pressroom.yaml" {
		t.Errorf("%+v %v", s, err)
	}
}

func TestConfigFromEnvironmentUntilUploaded(t *testing.T) {
	w := newWorld(t)
	w.s3.DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: aws.String("pressroom-articles"), Key: aws.String("config/pressroom.yaml")})
	t.Setenv("PRESSROOM_SITE_TITLE", "Le Quotidien")
	t.Setenv("PRESSROOM_SITE_BASE_URL", "https://quotidien.example.fr/")
	t.Setenv("PRESSROOM_SITE_LANGUAGE", "fr")
	w.put("pressroom-articles", "articles/a.md", "---\ntitle: Titre\ndate: 2026-03-01\n---\n\nTexte.\n")
	var ev events.S3Event
	readEvent(t, "../../functions/ingest/event.json", &ev)
	ev.Records[0].S3.Object.URLDecodedKey = "articles/a.md"
	if err := (&handler.Ingest{Deps: w.deps}).Handle(t.Context(), ev); err != nil {
		t.Fatal(err)
	}
	src, _ := w.index.Get(t.Context(), "a.md")
	if src.Article == nil || src.Article.URL != "https://quotidien.example.fr/a/" || src.Article.Lang != "fr" {
		t.Errorf("article %+v", src.Article)
	}
}

// TestConfigUploadReparsesArticles: a new pressroom.yaml changes article
// URLs; uploading it parses every article again at its current version.
func TestConfigUploadReparsesArticles(t *testing.T) {
	w := newWorld(t)
	h := &handler.Ingest{Deps: w.deps}
	event := func(key, seq string) events.S3Event {
		var ev events.S3Event
		readEvent(t, "../../functions/ingest/event.json", &ev)
		ev.Records[0].S3.Object.URLDecodedKey, ev.Records[0].S3.Object.Sequencer = key, seq
		return ev
	}
	for i, k := range []string{"articles/a.md", "articles/b.md", "articles/c.md"} {
		w.put("pressroom-articles", k, "---\ntitle: T"+k+"\ndate: 2026-03-01\n---\n\nText.\n")
		if err := h.Handle(t.Context(), event(k, fmt.Sprintf("0%d", i+1))); err != nil {
			t.Fatal(err)
		}
	}
	if src, _ := w.index.Get(t.Context(), "a.md"); src.Article.URL != "https://news.example.org/a/" {
		t.Fatalf("before: %s", src.Article.URL)
	}
	w.put("pressroom-articles", "config/pressroom.yaml", strings.Replace(siteYAML, "https://news.example.org/", "https://www.example.net/news/", 1)+"  limit: 20\n")
	if err := h.Handle(t.Context(), event("config/pressroom.yaml", "09")); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a", "b", "c"} {
		src, _ := w.index.Get(t.Context(), k+".md")
		if src.Article == nil || src.Article.URL != "https://www.example.net/news/"+k+"/" || src.Version != map[string]string{"a": "01", "b": "02", "c": "03"}[k] {
			t.Errorf("%s after the configuration change: %+v", k, src)
		}
	}
	// The marker for the publish function is set.
	if v, _ := w.index.OutputHash(t.Context(), handler.ConfigMarker); v != "09" {
		t.Errorf("config marker %q", v)
	}
	// Uploading the same configuration again parses nothing again: a later
	// upload of an article is still accepted at its own, newer version.
	if err := h.Handle(t.Context(), event("config/pressroom.yaml", "10")); err != nil {
		t.Fatal(err)
	}
	w.put("pressroom-articles", "articles/a.md", "---\ntitle: New A\ndate: 2026-03-01\n---\n\nText.\n")
	if err := h.Handle(t.Context(), event("articles/a.md", "11")); err != nil {
		t.Fatal(err)
	}
	if src, _ := w.index.Get(t.Context(), "a.md"); src.Article.Title != "New A" {
		t.Errorf("after a new upload: %q", src.Article.Title)
	}
}
