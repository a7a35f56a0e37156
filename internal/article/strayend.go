package article

import (
	"strings"

	"golang.org/x/net/html"
)

// skipCounted are the elements whose content the policy drops
// (skippedElements) and bluemonday counts while it skips: all of them but
// script and style, which it handles apart.
var skipCounted = func() map[string]bool {
	m := make(map[string]bool, len(skippedElements))
	for _, name := range skippedElements {
		m[name] = name != "script" && name != "style"
	}
	return m
}()

// dropStrayEnds removes the end tags of skipCounted elements that close
// nothing. bluemonday counts the open ones together, and a stray end tag
// took its count below zero: the next such element then never ended, and
// everything after it was dropped without a word ("a </noscript> b
// <iframe></iframe>" in Markdown kept "a b" and lost every paragraph
// after). The tokenizer is bluemonday's, so both see the same tags.
func dropStrayEnds(s string) string {
	if !hasSkippedEnd(s) {
		return s
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	b.Grow(len(s))
	open, dropped := 0, false
	for {
		switch z.Next() {
		case html.ErrorToken:
			if !dropped {
				return s
			}
			return b.String()
		case html.StartTagToken:
			if name, _ := z.TagName(); skipCounted[string(name)] {
				open++
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); skipCounted[string(name)] {
				if open == 0 {
					dropped = true
					continue
				}
				open--
			}
		}
		b.Write(z.Raw())
	}
}

// hasSkippedEnd reports whether s may hold an end tag of a skipCounted
// element: most articles hold none, and need no tokenizer pass.
func hasSkippedEnd(s string) bool {
	for i := strings.Index(s, "</"); i >= 0; {
		j := i + 2
		for j < len(s) && j-i < 12 && (s[j]|0x20 >= 'a' && s[j]|0x20 <= 'z') {
			j++
		}
		if skipCounted[strings.ToLower(s[i+2:j])] {
			return true
		}
		next := strings.Index(s[j:], "</")
		if next < 0 {
			return false
		}
		i = j + next
	}
	return false
}
