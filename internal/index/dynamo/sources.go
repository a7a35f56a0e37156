package dynamo

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	article "github.com/pressroom/pressroom/internal/article/model"
	"github.com/pressroom/pressroom/internal/index"
)

func (d *Index) getSource(ctx context.Context, k string) (sourceItem, bool, error) {
	out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &d.table, Key: primaryKey(srcPK(k), skSource), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return sourceItem{}, false, fmt.Errorf("index: dynamodb get %s: %w", k, err)
	}
	if out.Item == nil {
		return sourceItem{}, false, nil
	}
	ds, err := sourceFromItem(out.Item)
	return ds, err == nil, err
}

// guard is the condition on the source item: unchanged since we read it.
// The revision changes at every write, so two writers that read the same
// state cannot both commit, even at one version (a re-parse, a waiter
// applied again, the steps of a move).
func guard(old sourceItem, found bool) (string, map[string]types.AttributeValue) {
	switch {
	case !found:
		return "attribute_not_exists(PK)", nil
	case old.Rev == "":
		return "attribute_not_exists(Rev) AND VK = :old", map[string]types.AttributeValue{":old": stringAttr(versionKey(old.Version))}
	}
	return "Rev = :rev", map[string]types.AttributeValue{":rev": stringAttr(old.Rev)}
}

// claimAction claims c for key unless another source holds it.
func (d *Index) claimAction(c, key string) types.TransactWriteItem {
	it := primaryKey(claimPK(c), skClaim)
	it["Holder"] = stringAttr(key)
	it["Claim"] = stringAttr(truncate(c, 1000))
	return types.TransactWriteItem{Put: &types.Put{TableName: &d.table, Item: it,
		ConditionExpression:                 aws.String("attribute_not_exists(PK) OR Holder = :k"),
		ExpressionAttributeValues:           map[string]types.AttributeValue{":k": stringAttr(key)},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}}
}

func (d *Index) releaseAction(c string) types.TransactWriteItem {
	return types.TransactWriteItem{Delete: &types.Delete{TableName: &d.table, Key: primaryKey(claimPK(c), skClaim)}}
}

func (d *Index) unwaitAction(claim, key string) types.TransactWriteItem {
	return types.TransactWriteItem{Delete: &types.Delete{TableName: &d.table, Key: primaryKey(pkWait, waitSK(claim, key))}}
}

// waitActions make key wait on claim while another source holds it: a
// condition on the claim (first, so its failure is the second reason of
// the transaction) and the wait entry.
func (d *Index) waitActions(claim, key string) []types.TransactWriteItem {
	it := primaryKey(pkWait, waitSK(claim, key))
	it["Key"], it["Claim"] = stringAttr(key), stringAttr(truncate(claim, 1000))
	return []types.TransactWriteItem{
		{ConditionCheck: &types.ConditionCheck{TableName: &d.table, Key: primaryKey(claimPK(claim), skClaim),
			ConditionExpression:       aws.String("attribute_exists(PK) AND Holder <> :k"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":k": stringAttr(key)}}},
		{Put: &types.Put{TableName: &d.table, Item: it}},
	}
}

// releasedWait reports whether a transaction failed because the claim a
// write waits on (see waitActions) is held by nobody else any more.
func releasedWait(err error) bool {
	reasons := cancelled(err)
	return len(reasons) > 1 && aws.ToString(reasons[1].Code) == "ConditionalCheckFailed"
}

// sourcePut is the first action of every source transaction.
func (d *Index) sourcePut(old sourceItem, found bool, next sourceItem) (types.TransactWriteItem, error) {
	next.Rev = token()
	it, err := next.item()
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	cond, vals := guard(old, found)
	return types.TransactWriteItem{Put: &types.Put{TableName: &d.table, Item: it, ConditionExpression: aws.String(cond), ExpressionAttributeValues: vals}}, nil
}

// deleteBody removes the body items of a record replaced by one that
// does not point at them (see deleteUnreferenced). Body items are named
// by the write that made them, and a writer that meant to keep them would
// have lost its guard to the one that replaced the record: nobody else
// points at them.
func (d *Index) deleteBody(ctx context.Context, old sourceItem, keep string) {
	name := old.bodyName()
	if name == "" || name == keep {
		return
	}
	items := make([]map[string]types.AttributeValue, old.Chunks)
	for i := range items {
		items[i] = primaryKey(srcPK(old.Key), chunkSK(name, i))
	}
	d.deleteUnreferenced(ctx, items)
}

