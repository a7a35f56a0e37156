// Package index defines the Index port: what pressroom knows about every
// source file (its last good article, its latest rejection, its version),
// which articles each feed holds, newest first, and the publisher's own
// durable state (feeds waiting to be rendered, output hashes, paths waiting
// for a CDN purge). The memory adapter lives here, the bbolt adapter in
// index/bolt and the DynamoDB adapter in index/dynamo; indextest holds the
// contract every adapter passes. What more than one adapter needs is here
// too: the write rules every adapter applies alike (rules.go) and the
// stored form of articles and sources (record.go).
package index

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	article "github.com/pressroom/pressroom/internal/article/model"
)

// ErrNotFound is returned by Get for a key the index has never seen.
var ErrNotFound = errors.New("index: not found")

// ErrStale is returned when a write carries a version not newer than the
// one stored for the key: a repeated or out-of-order event, to be dropped.
var ErrStale = errors.New("index: stale version")

// ErrConflict is matched (errors.Is) by a *ConflictError.
var ErrConflict = errors.New("index: claimed by another source")

// ErrReleased is returned by Reject for a rejection waiting on a claim
// that nobody holds any more: the caller should Put again.
var ErrReleased = errors.New("index: the claim was released")

// ErrRefused wraps a write the index refused because of what the source
// holds (an item over DynamoDB's size limit, say): not worth a retry, the
// file must change.
var ErrRefused = errors.New("index: refused")

