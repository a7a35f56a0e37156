package index

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/article"
)

// TestRecordCoversArticle fails when article.Article gains a field the
// stored record does not carry: every field is set to a non-zero value by
// reflection and must survive encoding and decoding.
func TestRecordCoversArticle(t *testing.T) {
	var a article.Article
	v := reflect.ValueOf(&a).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("x-" + v.Type().Field(i).Name)
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Int:
			f.SetInt(int64(100 + i))
		case reflect.Slice:
			switch f.Type() {
			case reflect.TypeOf([]string{}):
				f.Set(reflect.ValueOf([]string{"s-" + v.Type().Field(i).Name}))
			case reflect.TypeOf([]article.Problem{}):
				f.Set(reflect.ValueOf([]article.Problem{{Field: "f-" + v.Type().Field(i).Name, Line: i, Message: "m"}}))
			default:
				t.Fatalf("field %s: a %s, which this test does not know how to fill", v.Type().Field(i).Name, f.Type())
			}
		case reflect.Struct:
			if f.Type() != reflect.TypeOf(time.Time{}) {
				t.Fatalf("field %s: a %s, which this test does not know how to fill", v.Type().Field(i).Name, f.Type())
			}
			f.Set(reflect.ValueOf(time.Date(2021, 2, 22, 16, 18, i, 0, time.UTC)))
		default:
			t.Fatalf("field %s: a %s, which this test does not know how to fill", v.Type().Field(i).Name, f.Type())
		}
	}
	data, err := encodeArticle(&a)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeArticle(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, a) {
		t.Errorf("a field of article.Article is not stored (add it to articleRecord and bump recordVersion if its meaning changed):\n got %+v\nwant %+v", *got, a)
	}
	if !strings.Contains(string(data), `"v":3`) {
		t.Errorf("no schema version in %s", data)
	}
}

func TestRecordFromTheFuture(t *testing.T) {
	if _, err := decodeArticle([]byte(`{"v":99,"id":"x"}`)); err == nil || !strings.Contains(err.Error(), "newer pressroom") {
		t.Errorf("a record of schema 99: %v", err)
	}
	if _, err := decodeSource([]byte(`{"v":99,"key":"x"}`)); err == nil {
		t.Error("a source of schema 99 decoded")
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
	ix, err := OpenBolt(path)
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
	l, _ := ix.List(ctx)
	if len(l) != 1 || !l[0].HasArticle || len(l[0].Problems) != 1 {
		t.Errorf("summaries after migration: %+v", l)
	}
	if got, _ := ix.Latest(ctx, "tags/اقتصاد", 10, time.Now()); len(got) != 1 {
		t.Errorf("feed after migration: %d items", len(got))
	}
	if v, _ := ix.State(ctx, "last-publish"); v != "2021-02-22T17:00:00Z" {
		t.Errorf("state after migration: %q", v)
	}
	if h, _ := ix.OutputHash(ctx, ".state/config"); h != "" {
		t.Errorf("old state left among the outputs: %q", h)
	}
	// Its claims were rebuilt: another file cannot take the id.
	other := *a
	if _, err := ix.Put(ctx, Source{Key: "other.md", Version: "1", Article: &other}); err == nil {
		t.Error("a second file took the migrated article's id")
	}
}
