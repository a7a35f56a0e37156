package pipeline_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/article"
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

// A source folder named through a symbolic link is the folder it names:
// building a published site through a link keeps every article (the walk
// once saw the link alone, found no articles and withdrew them all).
func TestSourceThroughSymlink(t *testing.T) {
	l := newLocal(t)
	t0 := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC)
	l.write("a.md", md("A", "2021-05-01"), t0)
	l.write("sub/b.md", md("B", "2021-05-02"), t0)
	if s, _ := l.build(); s.Published != 2 {
		t.Fatalf("first build: %+v", s)
	}
	link := filepath.Join(t.TempDir(), "articles-link")
	if err := os.Symlink(l.src, link); err != nil {
		t.Fatal(err)
	}
	l.src = link
	if s, p := l.build(); s.Unchanged != 2 || s.Published != 0 || len(p.Written) != 0 {
		t.Errorf("build through the link: %+v, wrote %v", s, p.Written)
	}
	l.write("c.md", md("C", "2021-05-03"), t0)
	if s, _ := l.build(); s.Published != 1 || s.Unchanged != 2 {
		t.Errorf("a new file through the link: %+v", s)
	}
	var walked []string
	if err := article.WalkFiles(link, func(p string, _ fs.DirEntry) error {
		walked = append(walked, p)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(link, "a.md"), filepath.Join(link, "c.md"), filepath.Join(link, "sub", "b.md")}
	if !slices.Equal(walked, want) {
		t.Errorf("WalkFiles through the link: %q, want %q", walked, want)
	}
}
