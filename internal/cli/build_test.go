package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/feed"
	"github.com/pressroom/pressroom/internal/feedcheck"
)

// exampleSite copies examples/site to a temporary folder.
func exampleSite(t *testing.T) (dir, src, out, cfg string) {
	t.Helper()
	dir = t.TempDir()
	filepath.Walk("../../examples/site", func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("../../examples/site", p)
		if fi.IsDir() && rel == "public" {
			return filepath.SkipDir // what `make run` leaves behind
		}
		if fi.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		data, _ := os.ReadFile(p)
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	return dir, filepath.Join(dir, "articles"), filepath.Join(dir, "public"), filepath.Join(dir, "pressroom.yaml")
}

func snapshot(t *testing.T, out string) map[string]string {
	files := map[string]string{}
	filepath.Walk(out, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && !strings.Contains(p, ".pressroom") {
			data, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(out, p)
			files[rel] = string(data)
		}
		return nil
	})
	return files
}

func jsonTitles(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var doc struct{ Items []struct{ Title string } }
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range doc.Items {
		out = append(out, it.Title)
	}
	return out
}

func TestBuildExamplesAndRebuild(t *testing.T) {
	_, src, out, cfg := exampleSite(t)
	code, stdout, stderr := run(t, "build", "--src", src, "--out", out, "--config", cfg)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !regexp.MustCompile(`^7 published, 1 draft, 1 scheduled, 0 rejected, \d+ feed files written`).MatchString(stdout) {
		t.Errorf("summary %q", stdout)
	}
	feeds := feedcheck.Dir(t, out)
	site := feeds["feed.xml"]
	// Nine articles: one draft and one scheduled stay out.
	if len(site.Items) != 7 {
		t.Errorf("site feed has %d items, want 7", len(site.Items))
	}
	for _, path := range []string{"languages/ar/feed.xml", "languages/fr/atom.xml", "tags/الرباط/feed.json", "categories/economy/feed.xml", "authors/claire-martin/atom.xml"} {
		if _, ok := feeds[path]; !ok {
			t.Errorf("no %s among %v", path, feedcheck.Keys(feeds))
		}
	}
	first := snapshot(t, out)

	// Rebuild: nothing written, the same bytes.
	code, stdout, _ = run(t, "build", "--src", src, "--out", out, "--config", cfg)
	if code != ExitOK || !strings.HasPrefix(stdout, "0 published, 0 rejected, 9 unchanged, 0 feed files written") {
		t.Errorf("rebuild: exit %d, %q", code, stdout)
	}
	// A forced rebuild from scratch gives byte-identical output.
	code, _, _ = run(t, "build", "--src", src, "--out", out, "--config", cfg, "--force")
	if code != ExitOK {
		t.Fatal("forced rebuild failed")
	}
	second := snapshot(t, out)
	if len(first) == 0 || len(first) != len(second) {
		t.Fatalf("%d files, then %d", len(first), len(second))
	}
	for k, v := range first {
		if second[k] != v {
			t.Errorf("%s differs after a rebuild", k)
		}
	}
}

