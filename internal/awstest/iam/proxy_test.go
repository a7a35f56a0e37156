package iam

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

const proxyTemplate = `
Transform: AWS::Serverless-2016-10-31
Resources:
  Articles: {Type: AWS::S3::Bucket, Properties: {BucketName: articles}}
  Index:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: index
      StreamSpecification: {StreamViewType: NEW_IMAGE}
  Dist: {Type: AWS::CloudFront::Distribution}
  # Reads articles and writes reports, but may not list the bucket.
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: reader
      Policies:
        - Statement:
            - Sid: ReadArticles
              Effect: Allow
              Action: s3:GetObject
              Resource: !Sub "${Articles.Arn}/*"
            - Sid: WriteReports
              Effect: Allow
              Action: [s3:PutObject, s3:DeleteObject]
              Resource: !Sub "${Articles.Arn}/reports/*"
            - Sid: GetIndex
              Effect: Allow
              Action: dynamodb:GetItem
              Resource: !GetAtt Index.Arn
  # S3ReadPolicy includes s3:ListBucket.
  Lister:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - S3ReadPolicy: {BucketName: !Ref Articles}
        - DynamoDBCrudPolicy: {TableName: !Ref Index}
      Events:
        Stream:
          Type: DynamoDB
          Properties: {Stream: !GetAtt Index.StreamArn, StartingPosition: TRIM_HORIZON}
`

const (
	readerKey = "AKIDREADER"
	listerKey = "AKIDLISTER"
	adminKey  = "AKIDADMIN"
	rootKey   = "AKIDROOT"
)

var callers = map[string]string{readerKey: "Reader", listerKey: "Lister", adminKey: ""}

func proxyTpl(t *testing.T) *Template {
	return parse(t, proxyTemplate, Params{Physical: map[string]string{"Dist": "E2DIST"}})
}

// fakeS3 starts gofakes3 with the articles bucket.
func fakeS3(t *testing.T) string {
	backend := s3mem.New()
	if err := backend.CreateBucket("articles"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	return srv.URL
}

func serve(t *testing.T, p *Proxy) string {
	t.Helper()
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv.URL
}

func s3As(endpoint, key string) *s3.Client {
	return s3.New(s3.Options{
		Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(key, "secret", ""),
		BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		Retryer:                    aws.NopRetryer{},
	})
}

// apiError returns the error code and HTTP status of an SDK error.
func apiError(err error) (string, int) {
	code, status := "", 0
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return code, status
}

func put(t *testing.T, c *s3.Client, key, body string) {
	t.Helper()
	if _, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("articles"), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

func exists(t *testing.T, c *s3.Client, key string) bool {
	t.Helper()
	_, err := c.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String("articles"), Key: aws.String(key)})
	if err == nil {
		return true
	}
	if code, status := apiError(err); status != http.StatusNotFound {
		t.Fatalf("head %s: %s %d %v", key, code, status, err)
	}
	return false
}

func TestProxyS3MissingKey(t *testing.T) {
	tpl := proxyTpl(t)
	url := serve(t, NewProxy(ServiceS3, fakeS3(t), tpl, ProxyOptions{Callers: callers}))
	admin, reader, lister := s3As(url, adminKey), s3As(url, readerKey), s3As(url, listerKey)
	put(t, admin, "in/a.md", "hello")

	out, err := reader.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("articles"), Key: aws.String("in/a.md")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(body) != "hello" {
		t.Errorf("body %q", body)
	}

	missing := &s3.GetObjectInput{Bucket: aws.String("articles"), Key: aws.String("in/missing.md")}
	head := &s3.HeadObjectInput{Bucket: aws.String("articles"), Key: aws.String("in/missing.md")}
	// Without s3:ListBucket, S3 answers 403 for a missing key.
	_, err = reader.GetObject(t.Context(), missing)
	if code, status := apiError(err); code != "AccessDenied" || status != http.StatusForbidden {
		t.Errorf("reader GET missing: %s %d %v", code, status, err)
	} else if !strings.Contains(err.Error(), "s3:ListBucket on resource: arn:aws:s3:::articles") {
		t.Errorf("the denial does not name ListBucket: %v", err)
	}
	_, err = reader.HeadObject(t.Context(), head)
	if _, status := apiError(err); status != http.StatusForbidden {
		t.Errorf("reader HEAD missing: %d %v", status, err)
	}
	// With it, 404.
	_, err = lister.GetObject(t.Context(), missing)
	if code, status := apiError(err); code != "NoSuchKey" || status != http.StatusNotFound {
		t.Errorf("lister GET missing: %s %d %v", code, status, err)
	}
	_, err = lister.HeadObject(t.Context(), head)
	if _, status := apiError(err); status != http.StatusNotFound {
		t.Errorf("lister HEAD missing: %d %v", status, err)
	}
}

