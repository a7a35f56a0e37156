// Package dynamo is the index.Index adapter on one DynamoDB table: the
// index of the Lambda functions.
package dynamo

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	article "github.com/pressroom/pressroom/internal/article/model"
	"github.com/pressroom/pressroom/internal/index"
)

// Index is the index.Index on one DynamoDB table (single-table design, string
// keys PK and SK). This file is the one owner of the layout:
//
//	PK "SRC#<key>"    SK "#SRC"            the source record (index.SourceRecord's attributes, VK, Rev, Chunks,
//	                                       BodyHash, BodyRev, Moving)
//	PK "SRC#<key>"    SK "#ART#<rev>#<n>"  the article (index.EncodeArticle, gzip) in chunks under the 400 KB
//	                                       item limit, named by the write that made them: written before the
//	                                       transaction that makes the source record point at them, so only
//	                                       memberships and the record itself count against its 100 actions
//	PK "FEED#<id>"    SK "<published>#<id, 200 bytes>#<key hash>"  one item per membership, Key and Expires
//	PK "FEEDS"        SK "F:<id>"          a feed's label, article count and archive slots taken (Slots)
//	PK "SLOT#<id>"    SK "<slot, 10 digits>"  the source (Key) in one archive slot: written before the
//	                                       transaction (an item a failed one leaves names a slot no
//	                                       source record holds, and Page skips it), deleted after
//	PK "GONE"         SK "<id hash>"       a deletion partners must see (Gone's attributes)
//	PK "SCHED"        SK "<instant>#<key hash>"  publish and expiry instants, Key, for Due
//	PK "CLAIM#<hash>" SK "#CLAIM"          the source holding an id or URL (Holder, Claim)
//	PK "WAIT"         SK "<claim hash>#<key hash>"  a source (Key) rejected for wanting a claim (Claim)
//	PK "PENDING"      SK "<key>", "#MARK", "#ALL"  feeds changed and not yet published (Feeds, Tok)
//	PK "OUT"          SK "<path>"          hash of each published file
//	PK "PURGE"        SK "<path>"          a path written and not yet purged from the CDN
//	PK "STATE"        SK "<name>"          the publisher's named values
//
// Keys hold hashes where a value could pass DynamoDB's key limits (1,024
// bytes for a sort key, 2,048 for a partition key): an id or URL of 2 KB
// is a valid article.
//
// Latest is one Query on a feed's partition, newest first, its key
// condition stopping at now so scheduled items are not even read; never a
// Scan. Writes of a source are transactions conditioned on the revision
// the writer read (Rev, new at every write: two writers at one version
// cannot both commit), retried when a concurrent writer wins; the same
// transaction moves its feed entries, claims and pending mark. The publish
// function is started by the stream records of PENDING items
// (StreamFilters). Source records written by the first release (no "v")
// are read as they are and rewritten in this layout by their next write.
type Index struct {
	client *dynamodb.Client
	table  string
	// Log receives what a call handles without failing: the items a
	// cleanup after a write could not delete. Nil: slog.Default().
	Log *slog.Logger
}

var _ index.Index = (*Index)(nil)

// New returns an Index on table.
func New(client *dynamodb.Client, table string) *Index {
	return &Index{client: client, table: table}
}

// StreamFilters are the event source mapping's filter patterns (Lambda
// event filtering syntax) that let through exactly the stream records
// meaning "there is something to publish": pending marks written, never
// the publisher's own writes or the marks it clears. template.yaml carries
// them; its test checks they are these.
var StreamFilters = []string{
	`{"eventName": ["INSERT", "MODIFY"], "dynamodb": {"Keys": {"PK": {"S": ["PENDING"]}}}}`,
}

// CreateTable creates the table with its stream (NEW_AND_OLD_IMAGES), for
// tests and local stand-ins; on AWS, template.yaml declares it.
func (d *Index) CreateTable(ctx context.Context) error {
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

// Close implements index.Index.
func (d *Index) Close() error { return nil }

func (d *Index) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.Default()
}

const (
	chunkSize   = 350_000 // bytes of compressed article per item
	maxActions  = 100     // TransactWriteItems limit
	maxAttempts = 10
)

