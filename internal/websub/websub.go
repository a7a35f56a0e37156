// Package websub tells WebSub hubs (W3C WebSub, the PubSubHubbub publish
// ping) that a feed changed, so subscribers get it pushed within seconds
// instead of at their next poll.
package websub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Notifier pings hubs. The zero value is usable.
type Notifier struct {
	Client   *http.Client  // default: a client with a 10 s timeout
	Attempts int           // per hub and URL, default 3
	Backoff  time.Duration // before the second attempt, doubled after; default 1 s
	Parallel int           // pings at once, default 8
	Log      *slog.Logger  // default slog.Default()
}

// Outcome is the result of telling one hub about one feed URL.
type Outcome struct {
	Hub, URL string
	Status   int // the hub's last HTTP status, 0 when none answered
	Attempts int
	Err      error // nil when the hub accepted the ping
}

// Notify tells every hub that each of urls changed: one POST of
// hub.mode=publish and hub.url per hub and URL (hubs differ in whether they
// take several hub.url at once), at most Parallel at a time. A 2xx answer
// is success; a 4xx is final; a 5xx, 429 or a network error is tried
// again. When ctx ends, what is left fails at once. It logs one line per
// outcome and returns them all, failures included, in the order given.
func (n *Notifier) Notify(ctx context.Context, hubs, urls []string) []Outcome {
	type job struct {
		i        int
		hub, url string
	}
	var jobs []job
	for _, hub := range hubs {
		for _, u := range urls {
			jobs = append(jobs, job{len(jobs), hub, u})
		}
	}
	out := make([]Outcome, len(jobs))
	workers := n.Parallel
	if workers <= 0 {
		workers = 8
	}
	next := make(chan job)
	var wg sync.WaitGroup
	for w := 0; w < min(workers, len(jobs)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				o := n.ping(ctx, j.hub, j.url)
				out[j.i] = o
				if o.Err != nil {
					n.log().Warn("websub ping failed", "hub", j.hub, "url", j.url, "status", o.Status, "attempts", o.Attempts, "error", o.Err)
				} else {
					n.log().Info("websub ping", "hub", j.hub, "url", j.url, "status", o.Status, "attempts", o.Attempts)
				}
			}
		}()
	}
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	return out
}

func (n *Notifier) log() *slog.Logger {
	if n.Log != nil {
		return n.Log
	}
	return slog.Default()
}

var defaultClient = &http.Client{Timeout: 10 * time.Second}

func (n *Notifier) ping(ctx context.Context, hub, topic string) Outcome {
	client, attempts, wait := n.Client, n.Attempts, n.Backoff
	if client == nil {
		client = defaultClient
	}
	if attempts <= 0 {
		attempts = 3
	}
	if wait <= 0 {
		wait = time.Second
	}
	o := Outcome{Hub: hub, URL: topic}
	if err := ctx.Err(); err != nil {
		o.Err = err
		return o
	}
	body := url.Values{"hub.mode": {"publish"}, "hub.url": {topic}}.Encode()
	for o.Attempts < attempts {
		if o.Attempts > 0 {
			select {
			case <-ctx.Done():
				o.Err = ctx.Err()
				return o
			case <-time.After(wait):
			}
			wait *= 2
		}
		o.Attempts++
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, hub, strings.NewReader(body))
		if err != nil {
			o.Err = err
			return o
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("User-Agent", "pressroom")
		resp, err := client.Do(req)
		if err != nil {
			o.Err = err
			if ctx.Err() != nil {
				return o
			}
			continue
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		o.Status = resp.StatusCode
		switch {
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			o.Err = nil
			return o
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
			o.Err = fmt.Errorf("hub answered %s", resp.Status)
		default:
			o.Err = fmt.Errorf("hub refused the ping: %s", resp.Status)
			return o
		}
	}
	if o.Err == nil {
		o.Err = errors.New("no attempt made")
	}
	return o
}
