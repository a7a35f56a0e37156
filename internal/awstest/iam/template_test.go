package iam

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

const resolveTemplate = `
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Prefix: {Type: String, Default: articles/}
  DomainName: {Type: String, Default: ""}
  Stage: {Type: String, Default: prod}
  Zones: {Type: CommaDelimitedList, Default: "a, b,c"}
  Count: {Type: Number, Default: 3}
Mappings:
  Sizes:
    prod: {Memory: 1024}
    dev: {Memory: 128}
Conditions:
  HasDomain: !Not [!Equals [!Ref DomainName, ""]]
  IsProd: !Equals [!Ref Stage, prod]
  ProdWithDomain: !And [!Condition HasDomain, {Condition: IsProd}]
  ProdOrDomain: !Or [!Condition HasDomain, !Condition IsProd]
Globals:
  Function:
    Runtime: provided.al2023
    Environment:
      Variables:
        GLOBAL: "yes"
        SHARED: global
Resources:
  Named:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${AWS::StackName}-named-${AWS::AccountId}"
  Unnamed:
    Type: AWS::S3::Bucket
  Chosen:
    Type: AWS::S3::Bucket
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      StreamSpecification: {StreamViewType: NEW_IMAGE}
  Queue:
    Type: AWS::SQS::Queue
    Properties: {QueueName: failures}
  Topic:
    Type: AWS::SNS::Topic
  Dist:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Aliases: !If [HasDomain, [!Ref DomainName], !Ref AWS::NoValue]
        Origins:
          - DomainName: !GetAtt Named.RegionalDomainName
  OnlyWithDomain:
    Type: AWS::SNS::Topic
    Condition: HasDomain
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          SHARED: local
          SUB_LIST: !Sub ["${Bucket}/${Prefix}x-${!Literal}-${Extra}", {Extra: !Select [1, !Ref Zones], Bucket: !Ref Named}]
          SUB_ATTR: !Sub "${Named.Arn}/*|${Table.StreamArn}|${Dist.DomainName}"
          GETATT_LIST: !GetAtt [Queue, Arn]
          GETATT_STRING: !GetAtt Queue.QueueName
          QUEUE_URL: !Ref Queue
          TOPIC: !Ref Topic
          JOIN: !Join ["-", [!Ref Stage, !Ref "AWS::Region", !Ref Count]]
          SPLIT_SELECT: !Select [2, !Split ["/", "a/b/c/d"]]
          IF_PROD: !If [IsProd, prod-value, other]
          AND: !If [ProdWithDomain, "yes", "no"]
          OR: !If [ProdOrDomain, "yes", "no"]
          MEMORY: !FindInMap [Sizes, !Ref Stage, Memory]
          PARTITION: !Sub "${AWS::Partition}:${AWS::URLSuffix}"
          BUCKET: !Ref Unnamed
          CHOSEN: !Ref Chosen
          B64: !Base64 hi
          GONE: !Ref AWS::NoValue
Outputs:
  Url:
    Value: !Sub "https://${Dist.DomainName}/"
  DomainOnly:
    Condition: HasDomain
    Value: !Ref DomainName
`

func parse(t *testing.T, src string, p Params) *Template {
	t.Helper()
	tpl, err := Parse([]byte(src), p)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func dig(t *testing.T, v any, path ...string) any {
	t.Helper()
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%v: not a mapping at %q", path, k)
		}
		v = m[k]
	}
	return v
}

