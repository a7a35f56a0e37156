package handler

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/config"
	"github.com/pressroom/pressroom/internal/pipeline"
)

func testSite(t *testing.T) *pipeline.Pipeline {
	cfg, err := config.Parse("pressroom.yaml", []byte("site:\n  title: Example Daily\n  base_url: https://news.example.org/\n  language: ar\n  timezone: Africa/Casablanca\n"+
		"feeds:\n  base_url: https://feeds.example.org/\npartners:\n  - name: agence\n    tags: [culture]\n    formats: [json]\n"))
	if err != nil {
		t.Fatal(err)
	}
	return &pipeline.Pipeline{Config: cfg}
}

var now = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)

// TestRejectionText: the file, each problem in plain words (field, line
// when there is one, reason), and what stays published.
func TestRejectionText(t *testing.T) {
	problems := []Problem{{Field: "date", Line: 3, Message: `"whenever" is not a date: write 2026-03-14 or 2026-03-14T09:00:00+01:00`},
		{Field: "title", Message: "the title is empty"}}
	good := &article.Article{Title: "Grève des transports : le trafic sera perturbé jeudi", Published: now.Add(-time.Hour)}
	m := rejectionMessage("articles/greve.md", problems, keptText(good, now), "reports/articles/greve.md.txt")
	want := `Rejected: articles/greve.md

This upload of articles/greve.md was not published.

Problems (2):
- date, line 3: "whenever" is not a date: write 2026-03-14 or 2026-03-14T09:00:00+01:00
- title: the title is empty

The last good version stays published: “Grève des transports : le trafic sera perturbé jeudi”.

Correct the file and upload it again. This report is also in reports/articles/greve.md.txt.
`
	if m.Text != want {
		t.Errorf("text:\n%s\nwant:\n%s", m.Text, want)
	}
	if m.Subject != "Rejected: articles/greve.md" {
		t.Errorf("subject %q", m.Subject)
	}

	for _, c := range []struct {
		kept *article.Article
		want string
	}{
		{nil, "Nothing is published for this file."},
		{&article.Article{Title: "مسودة", Draft: true, Published: now}, "The last good version stays, as a draft: nothing is published for this file."},
		{&article.Article{Title: "Later", Published: now.Add(48 * time.Hour)}, "The last good version stays, scheduled for 2026-03-16 09:00 +00:00: “Later”."},
		{&article.Article{Title: "Gone", Published: now.Add(-48 * time.Hour), Expires: now.Add(-time.Hour)}, "The last good version has expired: nothing is published for this file."},
	} {
		if got := keptText(c.kept, now); got != c.want {
			t.Errorf("kept %+v: %q, want %q", c.kept, got, c.want)
		}
		m := rejectionMessage("articles/a.md", problems[:1], keptText(c.kept, now), "reports/articles/a.md.txt")
		if !strings.Contains(m.Text, "\n"+c.want+"\n") || strings.Contains(m.Text, "stays published") != (c.kept != nil && c.kept.StatusAt(now) == article.StatusPublished) {
			t.Errorf("text for kept %+v:\n%s", c.kept, m.Text)
		}
		if !strings.Contains(m.Text, "Problem:\n- date, line 3: ") {
			t.Errorf("one problem:\n%s", m.Text)
		}
	}
}

