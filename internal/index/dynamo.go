package index

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pressroom/pressroom/internal/article"
)

// Dynamo is the Index on one DynamoDB table (single-table design, string
// keys PK and SK):
//
//	PK "SRC#<key>"  SK "#SRC"      the source record (version, hash, feeds, problems, ...)
//	PK "SRC#<key>"  SK "#ART#<hash>#<n>"  the article, JSON, gzip, in chunks under the 400 KB
//	                item limit, named by the hash of their bytes: written before the
//	                transaction that makes the source record point at them, so only
//	                memberships and the record itself count against its 100 actions
//	PK "FEED#<id>"  SK "<published>#<id>#<key>"  one item per membership, Key and Expires
//	PK "FEEDS"      SK "F:<id>"    a feed's label and article count
//	PK "SCHED"      SK "<instant>#<key>"  publish and expiry instants, for Due
//	PK "OUT"        SK "<path>"    hash of each published file
//
// Latest is one Query on a feed's partition, newest first, its key
// condition stopping at now so scheduled items are not even read; never a
// Scan. Writes are transactions conditioned on the stored version, retried
// when a concurrent writer wins.
type Dynamo struct {
	client *dynamodb.Client
	table  string
}

var _ Index = (*Dynamo)(nil)

// NewDynamo returns an Index on table.
func NewDynamo(client *dynamodb.Client, table string) *Dynamo {
	return &Dynamo{client: client, table: table}
}

// CreateTable creates the table with its stream (NEW_AND_OLD_IMAGES), for
// tests and local stand-ins; on AWS, template.yaml declares it.
func (d *Dynamo) CreateTable(ctx context.Context) error {
	_, err := d.client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   &d.table,
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("PK"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("SK"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("SK"), KeyType: types.KeyTypeRange},
		},
		StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages},
	})
	if err != nil {
		return fmt.Errorf("index: create table %s: %w", d.table, err)
	}
	return dynamodb.NewTableExistsWaiter(d.client).Wait(ctx, &dynamodb.DescribeTableInput{TableName: &d.table}, time.Minute)
}

// Close implements Index.
func (d *Dynamo) Close() error { return nil }

const (
	chunkSize   = 350_000 // bytes of compressed article per item
	maxActions  = 100     // TransactWriteItems limit
	maxAttempts = 10
)

// versionKey pads a version for comparison inside DynamoDB conditions,
// with the same order as Newer.
func versionKey(v string) string {
	v = strings.ToUpper(v)
	if len(v) < 40 {
		v = strings.Repeat("0", 40-len(v)) + v
	}
	return v
}

func hexInstant(t time.Time) string { return hex.EncodeToString(instant(t)) }

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": s(pk), "SK": s(sk)}
}

func str(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func num(item map[string]types.AttributeValue, name string) int64 {
	if v, ok := item[name].(*types.AttributeValueMemberN); ok {
		i, _ := strconv.ParseInt(v.Value, 10, 64)
		return i
	}
	return 0
}

func boolean(item map[string]types.AttributeValue, name string) bool {
	v, ok := item[name].(*types.AttributeValueMemberBOOL)
	return ok && v.Value
}

func timeAttr(item map[string]types.AttributeValue, name string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, str(item, name))
	return t
}

// dynSource is the source record with what the adapter needs besides.
type dynSource struct {
	boltSource // the same fields as the bbolt record
	Chunks     int
	BodyHash   string
	Moving     bool // memberships removed by the first half of a two-step move
}

func (ds dynSource) item() map[string]types.AttributeValue {
	feeds, _ := json.Marshal(ds.Feeds)
	problems, _ := json.Marshal(ds.Problems)
	it := key("SRC#"+ds.Key, "#SRC")
	for name, v := range map[string]types.AttributeValue{
		"Key": s(ds.Key), "Version": s(ds.Version), "VK": s(versionKey(ds.Version)), "Hash": s(ds.Hash), "Config": s(ds.Config),
		"Size": n(ds.Size), "ModTime": s(ds.ModTime.Format(time.RFC3339Nano)),
		"Deleted": &types.AttributeValueMemberBOOL{Value: ds.Deleted}, "HasArticle": &types.AttributeValueMemberBOOL{Value: ds.HasArticle},
		"Feeds": s(string(feeds)), "Problems": s(string(problems)), "RejectedAt": s(ds.RejectedAt.Format(time.RFC3339Nano)),
		"ID": s(ds.ID), "Title": s(ds.Title), "Published": s(ds.Published.Format(time.RFC3339Nano)),
		"Expires": s(ds.Expires.Format(time.RFC3339Nano)), "Draft": &types.AttributeValueMemberBOOL{Value: ds.Draft},
		"Chunks": n(int64(ds.Chunks)), "BodyHash": s(ds.BodyHash), "Moving": &types.AttributeValueMemberBOOL{Value: ds.Moving},
	} {
		it[name] = v
	}
	return it
}

