package article

import (
	"strings"
	"testing"
)

var endPSamples = []string{"", "</p>", "</P>", "<p>a</p>", "</p></p>", "<</p>", "</</p>>", "</p", "</pre>", "</ p>",
	"<p>\u212a</p>", "<p>\u0130</P>\xff</p>", "</P></p></pX>"}

// TestCountEndP holds countEndP to the count it replaced.
func TestCountEndP(t *testing.T) {
	for _, s := range endPSamples {
		checkCountEndP(t, s)
	}
}

func checkCountEndP(t *testing.T, s string) {
	t.Helper()
	if got, want := countEndP(s), strings.Count(strings.ToLower(s), "</p>"); got != want {
		t.Fatalf("countEndP(%q) = %d, want %d", s, got, want)
	}
}

func FuzzCountEndP(f *testing.F) {
	for _, s := range endPSamples {
		f.Add(s)
	}
	f.Fuzz(checkCountEndP)
}
