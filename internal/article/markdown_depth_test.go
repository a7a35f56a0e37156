package article

import (
	"strings"
	"testing"
	"time"
)

// TestBracketDepth: brackets nested past maxBracketDepth are refused
// (found trying pressroom as an attacker: 249,000 levels in 498 KB took
// 600 MB and 10 s, under the markup bound); a blank line ends the nesting,
// and text as brackets come in it passes.
func TestBracketDepth(t *testing.T) {
	deep := strings.Repeat("[", maxBracketDepth+1) + "x" + strings.Repeat("]", maxBracketDepth+1) + "(http://a)"
	for _, c := range []struct {
		body string
		want int
	}{
		{"[a](b) [c] [[d]]", 2},
		{deep, maxBracketDepth + 1},
		{strings.Repeat("[", 600) + "\n\n" + strings.Repeat("[", 600), 600},
		{strings.Repeat("[", 600) + "\n \t\n" + strings.Repeat("[", 600), 600},
		{strings.Repeat("[", 600) + "\n" + strings.Repeat("[", 600), 1200},
		{"]]]][", 1},
	} {
		if got := bracketDepth(c.body); got != c.want {
			t.Errorf("bracketDepth(%.40q...) = %d, want %d", c.body, got, c.want)
		}
	}
	_, err := Parse("deep.md", []byte("---\ntitle: Deep\ndate: 2021-02-22\n---\n\n"+deep+"\n"), Options{Now: time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)})
	if err == nil || !strings.Contains(err.Error(), "nests brackets") {
		t.Errorf("a body nesting brackets %d deep: %v", maxBracketDepth+1, err)
	}
}
