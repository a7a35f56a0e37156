package iam

import "testing"

func TestEvaluate(t *testing.T) {
	src := `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Version: "2012-10-17"
          Statement:
            - Sid: ReadArticles
              Effect: Allow
              Action: [s3:GetObject, "s3:Get*Tagging"]
              Resource: arn:aws:s3:::articles/in/*
            - Sid: DenySecrets
              Effect: Deny
              Action: s3:*
              Resource: arn:aws:s3:::articles/in/secret/*
            - Sid: OneCharacter
              Effect: Allow
              Action: s3:PutObject
              Resource: arn:aws:s3:::articles/out/report-?.json
            - Sid: ListPrefixes
              Effect: Allow
              Action: s3:ListBucket
              Resource: arn:aws:s3:::articles
              Condition:
                StringLike: {"s3:prefix": ["in/*", "out/*"]}
                StringEquals: {"s3:delimiter": "/"}
            - Sid: EverythingButDelete
              Effect: Allow
              NotAction: [dynamodb:Delete*, "dynamodb:*Table"]
              Resource: arn:aws:dynamodb:us-east-1:123456789012:table/index
            - Sid: AnythingButIndex
              Effect: Allow
              Action: sqs:SendMessage
              NotResource: arn:aws:sqs:us-east-1:123456789012:private
            - Sid: TLSOnly
              Effect: Deny
              Action: sqs:*
              Resource: "*"
              Condition: {Bool: {"aws:SecureTransport": "false"}}
            - Sid: NotFromVPC
              Effect: Allow
              Action: cloudfront:CreateInvalidation
              Resource: "*"
              Condition: {StringNotEquals: {"aws:SourceVpc": [vpc-1, vpc-2]}}
            - Sid: TaggedIfAny
              Effect: Allow
              Action: cloudfront:GetInvalidation
              Resource: "*"
              Condition: {StringEqualsIfExists: {"aws:RequestTag/team": news}}
            - Sid: NoTagsAllowed
              Effect: Allow
              Action: cloudfront:ListInvalidations
              Resource: "*"
              Condition: {"Null": {"aws:RequestTag/team": "true"}}
            - Sid: FromTheStack
              Effect: Allow
              Action: events:PutEvents
              Resource: "*"
              Condition: {ArnLike: {"aws:SourceArn": "arn:aws:lambda:*:123456789012:function:stack-*"}}
`
	f := parse(t, src, Params{}).Functions()["Fn"]
	cases := []struct {
		name     string
		call     Call
		allowed  bool
		explicit bool
		by       string
	}{
		{"allowed by wildcard resource", Call{Action: "s3:GetObject", Resource: "arn:aws:s3:::articles/in/a.md"}, true, false, "ReadArticles"},
		{"actions are case-insensitive", Call{Action: "S3:getobject", Resource: "arn:aws:s3:::articles/in/a.md"}, true, false, "ReadArticles"},
		{"resources are case-sensitive", Call{Action: "s3:GetObject", Resource: "arn:aws:s3:::articles/IN/a.md"}, false, false, ""},
		{"wildcard inside an action", Call{Action: "s3:GetObjectVersionTagging", Resource: "arn:aws:s3:::articles/in/a.md"}, true, false, "ReadArticles"},
		{"implicit deny", Call{Action: "s3:PutObject", Resource: "arn:aws:s3:::articles/in/a.md"}, false, false, ""},
		{"deny wins over allow", Call{Action: "s3:GetObject", Resource: "arn:aws:s3:::articles/in/secret/k"}, false, true, "DenySecrets"},
		{"? is one character", Call{Action: "s3:PutObject", Resource: "arn:aws:s3:::articles/out/report-1.json"}, true, false, "OneCharacter"},
		{"? is not two", Call{Action: "s3:PutObject", Resource: "arn:aws:s3:::articles/out/report-12.json"}, false, false, ""},
		{"condition values are alternatives, keys all apply",
			Call{Action: "s3:ListBucket", Resource: "arn:aws:s3:::articles", Context: map[string]string{"s3:prefix": "out/x", "s3:delimiter": "/"}}, true, false, "ListPrefixes"},
		{"second key fails", Call{Action: "s3:ListBucket", Resource: "arn:aws:s3:::articles", Context: map[string]string{"s3:prefix": "out/x"}}, false, false, ""},
		{"no value matches", Call{Action: "s3:ListBucket", Resource: "arn:aws:s3:::articles", Context: map[string]string{"s3:prefix": "other/", "s3:delimiter": "/"}}, false, false, ""},
		{"condition keys are case-insensitive", Call{Action: "s3:ListBucket", Resource: "arn:aws:s3:::articles", Context: map[string]string{"S3:Prefix": "in/", "s3:Delimiter": "/"}}, true, false, "ListPrefixes"},
		{"NotAction allows the rest", Call{Action: "dynamodb:PutItem", Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/index"}, true, false, "EverythingButDelete"},
		{"NotAction excludes", Call{Action: "dynamodb:DeleteItem", Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/index"}, false, false, ""},
		{"NotAction excludes by wildcard", Call{Action: "dynamodb:DescribeTable", Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/index"}, false, false, ""},
		{"NotResource allows the rest", Call{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:123456789012:public"}, true, false, "AnythingButIndex"},
		{"NotResource excludes", Call{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:123456789012:private"}, false, false, ""},
		{"Bool deny applies", Call{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:123456789012:public", Context: map[string]string{"aws:SecureTransport": "False"}}, false, true, "TLSOnly"},
		{"Bool deny does not apply", Call{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:123456789012:public", Context: map[string]string{"aws:SecureTransport": "true"}}, true, false, "AnythingButIndex"},
		{"negated operator, key missing: true", Call{Action: "cloudfront:CreateInvalidation", Resource: "arn:aws:cloudfront::123456789012:distribution/E1"}, true, false, "NotFromVPC"},
		{"negated operator, no value matches", Call{Action: "cloudfront:CreateInvalidation", Resource: "x", Context: map[string]string{"aws:SourceVpc": "vpc-3"}}, true, false, "NotFromVPC"},
		{"negated operator, a value matches", Call{Action: "cloudfront:CreateInvalidation", Resource: "x", Context: map[string]string{"aws:SourceVpc": "vpc-2"}}, false, false, ""},
		{"IfExists, key missing", Call{Action: "cloudfront:GetInvalidation", Resource: "x"}, true, false, "TaggedIfAny"},
		{"IfExists, key present and wrong", Call{Action: "cloudfront:GetInvalidation", Resource: "x", Context: map[string]string{"aws:RequestTag/team": "sports"}}, false, false, ""},
		{"Null true, key missing", Call{Action: "cloudfront:ListInvalidations", Resource: "x"}, true, false, "NoTagsAllowed"},
		{"Null true, key present", Call{Action: "cloudfront:ListInvalidations", Resource: "x", Context: map[string]string{"aws:RequestTag/team": "news"}}, false, false, ""},
		{"ArnLike", Call{Action: "events:PutEvents", Resource: "x", Context: map[string]string{"aws:SourceArn": "arn:aws:lambda:eu-west-1:123456789012:function:stack-ingest"}}, true, false, "FromTheStack"},
		{"ArnLike, wildcard does not cross a colon", Call{Action: "events:PutEvents", Resource: "x", Context: map[string]string{"aws:SourceArn": "arn:aws:lambda:eu-west-1:123456789012:function:other:stack-x"}}, false, false, ""},
		{"positive operator, key missing: false", Call{Action: "events:PutEvents", Resource: "x"}, false, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := f.Evaluate(c.call)
			if d.Allowed != c.allowed || d.ExplicitDeny != c.explicit {
				t.Fatalf("allowed %v explicit %v (%s), want %v %v", d.Allowed, d.ExplicitDeny, d.By, c.allowed, c.explicit)
			}
			if c.by != "" && (len(d.By) < len(c.by) || d.By[:len(c.by)] != c.by) {
				t.Errorf("by %q, want %s", d.By, c.by)
			}
			if !d.Allowed && !d.ExplicitDeny && d.By == "" {
				t.Error("an implicit deny does not say why")
			}
		})
	}
}

func TestWildcard(t *testing.T) {
	for _, c := range []struct {
		p, s string
		want bool
	}{
		{"*", "", true}, {"*", "anything", true}, {"", "", true}, {"", "x", false},
		{"a*c", "abbbc", true}, {"a*c", "abbb", false}, {"a?c", "abc", true}, {"a?c", "ac", false},
		{"*/in/*", "arn:aws:s3:::b/in/x/y", true}, {"a**b", "ab", true}, {"é?", "éa", true},
	} {
		if got := wildcard(c.p, c.s); got != c.want {
			t.Errorf("wildcard(%q, %q) = %v", c.p, c.s, got)
		}
	}
}
