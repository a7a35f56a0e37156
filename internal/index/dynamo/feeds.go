package dynamo

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	article "github.com/pressroom/pressroom/internal/article/model"
	"github.com/pressroom/pressroom/internal/index"
)

type membership struct {
	feed, label, sk, key string
	expires              time.Time
}

func memberships(ds sourceItem) map[string]membership {
	out := map[string]membership{}
	if !ds.HasArticle || ds.Moving {
		return out
	}
	sk := hexInstant(ds.Published) + "#" + truncate(ds.ID, 200) + "#" + shortHash(ds.Key)
	if ds.LegacyKeys {
		sk = hexInstant(ds.Published) + "#" + ds.ID + "#" + ds.Key
	}
	for _, m := range ds.Feeds {
		out[feedPK(m.Feed)+"\x00"+sk] = membership{feed: m.Feed, label: m.Label, sk: sk, key: ds.Key, expires: ds.Expires}
	}
	return out
}

func schedule(ds sourceItem) map[string]bool {
	out := map[string]bool{}
	if !ds.HasArticle || ds.Moving {
		return out
	}
	key := shortHash(ds.Key)
	if ds.LegacyKeys {
		key = ds.Key
	}
	out[hexInstant(ds.Published)+"#"+key] = true
	if !ds.Expires.IsZero() {
		out[hexInstant(ds.Expires)+"#"+key] = true
	}
	return out
}

// linkActions returns the writes that take the memberships and schedule
// from those of old to those of next.
func (d *Index) linkActions(old, next sourceItem) []types.TransactWriteItem {
	var acts []types.TransactWriteItem
	om, nm := memberships(old), memberships(next)
	delta := map[string]int{}
	labels := map[string]string{}
	for id, m := range om {
		if _, keep := nm[id]; !keep {
			acts = append(acts, types.TransactWriteItem{Delete: &types.Delete{TableName: &d.table, Key: primaryKey(feedPK(m.feed), m.sk)}})
			delta[m.feed]--
		}
	}
	for id, m := range nm {
		if o, had := om[id]; !had || !o.expires.Equal(m.expires) {
			it := primaryKey(feedPK(m.feed), m.sk)
			it["Key"] = stringAttr(m.key)
			if !m.expires.IsZero() {
				it["Expires"] = stringAttr(m.expires.Format(time.RFC3339Nano))
			}
			acts = append(acts, types.TransactWriteItem{Put: &types.Put{TableName: &d.table, Item: it}})
			if !had {
				delta[m.feed]++
			}
		}
		labels[m.feed] = m.label
	}
	feeds := make([]string, 0, len(delta))
	for f := range delta {
		feeds = append(feeds, f)
	}
	sort.Strings(feeds)
	for _, f := range feeds {
		if delta[f] == 0 {
			continue
		}
		u := &types.Update{TableName: &d.table, Key: primaryKey(pkFeeds, "F:"+f),
			UpdateExpression:          aws.String("ADD #c :d SET #f = :f"),
			ExpressionAttributeNames:  map[string]string{"#c": "Count", "#f": "Feed"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":d": numberAttr(int64(delta[f])), ":f": stringAttr(f)}}
		if l, ok := labels[f]; ok {
			u.UpdateExpression = aws.String("ADD #c :d SET #f = :f, #l = :l")
			u.ExpressionAttributeNames["#l"] = "Label"
			u.ExpressionAttributeValues[":l"] = stringAttr(l)
		}
		acts = append(acts, types.TransactWriteItem{Update: u})
	}
	os, ns := schedule(old), schedule(next)
	for sk := range os {
		if !ns[sk] {
			acts = append(acts, types.TransactWriteItem{Delete: &types.Delete{TableName: &d.table, Key: primaryKey(pkSched, sk)}})
		}
	}
	for sk := range ns {
		if !os[sk] {
			it := primaryKey(pkSched, sk)
			it["Key"] = stringAttr(next.Key)
			acts = append(acts, types.TransactWriteItem{Put: &types.Put{TableName: &d.table, Item: it}})
		}
	}
	return acts
}

// joins reports whether next has a membership old has not: a slot to take.
func joins(old, next []index.Membership) bool {
	for _, m := range next {
		had := false
		for _, o := range old {
			had = had || (o.Feed == m.Feed && o.Slot > 0)
		}
		if !had {
			return true
		}
	}
	return false
}

