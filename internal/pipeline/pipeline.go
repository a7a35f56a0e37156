// Package pipeline is the one pipeline both modes run: Ingest (parse a
// file, then record it in the index, keeping the last good version when
// it is rejected), Remove, and Publish (render every affected feed once and
// write only the bytes that changed). The local mode adds Sync, which
// feeds a folder through Ingest and Remove.
package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/config"
	"github.com/pressroom/pressroom/internal/feed"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/store"
)

// Pipeline holds the adapters and settings; it is safe for concurrent use
// as far as its adapters are. Publish runs must not overlap (the local
// server serialises them; on AWS the publish function runs alone).
type Pipeline struct {
	Index  index.Index
	Store  store.Store
	Config config.Config
	Now    func() time.Time // defaults to time.Now
	Log    *slog.Logger     // defaults to slog.Default()
}

// Outcome is what happened to one source file.
type Outcome string

// Outcomes of Ingest and Remove.
const (
	Published Outcome = "published" // the article is in the index (it may be a draft or scheduled)
	Rejected  Outcome = "rejected"  // the file was refused; the last good version stays
	Removed   Outcome = "removed"
	Stale     Outcome = "stale"     // an older or repeated event, ignored
	Unchanged Outcome = "unchanged" // the same bytes as last time (local sync only)
)

// Result reports one Ingest or Remove.
type Result struct {
	Key      string
	Outcome  Outcome
	Article  *article.Article
	Problems []article.Problem
	Feeds    []string // feeds to publish again
}

func (p *Pipeline) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Pipeline) log() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.Default()
}

// Site returns the rendering settings.
func (p *Pipeline) Site() feed.Site {
	c := p.Config
	return feed.Site{Title: article.Clean(c.Site.Title), Description: article.Clean(c.Site.Description),
		Language: c.Site.Language, HomeURL: c.BaseURL(), FeedsURL: c.FeedsURL()}
}

// parsed is a file after the parse phase of Ingest, before the index.
type parsed struct {
	key, hash string
	size      int64
	modTime   time.Time
	article   *article.Article
	problems  []article.Problem
}

// parse is the side-effect-free half of Ingest, safe to run in parallel.
func (p *Pipeline) parse(key string, data []byte, modTime time.Time) parsed {
	sum := sha256.Sum256(data)
	out := parsed{key: key, hash: hex.EncodeToString(sum[:]), size: int64(len(data)), modTime: modTime}
	opts := p.Config.ArticleOptions()
	opts.ModTime = modTime
	a, err := article.Parse(key, data, opts)
	if err != nil {
		out.problems = article.Problems(err)
		return out
	}
	out.article = &a
	return out
}

// record is the index half of Ingest.
func (p *Pipeline) record(ctx context.Context, f parsed, version string) (Result, error) {
	src := index.Source{Key: f.key, Version: version, Hash: f.hash, Size: f.size, ModTime: f.modTime, Config: p.ConfigHash()}
	if f.article == nil {
		src.Problems, src.RejectedAt = f.problems, p.now()
		err := p.Index.Reject(ctx, src)
		if errors.Is(err, index.ErrStale) {
			p.log().Info("stale event ignored", "key", f.key, "version", version)
			return Result{Key: f.key, Outcome: Stale}, nil
		}
		if err != nil {
			return Result{}, fmt.Errorf("pipeline: %s: %w", f.key, err)
		}
		p.log().Warn("article rejected", "key", f.key, "version", version, "problems", problemText(f.problems))
		return Result{Key: f.key, Outcome: Rejected, Problems: f.problems}, nil
	}
	src.Article = f.article
	for _, r := range feed.Memberships(f.article, p.Site()) {
		src.Feeds = append(src.Feeds, index.Membership{Feed: r.ID, Label: r.Label})
	}
	changed, err := p.Index.Put(ctx, src)
	if errors.Is(err, index.ErrStale) {
		p.log().Info("stale event ignored", "key", f.key, "version", version)
		return Result{Key: f.key, Outcome: Stale}, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("pipeline: %s: %w", f.key, err)
	}
	p.log().Info("article indexed", "key", f.key, "slug", f.article.Slug, "version", version, "feeds", len(changed))
	return Result{Key: f.key, Outcome: Published, Article: f.article, Feeds: changed}, nil
}

