package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/pipeline"
)

// TestLocalRenameKeepsID: a file renamed between two builds (its old name
// gone, its bytes under a new one) keeps its article's id, so readers see
// no new item and no deletion; its URL follows the new slug. Later edits
// keep the id; an id in the file wins; a copy (the old name still there)
// is another article.
func TestLocalRenameKeepsID(t *testing.T) {
	l := newLocal(t)
	ctx := context.Background()
	t0 := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC)
	text := md("Port expansion", "2021-05-01")
	l.write("2021-05-01-port-expansion.md", text, t0)
	l.build()
	before, err := l.ix.Get(ctx, "2021-05-01-port-expansion.md")
	if err != nil || before.Article == nil {
		t.Fatalf("%+v %v", before, err)
	}
	id := before.Article.ID
	if !strings.HasSuffix(id, ":port-expansion") {
		t.Fatalf("id %s", id)
	}

	os.Rename(filepath.Join(l.src, "2021-05-01-port-expansion.md"), filepath.Join(l.src, "2021-05-01-tanger-med.md"))
	srep, _ := l.build()
	if want := []pipeline.Rename{{From: "2021-05-01-port-expansion.md", To: "2021-05-01-tanger-med.md"}}; !reflect.DeepEqual(srep.Renamed, want) || len(srep.Removed) != 0 {
		t.Errorf("the build reports renamed %+v, removed %q; want renamed %+v, none removed", srep.Renamed, srep.Removed, want)
	}
	after, err := l.ix.Get(ctx, "2021-05-01-tanger-med.md")
	if err != nil || after.Article == nil {
		t.Fatalf("%+v %v", after, err)
	}
	if after.Article.ID != id || after.Article.IDFrom != article.IDFromRename {
		t.Errorf("renamed: id %s (%s), want %s kept", after.Article.ID, after.Article.IDFrom, id)
	}
	if !strings.HasSuffix(after.Article.URL, "/tanger-med/") {
		t.Errorf("renamed: URL %s, want the new slug's", after.Article.URL)
	}
	gone, err := l.ix.Gone(ctx)
	if err != nil || len(gone) != 0 {
		t.Errorf("a rename announced a deletion: %+v %v", gone, err)
	}
	feedJSON, _ := os.ReadFile(filepath.Join(l.out, "feed.json"))
	if strings.Count(string(feedJSON), id) != 1 || strings.Count(string(feedJSON), `"title": "Port expansion"`)+strings.Count(string(feedJSON), `"title":"Port expansion"`) != 1 {
		t.Errorf("feed.json after the rename:\n%s", feedJSON)
	}

	// An edit, and a forced re-parse, keep it.
	l.write("2021-05-01-tanger-med.md", md("Port expansion", "2021-05-01", "tags: [ports]"), t0.Add(time.Hour))
	l.build()
	if _, _, err := l.p.Build(ctx, l.src, true, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.ix.Get(ctx, "2021-05-01-tanger-med.md"); got.Article == nil || got.Article.ID != id {
		t.Errorf("after an edit and --force: %+v", got.Article)
	}

	// A copy is another article (the old name is still there).
	l.write("copy.md", md("Port expansion", "2021-05-01", "tags: [ports]", "slug: copy"), t0.Add(time.Hour))
	l.build()
	if got, _ := l.ix.Get(ctx, "copy.md"); got.Article == nil || got.Article.ID == id {
		t.Errorf("a copy took the id: %+v", got.Article)
	}

	// An id in the file pins it, rename or not.
	pinned := md("Pinned", "2021-05-02", "id: urn:example:pinned")
	l.write("pinned.md", pinned, t0)
	l.build()
	os.Rename(filepath.Join(l.src, "pinned.md"), filepath.Join(l.src, "pinned-2.md"))
	if srep, _ := l.build(); len(srep.Renamed) != 1 || srep.Renamed[0] != (pipeline.Rename{From: "pinned.md", To: "pinned-2.md"}) {
		t.Errorf("pinned: the build reports renamed %+v", srep.Renamed)
	}
	if got, _ := l.ix.Get(ctx, "pinned-2.md"); got.Article == nil || got.Article.ID != "urn:example:pinned" || got.Article.IDFrom != article.IDFromFile {
		t.Errorf("pinned: %+v", got.Article)
	}

	// A rename with an edit in the same build is not recognised: new id.
	l.write("edited.md", md("Edited", "2021-05-03"), t0)
	l.build()
	os.Remove(filepath.Join(l.src, "edited.md"))
	l.write("edited-2.md", md("Edited", "2021-05-03", "tags: [x]"), t0)
	if srep, _ := l.build(); len(srep.Renamed) != 0 || !reflect.DeepEqual(srep.Removed, []string{"edited.md"}) {
		t.Errorf("rename with an edit: the build reports renamed %+v, removed %q; want edited.md removed", srep.Renamed, srep.Removed)
	}
	if got, _ := l.ix.Get(ctx, "edited-2.md"); got.Article == nil || got.Article.IDFrom != "" || !strings.HasSuffix(got.Article.ID, ":edited-2") {
		t.Errorf("rename with an edit: %+v", got.Article)
	}
}

