package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/config"
	"github.com/pressroom/pressroom/internal/feedcheck"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/index/bolt"
	"github.com/pressroom/pressroom/internal/pipeline"
	"github.com/pressroom/pressroom/internal/store"
)

// errKilled stands for the process dying at that point: the failing call
// does nothing, and nothing after it runs.
var errKilled = errors.New("killed")

// faults fails the at-th write of a run, counting writes to the index and
// to the store.
type faults struct {
	mu    sync.Mutex
	n, at int
}

func (f *faults) hit() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	if f.n == f.at {
		return errKilled
	}
	return nil
}

type faultyStore struct {
	store.Store
	f *faults
}

func (s faultyStore) Put(ctx context.Context, key string, body []byte, opts store.PutOptions) error {
	if err := s.f.hit(); err != nil {
		return err
	}
	return s.Store.Put(ctx, key, body, opts)
}

func (s faultyStore) Delete(ctx context.Context, key string) error {
	if err := s.f.hit(); err != nil {
		return err
	}
	return s.Store.Delete(ctx, key)
}

// faultyIndex fails writes; a Batch of a transactional index rolls back,
// as a killed process's open transaction does.
type faultyIndex struct {
	index.Index
	f *faults
}

func (x faultyIndex) Batch(ctx context.Context, fn func(index.Index) error) error {
	return index.Batch(ctx, x.Index, func(ix index.Index) error { return fn(faultyIndex{ix, x.f}) })
}

func (x faultyIndex) Put(ctx context.Context, s index.Source) (index.Change, error) {
	if err := x.f.hit(); err != nil {
		return index.Change{}, err
	}
	return x.Index.Put(ctx, s)
}

func (x faultyIndex) Reject(ctx context.Context, s index.Source) error {
	if err := x.f.hit(); err != nil {
		return err
	}
	return x.Index.Reject(ctx, s)
}

func (x faultyIndex) Delete(ctx context.Context, k, v string, at time.Time) (index.Change, error) {
	if err := x.f.hit(); err != nil {
		return index.Change{}, err
	}
	return x.Index.Delete(ctx, k, v, at)
}

func (x faultyIndex) MarkPending(ctx context.Context, w index.Work, all bool) error {
	if err := x.f.hit(); err != nil {
		return err
	}
	return x.Index.MarkPending(ctx, w, all)
}

func (x faultyIndex) Published(ctx context.Context, p index.Pending, state map[string]string) error {
	if err := x.f.hit(); err != nil {
		return err
	}
	return x.Index.Published(ctx, p, state)
}

func (x faultyIndex) SetOutputHash(ctx context.Context, path, hash string) error {
	if err := x.f.hit(); err != nil {
		return err
	}
	return x.Index.SetOutputHash(ctx, path, hash)
}

func (x faultyIndex) Purged(ctx context.Context, paths []string) error {
	if err := x.f.hit(); err != nil {
		return err
	}
	return x.Index.Purged(ctx, paths)
}

func (x faultyIndex) SetState(ctx context.Context, name, value string) error {
	if err := x.f.hit(); err != nil {
		return err
	}
	return x.Index.SetState(ctx, name, value)
}

// purges records every path the CDN was asked to purge.
type purges struct {
	mu    sync.Mutex
	paths map[string]bool
	f     *faults
}

func (c *purges) Invalidate(_ context.Context, _ string, paths []string) error {
	if c.f != nil {
		if err := c.f.hit(); err != nil {
			return err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range paths {
		c.paths[p] = true
	}
	return nil
}

// killSite is a folder of articles before and after an editor's session:
// titles changed, files deleted and added, a rejected upload, a rename.
func killSite(t *testing.T, dir string, after bool) {
	t.Helper()
	os.RemoveAll(dir)
	os.MkdirAll(dir, 0o755)
	t0 := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC)
	write := func(name, text string, mtime time.Time) {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o644)
		os.Chtimes(p, mtime, mtime)
	}
	for i := 0; i < 12; i++ {
		if after && i%4 == 1 {
			continue // deleted
		}
		title, mtime := fmt.Sprintf("Story %d", i), t0
		if after && i%3 == 0 {
			title, mtime = fmt.Sprintf("Story %d, edited", i), t0.Add(time.Hour)
		}
		write(fmt.Sprintf("s%02d.md", i), md(title, fmt.Sprintf("2021-05-%02d", i+1), fmt.Sprintf("tags: [t%d, common]", i%4), fmt.Sprintf("categories: [c%d]", i%3)), mtime)
	}
	if after {
		for i := 12; i < 16; i++ {
			write(fmt.Sprintf("s%02d.md", i), md(fmt.Sprintf("New %d", i), fmt.Sprintf("2021-05-%02d", i+1), fmt.Sprintf("tags: [t%d, fresh]", i%4)), t0.Add(2*time.Hour))
		}
		write("s02.md", "---\ntitle: Broken\ndate: someday\n---\n\nx\n", t0.Add(3*time.Hour))
		// s05 renamed: the new name sorts before the old one.
		write("a-renamed.md", md("Story 5", "2021-05-06", "slug: s05", "tags: [t1, common]", "categories: [c2]"), t0)
	}
}