func sourceFromItem(it map[string]types.AttributeValue) dynSource {
	var ds dynSource
	ds.Key, ds.Version, ds.Hash, ds.Config = str(it, "Key"), str(it, "Version"), str(it, "Hash"), str(it, "Config")
	ds.Size, ds.ModTime = num(it, "Size"), timeAttr(it, "ModTime")
	ds.Deleted, ds.HasArticle, ds.Draft, ds.Moving = boolean(it, "Deleted"), boolean(it, "HasArticle"), boolean(it, "Draft"), boolean(it, "Moving")
	json.Unmarshal([]byte(str(it, "Feeds")), &ds.Feeds)
	json.Unmarshal([]byte(str(it, "Problems")), &ds.Problems)
	ds.RejectedAt, ds.Published, ds.Expires = timeAttr(it, "RejectedAt"), timeAttr(it, "Published"), timeAttr(it, "Expires")
	ds.ID, ds.Title, ds.Chunks, ds.BodyHash = str(it, "ID"), str(it, "Title"), int(num(it, "Chunks")), str(it, "BodyHash")
	if len(ds.Problems) == 0 {
		ds.Problems = nil
	}
	return ds
}

func (d *Dynamo) getSource(ctx context.Context, k string) (dynSource, bool, error) {
	out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &d.table, Key: key("SRC#"+k, "#SRC"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return dynSource{}, false, fmt.Errorf("index: dynamodb get %s: %w", k, err)
	}
	if out.Item == nil {
		return dynSource{}, false, nil
	}
	return sourceFromItem(out.Item), true, nil
}

// guard is the condition on the source item: unchanged since we read it.
func guard(old dynSource, found bool) (string, map[string]types.AttributeValue) {
	if !found {
		return "attribute_not_exists(PK)", nil
	}
	return "VK = :old", map[string]types.AttributeValue{":old": s(versionKey(old.Version))}
}

type membership struct {
	feed, label, sk, key string
	expires              time.Time
}

func memberships(ds dynSource) map[string]membership {
	out := map[string]membership{}
	if !ds.HasArticle || ds.Moving {
		return out
	}
	for _, m := range ds.Feeds {
		sk := hexInstant(ds.Published) + "#" + ds.ID + "#" + ds.Key
		out["FEED#"+m.Feed+"\x00"+sk] = membership{feed: m.Feed, label: m.Label, sk: sk, key: ds.Key, expires: ds.Expires}
	}
	return out
}

func schedule(ds dynSource) map[string]bool {
	out := map[string]bool{}
	if !ds.HasArticle || ds.Moving {
		return out
	}
	out[hexInstant(ds.Published)+"#"+ds.Key] = true
	if !ds.Expires.IsZero() {
		out[hexInstant(ds.Expires)+"#"+ds.Key] = true
	}
	return out
}

