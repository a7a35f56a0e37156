package bolt

import (
	"reflect"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/index"
)

func TestSummaryEncoding(t *testing.T) {
	plus1 := time.FixedZone("", 3600)
	for _, s := range []index.Summary{
		{},
		{Key: "ar/العثماني.txt", Version: "0062E99A88DC407460", Hash: "abc", Config: "cfg", Title: "عنوان", Size: 4626,
			ArticleConfig: "old-cfg", ObjectVersion: "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY", Waiting: "id:tag:x,2021:a",
			ModTime: time.Date(2021, 2, 22, 16, 18, 0, 5, time.UTC), Published: time.Date(2021, 2, 22, 16, 18, 0, 0, plus1),
			Expires: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), HasArticle: true, Draft: true,
			Problems:   []article.Problem{{Field: "date", Line: 3, Message: "\"someday\" is not a date"}, {Field: "body", Message: "no text"}},
			RejectedAt: time.Date(2021, 2, 23, 0, 0, 0, 0, time.UTC)},
		{Key: "gone.md", Version: "9", Deleted: true},
	} {
		b := encodeSummary(s)
		got, err := decodeSummary(b)
		if err != nil {
			t.Fatal(err)
		}
		// Times compare by instant and offset; zones are fixed after decoding.
		for _, p := range [][2]*time.Time{{&got.ModTime, &s.ModTime}, {&got.Published, &s.Published}, {&got.Expires, &s.Expires}, {&got.RejectedAt, &s.RejectedAt}} {
			_, o1 := p[0].Zone()
			_, o2 := p[1].Zone()
			if !p[0].Equal(*p[1]) || o1 != o2 {
				t.Errorf("time %v, want %v", *p[0], *p[1])
			}
			*p[0] = *p[1]
		}
		if !reflect.DeepEqual(got, s) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, s)
		}
		for i := 0; i < len(b); i++ {
			if _, err := decodeSummary(b[:i]); err == nil && i < len(b)-1 {
				// A truncated record must be an error, never a panic; a cut at
				// the very end may still decode when the tail was empty lists.
				if _, err2 := decodeSummary(b[:i]); err2 == nil && len(s.Problems) > 0 {
					t.Errorf("truncated at %d of %d decoded without error", i, len(b))
				}
			}
		}
	}
}
