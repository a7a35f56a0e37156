package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/article"
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
	l.build()
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
	l.build()
	if got, _ := l.ix.Get(ctx, "pinned-2.md"); got.Article == nil || got.Article.ID != "urn:example:pinned" || got.Article.IDFrom != article.IDFromFile {
		t.Errorf("pinned: %+v", got.Article)
	}

	// A rename with an edit in the same build is not recognised: new id.
	l.write("edited.md", md("Edited", "2021-05-03"), t0)
	l.build()
	os.Remove(filepath.Join(l.src, "edited.md"))
	l.write("edited-2.md", md("Edited", "2021-05-03", "tags: [x]"), t0)
	l.build()
	if got, _ := l.ix.Get(ctx, "edited-2.md"); got.Article == nil || got.Article.IDFrom != "" || !strings.HasSuffix(got.Article.ID, ":edited-2") {
		t.Errorf("rename with an edit: %+v", got.Article)
	}
}
