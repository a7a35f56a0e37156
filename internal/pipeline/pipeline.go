// Package pipeline is the one pipeline both modes run: Apply (bring one
// source key in line with what the articles store holds: parse and record
// it, keeping the last good version when it is rejected, or remove it),
// and Publish (render every feed with pending changes once, write only the
// bytes that changed, purge them from the CDN). The local mode adds Sync,
// which feeds a folder through the same steps.
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
	"strings"
	"time"

	article "github.com/pressroom/pressroom/internal/article/model"
	"github.com/pressroom/pressroom/internal/cdn"
	"github.com/pressroom/pressroom/internal/config"
	"github.com/pressroom/pressroom/internal/feed"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/store"
	"github.com/pressroom/pressroom/internal/websub"
)

// Pipeline holds the adapters and settings; it is safe for concurrent use
// as far as its adapters are. Publish runs must not overlap (the local
// server serialises them; on AWS the publish function runs alone).
type Pipeline struct {
	Index  index.Index
	Store  store.Store     // where feeds and pages are written
	CDN    cdn.Invalidator // purges what Publish wrote; nil: no CDN
	Config config.Config
	Now    func() time.Time // defaults to time.Now
	Log    *slog.Logger     // defaults to slog.Default()
	out    *outputs         // the output hashes of the publish running
	// Run names this publish run to the CDN: a retried run must give the
	// same name, so the CDN does not purge twice. Default: the time.
	Run string
	// WebSub tells the configured hubs of changed feeds; nil: a default
	// notifier.
	WebSub *websub.Notifier
	// Parse reads one file into an Article: internal/article's Parse.
	// Ingest, RecordRejection, Apply, RetryWaiting, Sync and Build need it;
	// Publish does not, and a program that only publishes (the publish
	// function) leaves it nil so as to link no parser.
	Parse func(name string, data []byte, opts article.Options) (article.Article, error)

	// articles is the store Apply and Sync read from, for the records that
	// need another file's current version (see evict).
	articles store.Store
}

// Outcome is what happened to one source file.
type Outcome string

// Outcomes of Apply, Ingest and Remove.
const (
	Published Outcome = "published" // the article is in the index (it may be a draft or scheduled)
	Rejected  Outcome = "rejected"  // the file was refused; the last good version stays
	Removed   Outcome = "removed"
	Stale     Outcome = "stale"     // an older or repeated event, ignored
	Unchanged Outcome = "unchanged" // the same bytes as last time (local sync only)
)

// Result reports one Apply, Ingest or Remove.
type Result struct {
	Key      string
	Outcome  Outcome
	Article  *article.Article
	Problems []article.Problem
	Feeds    []string // feeds whose content may change (recorded as pending in the index)
	// Waiters are other sources rejected for wanting an id or URL this
	// change released; Apply ingests them again.
	Waiters []string
	// Again are the results of those waiters, applied again by Apply.
	Again []Result
	// First says a Published article entered the feeds (or was scheduled
	// to) for the first time: before, the file had no article, or a
	// draft, or an expired one. Editors are told of it.
	First bool
	// Kept is, for a Rejected file, the last good version the index keeps
	// in its place; nil when nothing is published for the file.
	Kept *article.Article
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
	s := feed.Site{Title: article.Clean(c.Site.Title), Description: article.Clean(c.Site.Description),
		Language: c.Site.Language, HomeURL: c.BaseURL(), FeedsURL: c.FeedsURL(), MaxBytes: int(c.MaxFeedBytes()),
		Hubs: c.WebSub.Hubs}
	for _, pt := range c.Partners {
		fp := feed.Partner{Name: pt.Name, Categories: pt.Categories, Tags: pt.Tags, Languages: pt.Languages,
			FullContent: pt.FullContent, Limit: pt.Limit}
		for _, f := range pt.Formats {
			fp.Formats = append(fp.Formats, map[string]string{"json": feed.JSONFile, "rss": feed.RSSFile, "atom": feed.AtomFile}[f])
		}
		s.Partners = append(s.Partners, fp)
	}
	return s
}

