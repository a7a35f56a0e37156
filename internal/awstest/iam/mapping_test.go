package iam

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// captured is a request as a stand-in received it.
type captured struct {
	req  *http.Request
	body []byte
}

// recorder is an endpoint that keeps the requests the SDK really sends
// and answers 200 with an empty document.
type recorder struct {
	mu   sync.Mutex
	reqs []captured
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, captured{req: r.Clone(context.Background()), body: body})
	rec.mu.Unlock()
	if r.Header.Get("X-Amz-Target") != "" {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write([]byte("{}"))
	}
}

func (rec *recorder) take(t *testing.T) captured {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.reqs) != 1 {
		t.Fatalf("%d requests recorded, want 1", len(rec.reqs))
	}
	c := rec.reqs[0]
	rec.reqs = nil
	return c
}

func newRecorder(t *testing.T) (*recorder, string) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return rec, srv.URL
}

const testKey = "AKIDTEST"

var testCreds = credentials.NewStaticCredentialsProvider(testKey, "secret", "")

func s3Client(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region: "us-east-1", Credentials: testCreds, BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		Retryer:                    aws.NopRetryer{},
	})
}

var testMapper = Mapper{Partition: "aws", Region: "us-east-1", AccountID: "123456789012"}

func TestMapS3(t *testing.T) {
	rec, endpoint := newRecorder(t)
	c := s3Client(endpoint)
	obj := func(k string) string { return "arn:aws:s3:::bkt/" + k }
	const bucket = "arn:aws:s3:::bkt"
	b, k := aws.String("bkt"), aws.String("dir/a b+c%é.md")
	const key = "dir/a b+c%é.md"
	cases := []struct {
		name string
		do   func(context.Context) error
		want []Call
	}{
		{"GetObject", func(ctx context.Context) error {
			_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: k})
			return err
		}, []Call{{Action: "s3:GetObject", Resource: obj(key)}}},
		{"GetObject version", func(ctx context.Context) error {
			_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: k, VersionId: aws.String("v1")})
			return err
		}, []Call{{Action: "s3:GetObjectVersion", Resource: obj(key)}}},
		{"HeadObject", func(ctx context.Context) error {
			_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: k})
			return err
		}, []Call{{Action: "s3:GetObject", Resource: obj(key)}}},
		{"PutObject", func(ctx context.Context) error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: bytes.NewReader([]byte("x"))})
			return err
		}, []Call{{Action: "s3:PutObject", Resource: obj(key)}}},
		{"PutObject with tagging", func(ctx context.Context) error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("t"), Body: bytes.NewReader(nil), Tagging: aws.String("a=b")})
			return err
		}, []Call{{Action: "s3:PutObject", Resource: obj("t")}, {Action: "s3:PutObjectTagging", Resource: obj("t")}}},
		{"CopyObject", func(ctx context.Context) error {
			_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("to"), CopySource: aws.String("src/" + url.PathEscape("x y") + "?versionId=v2")})
			return err
		}, []Call{{Action: "s3:PutObject", Resource: obj("to")}, {Action: "s3:GetObjectVersion", Resource: "arn:aws:s3:::src/x y"}}},
		{"DeleteObject", func(ctx context.Context) error {
			_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: k})
			return err
		}, []Call{{Action: "s3:DeleteObject", Resource: obj(key)}}},
		{"DeleteObject version", func(ctx context.Context) error {
			_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: k, VersionId: aws.String("v1")})
			return err
		}, []Call{{Action: "s3:DeleteObjectVersion", Resource: obj(key)}}},
		{"DeleteObjects", func(ctx context.Context) error {
			_, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{
				{Key: aws.String("one")}, {Key: aws.String("two & <three>"), VersionId: aws.String("v9")}}}})
			return err
		}, []Call{{Action: "s3:DeleteObject", Resource: obj("one")}, {Action: "s3:DeleteObjectVersion", Resource: obj("two & <three>")}}},
		{"ListObjectsV2", func(ctx context.Context) error {
			_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b, Prefix: aws.String("in/"), Delimiter: aws.String("/")})
			return err
		}, []Call{{Action: "s3:ListBucket", Resource: bucket, Context: map[string]string{"s3:prefix": "in/", "s3:delimiter": "/"}}}},
		{"ListObjects v1", func(ctx context.Context) error {
			_, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: b, MaxKeys: aws.Int32(5)})
			return err
		}, []Call{{Action: "s3:ListBucket", Resource: bucket, Context: map[string]string{"s3:max-keys": "5"}}}},
		{"HeadBucket", func(ctx context.Context) error {
			_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b})
			return err
		}, []Call{{Action: "s3:ListBucket", Resource: bucket, Context: map[string]string{}}}},
		{"ListObjectVersions", func(ctx context.Context) error {
			_, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b, Prefix: aws.String("p")})
			return err
		}, []Call{{Action: "s3:ListBucketVersions", Resource: bucket}}},
		{"GetBucketVersioning", func(ctx context.Context) error {
			_, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
			return err
		}, []Call{{Action: "s3:GetBucketVersioning", Resource: bucket}}},
		{"PutBucketVersioning", func(ctx context.Context) error {
			_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b,
				VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
			return err
		}, []Call{{Action: "s3:PutBucketVersioning", Resource: bucket}}},
		{"CreateBucket", func(ctx context.Context) error {
			_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b})
			return err
		}, []Call{{Action: "s3:CreateBucket", Resource: bucket}}},
		{"CreateMultipartUpload", func(ctx context.Context) error {
			_, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: k})
			return err
		}, []Call{{Action: "s3:PutObject", Resource: obj(key)}}},
		{"UploadPart", func(ctx context.Context) error {
			_, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: k, UploadId: aws.String("u"), PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("x"))})
			return err
		}, []Call{{Action: "s3:PutObject", Resource: obj(key)}}},
		{"CompleteMultipartUpload", func(ctx context.Context) error {
			_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: aws.String("u"),
				MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{ETag: aws.String("e"), PartNumber: aws.Int32(1)}}}})
			return err
		}, []Call{{Action: "s3:PutObject", Resource: obj(key)}}},
		{"AbortMultipartUpload", func(ctx context.Context) error {
			_, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: b, Key: k, UploadId: aws.String("u")})
			return err
		}, []Call{{Action: "s3:AbortMultipartUpload", Resource: obj(key)}}},
		{"ListMultipartUploads", func(ctx context.Context) error {
			_, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b})
			return err
		}, []Call{{Action: "s3:ListBucketMultipartUploads", Resource: bucket}}},
		{"ListParts", func(ctx context.Context) error {
			_, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: k, UploadId: aws.String("u")})
			return err
		}, []Call{{Action: "s3:ListMultipartUploadParts", Resource: obj(key)}}},
		{"GetObjectTagging", func(ctx context.Context) error {
			_, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: k})
			return err
		}, []Call{{Action: "s3:GetObjectTagging", Resource: obj(key)}}},
		{"PutObjectTagging", func(ctx context.Context) error {
			_, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: b, Key: k, Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}})
			return err
		}, []Call{{Action: "s3:PutObjectTagging", Resource: obj(key)}}},
		{"ListBuckets", func(ctx context.Context) error {
			_, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
			return err
		}, []Call{{Action: "s3:ListAllMyBuckets", Resource: "*"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_ = tc.do(t.Context()) // the recorder's empty answers may not parse
			got := rec.take(t)
			t.Logf("%s %s", got.req.Method, got.req.URL)
			if k := CallerKey(got.req); k != testKey {
				t.Errorf("CallerKey = %q", k)
			}
			calls, err := testMapper.Map(ServiceS3, got.req, got.body)
			if err != nil {
				t.Fatal(err)
			}
			if !sameCalls(calls, tc.want) {
				t.Errorf("%s %s\n got %+v\nwant %+v", got.req.Method, got.req.URL, calls, tc.want)
			}
		})
	}
}