func TestBuildBrokenUploadAndDelete(t *testing.T) {
	_, src, out, cfg := exampleSite(t)
	run(t, "build", "--src", src, "--out", out, "--config", cfg)
	title := "Grève des transports : le trafic sera très perturbé jeudi"
	if got := jsonTitles(t, filepath.Join(out, "languages", "fr", "feed.json")); !contains(got, title) {
		t.Fatalf("french feed %q", got)
	}
	// Re-upload a broken version of a published article.
	os.WriteFile(filepath.Join(src, "greve-transports.txt"), []byte("\x00\x01binary junk"), 0o644)
	code, stdout, _ := run(t, "build", "--src", src, "--out", out, "--config", cfg)
	if code != ExitRejected || !strings.Contains(stdout, "REJECTED  greve-transports.txt") || !strings.Contains(stdout, "encoding") {
		t.Errorf("exit %d:\n%s", code, stdout)
	}
	if got := jsonTitles(t, filepath.Join(out, "languages", "fr", "feed.json")); !contains(got, title) {
		t.Errorf("the last good version left the feed: %q", got)
	}
	code, stdout, _ = run(t, "status", "--out", out, "--config", cfg)
	if code != ExitRejected || !strings.Contains(stdout, "greve-transports.txt") || !strings.Contains(stdout, "keeps \""+title+"\" published") ||
		!strings.Contains(stdout, "year-in-review.md") {
		t.Errorf("status:\n%s", stdout)
	}
	// Delete one: it leaves every feed.
	os.Remove(filepath.Join(src, "greve-transports.txt"))
	os.Remove(filepath.Join(src, "heatwave-warning.txt"))
	code, stdout, _ = run(t, "build", "--src", src, "--out", out, "--config", cfg)
	if code != ExitOK || !strings.Contains(stdout, "2 removed") {
		t.Errorf("exit %d: %s", code, stdout)
	}
	for _, f := range []string{"feed.json", "languages/fr/feed.json"} {
		if got := jsonTitles(t, filepath.Join(out, f)); contains(got, title) {
			t.Errorf("%s still lists the deleted article", f)
		}
	}
	// Its emptied tag feed lists nothing and announces the deletion.
	if got := jsonTitles(t, filepath.Join(out, "tags", "heatwave", "feed.json")); len(got) != 0 {
		t.Errorf("the deleted article's tag feed lists %q", got)
	}
	if data, err := os.ReadFile(filepath.Join(out, "tags", "heatwave", "atom.xml")); err != nil || !strings.Contains(string(data), "<at:deleted-entry ref=") {
		t.Errorf("the deleted article's tag feed does not announce it: %v", err)
	}
	feedcheck.Dir(t, out)
}

func TestBuildUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for name, args := range map[string][]string{
		"missing src": {"build", "--src", filepath.Join(dir, "nope"), "--out", dir},
		"bad flag":    {"build", "--frobnicate"},
		"extra arg":   {"build", "--src", dir, "--out", dir, "extra"},
		"no index":    {"status", "--out", filepath.Join(dir, "none")},
	} {
		if code, _, _ := run(t, args...); code != ExitUsage {
			t.Errorf("%s: exit %d, want %d", name, code, ExitUsage)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the serve goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// eventually polls cond until it holds or ten seconds pass: file watching
// is asynchronous. This bounds a wait; it measures nothing.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startServe runs `pressroom serve` on a free loopback port until the test
// ends, and returns its base URL and output.
func startServe(t *testing.T, src, out, cfg string) (string, *syncBuffer, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan int)
	args := []string{"serve", "--src", src, "--out", out, "--config", cfg, "--addr", "127.0.0.1:0"}
	go func() { done <- Main(ctx, args, stdout, stderr) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != ExitOK {
			t.Errorf("serve exit %d: %s", code, stderr.String())
		}
	})
	var base string
	re := regexp.MustCompile(`on (http://127\.0\.0\.1:\d+)/`)
	eventually(t, "serve starts", func() bool {
		m := re.FindStringSubmatch(stdout.String())
		if m != nil {
			base = m[1]
		}
		return m != nil
	})
	return base, stdout, stderr
}

func fetcher(base string) func(path string) (int, http.Header, string) {
	return func(path string) (int, http.Header, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			return 0, nil, ""
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(body)
	}
}

