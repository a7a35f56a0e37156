// Package indextest is the contract every index.Index adapter passes: the
// memory adapter (index), the bbolt adapter (index/bolt), and the DynamoDB
// adapter (index/dynamo) against DynamoDB Local. It is written against the
// port only.
package indextest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/article/model"
	"github.com/pressroom/pressroom/internal/index"
)

// Harness makes a fresh, empty index for each test.
type Harness struct {
	New func(t *testing.T) index.Index
}

var base = time.Date(2021, 2, 22, 16, 18, 0, 0, time.FixedZone("", 3600))

// deletedAt is when the contract's deletions happen: after every
// article's publication.
var deletedAt = base.Add(1000 * time.Hour).UTC()

// art makes an article published hours after base.
func art(slug string, hours int) *model.Article {
	p := base.Add(time.Duration(hours) * time.Hour)
	return &model.Article{ID: "tag:x," + slug, Slug: slug, Title: "Title " + slug, ContentHTML: "<p>" + slug + "</p>",
		Published: p, Updated: p, Lang: "ar", Dir: "rtl", Tags: []string{"t"}}
}

func mem(feeds ...string) []index.Membership {
	var out []index.Membership
	for _, f := range feeds {
		out = append(out, index.Membership{Feed: f, Label: "Label " + f})
	}
	return out
}

func src(key, version string, a *model.Article, feeds ...string) index.Source {
	return index.Source{Key: key, Version: version, Hash: "h-" + key + version, Size: 10, ModTime: base, Article: a, Feeds: mem(feeds...)}
}

func slugs(as []model.Article) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.Slug)
	}
	return out
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

// Run runs the whole contract: one subtest a behaviour, each on a fresh
// index, named for the testX function that checks it, so that a failing
// adapter names the behaviour it broke.
func Run(t *testing.T, h Harness) {
	t.Run("PutGetRoundTrip", func(t *testing.T) { testPutGetRoundTrip(t, h) })
	t.Run("StaleVersionsAreRefused", func(t *testing.T) { testStaleVersionsAreRefused(t, h) })
	t.Run("SameVersionNewConfiguration", func(t *testing.T) { testSameVersionNewConfiguration(t, h) })
	t.Run("RejectKeepsLastGoodVersion", func(t *testing.T) { testRejectKeepsLastGoodVersion(t, h) })
	t.Run("UnstorableDatesAreRefused", func(t *testing.T) { testUnstorableDatesAreRefused(t, h) })
	t.Run("DeleteLeavesTombstone", func(t *testing.T) { testDeleteLeavesTombstone(t, h) })
	t.Run("LatestOrderLimitAndLiveness", func(t *testing.T) { testLatestOrderLimitAndLiveness(t, h) })
	t.Run("MembershipChanges", func(t *testing.T) { testMembershipChanges(t, h) })
	t.Run("ArchiveSlotsAndPages", func(t *testing.T) { testArchiveSlotsAndPages(t, h) })
	t.Run("DeletionsAreRecorded", func(t *testing.T) { testDeletionsAreRecorded(t, h) })
	t.Run("ListSummaries", func(t *testing.T) { testListSummaries(t, h) })
	t.Run("Due", func(t *testing.T) { testDue(t, h) })
	t.Run("OutputHashes", func(t *testing.T) { testOutputHashes(t, h) })
	t.Run("Batch", func(t *testing.T) { testBatch(t, h) })
	t.Run("BatchFeedCounts", func(t *testing.T) { testBatchFeedCounts(t, h) })
	t.Run("ConcurrentWritersKeepNewest", func(t *testing.T) { testConcurrentWritersKeepNewest(t, h) })
	t.Run("ArticleConfigAndObjectVersion", func(t *testing.T) { testArticleConfigAndObjectVersion(t, h) })
	t.Run("ClaimsRefuseASecondHolder", func(t *testing.T) { testClaimsRefuseASecondHolder(t, h) })
	t.Run("ReleasedClaimsNameTheirWaiters", func(t *testing.T) { testReleasedClaimsNameTheirWaiters(t, h) })
	t.Run("HoldersAndWaiters", func(t *testing.T) { testHoldersAndWaiters(t, h) })
	t.Run("ScheduledWritesMarkNothing", func(t *testing.T) { testScheduledWritesMarkNothing(t, h) })
	t.Run("PendingFeeds", func(t *testing.T) { testPendingFeeds(t, h) })
	t.Run("UnpurgedOutputs", func(t *testing.T) { testUnpurgedOutputs(t, h) })
	t.Run("OutputHashesTogether", func(t *testing.T) { testOutputHashesTogether(t, h) })
	t.Run("StatesTogether", func(t *testing.T) { testStatesTogether(t, h) })
	t.Run("ContentsAsLatestAndPage", func(t *testing.T) { testContentsAsLatestAndPage(t, h) })
	t.Run("State", func(t *testing.T) { testState(t, h) })
}

// now is when the contract reads the feeds: after every article's
// publication.
var now = base.Add(1000 * time.Hour)

