package server_test

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/feed"
	"github.com/pressroom/pressroom/internal/server"
)

// instrumented serves a folder of the given files through a CountingFS,
// with a clock the test moves.
func instrumented(t *testing.T, files map[string]string, streamAt int64) (*httptest.Server, *server.Handler, *server.CountingFS, string, *atomic.Int64) {
	t.Helper()
	root := t.TempDir()
	for name, body := range files {
		write(t, filepath.Join(root, filepath.FromSlash(name)), body)
	}
	h := server.New(root)
	c := &server.CountingFS{}
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	server.Instrument(h, c, func() time.Time { return time.Unix(0, now.Load()) }, streamAt)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, h, c, root, &now
}

func write(t testing.TB, p, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// replace writes body next to p and renames it over p, as a build does.
func replace(t testing.TB, p, body string, mtime time.Time) {
	t.Helper()
	tmp := p + ".tmp"
	write(t, tmp, body)
	if !mtime.IsZero() {
		os.Chtimes(tmp, mtime, mtime)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
}

func fetch(t *testing.T, url string, header map[string]string) (int, http.Header, []byte) {
	t.Helper()
	resp := get(t, url, header)
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("Content-Encoding") == "gzip" && len(body) > 0 {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, resp.Header, body
}

var rss = `<?xml version="1.0"?><rss version="2.0"><channel>` + strings.Repeat("<item><title>Council votes lanes</title></item>", 400) + `</channel></rss>`

// TestNotModifiedReadsNothing: once a file is in the cache, neither a 304
// nor a 200 (plain, gzip or HEAD) opens it: a stat vouches for the bytes.
func TestNotModifiedReadsNothing(t *testing.T) {
	srv, _, c, _, now := instrumented(t, map[string]string{"feed.xml": rss}, 0)
	now.Add(int64(time.Hour)) // long after the file was written: the entry is trusted at once
	code, hdr, body := fetch(t, srv.URL+"/feed.xml", nil)
	if code != 200 || string(body) != rss || hdr.Get("ETag") != server.ETagOf([]byte(rss)) {
		t.Fatalf("first answer %d %q", code, hdr.Get("ETag"))
	}
	opens, read := c.Counts()
	if opens != 1 || read != int64(len(rss)) {
		t.Fatalf("first answer: %d opens, %d bytes read", opens, read)
	}
	etag := hdr.Get("ETag")
	code, gzHdr, gzBody := fetch(t, srv.URL+"/feed.xml", map[string]string{"Accept-Encoding": "gzip"})
	if code != 200 || gzHdr.Get("Content-Encoding") != "gzip" || string(gzBody) != rss {
		t.Fatalf("gzip answer %d %v", code, gzHdr)
	}
	for _, tc := range []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"If-None-Match", map[string]string{"If-None-Match": etag}, 304},
		{"If-None-Match, gzip", map[string]string{"If-None-Match": gzHdr.Get("ETag"), "Accept-Encoding": "gzip"}, 304},
		{"If-Modified-Since", map[string]string{"If-Modified-Since": hdr.Get("Last-Modified")}, 304},
		{"plain", nil, 200},
		{"gzip", map[string]string{"Accept-Encoding": "gzip"}, 200},
	} {
		code, h, b := fetch(t, srv.URL+"/feed.xml", tc.header)
		if code != tc.want || (code == 200 && string(b) != rss) {
			t.Errorf("%s: %d, want %d", tc.name, code, tc.want)
		}
		if tc.name == "gzip" && h.Get("ETag") != gzHdr.Get("ETag") {
			t.Errorf("gzip ETag %s, then %s", gzHdr.Get("ETag"), h.Get("ETag"))
		}
	}
	head, _ := http.NewRequest(http.MethodHead, srv.URL+"/feed.xml", nil)
	if resp, err := http.DefaultClient.Do(head); err != nil || resp.StatusCode != 200 {
		t.Fatalf("HEAD: %v", err)
	}
	if o, n := c.Counts(); o != opens || n != read {
		t.Errorf("cached file: %d more opens, %d more bytes read", o-opens, n-read)
	}
}

// TestRacyRewriteServedFresh: on a file system whose stats tell only the
// size and a time to the second, a rewrite of the same size in the same
// second is served fresh: an entry read within racyWindow of its file's
// time is checked against the bytes, until it is older.
func TestRacyRewriteServedFresh(t *testing.T) {
	srv, _, c, root, now := instrumented(t, map[string]string{"feed.xml": "<rss>version 1</rss>"}, 0)
	second := time.Now().Truncate(time.Second)
	c.Freeze = second
	now.Store(second.Add(300 * time.Millisecond).UnixNano())
	for i := 1; i <= 3; i++ {
		body := fmt.Sprintf("<rss>version %d</rss>", i)
		write(t, filepath.Join(root, "feed.xml"), body) // in place, same size
		if _, hdr, got := fetch(t, srv.URL+"/feed.xml", nil); string(got) != body || hdr.Get("ETag") != server.ETagOf([]byte(body)) {
			t.Fatalf("rewrite %d: served %q, ETag %s", i, got, hdr.Get("ETag"))
		}
		if _, _, got := fetch(t, srv.URL+"/feed.xml", map[string]string{"Accept-Encoding": "gzip"}); string(got) != body {
			t.Fatalf("rewrite %d: gzip served %q", i, got)
		}
	}
	// Seconds later the check finds the same bytes and trusts them from
	// then on: no more reads.
	now.Store(second.Add(3 * time.Second).UnixNano())
	fetch(t, srv.URL+"/feed.xml", nil)
	opens, _ := c.Counts()
	fetch(t, srv.URL+"/feed.xml", nil)
	fetch(t, srv.URL+"/feed.xml", map[string]string{"If-None-Match": server.ETagOf([]byte("<rss>version 3</rss>"))})
	if o, _ := c.Counts(); o != opens {
		t.Errorf("a settled file opened %d more times", o-opens)
	}
}

// TestChangedFileServedFresh: with real stats and an entry already
// trusted, a file renamed over the old one (a build) or rewritten in place
// with its old time put back (cp -p), same size and same modification
// time both, is served fresh: the inode or the change time moved.
func TestChangedFileServedFresh(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("inodes and change times are read on Linux and macOS only")
	}
	srv, _, _, root, now := instrumented(t, nil, 0)
	now.Add(int64(time.Hour))
	p := filepath.Join(root, "feed.xml")
	old := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	replace(t, p, "<rss>build 1</rss>", old)
	if _, _, got := fetch(t, srv.URL+"/feed.xml", nil); string(got) != "<rss>build 1</rss>" {
		t.Fatalf("served %q", got)
	}
	replace(t, p, "<rss>build 2</rss>", old)
	if _, _, got := fetch(t, srv.URL+"/feed.xml", nil); string(got) != "<rss>build 2</rss>" {
		t.Errorf("renamed over: served %q", got)
	}
	time.Sleep(50 * time.Millisecond) // past the change time's granularity
	write(t, p, "<rss>build 3</rss>")
	os.Chtimes(p, old, old)
	if _, _, got := fetch(t, srv.URL+"/feed.xml", map[string]string{"Accept-Encoding": "gzip"}); string(got) != "<rss>build 3</rss>" {
		t.Errorf("rewritten in place, time put back: served %q", got)
	}
	os.Remove(p)
	if code, _, _ := fetch(t, srv.URL+"/feed.xml", nil); code != 404 {
		t.Errorf("removed: %d", code)
	}
}

