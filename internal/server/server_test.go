package server_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/feed"
	"github.com/pressroom/pressroom/internal/server"
)

func setup(t *testing.T) (*httptest.Server, string) {
	root := t.TempDir()
	files := map[string]string{
		"feed.xml":              `<?xml version="1.0"?><rss version="2.0"></rss>`,
		"atom.xml":              `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>`,
		"feed.json":             `{"version":"https://jsonfeed.org/version/1.1"}`,
		"tags/الرباط/feed.json": `{"title":"الرباط"}`,
		"index.html":            `<!DOCTYPE html><title>x</title>`,
		"feeds.opml":            `<opml version="2.0"></opml>`,
		".pressroom/index.db":   "secret",
	}
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
	}
	srv := httptest.NewServer(server.New(root))
	t.Cleanup(srv.Close)
	return srv, root
}

func get(t *testing.T, url string, header map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	// A transport that does not add or undo gzip itself.
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestContentTypesAndHeaders(t *testing.T) {
	srv, _ := setup(t)
	for path, want := range map[string]string{
		"/feed.xml": "application/xml; charset=utf-8", "/atom.xml": "application/xml; charset=utf-8",
		"/feed.json": "application/feed+json; charset=utf-8", "/": "text/html; charset=utf-8",
		"/feeds.opml": "text/x-opml; charset=utf-8", "/tags/%D8%A7%D9%84%D8%B1%D8%A8%D8%A7%D8%B7/feed.json": "application/feed+json; charset=utf-8",
	} {
		resp := get(t, srv.URL+path, nil)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != want {
			t.Errorf("%s: %d %q, want 200 %q", path, resp.StatusCode, resp.Header.Get("Content-Type"), want)
		}
		if resp.Header.Get("Cache-Control") != "public, max-age=300, stale-while-revalidate=60" {
			t.Errorf("%s: Cache-Control %q", path, resp.Header.Get("Cache-Control"))
		}
		if resp.Header.Get("ETag") == "" || resp.Header.Get("Last-Modified") == "" {
			t.Errorf("%s: no ETag or Last-Modified", path)
		}
	}
	if resp := get(t, srv.URL+"/feed.json", nil); resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Error("no CORS header on a JSON feed")
	}
	if resp := get(t, srv.URL+"/feed.xml", nil); resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("CORS header on an XML feed")
	}
}

func TestConditionalRequests(t *testing.T) {
	srv, root := setup(t)
	first := get(t, srv.URL+"/feed.xml", nil)
	etag, lastMod := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
	if len(etag) < 4 || etag[0] != '"' {
		t.Fatalf("ETag %q is not a strong validator", etag)
	}
	if resp := get(t, srv.URL+"/feed.xml", map[string]string{"If-None-Match": etag}); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", resp.StatusCode)
	}
	if resp := get(t, srv.URL+"/feed.xml", map[string]string{"If-Modified-Since": lastMod}); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since: %d, want 304", resp.StatusCode)
	}
	if resp := get(t, srv.URL+"/feed.xml", map[string]string{"If-None-Match": `"other"`}); resp.StatusCode != 200 {
		t.Errorf("stale ETag: %d, want 200", resp.StatusCode)
	}
	// A change to the file changes the validators.
	later := time.Now().Add(time.Minute)
	os.WriteFile(filepath.Join(root, "feed.xml"), []byte(`<rss version="2.0"><channel/></rss>`), 0o644)
	os.Chtimes(filepath.Join(root, "feed.xml"), later, later)
	resp := get(t, srv.URL+"/feed.xml", map[string]string{"If-None-Match": etag})
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == etag {
		t.Errorf("after a change: %d, ETag %s", resp.StatusCode, resp.Header.Get("ETag"))
	}
}

func TestGzip(t *testing.T) {
	srv, _ := setup(t)
	resp := get(t, srv.URL+"/atom.xml", map[string]string{"Accept-Encoding": "gzip, deflate"})
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("headers %v", resp.Header)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(zr)
	if !bytes.Contains(body, []byte("http://www.w3.org/2005/Atom")) {
		t.Errorf("gunzipped body %q", body)
	}
	plain := get(t, srv.URL+"/atom.xml", nil)
	if plain.Header.Get("Content-Encoding") != "" || plain.Header.Get("ETag") == resp.Header.Get("ETag") {
		t.Error("the gzip and identity representations share an ETag or encoding")
	}
	if r := get(t, srv.URL+"/atom.xml", map[string]string{"Accept-Encoding": "gzip;q=0"}); r.Header.Get("Content-Encoding") != "" {
		t.Error("gzip sent although refused with q=0")
	}
	cond := get(t, srv.URL+"/atom.xml", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": resp.Header.Get("ETag")})
	if cond.StatusCode != http.StatusNotModified {
		t.Errorf("conditional gzip request: %d", cond.StatusCode)
	}
}

func TestRefusals(t *testing.T) {
	srv, _ := setup(t)
	for _, path := range []string{"/.pressroom/index.db", "/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/missing.xml", "/tags/"} {
		if resp := get(t, srv.URL+path, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/feed.xml", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", resp.StatusCode)
	}
	req, _ = http.NewRequest(http.MethodOptions, srv.URL+"/feed.json", nil)
	req.Header.Set("Origin", "https://partner.example")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("CORS preflight: %d %v", resp.StatusCode, resp.Header)
	}
	head, _ := http.NewRequest(http.MethodHead, srv.URL+"/feed.xml", nil)
	resp, err = http.DefaultClient.Do(head)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == "" {
		t.Errorf("HEAD: %d", resp.StatusCode)
	}
}

