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

	"github.com/pressroom/pressroom/internal/config"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/pipeline"
	"github.com/pressroom/pressroom/internal/store"
)

// env is a pipeline on memory adapters with a clock the test moves.
type env struct {
	t   *testing.T
	p   *pipeline.Pipeline
	st  *store.Memory
	ix  index.Index
	now time.Time
	v   int
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
	e := &env{t: t, ix: ix, now: time.Date(2021, 6, 1, 12, 0, 0, 0, time.UTC)}
	if m, ok := st.(*store.Memory); ok {
		e.st = m
	}
	e.p = &pipeline.Pipeline{Index: ix, Store: st, Config: cfg, Now: func() time.Time { return e.now },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return e
}

func md(title, date string, extra ...string) string {
	return "---\ntitle: \"" + title + "\"\ndate: " + date + "\n" + strings.Join(extra, "\n") + "\n---\n\nBody of " + title + ".\n"
}

// ingest uploads a file at the next version.
func (e *env) ingest(key, text string) pipeline.Result {
	e.t.Helper()
	e.v++
	r, err := e.p.Ingest(context.Background(), key, fmt.Sprintf("%04d", e.v), []byte(text), e.now)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) remove(key string) pipeline.Result {
	e.t.Helper()
	e.v++
	r, err := e.p.Remove(context.Background(), key, fmt.Sprintf("%04d", e.v))
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
	o, err := e.p.Store.Get(context.Background(), feedPath)
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
	if e.titles("tags/sport/feed.json") != nil {
		t.Error("the deleted article's tag feed remains")
	}
}

func TestRejectAfterGoodKeepsLastGoodVersion(t *testing.T) {
	e := newEnv(t, index.NewMemory(), store.NewMemory())
	e.publish(e.ingest("a.md", md("Good", "2021-05-01")).Feeds...)
	before, _ := e.st.Get(context.Background(), "feed.xml")

	r := e.ingest("a.md", "---\ntitle: \"Broken\"\ndate: whenever\n---\n\nBody.\n")
	if r.Outcome != pipeline.Rejected || len(r.Problems) != 1 || r.Problems[0].Field != "date" || r.Problems[0].Line != 3 {
		t.Fatalf("result %+v", r)
	}
	rep := e.publish(r.Feeds...)
	eq(t, "site after a bad upload", e.titles("feed.json"), []string{"Good"})
	after, _ := e.st.Get(context.Background(), "feed.xml")
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

	// Time passes: the expiry comes, then the schedule. Publish renders the
	// feeds Due reports, as the scheduled publish does.
	e.now = time.Date(2021, 6, 6, 0, 0, 0, 0, time.UTC)
	due, err := e.p.Due(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e.publish(due...)
	eq(t, "site after expiry", e.titles("feed.json"), []string{"Live"})

	e.now = time.Date(2021, 6, 11, 0, 0, 0, 0, time.UTC)
	due, _ = e.p.Due(context.Background())
	if !contains(due, "") {
		t.Errorf("due %q lacks the site feed", due)
	}
	e.publish(due...)
	eq(t, "site after the schedule", e.titles("feed.json"), []string{"Later", "Live"})
	// Nothing new is due: the scheduled run renders nothing.
	if due, _ := e.p.Due(context.Background()); len(due) != 0 {
		t.Errorf("due again: %q", due)
	}
}

func TestRename(t *testing.T) {
	e := newEnv(t, index.NewMemory(), store.NewMemory())
	e.publish(e.ingest("old-name.md", md("Story", "2021-05-01", "slug: story")).Feeds...)
	// A rename arrives as a create of the new key and a removal of the old.
	feeds := e.ingest("new-name.md", md("Story", "2021-05-01", "slug: story")).Feeds
	feeds = append(feeds, e.remove("old-name.md").Feeds...)
	e.publish(feeds...)
	eq(t, "site after rename", e.titles("feed.json"), []string{"Story"})
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
	// Editing b's body changes the site, language and y feeds only.
	r := e.ingest("b.md", md("B", "2021-05-02", "tags: [y]")+"More.\n")
	rep := e.publish(r.Feeds...)
	sort.Strings(rep.Written)
	want := []string{"atom.xml", "feed.json", "feed.xml", "languages/ar/atom.xml", "languages/ar/feed.json", "languages/ar/feed.xml",
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
	ix, err := index.OpenBolt(filepath.Join(out, ".pressroom", "index.db"))
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
	l.write("notes.docx", "not an article", t0)
	s, p := l.build()
	if s.Published != 2 || s.Rejected != 0 || s.Unchanged != 0 || len(p.Written) == 0 {
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
	if s.Rejected != 1 || len(s.Rejections) != 1 || s.Rejections[0].Key != "a.md" || len(p.Written) != 0 {
		t.Errorf("broken upload: %+v, wrote %v", s, p.Written)
	}
	eq(t, "site keeps A", l.titles("feed.json"), []string{"A", "Headline B"})
	// The rejection is reported on every build until fixed.
	if s, _ = l.build(); len(s.Rejections) != 1 {
		t.Errorf("rejection not reported again: %+v", s)
	}
	// A file restored with an older date is still a new version.
	l.write("a.md", md("A restored", "2021-05-01", "tags: [x]"), t0.Add(-time.Hour))
	l.build()
	eq(t, "restored", l.titles("feed.json"), []string{"A restored", "Headline B"})
	// Deleting a file removes it from every feed and its emptied feeds.
	os.Remove(filepath.Join(l.src, "a.md"))
	s, _ = l.build()
	if s.Removed != 1 {
		t.Errorf("removal: %+v", s)
	}
	eq(t, "after removal", l.titles("feed.json"), []string{"Headline B"})
	if _, err := os.Stat(filepath.Join(l.out, "tags", "x")); !os.IsNotExist(err) {
		t.Errorf("the removed article's tag folder remains: %v", err)
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
	o, _ := l.p.Store.Get(context.Background(), "feed.json")
	if !strings.Contains(string(o.Body), "https://daily.example.com/a/") {
		t.Errorf("article URLs not rebuilt from the new base URL")
	}
}
