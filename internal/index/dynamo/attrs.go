package dynamo

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	article "github.com/pressroom/pressroom/internal/article/model"
	"github.com/pressroom/pressroom/internal/index"
)

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