func TestProxyS3Violations(t *testing.T) {
	tpl := proxyTpl(t)
	p := NewProxy(ServiceS3, fakeS3(t), tpl, ProxyOptions{Callers: callers, Admins: []string{rootKey}})
	url := serve(t, p)
	admin, reader := s3As(url, rootKey), s3As(url, readerKey)

	_, err := reader.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("articles"), Key: aws.String("in/x.md"), Body: strings.NewReader("x")})
	code, status := apiError(err)
	if code != "AccessDenied" || status != http.StatusForbidden {
		t.Fatalf("denied PutObject: %s %d %v", code, status, err)
	}
	want := "User: arn:aws:sts::123456789012:assumed-role/stack-ReaderRole/reader is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::articles/in/x.md because no identity-based policy allows the s3:PutObject action"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("message: %v", err)
	}
	if exists(t, admin, "in/x.md") {
		t.Error("a denied PutObject was forwarded")
	}
	vs := p.Violations()
	if len(vs) != 1 || vs[0].Function != "Reader" || vs[0].Action != "s3:PutObject" || vs[0].Resource != "arn:aws:s3:::articles/in/x.md" ||
		!strings.HasPrefix(vs[0].Request, "PUT /articles/in/x.md") {
		t.Fatalf("violations %+v", vs)
	}

	put(t, reader, "reports/x.json", "{}")

	// An access key the test bed does not know.
	_, err = s3As(url, "AKIDSTRANGER").GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("articles"), Key: aws.String("reports/x.json")})
	if code, status := apiError(err); code != "InvalidAccessKeyId" || status != http.StatusForbidden {
		t.Errorf("unknown key: %s %d %v", code, status, err)
	}
	// A request the mapper does not know fails and is a violation.
	_, err = reader.GetBucketWebsite(t.Context(), &s3.GetBucketWebsiteInput{Bucket: aws.String("articles")})
	if code, status := apiError(err); code != "NotImplemented" || status != http.StatusNotImplemented {
		t.Errorf("unmapped: %s %d %v", code, status, err)
	}
	vs = p.Violations()
	if len(vs) != 3 || !strings.Contains(vs[1].Reason, "AKIDSTRANGER") || !strings.Contains(vs[2].Reason, "unmapped S3 request GET /articles?website") {
		t.Errorf("violations %+v", vs)
	}

	// Calls are recorded per function; grants never used are reported.
	n := map[string]int{}
	for _, c := range p.Calls() {
		n[c.Function]++
	}
	if n["Reader"] != 3 || n[""] != 2 {
		t.Errorf("calls per function %v: %+v", n, p.Calls())
	}
	unused := tpl.Functions()["Reader"].Unused()
	var names []string
	for _, g := range unused {
		names = append(names, g.Action)
	}
	if strings.Join(names, " ") != "s3:GetObject s3:DeleteObject dynamodb:GetItem" {
		t.Errorf("unused grants %v", unused)
	}
	if used := p.Used()["Reader"]; len(used) != 1 || used[0].Action != "s3:PutObject" {
		t.Errorf("used grants %v", used)
	}
	p.Reset()
	if len(p.Calls()) != 0 || len(p.Violations()) != 0 {
		t.Error("Reset kept records")
	}
}

