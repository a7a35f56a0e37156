// Package template holds the test of template.yaml: it parses the SAM
// template with goformation and asserts the properties the deployment
// relies on, so a careless edit fails the build.
package template

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/intrinsics"

	"github.com/pressroom/pressroom/internal/feed"
	"github.com/pressroom/pressroom/internal/index/dynamo"
)

// markers keeps intrinsic functions visible instead of resolving them to
// empty strings: !Ref X becomes "Ref:X", !GetAtt X.Y "GetAtt:X.Y", !Sub s
// "Sub:s"; !If [c, a, b] takes a (the custom-domain case, where both
// branches differ), so typed properties keep their shape.
var markers = &intrinsics.ProcessorOptions{IntrinsicHandlerOverrides: map[string]intrinsics.IntrinsicHandler{
	"Ref": func(_ string, in, _ interface{}) interface{} { return fmt.Sprint("Ref:", in) },
	"Fn::GetAtt": func(_ string, in, _ interface{}) interface{} {
		if l, ok := in.([]interface{}); ok {
			parts := make([]string, len(l))
			for i, p := range l {
				parts[i] = fmt.Sprint(p)
			}
			return "GetAtt:" + strings.Join(parts, ".")
		}
		return fmt.Sprint("GetAtt:", in)
	},
	"Fn::Sub": func(_ string, in, _ interface{}) interface{} { return fmt.Sprint("Sub:", in) },
	"Fn::If": func(_ string, in, _ interface{}) interface{} {
		if l, ok := in.([]interface{}); ok && len(l) == 3 {
			return l[1]
		}
		return nil
	},
}}

func load(t *testing.T) (*cloudformation.Template, map[string]any) {
	t.Helper()
	data, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := goformation.ParseYAMLWithOptions(data, markers)
	if err != nil {
		t.Fatalf("goformation cannot parse template.yaml: %v", err)
	}
	processed, err := intrinsics.ProcessYAML(data, markers)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(processed, &raw); err != nil {
		t.Fatal(err)
	}
	return tpl, raw
}

// at walks a generic document: at(doc, "Resources", "X", "Properties").
func at(t *testing.T, doc any, path ...any) any {
	t.Helper()
	cur := doc
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				t.Fatalf("%v: not a map at %q", path, k)
			}
			cur = m[k]
		case int:
			l, ok := cur.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("%v: no item %d", path, k)
			}
			cur = l[k]
		}
	}
	return cur
}

func TestResourcesExist(t *testing.T) {
	tpl, _ := load(t)
	want := map[string]string{
		"ArticlesBucket": "AWS::S3::Bucket", "ArticlesBucketPolicy": "AWS::S3::BucketPolicy", "FeedsBucket": "AWS::S3::Bucket",
		"FeedsBucketPolicy": "AWS::S3::BucketPolicy", "IndexTable": "AWS::DynamoDB::Table", "IngestFailures": "AWS::SQS::Queue",
		"PublishFailures": "AWS::SQS::Queue", "IngestFunction": "AWS::Serverless::Function", "PublishFunction": "AWS::Serverless::Function",
		"FeedsOriginAccessControl": "AWS::CloudFront::OriginAccessControl", "FeedsCachePolicy": "AWS::CloudFront::CachePolicy",
		"SecurityHeadersPolicy": "AWS::CloudFront::ResponseHeadersPolicy", "JSONFeedsHeadersPolicy": "AWS::CloudFront::ResponseHeadersPolicy",
		"Distribution": "AWS::CloudFront::Distribution",
	}
	for name, typ := range want {
		r, ok := tpl.Resources[name]
		if !ok {
			t.Errorf("no resource %s", name)
			continue
		}
		if got := r.AWSCloudFormationType(); got != typ {
			t.Errorf("%s is %s, want %s", name, got, typ)
		}
	}
	if tpl.Transform == nil {
		t.Error("not a SAM template (no Transform)")
	}
	for _, out := range []string{"RSSFeedURL", "AtomFeedURL", "JSONFeedURL", "FeedsIndexURL"} {
		if _, ok := tpl.Outputs[out]; !ok {
			t.Errorf("no output %s", out)
		}
	}
	for _, p := range []string{"SiteTitle", "SiteBaseURL", "SiteLanguage", "SiteTimezone", "DomainName", "CertificateArn"} {
		if _, ok := tpl.Parameters[p]; !ok {
			t.Errorf("no parameter %s", p)
		}
	}
}