// TestConcurrentRebuilds: while builds rename versions over the feed,
// every answer is one version whole, with that version's ETag, and once
// they stop the last version is served.
func TestConcurrentRebuilds(t *testing.T) {
	srv, _, _, root, _ := instrumented(t, map[string]string{"feed.xml": "<rss/>"}, 0)
	srv.Close()
	// The real clock: the cache trusts nothing younger than racyWindow.
	h := server.New(root)
	srv = httptest.NewServer(h)
	t.Cleanup(srv.Close)
	p := filepath.Join(root, "feed.xml")
	versions := map[string]bool{"<rss/>": true}
	var list []string
	for i := 0; i < 8; i++ {
		// Pairs of the same size, to leave only the content to tell them apart.
		v := fmt.Sprintf("<rss>v%d%s</rss>", i, strings.Repeat("x", 100*(i/2)))
		versions[v], list = true, append(list, v)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	var last string
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			last = list[i%len(list)]
			replace(t, p, last, time.Time{})
		}
	}()
	var errs atomic.Int64
	var readers sync.WaitGroup
	for g := 0; g < 4; g++ {
		readers.Add(1)
		go func(gz bool) {
			defer readers.Done()
			tr := &http.Transport{DisableCompression: true}
			defer tr.CloseIdleConnections()
			for i := 0; i < 50; i++ {
				req, _ := http.NewRequest(http.MethodGet, srv.URL+"/feed.xml", nil)
				if gz {
					req.Header.Set("Accept-Encoding", "gzip")
				}
				resp, err := tr.RoundTrip(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				var r io.Reader = resp.Body
				if gz {
					if r, err = gzip.NewReader(resp.Body); err != nil {
						errs.Add(1)
						resp.Body.Close()
						continue
					}
				}
				body, _ := io.ReadAll(r)
				resp.Body.Close()
				etag := strings.TrimSuffix(strings.TrimSuffix(resp.Header.Get("ETag"), `"`), "-gzip") + `"`
				if resp.StatusCode != 200 || !versions[string(body)] || etag != server.ETagOf(body) {
					errs.Add(1)
				}
			}
		}(g%2 == 0)
	}
	readers.Wait()
	close(stop)
	wg.Wait()
	if n := errs.Load(); n > 0 {
		t.Errorf("%d answers were not one version whole with its ETag", n)
	}
	for _, enc := range []string{"", "gzip"} {
		if _, _, got := fetch(t, srv.URL+"/feed.xml", map[string]string{"Accept-Encoding": enc}); string(got) != last {
			t.Errorf("after the builds (%q): served %q, want %q", enc, got, last)
		}
	}
}

