package iam

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/pressroom/pressroom/internal/awstest"
)

// TestMapSNS maps the requests the SNS client really sends.
func TestMapSNS(t *testing.T) {
	rec, endpoint := newRecorder(t)
	c := sns.New(sns.Options{Region: "us-east-1", Credentials: testCreds, BaseEndpoint: aws.String(endpoint), Retryer: aws.NopRetryer{}})
	const topic = "arn:aws:sns:us-east-1:123456789012:feedback"
	for _, tc := range []struct {
		name string
		call func()
		want Call
	}{
		{"Publish", func() {
			c.Publish(t.Context(), &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("x"), Subject: aws.String("s")})
		}, Call{Action: "sns:Publish", Resource: topic}},
		{"Publish to a target", func() {
			c.Publish(t.Context(), &sns.PublishInput{TargetArn: aws.String(topic), Message: aws.String("x")})
		}, Call{Action: "sns:Publish", Resource: topic}},
		{"PublishBatch", func() {
			c.PublishBatch(t.Context(), &sns.PublishBatchInput{TopicArn: aws.String(topic),
				PublishBatchRequestEntries: []types.PublishBatchRequestEntry{{Id: aws.String("1"), Message: aws.String("x")}}})
		}, Call{Action: "sns:Publish", Resource: topic}},
		{"Subscribe", func() {
			c.Subscribe(t.Context(), &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("email"), Endpoint: aws.String("desk@example.org")})
		}, Call{Action: "sns:Subscribe", Resource: topic}},
		{"CreateTopic", func() { c.CreateTopic(t.Context(), &sns.CreateTopicInput{Name: aws.String("feedback")}) },
			Call{Action: "sns:CreateTopic", Resource: topic}},
		{"ListTopics", func() { c.ListTopics(t.Context(), &sns.ListTopicsInput{}) }, Call{Action: "sns:ListTopics", Resource: "*"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.call()
			got := rec.take(t)
			calls, err := testMapper.Map(ServiceSNS, got.req, got.body)
			if err != nil || !sameCalls(calls, []Call{tc.want}) {
				t.Errorf("got %v, %v; want %v", calls, err, tc.want)
			}
		})
	}
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	if _, err := testMapper.Map(ServiceSNS, r, []byte("Action=Publish&Message=x&Version=2010-03-31")); !errors.Is(err, ErrUnmapped) {
		t.Errorf("a Publish naming no topic: %v", err)
	}
}

const snsTemplate = `
Transform: AWS::Serverless-2016-10-31
Resources:
  Feedback: {Type: AWS::SNS::Topic, Properties: {TopicName: feedback}}
  Other: {Type: AWS::SNS::Topic, Properties: {TopicName: other}}
  Teller:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Statement:
            - Sid: Tell
              Effect: Allow
              Action: sns:Publish
              Resource: !Ref Feedback
  Mute:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Statement:
            - Sid: Nothing
              Effect: Allow
              Action: sns:ListTopics
              Resource: "*"
`

// TestProxySNS: a function may publish only to the topics its role
// names; a denial is SNS's AuthorizationError, and never reaches SNS.
func TestProxySNS(t *testing.T) {
	tpl := parse(t, snsTemplate, Params{})
	feedback, _ := tpl.Ref("Feedback")
	other, _ := tpl.Ref("Other")
	fake := awstest.NewSNS(feedback, other)
	upstream := httptest.NewServer(fake)
	t.Cleanup(upstream.Close)
	p := NewProxy(ServiceSNS, upstream.URL, tpl, ProxyOptions{Callers: map[string]string{"AKIDTELLER": "Teller", "AKIDMUTE": "Mute"}})
	client := func(key string) *sns.Client {
		return sns.New(sns.Options{Region: "us-east-1", BaseEndpoint: aws.String(serve(t, p)), Retryer: aws.NopRetryer{},
			Credentials: credentials.NewStaticCredentialsProvider(key, "secret", "")})
	}
	publish := func(c *sns.Client, topic string) error {
		_, err := c.Publish(t.Context(), &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("Rejected: articles/a.md")})
		return err
	}
	if err := publish(client("AKIDTELLER"), feedback); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ key, topic string }{{"AKIDTELLER", other}, {"AKIDMUTE", feedback}} {
		if code, status := apiError(publish(client(c.key), c.topic)); code != "AuthorizationError" || status != http.StatusForbidden {
			t.Errorf("%s publishing to %s: %s %d", c.key, c.topic, code, status)
		}
	}
	if vs := p.Violations(); len(vs) != 2 || vs[0].Action != "sns:Publish" || vs[0].Resource != other || vs[1].Function != "Mute" {
		t.Errorf("violations %+v", vs)
	}
	if n := len(fake.Messages()); n != 1 {
		t.Errorf("%d messages reached SNS, want 1", n)
	}
	if unused := tpl.Functions()["Teller"].Unused(); len(unused) != 0 {
		t.Errorf("Teller's grant not recorded as used: %v", unused)
	}
}
