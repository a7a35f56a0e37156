package article

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// xmlAllowed reports whether XML 1.0 allows r in a document
// (https://www.w3.org/TR/xml/#charsets). C1 controls are allowed by XML but
// show up only as mojibake or garbage, so they are dropped too.
func xmlAllowed(r rune) bool {
	switch {
	case r == 0x9 || r == 0xA || r == 0xD:
		return true
	case r < 0x20:
		return false
	case r >= 0x7F && r <= 0x9F:
		return false
	case r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF, r == utf8.RuneError:
		return false
	case r > 0x10FFFF:
		return false
	}
	return true
}

// Clean returns s in NFC with every character XML 1.0 forbids removed.
// Every string that leaves this package has been through Clean.
func Clean(s string) string {
	clean := true
	for _, r := range s {
		if !xmlAllowed(r) {
			clean = false
			break
		}
	}
	if !clean {
		s = strings.Map(func(r rune) rune {
			if xmlAllowed(r) {
				return r
			}
			return -1
		}, s)
	}
	return norm.NFC.String(s)
}

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
