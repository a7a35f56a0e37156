package cli

import (
	"fmt"
	"io"
	"strings"
)

// The kinds of file build, status and check list, each on a line of its
// own that starts with the kind (REJECTED in capitals, to stand out), and
// count in their summary with the same words.
const (
	kindPublished = "published"
	kindDraft     = "draft"
	kindScheduled = "scheduled"
	kindExpired   = "expired"
	kindRejected  = "REJECTED"
	kindRemoved   = "removed"
	kindRenamed   = "renamed"
)

// indent lines up what follows a file's line under its name.
const indent = "          "

// listLine prints one file's line: its kind, then text, in columns.
func listLine(w io.Writer, kind, text string) {
	fmt.Fprintf(w, "%-*s%s\n", len(indent), kind, text)
}

// tally counts files by kind. Every file is counted once, by what it is
// now: a rejected file under rejected even when its last good version
// stays published. Each count but published and unchanged equals the
// lines of its kind the command lists (check lists published files too).
type tally struct {
	published, drafts, scheduled, expired, rejected, unchanged, removed, renamed int
	// newRejected, when showNew is set (build), is how many of the
	// rejections this run made; the others were rejected before and have
	// not changed since.
	newRejected int
	showNew     bool
}

// add counts one file of a kind.
func (t *tally) add(kind string) {
	switch kind {
	case kindPublished:
		t.published++
	case kindDraft:
		t.drafts++
	case kindScheduled:
		t.scheduled++
	case kindExpired:
		t.expired++
	case kindRejected:
		t.rejected++
	case kindRemoved:
		t.removed++
	case kindRenamed:
		t.renamed++
	}
}

// String words the counts: published and rejected always, the others
// when there are some, e.g. "7 published, 1 draft, 1 scheduled, 3
// rejected (1 new), 15 unchanged".
func (t tally) String() string {
	parts := []string{fmt.Sprintf("%d published", t.published)}
	if t.drafts > 0 {
		parts = append(parts, plural(t.drafts, "draft"))
	}
	if t.scheduled > 0 {
		parts = append(parts, fmt.Sprintf("%d scheduled", t.scheduled))
	}
	if t.expired > 0 {
		parts = append(parts, fmt.Sprintf("%d expired", t.expired))
	}
	rejected := fmt.Sprintf("%d rejected", t.rejected)
	if t.showNew && t.rejected > 0 {
		rejected += fmt.Sprintf(" (%d new)", t.newRejected)
	}
	parts = append(parts, rejected)
	if t.unchanged > 0 {
		parts = append(parts, fmt.Sprintf("%d unchanged", t.unchanged))
	}
	if t.removed > 0 {
		parts = append(parts, fmt.Sprintf("%d removed", t.removed))
	}
	if t.renamed > 0 {
		parts = append(parts, fmt.Sprintf("%d renamed", t.renamed))
	}
	return strings.Join(parts, ", ")
}

// exit is the exit status build, status and check share: ExitRejected when
// any file is rejected (listed REJECTED), else ExitOK.
func (t tally) exit() int {
	if t.rejected > 0 {
		return ExitRejected
	}
	return ExitOK
}
