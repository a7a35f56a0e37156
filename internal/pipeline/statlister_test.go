package pipeline_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/index/bolt"
	"github.com/pressroom/pressroom/internal/pipeline"
	"github.com/pressroom/pressroom/internal/store"
)

// TestSyncStatListerAsList: a Sync compares the folder with the bbolt
// index's FileStats (index.StatLister) and reads only the summaries it
// needs; with the memory index, which lists every summary, it must find
// the same files changed, rejected, removed and renamed, build after
// build, and publish the same feeds.
func TestSyncStatListerAsList(t *testing.T) {
	type step struct {
		name string
		do   func(t *testing.T, dir string)
	}
	t0 := time.Date(2021, 6, 1, 12, 0, 0, 0, time.UTC)
	write := func(t *testing.T, dir, name, text string, at time.Time) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	remove := func(t *testing.T, dir, name string) {
		t.Helper()
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	steps := []step{
		{"first build", func(t *testing.T, dir string) {
			write(t, dir, "a.md", md("Alpha", "2021-05-01", "tags: [x]"), t0)
			write(t, dir, "b.md", "---\ntitle: [broken\n---\n", t0)
			write(t, dir, "c.md", md("Gamma", "2021-05-03", "tags: [x, y]", "slug: gamma"), t0)
			write(t, dir, "d.md", md("Delta", "2021-05-04", "slug: gamma"), t0) // claims c's slug: waits
			write(t, dir, "sub/e.md", md("Epsilon", "2021-05-05"), t0)
			write(t, dir, "f.md", md("Later", "2030-01-01"), t0)
		}},
		{"nothing changed", func(*testing.T, string) {}},
		{"one added, one edited, one touched", func(t *testing.T, dir string) {
			write(t, dir, "g.md", md("Eta", "2021-05-07"), t0.Add(time.Hour))
			write(t, dir, "a.md", md("Alpha edited", "2021-05-01", "tags: [x]"), t0.Add(time.Hour))
			write(t, dir, "sub/e.md", md("Epsilon", "2021-05-05"), t0.Add(2*time.Hour)) // same bytes
		}},
		{"removed, renamed, the claim released", func(t *testing.T, dir string) {
			remove(t, dir, "c.md")
			text, err := os.ReadFile(filepath.Join(dir, "g.md"))
			if err != nil {
				t.Fatal(err)
			}
			remove(t, dir, "g.md")
			write(t, dir, "renamed.md", string(text), t0.Add(time.Hour))
		}},
		{"the rejected file fixed", func(t *testing.T, dir string) {
			write(t, dir, "b.md", md("Beta", "2021-05-02"), t0.Add(3*time.Hour))
		}},
		{"a file rejected that had an article", func(t *testing.T, dir string) {
			write(t, dir, "a.md", "---\ntitle: [broken again\n---\n", t0.Add(4*time.Hour))
		}},
		{"nothing changed again", func(*testing.T, string) {}},
	}
	run := func(t *testing.T, ix index.Index) []string {
		dir := t.TempDir()
		out := store.NewMemory()
		p := &pipeline.Pipeline{Parse: article.Parse, Index: ix, Store: out, Config: killConfig(t),
			Now: func() time.Time { return t0.Add(24 * time.Hour) }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		var got []string
		for _, s := range steps {
			s.do(t, dir)
			srep, prep, err := p.Build(context.Background(), dir, false, nil)
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			got = append(got, s.name+": "+describeSync(srep)+fmt.Sprintf("; %d written", len(prep.Written)))
		}
		files := outputs(t, out)
		for _, k := range sortedKeys(files) {
			got = append(got, k+" "+fmt.Sprint(len(files[k])))
		}
		return got
	}
	want := run(t, index.NewMemory())
	b, err := bolt.Open(filepath.Join(t.TempDir(), "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got := run(t, b)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("bbolt (FileStats):\n%s\nmemory (List):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, line := range want[:len(steps)] {
		t.Log(line)
	}
}

// describeSync renders a SyncReport: its counts, and each listed file with
// what it says of it.
func describeSync(r pipeline.SyncReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "published %d unchanged %d", r.Published, r.Unchanged)
	for _, l := range []struct {
		name string
		rs   []pipeline.Result
	}{{"draft", r.Drafts}, {"scheduled", r.Scheduled}, {"expired", r.Expired}} {
		for _, res := range l.rs {
			fmt.Fprintf(&b, " %s %s", l.name, res.Key)
		}
	}
	for _, rj := range r.Rejections {
		fmt.Fprintf(&b, " rejected %s new=%v kept=%v %d problems", rj.Key, rj.New, rj.Kept, len(rj.Problems))
	}
	for _, k := range r.Removed {
		fmt.Fprintf(&b, " removed %s", k)
	}
	return b.String()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
