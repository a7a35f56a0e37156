package awstest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/pressroom/pressroom/internal/awstest"
)

// TestSNSStandIn: the SDK's own client publishes to the stand-in and
// reads its answers, and the stand-in refuses what SNS refuses, with the
// errors the SDK maps to SNS's exception types.
func TestSNSStandIn(t *testing.T) {
	const topic = "arn:aws:sns:us-east-1:123456789012:feedback"
	fake, client := awstest.FakeSNS(t, topic)
	out, err := client.Publish(t.Context(), &sns.PublishInput{TopicArn: aws.String(topic),
		Subject: aws.String("Published: ميزانية الثقافة"), Message: aws.String("“ميزانية الثقافة” is published.\n")})
	if err != nil {
		t.Fatal(err)
	}
	got := fake.Messages()
	if len(got) != 1 || got[0].MessageID != aws.ToString(out.MessageId) || got[0].Subject != "Published: ميزانية الثقافة" ||
		got[0].Message != "“ميزانية الثقافة” is published.\n" {
		t.Fatalf("recorded %+v, answered %q", got, aws.ToString(out.MessageId))
	}
	// Without a subject.
	if _, err := client.Publish(t.Context(), &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("x")}); err != nil {
		t.Error(err)
	}

	var notFound *types.NotFoundException
	if _, err := client.Publish(t.Context(), &sns.PublishInput{TopicArn: aws.String(topic + "-other"), Message: aws.String("x")}); !errors.As(err, &notFound) {
		t.Errorf("unknown topic: %v, want NotFound", err)
	}
	for name, in := range map[string]*sns.PublishInput{
		"a subject of 100 characters": {Subject: aws.String(strings.Repeat("é", 100)), Message: aws.String("x")},
		"a subject on two lines":      {Subject: aws.String("Rejected:\narticles/a.md"), Message: aws.String("x")},
		"a subject with a tab":        {Subject: aws.String("Rejected:\tarticles/a.md"), Message: aws.String("x")},
		"an empty subject":            {Subject: aws.String(""), Message: aws.String("x")},
		"an empty message":            {Message: aws.String("")},
		"a message over 256 KiB":      {Message: aws.String(strings.Repeat("a", 256*1024+1))},
	} {
		in.TopicArn = aws.String(topic)
		var invalid *types.InvalidParameterException
		if _, err := client.Publish(t.Context(), in); !errors.As(err, &invalid) {
			t.Errorf("%s: %v, want InvalidParameter", name, err)
		}
	}
	// The limits themselves pass.
	if _, err := client.Publish(t.Context(), &sns.PublishInput{TopicArn: aws.String(topic),
		Subject: aws.String(strings.Repeat("é", 99)), Message: aws.String(strings.Repeat("a", 256*1024))}); err != nil {
		t.Errorf("at the limits: %v", err)
	}
	if n := len(fake.Messages()); n != 3 {
		t.Errorf("%d messages recorded, want 3", n)
	}
}
