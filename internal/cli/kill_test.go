package cli

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	article "github.com/pressroom/pressroom/internal/article/model"
	"github.com/pressroom/pressroom/internal/feedcheck"
)

// TestKilledBuildConverges is the operator's scenario: a built site of
// 2,000 articles; 300 titles changed, 100 files deleted, 200 added; the
// build is killed with SIGKILL part way, twice; the next build must
// publish exactly what the same build, never killed, publishes (before,
// the feeds to publish lived only in memory and a killed build left stale
// feeds for good). Archive pages keep the order articles joined their
// feeds, so the reference is the same site built the same way, not a
// build from scratch; the live feeds must still equal a build from
// scratch but for their archive links.
func TestKilledBuildConverges(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 2,000-article site four times")
	}
	if raceDetector {
		t.Skip("make unit runs it without -race: its builds are subprocesses built without the detector, which would only slow the comparison of their files tenfold")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "pressroom")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/pressroom").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	src, out := filepath.Join(dir, "articles"), filepath.Join(dir, "public")
	os.MkdirAll(src, 0o755)
	para := strings.Repeat("The council met on Monday and voted, after a long debate, to build forty kilometres of protected lanes. ", 4)
	t0 := time.Date(2020, 1, 1, 8, 0, 0, 0, time.UTC)
	write := func(i int, title string, mtime time.Time) {
		text := fmt.Sprintf("---\ntitle: %q\ndate: %s\ntags: [\"tag-%d\", \"tag-%d\"]\ncategories: [\"cat-%d\"]\nauthor: \"Author %d\"\n---\n\n%s\n\n%s\n",
			title, t0.Add(time.Duration(i)*time.Hour).Format(time.RFC3339), i%50, (i+17)%50, i%8, i%40, para, para)
		p := filepath.Join(src, fmt.Sprintf("story-%05d.md", i))
		os.WriteFile(p, []byte(text), 0o644)
		os.Chtimes(p, mtime, mtime)
	}
	for i := 0; i < 2000; i++ {
		write(i, fmt.Sprintf("Story %d", i), t0)
	}
	build := func(outDir string) string {
		cmd := exec.Command(bin, "build", "--src", src, "--out", outDir)
		var stdout bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stdout
		if err := cmd.Run(); err != nil {
			t.Fatalf("build: %v\n%s", err, stdout.String())
		}
		return stdout.String()
	}
	build(out)

	// The editors' session.
	t1 := t0.Add(time.Hour)
	for i := 0; i < 300; i++ {
		write(i*6, fmt.Sprintf("Story %d, updated", i*6), t1)
	}
	for i := 0; i < 100; i++ {
		os.Remove(filepath.Join(src, fmt.Sprintf("story-%05d.md", i*7+1)))
	}
	for i := 2000; i < 2200; i++ {
		write(i, fmt.Sprintf("Story %d", i), t1)
	}
	// The reference: a copy of the site, built once without a kill.
	ref := filepath.Join(dir, "reference")
	if out, err := exec.Command("cp", "-a", out, ref).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	build(ref)
	// Killed twice, at different points.
	for _, after := range []time.Duration{350 * time.Millisecond, 150 * time.Millisecond} {
		cmd := exec.Command(bin, "build", "--src", src, "--out", out)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after)
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		t.Logf("killed after %s: %v", after, err)
	}
	summary := build(out)
	got, want := tree(t, out), tree(t, ref)
	if len(want) < 100 {
		t.Fatalf("the fresh build wrote %d files", len(want))
	}
	// Deletions are dated when a build notices them: the builds ran at
	// different moments.
	for _, m := range []map[string]string{got, want} {
		for k, body := range m {
			m[k] = feedcheck.WithoutDeletionTimes(body)
		}
	}
	if !reflect.DeepEqual(got, want) {
		diff := feedcheck.DifferingFiles(got, want)
		if len(diff) > 10 {
			diff = append(diff[:10], "...")
		}
		t.Errorf("after two killed builds, the build (%s) left %s differing from the build never killed", strings.TrimSpace(summary), diff)
	}
	fresh := filepath.Join(dir, "fresh")
	build(fresh)
	for k, body := range tree(t, fresh) {
		if !strings.Contains(k, "archive") && feedcheck.HistoryFree(got[k]) != feedcheck.HistoryFree(body) {
			t.Errorf("%s differs from a build from scratch beyond its history (archive links, deletions, update dates)", k)
		}
	}
	// And nothing is left to do.
	if s := build(out); !strings.Contains(s, " 0 feed files written") {
		t.Errorf("a further build still wrote: %s", s)
	}
}

// tree reads every published file under dir (hidden ones, the index and
// temporary files, excluded).
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if article.Hidden(d.Name()) && p != dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			data, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			out[rel] = string(data)
		}
		return nil
	})
	return out
}

// TestStaleTemporariesAreSwept: temporaries a killed build left in the out
// folder are removed by the next one.
func TestStaleTemporariesAreSwept(t *testing.T) {
	dir := t.TempDir()
	src, out := filepath.Join(dir, "articles"), filepath.Join(dir, "public")
	os.MkdirAll(src, 0o755)
	os.WriteFile(filepath.Join(src, "a.md"), []byte("---\ntitle: A\ndate: 2021-01-01\ntags: [x]\n---\n\nText.\n"), 0o644)
	if code, out, errOut := run(t, "build", "--src", src, "--out", out); code != ExitOK {
		t.Fatalf("build: %d %s %s", code, out, errOut)
	}
	left := []string{filepath.Join(out, ".tmp-123456"), filepath.Join(out, "tags", "x", ".tmp-987654")}
	for _, p := range left {
		os.WriteFile(p, []byte("half a feed"), 0o644)
	}
	// The next build after a finished one does not look for them: the
	// build that leaves temporaries is a killed one, which leaves no
	// clean mark.
	run(t, "build", "--src", src, "--out", out)
	if _, err := os.Stat(left[0]); err != nil {
		t.Errorf("swept after a build that finished: %v", err)
	}
	os.Remove(filepath.Join(out, ".pressroom", "clean"))
	run(t, "build", "--src", src, "--out", out)
	for _, p := range left {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left behind: %v", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, ".pressroom", "index.db")); err != nil {
		t.Errorf("the index went with the temporaries: %v", err)
	}
}
