package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"go.etcd.io/bbolt"

	article "github.com/pressroom/pressroom/internal/article/model"
	"github.com/pressroom/pressroom/internal/index"
)

// feedRecord is a feed's entry in the feeds bucket.
type feedRecord struct {
	Label string `json:"label"`
	Count int    `json:"count"`
	Slots int    `json:"slots,omitempty"`
}

// feedInfo reads a feed's record (zero when there is none), from the
// transaction's feed cache when it has one.
func (t txn) feedInfo(feed string) (feedRecord, error) {
	if c, ok := t.feeds[feed]; ok {
		return c.feedRecord, nil
	}
	var fi feedRecord
	if v := t.tx.Bucket(bFeeds).Get(feedKey(feed)); v != nil {
		if err := json.Unmarshal(v, &fi); err != nil {
			return fi, fmt.Errorf("index: feed %q: %w", feed, err)
		}
	}
	if t.feeds != nil {
		t.feeds[feed] = &cachedFeed{feedRecord: fi}
	}
	return fi, nil
}

// putFeed writes a feed's record: into the transaction's feed cache when
// it has one (flushFeeds writes it before the commit), else at once.
func (t txn) putFeed(feed string, fi feedRecord) error {
	if t.feeds != nil {
		t.feeds[feed] = &cachedFeed{feedRecord: fi, dirty: true}
		return nil
	}
	return putJSON(t.tx.Bucket(bFeeds), feedKey(feed), fi)
}

// cachedFeed is a feed's record as a batch sees it.
type cachedFeed struct {
	feedRecord
	dirty bool // changed since read: flushFeeds writes it
}

// flushFeeds writes the feed records a batch changed. A batch of a
// thousand articles changes each of their six feeds' counts and slots
// thousands of times: they are decoded and encoded once.
func (t txn) flushFeeds() error {
	if len(t.feeds) == 0 {
		return nil
	}
	names := make([]string, 0, len(t.feeds))
	for name, c := range t.feeds {
		if c.dirty {
			names = append(names, name)
		}
	}
	sort.Strings(names) // bbolt puts in key order touch each page once
	for _, name := range names {
		c := t.feeds[name]
		if err := putJSON(t.tx.Bucket(bFeeds), feedKey(name), c.feedRecord); err != nil {
			return err
		}
		c.dirty = false
	}
	return nil
}

// alloc takes a feed's next archive slot.
func (t txn) alloc(feed string) (int, error) {
	fi, err := t.feedInfo(feed)
	if err != nil {
		return 0, err
	}
	fi.Slots++
	return fi.Slots, t.putFeed(feed, fi)
}

// recordGone records or clears deletions for a write from old to next.
func (t txn) recordGone(key string, old, next *index.Listing, at time.Time) error {
	b := t.tx.Bucket(bGone)
	if g, ok := index.GoneOf(key, old, next, at); ok {
		if err := putJSON(b, []byte(g.ID), g); err != nil {
			return err
		}
	}
	if next != nil && !next.Draft {
		return b.Delete([]byte(next.ID))
	}
	return nil
}

// unlink removes a source's feed entries and schedule instants.
func (t txn) unlink(r index.SourceRecord) error {
	if !r.HasArticle {
		return nil
	}
	for _, m := range r.Feeds {
		if err := t.tx.Bucket(bItems).Delete(itemKey(m.Feed, r.Published, r.ID, r.Key)); err != nil {
			return err
		}
		if m.Slot > 0 {
			if err := t.tx.Bucket(bSlots).Delete(slotKey(m.Feed, m.Slot)); err != nil {
				return err
			}
		}
		fi, err := t.feedInfo(m.Feed)
		if err != nil {
			return err
		}
		// The record stays at count 0: its slot counter must not restart.
		fi.Count = max(fi.Count-1, 0)
		if err := t.putFeed(m.Feed, fi); err != nil {
			return err
		}
	}
	sched := t.tx.Bucket(bSchedule)
	if err := sched.Delete(scheduleKey(r.Published, r.Key)); err != nil {
		return err
	}
	if !r.Expires.IsZero() {
		return sched.Delete(scheduleKey(r.Expires, r.Key))
	}
	return nil
}

// link adds a source's feed entries and schedule instants.
func (t txn) link(r index.SourceRecord) error {
	if !r.HasArticle {
		return nil
	}
	for _, m := range r.Feeds {
		if err := t.tx.Bucket(bItems).Put(itemKey(m.Feed, r.Published, r.ID, r.Key), nil); err != nil {
			return err
		}
		if m.Slot > 0 {
			if err := t.tx.Bucket(bSlots).Put(slotKey(m.Feed, m.Slot), []byte(r.Key)); err != nil {
				return err
			}
		}
		fi, err := t.feedInfo(m.Feed)
		if err != nil {
			return err
		}
		fi.Count++
		fi.Label = m.Label
		if err := t.putFeed(m.Feed, fi); err != nil {
			return err
		}
	}
	sched := t.tx.Bucket(bSchedule)
	if err := sched.Put(scheduleKey(r.Published, r.Key), nil); err != nil {
		return err
	}
	if !r.Expires.IsZero() {
		return sched.Put(scheduleKey(r.Expires, r.Key), nil)
	}
	return nil
}