func TestServeWatchesAndServes(t *testing.T) {
	_, src, out, cfg := exampleSite(t)
	base, _, stderr := startServe(t, src, out, cfg)
	fetch := fetcher(base)
	code, hdr, body := fetch("/feed.json")
	if code != 200 || hdr.Get("Content-Type") != "application/feed+json; charset=utf-8" || !strings.Contains(body, "Tanger Med") {
		t.Fatalf("GET /feed.json: %d %v", code, hdr)
	}
	code, _, body = fetch("/")
	if code != 200 || !strings.Contains(body, `rel="alternate" type="application/rss+xml"`) {
		t.Errorf("GET /: %d", code)
	}

	// A burst of new files while it runs: all appear.
	for i, title := range []string{"Burst one", "Burst two", "Burst three"} {
		text := "---\ntitle: \"" + title + "\"\ndate: 2026-03-2" + string(rune('1'+i)) + "T10:00:00Z\nlang: en\n---\n\nText of the story.\n"
		os.WriteFile(filepath.Join(src, "burst-"+string(rune('a'+i))+".md"), []byte(text), 0o644)
	}
	eventually(t, "added files published", func() bool {
		_, _, body := fetch("/feed.json")
		return strings.Contains(body, "Burst one") && strings.Contains(body, "Burst two") && strings.Contains(body, "Burst three")
	})
	// In a new sub-folder too, which the watcher then watches. The folder's
	// first file is published by the build its creation starts, watched or
	// not; a file written after that build only by a watch on the folder.
	os.MkdirAll(filepath.Join(src, "world"), 0o755)
	os.WriteFile(filepath.Join(src, "world", "first.md"), []byte("---\ntitle: \"New folder's first story\"\ndate: 2026-03-24T10:00:00Z\n---\n\nText.\n"), 0o644)
	eventually(t, "file in a new folder published", func() bool {
		_, _, body := fetch("/feed.json")
		return strings.Contains(body, "New folder's first story")
	})
	os.WriteFile(filepath.Join(src, "world", "late.md"), []byte("---\ntitle: \"Sub-folder story\"\ndate: 2026-03-25T10:00:00Z\n---\n\nText.\n"), 0o644)
	eventually(t, "later file in the new folder published", func() bool {
		_, _, body := fetch("/feed.json")
		return strings.Contains(body, "Sub-folder story")
	})
	// Removed files leave.
	os.Remove(filepath.Join(src, "burst-b.md"))
	eventually(t, "removed file unpublished", func() bool {
		_, _, body := fetch("/feed.json")
		return !strings.Contains(body, "Burst two") && strings.Contains(body, "Burst one")
	})
	// A broken configuration is refused and the old one kept.
	os.WriteFile(cfg, []byte("site:\n  titel: oops\n"), 0o644)
	eventually(t, "bad config reported", func() bool { return strings.Contains(stderr.String(), "site.titel") })
	if code, _, _ := fetch("/feed.xml"); code != 200 {
		t.Errorf("feeds gone after a bad config: %d", code)
	}
}

// TestIndexPageInBrowser loads the served index page in headless Chromium
// (Debian's) and checks the DOM it builds: every feed listed, with its
// autodiscovery links, and every link answering 200.
func TestIndexPageInBrowser(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed (make test installs it)")
		}
		t.Skip("chromium is not installed (make test installs it)")
	}
	_, src, out, cfg := exampleSite(t)
	base, _, _ := startServe(t, src, out, cfg)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--v=0", "--dump-dom", base+"/")
	var dom, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &dom, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, errOut.String())
	}
	page := dom.String()
	// The page runs under its Content-Security-Policy: the browser must
	// have refused nothing (its own style is allowed by hash).
	if strings.Contains(errOut.String(), "Content Security Policy") {
		t.Errorf("the browser refused part of the page under its policy:\n%s", errOut.String())
	}
	links := regexp.MustCompile(`<link rel="alternate" type="(application/(?:rss\+xml|atom\+xml|feed\+json))" title="[^"]+" href="([^"]+)">`).FindAllStringSubmatch(page, -1)
	items := strings.Count(page, "<li>")
	if len(links) < 3*20 || len(links) != 3*items {
		t.Fatalf("the browser sees %d autodiscovery links for %d listed feeds", len(links), items)
	}
	fetch := fetcher(base)
	for _, l := range links {
		code, hdr, _ := fetch("/" + l[2])
		// RSS and Atom are served as application/xml (see feed.ContentType).
		if code != 200 || hdr.Get("Content-Type") != feed.ContentType(l[2]) {
			t.Errorf("%s: %d %s, want 200 %s", l[2], code, hdr.Get("Content-Type"), feed.ContentType(l[2]))
		}
	}
	for _, want := range []string{"Example Daily", "العربية", "الرباط", "feeds.opml"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// holdGC turns the collector off for the start of a build and gives the
// setting back after gcHoldFiles files or at the end, whichever is first.
func TestHoldGCGivesTheCollectorBack(t *testing.T) {
	prev := debug.SetGCPercent(150)
	defer debug.SetGCPercent(prev)
	g := holdGC()
	for range gcHoldFiles {
		g.update(0, 0)
	}
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Errorf("after %d calls: collector at %d, want off", gcHoldFiles, got)
	}
	g.update(0, 0)
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("after %d calls: collector at %d, want 150 back", gcHoldFiles+1, got)
	}
	g.release() // at the end of the build: already given back, not again
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("released twice: collector at %d", got)
	}
	g = holdGC()
	g.release()
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("released at the end: collector at %d, want 150", got)
	}
}

