// Package index defines the Index port: what pressroom knows about every
// source file (its last good article, its latest rejection, its version)
// and which articles each feed holds, newest first. The local adapters
// (memory, bbolt) live here; indextest holds the contract every adapter,
// DynamoDB's included, passes.
package index

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/pressroom/pressroom/internal/article"
)

// ErrNotFound is returned by Get for a key the index has never seen.
var ErrNotFound = errors.New("index: not found")

// ErrStale is returned when a write carries a version not newer than the
// one stored for the key: a repeated or out-of-order event, to be dropped.
var ErrStale = errors.New("index: stale version")

// Membership places an article in one feed.
type Membership struct {
	Feed  string // feed id, also its path prefix: "", "tags/culture", "languages/ar"
	Label string // human name: "Culture", "العربية"
}

// Source is everything the index keeps about one source file.
type Source struct {
	Key     string    // object key or path relative to the articles folder
	Version string    // S3 sequencer or modification time; see Newer
	Config  string    // hash of the site configuration the article was parsed with
	Hash    string    // SHA-256 of the bytes last seen
	Size    int64     // bytes last seen
	ModTime time.Time // modification or upload time last seen
	Deleted bool      // the file was removed at Version (a tombstone)

	// Article is the last good version, nil when there never was one or
	// the file was deleted. A rejected upload leaves it in place.
	Article *article.Article
	// Feeds are the Article's memberships (none for a draft).
	Feeds []Membership
	// Problems explain why the latest version was rejected; nil when the
	// latest version is the Article.
	Problems   []article.Problem
	RejectedAt time.Time
}

// Summary is a Source without its article body: what listings return.
type Summary struct {
	Key, Version, Hash string
	Config             string
	Size               int64
	ModTime            time.Time
	Deleted            bool
	HasArticle         bool
	Title              string
	Published, Expires time.Time
	Draft              bool
	Problems           []article.Problem
	RejectedAt         time.Time
}

// FeedInfo describes a feed that holds at least one article.
type FeedInfo struct {
	ID    string
	Label string
	Count int // articles in the feed, scheduled and expired ones included
}

// Index is the port. Implementations are safe for concurrent use.
type Index interface {
	// Put stores src as the key's good version, with its feed
	// memberships. It returns the feeds whose content may change: the
	// old memberships and the new. ErrStale unless src supersedes what is
	// stored (see Supersedes).
	Put(ctx context.Context, src Source) ([]string, error)
	// Reject records that src.Version of the key was rejected with
	// src.Problems, keeping the last good article. ErrStale as for Put.
	Reject(ctx context.Context, src Source) error
	// Delete removes the key's article from every feed and leaves a
	// tombstone at version, so an older event cannot bring it back. It
	// returns the feeds the article was in. ErrStale as for Put.
	Delete(ctx context.Context, key, version string) ([]string, error)
	// Get returns everything known about key, or ErrNotFound.
	Get(ctx context.Context, key string) (Source, error)
	// List returns a summary of every key, sorted by key.
	List(ctx context.Context) ([]Summary, error)
	// Latest returns up to n articles of a feed that are live at now
	// (published at or before now, not expired), newest first; ties are
	// broken by id so the order is stable.
	Latest(ctx context.Context, feed string, n int, now time.Time) ([]article.Article, error)
	// Feeds lists every feed holding at least one article, sorted by id.
	Feeds(ctx context.Context) ([]FeedInfo, error)
	// Due returns the feeds holding an article that is published or
	// expires in the interval (from, to]: the feeds a scheduled publish at
	// to must render again.
	Due(ctx context.Context, from, to time.Time) ([]string, error)
	// OutputHash returns the hash recorded for a published path, or "".
	OutputHash(ctx context.Context, path string) (string, error)
	// SetOutputHash records the hash of a published path; "" forgets it.
	SetOutputHash(ctx context.Context, path, hash string) error
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

// summarize makes the Summary of a Source.
func summarize(s Source) Summary {
	sum := Summary{Key: s.Key, Version: s.Version, Hash: s.Hash, Config: s.Config, Size: s.Size, ModTime: s.ModTime,
		Deleted: s.Deleted, Problems: s.Problems, RejectedAt: s.RejectedAt}
	if a := s.Article; a != nil {
		sum.HasArticle = true
		sum.Title, sum.Published, sum.Expires, sum.Draft = a.Title, a.Published, a.Expires, a.Draft
	}
	return sum
}

// live reports whether a is in its feeds at now.
func live(a *article.Article, now time.Time) bool {
	return !a.Published.After(now) && (a.Expires.IsZero() || a.Expires.After(now))
}

// feedIDs returns the ids of old and new memberships, without repeats.
func feedIDs(lists ...[]Membership) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range lists {
		for _, m := range l {
			if !seen[m.Feed] {
				seen[m.Feed] = true
				out = append(out, m.Feed)
			}
		}
	}
	return out
}

// newerThan returns ErrStale unless version is newer than the stored one.
func newerThan(version string, stored Source, found bool) error {
	if found && !Newer(version, stored.Version) {
		return ErrStale
	}
	return nil
}

// Supersedes reports whether a write at (version, config) replaces what is
// stored at (storedVersion, storedConfig): a newer version always does; the
// same version does when it was parsed with another configuration (a new
// pressroom.yaml re-parses every article without a new upload). An empty
// config never supersedes at the same version.
func Supersedes(version, config, storedVersion, storedConfig string) bool {
	return Newer(version, storedVersion) || (version == storedVersion && config != "" && config != storedConfig)
}

func supersedes(src Source, stored Source, found bool) error {
	if found && !Supersedes(src.Version, src.Config, stored.Version, stored.Config) {
		return ErrStale
	}
	return nil
}
