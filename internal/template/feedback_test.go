package template

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestFeedbackTopic: editors hear of rejections and first publications
// through one topic, with an optional e-mail subscription; the ingest
// function, which sends the messages, knows the topic and may publish to
// it and nothing else of SNS; publish may not publish at all.
func TestFeedbackTopic(t *testing.T) {
	tpl, raw := load(t)
	topic, err := tpl.GetSNSTopicWithName("FeedbackTopic")
	if err != nil {
		t.Fatal(err)
	}
	if topic.KmsMasterKeyId == nil || *topic.KmsMasterKeyId != "alias/aws/sns" {
		t.Errorf("the feedback topic is not encrypted with the AWS managed key (which lets the function publish without KMS grants): %v", topic.KmsMasterKeyId)
	}

	// The subscription exists only when an address is given.
	if p, ok := tpl.Parameters["FeedbackEmail"]; !ok || p.Default != "" {
		t.Errorf("parameter FeedbackEmail: %+v, want an optional one (default empty)", p)
	}
	// goformation resolves conditions: read this one from the source.
	data, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Conditions map[string]yaml.Node `yaml:"Conditions"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	cond := doc.Conditions["HasFeedbackEmail"]
	if out, _ := yaml.Marshal(&cond); strings.TrimSpace(string(out)) != `!Not [!Equals [!Ref FeedbackEmail, ""]]` {
		t.Errorf("condition HasFeedbackEmail: %s", out)
	}
	sub, err := tpl.GetSNSSubscriptionWithName("FeedbackEmailSubscription")
	if err != nil {
		t.Fatal(err)
	}
	if sub.AWSCloudFormationCondition != "HasFeedbackEmail" || sub.Protocol != "email" || deref(sub.Endpoint) != "Ref:FeedbackEmail" || sub.TopicArn != "Ref:FeedbackTopic" {
		t.Errorf("subscription: condition %q, protocol %q, endpoint %q, topic %q", sub.AWSCloudFormationCondition, sub.Protocol, deref(sub.Endpoint), sub.TopicArn)
	}
	if _, ok := tpl.Outputs["FeedbackTopicArn"]; !ok {
		t.Error("no output FeedbackTopicArn (operators subscribe more addresses to it)")
	}

	ingest, _ := tpl.GetServerlessFunctionWithName("IngestFunction")
	if got := ingest.Environment.Variables["PRESSROOM_FEEDBACK_TOPIC_ARN"]; got != "Ref:FeedbackTopic" {
		t.Errorf("ingest PRESSROOM_FEEDBACK_TOPIC_ARN %q", got)
	}
	// The messages list the feeds' URLs: ingest must know them as publish does.
	publish, _ := tpl.GetServerlessFunctionWithName("PublishFunction")
	if a, b := ingest.Environment.Variables["PRESSROOM_FEEDS_BASE_URL"], publish.Environment.Variables["PRESSROOM_FEEDS_BASE_URL"]; a != b || a == "" {
		t.Errorf("PRESSROOM_FEEDS_BASE_URL: ingest %q, publish %q", a, b)
	}
	if _, ok := publish.Environment.Variables["PRESSROOM_FEEDBACK_TOPIC_ARN"]; ok {
		t.Error("publish knows the feedback topic: it sends nothing")
	}

	// Least privilege: one statement, sns:Publish on the topic only.
	var grants [][2]string
	for _, s := range statements(t, raw, "IngestFunction") {
		for _, a := range list(s["Action"]) {
			if len(a) > 4 && a[:4] == "sns:" {
				for _, r := range list(s["Resource"]) {
					grants = append(grants, [2]string{a, r})
				}
			}
		}
	}
	if !reflect.DeepEqual(grants, [][2]string{{"sns:Publish", "Ref:FeedbackTopic"}}) {
		t.Errorf("ingest's SNS grants %v, want sns:Publish on the feedback topic only", grants)
	}
	for _, s := range statements(t, raw, "PublishFunction") {
		for _, a := range list(s["Action"]) {
			if len(a) > 4 && a[:4] == "sns:" {
				t.Errorf("publish may %s", a)
			}
		}
	}
}