// TestPublicationText: the title and the URLs of every feed the article
// entered, the closed partner feed in its own formats only.
func TestPublicationText(t *testing.T) {
	p := testSite(t)
	a := &article.Article{Title: "ميزانية الثقافة  ترتفع", URL: "https://news.example.org/budget/", Lang: "ar", Tags: []string{"culture"},
		Published: now.Add(-time.Hour)}
	m := publicationMessage("articles/budget.md", a, p.Site(), true, "reports/articles/budget.md.txt", now)
	want := `Published: “ميزانية الثقافة ترتفع”

“ميزانية الثقافة ترتفع” (articles/budget.md) is published. It entered these feeds:

All articles of Example Daily
  RSS: https://feeds.example.org/feed.xml
  Atom: https://feeds.example.org/atom.xml
  JSON Feed: https://feeds.example.org/feed.json

Tag culture
  RSS: https://feeds.example.org/tags/culture/feed.xml
  Atom: https://feeds.example.org/tags/culture/atom.xml
  JSON Feed: https://feeds.example.org/tags/culture/feed.json

Language العربية
  RSS: https://feeds.example.org/languages/ar/feed.xml
  Atom: https://feeds.example.org/languages/ar/atom.xml
  JSON Feed: https://feeds.example.org/languages/ar/feed.json

Partner agence (closed: partners read it with their key)
  JSON Feed: https://feeds.example.org/partners/agence/feed.json

Article: https://news.example.org/budget/

This report is also in reports/articles/budget.md.txt.
`
	if m.Text != want {
		t.Errorf("text:\n%s\nwant:\n%s", m.Text, want)
	}
	if m.Subject != "Published: ميزانية الثقافة ترتفع" {
		t.Errorf("subject %q", m.Subject)
	}

	en := &article.Article{Title: "Port expansion approved", URL: "https://news.example.org/port/", Lang: "en", Published: now.Add(24 * time.Hour)}
	m = publicationMessage("articles/port.md", en, p.Site(), true, "reports/articles/port.md.txt", now)
	if !strings.HasPrefix(m.Text, "Scheduled: “Port expansion approved”\n\n“Port expansion approved” (articles/port.md) is scheduled: on 2026-03-15 09:00 +00:00 it enters these feeds:\n") ||
		!strings.Contains(m.Text, "Language English\n  RSS: https://feeds.example.org/languages/en/feed.xml\n") || m.Subject != "Scheduled: Port expansion approved" {
		t.Errorf("scheduled:\n%s", m.Text)
	}
	// The reports of an edit and of a draft (no message is sent for them).
	if m := publicationMessage("articles/port.md", en, p.Site(), false, "r", now.Add(48*time.Hour)); !strings.HasPrefix(m.Text, "Updated: “Port expansion approved”\n\n“Port expansion approved” (articles/port.md) is updated, in these feeds:\n") {
		t.Errorf("edit:\n%s", m.Text)
	}
	// A fallback is said beside the publication.
	en.Warnings = []article.Problem{{Field: "date", Message: "the file gives no publication date: the date is the upload time"}}
	if m := publicationMessage("articles/port.md", en, p.Site(), false, "r", now); !strings.Contains(m.Text, "\nWarnings:\n  - date: the file gives no publication date: the date is the upload time\n") {
		t.Errorf("warnings:\n%s", m.Text)
	}
	draft := &article.Article{Title: "Brouillon", Draft: true, Published: now, URL: "https://news.example.org/b/"}
	if m := publicationMessage("articles/b.md", draft, p.Site(), false, "r", now); strings.Contains(m.Text, "https://feeds.") || !strings.Contains(m.Text, "is a draft: it is in no feed") {
		t.Errorf("draft:\n%s", m.Text)
	}
}

// TestMessageLimits: what SNS refuses never leaves: subjects are one line
// under 100 characters, texts at most 256 KiB, cut on a character.
func TestMessageLimits(t *testing.T) {
	long := strings.Repeat("عنوان طويل جدا ", 20) + "\nligne 2\t\x00fin"
	s := subject("Published: " + long)
	if n := utf8.RuneCountInString(s); n > MaxSubject || strings.ContainsAny(s, "\n\t\x00") || !strings.HasSuffix(s, "…") || !utf8.ValidString(s) {
		t.Errorf("subject %q (%d characters)", s, n)
	}
	if s := subject("Rejected:\narticles/a.md"); s != "Rejected: articles/a.md" {
		t.Errorf("subject %q", s)
	}
	m := Message{Subject: "x", Text: strings.Repeat("é", MaxText)}.fit()
	if len(m.Text) > MaxText || !utf8.ValidString(m.Text) || !strings.HasSuffix(m.Text, "the whole text is in the report.]\n") {
		t.Errorf("fit: %d bytes, ends %q", len(m.Text), m.Text[len(m.Text)-40:])
	}
	if m := (Message{Text: "short"}).fit(); m.Text != "short" {
		t.Errorf("a short text changed: %q", m.Text)
	}
}
