package article

import (
	"fmt"
	"unicode/utf8"
)

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
