package article

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestTitleThatShowsNothing: a title of invisible characters only (zero
// width spaces, word joiners, a soft hyphen, a right-to-left override, a
// byte order mark, lone combining marks, Hangul fillers, the braille
// blank) is refused as no title; an author or tag of nothing visible is
// left out. Titles in any script, with marks on letters, are kept.
func TestTitleThatShowsNothing(t *testing.T) {
	for _, title := range []string{`\u200b\u200b`, `\u2060\u00ad`, `\u202e`, `\ufeff`, `\u3164`, `\u2800`, `\u0301\u0301`, `\u115f\u1160`, `\u200b \u00a0`} {
		src := fmt.Sprintf("---\ntitle: \"%s\"\ndate: 2026-03-01T10:00:00Z\n---\n\nThe body of the story, with words enough.\n", title)
		_, err := Parse("x.md", []byte(src), testOptions())
		if err == nil || !slices.ContainsFunc(Problems(err), func(p Problem) bool { return p.Field == "title" }) {
			t.Errorf("title %s: published (%v)", title, err)
		}
	}
	for _, title := range []string{"Café", "e\u0301te\u0301", "ترامواي الرباط", "한국어", "⠁⠃ braille", "·"} {
		src := "---\ntitle: \"" + title + "\"\ndate: 2026-03-01T10:00:00Z\n---\n\nThe body of the story, with words enough.\n"
		if _, err := Parse("x.md", []byte(src), testOptions()); err != nil {
			t.Errorf("title %q refused: %v", title, err)
		}
	}
	src := "---\ntitle: Authors\ndate: 2026-03-01T10:00:00Z\nauthor: [\"\\u200b\", \"Sanaa\", \"\\u3164\"]\ntags: [\"\\u2060\", news]\n---\n\nThe body of the story, with words enough.\n"
	a, err := Parse("x.md", []byte(src), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Authors, []string{"Sanaa"}) || !slices.Equal(a.Tags, []string{"news"}) {
		t.Errorf("authors %q, tags %q: want the visible ones only", a.Authors, a.Tags)
	}
	for _, s := range append(a.Authors, a.Tags...) {
		if strings.ContainsAny(s, "\u200b\u3164\u2060") {
			t.Errorf("%q kept an invisible character", s)
		}
	}
}

// TestGivenSummaryPlainOrHTML: a summary the article gives is plain text,
// shown as written, unless it is plainly HTML (a character reference, a
// line break, an element opened and closed).
func TestGivenSummaryPlainOrHTML(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Prove that x<y and y>z implies nothing; see <Appendix A> and the <![CDATA[ note ]]>.", "Prove that x<y and y>z implies nothing; see <Appendix A> and the <![CDATA[ note ]]>."},
		{"AT&T reports a<b and c>d; also x <y> z", "AT&T reports a<b and c>d; also x <y> z"},
		{"<p>An <em>HTML</em> summary &amp; more</p>", "An HTML summary & more"},
		{"Fish &amp; chips", "Fish & chips"},
		{"Don&#8217;t", "Don’t"},
		{"A <B>bold</b> claim", "A bold claim"},
		{"<script>alert(1)</script>Safe", "Safe"},
	} {
		src := "---\ntitle: Summary\ndate: 2026-03-01T10:00:00Z\nsummary: \"" + strings.ReplaceAll(c.in, `"`, `\"`) + "\"\n---\n\nThe body of the story, with words enough.\n"
		a, err := Parse("x.md", []byte(src), testOptions())
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		if a.Summary != c.want {
			t.Errorf("summary %q became %q, want %q", c.in, a.Summary, c.want)
		}
	}
}

// TestURLAndImageNotOnTheWeb: a url or image that is no web address
// (javascript:, data:, mailto:) is not used, and a warning says so.
func TestURLAndImageNotOnTheWeb(t *testing.T) {
	for _, c := range []struct{ field, value string }{
		{"url", "javascript:alert(1)"}, {"url", "data:text/html,x"}, {"image", "javascript:alert(1)"},
		{"image", "data:image/png;base64,AAAA"}, {"image", "mailto:x@example.org"},
	} {
		src := "---\ntitle: Fields\ndate: 2026-03-01T10:00:00Z\n" + c.field + ": \"" + c.value + "\"\n---\n\nThe body of the story, with words enough.\n"
		a, err := Parse("fields.md", []byte(src), testOptions())
		if err != nil {
			t.Fatalf("%s %s: %v", c.field, c.value, err)
		}
		if strings.Contains(a.URL+a.Image, c.value[:5]) {
			t.Errorf("%s %s used: url %s, image %s", c.field, c.value, a.URL, a.Image)
		}
		if !slices.ContainsFunc(a.Warnings, func(p Problem) bool { return p.Field == c.field && strings.Contains(p.Message, "not a web address") }) {
			t.Errorf("%s %s: no warning (%v)", c.field, c.value, a.Warnings)
		}
	}
	src := "---\ntitle: Fields\ndate: 2026-03-01T10:00:00Z\nurl: /2026/fields/\nimage: img/a.jpg\n---\n\nThe body of the story, with words enough.\n"
	a, err := Parse("fields.md", []byte(src), testOptions())
	if err != nil || len(a.Warnings) != 0 || a.Image == "" {
		t.Errorf("web addresses: %v, warnings %v, image %q", err, a.Warnings, a.Image)
	}
}

// TestLanguageNotFromTokensWithDigits: "y1900" is no word: read as the
// Spanish "y" twice, it made a two-line English text Spanish.
func TestLanguageNotFromTokensWithDigits(t *testing.T) {
	for _, text := range []string{"Date y1900\nDate body y1900.", "la2 la3 la4 de1 de2", "1y 2y 3y"} {
		if got := detectLanguage(text); got != "" {
			t.Errorf("detectLanguage(%q) = %q, want none", text, got)
		}
	}
	if got := detectLanguage("La casa y el perro y la gata, y el año 1900 de la ciudad"); got != "es" {
		t.Errorf("Spanish with a year: %q", got)
	}
}