// Put implements index.Index.
func (d *Index) Put(ctx context.Context, src index.Source) (index.Change, error) {
	if err := index.CheckSource(src); err != nil {
		return index.Change{}, err
	}
	w, err := d.newPut(src)
	if err != nil {
		return index.Change{}, err
	}
	old, err := d.write(ctx, w.src.Key, func(old sourceItem, found bool) ([]types.TransactWriteItem, []map[string]types.AttributeValue, error) {
		return w.change(ctx, old, found)
	})
	if err != nil {
		return index.Change{}, w.refusal(ctx, err)
	}
	if w.next.Moving {
		// The first step of a two-step move is done: write the new state.
		return d.Put(ctx, w.src)
	}
	return w.finish(ctx, old)
}

// putWrite is one Put: the source as it is recorded, what it claims and
// its compressed body, and what the attempts of its transaction (see
// Index.write) leave for the next attempt and for the outcome.
type putWrite struct {
	d          *Index
	src        index.Source
	waiting    string   // the claim src waits on: only a rejected source without an article waits
	claims     []string // the claims of src's article
	hash       string   // the article's body hash
	compressed []byte   // the article's body
	next       sourceItem
	ch         index.Change
	claimAt    map[int]string // action index -> claim, to read a conflict
	slots      map[string]int // slots taken for this write, kept across attempts
}

// newPut starts the Put of src: the fields the index sets itself (not
// deleted, waiting only when rejected without an article, the rejection
// time only when rejected), its claims, and its body compressed once for
// every attempt.
func (d *Index) newPut(src index.Source) (*putWrite, error) {
	waiting := ""
	if src.Article == nil && len(src.Problems) > 0 {
		waiting = src.Waiting
	}
	src.Deleted, src.Waiting, src.ArticleConfig = false, waiting, src.Config
	if len(src.Problems) == 0 {
		src.RejectedAt = time.Time{}
	}
	w := &putWrite{d: d, waiting: waiting, claims: index.Claims(src.Article), claimAt: map[int]string{}, slots: map[string]int{}}
	if src.Article != nil {
		var err error
		if w.hash, w.compressed, err = body(src.Article); err != nil {
			return nil, err
		}
	}
	w.src = src
	return w, nil
}

// change builds one attempt's transaction from the record found (old),
// and the items to write before it: the change function of Index.write.
func (w *putWrite) change(ctx context.Context, old sourceItem, found bool) ([]types.TransactWriteItem, []map[string]types.AttributeValue, error) {
	if err := index.CheckVersion(w.src, old.Summary(), found); err != nil {
		return nil, nil, err
	}
	w.src.Feeds = append([]index.Membership(nil), w.src.Feeds...)
	w.next = sourceItem{SourceRecord: index.SourceRecordOf(w.src)}
	var had []index.Membership
	if old.HasArticle {
		had = old.Feeds
	}
	if err := w.takeSlots(ctx, had); err != nil {
		return nil, nil, err
	}
	bodies := w.items(old, had)
	w.ch = index.ChangeOf(old.Listing(), w.next.Listing(), index.WriteTime(w.src))
	acts, err := w.firstActions(old, found)
	if err != nil {
		return nil, nil, err
	}
	links := w.d.linkActions(old, w.next)
	// Besides the links: releases and unwaits (claims), the
	// deletion record and its clearing, the pending mark.
	if len(acts)+len(links)+2*len(old.Claims())+4 > maxActions {
		acts, err := w.moveOut(old, found, acts, len(links))
		return acts, nil, err
	}
	return w.restActions(old, acts, links), bodies, nil
}

// takeSlots gives each membership of the record written that the old one
// (had) lacks its archive slot. Slots are taken before the transaction: a
// claim another source holds must be found first, or every refused upload
// would use up a slot of each feed (the other adapters take none).
func (w *putWrite) takeSlots(ctx context.Context, had []index.Membership) error {
	if joins(had, w.next.Feeds) {
		if c, err := w.d.heldClaim(ctx, w.claims, w.src.Key); err != nil || c != nil {
			if c != nil {
				return c
			}
			return err
		}
	}
	return index.AssignSlots(had, w.next.Feeds, func(feed string) (int, error) { return w.alloc(ctx, feed) })
}

