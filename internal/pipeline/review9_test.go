package pipeline_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"

	"fmt"
	"github.com/pressroom/pressroom/internal/feed"
	"github.com/pressroom/pressroom/internal/index/bolt"
	"github.com/pressroom/pressroom/internal/websub"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/config"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/store"
)

// newEnvYAML is newEnv with a whole configuration of its own.
func newEnvYAML(t *testing.T, yaml string) *env {
	e := newEnv(t, index.NewMemory(), store.NewMemory())
	cfg, err := config.Parse("pressroom.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	e.p.Config = cfg
	e.articles.SetClock(func() time.Time { return e.now })
	return e
}

const limit50Config = `
site:
  title: "Example Daily"
  base_url: "https://news.example.org/"
  language: "en"
feeds:
  limit: 50
  base_url: "https://feeds.example.org/"
`

// walk follows next_url from a live JSON feed and counts the items met.
func (e *env) walk(live string) (map[string]int, []string) {
	e.t.Helper()
	seen := map[string]int{}
	var missing []string
	d, _ := e.doc(live)
	for next := d.NextURL; next != ""; {
		p := pathOf(e.t, next)
		if len(e.keys(p)) == 0 {
			missing = append(missing, p)
			break
		}
		pg, _ := e.doc(p)
		for _, it := range pg.Items {
			seen[it.ID]++
		}
		next = pg.NextURL
	}
	return seen, missing
}

// TestReview9ArchiveBulkJumpLosesFirstPage: a feed that held exactly
// feeds.limit articles (complete: page 1's marks consumed while the feed
// had no pages) gains more than a page's worth in one publish. openArchive
// only writes the earlier pages when the feed has at most
// PageOf(limit)+1 pages, so here page 1 is never written: the archive
// walk from the live feed ends on a 404 and 50 articles are missing.
func TestReview9ArchiveBulkJumpLosesFirstPage(t *testing.T) {
	e := newEnvYAML(t, limit50Config)
	day := time.Date(2021, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; i < 50; i++ {
		e.ingest(fmt.Sprintf("a%03d.md", i), md(fmt.Sprintf("Story %03d", i), day.Add(time.Duration(i)*time.Hour).Format(time.RFC3339), "tags: [walk]"))
	}
	e.publish()
	// One bulk upload of 60 more articles (an import), one publish.
	for i := 50; i < 110; i++ {
		e.ingest(fmt.Sprintf("a%03d.md", i), md(fmt.Sprintf("Story %03d", i), day.Add(time.Duration(i)*time.Hour).Format(time.RFC3339), "tags: [walk]"))
	}
	e.publish()
	seen, missing := e.walk("tags/walk/feed.json")
	if len(missing) > 0 || len(seen) != 110 {
		t.Errorf("archive walk met %d of 110 articles; pages missing: %v (files: %v)", len(seen), missing, e.keys("tags/walk/archive/"))
	}
}

// failOnce is a store whose Put of one path fails once.
type failOnce struct {
	store.Store
	path   string
	failed bool
}

func (s *failOnce) Put(ctx context.Context, key string, body []byte, opts store.PutOptions) error {
	if key == s.path && !s.failed {
		s.failed = true
		return errors.New("store unavailable")
	}
	return s.Store.Put(ctx, key, body, opts)
}

// TestReview9WebSubPingsLostWhenPublishFails: a publish writes the live
// feeds (their output hashes are recorded at once on an index without
// transactions: DynamoDB, memory), then fails before recordPings (here
// index.html cannot be written; a Lambda timeout while rendering does the
// same). The next publish finds those feeds unchanged, so they are never
// in rep.Written again, and the hub is never told: "a hub's outage
// delays pings but never loses them" does not hold for a failed publish.
func TestReview9WebSubPingsLostWhenPublishFails(t *testing.T) {
	h := &hub{}
	srv := httptest.NewServer(h)
	defer srv.Close()
	e := newEnvConfig(t, "websub:\n  hubs: [\""+srv.URL+"/\"]\n")
	e.p.WebSub = &websub.Notifier{Backoff: time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	e.p.Store = &failOnce{Store: e.p.Store, path: feed.IndexPath}
	e.ingest("a.md", md("A", "2021-05-01", "tags: [x]"))
	if _, err := e.p.Publish(context.Background(), nil); err == nil {
		t.Fatal("the first publish should fail on index.html")
	}
	e.publish() // the retry succeeds
	e.publish()
	got := h.take()
	if !contains(got, "https://feeds.example.org/tags/x/feed.json") || !contains(got, "https://feeds.example.org/feed.xml") {
		t.Errorf("the hub was told of %q: the feeds written by the failed publish were never pinged", got)
	}
}

// TestReview9WebSubPendingOverMaxState: the pending pings are capped at
// 1000 URLs, not at index.MaxState bytes. 1000 URLs of feeds with long
// slugs (an Arabic two-word tag is ~120 bytes percent-encoded) pass
// 128 KiB: SetState fails and the publish with it. With bbolt the whole
// publish transaction rolls back, so every build after fails the same way
// (pending marks never clear); here the first publish after enabling a hub
// (every feed changed) fails.
func TestReview9WebSubPendingOverMaxState(t *testing.T) {
	h := &hub{}
	srv := httptest.NewServer(h)
	defer srv.Close()
	ix, err := bolt.Open(filepath.Join(t.TempDir(), "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	e := newEnv(t, ix, store.NewMemory())
	cfg, err := config.Parse("pressroom.yaml", []byte(siteConfig+"websub:\n  hubs: [\""+srv.URL+"/\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	e.p.Config = cfg
	e.p.WebSub = &websub.Notifier{Backoff: time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	// 9 articles, 40 distinct long tags each: 360 tag feeds, 1080 files.
	for i := 0; i < 9; i++ {
		var tags []string
		for j := 0; j < 40; j++ {
			tags = append(tags, fmt.Sprintf("\"الانتخابات التشريعية %d-%d\"", i, j))
		}
		e.ingest(fmt.Sprintf("a%d.md", i), md(fmt.Sprintf("A%d", i), "2021-05-01", "tags: ["+strings.Join(tags, ", ")+"]"))
	}
	for i := 0; i < 2; i++ {
		if _, err := e.p.Publish(context.Background(), nil); err != nil {
			t.Errorf("publish %d: %v", i+1, err)
		}
	}
}

// TestReview9ArchiveAfterLimitRaised: feeds.limit 10, a tag with 30
// articles; the limit is raised to 100 (a new configuration: every feed
// rendered again), then the feed grows to 110. (When pages appeared only
// once a feed outgrew its live feed, the raise left a stale page 1 and the
// later growth never wrote page 2.) Every article stays on the walk.
func TestReview9ArchiveAfterLimitRaised(t *testing.T) {
	cfg := func(limit int) string {
		return fmt.Sprintf("site:\n  title: T\n  base_url: \"https://news.example.org/\"\nfeeds:\n  limit: %d\n  base_url: \"https://feeds.example.org/\"\n", limit)
	}
	e := newEnvYAML(t, cfg(10))
	day := time.Date(2021, 1, 1, 8, 0, 0, 0, time.UTC)
	add := func(from, to int) {
		for i := from; i < to; i++ {
			e.ingest(fmt.Sprintf("a%03d.md", i), md(fmt.Sprintf("Story %03d", i), day.Add(time.Duration(i)*time.Hour).Format(time.RFC3339), "tags: [walk]"))
		}
	}
	add(0, 30)
	e.publish()
	c, err := config.Parse("pressroom.yaml", []byte(cfg(100)))
	if err != nil {
		t.Fatal(err)
	}
	e.p.Config = c
	if err := e.ix.MarkPending(context.Background(), index.Work{}, true); err != nil { // what a build does on a new configuration
		t.Fatal(err)
	}
	e.publish()
	if seen, missing := e.walk("tags/walk/feed.json"); len(missing) > 0 || len(seen) != 30 {
		t.Errorf("after the raise the walk met %d of 30 articles; pages missing: %v", len(seen), missing)
	}
	add(30, 100)
	e.publish()
	add(100, 110)
	e.publish()
	seen, missing := e.walk("tags/walk/feed.json")
	if len(missing) > 0 || len(seen) != 110 {
		t.Errorf("archive walk met %d of 110 articles; pages missing: %v", len(seen), missing)
	}
}

// TestReview9DeletionOfLastArticleNotAnnounced: a feed whose last live
// article is deleted loses its files (liveDoc → removeFeed) in the
// same publish that should announce the deletion, so it is announced
// nowhere in that feed. A partner whose filter matched that one story
// gets a 403/404 for its feed instead of _pressroom.deleted, and keeps
// the story up; readers of the tag feed likewise. docs/feeds.md says a
// deleted article "stays announced in the live feeds it was in for
// feeds.deleted_days".
func TestReview9DeletionOfLastArticleNotAnnounced(t *testing.T) {
	e := newEnvConfig(t, "partners:\n  - name: solo\n    tags: [x]\n")
	e.ingest("a.md", md("A", "2021-05-01", "tags: [x]"))
	e.ingest("b.md", md("B", "2021-05-02"))
	e.publish()
	e.now = e.now.Add(time.Hour)
	e.remove("a.md")
	e.publish()
	for _, p := range []string{"partners/solo/feed.json", "tags/x/feed.json"} {
		if len(e.keys(p)) == 0 {
			t.Errorf("%s is gone: the deletion of its only article is announced nowhere in it", p)
			continue
		}
		if d, _ := e.doc(p); len(d.Pressroom.Deleted) != 1 {
			t.Errorf("%s announces %+v", p, d.Pressroom.Deleted)
		}
	}
}

// TestReview9SizeBudgetBreaksCompleteAndArchive: feeds.max_bytes leaves
// the oldest items out of a document that does not fit even in brief.
// A feed that never outgrew feeds.limit still says fh:complete
// (_pressroom.pages 0) while items are left out of it: RFC 5005 readers
// take a complete feed as the whole set and drop the missing items, and
// there is no archive page to find them on. Archive pages are cut the
// same way: articles that are on no page at all.
func TestReview9SizeBudgetBreaksCompleteAndArchive(t *testing.T) {
	e := newEnvYAML(t, limit50Config+"  max_bytes: 16KiB\n")
	day := time.Date(2021, 1, 1, 8, 0, 0, 0, time.UTC)
	long := strings.Repeat("word ", 60)
	for i := 0; i < 40; i++ {
		e.ingest(fmt.Sprintf("a%03d.md", i), md(fmt.Sprintf("Story %03d %s", i, long), day.Add(time.Duration(i)*time.Hour).Format(time.RFC3339),
			"tags: [walk]", "summary: \""+long+"\""))
	}
	e.publish()
	live, _ := e.doc("tags/walk/feed.json")
	if live.Pressroom.Pages == 0 && len(live.Items) < 40 {
		t.Errorf("the live feed says it is complete (pages 0, fh:complete) but holds %d of its 40 articles", len(live.Items))
	}
	for i := 40; i < 120; i++ {
		e.ingest(fmt.Sprintf("a%03d.md", i), md(fmt.Sprintf("Story %03d %s", i, long), day.Add(time.Duration(i)*time.Hour).Format(time.RFC3339),
			"tags: [walk]", "summary: \""+long+"\""))
	}
	e.publish()
	seen, missing := e.walk("tags/walk/feed.json")
	if len(missing) > 0 || len(seen) != 120 {
		t.Errorf("archive walk met %d of 120 articles (pages missing: %v)", len(seen), missing)
	}
}

// TestReview9IDChangeByReparseNotAnnounced: an article's id follows the
// site host, so a new site.base_url (a domain move) gives every article
// another id when the new configuration parses them again. The index
// records the old id as Gone, but dated changeTime(src) = the file's
// upload time (re-parsing keeps it), not when the id changed: an article
// uploaded more than feeds.deleted_days ago has its deletion outside the
// window before it is ever published, so partners keyed by id keep the
// story under its old id forever (a duplicate beside the new one).
func TestReview9IDChangeByReparseNotAnnounced(t *testing.T) {
	e := newEnvConfig(t, "")
	e.ingest("a.md", md("A", "2021-05-01", "tags: [x]"))
	e.ingest("b.md", md("B", "2021-05-02", "tags: [x]"))
	e.publish()
	old, _ := e.doc("feed.json")
	e.now = e.now.Add(40 * 24 * time.Hour)
	moved := strings.Replace(siteConfig, "news.example.org", "www.example.org", 1)
	cfg, err := config.Parse("pressroom.yaml", []byte(moved))
	if err != nil {
		t.Fatal(err)
	}
	e.p.Config = cfg
	e.apply("a.md")
	e.apply("b.md")
	gs, _ := e.ix.Gone(context.Background())
	t.Logf("gone records: %+v", gs)
	e.publish()
	live, _ := e.doc("feed.json")
	if live.Items[0].ID == old.Items[0].ID {
		t.Fatalf("the id did not change: %s", live.Items[0].ID)
	}
	if len(live.Pressroom.Deleted) != 2 {
		t.Errorf("ids %s and %s were replaced; announced: %+v", old.Items[0].ID, old.Items[1].ID, live.Pressroom.Deleted)
	}
}
