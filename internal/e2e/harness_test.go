// Package e2e runs the two Lambda functions, built exactly as for AWS,
// under AWS's Runtime Interface Emulator, against DynamoDB Local (with its
// real stream), an S3 server speaking the S3 protocol (gofakes3) and a
// CloudFront endpoint that records invalidations. A poller reads the
// stream and invokes publish the way the event source mapping does.
package e2e

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	stypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/pressroom/pressroom/internal/awstest"
	"github.com/pressroom/pressroom/internal/index"
)

// Batching as in template.yaml's IndexStream event.
const (
	batchSize   = 100
	batchWindow = 2 * time.Second // template: 5 s; shorter keeps the test quick, same behaviour
)

// function is one Lambda function running under aws-lambda-rie.
type function struct {
	name string
	url  string
	cmd  *exec.Cmd
	logs *bytes.Buffer
	mu   sync.Mutex // the emulator runs one invocation at a time, like reserved concurrency 1
}

// invoke posts an event and returns the function's response body. A
// handler error comes back as 200 with errorMessage.
func (f *function) invoke(t *testing.T, event any) []byte {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := json.Marshal(event)
	resp, err := http.Post(f.url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v\n%s", f.name, err, f.logs.String())
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if bytes.Contains(out, []byte(`"errorMessage"`)) {
		t.Fatalf("%s returned an error: %s\nlogs:\n%s", f.name, out, f.logs.String())
	}
	return out
}

type env struct {
	t            *testing.T
	s3           *s3.Client
	table        string
	ingest       *function
	publish      *function
	streams      *dynamodbstreams.Client
	cdn          *cdnRecorder
	seq          int
	publishCalls int
	iterators    map[string]*string
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// cdnRecorder answers CreateInvalidation and records the paths.
type cdnRecorder struct {
	mu   sync.Mutex
	runs [][]string
}

func (c *cdnRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var b struct {
		Items []string `xml:"Paths>Items>Path"`
	}
	xml.Unmarshal(body, &b)
	c.mu.Lock()
	c.runs = append(c.runs, b.Items)
	n := len(c.runs)
	c.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `<?xml version="1.0"?><Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>I%d</Id><Status>InProgress</Status><CreateTime>2021-02-22T16:18:00Z</CreateTime>%s</Invalidation>`,
		n, strings.TrimPrefix(string(body), `<?xml version="1.0" encoding="UTF-8"?>`))
}

func (c *cdnRecorder) all() [][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]string(nil), c.runs...)
}

// build compiles a function exactly as for AWS, for this machine's
// architecture (the emulator runs it natively).
func build(t *testing.T, root, name, dir string) string {
	out := filepath.Join(dir, name, "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, "./functions/"+name)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, msg)
	}
	return out
}

