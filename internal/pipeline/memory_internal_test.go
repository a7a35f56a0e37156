package pipeline

import (
	"slices"
	"testing"

	"github.com/pressroom/pressroom/internal/article/model"
	"github.com/pressroom/pressroom/internal/index"
)

// TestSyncKeepsNoBodies: a Sync keeps every file's outcome until its
// report, so what it keeps of an article must not grow with its body: a
// first build of 40,000 articles held 104 MB more at its peak with the
// bodies kept. The article recorded (and the caller's) is left whole;
// the outcome keeps what the report tells.
func TestSyncKeepsNoBodies(t *testing.T) {
	s := newSyncRun(&Pipeline{}, nil, []*index.Summary{})
	a := &model.Article{ID: "tag:x,a", Title: "A", ContentHTML: "<p>Body</p>", Summary: "Body", Draft: true}
	kept := &model.Article{ID: "tag:x,b", Title: "B", ContentHTML: "<p>Old body</p>", Summary: "Old body"}
	s.count(Result{Key: "a.md", Outcome: Published, Article: a})
	s.count(Result{Key: "b.md", Outcome: Rejected, Kept: kept})
	if got := s.last["a.md"].Article; got == nil || got.ContentHTML != "" || got.Summary != "" || got.ID != a.ID || !got.Draft || got.Title != "A" {
		t.Errorf("kept of a published article: %+v", got)
	}
	if got := s.last["b.md"].Kept; got == nil || got.ContentHTML != "" || got.Summary != "" || got.ID != kept.ID {
		t.Errorf("kept of a rejected file's last good version: %+v", got)
	}
	if a.ContentHTML == "" || kept.ContentHTML == "" {
		t.Error("the caller's articles lost their bodies")
	}
}

// TestByPlace: archive pages are rendered in the order of where each falls
// in its feed, so pages of different feeds holding the same articles come
// together (the index's cache of decoded articles is bounded); pages at
// the same place keep their order.
func TestByPlace(t *testing.T) {
	j := job{infos: map[string]index.FeedInfo{
		"":       {Slots: 4 * index.PageSize},
		"tags/a": {Slots: 2 * index.PageSize},
		"tags/b": {Slots: 1},
		"tags/c": {Slots: 2*index.PageSize - 3},
	}}
	pages := []index.PageRef{{Feed: "", Page: 1}, {Feed: "", Page: 2}, {Feed: "", Page: 3}, {Feed: "", Page: 4}, {Feed: "tags/a", Page: 1}, {Feed: "tags/a", Page: 2}, {Feed: "tags/b", Page: 1}, {Feed: "tags/c", Page: 1}, {Feed: "tags/c", Page: 2}}
	byPlace(j, pages)
	want := []index.PageRef{{Feed: "", Page: 1}, {Feed: "tags/a", Page: 1}, {Feed: "tags/c", Page: 1}, {Feed: "", Page: 2}, {Feed: "tags/b", Page: 1}, {Feed: "", Page: 3}, {Feed: "tags/a", Page: 2}, {Feed: "tags/c", Page: 2}, {Feed: "", Page: 4}}
	if !slices.Equal(pages, want) {
		t.Errorf("byPlace = %v, want %v", pages, want)
	}
}
