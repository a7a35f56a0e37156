package bolt

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"time"

	article "github.com/pressroom/pressroom/internal/article/model"
	"github.com/pressroom/pressroom/internal/index"
)

func (t txn) getSource(key string) (index.SourceRecord, bool, error) {
	v := t.tx.Bucket(bSources).Get([]byte(key))
	if v == nil {
		return index.SourceRecord{}, false, nil
	}
	r, err := index.DecodeSourceRecord(v)
	if err != nil {
		return index.SourceRecord{}, false, fmt.Errorf("index: source %q: %w", key, err)
	}
	return r, true, nil
}

// putSource writes a source record and its summary.
func (t txn) putSource(r index.SourceRecord) error {
	if err := putJSON(t.tx.Bucket(bSources), []byte(r.Key), r); err != nil {
		return err
	}
	return t.tx.Bucket(bSummary).Put([]byte(r.Key), encodeSummary(r.Summary()))
}

// article returns the stored article of key, decoding it once per
// transaction (within the cache's budget). Callers must not modify it.
func (t txn) article(key []byte) (*article.Article, error) {
	if a, ok := t.decoded.get(key); ok {
		return a, nil
	}
	v := t.tx.Bucket(bArticles).Get(key)
	a, err := index.DecodeArticle(v)
	if err != nil {
		return nil, fmt.Errorf("index: article %q: %w", key, err)
	}
	t.decoded.put(key, a, len(v))
	return a, nil
}

func (t txn) forget(key string) {
	t.decoded.forget(key)
}

// articleCache holds the articles a transaction decoded: a publish reads
// each article once for every feed it is in. It holds at most
// articleCacheBudget bytes of their records, and starts again empty when
// one more would go over: one transaction renders every feed of a site
// on a first build or a configuration change, and the cache of a
// 40,000-article site grew to 130 MB (that of 400,000 articles, twenty
// years of a daily paper, would have taken 1.3 GB). A nil cache holds
// nothing.
type articleCache struct {
	byKey map[string]*article.Article
	bytes int // the records' lengths of byKey's articles
}

// articleCacheBudget bounds an articleCache: the records of the
// 10,000-article benchmark (3 KB bodies) fit; beyond it, articles are
// decoded again for the feeds that read them after the cache started
// again (variable for tests).
var articleCacheBudget = 64 << 20

func newArticleCache() *articleCache {
	return &articleCache{byKey: map[string]*article.Article{}}
}

func (c *articleCache) get(key []byte) (*article.Article, bool) {
	if c == nil {
		return nil, false
	}
	a, ok := c.byKey[string(key)]
	return a, ok
}

func (c *articleCache) put(key []byte, a *article.Article, size int) {
	if c == nil || size > articleCacheBudget {
		return
	}
	if c.bytes+size > articleCacheBudget {
		clear(c.byKey)
		c.bytes = 0
	}
	c.byKey[string(key)] = a
	c.bytes += size
}

// forget drops key's article, written again in the transaction. Its bytes
// stay counted until the cache starts again: it may start a little early.
func (c *articleCache) forget(key string) {
	if c != nil {
		delete(c.byKey, key)
	}
}

func (t txn) unwait(claim, key string) error {
	if claim == "" {
		return nil
	}
	return t.tx.Bucket(bWaiting).Delete(waitKey(claim, key))
}

// release frees the claims key holds and returns their waiters, whose
// wait entries stay until their own next write.
func (t txn) release(claims []string, key string) ([]string, error) {
	var waiters []string
	for _, c := range claims {
		if string(t.tx.Bucket(bClaims).Get([]byte(c))) != key {
			continue
		}
		if err := t.tx.Bucket(bClaims).Delete([]byte(c)); err != nil {
			return nil, err
		}
		prefix := waitKey(c, "")
		cur := t.tx.Bucket(bWaiting).Cursor()
		for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
			waiters = append(waiters, string(k[len(prefix):]))
		}
	}
	sort.Strings(waiters)
	return waiters, nil
}

