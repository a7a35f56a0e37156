package bolt

import (
	"context"
	"encoding/json"

	"go.etcd.io/bbolt"

	"github.com/pressroom/pressroom/internal/index"
)

// txn is the index.Index over one bbolt transaction: the methods of Index run
// in a transaction of their own, Batch runs many in one.
type txn struct {
	tx *bbolt.Tx
	// decoded caches articles read in this transaction (nil: none).
	decoded *articleCache
	// feeds caches the feed records a batch reads and writes (see
	// flushFeeds); nil outside a batch, where they are written at once.
	feeds map[string]*cachedFeed
}

var _ index.Index = txn{}

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
		t := txn{tx: tx, decoded: newArticleCache(), feeds: map[string]*cachedFeed{}}
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

// Close implements index.Index; the transaction's owner ends it.
func (t txn) Close() error { return nil }

func putJSON(b *bbolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}
