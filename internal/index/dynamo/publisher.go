package dynamo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pressroom/pressroom/internal/index"
)

// markAction adds feeds and pages to the pending mark sk; a new token
// says it was written again (Published keeps it then).
func (d *Index) markAction(sk string, feeds []string, pages []index.PageRef) types.TransactWriteItem {
	set := make([]string, 0, len(feeds)+len(pages))
	for _, f := range feeds {
		set = append(set, "f:"+f) // a string set cannot hold "", the site feed's id
	}
	for _, p := range pages {
		set = append(set, "p:"+strconv.Itoa(p.Page)+":"+p.Feed)
	}
	vals := map[string]types.AttributeValue{":t": stringAttr(token())}
	expr := "SET Tok = :t"
	if len(set) > 0 {
		vals[":f"] = &types.AttributeValueMemberSS{Value: set}
		expr += " ADD Feeds :f"
	}
	return types.TransactWriteItem{Update: &types.Update{TableName: &d.table, Key: primaryKey(pkPending, sk),
		UpdateExpression: aws.String(expr), ExpressionAttributeValues: vals}}
}

// Due implements index.Index.
func (d *Index) Due(ctx context.Context, from, to time.Time) (index.Work, error) {
	lo, hi := hexInstant(from.Add(time.Nanosecond)), hexInstant(to.Add(time.Nanosecond))
	p := dynamodb.NewQueryPaginator(d.client, &dynamodb.QueryInput{TableName: &d.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("PK = :pk AND SK BETWEEN :lo AND :hi"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": stringAttr(pkSched), ":lo": stringAttr(lo), ":hi": stringAttr(hi)}})
	var keys []map[string]types.AttributeValue
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return index.Work{}, fmt.Errorf("index: dynamodb due: %w", err)
		}
		for _, it := range page.Items {
			if stringOf(it, "SK") >= hi {
				continue // BETWEEN is inclusive; the interval is (from, to]
			}
			keys = append(keys, primaryKey(srcPK(stringOf(it, "Key")), skSource))
		}
	}
	srcs, err := d.batchGet(ctx, keys)
	if err != nil {
		return index.Work{}, err
	}
	var due [][]index.Membership
	var gone []index.Gone
	for _, it := range srcs {
		ds, err := sourceFromItem(it)
		if err != nil {
			return index.Work{}, err
		}
		due = append(due, ds.Feeds)
		if g, ok := index.ExpiredOf(ds.Key, ds.Listing(), ds.Expires, from, to); ok && !ds.Moving {
			gone = append(gone, g)
		}
	}
	w := index.DueWork(due)
	w.Expired = gone
	return w, nil
}

// Pending implements index.Index.
func (d *Index) Pending(ctx context.Context) (index.Pending, error) {
	items, err := d.query(ctx, pkPending)
	if err != nil {
		return index.Pending{}, err
	}
	var p index.Pending
	for _, it := range items {
		sk := stringOf(it, "SK")
		p.Marks = append(p.Marks, index.Mark{ID: sk, Token: stringOf(it, "Tok")})
		p.All = p.All || sk == skAll
		if ss, ok := it["Feeds"].(*types.AttributeValueMemberSS); ok {
			for _, f := range ss.Value {
				if rest, ok := strings.CutPrefix(f, "p:"); ok {
					n, feed, _ := strings.Cut(rest, ":")
					if page, err := strconv.Atoi(n); err == nil {
						p.Pages = append(p.Pages, index.PageRef{Feed: feed, Page: page})
					}
					continue
				}
				p.Feeds = append(p.Feeds, strings.TrimPrefix(f, "f:"))
			}
		}
	}
	p.Work = p.Work.Normalize()
	return p, nil
}

// MarkPending implements index.Index. A mark holds at most 400 KB: a long list
// of pages is written in several.
func (d *Index) MarkPending(ctx context.Context, w index.Work, all bool) error {
	var acts []types.TransactWriteItem
	for i := 0; i < len(w.Feeds) || i < len(w.Pages); i += 1000 {
		fs, ps := w.Feeds[min(i, len(w.Feeds)):min(i+1000, len(w.Feeds))], w.Pages[min(i, len(w.Pages)):min(i+1000, len(w.Pages))]
		sk := skMark
		if i > 0 {
			sk = skMark + "#" + strconv.Itoa(i/1000)
		}
		acts = append(acts, d.markAction(sk, fs, ps))
	}
	if all {
		acts = append(acts, d.markAction(skAll, nil, nil))
	}
	for _, a := range acts {
		u := a.Update
		_, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: u.TableName, Key: u.Key,
			UpdateExpression: u.UpdateExpression, ExpressionAttributeValues: u.ExpressionAttributeValues})
		if err != nil {
			return fmt.Errorf("index: dynamodb mark pending: %w", err)
		}
	}
	return nil
}

