package iam

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Services NewProxy and Mapper.Map understand.
const (
	ServiceS3         = "s3"
	ServiceDynamoDB   = "dynamodb"
	ServiceStreams    = "streams" // DynamoDB Streams
	ServiceCloudFront = "cloudfront"
	ServiceSQS        = "sqs"
	ServiceSNS        = "sns"
)

// ErrUnmapped is wrapped by every error about a request the mapper does
// not know how to authorize: the proxy fails such a request rather than
// allowing it.
var ErrUnmapped = errors.New("unmapped")

// CallerKey returns the access key id that signed a request: from the
// SigV4 Authorization header (Credential=AKID/date/region/service/aws4_request)
// or, for a presigned URL, from the X-Amz-Credential query parameter.
// It returns "" for an unsigned request.
func CallerKey(r *http.Request) string {
	if auth := r.Header.Get("Authorization"); auth != "" {
		if _, rest, ok := strings.Cut(auth, "Credential="); ok {
			akid, _, _ := strings.Cut(rest, "/")
			return strings.TrimSpace(akid)
		}
		return ""
	}
	if cred := r.URL.Query().Get("X-Amz-Credential"); cred != "" {
		akid, _, _ := strings.Cut(cred, "/")
		return akid
	}
	return ""
}

// Mapper turns HTTP requests into IAM calls as the AWS Service
// Authorization Reference describes them. ARNs are built in the
// template's partition, region and account, whatever the stand-in's own
// ARNs say: DynamoDB Local's stream ARNs name region "ddblocal" and
// account 000000000000, and are rewritten.
type Mapper struct {
	Partition, Region, AccountID string
	// StreamARN returns the stream ARN a DynamoDB Streams shard iterator
	// belongs to, or "" when unknown. GetRecords carries only the opaque
	// iterator; the proxy fills this from the GetShardIterator and
	// GetRecords answers it has seen. When nil or "", an ARN embedded in
	// the iterator (real DynamoDB Streams iterators start with it) is used.
	StreamARN func(iterator string) string
}

// Mapper returns a Mapper for the template's account, region and partition.
func (t *Template) Mapper() Mapper {
	return Mapper{Partition: t.params.Partition, Region: t.params.Region, AccountID: t.params.AccountID}
}

// Map returns the IAM calls one request needs: one for most requests,
// several for a transaction, a batch, a multi-object delete or a copy.
// body is the request body (r.Body is not read). An error wrapping
// ErrUnmapped means the request is not understood.
func (m Mapper) Map(service string, r *http.Request, body []byte) ([]Call, error) {
	switch service {
	case ServiceS3:
		return m.mapS3(r, body)
	case ServiceDynamoDB:
		return m.mapDynamoDB(r, body)
	case ServiceStreams:
		return m.mapStreams(r, body)
	case ServiceCloudFront:
		return m.mapCloudFront(r)
	case ServiceSQS:
		return m.mapSQS(r, body)
	case ServiceSNS:
		return m.mapSNS(r, body)
	}
	return nil, fmt.Errorf("iam: unknown service %q", service)
}

func describe(r *http.Request) string {
	s := r.Method + " " + r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		s += "?" + r.URL.RawQuery
	}
	return s
}

func unmapped(service string, r *http.Request, detail string) error {
	if detail != "" {
		return fmt.Errorf("iam: %w %s request %s (%s)", ErrUnmapped, service, describe(r), detail)
	}
	return fmt.Errorf("iam: %w %s request %s", ErrUnmapped, service, describe(r))
}

// --- S3 ------------------------------------------------------------------

// s3Ignored are query parameters that do not select a subresource: list
// and part parameters, response overrides, presigning and the SDK's x-id.
var s3Ignored = map[string]bool{
	"x-id": true, "prefix": true, "delimiter": true, "max-keys": true, "marker": true, "list-type": true,
	"continuation-token": true, "start-after": true, "fetch-owner": true, "encoding-type": true,
	"key-marker": true, "version-id-marker": true, "upload-id-marker": true, "max-uploads": true,
	"max-parts": true, "part-number-marker": true, "partNumber": true, "versionId": true, "uploadId": true,
}

