package awstest

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// SNS is a stand-in for Amazon SNS's Publish, speaking the Query API
// (form-encoded Action=Publish, TopicArn, Message, Subject; XML answers).
// It is as strict as SNS about what it accepts, and records every message
// it accepted. It is an http.Handler, safe for concurrent use.
//
// What it refuses, as SNS does: an action other than Publish or another
// API version (InvalidAction); a topic it was not given (NotFound, 404); a
// publish to a target or phone number instead of a topic, an empty message
// or one over 256 KiB, a subject of 100 characters or more, empty, or
// holding a line break or another control character, and text that is not
// UTF-8 (InvalidParameter).
type SNS struct {
	mu       sync.Mutex
	topics   map[string]bool
	messages []SNSMessage
}

// SNSMessage is one message SNS accepted.
type SNSMessage struct {
	TopicArn, Subject, Message, MessageID string
}

// SNS limits (Publish API reference).
const (
	snsMaxMessage = 256 * 1024 // bytes, UTF-8
	snsMaxSubject = 100        // characters: a subject must be shorter
	snsNamespace  = "http://sns.amazonaws.com/doc/2010-03-31/"
)

// NewSNS returns a stand-in holding the topics named by their ARNs.
func NewSNS(topicARNs ...string) *SNS {
	s := &SNS{topics: map[string]bool{}}
	for _, a := range topicARNs {
		s.topics[a] = true
	}
	return s
}

// FakeSNS starts the stand-in on loopback with the topics given and
// returns it with a client for it.
func FakeSNS(t testing.TB, topicARNs ...string) (*SNS, *sns.Client) {
	t.Helper()
	s := NewSNS(topicARNs...)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, SNSClient(srv.URL, "test")
}

// SNSClient returns a client for an SNS stand-in at endpoint, signing
// with the access key id key.
func SNSClient(endpoint, key string) *sns.Client {
	return sns.New(sns.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(key, "secret", "")})
}

// Messages returns the messages accepted so far, oldest first.
func (s *SNS) Messages() []SNSMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SNSMessage(nil), s.messages...)
}

// Reset forgets the messages accepted so far.
func (s *SNS) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = nil
}

type snsPublishResponse struct {
	XMLName   xml.Name `xml:"PublishResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	MessageID string   `xml:"PublishResult>MessageId"`
	RequestID string   `xml:"ResponseMetadata>RequestId"`
}

type snsErrorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Type    string   `xml:"Error>Type"`
	Code    string   `xml:"Error>Code"`
	Message string   `xml:"Error>Message"`
	ID      string   `xml:"RequestId"`
}

func (s *SNS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		snsError(w, http.StatusBadRequest, "InvalidAction", "SNS takes POST requests only")
		return
	}
	if err := r.ParseForm(); err != nil {
		snsError(w, http.StatusBadRequest, "MalformedQueryString", err.Error())
		return
	}
	f := r.Form
	if a := f.Get("Action"); a != "Publish" || f.Get("Version") != "2010-03-31" {
		snsError(w, http.StatusBadRequest, "InvalidAction", fmt.Sprintf("The action %s is not valid for this web service.", a))
		return
	}
	if msg := publishProblem(f); msg != "" {
		snsError(w, http.StatusBadRequest, "InvalidParameter", msg)
		return
	}
	topic := f.Get("TopicArn")
	s.mu.Lock()
	if !s.topics[topic] {
		s.mu.Unlock()
		snsError(w, http.StatusNotFound, "NotFound", "Topic does not exist")
		return
	}
	m := SNSMessage{TopicArn: topic, Subject: f.Get("Subject"), Message: f.Get("Message"),
		MessageID: fmt.Sprintf("00000000-0000-4000-8000-%012d", len(s.messages)+1)}
	s.messages = append(s.messages, m)
	s.mu.Unlock()
	body, _ := xml.Marshal(snsPublishResponse{Xmlns: snsNamespace, MessageID: m.MessageID, RequestID: "req-" + m.MessageID})
	w.Header().Set("Content-Type", "text/xml")
	w.Write(append([]byte(xml.Header), body...))
}

// publishProblem words what SNS refuses in a Publish's parameters, "" for
// nothing.
func publishProblem(f url.Values) string {
	switch {
	case f.Get("TopicArn") == "" && (f.Get("TargetArn") != "" || f.Get("PhoneNumber") != ""):
		return "Invalid parameter: this stand-in has topics only"
	case f.Get("TopicArn") == "":
		return "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"
	}
	msg := f.Get("Message")
	switch {
	case msg == "":
		return "Invalid parameter: Empty message"
	case len(msg) > snsMaxMessage:
		return "Invalid parameter: Message too long"
	case !utf8.ValidString(msg):
		return "Invalid parameter: Message Reason: not UTF-8"
	}
	if sub, ok := f["Subject"]; ok {
		s := strings.Join(sub, "")
		if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) >= snsMaxSubject || strings.IndexFunc(s, unicode.IsControl) >= 0 {
			return "Invalid parameter: Subject"
		}
	}
	return ""
}

func snsError(w http.ResponseWriter, status int, code, msg string) {
	typ := "Sender"
	if status >= 500 {
		typ = "Receiver"
	}
	body, _ := xml.Marshal(snsErrorResponse{Xmlns: snsNamespace, Type: typ, Code: code, Message: msg, ID: "req-error"})
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	w.Write(append([]byte(xml.Header), body...))
}