// TestPathsThroughFiles: /feed.xml/ names feed.xml/index.html, a path
// through a file: not found, never a server error.
func TestPathsThroughFiles(t *testing.T) {
	srv, _ := setup(t)
	for _, path := range []string{"/feed.xml/", "/feed.xml/x", "/tags/الرباط/feed.json/"} {
		if resp := get(t, srv.URL+path, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
	}
}

// TestSecurityHeaders: nosniff and a referrer policy on every answer but a
// 304 (TestNotModifiedHeaders); the HTML page and the feeds (shown through
// their stylesheet) also get the pages' content security policy and
// refuse framing; JSON feeds do not.
func TestSecurityHeaders(t *testing.T) {
	srv, _ := setup(t)
	for _, path := range []string{"/feed.xml", "/feed.json", "/", "/index.html", "/missing.xml"} {
		resp := get(t, srv.URL+path, nil)
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") != "strict-origin-when-cross-origin" {
			t.Errorf("%s: %v", path, resp.Header)
		}
		page := path != "/feed.json" && path != "/missing.xml"
		if got := resp.Header.Get("Content-Security-Policy"); page != (got == feed.PageSecurityPolicy) {
			t.Errorf("%s: Content-Security-Policy %q", path, got)
		}
		if page && resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: framing allowed", path)
		}
	}
}

// TestIdleConnectionsAreClosed: a client that opens connections and goes
// quiet does not keep them (the server's idle and read timeouts), and the
// limits are the documented ones.
func TestIdleConnectionsAreClosed(t *testing.T) {
	s := server.NewServer(http.NotFoundHandler())
	if s.IdleTimeout != server.IdleTimeout || s.ReadHeaderTimeout != server.ReadHeaderTimeout || s.ReadTimeout != server.ReadTimeout ||
		s.WriteTimeout != server.WriteTimeout || s.MaxHeaderBytes != server.MaxHeaderBytes || s.IdleTimeout == 0 {
		t.Fatalf("limits %+v", s)
	}
	// The same server with short limits, to see them act.
	s.IdleTimeout, s.ReadHeaderTimeout = 200*time.Millisecond, 200*time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	var conns []net.Conn
	for i := 0; i < 50; i++ {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	closed := 0
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err != nil {
			closed++ // EOF: the server hung up on a silent client
		}
		c.Close()
	}
	if closed != len(conns) {
		t.Errorf("%d of %d silent connections closed by the server", closed, len(conns))
	}
	// Headers over the limit are refused.
	req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/", nil)
	req.Header.Set("X-Big", strings.Repeat("x", server.MaxHeaderBytes+4096))
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("oversized headers: %d", resp.StatusCode)
		}
	}
}

// TestNotModifiedHeaders: a 304 carries what RFC 9110 §15.4.5 asks of it
// (ETag, Cache-Control, Vary; the server adds Date) and, on a JSON feed,
// the CORS headers a script needs to read it; no security headers, no
// representation metadata. So whether the handler answers the request
// itself (the ETag or date it gave) or leaves it to http.ServeContent (a
// weak or listed ETag). Other answers to conditional and range requests
// keep the security headers.
func TestNotModifiedHeaders(t *testing.T) {
	srv, _ := setup(t)
	for _, path := range []string{"/feed.xml", "/feed.json"} {
		first := get(t, srv.URL+path, map[string]string{"Accept-Encoding": "gzip"})
		etag, lastMod := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
		for name, header := range map[string]map[string]string{
			"If-None-Match":        {"If-None-Match": etag},
			"If-Modified-Since":    {"If-Modified-Since": lastMod},
			"weak If-None-Match":   {"If-None-Match": "W/" + etag},
			"listed If-None-Match": {"If-None-Match": `"other", ` + etag},
		} {
			header["Accept-Encoding"] = "gzip"
			resp := get(t, srv.URL+path, header)
			if resp.StatusCode != http.StatusNotModified {
				t.Errorf("%s, %s: %d, want 304", path, name, resp.StatusCode)
				continue
			}
			if resp.Header.Get("ETag") != etag || resp.Header.Get("Cache-Control") != feed.CacheControl(path) ||
				resp.Header.Get("Vary") != "Accept-Encoding" || resp.Header.Get("Date") == "" {
				t.Errorf("%s, %s: 304 without its validators: %v", path, name, resp.Header)
			}
			for _, k := range []string{"X-Content-Type-Options", "Referrer-Policy", "Content-Security-Policy", "X-Frame-Options",
				"Content-Type", "Content-Length", "Content-Encoding", "Last-Modified"} {
				if v := resp.Header.Values(k); len(v) > 0 {
					t.Errorf("%s, %s: 304 with %s: %q", path, name, k, v)
				}
			}
			if cors := resp.Header.Get("Access-Control-Allow-Origin"); (path == "/feed.json") != (cors == "*") {
				t.Errorf("%s, %s: Access-Control-Allow-Origin %q", path, name, cors)
			}
		}
	}
	for name, header := range map[string]map[string]string{
		"If-Match another ETag": {"If-Match": `"other"`},
		"Range":                 {"Range": "bytes=0-4"},
		"If-None-Match another": {"If-None-Match": `"other"`},
	} {
		resp := get(t, srv.URL+"/feed.xml", header)
		if resp.StatusCode == http.StatusNotModified || resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
			resp.Header.Get("Content-Security-Policy") != feed.PageSecurityPolicy {
			t.Errorf("%s: %d %v", name, resp.StatusCode, resp.Header)
		}
	}
}