// Latest implements index.Index.
func (b *Index) Latest(ctx context.Context, feed string, n int, now time.Time) (out []article.Article, err error) {
	err = b.view(func(t txn) error { out, err = t.Latest(ctx, feed, n, now); return err })
	return out, err
}

// Page implements index.Index.
func (b *Index) Page(ctx context.Context, feed string, n int) (out []article.Article, err error) {
	err = b.view(func(t txn) error { out, err = t.Page(ctx, feed, n); return err })
	return out, err
}

// Gone implements index.Index.
func (b *Index) Gone(ctx context.Context) (out []index.Gone, err error) {
	err = b.view(func(t txn) error { out, err = t.Gone(ctx); return err })
	return out, err
}

// ForgetGone implements index.Index.
func (b *Index) ForgetGone(ctx context.Context, before time.Time) error {
	return b.update(func(t txn) error { return t.ForgetGone(ctx, before) })
}

// Feeds implements index.Index.
func (b *Index) Feeds(ctx context.Context) (out []index.FeedInfo, err error) {
	err = b.view(func(t txn) error { out, err = t.Feeds(ctx); return err })
	return out, err
}

// Latest implements index.Index. It walks the feed's entries from the newest and
// stops after n live ones: the cost is the feed limit plus the scheduled
// and expired articles passed over, never the size of the index.
func (t txn) Latest(_ context.Context, feed string, n int, now time.Time) ([]article.Article, error) {
	var out []article.Article
	prefix := append([]byte(feed), 0)
	c := t.tx.Bucket(bItems).Cursor()
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
			return nil, err
		}
		if index.LiveAt(a, now) {
			out = append(out, *a)
		}
	}
	return out, nil
}

// Page implements index.Index: a walk over the page's slot entries.
func (t txn) Page(_ context.Context, feed string, n int) ([]article.Article, error) {
	var out []article.Article
	lo, hi := slotKey(feed, (n-1)*index.PageSize+1), slotKey(feed, n*index.PageSize)
	c := t.tx.Bucket(bSlots).Cursor()
	for k, v := c.Seek(lo); k != nil && bytes.Compare(k, hi) <= 0; k, v = c.Next() {
		a, err := t.article(v)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool { return index.NewestFirst(&out[i], &out[j]) })
	return out, nil
}

// Gone implements index.Index.
func (t txn) Gone(_ context.Context) ([]index.Gone, error) {
	var out []index.Gone
	err := t.tx.Bucket(bGone).ForEach(func(k, v []byte) error {
		var g index.Gone
		if err := json.Unmarshal(v, &g); err != nil {
			return fmt.Errorf("index: deletion %q: %w", k, err)
		}
		out = append(out, g)
		return nil
	})
	index.SortGone(out)
	return out, err
}

// ForgetGone implements index.Index.
func (t txn) ForgetGone(ctx context.Context, before time.Time) error {
	gs, err := t.Gone(ctx)
	if err != nil {
		return err
	}
	for _, g := range gs {
		if g.At.Before(before) {
			if err := t.tx.Bucket(bGone).Delete([]byte(g.ID)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Feeds implements index.Index.
func (t txn) Feeds(_ context.Context) ([]index.FeedInfo, error) {
	if err := t.flushFeeds(); err != nil {
		return nil, err
	}
	var out []index.FeedInfo
	err := t.tx.Bucket(bFeeds).ForEach(func(k, v []byte) error {
		var fi feedRecord
		if err := json.Unmarshal(v, &fi); err != nil {
			return err
		}
		if fi.Count > 0 {
			out = append(out, index.FeedInfo{ID: string(k[1:]), Label: fi.Label, Count: fi.Count, Slots: fi.Slots})
		}
		return nil
	})
	return out, err
}

// RecordGone implements index.Index.
func (t txn) RecordGone(_ context.Context, gs []index.Gone) error {
	for _, g := range gs {
		if err := putJSON(t.tx.Bucket(bGone), []byte(g.ID), g); err != nil {
			return err
		}
	}
	return nil
}

// RecordGone implements index.Index.
func (b *Index) RecordGone(ctx context.Context, gs []index.Gone) error {
	return b.update(func(t txn) error { return t.RecordGone(ctx, gs) })
}

// Contents implements index.Index: one read transaction.
func (b *Index) Contents(ctx context.Context, live []index.LiveRef, pages []index.PageRef, now time.Time) (out index.Contents, err error) {
	err = b.db.View(func(tx *bbolt.Tx) error {
		out, err = txn{tx: tx, decoded: newArticleCache()}.Contents(ctx, live, pages, now)
		return err
	})
	return out, err
}

// Contents implements index.Index.
func (t txn) Contents(ctx context.Context, live []index.LiveRef, pages []index.PageRef, now time.Time) (index.Contents, error) {
	return index.ContentsOf(ctx, t, live, pages, now)
}