// parsed is a file after the parse phase, before the index.
type parsed struct {
	key, hash string
	size      int64
	modTime   time.Time
	object    string // the store's version id of the bytes
	article   *article.Article
	problems  []article.Problem
	// When this version is rejected and the store keeps versions, kept is
	// the last good version found in its history (see lastGood), parsed
	// under the current configuration; keptKnown says the history gave an
	// answer (kept may then be nil: no good version since the last
	// deletion).
	kept       *article.Article
	keptObject string
	keptKnown  bool
}

// parse is the side-effect-free half of Ingest, safe to run in parallel.
func (p *Pipeline) parse(key string, data []byte, modTime time.Time) parsed {
	out := parsed{key: key, size: int64(len(data)), modTime: modTime}
	opts := p.Config.ArticleOptions()
	opts.ModTime = p.uploadTime(modTime)
	a, err := p.Parse(key, data, opts)
	if err != nil {
		sum := sha256.Sum256(data)
		out.hash = hex.EncodeToString(sum[:])
		out.problems = article.Problems(err)
		return out
	}
	if a.DateSource == article.DateFromModTime && !opts.ModTime.Equal(modTime) {
		a.Warnings = append(a.Warnings, article.Problem{Field: "date", Message: fmt.Sprintf(
			"the file's modification time (%s) is later than now: the article is dated now; add a date field", modTime.UTC().Format(time.RFC3339))})
	}
	// The article's hash is the SHA-256 of these bytes: not computed twice.
	out.hash, out.article = a.Hash, &a
	return out
}

// uploadTime is when a version was uploaded, for dating an article that
// does not date itself (its publication, an edit): the file's
// modification time, or now when that is later. A clock ahead, or a touch
// -d 9999, would otherwise put the article (or its edit: every feed's
// updated date) centuries ahead of every other; the ten years a date in
// the file may run ahead do not apply to a time nobody wrote. S3's times
// are its own clock's.
func (p *Pipeline) uploadTime(modTime time.Time) time.Time {
	if now := p.now(); modTime.After(now) {
		return now
	}
	return modTime
}

// maxAttempts bounds the retries of a record whose claim conflict was
// released while it was being rejected.
const maxAttempts = 4

// record is the index half of Ingest: a good article is Put (a conflict
// over its id or URL turns into a rejection waiting on the holder); a
// rejected one keeps the last good version.
func (p *Pipeline) record(ctx context.Context, f parsed, version string) (Result, error) {
	for attempt := 0; ; attempt++ {
		res, err := p.recordOnce(ctx, f, version)
		if errors.Is(err, index.ErrReleased) && attempt < maxAttempts {
			continue // the holder let go meanwhile: try the claim again
		}
		return res, err
	}
}

func (p *Pipeline) recordOnce(ctx context.Context, f parsed, version string) (Result, error) {
	src := index.Source{Key: f.key, Version: version, Hash: f.hash, Size: f.size, ModTime: f.modTime, Config: p.ConfigHash(), At: p.now()}
	// What the index holds before this version: the version a rejection
	// leaves in place, the date an edit revises, and whether a good
	// version is a first publication.
	var held *article.Article
	prev, err := p.Index.Get(ctx, f.key)
	switch {
	case err == nil:
		held = prev.Article
	case !errors.Is(err, index.ErrNotFound):
		return Result{}, fmt.Errorf("pipeline: %s: %w", f.key, err)
	}
	if f.article == nil {
		return p.reject(ctx, src, f, "", held)
	}
	p.revise(held, f.article, p.uploadTime(f.modTime))
	first := shown(f.article, src.At) && (held == nil || !shown(held, src.At))
	src.Article, src.ObjectVersion = f.article, f.object
	for _, r := range feed.Memberships(f.article, p.Site()) {
		src.Feeds = append(src.Feeds, index.Membership{Feed: r.ID, Label: r.Label})
	}
	ch, err := p.Index.Put(ctx, src)
	var conflict *index.ConflictError
	if errors.As(err, &conflict) {
		evicted, eerr := p.evict(ctx, conflict)
		if eerr != nil {
			return Result{}, eerr
		}
		if evicted {
			ch, err = p.Index.Put(ctx, src)
		}
	}
	switch {
	case errors.As(err, &conflict):
		f.problems = []article.Problem{conflictProblem(f.article, conflict)}
		return p.reject(ctx, src, f, conflict.Claim, held)
	case errors.Is(err, index.ErrRefused):
		// The index cannot hold what the file holds: tell the editor,
		// rather than retry for ever.
		f.problems = []article.Problem{refusedProblem(err)}
		return p.reject(ctx, src, f, "", held)
	case errors.Is(err, index.ErrStale):
		p.log().Info("stale event ignored", "key", f.key, "version", version)
		return Result{Key: f.key, Outcome: Stale}, nil
	case err != nil:
		return Result{}, fmt.Errorf("pipeline: %s: %w", f.key, err)
	}
	p.log().Info("article indexed", "key", f.key, "slug", f.article.Slug, "version", version, "feeds", len(ch.Feeds))
	return Result{Key: f.key, Outcome: Published, Article: f.article, Feeds: ch.Feeds, Waiters: ch.Waiters, First: first}, nil
}

