package index

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/pressroom/pressroom/internal/article"
)

// Bolt is the local Index: one bbolt file (pure Go, no cgo).
//
// Buckets:
//
//	sources   key -> boltSource (JSON, without the article body)
//	articles  key -> article (JSON)
//	items     feed 0x00 published(8, big-endian) id 0x00 key -> ""
//	          (one feed's entries are contiguous and ordered by date, so
//	          the latest N are read with one reverse cursor walk)
//	feeds     "f" feed -> boltFeed (JSON: label, count); the prefix because
//	          the site feed's id is "" and bbolt keys cannot be empty
//	schedule  instant(8) key -> "" (publish and expiry instants, for Due)
//	outputs   path -> hash
type Bolt struct {
	db *bolt.DB
}

var _ Index = (*Bolt)(nil)

var (
	bSources  = []byte("sources")
	bArticles = []byte("articles")
	bItems    = []byte("items")
	bFeeds    = []byte("feeds")
	bSchedule = []byte("schedule")
	bOutputs  = []byte("outputs")
	bSummary  = []byte("summaries")
)

type boltSource struct {
	Key, Version, Hash string
	Config             string
	Size               int64
	ModTime            time.Time
	Deleted            bool
	HasArticle         bool
	Feeds              []Membership
	Problems           []article.Problem
	RejectedAt         time.Time
	// Enough of the article to find its entries and summarise it.
	ID, Title          string
	Published, Expires time.Time
	Draft              bool
}

type boltFeed struct {
	Label string
	Count int
}

// OpenBolt opens (or creates) the index file at path. It waits up to five
// seconds for another process holding the file.
func OpenBolt(path string) (*Bolt, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	db, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: 5 * time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("index: %s is in use by another pressroom process", path)
	}
	if err != nil {
		return nil, fmt.Errorf("index: %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bSources, bArticles, bItems, bFeeds, bSchedule, bOutputs, bSummary} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		// An index written before the summaries bucket existed: fill it.
		if tx.Bucket(bSummary).Stats().KeyN == 0 {
			return tx.Bucket(bSources).ForEach(func(k, v []byte) error {
				var s boltSource
				if err := json.Unmarshal(v, &s); err != nil {
					return err
				}
				return tx.Bucket(bSummary).Put(k, encodeSummary(s.summary()))
			})
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("index: %s: %w", path, err)
	}
	return &Bolt{db: db}, nil
}

// Close implements Index.
func (b *Bolt) Close() error { return b.db.Close() }

// instant encodes a time so that byte order is time order.
func instant(t time.Time) []byte {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(t.UnixNano())^(1<<63))
	return buf[:]
}

func itemKey(feed string, published time.Time, id, key string) []byte {
	k := make([]byte, 0, len(feed)+len(id)+len(key)+11)
	k = append(k, feed...)
	k = append(k, 0)
	k = append(k, instant(published)...)
	k = append(k, id...)
	k = append(k, 0)
	return append(k, key...)
}

func feedKey(feed string) []byte { return append([]byte("f"), feed...) }

func scheduleKey(t time.Time, key string) []byte {
	return append(instant(t), key...)
}

func getSource(tx *bolt.Tx, key string) (boltSource, bool, error) {
	v := tx.Bucket(bSources).Get([]byte(key))
	if v == nil {
		return boltSource{}, false, nil
	}
	var s boltSource
	if err := json.Unmarshal(v, &s); err != nil {
		return boltSource{}, false, fmt.Errorf("index: source %q: %w", key, err)
	}
	return s, true, nil
}