// TestLocalRenamesReported: a build reports each file removed whose bytes
// it recorded under a new name as renamed, not removed, once per pair:
// two files of the same bytes renamed at once pair in name order, a third
// removed with them is removed; a rejected file renamed is renamed (and
// still rejected); a file removed with no new twin is removed.
func TestLocalRenamesReported(t *testing.T) {
	l := newLocal(t)
	t0 := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC)
	same := md("Same", "2021-05-01", "slug: same") // three files of these bytes: the slug is claimed once
	l.write("a1.md", same, t0)
	l.write("a2.md", same, t0)
	l.write("a3.md", same, t0)
	l.write("bad.md", "---\ntitle: Bad\ndate: never\n---\n\nText.\n", t0)
	l.write("plain.md", md("Plain", "2021-05-02"), t0)
	l.write("stays.md", md("Stays", "2021-05-03"), t0)
	l.build()
	for _, mv := range [][2]string{{"a1.md", "b1.md"}, {"a2.md", "b2.md"}, {"bad.md", "bad-2.md"}} {
		if err := os.Rename(filepath.Join(l.src, mv[0]), filepath.Join(l.src, mv[1])); err != nil {
			t.Fatal(err)
		}
	}
	os.Remove(filepath.Join(l.src, "a3.md"))
	os.Remove(filepath.Join(l.src, "plain.md"))
	srep, _ := l.build()
	want := []pipeline.Rename{{From: "a1.md", To: "b1.md"}, {From: "a2.md", To: "b2.md"}, {From: "bad.md", To: "bad-2.md"}}
	if !reflect.DeepEqual(srep.Renamed, want) {
		t.Errorf("renamed %+v, want %+v", srep.Renamed, want)
	}
	if !reflect.DeepEqual(srep.Removed, []string{"a3.md", "plain.md"}) {
		t.Errorf("removed %q, want a3.md and plain.md", srep.Removed)
	}
	if len(srep.Rejections) == 0 || srep.Rejections[len(srep.Rejections)-1].Key != "bad-2.md" {
		t.Errorf("the renamed rejected file is not reported rejected: %+v", srep.Rejections)
	}
	// Nothing changed since: nothing renamed or removed.
	if srep, _ := l.build(); len(srep.Renamed)+len(srep.Removed) != 0 {
		t.Errorf("an idle build reports renamed %+v, removed %q", srep.Renamed, srep.Removed)
	}
}

