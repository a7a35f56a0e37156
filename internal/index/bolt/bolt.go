// Package bolt is the local index.Index adapter: one bbolt file (pure Go,
// no cgo), what a build and serve use on a laptop.
package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

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

var (
	_ index.Index      = (*Index)(nil)
	_ index.StatLister = (*Index)(nil)
)

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

func scheduleKey(t time.Time, key string) []byte {
	return append(instant(t), key...)
}

func waitKey(claim, key string) []byte {
	return append(append([]byte(claim), 0), key...)
}