// outputs reads every published file of a store.
func outputs(t *testing.T, st store.Store) map[string]string {
	t.Helper()
	ctx := context.Background()
	list, err := st.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, o := range list {
		obj, err := st.Get(ctx, o.Key, store.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out[o.Key] = string(obj.Body)
	}
	return out
}

func killConfig(t *testing.T) config.Config {
	cfg, err := config.Parse("pressroom.yaml", []byte(siteConfig))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestKillPointsConverge: a build of an edited site dies at every write in
// turn (of the index or of the out folder); the next build must publish
// exactly what the same build never killed publishes, and the CDN must
// have been asked to purge every file that changed. (Not a build from
// scratch: archive pages keep the order articles joined their feeds.) Run on the transactional local
// index (a killed transaction rolls back) and on the memory index, whose
// writes land one by one as DynamoDB's do.
func TestKillPointsConverge(t *testing.T) {
	for _, adapter := range []string{"bolt", "memory"} {
		t.Run(adapter, func(t *testing.T) {
			ctx := context.Background()
			src := filepath.Join(t.TempDir(), "articles")
			now := time.Date(2021, 6, 1, 12, 0, 0, 0, time.UTC)
			newPipeline := func(ix index.Index, st store.Store, cdn *purges) *pipeline.Pipeline {
				return &pipeline.Pipeline{Parse: article.Parse, Index: ix, Store: st, CDN: cdn, Config: killConfig(t), Now: func() time.Time { return now },
					Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			}
			// The site before: built once, and copied for every kill point.
			open := func(dir string) (index.Index, store.Store) {
				if adapter == "memory" {
					return index.NewMemory(), store.NewMemory()
				}
				ix, err := bolt.Open(filepath.Join(dir, ".pressroom", "index.db"))
				if err != nil {
					t.Fatal(err)
				}
				st, _ := store.NewFolder(dir)
				return ix, st
			}
			before := func(dir string) (index.Index, store.Store) {
				ix, st := open(dir)
				killSite(t, src, false)
				if _, _, err := newPipeline(ix, st, &purges{paths: map[string]bool{}}).Build(ctx, src, false, nil); err != nil {
					t.Fatal(err)
				}
				return ix, st
			}
			// What the same build publishes when nothing dies.
			ix, st := before(t.TempDir())
			killSite(t, src, true)
			if _, _, err := newPipeline(ix, st, &purges{paths: map[string]bool{}}).Build(ctx, src, false, nil); err != nil {
				t.Fatal(err)
			}
			want := outputs(t, st)
			ix.Close()
			if len(want) < 20 || !strings.Contains(want["feed.json"], "New 15") {
				t.Fatalf("the reference build published %d files", len(want))
			}
			if !strings.Contains(want["archive/1/feed.json"], "New 15") {
				t.Fatalf("the reference build has no archive page holding New 15")
			}

			points := 0
			for at := 1; ; at++ {
				ix, st := before(t.TempDir())
				initial := outputs(t, st)
				killSite(t, src, true)
				f := &faults{at: at}
				cdn := &purges{paths: map[string]bool{}, f: f}
				_, _, err := newPipeline(faultyIndex{ix, f}, faultyStore{st, f}, cdn).Build(ctx, src, false, nil)
				if err == nil {
					ix.Close()
					break // no write left to die at
				}
				if !errors.Is(err, errKilled) {
					t.Fatalf("kill point %d: %v", at, err)
				}
				points++
				cdn.f = nil
				if _, _, err := newPipeline(ix, st, cdn).Build(ctx, src, false, nil); err != nil {
					t.Fatalf("the build after kill point %d: %v", at, err)
				}
				got := outputs(t, st)
				if !reflect.DeepEqual(got, want) {
					diff := feedcheck.DifferingFiles(got, want)
					t.Fatalf("after a kill at write %d and a new build, these files differ from the build never killed: %v", at, diff)
				}
				for k, body := range got {
					if initial[k] != body && !cdn.paths[k] {
						t.Errorf("kill point %d: %s changed and was never purged", at, k)
					}
				}
				for k := range initial {
					if _, ok := got[k]; !ok && !cdn.paths[k] {
						t.Errorf("kill point %d: %s was deleted and never purged", at, k)
					}
				}
				ix.Close()
			}
			if points < 50 {
				t.Errorf("only %d kill points tried", points)
			}
			t.Logf("%d kill points, each followed by a build equal to a build from scratch", points)
		})
	}
}

func (x faultyIndex) SetOutputHashes(ctx context.Context, hashes map[string]string) error {
	if err := x.f.hit(); err != nil {
		return err
	}
	return x.Index.SetOutputHashes(ctx, hashes)
}

// TestSyncDiesInAnyBatch: a first build of a site larger than one index
// batch (Sync records a batch while it parses the next) dies at a write in
// the first, a middle and the last batch; the error comes back (no hang,
// no write after it), and the next build publishes what a build never
// killed publishes.
func TestSyncDiesInAnyBatch(t *testing.T) {
	const files = 2*1024 + 40 // three batches
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "articles")
	os.MkdirAll(src, 0o755)
	for i := range files {
		name := filepath.Join(src, fmt.Sprintf("s%04d.md", i))
		body := md(fmt.Sprintf("Story %d", i), fmt.Sprintf("2021-05-%02d", i%28+1), fmt.Sprintf("tags: [t%d]", i%7))
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2021, 6, 1, 12, 0, 0, 0, time.UTC)
	build := func(ix index.Index, st store.Store) error {
		p := &pipeline.Pipeline{Parse: article.Parse, Index: ix, Store: st, CDN: &purges{paths: map[string]bool{}}, Config: killConfig(t),
			Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		_, _, err := p.Build(ctx, src, false, nil)
		return err
	}
	open := func() (index.Index, store.Store) {
		dir := t.TempDir()
		ix, err := bolt.Open(filepath.Join(dir, ".pressroom", "index.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		st, _ := store.NewFolder(dir)
		return ix, st
	}
	ix, st := open()
	if err := build(ix, st); err != nil {
		t.Fatal(err)
	}
	want := outputs(t, st)
	for _, at := range []int{3, 1024 + 500, files} { // the index's Puts: one per file
		ix, st := open()
		f := &faults{at: at}
		if err := build(faultyIndex{ix, f}, st); !errors.Is(err, errKilled) {
			t.Fatalf("killed at Put %d: the build returned %v", at, err)
		}
		if f.n != at {
			t.Errorf("killed at Put %d: %d writes were tried, none should follow the failed one", at, f.n)
		}
		if err := build(ix, st); err != nil {
			t.Fatalf("the build after a kill at Put %d: %v", at, err)
		}
		if got := outputs(t, st); !reflect.DeepEqual(got, want) {
			t.Fatalf("after a kill at Put %d, these files differ from the build never killed: %v", at, feedcheck.DifferingFiles(got, want))
		}
	}
}

// TestUnstorableDateRejectsOnlyItsFile: an article whose date the index
// cannot write (an offset of +25:00, which a parser once let through from
// "+24:00" or "GMT+30") stopped every build after it with "index: encode
// article ...: Time.MarshalJSON: timezone hour outside of range". It is now
// that file's rejection, naming its date; the other files are published.
func TestUnstorableDateRejectsOnlyItsFile(t *testing.T) {
	src := filepath.Join(t.TempDir(), "articles")
	os.MkdirAll(src, 0o755)
	for _, name := range []string{"a.md", "bad.md", "c.md"} {
		body := md("Story "+name, "2021-05-02", "tags: [t]")
		if err := os.WriteFile(filepath.Join(src, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	parse := func(name string, data []byte, opts article.Options) (article.Article, error) {
		a, err := article.Parse(name, data, opts)
		if strings.HasSuffix(name, "bad.md") {
			a.Published = a.Published.In(time.FixedZone("", 25*3600))
		}
		return a, err
	}
	dir := t.TempDir()
	ix, err := bolt.Open(filepath.Join(dir, ".pressroom", "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	st, _ := store.NewFolder(dir)
	p := &pipeline.Pipeline{Parse: parse, Index: ix, Store: st, Config: killConfig(t),
		Now: func() time.Time { return time.Date(2021, 6, 1, 12, 0, 0, 0, time.UTC) }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	srep, _, err := p.Build(context.Background(), src, false, nil)
	if err != nil {
		t.Fatalf("the build stopped: %v", err)
	}
	if srep.Published != 2 || len(srep.Rejections) != 1 || srep.Rejections[0].Key != "bad.md" ||
		srep.Rejections[0].Problems[0].Field != "date" {
		t.Fatalf("published %d, rejected %+v", srep.Published, srep.Rejections)
	}
	feedJSON := outputs(t, st)["feed.json"]
	if !strings.Contains(feedJSON, "Story a.md") || !strings.Contains(feedJSON, "Story c.md") || strings.Contains(feedJSON, "Story bad.md") {
		t.Errorf("the site feed: %s", feedJSON)
	}
}