func TestResolve(t *testing.T) {
	tpl := parse(t, resolveTemplate, Params{
		StackName:  "press",
		Parameters: map[string]string{"Prefix": "in/"},
		Physical:   map[string]string{"Dist": "E2ABCDEF", "Chosen": "chosen-bucket"},
	})
	env := tpl.Functions()["Fn"].Environment
	want := map[string]string{
		"GLOBAL":        "yes",
		"SHARED":        "local",
		"SUB_LIST":      "press-named-123456789012/in/x-${Literal}-b",
		"SUB_ATTR":      "arn:aws:s3:::press-named-123456789012/*|arn:aws:dynamodb:us-east-1:123456789012:table/press-Table/stream/2026-01-01T00:00:00.000|e2abcdef.cloudfront.net",
		"GETATT_LIST":   "arn:aws:sqs:us-east-1:123456789012:failures",
		"GETATT_STRING": "failures",
		"QUEUE_URL":     "https://sqs.us-east-1.amazonaws.com/123456789012/failures",
		"TOPIC":         "arn:aws:sns:us-east-1:123456789012:press-Topic",
		"JOIN":          "prod-us-east-1-3",
		"SPLIT_SELECT":  "c",
		"IF_PROD":       "prod-value",
		"AND":           "no",
		"OR":            "yes",
		"MEMORY":        "1024",
		"PARTITION":     "aws:amazonaws.com",
		"BUCKET":        "press-unnamed",
		"CHOSEN":        "chosen-bucket",
		"B64":           "aGk=",
	}
	if !reflect.DeepEqual(env, want) {
		for k := range want {
			if env[k] != want[k] {
				t.Errorf("%s = %q, want %q", k, env[k], want[k])
			}
		}
		for k := range env {
			if _, ok := want[k]; !ok {
				t.Errorf("unexpected %s = %q", k, env[k])
			}
		}
	}

	doc := tpl.Doc()
	if _, ok := dig(t, doc, "Resources", "Dist", "Properties", "DistributionConfig").(map[string]any)["Aliases"]; ok {
		t.Error("AWS::NoValue did not remove Aliases")
	}
	if got := dig(t, doc, "Resources", "Dist", "Properties", "DistributionConfig", "Origins").([]any)[0].(map[string]any)["DomainName"]; got != "press-named-123456789012.s3.us-east-1.amazonaws.com" {
		t.Errorf("RegionalDomainName = %v", got)
	}
	if _, ok := dig(t, doc, "Resources").(map[string]any)["OnlyWithDomain"]; ok {
		t.Error("a resource whose condition is false is in the document")
	}
	if _, ok := dig(t, doc, "Outputs").(map[string]any)["DomainOnly"]; ok {
		t.Error("an output whose condition is false is in the document")
	}
	if got := dig(t, doc, "Outputs", "Url", "Value"); got != "https://e2abcdef.cloudfront.net/" {
		t.Errorf("Outputs.Url = %v", got)
	}
	if got := dig(t, doc, "Conditions", "HasDomain"); got != false {
		t.Errorf("Conditions.HasDomain = %v", got)
	}
	if got := dig(t, doc, "Resources", "Fn", "Properties", "Runtime"); got != "provided.al2023" {
		t.Errorf("Globals not merged: Runtime = %v", got)
	}
	// Doc returns a copy.
	doc["Resources"] = nil
	if tpl.Doc()["Resources"] == nil {
		t.Error("Doc shares its maps")
	}
	if got, err := tpl.Ref("Named"); err != nil || got != "press-named-123456789012" {
		t.Errorf("Ref(Named) = %q, %v", got, err)
	}
	if got, err := tpl.GetAtt("Fn", "Arn"); err != nil || got != "arn:aws:lambda:us-east-1:123456789012:function:press-Fn" {
		t.Errorf("GetAtt(Fn, Arn) = %q, %v", got, err)
	}
}

