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
// included) become one space, and the ends are trimmed: the words of
// strings.FieldsFunc(Clean(s), unicode.IsSpace) joined by spaces, which
// TestCleanLine holds it to. A value that is one line once trimmed, as
// most are, is read once and copied, as the joined words were: it may be
// part of a whole file's text, which an Article must not keep alive.
func cleanLine(s string) string {
	s = strings.TrimSpace(Clean(s)) // white space as unicode.IsSpace has it
	if oneLine(s) {
		if strings.IndexByte(s, ' ') < 0 {
			return s // one word: FieldsFunc's slice of it was kept too
		}
		return strings.Clone(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	start := -1 // where the word being read begins, -1 between words
	for i := 0; i <= len(s); {
		space, size := true, 1 // the end of s ends a word as a space does
		if i < len(s) {
			space, size = spaceAt(s, i)
		}
		switch {
		case space && start >= 0:
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(s[start:i])
			start = -1
		case !space && start < 0:
			start = i
		}
		i += size
	}
	return b.String()
}

// oneLine reports whether s neither starts nor ends with white space and
// has none but single spaces between its words.
func oneLine(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ':
			if s[i+1] == ' ' { // not the last byte: s does not end with a space
				return false
			}
		case '\t' <= c && c <= '\r':
			return false
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				return false
			}
			i += size - 1
		}
	}
	return true
}

// spaceAt reports whether the rune at s[i] is white space
// (unicode.IsSpace), and its size, without decoding ASCII.
func spaceAt(s string, i int) (space bool, size int) {
	if c := s[i]; c < utf8.RuneSelf {
		return c == ' ' || '\t' <= c && c <= '\r', 1
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r), size
}

// cleanList cleans each value, drops empty ones and duplicates (keeping the
// first spelling), and returns nil for an empty list.
func cleanList(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range in {
		v = cleanLine(v)
		k := strings.ToLower(v)
		if !visible(v) || seen[k] { // an empty name, or one that shows nothing
			continue
		}
		seen[k] = true
		out = append(out, v)
	}
	return out
}

// visible reports whether s shows anything: a character that is not
// white space, a format character (U+200B, U+2060, U+202E, U+FEFF...), a
// combining mark on its own, or a blank that looks like a letter (the
// Hangul fillers, the braille blank). A title or a name of nothing else
// reads as empty.
func visible(s string) bool {
	for _, r := range s {
		switch {
		case !unicode.IsGraphic(r), unicode.IsSpace(r), unicode.In(r, unicode.Mn, unicode.Me):
		case r == '\u115F', r == '\u1160', r == '\u3164', r == '\uFFA0', r == '\u2800':
		default:
			return true
		}
	}
	return false
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