// Put implements index.Index.
func (b *Index) Put(ctx context.Context, src index.Source) (ch index.Change, err error) {
	err = b.update(func(t txn) error { ch, err = t.Put(ctx, src); return err })
	return ch, err
}

// Reject implements index.Index.
func (b *Index) Reject(ctx context.Context, src index.Source) error {
	return b.update(func(t txn) error { return t.Reject(ctx, src) })
}

// Delete implements index.Index.
func (b *Index) Delete(ctx context.Context, key, version string, at time.Time) (ch index.Change, err error) {
	err = b.update(func(t txn) error { ch, err = t.Delete(ctx, key, version, at); return err })
	return ch, err
}

// Get implements index.Index.
func (b *Index) Get(ctx context.Context, key string) (out index.Source, err error) {
	err = b.view(func(t txn) error { out, err = t.Get(ctx, key); return err })
	return out, err
}

// List implements index.Index.
func (b *Index) List(ctx context.Context) (out []index.Summary, err error) {
	err = b.view(func(t txn) error { out, err = t.List(ctx); return err })
	return out, err
}

// ListStats implements index.StatLister.
func (b *Index) ListStats(ctx context.Context) (out []index.FileStat, err error) {
	err = b.view(func(t txn) error { out, err = t.ListStats(ctx); return err })
	return out, err
}

// Summaries implements index.StatLister.
func (b *Index) Summaries(ctx context.Context, keys []string) (out []index.Summary, err error) {
	err = b.view(func(t txn) error { out, err = t.Summaries(ctx, keys); return err })
	return out, err
}

// Holder implements index.Index.
func (b *Index) Holder(ctx context.Context, claim string) (h string, err error) {
	err = b.view(func(t txn) error { h, err = t.Holder(ctx, claim); return err })
	return h, err
}

// Waiting implements index.Index.
func (b *Index) Waiting(ctx context.Context) (out []string, err error) {
	err = b.view(func(t txn) error { out, err = t.Waiting(ctx); return err })
	return out, err
}

// Put implements index.Index.
func (t txn) Put(_ context.Context, src index.Source) (index.Change, error) {
	if err := index.CheckSource(src); err != nil {
		return index.Change{}, err
	}
	t.forget(src.Key)
	old, found, err := t.getSource(src.Key)
	if err != nil {
		return index.Change{}, err
	}
	if err := index.CheckVersion(src, old.Summary(), found); err != nil {
		return index.Change{}, err
	}
	claims := index.Claims(src.Article)
	for _, c := range claims {
		if h := t.tx.Bucket(bClaims).Get([]byte(c)); h != nil && string(h) != src.Key {
			return index.Change{}, &index.ConflictError{Claim: c, Holder: string(h)}
		}
	}
	waiting := ""
	if src.Article == nil && len(src.Problems) > 0 {
		waiting = src.Waiting
	}
	if waiting != "" {
		if h := t.tx.Bucket(bClaims).Get([]byte(waiting)); h == nil || string(h) == src.Key {
			return index.Change{}, index.ErrReleased
		}
	}
	if err := t.unlink(old); err != nil {
		return index.Change{}, err
	}
	src.Deleted, src.Waiting, src.ArticleConfig = false, waiting, src.Config
	if len(src.Problems) == 0 {
		src.RejectedAt = time.Time{}
	}
	src.Feeds = append([]index.Membership(nil), src.Feeds...)
	next := index.SourceRecordOf(src)
	var had []index.Membership
	if old.HasArticle {
		had = old.Feeds
	}
	if err := index.AssignSlots(had, next.Feeds, t.alloc); err != nil {
		return index.Change{}, err
	}
	if err := t.recordGone(src.Key, old.Listing(), next.Listing(), index.GoneTime(src)); err != nil {
		return index.Change{}, err
	}
	if a := src.Article; a != nil {
		data, err := index.EncodeArticle(a)
		if err != nil {
			return index.Change{}, err
		}
		if err := t.tx.Bucket(bArticles).Put([]byte(src.Key), data); err != nil {
			return index.Change{}, err
		}
	} else if err := t.tx.Bucket(bArticles).Delete([]byte(src.Key)); err != nil {
		return index.Change{}, err
	}
	if err := t.link(next); err != nil {
		return index.Change{}, err
	}
	if err := t.unwait(old.Waiting, src.Key); err != nil {
		return index.Change{}, err
	}
	waiters, err := t.release(index.Released(old.Claims(), claims), src.Key)
	if err != nil {
		return index.Change{}, err
	}
	for _, c := range claims {
		if err := t.tx.Bucket(bClaims).Put([]byte(c), []byte(src.Key)); err != nil {
			return index.Change{}, err
		}
	}
	if waiting != "" {
		if err := t.tx.Bucket(bWaiting).Put(waitKey(waiting, src.Key), nil); err != nil {
			return index.Change{}, err
		}
	}
	ch := index.ChangeOf(old.Listing(), next.Listing(), index.WriteTime(src))
	ch.Waiters = waiters
	if err := t.mark(index.MarkIDs(ch.Feeds, ch.Pages)); err != nil {
		return index.Change{}, err
	}
	return ch, t.putSource(next)
}