func TestProxyMutations(t *testing.T) {
	tpl := proxyTpl(t)
	var mu sync.Mutex
	var muts []Mutation
	p := NewProxy(ServiceS3, fakeS3(t), tpl, ProxyOptions{Callers: callers, Versioned: []string{"articles"},
		OnMutation: func(m Mutation) { mu.Lock(); muts = append(muts, m); mu.Unlock() }})
	url := serve(t, p)
	admin, reader := s3As(url, adminKey), s3As(url, readerKey)
	ctx := t.Context()
	if _, err := admin.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("articles"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	put(t, admin, "in/a b.md", "one")
	put(t, admin, "in/a b.md", "second")
	if _, err := admin.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("articles"), Key: aws.String("in/copy.md"),
		CopySource: aws.String("articles/in/a%20b.md")}); err != nil {
		t.Fatal(err)
	}
	up, err := admin.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("articles"), Key: aws.String("in/big.md")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := admin.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("articles"), Key: aws.String("in/big.md"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("multipart"))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("articles"), Key: aws.String("in/big.md"),
		UploadId: up.UploadId, MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("articles"), Key: aws.String("in/a b.md")}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("articles"),
		Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{{Key: aws.String("in/copy.md")}}}}); err != nil {
		t.Fatal(err)
	}
	put(t, reader, "reports/r.json", "{}") // a function's write is an event too
	// A denied write is not.
	_, _ = reader.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("articles"), Key: aws.String("in/no.md"), Body: strings.NewReader("x")})

	want := []struct {
		key, event string
		size       int64
	}{
		{"in/a b.md", "ObjectCreated:Put", 3},
		{"in/a b.md", "ObjectCreated:Put", 6},
		{"in/copy.md", "ObjectCreated:Copy", 6},
		{"in/big.md", "ObjectCreated:CompleteMultipartUpload", 9},
		{"in/a b.md", "ObjectRemoved:DeleteMarkerCreated", 0},
		{"in/copy.md", "ObjectRemoved:DeleteMarkerCreated", 0},
		{"reports/r.json", "ObjectCreated:Put", 2},
	}
	mu.Lock()
	defer mu.Unlock()
	if len(muts) != len(want) {
		t.Fatalf("%d mutations, want %d: %+v", len(muts), len(want), muts)
	}
	seqPattern := regexp.MustCompile(`^[0-9A-F]{18}$`)
	for i, w := range want {
		m := muts[i]
		if m.Bucket != "articles" || m.Key != w.key || m.EventName != w.event || m.Size != w.size {
			t.Errorf("mutation %d: %+v, want %+v", i, m, w)
		}
		if strings.HasPrefix(w.event, "ObjectCreated") && (m.ETag == "" || strings.Contains(m.ETag, `"`)) {
			t.Errorf("mutation %d: ETag %q", i, m.ETag)
		}
		if !seqPattern.MatchString(m.Sequencer) {
			t.Errorf("mutation %d: sequencer %q", i, m.Sequencer)
		}
		if i > 0 && m.Sequencer <= muts[i-1].Sequencer {
			t.Errorf("sequencer %s does not follow %s", m.Sequencer, muts[i-1].Sequencer)
		}
	}
	if muts[0].VersionID == "" || muts[0].VersionID == muts[1].VersionID {
		t.Errorf("version ids %q %q", muts[0].VersionID, muts[1].VersionID)
	}
}