func TestResolveWithDomain(t *testing.T) {
	tpl := parse(t, resolveTemplate, Params{
		Partition: "aws-cn", Region: "cn-north-1", AccountID: "111122223333",
		Parameters: map[string]string{"DomainName": "feeds.example.org", "Stage": "dev"},
		Physical:   map[string]string{"Dist": "E1"},
		Attributes: map[string]string{"Table.StreamArn": "arn:aws-cn:dynamodb:cn-north-1:111122223333:table/t/stream/label"},
	})
	env := tpl.Functions()["Fn"].Environment
	for k, want := range map[string]string{
		"AND": "no", "OR": "yes", "IF_PROD": "other",
		"PARTITION": "aws-cn:amazonaws.com.cn",
		"SUB_ATTR":  "arn:aws-cn:s3:::stack-named-111122223333/*|arn:aws-cn:dynamodb:cn-north-1:111122223333:table/t/stream/label|e1.cloudfront.net",
	} {
		if env[k] != want {
			t.Errorf("%s = %q, want %q", k, env[k], want)
		}
	}
	aliases := dig(t, tpl.Doc(), "Resources", "Dist", "Properties", "DistributionConfig", "Aliases")
	if !reflect.DeepEqual(aliases, []any{"feeds.example.org"}) {
		t.Errorf("Aliases = %v", aliases)
	}
	if _, ok := dig(t, tpl.Doc(), "Resources").(map[string]any)["OnlyWithDomain"]; !ok {
		t.Error("a resource whose condition is true is missing")
	}
}