// sameCalls compares calls; a nil want Context accepts any context.
func sameCalls(got, want []Call) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].Action != want[i].Action || got[i].Resource != want[i].Resource {
			return false
		}
		if want[i].Context != nil && !reflect.DeepEqual(got[i].Context, want[i].Context) {
			return false
		}
	}
	return true
}

func TestMapS3Unmapped(t *testing.T) {
	for _, target := range []string{"/bkt/k?retention", "/bkt?website", "/bkt/k?acl&tagging", "/?website"} {
		for _, method := range []string{http.MethodGet, http.MethodPut} {
			r := httptest.NewRequest(method, target, nil)
			_, err := testMapper.Map(ServiceS3, r, nil)
			if !errors.Is(err, ErrUnmapped) || !strings.Contains(err.Error(), "unmapped S3 request "+method+" ") {
				t.Errorf("%s %s: %v", method, target, err)
			}
		}
	}
	r := httptest.NewRequest(http.MethodPost, "/bkt/k", nil)
	if _, err := testMapper.Map(ServiceS3, r, nil); err == nil || err.Error() != "iam: unmapped S3 request POST /bkt/k" {
		t.Errorf("POST object: %v", err)
	}
}

func TestCallerKeyPresigned(t *testing.T) {
	c := s3Client("http://127.0.0.1:1")
	req, err := s3.NewPresignClient(c).PresignGetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("a/b.xml")})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(req.Method, req.URL, nil)
	if k := CallerKey(r); k != testKey {
		t.Errorf("CallerKey = %q", k)
	}
	calls, err := testMapper.Map(ServiceS3, r, nil)
	if err != nil || !sameCalls(calls, []Call{{Action: "s3:GetObject", Resource: "arn:aws:s3:::bkt/a/b.xml"}}) {
		t.Errorf("presigned GET maps to %v, %v", calls, err)
	}
	if k := CallerKey(httptest.NewRequest(http.MethodGet, "/bkt/k", nil)); k != "" {
		t.Errorf("unsigned request: CallerKey = %q", k)
	}
}