func TestProxyS3Faults(t *testing.T) {
	tpl := proxyTpl(t)
	var mu sync.Mutex
	faults := map[string]Fault{}
	var muts []Mutation
	p := NewProxy(ServiceS3, fakeS3(t), tpl, ProxyOptions{Callers: callers,
		Faults: func(c Call, r *http.Request) Fault {
			mu.Lock()
			defer mu.Unlock()
			f := faults[c.Resource]
			delete(faults, c.Resource) // once
			return f
		},
		OnMutation: func(m Mutation) { mu.Lock(); muts = append(muts, m); mu.Unlock() }})
	url := serve(t, p)
	admin, reader := s3As(url, adminKey), s3As(url, readerKey)
	arn := func(k string) string { return "arn:aws:s3:::articles/" + k }
	faults[arn("reports/after.json")] = Fault{Kind: After, Status: 500}
	faults[arn("reports/after-reset.json")] = Fault{Kind: After, Reset: true}
	faults[arn("reports/before-reset.json")] = Fault{Kind: Before, Reset: true}
	faults[arn("reports/slow.json")] = Fault{Kind: Before, Code: "SlowDown"}
	faults[arn("reports/delayed.json")] = Fault{Delay: 30_000_000}

	try := func(key string) error {
		_, err := reader.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("articles"), Key: aws.String(key), Body: strings.NewReader("body")})
		return err
	}
	// After: the write happened, the caller sees an error.
	err := try("reports/after.json")
	if code, status := apiError(err); code != "InternalError" || status != 500 {
		t.Errorf("after: %s %d %v", code, status, err)
	}
	if !exists(t, admin, "reports/after.json") {
		t.Error("after: the object was not written")
	}
	if err := try("reports/after-reset.json"); err == nil {
		t.Error("after reset: no error")
	}
	if !exists(t, admin, "reports/after-reset.json") {
		t.Error("after reset: the object was not written")
	}
	// Before: nothing written.
	if err := try("reports/before-reset.json"); err == nil {
		t.Error("before reset: no error")
	}
	if exists(t, admin, "reports/before-reset.json") {
		t.Error("before reset: the object was written")
	}
	err = try("reports/slow.json")
	if code, status := apiError(err); code != "SlowDown" || status != 503 {
		t.Errorf("slow down: %s %d %v", code, status, err)
	}
	if err := try("reports/delayed.json"); err != nil {
		t.Errorf("delayed: %v", err)
	}
	// The writes that happened were notified, faults or not.
	mu.Lock()
	var keys []string
	for _, m := range muts {
		keys = append(keys, m.Key)
	}
	mu.Unlock()
	if strings.Join(keys, " ") != "reports/after.json reports/after-reset.json reports/delayed.json" {
		t.Errorf("mutations %v", keys)
	}
	var faulted []string
	for _, c := range p.Calls() {
		if c.Fault != None {
			faulted = append(faulted, c.Fault.String()+":"+http.StatusText(c.Status))
		}
	}
	if strings.Join(faulted, " ") != "after:Internal Server Error after: before: before:Service Unavailable" {
		t.Errorf("recorded faults %v", faulted)
	}
}

// jsonUpstream answers DynamoDB and Streams requests with canned JSON and
// counts what reaches it.
type jsonUpstream struct {
	mu     sync.Mutex
	seen   []string // X-Amz-Target
	auths  []string
	answer func(target string, body []byte) string
}

func (u *jsonUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	target := r.Header.Get("X-Amz-Target")
	u.mu.Lock()
	u.seen = append(u.seen, target)
	u.auths = append(u.auths, r.Header.Get("Authorization"))
	u.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	out := "{}"
	if u.answer != nil {
		out = u.answer(target, body)
	}
	_, _ = w.Write([]byte(out))
}

