package article

import (
	"strings"
	"testing"
	"unicode"
)

// lineSamples are values for TestCleanLine: every kind of white space, at
// the ends and in runs, with characters Clean removes or composes.
var lineSamples = []string{
	"", " ", "a", "a b", " a", "a ", "a  b", "a\tb", "a\nb", "a \n b", "\t\n\v\f\r ", "a\u00a0b", "\u00a0a",
	"a\u0085b", "a\u3000b", "a\u2028\u2029b", "a\u200bb", "a\u1680b", "a\u202fb", "e\u0301 x", "a \u0301b",
	"a\x00 b", "a \x01 b", "\x7f a", "a \ufffd", "\xff a\xfe", "Story 7", "The council met. ", "  two  words  ",
	"ǅ \U0001F600 한 ᄀ\u1161", "\u1E9B\u0323 s", "جميع الحقوق  محفوظة", "l’article d'un", "\u0085a b\u3000", " a b ", "\u00a0 a  b\t", "\x01 a b \x01",
}

// TestCleanLine holds cleanLine to what it replaced: the words of
// Clean(s) joined by one space.
func TestCleanLine(t *testing.T) {
	for _, s := range lineSamples {
		checkCleanLine(t, s)
	}
}

func checkCleanLine(t *testing.T, s string) {
	t.Helper()
	want := strings.Join(strings.FieldsFunc(Clean(s), unicode.IsSpace), " ")
	if got := cleanLine(s); got != want {
		t.Fatalf("cleanLine(%q) = %q, want %q", s, got, want)
	}
}

func FuzzCleanLine(f *testing.F) {
	for _, s := range lineSamples {
		f.Add(s)
	}
	f.Fuzz(checkCleanLine)
}
