package article

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fuzzParse seeds a fuzz target with every fixture of the format and checks
// that Parse never panics, that a failure is always a rejection naming the
// file, and that every accepted article satisfies the invariants.
func fuzzParse(f *testing.F, ext string, extra ...string) {
	for _, dir := range []string{"articles", "rejected"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*"))
		for _, file := range files {
			if Format(file) == Format("x"+ext) {
				data, err := os.ReadFile(file)
				if err != nil {
					f.Fatal(err)
				}
				f.Add(data)
			}
		}
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
	name := "fuzz" + ext
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Parse(name, data, testOptions())
		if err != nil {
			var e *Error
			if !errors.Is(err, ErrRejected) || !errors.As(err, &e) || e.File != name || len(e.Problems) == 0 {
				t.Fatalf("error is not a rejection naming the file: %v", err)
			}
			for _, p := range e.Problems {
				if p.Field == "" || p.Message == "" {
					t.Fatalf("problem without field or message: %+v", p)
				}
			}
			return
		}
		checkInvariants(t, a)
	})
}

func FuzzParseMarkdown(f *testing.F) {
	fuzzParse(f, ".md",
		"---\ntitle: x\ndate: 2021-01-01\n---\n[a](javascript:alert(1)) <img src=x onerror=y> \x01",
		"+++\ntitle = 'x'\ndate = 2021-01-01T10:00:00\n+++\n# h\n\n> > > q\n",
		"{\"title\":\"x\",\"date\":\"2021-01-01\"}\n<a href=\"//evil\">x</a>")
}

func FuzzParseHTML(f *testing.F) {
	fuzzParse(f, ".html",
		"<title>t</title><meta property=article:published_time content=2021-01-01><article><a href='jav&#x09;ascript:x'>x</a><base href=//evil></article>",
		"<html lang=ar><script type=application/ld+json>{\"@type\":\"NewsArticle\",\"headline\":\"h\",\"datePublished\":\"2021\"}</script><p>x")
}

func FuzzParseText(f *testing.F) {
	fuzzParse(f, ".txt",
		"• nav\nعاجل\nالإثنين 22 فبراير 2021 على الساعة 16:18\n\nعنوان\n\nنص.\n",
		"Flash info\n1er mars 2021 à 16h18\n\nTitre\n\n<script>x</script> & texte\n")
}

func FuzzParseJSON(f *testing.F) {
	fuzzParse(f, ".json",
		`{"title":"t","date_published":"2021-01-01","content_html":"<a href=\"javascript:x\">x</a>"}`,
		`{"title":"t","date_published":"22 فبراير 2021","content_markdown":"# x","authors":[{"name":"a"}]}`)
}

// Benchmarks parse an article of about 8 KB in each format: the size
// DESIGN.md measures goldmark and bluemonday at.

func benchmarkParse(b *testing.B, name string, data []byte) {
	if _, err := Parse(name, data, testOptions()); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Parse(name, data, testOptions()); err != nil {
			b.Fatal(err)
		}
	}
}

// paragraphs8K returns about 8 KB of paragraphs in English.
func paragraphs8K() []string {
	var ps []string
	for i := 0; len(strings.Join(ps, "\n\n")) < 8000; i++ {
		ps = append(ps, fmt.Sprintf("Paragraph %d of the story: the council met on Monday and voted, after a long debate about the budget, to build forty kilometres of protected lanes by 2024, said the mayor, who called it a turning point.", i))
	}
	return ps
}

func BenchmarkParseMarkdown(b *testing.B) {
	doc := "---\ntitle: \"A long story\"\ndate: 2021-02-22T16:18:00+01:00\ntags: [a, b, c]\nauthor: Jane Doe\n---\n\n" +
		strings.Join(paragraphs8K(), "\n\n[a link](/x) **bold** and *em*.\n\n")
	benchmarkParse(b, "story.md", []byte(doc))
}

