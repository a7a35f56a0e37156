// Command corpus writes a generated site of Markdown articles with YAML
// front matter that both pressroom and Hugo read, for the side-by-side
// comparison in .ci/compare-hugo (DESIGN.md's performance targets).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	n := flag.Int("n", 10000, "number of articles")
	out := flag.String("out", "content/posts", "folder to write them to")
	flag.Parse()
	if err := write(*n, *out); err != nil {
		fmt.Fprintln(os.Stderr, "corpus:", err)
		os.Exit(1)
	}
}

// write makes n articles of about 3 KB: three paragraphs with links and
// emphasis, 2 of 50 tags, 1 of 8 categories, 1 of 40 authors, one date an
// hour apart.
func write(n int, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	para := strings.Repeat("The council met on Monday and voted, after a long debate, to build forty kilometres of protected lanes. ", 6)
	t0 := time.Date(2020, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		text := fmt.Sprintf("---\ntitle: \"Story %d\"\ndate: %s\ntags: [\"tag-%d\", \"tag-%d\"]\ncategories: [\"cat-%d\"]\nauthor: \"Author %d\"\n---\n\n%s\n\n%s [a link](/x/%d/) and **bold** text.\n\n%s\n",
			i, t0.Add(time.Duration(i)*time.Hour).Format(time.RFC3339), i%50, (i+17)%50, i%8, i%40, para, para, i, para)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("story-%05d.md", i)), []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}
