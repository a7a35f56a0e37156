package article

import (
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// md renders GitHub-flavoured Markdown (tables, strikethrough, autolinks,
// task lists) with footnotes. Raw HTML is passed through because editors
// use it for figures and embeds; the sanitiser decides what survives. Built
// on first use (see lazy.go).
var md = sync.OnceValue(func() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.GFM, extension.Footnote),
		goldmark.WithRendererOptions(html.WithUnsafe()),
	)
})

var (
	reATXHeading    = lazyRE(`^#[ \t]+(.+?)[ \t]*#*[ \t]*$`)
	reSetextHeading = lazyRE(`^=+[ \t]*$`)
)

// maxMarkdownNesting bounds block nesting (quotes, lists) that would make
// rendering slow: no article needs more.
const maxMarkdownNesting = 64

// maxMarkdownMarkup bounds the markup characters and lines of a Markdown
// body. goldmark keeps an AST node for each element, about 170 bytes of
// memory per input byte on a file made only of links and lists, so a 5 MiB
// file of that kind would need most of a gigabyte. A long real article
// (100 KB, a link in every sentence, tables) stays under 20,000.
const maxMarkdownMarkup = 250_000

// maxBracketDepth bounds how deep square brackets nest within a block:
// text never nests them more than a few levels, and goldmark's link
// parsing of "[[[...x]]]" grows faster than the text (a 498 KB file of
// 249,000 levels took 600 MB and 10 s, under the markup bound).
const maxBracketDepth = 1000

// bracketDepth returns the deepest nesting of "[" in s, a blank line
// (which ends any link) starting again from zero.
func bracketDepth(s string) int {
	depth, deepest := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			if depth++; depth > deepest {
				deepest = depth
			}
		case ']':
			depth = max(depth-1, 0)
		case '\n':
			j := i + 1
			for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
				j++
			}
			if j < len(s) && s[j] == '\n' {
				depth = 0 // a blank line
			}
		}
	}
	return deepest
}

// markdownMarkup counts lines and the characters that open inline
// elements: a cheap upper bound on the number of AST nodes.
func markdownMarkup(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n', '[', '*', '`', '<', '|', '~', '!':
			n++
		}
	}
	return n
}

// renderMarkdown renders a Markdown body, refusing one that is too deep,
// has too much markup, or would render to more HTML than an article may
// have: reference links repeat their address at every use, so a 44 KB file
// made of one 2 KB definition and thousands of "[x][r]" renders to 12 MB.
// The output is estimated from the parsed document (the source, plus every
// link's and image's address and title) before anything is rendered.
func renderMarkdown(field string, line int, body string, r *report) (string, bool) {
	if !checkMarkdown(field, line, body, r) {
		return "", false
	}
	src := []byte(body)
	doc := md().Parser().Parse(text.NewReader(src))
	budget := contentBudget(len(src))
	est := len(src)
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			switch v := n.(type) {
			case *ast.Link:
				est += len(v.Destination) + len(v.Title)
			case *ast.Image:
				est += len(v.Destination) + len(v.Title)
			}
			if est > budget {
				return ast.WalkStop, nil
			}
		}
		return ast.WalkContinue, nil
	})
	if est > budget {
		r.add(field, line, "the Markdown would render to more than %s of HTML (links repeating long addresses, such as reference links used many times): at most %s may come from a %s file",
			humanBytes(int64(est)), humanBytes(int64(budget)), humanBytes(int64(len(src))))
		return "", false
	}
	var w htmlWriter
	w.Grow(len(src) + len(src)/4) // the markup and the addresses the estimate counted
	if err := md().Renderer().Render(&w, src, doc); err != nil {
		r.add(field, line, "the Markdown cannot be rendered: %v", err)
		return "", false
	}
	return w.String(), true
}

// htmlWriter is the writer goldmark renders into: a strings.Builder with
// the methods of goldmark's util.BufWriter, so that goldmark writes to it
// directly (it wraps any other writer in a 4 KB bufio.Writer) and the
// HTML is not copied out of a buffer.
type htmlWriter struct{ strings.Builder }

var _ util.BufWriter = (*htmlWriter)(nil)

// Available implements util.BufWriter: room left before the builder grows.
func (w *htmlWriter) Available() int { return w.Cap() - w.Len() }

// Buffered implements util.BufWriter: nothing is held back.
func (w *htmlWriter) Buffered() int { return 0 }

// Flush implements util.BufWriter: there is nothing to flush.
func (w *htmlWriter) Flush() error { return nil }

// checkMarkdown reports whether a Markdown body is cheap enough to render.
func checkMarkdown(field string, line int, body string, r *report) bool {
	if markdownNesting(body) > maxMarkdownNesting {
		r.add(field, line, "the Markdown is nested more than %d levels deep", maxMarkdownNesting)
		return false
	}
	if d := bracketDepth(body); d > maxBracketDepth {
		r.add(field, line, "the Markdown nests brackets more than %d deep: goldmark's cost grows faster than the text", maxBracketDepth)
		return false
	}
	if n := markdownMarkup(body); n > maxMarkdownMarkup {
		r.add(field, line, "the Markdown has %d lines and markup characters, more than the %d an article may have: split it", n, maxMarkdownMarkup)
		return false
	}
	return true
}

func parseMarkdown(text string, opts Options, r *report) meta {
	var m meta
	fm, body, bodyLine, ok := splitFrontMatter(strings.TrimPrefix(text, "\uFEFF"), r)
	if ok {
		applyFrontMatter(fm, &m, opts, r)
	}
	if m.title == "" {
		m.title, body = leadingHeading(body)
		m.titleLine = bodyLine
	}
	if m.summary == "" {
		if before, _, found := strings.Cut(body, "<!--more-->"); found {
			var ignored report // the body's own check reports its problems
			if html, ok := renderMarkdown("body", bodyLine, before, &ignored); ok {
				m.summary = plainText(policy.Sanitize(html), 8192)
			}
		}
	}
	m.body, _ = renderMarkdown("body", bodyLine, body, r)
	return m
}

// leadingHeading takes a level-1 heading that opens the body as the title
// (for files without front matter) and removes it from the body.
func leadingHeading(body string) (title, rest string) {
	trimmed := strings.TrimLeft(body, " \t\n")
	first, after, _ := strings.Cut(trimmed, "\n")
	if m := reATXHeading.FindStringSubmatch(first); m != nil {
		return m[1], after
	}
	second, after2, _ := strings.Cut(after, "\n")
	if strings.TrimSpace(first) != "" && reSetextHeading.MatchString(second) {
		return strings.TrimSpace(first), after2
	}
	return "", body
}

// markdownNesting estimates the deepest block nesting: quote markers and
// list indentation at the start of a line.
func markdownNesting(s string) int {
	max := 0
	for line := range strings.SplitSeq(s, "\n") {
		d := 0
		for _, c := range line {
			switch c {
			case '>':
				d++
			case ' ', '\t', '-', '*', '+':
				if c == '\t' {
					d++
				}
				continue
			default:
				goto done
			}
		}
	done:
		indent := len(line) - len(strings.TrimLeft(line, " "))
		if d+indent/4 > max {
			max = d + indent/4
		}
	}
	return max
}