// newIndex makes a fresh index with h, closed when t ends.
func newIndex(t *testing.T, h Harness) index.Index {
	ix := h.New(t)
	t.Cleanup(func() {
		if err := ix.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return ix
}

// mustPut puts s, failing t on an error, and returns the feeds it changed.
func mustPut(t *testing.T, ix index.Index, s index.Source) []string {
	t.Helper()
	ch, err := ix.Put(context.Background(), s)
	if err != nil {
		t.Fatalf("Put(%s@%s): %v", s.Key, s.Version, err)
	}
	return ch.Feeds
}

// must fails t when call, a write the test goes on to rely on, failed:
// a failing adapter then names the call, not a wrong value read later.
func must(t *testing.T, call string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", call, err)
	}
}

// Read holds what a read returned: Read(ix.Get(ctx, key)).OK(t) fails t
// on the error and gives the value, so that no check passes on an
// adapter's failed read of a zero value.
func Read[T any](v T, err error) ReadResult[T] { return ReadResult[T]{v, err} }

// ReadResult is a read's value and error.
type ReadResult[T any] struct {
	v   T
	err error
}

// OK fails t on the read's error, else gives its value.
func (r ReadResult[T]) OK(t testing.TB) T {
	t.Helper()
	if r.err != nil {
		t.Fatalf("read: %v", r.err)
	}
	return r.v
}

// testPutGetRoundTrip checks that an article Put reads back whole through
// Get, with the feeds it changed; an unknown key is ErrNotFound.
func testPutGetRoundTrip(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	a := art("a", 0)
	a.Authors, a.Categories, a.Summary, a.URL, a.Image = []string{"منى"}, []string{"Économie"}, "s", "https://x/a/", "https://x/i.jpg"
	a.Expires = base.Add(5000 * time.Hour)
	changed := mustPut(t, ix, src("news/a.md", "0001", a, "", "tags/t"))
	if !reflect.DeepEqual(sorted(changed), []string{"", "tags/t"}) {
		t.Errorf("changed %q", changed)
	}
	got, err := ix.Get(ctx, "news/a.md")
	if err != nil {
		t.Fatal(err)
	}
	if got.Article == nil || got.Article.Title != a.Title || !got.Article.Published.Equal(a.Published) ||
		!got.Article.Expires.Equal(a.Expires) || !reflect.DeepEqual(got.Article.Authors, a.Authors) ||
		got.Article.ContentHTML != a.ContentHTML || got.Version != "0001" || got.Hash != "h-news/a.md0001" {
		t.Errorf("round trip: %+v", got)
	}
	if _, err := ix.Get(ctx, "missing.md"); !errors.Is(err, index.ErrNotFound) {
		t.Errorf("Get(missing) = %v, want ErrNotFound", err)
	}
}

// testStaleVersionsAreRefused checks that Put, Reject and Delete at a
// version not newer than the stored one are ErrStale and change nothing;
// versions compare as padded hexadecimal.
func testStaleVersionsAreRefused(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	mustPut(t, ix, src("a.md", "00A0", art("new", 0), ""))
	for _, v := range []string{"00A0", "009F", "9F", "", "0000000000000000009f"} {
		if _, err := ix.Put(ctx, src("a.md", v, art("old", 0), "")); !errors.Is(err, index.ErrStale) {
			t.Errorf("Put at %q after 00A0: %v, want ErrStale", v, err)
		}
		if err := ix.Reject(ctx, index.Source{Key: "a.md", Version: v, Problems: []model.Problem{{Field: "x", Message: "y"}}}); !errors.Is(err, index.ErrStale) {
			t.Errorf("Reject at %q: %v, want ErrStale", v, err)
		}
		if _, err := ix.Delete(ctx, "a.md", v, deletedAt); !errors.Is(err, index.ErrStale) {
			t.Errorf("Delete at %q: %v, want ErrStale", v, err)
		}
	}
	got := Read(ix.Get(ctx, "a.md")).OK(t)
	if got.Article == nil || got.Article.Slug != "new" {
		t.Errorf("a stale write changed the article: %+v", got.Article)
	}
	// Longer sequencers compare as padded hexadecimal.
	mustPut(t, ix, src("a.md", "00000000000000A1", art("newer", 0), ""))
}

// testSameVersionNewConfiguration checks that the same version supersedes
// only under another, non-empty configuration (a re-parse); an older
// version never does.
func testSameVersionNewConfiguration(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	with := func(version, config, slug string) index.Source {
		s := src("a.md", version, art(slug, 0), "")
		s.Config = config
		return s
	}
	mustPut(t, ix, with("5", "cfg-A", "a1"))
	if _, err := ix.Put(ctx, with("5", "cfg-A", "again")); !errors.Is(err, index.ErrStale) {
		t.Errorf("same version, same configuration: %v, want ErrStale", err)
	}
	if _, err := ix.Put(ctx, with("5", "", "none")); !errors.Is(err, index.ErrStale) {
		t.Errorf("same version, no configuration: %v, want ErrStale", err)
	}
	// A new configuration re-parses the same upload.
	mustPut(t, ix, with("5", "cfg-B", "reparsed"))
	got := Read(ix.Get(ctx, "a.md")).OK(t)
	if got.Article == nil || got.Article.Slug != "reparsed" || got.Config != "cfg-B" || got.Version != "5" {
		t.Errorf("after re-parse: %+v", got)
	}
	if l := Read(ix.List(ctx)).OK(t); len(l) != 1 || l[0].Config != "cfg-B" {
		t.Errorf("List: %+v", l)
	}
	// A rejection under a new configuration is recorded too.
	if err := ix.Reject(ctx, index.Source{Key: "a.md", Version: "5", Config: "cfg-C", Problems: []model.Problem{{Field: "file", Message: "too large"}}}); err != nil {
		t.Errorf("reject under a new configuration: %v", err)
	}
	// An older version stays stale whatever its configuration.
	if _, err := ix.Put(ctx, with("4", "cfg-D", "old")); !errors.Is(err, index.ErrStale) {
		t.Errorf("older version: %v, want ErrStale", err)
	}
}

// testRejectKeepsLastGoodVersion checks that a rejection keeps the last
// good article in its feeds beside the problems; a good version clears
// them.
// testUnstorableDatesAreRefused: an article dated with an offset RFC 3339
// cannot write (+25:00) is refused (ErrRefused, which the pipeline turns
// into the file's rejection), the last good version stays, and the index
// goes on taking writes.
func testUnstorableDatesAreRefused(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	mustPut(t, ix, src("a.md", "1", art("good", 0), "", "tags/t"))
	bad := art("bad", 0)
	bad.Published = bad.Published.In(time.FixedZone("", 25*3600))
	if _, err := ix.Put(ctx, src("a.md", "2", bad, "", "tags/t")); !errors.Is(err, index.ErrRefused) {
		t.Fatalf("Put of an article dated %v: %v, want ErrRefused", bad.Published, err)
	}
	if got := Read(ix.Get(ctx, "a.md")).OK(t); got.Article == nil || got.Article.Slug != "good" {
		t.Errorf("after the refusal: %+v", got.Article)
	}
	mustPut(t, ix, src("b.md", "1", art("next", 1), "", "tags/t"))
}

func testRejectKeepsLastGoodVersion(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	mustPut(t, ix, src("a.md", "1", art("good", 0), "", "tags/t"))
	problems := []model.Problem{{Field: "date", Line: 3, Message: "not a date"}}
	at := base.Add(time.Hour)
	if err := ix.Reject(ctx, index.Source{Key: "a.md", Version: "2", Hash: "bad", Problems: problems, RejectedAt: at}); err != nil {
		t.Fatal(err)
	}
	got := Read(ix.Get(ctx, "a.md")).OK(t)
	if got.Article == nil || got.Article.Slug != "good" || !reflect.DeepEqual(got.Problems, problems) ||
		got.Version != "2" || got.Hash != "bad" || !got.RejectedAt.Equal(at) {
		t.Errorf("after Reject: %+v", got)
	}
	if l := Read(ix.Latest(ctx, "", 10, now)).OK(t); !reflect.DeepEqual(slugs(l), []string{"good"}) {
		t.Errorf("the last good version left the feed: %v", slugs(l))
	}
	// A rejected first upload has problems and no article.
	if err := ix.Reject(ctx, index.Source{Key: "b.md", Version: "1", Problems: problems}); err != nil {
		t.Fatal(err)
	}
	if got := Read(ix.Get(ctx, "b.md")).OK(t); got.Article != nil || len(got.Problems) != 1 {
		t.Errorf("rejected first upload: %+v", got)
	}
	// A good version clears the problems.
	mustPut(t, ix, src("a.md", "3", art("fixed", 0), ""))
	if got := Read(ix.Get(ctx, "a.md")).OK(t); got.Problems != nil || got.Article.Slug != "fixed" {
		t.Errorf("after a fix: %+v", got)
	}
}

// testDeleteLeavesTombstone checks that a delete takes the article out of
// its feeds and leaves a tombstone that refuses older events; a newer
// upload brings it back.
func testDeleteLeavesTombstone(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	mustPut(t, ix, src("a.md", "5", art("a", 0), "", "tags/t"))
	ch, err := ix.Delete(ctx, "a.md", "6", deletedAt)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sorted(ch.Feeds), []string{"", "tags/t"}) {
		t.Errorf("Delete changed %q", ch.Feeds)
	}
	if l := Read(ix.Latest(ctx, "", 10, now)).OK(t); len(l) != 0 {
		t.Errorf("deleted article still in feed: %v", slugs(l))
	}
	if f := Read(ix.Feeds(ctx)).OK(t); len(f) != 0 {
		t.Errorf("empty feeds still listed: %v", f)
	}
	// The create event that arrives late is older than the delete.
	if _, err := ix.Put(ctx, src("a.md", "5", art("a", 0), "")); !errors.Is(err, index.ErrStale) {
		t.Errorf("late create after delete: %v, want ErrStale", err)
	}
	got, err := ix.Get(ctx, "a.md")
	if err != nil || !got.Deleted || got.Article != nil || got.Version != "6" {
		t.Errorf("tombstone: %+v, %v", got, err)
	}
	// Deleting a key never seen leaves a tombstone too.
	if _, err := ix.Delete(ctx, "never.md", "1", deletedAt); err != nil {
		t.Errorf("Delete of an unknown key: %v", err)
	}
	// A newer upload brings it back.
	mustPut(t, ix, src("a.md", "7", art("back", 0), ""))
	if l := Read(ix.Latest(ctx, "", 10, now)).OK(t); !reflect.DeepEqual(slugs(l), []string{"back"}) {
		t.Errorf("re-upload: %v", slugs(l))
	}
}