// shown says whether an article is, or is scheduled to be, in the feeds
// at now: not a draft, not expired.
func shown(a *article.Article, now time.Time) bool {
	s := a.StatusAt(now)
	return s == article.StatusPublished || s == article.StatusScheduled
}

// revise dates an edit the file does not date itself: when the body
// changed since the version the index holds, the article's updated date
// becomes the upload time of this version (so readers see corrections);
// when it did not (the same file parsed again, a change of tags or title),
// the update date the index holds stays. Without an earlier version,
// updated is the published date. The same bytes always give the same
// date: re-parsing never moves it. old is the article the index holds.
//
// It also keeps an id the key inherited from its earlier name (see
// Sync): a rename kept the article's id once, and later versions keep it
// unless the file gives its own.
func (p *Pipeline) revise(old, a *article.Article, modTime time.Time) {
	if old == nil {
		return
	}
	if old.IDFrom == article.IDFromRename && a.IDFrom == "" && a.ID != "" {
		a.ID, a.IDFrom = old.ID, article.IDFromRename
	}
	if a.UpdatedFrom == article.UpdatedFromContent {
		return
	}
	if old.Hash == a.Hash || old.ContentHTML == a.ContentHTML {
		if old.UpdatedFrom == article.UpdatedFromUpload && old.Updated.After(a.Published) {
			a.Updated, a.UpdatedFrom = old.Updated.In(a.Published.Location()), article.UpdatedFromUpload
		}
		return
	}
	if t := modTime.In(a.Published.Location()).Truncate(time.Second); t.After(a.Published) {
		a.Updated, a.UpdatedFrom = t, article.UpdatedFromUpload
	}
}

// refusedProblem words what the index refused: its own advice when it
// gives one (too many feeds), else the service's reason and the usual
// cure (an item over DynamoDB's size limit).
func refusedProblem(err error) article.Problem {
	msg := err.Error()
	if i := strings.Index(msg, index.ErrRefused.Error()+": "); i >= 0 {
		msg = msg[i+len(index.ErrRefused.Error())+2:]
	}
	switch {
	case strings.Contains(msg, "feeds"):
		return article.Problem{Field: "tags", Message: msg}
	case strings.Contains(msg, "the date"):
		return article.Problem{Field: "date", Message: msg}
	case strings.Contains(msg, "encoded"):
		return article.Problem{Field: "file", Message: msg}
	}
	return article.Problem{Field: "file", Message: "the article cannot be stored (" + msg + "): make it smaller"}
}

// evict takes a claim from a holder that keeps it only through an older
// version: the holder's latest version is itself waiting on another claim
// and no longer wants this one (an editor who swaps two files' slugs makes
// each wait for the other's). The holder's kept article leaves the feeds,
// the holder stays waiting, and the claim is free for the file that wants
// it now; its own release then lets the holder through. It reports whether
// it evicted.
func (p *Pipeline) evict(ctx context.Context, c *index.ConflictError) (bool, error) {
	if p.articles == nil || c.Holder == "" {
		return false, nil
	}
	h, err := p.Index.Get(ctx, c.Holder)
	if err != nil || h.Waiting == "" || h.Article == nil {
		return false, nil
	}
	obj, err := p.articles.Get(ctx, c.Holder, store.GetOptions{MaxBytes: p.Config.MaxFileBytes()})
	if err != nil {
		return false, nil // gone or unreadable: its own event decides
	}
	latest := p.parse(c.Holder, obj.Body, obj.ModTime)
	for _, claim := range index.Claims(latest.article) {
		if claim == c.Claim {
			return false, nil // the holder's latest version wants it too
		}
	}
	h.Article, h.ObjectVersion, h.Feeds = nil, "", nil
	_, err = p.Index.Put(ctx, h)
	switch {
	case errors.Is(err, index.ErrReleased), errors.Is(err, index.ErrStale):
		return false, nil // it moved on meanwhile
	case err != nil:
		return false, fmt.Errorf("pipeline: %s: %w", c.Holder, err)
	}
	p.log().Info("claim taken from an older version", "key", c.Holder, "claim", c.Claim)
	return true, nil
}

