package pipeline_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/store"
)

// TestScheduledArticleRendersNothingUntilDue: a future-dated article is
// recorded, not published: no feed is rendered or written until its
// date, when the next publish renders its feeds.
func TestScheduledArticleRendersNothingUntilDue(t *testing.T) {
	e := newEnv(t, index.NewMemory(), store.NewMemory())
	e.ingest("live.md", md("Live", "2021-05-01", "tags: [old]"))
	e.publish()
	if r := e.ingest("later.md", md("Later", "2021-06-10T09:00:00Z", "tags: [old, new]")); len(r.Feeds) != 0 {
		t.Errorf("a scheduled article changed feeds: %q", r.Feeds)
	}
	if rep := e.publish(); rep.Rendered != 0 || len(rep.Written) != 0 {
		t.Errorf("a scheduled article rendered %d documents, wrote %q", rep.Rendered, rep.Written)
	}
	if e.titles("tags/new/feed.json") != nil {
		t.Error("the scheduled article's own tag feed exists before its date")
	}
	// Its date comes: the next publish renders its feeds.
	e.now = time.Date(2021, 6, 10, 9, 30, 0, 0, time.UTC)
	if rep := e.publish(); rep.Rendered == 0 {
		t.Error("nothing rendered at the scheduled article's date")
	}
	eq(t, "site", e.titles("feed.json"), []string{"Later", "Live"})
	eq(t, "its own tag", e.titles("tags/new/feed.json"), []string{"Later"})
	// A live article moved into the future leaves its feeds at once.
	e.ingest("live.md", md("Live", "2022-01-01", "tags: [old]"))
	e.publish()
	eq(t, "site after Live moved to next year", e.titles("feed.json"), []string{"Later"})
}

// TestScheduledArticleOpeningAPage: a scheduled article that takes the
// first slot of a new archive page writes nothing; when something else
// renders the feed, whose page count now counts that page, the page is
// written too, so the feed never links to a page that does not exist.
func TestScheduledArticleOpeningAPage(t *testing.T) {
	e := newEnv(t, index.NewMemory(), store.NewMemory())
	for i := 0; i < index.PageSize; i++ {
		e.ingest(fmt.Sprintf("a%02d.md", i), md(fmt.Sprintf("A%02d", i), fmt.Sprintf("2021-04-%02dT10:00:00Z", i%28+1)))
	}
	e.publish()
	if rep := e.ingest("later.md", md("Later", "2021-06-10T09:00:00Z")); len(rep.Feeds) != 0 {
		t.Fatalf("a scheduled article changed feeds: %q", rep.Feeds)
	}
	if rep := e.publish(); rep.Rendered != 0 {
		t.Errorf("rendered %d documents for a scheduled article", rep.Rendered)
	}
	e.ingest("a00.md", md("A00 edited", "2021-04-01T10:00:00Z"))
	e.publish()
	for _, path := range []string{"archive/1/feed.json", "archive/2/feed.json"} {
		if _, err := e.p.Store.Get(t.Context(), path, store.GetOptions{}); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}

// TestLocalScheduledPostWritesNothing: in a local build, adding a
// future-dated post writes no feed file; the first build after its date
// publishes it.
func TestLocalScheduledPostWritesNothing(t *testing.T) {
	l := newLocal(t)
	t0 := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC)
	l.write("a.md", md("A", "2021-05-01", "tags: [x]"), t0)
	l.build()
	l.write("later.md", md("Later", "2030-01-01T00:00:00Z", "tags: [x]"), t0.Add(time.Hour))
	s, p := l.build()
	if len(s.Scheduled) != 1 || p.Rendered != 0 || len(p.Written) != 0 || len(p.Deleted) != 0 {
		t.Errorf("adding a scheduled post: %d scheduled, rendered %d, wrote %q, deleted %q", len(s.Scheduled), p.Rendered, p.Written, p.Deleted)
	}
	if _, err := os.Stat(filepath.Join(l.out, "archive", "1", "feed.json")); err != nil {
		t.Fatal(err)
	}
	l.now = time.Date(2030, 1, 1, 0, 5, 0, 0, time.UTC)
	if _, p = l.build(); p.Rendered == 0 {
		t.Error("the build after its date rendered nothing")
	}
	eq(t, "site", l.titles("feed.json"), []string{"Later", "A"})
	eq(t, "tag", l.titles("tags/x/feed.json"), []string{"Later", "A"})
}