// Reject implements index.Index.
func (t txn) Reject(_ context.Context, src index.Source) error {
	old, found, err := t.getSource(src.Key)
	if err != nil {
		return err
	}
	if err := index.CheckVersion(src, old.Summary(), found); err != nil {
		return err
	}
	if src.Waiting != "" {
		if h := t.tx.Bucket(bClaims).Get([]byte(src.Waiting)); h == nil || string(h) == src.Key {
			return index.ErrReleased
		}
	}
	next := old
	if !found {
		next = index.SourceRecord{V: index.RecordVersion}
	}
	next.Key, next.Version, next.Hash, next.Size, next.ModTime, next.Config = src.Key, src.Version, src.Hash, src.Size, src.ModTime, src.Config
	next.Problems, next.RejectedAt, next.Deleted = index.ProblemRecords(src.Problems), src.RejectedAt, false
	if err := t.unwait(old.Waiting, src.Key); err != nil {
		return err
	}
	next.Waiting = src.Waiting
	if src.Waiting != "" {
		if err := t.tx.Bucket(bWaiting).Put(waitKey(src.Waiting, src.Key), nil); err != nil {
			return err
		}
	}
	return t.putSource(next)
}

// Delete implements index.Index.
func (t txn) Delete(_ context.Context, key, version string, at time.Time) (index.Change, error) {
	t.forget(key)
	old, found, err := t.getSource(key)
	if err != nil {
		return index.Change{}, err
	}
	if found && !index.Newer(version, old.Version) {
		return index.Change{}, index.ErrStale
	}
	if err := t.unlink(old); err != nil {
		return index.Change{}, err
	}
	if err := t.tx.Bucket(bArticles).Delete([]byte(key)); err != nil {
		return index.Change{}, err
	}
	if err := t.unwait(old.Waiting, key); err != nil {
		return index.Change{}, err
	}
	waiters, err := t.release(old.Claims(), key)
	if err != nil {
		return index.Change{}, err
	}
	if err := t.recordGone(key, old.Listing(), nil, at); err != nil {
		return index.Change{}, err
	}
	ch := index.ChangeOf(old.Listing(), nil, at)
	ch.Waiters = waiters
	if err := t.mark(index.MarkIDs(ch.Feeds, ch.Pages)); err != nil {
		return index.Change{}, err
	}
	return ch, t.putSource(index.SourceRecord{V: index.RecordVersion, Key: key, Version: version, Deleted: true})
}

