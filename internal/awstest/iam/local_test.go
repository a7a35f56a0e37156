package iam

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/pressroom/pressroom/internal/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

const localTemplate = `
Resources:
  Index:
    Type: AWS::DynamoDB::Table
    Properties: {StreamSpecification: {StreamViewType: NEW_IMAGE}}
  Writer:
    Type: AWS::Serverless::Function
    Properties:
      Policies: [{DynamoDBCrudPolicy: {TableName: !Ref Index}}]
  Poller:
    Type: AWS::Serverless::Function
    Properties:
      Policies: [{DynamoDBReadPolicy: {TableName: !Ref Index}}]
      Events:
        Stream: {Type: DynamoDB, Properties: {Stream: !GetAtt Index.StreamArn, StartingPosition: TRIM_HORIZON}}
`

// TestProxyDynamoDBLocal runs the proxies in front of DynamoDB Local:
// every caller's requests reach one database through the shared key, and
// GetRecords, which carries only DynamoDB Local's own iterators, is
// authorized on the stream.
func TestProxyDynamoDBLocal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts DynamoDB Local")
	}
	endpoint := awstest.DynamoDBEndpoint(t)
	table := awstest.TableName(t)
	tpl := parse(t, localTemplate, Params{Physical: map[string]string{"Index": table}})
	opts := ProxyOptions{Callers: map[string]string{"AKIDWRITER": "Writer", "AKIDPOLLER": "Poller", "AKIDADMIN": ""},
		SharedKey: "SHAREDKEY"} // DynamoDB Local accepts letters and digits only
	tables := NewProxy(ServiceDynamoDB, endpoint, tpl, opts)
	streams := NewProxy(ServiceStreams, endpoint, tpl, opts)
	tablesURL, streamsURL := serve(t, tables), serve(t, streams)
	db := func(key string) *dynamodb.Client {
		return dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(tablesURL), DisableValidateResponseChecksum: true,
			Credentials: credentials.NewStaticCredentialsProvider(key, "secret", ""), HTTPClient: &http.Client{}})
	}
	ctx := t.Context()
	_, err := db("AKIDADMIN").CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(table), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: ddbtypes.KeyTypeHash}},
		StreamSpecification:  &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeNewImage}})
	if err != nil {
		t.Fatal(err)
	}
	item := map[string]ddbtypes.AttributeValue{"PK": &ddbtypes.AttributeValueMemberS{Value: "a"}}
	if _, err := db("AKIDWRITER").PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatalf("writer PutItem: %v", err)
	}
	_, err = db("AKIDPOLLER").PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item})
	if code, _ := apiError(err); code != "AccessDeniedException" {
		t.Errorf("poller PutItem: %v", err)
	}
	got, err := db("AKIDPOLLER").GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: item})
	if err != nil || len(got.Item) == 0 {
		t.Fatalf("the poller does not see the writer's item: %v %v", got, err)
	}

	sc := func(key string) *dynamodbstreams.Client {
		return dynamodbstreams.New(dynamodbstreams.Options{Region: "us-east-1", BaseEndpoint: aws.String(streamsURL),
			Credentials: credentials.NewStaticCredentialsProvider(key, "secret", "")})
	}
	poller := sc("AKIDPOLLER")
	ls, err := poller.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{TableName: aws.String(table)})
	if err != nil || len(ls.Streams) == 0 {
		t.Fatalf("ListStreams: %v %v", ls, err)
	}
	desc, err := poller.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: ls.Streams[0].StreamArn})
	if err != nil || len(desc.StreamDescription.Shards) == 0 {
		t.Fatalf("DescribeStream: %v", err)
	}
	it, err := poller.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: ls.Streams[0].StreamArn,
		ShardId: desc.StreamDescription.Shards[0].ShardId, ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := poller.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil || len(recs.Records) != 1 {
		t.Fatalf("GetRecords: %v %v", recs, err)
	}
	if _, err := poller.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: recs.NextShardIterator}); err != nil {
		t.Fatalf("GetRecords with the next iterator: %v", err)
	}
	// The writer's role has no stream permission.
	_, err = sc("AKIDWRITER").GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it.ShardIterator})
	if code, _ := apiError(err); code != "AccessDeniedException" {
		t.Errorf("writer GetRecords: %v", err)
	}
	wantARN := "arn:aws:dynamodb:us-east-1:123456789012:table/" + table + "/stream/"
	for _, c := range streams.Calls() {
		if c.Action != "dynamodb:ListStreams" && !strings.HasPrefix(c.Resource, wantARN) {
			t.Errorf("%s on %s: not the template's stream ARN (DynamoDB Local's is %s)", c.Action, c.Resource, *ls.Streams[0].StreamArn)
		}
	}
	if vs := append(tables.Violations(), streams.Violations()...); len(vs) != 2 {
		t.Errorf("violations %+v", vs)
	}
	t.Logf("DynamoDB Local stream ARN %s, iterator %.60s...", *ls.Streams[0].StreamArn, *it.ShardIterator)
}
