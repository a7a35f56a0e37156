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