func TestMapDynamoDB(t *testing.T) {
	rec, endpoint := newRecorder(t)
	c := dynamodb.New(dynamodb.Options{Region: "us-east-1", Credentials: testCreds, BaseEndpoint: aws.String(endpoint),
		Retryer: aws.NopRetryer{}, DisableValidateResponseChecksum: true})
	const table = "arn:aws:dynamodb:us-east-1:123456789012:table/"
	key := map[string]ddbtypes.AttributeValue{"PK": &ddbtypes.AttributeValueMemberS{Value: "a"}}
	cases := []struct {
		name string
		do   func(context.Context) error
		want []Call
	}{
		{"GetItem", func(ctx context.Context) error {
			_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("idx"), Key: key})
			return err
		}, []Call{{Action: "dynamodb:GetItem", Resource: table + "idx"}}},
		{"PutItem", func(ctx context.Context) error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("idx"), Item: key})
			return err
		}, []Call{{Action: "dynamodb:PutItem", Resource: table + "idx"}}},
		{"Query on an index", func(ctx context.Context) error {
			_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("idx"), IndexName: aws.String("byDate"),
				KeyConditionExpression: aws.String("PK = :p"), ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":p": key["PK"]}})
			return err
		}, []Call{{Action: "dynamodb:Query", Resource: table + "idx/index/byDate"}}},
		{"Scan", func(ctx context.Context) error {
			_, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("idx")})
			return err
		}, []Call{{Action: "dynamodb:Scan", Resource: table + "idx"}}},
		{"TransactWriteItems", func(ctx context.Context) error {
			_, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{
				{Put: &ddbtypes.Put{TableName: aws.String("idx"), Item: key}},
				{Update: &ddbtypes.Update{TableName: aws.String("idx"), Key: key, UpdateExpression: aws.String("SET x = :x"),
					ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":x": key["PK"]}}},
				{Delete: &ddbtypes.Delete{TableName: aws.String("other"), Key: key}},
				{ConditionCheck: &ddbtypes.ConditionCheck{TableName: aws.String("idx"), Key: key, ConditionExpression: aws.String("attribute_exists(PK)")}},
			}})
			return err
		}, []Call{{Action: "dynamodb:PutItem", Resource: table + "idx"}, {Action: "dynamodb:UpdateItem", Resource: table + "idx"},
			{Action: "dynamodb:DeleteItem", Resource: table + "other"}, {Action: "dynamodb:ConditionCheckItem", Resource: table + "idx"}}},
		{"TransactGetItems", func(ctx context.Context) error {
			_, err := c.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []ddbtypes.TransactGetItem{
				{Get: &ddbtypes.Get{TableName: aws.String("idx"), Key: key}}, {Get: &ddbtypes.Get{TableName: aws.String("other"), Key: key}}}})
			return err
		}, []Call{{Action: "dynamodb:GetItem", Resource: table + "idx"}, {Action: "dynamodb:GetItem", Resource: table + "other"}}},
		{"BatchWriteItem", func(ctx context.Context) error {
			_, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]ddbtypes.WriteRequest{
				"idx":   {{PutRequest: &ddbtypes.PutRequest{Item: key}}, {DeleteRequest: &ddbtypes.DeleteRequest{Key: key}}},
				"other": {{PutRequest: &ddbtypes.PutRequest{Item: key}}},
			}})
			return err
		}, []Call{{Action: "dynamodb:BatchWriteItem", Resource: table + "idx"}, {Action: "dynamodb:BatchWriteItem", Resource: table + "other"}}},
		{"BatchGetItem", func(ctx context.Context) error {
			_, err := c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]ddbtypes.KeysAndAttributes{
				"idx": {Keys: []map[string]ddbtypes.AttributeValue{key}}, "other": {Keys: []map[string]ddbtypes.AttributeValue{key}}}})
			return err
		}, []Call{{Action: "dynamodb:BatchGetItem", Resource: table + "idx"}, {Action: "dynamodb:BatchGetItem", Resource: table + "other"}}},
		{"DescribeTable", func(ctx context.Context) error {
			_, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("idx")})
			return err
		}, []Call{{Action: "dynamodb:DescribeTable", Resource: table + "idx"}}},
		{"CreateTable", func(ctx context.Context) error {
			_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("idx"), BillingMode: ddbtypes.BillingModePayPerRequest,
				AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
				KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: ddbtypes.KeyTypeHash}}})
			return err
		}, []Call{{Action: "dynamodb:CreateTable", Resource: table + "idx"}}},
		{"ListTables", func(ctx context.Context) error {
			_, err := c.ListTables(ctx, &dynamodb.ListTablesInput{})
			return err
		}, []Call{{Action: "dynamodb:ListTables", Resource: "*"}}},
		{"UpdateTimeToLive", func(ctx context.Context) error {
			_, err := c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("idx"),
				TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{AttributeName: aws.String("ttl"), Enabled: aws.Bool(true)}})
			return err
		}, []Call{{Action: "dynamodb:UpdateTimeToLive", Resource: table + "idx"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_ = tc.do(t.Context())
			got := rec.take(t)
			calls, err := testMapper.Map(ServiceDynamoDB, got.req, got.body)
			if err != nil {
				t.Fatal(err)
			}
			if !sameCalls(calls, tc.want) {
				t.Errorf("%s\n got %+v\nwant %+v", got.body, calls, tc.want)
			}
		})
	}
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
	r.Header.Set("X-Amz-Target", "DynamoDB_20120810.ExecuteStatement")
	if _, err := testMapper.Map(ServiceDynamoDB, r, []byte(`{"Statement":"SELECT * FROM idx"}`)); !errors.Is(err, ErrUnmapped) {
		t.Errorf("PartiQL: %v", err)
	}
}