// conflictProblem words a claim conflict for the editor.
func conflictProblem(a *article.Article, c *index.ConflictError) article.Problem {
	if c.Claim == "url:"+a.URL {
		return article.Problem{Field: "url", Message: fmt.Sprintf("the address %s is already used by %s: give this article its own slug or url (the other article stays published)", a.URL, c.Holder)}
	}
	return article.Problem{Field: "id", Message: fmt.Sprintf("the id %s is already used by %s: give this article its own slug or id (the other article stays published)", a.ID, c.Holder)}
}

// reject records f's problems, waiting on claim when one is given. held
// is the article the index holds for the file, which stays unless the
// store's history says which version to keep.
func (p *Pipeline) reject(ctx context.Context, src index.Source, f parsed, claim string, held *article.Article) (Result, error) {
	src.Article, src.ObjectVersion, src.Feeds = nil, "", nil
	src.Problems, src.RejectedAt, src.Waiting = f.problems, p.now(), claim
	var err error
	var ch index.Change
	if f.keptKnown && claim == "" {
		// The last good version in the store's history, parsed under the
		// current configuration, stays published beside the rejection
		// (or nothing, when there is none since the last deletion): the
		// same whatever order the events came in.
		keep := src
		keep.Article, keep.ObjectVersion, keep.Waiting = f.kept, f.keptObject, ""
		if f.kept != nil {
			for _, r := range feed.Memberships(f.kept, p.Site()) {
				keep.Feeds = append(keep.Feeds, index.Membership{Feed: r.ID, Label: r.Label})
			}
		}
		ch, err = p.Index.Put(ctx, keep)
		var conflict *index.ConflictError
		if err == nil {
			held = f.kept
		}
		if errors.As(err, &conflict) {
			// Another file holds the kept version's id or URL: keep what
			// the index has, waiting for it.
			src.Waiting = conflict.Claim
			err = p.Index.Reject(ctx, src)
		}
	} else {
		err = p.Index.Reject(ctx, src)
	}
	if errors.Is(err, index.ErrStale) {
		p.log().Info("stale event ignored", "key", f.key, "version", src.Version)
		return Result{Key: f.key, Outcome: Stale}, nil
	}
	if errors.Is(err, index.ErrReleased) {
		return Result{}, err
	}
	if err != nil {
		return Result{}, fmt.Errorf("pipeline: %s: %w", f.key, err)
	}
	p.log().Warn("article rejected", "key", f.key, "version", src.Version, "problems", problemText(f.problems))
	return Result{Key: f.key, Outcome: Rejected, Problems: f.problems, Feeds: ch.Feeds, Waiters: ch.Waiters, Kept: held}, nil
}