// Partition keys and fixed sort keys of the layout.
const (
	pkFeeds   = "FEEDS"
	pkSched   = "SCHED"
	pkPending = "PENDING"
	pkOut     = "OUT"
	pkPurge   = "PURGE"
	pkState   = "STATE"
	pkWait    = "WAIT"
	pkGone    = "GONE"
	skSource  = "#SRC"
	skClaim   = "#CLAIM"
	skAll     = "#ALL"
	skMark    = "#MARK"
)

func srcPK(k string) string          { return "SRC#" + k }
func slotPK(f string) string         { return "SLOT#" + f }
func slotSK(slot int) string         { return fmt.Sprintf("%010d", slot) }
func feedPK(f string) string         { return "FEED#" + f }
func claimPK(c string) string        { return "CLAIM#" + shortHash(c) }
func waitSK(c, k string) string      { return shortHash(c) + "#" + shortHash(k) }
func chunkSK(n string, i int) string { return "#ART#" + n + "#" + strconv.Itoa(i) }

// shortHash names a value too long to be part of a key.
func shortHash(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:16])
}

// truncate cuts s to at most n bytes.
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// versionKey pads a version for comparison inside DynamoDB conditions,
// with the same order as index.Newer.
func versionKey(v string) string {
	v = strings.ToUpper(v)
	if len(v) < 40 {
		v = strings.Repeat("0", 40-len(v)) + v
	}
	return v
}

// hexInstant encodes a time so that string order is time order: the
// nanoseconds since 1970 with the sign bit flipped, 8 bytes big-endian,
// in hexadecimal (the bbolt adapter's instants, in hexadecimal).
func hexInstant(t time.Time) string {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(t.UnixNano())^(1<<63))
	return hex.EncodeToString(buf[:])
}