// alloc returns the slot of feed taken for this write, taking it on first
// use: an attempt that lost a race and retries takes no more.
func (w *putWrite) alloc(ctx context.Context, feed string) (int, error) {
	if s, ok := w.slots[feed]; ok {
		return s, nil
	}
	s, err := w.d.allocSlot(ctx, feed)
	w.slots[feed] = s
	return s, err
}

// items returns the items written before the transaction: the slot
// items of the new memberships (had: the old record's) and the chunks of
// a new body. It points the record written at its body: the old record's
// items when the body is the same.
func (w *putWrite) items(old sourceItem, had []index.Membership) []map[string]types.AttributeValue {
	var bodies []map[string]types.AttributeValue
	bodies = append(bodies, w.d.slotItems(w.next.SourceRecord, had)...)
	if w.src.Article != nil {
		w.next.BodyHash = w.hash
		if old.HasArticle && w.hash == old.BodyHash && old.bodyName() != "" {
			// The same body: keep pointing at the items there.
			w.next.BodyRev, w.next.Chunks = old.bodyName(), old.Chunks
		} else {
			w.next.BodyRev = token()
			body := chunks(w.src.Key, w.next.BodyRev, w.compressed)
			bodies = append(bodies, body...)
			w.next.Chunks = len(body)
		}
	}
	return bodies
}

// firstActions are the actions that can refuse the write: the record's
// put, guarded (see guard), the condition of a wait, and the claims.
// Claims come first, in either step of a move: a conflict writes nothing.
func (w *putWrite) firstActions(old sourceItem, found bool) ([]types.TransactWriteItem, error) {
	first, err := w.d.sourcePut(old, found, w.next)
	if err != nil {
		return nil, err
	}
	acts := []types.TransactWriteItem{first}
	if w.waiting != "" { // no article, so no claims: the condition is the second action
		acts = append(acts, w.d.waitActions(w.waiting, w.src.Key)...)
	}
	clear(w.claimAt)
	for _, c := range w.claims {
		w.claimAt[len(acts)] = c
		acts = append(acts, w.d.claimAction(c, w.src.Key))
	}
	return acts, nil
}

// moveOut makes the first step of a two-step move from acts (the first
// actions), for a write with too many changes for one transaction (an
// article moved between dozens of feeds at once; links is their number):
// take the article out of its old feeds, marked as moving (and take its
// claims); the next round writes the new state.
func (w *putWrite) moveOut(old sourceItem, found bool, acts []types.TransactWriteItem, links int) ([]types.TransactWriteItem, error) {
	if old.Moving || len(memberships(old)) == 0 {
		return nil, fmt.Errorf("%w: %s: %d feed changes at once, more than one transaction holds", index.ErrRefused, w.src.Key, links)
	}
	half := old
	half.Moving = true
	first, err := w.d.sourcePut(old, found, half)
	if err != nil {
		return nil, err
	}
	acts[0] = first
	acts = append(acts, w.d.linkActions(old, half)...)
	acts = append(acts, w.d.markAction(w.src.Key, index.FeedsOf(old.Feeds), index.PagesOf(old.Feeds)))
	w.next = half
	return acts, nil
}

// restActions completes the transaction after acts (the first actions):
// the feeds' links, the claims released, the wait left, the deletion
// record and its clearing, and the pending mark of the feeds changed.
func (w *putWrite) restActions(old sourceItem, acts, links []types.TransactWriteItem) []types.TransactWriteItem {
	acts = append(acts, links...)
	for _, c := range index.Released(old.Claims(), w.claims) {
		acts = append(acts, w.d.releaseAction(c))
	}
	if old.Waiting != "" && old.Waiting != w.waiting {
		acts = append(acts, w.d.unwaitAction(old.Waiting, w.src.Key))
	}
	acts = append(acts, w.d.goneActions(w.src.Key, old.Listing(), w.next.Listing(), index.GoneTime(w.src))...)
	if len(w.ch.Feeds) > 0 {
		acts = append(acts, w.d.markAction(w.src.Key, w.ch.Feeds, w.ch.Pages))
	}
	return acts
}

