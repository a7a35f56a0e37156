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
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	article "github.com/pressroom/pressroom/internal/article/model"
)

// Bolt is the local Index: one bbolt file (pure Go, no cgo).
//
// Buckets:
//
//	sources    key -> sourceRecord (JSON, without the article body)
//	summaries  key -> Summary (compact binary; what List reads)
//	articles   key -> articleRecord (JSON)
//	items      feed 0x00 published(8, big-endian) id 0x00 key -> ""
//	           (one feed's entries are contiguous and ordered by date, so
//	           the latest N are read with one reverse cursor walk)
//	feeds      "f" feed -> boltFeed (JSON: label, count, slots taken); the
//	           prefix because the site feed's id is "" and bbolt keys cannot
//	           be empty; kept at count 0, so slots are never reused
//	slots      feed 0x00 slot(4, big-endian) -> key (archive pages)
//	gone       article id -> Gone (JSON)
//	schedule   instant(8) key -> "" (publish and expiry instants, for Due)
//	claims     claim -> holder key
//	waiting    claim 0x00 key -> "" (sources rejected for wanting claim)
//	pending    "f" feed (or allMark) -> mark sequence (8, big-endian)
//	outputs    path -> hash
//	unpurged   path -> ""
//	state      name -> value
//	meta       "schema" -> record version; "seq" -> last mark sequence
//
// Every write of a source (its record, feed entries, claims and pending
// marks) is one bbolt transaction.
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

type boltFeed struct {
	Label string `json:"label"`
	Count int    `json:"count"`
	Slots int    `json:"slots,omitempty"`
}

// OpenBolt opens (or creates) the index file at path. It waits up to five
// seconds for another process holding the file. An index written by an
// older pressroom is brought up to date; one written by a newer one is
// refused.
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
	// An index of this schema is only read here: a write transaction
	// would commit (and sync the file twice) on every build.
	current := false
	err = db.View(func(tx *bolt.Tx) error {
		current = upToDate(tx)
		return nil
	})
	if err == nil && !current {
		err = db.Update(func(tx *bolt.Tx) error {
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
	return &Bolt{db: db}, nil
}

// upToDate says tx's index has every bucket and this pressroom's schema:
// there is nothing for OpenBolt to create or migrate.
func upToDate(tx *bolt.Tx) bool {
	for _, b := range allBuckets {
		if tx.Bucket(b) == nil {
			return false
		}
	}
	return string(tx.Bucket(bMeta).Get([]byte("schema"))) == strconv.Itoa(recordVersion)
}

// ErrBusy is returned by OpenBoltReader when a writer held the file for
// longer than it would wait.
var ErrBusy = errors.New("index: in use by another pressroom process")

// OpenBoltReader opens the index file at path to read it only, beside any
// other reader. A writer (a build, including serve's) holds the file only
// while it writes: OpenBoltReader waits up to wait for it to finish, and
// then returns an error matching ErrBusy. The index must have been written
// by this pressroom's schema: a reader brings nothing up to date.
func OpenBoltReader(path string, wait time.Duration) (*Bolt, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	db, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: wait, ReadOnly: true})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("index: %s: %w", path, ErrBusy)
	}
	if err != nil {
		return nil, fmt.Errorf("index: %s: %w", path, err)
	}
	err = db.View(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if tx.Bucket(b) == nil {
				return fmt.Errorf("no %s bucket: build with this pressroom first", b)
			}
		}
		if v, _ := strconv.Atoi(string(tx.Bucket(bMeta).Get([]byte("schema")))); v != recordVersion {
			return fmt.Errorf("index schema %d, this pressroom knows %d: build with this pressroom first", v, recordVersion)
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("index: %s: %w", path, err)
	}
	return &Bolt{db: db}, nil
}