// s3Bucket maps bucket subresources: method -> subresource -> action.
var s3Bucket = map[string]map[string]string{
	http.MethodGet: {"versioning": "GetBucketVersioning", "versions": "ListBucketVersions", "uploads": "ListBucketMultipartUploads",
		"location": "GetBucketLocation", "tagging": "GetBucketTagging", "acl": "GetBucketAcl", "policy": "GetBucketPolicy",
		"lifecycle": "GetLifecycleConfiguration", "notification": "GetBucketNotification", "cors": "GetBucketCORS",
		"encryption": "GetEncryptionConfiguration", "ownershipControls": "GetBucketOwnershipControls",
		"publicAccessBlock": "GetBucketPublicAccessBlock"},
	http.MethodPut: {"": "CreateBucket", "versioning": "PutBucketVersioning", "tagging": "PutBucketTagging",
		"acl": "PutBucketAcl", "policy": "PutBucketPolicy", "lifecycle": "PutLifecycleConfiguration",
		"notification": "PutBucketNotification", "cors": "PutBucketCORS", "encryption": "PutEncryptionConfiguration",
		"ownershipControls": "PutBucketOwnershipControls", "publicAccessBlock": "PutBucketPublicAccessBlock"},
	http.MethodDelete: {"": "DeleteBucket", "tagging": "PutBucketTagging", "policy": "DeleteBucketPolicy",
		"lifecycle": "PutLifecycleConfiguration", "cors": "PutBucketCORS", "encryption": "PutEncryptionConfiguration",
		"ownershipControls": "PutBucketOwnershipControls", "publicAccessBlock": "PutBucketPublicAccessBlock"},
}

// s3Path splits a path-style request path into bucket and key, keys
// percent-decoded.
func s3Path(r *http.Request) (bucket, key string, err error) {
	p := r.URL.Path
	if r.URL.RawPath != "" {
		if p, err = url.PathUnescape(r.URL.RawPath); err != nil {
			return "", "", err
		}
	}
	p = strings.TrimPrefix(p, "/")
	bucket, key, _ = strings.Cut(p, "/")
	return bucket, key, nil
}

// s3Subresource returns the one subresource a query selects ("" for
// none), refusing query parameters it does not know.
func s3Subresource(q url.Values) (string, error) {
	sub := ""
	for k := range q {
		if s3Ignored[k] || strings.HasPrefix(k, "response-") || strings.HasPrefix(strings.ToLower(k), "x-amz-") {
			continue
		}
		if sub != "" {
			return "", fmt.Errorf("subresources %s and %s", sub, k)
		}
		sub = k
	}
	return sub, nil
}

func (m Mapper) s3Arn(bucket, key string) string {
	if key == "" {
		return fmt.Sprintf("arn:%s:s3:::%s", m.Partition, bucket)
	}
	return fmt.Sprintf("arn:%s:s3:::%s/%s", m.Partition, bucket, key)
}