// Get implements index.Index.
func (t txn) Get(_ context.Context, key string) (index.Source, error) {
	r, found, err := t.getSource(key)
	if err != nil {
		return index.Source{}, err
	}
	if !found {
		return index.Source{}, index.ErrNotFound
	}
	out := r.Source()
	if r.HasArticle {
		a, err := index.DecodeArticle(t.tx.Bucket(bArticles).Get([]byte(key)))
		if err != nil {
			return index.Source{}, fmt.Errorf("index: article %q: %w", key, err)
		}
		out.Article = a
	}
	return out, nil
}

// List implements index.Index.
func (t txn) List(_ context.Context) ([]index.Summary, error) {
	b := t.tx.Bucket(bSummary)
	// Counting the keys reads each page's header; growing the slice
	// instead would copy and clear megabytes on a large site.
	out := make([]index.Summary, 0, b.Stats().KeyN)
	var d decoder // shares its time zones between the summaries
	err := b.ForEach(func(k, v []byte) error {
		s, err := d.summary(v)
		if err != nil {
			return fmt.Errorf("index: source %q: %w", k, err)
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

// ListStats implements index.StatLister: the summaries' first fields
// only, the keys cut from one string. A rebuild of 10,000 articles
// listed 5 MB of summaries (each a fresh page of memory to fault in) to
// compare sizes and times; this is under 1 MB.
func (t txn) ListStats(_ context.Context) ([]index.FileStat, error) {
	b := t.tx.Bucket(bSummary)
	out := make([]index.FileStat, 0, b.Stats().KeyN)
	var keys []byte // every key, one after the other
	var ends []int
	var d decoder
	err := b.ForEach(func(k, v []byte) error {
		d.b, d.off, d.err = v, 0, nil
		key := d.bytes()
		for range 7 { // Version, Hash, Config, Title, ArticleConfig, ObjectVersion, Waiting
			d.bytes()
		}
		st := index.FileStat{Size: d.int()}
		if d.byte() == 1 {
			st.ModTime = d.int()
			d.int() // the zone's offset
		}
		for range 3 { // Published, Expires, RejectedAt
			if d.byte() == 1 {
				d.int()
				d.int()
			}
		}
		st.Deleted = d.byte() == 1
		_, _ = d.byte(), d.byte() // HasArticle, Draft
		// The problems as summary decodes them, read to refuse what it
		// refuses.
		if n := d.int(); n > 0 && n < 10000 {
			st.Rejected = true
			for range n {
				d.bytes()
				d.int()
				d.bytes()
			}
		}
		if d.err != nil {
			return fmt.Errorf("index: source %q: %w", k, d.err)
		}
		keys = append(keys, key...)
		ends = append(ends, len(keys))
		out = append(out, st)
		return nil
	})
	all := string(keys)
	start := 0
	for i, end := range ends {
		out[i].Key = all[start:end]
		start = end
	}
	return out, err
}

// Summaries implements index.StatLister.
func (t txn) Summaries(_ context.Context, keys []string) ([]index.Summary, error) {
	b := t.tx.Bucket(bSummary)
	out := make([]index.Summary, len(keys))
	var d decoder
	for i, key := range keys {
		v := b.Get([]byte(key))
		if v == nil {
			return nil, fmt.Errorf("index: source %q: %w", key, index.ErrNotFound)
		}
		s, err := d.summary(v)
		if err != nil {
			return nil, fmt.Errorf("index: source %q: %w", key, err)
		}
		out[i] = s
	}
	return out, nil
}

// Holder implements index.Index.
func (t txn) Holder(_ context.Context, claim string) (string, error) {
	return string(t.tx.Bucket(bClaims).Get([]byte(claim))), nil
}

// Waiting implements index.Index.
func (t txn) Waiting(_ context.Context) ([]string, error) {
	var out []string
	err := t.tx.Bucket(bWaiting).ForEach(func(k, _ []byte) error {
		if i := bytes.IndexByte(k, 0); i >= 0 {
			out = append(out, string(k[i+1:]))
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}
