package bolt_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/index/bolt"
	"github.com/pressroom/pressroom/internal/index/indextest"
)

func TestBolt(t *testing.T) {
	indextest.Run(t, indextest.Harness{New: func(t *testing.T) index.Index {
		ix, err := bolt.Open(filepath.Join(t.TempDir(), "index.db"))
		if err != nil {
			t.Fatal(err)
		}
		return ix
	}})
}

func TestBoltReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index.db")
	ix, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ix.SetOutputHash(t.Context(), "feed.xml", "abc")
	ix.Close()
	ix, err = bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if h := indextest.Read(ix.OutputHash(t.Context(), "feed.xml")).OK(t); h != "abc" {
		t.Errorf("after reopening: %q", h)
	}
}

// TestBoltMigratesVersion1 opens an index written by the previous release
// (testdata/v1-index.db: Go field names, state among the output hashes)
// and finds everything in it.
func TestBoltMigratesVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "index.db")
	data, err := os.ReadFile("testdata/v1-index.db")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, data, 0o644)
	ix, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	src, err := ix.Get(ctx, "budget.md")
	if err != nil {
		t.Fatal(err)
	}
	a := src.Article
	if a == nil || a.Title != "الميزانية" || a.ContentHTML != "<p>نص</p>" || a.URL != "https://news.example.org/budget/" ||
		!reflect.DeepEqual(a.Authors, []string{"منى"}) || a.DateSource != "content" || a.Published.IsZero() {
		t.Errorf("article after migration: %+v", a)
	}
	if src.Version != "00000000000000000002" || len(src.Problems) != 1 || src.Problems[0].Line != 3 || len(src.Feeds) != 2 {
		t.Errorf("source after migration: %+v", src)
	}
	l := indextest.Read(ix.List(ctx)).OK(t)
	if len(l) != 1 || !l[0].HasArticle || len(l[0].Problems) != 1 {
		t.Errorf("summaries after migration: %+v", l)
	}
	if got := indextest.Read(ix.Latest(ctx, "tags/اقتصاد", 10, time.Now())).OK(t); len(got) != 1 {
		t.Errorf("feed after migration: %d items", len(got))
	}
	if v := indextest.Read(ix.State(ctx, "last-publish")).OK(t); v != "2021-02-22T17:00:00Z" {
		t.Errorf("state after migration: %q", v)
	}
	if h := indextest.Read(ix.OutputHash(ctx, ".state/config")).OK(t); h != "" {
		t.Errorf("old state left among the outputs: %q", h)
	}
	// Its claims were rebuilt: another file cannot take the id.
	other := *a
	if _, err := ix.Put(ctx, index.Source{Key: "other.md", Version: "1", Article: &other}); err == nil {
		t.Error("a second file took the migrated article's id")
	}
}