func TestProxyDynamoDB(t *testing.T) {
	tpl := proxyTpl(t)
	up := &jsonUpstream{}
	usrv := httptest.NewServer(up)
	t.Cleanup(usrv.Close)
	p := NewProxy(ServiceDynamoDB, usrv.URL, tpl, ProxyOptions{Callers: callers, SharedKey: "SHARED"})
	url := serve(t, p)
	client := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider(readerKey, "secret", ""), DisableValidateResponseChecksum: true})
	key := map[string]ddbtypes.AttributeValue{"PK": &ddbtypes.AttributeValueMemberS{Value: "a"}}
	ctx := t.Context()

	if _, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("index"), Key: key}); err != nil {
		t.Fatal(err)
	}
	_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("index"), Item: key})
	code, status := apiError(err)
	if code != "AccessDeniedException" || status != http.StatusBadRequest ||
		!strings.Contains(err.Error(), "is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/index") {
		t.Errorf("denied PutItem: %s %d %v", code, status, err)
	}
	// One denied item denies the whole transaction.
	_, err = client.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []ddbtypes.TransactGetItem{
		{Get: &ddbtypes.Get{TableName: aws.String("index"), Key: key}}, {Get: &ddbtypes.Get{TableName: aws.String("other"), Key: key}}}})
	if code, _ := apiError(err); code != "AccessDeniedException" {
		t.Errorf("transaction: %v", err)
	}
	up.mu.Lock()
	seen, auths := up.seen, up.auths
	up.mu.Unlock()
	if len(seen) != 1 || seen[0] != "DynamoDB_20120810.GetItem" {
		t.Errorf("forwarded %v", seen)
	}
	if len(auths) == 1 && !strings.Contains(auths[0], "Credential=SHARED/") {
		t.Errorf("forwarded Authorization %q", auths[0])
	}
	vs := p.Violations()
	if len(vs) != 2 || vs[1].Resource != "arn:aws:dynamodb:us-east-1:123456789012:table/other" || vs[1].Action != "dynamodb:GetItem" {
		t.Errorf("violations %+v", vs)
	}

	// Injected DynamoDB faults are worded as DynamoDB words them.
	p2 := NewProxy(ServiceDynamoDB, usrv.URL, tpl, ProxyOptions{Callers: callers,
		Faults: func(Call, *http.Request) Fault {
			return Fault{Kind: Before, Code: "ProvisionedThroughputExceededException"}
		}})
	client2 := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(serve(t, p2)), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider(readerKey, "secret", ""), DisableValidateResponseChecksum: true})
	_, err = client2.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("index"), Key: key})
	var pte *ddbtypes.ProvisionedThroughputExceededException
	if !errors.As(err, &pte) {
		t.Errorf("fault: %v", err)
	}
}

func TestProxyStreams(t *testing.T) {
	tpl := proxyTpl(t)
	const local = "arn:aws:dynamodb:ddblocal:000000000000:table/index/stream/2026-05-01T00:00:00.000"
	up := &jsonUpstream{answer: func(target string, body []byte) string {
		switch target {
		case "DynamoDBStreams_20120810.GetShardIterator":
			return `{"ShardIterator":"opaque-1"}`
		case "DynamoDBStreams_20120810.GetRecords":
			return `{"NextShardIterator":"opaque-2","Records":[]}`
		}
		return "{}"
	}}
	usrv := httptest.NewServer(up)
	t.Cleanup(usrv.Close)
	p := NewProxy(ServiceStreams, usrv.URL, tpl, ProxyOptions{Callers: callers})
	url := serve(t, p)
	as := func(key string) *dynamodbstreams.Client {
		return dynamodbstreams.New(dynamodbstreams.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Retryer: aws.NopRetryer{},
			Credentials: credentials.NewStaticCredentialsProvider(key, "secret", "")})
	}
	lister, reader := as(listerKey), as(readerKey)
	ctx := t.Context()
	it, err := lister.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(local), ShardId: aws.String("s"),
		ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := lister.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lister.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: recs.NextShardIterator}); err != nil {
		t.Fatal(err)
	}
	// The reader's role has no stream permission: the denial names the stream.
	_, err = reader.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String("opaque-2")})
	if code, _ := apiError(err); code != "AccessDeniedException" ||
		!strings.Contains(err.Error(), "dynamodb:GetRecords on resource: arn:aws:dynamodb:us-east-1:123456789012:table/index/stream/2026-05-01T00:00:00.000") {
		t.Errorf("reader GetRecords: %v", err)
	}
	_, err = lister.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String("never-handed-out")})
	if code, _ := apiError(err); code != "NotImplemented" {
		t.Errorf("unknown iterator: %v", err)
	}
	var got []string
	for _, c := range p.Calls() {
		got = append(got, c.Function+" "+c.Action)
	}
	want := "Lister dynamodb:GetShardIterator,Lister dynamodb:GetRecords,Lister dynamodb:GetRecords,Reader dynamodb:GetRecords,Lister unmapped"
	if strings.Join(got, ",") != want {
		t.Errorf("calls %v", got)
	}
}

