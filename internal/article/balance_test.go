package article

import (
	"strings"
	"testing"
)

// TestBodiesNest: raw HTML in a Markdown or JSON body that does not nest
// (a stray end tag, an unclosed element) comes out nesting, its text kept,
// so that the element a feed wraps the article in (an Arabic article's
// <div dir="rtl">) holds all of it. Nesting bodies come out unchanged.
func TestBodiesNest(t *testing.T) {
	for _, c := range []struct{ name, src string }{
		{"stray.md", "---\ntitle: نص\ndate: 2026-03-01T10:00:00Z\nlang: ar\n---\n\nنص المقال بالعربية هنا.\n\n</div>\n\nText after the stray end tag.\n\n<table><tr><td>open cell\n"},
		{"unclosed.md", "---\ntitle: Unclosed\ndate: 2026-03-01T10:00:00Z\n---\n\nThe body says a<b and c>d and goes on.\n\nA second paragraph.\n"},
		{"crossed.json", `{"title": "Crossed", "date_published": "2026-03-01T10:00:00Z", "content_html": "<p><em>one <strong>two</em> three</strong></p></section><p>after</p>"}`},
	} {
		a, err := Parse(c.name, []byte(c.src), testOptions())
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !nests(a.ContentHTML) {
			t.Errorf("%s: the body does not nest: %s", c.name, a.ContentHTML)
		}
		wrapped := `<div dir="rtl">` + a.ContentHTML + `</div>`
		if !nests(wrapped) {
			t.Errorf("%s: a wrapper around the body does not nest: %s", c.name, wrapped)
		}
		for _, words := range []string{"after", "open cell", "goes on", "second paragraph", "three"} {
			if strings.Contains(c.src, words) && !strings.Contains(a.ContentHTML, words) {
				t.Errorf("%s: %q lost: %s", c.name, words, a.ContentHTML)
			}
		}
	}
	const nested = "<p>One <em>two</em> <a href=\"https://news.example.org/x\">three</a><br>four</p>\n<ul><li>five</li></ul>"
	if got := balanced(nested); got != nested {
		t.Errorf("a nesting body was rewritten: %s", got)
	}
}