// migrate brings an index of an older schema up to date. Version 1 sources
// and articles decode as they are; their summaries, claims and state are
// rebuilt.
func migrate(tx *bolt.Tx) error {
	meta := tx.Bucket(bMeta)
	v := 1
	if b := meta.Get([]byte("schema")); b != nil {
		v, _ = strconv.Atoi(string(b))
	} else if tx.Bucket(bSources).Stats().KeyN == 0 {
		v = recordVersion // a new index
	}
	switch {
	case v > recordVersion:
		return fmt.Errorf("written by a newer pressroom (index schema %d, this one knows %d)", v, recordVersion)
	case v < 2:
		// Summaries gained fields: rebuild them, and the claims, which
		// version 1 did not keep.
		if err := tx.DeleteBucket(bSummary); err != nil {
			return err
		}
		if _, err := tx.CreateBucket(bSummary); err != nil {
			return err
		}
		var records []sourceRecord
		err := tx.Bucket(bSources).ForEach(func(k, v []byte) error {
			r, err := decodeSource(v)
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
		t := boltTx{tx: tx}
		for _, r := range records {
			held, holder := "", ""
			for _, c := range r.claims() {
				if h := tx.Bucket(bClaims).Get([]byte(c)); h != nil && held == "" {
					held, holder = c, string(h)
				}
			}
			if held == "" {
				for _, c := range r.claims() {
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
				r.Problems = append(r.Problems, problemRecord{Field: "id",
					Message: fmt.Sprintf("%s is already used by %s: give this article its own slug or id (the other article stays published)", held, holder)})
				if err := tx.Bucket(bWaiting).Put(waitKey(held, r.Key), nil); err != nil {
					return err
				}
			}
			r.V = recordVersion
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
	return meta.Put([]byte("schema"), []byte(strconv.Itoa(recordVersion)))
}

// assignArchiveSlots gives the memberships of an index written before
// archives their slots, oldest article first: the archive pages of an
// upgraded site run in date order.
func assignArchiveSlots(tx *bolt.Tx) error {
	var records []sourceRecord
	err := tx.Bucket(bSources).ForEach(func(k, v []byte) error {
		r, err := decodeSource(v)
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
	t := boltTx{tx: tx}
	for _, r := range records {
		if err := assignSlots(nil, r.Feeds, t.alloc); err != nil {
			return err
		}
		for _, m := range r.Feeds {
			if err := tx.Bucket(bSlots).Put(slotKey(m.Feed, m.Slot), []byte(r.Key)); err != nil {
				return err
			}
		}
		r.V = recordVersion
		if err := t.putSource(r); err != nil {
			return err
		}
	}
	return nil
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

func slotKey(feed string, slot int) []byte {
	k := make([]byte, 0, len(feed)+5)
	k = append(append(k, feed...), 0)
	return binary.BigEndian.AppendUint32(k, uint32(slot))
}

// feedInfo reads a feed's record (zero when there is none), from the
// transaction's feed cache when it has one.
func (t boltTx) feedInfo(feed string) (boltFeed, error) {
	if c, ok := t.feeds[feed]; ok {
		return c.boltFeed, nil
	}
	var fi boltFeed
	if v := t.tx.Bucket(bFeeds).Get(feedKey(feed)); v != nil {
		if err := json.Unmarshal(v, &fi); err != nil {
			return fi, fmt.Errorf("index: feed %q: %w", feed, err)
		}
	}
	if t.feeds != nil {
		t.feeds[feed] = &cachedFeed{boltFeed: fi}
	}
	return fi, nil
}

// putFeed writes a feed's record: into the transaction's feed cache when
// it has one (flushFeeds writes it before the commit), else at once.
func (t boltTx) putFeed(feed string, fi boltFeed) error {
	if t.feeds != nil {
		t.feeds[feed] = &cachedFeed{boltFeed: fi, dirty: true}
		return nil
	}
	return putJSON(t.tx.Bucket(bFeeds), feedKey(feed), fi)
}

// cachedFeed is a feed's record as a batch sees it.
type cachedFeed struct {
	boltFeed
	dirty bool // changed since read: flushFeeds writes it
}

// flushFeeds writes the feed records a batch changed. A batch of a
// thousand articles changes each of their six feeds' counts and slots
// thousands of times: they are decoded and encoded once.
func (t boltTx) flushFeeds() error {
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
		if err := putJSON(t.tx.Bucket(bFeeds), feedKey(name), c.boltFeed); err != nil {
			return err
		}
		c.dirty = false
	}
	return nil
}

// alloc takes a feed's next archive slot.
func (t boltTx) alloc(feed string) (int, error) {
	fi, err := t.feedInfo(feed)
	if err != nil {
		return 0, err
	}
	fi.Slots++
	return fi.Slots, t.putFeed(feed, fi)
}

// recordGone records or clears deletions for a write from old to next.
func (t boltTx) recordGone(key string, old, next *goneSource, at time.Time) error {
	b := t.tx.Bucket(bGone)
	if g, ok := gone(key, old, next, at); ok {
		if err := putJSON(b, []byte(g.ID), g); err != nil {
			return err
		}
	}
	if next != nil && !next.draft {
		return b.Delete([]byte(next.id))
	}
	return nil
}

func scheduleKey(t time.Time, key string) []byte {
	return append(instant(t), key...)
}

func waitKey(claim, key string) []byte {
	return append(append([]byte(claim), 0), key...)
}

// boltTx is the Index over one bbolt transaction: the methods of Bolt run
// in a transaction of their own, Batch runs many in one.
type boltTx struct {
	tx *bolt.Tx
	// decoded caches articles read in this transaction: a publish reads
	// the same article once for every feed it is in.
	decoded map[string]*article.Article
	// feeds caches the feed records a batch reads and writes (see
	// flushFeeds); nil outside a batch, where they are written at once.
	feeds map[string]*cachedFeed
}

var _ Index = boltTx{}

func (t boltTx) getSource(key string) (sourceRecord, bool, error) {
	v := t.tx.Bucket(bSources).Get([]byte(key))
	if v == nil {
		return sourceRecord{}, false, nil
	}
	r, err := decodeSource(v)
	if err != nil {
		return sourceRecord{}, false, fmt.Errorf("index: source %q: %w", key, err)
	}
	return r, true, nil
}

// putSource writes a source record and its summary.
func (t boltTx) putSource(r sourceRecord) error {
	if err := putJSON(t.tx.Bucket(bSources), []byte(r.Key), r); err != nil {
		return err
	}
	return t.tx.Bucket(bSummary).Put([]byte(r.Key), encodeSummary(r.summary()))
}

// article returns the stored article of key, decoding it once per
// transaction. Callers must not modify it.
func (t boltTx) article(key []byte) (*article.Article, error) {
	if a, ok := t.decoded[string(key)]; ok {
		return a, nil
	}
	a, err := decodeArticle(t.tx.Bucket(bArticles).Get(key))
	if err != nil {
		return nil, fmt.Errorf("index: article %q: %w", key, err)
	}
	if t.decoded != nil {
		t.decoded[string(key)] = a
	}
	return a, nil
}

func (t boltTx) forget(key string) {
	delete(t.decoded, key)
}

// unlink removes a source's feed entries and schedule instants.
func (t boltTx) unlink(r sourceRecord) error {
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
func (t boltTx) link(r sourceRecord) error {
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
func (t boltTx) nextSeq() ([]byte, error) {
	meta := t.tx.Bucket(bMeta)
	var n uint64
	if v := meta.Get([]byte("seq")); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], n+1)
	return buf[:], meta.Put([]byte("seq"), buf[:])
}

func (t boltTx) mark(feeds []string) error {
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

func (t boltTx) unwait(claim, key string) error {
	if claim == "" {
		return nil
	}
	return t.tx.Bucket(bWaiting).Delete(waitKey(claim, key))
}

// release frees the claims key holds and returns their waiters, whose
// wait entries stay until their own next write.
func (t boltTx) release(claims []string, key string) ([]string, error) {
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
func (b *Bolt) Batch(_ context.Context, fn func(Index) error) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		for _, name := range appendMostly {
			tx.Bucket(name).FillPercent = appendFill
		}
		t := boltTx{tx: tx, decoded: map[string]*article.Article{}, feeds: map[string]*cachedFeed{}}
		if err := fn(t); err != nil {
			return err
		}
		return t.flushFeeds()
	})
}

func (b *Bolt) update(fn func(boltTx) error) error {
	return b.db.Update(func(tx *bolt.Tx) error { return fn(boltTx{tx: tx}) })
}

func (b *Bolt) view(fn func(boltTx) error) error {
	return b.db.View(func(tx *bolt.Tx) error { return fn(boltTx{tx: tx}) })
}

// Put implements Index.
func (b *Bolt) Put(ctx context.Context, src Source) (ch Change, err error) {
	err = b.update(func(t boltTx) error { ch, err = t.Put(ctx, src); return err })
	return ch, err
}

// Reject implements Index.
func (b *Bolt) Reject(ctx context.Context, src Source) error {
	return b.update(func(t boltTx) error { return t.Reject(ctx, src) })
}

// Delete implements Index.
func (b *Bolt) Delete(ctx context.Context, key, version string, at time.Time) (ch Change, err error) {
	err = b.update(func(t boltTx) error { ch, err = t.Delete(ctx, key, version, at); return err })
	return ch, err
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

// Holder implements Index.
func (b *Bolt) Holder(ctx context.Context, claim string) (h string, err error) {
	err = b.view(func(t boltTx) error { h, err = t.Holder(ctx, claim); return err })
	return h, err
}

// Waiting implements Index.
func (b *Bolt) Waiting(ctx context.Context) (out []string, err error) {
	err = b.view(func(t boltTx) error { out, err = t.Waiting(ctx); return err })
	return out, err
}

// Latest implements Index.
func (b *Bolt) Latest(ctx context.Context, feed string, n int, now time.Time) (out []article.Article, err error) {
	err = b.view(func(t boltTx) error { out, err = t.Latest(ctx, feed, n, now); return err })
	return out, err
}

// Page implements Index.
func (b *Bolt) Page(ctx context.Context, feed string, n int) (out []article.Article, err error) {
	err = b.view(func(t boltTx) error { out, err = t.Page(ctx, feed, n); return err })
	return out, err
}

// Gone implements Index.
func (b *Bolt) Gone(ctx context.Context) (out []Gone, err error) {
	err = b.view(func(t boltTx) error { out, err = t.Gone(ctx); return err })
	return out, err
}

// ForgetGone implements Index.
func (b *Bolt) ForgetGone(ctx context.Context, before time.Time) error {
	return b.update(func(t boltTx) error { return t.ForgetGone(ctx, before) })
}

// Feeds implements Index.
func (b *Bolt) Feeds(ctx context.Context) (out []FeedInfo, err error) {
	err = b.view(func(t boltTx) error { out, err = t.Feeds(ctx); return err })
	return out, err
}

// Due implements Index.
func (b *Bolt) Due(ctx context.Context, from, to time.Time) (out Work, err error) {
	err = b.view(func(t boltTx) error { out, err = t.Due(ctx, from, to); return err })
	return out, err
}

// Pending implements Index.
func (b *Bolt) Pending(ctx context.Context) (p Pending, err error) {
	err = b.view(func(t boltTx) error { p, err = t.Pending(ctx); return err })
	return p, err
}

// MarkPending implements Index.
func (b *Bolt) MarkPending(ctx context.Context, w Work, all bool) error {
	return b.update(func(t boltTx) error { return t.MarkPending(ctx, w, all) })
}

// Published implements Index.
func (b *Bolt) Published(ctx context.Context, p Pending, state map[string]string) error {
	return b.update(func(t boltTx) error { return t.Published(ctx, p, state) })
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

// Unpurged implements Index.
func (b *Bolt) Unpurged(ctx context.Context) (out []string, err error) {
	err = b.view(func(t boltTx) error { out, err = t.Unpurged(ctx); return err })
	return out, err
}

// Purged implements Index.
func (b *Bolt) Purged(ctx context.Context, paths []string) error {
	return b.update(func(t boltTx) error { return t.Purged(ctx, paths) })
}

// State implements Index.
func (b *Bolt) State(ctx context.Context, name string) (v string, err error) {
	err = b.view(func(t boltTx) error { v, err = t.State(ctx, name); return err })
	return v, err
}

// SetState implements Index.
func (b *Bolt) SetState(ctx context.Context, name, value string) error {
	return b.update(func(t boltTx) error { return t.SetState(ctx, name, value) })
}

// SetStateNewer implements Index.
func (b *Bolt) SetStateNewer(ctx context.Context, name, value, version string) (ok bool, err error) {
	err = b.update(func(t boltTx) error { ok, err = t.SetStateNewer(ctx, name, value, version); return err })
	return ok, err
}

// Put implements Index.
func (t boltTx) Put(_ context.Context, src Source) (Change, error) {
	if err := tooManyFeeds(src); err != nil {
		return Change{}, err
	}
	t.forget(src.Key)
	old, found, err := t.getSource(src.Key)
	if err != nil {
		return Change{}, err
	}
	if err := supersedes(src, old.summary(), found); err != nil {
		return Change{}, err
	}
	claims := Claims(src.Article)
	for _, c := range claims {
		if h := t.tx.Bucket(bClaims).Get([]byte(c)); h != nil && string(h) != src.Key {
			return Change{}, &ConflictError{Claim: c, Holder: string(h)}
		}
	}
	waiting := ""
	if src.Article == nil && len(src.Problems) > 0 {
		waiting = src.Waiting
	}
	if waiting != "" {
		if h := t.tx.Bucket(bClaims).Get([]byte(waiting)); h == nil || string(h) == src.Key {
			return Change{}, ErrReleased
		}
	}
	if err := t.unlink(old); err != nil {
		return Change{}, err
	}
	src.Deleted, src.Waiting, src.ArticleConfig = false, waiting, src.Config
	if len(src.Problems) == 0 {
		src.RejectedAt = time.Time{}
	}
	src.Feeds = append([]Membership(nil), src.Feeds...)
	next := recordOf(src)
	var had []Membership
	if old.HasArticle {
		had = old.Feeds
	}
	if err := assignSlots(had, next.Feeds, t.alloc); err != nil {
		return Change{}, err
	}
	if err := t.recordGone(src.Key, old.goneSource(), next.goneSource(), changeTime(src)); err != nil {
		return Change{}, err
	}
	if a := src.Article; a != nil {
		data, err := encodeArticle(a)
		if err != nil {
			return Change{}, err
		}
		if err := t.tx.Bucket(bArticles).Put([]byte(src.Key), data); err != nil {
			return Change{}, err
		}
	} else if err := t.tx.Bucket(bArticles).Delete([]byte(src.Key)); err != nil {
		return Change{}, err
	}
	if err := t.link(next); err != nil {
		return Change{}, err
	}
	if err := t.unwait(old.Waiting, src.Key); err != nil {
		return Change{}, err
	}
	waiters, err := t.release(released(old.claims(), claims), src.Key)
	if err != nil {
		return Change{}, err
	}
	for _, c := range claims {
		if err := t.tx.Bucket(bClaims).Put([]byte(c), []byte(src.Key)); err != nil {
			return Change{}, err
		}
	}
	if waiting != "" {
		if err := t.tx.Bucket(bWaiting).Put(waitKey(waiting, src.Key), nil); err != nil {
			return Change{}, err
		}
	}
	ch := changeOf(old.goneSource(), next.goneSource(), writeTime(src))
	ch.Waiters = waiters
	if err := t.mark(markIDs(ch.Feeds, ch.Pages)); err != nil {
		return Change{}, err
	}
	return ch, t.putSource(next)
}

// Reject implements Index.
func (t boltTx) Reject(_ context.Context, src Source) error {
	old, found, err := t.getSource(src.Key)
	if err != nil {
		return err
	}
	if err := supersedes(src, old.summary(), found); err != nil {
		return err
	}
	if src.Waiting != "" {
		if h := t.tx.Bucket(bClaims).Get([]byte(src.Waiting)); h == nil || string(h) == src.Key {
			return ErrReleased
		}
	}
	next := old
	if !found {
		next = sourceRecord{V: recordVersion}
	}
	next.Key, next.Version, next.Hash, next.Size, next.ModTime, next.Config = src.Key, src.Version, src.Hash, src.Size, src.ModTime, src.Config
	next.Problems, next.RejectedAt, next.Deleted = toProblemRecords(src.Problems), src.RejectedAt, false
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

// Delete implements Index.
func (t boltTx) Delete(_ context.Context, key, version string, at time.Time) (Change, error) {
	t.forget(key)
	old, found, err := t.getSource(key)
	if err != nil {
		return Change{}, err
	}
	if found && !Newer(version, old.Version) {
		return Change{}, ErrStale
	}
	if err := t.unlink(old); err != nil {
		return Change{}, err
	}
	if err := t.tx.Bucket(bArticles).Delete([]byte(key)); err != nil {
		return Change{}, err
	}
	if err := t.unwait(old.Waiting, key); err != nil {
		return Change{}, err
	}
	waiters, err := t.release(old.claims(), key)
	if err != nil {
		return Change{}, err
	}
	if err := t.recordGone(key, old.goneSource(), nil, at); err != nil {
		return Change{}, err
	}
	ch := changeOf(old.goneSource(), nil, at)
	ch.Waiters = waiters
	if err := t.mark(markIDs(ch.Feeds, ch.Pages)); err != nil {
		return Change{}, err
	}
	return ch, t.putSource(sourceRecord{V: recordVersion, Key: key, Version: version, Deleted: true})
}

// Get implements Index.
func (t boltTx) Get(_ context.Context, key string) (Source, error) {
	r, found, err := t.getSource(key)
	if err != nil {
		return Source{}, err
	}
	if !found {
		return Source{}, ErrNotFound
	}
	out := r.source()
	if r.HasArticle {
		a, err := decodeArticle(t.tx.Bucket(bArticles).Get([]byte(key)))
		if err != nil {
			return Source{}, fmt.Errorf("index: article %q: %w", key, err)
		}
		out.Article = a
	}
	return out, nil
}

// List implements Index.
func (t boltTx) List(_ context.Context) ([]Summary, error) {
	b := t.tx.Bucket(bSummary)
	// Counting the keys reads each page's header; growing the slice
	// instead would copy and clear megabytes on a large site.
	out := make([]Summary, 0, b.Stats().KeyN)
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

// Holder implements Index.
func (t boltTx) Holder(_ context.Context, claim string) (string, error) {
	return string(t.tx.Bucket(bClaims).Get([]byte(claim))), nil
}

// Waiting implements Index.
func (t boltTx) Waiting(_ context.Context) ([]string, error) {
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

// Latest implements Index. It walks the feed's entries from the newest and
// stops after n live ones: the cost is the feed limit plus the scheduled
// and expired articles passed over, never the size of the index.
func (t boltTx) Latest(_ context.Context, feed string, n int, now time.Time) ([]article.Article, error) {
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
		if live(a, now) {
			out = append(out, *a)
		}
	}
	return out, nil
}

// Page implements Index: a walk over the page's slot entries.
func (t boltTx) Page(_ context.Context, feed string, n int) ([]article.Article, error) {
	var out []article.Article
	lo, hi := slotKey(feed, (n-1)*PageSize+1), slotKey(feed, n*PageSize)
	c := t.tx.Bucket(bSlots).Cursor()
	for k, v := c.Seek(lo); k != nil && bytes.Compare(k, hi) <= 0; k, v = c.Next() {
		a, err := t.article(v)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool { return newestFirst(&out[i], &out[j]) })
	return out, nil
}

// Gone implements Index.
func (t boltTx) Gone(_ context.Context) ([]Gone, error) {
	var out []Gone
	err := t.tx.Bucket(bGone).ForEach(func(k, v []byte) error {
		var g Gone
		if err := json.Unmarshal(v, &g); err != nil {
			return fmt.Errorf("index: deletion %q: %w", k, err)
		}
		out = append(out, g)
		return nil
	})
	sortGone(out)
	return out, err
}

// ForgetGone implements Index.
func (t boltTx) ForgetGone(ctx context.Context, before time.Time) error {
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

// Feeds implements Index.
func (t boltTx) Feeds(_ context.Context) ([]FeedInfo, error) {
	if err := t.flushFeeds(); err != nil {
		return nil, err
	}
	var out []FeedInfo
	err := t.tx.Bucket(bFeeds).ForEach(func(k, v []byte) error {
		var fi boltFeed
		if err := json.Unmarshal(v, &fi); err != nil {
			return err
		}
		if fi.Count > 0 {
			out = append(out, FeedInfo{ID: string(k[1:]), Label: fi.Label, Count: fi.Count, Slots: fi.Slots})
		}
		return nil
	})
	return out, err
}

// Due implements Index.
func (t boltTx) Due(_ context.Context, from, to time.Time) (Work, error) {
	var due [][]Membership
	var gone []Gone
	c := t.tx.Bucket(bSchedule).Cursor()
	lo, hi := instant(from.Add(time.Nanosecond)), instant(to.Add(time.Nanosecond))
	for k, _ := c.Seek(lo); k != nil && bytes.Compare(k[:8], hi) < 0; k, _ = c.Next() {
		r, found, err := t.getSource(string(k[8:]))
		if err != nil {
			return Work{}, err
		}
		if found {
			due = append(due, r.Feeds)
			if g, ok := expired(r.Key, r.goneSource(), r.Expires, from, to); ok {
				gone = append(gone, g)
			}
		}
	}
	w := dueWork(due)
	w.Expired = gone
	return w, nil
}

// RecordGone implements Index.
func (t boltTx) RecordGone(_ context.Context, gs []Gone) error {
	for _, g := range gs {
		if err := putJSON(t.tx.Bucket(bGone), []byte(g.ID), g); err != nil {
			return err
		}
	}
	return nil
}

// RecordGone implements Index.
func (b *Bolt) RecordGone(ctx context.Context, gs []Gone) error {
	return b.update(func(t boltTx) error { return t.RecordGone(ctx, gs) })
}

// Pending implements Index.
func (t boltTx) Pending(_ context.Context) (Pending, error) {
	var p Pending
	err := t.tx.Bucket(bPending).ForEach(func(k, v []byte) error {
		id := string(k[1:])
		p.marks = append(p.marks, mark{id: id, tok: string(v)})
		p.All = p.All || id == allMark
		addMark(&p.Work, id)
		return nil
	})
	p.Work = p.Work.normalize()
	return p, err
}

// MarkPending implements Index.
func (t boltTx) MarkPending(_ context.Context, w Work, all bool) error {
	ids := markIDs(w.Feeds, w.Pages)
	if all {
		ids = append(ids, allMark)
	}
	return t.mark(ids)
}

// Published implements Index.
func (t boltTx) Published(ctx context.Context, p Pending, state map[string]string) error {
	for _, n := range stateNames(state) {
		if err := t.SetState(ctx, n, state[n]); err != nil {
			return err
		}
	}
	b := t.tx.Bucket(bPending)
	for _, m := range p.marks {
		if v := b.Get(feedKey(m.id)); v != nil && string(v) == m.tok {
			if err := b.Delete(feedKey(m.id)); err != nil {
				return err
			}
		}
	}
	return nil
}

// OutputHash implements Index.
func (t boltTx) OutputHash(_ context.Context, path string) (string, error) {
	return string(t.tx.Bucket(bOutputs).Get([]byte(path))), nil
}

// SetOutputHash implements Index.
func (t boltTx) SetOutputHash(_ context.Context, path, hash string) error {
	if err := t.tx.Bucket(bUnpurged).Put([]byte(path), nil); err != nil {
		return err
	}
	if hash == "" {
		return t.tx.Bucket(bOutputs).Delete([]byte(path))
	}
	return t.tx.Bucket(bOutputs).Put([]byte(path), []byte(hash))
}

// Unpurged implements Index.
func (t boltTx) Unpurged(_ context.Context) ([]string, error) {
	var out []string
	err := t.tx.Bucket(bUnpurged).ForEach(func(k, _ []byte) error {
		out = append(out, string(k))
		return nil
	})
	return out, err
}

// Purged implements Index.
func (t boltTx) Purged(_ context.Context, paths []string) error {
	for _, p := range paths {
		if err := t.tx.Bucket(bUnpurged).Delete([]byte(p)); err != nil {
			return err
		}
	}
	return nil
}

// State implements Index.
func (t boltTx) State(_ context.Context, name string) (string, error) {
	return string(t.tx.Bucket(bState).Get([]byte(name))), nil
}

// SetState implements Index.
func (t boltTx) SetState(_ context.Context, name, value string) error {
	if len(value) > MaxState {
		return fmt.Errorf("index: state %s: %d bytes, more than %d", name, len(value), MaxState)
	}
	if value == "" {
		return t.tx.Bucket(bState).Delete([]byte(name))
	}
	return t.tx.Bucket(bState).Put([]byte(name), []byte(value))
}

// SetStateNewer implements Index: the version is kept beside the value.
func (t boltTx) SetStateNewer(ctx context.Context, name, value, version string) (bool, error) {
	vk := []byte(name + "\x00version")
	if old := t.tx.Bucket(bState).Get(vk); old != nil && !Newer(version, string(old)) {
		return false, nil
	}
	if err := t.SetState(ctx, name, value); err != nil {
		return false, err
	}
	return true, t.tx.Bucket(bState).Put(vk, []byte(version))
}

// Close implements Index; the transaction's owner ends it.
func (t boltTx) Close() error { return nil }

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

// Contents implements Index: one read transaction.
func (b *Bolt) Contents(ctx context.Context, live []LiveRef, pages []PageRef, now time.Time) (out Contents, err error) {
	err = b.db.View(func(tx *bolt.Tx) error {
		out, err = boltTx{tx: tx, decoded: map[string]*article.Article{}}.Contents(ctx, live, pages, now)
		return err
	})
	return out, err
}

// OutputHashes implements Index.
func (b *Bolt) OutputHashes(ctx context.Context) (out map[string]string, err error) {
	err = b.view(func(t boltTx) error { out, err = t.OutputHashes(ctx); return err })
	return out, err
}

// SetOutputHashes implements Index: one transaction.
func (b *Bolt) SetOutputHashes(ctx context.Context, hashes map[string]string) error {
	return b.update(func(t boltTx) error { return t.SetOutputHashes(ctx, hashes) })
}

// States implements Index.
func (b *Bolt) States(ctx context.Context, names []string) (out map[string]string, err error) {
	err = b.view(func(t boltTx) error { out, err = t.States(ctx, names); return err })
	return out, err
}

// Contents implements Index.
func (t boltTx) Contents(ctx context.Context, live []LiveRef, pages []PageRef, now time.Time) (Contents, error) {
	return contentsOf(ctx, t, live, pages, now)
}

// OutputHashes implements Index.
func (t boltTx) OutputHashes(_ context.Context) (map[string]string, error) {
	out := map[string]string{}
	err := t.tx.Bucket(bOutputs).ForEach(func(k, v []byte) error {
		out[string(k)] = string(v)
		return nil
	})
	return out, err
}

// SetOutputHashes implements Index.
func (t boltTx) SetOutputHashes(ctx context.Context, hashes map[string]string) error {
	for p, h := range hashes {
		if err := t.SetOutputHash(ctx, p, h); err != nil {
			return err
		}
	}
	return nil
}

// States implements Index.
func (t boltTx) States(_ context.Context, names []string) (map[string]string, error) {
	out := make(map[string]string, len(names))
	for _, n := range names {
		out[n] = string(t.tx.Bucket(bState).Get([]byte(n)))
	}
	return out, nil
}
