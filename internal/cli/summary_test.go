package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/pipeline"
)

// listed counts the lines each command lists, by the kind they start with.
func listed(out string) map[string]int {
	n := map[string]int{}
	for _, line := range strings.Split(out, "\n") {
		kind, _, _ := strings.Cut(line, " ")
		switch kind {
		case kindPublished, kindDraft, kindScheduled, kindExpired, kindRejected, kindRemoved, kindRenamed:
			n[kind]++
		}
	}
	return n
}

var countRE = regexp.MustCompile(`(\d+) (published|drafts?|scheduled|expired|rejected|unchanged|removed|renamed)\b`)

// summary reads the counts of a summary line, and the "(n new)" of its
// rejections (-1 when absent).
func summary(t *testing.T, line string) (map[string]int, int) {
	t.Helper()
	n := map[string]int{}
	for _, m := range countRE.FindAllStringSubmatch(line, -1) {
		v, _ := strconv.Atoi(m[1])
		word := m[2]
		switch word {
		case "draft", "drafts":
			if (v == 1) != (word == "draft") {
				t.Errorf("%q: wrong plural %q", line, m[0])
			}
			word = kindDraft
		case "rejected":
			word = kindRejected
		}
		n[word] = v
	}
	newCount := -1
	if m := regexp.MustCompile(`rejected \((\d+) new\)`).FindStringSubmatch(line); m != nil {
		newCount, _ = strconv.Atoi(m[1])
	}
	return n, newCount
}

// sameCounts checks that each kind the summary counts is listed as many
// times (published only where the command lists them), and returns the
// counts.
func sameCounts(t *testing.T, what, out, summaryLine string, withPublished bool) map[string]int {
	t.Helper()
	counts, _ := summary(t, summaryLine)
	lines := listed(out)
	for _, kind := range []string{kindDraft, kindScheduled, kindExpired, kindRejected, kindRemoved, kindRenamed, kindPublished} {
		if kind == kindPublished && !withPublished {
			continue
		}
		if counts[kind] != lines[kind] {
			t.Errorf("%s: the summary counts %d %s, %d are listed:\n%s", what, counts[kind], kind, lines[kind], out)
		}
	}
	return counts
}

func eqCounts(t *testing.T, what string, got map[string]int, want map[string]int) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %d %s, want %d (all: %v)", what, got[k], k, v, got)
		}
	}
}

// TestCountsMatchTheLines: build, status and check count every file once,
// with the same words, each count equal to the lines of its kind they
// list, and one exit rule: 1 when any file is rejected.
func TestCountsMatchTheLines(t *testing.T) {
	dir := t.TempDir()
	src, out := filepath.Join(dir, "articles"), filepath.Join(dir, "public")
	os.MkdirAll(src, 0o755)
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(src, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	md := func(title, extra string) string {
		return "---\ntitle: " + title + "\ndate: 2021-01-01T10:00:00Z\n" + extra + "---\n\nText of the story.\n"
	}
	later := time.Now().AddDate(1, 0, 0).UTC().Format(time.RFC3339)
	write("a.md", md("A", ""))
	write("b.md", md("B", ""))
	write("draft.md", md("Draft", "draft: true\n"))
	write("later.md", "---\ntitle: Later\ndate: "+later+"\n---\n\nText.\n")
	write("old-bad.md", "---\ntitle: Old bad\ndate: someday\n---\n\nText.\n")

	build := func() (int, string, map[string]int, int) {
		t.Helper()
		code, stdout, stderr := run(t, "build", "--src", src, "--out", out)
		if strings.Contains(stderr, "error") || strings.Contains(stderr, "panic") {
			t.Fatalf("build: %s", stderr)
		}
		first, _, _ := strings.Cut(stdout, "\n")
		counts := sameCounts(t, "build", stdout, first, false)
		_, newCount := summary(t, first)
		return code, stdout, counts, newCount
	}
	code, stdout, counts, newCount := build()
	eqCounts(t, "first build", counts, map[string]int{kindPublished: 2, kindDraft: 1, kindScheduled: 1, kindRejected: 1, "unchanged": 0})
	if code != ExitRejected || newCount != 1 || !strings.HasPrefix(stdout, "2 published, 1 draft, 1 scheduled, 1 rejected (1 new), ") {
		t.Errorf("first build: exit %d:\n%s", code, stdout)
	}
	if !strings.Contains(stdout, "REJECTED  old-bad.md (nothing is published from this file)") {
		t.Errorf("a file never published is said to keep a version:\n%s", stdout)
	}

	// A new rejection, a published file broken, a new article; the old
	// rejection is unchanged but still listed and counted.
	write("new-bad.md", "---\ntitle: New bad\ndate: never\n---\n\nText.\n")
	write("b.md", "---\ntitle: B\ndate: never\n---\n\nText.\n")
	write("c.md", md("C", ""))
	code, stdout, counts, newCount = build()
	eqCounts(t, "second build", counts, map[string]int{kindPublished: 1, kindDraft: 0, kindScheduled: 0, kindRejected: 3, "unchanged": 3})
	if code != ExitRejected || newCount != 2 {
		t.Errorf("second build: exit %d, %d new:\n%s", code, newCount, stdout)
	}
	for _, want := range []string{"REJECTED  b.md (the last good version stays published)", "REJECTED  new-bad.md (nothing is published from this file)", "REJECTED  old-bad.md (nothing is published from this file)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("second build lacks %q:\n%s", want, stdout)
		}
	}

	// status: the whole index, every file once.
	code, stdout, _ = run(t, "status", "--out", out)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	counts = sameCounts(t, "status", stdout, lines[len(lines)-1], false)
	eqCounts(t, "status", counts, map[string]int{kindPublished: 2, kindDraft: 1, kindScheduled: 1, kindRejected: 3})
	if code != ExitRejected || lines[len(lines)-1] != "2 published, 1 draft, 1 scheduled, 3 rejected" {
		t.Errorf("status: exit %d:\n%s", code, stdout)
	}
	if !strings.Contains(stdout, `keeps "B" published`) {
		t.Errorf("status does not say what b.md keeps:\n%s", stdout)
	}

	// check: every file listed, published ones too.
	code, stdout, _ = run(t, "check", src)
	lines = strings.Split(strings.TrimSpace(stdout), "\n")
	counts = sameCounts(t, "check", stdout, lines[len(lines)-1], true)
	eqCounts(t, "check", counts, map[string]int{kindPublished: 2, kindDraft: 1, kindScheduled: 1, kindRejected: 3})
	if code != ExitRejected || lines[len(lines)-1] != "7 files checked: 2 published, 1 draft, 1 scheduled, 3 rejected" {
		t.Errorf("check: exit %d:\n%s", code, stdout)
	}

	// Fixed: every command exits 0. a.md renamed: listed once, as such.
	for _, name := range []string{"b.md", "old-bad.md", "new-bad.md"} {
		os.Remove(filepath.Join(src, name))
	}
	if err := os.Rename(filepath.Join(src, "a.md"), filepath.Join(src, "a-renamed.md")); err != nil {
		t.Fatal(err)
	}
	code, stdout, counts, _ = build()
	eqCounts(t, "third build", counts, map[string]int{kindPublished: 1, kindRejected: 0, kindRemoved: 3, kindRenamed: 1, "unchanged": 3})
	if !strings.Contains(stdout, "renamed   a.md -> a-renamed.md\n") || strings.Contains(stdout, "removed   a.md") {
		t.Errorf("third build: the rename is not listed as one:\n%s", stdout)
	}
	if code != ExitOK {
		t.Errorf("third build: exit %d:\n%s", code, stdout)
	}
	if code, stdout, _ = run(t, "status", "--out", out); code != ExitOK {
		t.Errorf("status: exit %d:\n%s", code, stdout)
	}
	if code, stdout, _ = run(t, "check", src); code != ExitOK {
		t.Errorf("check: exit %d:\n%s", code, stdout)
	}
}