func TestFunctions(t *testing.T) {
	tpl, raw := load(t)
	for _, name := range []string{"IngestFunction", "PublishFunction"} {
		f, err := tpl.GetServerlessFunctionWithName(name)
		if err != nil {
			t.Fatal(err)
		}
		if deref(f.Runtime) != "provided.al2023" || !reflect.DeepEqual(f.Architectures, []string{"arm64"}) || deref(f.Handler) != "bootstrap" {
			t.Errorf("%s: runtime %q, architectures %v, handler %q", name, deref(f.Runtime), f.Architectures, deref(f.Handler))
		}
		code := at(t, raw, "Resources", name, "Properties", "CodeUri")
		if code != "bin/lambda/"+strings.ToLower(strings.TrimSuffix(name, "Function"))+".zip" {
			t.Errorf("%s CodeUri %v: the Makefile builds bin/lambda/*.zip", name, code)
		}
		env := f.Environment.Variables
		need := map[string][]string{"IngestFunction": {"PRESSROOM_TABLE", "PRESSROOM_ARTICLES_BUCKET", "PRESSROOM_CONFIG_KEY"},
			"PublishFunction": {"PRESSROOM_TABLE", "PRESSROOM_FEEDS_BUCKET"}}
		for _, v := range need[name] {
			if env[v] == "" {
				t.Errorf("%s lacks %s", name, v)
			}
		}
	}
	pub, _ := tpl.GetServerlessFunctionWithName("PublishFunction")
	if pub.ReservedConcurrentExecutions == nil || *pub.ReservedConcurrentExecutions != 1 {
		t.Error("publish is not serialised (ReservedConcurrentExecutions 1)")
	}
	if pub.Environment.Variables["PRESSROOM_FEEDS_BUCKET"] != "Ref:FeedsBucket" || pub.Environment.Variables["PRESSROOM_DISTRIBUTION_ID"] != "Ref:Distribution" {
		t.Errorf("publish environment %v", pub.Environment.Variables)
	}
}

func TestIngestEvents(t *testing.T) {
	_, raw := load(t)
	events := at(t, raw, "Resources", "IngestFunction", "Properties", "Events").(map[string]any)
	triggers := map[string]string{} // event type -> prefix
	schedules := 0
	for name, e := range events {
		if at(t, e, "Type") == "Schedule" {
			schedules++
			continue
		}
		if at(t, e, "Type") != "S3" {
			t.Errorf("event %s is %v", name, at(t, e, "Type"))
			continue
		}
		if at(t, e, "Properties", "Bucket") != "Ref:ArticlesBucket" {
			t.Errorf("event %s is not on the articles bucket", name)
		}
		kind := at(t, e, "Properties", "Events").(string)
		rules := at(t, e, "Properties", "Filter", "S3Key", "Rules").([]any)
		var prefix string
		for _, r := range rules {
			switch at(t, r, "Name") {
			case "prefix":
				prefix = at(t, r, "Value").(string)
			case "suffix":
				// S3 suffix filters are case sensitive: Story.MD would never
				// arrive. The function judges extensions itself.
				t.Errorf("event %s filters on a suffix (%v)", name, at(t, r, "Value"))
			}
		}
		if prefix == "" {
			t.Errorf("event %s is not filtered to a prefix: the functions' own writes would trigger it", name)
		}
		triggers[kind+" "+prefix] = name
	}
	for _, want := range []string{"s3:ObjectCreated:* Ref:ArticlesPrefix", "s3:ObjectRemoved:* Ref:ArticlesPrefix", "s3:ObjectCreated:* Ref:ConfigKey"} {
		if triggers[want] == "" {
			t.Errorf("no trigger %s", want)
		}
	}
	if schedules != 1 {
		t.Errorf("%d schedules on ingest: one finishes any unfinished re-parse", schedules)
	}
	dest := at(t, raw, "Resources", "IngestFunction", "Properties", "EventInvokeConfig", "DestinationConfig", "OnFailure")
	if at(t, dest, "Type") != "SQS" || at(t, dest, "Destination") != "GetAtt:IngestFailures.Arn" {
		t.Errorf("ingest on-failure destination %v", dest)
	}
}