func newEnv(t *testing.T) *env {
	root, err := awstest.Root()
	if err != nil {
		t.Fatal(err)
	}
	rie := filepath.Join(root, ".tools", "bin", "aws-lambda-rie")
	if _, err := os.Stat(rie); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("aws-lambda-rie is not installed (make test installs it into .tools/bin)")
		}
		t.Skip("aws-lambda-rie is not installed (make test installs it into .tools/bin)")
	}
	ddb := awstest.DynamoDBEndpoint(t)
	s3c, s3url := awstest.FakeS3(t, "articles-bucket", "feeds-bucket")
	rec := &cdnRecorder{}
	cdnSrv := httptest.NewServer(rec)
	t.Cleanup(cdnSrv.Close)

	e := &env{t: t, s3: s3c, table: awstest.TableName(t), cdn: rec, iterators: map[string]*string{}}
	if err := index.NewDynamo(awstest.DynamoDB(ddb), e.table).CreateTable(t.Context()); err != nil {
		t.Fatal(err)
	}
	e.streams = dynamodbstreams.New(dynamodbstreams.Options{Region: "us-east-1", BaseEndpoint: aws.String(ddb),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	e.put("config/pressroom.yaml", "site:\n  title: E2E Daily\n  base_url: https://news.example.org/\n  language: fr\n  timezone: Europe/Paris\nfeeds:\n  limit: 50\n  base_url: https://feeds.example.org/\n")

	dir := t.TempDir()
	common := []string{
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_ENDPOINT_URL_S3=" + s3url, "AWS_ENDPOINT_URL_DYNAMODB=" + ddb, "AWS_ENDPOINT_URL_CLOUDFRONT=" + cdnSrv.URL,
		"AWS_REQUEST_CHECKSUM_CALCULATION=when_required", "AWS_RESPONSE_CHECKSUM_VALIDATION=when_required",
		"PRESSROOM_S3_PATH_STYLE=true", "PRESSROOM_TABLE=" + e.table, "PRESSROOM_ARTICLES_BUCKET=articles-bucket",
		"PRESSROOM_FEEDS_BUCKET=feeds-bucket", "PRESSROOM_DISTRIBUTION_ID=E2EDIST", "PATH=" + os.Getenv("PATH"),
	}
	start := func(name string) *function {
		bin := build(t, root, name, dir)
		addr, api := freeAddr(t), freeAddr(t)
		logs := &bytes.Buffer{}
		cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr, "--runtime-api-address", api, bin)
		cmd.Env = append(append([]string{}, common...), "AWS_LAMBDA_FUNCTION_NAME="+name)
		cmd.Stdout, cmd.Stderr = logs, logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		f := &function{name: name, url: "http://" + addr + "/2015-03-31/functions/function/invocations", cmd: cmd, logs: logs}
		deadline := time.Now().Add(30 * time.Second)
		for {
			if c, err := net.Dial("tcp", addr); err == nil {
				c.Close()
				return f
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s under the emulator did not start:\n%s", name, logs.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	e.ingest, e.publish = start("ingest"), start("publish")
	return e
}

func (e *env) put(key, body string) {
	e.t.Helper()
	_, err := e.s3.PutObject(e.t.Context(), &s3.PutObjectInput{Bucket: aws.String("articles-bucket"), Key: aws.String(key), Body: strings.NewReader(body)})
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) remove(key string) {
	e.t.Helper()
	if _, err := e.s3.DeleteObject(e.t.Context(), &s3.DeleteObjectInput{Bucket: aws.String("articles-bucket"), Key: aws.String(key)}); err != nil {
		e.t.Fatal(err)
	}
}

// event builds the S3 notification S3 would send: URL-encoded key, a
// sequencer that grows with every change of the bucket.
func (e *env) event(name, key string, size int) (events.S3Event, string) {
	e.seq++
	seq := fmt.Sprintf("0062E99A%010X", e.seq)
	encoded := strings.ReplaceAll(url.QueryEscape(key), "%2F", "/")
	return events.S3Event{Records: []events.S3EventRecord{{
		EventVersion: "2.1", EventSource: "aws:s3", AWSRegion: "us-east-1", EventTime: time.Now().UTC(), EventName: name,
		S3: events.S3Entity{Bucket: events.S3Bucket{Name: "articles-bucket", Arn: "arn:aws:s3:::articles-bucket"},
			Object: events.S3Object{Key: encoded, Size: int64(size), Sequencer: seq}},
	}}}, seq
}

// upload puts an object and delivers its ObjectCreated event to ingest.
func (e *env) upload(key, body string) events.S3Event {
	e.put(key, body)
	ev, _ := e.event("ObjectCreated:Put", key, len(body))
	e.ingest.invoke(e.t, ev)
	return ev
}

func (e *env) delete(key string) {
	e.remove(key)
	ev, _ := e.event("ObjectRemoved:Delete", key, 0)
	e.ingest.invoke(e.t, ev)
}

// feed returns a published object's body, or "" when absent.
func (e *env) feed(key string) string {
	out, err := e.s3.GetObject(e.t.Context(), &s3.GetObjectInput{Bucket: aws.String("feeds-bucket"), Key: aws.String(key)})
	if err != nil {
		return ""
	}
	defer out.Body.Close()
	b, _ := io.ReadAll(out.Body)
	return string(b)
}

// drain behaves like the DynamoDB event source mapping: it reads the
// stream from TRIM_HORIZON, keeps the records template.yaml's filter lets
// through, and invokes publish with batches of at most batchSize records,
// waiting batchWindow for a batch to fill. It returns when the stream has
// been quiet for a window.
func (e *env) drain() {
	t := e.t
	ctx := t.Context()
	streams, err := e.streams.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{TableName: &e.table})
	if err != nil || len(streams.Streams) == 0 {
		t.Fatalf("no stream: %v", err)
	}
	arn := streams.Streams[0].StreamArn
	desc, err := e.streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	var batch []events.DynamoDBEventRecord
	flush := func() {
		if len(batch) == 0 {
			return
		}
		e.publishCalls++
		out := e.publish.invoke(t, events.DynamoDBEvent{Records: batch})
		var resp events.DynamoDBEventResponse
		json.Unmarshal(out, &resp)
		if len(resp.BatchItemFailures) > 0 {
			t.Fatalf("publish reported failures %v\n%s", resp.BatchItemFailures, e.publish.logs.String())
		}
		batch = nil
	}
	quietSince := time.Now()
	windowStart := time.Time{}
	for time.Since(quietSince) < batchWindow || len(batch) > 0 {
		got := 0
		for _, sh := range desc.StreamDescription.Shards {
			id := aws.ToString(sh.ShardId)
			it, ok := e.iterators[id]
			if !ok {
				res, err := e.streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: arn, ShardId: sh.ShardId,
					ShardIteratorType: stypes.ShardIteratorTypeTrimHorizon})
				if err != nil {
					t.Fatal(err)
				}
				it = res.ShardIterator
			}
			if it == nil {
				continue
			}
			recs, err := e.streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it})
			if err != nil {
				t.Fatal(err)
			}
			e.iterators[id] = recs.NextShardIterator
			for _, r := range recs.Records {
				got++
				if rec, ok := convert(r, aws.ToString(arn)); ok && passesFilter(rec) {
					if len(batch) == 0 {
						windowStart = time.Now()
					}
					batch = append(batch, rec)
					if len(batch) == batchSize {
						flush()
					}
				}
			}
		}
		if got > 0 {
			quietSince = time.Now()
		}
		if len(batch) > 0 && time.Since(windowStart) >= batchWindow {
			flush()
		}
		if got == 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// passesFilter applies template.yaml's FilterCriteria.
