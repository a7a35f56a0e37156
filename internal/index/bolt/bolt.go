// Package bolt is the local index.Index adapter: one bbolt file (pure Go,
// no cgo), what a build and serve use on a laptop.
package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"time"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	article "github.com/pressroom/pressroom/internal/article/model"
	"github.com/pressroom/pressroom/internal/index"
)

// Index is the local index.Index: one bbolt file (pure Go, no cgo).
//
// Buckets:
//
//	sources    key -> index.SourceRecord (JSON, without the article body)
//	summaries  key -> Summary (compact binary; what List reads)
//	articles   key -> the stored article (JSON: index.EncodeArticle)
//	items      feed 0x00 published(8, big-endian) id 0x00 key -> ""
//	           (one feed's entries are contiguous and ordered by date, so
//	           the latest N are read with one reverse cursor walk)
//	feeds      "f" feed -> feedRecord (JSON: label, count, slots taken); the
//	           prefix because the site feed's id is "" and bbolt keys cannot
//	           be empty; kept at count 0, so slots are never reused
//	slots      feed 0x00 slot(4, big-endian) -> key (archive pages)
//	gone       article id -> Gone (JSON)
//	schedule   instant(8) key -> "" (publish and expiry instants, for Due)
//	claims     claim -> holder key
//	waiting    claim 0x00 key -> "" (sources rejected for wanting claim)
//	pending    "f" feed (or index.AllMark) -> mark sequence (8, big-endian)
//	outputs    path -> hash
//	unpurged   path -> ""
//	state      name -> value
//	meta       "schema" -> record version; "seq" -> last mark sequence
//
// Every write of a source (its record, feed entries, claims and pending
// marks) is one bbolt transaction.
type Index struct {
	db *bbolt.DB
}

var _ index.Index = (*Index)(nil)

var (
	bSources  = []byte("sources")
	bArticles = []byte("articles")
	bItems    = []byte("items")
	bFeeds    = []byte("feeds")
	bSchedule = []byte("schedule")
	bOutputs  = []byte("outputs")
	bSummary  = []byte("summaries")
	bClaims   = []byte("claims")
	bWaiting  = []byte("waiting")
	bPending  = []byte("pending")
	bUnpurged = []byte("unpurged")
	bState    = []byte("state")
	bMeta     = []byte("meta")
	bSlots    = []byte("slots")
	bGone     = []byte("gone")

	allBuckets = [][]byte{bSources, bArticles, bItems, bFeeds, bSchedule, bOutputs, bSummary, bClaims, bWaiting,
		bPending, bUnpurged, bState, bMeta, bSlots, bGone}
)

// feedRecord is a feed's entry in the feeds bucket.
type feedRecord struct {
	Label string `json:"label"`
	Count int    `json:"count"`
	Slots int    `json:"slots,omitempty"`
}