func TestProxyCloudFront(t *testing.T) {
	tpl := proxyTpl(t)
	rec, upstream := newRecorder(t)
	p := NewProxy(ServiceCloudFront, upstream, tpl, ProxyOptions{Callers: callers})
	c := cloudfront.New(cloudfront.Options{Region: "us-east-1", BaseEndpoint: aws.String(serve(t, p)), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider(readerKey, "secret", "")})
	_, err := c.CreateInvalidation(t.Context(), &cloudfront.CreateInvalidationInput{DistributionId: aws.String("E2DIST"),
		InvalidationBatch: &cftypes.InvalidationBatch{CallerReference: aws.String("r"), Paths: &cftypes.Paths{Quantity: aws.Int32(1), Items: []string{"/*"}}}})
	if code, status := apiError(err); code != "AccessDenied" || status != http.StatusForbidden {
		t.Errorf("CreateInvalidation: %s %d %v", code, status, err)
	}
	if vs := p.Violations(); len(vs) != 1 || vs[0].Resource != "arn:aws:cloudfront::123456789012:distribution/E2DIST" {
		t.Errorf("violations %+v", vs)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.reqs) != 0 {
		t.Error("a denied invalidation was forwarded")
	}
}

func TestRandomFaults(t *testing.T) {
	draw := func(seed int64, rate float64, action string) []Fault {
		f := RandomFaults(seed, rate)
		out := make([]Fault, 200)
		for i := range out {
			out[i] = f(Call{Action: action}, httptest.NewRequest(http.MethodGet, "/", nil))
		}
		return out
	}
	a, b := draw(7, 0.3, "s3:PutObject"), draw(7, 0.3, "s3:PutObject")
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("the same seed gives different faults")
		}
	}
	for _, f := range draw(1, 0, "s3:GetObject") {
		if f != (Fault{}) {
			t.Fatalf("rate 0 gave %+v", f)
		}
	}
	kinds := map[string]bool{}
	for _, action := range []string{"s3:PutObject", "dynamodb:PutItem", "cloudfront:CreateInvalidation", "sqs:SendMessage", "sns:Publish"} {
		service, _, _ := strings.Cut(action, ":")
		for _, f := range draw(3, 1, action) {
			if f == (Fault{}) {
				t.Fatalf("rate 1 gave no fault for %s", action)
			}
			if f.Code != "" {
				if _, ok := faultSpecs[service][f.Code]; !ok {
					t.Errorf("%s: code %s is not one %s answers", action, f.Code, service)
				}
			}
			kinds[f.Kind.String()+map[bool]string{true: "+reset", false: ""}[f.Reset]+map[bool]string{true: "+delay", false: ""}[f.Delay > 0]] = true
		}
	}
	for _, k := range []string{"before", "after", "before+reset", "after+reset", "none+delay"} {
		if !kinds[k] {
			t.Errorf("no %s fault drawn (got %v)", k, kinds)
		}
	}
}

func TestProxyBadConfig(t *testing.T) {
	tpl := proxyTpl(t)
	for _, p := range []*Proxy{
		NewProxy("ec2", "http://127.0.0.1:1", tpl, ProxyOptions{}),
		NewProxy(ServiceS3, "not a url", tpl, ProxyOptions{}),
		NewProxy(ServiceS3, "http://127.0.0.1:1", nil, ProxyOptions{}),
	} {
		if p.Err() == nil {
			t.Error("no configuration error")
			continue
		}
		w := httptest.NewRecorder()
		p.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/b/k", nil))
		if w.Code != http.StatusBadGateway || len(p.Violations()) != 1 {
			t.Errorf("%v: status %d, %d violations", p.Err(), w.Code, len(p.Violations()))
		}
	}
}