func problemText(ps []article.Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// Ingest parses one uploaded file and records it at version (the S3
// sequencer, or a local counter). A rejected file is recorded with its
// problems and leaves the last good version in place. Only failures of the
// index are returned as errors: they are transient and worth a retry.
func (p *Pipeline) Ingest(ctx context.Context, key, version string, data []byte, modTime time.Time) (Result, error) {
	return p.record(ctx, p.parse(key, data, modTime), version)
}

// RecordRejection records a file refused before it could be parsed (too
// large), keeping the last good version.
func (p *Pipeline) RecordRejection(ctx context.Context, key, version string, problems []article.Problem) (Result, error) {
	return p.record(ctx, parsed{key: key, problems: problems}, version)
}

// Remove deletes the article of a removed file at version.
func (p *Pipeline) Remove(ctx context.Context, key, version string) (Result, error) {
	changed, err := p.Index.Delete(ctx, key, version)
	if errors.Is(err, index.ErrStale) {
		p.log().Info("stale event ignored", "key", key, "version", version)
		return Result{Key: key, Outcome: Stale}, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("pipeline: %s: %w", key, err)
	}
	p.log().Info("article removed", "key", key, "version", version, "feeds", len(changed))
	return Result{Key: key, Outcome: Removed, Feeds: changed}, nil
}

// Report says what a Publish wrote.
type Report struct {
	Written   []string // paths whose bytes changed
	Deleted   []string // paths removed (feeds left empty)
	Unchanged int      // paths rendered to the same bytes
	Rendered  int      // feeds rendered
}

// Merge adds another report's counts and paths.
func (r *Report) Merge(o Report) {
	r.Written = append(r.Written, o.Written...)
	r.Deleted = append(r.Deleted, o.Deleted...)
	r.Unchanged += o.Unchanged
	r.Rendered += o.Rendered
}

// Changed returns every path written or deleted: what a CDN must
// invalidate.
func (r Report) Changed() []string {
	return append(append([]string(nil), r.Written...), r.Deleted...)
}

// Publish renders each of the feeds once, from the index, and writes the
// files whose bytes changed; a feed left with no live article loses its
// files. The index page and the OPML list follow. It is idempotent: run
// twice, the second run writes nothing.
func (p *Pipeline) Publish(ctx context.Context, feeds []string) (rep Report, err error) {
	// One index transaction where the index allows it: reads see a
	// consistent index, and the output hashes commit together.
	err = index.Batch(ctx, p.Index, func(ix index.Index) error {
		q := *p
		q.Index = ix
		rep, err = q.publish(ctx, feeds)
		return err
	})
	return rep, err
}

func (p *Pipeline) publish(ctx context.Context, feeds []string) (Report, error) {
	var rep Report
	now := p.now()
	site := p.Site()
	// One listing of the feeds serves the labels and the pages.
	infos, err := p.Index.Feeds(ctx)
	if err != nil {
		return rep, fmt.Errorf("pipeline: %w", err)
	}
	labels := make(map[string]string, len(infos))
	for _, fi := range infos {
		labels[fi.ID] = fi.Label
	}
	ids := unique(feeds)
	for _, id := range ids {
		items, err := p.Index.Latest(ctx, id, p.Config.Feeds.Limit, now)
		if err != nil {
			return rep, fmt.Errorf("pipeline: feed %q: %w", id, err)
		}
		if len(items) == 0 && id != "" {
			for _, path := range feed.Paths(id) {
				if err := p.remove(ctx, path, &rep); err != nil {
					return rep, err
				}
			}
			continue
		}
		ref := feed.Ref{ID: id, Label: labels[id]}
		r, err := feed.Render(site, ref, items)
		if err != nil {
			return rep, fmt.Errorf("pipeline: render %q: %w", id, err)
		}
		rep.Rendered++
		for _, path := range feed.Paths(id) {
			if err := p.write(ctx, path, r.Bytes(path), &rep); err != nil {
				return rep, err
			}
		}
	}
	if err := p.pages(ctx, site, infos, &rep); err != nil {
		return rep, err
	}
	if err := p.Index.SetOutputHash(ctx, stateLastPublish, now.UTC().Format(time.RFC3339Nano)); err != nil {
		return rep, fmt.Errorf("pipeline: %w", err)
	}
	p.log().Info("published", "feeds", rep.Rendered, "written", len(rep.Written), "deleted", len(rep.Deleted), "unchanged", rep.Unchanged)
	return rep, nil
}

// State kept beside the output hashes; these names cannot be output paths.
const (
	stateLastPublish = ".state/last-publish"
	stateConfig      = ".state/config"
)

// pages renders index.html and feeds.opml from the feeds that have files.
func (p *Pipeline) pages(ctx context.Context, site feed.Site, infos []index.FeedInfo, rep *Report) error {
	var listed []feed.Listed
	for _, fi := range infos {
		h, err := p.Index.OutputHash(ctx, feed.Paths(fi.ID)[0])
		if err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
		if h != "" || fi.ID == "" {
			listed = append(listed, feed.Listed{Ref: feed.Ref{ID: fi.ID, Label: fi.Label}, Count: fi.Count})
		}
	}
	page, err := feed.IndexPage(site, listed)
	if err != nil {
		return fmt.Errorf("pipeline: index page: %w", err)
	}
	if err := p.write(ctx, feed.IndexPath, page, rep); err != nil {
		return err
	}
	opml, err := feed.OPMLPage(site, listed)
	if err != nil {
		return fmt.Errorf("pipeline: opml: %w", err)
	}
	return p.write(ctx, feed.OPMLPath, opml, rep)
}

// write stores body at path unless the index records the same bytes there.
func (p *Pipeline) write(ctx context.Context, path string, body []byte, rep *Report) error {
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	old, err := p.Index.OutputHash(ctx, path)
	if err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	if old == hash {
		rep.Unchanged++
		return nil
	}
	err = p.Store.Put(ctx, path, body, store.PutOptions{ContentType: feed.ContentType(path), CacheControl: feed.CacheControl(path)})
	if err != nil {
		return fmt.Errorf("pipeline: write %s: %w", path, err)
	}
	if err := p.Index.SetOutputHash(ctx, path, hash); err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	rep.Written = append(rep.Written, path)
	return nil
}

func (p *Pipeline) remove(ctx context.Context, path string, rep *Report) error {
	old, err := p.Index.OutputHash(ctx, path)
	if err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	if old == "" {
		return nil
	}
	if err := p.Store.Delete(ctx, path); err != nil {
		return fmt.Errorf("pipeline: delete %s: %w", path, err)
	}
	if err := p.Index.SetOutputHash(ctx, path, ""); err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	rep.Deleted = append(rep.Deleted, path)
	return nil
}

// Due returns the feeds whose scheduled or expiring articles changed state
// since the last Publish: what a scheduled publish renders.
func (p *Pipeline) Due(ctx context.Context) ([]string, error) {
	last, err := p.Index.OutputHash(ctx, stateLastPublish)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	since := time.Time{}
	if t, err := time.Parse(time.RFC3339Nano, last); err == nil {
		since = t
	}
	due, err := p.Index.Due(ctx, since, p.now())
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	return due, nil
}

// AllFeeds returns every feed in the index, and the site feed.
func (p *Pipeline) AllFeeds(ctx context.Context) ([]string, error) {
	infos, err := p.Index.Feeds(ctx)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	ids := []string{""}
	for _, fi := range infos {
		ids = append(ids, fi.ID)
	}
	return unique(ids), nil
}

// ConfigChanged reports whether the configuration differs from the one the
// index was last built with (RecordConfig): every article must then be
// parsed again (URLs depend on it) and every feed rendered again.
func (p *Pipeline) ConfigChanged(ctx context.Context) (bool, error) {
	old, err := p.Index.OutputHash(ctx, stateConfig)
	if err != nil {
		return false, fmt.Errorf("pipeline: %w", err)
	}
	return old != p.ConfigHash(), nil
}

// RecordConfig records the configuration as the one the index is built
// with; call it once a build with it has completed.
func (p *Pipeline) RecordConfig(ctx context.Context) error {
	return p.Index.SetOutputHash(ctx, stateConfig, p.ConfigHash())
}

// ConfigHash identifies the configuration: index records carry the hash of
// the one they were parsed with.
func (p *Pipeline) ConfigHash() string {
	data, _ := json.Marshal(p.Config) // plain strings and numbers: cannot fail
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func unique(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}
