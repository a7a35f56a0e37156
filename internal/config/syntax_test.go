package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestSyntaxErrorLines: a file that is not YAML is reported at the line to
// fix, in the message as in Error.Line (yaml alone said line 6 for the
// first, line 4 or 2 for the quotes, nothing for line 1).
func TestSyntaxErrorLines(t *testing.T) {
	const head = "# Example site\nsite:\n  title: \"Example Daily\"\n  language: ar\nfeeds:\n  limit: 50\n"
	tests := []struct {
		name, yaml string
		line       int
	}{
		{"unclosed [", head + "websub:\n  hubs: [https://hub.example.org/\npartners:\n  - name: wire\n", 8},
		{"unclosed {", head + "websub: {hubs: [https://hub.example.org/]\npartners:\n  - name: wire\n", 7},
		{"unclosed quote", "site:\n  title: \"Example Daily\n  base_url: \"https://news.example.org/\"\n  language: ar\n", 2},
		{"unclosed quote at the end", head + "  deleted_days: '30\n", 7},
		{"unclosed quote on line 1", "site: 'x\nfeeds:\n  limit: 3\n", 1},
		{"key indented too little", head + " base_url: https://news.example.org/\n", 7},
		{"key indented too much", "site:\n  title: x\n    language: en\nfeeds:\n  limit: 3\n", 3},
		{"tab", head + "\tdeleted_days: 3\n", 7},
		{"tab in a nested key", "site:\n  title: x\n\tlanguage: en\n", 3},
		{"list where a key belongs", head + "- partners\n", 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("pressroom.yaml", []byte(tt.yaml))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want *Error", err)
			}
			if e.Line != tt.line {
				t.Errorf("line %d, want %d (%v)", e.Line, tt.line, err)
			}
			if want := fmt.Sprintf("config: pressroom.yaml: line %d: ", tt.line); !strings.HasPrefix(err.Error(), want) {
				t.Errorf("message %q, want it to start %q", err, want)
			}
			if strings.Count(err.Error(), "line") != 1 {
				t.Errorf("message %q names a line twice", err)
			}
		})
	}
}
