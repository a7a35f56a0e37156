package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/config"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/index/bolt"
	"github.com/pressroom/pressroom/internal/pipeline"
	"github.com/pressroom/pressroom/internal/store"
)

// env is a pipeline on memory adapters with a clock the test moves, and
// an articles store the test uploads to, as editors do to S3.
type env struct {
	t        *testing.T
	p        *pipeline.Pipeline
	st       *store.Memory
	ix       index.Index
	articles *store.Memory
	now      time.Time
	v        int
}

var siteConfig = `
site:
  title: "Example Daily"
  base_url: "https://news.example.org/"
  language: "ar"
  timezone: "Africa/Casablanca"
feeds:
  limit: 3
  base_url: "https://feeds.example.org/"
`

func newEnv(t *testing.T, ix index.Index, st store.Store) *env {
	cfg, err := config.Parse("pressroom.yaml", []byte(siteConfig))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ix: ix, now: time.Date(2021, 6, 1, 12, 0, 0, 0, time.UTC), articles: store.NewMemory()}
	if m, ok := st.(*store.Memory); ok {
		e.st = m
	}
	e.p = &pipeline.Pipeline{Parse: article.Parse, Index: ix, Store: st, Config: cfg, Now: func() time.Time { return e.now },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return e
}

func md(title, date string, extra ...string) string {
	return "---\ntitle: \"" + title + "\"\ndate: " + date + "\n" + strings.Join(extra, "\n") + "\n---\n\nBody of " + title + ".\n"
}

// ingest uploads a file and applies its event at the next version.
func (e *env) ingest(key, text string) pipeline.Result {
	e.t.Helper()
	if err := e.articles.Put(context.Background(), key, []byte(text), store.PutOptions{}); err != nil {
		e.t.Fatal(err)
	}
	return e.apply(key)
}

// remove deletes a file and applies its event at the next version.
func (e *env) remove(key string) pipeline.Result {
	e.t.Helper()
	if err := e.articles.Delete(context.Background(), key); err != nil {
		e.t.Fatal(err)
	}
	return e.apply(key)
}