// ConflictError says that an article claims an id or a URL another source
// already holds: two files would publish one item twice.
type ConflictError struct {
	Claim  string // "id:<id>" or "url:<url>"
	Holder string // the key of the source holding it
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("index: %s is held by %s", e.Claim, e.Holder)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Membership places an article in one feed.
type Membership struct {
	Feed  string `json:"feed"`  // feed id, also its path prefix: "", "tags/culture", "languages/ar"
	Label string `json:"label"` // human name: "Culture", "العربية"
	// Slot is the article's place in the feed's archive, from 1 in the
	// order articles joined the feed (0: none yet, in records written
	// before archives). The index assigns it when the article joins and
	// keeps it while the article stays: archive page PageOf(Slot) holds it.
	Slot int `json:"slot,omitempty"`
}

// PageSize is the number of slots of one archive page. Slots are never
// reused, so a page whose slots are all taken gets no new article: it
// changes only when one of its own is edited or leaves.
const PageSize = 50

// PageOf returns the archive page of a slot (pages count from 1), 0 for
// no slot.
func PageOf(slot int) int {
	if slot <= 0 {
		return 0
	}
	return (slot-1)/PageSize + 1
}

// PageRef names one archive page of a feed.
type PageRef struct {
	Feed string
	Page int // from 1
}

// Work is what a publish has to render: live feeds and archive pages.
type Work struct {
	Feeds []string  // sorted, without repeats
	Pages []PageRef // sorted by feed and page, without repeats
	// Expired are the articles whose expiry came in the interval Due was
	// asked about, as deletions to announce (dated at their expiry).
	Expired []Gone
}

// Empty reports whether there is nothing to render.
func (w Work) Empty() bool { return len(w.Feeds) == 0 && len(w.Pages) == 0 }

// Gone records an article that left its feeds while published (its file
// deleted, made a draft, or its id changed): partners must take it down.
// Feeds announce it for a retention window; the index keeps it until
// ForgetGone, or until an article with its id is published again.
type Gone struct {
	ID    string    `json:"id"`
	URL   string    `json:"url,omitempty"`
	Key   string    `json:"key"` // the source it came from
	At    time.Time `json:"at"`
	Feeds []string  `json:"feeds"`
}

// Source is everything the index keeps about one source file.
type Source struct {
	Key     string    // object key or path relative to the articles folder
	Version string    // S3 sequencer or modification time; see Newer
	Config  string    // processing hash (configuration and parser) the latest version was handled with
	Hash    string    // SHA-256 of the bytes last seen
	Size    int64     // bytes last seen
	ModTime time.Time // modification or upload time last seen
	Deleted bool      // the file was removed at Version (a tombstone)

	// Article is the last good version, nil when there never was one or
	// the file was deleted. A rejected upload leaves it in place.
	Article *article.Article
	// ArticleConfig is the processing hash the Article was parsed with:
	// it differs from Config when later versions were rejected under a
	// newer configuration. Set by the index on Put.
	ArticleConfig string
	// ObjectVersion names the stored bytes the Article came from in a
	// versioned store (the S3 version id), "" when the store keeps none:
	// with it the last good version can be parsed again.
	ObjectVersion string
	// Feeds are the Article's memberships (none for a draft).
	Feeds []Membership
	// Problems explain why the latest version was rejected; nil when the
	// latest version is the Article.
	Problems   []article.Problem
	RejectedAt time.Time
	// Waiting is the claim ("id:..." or "url:...") held by another source
	// that the latest version was rejected for; the Put or Delete that
	// releases it names this source among its Change.Waiters.
	Waiting string
	// At is when the write happens (the writer's clock; not stored): it
	// dates the Gone record a write leaves. Zero: ModTime, else now.
	At time.Time
}

// Summary is a Source without its article body: what listings return.
type Summary struct {
	Key, Version, Hash string
	Config             string
	Size               int64
	ModTime            time.Time
	Deleted            bool
	HasArticle         bool
	ArticleConfig      string
	ObjectVersion      string
	Title              string
	Published, Expires time.Time
	Draft              bool
	Problems           []article.Problem
	RejectedAt         time.Time
	Waiting            string
}

// FileStat is what a local build compares a source with its file by: a
// Summary's key, size, modification time (Unix nanoseconds) and flags.
type FileStat struct {
	Key      string
	Size     int64
	ModTime  int64 // Summary.ModTime.UnixNano()
	Deleted  bool
	Rejected bool // Summary.Problems is not empty
}

// StatLister is an Index that lists its sources' FileStats for less than
// List's summaries (the bbolt adapter: a rebuild that finds one file of
// 10,000 changed needs ten thousand of these and one summary), and reads
// the summaries of the few sources a build then looks at closer.
type StatLister interface {
	// ListStats returns every source's FileStat, sorted by key, as List
	// would.
	ListStats(ctx context.Context) ([]FileStat, error)
	// Summaries returns the summaries of keys, in their order; a key the
	// index does not hold is ErrNotFound.
	Summaries(ctx context.Context, keys []string) ([]Summary, error)
}

// FeedInfo describes a feed that holds at least one article.
type FeedInfo struct {
	ID    string
	Label string
	Count int // articles in the feed, scheduled and expired ones included
	Slots int // archive slots taken so far: the feed has PageOf(Slots) pages
}

// Change is what a Put or Delete did beyond the source itself.
type Change struct {
	// Feeds may have changed: the old memberships and the new. They are
	// also recorded as pending (see Publisher), in the same write, with
	// the archive pages holding the article, before and after.
	Feeds []string
	Pages []PageRef
	// Waiters are sources rejected because they wanted a claim this write
	// released: ingest them again, at their stored version.
	Waiters []string
}

// Pending is the work recorded for the publisher: the feeds that writes
// since the last publish changed. Published clears exactly what was read,
// so marks written meanwhile survive.
type Pending struct {
	Work
	All bool // every feed and page (a new configuration)
	// Marks are the adapter's records this Pending was read from: the
	// adapter fills them and Published reads them; callers pass a Pending
	// back as they got it.
	Marks []Mark
}

// Empty reports whether there is nothing to render.
func (p Pending) Empty() bool { return !p.All && p.Work.Empty() }

// Mark is one adapter record behind a Pending: its id and the token it
// had when read (a new token says it was written again since).
type Mark struct{ ID, Token string }

// Sources is the part of the port ingest writes: one record per source
// file, ordered by version, with its feed memberships and claims.
type Sources interface {
	// Put stores src as the key's good version, with its feed
	// memberships, and claims the article's id and URL. It returns
	// ErrStale unless src supersedes what is stored (see Supersedes; a
	// source waiting on a claim is also superseded at its own version),
	// and a *ConflictError, writing nothing, when another source holds
	// one of the claims. The changed feeds are recorded as pending. A
	// source without an article but with Problems (a rejected file whose
	// history holds no good version) may wait on a claim, as with Reject.
	Put(ctx context.Context, src Source) (Change, error)
	// Reject records that src.Version of the key was rejected with
	// src.Problems, keeping the last good article, its feeds and claims.
	// With src.Waiting set, the rejection waits on that claim: it returns
	// ErrReleased when no other source holds it any more. ErrStale as for
	// Put.
	Reject(ctx context.Context, src Source) error
	// Delete removes the key's article from every feed, releases its
	// claims and leaves a tombstone at version, so an older event cannot
	// bring it back; a published article leaves a Gone record dated at.
	// ErrStale unless version is newer than the stored one.
	Delete(ctx context.Context, key, version string, at time.Time) (Change, error)
	// Get returns everything known about key, or ErrNotFound.
	Get(ctx context.Context, key string) (Source, error)
	// List returns a summary of every key, sorted by key.
	List(ctx context.Context) ([]Summary, error)
	// Holder returns the key of the source holding a claim, or "".
	Holder(ctx context.Context, claim string) (string, error)
	// Waiting returns the keys of the sources waiting on a claim, sorted:
	// the ones to try again when a change that released their claim could
	// not apply them (a failure, a killed build).
	Waiting(ctx context.Context) ([]string, error)
}

// Feeds is the part of the port publishing reads.
type Feeds interface {
	// Latest returns up to n articles of a feed that are live at now
	// (published at or before now, not expired), newest first; ties are
	// broken by id so the order is stable.
	Latest(ctx context.Context, feed string, n int, now time.Time) ([]article.Article, error)
	// Page returns the articles in archive page n of a feed (slots
	// (n-1)*PageSize+1 to n*PageSize), whatever their status, newest
	// first as Latest orders them.
	Page(ctx context.Context, feed string, n int) ([]article.Article, error)
	// Feeds lists every feed holding at least one article, sorted by id.
	Feeds(ctx context.Context) ([]FeedInfo, error)
	// Due returns the feeds, and the archive pages, holding an article
	// that is published or expires in the interval (from, to]: what a
	// publish at to must render again when the last one ran at from.
	Due(ctx context.Context, from, to time.Time) (Work, error)
	// Gone returns the recorded deletions (see Gone), oldest first.
	Gone(ctx context.Context) ([]Gone, error)
	// Contents returns what Latest returns for each of live and what
	// Page returns for each of pages, in as few round trips as the index
	// allows: one publish renders several feeds and pages, which share
	// most of their articles.
	Contents(ctx context.Context, live []LiveRef, pages []PageRef, now time.Time) (Contents, error)
}

// LiveRef asks Contents for a feed's live articles, at most Limit.
type LiveRef struct {
	Feed  string
	Limit int
}

// Contents is what Contents returns: live articles by feed, archive page
// articles by page.
type Contents struct {
	Live  map[string][]article.Article
	Pages map[PageRef][]article.Article
}

// Publisher is the publisher's durable state: what is left to render, what
// was written, and what the CDN has not purged yet. A publish that dies
// half way leaves all of it in place for the next one.
type Publisher interface {
	// Pending returns the feeds recorded as changed and not yet
	// published.
	Pending(ctx context.Context) (Pending, error)
	// MarkPending records feeds and pages (or, with all, everything) as
	// pending.
	MarkPending(ctx context.Context, w Work, all bool) error
	// Published clears the marks p was read from, except those written
	// again since, and records the named values of state as SetState
	// does ("" forgets one), in one write where the index allows it: the
	// end of a publish (its time, what it leaves for the next one) costs
	// one round trip.
	Published(ctx context.Context, p Pending, state map[string]string) error
	// OutputHash returns the hash recorded for a published path, or "".
	OutputHash(ctx context.Context, path string) (string, error)
	// SetOutputHash records the hash of a published path ("" forgets it)
	// and, in the same write, that the path awaits a CDN purge.
	SetOutputHash(ctx context.Context, path, hash string) error
	// OutputHashes returns every recorded hash, by path: a publish reads
	// them once, whatever it renders (on DynamoDB, one Query a megabyte of
	// hashes: about 9,000 paths).
	OutputHashes(ctx context.Context) (map[string]string, error)
	// SetOutputHashes records several hashes as SetOutputHash does, not
	// necessarily in one write: each path's purge mark is durable before
	// its hash, so a write cut short leaves paths to purge, never a path
	// recorded as published and not to be purged.
	SetOutputHashes(ctx context.Context, hashes map[string]string) error
	// Unpurged returns the paths written since their last purge, sorted.
	Unpurged(ctx context.Context) ([]string, error)
	// Purged records that the CDN purged paths.
	Purged(ctx context.Context, paths []string) error
	// State returns a named value ("" when unset): the active
	// configuration, the time of the last publish...
	State(ctx context.Context, name string) (string, error)
	// States returns several named values ("" for those unset) in as few
	// round trips as the index allows.
	States(ctx context.Context, names []string) (map[string]string, error)
	// SetState records a named value of at most MaxState bytes.
	SetState(ctx context.Context, name, value string) error
	// ForgetGone drops the deletions recorded before a time.
	ForgetGone(ctx context.Context, before time.Time) error
	// RecordGone records deletions the publisher finds (articles whose
	// expiry came), unless their id is published again meanwhile.
	RecordGone(ctx context.Context, gs []Gone) error
	// SetStateNewer records a named value at version (compared as Newer
	// does) unless the value was recorded at the same or a newer version,
	// and reports whether it wrote: of concurrent writers, the newest
	// version wins whatever their order.
	SetStateNewer(ctx context.Context, name, value, version string) (bool, error)
}

// MaxFeeds bounds the feeds one article is in (the site, its language,
// tags, categories, authors, and partner feeds): DynamoDB moves an
// article between its feeds in transactions of 100 actions, two per feed.
// Every adapter refuses more (ErrRefused), so that a site behaves the same
// on a laptop and on AWS.
const MaxFeeds = 44

// MaxState bounds a State value (a site configuration is far smaller).
const MaxState = 128 << 10

// Index is the port. Implementations are safe for concurrent use.
type Index interface {
	Sources
	Feeds
	Publisher
	// Close releases the index.
	Close() error
}

// Batcher is an optional ability of an Index, found by type assertion:
// Batch runs fn with an Index whose writes (and reads) happen in one
// transaction, committed when fn returns nil. A build of thousands of
// articles needs it: one commit per article costs one fsync each. Do not
// call Batch from inside fn.
type Batcher interface {
	Batch(ctx context.Context, fn func(Index) error) error
}

// InProcess is an optional ability of an Index, found by type assertion:
// an index in the process (memory, bbolt) answers a read without a round
// trip. A publish then reads the output hash of each path it touches
// (OutputHash) rather than every one (OutputHashes, whose number grows
// with the site's archive pages: at 100,000 articles, reading them was
// half the CPU of publishing one new article).
type InProcess interface {
	// InProcess reports that a read costs no round trip.
	InProcess() bool
}

// Batch runs fn in one transaction when ix is a Batcher, and directly on
// ix otherwise.
func Batch(ctx context.Context, ix Index, fn func(Index) error) error {
	if b, ok := ix.(Batcher); ok {
		return b.Batch(ctx, fn)
	}
	return fn(ix)
}

// Newer reports whether version a is newer than b. Versions are compared
// as S3 sequencers are: hexadecimal (or decimal) strings, left-padded with
// zeros to the same length, case-insensitive. The empty version is older
// than every other.
func Newer(a, b string) bool {
	a, b = strings.ToUpper(a), strings.ToUpper(b)
	if n := len(b) - len(a); n > 0 {
		a = strings.Repeat("0", n) + a
	} else if n < 0 {
		b = strings.Repeat("0", -n) + b
	}
	return a > b
}

// Supersedes reports whether a write at (version, config) replaces what is
// stored at (storedVersion, storedConfig): a newer version always does; the
// same version does when it was processed with another configuration (a new
// pressroom.yaml or a new parser re-parses every article without a new
// upload). An empty config never supersedes at the same version.
func Supersedes(version, config, storedVersion, storedConfig string) bool {
	return Newer(version, storedVersion) || (version == storedVersion && config != "" && config != storedConfig)
}

// Claims returns what an article claims for itself alone: its id and its
// URL (two files publishing either would show one story twice, or one
// story for two). Drafts claim nothing.
func Claims(a *article.Article) []string {
	if a == nil || a.Draft {
		return nil
	}
	out := []string{"id:" + a.ID}
	if a.URL != "" {
		out = append(out, "url:"+a.URL)
	}
	return out
}