func (m Mapper) mapS3(r *http.Request, body []byte) ([]Call, error) {
	bucket, key, err := s3Path(r)
	if err != nil {
		return nil, unmapped("S3", r, err.Error())
	}
	q := r.URL.Query()
	sub, err := s3Subresource(q)
	if err != nil {
		return nil, unmapped("S3", r, err.Error())
	}
	call := func(action, k string) Call {
		return Call{Action: "s3:" + action, Resource: m.s3Arn(bucket, k)}
	}
	if bucket == "" {
		if r.Method == http.MethodGet && sub == "" {
			return []Call{{Action: "s3:ListAllMyBuckets", Resource: "*"}}, nil
		}
		return nil, unmapped("S3", r, "")
	}
	_, versioned := q["versionId"]
	if key == "" {
		switch {
		case (r.Method == http.MethodGet && sub == "") || (r.Method == http.MethodHead && sub == ""):
			c := call("ListBucket", "")
			c.Context = map[string]string{}
			for _, k := range []string{"prefix", "delimiter", "max-keys"} {
				if q.Has(k) {
					c.Context["s3:"+k] = q.Get(k)
				}
			}
			return []Call{c}, nil
		case r.Method == http.MethodPost && sub == "delete":
			return m.s3MultiDelete(r, bucket, body)
		}
		if a, ok := s3Bucket[r.Method][sub]; ok {
			return []Call{call(a, "")}, nil
		}
		return nil, unmapped("S3", r, "")
	}
	versionSuffix := ""
	if versioned {
		versionSuffix = "Version"
	}
	_, multipart := q["uploadId"]
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		switch {
		case sub == "" && multipart:
			return []Call{call("ListMultipartUploadParts", key)}, nil
		case sub == "":
			return []Call{call("GetObject"+versionSuffix, key)}, nil
		case sub == "tagging":
			return []Call{call("GetObject"+versionSuffix+"Tagging", key)}, nil
		case sub == "acl":
			return []Call{call("GetObject"+versionSuffix+"Acl", key)}, nil
		case sub == "attributes":
			return []Call{call("GetObject"+versionSuffix+"Attributes", key)}, nil
		}
	case http.MethodPut:
		switch sub {
		case "":
			calls := []Call{call("PutObject", key)}
			if src := r.Header.Get("X-Amz-Copy-Source"); src != "" {
				c, err := m.s3CopySource(src)
				if err != nil {
					return nil, unmapped("S3", r, err.Error())
				}
				calls = append(calls, c)
			}
			if r.Header.Get("X-Amz-Tagging") != "" && !multipart {
				calls = append(calls, call("PutObjectTagging", key))
			}
			if r.Header.Get("X-Amz-Acl") != "" || r.Header.Get("X-Amz-Grant-Read") != "" || r.Header.Get("X-Amz-Grant-Full-Control") != "" {
				calls = append(calls, call("PutObjectAcl", key))
			}
			return calls, nil
		case "tagging":
			return []Call{call("PutObject"+versionSuffix+"Tagging", key)}, nil
		case "acl":
			return []Call{call("PutObject"+versionSuffix+"Acl", key)}, nil
		}
	case http.MethodDelete:
		switch {
		case sub == "" && multipart:
			return []Call{call("AbortMultipartUpload", key)}, nil
		case sub == "":
			return []Call{call("DeleteObject"+versionSuffix, key)}, nil
		case sub == "tagging":
			return []Call{call("DeleteObject"+versionSuffix+"Tagging", key)}, nil
		}
	case http.MethodPost:
		switch {
		case sub == "uploads", sub == "" && multipart:
			// CreateMultipartUpload and CompleteMultipartUpload.
			return []Call{call("PutObject", key)}, nil
		case sub == "restore":
			return []Call{call("RestoreObject", key)}, nil
		case sub == "select":
			return []Call{call("GetObject", key)}, nil
		}
	}
	return nil, unmapped("S3", r, "")
}

// s3CopySource maps x-amz-copy-source ("/bucket/key?versionId=v",
// URL-encoded) to the read it needs.
func (m Mapper) s3CopySource(src string) (Call, error) {
	path, query, _ := strings.Cut(src, "?")
	path, err := url.PathUnescape(strings.TrimPrefix(path, "/"))
	if err != nil {
		return Call{}, fmt.Errorf("copy source %q: %w", src, err)
	}
	b, k, ok := strings.Cut(path, "/")
	if !ok || b == "" || k == "" {
		return Call{}, fmt.Errorf("copy source %q: want bucket/key", src)
	}
	action := "s3:GetObject"
	if v, _ := url.ParseQuery(query); v.Has("versionId") {
		action = "s3:GetObjectVersion"
	}
	return Call{Action: action, Resource: m.s3Arn(b, k)}, nil
}

// s3MultiDelete maps DeleteObjects: one DeleteObject (or
// DeleteObjectVersion) per key of the XML body.
func (m Mapper) s3MultiDelete(r *http.Request, bucket string, body []byte) ([]Call, error) {
	var del struct {
		Objects []struct {
			Key       string `xml:"Key"`
			VersionID string `xml:"VersionId"`
		} `xml:"Object"`
	}
	if err := xml.Unmarshal(body, &del); err != nil {
		return nil, unmapped("S3", r, "DeleteObjects body: "+err.Error())
	}
	if len(del.Objects) == 0 {
		return nil, unmapped("S3", r, "DeleteObjects without objects")
	}
	var calls []Call
	for _, o := range del.Objects {
		action := "s3:DeleteObject"
		if o.VersionID != "" {
			action = "s3:DeleteObjectVersion"
		}
		calls = append(calls, Call{Action: action, Resource: m.s3Arn(bucket, o.Key)})
	}
	return calls, nil
}

