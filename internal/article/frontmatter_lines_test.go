package article

import (
	"errors"
	"strings"
	"testing"
)

// TestFrontMatterSyntaxLines: a YAML front matter that does not parse is
// reported at the file's line to fix (the "---" is line 1), in Markdown
// and in plain-text exports alike.
func TestFrontMatterSyntaxLines(t *testing.T) {
	tests := []struct {
		name, data string
		line       int
	}{
		{"unclosed [", "---\ntitle: T\ndate: 2021-01-01\ntags: [a, b\nauthor: X\n---\n\nBody.\n", 4},
		{"unclosed {", "---\ntitle: T\nextra: {a: 1\ndate: 2021-01-01\n---\n\nBody.\n", 3},
		{"unclosed quote", "---\ntitle: \"The budget\ndate: 2021-01-01\n---\n\nBody.\n", 2},
		{"unclosed quote closed later", "---\ntitle: \"The budget\ndate: \"2021-01-01\"\nauthor: X\n---\n\nBody.\n", 2},
		{"unclosed single quote", "---\ndate: 2021-01-01\ntitle: 'L'avenir\n---\n\nBody.\n", 3},
		{"key indented", "---\ntitle: T\n date: 2021-01-01\n---\n\nBody.\n", 3},
		{"key indented after a nested map", "---\ntitle: T\nextra:\n  a: 1\n   b: 2\n---\n\nBody.\n", 5},
		{"tab", "---\ntitle: T\n\tdate: 2021-01-01\n---\n\nBody.\n", 3},
		{"colon in a title", "---\ntitle: Budget: the vote\ndate: 2021-01-01\n---\n\nBody.\n", 2},
	}
	for _, tt := range tests {
		for _, file := range []string{"a.md", "a.txt"} {
			t.Run(tt.name+"/"+file, func(t *testing.T) {
				_, err := Parse(file, []byte(tt.data), testOptions())
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("got %v, want a rejection", err)
				}
				for _, p := range e.Problems {
					if p.Field == "front matter" {
						if p.Line != tt.line {
							t.Errorf("%v: line %d, want %d", p, p.Line, tt.line)
						}
						if strings.Contains(p.Message, "line") {
							t.Errorf("%v: the message names a line too", p)
						}
						return
					}
				}
				t.Errorf("problems %v: none about the front matter", e.Problems)
			})
		}
	}
}