// Published implements index.Index: the state values are written, and each
// mark read is deleted unless its token changed since, in one
// transaction of 100 actions (more marks take more); the deletes whose
// condition failed are dropped from the batch and the rest retried.
func (d *Index) Published(ctx context.Context, p index.Pending, state map[string]string) error {
	var acts []types.TransactWriteItem
	for _, n := range slices.Sorted(maps.Keys(state)) {
		if err := index.CheckState(n, state[n]); err != nil {
			return err
		}
		acts = append(acts, d.stateAction(n, state[n]))
	}
	for _, m := range p.Marks {
		acts = append(acts, types.TransactWriteItem{Delete: &types.Delete{TableName: &d.table, Key: primaryKey(pkPending, m.ID),
			ConditionExpression: aws.String("Tok = :t"), ExpressionAttributeValues: map[string]types.AttributeValue{":t": stringAttr(m.Token)}}})
	}
	for i := 0; i < len(acts); i += maxActions {
		batch := acts[i:min(i+maxActions, len(acts))]
		for attempt := 0; len(batch) > 0; attempt++ {
			_, err := d.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: batch})
			if err == nil {
				break
			}
			reasons := cancelled(err)
			if reasons == nil || attempt == maxAttempts {
				return fmt.Errorf("index: dynamodb published: %w", err)
			}
			// A mark written again since is kept; the rest is retried
			// (a conflict with another writer cancels every action).
			var rest []types.TransactWriteItem
			for j, r := range reasons {
				if aws.ToString(r.Code) != "ConditionalCheckFailed" && j < len(batch) {
					rest = append(rest, batch[j])
				}
			}
			batch = rest
			if err := pause(ctx, attempt); err != nil {
				return err
			}
		}
	}
	return nil
}

// stateAction writes a state value, or deletes it ("").
func (d *Index) stateAction(name, value string) types.TransactWriteItem {
	if value == "" {
		return types.TransactWriteItem{Delete: &types.Delete{TableName: &d.table, Key: primaryKey(pkState, name)}}
	}
	it := primaryKey(pkState, name)
	it["Value"] = stringAttr(value)
	return types.TransactWriteItem{Put: &types.Put{TableName: &d.table, Item: it}}
}

// OutputHash implements index.Index.
func (d *Index) OutputHash(ctx context.Context, path string) (string, error) {
	out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &d.table, Key: primaryKey(pkOut, path), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("index: dynamodb output %s: %w", path, err)
	}
	return stringOf(out.Item, "Hash"), nil
}

// SetOutputHash implements index.Index: the hash and the purge mark in one
// transaction.
func (d *Index) SetOutputHash(ctx context.Context, path, hash string) error {
	out := types.TransactWriteItem{Delete: &types.Delete{TableName: &d.table, Key: primaryKey(pkOut, path)}}
	if hash != "" {
		it := primaryKey(pkOut, path)
		it["Hash"] = stringAttr(hash)
		out = types.TransactWriteItem{Put: &types.Put{TableName: &d.table, Item: it}}
	}
	purge := types.TransactWriteItem{Put: &types.Put{TableName: &d.table, Item: primaryKey(pkPurge, path)}}
	if _, err := d.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{out, purge}}); err != nil {
		return fmt.Errorf("index: dynamodb output %s: %w", path, err)
	}
	return nil
}

// OutputHashes implements index.Index: one Query of the hashes' partition (a
// page of a megabyte holds about 9,000): cheaper than BatchGetItem of
// the same items, which costs a call a hundred keys and a read unit a
// key, where a Query costs one a 4 KB.
func (d *Index) OutputHashes(ctx context.Context) (map[string]string, error) {
	items, err := d.query(ctx, pkOut)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(items))
	for _, it := range items {
		if h := stringOf(it, "Hash"); h != "" {
			out[stringOf(it, "SK")] = h
		}
	}
	return out, nil
}

