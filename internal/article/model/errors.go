package model

import (
	"errors"
	"fmt"
	"strings"
)

// ErrRejected is matched (errors.Is) by every error that means "this file
// cannot be published as it is": the editor must fix the file. Any other
// error from this package or internal/article is an I/O failure worth
// retrying.
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

// TooLarge is the rejection of the file name of size bytes, over the limit
// of max bytes.
func TooLarge(name string, size, max int64) error {
	return &Error{File: name, Problems: []Problem{{Field: "file",
		Message: fmt.Sprintf("the file is %s, larger than the %s limit (articles.max_file_size)", HumanBytes(size), HumanBytes(max))}}}
}

// HumanBytes writes a size in bytes, KiB or MiB for an editor.
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