// testLatestOrderLimitAndLiveness checks that Latest returns live articles
// newest first, ties broken by id, up to the limit, without scheduled,
// expired or draft ones, feed by feed.
func testLatestOrderLimitAndLiveness(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	for i, h := range []int{5, 1, 9, 3, 7} {
		mustPut(t, ix, src(fmt.Sprintf("k%d.md", i), "1", art(fmt.Sprintf("h%d", h), h), "", "tags/t"))
	}
	// Same date: the id breaks the tie, the same way every time.
	mustPut(t, ix, src("tie1.md", "1", art("tie-b", 7), ""))
	mustPut(t, ix, src("tie2.md", "1", art("tie-a", 7), ""))
	// Scheduled, expired and draft (no memberships) articles.
	mustPut(t, ix, src("future.md", "1", art("future", 2000), "", "tags/t"))
	expired := art("expired", 8)
	expired.Expires = base.Add(500 * time.Hour)
	mustPut(t, ix, src("expired.md", "1", expired, "", "tags/t"))
	draft := art("draft", 10)
	draft.Draft = true
	mustPut(t, ix, src("draft.md", "1", draft))

	got, err := ix.Latest(ctx, "", 5, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"h9", "tie-b", "tie-a", "h7", "h5"}; !reflect.DeepEqual(slugs(got), want) {
		t.Errorf("Latest(site, 5) = %v, want %v", slugs(got), want)
	}
	if got := Read(ix.Latest(ctx, "tags/t", 100, now)).OK(t); !reflect.DeepEqual(slugs(got), []string{"h9", "h7", "h5", "h3", "h1"}) {
		t.Errorf("Latest(tags/t) = %v", slugs(got))
	}
	// Before the expiry date, the expired article is live; after the
	// schedule date, the scheduled one is.
	early := base.Add(100 * time.Hour)
	if got := Read(ix.Latest(ctx, "tags/t", 10, early)).OK(t); !reflect.DeepEqual(slugs(got), []string{"h9", "expired", "h7", "h5", "h3", "h1"}) {
		t.Errorf("Latest before expiry = %v", slugs(got))
	}
	later := base.Add(3000 * time.Hour)
	if got := Read(ix.Latest(ctx, "tags/t", 1, later)).OK(t); !reflect.DeepEqual(slugs(got), []string{"future"}) {
		t.Errorf("Latest after the schedule date = %v", slugs(got))
	}
	if got := Read(ix.Latest(ctx, "tags/none", 10, now)).OK(t); len(got) != 0 {
		t.Errorf("unknown feed: %v", slugs(got))
	}
	// A feed whose id is a prefix of another's stays separate.
	mustPut(t, ix, src("p.md", "1", art("prefix", 1), "tags/t-2"))
	if got := Read(ix.Latest(ctx, "tags/t", 100, now)).OK(t); len(got) != 5 {
		t.Errorf("tags/t picked up tags/t-2: %v", slugs(got))
	}
}

// testMembershipChanges checks that a Put that changes an article's feeds
// names old and new ones and moves it; a new date moves it within its
// feeds.
func testMembershipChanges(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	mustPut(t, ix, src("a.md", "1", art("a", 0), "", "tags/old", "categories/c"))
	changed := mustPut(t, ix, src("a.md", "2", art("a", 0), "", "tags/new", "categories/c"))
	if want := []string{"", "categories/c", "tags/new", "tags/old"}; !reflect.DeepEqual(sorted(changed), want) {
		t.Errorf("changed %q, want old and new memberships %q", changed, want)
	}
	feeds := Read(ix.Feeds(ctx)).OK(t)
	var ids []string
	for _, f := range feeds {
		ids = append(ids, f.ID)
		if f.Count != 1 || f.Label != "Label "+f.ID {
			t.Errorf("feed %+v", f)
		}
	}
	if want := []string{"", "categories/c", "tags/new"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("Feeds = %q, want %q", ids, want)
	}
	if got := Read(ix.Latest(ctx, "tags/old", 10, now)).OK(t); len(got) != 0 {
		t.Errorf("left tags/old but still listed there")
	}
	// Changing the date moves the article within its feeds.
	mustPut(t, ix, src("b.md", "1", art("b", 5), ""))
	mustPut(t, ix, src("a.md", "3", art("a", 10), ""))
	if got := Read(ix.Latest(ctx, "", 10, now)).OK(t); !reflect.DeepEqual(slugs(got), []string{"a", "b"}) {
		t.Errorf("after a date change: %v", slugs(got))
	}
}

