package index

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/article"
)

// hostileText is what a stored string may hold: every character JSON
// escapes (HTML's too), line separators, controls, invalid UTF-8 (Encode
// writes U+FFFD), scripts of both directions and astral characters.
var hostileText = []string{"", "plain", `"`, `\`, "/", "<p>", "&amp;", ">", "\u2028", "\u2029", "\x00", "\x1f", "\t\n\r",
	"\x7f", "\xff", "\xc3", "é", "ـ", "مرحبا", "\u202e", "😀", "\ufffd", "\U0010FFFF", "ab\\u0041", `\"`}

func randomText(r *rand.Rand) string {
	var b strings.Builder
	for n := r.IntN(6); n > 0; n-- {
		b.WriteString(hostileText[r.IntN(len(hostileText))])
	}
	return b.String()
}

func randomTexts(r *rand.Rand) []string {
	switch r.IntN(3) {
	case 0:
		return nil
	case 1:
		return []string{randomText(r)}
	}
	return []string{randomText(r), randomText(r), randomText(r)}
}

func randomArticle(r *rand.Rand) *article.Article {
	when := func() time.Time {
		if r.IntN(4) == 0 {
			return time.Time{}
		}
		t := time.Unix(r.Int64N(1<<36)-1<<35, r.Int64N(1e9))
		return t.In(time.FixedZone("", (r.IntN(49)-24)*1800))
	}
	a := &article.Article{ID: randomText(r), IDFrom: randomText(r), Slug: randomText(r), Title: randomText(r),
		Summary: randomText(r), ContentHTML: randomText(r) + "<p>" + randomText(r) + "</p>", URL: randomText(r),
		Published: when(), Updated: when(), Expires: when(), Lang: randomText(r), Dir: randomText(r),
		Authors: randomTexts(r), Credits: randomTexts(r), Tags: randomTexts(r), Categories: randomTexts(r),
		Image: randomText(r), Draft: r.IntN(2) == 0, UpdatedFrom: randomText(r), Correction: randomText(r),
		Words: r.IntN(1e6) - 10, Source: randomText(r), Format: randomText(r), Hash: randomText(r),
		DateSource: randomText(r), Notes: randomTexts(r)}
	for n := r.IntN(3); n > 0; n-- {
		a.Warnings = append(a.Warnings, article.Problem{Field: randomText(r), Line: r.IntN(100) - 1, Message: randomText(r)})
	}
	return a
}

// TestDecodeArticleRecordTakesEncoded: every record EncodeArticle writes
// is read without encoding/json, into what encoding/json reads; so is
// every record an older pressroom wrote (json.Marshal, HTML escaped).
func TestDecodeArticleRecordTakesEncoded(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		a := randomArticle(r)
		data, err := EncodeArticle(a)
		if i%2 == 1 {
			data, err = json.Marshal(toArticleRecord(a))
		}
		if err != nil {
			t.Fatal(err)
		}
		fast, ok := decodeArticleRecord(data)
		if !ok {
			t.Fatalf("article %d: the fast reader refused what EncodeArticle wrote: %s", i, data)
		}
		var slow articleRecord
		if err := json.Unmarshal(data, &slow); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("article %d: read\n %+v\nencoding/json reads\n %+v\nfrom %s", i, fast, slow, data)
		}
	}
}

// TestDecodeArticleRecordLeavesTheRest: what the fast reader must leave
// to encoding/json (which reads it, or refuses it as before).
func TestDecodeArticleRecordLeavesTheRest(t *testing.T) {
	for _, data := range []string{
		`{"ID":"version 1 names"}`, `{"v":3,"id":null}`, `{"v":3,"id":"a","id":"b"}`, `{"v":3.0}`, `{"v":01}`,
		`{"v":3} x`, `{"v":3,}`, `{"title":"\ud83d\ude00"}`, `{"title":"\ud800"}`, "{\"title\":\"\xff\"}",
		`{"title":"\x"}`, `{"authors":["a",1]}`, `{"warnings":[{"field":"f","Field":"g"}]}`, `{"v":99999999999999999999}`,
		"{\"title\":\"a\tb\"}", `{"published":"2021-01-01"}`, `{"draft":tru}`, `[]`, ``,
	} {
		if _, ok := decodeArticleRecord([]byte(data)); ok {
			t.Errorf("the fast reader took %q", data)
		}
	}
}

// FuzzDecodeArticleRecord: whatever the fast reader takes, encoding/json
// takes too, and reads the same record from it.
func FuzzDecodeArticleRecord(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 10 {
		a := randomArticle(r)
		data, err := EncodeArticle(a)
		if err != nil {
			f.Fatal(err)
		}
		old, _ := json.Marshal(toArticleRecord(a))
		f.Add(data)
		f.Add(old)
	}
	for _, s := range []string{` { "v" : 3 , "tags" : [ ] , "warnings" : [ { } ] } `, `{"title":"\u00e9\n\/"}`,
		`{"v":-0}`, `{"words":-12}`, `{"expires":"2021-01-01T00:00:00.5+01:00"}`, `{"draft":false}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ok := decodeArticleRecord(data)
		if !ok {
			return
		}
		var slow articleRecord
		if err := json.Unmarshal(data, &slow); err != nil {
			t.Fatalf("the fast reader took what encoding/json refuses (%v): %q", err, data)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("read\n %+v\nencoding/json reads\n %+v\nfrom %q", fast, slow, data)
		}
	})
}

// BenchmarkDecodeArticle reads a stored article of the size a build of the
// Hugo comparison's corpus stores (3.7 KB), by the fast reader and by
// encoding/json.
func BenchmarkDecodeArticle(b *testing.B) {
	para := `<p>The council <a href="https://news.example.org/x">said</a> on Monday that the "plan" would go ahead &amp; be reviewed.</p>` + "\n"
	when := time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)
	a := &article.Article{ID: "tag:news.example.org,2024-03-01:council-plan", Slug: "council-plan", Title: "Council backs the plan",
		Summary: "The council said on Monday that the plan would go ahead.", ContentHTML: strings.Repeat(para, 26),
		URL: "https://news.example.org/2024/03/council-plan/", Published: when, Updated: when, Lang: "en", Dir: "ltr",
		Authors: []string{"Author 7"}, Tags: []string{"tag-1", "tag-2", "tag-3"}, Categories: []string{"cat-1"},
		Words: 520, Source: "posts/council-plan.md", Format: "markdown", Hash: strings.Repeat("ab", 32), DateSource: "date"}
	data, err := EncodeArticle(a)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d bytes", len(data))
	b.Run("fast", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := DecodeArticle(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var r articleRecord
			if err := json.Unmarshal(data, &r); err != nil {
				b.Fatal(err)
			}
			r.article()
		}
	})
}