func problemText(ps []article.Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// Ingest parses one file's bytes and records them at version (the S3
// sequencer, or a local counter). A rejected file is recorded with its
// problems and leaves the last good version in place. Only failures of the
// index are returned as errors: they are transient and worth a retry.
// Apply, which reads the bytes from a store, is what the modes call.
func (p *Pipeline) Ingest(ctx context.Context, key, version string, data []byte, modTime time.Time) (Result, error) {
	if p.Parse == nil {
		return Result{}, errNoParser
	}
	return p.record(ctx, p.parse(key, data, modTime), version)
}

// errNoParser is a wiring mistake: a Pipeline that reads files was built
// without Parse.
var errNoParser = errors.New("pipeline: Pipeline.Parse is not set: a pipeline that reads files needs article.Parse")

// RecordRejection records a file refused before it could be parsed (too
// large), keeping the last good version.
func (p *Pipeline) RecordRejection(ctx context.Context, key, version string, problems []article.Problem) (Result, error) {
	if p.Parse == nil { // a rejection may evict a holder, which is parsed again
		return Result{}, errNoParser
	}
	return p.record(ctx, parsed{key: key, problems: problems}, version)
}

// Remove deletes the article of a removed file at version.
func (p *Pipeline) Remove(ctx context.Context, key, version string) (Result, error) {
	ch, err := p.Index.Delete(ctx, key, version, p.now())
	if errors.Is(err, index.ErrStale) {
		p.log().Info("stale event ignored", "key", key, "version", version)
		return Result{Key: key, Outcome: Stale}, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("pipeline: %s: %w", key, err)
	}
	p.log().Info("article removed", "key", key, "version", version, "feeds", len(ch.Feeds))
	return Result{Key: key, Outcome: Removed, Feeds: ch.Feeds, Waiters: ch.Waiters}, nil
}

// Apply brings key in line with what the articles store holds for it now,
// and records that at version (the event's S3 sequencer): a present object
// is parsed and recorded, a missing one (deleted, or a delete marker on a
// versioned bucket) removed, one over the size limit rejected unread.
// Reading the current state rather than trusting the event's name makes
// every delivery order converge: the newest event always reads the newest
// state, and older ones are stale. Sources that were waiting on an id or
// URL this change released are applied again, at their own version.
func (p *Pipeline) Apply(ctx context.Context, articles store.Store, key, version string) (Result, error) {
	if p.Parse == nil {
		return Result{}, errNoParser
	}
	q := *p
	q.articles = articles
	p = &q
	res, err := p.applyOne(ctx, articles, key, version)
	if err != nil {
		return res, err
	}
	if res.Again, err = p.settle(ctx, articles, res.Waiters); err != nil {
		return res, err
	}
	// And any source a failed earlier attempt left waiting on a claim
	// that is free now (a retry of that attempt's event is stale and
	// names no waiter): one listing of the waiting sources, usually none.
	more, err := p.RetryWaiting(ctx, articles)
	res.Again = append(res.Again, more...)
	return res, err
}

func (p *Pipeline) applyOne(ctx context.Context, articles store.Store, key, version string) (Result, error) {
	max := p.Config.MaxFileBytes()
	obj, err := articles.Get(ctx, key, store.GetOptions{MaxBytes: max})
	var tl *store.TooLargeError
	switch {
	case errors.Is(err, store.ErrNotFound):
		return p.Remove(ctx, key, version)
	case errors.Is(err, store.ErrInvalidKey):
		// An S3 key no path can be made of ("a//b.md", "./a.md"): a
		// rejection the editor reads, not an error retried for ever.
		return p.RecordRejection(ctx, key, version, []article.Problem{{Field: "file",
			Message: "the file's name has an empty, \".\" or \"..\" part or a backslash: rename it (for example articles/2021/story.md)"}})
	case errors.As(err, &tl):
		f := parsed{key: key, size: tl.Size, problems: []article.Problem{TooLarge(tl.Size, max)}}
		if f.kept, f.keptObject, f.keptKnown, err = p.lastGood(ctx, articles, key, tl.Version); err != nil {
			return Result{}, err
		}
		return p.record(ctx, f, version)
	case err != nil:
		return Result{}, fmt.Errorf("pipeline: read %s: %w", key, err)
	}
	f := p.parse(key, obj.Body, obj.ModTime)
	f.object = obj.Version
	if f.article == nil {
		if f.kept, f.keptObject, f.keptKnown, err = p.lastGood(ctx, articles, key, obj.Version); err != nil {
			return Result{}, err
		}
	}
	return p.record(ctx, f, version)
}

// TooLarge is the problem of a file over articles.max_file_size.
func TooLarge(size, max int64) article.Problem {
	return article.Problem{Field: "file",
		Message: fmt.Sprintf("the file is %d bytes, larger than the %d-byte limit (articles.max_file_size)", size, max)}
}

// maxHistory bounds the versions read back to find a rejected file's
// last good version.
const maxHistory = 20

// lastGood finds the last good version of key in a versioned store: the
// newest version older than the current one (current) and younger than
// the key's last deletion that parses, under the current configuration.
// Deriving it from the history, not from what the index happened to see,
// makes the result the same whatever order the events arrived in, and
// after a configuration change gives the kept article the new URLs. known
// is false when the store keeps no versions or the search gave up (the
// index's article then stays as it is).
func (p *Pipeline) lastGood(ctx context.Context, articles store.Store, key, current string) (a *article.Article, version string, known bool, err error) {
	vs, ok := articles.(store.Versioned)
	if !ok || current == "" {
		return nil, "", false, nil
	}
	// The current version may not be the newest listed any more: room
	// for a few uploads since.
	versions, err := vs.Versions(ctx, key, maxHistory+16)
	if err != nil {
		return nil, "", false, fmt.Errorf("pipeline: history of %s: %w", key, err)
	}
	seen, read := false, 0
	for _, v := range versions {
		if !seen {
			seen = v.ID == current
			continue
		}
		if v.DeleteMarker {
			return nil, "", true, nil
		}
		if read++; read > maxHistory {
			p.log().Warn("last good version not searched further", "key", key, "versions", maxHistory)
			return nil, "", false, nil
		}
		obj, err := articles.Get(ctx, key, store.GetOptions{Version: v.ID, MaxBytes: p.Config.MaxFileBytes()})
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrTooLarge) {
			continue
		}
		if err != nil {
			return nil, "", false, fmt.Errorf("pipeline: read %s version %s: %w", key, v.ID, err)
		}
		if f := p.parse(key, obj.Body, obj.ModTime); f.article != nil {
			return f.article, v.ID, true, nil
		}
	}
	// The current version was not listed (changed since): leave the index
	// as it is; the change's own event follows.
	return nil, "", seen, nil
}