// linkActions returns the writes that take the memberships and schedule
// from those of old to those of next.
func (d *Dynamo) linkActions(old, next dynSource) []types.TransactWriteItem {
	var acts []types.TransactWriteItem
	om, nm := memberships(old), memberships(next)
	delta := map[string]int{}
	labels := map[string]string{}
	for id, m := range om {
		if _, keep := nm[id]; !keep {
			acts = append(acts, types.TransactWriteItem{Delete: &types.Delete{TableName: &d.table, Key: key("FEED#"+m.feed, m.sk)}})
			delta[m.feed]--
		}
	}
	for id, m := range nm {
		if o, had := om[id]; !had || !o.expires.Equal(m.expires) {
			it := key("FEED#"+m.feed, m.sk)
			it["Key"] = s(m.key)
			if !m.expires.IsZero() {
				it["Expires"] = s(m.expires.Format(time.RFC3339Nano))
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
		u := &types.Update{TableName: &d.table, Key: key("FEEDS", "F:"+f),
			UpdateExpression:          aws.String("ADD #c :d SET #f = :f"),
			ExpressionAttributeNames:  map[string]string{"#c": "Count", "#f": "Feed"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":d": n(int64(delta[f])), ":f": s(f)}}
		if l, ok := labels[f]; ok {
			u.UpdateExpression = aws.String("ADD #c :d SET #f = :f, #l = :l")
			u.ExpressionAttributeNames["#l"] = "Label"
			u.ExpressionAttributeValues[":l"] = s(l)
		}
		acts = append(acts, types.TransactWriteItem{Update: u})
	}
	os, ns := schedule(old), schedule(next)
	for sk := range os {
		if !ns[sk] {
			acts = append(acts, types.TransactWriteItem{Delete: &types.Delete{TableName: &d.table, Key: key("SCHED", sk)}})
		}
	}
	for sk := range ns {
		if !os[sk] {
			it := key("SCHED", sk)
			it["Key"] = s(next.Key)
			acts = append(acts, types.TransactWriteItem{Put: &types.Put{TableName: &d.table, Item: it}})
		}
	}
	return acts
}

// chunks compresses an article into body items named by the hash of the
// compressed bytes.
func chunks(k string, a *article.Article) (string, []map[string]types.AttributeValue, error) {
	data, err := json.Marshal(a)
	if err != nil {
		return "", nil, err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	body := buf.Bytes()
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:8])
	var out []map[string]types.AttributeValue
	for i := 0; i == 0 || i*chunkSize < len(body); i++ {
		part := body[i*chunkSize : min((i+1)*chunkSize, len(body))]
		it := key("SRC#"+k, chunkSK(hash, i))
		it["Body"] = &types.AttributeValueMemberB{Value: part}
		out = append(out, it)
	}
	return hash, out, nil
}

func chunkSK(hash string, i int) string { return "#ART#" + hash + "#" + strconv.Itoa(i) }

// retryable reports whether a cancelled transaction lost a race (another
// writer changed the source, or DynamoDB saw a conflicting transaction).
func retryable(err error) bool {
	var tc *types.TransactionCanceledException
	if errors.As(err, &tc) {
		for _, r := range tc.CancellationReasons {
			switch aws.ToString(r.Code) {
			case "ConditionalCheckFailed", "TransactionConflict":
				return true
			}
		}
	}
	var conflict *types.TransactionConflictException
	return errors.As(err, &conflict)
}

// write reads the source, lets change build its next state, and commits
// them conditioned on the source being unchanged, retrying lost races.
func (d *Dynamo) write(ctx context.Context, k string, change func(old dynSource, found bool) (dynSource, []map[string]types.AttributeValue, error)) (old dynSource, err error) {
	for attempt := 0; ; attempt++ {
		old, found, err := d.getSource(ctx, k)
		if err != nil {
			return old, err
		}
		next, bodies, err := change(old, found)
		if err != nil {
			return old, err
		}
		if next.BodyHash != old.BodyHash {
			for _, b := range bodies {
				if _, err := d.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &d.table, Item: b}); err != nil {
					return old, fmt.Errorf("index: dynamodb write %s: %w", k, err)
				}
			}
		}
		err = d.commit(ctx, old, found, next)
		if err == nil {
			if old.BodyHash != "" && old.BodyHash != next.BodyHash {
				// The previous body is no longer referenced. A failure here
				// only leaves unreferenced bytes behind.
				for i := 0; i < old.Chunks; i++ {
					d.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &d.table, Key: key("SRC#"+k, chunkSK(old.BodyHash, i))})
				}
			}
			return old, nil
		}
		if !retryable(err) || attempt == maxAttempts {
			return old, fmt.Errorf("index: dynamodb write %s: %w", k, err)
		}
		time.Sleep(time.Duration(attempt+1) * 20 * time.Millisecond)
	}
}