// TestCacheBudget: the cache holds no more than its budget, the least
// recently used files leaving first; a file larger than the budget is
// served, read each time, and not kept.
func TestCacheBudget(t *testing.T) {
	files := map[string]string{}
	for i := 0; i < 16; i++ {
		files[fmt.Sprintf("tags/t%d/feed.xml", i)] = randomText(8 << 10) // gzip takes a third off
	}
	files["big.xml"] = randomText(100 << 10)
	root := t.TempDir()
	for name, body := range files {
		write(t, filepath.Join(root, filepath.FromSlash(name)), body)
	}
	h := server.New(root)
	h.CacheBytes = 64 << 10
	c := &server.CountingFS{}
	server.Instrument(h, c, func() time.Time { return time.Now().Add(time.Hour) }, 0)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	for round := 0; round < 2; round++ {
		for name, body := range files {
			if _, _, got := fetch(t, srv.URL+"/"+name, map[string]string{"Accept-Encoding": "gzip"}); string(got) != body {
				t.Fatalf("%s: wrong body", name)
			}
			if used, _ := server.CacheUsed(h); used > h.CacheBytes {
				t.Fatalf("cache holds %d bytes, budget %d", used, h.CacheBytes)
			}
		}
	}
	used, n := server.CacheUsed(h)
	if n == 0 || n > 5 || used > h.CacheBytes {
		t.Errorf("%d entries, %d bytes", n, used)
	}
	// The most recent file stays; the big one never does.
	fetch(t, srv.URL+"/tags/t1/feed.xml", nil)
	opens, _ := c.Counts()
	fetch(t, srv.URL+"/tags/t1/feed.xml", nil)
	fetch(t, srv.URL+"/big.xml", nil)
	fetch(t, srv.URL+"/big.xml", nil)
	if o, _ := c.Counts(); o != opens+2 {
		t.Errorf("%d opens for one cached file and two answers of one too big, want 2", o-opens)
	}
}