func TestPublishEvents(t *testing.T) {
	_, raw := load(t)
	stream := at(t, raw, "Resources", "PublishFunction", "Properties", "Events", "IndexStream")
	props := at(t, stream, "Properties")
	// Read from the raw document: goformation drops a DynamoDB event's
	// typed properties when it meets keys it does not know
	// (FilterCriteria, FunctionResponseTypes), so its structs check nothing.
	checks := map[string]any{
		"Type": at(t, stream, "Type"), "Stream": at(t, props, "Stream"), "StartingPosition": at(t, props, "StartingPosition"),
		"Bisect": at(t, props, "BisectBatchOnFunctionError"), "Response": at(t, props, "FunctionResponseTypes", 0),
		"OnFailure": at(t, props, "DestinationConfig", "OnFailure", "Destination"),
		// Without Type, SAM grants no sqs:SendMessage: failed batches are lost.
		"OnFailureType": at(t, props, "DestinationConfig", "OnFailure", "Type"),
	}
	want := map[string]any{
		"Type": "DynamoDB", "Stream": "GetAtt:IndexTable.StreamArn", "StartingPosition": "TRIM_HORIZON",
		"Bisect": true, "Response": "ReportBatchItemFailures", "OnFailure": "GetAtt:PublishFailures.Arn", "OnFailureType": "SQS",
	}
	if !reflect.DeepEqual(checks, want) {
		t.Errorf("stream event %v, want %v", checks, want)
	}
	if w, ok := at(t, props, "MaximumBatchingWindowInSeconds").(float64); !ok || w < 1 {
		t.Error("no batching window: a burst of uploads would mean one publish each")
	}
	filters := at(t, props, "FilterCriteria", "Filters").([]any)
	var patterns []string
	for _, f := range filters {
		patterns = append(patterns, at(t, f, "Pattern").(string))
	}
	// The index owns its key layout: the filter is its StreamFilters.
	if !reflect.DeepEqual(patterns, dynamo.StreamFilters) {
		t.Errorf("stream filter %q, want dynamo.StreamFilters %q", patterns, dynamo.StreamFilters)
	}
	if at(t, raw, "Resources", "PublishFunction", "Properties", "Events", "Schedule", "Type") != "Schedule" {
		t.Error("no schedule for scheduled and expiring articles")
	}
}

func TestStorage(t *testing.T) {
	tpl, raw := load(t)
	articles, _ := tpl.GetS3BucketWithName("ArticlesBucket")
	if articles.VersioningConfiguration == nil || articles.VersioningConfiguration.Status != "Enabled" {
		t.Error("the articles bucket is not versioned")
	}
	for _, name := range []string{"ArticlesBucket", "FeedsBucket"} {
		b, _ := tpl.GetS3BucketWithName(name)
		pab := b.PublicAccessBlockConfiguration
		if pab == nil || !deref(pab.BlockPublicAcls) || !deref(pab.BlockPublicPolicy) || !deref(pab.IgnorePublicAcls) || !deref(pab.RestrictPublicBuckets) {
			t.Errorf("%s: public access not blocked", name)
		}
		if b.BucketEncryption == nil || len(b.BucketEncryption.ServerSideEncryptionConfiguration) == 0 {
			t.Errorf("%s: not encrypted", name)
		}
	}
	for _, policy := range []string{"ArticlesBucketPolicy", "FeedsBucketPolicy"} {
		stmts := at(t, raw, "Resources", policy, "Properties", "PolicyDocument", "Statement").([]any)
		tls := false
		for _, s := range stmts {
			if at(t, s, "Effect") == "Deny" && fmt.Sprint(at(t, s, "Condition")) == "map[Bool:map[aws:SecureTransport:false]]" {
				tls = true
			}
		}
		if !tls {
			t.Errorf("%s does not deny non-TLS access", policy)
		}
	}
	// The feeds bucket is read by CloudFront only, through OAC.
	stmts := at(t, raw, "Resources", "FeedsBucketPolicy", "Properties", "PolicyDocument", "Statement").([]any)
	s0 := stmts[0]
	if at(t, s0, "Principal", "Service") != "cloudfront.amazonaws.com" || !strings.Contains(fmt.Sprint(at(t, s0, "Condition")), "distribution/${Distribution}") {
		t.Errorf("feeds bucket policy %v", s0)
	}
	origin := at(t, raw, "Resources", "Distribution", "Properties", "DistributionConfig", "Origins", 0)
	if at(t, origin, "OriginAccessControlId") != "GetAtt:FeedsOriginAccessControl.Id" {
		t.Errorf("origin %v does not use OAC", origin)
	}
	table, _ := tpl.GetDynamoDBTableWithName("IndexTable")
	if deref(table.BillingMode) != "PAY_PER_REQUEST" || table.StreamSpecification == nil || table.StreamSpecification.StreamViewType != "NEW_AND_OLD_IMAGES" ||
		table.PointInTimeRecoverySpecification == nil || !deref(table.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled) {
		t.Errorf("index table: %+v", table)
	}
}

