package article

import (
	"strings"

	"golang.org/x/net/html"
)

// The sanitiser writes, and Markdown mostly renders, HTML of a simple
// kind: text, and start and end tags with quoted attribute values.
// plainText and factsOf read such HTML here without the tokenizer, which
// costs a 4 KB buffer and a method call per byte, and hand anything else
// to the tokenizer; TestPlainText, TestFactsOf and their fuzz targets hold
// the two readings to each other.

// simpleTokens reads fragment as the tokenizer's tokens: text (unescaped,
// as its Text gives it) and tags (type and name, as its TagName gives
// it), while text and tag return true. ok is false, some tokens having
// been read, where it meets what the tokenizer reads in ways of its own:
// comments, a "<" that opens no tag, raw-text elements (script, title...),
// carriage returns and NULs, and tags simpleTag leaves to it.
func simpleTokens(fragment string, text func(string) bool, tag func(html.TokenType, string) bool) (ok bool) {
	for i := 0; i < len(fragment); {
		// The text runs up to the next tag, which must be one read here:
		// a "<" that opens none would be text too.
		end, next := len(fragment), len(fragment)
		var tt html.TokenType
		var name string
		if j := strings.IndexByte(fragment[i:], '<'); j >= 0 {
			end = i + j
			if tt, name, next, ok = simpleTag(fragment, end); !ok {
				return false
			}
		}
		if s := fragment[i:end]; s != "" {
			if strings.IndexByte(s, '\r') >= 0 || strings.IndexByte(s, 0) >= 0 {
				return false // the tokenizer rewrites them
			}
			if strings.IndexByte(s, '&') >= 0 {
				s = html.UnescapeString(s) // as the tokenizer's Text does
			}
			if !text(s) {
				return true
			}
		}
		if end < len(fragment) && !tag(tt, name) {
			return true
		}
		i = next
	}
	return true
}

// simpleTag reads the start or end tag at s[i] as the tokenizer does ("<"
// or "</", a letter, then the name and attributes): its type, its name
// lower-cased, and where it ends, past its ">". ok is false for anything
// else, for a tag s ends in, for a NUL in a name, for the start tag of a
// raw-text element, and for a start tag ending "/>" after an unquoted
// value ("<p a=/>"): whether the tokenizer reads it as self-closing
// depends on whether it kept the attribute.
func simpleTag(s string, i int) (tt html.TokenType, name string, end int, ok bool) {
	p := i + 1
	tt = html.StartTagToken
	if p < len(s) && s[p] == '/' {
		tt, p = html.EndTagToken, p+1
	}
	if p >= len(s) || !('a' <= s[p]|0x20 && s[p]|0x20 <= 'z') {
		return 0, "", 0, false
	}
	start := p
	for p < len(s) && !tagSpace(s[p]) && s[p] != '/' && s[p] != '>' {
		p++
	}
	name = s[start:p]
	if strings.IndexByte(name, 0) >= 0 || tt == html.StartTagToken && rawTextElement(name) {
		return 0, "", 0, false
	}
	end, valueToEnd, ok := tagEnd(s, p)
	if !ok {
		return 0, "", 0, false
	}
	if tt == html.StartTagToken && s[end-2] == '/' {
		if valueToEnd {
			return 0, "", 0, false
		}
		tt = html.SelfClosingTagToken
	}
	return tt, lowerASCII(name), end, true
}

// tagEnd returns where a tag ends whose name ends at s[p], reading its
// attributes as the tokenizer's readTag, readTagAttrKey and
// readTagAttrVal do (only a quoted value may hold a ">"); valueToEnd says
// that the last attribute has an unquoted value that runs up to the ">".
func tagEnd(s string, p int) (end int, valueToEnd, ok bool) {
	for p = skipTagSpace(s, p); p < len(s); p = skipTagSpace(s, p) {
		if s[p] == '>' {
			return p + 1, valueToEnd, true
		}
		valueToEnd = false
		// The name: up to white space, "/", ">", or a "=" not first.
		for k := p; p < len(s) && !tagSpace(s[p]) && s[p] != '/' && s[p] != '>' && (s[p] != '=' || p == k); p++ {
		}
		switch p = skipTagSpace(s, p); {
		case p < len(s) && s[p] == '/':
			p++
		case p < len(s) && s[p] == '=':
			if p = skipTagSpace(s, p+1); p >= len(s) {
				break
			}
			switch q := s[p]; q {
			case '>':
			case '"', '\'':
				e := strings.IndexByte(s[p+1:], q)
				if e < 0 {
					return 0, false, false
				}
				p += e + 2
			default:
				for p < len(s) && !tagSpace(s[p]) && s[p] != '>' {
					p++
				}
				valueToEnd = p < len(s) && s[p] == '>'
			}
		}
	}
	return 0, false, false
}

// tagSpace reports whether the tokenizer reads c as white space in a tag.
func tagSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f'
}

func skipTagSpace(s string, p int) int {
	for p < len(s) && tagSpace(s[p]) {
		p++
	}
	return p
}

// rawTextElement reports whether a start tag of this name makes the
// tokenizer read what follows as text, up to its end tag.
func rawTextElement(name string) bool {
	for _, raw := range [...]string{"iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style", "textarea", "title", "xmp"} {
		if strings.EqualFold(name, raw) {
			return true
		}
	}
	return false
}

// lowerASCII lower-cases the ASCII letters of s, as the tokenizer does
// tag names, copying s only when it has capitals.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lowerByte(b[j])
			}
			return string(b)
		}
	}
	return s
}