// Open opens (or creates) the index file at path. It waits up to five
// seconds for another process holding the file. An index written by an
// older pressroom is brought up to date; one written by a newer one is
// refused.
func Open(path string) (*Index, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	db, err := bbolt.Open(path, 0o644, &bbolt.Options{Timeout: 5 * time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("index: %s is in use by another pressroom process", path)
	}
	if err != nil {
		return nil, fmt.Errorf("index: %s: %w", path, err)
	}
	// An index of this schema is only read here: a write transaction
	// would commit (and sync the file twice) on every build.
	current := false
	err = db.View(func(tx *bbolt.Tx) error {
		current = upToDate(tx)
		return nil
	})
	if err == nil && !current {
		err = db.Update(func(tx *bbolt.Tx) error {
			for _, b := range allBuckets {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			return migrate(tx)
		})
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("index: %s: %w", path, err)
	}
	return &Index{db: db}, nil
}

// upToDate says tx's index has every bucket and this pressroom's schema:
// there is nothing for Open to create or migrate.
func upToDate(tx *bbolt.Tx) bool {
	for _, b := range allBuckets {
		if tx.Bucket(b) == nil {
			return false
		}
	}
	return string(tx.Bucket(bMeta).Get([]byte("schema"))) == strconv.Itoa(index.RecordVersion)
}

// ErrBusy is returned by OpenReader when a writer held the file for
// longer than it would wait.
var ErrBusy = errors.New("index: in use by another pressroom process")

// OpenReader opens the index file at path to read it only, beside any
// other reader. A writer (a build, including serve's) holds the file only
// while it writes: OpenReader waits up to wait for it to finish, and
// then returns an error matching ErrBusy. The index must have been written
// by this pressroom's schema: a reader brings nothing up to date.
func OpenReader(path string, wait time.Duration) (*Index, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	db, err := bbolt.Open(path, 0o644, &bbolt.Options{Timeout: wait, ReadOnly: true})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("index: %s: %w", path, ErrBusy)
	}
	if err != nil {
		return nil, fmt.Errorf("index: %s: %w", path, err)
	}
	err = db.View(func(tx *bbolt.Tx) error {
		for _, b := range allBuckets {
			if tx.Bucket(b) == nil {
				return fmt.Errorf("no %s bucket: build with this pressroom first", b)
			}
		}
		if v, _ := strconv.Atoi(string(tx.Bucket(bMeta).Get([]byte("schema")))); v != index.RecordVersion {
			return fmt.Errorf("index schema %d, this pressroom knows %d: build with this pressroom first", v, index.RecordVersion)
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("index: %s: %w", path, err)
	}
	return &Index{db: db}, nil
}

// migrate brings an index of an older schema up to date. Version 1 sources
// and articles decode as they are; their summaries, claims and state are
// rebuilt.
func migrate(tx *bbolt.Tx) error {
	meta := tx.Bucket(bMeta)
	v := 1
	if b := meta.Get([]byte("schema")); b != nil {
		v, _ = strconv.Atoi(string(b))
	} else if tx.Bucket(bSources).Stats().KeyN == 0 {
		v = index.RecordVersion // a new index
	}
	switch {
	case v > index.RecordVersion:
		return fmt.Errorf("written by a newer pressroom (index schema %d, this one knows %d)", v, index.RecordVersion)
	case v < 2:
		// Summaries gained fields: rebuild them, and the claims, which
		// version 1 did not keep.
		if err := tx.DeleteBucket(bSummary); err != nil {
			return err
		}
		if _, err := tx.CreateBucket(bSummary); err != nil {
			return err
		}
		var records []index.SourceRecord
		err := tx.Bucket(bSources).ForEach(func(k, v []byte) error {
			r, err := index.DecodeSourceRecord(v)
			if err != nil {
				return fmt.Errorf("source %q: %w", k, err)
			}
			records = append(records, r)
			return nil
		})
		if err != nil {
			return err
		}
		// Version 1 let two files publish one id or URL. As a build from
		// scratch does, the first in key order keeps it; the others leave
		// the feeds, rejected and waiting for it.
		t := txn{tx: tx}
		for _, r := range records {
			held, holder := "", ""
			for _, c := range r.Claims() {
				if h := tx.Bucket(bClaims).Get([]byte(c)); h != nil && held == "" {
					held, holder = c, string(h)
				}
			}
			if held == "" {
				for _, c := range r.Claims() {
					if err := tx.Bucket(bClaims).Put([]byte(c), []byte(r.Key)); err != nil {
						return err
					}
				}
			} else {
				if err := t.unlink(r); err != nil {
					return err
				}
				if err := tx.Bucket(bArticles).Delete([]byte(r.Key)); err != nil {
					return err
				}
				r.HasArticle, r.Feeds, r.Waiting = false, nil, held
				r.Problems = append(r.Problems, index.ProblemRecord{Field: "id",
					Message: fmt.Sprintf("%s is already used by %s: give this article its own slug or id (the other article stays published)", held, holder)})
				if err := tx.Bucket(bWaiting).Put(waitKey(held, r.Key), nil); err != nil {
					return err
				}
			}
			r.V = index.RecordVersion
			if err := t.putSource(r); err != nil {
				return err
			}
		}
		// Version 1 kept its state among the output hashes.
		for _, name := range []string{"last-publish", "config"} {
			old := []byte(".state/" + name)
			if h := tx.Bucket(bOutputs).Get(old); h != nil {
				if err := tx.Bucket(bState).Put([]byte(name), h); err != nil {
					return err
				}
				if err := tx.Bucket(bOutputs).Delete(old); err != nil {
					return err
				}
			}
		}
	}
	if v < 3 {
		if err := assignArchiveSlots(tx); err != nil {
			return err
		}
	}
	return meta.Put([]byte("schema"), []byte(strconv.Itoa(index.RecordVersion)))
}

// assignArchiveSlots gives the memberships of an index written before
// archives their slots, oldest article first: the archive pages of an
// upgraded site run in date order.
func assignArchiveSlots(tx *bbolt.Tx) error {
	var records []index.SourceRecord
	err := tx.Bucket(bSources).ForEach(func(k, v []byte) error {
		r, err := index.DecodeSourceRecord(v)
		if err != nil {
			return fmt.Errorf("source %q: %w", k, err)
		}
		if r.HasArticle && len(r.Feeds) > 0 {
			records = append(records, r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Slice(records, func(i, j int) bool {
		if !records[i].Published.Equal(records[j].Published) {
			return records[i].Published.Before(records[j].Published)
		}
		return records[i].Key < records[j].Key
	})
	t := txn{tx: tx}
	for _, r := range records {
		if err := index.AssignSlots(nil, r.Feeds, t.alloc); err != nil {
			return err
		}
		for _, m := range r.Feeds {
			if err := tx.Bucket(bSlots).Put(slotKey(m.Feed, m.Slot), []byte(r.Key)); err != nil {
				return err
			}
		}
		r.V = index.RecordVersion
		if err := t.putSource(r); err != nil {
			return err
		}
	}
	return nil
}

// Close implements index.Index.
func (b *Index) Close() error { return b.db.Close() }

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

func slotKey(feed string, slot int) []byte {
	k := make([]byte, 0, len(feed)+5)
	k = append(append(k, feed...), 0)
	return binary.BigEndian.AppendUint32(k, uint32(slot))
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

func scheduleKey(t time.Time, key string) []byte {
	return append(instant(t), key...)
}

func waitKey(claim, key string) []byte {
	return append(append([]byte(claim), 0), key...)
}

// txn is the index.Index over one bbolt transaction: the methods of Index run
// in a transaction of their own, Batch runs many in one.
type txn struct {
	tx *bbolt.Tx
	// decoded caches articles read in this transaction: a publish reads
	// the same article once for every feed it is in.
	decoded map[string]*article.Article
	// feeds caches the feed records a batch reads and writes (see
	// flushFeeds); nil outside a batch, where they are written at once.
	feeds map[string]*cachedFeed
}

var _ index.Index = txn{}

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
// transaction. Callers must not modify it.
func (t txn) article(key []byte) (*article.Article, error) {
	if a, ok := t.decoded[string(key)]; ok {
		return a, nil
	}
	a, err := index.DecodeArticle(t.tx.Bucket(bArticles).Get(key))
	if err != nil {
		return nil, fmt.Errorf("index: article %q: %w", key, err)
	}
	if t.decoded != nil {
		t.decoded[string(key)] = a
	}
	return a, nil
}

func (t txn) forget(key string) {
	delete(t.decoded, key)
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

// nextSeq returns the next pending-mark sequence.
func (t txn) nextSeq() ([]byte, error) {
	meta := t.tx.Bucket(bMeta)
	var n uint64
	if v := meta.Get([]byte("seq")); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], n+1)
	return buf[:], meta.Put([]byte("seq"), buf[:])
}

func (t txn) mark(feeds []string) error {
	for _, f := range feeds {
		seq, err := t.nextSeq()
		if err != nil {
			return err
		}
		if err := t.tx.Bucket(bPending).Put(feedKey(f), seq); err != nil {
			return err
		}
	}
	return nil
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

// appendMostly are the buckets a build fills in key order: sources by
// path (a build records files in path order), items and schedule by date
// (mostly), slots by number. A batch fills their pages to appendFill
// rather than bbolt's half, which left the file of a 10,000-article build
// half empty (and mapped, so in the peak memory). A page split by a later
// write in the middle keeps the same fill, so edits cost a split sooner.
var appendMostly = [][]byte{bSources, bSummary, bArticles, bItems, bSlots, bSchedule}

const appendFill = 0.9

// Batch implements Batcher: fn's writes commit in one transaction (one
// fsync), which a build of thousands of articles needs.
func (b *Index) Batch(_ context.Context, fn func(index.Index) error) error {
	return b.db.Update(func(tx *bbolt.Tx) error {
		for _, name := range appendMostly {
			tx.Bucket(name).FillPercent = appendFill
		}
		t := txn{tx: tx, decoded: map[string]*article.Article{}, feeds: map[string]*cachedFeed{}}
		if err := fn(t); err != nil {
			return err
		}
		return t.flushFeeds()
	})
}

func (b *Index) update(fn func(txn) error) error {
	return b.db.Update(func(tx *bbolt.Tx) error { return fn(txn{tx: tx}) })
}

func (b *Index) view(fn func(txn) error) error {
	return b.db.View(func(tx *bbolt.Tx) error { return fn(txn{tx: tx}) })
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

// Due implements index.Index.
func (b *Index) Due(ctx context.Context, from, to time.Time) (out index.Work, err error) {
	err = b.view(func(t txn) error { out, err = t.Due(ctx, from, to); return err })
	return out, err
}

// Pending implements index.Index.
func (b *Index) Pending(ctx context.Context) (p index.Pending, err error) {
	err = b.view(func(t txn) error { p, err = t.Pending(ctx); return err })
	return p, err
}

// MarkPending implements index.Index.
func (b *Index) MarkPending(ctx context.Context, w index.Work, all bool) error {
	return b.update(func(t txn) error { return t.MarkPending(ctx, w, all) })
}

// Published implements index.Index.
func (b *Index) Published(ctx context.Context, p index.Pending, state map[string]string) error {
	return b.update(func(t txn) error { return t.Published(ctx, p, state) })
}

// OutputHash implements index.Index.
func (b *Index) OutputHash(ctx context.Context, path string) (h string, err error) {
	err = b.view(func(t txn) error { h, err = t.OutputHash(ctx, path); return err })
	return h, err
}

// SetOutputHash implements index.Index.
func (b *Index) SetOutputHash(ctx context.Context, path, hash string) error {
	return b.update(func(t txn) error { return t.SetOutputHash(ctx, path, hash) })
}

// Unpurged implements index.Index.
func (b *Index) Unpurged(ctx context.Context) (out []string, err error) {
	err = b.view(func(t txn) error { out, err = t.Unpurged(ctx); return err })
	return out, err
}

// Purged implements index.Index.
func (b *Index) Purged(ctx context.Context, paths []string) error {
	return b.update(func(t txn) error { return t.Purged(ctx, paths) })
}

// State implements index.Index.
func (b *Index) State(ctx context.Context, name string) (v string, err error) {
	err = b.view(func(t txn) error { v, err = t.State(ctx, name); return err })
	return v, err
}

// SetState implements index.Index.
func (b *Index) SetState(ctx context.Context, name, value string) error {
	return b.update(func(t txn) error { return t.SetState(ctx, name, value) })
}

// SetStateNewer implements index.Index.
func (b *Index) SetStateNewer(ctx context.Context, name, value, version string) (ok bool, err error) {
	err = b.update(func(t txn) error { ok, err = t.SetStateNewer(ctx, name, value, version); return err })
	return ok, err
}

// Put implements index.Index.
func (t txn) Put(_ context.Context, src index.Source) (index.Change, error) {
	if err := index.CheckFeeds(src); err != nil {
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

// Due implements index.Index.
func (t txn) Due(_ context.Context, from, to time.Time) (index.Work, error) {
	var due [][]index.Membership
	var gone []index.Gone
	c := t.tx.Bucket(bSchedule).Cursor()
	lo, hi := instant(from.Add(time.Nanosecond)), instant(to.Add(time.Nanosecond))
	for k, _ := c.Seek(lo); k != nil && bytes.Compare(k[:8], hi) < 0; k, _ = c.Next() {
		r, found, err := t.getSource(string(k[8:]))
		if err != nil {
			return index.Work{}, err
		}
		if found {
			due = append(due, r.Feeds)
			if g, ok := index.ExpiredOf(r.Key, r.Listing(), r.Expires, from, to); ok {
				gone = append(gone, g)
			}
		}
	}
	w := index.DueWork(due)
	w.Expired = gone
	return w, nil
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

// Pending implements index.Index.
func (t txn) Pending(_ context.Context) (index.Pending, error) {
	var p index.Pending
	err := t.tx.Bucket(bPending).ForEach(func(k, v []byte) error {
		id := string(k[1:])
		p.Marks = append(p.Marks, index.Mark{ID: id, Token: string(v)})
		p.All = p.All || id == index.AllMark
		p.AddMark(id)
		return nil
	})
	p.Work = p.Work.Normalize()
	return p, err
}

// MarkPending implements index.Index.
func (t txn) MarkPending(_ context.Context, w index.Work, all bool) error {
	ids := index.MarkIDs(w.Feeds, w.Pages)
	if all {
		ids = append(ids, index.AllMark)
	}
	return t.mark(ids)
}

// Published implements index.Index.
func (t txn) Published(ctx context.Context, p index.Pending, state map[string]string) error {
	for _, n := range slices.Sorted(maps.Keys(state)) {
		if err := t.SetState(ctx, n, state[n]); err != nil {
			return err
		}
	}
	b := t.tx.Bucket(bPending)
	for _, m := range p.Marks {
		if v := b.Get(feedKey(m.ID)); v != nil && string(v) == m.Token {
			if err := b.Delete(feedKey(m.ID)); err != nil {
				return err
			}
		}
	}
	return nil
}

// OutputHash implements index.Index.
func (t txn) OutputHash(_ context.Context, path string) (string, error) {
	return string(t.tx.Bucket(bOutputs).Get([]byte(path))), nil
}

// SetOutputHash implements index.Index.
func (t txn) SetOutputHash(_ context.Context, path, hash string) error {
	if err := t.tx.Bucket(bUnpurged).Put([]byte(path), nil); err != nil {
		return err
	}
	if hash == "" {
		return t.tx.Bucket(bOutputs).Delete([]byte(path))
	}
	return t.tx.Bucket(bOutputs).Put([]byte(path), []byte(hash))
}

// Unpurged implements index.Index.
func (t txn) Unpurged(_ context.Context) ([]string, error) {
	var out []string
	err := t.tx.Bucket(bUnpurged).ForEach(func(k, _ []byte) error {
		out = append(out, string(k))
		return nil
	})
	return out, err
}

// Purged implements index.Index.
func (t txn) Purged(_ context.Context, paths []string) error {
	for _, p := range paths {
		if err := t.tx.Bucket(bUnpurged).Delete([]byte(p)); err != nil {
			return err
		}
	}
	return nil
}

// State implements index.Index.
func (t txn) State(_ context.Context, name string) (string, error) {
	return string(t.tx.Bucket(bState).Get([]byte(name))), nil
}

// SetState implements index.Index.
func (t txn) SetState(_ context.Context, name, value string) error {
	if err := index.CheckState(name, value); err != nil {
		return err
	}
	if value == "" {
		return t.tx.Bucket(bState).Delete([]byte(name))
	}
	return t.tx.Bucket(bState).Put([]byte(name), []byte(value))
}

// SetStateNewer implements index.Index: the version is kept beside the value.
func (t txn) SetStateNewer(ctx context.Context, name, value, version string) (bool, error) {
	vk := []byte(name + "\x00version")
	if old := t.tx.Bucket(bState).Get(vk); old != nil && !index.Newer(version, string(old)) {
		return false, nil
	}
	if err := t.SetState(ctx, name, value); err != nil {
		return false, err
	}
	return true, t.tx.Bucket(bState).Put(vk, []byte(version))
}

// Close implements index.Index; the transaction's owner ends it.
func (t txn) Close() error { return nil }

func putJSON(b *bbolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

// Contents implements index.Index: one read transaction.
func (b *Index) Contents(ctx context.Context, live []index.LiveRef, pages []index.PageRef, now time.Time) (out index.Contents, err error) {
	err = b.db.View(func(tx *bbolt.Tx) error {
		out, err = txn{tx: tx, decoded: map[string]*article.Article{}}.Contents(ctx, live, pages, now)
		return err
	})
	return out, err
}

// OutputHashes implements index.Index.
func (b *Index) OutputHashes(ctx context.Context) (out map[string]string, err error) {
	err = b.view(func(t txn) error { out, err = t.OutputHashes(ctx); return err })
	return out, err
}

// SetOutputHashes implements index.Index: one transaction.
func (b *Index) SetOutputHashes(ctx context.Context, hashes map[string]string) error {
	return b.update(func(t txn) error { return t.SetOutputHashes(ctx, hashes) })
}

// States implements index.Index.
func (b *Index) States(ctx context.Context, names []string) (out map[string]string, err error) {
	err = b.view(func(t txn) error { out, err = t.States(ctx, names); return err })
	return out, err
}

// Contents implements index.Index.
func (t txn) Contents(ctx context.Context, live []index.LiveRef, pages []index.PageRef, now time.Time) (index.Contents, error) {
	return index.ContentsOf(ctx, t, live, pages, now)
}

// OutputHashes implements index.Index.
func (t txn) OutputHashes(_ context.Context) (map[string]string, error) {
	out := map[string]string{}
	err := t.tx.Bucket(bOutputs).ForEach(func(k, v []byte) error {
		out[string(k)] = string(v)
		return nil
	})
	return out, err
}

// SetOutputHashes implements index.Index.
func (t txn) SetOutputHashes(ctx context.Context, hashes map[string]string) error {
	for p, h := range hashes {
		if err := t.SetOutputHash(ctx, p, h); err != nil {
			return err
		}
	}
	return nil
}

// States implements index.Index.
func (t txn) States(_ context.Context, names []string) (map[string]string, error) {
	out := make(map[string]string, len(names))
	for _, n := range names {
		out[n] = string(t.tx.Bucket(bState).Get([]byte(n)))
	}
	return out, nil
}