// refusal is the error Put returns for a failed write (err): a claim
// another source holds (found before the transaction or by it), a wait on
// a claim released meanwhile, a stale version, or else err wrapped.
func (w *putWrite) refusal(ctx context.Context, err error) error {
	var held *index.ConflictError
	if errors.As(err, &held) {
		return held
	}
	if c := w.d.conflict(ctx, err, w.claimAt); c != nil {
		return c
	}
	if w.waiting != "" && releasedWait(err) {
		return index.ErrReleased
	}
	if errors.Is(err, index.ErrStale) {
		return index.ErrStale
	}
	return fmt.Errorf("index: dynamodb put %s: %w", w.src.Key, refused(err))
}

// finish follows a committed write (old: the record replaced): it deletes
// the body and slot items no record points at any more, and returns the
// change with the sources waiting on the claims released.
func (w *putWrite) finish(ctx context.Context, old sourceItem) (index.Change, error) {
	w.d.deleteBody(ctx, old, w.next.bodyName())
	w.d.deleteSlots(ctx, old.SourceRecord, w.next.Feeds)
	var err error
	w.ch.Waiters, err = w.d.waiters(ctx, index.Released(old.Claims(), w.claims))
	return w.ch, err
}

// heldClaim returns the conflict of the first claim another source holds,
// or nil: a GetItem a claim (two at most; ingest's role has no
// BatchGetItem, which it would need for nothing else). The transaction
// checks again; this only keeps a refused write from taking slots.
func (d *Index) heldClaim(ctx context.Context, claims []string, key string) (*index.ConflictError, error) {
	for _, c := range claims {
		h, err := d.Holder(ctx, c)
		if err != nil {
			return nil, err
		}
		if h != "" && h != key {
			return &index.ConflictError{Claim: c, Holder: h}, nil
		}
	}
	return nil, nil
}

// conflict turns a cancelled claim into a *ConflictError, or returns nil.
// A failed claim carries the item it found; when the service leaves it
// out, the claim is read.
func (d *Index) conflict(ctx context.Context, err error, claimAt map[int]string) *index.ConflictError {
	for i, r := range cancelled(err) {
		c, ok := claimAt[i]
		if !ok || aws.ToString(r.Code) != "ConditionalCheckFailed" {
			continue
		}
		holder := stringOf(r.Item, "Holder")
		if holder == "" {
			// A failed read leaves the holder unnamed: the conflict
			// stands either way, and the rejection still names the claim.
			out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &d.table, Key: primaryKey(claimPK(c), skClaim), ConsistentRead: aws.Bool(true)})
			if err == nil {
				holder = stringOf(out.Item, "Holder")
			}
		}
		return &index.ConflictError{Claim: c, Holder: holder}
	}
	return nil
}