func (d *Dynamo) commit(ctx context.Context, old dynSource, found bool, next dynSource) error {
	cond, vals := guard(old, found)
	links := d.linkActions(old, next)
	if len(links)+1 > maxActions {
		if old.Moving || len(memberships(old)) == 0 {
			return fmt.Errorf("index: %s: %d feed changes at once, more than one transaction holds", next.Key, len(links))
		}
		// Too many changes for one transaction (an article moved between
		// dozens of feeds at once): first take it out of its old feeds,
		// marked as moving, then write the new state.
		half := old
		half.Moving = true
		first := append(d.linkActions(old, half), types.TransactWriteItem{Put: &types.Put{TableName: &d.table, Item: half.item(),
			ConditionExpression: aws.String(cond), ExpressionAttributeValues: vals}})
		if _, err := d.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: first}); err != nil {
			return err
		}
		return d.commit(ctx, half, true, next)
	}
	acts := append(links, types.TransactWriteItem{Put: &types.Put{TableName: &d.table, Item: next.item(),
		ConditionExpression: aws.String(cond), ExpressionAttributeValues: vals}})
	_, err := d.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: acts})
	return err
}

// Put implements Index.
func (d *Dynamo) Put(ctx context.Context, src Source) ([]string, error) {
	var next dynSource
	old, err := d.write(ctx, src.Key, func(old dynSource, found bool) (dynSource, []map[string]types.AttributeValue, error) {
		if found && !Supersedes(src.Version, src.Config, old.Version, old.Config) {
			return dynSource{}, nil, ErrStale
		}
		next = dynSource{boltSource: boltSource{Key: src.Key, Version: src.Version, Hash: src.Hash, Config: src.Config, Size: src.Size, ModTime: src.ModTime, Feeds: src.Feeds}}
		var bodies []map[string]types.AttributeValue
		if a := src.Article; a != nil {
			next.HasArticle = true
			next.ID, next.Title, next.Published, next.Expires, next.Draft = a.ID, a.Title, a.Published, a.Expires, a.Draft
			var err error
			if next.BodyHash, bodies, err = chunks(src.Key, a); err != nil {
				return dynSource{}, nil, err
			}
			next.Chunks = len(bodies)
		} else {
			next.Feeds = nil
		}
		return next, bodies, nil
	})
	if err != nil {
		if errors.Is(err, ErrStale) {
			return nil, ErrStale
		}
		return nil, err
	}
	return feedIDs(old.Feeds, next.Feeds), nil
}

// Reject implements Index.
func (d *Dynamo) Reject(ctx context.Context, src Source) error {
	_, err := d.write(ctx, src.Key, func(old dynSource, found bool) (dynSource, []map[string]types.AttributeValue, error) {
		if found && !Supersedes(src.Version, src.Config, old.Version, old.Config) {
			return dynSource{}, nil, ErrStale
		}
		next := old
		if !found {
			next = dynSource{}
		}
		next.Key, next.Version, next.Hash, next.Size, next.ModTime, next.Config = src.Key, src.Version, src.Hash, src.Size, src.ModTime, src.Config
		next.Problems, next.RejectedAt, next.Deleted = src.Problems, src.RejectedAt, false
		return next, nil, nil
	})
	if errors.Is(err, ErrStale) {
		return ErrStale
	}
	return err
}

// Delete implements Index.
func (d *Dynamo) Delete(ctx context.Context, k, version string) ([]string, error) {
	old, err := d.write(ctx, k, func(old dynSource, found bool) (dynSource, []map[string]types.AttributeValue, error) {
		if found && !Newer(version, old.Version) {
			return dynSource{}, nil, ErrStale
		}
		return dynSource{boltSource: boltSource{Key: k, Version: version, Deleted: true}}, nil, nil
	})
	if err != nil {
		if errors.Is(err, ErrStale) {
			return nil, ErrStale
		}
		return nil, err
	}
	if old.Moving {
		return nil, nil
	}
	return feedIDs(old.Feeds), nil
}

