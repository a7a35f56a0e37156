package iam

import (
	"reflect"
	"strings"
	"testing"
)

const samTemplate = `
Transform: AWS::Serverless-2016-10-31
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: index
      StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}
  Failures: {Type: AWS::SQS::Queue, Properties: {QueueName: failures}}
  Alarms: {Type: AWS::SNS::Topic, Properties: {TopicName: alarms}}
  Feeds: {Type: AWS::S3::Bucket, Properties: {BucketName: feeds}}
  Other: {Type: AWS::Serverless::Function, Properties: {FunctionName: other}}

  # An event source whose OnFailure has no Type: SAM grants nothing.
  Untyped:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Version: "2012-10-17"
          Statement:
            Sid: Read
            Effect: Allow
            Action: dynamodb:GetItem
            Resource: !GetAtt Table.Arn
      Events:
        Stream:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: TRIM_HORIZON
            DestinationConfig:
              OnFailure:
                Destination: !GetAtt Failures.Arn

  # The same with Type: SAM grants sqs:SendMessage on the queue.
  Typed:
    Type: AWS::Serverless::Function
    Properties:
      Policies: AWSXRayDaemonWriteAccess
      Events:
        Stream:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: TRIM_HORIZON
            DestinationConfig:
              OnFailure:
                Type: SQS
                Destination: !GetAtt Failures.Arn
      EventInvokeConfig:
        DestinationConfig:
          OnSuccess:
            Type: SNS
            Destination: !Ref Alarms
          OnFailure:
            Type: Lambda
            Destination: !GetAtt Other.Arn

  # Asynchronous invocation destinations without Type: nothing either.
  AsyncUntyped:
    Type: AWS::Serverless::Function
    Properties:
      EventInvokeConfig:
        DestinationConfig:
          OnFailure:
            Destination: !GetAtt Failures.Arn
      DeadLetterQueue:
        Type: SNS
        TargetArn: !Ref Alarms

  Templates:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - DynamoDBCrudPolicy: {TableName: !Ref Table}
        - DynamoDBReadPolicy: {TableName: other-table}
        - DynamoDBWritePolicy: {TableName: !Ref Table}
        - DynamoDBStreamReadPolicy: {TableName: !Ref Table, StreamName: "*"}
        - S3ReadPolicy: {BucketName: !Ref Feeds}
        - S3WritePolicy: {BucketName: writes}
        - S3CrudPolicy: {BucketName: crud}
        - SQSSendMessagePolicy: {QueueName: !GetAtt Failures.QueueName}
        - SNSPublishMessagePolicy: {TopicName: alarms}
        - LambdaInvokePolicy: {FunctionName: !Ref Other}
        - CloudWatchPutMetricPolicy: {}
        - arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole
        - Statement:
            - Effect: Deny
              Action: dynamodb:DeleteItem
              Resource: "*"
`