// TestFeedOfOnlyAScheduledArticle: a feed whose every article is still to
// appear (a tag only a scheduled article has) writes nothing when every
// feed is rendered (a first build, --force): neither live files nor an
// archive page that would link them, written and deleted again at each
// forced build. At the article's date, the feed and its page appear.
func TestFeedOfOnlyAScheduledArticle(t *testing.T) {
	l := newLocal(t)
	t0 := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC)
	l.write("live.md", md("Live", "2021-05-01", "tags: [old]"), t0)
	l.write("later.md", md("Later", "2021-06-10T09:00:00Z", "tags: [review]"), t0)
	l.build()
	if _, err := os.Stat(filepath.Join(l.out, "tags", "review")); !os.IsNotExist(err) {
		t.Errorf("tags/review/ exists for a feed with no live article (%v)", err)
	}
	_, rep, err := l.p.Build(t.Context(), l.src, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Written)+len(rep.Deleted) != 0 {
		t.Errorf("a forced build wrote %q, deleted %q", rep.Written, rep.Deleted)
	}
	l.now = time.Date(2021, 6, 10, 9, 30, 0, 0, time.UTC)
	l.build()
	for _, path := range []string{"tags/review/feed.json", "tags/review/archive/1/feed.json"} {
		if b, err := os.ReadFile(filepath.Join(l.out, filepath.FromSlash(path))); err != nil || !strings.Contains(string(b), "Later") {
			t.Errorf("%s at the article's date: %v\n%s", path, err, b)
		}
	}
}

// TestModificationTimeAheadOfNow: a file's modification time dates what
// the file does not date itself (an edit, or a publication with no date
// given); one later than now (a clock ahead, touch -d 2099) is taken as
// now, or the article would lead every feed, and date its updates, for
// centuries.
func TestModificationTimeAheadOfNow(t *testing.T) {
	ctx := t.Context()
	l := newLocal(t)
	ahead := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	l.write("edited.md", md("Edited", "2021-05-01"), l.now.Add(-time.Hour))
	l.build()
	l.write("edited.md", md("Edited", "2021-05-01")+"A correction.\n", ahead)
	l.write("undated.md", "---\ntitle: Undated\n---\n\nNo date anywhere in this article.\n", ahead)
	l.build()
	for _, key := range []string{"edited.md", "undated.md"} {
		src, err := l.ix.Get(ctx, key)
		if err != nil || src.Article == nil {
			t.Fatalf("%s: %+v %v", key, src, err)
		}
		a := src.Article
		if a.Updated.After(l.now) || a.Published.After(l.now) {
			t.Errorf("%s: published %s, updated %s: after now (%s)", key, a.Published, a.Updated, l.now)
		}
	}
	src, _ := l.ix.Get(ctx, "edited.md")
	if !src.Article.Updated.Equal(l.now) {
		t.Errorf("the edit is dated %s, want now (%s)", src.Article.Updated, l.now)
	}
	src, _ = l.ix.Get(ctx, "undated.md")
	if !src.Article.Published.Equal(l.now) || !strings.Contains(fmt.Sprint(src.Article.Warnings), "later than now") {
		t.Errorf("the undated article: published %s, warnings %v", src.Article.Published, src.Article.Warnings)
	}
	b, _ := os.ReadFile(filepath.Join(l.out, "feed.json"))
	if strings.Contains(string(b), "2099") {
		t.Errorf("feed.json holds the year 2099:\n%s", b)
	}
}
