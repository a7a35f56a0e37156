package dynamo_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pressroom/pressroom/internal/article"

	"github.com/pressroom/pressroom/internal/awstest"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/index/dynamo"
	"github.com/pressroom/pressroom/internal/index/indextest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// TestDynamo runs the index contract against DynamoDB Local, AWS's own
// emulator speaking the DynamoDB wire protocol.
func TestDynamo(t *testing.T) {
	endpoint := awstest.DynamoDBEndpoint(t)
	client := awstest.DynamoDB(endpoint)
	indextest.Run(t, indextest.Harness{New: func(t *testing.T) index.Index {
		d := dynamo.New(client, awstest.TableName(t))
		if err := d.CreateTable(t.Context()); err != nil {
			t.Fatal(err)
		}
		return d
	}})
}

// TestDynamoLargeBody stores an article whose compressed body is several
// times DynamoDB's 400 KB item limit: it must come back whole, never
// truncated.
func TestDynamoLargeBody(t *testing.T) {
	client := awstest.DynamoDB(awstest.DynamoDBEndpoint(t))
	d := dynamo.New(client, awstest.TableName(t))
	if err := d.CreateTable(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Random bytes as hex: gzip cannot shrink them below 1.2 MB.
	raw := make([]byte, 1200_000)
	rand.Read(raw)
	body := "<p>" + hex.EncodeToString(raw) + "</p>"
	a := &article.Article{ID: "tag:x,2021:big", Slug: "big", Title: "Big", ContentHTML: body,
		Published: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), Updated: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := d.Put(t.Context(), index.Source{Key: "big.md", Version: "1", Article: a, Feeds: []index.Membership{{Feed: "", Label: "Site"}}}); err != nil {
		t.Fatal(err)
	}
	got, err := d.Get(t.Context(), "big.md")
	if err != nil || got.Article == nil || got.Article.ContentHTML != body {
		t.Fatalf("round trip of a %d-byte body failed: %v", len(body), err)
	}
	l, err := d.Latest(t.Context(), "", 10, time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(l) != 1 || l[0].ContentHTML != body {
		t.Fatalf("Latest: %d articles, %v", len(l), err)
	}
	// A smaller new version drops the chunks it no longer needs.
	a.ContentHTML = "<p>small</p>"
	if _, err := d.Put(t.Context(), index.Source{Key: "big.md", Version: "2", Article: a, Feeds: []index.Membership{{Feed: "", Label: "Site"}}}); err != nil {
		t.Fatal(err)
	}
	if got := indextest.Read(d.Get(t.Context(), "big.md")).OK(t); got.Article == nil || got.Article.ContentHTML != "<p>small</p>" {
		t.Fatalf("after shrinking: %+v", got.Article)
	}
}

// TestDynamoManyFeeds puts a new article in as many feeds as an article
// may have, then moves it to as many other feeds at once: more changes
// than one DynamoDB transaction holds, so the adapter splits the move.
func TestDynamoManyFeeds(t *testing.T) {
	client := awstest.DynamoDB(awstest.DynamoDBEndpoint(t))
	d := dynamo.New(client, awstest.TableName(t))
	if err := d.CreateTable(t.Context()); err != nil {
		t.Fatal(err)
	}
	feeds := func(prefix string) []index.Membership {
		ms := []index.Membership{{Feed: "", Label: "Site"}, {Feed: "languages/ar", Label: "ar"}}
		for i := 0; i < article.MaxNames; i++ {
			ms = append(ms, index.Membership{Feed: fmt.Sprintf("tags/%s%d", prefix, i), Label: "x"})
		}
		return ms
	}
	p := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	a := &article.Article{ID: "tag:x,2021:a", Slug: "a", Title: "A", ContentHTML: "<p>a</p>", Published: p, Updated: p}
	if _, err := d.Put(t.Context(), index.Source{Key: "a.md", Version: "1", Article: a, Feeds: feeds("old")}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Put(t.Context(), index.Source{Key: "a.md", Version: "2", Article: a, Feeds: feeds("new")}); err != nil {
		t.Fatal(err)
	}
	now := p.Add(time.Hour)
	if l := indextest.Read(d.Latest(t.Context(), "tags/old7", 10, now)).OK(t); len(l) != 0 {
		t.Error("still in an old feed")
	}
	if l := indextest.Read(d.Latest(t.Context(), "tags/new7", 10, now)).OK(t); len(l) != 1 {
		t.Error("not in a new feed")
	}
	infos := indextest.Read(d.Feeds(t.Context())).OK(t)
	if len(infos) != 2+article.MaxNames {
		t.Errorf("%d feeds listed, want %d", len(infos), 2+article.MaxNames)
	}
}

// TestDynamoRefusesOversizedItems: DynamoDB Local enforces the 400 KB item
// limit; a source record that would pass it (a huge title, had the parser
// let one through) is ErrRefused, a rejection for the editor, not an
// error to retry for ever.
func TestDynamoRefusesOversizedItems(t *testing.T) {
	d := dynamo.New(awstest.DynamoDB(awstest.DynamoDBEndpoint(t)), awstest.TableName(t))
	if err := d.CreateTable(t.Context()); err != nil {
		t.Fatal(err)
	}
	p := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	a := &article.Article{ID: "tag:x,2021:a", Slug: "a", Title: strings.Repeat("t", 500_000), ContentHTML: "<p>a</p>", Published: p, Updated: p}
	_, err := d.Put(t.Context(), index.Source{Key: "a.md", Version: "1", Article: a, Feeds: []index.Membership{{Feed: "", Label: "Site"}}})
	if !errors.Is(err, index.ErrRefused) {
		t.Fatalf("a 500 KB title: %v, want ErrRefused", err)
	}
	// Problems too large for the record: refused the same way.
	err = d.Reject(t.Context(), index.Source{Key: "b.md", Version: "1", Problems: []article.Problem{{Field: "x", Message: strings.Repeat("m", 500_000)}}})
	if !errors.Is(err, index.ErrRefused) {
		t.Fatalf("a 500 KB problem: %v, want ErrRefused", err)
	}
}

// TestDynamoReadsFirstReleaseTable loads the items the first release wrote
// (testdata/v1-dynamo-items.json: an article in two feeds, expiring, then
// a rejected upload, an output hash and the old state) into a table, as
// after a deploy of this release onto an existing stack: everything reads,
// and the first write moves the article's items to this release's keys
// without leaving any behind.
func TestDynamoReadsFirstReleaseTable(t *testing.T) {
	client := awstest.DynamoDB(awstest.DynamoDBEndpoint(t))
	table := awstest.TableName(t)
	d := dynamo.New(client, table)
	ctx := t.Context()
	if err := d.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/v1-dynamo-items.json")
	if err != nil {
		t.Fatal(err)
	}
	var items []map[string]map[string]any
	if err := json.Unmarshal(data, &items); err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		item := map[string]types.AttributeValue{}
		for name, v := range it {
			switch {
			case v["S"] != nil:
				item[name] = &types.AttributeValueMemberS{Value: v["S"].(string)}
			case v["N"] != nil:
				item[name] = &types.AttributeValueMemberN{Value: v["N"].(string)}
			case v["BOOL"] != nil:
				item[name] = &types.AttributeValueMemberBOOL{Value: v["BOOL"].(bool)}
			case v["B"] != nil:
				b, _ := base64.StdEncoding.DecodeString(v["B"].(string))
				item[name] = &types.AttributeValueMemberB{Value: b}
			}
		}
		if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	src, err := d.Get(ctx, "a.md")
	if err != nil || src.Article == nil || src.Article.Title != "A" || len(src.Problems) != 1 || src.Problems[0].Line != 3 ||
		len(src.Feeds) != 2 || src.Version != "0062E99A0000000002" || src.Article.Authors[0] != "منى" {
		t.Fatalf("Get: %+v, %v", src, err)
	}
	if l, err := d.List(ctx); err != nil || len(l) != 1 || !l[0].HasArticle {
		t.Fatalf("List: %+v, %v", l, err)
	}
	now := time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)
	if l, err := d.Latest(ctx, "tags/x", 10, now); err != nil || len(l) != 1 {
		t.Fatalf("Latest: %d, %v", len(l), err)
	}
	// Published and expiring in one window: one source, read once.
	if due, err := d.Due(ctx, time.Time{}, now.Add(24*365*time.Hour)); err != nil || len(due.Feeds) != 2 {
		t.Fatalf("Due: %v, %v", due, err)
	}
	// An edit: new keys for its items, none of the old left.
	a := *src.Article
	a.Title = "A2"
	if _, err := d.Put(ctx, index.Source{Key: "a.md", Version: "0062E99A0000000003", Config: "new", Article: &a,
		Feeds: []index.Membership{{Feed: "", Label: "Site"}, {Feed: "tags/y", Label: "y"}}}); err != nil {
		t.Fatal(err)
	}
	for _, pk := range []string{"FEED#", "FEED#tags/x", "FEED#tags/y", "SCHED"} {
		out, err := client.Query(ctx, &dynamodb.QueryInput{TableName: &table, KeyConditionExpression: aws.String("PK = :p"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: pk}}})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"FEED#": 1, "FEED#tags/x": 0, "FEED#tags/y": 1, "SCHED": 2}[pk]
		if len(out.Items) != want {
			t.Errorf("%s holds %d items after the edit, want %d", pk, len(out.Items), want)
		}
	}
	if l := indextest.Read(d.Latest(ctx, "", 10, now)).OK(t); len(l) != 1 || l[0].Title != "A2" {
		t.Errorf("site feed after the edit: %+v", l)
	}
	if infos := indextest.Read(d.Feeds(ctx)).OK(t); len(infos) != 2 {
		t.Errorf("feeds after the edit: %+v", infos)
	}
}