// article reassembles an article from its chunks.
func (d *Dynamo) article(ctx context.Context, k, hash string, first []byte, chunksN int) (*article.Article, error) {
	body := append([]byte(nil), first...)
	for i := 1; i < chunksN; i++ {
		out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &d.table, Key: key("SRC#"+k, chunkSK(hash, i)), ConsistentRead: aws.Bool(true)})
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
	var a article.Article
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("index: article %s: %w", k, err)
	}
	return &a, nil
}

// Get implements Index.
func (d *Dynamo) Get(ctx context.Context, k string) (Source, error) {
	ds, found, err := d.getSource(ctx, k)
	if err != nil {
		return Source{}, err
	}
	if !found {
		return Source{}, ErrNotFound
	}
	out := ds.source()
	if ds.HasArticle {
		first, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &d.table, Key: key("SRC#"+k, chunkSK(ds.BodyHash, 0)), ConsistentRead: aws.Bool(true)})
		if err != nil {
			return Source{}, fmt.Errorf("index: dynamodb get %s: %w", k, err)
		}
		b, _ := first.Item["Body"].(*types.AttributeValueMemberB)
		if b == nil {
			return Source{}, fmt.Errorf("index: article %s missing", k)
		}
		if out.Article, err = d.article(ctx, k, ds.BodyHash, b.Value, ds.Chunks); err != nil {
			return Source{}, err
		}
	}
	return out, nil
}

