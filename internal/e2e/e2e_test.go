package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"

	"github.com/pressroom/pressroom/internal/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

func titles(t *testing.T, body string) []string {
	t.Helper()
	if body == "" {
		return nil
	}
	f, err := gofeed.NewParser().ParseString(body)
	if err != nil {
		t.Fatalf("gofeed: %v", err)
	}
	var out []string
	for _, it := range f.Items {
		out = append(out, it.Title)
	}
	return out
}

func md(title, date string, extra ...string) string {
	return "---\ntitle: \"" + title + "\"\ndate: " + date + "\nlang: fr\n" + strings.Join(extra, "\n") + "\n---\n\nTexte de l'article " + title + ".\n"
}

func TestEndToEnd(t *testing.T) {
	e := newEnv(t)

	// Create: a key with a space and an accent arrives URL-encoded.
	e.upload("articles/culture/été festival.md", md("Festival d'été", "2026-03-01T10:00:00+01:00", "tags: [culture]"))
	e.upload("articles/sport.md", md("Match nul", "2026-03-02T10:00:00+01:00", "tags: [sport]"))
	e.drain()
	if got := titles(t, e.feed("feed.xml")); strings.Join(got, "|") != "Match nul|Festival d'été" {
		t.Fatalf("site feed after create: %q", got)
	}
	if got := titles(t, e.feed("tags/culture/atom.xml")); len(got) != 1 {
		t.Errorf("tag feed: %q", got)
	}
	if e.feed("feed.json") == "" || e.feed("index.html") == "" {
		t.Error("JSON feed or index page missing")
	}

	// Update.
	e.cdn.runs = nil
	e.upload("articles/sport.md", md("Match nul (mis à jour)", "2026-03-02T10:00:00+01:00", "tags: [sport]"))
	e.drain()
	if got := titles(t, e.feed("feed.xml")); got[0] != "Match nul (mis à jour)" {
		t.Errorf("after update: %q", got)
	}
	// The invalidation holds exactly the paths that changed: the site,
	// the sport tag and the French feeds, not the culture tag.
	runs := e.cdn.all()
	if len(runs) != 1 {
		t.Fatalf("%d invalidations for one update", len(runs))
	}
	want := []string{"/atom.xml", "/feed.json", "/feed.xml", "/languages/fr/atom.xml", "/languages/fr/feed.json", "/languages/fr/feed.xml",
		"/tags/sport/atom.xml", "/tags/sport/feed.json", "/tags/sport/feed.xml"}
	if got := sortedCopy(runs[0]); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("invalidated %q,\nwant %q", got, want)
	}

	// A duplicate delivery and an out-of-order older event change nothing.
	e.put("articles/sport.md", md("Ancienne version", "2026-03-02T10:00:00+01:00", "tags: [sport]"))
	older, _ := e.event("ObjectCreated:Put", "articles/sport.md", 100)
	older.Records[0].S3.Object.Sequencer = "0062E99A0000000001" // before everything so far
	e.ingest.invoke(t, older)
	e.ingest.invoke(t, older)
	e.drain()
	if got := titles(t, e.feed("feed.xml")); got[0] != "Match nul (mis à jour)" {
		t.Errorf("an older event overwrote a newer one: %q", got)
	}

	// A rejected upload keeps the last good version published.
	e.upload("articles/sport.md", "---\ntitle: Cassé\ndate: jamais\n---\n\nx\n")
	e.drain()
	if got := titles(t, e.feed("feed.xml")); got[0] != "Match nul (mis à jour)" {
		t.Errorf("a rejected upload removed the last good version: %q", got)
	}
	out, err := e.s3.GetObject(t.Context(), getReport("articles/sport.md"))
	if err != nil {
		t.Fatalf("no report for the rejected file: %v", err)
	}
	out.Body.Close()

	// A new configuration: every feed is republished, and article links
	// follow the new base URL.
	e.upload("config/pressroom.yaml", "site:\n  title: Le Quotidien E2E\n  base_url: https://www.example.net/\n  language: fr\n  timezone: Europe/Paris\nfeeds:\n  base_url: https://feeds.example.org/\n")
	e.drain()
	f, err := gofeed.NewParser().ParseString(e.feed("tags/culture/feed.xml"))
	if err != nil || f.Title != "culture — Le Quotidien E2E" || len(f.Items) != 1 || !strings.HasPrefix(f.Items[0].Link, "https://www.example.net/") {
		t.Errorf("after a configuration upload: %v %q %+v", err, f.Title, f.Items)
	}

	// Delete.
	e.delete("articles/culture/été festival.md")
	e.drain()
	if got := titles(t, e.feed("feed.xml")); len(got) != 1 {
		t.Errorf("after delete: %q", got)
	}
	if e.feed("tags/culture/feed.xml") != "" {
		t.Error("the deleted article's tag feed remains")
	}
}

func TestBurst(t *testing.T) {
	e := newEnv(t)
	const n = 200
	for i := 0; i < n; i++ {
		e.upload(fmt.Sprintf("articles/burst/%03d.md", i), md(fmt.Sprintf("Dépêche %03d", i), fmt.Sprintf("2026-03-01T%02d:%02d:00+01:00", i/60, i%60), fmt.Sprintf("tags: [t%d]", i%7)))
	}
	e.drain()
	site := titles(t, e.feed("feed.xml"))
	if len(site) != 50 || site[0] != "Dépêche 199" || site[49] != "Dépêche 150" {
		t.Errorf("site feed after the burst: %d items, first %q", len(site), first(site))
	}
	var total int
	for i := 0; i < 7; i++ {
		total += len(titles(t, e.feed(fmt.Sprintf("tags/t%d/feed.xml", i))))
	}
	if total != n {
		t.Errorf("tag feeds hold %d articles, want %d", total, n)
	}
	if e.publishCalls == 0 || e.publishCalls > n/10 {
		t.Errorf("%d publish runs for %d uploads: want far fewer runs than uploads", e.publishCalls, n)
	}
	t.Logf("%d uploads, %d publish runs, %d invalidations", n, e.publishCalls, len(e.cdn.all()))
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
