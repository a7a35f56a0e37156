package model

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// cleanSamples are strings for TestClean: every byte alone, and text
// that Clean composes or cuts.
func cleanSamples() []string {
	out := []string{"", "plain ASCII text,\tand\r\nlines", "e\u0301", "Å", "A\u030a", "\ufb01", "a\x00b", "\x7f", "\u0085",
		"\ufffd", "\xff", "\xed\xa0\x80", "\ufffe", "\U0010ffff", "\u1E9B\u0323", "ᄀ\u1161", "كَتَبَ"}
	for b := range 256 {
		out = append(out, string([]byte{byte(b)}), "ab"+string([]byte{byte(b)})+"cd")
	}
	return out
}

// cleanAnyText is Clean without its ASCII shortcut.
func cleanAnyText(s string) string {
	return norm.NFC.String(strings.Map(func(r rune) rune {
		if xmlAllowed(r) {
			return r
		}
		return -1
	}, s))
}

// TestClean holds Clean to the same work without its ASCII shortcut.
func TestClean(t *testing.T) {
	for _, s := range cleanSamples() {
		checkClean(t, s)
	}
}

func checkClean(t *testing.T, s string) {
	t.Helper()
	if got, want := Clean(s), cleanAnyText(s); got != want {
		t.Fatalf("Clean(%q) = %q, want %q", s, got, want)
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range cleanSamples() {
		f.Add(s)
	}
	f.Fuzz(checkClean)
}