// List implements Index. It scans the source records: status pages call
// it, feeds never do.
func (d *Dynamo) List(ctx context.Context) ([]Summary, error) {
	var out []Summary
	p := dynamodb.NewScanPaginator(d.client, &dynamodb.ScanInput{TableName: &d.table, ConsistentRead: aws.Bool(true),
		FilterExpression:          aws.String("SK = :src"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":src": s("#SRC")}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("index: dynamodb list: %w", err)
		}
		for _, it := range page.Items {
			ds := sourceFromItem(it)
			out = append(out, Summary{Key: ds.Key, Version: ds.Version, Hash: ds.Hash, Config: ds.Config, Size: ds.Size, ModTime: ds.ModTime,
				Deleted: ds.Deleted, HasArticle: ds.HasArticle, Title: ds.Title, Published: ds.Published, Expires: ds.Expires,
				Draft: ds.Draft, Problems: ds.Problems, RejectedAt: ds.RejectedAt})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Latest implements Index: one Query newest first, stopping at now, then
// one BatchGetItem for the bodies.
func (d *Dynamo) Latest(ctx context.Context, feed string, limit int, now time.Time) ([]article.Article, error) {
	var keys []string
	var start map[string]types.AttributeValue
	for len(keys) < limit {
		out, err := d.client.Query(ctx, &dynamodb.QueryInput{
			TableName:                 &d.table,
			KeyConditionExpression:    aws.String("PK = :pk AND SK <= :now"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("FEED#" + feed), ":now": s(hexInstant(now) + "~")},
			ScanIndexForward:          aws.Bool(false),
			Limit:                     aws.Int32(int32(limit - len(keys))),
			ExclusiveStartKey:         start,
			ConsistentRead:            aws.Bool(true),
		})
		if err != nil {
			return nil, fmt.Errorf("index: dynamodb latest %q: %w", feed, err)
		}
		for _, it := range out.Items {
			if e := timeAttr(it, "Expires"); !e.IsZero() && !e.After(now) {
				continue // expired
			}
			keys = append(keys, str(it, "Key"))
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		start = out.LastEvaluatedKey
	}
	bodies, err := d.bodies(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make([]article.Article, 0, len(keys))
	for _, k := range keys {
		if a := bodies[k]; a != nil {
			out = append(out, *a)
		}
	}
	return out, nil
}

// bodies fetches articles by key: one BatchGetItem for their source
// records (which name the body chunks), one for the first chunks, 100
// items a call.
func (d *Dynamo) bodies(ctx context.Context, keys []string) (map[string]*article.Article, error) {
	srcKeys := make([]map[string]types.AttributeValue, 0, len(keys))
	for _, k := range keys {
		srcKeys = append(srcKeys, key("SRC#"+k, "#SRC"))
	}
	srcs, err := d.batchGet(ctx, srcKeys)
	if err != nil {
		return nil, err
	}
	sources := map[string]dynSource{}
	var artKeys []map[string]types.AttributeValue
	for _, it := range srcs {
		ds := sourceFromItem(it)
		if ds.HasArticle && ds.BodyHash != "" {
			sources[ds.Key] = ds
			artKeys = append(artKeys, key("SRC#"+ds.Key, chunkSK(ds.BodyHash, 0)))
		}
	}
	arts, err := d.batchGet(ctx, artKeys)
	if err != nil {
		return nil, err
	}
	out := map[string]*article.Article{}
	for _, it := range arts {
		k := strings.TrimPrefix(str(it, "PK"), "SRC#")
		b, _ := it["Body"].(*types.AttributeValueMemberB)
		ds, ok := sources[k]
		if b == nil || !ok || str(it, "SK") != chunkSK(ds.BodyHash, 0) {
			continue
		}
		a, err := d.article(ctx, k, ds.BodyHash, b.Value, ds.Chunks)
		if err != nil {
			return nil, err
		}
		out[k] = a
	}
	return out, nil
}

// batchGet reads items with BatchGetItem, 100 keys a call, retrying the
// keys DynamoDB leaves unprocessed.
func (d *Dynamo) batchGet(ctx context.Context, keys []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	var out []map[string]types.AttributeValue
	for i := 0; i < len(keys); i += 100 {
		pending := map[string]types.KeysAndAttributes{d.table: {Keys: keys[i:min(i+100, len(keys))], ConsistentRead: aws.Bool(true)}}
		for attempt := 0; len(pending[d.table].Keys) > 0; attempt++ {
			if attempt > maxAttempts {
				return nil, errors.New("index: dynamodb batch get: keys left unprocessed")
			}
			res, err := d.client.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: pending})
			if err != nil {
				return nil, fmt.Errorf("index: dynamodb batch get: %w", err)
			}
			out = append(out, res.Responses[d.table]...)
			pending = res.UnprocessedKeys
		}
	}
	return out, nil
}

// Feeds implements Index.
func (d *Dynamo) Feeds(ctx context.Context) ([]FeedInfo, error) {
	var out []FeedInfo
	p := dynamodb.NewQueryPaginator(d.client, &dynamodb.QueryInput{TableName: &d.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("FEEDS")}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("index: dynamodb feeds: %w", err)
		}
		for _, it := range page.Items {
			if c := num(it, "Count"); c > 0 {
				out = append(out, FeedInfo{ID: strings.TrimPrefix(str(it, "SK"), "F:"), Label: str(it, "Label"), Count: int(c)})
			}
		}
	}
	return out, nil
}

// Due implements Index.
func (d *Dynamo) Due(ctx context.Context, from, to time.Time) ([]string, error) {
	lo, hi := hexInstant(from.Add(time.Nanosecond)), hexInstant(to.Add(time.Nanosecond))
	p := dynamodb.NewQueryPaginator(d.client, &dynamodb.QueryInput{TableName: &d.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("PK = :pk AND SK BETWEEN :lo AND :hi"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("SCHED"), ":lo": s(lo), ":hi": s(hi)}})
	var due [][]Membership
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("index: dynamodb due: %w", err)
		}
		for _, it := range page.Items {
			if str(it, "SK") >= hi {
				continue // BETWEEN is inclusive; the interval is (from, to]
			}
			ds, found, err := d.getSource(ctx, str(it, "Key"))
			if err != nil {
				return nil, err
			}
			if found {
				due = append(due, ds.Feeds)
			}
		}
	}
	out := feedIDs(due...)
	sort.Strings(out)
	return out, nil
}

// OutputHash implements Index.
func (d *Dynamo) OutputHash(ctx context.Context, path string) (string, error) {
	out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &d.table, Key: key("OUT", path), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("index: dynamodb output %s: %w", path, err)
	}
	return str(out.Item, "Hash"), nil
}

// SetOutputHash implements Index.
func (d *Dynamo) SetOutputHash(ctx context.Context, path, hash string) error {
	var err error
	if hash == "" {
		_, err = d.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &d.table, Key: key("OUT", path)})
	} else {
		it := key("OUT", path)
		it["Hash"] = s(hash)
		_, err = d.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &d.table, Item: it})
	}
	if err != nil {
		return fmt.Errorf("index: dynamodb output %s: %w", path, err)
	}
	return nil
}
