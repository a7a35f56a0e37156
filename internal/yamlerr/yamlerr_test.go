package yamlerr_test

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/pressroom/pressroom/internal/yamlerr"
)

// TestLocate: each malformed text is reported at the line an editor must
// look at (yaml itself says 6 for the first, 2 for the tab, nothing for
// errors on line 1).
func TestLocate(t *testing.T) {
	tests := []struct {
		name, text string
		line       int
	}{
		{"unclosed [", "site:\n  title: x\n  language: en\nfeeds:\n  limit: 3\nwebsub:\n  hubs: [a, b\n", 7},
		{"unclosed [ with keys after", "site:\n  title: x\nwebsub:\n  hubs: [https://a.example/\nfeeds:\n  limit: 3\n", 4},
		{"unclosed {", "site:\n  title: x\nwebsub: {hubs: [a]\nfeeds:\n  limit: 3\n", 3},
		{"unclosed double quote", "site:\n  title: \"Example Daily\n  language: ar\n", 2},
		{"unclosed quote closed by a later one", "site:\n  title: \"Example Daily\n  base_url: \"https://news.example.org/\"\n  language: ar\n", 2},
		{"unclosed single quote", "title: 'x\ndate: 2021-01-01\n", 1},
		{"key indented too little", "site:\n  title: x\n language: en\n", 3},
		{"key indented too much", "site:\n  title: x\n   language: en\nfeeds:\n  limit: 3\n", 3},
		{"tab indentation", "site:\n  title: x\n\tlanguage: en\nfeeds:\n  limit: 3\n", 3},
		{"tab on the first line", "\ttitle: x\n", 1},
		{"colon in a plain value", "site:\n  title: x: y\n", 2},
		{"list item in a map", "site:\n  title: x\n- a\n", 3},
		{"unknown alias", "title: a\ndate: 2021-01-01\ntags: *t\n", 3},
		{"valid multi-line list before the error", "tags: [a,\n  b]\ntitle: x\n bad: y\n", 4},
		{"no trailing newline", "a: b\nc: [d", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n yaml.Node
			err := yaml.Unmarshal([]byte(tt.text), &n)
			if err == nil {
				t.Fatal("the text parses")
			}
			line, msg := yamlerr.Locate([]byte(tt.text), err)
			if line != tt.line {
				t.Errorf("line %d (yaml said %q), want %d", line, err, tt.line)
			}
			if msg == "" || strings.Contains(msg, "line ") || strings.HasPrefix(msg, "yaml:") {
				t.Errorf("message %q: want yaml's message without its line", msg)
			}
		})
	}
}

// TestLocateTypeError: errors about values keep yaml's lines, which are
// right.
func TestLocateTypeError(t *testing.T) {
	text := []byte("a: 1\nb: x\n")
	var v struct{ A, B int }
	err := yaml.Unmarshal(text, &v)
	if err == nil {
		t.Fatal("no error")
	}
	if line, msg := yamlerr.Locate(text, err); line != 2 || !strings.Contains(msg, "cannot unmarshal") {
		t.Errorf("got line %d, %q", line, msg)
	}
}

// TestLocateBounded: a long text with an early error is located without
// parsing it over and over.
func TestLocateBounded(t *testing.T) {
	text := []byte("title: [x\n" + strings.Repeat("k: v\n", 200_000))
	var n yaml.Node
	err := yaml.Unmarshal(text, &n)
	if err == nil {
		t.Fatal("no error")
	}
	if line, _ := yamlerr.Locate(text, err); line != 1 {
		t.Errorf("line %d, want 1", line)
	}
}
