// Package e2e runs the two Lambda functions, built exactly as for AWS,
// under AWS's Runtime Interface Emulator, against DynamoDB Local (with its
// real stream), an S3 server speaking the S3 protocol (gofakes3 on s3mem,
// which keeps S3's versioning), a CloudFront endpoint that records
// invalidations and an SNS endpoint that records the editors' messages.
//
// The test bed judges the deployment as AWS would. Each function signs
// with its own access key; a proxy in front of every stand-in maps each
// call to its IAM actions and ARNs and evaluates it against that
// function's role as template.yaml and SAM build it (internal/awstest/iam),
// refusing what AWS would refuse, with S3's 403 for a missing key when the
// caller may not list the bucket. The harness plays the Lambda service's
// part from the same template: S3 event notifications with the template's
// filters (case-sensitive, as S3's are), asynchronous invocation with its
// retries and on-failure destination, the DynamoDB event source mapping
// with its filter, batching, retries, bisection and on-failure
// destination, and reserved concurrency 1 for publish. Every call the
// service would make with a function's role (reading the stream, sending
// to a failure queue) is checked too.
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
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
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	stypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"go.yaml.in/yaml/v3"

	"github.com/pressroom/pressroom/internal/awstest"
	"github.com/pressroom/pressroom/internal/awstest/iam"
	"github.com/pressroom/pressroom/internal/awstest/s3mem"
	"github.com/pressroom/pressroom/internal/index/dynamo"
)

// Access keys: each function signs with its own, the test with the admin
// key; the DynamoDB proxy forwards every call under the shared one
// (DynamoDB Local keeps one database per access key).
const (
	adminKey   = "AKIAE2EADMIN"
	ingestKey  = "AKIAE2EINGEST"
	publishKey = "AKIAE2EPUBLISH"
	sharedKey  = "AKIAE2ESHARED"
	// distributionID is the CloudFront distribution of the stack under test.
	distributionID = "E2EDIST"
	stackName      = "e2e"
	accountID      = "123456789012"
	region         = "us-east-1"
)

// usage collects, across every test of the package, the grants each
// function's calls used: TestMain reports the ones never used.
var usage = struct {
	sync.Mutex
	grants map[string]map[grantKey]bool
	all    map[string][]iam.Grant
	checks int
}{grants: map[string]map[grantKey]bool{}, all: map[string][]iam.Grant{}}

// grantKey names a grant across beds, whose resources differ by table.
type grantKey struct{ statement, action string }

func keyOf(g iam.Grant) grantKey { return grantKey{g.Statement, g.Action} }

