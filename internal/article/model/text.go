package model

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
// Every string that leaves internal/article has been through Clean.
func Clean(s string) string {
	if printableASCII(s) {
		return s // in NFC, and XML allows every character of it
	}
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

// printableASCII reports whether s holds only printable ASCII, tabs and
// line breaks: most of what Clean is given.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 || c > 0x7E) && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// Slugify makes a URL path segment of s that stays readable in any script:
// letters and digits are kept (Arabic too), lower-cased, and every other run
// of characters becomes one hyphen. It never returns "" for a string holding
// a letter or digit.
func Slugify(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range Clean(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(unicode.ToLower(r))
		default:
			hyphen = true
		}
	}
	return b.String()
}
