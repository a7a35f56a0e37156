package index

import (
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
	data, err := EncodeArticle(&a)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeArticle(data)
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
	if _, err := DecodeArticle([]byte(`{"v":99,"id":"x"}`)); err == nil || !strings.Contains(err.Error(), "newer pressroom") {
		t.Errorf("a record of schema 99: %v", err)
	}
	if _, err := DecodeSourceRecord([]byte(`{"v":99,"key":"x"}`)); err == nil {
		t.Error("a source of schema 99 decoded")
	}
}
