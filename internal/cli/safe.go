package cli

import (
	"strconv"
	"strings"
	"unicode"
)

// safe makes an untrusted string (a file name, a problem quoting a file,
// an error naming one) harmless on a terminal: one with a control
// character (an escape sequence could recolour the screen or move the
// cursor, a newline could forge a line such as "REJECTED ...") or an
// invisible format character (a right-to-left override could reorder what
// is shown) is printed quoted, with those characters escaped. Readable text
// in any script is printed as it is.
func safe(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) < 0 {
		return s
	}
	return strconv.Quote(s)
}

// safeErr is safe for an error's text.
func safeErr(err error) string { return safe(err.Error()) }