// --- DynamoDB ------------------------------------------------------------

func jsonTarget(r *http.Request, prefix string) (string, bool) {
	t := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(t, prefix+".")
	return op, ok && op != ""
}

func (m Mapper) tableArn(table string) string {
	if strings.HasPrefix(table, "arn:") {
		return table
	}
	return fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s", m.Partition, m.Region, m.AccountID, table)
}

// dynamoGlobal are operations whose resource is "*".
var dynamoGlobal = map[string]bool{
	"ListTables": true, "DescribeLimits": true, "DescribeEndpoints": true, "ListBackups": true,
	"ListGlobalTables": true, "ListExports": true, "ListImports": true, "DescribeReservedCapacity": true,
}

func (m Mapper) mapDynamoDB(r *http.Request, body []byte) ([]Call, error) {
	op, ok := jsonTarget(r, "DynamoDB_20120810")
	if !ok {
		return nil, unmapped("DynamoDB", r, "X-Amz-Target "+r.Header.Get("X-Amz-Target"))
	}
	if dynamoGlobal[op] {
		return []Call{{Action: "dynamodb:" + op, Resource: "*"}}, nil
	}
	var in struct {
		TableName     string
		IndexName     string
		ResourceArn   string
		RequestItems  map[string]json.RawMessage
		TransactItems []map[string]struct {
			TableName string
		}
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, unmapped("DynamoDB", r, op+" body: "+err.Error())
	}
	switch op {
	case "TransactWriteItems", "TransactGetItems":
		actions := map[string]string{"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
			"ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}
		var calls []Call
		for i, item := range in.TransactItems {
			if len(item) != 1 {
				return nil, unmapped("DynamoDB", r, fmt.Sprintf("%s item %d", op, i))
			}
			for kind, v := range item {
				a, ok := actions[kind]
				if !ok || v.TableName == "" {
					return nil, unmapped("DynamoDB", r, fmt.Sprintf("%s item %d: %s", op, i, kind))
				}
				calls = append(calls, Call{Action: "dynamodb:" + a, Resource: m.tableArn(v.TableName)})
			}
		}
		if len(calls) == 0 {
			return nil, unmapped("DynamoDB", r, op+" without items")
		}
		return calls, nil
	case "BatchGetItem", "BatchWriteItem":
		// IAM authorises a batch by its own action on each table named
		// (the Service Authorization Reference lists no dependent
		// actions): a role with dynamodb:BatchWriteItem may put and delete
		// through it without dynamodb:PutItem or dynamodb:DeleteItem.
		if len(in.RequestItems) == 0 {
			return nil, unmapped("DynamoDB", r, op+" without RequestItems")
		}
		var calls []Call
		for _, table := range sortedKeys(in.RequestItems) {
			calls = append(calls, Call{Action: "dynamodb:" + op, Resource: m.tableArn(table)})
		}
		return calls, nil
	}
	switch {
	case in.TableName != "":
		res := m.tableArn(in.TableName)
		if in.IndexName != "" && (op == "Query" || op == "Scan") {
			res += "/index/" + in.IndexName
		}
		return []Call{{Action: "dynamodb:" + op, Resource: res}}, nil
	case in.ResourceArn != "":
		return []Call{{Action: "dynamodb:" + op, Resource: in.ResourceArn}}, nil
	}
	return nil, unmapped("DynamoDB", r, op+" names no table")
}

// --- DynamoDB Streams -----------------------------------------------------

var streamARNPattern = regexp.MustCompile(`arn:[^:|]+:dynamodb:[^:|]*:[^:|]*:table/[^/|]+/stream/[^|/\s"]+`)

// normalizeStreamARN rebuilds a stream ARN in the template's partition,
// region and account, keeping the table and the stream label.
func (m Mapper) normalizeStreamARN(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "dynamodb" || !strings.HasPrefix(parts[5], "table/") {
		return "", fmt.Errorf("not a stream ARN: %q", arn)
	}
	rest := parts[5]
	if !strings.Contains(rest, "/stream/") {
		return "", fmt.Errorf("not a stream ARN: %q", arn)
	}
	return fmt.Sprintf("arn:%s:dynamodb:%s:%s:%s", m.Partition, m.Region, m.AccountID, rest), nil
}

func (m Mapper) mapStreams(r *http.Request, body []byte) ([]Call, error) {
	op, ok := jsonTarget(r, "DynamoDBStreams_20120810")
	if !ok {
		return nil, unmapped("DynamoDB Streams", r, "X-Amz-Target "+r.Header.Get("X-Amz-Target"))
	}
	var in struct {
		StreamArn     string
		ShardIterator string
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, unmapped("DynamoDB Streams", r, op+" body: "+err.Error())
	}
	switch op {
	case "ListStreams":
		return []Call{{Action: "dynamodb:ListStreams", Resource: "*"}}, nil
	case "DescribeStream", "GetShardIterator":
		arn, err := m.normalizeStreamARN(in.StreamArn)
		if err != nil {
			return nil, unmapped("DynamoDB Streams", r, op+": "+err.Error())
		}
		return []Call{{Action: "dynamodb:" + op, Resource: arn}}, nil
	case "GetRecords":
		arn := ""
		if m.StreamARN != nil {
			arn = m.StreamARN(in.ShardIterator)
		}
		if arn == "" {
			arn = streamARNPattern.FindString(in.ShardIterator)
		}
		if arn == "" {
			return nil, unmapped("DynamoDB Streams", r, "GetRecords: iterator of an unknown stream")
		}
		norm, err := m.normalizeStreamARN(arn)
		if err != nil {
			return nil, unmapped("DynamoDB Streams", r, "GetRecords: "+err.Error())
		}
		return []Call{{Action: "dynamodb:GetRecords", Resource: norm}}, nil
	}
	return nil, unmapped("DynamoDB Streams", r, op)
}

// --- CloudFront ------------------------------------------------------------

var cloudFrontPaths = []struct {
	method  string
	pattern *regexp.Regexp
	action  string
}{
	{http.MethodPost, regexp.MustCompile(`^/20\d\d-\d\d-\d\d/distribution/([^/]+)/invalidation$`), "CreateInvalidation"},
	{http.MethodGet, regexp.MustCompile(`^/20\d\d-\d\d-\d\d/distribution/([^/]+)/invalidation/[^/]+$`), "GetInvalidation"},
	{http.MethodGet, regexp.MustCompile(`^/20\d\d-\d\d-\d\d/distribution/([^/]+)/invalidation$`), "ListInvalidations"},
	{http.MethodGet, regexp.MustCompile(`^/20\d\d-\d\d-\d\d/distribution/([^/]+)/config$`), "GetDistributionConfig"},
	{http.MethodPut, regexp.MustCompile(`^/20\d\d-\d\d-\d\d/distribution/([^/]+)/config$`), "UpdateDistribution"},
	{http.MethodGet, regexp.MustCompile(`^/20\d\d-\d\d-\d\d/distribution/([^/]+)$`), "GetDistribution"},
	{http.MethodDelete, regexp.MustCompile(`^/20\d\d-\d\d-\d\d/distribution/([^/]+)$`), "DeleteDistribution"},
	{http.MethodGet, regexp.MustCompile(`^/20\d\d-\d\d-\d\d/distribution$`), "ListDistributions"},
}

func (m Mapper) mapCloudFront(r *http.Request) ([]Call, error) {
	for _, p := range cloudFrontPaths {
		if r.Method != p.method {
			continue
		}
		sm := p.pattern.FindStringSubmatch(r.URL.Path)
		if sm == nil {
			continue
		}
		if len(sm) < 2 {
			return []Call{{Action: "cloudfront:" + p.action, Resource: "*"}}, nil
		}
		return []Call{{Action: "cloudfront:" + p.action,
			Resource: fmt.Sprintf("arn:%s:cloudfront::%s:distribution/%s", m.Partition, m.AccountID, sm[1])}}, nil
	}
	return nil, unmapped("CloudFront", r, "")
}

// --- SQS -------------------------------------------------------------------

// sqsBatch are batch operations IAM authorizes as their single form.
var sqsBatch = map[string]string{
	"SendMessageBatch": "SendMessage", "DeleteMessageBatch": "DeleteMessage",
	"ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}

func (m Mapper) queueArn(name string) string {
	return fmt.Sprintf("arn:%s:sqs:%s:%s:%s", m.Partition, m.Region, m.AccountID, name)
}

// queueName takes the queue name from a queue URL: its last path segment.
func queueName(queueURL string) (string, error) {
	u, err := url.Parse(queueURL)
	if err != nil {
		return "", err
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(segs) == 0 || segs[len(segs)-1] == "" {
		return "", fmt.Errorf("queue URL %q names no queue", queueURL)
	}
	return segs[len(segs)-1], nil
}

// mapSQS handles the JSON protocol (X-Amz-Target: AmazonSQS.Op) and the
// query protocol (Action=Op in the form body or the query string).
func (m Mapper) mapSQS(r *http.Request, body []byte) ([]Call, error) {
	var op, queueURL, name string
	if t, ok := jsonTarget(r, "AmazonSQS"); ok {
		op = t
		var in struct{ QueueUrl, QueueName string }
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, unmapped("SQS", r, op+" body: "+err.Error())
		}
		queueURL, name = in.QueueUrl, in.QueueName
	} else {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, unmapped("SQS", r, err.Error())
		}
		for k, v := range r.URL.Query() {
			if !form.Has(k) {
				form[k] = v
			}
		}
		op, queueURL, name = form.Get("Action"), form.Get("QueueUrl"), form.Get("QueueName")
		if queueURL == "" && r.URL.Path != "/" && r.URL.Path != "" {
			queueURL = r.URL.Path
		}
	}
	if op == "" {
		return nil, unmapped("SQS", r, "no action")
	}
	if op == "ListQueues" {
		return []Call{{Action: "sqs:ListQueues", Resource: "*"}}, nil
	}
	if single, ok := sqsBatch[op]; ok {
		op = single
	}
	if queueURL != "" {
		n, err := queueName(queueURL)
		if err != nil {
			return nil, unmapped("SQS", r, err.Error())
		}
		name = n
	}
	if name == "" {
		return nil, unmapped("SQS", r, op+" names no queue")
	}
	return []Call{{Action: "sqs:" + op, Resource: m.queueArn(name)}}, nil
}

// --- SNS -------------------------------------------------------------------

// snsAccountWide are SNS actions on no particular topic.
var snsAccountWide = map[string]bool{
	"ListTopics": true, "ListSubscriptions": true, "CreatePlatformApplication": true, "ListPlatformApplications": true,
	"GetSMSAttributes": true, "SetSMSAttributes": true, "CheckIfPhoneNumberIsOptedOut": true, "ListPhoneNumbersOptedOut": true,
	"OptInPhoneNumber": true,
}

// mapSNS handles the query protocol (Action=Op in the form body or the
// query string). Publish and PublishBatch are sns:Publish on the topic
// (TopicArn, or TargetArn for an endpoint); CreateTopic names its topic by
// Name; most other actions by TopicArn.
func (m Mapper) mapSNS(r *http.Request, body []byte) ([]Call, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, unmapped("SNS", r, err.Error())
	}
	for k, v := range r.URL.Query() {
		if !form.Has(k) {
			form[k] = v
		}
	}
	op := form.Get("Action")
	switch {
	case op == "":
		return nil, unmapped("SNS", r, "no action")
	case snsAccountWide[op]:
		return []Call{{Action: "sns:" + op, Resource: "*"}}, nil
	case op == "PublishBatch":
		op = "Publish"
	case op == "CreateTopic":
		if name := form.Get("Name"); name != "" {
			return []Call{{Action: "sns:CreateTopic", Resource: fmt.Sprintf("arn:%s:sns:%s:%s:%s", m.Partition, m.Region, m.AccountID, name)}}, nil
		}
		return nil, unmapped("SNS", r, "CreateTopic names no topic")
	}
	arn := form.Get("TopicArn")
	if arn == "" {
		arn = form.Get("TargetArn")
	}
	if arn == "" {
		// A Publish to a phone number: IAM checks sns:Publish on "*".
		if op == "Publish" && form.Get("PhoneNumber") != "" {
			return []Call{{Action: "sns:Publish", Resource: "*"}}, nil
		}
		return nil, unmapped("SNS", r, op+" names no topic")
	}
	return []Call{{Action: "sns:" + op, Resource: arn}}, nil
}