// holdGC bounds the memory while the collector is off (a soft limit of
// gcHoldLimit, or a lower one the process had), and gives the limit back.
func TestHoldGCBoundsMemory(t *testing.T) {
	for _, before := range []int64{math.MaxInt64, 100 << 20} {
		prev := debug.SetMemoryLimit(before)
		g := holdGC()
		if got := debug.SetMemoryLimit(-1); got != min(before, gcHoldLimit) {
			t.Errorf("limit %d before: %d while held, want %d", before, got, min(before, gcHoldLimit))
		}
		g.release()
		if got := debug.SetMemoryLimit(-1); got != before {
			t.Errorf("limit %d before: %d after, want it back", before, got)
		}
		debug.SetMemoryLimit(prev)
	}
}

// TestServeBuildsWhileAFileKeepsChanging: a file written on and on in the
// articles folder (a log, say) does not hold builds back: an article saved
// meanwhile is published while the writing goes on (maxSettle).
func TestServeBuildsWhileAFileKeepsChanging(t *testing.T) {
	_, src, out, cfg := exampleSite(t)
	base, _, _ := startServe(t, src, out, cfg)
	fetch := fetcher(base)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		f, err := os.Create(filepath.Join(src, "import.log"))
		if err != nil {
			return
		}
		defer f.Close()
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
				f.WriteString("a line of the import's log\n")
			}
		}
	}()
	defer func() { close(stop); <-done }()
	time.Sleep(500 * time.Millisecond) // the log is being written before the article comes
	os.WriteFile(filepath.Join(src, "during.md"), []byte("---\ntitle: \"Saved while the log grows\"\ndate: 2026-03-26T10:00:00Z\n---\n\nText.\n"), 0o644)
	eventually(t, "an article saved while a file keeps changing published", func() bool {
		_, _, body := fetch("/feed.json")
		return strings.Contains(body, "Saved while the log grows")
	})
}

// TestServeFollowsItsTree: serve keeps watching what the articles folder
// becomes. A folder moved within it (its watch dropped with its old name)
// has its later edits published; the whole folder deleted and made again
// (a sync tool, a checkout) is said to be gone, then watched and built
// once it is back. The configuration sits elsewhere, so that no watch of
// the articles' parent folder sees the tree come back.
func TestServeFollowsItsTree(t *testing.T) {
	dir, src, out, cfg := exampleSite(t)
	conf := filepath.Join(dir, "conf", "pressroom.yaml")
	os.MkdirAll(filepath.Dir(conf), 0o755)
	if err := os.Rename(cfg, conf); err != nil {
		t.Fatal(err)
	}
	base, stdout, stderr := startServe(t, src, out, conf)
	fetch := fetcher(base)
	story := func(title, date string) []byte {
		return []byte("---\ntitle: \"" + title + "\"\ndate: " + date + "T10:00:00Z\nlang: en\n---\n\nText of the story.\n")
	}
	published := func(title string) func() bool {
		return func() bool { _, _, body := fetch("/feed.json"); return strings.Contains(body, title) }
	}
	os.MkdirAll(filepath.Join(src, "desk"), 0o755)
	os.WriteFile(filepath.Join(src, "desk", "one.md"), story("Desk story", "2026-03-27"), 0o644)
	eventually(t, "a story in a new folder published", published("Desk story"))
	builds := strings.Count(stdout.String(), "change detected")
	if err := os.Rename(filepath.Join(src, "desk"), filepath.Join(src, "desk2")); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(src, "desk2", "one.md"), story("Desk story edited", "2026-03-27"), 0o644)
	eventually(t, "the move built", func() bool { return strings.Count(stdout.String(), "change detected") > builds })
	builds = strings.Count(stdout.String(), "change detected")
	os.WriteFile(filepath.Join(src, "desk2", "two.md"), story("Second desk story", "2026-03-27"), 0o644)
	eventually(t, "a story added to the moved folder published", published("Second desk story"))
	eventually(t, "an edit in the moved folder published", published("Desk story edited"))

	if err := os.RemoveAll(src); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the folder said gone", func() bool { return strings.Contains(stderr.String(), "is gone") })
	os.MkdirAll(src, 0o755)
	os.WriteFile(filepath.Join(src, "back.md"), story("Back again", "2026-03-28"), 0o644)
	eventually(t, "a story in the folder made again published", published("Back again"))
}