// putSource writes a source record and its summary.
func putSource(tx *bolt.Tx, s boltSource) error {
	if err := putJSON(tx.Bucket(bSources), []byte(s.Key), s); err != nil {
		return err
	}
	return tx.Bucket(bSummary).Put([]byte(s.Key), encodeSummary(s.summary()))
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

// unlink removes a source's feed entries and schedule instants.
func unlink(tx *bolt.Tx, s boltSource) error {
	if !s.HasArticle {
		return nil
	}
	feeds := tx.Bucket(bFeeds)
	for _, m := range s.Feeds {
		if err := tx.Bucket(bItems).Delete(itemKey(m.Feed, s.Published, s.ID, s.Key)); err != nil {
			return err
		}
		var fi boltFeed
		if v := feeds.Get(feedKey(m.Feed)); v != nil {
			if err := json.Unmarshal(v, &fi); err != nil {
				return err
			}
		}
		if fi.Count--; fi.Count <= 0 {
			if err := feeds.Delete(feedKey(m.Feed)); err != nil {
				return err
			}
		} else if err := putJSON(feeds, feedKey(m.Feed), fi); err != nil {
			return err
		}
	}
	sched := tx.Bucket(bSchedule)
	if err := sched.Delete(scheduleKey(s.Published, s.Key)); err != nil {
		return err
	}
	if !s.Expires.IsZero() {
		return sched.Delete(scheduleKey(s.Expires, s.Key))
	}
	return nil
}

// link adds a source's feed entries and schedule instants.
func link(tx *bolt.Tx, s boltSource) error {
	if !s.HasArticle {
		return nil
	}
	feeds := tx.Bucket(bFeeds)
	for _, m := range s.Feeds {
		if err := tx.Bucket(bItems).Put(itemKey(m.Feed, s.Published, s.ID, s.Key), nil); err != nil {
			return err
		}
		var fi boltFeed
		if v := feeds.Get(feedKey(m.Feed)); v != nil {
			if err := json.Unmarshal(v, &fi); err != nil {
				return err
			}
		}
		fi.Count++
		fi.Label = m.Label
		if err := putJSON(feeds, feedKey(m.Feed), fi); err != nil {
			return err
		}
	}
	sched := tx.Bucket(bSchedule)
	if err := sched.Put(scheduleKey(s.Published, s.Key), nil); err != nil {
		return err
	}
	if !s.Expires.IsZero() {
		return sched.Put(scheduleKey(s.Expires, s.Key), nil)
	}
	return nil
}

// boltTx is the Index over one bbolt transaction: the methods of Bolt run
// in a transaction of their own, Batch runs many in one.
type boltTx struct {
	tx *bolt.Tx
	// decoded caches articles read in this transaction: a publish reads
	// the same article once for every feed it is in.
	decoded map[string]*article.Article
}

// article returns the stored article of key, decoding it once per
// transaction. Callers must not modify it.
func (t boltTx) article(key []byte) (*article.Article, error) {
	if a, ok := t.decoded[string(key)]; ok {
		return a, nil
	}
	var a article.Article
	if err := json.Unmarshal(t.tx.Bucket(bArticles).Get(key), &a); err != nil {
		return nil, fmt.Errorf("index: article %q: %w", key, err)
	}
	if t.decoded != nil {
		t.decoded[string(key)] = &a
	}
	return &a, nil
}

func (t boltTx) forget(key string) {
	delete(t.decoded, key)
}

var _ Index = boltTx{}

// Batch implements Batcher: fn's writes commit in one transaction (one
// fsync), which a build of thousands of articles needs.
func (b *Bolt) Batch(_ context.Context, fn func(Index) error) error {
	return b.db.Update(func(tx *bolt.Tx) error { return fn(boltTx{tx, map[string]*article.Article{}}) })
}

func (b *Bolt) update(fn func(boltTx) error) error {
	return b.db.Update(func(tx *bolt.Tx) error { return fn(boltTx{tx, nil}) })
}

func (b *Bolt) view(fn func(boltTx) error) error {
	return b.db.View(func(tx *bolt.Tx) error { return fn(boltTx{tx, nil}) })
}

// Put implements Index.
func (b *Bolt) Put(ctx context.Context, src Source) (changed []string, err error) {
	err = b.update(func(t boltTx) error { changed, err = t.Put(ctx, src); return err })
	return changed, err
}

// Reject implements Index.
func (b *Bolt) Reject(ctx context.Context, src Source) error {
	return b.update(func(t boltTx) error { return t.Reject(ctx, src) })
}

// Delete implements Index.
func (b *Bolt) Delete(ctx context.Context, key, version string) (changed []string, err error) {
	err = b.update(func(t boltTx) error { changed, err = t.Delete(ctx, key, version); return err })
	return changed, err
}

// Get implements Index.
func (b *Bolt) Get(ctx context.Context, key string) (out Source, err error) {
	err = b.view(func(t boltTx) error { out, err = t.Get(ctx, key); return err })
	return out, err
}

// List implements Index.
func (b *Bolt) List(ctx context.Context) (out []Summary, err error) {
	err = b.view(func(t boltTx) error { out, err = t.List(ctx); return err })
	return out, err
}

// Latest implements Index.
func (b *Bolt) Latest(ctx context.Context, feed string, n int, now time.Time) (out []article.Article, err error) {
	err = b.view(func(t boltTx) error { out, err = t.Latest(ctx, feed, n, now); return err })
	return out, err
}

// Feeds implements Index.
func (b *Bolt) Feeds(ctx context.Context) (out []FeedInfo, err error) {
	err = b.view(func(t boltTx) error { out, err = t.Feeds(ctx); return err })
	return out, err
}

// Due implements Index.
func (b *Bolt) Due(ctx context.Context, from, to time.Time) (out []string, err error) {
	err = b.view(func(t boltTx) error { out, err = t.Due(ctx, from, to); return err })
	return out, err
}

// OutputHash implements Index.
func (b *Bolt) OutputHash(ctx context.Context, path string) (h string, err error) {
	err = b.view(func(t boltTx) error { h, err = t.OutputHash(ctx, path); return err })
	return h, err
}

// SetOutputHash implements Index.
func (b *Bolt) SetOutputHash(ctx context.Context, path, hash string) error {
	return b.update(func(t boltTx) error { return t.SetOutputHash(ctx, path, hash) })
}

// Put implements Index.
func (t boltTx) Put(_ context.Context, src Source) ([]string, error) {
	t.forget(src.Key)
	var changed []string
	err := func(tx *bolt.Tx) error {
		old, found, err := getSource(tx, src.Key)
		if err != nil {
			return err
		}
		if found && !Supersedes(src.Version, src.Config, old.Version, old.Config) {
			return ErrStale
		}
		if err := unlink(tx, old); err != nil {
			return err
		}
		next := boltSource{Key: src.Key, Version: src.Version, Hash: src.Hash, Config: src.Config, Size: src.Size, ModTime: src.ModTime, Feeds: src.Feeds}
		if a := src.Article; a != nil {
			next.HasArticle = true
			next.ID, next.Title, next.Published, next.Expires, next.Draft = a.ID, a.Title, a.Published, a.Expires, a.Draft
			if err := putJSON(tx.Bucket(bArticles), []byte(src.Key), a); err != nil {
				return err
			}
		} else {
			next.Feeds = nil
			if err := tx.Bucket(bArticles).Delete([]byte(src.Key)); err != nil {
				return err
			}
		}
		if err := link(tx, next); err != nil {
			return err
		}
		changed = feedIDs(old.Feeds, next.Feeds)
		return putSource(tx, next)
	}(t.tx)
	return changed, err
}

// Reject implements Index.
func (t boltTx) Reject(_ context.Context, src Source) error {
	return func(tx *bolt.Tx) error {
		old, found, err := getSource(tx, src.Key)
		if err != nil {
			return err
		}
		if found && !Supersedes(src.Version, src.Config, old.Version, old.Config) {
			return ErrStale
		}
		next := old
		if !found {
			next = boltSource{}
		}
		next.Key, next.Version, next.Hash, next.Size, next.ModTime, next.Config = src.Key, src.Version, src.Hash, src.Size, src.ModTime, src.Config
		next.Problems, next.RejectedAt, next.Deleted = src.Problems, src.RejectedAt, false
		return putSource(tx, next)
	}(t.tx)
}

// Delete implements Index.
func (t boltTx) Delete(_ context.Context, key, version string) ([]string, error) {
	t.forget(key)
	var changed []string
	err := func(tx *bolt.Tx) error {
		old, found, err := getSource(tx, key)
		if err != nil {
			return err
		}
		if found && !Newer(version, old.Version) {
			return ErrStale
		}
		if err := unlink(tx, old); err != nil {
			return err
		}
		if err := tx.Bucket(bArticles).Delete([]byte(key)); err != nil {
			return err
		}
		changed = feedIDs(old.Feeds)
		return putSource(tx, boltSource{Key: key, Version: version, Deleted: true})
	}(t.tx)
	return changed, err
}

func (s boltSource) source() Source {
	return Source{Key: s.Key, Version: s.Version, Hash: s.Hash, Config: s.Config, Size: s.Size, ModTime: s.ModTime, Deleted: s.Deleted,
		Feeds: s.Feeds, Problems: s.Problems, RejectedAt: s.RejectedAt}
}

// Get implements Index.
func (t boltTx) Get(_ context.Context, key string) (Source, error) {
	var out Source
	err := func(tx *bolt.Tx) error {
		s, found, err := getSource(tx, key)
		if err != nil {
			return err
		}
		if !found {
			return ErrNotFound
		}
		out = s.source()
		if s.HasArticle {
			var a article.Article
			if err := json.Unmarshal(tx.Bucket(bArticles).Get([]byte(key)), &a); err != nil {
				return fmt.Errorf("index: article %q: %w", key, err)
			}
			out.Article = &a
		}
		return nil
	}(t.tx)
	return out, err
}

// List implements Index.
func (t boltTx) List(_ context.Context) ([]Summary, error) {
	var out []Summary
	err := func(tx *bolt.Tx) error {
		return tx.Bucket(bSummary).ForEach(func(k, v []byte) error {
			s, err := decodeSummary(v)
			if err != nil {
				return fmt.Errorf("index: source %q: %w", k, err)
			}
			out = append(out, s)
			return nil
		})
	}(t.tx)
	return out, err
}

// Latest implements Index. It walks the feed's entries from the newest and
// stops after n live ones: the cost is the feed limit plus the scheduled
// and expired articles passed over, never the size of the index.
func (t boltTx) Latest(_ context.Context, feed string, n int, now time.Time) ([]article.Article, error) {
	var out []article.Article
	err := func(tx *bolt.Tx) error {
		prefix := append([]byte(feed), 0)
		c := tx.Bucket(bItems).Cursor()
		k, _ := c.Seek(append([]byte(feed), 1))
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix) && len(out) < n; k, _ = c.Prev() {
			rest := k[len(prefix):]
			if len(rest) < 8 {
				continue
			}
			published := int64(binary.BigEndian.Uint64(rest[:8]) ^ (1 << 63))
			if time.Unix(0, published).After(now) {
				continue // scheduled
			}
			i := bytes.IndexByte(rest[8:], 0)
			if i < 0 {
				continue
			}
			a, err := t.article(rest[8+i+1:])
			if err != nil {
				return err
			}
			if live(a, now) {
				out = append(out, *a)
			}
		}
		return nil
	}(t.tx)
	return out, err
}

