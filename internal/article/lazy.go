package article

import (
	"regexp"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
)

// The parsers' state (regular expressions, the Markdown renderer, the
// sanitising policy, the word tables) is built on first use, not at
// start-up: the ingest function's cold start, or a command that parses
// nothing, does not pay milliseconds (7 ms, 4 MB before) for parsers it
// does not run yet. Values are built once and are safe for concurrent use.

// lazyRegexp is a regular expression compiled on first use; it has the
// methods of *regexp.Regexp the parsers use, so call sites read as before.
type lazyRegexp func() *regexp.Regexp

// lazyRE returns expr compiled on first use (regexp.MustCompile).
func lazyRE(expr string) lazyRegexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

func (r lazyRegexp) MatchString(s string) bool              { return r().MatchString(s) }
func (r lazyRegexp) FindSubmatch(b []byte) [][]byte         { return r().FindSubmatch(b) }
func (r lazyRegexp) FindStringSubmatch(s string) []string   { return r().FindStringSubmatch(s) }
func (r lazyRegexp) FindStringSubmatchIndex(s string) []int { return r().FindStringSubmatchIndex(s) }
func (r lazyRegexp) FindAllStringSubmatchIndex(s string, n int) [][]int {
	return r().FindAllStringSubmatchIndex(s, n)
}
func (r lazyRegexp) ReplaceAllString(src, repl string) string { return r().ReplaceAllString(src, repl) }
func (r lazyRegexp) ReplaceAllStringFunc(src string, repl func(string) string) string {
	return r().ReplaceAllStringFunc(src, repl)
}
func (r lazyRegexp) Split(s string, n int) []string { return r().Split(s, n) }

// guardedRE is a regular expression and a cheap test that is false on
// any text the expression cannot match (TestGuards holds each test to its
// expression): most names and credit lines hold none of the separators
// and words the byline expressions look for, and the test spares them the
// regexp engine.
type guardedRE struct {
	re  lazyRegexp
	may func(s string) bool
}

// Split is regexp's Split: s alone when the expression cannot match it.
func (g guardedRE) Split(s string, n int) []string {
	if n != 0 && !g.may(s) {
		return []string{s}
	}
	return g.re.Split(s, n)
}

// FindStringSubmatchIndex is regexp's: nil when the expression cannot match.
func (g guardedRE) FindStringSubmatchIndex(s string) []int {
	if !g.may(s) {
		return nil
	}
	return g.re.FindStringSubmatchIndex(s)
}

// ReplaceAllStringFunc is regexp's: src when the expression cannot match.
func (g guardedRE) ReplaceAllStringFunc(src string, repl func(string) string) string {
	if !g.may(src) {
		return src
	}
	return g.re.ReplaceAllStringFunc(src, repl)
}

// spaceBefore reports whether an ASCII white space byte in s is followed
// by one of the bytes of set: where a word an expression looks for after
// \s may start.
func spaceBefore(s, set string) bool {
	for i := 0; i+1 < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\v', '\f', '\r':
			if strings.IndexByte(set, s[i+1]) >= 0 {
				return true
			}
		}
	}
	return false
}

// foldedSet returns the set of words, folded (see fold), built on first use.
func foldedSet(words ...string) func() map[string]bool {
	return sync.OnceValue(func() map[string]bool {
		m := make(map[string]bool, len(words))
		for _, w := range words {
			m[fold(w)] = true
		}
		return m
	})
}

// sanitizer is the sanitising policy, built on first use.
type sanitizer func() *bluemonday.Policy

// Sanitize returns html with what the policy does not allow removed.
func (s sanitizer) Sanitize(html string) string { return s().Sanitize(dropStrayEnds(html)) }