// stringAttr and numberAttr make attribute values.
func stringAttr(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func numberAttr(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

// primaryKey is the key of the item at (pk, sk).
func primaryKey(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": stringAttr(pk), "SK": stringAttr(sk)}
}

// stringOf returns item's string attribute name, "" when it has none.
func stringOf(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// jsonTags makes attributevalue use the records' json names, so the two
// adapters store the same fields under the same names.
func jsonTags(o *attributevalue.EncoderOptions) { o.TagKey = "json" }

func jsonTagsDecode(o *attributevalue.DecoderOptions) { o.TagKey = "json" }

// sourceItem is the source item: the record and what only this adapter
// needs.
type sourceItem struct {
	index.SourceRecord
	PK       string `json:"PK"`
	SK       string `json:"SK"`
	VK       string `json:"VK"`       // Version padded for conditions
	Rev      string `json:"Rev"`      // new at every write: the guard of the next one
	Chunks   int    `json:"Chunks"`   // body items
	BodyHash string `json:"BodyHash"` // hash of the compressed body: an unchanged body is not written again
	BodyRev  string `json:"BodyRev"`  // names the body items (the first release named them by BodyHash)
	Moving   bool   `json:"Moving"`   // memberships removed by the first half of a two-step move
	// LegacyKeys: the feed and schedule items were written by the first
	// release, with its keys; kept until a Put writes them anew.
	LegacyKeys bool `json:"LegacyKeys,omitempty"`
}

// bodyName names the record's body items.
func (ds sourceItem) bodyName() string {
	if ds.BodyRev != "" {
		return ds.BodyRev
	}
	return ds.BodyHash
}

func (ds sourceItem) item() (map[string]types.AttributeValue, error) {
	ds.PK, ds.SK, ds.VK, ds.V = srcPK(ds.Key), skSource, versionKey(ds.Version), index.RecordVersion
	it, err := attributevalue.MarshalMapWithOptions(ds, jsonTags)
	if err != nil {
		return nil, fmt.Errorf("index: encode source %s: %w", ds.Key, err)
	}
	return it, nil
}

func sourceFromItem(it map[string]types.AttributeValue) (sourceItem, error) {
	if _, ok := it["v"]; !ok {
		return legacySource(it)
	}
	var ds sourceItem
	if err := attributevalue.UnmarshalMapWithOptions(it, &ds, jsonTagsDecode); err != nil {
		return ds, fmt.Errorf("index: source item %s: %w", stringOf(it, "PK"), err)
	}
	if ds.V > index.RecordVersion {
		return ds, fmt.Errorf("index: source item %s: schema version %d is newer than this pressroom's %d", ds.Key, ds.V, index.RecordVersion)
	}
	return ds, nil
}

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

// legacySource reads a source item of the first release: its own
// attribute names, feeds and problems as JSON strings.
func legacySource(it map[string]types.AttributeValue) (sourceItem, error) {
	boolAttr := func(name string) bool {
		v, ok := it[name].(*types.AttributeValueMemberBOOL)
		return ok && v.Value
	}
	timeAttr := func(name string) time.Time {
		t, _ := time.Parse(time.RFC3339Nano, stringOf(it, name))
		return t
	}
	intAttr := func(name string) int64 {
		v, _ := it[name].(*types.AttributeValueMemberN)
		if v == nil {
			return 0
		}
		i, _ := strconv.ParseInt(v.Value, 10, 64)
		return i
	}
	ds := sourceItem{LegacyKeys: true, VK: stringOf(it, "VK"), BodyHash: stringOf(it, "BodyHash"), Chunks: int(intAttr("Chunks")), Moving: boolAttr("Moving")}
	r := &ds.SourceRecord
	r.Key, r.Version, r.Hash, r.Config = stringOf(it, "Key"), stringOf(it, "Version"), stringOf(it, "Hash"), stringOf(it, "Config")
	r.Size, r.ModTime, r.Deleted, r.HasArticle = intAttr("Size"), timeAttr("ModTime"), boolAttr("Deleted"), boolAttr("HasArticle")
	r.RejectedAt, r.ID, r.Title, r.Published, r.Expires, r.Draft = timeAttr("RejectedAt"), stringOf(it, "ID"), stringOf(it, "Title"), timeAttr("Published"), timeAttr("Expires"), boolAttr("Draft")
	if f := stringOf(it, "Feeds"); f != "" && f != "null" {
		if err := json.Unmarshal([]byte(f), &r.Feeds); err != nil {
			return ds, fmt.Errorf("index: source item %s: feeds: %w", r.Key, err)
		}
	}
	if p := stringOf(it, "Problems"); p != "" && p != "null" {
		var ps []article.Problem
		if err := json.Unmarshal([]byte(p), &ps); err != nil {
			return ds, fmt.Errorf("index: source item %s: problems: %w", r.Key, err)
		}
		r.Problems = index.ProblemRecords(ps)
	}
	if r.HasArticle {
		r.ArticleConfig = r.Config
	}
	return ds, nil
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

// token returns a value new at every call: the time and 8 random bytes.
func token() string {
	var b [8]byte
	rand.Read(b[:]) // never fails: crypto/rand crashes the program instead (Go 1.24)
	return strconv.FormatInt(time.Now().UnixNano(), 36) + hex.EncodeToString(b[:])
}

// body is an article compressed, with the hash of its compressed bytes.
func body(a *article.Article) (string, []byte, error) {
	data, err := index.EncodeArticle(a)
	if err != nil {
		return "", nil, err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		return "", nil, fmt.Errorf("index: compress article %s: %w", a.ID, err)
	}
	if err := zw.Close(); err != nil {
		return "", nil, fmt.Errorf("index: compress article %s: %w", a.ID, err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:8]), buf.Bytes(), nil
}

// chunks cuts a body into items under the item size limit, named name.
func chunks(k, name string, body []byte) []map[string]types.AttributeValue {
	var out []map[string]types.AttributeValue
	for i := 0; i == 0 || i*chunkSize < len(body); i++ {
		part := body[i*chunkSize : min((i+1)*chunkSize, len(body))]
		it := primaryKey(srcPK(k), chunkSK(name, i))
		it["Body"] = &types.AttributeValueMemberB{Value: part}
		out = append(out, it)
	}
	return out
}

// cancelled returns the cancellation reason codes of a cancelled
// transaction, or nil.
func cancelled(err error) []types.CancellationReason {
	var tc *types.TransactionCanceledException
	if errors.As(err, &tc) {
		return tc.CancellationReasons
	}
	return nil
}

// lostRace reports whether a transaction failed because another writer
// got there first: worth reading again and retrying.
func lostRace(err error) bool {
	for i, r := range cancelled(err) {
		switch aws.ToString(r.Code) {
		case "TransactionConflict":
			return true
		case "ConditionalCheckFailed":
			if i == 0 { // the source guard is always the first action
				return true
			}
		}
	}
	var conflict *types.TransactionConflictException
	return errors.As(err, &conflict)
}

// refused wraps errors that say what the source holds cannot be stored
// (an item over 400 KB, a key over its limit): DynamoDB's validation of
// the request, which retrying cannot change.
func refused(err error) error {
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() == "ValidationException" {
		return fmt.Errorf("%w: %s", index.ErrRefused, api.ErrorMessage())
	}
	for _, r := range cancelled(err) {
		if aws.ToString(r.Code) == "ValidationError" {
			return fmt.Errorf("%w: %s", index.ErrRefused, aws.ToString(r.Message))
		}
	}
	return err
}

// pause waits before attempt n of a lost race, or until ctx ends.
func pause(ctx context.Context, n int) error {
	t := time.NewTimer(time.Duration(n+1) * 20 * time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// write reads the source, lets change build the transaction, and commits
// it conditioned on the source being unchanged (the first action),
// retrying lost races. change returns the actions and the body items to
// write first; the body items of a failed attempt are deleted again.
func (d *Index) write(ctx context.Context, k string, change func(old sourceItem, found bool) ([]types.TransactWriteItem, []map[string]types.AttributeValue, error)) (sourceItem, error) {
	for attempt := 0; ; attempt++ {
		old, found, err := d.getSource(ctx, k)
		if err != nil {
			return old, err
		}
		acts, bodies, err := change(old, found)
		if err != nil {
			return old, err
		}
		for _, b := range bodies {
			if _, err := d.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &d.table, Item: b}); err != nil {
				d.deleteUnreferenced(ctx, bodies)
				return old, fmt.Errorf("index: dynamodb write %s: %w", k, refused(err))
			}
		}
		_, err = d.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: acts})
		if err == nil {
			return old, nil
		}
		d.deleteUnreferenced(ctx, bodies)
		if !lostRace(err) || attempt == maxAttempts {
			return old, err
		}
		if err := pause(ctx, attempt); err != nil {
			return old, err
		}
	}
}

// deleteUnreferenced deletes items no record points at (body chunks and
// slot items written for a write that failed or that replaced them). A
// failure only leaves unreferenced items behind (bytes to store; Page
// skips a slot item no record holds), never a wrong answer: it is logged,
// not returned, so that a write that committed does not fail.
func (d *Index) deleteUnreferenced(ctx context.Context, items []map[string]types.AttributeValue) {
	for _, it := range items {
		pk, sk := stringOf(it, "PK"), stringOf(it, "SK")
		if _, err := d.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &d.table, Key: primaryKey(pk, sk)}); err != nil {
			d.log().Warn("index: unreferenced item left behind", "pk", pk, "sk", sk, "error", err.Error())
		}
	}
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
	if err := index.CheckFeeds(src); err != nil {
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

// batchGet reads items with BatchGetItem, 100 keys a call, retrying the
// keys DynamoDB leaves unprocessed.
func (d *Index) batchGet(ctx context.Context, keys []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	// DynamoDB refuses a batch naming one item twice (a source published
	// and expiring in one window, say).
	seen := map[[2]string]bool{}
	unique := keys[:0:0]
	for _, k := range keys {
		id := [2]string{stringOf(k, "PK"), stringOf(k, "SK")}
		if !seen[id] {
			seen[id] = true
			unique = append(unique, k)
		}
	}
	keys = unique
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
			if len(pending[d.table].Keys) > 0 {
				if err := pause(ctx, attempt); err != nil {
					return nil, err
				}
			}
		}
	}
	return out, nil
}

// query returns every item of a partition.
func (d *Index) query(ctx context.Context, pk string) ([]map[string]types.AttributeValue, error) {
	var out []map[string]types.AttributeValue
	p := dynamodb.NewQueryPaginator(d.client, &dynamodb.QueryInput{TableName: &d.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": stringAttr(pk)}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("index: dynamodb query %s: %w", pk, err)
		}
		out = append(out, page.Items...)
	}
	return out, nil
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

// transact commits unconditional actions, retrying when another writer's
// transaction held one of the items.
func (d *Index) transact(ctx context.Context, acts []types.TransactWriteItem) error {
	for attempt := 0; ; attempt++ {
		_, err := d.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: acts})
		if err == nil || !lostRace(err) || attempt == maxAttempts {
			if err != nil {
				return fmt.Errorf("dynamodb transaction: %w", err)
			}
			return nil
		}
		if err := pause(ctx, attempt); err != nil {
			return err
		}
	}
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
