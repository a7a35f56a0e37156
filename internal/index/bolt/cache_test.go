package bolt

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/article/model"
	"github.com/pressroom/pressroom/internal/index"
)

// TestArticleCacheBudget: one transaction that reads every article of a
// site several times (a publish rendering every feed) holds at most the
// cache's budget of them, and reads after the cache started again are the
// articles stored: three feeds' archive pages, read in one Batch with a
// budget of a quarter of the site, give what three separate reads give.
func TestArticleCacheBudget(t *testing.T) {
	const n = 3 * index.PageSize
	ctx := context.Background()
	ix, err := Open(filepath.Join(t.TempDir(), "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	base := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	body := strings.Repeat("<p>A paragraph of the story.</p>\n", 60) // about 2 KB
	for i := range n {
		p := base.Add(time.Duration(i) * time.Hour)
		a := &model.Article{ID: fmt.Sprintf("tag:x,%03d", i), Slug: fmt.Sprintf("s%03d", i), Title: fmt.Sprintf("Story %d", i),
			ContentHTML: body + fmt.Sprintf("<p>%d</p>", i), Summary: "Summary", Published: p, Updated: p, Lang: "en", Dir: "ltr"}
		feeds := []index.Membership{{Feed: "", Label: "Site"}, {Feed: "tags/a", Label: "a"}, {Feed: "tags/b", Label: "b"}}
		key := fmt.Sprintf("%03d.md", i)
		if _, err := ix.Put(ctx, index.Source{Key: key, Version: "1", Hash: "h" + key, Size: 10, ModTime: base, Article: a, Feeds: feeds}); err != nil {
			t.Fatal(err)
		}
	}
	var pages []index.PageRef
	for _, f := range []string{"", "tags/a", "tags/b"} {
		for pg := 1; pg <= n/index.PageSize; pg++ {
			pages = append(pages, index.PageRef{Feed: f, Page: pg})
		}
	}
	want, err := ix.Contents(ctx, nil, pages, base.Add(n*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(want.Pages[index.PageRef{Feed: "tags/b", Page: 3}]); got != index.PageSize {
		t.Fatalf("page 3 of tags/b holds %d articles", got)
	}

	record := len(ix.mustArticleRecord(t, "000.md"))
	defer func(b int) { articleCacheBudget = b }(articleCacheBudget)
	articleCacheBudget = n / 4 * record
	var largest int
	err = ix.Batch(ctx, func(x index.Index) error {
		tx := x.(txn)
		for _, pg := range pages { // a page at a time: the cache is seen between them
			c, err := tx.Contents(ctx, nil, []index.PageRef{pg}, base.Add(n*time.Hour))
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(c.Pages[pg], want.Pages[pg]) {
				t.Errorf("page %v read in the batch differs from its separate read", pg)
			}
			largest = max(largest, tx.decoded.bytes)
			if len(tx.decoded.byKey) > n/4+1 {
				t.Errorf("after page %v: %d articles cached, budget %d bytes (%d records)", pg, len(tx.decoded.byKey), articleCacheBudget, n/4)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if largest > articleCacheBudget || largest < articleCacheBudget/2 {
		t.Errorf("the cache held %d bytes of records at most, budget %d", largest, articleCacheBudget)
	}
}

// mustArticleRecord returns the stored record of key's article.
func (b *Index) mustArticleRecord(t *testing.T, key string) []byte {
	t.Helper()
	var rec []byte
	err := b.view(func(x txn) error {
		rec = append(rec, x.tx.Bucket(bArticles).Get([]byte(key))...)
		return nil
	})
	if err != nil || len(rec) == 0 {
		t.Fatalf("no record of %s: %v", key, err)
	}
	return rec
}