// settle applies again the sources waiting on released claims, and those
// their own changes release, until none is left.
func (p *Pipeline) settle(ctx context.Context, articles store.Store, waiters []string) ([]Result, error) {
	var out []Result
	done := map[string]bool{}
	for len(waiters) > 0 {
		w := waiters[0]
		waiters = waiters[1:]
		if done[w] {
			continue
		}
		done[w] = true
		src, err := p.Index.Get(ctx, w)
		if errors.Is(err, index.ErrNotFound) {
			continue
		}
		if err != nil {
			return out, fmt.Errorf("pipeline: %s: %w", w, err)
		}
		if src.Waiting == "" || src.Deleted {
			continue
		}
		// Applied again even when another source took the claim since it
		// was released (a renamed file keeps its id and URL): the
		// rejection then names the source that holds it now, not the one
		// that let it go.
		res, err := p.applyOne(ctx, articles, w, src.Version)
		if err != nil {
			return out, err
		}
		p.log().Info("waiting article applied again", "key", w, "outcome", res.Outcome)
		out = append(out, res)
		waiters = append(waiters, res.Waiters...)
	}
	return out, nil
}

// RetryWaiting applies again every source waiting on a claim nobody else
// holds any more: the ones whose applying, after the change that released
// the claim, failed or was cut short (the ingest schedule and every local
// build call it).
func (p *Pipeline) RetryWaiting(ctx context.Context, articles store.Store) ([]Result, error) {
	if p.Parse == nil {
		return nil, errNoParser
	}
	q := *p
	q.articles = articles
	waiting, err := p.Index.Waiting(ctx)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	return q.settle(ctx, articles, waiting)
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

// ConfigChanged reports whether the processing hash (configuration and
// parser) differs from the one the local index was last built with
// (RecordConfig): every article must then be parsed again (URLs depend on
// it) and every feed rendered again.
func (p *Pipeline) ConfigChanged(ctx context.Context) (bool, error) {
	old, err := p.Index.State(ctx, stateConfig)
	if err != nil {
		return false, fmt.Errorf("pipeline: %w", err)
	}
	return old != p.ConfigHash(), nil
}

// RecordConfig records the processing hash as the one the index is built
// with; call it once every article was parsed with it.
func (p *Pipeline) RecordConfig(ctx context.Context) error {
	return p.Index.SetState(ctx, stateConfig, p.ConfigHash())
}

// ConfigHash identifies how articles are processed: the configuration and
// the parser's version. Index records carry the hash they were parsed
// with; a new configuration or a new parser (a deploy) parses them again.
func (p *Pipeline) ConfigHash() string {
	data, _ := json.Marshal(p.Config) // plain strings and numbers: cannot fail
	sum := sha256.Sum256(append(append(data, '\n'), article.ParserVersion...))
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
