package edgetest_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/partners"
	"github.com/pressroom/pressroom/internal/partners/edgetest"
)

func TestViewerInFrontOfAnOrigin(t *testing.T) {
	var mu sync.Mutex
	var seen []*http.Request
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Clone(r.Context()))
		mu.Unlock()
		switch r.URL.Path {
		case "/partners/culture-desk/feed.json", "/partners/sports/feed.json":
			w.Header().Set("Content-Type", "application/feed+json")
			w.Header().Set("ETag", `"abc"`)
			io.WriteString(w, `{"title":"`+r.URL.Path+`"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer origin.Close()

	culture, _ := partners.Generate()
	sports, _ := partners.Generate()
	created := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	base := edgetest.Start(t, origin.URL, map[string]string{
		partners.Hash(culture): partners.StoreValue("culture-desk", created),
		partners.Hash(sports):  partners.StoreValue("sports", created),
	})
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("base %q", base)
	}
	do := func(method, path, auth string) (int, string, http.Header) {
		req, _ := http.NewRequest(method, base+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body), resp.Header
	}

	code, body, hdr := do("GET", "/partners/culture-desk/feed.json", "Bearer "+culture)
	if code != 200 || body != `{"title":"/partners/culture-desk/feed.json"}` || hdr.Get("ETag") != `"abc"` {
		t.Errorf("with the key: %d %q %v", code, body, hdr)
	}
	if code, body, _ := do("GET", "/partners/culture-desk/feed.json?page=2&key="+culture, ""); code != 200 || !strings.Contains(body, "culture-desk") {
		t.Errorf("with the key in the query: %d %q", code, body)
	}
	for name, tc := range map[string]struct{ path, auth string }{
		"no key":              {"/partners/culture-desk/feed.json", ""},
		"other partner's key": {"/partners/culture-desk/feed.json", "Bearer " + sports},
		"dot-dot":             {"/partners/sports/%2e%2e/culture-desk/feed.json", "Bearer " + sports},
		"unknown key":         {"/partners/culture-desk/feed.json?key=prk_unknown", ""},
	} {
		if code, body, _ := do("GET", tc.path, tc.auth); code != 403 || body != "" {
			t.Errorf("%s: %d %q, want 403 and no body", name, code, body)
		}
	}
	if code, _, _ := do("GET", "/partners/sports/missing.json", "Bearer "+sports); code != 404 {
		t.Errorf("a missing file with a good key: %d (the origin's answer)", code)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 3 {
		t.Fatalf("the origin saw %d requests, want 3 (refused ones never reach it)", len(seen))
	}
	for _, r := range seen {
		if r.Header.Get("Authorization") != "" || strings.Contains(r.URL.RawQuery, "key=") {
			t.Errorf("the key reached the origin: %s %v", r.URL, r.Header)
		}
	}
	if seen[1].URL.RawQuery != "page=2" {
		t.Errorf("the origin got query %q, want page=2", seen[1].URL.RawQuery)
	}
}
