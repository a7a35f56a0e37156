package pipeline_test

import (
	"testing"
	"time"
)

// A build reads a file again when its size or its modification time
// differs from the index's, and only then: an edit that keeps both (as
// make or rsync -t can) waits for --force or the next touch.
func TestLocalBuildReadsByStat(t *testing.T) {
	l := newLocal(t)
	t0 := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC)
	l.write("a.md", md("AAA", "2021-05-01"), t0)
	l.write("sub/b.md", md("BBB", "2021-05-02"), t0)
	if s, _ := l.build(); s.Published != 2 {
		t.Fatalf("first build: %+v", s)
	}
	// Same size, same time: not read.
	l.write("a.md", md("AAB", "2021-05-01"), t0)
	if s, p := l.build(); s.Published != 0 || s.Unchanged != 2 || len(p.Written) != 0 {
		t.Errorf("same size and time: %+v, wrote %v", s, p.Written)
	}
	// Same size, another time: read, and the new title published.
	l.write("a.md", md("AAB", "2021-05-01"), t0.Add(time.Nanosecond))
	if s, p := l.build(); s.Published != 1 || s.Unchanged != 1 || len(p.Written) == 0 {
		t.Errorf("same size, another time: %+v, wrote %v", s, p.Written)
	}
	// Another size, same time: read.
	l.write("sub/b.md", md("BBBB", "2021-05-02"), t0)
	if s, p := l.build(); s.Published != 1 || s.Unchanged != 1 || len(p.Written) == 0 {
		t.Errorf("another size, same time: %+v, wrote %v", s, p.Written)
	}
	// Nothing changed: nothing read, nothing written.
	if s, p := l.build(); s.Published != 0 || s.Unchanged != 2 || len(p.Written) != 0 {
		t.Errorf("unchanged: %+v, wrote %v", s, p.Written)
	}
}