// waiters returns the sources waiting on released claims. Their wait
// entries stay until their own next write: a waiter whose new attempt fails
// is still found (the ingest schedule and every local build retry them).
func (d *Index) waiters(ctx context.Context, claims []string) ([]string, error) {
	var out []string
	for _, c := range claims {
		p := dynamodb.NewQueryPaginator(d.client, &dynamodb.QueryInput{TableName: &d.table, ConsistentRead: aws.Bool(true),
			KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :c)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": stringAttr(pkWait), ":c": stringAttr(shortHash(c) + "#")}})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("index: dynamodb waiters: %w", err)
			}
			for _, it := range page.Items {
				out = append(out, stringOf(it, "Key"))
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// Holder implements index.Index.
func (d *Index) Holder(ctx context.Context, claim string) (string, error) {
	out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &d.table, Key: primaryKey(claimPK(claim), skClaim), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("index: dynamodb claim: %w", err)
	}
	return stringOf(out.Item, "Holder"), nil
}

// Waiting implements index.Index: one Query of the wait entries.
func (d *Index) Waiting(ctx context.Context) ([]string, error) {
	items, err := d.query(ctx, pkWait)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, it := range items {
		if k := stringOf(it, "Key"); !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Reject implements index.Index.
func (d *Index) Reject(ctx context.Context, src index.Source) error {
	_, err := d.write(ctx, src.Key, func(old sourceItem, found bool) ([]types.TransactWriteItem, []map[string]types.AttributeValue, error) {
		if err := index.CheckVersion(src, old.Summary(), found); err != nil {
			return nil, nil, err
		}
		next := old
		if !found {
			next = sourceItem{}
		}
		next.Key, next.Version, next.Hash, next.Size, next.ModTime, next.Config = src.Key, src.Version, src.Hash, src.Size, src.ModTime, src.Config
		next.Problems, next.RejectedAt, next.Deleted, next.Waiting = index.ProblemRecords(src.Problems), src.RejectedAt, false, src.Waiting
		// A move between many feeds was cut between its steps (this
		// rejection is newer than its second step): the kept article goes
		// back into its feeds.
		next.Moving = false
		first, err := d.sourcePut(old, found, next)
		if err != nil {
			return nil, nil, err
		}
		acts := []types.TransactWriteItem{first}
		if src.Waiting != "" {
			// Wait only while another source holds the claim: the
			// release and this rejection cannot cross unseen.
			acts = append(acts, d.waitActions(src.Waiting, src.Key)...)
		}
		acts = append(acts, d.linkActions(old, next)...)
		if old.Waiting != "" && old.Waiting != src.Waiting {
			acts = append(acts, d.unwaitAction(old.Waiting, src.Key))
		}
		return acts, nil, nil
	})
	if src.Waiting != "" && releasedWait(err) {
		return index.ErrReleased
	}
	if errors.Is(err, index.ErrStale) {
		return index.ErrStale
	}
	if err != nil {
		return fmt.Errorf("index: dynamodb reject %s: %w", src.Key, refused(err))
	}
	return nil
}

// Delete implements index.Index.
func (d *Index) Delete(ctx context.Context, k, version string, at time.Time) (index.Change, error) {
	var ch index.Change
	old, err := d.write(ctx, k, func(old sourceItem, found bool) ([]types.TransactWriteItem, []map[string]types.AttributeValue, error) {
		if found && !index.Newer(version, old.Version) {
			return nil, nil, index.ErrStale
		}
		next := sourceItem{SourceRecord: index.SourceRecord{Key: k, Version: version, Deleted: true}}
		first, err := d.sourcePut(old, found, next)
		if err != nil {
			return nil, nil, err
		}
		acts := append([]types.TransactWriteItem{first}, d.linkActions(old, next)...)
		for _, c := range old.Claims() {
			acts = append(acts, d.releaseAction(c))
		}
		if old.Waiting != "" {
			acts = append(acts, d.unwaitAction(old.Waiting, k))
		}
		ch = index.Change{}
		if !old.Moving {
			ch = index.ChangeOf(old.Listing(), nil, at)
			acts = append(acts, d.goneActions(k, old.Listing(), nil, at)...)
		}
		if len(ch.Feeds) > 0 {
			acts = append(acts, d.markAction(k, ch.Feeds, ch.Pages))
		}
		return acts, nil, nil
	})
	if errors.Is(err, index.ErrStale) {
		return index.Change{}, index.ErrStale
	}
	if err != nil {
		return index.Change{}, fmt.Errorf("index: dynamodb delete %s: %w", k, err)
	}
	d.deleteBody(ctx, old, "")
	d.deleteSlots(ctx, old.SourceRecord, nil)
	ch.Waiters, err = d.waiters(ctx, old.Claims())
	return ch, err
}

// article reassembles an article from its chunks.
func (d *Index) article(ctx context.Context, k, hash string, first []byte, chunksN int) (*article.Article, error) {
	body := append([]byte(nil), first...)
	for i := 1; i < chunksN; i++ {
		out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &d.table, Key: primaryKey(srcPK(k), chunkSK(hash, i)), ConsistentRead: aws.Bool(true)})
		if err != nil {
			return nil, fmt.Errorf("index: dynamodb get %s: %w", k, err)
		}
		b, _ := out.Item["Body"].(*types.AttributeValueMemberB)
		if b == nil {
			return nil, fmt.Errorf("index: article %s: chunk %d missing", k, i)
		}
		body = append(body, b.Value...)
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("index: article %s: %w", k, err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("index: article %s: %w", k, err)
	}
	a, err := index.DecodeArticle(data)
	if err != nil {
		return nil, fmt.Errorf("index: article %s: %w", k, err)
	}
	return a, nil
}

// Get implements index.Index.
func (d *Index) Get(ctx context.Context, k string) (index.Source, error) {
	ds, found, err := d.getSource(ctx, k)
	if err != nil {
		return index.Source{}, err
	}
	if !found {
		return index.Source{}, index.ErrNotFound
	}
	out := ds.Source()
	if ds.HasArticle {
		first, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &d.table, Key: primaryKey(srcPK(k), chunkSK(ds.bodyName(), 0)), ConsistentRead: aws.Bool(true)})
		if err != nil {
			return index.Source{}, fmt.Errorf("index: dynamodb get %s: %w", k, err)
		}
		b, _ := first.Item["Body"].(*types.AttributeValueMemberB)
		if b == nil {
			return index.Source{}, fmt.Errorf("index: article %s missing", k)
		}
		if out.Article, err = d.article(ctx, k, ds.bodyName(), b.Value, ds.Chunks); err != nil {
			return index.Source{}, err
		}
	}
	return out, nil
}

// List implements index.Index. It scans the source records: status pages and
// the re-parse after a new configuration call it, feeds never do.
func (d *Index) List(ctx context.Context) ([]index.Summary, error) {
	var out []index.Summary
	p := dynamodb.NewScanPaginator(d.client, &dynamodb.ScanInput{TableName: &d.table, ConsistentRead: aws.Bool(true),
		FilterExpression:          aws.String("SK = :src"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":src": stringAttr(skSource)}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("index: dynamodb list: %w", err)
		}
		for _, it := range page.Items {
			ds, err := sourceFromItem(it)
			if err != nil {
				return nil, err
			}
			out = append(out, ds.Summary())
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// bodies fetches articles by key: one BatchGetItem for their source
// records (which name the body chunks), one for the first chunks, 100
// items a call.
func (d *Index) bodies(ctx context.Context, keys []string) (map[string]*article.Article, error) {
	sources, err := d.sources(ctx, keys)
	if err != nil {
		return nil, err
	}
	return d.articles(ctx, sources)
}

// sources reads source records by key with BatchGetItem, 100 a call.
func (d *Index) sources(ctx context.Context, keys []string) (map[string]sourceItem, error) {
	srcKeys := make([]map[string]types.AttributeValue, 0, len(keys))
	for _, k := range keys {
		srcKeys = append(srcKeys, primaryKey(srcPK(k), skSource))
	}
	srcs, err := d.batchGet(ctx, srcKeys)
	if err != nil {
		return nil, err
	}
	out := map[string]sourceItem{}
	for _, it := range srcs {
		ds, err := sourceFromItem(it)
		if err != nil {
			return nil, err
		}
		out[ds.Key] = ds
	}
	return out, nil
}

// articles reads the articles of source records: one BatchGetItem for the
// first chunks, 100 items a call, then any further chunk.
func (d *Index) articles(ctx context.Context, srcs map[string]sourceItem) (map[string]*article.Article, error) {
	sources := map[string]sourceItem{}
	var artKeys []map[string]types.AttributeValue
	for _, ds := range srcs {
		if ds.HasArticle && ds.bodyName() != "" {
			sources[ds.Key] = ds
			artKeys = append(artKeys, primaryKey(srcPK(ds.Key), chunkSK(ds.bodyName(), 0)))
		}
	}
	arts, err := d.batchGet(ctx, artKeys)
	if err != nil {
		return nil, err
	}
	out := map[string]*article.Article{}
	for _, it := range arts {
		k := strings.TrimPrefix(stringOf(it, "PK"), "SRC#")
		b, _ := it["Body"].(*types.AttributeValueMemberB)
		ds, ok := sources[k]
		if b == nil || !ok || stringOf(it, "SK") != chunkSK(ds.bodyName(), 0) {
			continue
		}
		a, err := d.article(ctx, k, ds.bodyName(), b.Value, ds.Chunks)
		if err != nil {
			return nil, err
		}
		out[k] = a
	}
	return out, nil
}
