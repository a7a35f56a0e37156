package e2e

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"

	"github.com/pressroom/pressroom/internal/awstest"
)

// textReport returns the plain-text twin of a file's report.
func (b *bed) textReport(key string) string {
	out, err := b.s3.GetObject(b.t.Context(), &s3.GetObjectInput{Bucket: aws.String(b.articles), Key: aws.String("reports/" + key + ".txt")})
	if err != nil {
		return ""
	}
	defer out.Body.Close()
	data, _ := io.ReadAll(out.Body)
	return string(data)
}

// messages takes what the feedback topic received since the last call.
func (b *bed) messages() []awstest.SNSMessage {
	out := b.sns.Messages()
	b.sns.Reset()
	return out
}

// TestEditorsFeedback: an editor learns what happened without reading
// JSON: a rejected upload reaches the feedback topic (through SNS's Query
// API, under IAM as template.yaml grants it) with each problem and what
// stays published; an article's first publication with the URLs of the
// feeds it entered, every one of them written; the report's text twin
// holds the same words. Only ingest may publish to the topic.
func TestEditorsFeedback(t *testing.T) {
	b := newBed(t, options{})
	topic, _ := b.tpl.Ref("FeedbackTopic")
	b.put("config/pressroom.yaml", siteConfig)
	b.settle()
	b.messages()

	// Rejected, with nothing published before.
	b.put("articles/greve.md", "---\ntitle: \"Grève des transports\"\ndate: jeudi prochain\nlang: fr\n---\n\nLes syndicats appellent à la grève.\n")
	b.settle()
	msgs := b.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages for one rejection: %+v\n%s", len(msgs), msgs, b.ingest[0].logs.String())
	}
	m := msgs[0]
	t.Logf("rejection:\nSubject: %s\n\n%s", m.Subject, m.Message)
	if m.TopicArn != topic || m.Subject != "Rejected: articles/greve.md" || !strings.Contains(m.Message, "\n- date, line 3: ") ||
		!strings.Contains(m.Message, "\nNothing is published for this file.\n") || strings.Contains(m.Message, "stays published") {
		t.Errorf("rejection message %+v", m)
	}
	if txt := b.textReport("articles/greve.md"); txt != m.Message {
		t.Errorf("the text report differs from the message:\n%s", txt)
	}

	// Fixed: its first publication, with the feeds it entered.
	b.put("articles/greve.md", "---\ntitle: \"Grève des transports : le trafic sera perturbé jeudi\"\ndate: 2026-03-17T07:45:00+01:00\nlang: fr\ntags: [transports]\n---\n\nLes syndicats appellent à la grève.\n")
	b.settle()
	msgs = b.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages for one first publication: %+v", len(msgs), msgs)
	}
	m = msgs[0]
	t.Logf("first publication:\nSubject: %s\n\n%s", m.Subject, m.Message)
	if m.Subject != "Published: Grève des transports : le trafic sera perturbé jeudi" {
		t.Errorf("subject %q", m.Subject)
	}
	var urls []string
	for _, line := range strings.Split(m.Message, "\n") {
		if _, u, ok := strings.Cut(line, ": https://feeds.example.org/"); ok && strings.HasPrefix(line, "  ") {
			urls = append(urls, u)
		}
	}
	want := []string{"feed.xml", "atom.xml", "feed.json", "tags/transports/feed.xml", "tags/transports/atom.xml", "tags/transports/feed.json",
		"languages/fr/feed.xml", "languages/fr/atom.xml", "languages/fr/feed.json"}
	if strings.Join(urls, " ") != strings.Join(want, " ") {
		t.Errorf("feed URLs %q, want %q", urls, want)
	}
	for _, u := range urls {
		if !strings.Contains(b.feed(u), "Grève des transports") {
			t.Errorf("the message lists %s, which does not hold the article", u)
		}
	}
	if txt := b.textReport("articles/greve.md"); txt != m.Message {
		t.Errorf("the text report differs from the message:\n%s", txt)
	}

	// An edit is not announced; a rejected edit says the last good version stays.
	b.put("articles/greve.md", "---\ntitle: \"Grève des transports : le trafic sera perturbé jeudi\"\ndate: 2026-03-17T07:45:00+01:00\nlang: fr\ntags: [transports]\n---\n\nLes syndicats appellent à la grève, dit-on.\n")
	b.settle()
	if msgs := b.messages(); len(msgs) != 0 {
		t.Errorf("an edit was announced: %+v", msgs)
	}
	b.put("articles/greve.md", "---\ntitle: \"\"\ndate: 2026-03-17\n---\n\nx\n")
	b.settle()
	msgs = b.messages()
	if len(msgs) != 1 || !strings.Contains(msgs[0].Message, "\nThe last good version stays published: “Grève des transports : le trafic sera perturbé jeudi”.\n") {
		t.Errorf("rejected edit: %+v", msgs)
	}

	// SNS judges too: only ingest's role may publish to the topic. Publish
	// is refused as SNS refuses it, and the call never reaches the topic.
	client := sns.New(sns.Options{Region: region, BaseEndpoint: aws.String(b.snsURL), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider(publishKey, "secret", "")})
	_, err := client.Publish(t.Context(), &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("from publish")})
	var ae smithy.APIError
	var re *awshttp.ResponseError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AuthorizationError" || !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusForbidden {
		t.Errorf("publish's role publishing to the topic: %v", err)
	}
	if msgs := b.messages(); len(msgs) != 0 {
		t.Errorf("a denied publish reached the topic: %+v", msgs)
	}
	vs := b.snsProxy.Violations()
	if len(vs) != 1 || vs[0].Function != "PublishFunction" || vs[0].Action != "sns:Publish" || vs[0].Resource != topic {
		t.Fatalf("violations %+v", vs)
	}
	// That denial was the point: the bed's judge must not count it.
	b.snsProxy.Reset()
}
