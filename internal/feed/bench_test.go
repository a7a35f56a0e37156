package feed_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/feed"
)

// benchItems makes n articles of about 4 KB of content each.
func benchItems(n int) []article.Article {
	body := "<p>" + strings.Repeat("The council met on Monday and voted to build forty kilometres of lanes. ", 55) + "</p>"
	items := make([]article.Article, n)
	t0 := time.Date(2021, 2, 22, 16, 18, 0, 0, time.FixedZone("", 3600))
	for i := range items {
		p := t0.Add(-time.Duration(i) * time.Hour)
		items[i] = article.Article{
			ID: fmt.Sprintf("tag:news.example.org,2021-02-22:story-%d", i), Title: fmt.Sprintf("Story number %d", i),
			Summary: "The council met on Monday.", ContentHTML: body, URL: fmt.Sprintf("https://news.example.org/story-%d/", i),
			Published: p, Updated: p, Lang: "en", Dir: "ltr", Authors: []string{"Jane Doe"}, Tags: []string{"city", "transport"},
		}
	}
	return items
}

func benchmarkRender(b *testing.B, n int, format string) {
	items := benchItems(n)
	s, ref := site(), feed.Ref{ID: "tags/city", Label: "City"}
	var size int
	b.ReportAllocs()
	for b.Loop() {
		r, err := feed.Render(s, ref, items)
		if err != nil {
			b.Fatal(err)
		}
		size = len(r.Bytes(format))
	}
	b.ReportMetric(float64(size), "bytes/feed")
}

// Render renders all three formats; the sub-benchmarks differ in item
// count. Each format on its own is measured by RenderRSS/Atom/JSON.
func BenchmarkRender(b *testing.B) {
	for _, n := range []int{50, 1000} {
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) { benchmarkRender(b, n, feed.RSSFile) })
	}
}

// RenderFormat renders one format, handing its memory back after each
// document as the pipeline does once the files are written.
func BenchmarkRenderFormat(b *testing.B) {
	for _, n := range []int{50, 1000} {
		items := benchItems(n)
		s, ref := site(), feed.Ref{ID: "tags/city", Label: "City"}
		for _, format := range []string{"rss", "atom", "json"} {
			file := map[string]string{"rss": feed.RSSFile, "atom": feed.AtomFile, "json": feed.JSONFile}[format]
			b.Run(fmt.Sprintf("%s/items=%d", format, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					r, err := feed.RenderDoc(s, feed.Doc{Ref: ref, Items: items, Formats: []string{file}})
					if err != nil {
						b.Fatal(err)
					}
					r.Release()
				}
			})
		}
	}
}
