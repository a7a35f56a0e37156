package article_test

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/feed"
)

// hostile is a file built to hurt: the problem it must get (or "" when it
// is accepted), and the most memory its parse may allocate.
type hostile struct {
	name, data string
	field      string // the problem's field; "" when the file is accepted
	maxAlloc   int64  // bytes allocated by Parse, at most
}

// hostileFiles are testdata/hostile/ and, too large to keep there, files
// generated here: each family of attack the Limits table of docs/articles.md bounds.
func hostileFiles(t *testing.T) []hostile {
	t.Helper()
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join("testdata", "hostile", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	url2k := "https://example.org/" + strings.Repeat("a", 2000)
	refs := func(n int) string {
		return "---\ntitle: R\ndate: 2021-02-22\n---\n\n[r]: <" + url2k + ">\n\n" + strings.Repeat("[x][r] ", n) + "\n"
	}
	const MiB = 1 << 20
	return []hostile{
		{"reference-links.md", read("reference-links.md"), "body", 48 * MiB},
		{"reference-links-702k.md", refs(117_000), "body", 160 * MiB},
		{"link-list-bomb.md", "---\ntitle: L\ndate: 2021-02-22\n---\n\n" + strings.Repeat("- [a](b) [c](d)\n", (5<<20-100)/16), "body", 64 * MiB},
		{"updated-9999.md", read("updated-9999.md"), "lastmod", 4 * MiB},
		{"year-zero.md", read("year-zero.md"), "date", 4 * MiB},
		{"year-zero.json", read("year-zero.json"), "date_published", 4 * MiB},
		{"long-title.json", read("long-title.json"), "title", 4 * MiB},
		{"title-4.5MB.json", `{"title":"` + strings.Repeat("t", 4_500_000) + `","date_published":"2021-02-22","content_text":"x"}`, "title", 96 * MiB},
		{"long-tag.md", read("long-tag.md"), "tags", 4 * MiB},
		{"many-problems.md", read("many-problems.md"), "tags", 8 * MiB},
		{"long-date.json", read("long-date.json"), "date_published", 8 * MiB},
		{"srcset.html", read("srcset.html"), "", 64 * MiB},
		{"entities.html", read("entities.html"), "", 32 * MiB},
		{"deep.html", read("deep.html"), "body", 8 * MiB},
		{"control-characters.md", read("control-characters.md"), "", 4 * MiB},
		{"lines-5MiB.txt", "Titre\n\n22 février 2021\n\n" + strings.Repeat("Une ligne de texte assez courte.\n\n", (5<<20-100)/34), "", 320 * MiB},
		{"content-5MiB.json", `{"title":"J","date_published":"2021-02-22","content_html":"` + strings.Repeat("<p>Des mots dans un paragraphe.</p>", (5<<20-200)/35) + `"}`, "", 256 * MiB},
		{"dates-everywhere.txt", "Titre\n\n" + strings.Repeat("22 février 2021 à 16h18, le 3 mars 2021, 4 avril 2021.\n", (1<<20)/56), "", 128 * MiB},
		// A summary of end tags: each once looked back over all the text
		// before it for its start tag (7 s for 240 KB).
		{"summary-end-tags.json", `{"title":"S","date_published":"2021-02-22","content_text":"Some words.","summary":"` + strings.Repeat("</a>", 1_100_000) + `"}`, "", 64 * MiB},
		{"paragraphs-5MiB.html", "<html><head><title>P</title><meta property=\"article:published_time\" content=\"2021-02-22\"></head><body><article>" +
			strings.Repeat("<p>Un paragraphe de mots.</p>", 5<<20/30) + "</article></body></html>", "", 480 * MiB},
	}
}

// TestHostileFiles: every hostile file gets its clear rejection (or is
// read safely), within its memory bound; what is accepted renders to at
// most its content budget, and its feeds to at most the feed budget.
func TestHostileFiles(t *testing.T) {
	base, _ := url.Parse("https://news.example.org/")
	opts := article.Options{BaseURL: base, Location: time.UTC, Language: "en", MaxBytes: 5 << 20, ModTime: time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)}
	for _, h := range hostileFiles(t) {
		t.Run(h.name, func(t *testing.T) {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			a, err := article.Parse(h.name, []byte(h.data), opts)
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			alloc := int64(after.TotalAlloc - before.TotalAlloc)
			t.Logf("%d bytes: %s, %d MiB allocated", len(h.data), took.Round(time.Millisecond), alloc>>20)
			if alloc > h.maxAlloc && !raceDetector {
				t.Errorf("parsing allocated %d MiB, more than its bound of %d MiB", alloc>>20, h.maxAlloc>>20)
			}
			if h.field != "" {
				found := false
				for _, p := range article.Problems(err) {
					found = found || p.Field == h.field
					if len(p.Message) > 600 {
						t.Errorf("a %d-byte problem message", len(p.Message))
					}
				}
				if !errors.Is(err, article.ErrRejected) || !found {
					t.Errorf("want a %s problem, got %v", h.field, article.Problems(err))
				}
				return
			}
			if err != nil {
				t.Fatalf("rejected: %v", err)
			}
			if budget := max(64<<10, 10*len(h.data)); len(a.ContentHTML) > min(budget, article.MaxContentBytes) {
				t.Errorf("content of %d bytes from a %d-byte file", len(a.ContentHTML), len(h.data))
			}
			if strings.ContainsAny(a.ContentHTML+a.Title, "\x00\x07\x1b") {
				t.Errorf("control characters reached the article")
			}
			site := feed.Site{Title: "S", Language: "en", HomeURL: base, FeedsURL: base, MaxBytes: 512 << 10}
			r, err := feed.Render(site, feed.Ref{}, []article.Article{a})
			if err != nil {
				t.Fatal(err)
			}
			for name, b := range map[string][]byte{"rss": r.RSS, "atom": r.Atom, "json": r.JSON} {
				if len(b) > site.MaxBytes {
					t.Errorf("%s feed of %d bytes, over its budget", name, len(b))
				}
			}
		})
	}
}