func passesFilter(r events.DynamoDBEventRecord) bool {
	pk, sk := r.Change.Keys["PK"], r.Change.Keys["SK"]
	if sk.DataType() != events.DataTypeString || pk.DataType() != events.DataTypeString {
		return false
	}
	return sk.String() == "#SRC" || (pk.String() == "OUT" && sk.String() == ".state/config-upload")
}

// convert turns a Streams API record into the Lambda event record.
func convert(r stypes.Record, arn string) (events.DynamoDBEventRecord, bool) {
	if r.Dynamodb == nil {
		return events.DynamoDBEventRecord{}, false
	}
	doc := map[string]any{
		"eventID": aws.ToString(r.EventID), "eventName": string(r.EventName), "eventSource": "aws:dynamodb",
		"eventVersion": "1.1", "awsRegion": "us-east-1", "eventSourceARN": arn,
		"dynamodb": map[string]any{
			"Keys": image(r.Dynamodb.Keys), "NewImage": image(r.Dynamodb.NewImage), "OldImage": image(r.Dynamodb.OldImage),
			"SequenceNumber": aws.ToString(r.Dynamodb.SequenceNumber), "StreamViewType": string(r.Dynamodb.StreamViewType),
		},
	}
	data, _ := json.Marshal(doc)
	var rec events.DynamoDBEventRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return rec, false
	}
	return rec, true
}

// image writes a stream image in DynamoDB JSON, as Lambda receives it.
func image(m map[string]stypes.AttributeValue) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		switch x := v.(type) {
		case *stypes.AttributeValueMemberS:
			out[k] = map[string]any{"S": x.Value}
		case *stypes.AttributeValueMemberN:
			out[k] = map[string]any{"N": x.Value}
		case *stypes.AttributeValueMemberBOOL:
			out[k] = map[string]any{"BOOL": x.Value}
		case *stypes.AttributeValueMemberB:
			out[k] = map[string]any{"B": x.Value}
		}
	}
	return out
}

func sortedCopy(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

func getReport(key string) *s3.GetObjectInput {
	return &s3.GetObjectInput{Bucket: aws.String("articles-bucket"), Key: aws.String("reports/" + key + ".json")}
}
