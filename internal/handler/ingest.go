package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/config"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/pipeline"
	"github.com/pressroom/pressroom/internal/store"
)

// Ingest handles S3 ObjectCreated and ObjectRemoved events for the
// articles prefix and the configuration key.
type Ingest struct {
	Deps *Deps
	Now  func() time.Time // defaults to time.Now
}

// Report is what the ingest function writes under the reports prefix for
// every article it processes, where editors (and `status` tooling) read it.
type Report struct {
	Key        string    `json:"key"`
	Version    string    `json:"version"`
	OK         bool      `json:"ok"`
	Outcome    string    `json:"outcome"`
	Problems   []Problem `json:"problems,omitempty"`
	ArticleID  string    `json:"article_id,omitempty"`
	ReportedAt time.Time `json:"reported_at"`
}

// Problem is one reason in a report, shaped as in `pressroom check --json`.
type Problem struct {
	Field   string `json:"field"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

func problems(ps []article.Problem) []Problem {
	out := make([]Problem, len(ps))
	for i, p := range ps {
		out[i] = Problem{Field: p.Field, Line: p.Line, Message: p.Message}
	}
	return out
}

// Handle processes every record. A rejected file is reported and not
// retried; an error (the index or S3 unreachable) is returned so Lambda
// retries, then sends the event to the on-failure destination.
func (h *Ingest) Handle(ctx context.Context, ev events.S3Event) error {
	log := logger(ctx, "ingest")
	cfg, err := h.Deps.loadConfig(ctx)
	if err != nil && !errors.Is(err, errConfig) {
		return err
	}
	configErr := err
	for _, r := range ev.Records {
		key := r.S3.Object.URLDecodedKey
		seq := r.S3.Object.Sequencer
		switch {
		case key == h.Deps.Settings.ConfigKey:
			if err := h.config(ctx, cfg, configErr, seq, log); err != nil {
				return err
			}
		case !strings.HasPrefix(key, h.Deps.Settings.ArticlesPrefix) || article.Format(key) == "":
			log.Info("ignored", "key", key, "reason", "not an article under the articles prefix")
		case configErr != nil:
			// Without a configuration, articles cannot be parsed: retry later.
			return configErr
		case strings.HasPrefix(r.EventName, "ObjectRemoved"):
			p := h.pipeline(cfg, log)
			res, err := p.Remove(ctx, strings.TrimPrefix(key, h.Deps.Settings.ArticlesPrefix), seq)
			if err != nil {
				return err
			}
			log.Info("removed", "key", key, "outcome", res.Outcome, "feeds", len(res.Feeds))
			if res.Outcome == pipeline.Removed {
				h.deleteReport(ctx, key)
			}
		case strings.HasPrefix(r.EventName, "ObjectCreated"):
			if err := h.created(ctx, cfg, r, log); err != nil {
				return err
			}
		default:
			log.Info("ignored", "key", key, "event", r.EventName)
		}
	}
	return nil
}

func (h *Ingest) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Ingest) pipeline(cfg config.Config, log *slog.Logger) *pipeline.Pipeline {
	return &pipeline.Pipeline{Index: h.Deps.Index, Store: h.Deps.Feeds, Config: cfg, Now: h.now, Log: log}
}

// created ingests one uploaded article.
func (h *Ingest) created(ctx context.Context, cfg config.Config, r events.S3EventRecord, log *slog.Logger) error {
	key, seq := r.S3.Object.URLDecodedKey, r.S3.Object.Sequencer
	rel := strings.TrimPrefix(key, h.Deps.Settings.ArticlesPrefix)
	max := cfg.MaxFileBytes()
	if r.S3.Object.Size > max {
		// Refused before reading a byte of it.
		return h.reject(ctx, cfg, key, rel, seq, article.Problems(tooLarge(rel, r.S3.Object.Size, max)), log)
	}
	out, err := h.Deps.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &h.Deps.Settings.ArticlesBucket, Key: aws.String(key)})
	if store.IsS3NotFound(err) {
		// Deleted since: the ObjectRemoved event will follow.
		log.Info("ignored", "key", key, "reason", "object no longer exists")
		return nil
	}
	if err != nil {
		return fmt.Errorf("handler: get %s: %w", key, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, max+1))
	if err != nil {
		return fmt.Errorf("handler: read %s: %w", key, err)
	}
	if int64(len(data)) > max {
		return h.reject(ctx, cfg, key, rel, seq, article.Problems(tooLarge(rel, int64(len(data)), max)), log)
	}
	modTime := r.EventTime
	if out.LastModified != nil {
		modTime = *out.LastModified
	}
	res, err := h.pipeline(cfg, log).Ingest(ctx, rel, seq, data, modTime)
	if err != nil {
		return err
	}
	rep := Report{Key: key, Version: seq, OK: res.Outcome != pipeline.Rejected, Outcome: string(res.Outcome), Problems: problems(res.Problems), ReportedAt: h.now().UTC()}
	if res.Article != nil {
		rep.ArticleID = res.Article.ID
	}
	log.Info("ingested", "key", key, "sequencer", seq, "outcome", res.Outcome, "feeds", len(res.Feeds))
	if res.Outcome == pipeline.Stale {
		return nil
	}
	return h.writeReport(ctx, key, rep)
}

func tooLarge(name string, size, max int64) error {
	return &article.Error{File: name, Problems: []article.Problem{{Field: "file",
		Message: fmt.Sprintf("the file is %d bytes, larger than the %d-byte limit (articles.max_file_size)", size, max)}}}
}

// reject records a file refused before parsing.
func (h *Ingest) reject(ctx context.Context, cfg config.Config, key, rel, seq string, ps []article.Problem, log *slog.Logger) error {
	p := h.pipeline(cfg, log)
	res, err := p.RecordRejection(ctx, rel, seq, ps)
	if err != nil {
		return err
	}
	if res.Outcome == pipeline.Stale {
		return nil
	}
	return h.writeReport(ctx, key, Report{Key: key, Version: seq, Outcome: string(res.Outcome), Problems: problems(ps), ReportedAt: h.now().UTC()})
}

// config handles an upload of the configuration: a valid one republishes
// every feed (the publish function sees the CONFIG record); an invalid one
// is reported and the previous one stays in force.
func (h *Ingest) config(ctx context.Context, cfg config.Config, configErr error, seq string, log *slog.Logger) error {
	key := h.Deps.Settings.ConfigKey
	if configErr != nil {
		log.Warn("configuration rejected", "key", key, "error", configErr.Error())
		return h.writeReport(ctx, key, Report{Key: key, Version: seq, Outcome: "rejected",
			Problems: []Problem{{Field: "config", Message: configErr.Error()}}, ReportedAt: h.now().UTC()})
	}
	// Article URLs and languages depend on the configuration: parse every
	// article again before the publish function renders every feed.
	if err := h.reparse(ctx, cfg, log); err != nil {
		return err
	}
	if err := h.Deps.Index.SetOutputHash(ctx, ConfigMarker, seq); err != nil {
		return err
	}
	log.Info("configuration changed", "key", key, "sequencer", seq)
	return h.writeReport(ctx, key, Report{Key: key, Version: seq, OK: true, Outcome: "published", ReportedAt: h.now().UTC()})
}

// reparseWorkers is how many articles are parsed again at once after a
// configuration change; reparseMargin is the time kept before the
// invocation's deadline.
const (
	reparseWorkers = 16
	reparseMargin  = 15 * time.Second
)

// reparse parses again, at their current version, every article recorded
// with another configuration. It stops before the invocation's deadline
// and returns an error: Lambda retries the event, and the retry skips what
// is already done (records then carry the new configuration's hash).
func (h *Ingest) reparse(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	p := h.pipeline(cfg, log)
	want := p.ConfigHash()
	list, err := h.Deps.Index.List(ctx)
	if err != nil {
		return err
	}
	var todo []index.Summary
	for _, s := range list {
		if !s.Deleted && (s.HasArticle || len(s.Problems) > 0) && s.Config != want {
			todo = append(todo, s)
		}
	}
	stop := time.Time{}
	if d, ok := ctx.Deadline(); ok {
		stop = d.Add(-reparseMargin)
	}
	jobs := make(chan index.Summary)
	errs := make(chan error, reparseWorkers)
	var done atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < reparseWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range jobs {
				if err := h.reparseOne(ctx, p, cfg, s); err != nil {
					errs <- err
					return
				}
				done.Add(1)
			}
		}()
	}
	var firstErr error
feed:
	for _, s := range todo {
		if !stop.IsZero() && time.Now().After(stop) {
			break
		}
		select {
		case jobs <- s:
		case firstErr = <-errs:
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr == nil {
		select {
		case firstErr = <-errs:
		default:
		}
	}
	log.Info("articles parsed again", "done", done.Load(), "todo", len(todo))
	if firstErr != nil {
		return firstErr
	}
	if left := int64(len(todo)) - done.Load(); left > 0 {
		return fmt.Errorf("handler: configuration change: %d of %d articles left to parse again; the retry resumes", left, len(todo))
	}
	return nil
}

func (h *Ingest) reparseOne(ctx context.Context, p *pipeline.Pipeline, cfg config.Config, s index.Summary) error {
	key := h.Deps.Settings.ArticlesPrefix + s.Key
	out, err := h.Deps.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &h.Deps.Settings.ArticlesBucket, Key: aws.String(key)})
	if store.IsS3NotFound(err) {
		return nil // removed: its ObjectRemoved event does the rest
	}
	if err != nil {
		return fmt.Errorf("handler: get %s: %w", key, err)
	}
	defer out.Body.Close()
	max := cfg.MaxFileBytes()
	data, err := io.ReadAll(io.LimitReader(out.Body, max+1))
	if err != nil {
		return fmt.Errorf("handler: read %s: %w", key, err)
	}
	if int64(len(data)) > max {
		_, err := p.RecordRejection(ctx, s.Key, s.Version, article.Problems(tooLarge(s.Key, int64(len(data)), max)))
		return err
	}
	modTime := s.ModTime
	if out.LastModified != nil {
		modTime = *out.LastModified
	}
	_, err = p.Ingest(ctx, s.Key, s.Version, data, modTime)
	return err
}

// ConfigMarker is the index entry the ingest function updates when the
// configuration changes; the publish function renders every feed when its
// stream record arrives.
const ConfigMarker = ".state/config-upload"

func (h *Ingest) reportKey(key string) string {
	return h.Deps.Settings.ReportsPrefix + key + ".json"
}

func (h *Ingest) writeReport(ctx context.Context, key string, rep Report) error {
	body, _ := json.MarshalIndent(rep, "", "  ")
	_, err := h.Deps.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: &h.Deps.Settings.ArticlesBucket, Key: aws.String(h.reportKey(key)),
		Body: bytes.NewReader(body), ContentType: aws.String("application/json")})
	if err != nil {
		return fmt.Errorf("handler: write report for %s: %w", key, err)
	}
	return nil
}

func (h *Ingest) deleteReport(ctx context.Context, key string) {
	h.Deps.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &h.Deps.Settings.ArticlesBucket, Key: aws.String(h.reportKey(key))})
}