func TestCDN(t *testing.T) {
	_, raw := load(t)
	dc := at(t, raw, "Resources", "Distribution", "Properties", "DistributionConfig")
	def := at(t, dc, "DefaultCacheBehavior")
	if p := at(t, def, "ViewerProtocolPolicy"); p != "redirect-to-https" && p != "https-only" {
		t.Errorf("viewer protocol %v: HTTPS only", p)
	}
	if at(t, def, "Compress") != true || at(t, def, "CachePolicyId") != "Ref:FeedsCachePolicy" || at(t, def, "ResponseHeadersPolicyId") != "Ref:SecurityHeadersPolicy" {
		t.Errorf("default behaviour %v", def)
	}
	json := behaviour(t, dc, "*.json")
	if json == nil || at(t, json, "ResponseHeadersPolicyId") != "Ref:JSONFeedsHeadersPolicy" {
		t.Errorf("JSON behaviour %v", json)
	}
	cors := at(t, raw, "Resources", "JSONFeedsHeadersPolicy", "Properties", "ResponseHeadersPolicyConfig", "CorsConfig", "AccessControlAllowOrigins", "Items", 0)
	if cors != "*" {
		t.Errorf("CORS origins %v", cors)
	}
	cp := at(t, raw, "Resources", "FeedsCachePolicy", "Properties", "CachePolicyConfig")
	if at(t, cp, "MinTTL") != 0.0 {
		t.Error("the cache policy must honour origin Cache-Control (MinTTL 0)")
	}
	if at(t, dc, "DefaultRootObject") != "index.html" {
		t.Error("no default root object")
	}
	// The edge sends what the local server sends.
	sec := at(t, raw, "Resources", "SecurityHeadersPolicy", "Properties", "ResponseHeadersPolicyConfig", "SecurityHeadersConfig")
	if at(t, sec, "ContentSecurityPolicy", "ContentSecurityPolicy") != feed.PageSecurityPolicy ||
		at(t, sec, "ContentTypeOptions", "Override") != true || at(t, sec, "StrictTransportSecurity", "AccessControlMaxAgeSec") != 31536000.0 ||
		at(t, sec, "ReferrerPolicy", "ReferrerPolicy") != "strict-origin-when-cross-origin" || at(t, sec, "FrameOptions", "FrameOption") != "DENY" {
		t.Errorf("security headers %v", sec)
	}
	// Partners' RSS and Atom are pages in a browser too.
	partnerSec := at(t, raw, "Resources", "PartnerFeedsHeadersPolicy", "Properties", "ResponseHeadersPolicyConfig", "SecurityHeadersConfig")
	if at(t, partnerSec, "ContentSecurityPolicy", "ContentSecurityPolicy") != feed.PageSecurityPolicy || at(t, partnerSec, "FrameOptions", "FrameOption") != "DENY" {
		t.Errorf("partner security headers %v", partnerSec)
	}
	jsonSec := at(t, raw, "Resources", "JSONFeedsHeadersPolicy", "Properties", "ResponseHeadersPolicyConfig", "SecurityHeadersConfig")
	if at(t, jsonSec, "ContentTypeOptions", "Override") != true || at(t, jsonSec, "ReferrerPolicy", "ReferrerPolicy") != "strict-origin-when-cross-origin" ||
		at(t, jsonSec, "StrictTransportSecurity", "AccessControlMaxAgeSec") != 31536000.0 {
		t.Errorf("JSON security headers %v", jsonSec)
	}
	// As the local server: no page policy on the JSON feeds, which no
	// browser shows as a page.
	if _, ok := jsonSec.(map[string]any)["ContentSecurityPolicy"]; ok {
		t.Errorf("JSON feeds get a content security policy: %v", jsonSec)
	}
}

// behaviour returns the distribution's cache behaviour for a path pattern.
func behaviour(t *testing.T, dc any, pattern string) map[string]any {
	t.Helper()
	for _, b := range at(t, dc, "CacheBehaviors").([]any) {
		if at(t, b, "PathPattern") == pattern {
			return b.(map[string]any)
		}
	}
	return nil
}

// statements returns a function's inline policy statements.
func statements(t *testing.T, raw map[string]any, fn string) []map[string]any {
	var out []map[string]any
	for _, p := range at(t, raw, "Resources", fn, "Properties", "Policies").([]any) {
		for _, s := range at(t, p, "Statement").([]any) {
			out = append(out, s.(map[string]any))
		}
	}
	return out
}

