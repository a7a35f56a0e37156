package article

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// balanced returns fragment as it is when its elements nest (each end tag
// closes the element opened last, void elements aside), and otherwise as
// the HTML parser reads it inside a <div>, written out again, every
// element closed where a browser would close it. Markdown and JSON bodies
// pass raw HTML through the sanitiser, which keeps a stray </div> or an
// unclosed <b>: in a feed, the stray end tag closed the <div dir="rtl">
// wrapping an Arabic article, and the rest of it lost its direction; the
// unclosed one ran into the reader's own page.
func balanced(fragment string) string {
	if strings.IndexByte(fragment, '<') < 0 || nests(fragment) {
		return fragment
	}
	nodes, err := html.ParseFragment(strings.NewReader(fragment), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return fragment
	}
	var b strings.Builder
	b.Grow(len(fragment) + 64)
	for _, n := range nodes {
		if err := html.Render(&b, n); err != nil {
			return fragment
		}
	}
	return b.String()
}

// nests reports whether fragment's tags nest, read as simpleTokens reads
// them; markup it leaves to the tokenizer counts as not nesting (and is
// written out again by the parser: well-formed either way).
func nests(fragment string) bool {
	var open []string
	nested := true
	ok := simpleTokens(fragment, func(string) bool { return true }, func(tt html.TokenType, name string) bool {
		switch tt {
		case html.StartTagToken:
			if !voidElement(name) {
				open = append(open, name)
			}
		case html.EndTagToken:
			if voidElement(name) {
				return true // </br> and the like: the parser's own reading
			}
			if len(open) == 0 || open[len(open)-1] != name {
				nested = false
				return false
			}
			open = open[:len(open)-1]
		}
		return true
	})
	return ok && nested && len(open) == 0
}

// voidElement reports whether an element has no end tag.
func voidElement(name string) bool {
	switch name {
	case "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr":
		return true
	}
	return false
}
