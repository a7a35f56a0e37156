// Package snstopic is the handler.Notifier adapter for Amazon SNS: each
// message editors are sent is published to one topic, whose e-mail
// subscriptions deliver it.
package snstopic

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/pressroom/pressroom/internal/handler"
)

// Topic publishes to one SNS topic.
type Topic struct {
	client *sns.Client
	arn    string
}

var _ handler.Notifier = (*Topic)(nil)

// New returns a Topic publishing to the topic arn.
func New(client *sns.Client, arn string) *Topic {
	return &Topic{client: client, arn: arn}
}

// Notify implements handler.Notifier: one Publish, the subject becoming
// the e-mail's subject. The client's retryer retries throttling and
// transient errors.
func (t *Topic) Notify(ctx context.Context, m handler.Message) error {
	in := &sns.PublishInput{TopicArn: aws.String(t.arn), Message: aws.String(m.Text)}
	if m.Subject != "" {
		in.Subject = aws.String(m.Subject)
	}
	if _, err := t.client.Publish(ctx, in); err != nil {
		return fmt.Errorf("snstopic: publish %q: %w", m.Subject, err)
	}
	return nil
}
