package article

import (
	"regexp"
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