func TestMapStreams(t *testing.T) {
	rec, endpoint := newRecorder(t)
	c := dynamodbstreams.New(dynamodbstreams.Options{Region: "us-east-1", Credentials: testCreds, BaseEndpoint: aws.String(endpoint),
		Retryer: aws.NopRetryer{}})
	// DynamoDB Local names its own region and account: the mapper uses the template's.
	const local = "arn:aws:dynamodb:ddblocal:000000000000:table/idx/stream/2026-05-01T10:00:00.123"
	const want = "arn:aws:dynamodb:us-east-1:123456789012:table/idx/stream/2026-05-01T10:00:00.123"
	m := testMapper
	m.StreamARN = func(it string) string {
		if it == "opaque-iterator" {
			return local
		}
		return ""
	}
	cases := []struct {
		name string
		do   func(context.Context) error
		want []Call
	}{
		{"ListStreams", func(ctx context.Context) error {
			_, err := c.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{TableName: aws.String("idx")})
			return err
		}, []Call{{Action: "dynamodb:ListStreams", Resource: "*"}}},
		{"DescribeStream", func(ctx context.Context) error {
			_, err := c.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(local)})
			return err
		}, []Call{{Action: "dynamodb:DescribeStream", Resource: want}}},
		{"GetShardIterator", func(ctx context.Context) error {
			_, err := c.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(local), ShardId: aws.String("s"),
				ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon})
			return err
		}, []Call{{Action: "dynamodb:GetShardIterator", Resource: want}}},
		{"GetRecords, iterator known", func(ctx context.Context) error {
			_, err := c.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String("opaque-iterator")})
			return err
		}, []Call{{Action: "dynamodb:GetRecords", Resource: want}}},
		{"GetRecords, ARN inside the iterator", func(ctx context.Context) error {
			_, err := c.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String(local + "|1|AAAAAAAAAAEvJp6D")})
			return err
		}, []Call{{Action: "dynamodb:GetRecords", Resource: want}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_ = tc.do(t.Context())
			got := rec.take(t)
			calls, err := m.Map(ServiceStreams, got.req, got.body)
			if err != nil {
				t.Fatal(err)
			}
			if !sameCalls(calls, tc.want) {
				t.Errorf("got %+v, want %+v", calls, tc.want)
			}
		})
	}
	_, _ = c.GetRecords(t.Context(), &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String("unknown")})
	got := rec.take(t)
	if _, err := m.Map(ServiceStreams, got.req, got.body); !errors.Is(err, ErrUnmapped) {
		t.Errorf("GetRecords with an unknown iterator: %v", err)
	}
}