func (e *env) apply(key string) pipeline.Result {
	e.t.Helper()
	e.v++
	r, err := e.p.Apply(context.Background(), e.articles, key, fmt.Sprintf("%04d", e.v))
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) publish(feeds ...string) pipeline.Report {
	e.t.Helper()
	r, err := e.p.Publish(context.Background(), feeds)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) publishAll() pipeline.Report {
	e.t.Helper()
	all, err := e.p.AllFeeds(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return e.publish(all...)
}

// titles reads a JSON feed from the store: its item titles, newest first,
// or nil when the feed file does not exist.
func (e *env) titles(feedPath string) []string {
	e.t.Helper()
	o, err := e.p.Store.Get(context.Background(), feedPath, store.GetOptions{})
	if err != nil {
		return nil
	}
	var doc struct {
		Items []struct{ Title string } `json:"items"`
	}
	if err := json.Unmarshal(o.Body, &doc); err != nil {
		e.t.Fatalf("%s: %v", feedPath, err)
	}
	out := []string{}
	for _, it := range doc.Items {
		out = append(out, it.Title)
	}
	return out
}

func eq(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func TestAddEditDelete(t *testing.T) {
	e := newEnv(t, index.NewMemory(), store.NewMemory())
	r := e.ingest("a.md", md("Alpha", "2021-05-01", "tags: [culture]"))
	if r.Outcome != pipeline.Published {
		t.Fatalf("outcome %s: %v", r.Outcome, r.Problems)
	}
	sort.Strings(r.Feeds)
	eq(t, "feeds of a new article", r.Feeds, []string{"", "languages/ar", "tags/culture"})
	e.publish(r.Feeds...)
	eq(t, "site", e.titles("feed.json"), []string{"Alpha"})
	eq(t, "tag", e.titles("tags/culture/feed.json"), []string{"Alpha"})

	// Edit: the tag changes; the old tag feed is emptied and removed.
	r = e.ingest("a.md", md("Alpha v2", "2021-05-01", "tags: [sport]"))
	sort.Strings(r.Feeds)
	eq(t, "feeds of an edit", r.Feeds, []string{"", "languages/ar", "tags/culture", "tags/sport"})
	rep := e.publish(r.Feeds...)
	eq(t, "site after edit", e.titles("feed.json"), []string{"Alpha v2"})
	eq(t, "new tag", e.titles("tags/sport/feed.json"), []string{"Alpha v2"})
	if e.titles("tags/culture/feed.json") != nil {
		t.Error("the emptied tag feed still exists")
	}
	if !contains(rep.Deleted, "tags/culture/feed.xml") {
		t.Errorf("deleted %v", rep.Deleted)
	}

	// Delete.
	r = e.remove("a.md")
	if r.Outcome != pipeline.Removed {
		t.Fatalf("outcome %s", r.Outcome)
	}
	e.publish(r.Feeds...)
	eq(t, "site after delete", e.titles("feed.json"), []string{})
	// The emptied tag feed stays while it announces the deletion, then goes.
	if d, _ := e.doc("tags/sport/feed.json"); len(d.Items) != 0 || len(d.Pressroom.Deleted) != 1 {
		t.Errorf("the emptied tag feed: %d items, deletions %+v", len(d.Items), d.Pressroom.Deleted)
	}
	e.now = e.now.Add(31 * 24 * time.Hour)
	e.publish()
	if e.titles("tags/sport/feed.json") != nil {
		t.Error("the deleted article's tag feed remains after its deletion's announcement")
	}
}

func TestRejectAfterGoodKeepsLastGoodVersion(t *testing.T) {
	e := newEnv(t, index.NewMemory(), store.NewMemory())
	e.publish(e.ingest("a.md", md("Good", "2021-05-01")).Feeds...)
	before, _ := e.st.Get(context.Background(), "feed.xml", store.GetOptions{})

	r := e.ingest("a.md", "---\ntitle: \"Broken\"\ndate: whenever\n---\n\nBody.\n")
	if r.Outcome != pipeline.Rejected || len(r.Problems) != 1 || r.Problems[0].Field != "date" || r.Problems[0].Line != 3 {
		t.Fatalf("result %+v", r)
	}
	rep := e.publish(r.Feeds...)
	eq(t, "site after a bad upload", e.titles("feed.json"), []string{"Good"})
	after, _ := e.st.Get(context.Background(), "feed.xml", store.GetOptions{})
	if string(before.Body) != string(after.Body) || len(rep.Written) != 0 {
		t.Errorf("a rejected upload changed published bytes: wrote %v", rep.Written)
	}
	src, _ := e.ix.Get(context.Background(), "a.md")
	if src.Article == nil || src.Article.Title != "Good" || len(src.Problems) != 1 {
		t.Errorf("index: %+v", src)
	}
	// Fixing the file publishes the fix and clears the problems.
	e.publish(e.ingest("a.md", md("Fixed", "2021-05-01")).Feeds...)
	eq(t, "after the fix", e.titles("feed.json"), []string{"Fixed"})
	if src, _ := e.ix.Get(context.Background(), "a.md"); src.Problems != nil {
		t.Errorf("problems not cleared: %v", src.Problems)
	}
}

func TestDraftScheduledExpired(t *testing.T) {
	e := newEnv(t, index.NewMemory(), store.NewMemory())
	e.ingest("live.md", md("Live", "2021-05-01"))
	e.ingest("draft.md", md("Draft", "2021-05-02", "draft: true"))
	e.ingest("later.md", md("Later", "2021-06-10T09:00:00+01:00"))
	e.ingest("ending.md", md("Ending", "2021-05-03", "expiryDate: 2021-06-05T00:00:00Z"))
	e.publishAll()
	eq(t, "site now", e.titles("feed.json"), []string{"Ending", "Live"})

	// Time passes: the expiry comes, then the schedule. Every publish
	// renders the feeds whose articles came due since the last one.
	e.now = time.Date(2021, 6, 6, 0, 0, 0, 0, time.UTC)
	e.publish()
	eq(t, "site after expiry", e.titles("feed.json"), []string{"Live"})

	e.now = time.Date(2021, 6, 11, 0, 0, 0, 0, time.UTC)
	if rep := e.publish(); rep.Rendered == 0 {
		t.Error("the scheduled article's feeds were not rendered")
	}
	eq(t, "site after the schedule", e.titles("feed.json"), []string{"Later", "Live"})
	// Nothing new is due: the next run renders nothing.
	if rep := e.publish(); rep.Rendered != 0 {
		t.Errorf("rendered %d feeds with nothing due", rep.Rendered)
	}
}

// TestDueWorkIsNeverSkipped: a publish started for other changes (a
// stream batch) must not advance past scheduled work it did not render.
// X is scheduled with a tag of its own; a run for Y happens after X's
// time; X must appear in its tag feed.
func TestDueWorkIsNeverSkipped(t *testing.T) {
	e := newEnv(t, index.NewMemory(), store.NewMemory())
	e.now = time.Date(2029, 12, 31, 23, 55, 0, 0, time.UTC)
	e.ingest("x.md", md("X", "2030-01-01T00:00:00Z", "tags: [xonly]"))
	e.ingest("e.md", md("E", "2029-12-01T00:00:00Z", "tags: [eonly]", "expiryDate: 2030-01-01T00:01:00Z"))
	e.publish() // the schedule at 23:55
	if e.titles("tags/xonly/feed.json") != nil {
		t.Fatal("X published before its time")
	}
	e.now = time.Date(2030, 1, 1, 0, 2, 0, 0, time.UTC)
	e.ingest("y.md", md("Y", "2029-12-31T00:00:00Z", "tags: [yonly]"))
	e.publish() // a stream batch for Y at 00:02
	e.now = time.Date(2030, 1, 1, 0, 5, 0, 0, time.UTC)
	e.publish() // the schedule at 00:05
	e.now = time.Date(2030, 1, 1, 1, 0, 0, 0, time.UTC)
	e.publish()
	eq(t, "X's own tag", e.titles("tags/xonly/feed.json"), []string{"X"})
	eq(t, "site", e.titles("feed.json"), []string{"X", "Y"})
	// The expired article left its own tag feed, which announces it.
	if d, _ := e.doc("tags/eonly/feed.json"); len(d.Items) != 0 || len(d.Pressroom.Deleted) != 1 {
		t.Errorf("the expired article's own tag feed: %d items, deletions %+v", len(d.Items), d.Pressroom.Deleted)
	}
}

func TestRename(t *testing.T) {
	e := newEnv(t, index.NewMemory(), store.NewMemory())
	e.ingest("old-name.md", md("Story", "2021-05-01", "slug: story"))
	e.publish()
	// A rename arrives as a create of the new key and a removal of the old,
	// in either order. Created first, the new key waits for the slug.
	if r := e.ingest("new-name.md", md("Story", "2021-05-01", "slug: story")); r.Outcome != pipeline.Rejected {
		t.Errorf("the new name took a slug still held: %+v", r)
	}
	e.remove("old-name.md")
	e.publish()
	eq(t, "site after rename", e.titles("feed.json"), []string{"Story"})
	src, err := e.ix.Get(context.Background(), "new-name.md")
	if err != nil || src.Article == nil || src.Problems != nil {
		t.Errorf("the renamed file: %+v, %v", src, err)
	}
	// Removed first, the slug is free for the new name at once.
	e.remove("new-name.md")
	e.ingest("third.md", md("Story", "2021-05-01", "slug: story"))
	e.publish()
	eq(t, "site after a second rename", e.titles("feed.json"), []string{"Story"})
}

// TestDuplicateSlugs: two files that would publish one id and one link:
// the second is rejected, naming the first, which stays published.
func TestDuplicateSlugs(t *testing.T) {
	e := newEnv(t, index.NewMemory(), store.NewMemory())
	e.ingest("2021-03-23-greve-transports.md", md("Grève", "2021-03-23"))
	r := e.ingest("greve-transports.txt", "Grève des transports\n\n23 mars 2021\n\nLe texte de la dépêche, assez long pour un corps d'article.\n")
	if r.Outcome != pipeline.Rejected || len(r.Problems) != 1 || r.Problems[0].Field != "id" ||
		!strings.Contains(r.Problems[0].Message, "2021-03-23-greve-transports.md") {
		t.Fatalf("a second file with the same slug: %+v", r)
	}
	e.publish()
	eq(t, "site", e.titles("feed.json"), []string{"Grève"})
	// Its own slug fixes it.
	r = e.ingest("greve-transports.txt", "---\nslug: greve-transports-2\n---\nGrève des transports (suite)\n\n23 mars 2021\n\nLe texte de la dépêche, assez long pour un corps d'article.\n")
	if r.Outcome != pipeline.Published {
		t.Fatalf("with its own slug: %+v", r)
	}
	e.publish()
	if got := e.titles("feed.json"); len(got) != 2 {
		t.Errorf("site: %q", got)
	}
}

func TestPublishIsIdempotentAndWritesOnlyChanges(t *testing.T) {
	e := newEnv(t, index.NewMemory(), store.NewMemory())
	e.ingest("a.md", md("A", "2021-05-01", "tags: [x]"))
	e.ingest("b.md", md("B", "2021-05-02", "tags: [y]"))
	first := e.publishAll()
	if len(first.Written) == 0 {
		t.Fatal("nothing written")
	}
	again := e.publishAll()
	if len(again.Written) != 0 || len(again.Deleted) != 0 {
		t.Errorf("second publish wrote %v, deleted %v", again.Written, again.Deleted)
	}
	// Editing b's body changes the site, language and y feeds only, and
	// the archive page of each that holds b.
	r := e.ingest("b.md", md("B", "2021-05-02", "tags: [y]")+"More.\n")
	rep := e.publish(r.Feeds...)
	sort.Strings(rep.Written)
	want := []string{"archive/1/atom.xml", "archive/1/feed.json", "archive/1/feed.xml", "atom.xml", "feed.json", "feed.xml",
		"languages/ar/archive/1/atom.xml", "languages/ar/archive/1/feed.json", "languages/ar/archive/1/feed.xml",
		"languages/ar/atom.xml", "languages/ar/feed.json", "languages/ar/feed.xml",
		"tags/y/archive/1/atom.xml", "tags/y/archive/1/feed.json", "tags/y/archive/1/feed.xml",
		"tags/y/atom.xml", "tags/y/feed.json", "tags/y/feed.xml"}
	eq(t, "written after an edit", rep.Written, want)
}

func TestLimitAndOrder(t *testing.T) {
	e := newEnv(t, index.NewMemory(), store.NewMemory())
	for i, d := range []string{"2021-05-03", "2021-05-01", "2021-05-05", "2021-05-04", "2021-05-02"} {
		e.ingest(fmt.Sprintf("%d.md", i), md("Day "+d, d))
	}
	e.publishAll()
	eq(t, "site (limit 3)", e.titles("feed.json"), []string{"Day 2021-05-05", "Day 2021-05-04", "Day 2021-05-03"})
}

func TestStaleEventsAreIgnored(t *testing.T) {
	e := newEnv(t, index.NewMemory(), store.NewMemory())
	ctx := context.Background()
	if _, err := e.p.Ingest(ctx, "a.md", "0005", []byte(md("New", "2021-05-01")), e.now); err != nil {
		t.Fatal(err)
	}
	r, err := e.p.Ingest(ctx, "a.md", "0003", []byte(md("Old", "2021-05-01")), e.now)
	if err != nil || r.Outcome != pipeline.Stale || len(r.Feeds) != 0 {
		t.Fatalf("late older event: %+v, %v", r, err)
	}
	r, err = e.p.Ingest(ctx, "a.md", "0005", []byte(md("New", "2021-05-01")), e.now)
	if err != nil || r.Outcome != pipeline.Stale {
		t.Fatalf("duplicate event: %+v, %v", r, err)
	}
	if r, _ := e.p.Remove(ctx, "a.md", "0004"); r.Outcome != pipeline.Stale {
		t.Fatalf("late older removal: %+v", r)
	}
	e.publishAll()
	eq(t, "site", e.titles("feed.json"), []string{"New"})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// --- local mode: Sync and Build on a folder, with bbolt and a folder store.

type local struct {
	*env
	src, out string
}

func newLocal(t *testing.T) *local {
	dir := t.TempDir()
	src, out := filepath.Join(dir, "articles"), filepath.Join(dir, "public")
	os.MkdirAll(src, 0o755)
	ix, err := bolt.Open(filepath.Join(out, ".pressroom", "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	st, err := store.NewFolder(out)
	if err != nil {
		t.Fatal(err)
	}
	return &local{env: newEnv(t, ix, st), src: src, out: out}
}

func (l *local) write(name, text string, mtime time.Time) {
	l.t.Helper()
	p := filepath.Join(l.src, name)
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		l.t.Fatal(err)
	}
	os.Chtimes(p, mtime, mtime)
}

func (l *local) build() (pipeline.SyncReport, pipeline.Report) {
	l.t.Helper()
	s, p, err := l.p.Build(context.Background(), l.src, false, nil)
	if err != nil {
		l.t.Fatal(err)
	}
	return s, p
}

func TestLocalBuildIsIncremental(t *testing.T) {
	l := newLocal(t)
	t0 := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC)
	l.write("a.md", md("A", "2021-05-01", "tags: [x]"), t0)
	l.write("news/b.txt", "Headline B\n\n22 février 2021\n\nLe corps de l'article, en français, avec assez de mots.\n", t0)
	l.write("notes.odt", "not an article", t0)
	s, p := l.build()
	if s.Published != 2 || len(s.Rejections) != 0 || s.Unchanged != 0 || len(p.Written) == 0 {
		t.Fatalf("first build: %+v, wrote %d", s, len(p.Written))
	}
	// Nothing changed: nothing read, nothing written.
	s, p = l.build()
	if s.Published != 0 || s.Unchanged != 2 || len(p.Written) != 0 {
		t.Errorf("second build: %+v, wrote %v", s, p.Written)
	}
	// Touched but identical: hashed, not parsed again, nothing written.
	l.write("a.md", md("A", "2021-05-01", "tags: [x]"), t0.Add(time.Hour))
	s, p = l.build()
	if s.Published != 0 || s.Unchanged != 2 || len(p.Written) != 0 {
		t.Errorf("after a touch: %+v, wrote %v", s, p.Written)
	}
	// A broken upload of a published article keeps the good version.
	l.write("a.md", "---\ntitle: A\ndate: never\n---\nx\n", t0.Add(2*time.Hour))
	s, p = l.build()
	if len(s.Rejections) != 1 || s.Rejections[0].Key != "a.md" || !s.Rejections[0].New || !s.Rejections[0].Kept || len(p.Written) != 0 {
		t.Errorf("broken upload: %+v, wrote %v", s, p.Written)
	}
	eq(t, "site keeps A", l.titles("feed.json"), []string{"A", "Headline B"})
	// The rejection is reported on every build until fixed.
	if s, _ = l.build(); len(s.Rejections) != 1 || s.Rejections[0].New || s.Unchanged != 1 {
		t.Errorf("rejection not reported again, or counted as unchanged: %+v", s)
	}
	// A file restored with an older date is still a new version.
	l.write("a.md", md("A restored", "2021-05-01", "tags: [x]"), t0.Add(-time.Hour))
	l.build()
	eq(t, "restored", l.titles("feed.json"), []string{"A restored", "Headline B"})
	// Deleting a file removes it from every feed and its emptied feeds.
	os.Remove(filepath.Join(l.src, "a.md"))
	s, _ = l.build()
	if len(s.Removed) != 1 {
		t.Errorf("removal: %+v", s)
	}
	eq(t, "after removal", l.titles("feed.json"), []string{"Headline B"})
	// Its emptied tag feed announces the deletion, with no item and no
	// archive page.
	if got := l.titles("tags/x/feed.json"); got == nil || len(got) != 0 {
		t.Errorf("the removed article's tag feed: %q", got)
	}
	if _, err := os.Stat(filepath.Join(l.out, "tags", "x", "archive")); !os.IsNotExist(err) {
		t.Errorf("the emptied tag feed kept its archive pages: %v", err)
	}
}

func TestLocalBuildIsDeterministic(t *testing.T) {
	var outputs []map[string]string
	for run := 0; run < 2; run++ {
		l := newLocal(t)
		t0 := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; i < 8; i++ {
			// Same dates on purpose: the tie-breaker must decide.
			l.write(fmt.Sprintf("%d.md", i), md(fmt.Sprintf("T%d", i), "2021-05-01", "tags: [a, b]"), t0)
		}
		l.build()
		files := map[string]string{}
		filepath.Walk(l.out, func(p string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() && !strings.Contains(p, ".pressroom") {
				data, _ := os.ReadFile(p)
				rel, _ := filepath.Rel(l.out, p)
				files[rel] = string(data)
			}
			return nil
		})
		outputs = append(outputs, files)
	}
	if len(outputs[0]) == 0 || !reflect.DeepEqual(outputs[0], outputs[1]) {
		t.Errorf("two builds of the same files differ (%d and %d files)", len(outputs[0]), len(outputs[1]))
	}
}

func TestLocalBuildRestoresDeletedOutputs(t *testing.T) {
	l := newLocal(t)
	l.write("a.md", md("A", "2021-05-01", "tags: [x]"), time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC))
	l.build()
	before := l.titles("tags/x/feed.json")
	os.RemoveAll(filepath.Join(l.out, "tags"))
	os.Remove(filepath.Join(l.out, "index.html"))
	_, p := l.build()
	if got := l.titles("tags/x/feed.json"); !reflect.DeepEqual(got, before) || len(p.Written) != 4 {
		t.Errorf("deleted outputs not restored: %q, wrote %v", got, p.Written)
	}
}

func TestLocalConfigChangeReparses(t *testing.T) {
	l := newLocal(t)
	t0 := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC)
	l.write("a.md", md("A", "2021-05-01"), t0)
	l.build()
	cfg, err := config.Parse("pressroom.yaml", []byte(strings.Replace(siteConfig, "https://news.example.org/", "https://daily.example.com/", 1)))
	if err != nil {
		t.Fatal(err)
	}
	l.p.Config = cfg
	s, p := l.build()
	if s.Published != 1 || len(p.Written) == 0 {
		t.Fatalf("after a config change: %+v, wrote %v", s, p.Written)
	}
	o, _ := l.p.Store.Get(context.Background(), "feed.json", store.GetOptions{})
	if !strings.Contains(string(o.Body), "https://daily.example.com/a/") {
		t.Errorf("article URLs not rebuilt from the new base URL")
	}
}

// refusing is an index that refuses the article of one key, as DynamoDB
// refuses an item over 400 KB.
type refusing struct {
	index.Index
	key string
}

func (r refusing) Put(ctx context.Context, s index.Source) (index.Change, error) {
	if s.Key == r.key && s.Article != nil {
		return index.Change{}, fmt.Errorf("%w: Item size has exceeded the maximum allowed size", index.ErrRefused)
	}
	return r.Index.Put(ctx, s)
}

// TestWriteRefusedIsARejection: a write the index refuses because of what
// the file holds is reported to the editor, not retried for ever; the last
// good version stays.
func TestWriteRefusedIsARejection(t *testing.T) {
	mem := index.NewMemory()
	e := newEnv(t, mem, store.NewMemory())
	e.ingest("a.md", md("Good", "2021-05-01"))
	e.p.Index = refusing{mem, "a.md"}
	r := e.ingest("a.md", md("Too big for the index", "2021-05-01"))
	if r.Outcome != pipeline.Rejected || len(r.Problems) != 1 || !strings.Contains(r.Problems[0].Message, "cannot be stored") {
		t.Fatalf("a refused write: %+v", r)
	}
	e.publish()
	eq(t, "site keeps the last good version", e.titles("feed.json"), []string{"Good"})
}