// allocSlot takes a feed's next archive slot: one atomic counter update
// on the feed's item, before the transaction (a transaction cannot read
// what it writes). A slot taken by a write that then fails is never used.
func (d *Index) allocSlot(ctx context.Context, feed string) (int, error) {
	out, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &d.table, Key: primaryKey(pkFeeds, "F:"+feed),
		UpdateExpression:          aws.String("ADD Slots :one SET Feed = :f"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": numberAttr(1), ":f": stringAttr(feed)},
		ReturnValues:              types.ReturnValueUpdatedNew})
	if err != nil {
		return 0, fmt.Errorf("index: dynamodb slot of %q: %w", feed, refused(err))
	}
	n, _ := out.Attributes["Slots"].(*types.AttributeValueMemberN)
	if n == nil {
		return 0, fmt.Errorf("index: dynamodb slot of %q: no counter returned", feed)
	}
	return strconv.Atoi(n.Value)
}

// slotItems are the archive slot items of r's memberships that old did
// not have: written before the transaction, with the body.
func (d *Index) slotItems(r index.SourceRecord, old []index.Membership) []map[string]types.AttributeValue {
	var out []map[string]types.AttributeValue
	if !r.HasArticle {
		return nil
	}
	for _, m := range r.Feeds {
		if m.Slot == 0 || hasSlot(old, m.Feed, m.Slot) {
			continue
		}
		it := primaryKey(slotPK(m.Feed), slotSK(m.Slot))
		it["Key"] = stringAttr(r.Key)
		out = append(out, it)
	}
	return out
}

func hasSlot(ms []index.Membership, feed string, slot int) bool {
	for _, m := range ms {
		if m.Feed == feed && m.Slot == slot {
			return true
		}
	}
	return false
}

// deleteSlots removes the slot items of old's memberships that next does
// not keep, after the write (see deleteUnreferenced).
func (d *Index) deleteSlots(ctx context.Context, old index.SourceRecord, next []index.Membership) {
	if !old.HasArticle {
		return
	}
	var items []map[string]types.AttributeValue
	for _, m := range old.Feeds {
		if m.Slot > 0 && !hasSlot(next, m.Feed, m.Slot) {
			items = append(items, primaryKey(slotPK(m.Feed), slotSK(m.Slot)))
		}
	}
	d.deleteUnreferenced(ctx, items)
}

// goneActions record the deletion a write from old to next leaves (see
// gone), and clear the one of next's id: it is published again.
func (d *Index) goneActions(key string, old, next *index.Listing, at time.Time) []types.TransactWriteItem {
	var acts []types.TransactWriteItem
	if g, ok := index.GoneOf(key, old, next, at); ok {
		it := primaryKey(pkGone, shortHash(g.ID))
		it["ID"], it["Key"], it["At"] = stringAttr(g.ID), stringAttr(g.Key), stringAttr(g.At.Format(time.RFC3339Nano))
		if g.URL != "" {
			it["URL"] = stringAttr(g.URL)
		}
		fs := make([]string, len(g.Feeds))
		for i, f := range g.Feeds {
			fs[i] = "f:" + f
		}
		if len(fs) > 0 {
			it["Feeds"] = &types.AttributeValueMemberSS{Value: fs}
		}
		acts = append(acts, types.TransactWriteItem{Put: &types.Put{TableName: &d.table, Item: it}})
	}
	if next != nil && !next.Draft {
		acts = append(acts, types.TransactWriteItem{Delete: &types.Delete{TableName: &d.table, Key: primaryKey(pkGone, shortHash(next.ID))}})
	}
	return acts
}

// Latest implements index.Index: one Query newest first, stopping at now, then
// one BatchGetItem for the source records and one for the bodies.
func (d *Index) Latest(ctx context.Context, feed string, limit int, now time.Time) ([]article.Article, error) {
	keys, err := d.latestKeys(ctx, feed, limit, now)
	if err != nil {
		return nil, err
	}
	bodies, err := d.bodies(ctx, keys)
	if err != nil {
		return nil, err
	}
	return inOrder(keys, bodies), nil
}

