package pipeline_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/store"
	"github.com/pressroom/pressroom/internal/websub"
)

// TestWebSubPingsLiveFeedsOnly: the hubs are told of the live public
// feeds a publish changed (the files a subscriber subscribes to, which
// name the hub), never of archive pages, which carry no hub link.
func TestWebSubPingsLiveFeedsOnly(t *testing.T) {
	var mu sync.Mutex
	var pinged []string
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		mu.Lock()
		pinged = append(pinged, r.PostForm.Get("hub.url"))
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hub.Close()
	e := newEnv(t, index.NewMemory(), store.NewMemory())
	e.p.Config.WebSub.Hubs = []string{hub.URL + "/"}
	e.p.WebSub = &websub.Notifier{Backoff: time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	e.ingest("a.md", md("One", "2021-05-01T10:00:00Z", "tags: [x]"))
	rep := e.publish()

	want := []string{"https://feeds.example.org/atom.xml", "https://feeds.example.org/feed.json", "https://feeds.example.org/feed.xml",
		"https://feeds.example.org/languages/ar/atom.xml", "https://feeds.example.org/languages/ar/feed.json", "https://feeds.example.org/languages/ar/feed.xml",
		"https://feeds.example.org/tags/x/atom.xml", "https://feeds.example.org/tags/x/feed.json", "https://feeds.example.org/tags/x/feed.xml"}
	sort.Strings(pinged)
	eq(t, "pinged", pinged, want)
	got := append([]string(nil), rep.Pinged...)
	sort.Strings(got)
	eq(t, "Report.Pinged", got, want)
}