// function is one Lambda function running under aws-lambda-rie.
type function struct {
	name string
	url  string
	logs *lockedBuffer
	mu   sync.Mutex // the emulator runs one invocation at a time
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// invoke posts an event and returns the function's response body and
// whether the handler returned an error (the emulator answers 200 with
// errorMessage then).
func (f *function) invoke(event any) ([]byte, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := json.Marshal(event)
	resp, err := http.Post(f.url, "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", f.name, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return out, bytes.Contains(out, []byte(`"errorMessage"`)), nil
}

// invalidated returns the paths of each invalidation CloudFront's
// stand-in created since its last Reset.
func (b *bed) invalidated() [][]string {
	var runs [][]string
	for _, inv := range b.cdn.Invalidations() {
		runs = append(runs, inv.Paths)
	}
	return runs
}

// notification is one S3 event the bed delivers to a function.
type notification struct {
	fn    string // logical id
	event events.S3Event
}

// bed is the test bed.
type bed struct {
	t         *testing.T
	tpl       *iam.Template
	doc       map[string]any
	s3        *s3.Client // the test's own, through the S3 proxy
	articles  string     // bucket names, as the template resolves them
	feeds     string
	table     string
	streamARN string // as the template names it
	// localStreamARN is DynamoDB Local's name for the same stream (its
	// own region and account); the proxy maps it to streamARN to judge.
	localStreamARN string
	proxies        []*iam.Proxy
	streams        *dynamodbstreams.Client // with publish's role, as the event source mapping reads
	cdn            *awstest.CloudFront
	sns            *awstest.SNS // the editors' feedback topic, and no other
	snsURL         string       // its IAM proxy
	snsProxy       *iam.Proxy
	ingest         []*function // a pool: S3 invokes ingest concurrently
	publish        *function

	// faults, when set, is asked which fault to inject in a function's
	// call; the test switches it on and off.
	faults atomic.Pointer[func(iam.Call, *http.Request) iam.Fault]
	// chaos delivers every notification twice, shuffled and late.
	chaos   bool
	rng     *rand.Rand
	pending sync.WaitGroup // notifications being delivered
	notes   chan notification
	history []notification // every notification delivered, for redelivery
	histMu  sync.Mutex

	iterators         map[string]*string
	failures          map[string][]json.RawMessage // failure queue logical id -> messages
	failMu            sync.Mutex
	serviceViolations []string
	publishRuns       atomic.Int64
	publishBatches    atomic.Int64
	ingestCalls       atomic.Int64
	running           atomic.Int32 // publish invocations under way (reserved concurrency 1)
	overlaps          atomic.Int32
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// builds compiles both functions once, exactly as for AWS, for this
// machine's architecture (the emulator runs them natively).
func builds(t *testing.T, root string) string {
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "pressroom-e2e-")
		for _, name := range []string{"ingest", "publish"} {
			if buildErr != nil {
				break
			}
			cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(binDir, name, "bootstrap"), "./functions/"+name)
			cmd.Dir = root
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
			if msg, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("build %s: %v\n%s", name, err, msg)
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binDir
}

// options of a bed.
type options struct {
	ingestConcurrency int  // ingest instances (S3 invokes ingest concurrently); default 1
	chaos             bool // duplicate, shuffle and delay notifications
	seed              uint64
}

func newBed(t *testing.T, o options) *bed {
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
	if o.ingestConcurrency == 0 {
		o.ingestConcurrency = 1
	}
	ddbURL := awstest.DynamoDBEndpoint(t)
	b := &bed{t: t, cdn: awstest.NewCloudFront(distributionID), chaos: o.chaos, rng: rand.New(rand.NewPCG(o.seed, 7)), iterators: map[string]*string{},
		failures: map[string][]json.RawMessage{}, notes: make(chan notification, 4096)}

	// The table first: its stream's ARN is a template attribute.
	b.table = awstest.TableName(t)
	ddbAdmin := awstest.DynamoDBWithKey(ddbURL, sharedKey)
	if err := dynamo.New(ddbAdmin, b.table).CreateTable(t.Context()); err != nil {
		t.Fatal(err)
	}
	localStreams := dynamodbstreams.New(dynamodbstreams.Options{Region: region, BaseEndpoint: aws.String(ddbURL),
		Credentials: credentials.NewStaticCredentialsProvider(sharedKey, "secret", "")})
	ls, err := localStreams.ListStreams(t.Context(), &dynamodbstreams.ListStreamsInput{TableName: &b.table})
	if err != nil || len(ls.Streams) == 0 {
		t.Fatalf("no stream: %v", err)
	}
	label := aws.ToString(ls.Streams[0].StreamLabel)
	b.localStreamARN = aws.ToString(ls.Streams[0].StreamArn)

	physical, err := physicalNames(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"IndexTable": b.table, "FeedsBucket": stackName + "-feeds", "Distribution": distributionID,
		"IngestFailures": stackName + "-ingest-failures", "PublishFailures": stackName + "-publish-failures"} {
		physical[k] = v
	}
	b.tpl, err = iam.Load(filepath.Join(root, "template.yaml"), iam.Params{
		StackName: stackName, AccountID: accountID, Region: region,
		Physical: physical,
		Attributes: map[string]string{"IndexTable.StreamArn": fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s/stream/%s", region, accountID, b.table, label),
			"FeedsOriginAccessControl.Id": "E2EOAC"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range b.tpl.Warnings() {
		t.Errorf("template: %v", w)
	}
	b.doc = b.tpl.Doc()
	b.articles, _ = b.tpl.Ref("ArticlesBucket")
	b.feeds, _ = b.tpl.Ref("FeedsBucket")
	b.streamARN, _ = b.tpl.GetAtt("IndexTable", "StreamArn")
	versioned := []string{}
	s3opts := []s3mem.Option{}
	for _, logical := range []string{"ArticlesBucket", "FeedsBucket"} {
		name, _ := b.tpl.Ref(logical)
		if at(b.doc, "Resources", logical, "Properties", "VersioningConfiguration", "Status") == "Enabled" {
			versioned = append(versioned, name)
			s3opts = append(s3opts, s3mem.WithVersionedBucket(name))
		} else {
			s3opts = append(s3opts, s3mem.WithBucket(name))
		}
	}
	s3srv := httptest.NewServer(s3mem.New(s3opts...).Handler())
	t.Cleanup(s3srv.Close)
	cdnSrv := httptest.NewServer(b.cdn)
	t.Cleanup(cdnSrv.Close)
	topic, _ := b.tpl.Ref("FeedbackTopic")
	b.sns = awstest.NewSNS(topic)
	snsSrv := httptest.NewServer(b.sns)
	t.Cleanup(snsSrv.Close)

	callers := map[string]string{ingestKey: "IngestFunction", publishKey: "PublishFunction"}
	faults := func(c iam.Call, r *http.Request) iam.Fault {
		if f := b.faults.Load(); f != nil {
			return (*f)(c, r)
		}
		return iam.Fault{}
	}
	proxy := func(service, upstream string, extra func(*iam.ProxyOptions)) string {
		o := iam.ProxyOptions{Callers: callers, Admins: []string{adminKey, sharedKey}, Faults: faults, Versioned: versioned}
		if extra != nil {
			extra(&o)
		}
		p := iam.NewProxy(service, upstream, b.tpl, o)
		if err := p.Err(); err != nil {
			t.Fatal(err)
		}
		b.proxies = append(b.proxies, p)
		srv := httptest.NewServer(p)
		t.Cleanup(srv.Close)
		return srv.URL
	}
	s3url := proxy(iam.ServiceS3, s3srv.URL, func(o *iam.ProxyOptions) { o.OnMutation = b.notify })
	ddbProxy := proxy(iam.ServiceDynamoDB, ddbURL, func(o *iam.ProxyOptions) { o.SharedKey = sharedKey })
	streamsProxy := proxy(iam.ServiceStreams, ddbURL, func(o *iam.ProxyOptions) {
		o.SharedKey = sharedKey
		o.StreamARN = func(string) string { return b.streamARN }
	})
	cdnURL := proxy(iam.ServiceCloudFront, cdnSrv.URL, nil)
	b.snsURL = proxy(iam.ServiceSNS, snsSrv.URL, nil)
	b.snsProxy = b.proxies[len(b.proxies)-1]
	b.s3 = s3Client(s3url, adminKey)
	// The event source mapping reads the stream with publish's role.
	b.streams = dynamodbstreams.New(dynamodbstreams.Options{Region: region, BaseEndpoint: aws.String(streamsProxy),
		Credentials: credentials.NewStaticCredentialsProvider(publishKey, "secret", "")})

	dir := builds(t, root)
	fns := b.tpl.Functions()
	start := func(logical, name, key string) *function {
		f := fns[logical]
		if f == nil {
			t.Fatalf("template has no %s", logical)
		}
		env := []string{"AWS_REGION=" + region, "AWS_ACCESS_KEY_ID=" + key, "AWS_SECRET_ACCESS_KEY=secret",
			"AWS_ENDPOINT_URL_S3=" + s3url, "AWS_ENDPOINT_URL_DYNAMODB=" + ddbProxy, "AWS_ENDPOINT_URL_CLOUDFRONT=" + cdnURL,
			"AWS_ENDPOINT_URL_SNS=" + b.snsURL,
			"AWS_REQUEST_CHECKSUM_CALCULATION=when_required", "AWS_RESPONSE_CHECKSUM_VALIDATION=when_required",
			"PRESSROOM_S3_PATH_STYLE=true", "AWS_LAMBDA_FUNCTION_NAME=" + f.Name, "PATH=" + os.Getenv("PATH")}
		// Exactly the environment template.yaml gives the function.
		for k, v := range f.Environment {
			env = append(env, k+"="+v)
		}
		// A free port can be taken by another process between freeAddr
		// and the emulator's listen (tests of other packages run beside
		// this one): the emulator then exits at once, and is started again
		// on other ports.
		for attempt := 1; ; attempt++ {
			addr, api := freeAddr(t), freeAddr(t)
			logs := &lockedBuffer{}
			cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr, "--runtime-api-address", api, filepath.Join(dir, name, "bootstrap"))
			cmd.Env = env
			cmd.Stdout, cmd.Stderr = logs, logs
			cmd.SysProcAttr = awstest.ChildProcAttr() // killed with the test binary, whatever ends it
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan struct{})
			go func() { cmd.Wait(); close(exited) }()
			t.Cleanup(func() { cmd.Process.Kill(); <-exited })
			fn := &function{name: logical, url: "http://" + addr + "/2015-03-31/functions/function/invocations", logs: logs}
			if started(addr, exited) {
				return fn
			}
			if attempt < 3 && strings.Contains(logs.String(), "address already in use") {
				continue
			}
			t.Fatalf("%s under the emulator did not start:\n%s", name, logs.String())
		}
	}
	for i := 0; i < o.ingestConcurrency; i++ {
		b.ingest = append(b.ingest, start("IngestFunction", "ingest", ingestKey))
	}
	b.publish = start("PublishFunction", "publish", publishKey)
	b.validateDeployment()
	go b.deliver()
	t.Cleanup(func() { close(b.notes) })
	t.Cleanup(b.judge)
	return b
}

// physicalNames gives every resource of the template the physical id
// CloudFormation would make up ("<stack>-<logical id>"); the bed sets the
// ones it creates itself.
func physicalNames(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Resources map[string]yaml.Node `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for id := range doc.Resources {
		out[id] = stackName + "-" + strings.ToLower(id)
	}
	return out, nil
}

func s3Client(endpoint, key string) *s3.Client {
	return s3.New(s3.Options{
		Region:                     region,
		Credentials:                credentials.NewStaticCredentialsProvider(key, "secret", ""),
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               true,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}

// judge fails the test for every call AWS would have refused, and records
// the grants used for TestMain's report.
func (b *bed) judge() {
	checks := 0
	for _, p := range b.proxies {
		for _, v := range p.Violations() {
			b.t.Errorf("AWS would deny: %s calling %s on %s (%s): %s", v.Function, v.Action, v.Resource, v.Request, v.Reason)
		}
		for _, c := range p.Calls() {
			if !c.Admin {
				checks++
			}
		}
	}
	for _, v := range b.serviceViolations {
		b.t.Errorf("AWS would deny the Lambda service: %s", v)
	}
	usage.Lock()
	defer usage.Unlock()
	usage.checks += checks
	for id, f := range b.tpl.Functions() {
		usage.all[id] = f.Grants()
		if usage.grants[id] == nil {
			usage.grants[id] = map[grantKey]bool{}
		}
		for _, g := range f.Used() {
			usage.grants[id][keyOf(g)] = true
		}
	}
	b.t.Logf("%d calls of the functions checked against their IAM roles", checks)
}

// validateDeployment checks what Lambda checks when the stack is deployed:
// an event source mapping is refused unless the function's role may read
// the stream and send to the on-failure destination; an event invoke
// configuration, unless it may send to its destinations.
func (b *bed) validateDeployment() {
	resources, _ := at(b.doc, "Resources").(map[string]any)
	for id, r := range resources {
		if at(r, "Type") != "AWS::Serverless::Function" {
			continue
		}
		evs, _ := at(r, "Properties", "Events").(map[string]any)
		for name, ev := range evs {
			if at(ev, "Type") != "DynamoDB" {
				continue
			}
			stream, _ := at(ev, "Properties", "Stream").(string)
			for _, a := range []string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"} {
				b.allowed(id, a, stream)
			}
			if dest, _ := at(ev, "Properties", "DestinationConfig", "OnFailure", "Destination").(string); dest != "" {
				if !b.allowed(id, "sqs:SendMessage", dest) {
					b.t.Errorf("Lambda would refuse %s's event source mapping %s: its role may not send to the on-failure queue %s (SAM grants it only when OnFailure has a Type)", id, name, dest)
				}
			}
		}
		for _, outcome := range []string{"OnFailure", "OnSuccess"} {
			if dest, _ := at(r, "Properties", "EventInvokeConfig", "DestinationConfig", outcome, "Destination").(string); dest != "" {
				if !b.allowed(id, "sqs:SendMessage", dest) {
					b.t.Errorf("%s's asynchronous %s destination %s is not writable by its role (SAM grants it only when the destination has a Type)", id, outcome, dest)
				}
			}
		}
	}
}

// allowed checks a call the Lambda service makes with a function's role.
func (b *bed) allowed(fn, action, resource string) bool {
	f := b.tpl.Functions()[fn]
	d := f.Evaluate(iam.Call{Action: action, Resource: resource})
	f.Record(d)
	if !d.Allowed {
		b.failMu.Lock()
		b.serviceViolations = append(b.serviceViolations, fmt.Sprintf("%s's role cannot %s on %s", fn, action, resource))
		b.failMu.Unlock()
	}
	return d.Allowed
}

// at walks the resolved template.
func at(doc any, path ...string) any {
	cur := doc
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

func list(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return nil
}

// notify is S3's event notification: the template's S3 events on the
// bucket, matched as S3 matches them (event type pattern, case-sensitive
// prefix and suffix), each queued for asynchronous invocation.
func (b *bed) notify(m iam.Mutation) {
	resources, _ := at(b.doc, "Resources").(map[string]any)
	ids := make([]string, 0, len(resources))
	for id := range resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if at(resources[id], "Type") != "AWS::Serverless::Function" {
			continue
		}
		evs, _ := at(resources[id], "Properties", "Events").(map[string]any)
		for _, ev := range evs {
			if at(ev, "Type") != "S3" {
				continue
			}
			p := at(ev, "Properties")
			if bucket, _ := b.tpl.Ref("ArticlesBucket"); at(p, "Bucket") != bucket || m.Bucket != bucket {
				continue
			}
			kind, _ := at(p, "Events").(string)
			if name := "s3:" + m.EventName; !(kind == name || (strings.HasSuffix(kind, "*") && strings.HasPrefix(name, strings.TrimSuffix(kind, "*")))) {
				continue
			}
			match := true
			for _, r := range list(at(p, "Filter", "S3Key", "Rules")) {
				v, _ := at(r, "Value").(string)
				switch at(r, "Name") {
				case "prefix":
					match = match && strings.HasPrefix(m.Key, v)
				case "suffix":
					match = match && strings.HasSuffix(m.Key, v)
				}
			}
			if !match {
				continue
			}
			b.pending.Add(1)
			b.notes <- notification{fn: id, event: s3Event(m)}
		}
	}
}

// s3Event is the notification S3 sends: the key URL-encoded, the
// sequencer of the change.
func s3Event(m iam.Mutation) events.S3Event {
	encoded := strings.ReplaceAll(url.QueryEscape(m.Key), "%2F", "/")
	return events.S3Event{Records: []events.S3EventRecord{{
		EventVersion: "2.1", EventSource: "aws:s3", AWSRegion: region, EventTime: time.Now().UTC(), EventName: m.EventName,
		S3: events.S3Entity{SchemaVersion: "1.0", Bucket: events.S3Bucket{Name: m.Bucket, Arn: "arn:aws:s3:::" + m.Bucket},
			Object: events.S3Object{Key: encoded, Size: m.Size, ETag: m.ETag, VersionID: m.VersionID, Sequencer: m.Sequencer}},
	}}}
}

// deliver invokes functions with queued notifications, as Lambda's
// asynchronous invocation does: concurrently (one at a time per emulator),
// each retried as the function's EventInvokeConfig says, then sent to its
// on-failure destination. With chaos, every notification is delivered
// twice, in a shuffled order, some late.
func (b *bed) deliver() {
	sem := make(chan *function, len(b.ingest))
	for _, f := range b.ingest {
		sem <- f
	}
	for n := range b.notes {
		b.histMu.Lock()
		b.history = append(b.history, n)
		b.histMu.Unlock()
		copies := 1
		if b.chaos {
			copies = 2
			b.pending.Add(1)
		}
		for c := 0; c < copies; c++ {
			var delay time.Duration
			if b.chaos {
				delay = time.Duration(b.rng.IntN(400)) * time.Millisecond
			}
			go func(n notification, delay time.Duration) {
				defer b.pending.Done()
				time.Sleep(delay)
				f := <-sem
				defer func() { sem <- f }()
				b.invokeAsync(f, n)
			}(n, delay)
		}
	}
}

// invokeAsync is one asynchronous invocation with Lambda's retries.
func (b *bed) invokeAsync(f *function, n notification) {
	retries := 2
	if v, ok := at(b.doc, "Resources", n.fn, "Properties", "EventInvokeConfig", "MaximumRetryAttempts").(float64); ok {
		retries = int(v)
	}
	var last []byte
	for attempt := 0; attempt <= retries; attempt++ {
		b.ingestCalls.Add(1)
		out, failed, err := f.invoke(n.event)
		if err == nil && !failed {
			return
		}
		last = out
		if err != nil {
			last = []byte(err.Error())
		}
		time.Sleep(time.Duration(50*(attempt+1)) * time.Millisecond)
	}
	// The on-failure destination gets the invocation record, with the
	// original event: what a replay needs.
	dest := at(b.doc, "Resources", n.fn, "Properties", "EventInvokeConfig", "DestinationConfig", "OnFailure")
	record := map[string]any{"version": "1.0", "timestamp": time.Now().UTC().Format(time.RFC3339Nano),
		"requestContext":  map[string]any{"requestId": fmt.Sprint(time.Now().UnixNano()), "functionArn": "arn:aws:lambda:" + region + ":" + accountID + ":function:" + n.fn + ":$LATEST", "condition": "RetriesExhausted", "approximateInvokeCount": retries + 1},
		"requestPayload":  n.event,
		"responseContext": map[string]any{"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
		"responsePayload": json.RawMessage(orNull(last))}
	b.sendFailure(n.fn, dest, record)
}

func orNull(b []byte) []byte {
	if json.Valid(b) {
		return b
	}
	q, _ := json.Marshal(string(b))
	return q
}

// sendFailure sends a record to an on-failure destination with the
// function's role, as Lambda does.
func (b *bed) sendFailure(fn string, dest any, record any) {
	arn, _ := at(dest, "Destination").(string)
	if arn == "" {
		b.failMu.Lock()
		b.serviceViolations = append(b.serviceViolations, fmt.Sprintf("%s failed an event and has no on-failure destination: the event is lost", fn))
		b.failMu.Unlock()
		return
	}
	if !b.allowed(fn, "sqs:SendMessage", arn) {
		return // Lambda could not deliver it: lost
	}
	body, _ := json.Marshal(record)
	queue := ""
	for _, q := range []string{"IngestFailures", "PublishFailures"} {
		if a, _ := b.tpl.GetAtt(q, "Arn"); a == arn {
			queue = q
		}
	}
	b.failMu.Lock()
	b.failures[queue] = append(b.failures[queue], body)
	b.failMu.Unlock()
}

// takeFailures empties a failure queue.
func (b *bed) takeFailures(queue string) []json.RawMessage {
	b.failMu.Lock()
	defer b.failMu.Unlock()
	out := b.failures[queue]
	delete(b.failures, queue)
	return out
}

// put uploads an object (its notification follows).
func (b *bed) put(key, body string) string {
	b.t.Helper()
	out, err := b.s3.PutObject(b.t.Context(), &s3.PutObjectInput{Bucket: aws.String(b.articles), Key: aws.String(key), Body: strings.NewReader(body)})
	if err != nil {
		b.t.Fatal(err)
	}
	return aws.ToString(out.VersionId)
}

// remove deletes a key (a delete marker on the versioned bucket), or one
// version of it.
func (b *bed) remove(key, version string) {
	b.t.Helper()
	in := &s3.DeleteObjectInput{Bucket: aws.String(b.articles), Key: aws.String(key)}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	if _, err := b.s3.DeleteObject(b.t.Context(), in); err != nil {
		b.t.Fatal(err)
	}
}

// redeliver sends again, late, a notification delivered before: the n-th
// from the end for key.
func (b *bed) redeliver(key string, n int) {
	b.t.Helper()
	b.histMu.Lock()
	var match []notification
	for _, h := range b.history {
		if h.event.Records[0].S3.Object.URLDecodedKey == key || h.event.Records[0].S3.Object.Key == key {
			match = append(match, h)
		}
	}
	b.histMu.Unlock()
	if n > len(match) {
		b.t.Fatalf("no notification %d for %s", n, key)
	}
	b.pending.Add(1)
	b.notes <- match[len(match)-n]
}

// feed returns a published object's body, or "" when absent.
func (b *bed) feed(key string) string {
	out, err := b.s3.GetObject(b.t.Context(), &s3.GetObjectInput{Bucket: aws.String(b.feeds), Key: aws.String(key)})
	if err != nil {
		return ""
	}
	defer out.Body.Close()
	data, _ := io.ReadAll(out.Body)
	return string(data)
}

// feedsBucket returns every object of the feeds bucket.
func (b *bed) feedsBucket() map[string]string {
	b.t.Helper()
	out := map[string]string{}
	p := s3.NewListObjectsV2Paginator(b.s3, &s3.ListObjectsV2Input{Bucket: aws.String(b.feeds)})
	for p.HasMorePages() {
		page, err := p.NextPage(b.t.Context())
		if err != nil {
			b.t.Fatal(err)
		}
		for _, o := range page.Contents {
			out[aws.ToString(o.Key)] = b.feed(aws.ToString(o.Key))
		}
	}
	return out
}

// settle waits for every notification to be handled, then drains the
// stream into publish until it is quiet.
func (b *bed) settle() {
	b.t.Helper()
	b.pending.Wait()
	b.drain()
}

// schedule invokes a function with its scheduled event, as EventBridge
// does, and fails the test if it fails.
func (b *bed) schedule(fn string) {
	b.t.Helper()
	if err := b.trySchedule(fn); err != nil {
		b.t.Error(err)
	}
}

// trySchedule invokes a function with its scheduled event.
func (b *bed) trySchedule(fn string) error {
	ev := map[string]any{"version": "0", "id": fmt.Sprint(time.Now().UnixNano()), "detail-type": "Scheduled Event", "source": "aws.events",
		"account": accountID, "time": time.Now().UTC().Format(time.RFC3339), "region": region, "detail": map[string]any{}}
	var out []byte
	var failed bool
	var err error
	if fn == "PublishFunction" {
		out, failed, err = b.runPublish(ev)
	} else {
		out, failed, err = b.ingest[0].invoke(ev)
	}
	if err == nil && failed {
		err = fmt.Errorf("scheduled %s failed: %s", fn, out)
	}
	return err
}

// runPublish invokes publish, checking that no two runs overlap (reserved
// concurrency 1).
func (b *bed) runPublish(event any) ([]byte, bool, error) {
	if b.running.Add(1) > 1 {
		b.overlaps.Add(1)
	}
	defer b.running.Add(-1)
	b.publishRuns.Add(1)
	return b.publish.invoke(event)
}

// batchWindow caps the template's batching window (5 s) in tests: the
// same behaviour, quicker.
const batchWindow = 700 * time.Millisecond

// streamSettings reads the event source mapping's settings from the
// template; the batching window is shortened to keep tests quick (the
// behaviour is the same).
func (b *bed) streamSettings() (batchSize, retries int, window time.Duration, bisect bool, filters []map[string]any) {
	props := at(b.doc, "Resources", "PublishFunction", "Properties", "Events", "IndexStream", "Properties")
	batchSize, retries, window = 100, -1, batchWindow
	if v, ok := at(props, "BatchSize").(float64); ok {
		batchSize = int(v)
	}
	if v, ok := at(props, "MaximumRetryAttempts").(float64); ok {
		retries = int(v)
	}
	if v, ok := at(props, "MaximumBatchingWindowInSeconds").(float64); ok && time.Duration(v*float64(time.Second)) < window {
		window = time.Duration(v * float64(time.Second))
	}
	bisect, _ = at(props, "BisectBatchOnFunctionError").(bool)
	for _, f := range list(at(props, "FilterCriteria", "Filters")) {
		var pattern map[string]any
		s, _ := at(f, "Pattern").(string)
		if err := json.Unmarshal([]byte(s), &pattern); err != nil {
			b.t.Fatalf("filter pattern %q: %v", s, err)
		}
		filters = append(filters, pattern)
	}
	return
}

// drain behaves like the DynamoDB event source mapping: it reads the
// stream from TRIM_HORIZON (with publish's role), keeps the records the
// template's filters let through, and invokes publish with batches of at
// most the batch size, waiting the window for a batch to fill; a failed
// batch is retried, bisected, then sent to the on-failure destination.
// It returns when the stream has been quiet for a window.
func (b *bed) drain() {
	t := b.t
	ctx := t.Context()
	batchSize, retries, window, bisect, filters := b.streamSettings()
	arn := aws.String(b.localStreamARN)
	var desc *dynamodbstreams.DescribeStreamOutput
	for attempt := 0; ; attempt++ {
		var err error
		if desc, err = b.streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: arn}); err == nil {
			break
		} else if attempt == 20 {
			t.Fatalf("DescribeStream: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var batch []events.DynamoDBEventRecord
	quietSince := time.Now()
	windowStart := time.Time{}
	for time.Since(quietSince) < window || len(batch) > 0 {
		got := 0
		for _, sh := range desc.StreamDescription.Shards {
			id := aws.ToString(sh.ShardId)
			it, ok := b.iterators[id]
			if !ok {
				res, err := b.streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: arn, ShardId: sh.ShardId,
					ShardIteratorType: stypes.ShardIteratorTypeTrimHorizon})
				if err != nil {
					continue // a fault: the mapping tries again
				}
				it = res.ShardIterator
				b.iterators[id] = it
			}
			if it == nil {
				continue
			}
			recs, err := b.streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it})
			if err != nil {
				continue // a fault: the same iterator again
			}
			b.iterators[id] = recs.NextShardIterator
			for _, r := range recs.Records {
				got++
				rec, doc, ok := convert(r, b.streamARN)
				if !ok || !passes(filters, doc) {
					continue
				}
				if len(batch) == 0 {
					windowStart = time.Now()
				}
				batch = append(batch, rec)
				if len(batch) == batchSize {
					b.publishBatch(batch, retries, bisect)
					batch = nil
				}
			}
		}
		if got > 0 {
			quietSince = time.Now()
		}
		if len(batch) > 0 && time.Since(windowStart) >= window {
			b.publishBatch(batch, retries, bisect)
			batch = nil
		}
		if got == 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// publishBatch invokes publish with a batch as the event source mapping
// does with ReportBatchItemFailures: a reported failure retries from that
// record, an error retries the batch (bisected when configured); past the
// retries, the batch's description goes to the on-failure destination.
func (b *bed) publishBatch(batch []events.DynamoDBEventRecord, retries int, bisect bool) {
	b.publishBatches.Add(1)
	for attempt := 0; ; attempt++ {
		out, failed, err := b.runPublish(events.DynamoDBEvent{Records: batch})
		var resp events.DynamoDBEventResponse
		json.Unmarshal(out, &resp)
		if err == nil && !failed && len(resp.BatchItemFailures) == 0 {
			return
		}
		if len(resp.BatchItemFailures) > 0 {
			for i, r := range batch {
				if r.Change.SequenceNumber == resp.BatchItemFailures[0].ItemIdentifier {
					batch = batch[i:]
					break
				}
			}
		}
		if retries >= 0 && attempt >= retries {
			break
		}
		if bisect && len(batch) > 1 && failed {
			half := len(batch) / 2
			b.publishBatch(batch[:half], retries-attempt-1, bisect)
			batch = batch[half:]
		}
		time.Sleep(time.Duration(50*(attempt+1)) * time.Millisecond)
	}
	dest := at(b.doc, "Resources", "PublishFunction", "Properties", "Events", "IndexStream", "Properties", "DestinationConfig", "OnFailure")
	record := map[string]any{"requestContext": map[string]any{"requestId": fmt.Sprint(time.Now().UnixNano()), "functionArn": "arn:aws:lambda:" + region + ":" + accountID + ":function:publish",
		"condition": "RetryAttemptsExhausted", "approximateInvokeCount": retries + 1},
		"responseContext": map[string]any{"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
		"version":         "1.0", "timestamp": time.Now().UTC().Format(time.RFC3339Nano),
		"DDBStreamBatchInfo": map[string]any{"shardId": "shard", "startSequenceNumber": batch[0].Change.SequenceNumber,
			"endSequenceNumber": batch[len(batch)-1].Change.SequenceNumber, "batchSize": len(batch), "streamArn": b.streamARN}}
	b.sendFailure("PublishFunction", dest, record)
}

// passes applies the mapping's filters (Lambda event filtering: a record
// passes when any pattern matches).
func passes(filters []map[string]any, record map[string]any) bool {
	if len(filters) == 0 {
		return true
	}
	for _, f := range filters {
		if matches(f, record) {
			return true
		}
	}
	return false
}

// matches implements the pattern syntax the template uses: nested objects,
// and arrays of accepted values (strings, numbers), {"prefix": ...} and
// {"exists": ...}.
func matches(pattern, record map[string]any) bool {
	for k, p := range pattern {
		v, present := record[k]
		switch want := p.(type) {
		case map[string]any:
			sub, ok := v.(map[string]any)
			if !ok || !matches(want, sub) {
				return false
			}
		case []any:
			ok := false
			for _, w := range want {
				switch c := w.(type) {
				case map[string]any:
					if pre, isPre := c["prefix"].(string); isPre {
						s, _ := v.(string)
						ok = ok || (present && strings.HasPrefix(s, pre))
					}
					if ex, isEx := c["exists"].(bool); isEx {
						ok = ok || present == ex
					}
				default:
					ok = ok || (present && fmt.Sprint(v) == fmt.Sprint(c))
				}
			}
			if !ok {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// convert turns a Streams API record into the Lambda event record, and
// the document filters are matched against.
func convert(r stypes.Record, arn string) (events.DynamoDBEventRecord, map[string]any, bool) {
	if r.Dynamodb == nil {
		return events.DynamoDBEventRecord{}, nil, false
	}
	doc := map[string]any{
		"eventID": aws.ToString(r.EventID), "eventName": string(r.EventName), "eventSource": "aws:dynamodb",
		"eventVersion": "1.1", "awsRegion": region, "eventSourceARN": arn,
		"dynamodb": map[string]any{
			"Keys": image(r.Dynamodb.Keys), "NewImage": image(r.Dynamodb.NewImage), "OldImage": image(r.Dynamodb.OldImage),
			"SequenceNumber": aws.ToString(r.Dynamodb.SequenceNumber), "StreamViewType": string(r.Dynamodb.StreamViewType),
		},
	}
	data, _ := json.Marshal(doc)
	var rec events.DynamoDBEventRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return rec, nil, false
	}
	var generic map[string]any
	json.Unmarshal(data, &generic)
	return rec, generic, true
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
		case *stypes.AttributeValueMemberSS:
			out[k] = map[string]any{"SS": x.Value}
		case *stypes.AttributeValueMemberL:
			out[k] = map[string]any{"L": len(x.Value)}
		case *stypes.AttributeValueMemberM:
			out[k] = map[string]any{"M": image(x.Value)}
		}
	}
	return out
}

func sortedCopy(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

// started waits up to 30 s for a listener at addr, and gives up at once
// when the process serving it has exited.
func started(addr string, exited <-chan struct{}) bool {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return true
		}
		select {
		case <-exited:
			return false
		case <-time.After(50 * time.Millisecond):
		}
	}
	return false
}
