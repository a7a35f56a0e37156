package handler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"

	article "github.com/pressroom/pressroom/internal/article/model"
	"github.com/pressroom/pressroom/internal/config"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/pipeline"
	"github.com/pressroom/pressroom/internal/store"
)

// Ingest handles S3 ObjectCreated and ObjectRemoved events for the
// articles prefix and the configuration key, and a schedule that finishes
// any re-parse a new configuration or a new parser started.
type Ingest struct {
	Deps *Deps
	Now  func() time.Time // defaults to time.Now
	// Parse is internal/article's Parse, set by the ingest function's
	// main: this package, which the publish function shares, imports only
	// the model, so that publish links no parser.
	Parse func(name string, data []byte, opts article.Options) (article.Article, error)
}

// Report is what the ingest function writes under the reports prefix for
// every article it processes, where editors (and `status` tooling) read it.
type Report struct {
	Key      string    `json:"key"`
	Version  string    `json:"version"`
	OK       bool      `json:"ok"`
	Outcome  string    `json:"outcome"`
	Problems []Problem `json:"problems,omitempty"`
	// Warnings are what a published article fell back on (its date from
	// the upload time, its title from the first paragraph).
	Warnings   []Problem `json:"warnings,omitempty"`
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

// ingestEvent is any event the function takes: an S3 notification, the
// schedule, or the record Lambda sends to the on-failure destination
// (replaying a failed event is invoking the function with that record).
type ingestEvent struct {
	Records        []events.S3EventRecord `json:"Records"`
	Source         string                 `json:"source"`
	DetailType     string                 `json:"detail-type"`
	RequestPayload json.RawMessage        `json:"requestPayload"`
}

// Handle processes an event. A rejected file is reported and not retried;
// an error (the index or S3 unreachable) is returned so Lambda retries,
// then sends the event to the on-failure destination.
func (h *Ingest) Handle(ctx context.Context, raw json.RawMessage) error {
	log := logger(ctx, "ingest")
	var ev ingestEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return fmt.Errorf("handler: ingest event: %w", err)
	}
	if len(ev.RequestPayload) > 0 {
		log.Info("replaying a failed event")
		return h.Handle(ctx, ev.RequestPayload)
	}
	scheduled := len(ev.Records) == 0 && (ev.Source == "aws.events" || ev.DetailType == "Scheduled Event")
	if len(ev.Records) == 0 && !scheduled {
		return errors.New("handler: ingest: neither an S3 notification nor a scheduled event")
	}
	if err := h.adoptConfig(ctx, log); err != nil {
		return err
	}
	cfg, err := h.Deps.loadConfig(ctx)
	if err != nil {
		return err
	}
	if scheduled {
		// Files left waiting on a claim now free, then any re-parse left
		// unfinished (a new parser after a deploy, a re-parse cut short).
		again, err := h.pipeline(cfg, log).RetryWaiting(ctx, h.Deps.Articles)
		for _, r := range again {
			if err := h.report(ctx, cfg, r, "", true, log); err != nil {
				return err
			}
		}
		if err != nil {
			return err
		}
		return h.reparse(ctx, cfg, log)
	}
	for _, r := range ev.Records {
		key := r.S3.Object.URLDecodedKey
		seq := r.S3.Object.Sequencer
		switch {
		case key == h.Deps.Settings.ConfigKey && strings.HasPrefix(r.EventName, "ObjectCreated"):
			if err := h.config(ctx, seq, log); err != nil {
				return err
			}
			if cfg, err = h.Deps.loadConfig(ctx); err != nil {
				return err
			}
		case !strings.HasPrefix(key, h.Deps.Settings.ArticlesPrefix) || article.Format(key) == "":
			// The trigger is on the prefix (S3 suffix filters are case
			// sensitive): the extension is judged here, in any case.
			log.Info("ignored", "key", key, "event", r.EventName, "reason", "not an article file under the articles prefix")
		default:
			if err := h.apply(ctx, cfg, key, seq, log); err != nil {
				return err
			}
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
	return &pipeline.Pipeline{Index: h.Deps.Index, Config: cfg, Now: h.now, Log: log, Parse: h.Parse}
}

// adoptConfig, once per stack, stores in the index the pressroom.yaml the
// articles bucket holds: a stack upgraded from the first release has its
// configuration there only (that release read it from the bucket at every
// invocation). Publish waits for it (see Deps.loadConfig).
func (h *Ingest) adoptConfig(ctx context.Context, log *slog.Logger) error {
	checked, err := h.Deps.Index.State(ctx, StateConfigChecked)
	if err != nil || checked != "" {
		return err
	}
	if text, err := h.Deps.Index.State(ctx, StateConfig); err != nil {
		return err
	} else if text == "" {
		obj, err := h.Deps.Bucket.Get(ctx, h.Deps.Settings.ConfigKey, store.GetOptions{MaxBytes: index.MaxState})
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil && !errors.Is(err, store.ErrTooLarge):
			return fmt.Errorf("handler: read %s: %w", h.Deps.Settings.ConfigKey, err)
		case err == nil:
			if _, perr := config.Parse(h.Deps.Settings.ConfigKey, obj.Body); perr == nil {
				// Version 0: any configuration event is newer.
				if _, err := h.Deps.Index.SetStateNewer(ctx, StateConfig, string(obj.Body), "0"); err != nil {
					return err
				}
				log.Info("configuration adopted from the bucket", "key", h.Deps.Settings.ConfigKey)
			}
		}
	}
	return h.Deps.Index.SetState(ctx, StateConfigChecked, "yes")
}

// apply brings one article key in line with the bucket: whatever the
// event's name (a create, a delete, a delete marker removed to undelete, an
// old version deleted), the object's current state is what counts. When a
// new configuration came into force while it was parsed, it is parsed
// again under that one: a configuration's re-parse lists the articles only
// after storing it, so no article parsed under the old one is missed.
func (h *Ingest) apply(ctx context.Context, cfg config.Config, key, seq string, log *slog.Logger) error {
	rel := strings.TrimPrefix(key, h.Deps.Settings.ArticlesPrefix)
	res, err := h.applyCurrent(ctx, cfg, rel, seq, log)
	if err != nil {
		return err
	}
	log.Info("ingested", "key", key, "sequencer", seq, "outcome", res.Outcome, "feeds", len(res.Feeds))
	for _, r := range append([]pipeline.Result{res}, res.Again...) {
		if err := h.report(ctx, cfg, r, seq, true, log); err != nil {
			return err
		}
	}
	return nil
}

// applyCurrent applies key under cfg, then again under the configuration
// in force if that changed meanwhile.
func (h *Ingest) applyCurrent(ctx context.Context, cfg config.Config, rel, version string, log *slog.Logger) (pipeline.Result, error) {
	res, err := h.pipeline(cfg, log).Apply(ctx, h.Deps.Articles, rel, version)
	if err != nil {
		return res, err
	}
	now, err := h.Deps.loadConfig(ctx)
	if err != nil {
		return res, err
	}
	if p := h.pipeline(now, log); p.ConfigHash() != h.pipeline(cfg, log).ConfigHash() {
		log.Info("configuration changed while parsing: parsing again", "key", rel)
		return p.Apply(ctx, h.Deps.Articles, rel, version)
	}
	return res, nil
}

// report writes (or, for a removal, deletes) the report of one result,
// and tells editors of a rejection (when tellRejection) or of a first
// publication. The configuration cfg gives the feeds' URLs.
func (h *Ingest) report(ctx context.Context, cfg config.Config, res pipeline.Result, seq string, tellRejection bool, log *slog.Logger) error {
	key := h.Deps.Settings.ArticlesPrefix + res.Key
	switch res.Outcome {
	case pipeline.Stale, pipeline.Unchanged:
		return nil
	case pipeline.Removed:
		for _, ext := range []string{".json", ".txt"} {
			if err := h.Deps.Reports.Delete(ctx, key+ext); err != nil {
				return fmt.Errorf("handler: delete report for %s: %w", key, err)
			}
		}
		return nil
	}
	now := h.now()
	rep := Report{Key: key, Version: seq, OK: res.Outcome == pipeline.Published, Outcome: string(res.Outcome),
		Problems: problems(res.Problems), ReportedAt: now.UTC()}
	var msg Message
	tell := false
	if res.Article != nil {
		rep.ArticleID = res.Article.ID
		rep.Warnings = problems(res.Article.Warnings)
		msg = publicationMessage(key, res.Article, h.pipeline(cfg, log).Site(), res.First, h.textReportKey(key), now)
		tell = res.First
	} else {
		msg = rejectionMessage(key, rep.Problems, keptText(res.Kept, now), h.textReportKey(key))
		tell = tellRejection
	}
	if err := h.writeReport(ctx, key, rep, msg.Text); err != nil {
		return err
	}
	if tell {
		h.notify(ctx, msg, key, log)
	}
	return nil
}

// config handles an upload of the configuration: a valid one becomes the
// configuration in force (stored in the index, where both functions read
// it), every article is parsed again, and every feed is marked for
// publishing; an invalid one is reported and the previous one stays in
// force. The object's current bytes are read, so events delivered late or
// twice converge on the newest upload.
func (h *Ingest) config(ctx context.Context, seq string, log *slog.Logger) error {
	key := h.Deps.Settings.ConfigKey
	obj, err := h.Deps.Bucket.Get(ctx, key, store.GetOptions{MaxBytes: index.MaxState})
	switch {
	case errors.Is(err, store.ErrNotFound):
		log.Info("ignored", "key", key, "reason", "the configuration was deleted since; the one in force stays")
		return nil
	case errors.Is(err, store.ErrTooLarge):
		return h.rejectConfig(ctx, seq, fmt.Sprintf("the file is larger than %d bytes", index.MaxState), log)
	case err != nil:
		return fmt.Errorf("handler: read %s: %w", key, err)
	}
	cfg, err := config.Parse(key, obj.Body)
	if err != nil {
		return h.rejectConfig(ctx, seq, err.Error(), log)
	}
	// The object's current bytes, at the event's sequencer: of two
	// configuration events handled at once, the newer's stays.
	wrote, err := h.Deps.Index.SetStateNewer(ctx, StateConfig, string(obj.Body), seq)
	if err != nil {
		return err
	}
	if !wrote {
		current, err := h.Deps.Index.State(ctx, StateConfig)
		if err != nil {
			return err
		}
		if current != string(obj.Body) {
			log.Info("stale configuration event ignored", "key", key, "sequencer", seq)
			return nil
		}
	}
	log.Info("configuration changed", "key", key, "sequencer", seq)
	text := fmt.Sprintf("Configuration in force: %s\n\nThis upload of %s is the configuration in force; every article is parsed again with it, and every feed published again.\n", key, key)
	if err := h.writeReport(ctx, key, Report{Key: key, Version: seq, OK: true, Outcome: "published", ReportedAt: h.now().UTC()}, text); err != nil {
		return err
	}
	return h.reparse(ctx, cfg, log)
}

func (h *Ingest) rejectConfig(ctx context.Context, seq, why string, log *slog.Logger) error {
	key := h.Deps.Settings.ConfigKey
	log.Warn("configuration rejected", "key", key, "error", why)
	msg := rejectionMessage(key, []Problem{{Field: "config", Message: why}}, "The configuration in force stays: the feeds do not change.", h.textReportKey(key))
	if err := h.writeReport(ctx, key, Report{Key: key, Version: seq, Outcome: "rejected",
		Problems: []Problem{{Field: "config", Message: why + " (the configuration in force stays)"}}, ReportedAt: h.now().UTC()}, msg.Text); err != nil {
		return err
	}
	h.notify(ctx, msg, key, log)
	return nil
}

// reparseWorkers is how many articles are parsed again at once after a
// configuration change; reparseMargin is the time kept before the
// invocation's deadline.
const (
	reparseWorkers = 16
	reparseMargin  = 15 * time.Second
)

// reparse parses again, at their current version, every article recorded
// under another processing hash (configuration and parser), then marks
// every feed for publishing. It stops before the invocation's deadline and
// returns an error: Lambda retries a configuration event, and the schedule
// resumes any re-parse left unfinished (after a deploy with a new parser,
// say); what is done already is skipped.
func (h *Ingest) reparse(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	p := h.pipeline(cfg, log)
	want := p.ConfigHash()
	done, err := h.Deps.Index.State(ctx, StateProcessed)
	if err != nil || done == want {
		return err
	}
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
	var finished atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < reparseWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range jobs {
				res, err := h.applyCurrent(ctx, cfg, s.Key, s.Version, log)
				if err == nil {
					// A file rejected before and still rejected is not
					// announced again at each configuration change.
					tell := len(s.Problems) == 0
					for i, r := range append([]pipeline.Result{res}, res.Again...) {
						if err = h.report(ctx, cfg, r, s.Version, tell || i > 0, log); err != nil {
							break
						}
					}
				}
				if err != nil {
					errs <- err
					return
				}
				finished.Add(1)
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
	log.Info("articles parsed again", "done", finished.Load(), "todo", len(todo))
	if firstErr != nil {
		return firstErr
	}
	if left := int64(len(todo)) - finished.Load(); left > 0 {
		return fmt.Errorf("handler: configuration change: %d of %d articles left to parse again; the retry or the schedule resumes", left, len(todo))
	}
	// Site settings reach every feed (titles, links): render them all.
	if err := h.Deps.Index.MarkPending(ctx, index.Work{}, true); err != nil {
		return err
	}
	// Done, unless another configuration came into force meanwhile: its
	// own re-parse (or the schedule) finishes the work.
	if now, err := h.Deps.loadConfig(ctx); err != nil || h.pipeline(now, log).ConfigHash() != want {
		return err
	}
	return h.Deps.Index.SetState(ctx, StateProcessed, want)
}

// reportName is where the reports of key go under the reports prefix,
// without the extension: the key itself, or, for a key no path can be made
// of, a name derived from it (the report names the key).
func reportName(key string) string {
	if store.CheckKey(key+".json") != nil {
		sum := sha256.Sum256([]byte(key))
		return "invalid-names/" + hex.EncodeToString(sum[:16])
	}
	return key
}

// textReportKey is the bucket key of key's plain-text report.
func (h *Ingest) textReportKey(key string) string {
	return h.Deps.Settings.ReportsPrefix + reportName(key) + ".txt"
}

// writeReport writes the JSON report and its plain-text twin, the words
// editors are sent.
func (h *Ingest) writeReport(ctx context.Context, key string, rep Report, text string) error {
	body, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return fmt.Errorf("handler: encode report for %s: %w", key, err)
	}
	name := reportName(key)
	if err := h.Deps.Reports.Put(ctx, name+".json", body, store.PutOptions{ContentType: "application/json"}); err != nil {
		return fmt.Errorf("handler: write report for %s: %w", key, err)
	}
	if err := h.Deps.Reports.Put(ctx, name+".txt", []byte(text), store.PutOptions{ContentType: "text/plain; charset=utf-8"}); err != nil {
		return fmt.Errorf("handler: write report for %s: %w", key, err)
	}
	return nil
}
