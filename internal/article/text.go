package article

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pressroom/pressroom/internal/article/model"
)

// Clean returns s in NFC with every character XML 1.0 forbids removed
// (see model.Clean). Every string that leaves this package has been
// through Clean.
func Clean(s string) string { return model.Clean(s) }

// cleanLine is Clean for one-line values: runs of white space (new lines
// included) become one space, and the ends are trimmed.
func cleanLine(s string) string {
	return strings.Join(strings.FieldsFunc(Clean(s), unicode.IsSpace), " ")
}

// cleanList cleans each value, drops empty ones and duplicates (keeping the
// first spelling), and returns nil for an empty list.
func cleanList(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range in {
		v = cleanLine(v)
		k := strings.ToLower(v)
		if v == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, v)
	}
	return out
}

// truncateWords shortens s to at most max runes, cutting at a word boundary
// and adding an ellipsis when it cut.
func truncateWords(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	cut := 0
	n := 0
	for i, r := range s {
		if n == max {
			break
		}
		if unicode.IsSpace(r) {
			cut = i
		}
		n++
	}
	if cut == 0 {
		// One long word: cut at a rune boundary.
		n = 0
		for i := range s {
			if n == max {
				cut = i
				break
			}
			n++
		}
	}
	return strings.TrimRightFunc(s[:cut], func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r)
	}) + "…"
}