// TestLocalRenameThatTakesAnArticleOut: a rename is reported only when
// readers see no article go. A published file whose bytes come back under
// a name that refuses them (another format) takes its article out: it is
// removed, the new name rejected. Among files of the same bytes, the one
// moved (a move keeps the modification time) is the one renamed and keeps
// its id, whatever the names' order; the others are removed.
func TestLocalRenameThatTakesAnArticleOut(t *testing.T) {
	ctx := context.Background()
	l := newLocal(t)
	t0 := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC)
	same := md("Twins", "2021-05-01")
	l.write("a.md", md("Alpha", "2021-05-02"), t0)
	l.write("x1.md", same, t0.Add(1*time.Minute))
	l.write("x2.md", same, t0.Add(2*time.Minute))
	l.write("s1.md", same, t0.Add(3*time.Minute))
	l.write("s2.md", same, t0.Add(4*time.Minute))
	l.build()
	id := func(key string) string {
		t.Helper()
		src, err := l.ix.Get(ctx, key)
		if err != nil || src.Article == nil {
			t.Fatalf("%s: %+v %v", key, src, err)
		}
		return src.Article.ID
	}
	idA, idX2, idS1, idS2 := id("a.md"), id("x2.md"), id("s1.md"), id("s2.md")

	mv := func(from, to string) {
		t.Helper()
		if err := os.Rename(filepath.Join(l.src, from), filepath.Join(l.src, to)); err != nil {
			t.Fatal(err)
		}
	}
	mv("a.md", "a.json") // the same bytes are not JSON: refused
	os.Remove(filepath.Join(l.src, "x1.md"))
	mv("x2.md", "x3.md")
	mv("s1.md", "t2.md") // crossed: s1 becomes t2, s2 becomes t1
	mv("s2.md", "t1.md")
	srep, _ := l.build()
	want := []pipeline.Rename{{From: "s1.md", To: "t2.md"}, {From: "s2.md", To: "t1.md"}, {From: "x2.md", To: "x3.md"}}
	if !reflect.DeepEqual(srep.Renamed, want) {
		t.Errorf("renamed %+v, want %+v", srep.Renamed, want)
	}
	if !reflect.DeepEqual(srep.Removed, []string{"a.md", "x1.md"}) {
		t.Errorf("removed %q, want a.md (its article taken out) and x1.md", srep.Removed)
	}
	if len(srep.Rejections) != 1 || srep.Rejections[0].Key != "a.json" {
		t.Errorf("rejections %+v, want a.json", srep.Rejections)
	}
	if got := id("x3.md"); got != idX2 {
		t.Errorf("x3.md has id %s, want x2.md's %s (the file moved)", got, idX2)
	}
	if got1, got2 := id("t1.md"), id("t2.md"); got1 != idS2 || got2 != idS1 {
		t.Errorf("crossed renames: t1.md %s, t2.md %s; want %s (s2's) and %s (s1's)", got1, got2, idS2, idS1)
	}
	gone, err := l.ix.Gone(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var goneIDs []string
	for _, g := range gone {
		goneIDs = append(goneIDs, g.ID)
	}
	if !slices.Contains(goneIDs, idA) {
		t.Errorf("a.md's article %s is not announced deleted (gone: %q)", idA, goneIDs)
	}
}

// TestRejectionNamesTheHolderAfterARename: a file refused for a URL
// another file holds names that file; when the holder is renamed (keeping
// its URL), the refusal names the new name, not one that is gone.
func TestRejectionNamesTheHolderAfterARename(t *testing.T) {
	l := newLocal(t)
	t0 := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC)
	l.write("a.md", md("A", "2021-05-01", "slug: x"), t0)
	l.write("b.md", md("B", "2021-05-02", "slug: x"), t0)
	l.build()
	if err := os.Rename(filepath.Join(l.src, "a.md"), filepath.Join(l.src, "c.md")); err != nil {
		t.Fatal(err)
	}
	srep, _ := l.build()
	if len(srep.Rejections) != 1 || srep.Rejections[0].Key != "b.md" || len(srep.Rejections[0].Problems) == 0 {
		t.Fatalf("rejections %+v, want b.md's", srep.Rejections)
	}
	if msg := srep.Rejections[0].Problems[0].String(); !strings.Contains(msg, "c.md") || strings.Contains(msg, "a.md") {
		t.Errorf("b.md's refusal after a.md became c.md: %s", msg)
	}
}
