package article

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrRejected is matched (errors.Is) by every error that means "this file
// cannot be published as it is": the editor must fix the file. Any other
// error from this package is an I/O failure worth retrying.
var ErrRejected = errors.New("article: rejected")

// Problem is one reason a file was rejected.
type Problem struct {
	Field   string // "title", "date", "front matter", "encoding", ...
	Line    int    // 1-based line in the file, 0 when unknown
	Message string // in words an editor understands
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Field)
	if p.Line > 0 {
		fmt.Fprintf(&b, " (line %d)", p.Line)
	}
	b.WriteString(": ")
	b.WriteString(p.Message)
	return b.String()
}

// Error lists every problem found in one rejected file.
type Error struct {
	File     string
	Problems []Problem
}

func (e *Error) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return fmt.Sprintf("article: %s: %s", e.File, strings.Join(parts, "; "))
}

// Is makes errors.Is(err, ErrRejected) true.
func (e *Error) Is(target error) bool { return target == ErrRejected }

// Problems returns the problems carried by err, or one problem describing err
// when it is not an *Error.
func Problems(err error) []Problem {
	var e *Error
	if errors.As(err, &e) {
		return e.Problems
	}
	if err == nil {
		return nil
	}
	return []Problem{{Field: "file", Message: err.Error()}}
}

// report collects problems while a file is parsed, so an editor sees every
// problem at once instead of fixing them one by one.
type report struct {
	problems []Problem
	// warnings are what a published article took from a fallback (the
	// upload time for its date, the first paragraph for its title): it is
	// published, and the editor is told.
	warnings []Problem
}

// Bounds on what a report holds: a problem quoting a 4 MB field must not
// become a 4 MB message (a report is stored and shown to an editor).
const (
	maxMessage  = 600 // bytes of one message
	maxProblems = 30
	maxQuoted   = 120 // bytes of a value from the file quoted in a message
)

func (r *report) add(field string, line int, format string, args ...any) {
	switch {
	case len(r.problems) == maxProblems:
		r.problems = append(r.problems, Problem{Field: "file", Message: "more problems follow: fix these first"})
		return
	case len(r.problems) > maxProblems:
		return
	}
	// A value quoted from the file is cut first, so the message's own
	// words survive.
	for i, a := range args {
		if s, ok := a.(string); ok && len(s) > maxQuoted {
			args[i] = shorten(s, maxQuoted)
		}
	}
	r.problems = append(r.problems, Problem{Field: field, Line: line, Message: shorten(fmt.Sprintf(format, args...), maxMessage)})
}

// warn records a warning: the article is published, and check and the
// report say what it fell back on.
func (r *report) warn(field string, line int, format string, args ...any) {
	if len(r.warnings) >= maxProblems {
		return
	}
	for i, a := range args {
		if s, ok := a.(string); ok && len(s) > maxQuoted {
			args[i] = shorten(s, maxQuoted)
		}
	}
	r.warnings = append(r.warnings, Problem{Field: field, Line: line, Message: shorten(fmt.Sprintf(format, args...), maxMessage)})
}

// shorten cuts s to at most n bytes, on a character boundary, marking the
// cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// has reports whether a problem was recorded for any of fields.
func (r *report) has(fields ...string) bool {
	for _, p := range r.problems {
		for _, f := range fields {
			if p.Field == f {
				return true
			}
		}
	}
	return false
}

func (r *report) err(file string) error {
	if len(r.problems) == 0 {
		return nil
	}
	return &Error{File: file, Problems: r.problems}
}

func reject(file, field string, line int, format string, args ...any) error {
	var r report
	r.add(field, line, format, args...)
	return r.err(file)
}
