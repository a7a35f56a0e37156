package snstopic_test

import (
	"testing"

	"github.com/pressroom/pressroom/internal/awstest"
	"github.com/pressroom/pressroom/internal/handler"
	"github.com/pressroom/pressroom/internal/snstopic"
)

func TestNotify(t *testing.T) {
	const topic = "arn:aws:sns:us-east-1:123456789012:feedback"
	fake, client := awstest.FakeSNS(t, topic)
	m := handler.Message{Subject: "Rejected: articles/greve.md", Text: "Rejected: articles/greve.md\n\n- date, line 3: « demain » is not a date\n"}
	if err := snstopic.New(client, topic).Notify(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	if got := fake.Messages(); len(got) != 1 || got[0].Subject != m.Subject || got[0].Message != m.Text || got[0].TopicArn != topic {
		t.Errorf("published %+v", got)
	}
	if err := snstopic.New(client, topic+"-gone").Notify(t.Context(), m); err == nil {
		t.Error("publishing to a missing topic succeeded")
	}
}