// TestStreamedFile: a file over the stream size is served from the disk,
// uncompressed (as CloudFront above 10 MB), with its content's ETag;
// conditional and range requests work, and a 304 reads nothing.
func TestStreamedFile(t *testing.T) {
	big := strings.Repeat("<item>streamed</item>", 1000)
	srv, _, c, _, now := instrumented(t, map[string]string{"archive.xml": big}, 4096)
	now.Add(int64(time.Hour))
	code, hdr, body := fetch(t, srv.URL+"/archive.xml", map[string]string{"Accept-Encoding": "gzip"})
	if code != 200 || string(body) != big || hdr.Get("Content-Encoding") != "" || hdr.Get("ETag") != server.ETagOf([]byte(big)) {
		t.Fatalf("%d %v", code, hdr)
	}
	_, read := c.Counts()
	if code, _, _ := fetch(t, srv.URL+"/archive.xml", map[string]string{"If-None-Match": hdr.Get("ETag")}); code != 304 {
		t.Errorf("If-None-Match: %d", code)
	}
	if _, n := c.Counts(); n != read {
		t.Errorf("the 304 read %d bytes", n-read)
	}
	if code, _, b := fetch(t, srv.URL+"/archive.xml", map[string]string{"Range": "bytes=6-13"}); code != 206 || string(b) != "streamed" {
		t.Errorf("range: %d %q", code, b)
	}
}

// TestClosedPages: an archive page whose JSON document says it is full
// gets the closed pages' Cache-Control, read from the cache, and loses it
// when a build rewrites the page.
func TestClosedPages(t *testing.T) {
	srv, _, _, root, _ := instrumented(t, map[string]string{
		"tags/x/archive/1/feed.xml":  "<rss/>",
		"tags/x/archive/1/feed.json": `{"_pressroom":{"full":true}}`,
		"tags/x/archive/2/feed.xml":  "<rss/>",
		"tags/x/archive/2/feed.json": `{"_pressroom":{"full":false}}`,
	}, 0)
	for page, want := range map[string]string{"1": feed.ClosedCacheControl("tags/x/archive/1/feed.xml"), "2": feed.CacheControl("tags/x/archive/2/feed.xml")} {
		for i := 0; i < 2; i++ {
			if _, hdr, _ := fetch(t, srv.URL+"/tags/x/archive/"+page+"/feed.xml", nil); hdr.Get("Cache-Control") != want {
				t.Errorf("page %s: Cache-Control %q, want %q", page, hdr.Get("Cache-Control"), want)
			}
		}
	}
	replace(t, filepath.Join(root, "tags/x/archive/1/feed.json"), `{"_pressroom":{"full":false}}`, time.Time{})
	if _, hdr, _ := fetch(t, srv.URL+"/tags/x/archive/1/feed.xml", nil); hdr.Get("Cache-Control") != feed.CacheControl("tags/x/archive/1/feed.xml") {
		t.Errorf("reopened page: Cache-Control %q", hdr.Get("Cache-Control"))
	}
}

func randomText(n int) string {
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(rand.Text())
	}
	return b.String()
}

// TestWholeAndPartial: a plain GET and a HEAD of a cached file give its
// length and validators, the HEAD no body; a range request gets its part.
func TestWholeAndPartial(t *testing.T) {
	srv, _, _, _, _ := instrumented(t, map[string]string{"feed.xml": rss}, 0)
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		req, _ := http.NewRequest(method, srv.URL+"/feed.xml", nil)
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		wantBody := rss
		if method == http.MethodHead {
			wantBody = ""
		}
		if resp.StatusCode != 200 || resp.ContentLength != int64(len(rss)) || string(body) != wantBody ||
			resp.Header.Get("ETag") != server.ETagOf([]byte(rss)) || resp.Header.Get("Last-Modified") == "" {
			t.Errorf("%s: %d, length %d, %d bytes, %v", method, resp.StatusCode, resp.ContentLength, len(body), resp.Header)
		}
	}
	if code, _, b := fetch(t, srv.URL+"/feed.xml", map[string]string{"Range": "bytes=2-4"}); code != 206 || string(b) != "xml" {
		t.Errorf("range: %d %q", code, b)
	}
	if code, _, _ := fetch(t, srv.URL+"/feed.xml", map[string]string{"If-Match": `"other"`}); code != http.StatusPreconditionFailed {
		t.Errorf("If-Match another ETag: %d", code)
	}
}

