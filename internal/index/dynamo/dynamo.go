// Package dynamo is the index.Index adapter on one DynamoDB table: the
// index of the Lambda functions.
package dynamo

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pressroom/pressroom/internal/index"
)

// Index is the index.Index on one DynamoDB table (single-table design, string
// keys PK and SK). This package is the one owner of the layout (its keys in this file, the items in
// attrs.go, sources.go, feeds.go and publisher.go):
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