func TestMapCloudFront(t *testing.T) {
	rec, endpoint := newRecorder(t)
	c := cloudfront.New(cloudfront.Options{Region: "us-east-1", Credentials: testCreds, BaseEndpoint: aws.String(endpoint), Retryer: aws.NopRetryer{}})
	const dist = "arn:aws:cloudfront::123456789012:distribution/E2ABC"
	_, _ = c.CreateInvalidation(t.Context(), &cloudfront.CreateInvalidationInput{DistributionId: aws.String("E2ABC"),
		InvalidationBatch: &cftypes.InvalidationBatch{CallerReference: aws.String("r1"), Paths: &cftypes.Paths{Quantity: aws.Int32(1), Items: []string{"/feed.xml"}}}})
	got := rec.take(t)
	if calls, err := testMapper.Map(ServiceCloudFront, got.req, got.body); err != nil || !sameCalls(calls, []Call{{Action: "cloudfront:CreateInvalidation", Resource: dist}}) {
		t.Errorf("CreateInvalidation: %v %v", calls, err)
	}
	_, _ = c.GetInvalidation(t.Context(), &cloudfront.GetInvalidationInput{DistributionId: aws.String("E2ABC"), Id: aws.String("I1")})
	got = rec.take(t)
	if calls, err := testMapper.Map(ServiceCloudFront, got.req, got.body); err != nil || !sameCalls(calls, []Call{{Action: "cloudfront:GetInvalidation", Resource: dist}}) {
		t.Errorf("GetInvalidation: %v %v", calls, err)
	}
	_, _ = c.ListCachePolicies(t.Context(), &cloudfront.ListCachePoliciesInput{})
	got = rec.take(t)
	if _, err := testMapper.Map(ServiceCloudFront, got.req, got.body); !errors.Is(err, ErrUnmapped) {
		t.Errorf("ListCachePolicies: %v", err)
	}
}

// TestMapSQS uses requests written as the SQS JSON and query protocols
// specify them: the module does not require the SQS SDK client.
func TestMapSQS(t *testing.T) {
	const queue = "arn:aws:sqs:us-east-1:123456789012:failures"
	jsonReq := func(op, body string) (*http.Request, []byte) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("X-Amz-Target", "AmazonSQS."+op)
		r.Header.Set("Content-Type", "application/x-amz-json-1.0")
		return r, []byte(body)
	}
	formReq := func(path, body string) (*http.Request, []byte) {
		r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r, []byte(body)
	}
	for _, tc := range []struct {
		name string
		req  func() (*http.Request, []byte)
		want Call
	}{
		{"JSON SendMessage", func() (*http.Request, []byte) {
			return jsonReq("SendMessage", `{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/failures","MessageBody":"x"}`)
		}, Call{Action: "sqs:SendMessage", Resource: queue}},
		{"JSON SendMessageBatch to a local queue URL", func() (*http.Request, []byte) {
			return jsonReq("SendMessageBatch", `{"QueueUrl":"http://127.0.0.1:9324/000000000000/failures","Entries":[]}`)
		}, Call{Action: "sqs:SendMessage", Resource: queue}},
		{"JSON GetQueueUrl", func() (*http.Request, []byte) {
			return jsonReq("GetQueueUrl", `{"QueueName":"failures"}`)
		}, Call{Action: "sqs:GetQueueUrl", Resource: queue}},
		{"JSON ListQueues", func() (*http.Request, []byte) { return jsonReq("ListQueues", `{}`) }, Call{Action: "sqs:ListQueues", Resource: "*"}},
		{"query SendMessage", func() (*http.Request, []byte) {
			return formReq("/", "Action=SendMessage&QueueUrl="+url.QueryEscape("https://sqs.us-east-1.amazonaws.com/123456789012/failures")+"&MessageBody=x&Version=2012-11-05")
		}, Call{Action: "sqs:SendMessage", Resource: queue}},
		{"query on the queue path", func() (*http.Request, []byte) {
			return formReq("/123456789012/failures", "Action=ReceiveMessage&Version=2012-11-05")
		}, Call{Action: "sqs:ReceiveMessage", Resource: queue}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, body := tc.req()
			calls, err := testMapper.Map(ServiceSQS, r, body)
			if err != nil || !sameCalls(calls, []Call{tc.want}) {
				t.Errorf("got %v, %v; want %v", calls, err, tc.want)
			}
		})
	}
}