// TestLargePlainFromFile: a cached file of 64 KiB or more is sent from
// the file for a plain GET (sendfile), the cached version's bytes and
// ETag; a 304 still opens nothing, gzip comes from memory.
func TestLargePlainFromFile(t *testing.T) {
	big := randomText(100 << 10)
	srv, _, c, _, now := instrumented(t, map[string]string{"archive/1/feed.xml": big}, 0)
	now.Add(int64(time.Hour))
	url := srv.URL + "/archive/1/feed.xml"
	code, hdr, body := fetch(t, url, nil)
	if code != 200 || string(body) != big || hdr.Get("ETag") != server.ETagOf([]byte(big)) {
		t.Fatalf("%d %v", code, hdr)
	}
	opens, _ := c.Counts()
	if _, _, body := fetch(t, url, nil); string(body) != big {
		t.Error("second answer differs")
	}
	if o, _ := c.Counts(); o != opens+1 {
		t.Errorf("%d opens for a plain GET, want 1", o-opens)
	}
	fetch(t, url, map[string]string{"If-None-Match": hdr.Get("ETag")})
	fetch(t, url, map[string]string{"Accept-Encoding": "gzip"})
	if o, _ := c.Counts(); o != opens+1 {
		t.Errorf("%d opens for a 304 and a gzip answer, want 0", o-opens-1)
	}
}

// TestLargeFileChangedServedFresh: a large file sent from the disk
// (sendfile) once its cached version is trusted is sent fresh after a
// build renames another version over it, and after a rewrite in place
// that puts the old size and time back: the open file is checked, not
// the cache's word.
func TestLargeFileChangedServedFresh(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("inodes and change times are read on Linux and macOS only")
	}
	srv, _, c, root, now := instrumented(t, nil, 0)
	now.Add(int64(time.Hour))
	p := filepath.Join(root, "feed.xml")
	old := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	v1, v2, v3 := randomText(100<<10), "", ""
	v2 = v1[:len(v1)-1] + "2"
	v3 = v1[:len(v1)-1] + "3"
	replace(t, p, v1, old)
	for i := 0; i < 2; i++ { // read and cached, then sent from the file
		if code, hdr, got := fetch(t, srv.URL+"/feed.xml", nil); code != 200 || string(got) != v1 || hdr.Get("ETag") != server.ETagOf([]byte(v1)) {
			t.Fatalf("answer %d: %d, %d bytes, %v", i+1, code, len(got), hdr)
		}
	}
	opens, _ := c.Counts()
	replace(t, p, v2, old)
	if _, hdr, got := fetch(t, srv.URL+"/feed.xml", nil); string(got) != v2 || hdr.Get("ETag") != server.ETagOf([]byte(v2)) {
		t.Errorf("renamed over: served the old version (%v)", string(got) == v1)
	}
	if o, _ := c.Counts(); o <= opens {
		t.Errorf("no file opened for the new version")
	}
	fetch(t, srv.URL+"/feed.xml", nil) // v2 sent from the file
	time.Sleep(50 * time.Millisecond)  // past the change time's granularity
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte("3"), int64(len(v3)-1))
	f.Close()
	os.Chtimes(p, old, old)
	if _, hdr, got := fetch(t, srv.URL+"/feed.xml", nil); string(got) != v3 || hdr.Get("ETag") != server.ETagOf([]byte(v3)) {
		t.Errorf("rewritten in place, time put back: served %d bytes, the new version %v", len(got), string(got) == v3)
	}
}
