package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/partners"
	"github.com/pressroom/pressroom/internal/server"
)

func partnerSite(t *testing.T) (*httptest.Server, *server.Handler, *partners.File) {
	t.Helper()
	root := t.TempDir()
	for name, body := range map[string]string{
		"feed.json":                                 `{"version":"https://jsonfeed.org/version/1.1"}`,
		"partners/culture-desk/feed.json":           `{"title":"culture"}`,
		"partners/culture-desk/archive/1/feed.json": `{"title":"culture, page 1"}`,
		"partners/sports/feed.json":                 `{"title":"sports"}`,
	} {
		p := filepath.Join(root, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
	}
	keys := &partners.File{Path: filepath.Join(root, ".pressroom", "partner-keys.json")}
	h := server.New(root)
	h.KeysFile = keys.Path
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, h, keys
}

func status(t *testing.T, method, url string, header map[string]string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

func TestPartnerFeedsNeedAKey(t *testing.T) {
	ctx := context.Background()
	srv, _, keys := partnerSite(t)
	feedURL := srv.URL + "/partners/culture-desk/feed.json"

	// No keys file: nobody gets in; the public feeds are unaffected.
	if code, body, _ := status(t, "GET", feedURL, map[string]string{"Authorization": "Bearer prk_whatever"}); code != 403 || body != "" {
		t.Errorf("no keys file: %d %q, want 403 and no body", code, body)
	}
	if code, _, _ := status(t, "GET", srv.URL+"/feed.json", nil); code != 200 {
		t.Errorf("public feed: %d", code)
	}

	culture, _, err := keys.Add(ctx, "culture-desk")
	if err != nil {
		t.Fatal(err)
	}
	sports, sportsEntry, _ := keys.Add(ctx, "sports")
	for name, tc := range map[string]struct {
		method, path string
		header       map[string]string
		want         int
	}{
		"header":                  {"GET", "/partners/culture-desk/feed.json", map[string]string{"Authorization": "Bearer " + culture}, 200},
		"header, lower case":      {"GET", "/partners/culture-desk/feed.json", map[string]string{"Authorization": "bearer " + culture}, 200},
		"query":                   {"GET", "/partners/culture-desk/feed.json?key=" + culture, nil, 200},
		"archive page":            {"GET", "/partners/culture-desk/archive/1/feed.json?key=" + culture, nil, 200},
		"HEAD":                    {"HEAD", "/partners/culture-desk/feed.json?key=" + culture, nil, 200},
		"no key":                  {"GET", "/partners/culture-desk/feed.json", nil, 403},
		"other partner's key":     {"GET", "/partners/culture-desk/feed.json?key=" + sports, nil, 403},
		"own key, other partner":  {"GET", "/partners/sports/feed.json?key=" + culture, nil, 403},
		"dot-dot":                 {"GET", "/partners/sports/../culture-desk/feed.json?key=" + sports, nil, 403},
		"encoded dot-dot":         {"GET", "/partners/sports/%2e%2e/culture-desk/feed.json?key=" + sports, nil, 403},
		"encoded slash":           {"GET", "/partners/sports%2F..%2Fculture-desk/feed.json?key=" + sports, nil, 403},
		"folder without a slash":  {"GET", "/partners/sports?key=" + sports, nil, 403},
		"partners folder":         {"GET", "/partners/?key=" + sports, nil, 403},
		"other case, no key":      {"GET", "/Partners/culture-desk/feed.json", nil, 403}, // a case-insensitive disk would open it
		"other case, good key":    {"GET", "/PARTNERS/culture-desk/feed.json?key=" + culture, nil, 403},
		"missing file, good key":  {"GET", "/partners/sports/nope.json?key=" + sports, nil, 404},
		"preflight without a key": {"OPTIONS", "/partners/sports/feed.json", nil, 204},
	} {
		code, body, hdr := status(t, tc.method, srv.URL+tc.path, tc.header)
		if code != tc.want {
			t.Errorf("%s: %d, want %d", name, code, tc.want)
		}
		if code == 200 && hdr.Get("Cache-Control") != partners.CacheControl {
			t.Errorf("%s: Cache-Control %q", name, hdr.Get("Cache-Control"))
		}
		if code == 403 && body != "" {
			t.Errorf("%s: 403 with a body %q", name, body)
		}
		if tc.method == "OPTIONS" && !strings.Contains(hdr.Get("Access-Control-Allow-Headers"), "Authorization") {
			t.Errorf("%s: preflight allows headers %q, not Authorization", name, hdr.Get("Access-Control-Allow-Headers"))
		}
	}

	// A revoked key stops working at once: the file is read again when it
	// changes.
	if _, err := keys.Revoke(ctx, sportsEntry.ID); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := status(t, "GET", srv.URL+"/partners/sports/feed.json?key="+sports, nil); code != 403 {
		t.Errorf("revoked key: %d", code)
	}
	if code, _, _ := status(t, "GET", feedURL+"?key="+culture, nil); code != 200 {
		t.Errorf("the other key after a revocation: %d", code)
	}
	// A keys file that does not read: nobody gets in.
	os.WriteFile(keys.Path, []byte("{broken"), 0o600)
	future := time.Now().Add(time.Hour)
	os.Chtimes(keys.Path, future, future)
	if code, _, _ := status(t, "GET", feedURL+"?key="+culture, nil); code != 403 {
		t.Errorf("broken keys file: %d", code)
	}
	os.Remove(keys.Path)
	if code, _, _ := status(t, "GET", feedURL+"?key="+culture, nil); code != 403 {
		t.Errorf("keys file removed: %d", code)
	}
}

func TestWebSubLinks(t *testing.T) {
	srv, root := setup(t)
	for name, body := range map[string]string{"archive/2/feed.xml": "<rss/>", "tags/x/archive/1/atom.xml": "<feed/>", "partners/a/feed.json": "{}"} {
		p := filepath.Join(root, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
	}
	// Without hubs, no Link header.
	if l := get(t, srv.URL+"/feed.xml", nil).Header.Values("Link"); len(l) != 0 {
		t.Errorf("Link without hubs: %q", l)
	}
	h := server.New(root)
	h.Hubs = []string{"https://hub.example.org/", "https://pubsubhubbub.example.net/hub"}
	h.PublicURL = "https://feeds.example.org/news/"
	h.KeysFile = filepath.Join(root, "no-keys.json")
	hub := httptest.NewServer(h)
	defer hub.Close()
	for path, self := range map[string]string{
		"/feed.xml":              "https://feeds.example.org/news/feed.xml",
		"/atom.xml":              "https://feeds.example.org/news/atom.xml",
		"/feed.json":             "https://feeds.example.org/news/feed.json",
		"/tags/الرباط/feed.json": "https://feeds.example.org/news/tags/%D8%A7%D9%84%D8%B1%D8%A8%D8%A7%D8%B7/feed.json",
	} {
		resp := get(t, hub.URL+path, map[string]string{"Accept-Encoding": "gzip"})
		want := []string{`<https://hub.example.org/>; rel="hub"`, `<https://pubsubhubbub.example.net/hub>; rel="hub"`, "<" + self + `>; rel="self"`}
		if got := resp.Header.Values("Link"); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: Link %q, want %q", path, got, want)
		}
	}
	for _, path := range []string{"/archive/2/feed.xml", "/tags/x/archive/1/atom.xml", "/", "/feeds.opml", "/partners/a/feed.json"} {
		if l := get(t, hub.URL+path, nil).Header.Values("Link"); len(l) != 0 {
			t.Errorf("%s: Link %q", path, l)
		}
	}
	// No public URL: the self link names the host asked.
	h2 := server.New(root)
	h2.Hubs = h.Hubs
	bare := httptest.NewServer(h2)
	defer bare.Close()
	resp := get(t, bare.URL+"/atom.xml", nil)
	if l := resp.Header.Values("Link"); len(l) != 3 || l[2] != "<"+bare.URL+`/atom.xml>; rel="self"` {
		t.Errorf("self link without a public URL: %q", l)
	}
}