func TestSAMRoles(t *testing.T) {
	tpl := parse(t, samTemplate, Params{})
	fns := tpl.Functions()
	const (
		table = "arn:aws:dynamodb:us-east-1:123456789012:table/index"
		queue = "arn:aws:sqs:us-east-1:123456789012:failures"
		topic = "arn:aws:sns:us-east-1:123456789012:alarms"
		other = "arn:aws:lambda:us-east-1:123456789012:function:other"
	)
	cases := []struct {
		fn, action, resource string
		allowed              bool
	}{
		// What SAM always adds.
		{"Untyped", "logs:CreateLogStream", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:*", true},
		// The DynamoDB event adds AWSLambdaDynamoDBExecutionRole.
		{"Untyped", "dynamodb:GetRecords", table + "/stream/2026-01-01T00:00:00.000", true},
		{"Untyped", "dynamodb:ListStreams", "*", true},
		{"Untyped", "dynamodb:GetItem", table, true},
		{"Untyped", "dynamodb:PutItem", table, false},
		// OnFailure without Type: no send permission.
		{"Untyped", "sqs:SendMessage", queue, false},
		// With Type: the send permission on exactly that queue.
		{"Typed", "sqs:SendMessage", queue, true},
		{"Typed", "sqs:SendMessage", queue + "-other", false},
		{"Typed", "sns:Publish", topic, true},
		{"Typed", "lambda:InvokeFunction", other, true},
		{"Typed", "xray:PutTraceSegments", "*", true},
		{"AsyncUntyped", "sqs:SendMessage", queue, false},
		{"AsyncUntyped", "sns:Publish", topic, true}, // DeadLetterQueue
		{"AsyncUntyped", "dynamodb:GetRecords", table + "/stream/x", false},
		// Policy templates, as policy_templates.json expands them.
		{"Templates", "dynamodb:ConditionCheckItem", table, true},
		{"Templates", "dynamodb:Query", table + "/index/byDate", true},
		{"Templates", "dynamodb:DeleteItem", table, false}, // the explicit Deny wins
		{"Templates", "dynamodb:Scan", "arn:aws:dynamodb:us-east-1:123456789012:table/other-table", true},
		{"Templates", "dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:123456789012:table/other-table", false},
		{"Templates", "dynamodb:DescribeStream", table + "/stream/2026", true},
		{"Templates", "s3:ListBucket", "arn:aws:s3:::feeds", true},
		{"Templates", "s3:GetObject", "arn:aws:s3:::feeds/a/b", true},
		{"Templates", "s3:PutObject", "arn:aws:s3:::feeds/a/b", false},
		{"Templates", "s3:PutObject", "arn:aws:s3:::writes/a", true},
		{"Templates", "s3:GetObject", "arn:aws:s3:::writes/a", false},
		{"Templates", "s3:DeleteObject", "arn:aws:s3:::crud/a", true},
		{"Templates", "sqs:SendMessageBatch", queue, true},
		{"Templates", "sns:Publish", topic, true},
		{"Templates", "lambda:InvokeFunction", other + ":live", true},
		{"Templates", "cloudwatch:PutMetricData", "*", true},
		{"Templates", "sqs:ReceiveMessage", "arn:aws:sqs:us-east-1:123456789012:any", true},
	}
	for _, c := range cases {
		d := fns[c.fn].Evaluate(Call{Action: c.action, Resource: c.resource})
		if d.Allowed != c.allowed {
			t.Errorf("%s %s on %s: allowed = %v (%s), want %v", c.fn, c.action, c.resource, d.Allowed, d.By, c.allowed)
		}
	}
	if ws := tpl.Warnings(); len(ws) != 0 {
		t.Errorf("warnings: %v", ws)
	}
}

func TestSAMGrants(t *testing.T) {
	tpl := parse(t, samTemplate, Params{})
	f := tpl.Functions()["Untyped"]
	want := []Grant{{Statement: "Read (Policies[0].Statement[0])", Action: "dynamodb:GetItem",
		Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/index"}}
	if got := f.Grants(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Grants = %v, want %v (SAM-added statements are not grants)", got, want)
	}
	if got := f.Unused(); !reflect.DeepEqual(got, want) {
		t.Errorf("Unused before any call = %v", got)
	}
	// A call allowed only by what SAM added uses no grant.
	f.Record(f.Evaluate(Call{Action: "dynamodb:GetRecords", Resource: "arn:x"}))
	if len(f.Used()) != 0 {
		t.Errorf("Used = %v", f.Used())
	}
	d := f.Evaluate(Call{Action: "dynamodb:GetItem", Resource: want[0].Resource})
	if !d.Allowed || d.By != want[0].Statement || !reflect.DeepEqual(d.Grants, want) {
		t.Fatalf("decision %+v", d)
	}
	f.Record(d)
	if len(f.Unused()) != 0 || !reflect.DeepEqual(f.Used(), want) {
		t.Errorf("after use: Used %v, Unused %v", f.Used(), f.Unused())
	}
	f.ResetUsage()
	if len(f.Used()) != 0 {
		t.Errorf("ResetUsage kept %v", f.Used())
	}
	// The DynamoDB CRUD template: one grant per action and resource.
	if n := len(tpl.Functions()["Templates"].Grants()); n < 20 {
		t.Errorf("Templates has %d grants", n)
	}
}

func TestSAMErrors(t *testing.T) {
	for _, tc := range []struct{ name, policies, want string }{
		{"unknown template", "- NoSuchPolicy: {X: y}", `unknown SAM policy template or policy "NoSuchPolicy"`},
		{"unknown managed policy", "- AmazonS3FullAccess", `unknown managed policy "AmazonS3FullAccess"`},
		{"missing template parameter", "- DynamoDBCrudPolicy: {}", "DynamoDBCrudPolicy needs the parameter TableName"},
		{"bad effect", "- Statement: [{Effect: Maybe, Action: x:Y, Resource: '*'}]", "neither Allow nor Deny"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Policies:\n        " + tc.policies + "\n"
			_, err := Parse([]byte(src), Params{})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "Fn") {
				t.Errorf("error %v, want one naming Fn and containing %q", err, tc.want)
			}
		})
	}
	src := `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        S:
          Type: DynamoDB
          Properties: {Stream: arn:x, DestinationConfig: {OnFailure: {Type: Lambda, Destination: arn:y}}}`
	if _, err := Parse([]byte(src), Params{}); err == nil || !strings.Contains(err.Error(), "SAM accepts only SQS and SNS") {
		t.Errorf("an event OnFailure of Type Lambda: %v", err)
	}
}

func TestSAMWarnings(t *testing.T) {
	src := `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Statement:
            - Sid: Numeric
              Effect: Allow
              Action: s3:GetObject
              Resource: "*"
              Condition: {NumericLessThan: {"s3:max-keys": "10"}}
            - Sid: DenyDates
              Effect: Deny
              Action: s3:PutObject
              Resource: "*"
              Condition: {DateGreaterThan: {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}
            - Sid: AllowPut
              Effect: Allow
              Action: s3:*
              Resource: "*"
  Explicit:
    Type: AWS::Serverless::Function
    Properties:
      Role: arn:aws:iam::123456789012:role/custom
`
	tpl := parse(t, src, Params{})
	ws := tpl.Warnings()
	joined := ""
	for _, w := range ws {
		joined += w.Error() + "\n"
	}
	for _, want := range []string{"NumericLessThan is not supported: this Allow never applies",
		"DateGreaterThan is not supported: this Deny always applies", "explicit Role"} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings lack %q:\n%s", want, joined)
		}
	}
	f := tpl.Functions()["Fn"]
	if d := f.Evaluate(Call{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k"}); d.Allowed || !d.ExplicitDeny {
		t.Errorf("a Deny with an unsupported operator must apply: %+v", d)
	}
	if d := f.Evaluate(Call{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}); !d.Allowed || !strings.HasPrefix(d.By, "AllowPut") {
		t.Errorf("GetObject allowed by %q, want AllowPut (the unsupported Allow does not apply)", d.By)
	}
	if d := tpl.Functions()["Explicit"].Evaluate(Call{Action: "logs:PutLogEvents", Resource: "*"}); d.Allowed {
		t.Error("a function with an explicit Role is allowed something")
	}
}