// testArchiveSlotsAndPages checks that an article keeps its archive slot
// while it stays in a feed, a new feed takes its next slot, slots are never
// reused, and Page returns PageSize slots a page.
func testArchiveSlotsAndPages(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	ch, err := ix.Put(ctx, src("a.md", "1", art("a", 0), "", "tags/x"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ch.Pages, []index.PageRef{{Feed: "", Page: 1}, {Feed: "tags/x", Page: 1}}) {
		t.Errorf("a new article's pages %v", ch.Pages)
	}
	mustPut(t, ix, src("b.md", "1", art("b", 1), "", "tags/x"))
	// An edit keeps the slots; a new feed takes its next slot.
	edited := art("a", 5)
	mustPut(t, ix, src("a.md", "2", edited, "", "tags/y"))
	got, err := ix.Get(ctx, "a.md")
	if err != nil {
		t.Fatal(err)
	}
	slots := map[string]int{}
	for _, m := range got.Feeds {
		slots[m.Feed] = m.Slot
	}
	if !reflect.DeepEqual(slots, map[string]int{"": 1, "tags/y": 1}) {
		t.Errorf("slots after the edit %v", slots)
	}
	if p, err := ix.Page(ctx, "tags/x", 1); err != nil || !reflect.DeepEqual(slugs(p), []string{"b"}) {
		t.Errorf("tags/x page 1 = %q, %v", slugs(p), err)
	}
	if p, err := ix.Page(ctx, "", 1); err != nil || !reflect.DeepEqual(slugs(p), []string{"a", "b"}) {
		t.Errorf("site page 1 = %q, %v", slugs(p), err)
	}
	// A feed's slots are never reused, even after it empties.
	_, err = ix.Delete(ctx, "b.md", "2", deletedAt)
	must(t, "Delete(b.md@2)", err)
	mustPut(t, ix, src("c.md", "1", art("c", 2), "tags/x"))
	if got := Read(ix.Get(ctx, "c.md")).OK(t); len(got.Feeds) != 1 || got.Feeds[0].Slot != 3 {
		t.Errorf("c's slot in tags/x: %+v (slots 1 and 2 were taken)", got.Feeds)
	}
	// Page size: the 51st article of a feed opens page 2.
	for i := 0; i < index.PageSize; i++ {
		mustPut(t, ix, src(fmt.Sprintf("p%02d.md", i), "1", art(fmt.Sprintf("p%02d", i), -i-10), "tags/p"))
	}
	infos, err := ix.Feeds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, fi := range infos {
		want := map[string]int{"": 2, "tags/x": 3, "tags/y": 1, "tags/p": index.PageSize}[fi.ID]
		if fi.Slots != want {
			t.Errorf("feed %q: %d slots, want %d", fi.ID, fi.Slots, want)
		}
	}
	mustPut(t, ix, src("p50.md", "1", art("p50", -100), "tags/p"))
	one := Read(ix.Page(ctx, "tags/p", 1)).OK(t)
	two := Read(ix.Page(ctx, "tags/p", 2)).OK(t)
	if len(one) != index.PageSize || !reflect.DeepEqual(slugs(two), []string{"p50"}) || one[0].Slug != "p00" {
		t.Errorf("tags/p: page 1 has %d (first %q), page 2 %q", len(one), slugs(one[:1]), slugs(two))
	}
	if index.PageOf(index.PageSize) != 1 || index.PageOf(index.PageSize+1) != 2 || index.PageOf(0) != 0 {
		t.Error("PageOf")
	}
}

// testDeletionsAreRecorded checks that a published article that leaves its
// feeds (deleted, a draft, its id changed) is recorded as Gone until
// published again or forgotten.
func testDeletionsAreRecorded(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	a := art("a", 0)
	a.URL = "https://x/a/"
	mustPut(t, ix, src("a.md", "1", a, "", "tags/x"))
	mustPut(t, ix, src("s.md", "1", art("s", 5000), "", "tags/x")) // scheduled after deletedAt
	_, err := ix.Delete(ctx, "a.md", "2", deletedAt)
	must(t, "Delete(a.md@2)", err)
	_, err = ix.Delete(ctx, "s.md", "2", deletedAt)
	must(t, "Delete(s.md@2)", err)
	gs, err := ix.Gone(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 1 || gs[0].ID != a.ID || gs[0].URL != a.URL || gs[0].Key != "a.md" || !gs[0].At.Equal(deletedAt) ||
		!reflect.DeepEqual(sorted(gs[0].Feeds), []string{"", "tags/x"}) {
		t.Fatalf("deletions %+v: want only a (s was never published)", gs)
	}
	// Published again (under another file): no longer gone.
	mustPut(t, ix, src("a2.md", "1", art("a", 0), ""))
	if gs := Read(ix.Gone(ctx)).OK(t); len(gs) != 0 {
		t.Errorf("an article published again is still gone: %+v", gs)
	}
	// A draft, and an id changed, leave their feeds.
	mustPut(t, ix, src("d.md", "1", art("d", 0), "tags/d"))
	draft := art("d", 0)
	draft.Draft = true
	mustPut(t, ix, src("d.md", "2", draft))
	mustPut(t, ix, src("e.md", "1", art("e", 0), "tags/e"))
	mustPut(t, ix, src("e.md", "2", art("e2", 0), "tags/e"))
	gs = Read(ix.Gone(ctx)).OK(t)
	var ids []string
	for _, g := range gs {
		ids = append(ids, g.ID)
	}
	if !reflect.DeepEqual(sorted(ids), []string{"tag:x,d", "tag:x,e"}) {
		t.Errorf("gone %q: want the draft and the old id", ids)
	}
	if err := ix.ForgetGone(ctx, base.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if gs := Read(ix.Gone(ctx)).OK(t); len(gs) != 0 {
		t.Errorf("ForgetGone left %+v", gs)
	}
}

// testListSummaries checks that List summarises every key, sorted:
// rejected, published and deleted sources.
func testListSummaries(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	mustPut(t, ix, src("b.md", "1", art("b", 0), ""))
	must(t, "Reject(a.md@1)", ix.Reject(ctx, index.Source{Key: "a.md", Version: "1", Problems: []model.Problem{{Field: "title", Message: "no title"}}}))
	_, err := ix.Delete(ctx, "c.md", "1", deletedAt)
	must(t, "Delete(c.md@1)", err)
	l, err := ix.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(l) != 3 || l[0].Key != "a.md" || l[1].Key != "b.md" || l[2].Key != "c.md" {
		t.Fatalf("List = %+v", l)
	}
	if l[0].HasArticle || len(l[0].Problems) != 1 || !l[1].HasArticle || l[1].Title != "Title b" ||
		!l[1].Published.Equal(base) || !l[2].Deleted {
		t.Errorf("summaries %+v", l)
	}
}

// testDue checks that Due returns the feeds and pages of articles published
// or expiring in (from, to], and the expiries as deletions to announce.
func testDue(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	mustPut(t, ix, src("soon.md", "1", art("soon", 10), "", "tags/s"))
	e := art("ending", 0)
	e.Expires = base.Add(20 * time.Hour)
	mustPut(t, ix, src("ending.md", "1", e, "", "tags/e"))
	mustPut(t, ix, src("old.md", "1", art("old", -100), "tags/o"))
	check := func(from, to int, want ...string) {
		t.Helper()
		w, err := ix.Due(ctx, base.Add(time.Duration(from)*time.Hour), base.Add(time.Duration(to)*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		got := w.Feeds
		if len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(sorted(got), want)) {
			t.Errorf("Due(%d, %d] = %q, want %q", from, to, got, want)
		}
	}
	check(1, 9)
	check(1, 10, "", "tags/s")
	if w := Read(ix.Due(ctx, base.Add(9*time.Hour), base.Add(10*time.Hour))).OK(t); !reflect.DeepEqual(w.Pages, []index.PageRef{{Feed: "", Page: 1}, {Feed: "tags/s", Page: 1}}) {
		t.Errorf("due pages %v", w.Pages)
	}
	check(10, 19)
	check(19, 20, "", "tags/e")
	// The expiry is a deletion to announce; a publication is not.
	if w := Read(ix.Due(ctx, base.Add(19*time.Hour), base.Add(20*time.Hour))).OK(t); len(w.Expired) != 1 || w.Expired[0].ID != "tag:x,ending" ||
		!w.Expired[0].At.Equal(e.Expires) || !reflect.DeepEqual(sorted(w.Expired[0].Feeds), []string{"", "tags/e"}) {
		t.Errorf("expired: %+v", w.Expired)
	}
	if w := Read(ix.Due(ctx, base.Add(9*time.Hour), base.Add(10*time.Hour))).OK(t); len(w.Expired) != 0 {
		t.Errorf("a publication reported as expired: %+v", w.Expired)
	}
	if err := ix.RecordGone(ctx, []index.Gone{{ID: "tag:x,ending", Key: "ending.md", At: e.Expires, Feeds: []string{"tags/e"}}}); err != nil {
		t.Fatal(err)
	}
	if gs := Read(ix.Gone(ctx)).OK(t); len(gs) != 1 || gs[0].ID != "tag:x,ending" || !gs[0].At.Equal(e.Expires) {
		t.Errorf("recorded: %+v", gs)
	}
	check(0, 30, "", "tags/e", "tags/s")
}

// testOutputHashes checks that output hashes are recorded, read back and
// forgotten.
func testOutputHashes(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	if h, err := ix.OutputHash(ctx, "feed.xml"); err != nil || h != "" {
		t.Errorf("unknown path: %q, %v", h, err)
	}
	must(t, "SetOutputHash(feed.xml)", ix.SetOutputHash(ctx, "feed.xml", "abc"))
	must(t, "SetOutputHash(tags/t/feed.xml)", ix.SetOutputHash(ctx, "tags/t/feed.xml", "def"))
	if h := Read(ix.OutputHash(ctx, "feed.xml")).OK(t); h != "abc" {
		t.Errorf("got %q", h)
	}
	must(t, "SetOutputHash(feed.xml)", ix.SetOutputHash(ctx, "feed.xml", ""))
	if h := Read(ix.OutputHash(ctx, "feed.xml")).OK(t); h != "" {
		t.Errorf("after forgetting: %q", h)
	}
}

// testBatch checks that Batch writes are read inside the batch and
// committed together; a failed batch of a Batcher commits nothing.
func testBatch(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	err := index.Batch(ctx, ix, func(b index.Index) error {
		for i := 0; i < 50; i++ {
			if _, err := b.Put(ctx, src(fmt.Sprintf("%02d.md", i), "1", art(fmt.Sprintf("b%02d", i), i), "")); err != nil {
				return err
			}
		}
		// Reads in the batch see its writes.
		got, err := b.Latest(ctx, "", 1, now)
		if err != nil {
			return err
		}
		if len(got) != 1 || got[0].Slug != "b49" {
			return fmt.Errorf("read in batch: %v", slugs(got))
		}
		return b.SetOutputHash(ctx, "feed.xml", "h")
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := Read(ix.Latest(ctx, "", 100, now)).OK(t); len(got) != 50 {
		t.Errorf("after the batch: %d articles", len(got))
	}
	if _, ok := ix.(index.Batcher); !ok {
		return // without the ability, writes are not grouped: nothing to roll back
	}
	boom := errors.New("boom")
	err = index.Batch(ctx, ix, func(b index.Index) error {
		if _, err := b.Put(ctx, src("rolled-back.md", "1", art("rb", 0), "")); err != nil {
			return fmt.Errorf("Put(rolled-back.md@1) in the batch: %w", err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Batch error %v", err)
	}
	if _, err := ix.Get(ctx, "rolled-back.md"); !errors.Is(err, index.ErrNotFound) {
		t.Errorf("a failed batch was committed: %v", err)
	}
}

// testBatchFeedCounts checks that a batch's feed counts and slots are what
// its writes made them, in the batch and after it.
func testBatchFeedCounts(t *testing.T, h Harness) {
	ctx := context.Background()
	// A batch's feed counts and slots are what its writes made them,
	// read in the batch and after it (the bbolt adapter keeps them in
	// memory until the commit).
	ix := newIndex(t, h)
	count := func(infos []index.FeedInfo, id string) (int, int) {
		for _, fi := range infos {
			if fi.ID == id {
				return fi.Count, fi.Slots
			}
		}
		return 0, 0
	}
	err := index.Batch(ctx, ix, func(b index.Index) error {
		for i := 0; i < 5; i++ {
			if _, err := b.Put(ctx, src(fmt.Sprintf("c%d.md", i), "1", art(fmt.Sprintf("c%d", i), i), "", "tags/t")); err != nil {
				return err
			}
		}
		if _, err := b.Delete(ctx, "c0.md", "2", deletedAt); err != nil {
			return err
		}
		infos, err := b.Feeds(ctx)
		if err != nil {
			return err
		}
		if n, slots := count(infos, "tags/t"); n != 4 || slots != 5 {
			return fmt.Errorf("in the batch: tags/t count %d, slots %d; want 4, 5", n, slots)
		}
		_, err = b.Put(ctx, src("c5.md", "1", art("c5", 5), "", "tags/t"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	infos, err := ix.Feeds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n, slots := count(infos, "tags/t"); n != 5 || slots != 6 {
		t.Errorf("after the batch: tags/t count %d, slots %d; want 5, 6", n, slots)
	}
	if n, _ := count(infos, ""); n != 5 {
		t.Errorf("after the batch: site feed count %d, want 5", n)
	}
}

// testConcurrentWritersKeepNewest checks that concurrent writers of one key
// leave the newest version, listed once, with feed counts that did not
// drift.
func testConcurrentWritersKeepNewest(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for v := 1; v <= 30; v++ {
				version := fmt.Sprintf("%04d", v*4+w)
				_, err := ix.Put(ctx, src("hot.md", version, art("v"+version, v), "", "tags/t"))
				if err != nil && !errors.Is(err, index.ErrStale) {
					t.Error(err)
				}
			}
		}(w)
	}
	wg.Wait()
	got, err := ix.Get(ctx, "hot.md")
	if err != nil || got.Article == nil {
		t.Fatalf("Get: %+v, %v", got, err)
	}
	if got.Version != "0123" || got.Article.Slug != "v0123" {
		t.Errorf("after concurrent writes: version %s, article %s; want the newest, 0123", got.Version, got.Article.Slug)
	}
	if l := Read(ix.Latest(ctx, "tags/t", 10, now)).OK(t); len(l) != 1 {
		t.Errorf("the article is listed %d times", len(l))
	}
	if f := Read(ix.Feeds(ctx)).OK(t); len(f) != 2 || f[0].Count != 1 || f[1].Count != 1 {
		t.Errorf("feed counts drifted: %+v", f)
	}
}

// testArticleConfigAndObjectVersion checks that the kept article remembers
// the configuration and object version it was parsed from, whatever the
// later rejections.
func testArticleConfigAndObjectVersion(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	s := src("a.md", "1", art("a", 0), "")
	s.Config, s.ObjectVersion = "cfg-1", "v-1"
	mustPut(t, ix, s)
	got := Read(ix.Get(ctx, "a.md")).OK(t)
	if got.ArticleConfig != "cfg-1" || got.ObjectVersion != "v-1" {
		t.Errorf("after Put: article config %q, object version %q", got.ArticleConfig, got.ObjectVersion)
	}
	// A rejection under a new configuration does not make the kept
	// article look parsed with it.
	if err := ix.Reject(ctx, index.Source{Key: "a.md", Version: "2", Config: "cfg-2", Problems: []model.Problem{{Field: "x", Message: "y"}}}); err != nil {
		t.Fatal(err)
	}
	got = Read(ix.Get(ctx, "a.md")).OK(t)
	if got.Config != "cfg-2" || got.ArticleConfig != "cfg-1" || got.ObjectVersion != "v-1" || got.Article == nil {
		t.Errorf("after Reject: config %q, article config %q, object version %q", got.Config, got.ArticleConfig, got.ObjectVersion)
	}
	l := Read(ix.List(ctx)).OK(t)
	if len(l) != 1 || l[0].ArticleConfig != "cfg-1" || l[0].Config != "cfg-2" || l[0].ObjectVersion != "v-1" {
		t.Errorf("List: %+v", l)
	}
	// The last good version parsed again under the new configuration,
	// the latest still rejected: both are kept.
	s = src("a.md", "2", art("a-reparsed", 0), "")
	s.Config, s.ObjectVersion, s.Problems = "cfg-3", "v-1", []model.Problem{{Field: "x", Message: "still"}}
	mustPut(t, ix, s)
	got = Read(ix.Get(ctx, "a.md")).OK(t)
	if got.ArticleConfig != "cfg-3" || got.Article.Slug != "a-reparsed" || len(got.Problems) != 1 {
		t.Errorf("after a re-parse of the kept version: %+v", got)
	}
}

// testClaimsRefuseASecondHolder checks that a second source claiming an
// article's id or URL is a *ConflictError and writes nothing; the holder
// may write again, and drafts claim nothing.
func testClaimsRefuseASecondHolder(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	a := art("same", 0)
	a.URL = "https://x/same/"
	mustPut(t, ix, src("a.md", "1", a, "", "tags/t"))
	// Same id from another file.
	_, err := ix.Put(ctx, src("b.txt", "1", art("same", 1), ""))
	var ce *index.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, index.ErrConflict) || ce.Holder != "a.md" || ce.Claim != "id:tag:x,same" {
		t.Fatalf("second id: %v", err)
	}
	// Same URL, another id.
	other := art("other", 1)
	other.URL = a.URL
	if _, err := ix.Put(ctx, src("c.md", "1", other, "")); !errors.As(err, &ce) || ce.Claim != "url:https://x/same/" || ce.Holder != "a.md" {
		t.Fatalf("second URL: %v", err)
	}
	// Nothing was written for the refused sources; the holder stays.
	if _, err := ix.Get(ctx, "b.txt"); !errors.Is(err, index.ErrNotFound) {
		t.Errorf("a refused Put wrote something: %v", err)
	}
	if l := Read(ix.Latest(ctx, "", 10, now)).OK(t); !reflect.DeepEqual(slugs(l), []string{"same"}) {
		t.Errorf("feed after refused claims: %v", slugs(l))
	}
	// The holder may write again with the same claims; a draft claims
	// nothing.
	mustPut(t, ix, src("a.md", "2", a, "", "tags/t"))
	d := art("same", 2)
	d.Draft = true
	mustPut(t, ix, src("draft.md", "1", d))
}

// testReleasedClaimsNameTheirWaiters checks that a rejection may wait on a
// claim another source holds; the write that releases the claim names its
// waiters, once.
func testReleasedClaimsNameTheirWaiters(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	mustPut(t, ix, src("a.md", "1", art("s", 0), ""))
	_, err := ix.Put(ctx, src("b.md", "5", art("s", 1), ""))
	var ce *index.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("want a conflict, got %v", err)
	}
	problems := []model.Problem{{Field: "slug", Message: "taken by a.md"}}
	if err := ix.Reject(ctx, index.Source{Key: "b.md", Version: "5", Problems: problems, Waiting: ce.Claim}); err != nil {
		t.Fatal(err)
	}
	if got := Read(ix.Get(ctx, "b.md")).OK(t); got.Waiting != ce.Claim || len(got.Problems) != 1 {
		t.Errorf("waiting rejection: %+v", got)
	}
	// A rejection cannot wait on a claim nobody else holds.
	if err := ix.Reject(ctx, index.Source{Key: "c.md", Version: "1", Problems: problems, Waiting: "id:tag:x,free"}); !errors.Is(err, index.ErrReleased) {
		t.Errorf("waiting on a free claim: %v, want ErrReleased", err)
	}
	// Removing the holder names the waiter, once.
	ch, err := ix.Delete(ctx, "a.md", "2", deletedAt)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ch.Waiters, []string{"b.md"}) {
		t.Errorf("waiters after delete: %q", ch.Waiters)
	}
	// The waiter is ingested again at its own version, and now holds
	// the claim.
	mustPut(t, ix, src("b.md", "5", art("s", 1), ""))
	if got := Read(ix.Get(ctx, "b.md")).OK(t); got.Waiting != "" || got.Problems != nil || got.Article == nil {
		t.Errorf("waiter after its new Put: %+v", got)
	}
	if _, err := ix.Put(ctx, src("b.md", "5", art("s", 1), "")); !errors.Is(err, index.ErrStale) {
		t.Errorf("the same version again: %v, want ErrStale", err)
	}
	// A change of slug releases the old claim and names its waiters.
	if _, err := ix.Put(ctx, src("c.md", "1", art("s", 2), "")); !errors.As(err, &ce) || ce.Holder != "b.md" {
		t.Fatalf("third claimant: %v", err)
	}
	must(t, "Reject(c.md@1)", ix.Reject(ctx, index.Source{Key: "c.md", Version: "1", Problems: problems, Waiting: ce.Claim}))
	ch, err = ix.Put(ctx, src("b.md", "6", art("renamed", 1), ""))
	if err != nil || !reflect.DeepEqual(ch.Waiters, []string{"c.md"}) {
		t.Errorf("waiters after a slug change: %q, %v", ch.Waiters, err)
	}
	if ch, err := ix.Put(ctx, src("b.md", "7", art("renamed", 1), "")); err != nil || len(ch.Waiters) != 0 {
		t.Errorf("waiters named twice: %q, %v", ch.Waiters, err)
	}
}

// testHoldersAndWaiters checks that Holder and Waiting report claims and
// waiters; a waiter stays listed until its own write.
func testHoldersAndWaiters(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	mustPut(t, ix, src("a.md", "1", art("s", 0), ""))
	claim := "id:tag:x,s"
	if h, err := ix.Holder(ctx, claim); err != nil || h != "a.md" {
		t.Errorf("Holder = %q, %v", h, err)
	}
	problems := []model.Problem{{Field: "id", Message: "taken"}}
	if err := ix.Reject(ctx, index.Source{Key: "b.md", Version: "1", Problems: problems, Waiting: claim}); err != nil {
		t.Fatal(err)
	}
	if w, err := ix.Waiting(ctx); err != nil || !reflect.DeepEqual(w, []string{"b.md"}) {
		t.Errorf("Waiting = %q, %v", w, err)
	}
	// Released, b.md is named, and still listed until its own write:
	// a failure applying it again loses nothing.
	if ch, err := ix.Delete(ctx, "a.md", "2", deletedAt); err != nil || !reflect.DeepEqual(ch.Waiters, []string{"b.md"}) {
		t.Errorf("waiters %q, %v", ch.Waiters, err)
	}
	if h := Read(ix.Holder(ctx, claim)).OK(t); h != "" {
		t.Errorf("holder after release: %q", h)
	}
	if w := Read(ix.Waiting(ctx)).OK(t); !reflect.DeepEqual(w, []string{"b.md"}) {
		t.Errorf("Waiting after release = %q", w)
	}
	mustPut(t, ix, src("b.md", "1", art("s", 1), ""))
	if w := Read(ix.Waiting(ctx)).OK(t); len(w) != 0 {
		t.Errorf("Waiting after the waiter's Put = %q", w)
	}
	// A source without an article may wait through Put (a rejected
	// file whose history holds no good version).
	if _, err := ix.Put(ctx, index.Source{Key: "c.md", Version: "1", Problems: problems, Waiting: claim}); err != nil {
		t.Fatal(err)
	}
	if got := Read(ix.Get(ctx, "c.md")).OK(t); got.Waiting != claim || got.Article != nil {
		t.Errorf("c.md: %+v", got)
	}
	if w := Read(ix.Waiting(ctx)).OK(t); !reflect.DeepEqual(w, []string{"c.md"}) {
		t.Errorf("Waiting = %q", w)
	}
	if _, err := ix.Put(ctx, index.Source{Key: "d.md", Version: "1", Problems: problems, Waiting: "id:tag:x,free"}); !errors.Is(err, index.ErrReleased) {
		t.Errorf("waiting through Put on a free claim: %v", err)
	}
}

// testScheduledWritesMarkNothing checks that writes no feed document shows
// yet (scheduled, drafts) leave nothing pending; Due brings the article in
// at its date.
func testScheduledWritesMarkNothing(t *testing.T, h Harness) {
	ctx := context.Background()
	// A write between versions no feed shows yet (scheduled, a
	// draft) changes no document: nothing pending; Due brings the
	// article in at its date.
	ix := newIndex(t, h)
	now := base.Add(24 * time.Hour)
	at := func(s index.Source) index.Source { s.At = now; return s }
	later := art("later", 48) // a day after now
	ch, err := ix.Put(ctx, at(src("later.md", "1", later, "", "tags/t")))
	if err != nil || len(ch.Feeds) != 0 || len(ch.Pages) != 0 {
		t.Fatalf("scheduled Put: %+v, %v", ch, err)
	}
	if p, err := ix.Pending(ctx); err != nil || !p.Empty() {
		t.Errorf("a scheduled article left marks: %+v, %v", p, err)
	}
	moved := art("later", 72)
	mustPut(t, ix, at(src("later.md", "2", moved, "", "tags/u")))
	if p := Read(ix.Pending(ctx)).OK(t); !p.Empty() {
		t.Errorf("a scheduled article moved to other feeds left marks: %+v", p)
	}
	if w, err := ix.Due(ctx, now, now.Add(72*time.Hour)); err != nil ||
		!reflect.DeepEqual(w.Feeds, []string{"", "tags/u"}) || len(w.Pages) != 2 {
		t.Errorf("Due at its date: %+v, %v", w, err)
	}
	// Its date brought forward to within minutes: marked, so that a
	// publish already running cannot miss it.
	if fs := mustPut(t, ix, at(src("later.md", "3", art("later", 24), "", "tags/u"))); len(fs) != 2 {
		t.Errorf("an article due in minutes: %q", fs)
	}
	p := Read(ix.Pending(ctx)).OK(t)
	must(t, "Published", ix.Published(ctx, p, nil))
	// A live article moved into the future leaves its feeds now.
	mustPut(t, ix, at(src("live.md", "1", art("live", 0), "", "tags/t")))
	p = Read(ix.Pending(ctx)).OK(t)
	must(t, "Published", ix.Published(ctx, p, nil))
	if fs := mustPut(t, ix, at(src("live.md", "2", art("live", 100), "", "tags/t"))); !reflect.DeepEqual(sorted(fs), []string{"", "tags/t"}) {
		t.Errorf("a live article rescheduled: %q", fs)
	}
	p = Read(ix.Pending(ctx)).OK(t)
	must(t, "Published", ix.Published(ctx, p, nil))
	// Deleting an article not yet published marks nothing.
	if ch, err := ix.Delete(ctx, "live.md", "3", now); err != nil || len(ch.Feeds) != 0 {
		t.Errorf("a scheduled article deleted: %+v, %v", ch, err)
	}
	if p := Read(ix.Pending(ctx)).OK(t); !p.Empty() {
		t.Errorf("deleting a scheduled article left marks: %+v", p)
	}
}

// testPendingFeeds checks that writes record their feeds and pages as
// pending; Published clears what was read, keeps what was marked since, and
// records state.
func testPendingFeeds(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	if p, err := ix.Pending(ctx); err != nil || !p.Empty() {
		t.Fatalf("new index: %+v, %v", p, err)
	}
	mustPut(t, ix, src("a.md", "1", art("a", 0), "", "tags/t"))
	must(t, "Reject(b.md@1)", ix.Reject(ctx, index.Source{Key: "b.md", Version: "1", Problems: []model.Problem{{Field: "x", Message: "y"}}}))
	p, err := ix.Pending(ctx)
	if err != nil || p.All || !reflect.DeepEqual(p.Feeds, []string{"", "tags/t"}) ||
		!reflect.DeepEqual(p.Pages, []index.PageRef{{Feed: "", Page: 1}, {Feed: "tags/t", Page: 1}}) {
		t.Fatalf("after a Put: %+v, %v", p, err)
	}
	// A write after the read survives Published.
	mustPut(t, ix, src("c.md", "1", art("c", 0), "tags/u"))
	must(t, "SetState(forgotten)", ix.SetState(ctx, "forgotten", "x"))
	if err := ix.Published(ctx, p, map[string]string{"last": "1", "forgotten": ""}); err != nil {
		t.Fatal(err)
	}
	if p := Read(ix.Pending(ctx)).OK(t); !reflect.DeepEqual(p.Feeds, []string{"tags/u"}) {
		t.Errorf("after Published: %+v", p)
	}
	if st, err := ix.States(ctx, []string{"last", "forgotten"}); err != nil || st["last"] != "1" || st["forgotten"] != "" {
		t.Errorf("the state Published records: %q, %v", st, err)
	}
	if err := ix.Published(ctx, index.Pending{}, map[string]string{"big": strings.Repeat("x", index.MaxState+1)}); err == nil {
		t.Errorf("Published recorded a state value over MaxState")
	}
	mustPut(t, ix, src("a.md", "2", art("a", 0), "", "tags/t"))
	p = Read(ix.Pending(ctx)).OK(t)
	must(t, "Published", ix.Published(ctx, p, nil))
	if p := Read(ix.Pending(ctx)).OK(t); !p.Empty() {
		t.Errorf("still pending: %+v", p)
	}
	// Delete and explicit marks.
	_, err = ix.Delete(ctx, "c.md", "2", deletedAt)
	must(t, "Delete(c.md@2)", err)
	must(t, "MarkPending", ix.MarkPending(ctx, index.Work{Feeds: []string{"tags/x"}, Pages: []index.PageRef{{Feed: "tags/x", Page: 7}}}, true))
	p = Read(ix.Pending(ctx)).OK(t)
	if !p.All || !reflect.DeepEqual(p.Feeds, []string{"tags/u", "tags/x"}) ||
		!reflect.DeepEqual(p.Pages, []index.PageRef{{Feed: "tags/u", Page: 1}, {Feed: "tags/x", Page: 7}}) {
		t.Errorf("after Delete and MarkPending: %+v", p)
	}
	must(t, "Published", ix.Published(ctx, p, nil))
	if p := Read(ix.Pending(ctx)).OK(t); !p.Empty() {
		t.Errorf("still pending: %+v", p)
	}
}

// testUnpurgedOutputs checks that every recorded output awaits a purge
// until Purged, which keeps its hash.
func testUnpurgedOutputs(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	must(t, "SetOutputHash(feed.xml)", ix.SetOutputHash(ctx, "feed.xml", "abc"))
	must(t, "SetOutputHash(tags/t/feed.xml)", ix.SetOutputHash(ctx, "tags/t/feed.xml", "def"))
	must(t, "SetOutputHash(tags/gone/feed.xml)", ix.SetOutputHash(ctx, "tags/gone/feed.xml", ""))
	if u, err := ix.Unpurged(ctx); err != nil || !reflect.DeepEqual(u, []string{"feed.xml", "tags/gone/feed.xml", "tags/t/feed.xml"}) {
		t.Errorf("Unpurged = %q, %v", u, err)
	}
	if err := ix.Purged(ctx, []string{"feed.xml", "tags/gone/feed.xml"}); err != nil {
		t.Fatal(err)
	}
	if u := Read(ix.Unpurged(ctx)).OK(t); !reflect.DeepEqual(u, []string{"tags/t/feed.xml"}) {
		t.Errorf("after Purged: %q", u)
	}
	if h := Read(ix.OutputHash(ctx, "feed.xml")).OK(t); h != "abc" {
		t.Errorf("Purged forgot the hash: %q", h)
	}
}

// testOutputHashesTogether checks that SetOutputHashes and OutputHashes
// record and read many paths at once, each marked for a purge.
func testOutputHashesTogether(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	must(t, "SetOutputHash(old/feed.xml)", ix.SetOutputHash(ctx, "old/feed.xml", "o"))
	if err := ix.Purged(ctx, []string{"old/feed.xml"}); err != nil {
		t.Fatal(err)
	}
	// More paths than one DynamoDB batch write holds, one forgotten.
	want := map[string]string{}
	set := map[string]string{"old/feed.xml": ""}
	for i := 0; i < 60; i++ {
		p := fmt.Sprintf("tags/t%02d/feed.json", i)
		want[p], set[p] = fmt.Sprint("h", i), fmt.Sprint("h", i)
	}
	if err := ix.SetOutputHashes(ctx, set); err != nil {
		t.Fatal(err)
	}
	got, err := ix.OutputHashes(ctx)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("OutputHashes = %d paths %v, want %d", len(got), err, len(want))
	}
	for p, h := range want {
		if one := Read(ix.OutputHash(ctx, p)).OK(t); one != h {
			t.Errorf("OutputHash(%s) = %q, want %q", p, one, h)
		}
	}
	u, err := ix.Unpurged(ctx)
	if err != nil || len(u) != len(set) || !sort.StringsAreSorted(u) {
		t.Errorf("Unpurged: %d paths, want %d sorted (%v)", len(u), len(set), err)
	}
	if err := ix.SetOutputHashes(ctx, nil); err != nil {
		t.Errorf("nothing to record: %v", err)
	}
}

// testStatesTogether checks that States reads several named values at once,
// "" for those unset.
func testStatesTogether(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	must(t, "SetState(a)", ix.SetState(ctx, "a", "1"))
	must(t, "SetState(c)", ix.SetState(ctx, "c", "3"))
	got, err := ix.States(ctx, []string{"a", "b", "c", "a"})
	if err != nil || !reflect.DeepEqual(got, map[string]string{"a": "1", "b": "", "c": "3"}) {
		t.Errorf("States = %v, %v", got, err)
	}
}

// testContentsAsLatestAndPage checks that Contents returns what Latest and
// Page return, feed by feed and page by page.
func testContentsAsLatestAndPage(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	// 60 articles in the site feed (two pages), every third in a tag,
	// one scheduled, one expired, one edited (a new body), one moved
	// out of the tag.
	for i := 0; i < 60; i++ {
		feeds := []string{""}
		if i%3 == 0 {
			feeds = append(feeds, "tags/x")
		}
		a := art(fmt.Sprintf("c%02d", i), i)
		switch i {
		case 7:
			a.Published = now.Add(time.Hour)
		case 8:
			a.Expires = now.Add(-time.Hour)
		}
		mustPut(t, ix, src(fmt.Sprintf("c%02d.md", i), "1", a, feeds...))
	}
	edited := art("c03", 3)
	edited.ContentHTML = "<p>edited</p>"
	mustPut(t, ix, src("c03.md", "2", edited, "", "tags/x"))
	mustPut(t, ix, src("c06.md", "2", art("c06", 6), ""))
	live := []index.LiveRef{{Feed: "", Limit: 10}, {Feed: "tags/x", Limit: 100}, {Feed: "tags/none", Limit: 5}}
	pages := []index.PageRef{{Feed: "", Page: 1}, {Feed: "", Page: 2}, {Feed: "tags/x", Page: 1}}
	c, err := ix.Contents(ctx, live, pages, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range live {
		want := Read(ix.Latest(ctx, l.Feed, l.Limit, now)).OK(t)
		if !reflect.DeepEqual(c.Live[l.Feed], want) && (len(want) > 0 || len(c.Live[l.Feed]) > 0) {
			t.Errorf("Contents of feed %q: %q, Latest: %q", l.Feed, slugs(c.Live[l.Feed]), slugs(want))
		}
	}
	for _, p := range pages {
		want := Read(ix.Page(ctx, p.Feed, p.Page)).OK(t)
		if !reflect.DeepEqual(c.Pages[p], want) {
			t.Errorf("Contents of %+v: %q, Page: %q", p, slugs(c.Pages[p]), slugs(want))
		}
	}
	if x := c.Live["tags/x"]; len(x) != 19 || slugs(x)[17] != "c03" || x[17].ContentHTML != "<p>edited</p>" {
		t.Errorf("tags/x live: %q", slugs(x))
	}
	if len(c.Pages[index.PageRef{Feed: "", Page: 2}]) != 10 {
		t.Errorf("site page 2: %q", slugs(c.Pages[index.PageRef{Feed: "", Page: 2}]))
	}
}

// testState checks that named state values are recorded, bounded by
// MaxState, cleared, and SetStateNewer keeps the newest version.
func testState(t *testing.T, h Harness) {
	ctx := context.Background()
	ix := newIndex(t, h)
	if v, err := ix.State(ctx, "config"); err != nil || v != "" {
		t.Errorf("unset: %q, %v", v, err)
	}
	yaml := "site:\n  title: مثال\n"
	if err := ix.SetState(ctx, "config", yaml); err != nil {
		t.Fatal(err)
	}
	if v := Read(ix.State(ctx, "config")).OK(t); v != yaml {
		t.Errorf("State = %q", v)
	}
	if err := ix.SetState(ctx, "big", string(make([]byte, index.MaxState+1))); err == nil {
		t.Error("a value over MaxState was stored")
	}
	must(t, "SetState(config)", ix.SetState(ctx, "config", ""))
	if v := Read(ix.State(ctx, "config")).OK(t); v != "" {
		t.Errorf("after clearing: %q", v)
	}
	// The newest version wins, whatever the order of the writes.
	for _, w := range []struct {
		value, version string
		wrote          bool
	}{{"b", "0062E99A0000000002", true}, {"a", "0062E99A0000000001", false}, {"b2", "0062E99A0000000002", false}, {"c", "0062E99A0000000003", true}} {
		ok, err := ix.SetStateNewer(ctx, "cfg", w.value, w.version)
		if err != nil || ok != w.wrote {
			t.Errorf("SetStateNewer(%s at %s) = %v, %v; want %v", w.value, w.version, ok, err, w.wrote)
		}
	}
	if v := Read(ix.State(ctx, "cfg")).OK(t); v != "c" {
		t.Errorf("after versioned writes: %q", v)
	}
}