// latestKeys reads the keys of a feed's live articles, newest first: one
// Query, more when expired items took some of the first one's places.
func (d *Index) latestKeys(ctx context.Context, feed string, limit int, now time.Time) ([]string, error) {
	var keys []string
	var start map[string]types.AttributeValue
	seen := map[string]bool{}
	for len(keys) < limit {
		out, err := d.client.Query(ctx, &dynamodb.QueryInput{
			TableName:                 &d.table,
			KeyConditionExpression:    aws.String("PK = :pk AND SK <= :now"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": stringAttr(feedPK(feed)), ":now": stringAttr(hexInstant(now) + "~")},
			ScanIndexForward:          aws.Bool(false),
			Limit:                     aws.Int32(int32(limit - len(keys))),
			ExclusiveStartKey:         start,
			ConsistentRead:            aws.Bool(true),
		})
		if err != nil {
			return nil, fmt.Errorf("index: dynamodb latest %q: %w", feed, err)
		}
		for _, it := range out.Items {
			if e, _ := time.Parse(time.RFC3339Nano, stringOf(it, "Expires")); !e.IsZero() && !e.After(now) {
				continue // expired
			}
			if k := stringOf(it, "Key"); !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		start = out.LastEvaluatedKey
	}
	return keys, nil
}

// inOrder returns the articles of keys found in arts, in the order of keys.
func inOrder(keys []string, arts map[string]*article.Article) []article.Article {
	out := make([]article.Article, 0, len(keys))
	for _, k := range keys {
		if a := arts[k]; a != nil {
			out = append(out, *a)
		}
	}
	return out
}

// maxQueries bounds the Queries Contents has in flight at once.
const maxQueries = 8

// Contents implements index.Index: the Queries of the feeds and pages (at most
// maxQueries at once), then one BatchGetItem for the source records of
// every article they name and one for the bodies, 100 items a call: an
// article in several of the feeds and pages is read once.
func (d *Index) Contents(ctx context.Context, live []index.LiveRef, pages []index.PageRef, now time.Time) (index.Contents, error) {
	liveKeys := make([][]string, len(live))
	pageKeys := make([][]string, len(pages))
	slotsOf := make([]map[string][]int, len(pages))
	err := inParallel(ctx, len(live)+len(pages), maxQueries, func(ctx context.Context, i int) error {
		var err error
		if i < len(live) {
			liveKeys[i], err = d.latestKeys(ctx, live[i].Feed, live[i].Limit, now)
			return err
		}
		i -= len(live)
		pageKeys[i], slotsOf[i], err = d.pageSlots(ctx, pages[i].Feed, pages[i].Page)
		return err
	})
	if err != nil {
		return index.Contents{}, err
	}
	var keys []string
	seen := map[string]bool{}
	for _, ks := range append(append([][]string(nil), liveKeys...), pageKeys...) {
		for _, k := range ks {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	srcs, err := d.sources(ctx, keys)
	if err != nil {
		return index.Contents{}, err
	}
	// The bodies to read: every live article, and the page articles
	// their slots name.
	want := map[string]sourceItem{}
	for _, ks := range liveKeys {
		for _, k := range ks {
			if ds, ok := srcs[k]; ok {
				want[k] = ds
			}
		}
	}
	named := make([]map[string]sourceItem, len(pages))
	for i, p := range pages {
		named[i] = pageSources(p.Feed, pageKeys[i], slotsOf[i], srcs)
		for k, ds := range named[i] {
			want[k] = ds
		}
	}
	arts, err := d.articles(ctx, want)
	if err != nil {
		return index.Contents{}, err
	}
	out := index.Contents{Live: make(map[string][]article.Article, len(live)), Pages: make(map[index.PageRef][]article.Article, len(pages))}
	for i, l := range live {
		out.Live[l.Feed] = inOrder(liveKeys[i], arts)
	}
	for i, p := range pages {
		out.Pages[p] = pageArticles(named[i], arts)
	}
	return out, nil
}

// inParallel runs fn for 0 to n-1, at most width at once, and returns
// the first error; the others' context is cancelled then.
func inParallel(ctx context.Context, n, width int, fn func(context.Context, int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, width)
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		sem <- struct{}{}
		go func(i int) {
			defer func() { <-sem }()
			err := fn(ctx, i)
			if err != nil {
				cancel()
			}
			errs <- err
		}(i)
	}
	var first error
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Feeds implements index.Index.
func (d *Index) Feeds(ctx context.Context) ([]index.FeedInfo, error) {
	items, err := d.query(ctx, pkFeeds)
	if err != nil {
		return nil, err
	}
	var out []index.FeedInfo
	for _, it := range items {
		var f struct {
			Label string
			Count int
			Slots int
		}
		if err := attributevalue.UnmarshalMap(it, &f); err != nil {
			return nil, fmt.Errorf("index: feed item %s: %w", stringOf(it, "SK"), err)
		}
		if f.Count > 0 {
			out = append(out, index.FeedInfo{ID: strings.TrimPrefix(stringOf(it, "SK"), "F:"), Label: f.Label, Count: f.Count, Slots: f.Slots})
		}
	}
	return out, nil
}

// Page implements index.Index: one Query of the page's slot items, one
// BatchGetItem of their source records (a slot item no record names any
// more is skipped), one of the bodies.
func (d *Index) Page(ctx context.Context, feed string, n int) ([]article.Article, error) {
	keys, slotsOf, err := d.pageSlots(ctx, feed, n)
	if err != nil {
		return nil, err
	}
	srcs, err := d.sources(ctx, keys)
	if err != nil {
		return nil, err
	}
	named := pageSources(feed, keys, slotsOf, srcs)
	arts, err := d.articles(ctx, named)
	if err != nil {
		return nil, err
	}
	return pageArticles(named, arts), nil
}

// pageSlots reads the slot items of archive page n of a feed: the keys
// they name, and the slots each key has there (a key may have a slot item
// left by a failed write too).
func (d *Index) pageSlots(ctx context.Context, feed string, n int) ([]string, map[string][]int, error) {
	p := dynamodb.NewQueryPaginator(d.client, &dynamodb.QueryInput{TableName: &d.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression: aws.String("PK = :pk AND SK BETWEEN :lo AND :hi"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": stringAttr(slotPK(feed)),
			":lo": stringAttr(slotSK((n-1)*index.PageSize + 1)), ":hi": stringAttr(slotSK(n * index.PageSize))}})
	slotsOf := map[string][]int{}
	var keys []string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("index: dynamodb page %d of %q: %w", n, feed, err)
		}
		for _, it := range page.Items {
			slot, _ := strconv.Atoi(stringOf(it, "SK"))
			k := stringOf(it, "Key")
			if len(slotsOf[k]) == 0 {
				keys = append(keys, k)
			}
			slotsOf[k] = append(slotsOf[k], slot)
		}
	}
	return keys, slotsOf, nil
}

// pageSources returns the source records, among srcs, whose article is
// in one of the slots the page's slot items name.
func pageSources(feed string, keys []string, slotsOf map[string][]int, srcs map[string]sourceItem) map[string]sourceItem {
	out := map[string]sourceItem{}
	for _, k := range keys {
		ds, ok := srcs[k]
		if !ok || !ds.HasArticle || ds.Moving {
			continue
		}
		for _, s := range slotsOf[k] {
			if hasSlot(ds.Feeds, feed, s) {
				out[k] = ds
				break
			}
		}
	}
	return out
}

// pageArticles returns the articles of a page's sources, newest first.
func pageArticles(named map[string]sourceItem, arts map[string]*article.Article) []article.Article {
	out := make([]article.Article, 0, len(named))
	for k := range named {
		if a := arts[k]; a != nil {
			out = append(out, *a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return index.NewestFirst(&out[i], &out[j]) })
	return out
}

// Gone implements index.Index: one Query.
func (d *Index) Gone(ctx context.Context) ([]index.Gone, error) {
	items, err := d.query(ctx, pkGone)
	if err != nil {
		return nil, err
	}
	out := make([]index.Gone, 0, len(items))
	for _, it := range items {
		at, _ := time.Parse(time.RFC3339Nano, stringOf(it, "At"))
		g := index.Gone{ID: stringOf(it, "ID"), URL: stringOf(it, "URL"), Key: stringOf(it, "Key"), At: at}
		if ss, ok := it["Feeds"].(*types.AttributeValueMemberSS); ok {
			for _, f := range ss.Value {
				g.Feeds = append(g.Feeds, strings.TrimPrefix(f, "f:"))
			}
			sort.Strings(g.Feeds)
		}
		out = append(out, g)
	}
	index.SortGone(out)
	return out, nil
}

// ForgetGone implements index.Index.
func (d *Index) ForgetGone(ctx context.Context, before time.Time) error {
	gs, err := d.Gone(ctx)
	if err != nil {
		return err
	}
	// Deleted in transactions, as Purged does: publish's role deletes
	// items (dynamodb:DeleteItem) and needs no batch writes.
	var acts []types.TransactWriteItem
	for _, g := range gs {
		if g.At.Before(before) {
			acts = append(acts, types.TransactWriteItem{Delete: &types.Delete{TableName: &d.table, Key: primaryKey(pkGone, shortHash(g.ID))}})
		}
	}
	for i := 0; i < len(acts); i += maxActions {
		if err := d.transact(ctx, acts[i:min(i+maxActions, len(acts))]); err != nil {
			return fmt.Errorf("index: forget deletions: %w", err)
		}
	}
	return nil
}

// RecordGone implements index.Index: one PutItem each (deletions found by the
// publisher are few: the articles expiring between two runs).
func (d *Index) RecordGone(ctx context.Context, gs []index.Gone) error {
	for _, g := range gs {
		act := d.goneActions(g.Key, &index.Listing{ID: g.ID, URL: g.URL, Feeds: memberOf(g.Feeds)}, &index.Listing{Draft: true}, g.At)
		if len(act) == 0 || act[0].Put == nil {
			continue
		}
		if _, err := d.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &d.table, Item: act[0].Put.Item}); err != nil {
			return fmt.Errorf("index: dynamodb record deletion %s: %w", g.ID, err)
		}
	}
	return nil
}

func memberOf(feeds []string) []index.Membership {
	out := make([]index.Membership, len(feeds))
	for i, f := range feeds {
		out[i] = index.Membership{Feed: f}
	}
	return out
}