func TestTallyWords(t *testing.T) {
	for _, c := range []struct {
		t    tally
		want string
	}{
		{tally{}, "0 published, 0 rejected"},
		{tally{published: 7, drafts: 1, scheduled: 1, rejected: 3, newRejected: 1, unchanged: 15, showNew: true}, "7 published, 1 draft, 1 scheduled, 3 rejected (1 new), 15 unchanged"},
		{tally{drafts: 2, expired: 1, removed: 2, showNew: true}, "0 published, 2 drafts, 1 expired, 0 rejected, 2 removed"},
	} {
		if got := c.t.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.t, got, c.want)
		}
	}
}

// TestRenamedLineReadsOneWay: a renamed line's names are quoted when they
// hold the arrow between them (or a control character, as every line's).
func TestRenamedLineReadsOneWay(t *testing.T) {
	var out strings.Builder
	srep := pipeline.SyncReport{Renamed: []pipeline.Rename{
		{From: "x -> y.md", To: "z.md"},
		{From: "a.md", To: "b -> c.md"},
		{From: "plain.md", To: "new\nREJECTED  forged.md"},
		{From: "old.md", To: "new.md"},
	}}
	printBuild(&out, srep, pipeline.Report{}, time.UTC, 0)
	for _, want := range []string{
		"renamed   \"x -> y.md\" -> z.md\n",
		"renamed   a.md -> \"b -> c.md\"\n",
		"renamed   plain.md -> \"new\\nREJECTED  forged.md\"\n",
		"renamed   old.md -> new.md\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "\nREJECTED") {
		t.Errorf("a file name forged a line:\n%s", out.String())
	}
}

// TestOutInsideSrcIsRefused: feeds written inside the articles folder
// would be read back as articles at the next build (index.html published,
// every feed.json rejected): build and serve refuse such an out folder,
// through a symbolic link too, and nothing is written.
func TestOutInsideSrcIsRefused(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "articles")
	os.MkdirAll(src, 0o755)
	os.WriteFile(filepath.Join(src, "a.md"), []byte("---\ntitle: A\ndate: 2021-01-01T10:00:00Z\n---\n\nText.\n"), 0o644)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(src, link); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"build", "--src", src, "--out", filepath.Join(src, "public")},
		{"build", "--src", src, "--out", src},
		{"build", "--src", link, "--out", filepath.Join(src, "public")},
		{"build", "--src", src, "--out", filepath.Join(link, "deep", "public")},
		{"serve", "--src", src, "--out", filepath.Join(src, "public"), "--addr", "127.0.0.1:0"},
	} {
		code, _, stderr := run(t, args...)
		if code != ExitUsage || !strings.Contains(stderr, "inside --src") {
			t.Errorf("%q: exit %d, %s", args, code, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(src, "public")); !os.IsNotExist(err) {
		t.Errorf("a refused build wrote its out folder (%v)", err)
	}
	if code, _, stderr := run(t, "build", "--src", src, "--out", filepath.Join(dir, "public")); code != ExitOK {
		t.Errorf("a sibling out folder: exit %d, %s", code, stderr)
	}
}
