package pipeline_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/config"
	"github.com/pressroom/pressroom/internal/index/bolt"
	"github.com/pressroom/pressroom/internal/pipeline"
	"github.com/pressroom/pressroom/internal/store"
)

// corpus writes n Markdown articles of about 3 KB (Hugo-style front
// matter, 20 tags and 5 categories spread over them) into a folder.
func corpus(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	para := strings.Repeat("The council met on Monday and voted, after a long debate, to build forty kilometres of protected lanes. ", 6)
	t0 := time.Date(2021, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		text := fmt.Sprintf("---\ntitle: \"Story %d\"\ndate: %s\ntags: [tag-%d, tag-%d]\ncategories: [cat-%d]\nauthor: Author %d\nlang: en\n---\n\n%s\n\n%s [link](/x/%d) **bold**.\n\n%s\n",
			i, t0.Add(time.Duration(i)*time.Hour).Format(time.RFC3339), i%20, (i+7)%20, i%5, i%10, para, para, i, para)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("story-%05d.md", i)), []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

func newBenchPipeline(b *testing.B, out string) *pipeline.Pipeline {
	cfg, err := config.Parse("pressroom.yaml", []byte("site:\n  title: Bench\n  base_url: https://news.example.org/\nfeeds:\n  limit: 50\n"))
	if err != nil {
		b.Fatal(err)
	}
	ix, err := bolt.Open(filepath.Join(out, ".pressroom", "index.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ix.Close() })
	st, err := store.NewFolder(out)
	if err != nil {
		b.Fatal(err)
	}
	return &pipeline.Pipeline{Parse: article.Parse, Index: ix, Store: st, Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// BenchmarkBuild is a full build of a generated corpus into an empty
// folder: parse, index (bbolt), render and write every feed.
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{1000} {
		b.Run(fmt.Sprintf("articles=%d", n), func(b *testing.B) {
			src := corpus(b, n)
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				out := b.TempDir()
				p := newBenchPipeline(b, out)
				b.StartTimer()
				if _, _, err := p.Build(context.Background(), src, false, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBuildOneAdded adds one article to a built corpus and builds:
// the incremental case.
func BenchmarkBuildOneAdded(b *testing.B) {
	src := corpus(b, 1000)
	out := b.TempDir()
	p := newBenchPipeline(b, out)
	if _, _, err := p.Build(context.Background(), src, false, nil); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		text := fmt.Sprintf("---\ntitle: \"Added %d\"\ndate: 2030-01-01T00:00:%02dZ\ntags: [tag-1]\n---\n\nNew text.\n", i, i%60)
		b.StopTimer()
		os.WriteFile(filepath.Join(src, fmt.Sprintf("added-%d.md", i)), []byte(text), 0o644)
		b.StartTimer()
		if _, _, err := p.Build(context.Background(), src, false, nil); err != nil {
			b.Fatal(err)
		}
	}
}