func BenchmarkParseHTML(b *testing.B) {
	doc := `<!doctype html><html lang="en"><head><title>A long story | Site</title>
<script type="application/ld+json">{"@type":"NewsArticle","headline":"A long story","datePublished":"2021-02-22T16:18:00+01:00","author":{"name":"Jane Doe"},"keywords":"a, b"}</script>
</head><body><nav><a href="/">Home</a></nav><article><h1>A long story</h1><p>` +
		strings.Join(paragraphs8K(), "</p>\n<p><a href=\"/x\">a link</a> ") + `</p></article><footer>f</footer></body></html>`
	benchmarkParse(b, "story.html", []byte(doc))
}

func BenchmarkParseText(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "articles", "txt-ar-ma-breaking.txt"))
	if err != nil {
		b.Fatal(err)
	}
	// The real export, with its body repeated to about 8 KB.
	doc := string(data)
	for len(doc) < 8000 {
		doc += "\n\n" + string(data[strings.Index(string(data), "أكد"):])
	}
	benchmarkParse(b, "story.txt", []byte(doc))
}

func BenchmarkParseJSON(b *testing.B) {
	body := strings.Join(paragraphs8K(), "</p><p>")
	doc := `{"title":"A long story","date_published":"2021-02-22T16:18:00+01:00","authors":["Jane Doe"],"tags":["a","b"],"content_html":"<p>` + body + `</p>"}`
	benchmarkParse(b, "story.json", []byte(doc))
}

// corpusArticle is article i of the generated site internal/build/corpus
// writes for the comparison with Hugo (about 3 KB: front matter without a
// language, three paragraphs, a link and bold text): the kind of file a
// full build parses by the thousand.
func corpusArticle(i int) []byte {
	para := strings.Repeat("The council met on Monday and voted, after a long debate, to build forty kilometres of protected lanes. ", 6)
	t0 := time.Date(2020, 1, 1, 8, 0, 0, 0, time.UTC)
	return fmt.Appendf(nil, "---\ntitle: \"Story %d\"\ndate: %s\ntags: [\"tag-%d\", \"tag-%d\"]\ncategories: [\"cat-%d\"]\nauthor: \"Author %d\"\n---\n\n%s\n\n%s [a link](/x/%d/) and **bold** text.\n\n%s\n",
		i, t0.Add(time.Duration(i)*time.Hour).Format(time.RFC3339), i%50, (i+17)%50, i%8, i%40, para, para, i, para)
}

// BenchmarkParseCorpus parses the generated site's articles in turn; one
// op is one article.
func BenchmarkParseCorpus(b *testing.B) {
	files := make([][]byte, 200)
	for i := range files {
		files[i] = corpusArticle(i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := Parse("story.md", files[i%len(files)], testOptions()); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// FuzzParseDate: any text either is not a date or reads as one instant
// that survives a round trip through RFC 3339, without a panic; written
// dates in every language and digit set seed it.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2021-02-22", "2021-02-22T16:18:00+01:00", "22 février 2021 à 16h18", "الإثنين 22 فبراير 2021 على الساعة 16:18",
		"٢٢ شباط ٢٠٢١", "Feb. 22nd 2021 4:18 PM", "فاتح ماي 2021", "9999-12-31T23:00:00-05:00", "0000-01-01", "1er mars 2021", "22/02/2021", "Mon, 22 Feb 2021 16:18:00 GMT"} {
		f.Add(s)
	}
	loc, _ := time.LoadLocation("Africa/Casablanca")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s, loc)
		if err != nil || d.Before(MinDate) {
			return // not a date, or one the window refuses
		}
		// Local mean time (Casablanca's until 1913) has an offset in
		// seconds, which RFC 3339 cannot write: within a minute.
		back, err := ParseDate(d.Format(time.RFC3339Nano), loc)
		if err != nil || back.Sub(d).Abs() >= time.Minute {
			t.Fatalf("%q read as %v, which reads back as %v (%v)", s, d, back, err)
		}
	})
}