func list(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, i := range x {
			out = append(out, fmt.Sprint(i))
		}
		return out
	}
	return nil
}

func TestLeastPrivilege(t *testing.T) {
	_, raw := load(t)
	for _, fn := range []string{"IngestFunction", "PublishFunction"} {
		for _, s := range statements(t, raw, fn) {
			for _, r := range list(s["Resource"]) {
				if r == "*" {
					t.Errorf("%s statement %v grants on every resource", fn, s["Sid"])
				}
			}
			for _, a := range list(s["Action"]) {
				if strings.HasSuffix(a, ":*") || a == "*" {
					t.Errorf("%s statement %v grants every action (%s)", fn, s["Sid"], a)
				}
			}
		}
	}
	// ingest cannot write feeds; publish cannot write articles.
	for _, s := range statements(t, raw, "IngestFunction") {
		for _, r := range list(s["Resource"]) {
			if strings.Contains(r, "FeedsBucket") {
				t.Errorf("ingest may touch the feeds bucket: %v", s)
			}
		}
	}
	// publish reads nothing of the articles bucket (its configuration is
	// in the index), nor of its own feeds bucket.
	for _, s := range statements(t, raw, "PublishFunction") {
		for _, r := range list(s["Resource"]) {
			if strings.Contains(r, "-articles-") {
				t.Errorf("publish may %v in the articles bucket", s["Action"])
			}
		}
		for _, a := range list(s["Action"]) {
			if a == "s3:GetObject" || a == "s3:ListBucket" {
				t.Errorf("publish may %s: its code never reads S3", a)
			}
		}
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// TestLambdaBinariesAvoidTemplateEngines keeps text/template (and so
// html/template) out of the Lambda binaries: its reflection keeps every
// exported method alive and more than doubled the publish binary.
func TestLambdaBinariesAvoidTemplateEngines(t *testing.T) {
	for _, fn := range []string{"ingest", "publish"} {
		out, err := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", "../../functions/"+fn).CombinedOutput()
		if err != nil {
			t.Fatalf("go list: %v\n%s", err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == "text/template" || dep == "html/template" {
				t.Errorf("functions/%s depends on %s", fn, dep)
			}
		}
	}
}

// TestAlarms: operators hear of trouble: each failure queue's depth, each
// function's errors and the stream's iterator age alarm to one topic, with
// an optional e-mail subscription.
func TestAlarms(t *testing.T) {
	_, raw := load(t)
	resources := at(t, raw, "Resources").(map[string]any)
	type watch struct{ namespace, metric, dimension string }
	seen := map[watch]bool{}
	for name, r := range resources {
		if at(t, r, "Type") != "AWS::CloudWatch::Alarm" {
			continue
		}
		p := at(t, r, "Properties")
		if actions := list(at(t, p, "AlarmActions")); len(actions) != 1 || actions[0] != "Ref:AlarmsTopic" {
			t.Errorf("alarm %s notifies %v", name, actions)
		}
		if at(t, p, "TreatMissingData") != "notBreaching" {
			t.Errorf("alarm %s fires on missing data", name)
		}
		dim := fmt.Sprint(at(t, p, "Dimensions", 0, "Value"))
		seen[watch{at(t, p, "Namespace").(string), at(t, p, "MetricName").(string), dim}] = true
	}
	for _, w := range []watch{
		{"AWS/SQS", "ApproximateNumberOfMessagesVisible", "GetAtt:IngestFailures.QueueName"},
		{"AWS/SQS", "ApproximateNumberOfMessagesVisible", "GetAtt:PublishFailures.QueueName"},
		{"AWS/Lambda", "Errors", "Ref:IngestFunction"},
		{"AWS/Lambda", "Errors", "Ref:PublishFunction"},
		{"AWS/Lambda", "IteratorAge", "Ref:PublishFunction"},
	} {
		if !seen[w] {
			t.Errorf("no alarm on %s %s of %s", w.namespace, w.metric, w.dimension)
		}
	}
	if at(t, raw, "Resources", "AlarmsTopic", "Type") != "AWS::SNS::Topic" {
		t.Error("no alarms topic")
	}
	sub := at(t, raw, "Resources", "AlarmsEmail")
	if at(t, sub, "Condition") != "HasAlarmEmail" || at(t, sub, "Properties", "Endpoint") != "Ref:AlarmEmail" {
		t.Errorf("e-mail subscription %v", sub)
	}
}
