package websub

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// recorder is a hub answering each ping with the next status of a
// script (the last one repeated), recording the topics.
type recorder struct {
	mu       sync.Mutex
	statuses []int
	topics   []string
}

func (h *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.PostForm.Get("hub.mode") != "publish" || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		w.WriteHeader(http.StatusUnsupportedMediaType)
		return
	}
	h.topics = append(h.topics, r.PostForm.Get("hub.url"))
	status := h.statuses[0]
	if len(h.statuses) > 1 {
		h.statuses = h.statuses[1:]
	}
	w.WriteHeader(status)
}

func (h *recorder) calls() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.topics)
}

func hubServer(t *testing.T, statuses ...int) (*recorder, string) {
	h := &recorder{statuses: statuses}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv.URL + "/"
}

func quiet() *Notifier {
	return &Notifier{Backoff: time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func topics(n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, fmt.Sprintf("https://feeds.example.org/tags/t%02d/feed.xml", i))
	}
	return out
}

// TestNotifyRetriesThenSucceeds: a 5xx is tried again; a 2xx is success.
func TestNotifyRetriesThenSucceeds(t *testing.T) {
	h, hub := hubServer(t, 503, 202)
	out := quiet().Notify(context.Background(), []string{hub}, topics(1))
	if len(out) != 1 || out[0].Err != nil || out[0].Attempts != 2 || out[0].Status != 202 || h.calls() != 2 {
		t.Errorf("outcome %+v after %d calls; want success at the second attempt", out, h.calls())
	}
}

// TestNotifyRefusalIsFinal: a 4xx is not tried again, and the hub is
// still told of the other feeds (it answered: it is up).
func TestNotifyRefusalIsFinal(t *testing.T) {
	h, hub := hubServer(t, 400, 204)
	out := quiet().Notify(context.Background(), []string{hub}, topics(3))
	if len(out) != 3 || out[0].Err == nil || out[0].Attempts != 1 || out[1].Err != nil || out[2].Err != nil || h.calls() != 3 {
		t.Errorf("outcomes %+v after %d calls; want the first refused once, the others told", out, h.calls())
	}
}

// TestNotifyStopsAtAHubThatIsDown: a hub that fails every attempt for one
// feed is not called again for the others in the same run (they are
// reported failed, to be kept for the next run); another hub is told of
// every feed. Trying each feed in turn would cost the retries' backoff
// once per feed: with the default 1 s + 2 s and a backlog of a hundred
// feeds, past the publish function's timeout, on every run while the hub
// is down.
func TestNotifyStopsAtAHubThatIsDown(t *testing.T) {
	down, downURL := hubServer(t, 500)
	up, upURL := hubServer(t, 204)
	urls := topics(20)
	n := quiet()
	out := n.Notify(context.Background(), []string{downURL, upURL}, urls)
	if len(out) != 2*len(urls) {
		t.Fatalf("%d outcomes, want %d", len(out), 2*len(urls))
	}
	for _, o := range out {
		if (o.Hub == downURL) != (o.Err != nil) {
			t.Errorf("outcome %+v", o)
		}
	}
	if down.calls() != 3 {
		t.Errorf("the hub that is down was called %d times, want 3 (one feed's attempts)", down.calls())
	}
	if up.calls() != len(urls) {
		t.Errorf("the other hub was called %d times, want %d", up.calls(), len(urls))
	}
}
func TestNotifyRetriesWhatIsWorthIt(t *testing.T) {
	var calls atomic.Int32
	status := []int{503, 429, 202}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.Form.Get("hub.mode") != "publish" || r.Form.Get("hub.url") != "https://feeds.example.org/feed.xml" ||
			r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			http.Error(w, "bad ping", 400)
			return
		}
		n := calls.Add(1)
		w.WriteHeader(status[min(int(n)-1, len(status)-1)])
	}))
	defer srv.Close()
	n := &Notifier{Backoff: time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	out := n.Notify(context.Background(), []string{srv.URL}, []string{"https://feeds.example.org/feed.xml"})
	if len(out) != 1 || out[0].Err != nil || out[0].Attempts != 3 || out[0].Status != 202 {
		t.Errorf("after a 503 and a 429: %+v", out)
	}
	// A refusal (4xx) is final; a hub that never answers well fails after
	// the attempts.
	calls.Store(0)
	status = []int{404}
	if out := n.Notify(context.Background(), []string{srv.URL}, []string{"https://feeds.example.org/feed.xml"}); out[0].Err == nil || out[0].Attempts != 1 {
		t.Errorf("a 404: %+v", out)
	}
	status = []int{500}
	n.Attempts = 2
	if out := n.Notify(context.Background(), []string{srv.URL}, []string{"https://feeds.example.org/feed.xml"}); out[0].Err == nil || out[0].Attempts != 2 {
		t.Errorf("a hub always failing: %+v", out)
	}
	// A hub nobody listens at.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	if out := n.Notify(context.Background(), []string{dead.URL}, []string{"https://feeds.example.org/feed.xml"}); out[0].Err == nil {
		t.Errorf("an unreachable hub: %+v", out)
	}
}
