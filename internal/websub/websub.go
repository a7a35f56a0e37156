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
	"sync/atomic"
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
// take several hub.url at once). A 2xx answer is success; a 4xx is final
// for that URL; a 5xx, 429 or a network error is tried again. Each hub is
// first told of one URL alone: a hub that still fails after its attempts
// is down, and is not called for the URLs left, which fail with it (an
// outage costs one URL's retries per call, not one per URL); otherwise
// the rest go Parallel at a time, and stop the same way should the hub
// go down meanwhile. When ctx ends, what is left fails at once. It logs
// one line per outcome (one for the URLs a down hub was not called for)
// and returns them all, failures included, hub by hub in the order of
// urls.
func (n *Notifier) Notify(ctx context.Context, hubs, urls []string) []Outcome {
	out := make([]Outcome, 0, len(hubs)*len(urls))
	for _, hub := range hubs {
		out = append(out, n.notifyHub(ctx, hub, urls)...)
	}
	return out
}

func (n *Notifier) notifyHub(ctx context.Context, hub string, urls []string) []Outcome {
	out := make([]Outcome, len(urls))
	if len(urls) == 0 {
		return out
	}
	var isDown atomic.Bool
	var cause atomic.Value
	call := func(i int) {
		if isDown.Load() {
			out[i] = Outcome{Hub: hub, URL: urls[i], Err: fmt.Errorf("not called: the hub is down (%v)", cause.Load())}
			return
		}
		o := n.ping(ctx, hub, urls[i])
		out[i] = o
		if o.Err == nil {
			n.log().Info("websub ping", "hub", hub, "url", o.URL, "status", o.Status, "attempts", o.Attempts)
			return
		}
		n.log().Warn("websub ping failed", "hub", hub, "url", o.URL, "status", o.Status, "attempts", o.Attempts, "error", o.Err)
		if down(o) && isDown.CompareAndSwap(false, true) {
			cause.Store(o.Err.Error())
		}
	}
	call(0)
	workers := n.Parallel
	if workers <= 0 {
		workers = 8
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(workers, len(urls)-1); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				call(i)
			}
		}()
	}
	for i := 1; i < len(urls); i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	skipped := 0
	for _, o := range out {
		if o.Attempts == 0 && o.Err != nil {
			skipped++
		}
	}
	if skipped > 0 {
		n.log().Warn("websub hub down", "hub", hub, "not_called", skipped, "error", cause.Load())
	}
	return out
}

// down reports whether a failed outcome shows the hub unable to take
// pings (it failed, and not by refusing this URL with a 4xx other than
// 429).
func down(o Outcome) bool { return o.Retryable() }

// Retryable reports whether a ping failed in a way worth trying again
// later (the hub down, unreachable, busy), rather than succeeding or
// being refused (a 4xx other than 429: asking again will not help).
func (o Outcome) Retryable() bool {
	refused := o.Status >= 400 && o.Status < 500 && o.Status != http.StatusTooManyRequests
	return o.Err != nil && !refused
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