// SetOutputHashes implements index.Index: for each 50 paths, one transaction
// of their purge marks and their hashes. A path's two writes need the
// mark no later than the hash (a mark alone costs a purge of a path that
// did not change; a hash alone would leave the CDN serving what the path
// held before): a transaction gives that in one round trip where two
// ordered batch writes took two, for twice their write units.
func (d *Index) SetOutputHashes(ctx context.Context, hashes map[string]string) error {
	paths := make([]string, 0, len(hashes))
	for p := range hashes {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for i := 0; i < len(paths); i += maxActions / 2 {
		group := paths[i:min(i+maxActions/2, len(paths))]
		acts := make([]types.TransactWriteItem, 0, 2*len(group))
		for _, p := range group {
			acts = append(acts, types.TransactWriteItem{Put: &types.Put{TableName: &d.table, Item: primaryKey(pkPurge, p)}})
			if h := hashes[p]; h != "" {
				it := primaryKey(pkOut, p)
				it["Hash"] = stringAttr(h)
				acts = append(acts, types.TransactWriteItem{Put: &types.Put{TableName: &d.table, Item: it}})
			} else {
				acts = append(acts, types.TransactWriteItem{Delete: &types.Delete{TableName: &d.table, Key: primaryKey(pkOut, p)}})
			}
		}
		if err := d.transact(ctx, acts); err != nil {
			return fmt.Errorf("index: output hashes: %w", err)
		}
	}
	return nil
}

// Unpurged implements index.Index.
func (d *Index) Unpurged(ctx context.Context) ([]string, error) {
	items, err := d.query(ctx, pkPurge)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, stringOf(it, "SK"))
	}
	return out, nil
}

// Purged implements index.Index: one transaction of deletes a hundred paths
// (a batch write takes 25).
func (d *Index) Purged(ctx context.Context, paths []string) error {
	for i := 0; i < len(paths); i += maxActions {
		group := paths[i:min(i+maxActions, len(paths))]
		acts := make([]types.TransactWriteItem, len(group))
		for j, p := range group {
			acts[j] = types.TransactWriteItem{Delete: &types.Delete{TableName: &d.table, Key: primaryKey(pkPurge, p)}}
		}
		if err := d.transact(ctx, acts); err != nil {
			return fmt.Errorf("index: purged: %w", err)
		}
	}
	return nil
}

// State implements index.Index.
func (d *Index) State(ctx context.Context, name string) (string, error) {
	out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &d.table, Key: primaryKey(pkState, name), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("index: dynamodb state %s: %w", name, err)
	}
	return stringOf(out.Item, "Value"), nil
}

// States implements index.Index: one BatchGetItem (a hundred names a call).
func (d *Index) States(ctx context.Context, names []string) (map[string]string, error) {
	keys := make([]map[string]types.AttributeValue, len(names))
	for i, n := range names {
		keys[i] = primaryKey(pkState, n)
	}
	items, err := d.batchGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(names))
	for _, n := range names {
		out[n] = ""
	}
	for _, it := range items {
		out[stringOf(it, "SK")] = stringOf(it, "Value")
	}
	return out, nil
}

// SetState implements index.Index.
func (d *Index) SetState(ctx context.Context, name, value string) error {
	if err := index.CheckState(name, value); err != nil {
		return err
	}
	var err error
	if value == "" {
		_, err = d.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &d.table, Key: primaryKey(pkState, name)})
	} else {
		it := primaryKey(pkState, name)
		it["Value"] = stringAttr(value)
		_, err = d.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &d.table, Item: it})
	}
	if err != nil {
		return fmt.Errorf("index: dynamodb state %s: %w", name, err)
	}
	return nil
}

// SetStateNewer implements index.Index: one conditional write.
func (d *Index) SetStateNewer(ctx context.Context, name, value, version string) (bool, error) {
	if err := index.CheckState(name, value); err != nil {
		return false, err
	}
	it := primaryKey(pkState, name)
	it["Value"], it["VK"] = stringAttr(value), stringAttr(versionKey(version))
	_, err := d.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &d.table, Item: it,
		ConditionExpression:       aws.String("attribute_not_exists(VK) OR VK < :vk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":vk": stringAttr(versionKey(version))}})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("index: dynamodb state %s: %w", name, err)
	}
	return true, nil
}