func TestResolveMissing(t *testing.T) {
	// No physical id for the distribution: every use is reported, and the
	// error says what to set.
	_, err := Parse([]byte(resolveTemplate), Params{})
	if err == nil {
		t.Fatal("no error for a distribution without a physical id")
	}
	var missing *MissingError
	if !errors.As(err, &missing) || missing.Logical != "Dist" {
		t.Fatalf("error %v is not a MissingError for Dist", err)
	}
	if !strings.Contains(err.Error(), `Params.Physical["Dist"]`) || !strings.Contains(err.Error(), "Resources.Fn.Properties.Environment.Variables.SUB_ATTR") {
		t.Errorf("error does not say where and what: %v", err)
	}

	for _, tc := range []struct{ name, src, want string }{
		{"unknown attribute", `
Resources:
  Thing: {Type: AWS::Events::Rule}
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Environment: {Variables: {X: !GetAtt Thing.Arn}}}`, `Params.Attributes["Thing.Arn"]`},
		{"unknown ref", `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Environment: {Variables: {X: !Ref Nope}}}`, "Nope: no such parameter or resource"},
		{"no stream", `
Resources:
  T: {Type: AWS::DynamoDB::Table}
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Environment: {Variables: {X: !GetAtt T.StreamArn}}}`, "no StreamSpecification"},
		{"parameter without default", `
Parameters: {P: {Type: String}}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Environment: {Variables: {X: !Ref P}}}`, `Params.Parameters["P"]`},
		{"condition cycle", `
Conditions:
  A: !Condition B
  B: !Not [!Condition A]
Resources: {}`, "refers to itself"},
		{"unknown tag", `
Resources:
  Fn: {Type: AWS::Serverless::Function, Properties: {X: !Bogus y}}`, "unknown tag !Bogus"},
		{"resource not created", `
Conditions:
  No: !Equals [a, b]
Resources:
  Q: {Type: AWS::SQS::Queue, Condition: No}
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Environment: {Variables: {X: !GetAtt Q.Arn}}}`, "its condition is false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.src), Params{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}

	_, err = Parse([]byte(resolveTemplate), Params{Physical: map[string]string{"Dist": "E1"}, Parameters: map[string]string{"Nope": "x"}})
	if err == nil || !strings.Contains(err.Error(), `Params.Parameters["Nope"]`) {
		t.Errorf("an unknown parameter override: %v", err)
	}
}

func TestJSONTemplate(t *testing.T) {
	src := `{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Join": ["", ["x-", {"Ref": "AWS::Region"}]]}}},
	  "Fn": {"Type": "AWS::Serverless::Function", "Properties": {"Environment": {"Variables": {"B": {"Fn::GetAtt": ["B", "Arn"]}}}}}}}`
	tpl := parse(t, src, Params{Region: "eu-west-3"})
	if got := tpl.Functions()["Fn"].Environment["B"]; got != "arn:aws:s3:::x-eu-west-3" {
		t.Errorf("B = %q", got)
	}
}

// TestRealTemplate loads the repository's template.yaml, which another
// change may be editing: it checks only that it loads and that both
// functions resolve, filling in whatever physical values it asks for as
// the harness would.
func TestRealTemplate(t *testing.T) {
	data, err := os.ReadFile("../../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := Params{StackName: "pressroom-test", Physical: map[string]string{}, Attributes: map[string]string{}}
	var tpl *Template
	for range 10 {
		tpl, err = Parse(data, p)
		var missing []*MissingError
		for _, e := range flatten(err) {
			var m *MissingError
			if errors.As(e, &m) {
				missing = append(missing, m)
			}
		}
		if err == nil || len(missing) == 0 {
			break
		}
		for _, m := range missing {
			if m.Attribute == "" {
				p.Physical[m.Logical] = "TEST" + strings.ToUpper(m.Logical)
			} else {
				p.Attributes[m.Logical+"."+m.Attribute] = "test-" + m.Logical + "-" + m.Attribute
			}
		}
	}
	if err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	t.Logf("physical values the test bed had to choose: %v %v", p.Physical, p.Attributes)
	for _, w := range tpl.Warnings() {
		t.Log(w)
	}
	fns := tpl.Functions()
	for _, id := range []string{"IngestFunction", "PublishFunction"} {
		f := fns[id]
		if f == nil {
			t.Fatalf("no %s in template.yaml", id)
		}
		if f.Name == "" || len(f.Policy) == 0 || len(f.Environment) == 0 {
			t.Errorf("%s: name %q, %d statements, %d variables", id, f.Name, len(f.Policy), len(f.Environment))
		}
		if d := f.Evaluate(Call{Action: "logs:PutLogEvents", Resource: "arn:aws:logs:us-east-1:123456789012:log-group:x"}); !d.Allowed {
			t.Errorf("%s cannot write logs: %s", id, d.By)
		}
	}
}

// flatten unpacks errors.Join.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// TestCloudFrontFunctionAndStore: the partners' edge resources resolve, the
// store's id coming from Physical as CloudFormation would generate it.
func TestCloudFrontFunctionAndStore(t *testing.T) {
	src := `
Resources:
  Keys:
    Type: AWS::CloudFront::KeyValueStore
    Properties: {Name: !Join ["-", ["keys", !Select [2, !Split ["/", !Ref AWS::StackId]]]]}
  Fn:
    Type: AWS::CloudFront::Function
    Properties:
      Name: !Join ["-", ["partners", !Select [2, !Split ["/", !Ref AWS::StackId]]]]
      FunctionConfig: {Comment: x, Runtime: cloudfront-js-2.0, KeyValueStoreAssociations: [{KeyValueStoreARN: !GetAtt Keys.Arn}]}
      FunctionCode: !Sub ["var kvs = cf.kvs('${KvsId}');", {KvsId: !GetAtt Keys.Id}]
Outputs:
  Fn: {Value: !GetAtt Fn.FunctionARN}
`
	if _, err := Parse([]byte(src), Params{StackName: "press"}); err == nil || !strings.Contains(err.Error(), `"Keys.Id"`) {
		t.Errorf("without the store's id: %v", err)
	}
	tpl := parse(t, src, Params{StackName: "press", AccountID: "123456789012", Physical: map[string]string{"Keys": "kvs-1"}})
	doc := tpl.Doc()
	if got := dig(t, doc, "Resources", "Fn", "Properties", "FunctionCode"); got != "var kvs = cf.kvs('kvs-1');" {
		t.Errorf("code %q", got)
	}
	if got := dig(t, doc, "Resources", "Fn", "Properties", "FunctionConfig").(map[string]any)["KeyValueStoreAssociations"].([]any)[0].(map[string]any)["KeyValueStoreARN"]; got != "arn:aws:cloudfront::123456789012:key-value-store/kvs-1" {
		t.Errorf("store ARN %q", got)
	}
	if got := dig(t, doc, "Outputs", "Fn", "Value"); got != "arn:aws:cloudfront::123456789012:function/partners-00000000-0000-0000-0000-000000000000" {
		t.Errorf("function ARN %q", got)
	}
}
