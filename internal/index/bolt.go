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
)

type boltSource struct {
	Key, Version, Hash string
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
		for _, b := range [][]byte{bSources, bArticles, bItems, bFeeds, bSchedule, bOutputs} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
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

// Put implements Index.
func (b *Bolt) Put(_ context.Context, src Source) ([]string, error) {
	var changed []string
	err := b.db.Update(func(tx *bolt.Tx) error {
		old, found, err := getSource(tx, src.Key)
		if err != nil {
			return err
		}
		if found && !Newer(src.Version, old.Version) {
			return ErrStale
		}
		if err := unlink(tx, old); err != nil {
			return err
		}
		next := boltSource{Key: src.Key, Version: src.Version, Hash: src.Hash, Size: src.Size, ModTime: src.ModTime, Feeds: src.Feeds}
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
		return putJSON(tx.Bucket(bSources), []byte(src.Key), next)
	})
	return changed, err
}

// Reject implements Index.
func (b *Bolt) Reject(_ context.Context, src Source) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		old, found, err := getSource(tx, src.Key)
		if err != nil {
			return err
		}
		if found && !Newer(src.Version, old.Version) {
			return ErrStale
		}
		next := old
		if !found {
			next = boltSource{}
		}
		next.Key, next.Version, next.Hash, next.Size, next.ModTime = src.Key, src.Version, src.Hash, src.Size, src.ModTime
		next.Problems, next.RejectedAt, next.Deleted = src.Problems, src.RejectedAt, false
		return putJSON(tx.Bucket(bSources), []byte(src.Key), next)
	})
}

// Delete implements Index.
func (b *Bolt) Delete(_ context.Context, key, version string) ([]string, error) {
	var changed []string
	err := b.db.Update(func(tx *bolt.Tx) error {
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
		return putJSON(tx.Bucket(bSources), []byte(key), boltSource{Key: key, Version: version, Deleted: true})
	})
	return changed, err
}

func (s boltSource) source() Source {
	return Source{Key: s.Key, Version: s.Version, Hash: s.Hash, Size: s.Size, ModTime: s.ModTime, Deleted: s.Deleted,
		Feeds: s.Feeds, Problems: s.Problems, RejectedAt: s.RejectedAt}
}

// Get implements Index.
func (b *Bolt) Get(_ context.Context, key string) (Source, error) {
	var out Source
	err := b.db.View(func(tx *bolt.Tx) error {
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
	})
	return out, err
}

// List implements Index.
func (b *Bolt) List(_ context.Context) ([]Summary, error) {
	var out []Summary
	err := b.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bSources).ForEach(func(k, v []byte) error {
			var s boltSource
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("index: source %q: %w", k, err)
			}
			out = append(out, Summary{Key: s.Key, Version: s.Version, Hash: s.Hash, Size: s.Size, ModTime: s.ModTime,
				Deleted: s.Deleted, HasArticle: s.HasArticle, Title: s.Title, Published: s.Published, Expires: s.Expires,
				Draft: s.Draft, Problems: s.Problems, RejectedAt: s.RejectedAt})
			return nil
		})
	})
	return out, err
}

// Latest implements Index. It walks the feed's entries from the newest and
// stops after n live ones: the cost is the feed limit plus the scheduled
// and expired articles passed over, never the size of the index.
func (b *Bolt) Latest(_ context.Context, feed string, n int, now time.Time) ([]article.Article, error) {
	var out []article.Article
	err := b.db.View(func(tx *bolt.Tx) error {
		prefix := append([]byte(feed), 0)
		c := tx.Bucket(bItems).Cursor()
		k, _ := c.Seek(append([]byte(feed), 1))
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		articles := tx.Bucket(bArticles)
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
			key := rest[8+i+1:]
			var a article.Article
			if err := json.Unmarshal(articles.Get(key), &a); err != nil {
				return fmt.Errorf("index: article %q: %w", key, err)
			}
			if live(&a, now) {
				out = append(out, a)
			}
		}
		return nil
	})
	return out, err
}

// Feeds implements Index.
func (b *Bolt) Feeds(_ context.Context) ([]FeedInfo, error) {
	var out []FeedInfo
	err := b.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bFeeds).ForEach(func(k, v []byte) error {
			var fi boltFeed
			if err := json.Unmarshal(v, &fi); err != nil {
				return err
			}
			out = append(out, FeedInfo{ID: string(k[1:]), Label: fi.Label, Count: fi.Count})
			return nil
		})
	})
	return out, err
}

// Due implements Index.
func (b *Bolt) Due(_ context.Context, from, to time.Time) ([]string, error) {
	var due [][]Membership
	err := b.db.View(func(tx *bolt.Tx) error {
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
	})
	out := feedIDs(due...)
	sort.Strings(out)
	return out, err
}

// OutputHash implements Index.
func (b *Bolt) OutputHash(_ context.Context, path string) (string, error) {
	var h string
	err := b.db.View(func(tx *bolt.Tx) error {
		h = string(tx.Bucket(bOutputs).Get([]byte(path)))
		return nil
	})
	return h, err
}

// SetOutputHash implements Index.
func (b *Bolt) SetOutputHash(_ context.Context, path, hash string) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		if hash == "" {
			return tx.Bucket(bOutputs).Delete([]byte(path))
		}
		return tx.Bucket(bOutputs).Put([]byte(path), []byte(hash))
	})
}
