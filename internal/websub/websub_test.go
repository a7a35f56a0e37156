package websub

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

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