// Feeds implements Index.
func (t boltTx) Feeds(_ context.Context) ([]FeedInfo, error) {
	var out []FeedInfo
	err := func(tx *bolt.Tx) error {
		return tx.Bucket(bFeeds).ForEach(func(k, v []byte) error {
			var fi boltFeed
			if err := json.Unmarshal(v, &fi); err != nil {
				return err
			}
			out = append(out, FeedInfo{ID: string(k[1:]), Label: fi.Label, Count: fi.Count})
			return nil
		})
	}(t.tx)
	return out, err
}

// Due implements Index.
func (t boltTx) Due(_ context.Context, from, to time.Time) ([]string, error) {
	var due [][]Membership
	err := func(tx *bolt.Tx) error {
		c := tx.Bucket(bSchedule).Cursor()
		lo, hi := instant(from.Add(time.Nanosecond)), instant(to.Add(time.Nanosecond))
		for k, _ := c.Seek(lo); k != nil && bytes.Compare(k[:8], hi) < 0; k, _ = c.Next() {
			s, found, err := getSource(tx, string(k[8:]))
			if err != nil {
				return err
			}
			if found {
				due = append(due, s.Feeds)
			}
		}
		return nil
	}(t.tx)
	out := feedIDs(due...)
	sort.Strings(out)
	return out, err
}

// OutputHash implements Index.
func (t boltTx) OutputHash(_ context.Context, path string) (string, error) {
	return string(t.tx.Bucket(bOutputs).Get([]byte(path))), nil
}

// SetOutputHash implements Index.
func (t boltTx) SetOutputHash(_ context.Context, path, hash string) error {
	if hash == "" {
		return t.tx.Bucket(bOutputs).Delete([]byte(path))
	}
	return t.tx.Bucket(bOutputs).Put([]byte(path), []byte(hash))
}

// Close implements Index; the transaction's owner ends it.
func (t boltTx) Close() error { return nil }
