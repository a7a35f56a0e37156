package model

import "testing"

func TestHidden(t *testing.T) {
	for _, c := range []struct {
		name string
		want bool
	}{
		{".x", true},
		{"a/.b/c", true},
		{"a/b/.c", true},
		{"..", true},
		{".", true},
		{"../a", true},
		{"a/..b", true},
		{"/.x", true},
		{"a.b", false},
		{"a/b.c/d.md", false},
		{"a./b", false},
		{"", false},
		{"a//b", false},
		{"a\\.b", false}, // a backslash is no separator in a key
		{"été/.brouillon.md", true},
		{"été/brouillon.md", false},
		{"日本/記事.md", false},
		{"\uff0ex", false}, // a fullwidth full stop is not a dot
	} {
		if got := Hidden(c.name); got != c.want {
			t.Errorf("Hidden(%q) = %v, want %v", c.name, got, c.want)
		}
	}
}
