package awstest

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
)

// CloudFront is a stand-in for Amazon CloudFront's CreateInvalidation
// (REST-XML, POST /2020-05-31/distribution/{id}/invalidation). It is as
// strict as CloudFront about what it accepts, and records every
// invalidation it created. It is an http.Handler, safe for concurrent use.
//
// What it refuses, as CloudFront does: another operation or API version
// (404), a distribution it was not given (NoSuchDistribution, 404), a body
// that is missing or not an InvalidationBatch (MissingBody,
// MalformedInput), a Quantity that is not the number of paths
// (InconsistentQuantities), no paths, an empty CallerReference, a path not
// starting with "/" or with a "*" other than a last character
// (InvalidArgument), more than 3,000 paths (BatchTooLarge, 413), and a
// CallerReference sent before with other paths
// (InvalidationBatchAlreadyExists, 409); the same reference with the same
// paths creates nothing and answers the first invalidation, as CloudFront
// does with a retried request. It also refuses a path holding characters
// CloudFront says must be percent-encoded (non-ASCII, controls, spaces
// and RFC 1738's unsafe characters but "~", which RFC 3986 made
// unreserved): CloudFront would accept it and match no object, so the
// invalidation would silently do nothing.
type CloudFront struct {
	mu            sync.Mutex
	distributions map[string]bool
	refs          map[string]Invalidation // by distribution and caller reference, all ever created
	created       []Invalidation          // since Reset
	requests      int
}

// Invalidation is one invalidation CloudFront created.
type Invalidation struct {
	ID, Distribution, CallerReference string
	Paths                             []string
}

// MaxInvalidationPaths is CloudFront's limit of paths in one request.
const MaxInvalidationPaths = 3000

const cloudFrontNamespace = "http://cloudfront.amazonaws.com/doc/2020-05-31/"

// NewCloudFront returns a stand-in holding the distributions given.
func NewCloudFront(distributions ...string) *CloudFront {
	c := &CloudFront{distributions: map[string]bool{}, refs: map[string]Invalidation{}}
	for _, d := range distributions {
		c.distributions[d] = true
	}
	return c
}

// FakeCloudFront starts the stand-in on loopback with the distributions
// given and returns it with a client for it.
func FakeCloudFront(t testing.TB, distributions ...string) (*CloudFront, *cloudfront.Client) {
	t.Helper()
	c := NewCloudFront(distributions...)
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return c, cloudfront.New(cloudfront.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "secret", "")})
}

// Invalidations returns the invalidations created since the start or the
// last Reset, oldest first.
func (c *CloudFront) Invalidations() []Invalidation {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.created)
}

// Requests counts the requests received, refused ones too.
func (c *CloudFront) Requests() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.requests
}

// Reset forgets the invalidations created so far (CloudFront keeps
// caller references; so does the stand-in).
func (c *CloudFront) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.created = nil
}

type invalidationBatch struct {
	XMLName         xml.Name `xml:"InvalidationBatch"`
	CallerReference string   `xml:"CallerReference"`
	Quantity        *int     `xml:"Paths>Quantity"`
	Items           []string `xml:"Paths>Items>Path"`
}

func (c *CloudFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.requests++
	c.mu.Unlock()
	dist, ok := strings.CutPrefix(r.URL.Path, "/2020-05-31/distribution/")
	dist, ok2 := strings.CutSuffix(dist, "/invalidation")
	if !ok || !ok2 || r.Method != http.MethodPost || strings.Contains(dist, "/") {
		cloudFrontError(w, http.StatusNotFound, "NotFound", "this stand-in answers CreateInvalidation only")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil || len(strings.TrimSpace(string(body))) == 0 {
		cloudFrontError(w, http.StatusBadRequest, "MissingBody", "This operation requires a body. Ensure that the body is present and the Content-Type header is set.")
		return
	}
	var b invalidationBatch
	if err := xml.Unmarshal(body, &b); err != nil {
		cloudFrontError(w, http.StatusBadRequest, "MalformedInput", "Could not parse XML: "+err.Error())
		return
	}
	if status, code, msg := batchProblem(b); code != "" {
		cloudFrontError(w, status, code, msg)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.distributions[dist] {
		cloudFrontError(w, http.StatusNotFound, "NoSuchDistribution", "The specified distribution does not exist.")
		return
	}
	key := dist + "\n" + b.CallerReference
	if first, seen := c.refs[key]; seen {
		if !slices.Equal(first.Paths, b.Items) {
			cloudFrontError(w, http.StatusConflict, "InvalidationBatchAlreadyExists",
				"The caller reference that you are using to create an invalidation batch is already in use with other paths.")
			return
		}
		writeInvalidation(w, http.StatusCreated, dist, first)
		return
	}
	inv := Invalidation{ID: fmt.Sprintf("I%013d", len(c.refs)+1), Distribution: dist, CallerReference: b.CallerReference,
		Paths: slices.Clone(b.Items)}
	c.refs[key] = inv
	c.created = append(c.created, inv)
	writeInvalidation(w, http.StatusCreated, dist, inv)
}

// batchProblem words what CloudFront refuses in an invalidation batch.
func batchProblem(b invalidationBatch) (status int, code, msg string) {
	switch {
	case b.CallerReference == "":
		return http.StatusBadRequest, "InvalidArgument", "CallerReference is required."
	case b.Quantity == nil:
		return http.StatusBadRequest, "InvalidArgument", "Paths.Quantity is required."
	case *b.Quantity != len(b.Items):
		return http.StatusBadRequest, "InconsistentQuantities", "The value of Quantity and the size of Items don't match."
	case len(b.Items) == 0:
		return http.StatusBadRequest, "InvalidArgument", "Your request must contain at least one invalidation path."
	case len(b.Items) > MaxInvalidationPaths:
		return http.StatusRequestEntityTooLarge, "BatchTooLarge", "Invalidation batch specified is too large."
	}
	for _, p := range b.Items {
		if why := pathProblem(p); why != "" {
			return http.StatusBadRequest, "InvalidArgument", fmt.Sprintf("Your request contains one or more invalid invalidation paths: %q %s.", p, why)
		}
	}
	return 0, "", ""
}

// pathProblem says what is wrong with one invalidation path, "" for
// nothing.
func pathProblem(p string) string {
	if !strings.HasPrefix(p, "/") {
		return "does not start with /"
	}
	if i := strings.IndexByte(p, '*'); i >= 0 && i != len(p)-1 {
		return "has a * before its end"
	}
	for i := 0; i < len(p); i++ {
		switch ch := p[i]; {
		case ch >= 0x80:
			return "holds a character that is not ASCII: percent-encode it"
		case ch <= ' ' || ch == 0x7f:
			return "holds a space or a control character: percent-encode it"
		case strings.IndexByte(`"<>#{}|\^[]`+"`", ch) >= 0:
			return fmt.Sprintf("holds %q, which must be percent-encoded", ch)
		case ch == '%':
			if i+2 >= len(p) || !isHex(p[i+1]) || !isHex(p[i+2]) {
				return "holds a % that does not start an escape"
			}
		}
	}
	return ""
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

type invalidationXML struct {
	XMLName    xml.Name          `xml:"Invalidation"`
	Xmlns      string            `xml:"xmlns,attr"`
	ID         string            `xml:"Id"`
	Status     string            `xml:"Status"`
	CreateTime string            `xml:"CreateTime"`
	Batch      invalidationBatch `xml:"InvalidationBatch"`
}

func writeInvalidation(w http.ResponseWriter, status int, dist string, inv Invalidation) {
	n := len(inv.Paths)
	body, _ := xml.Marshal(invalidationXML{Xmlns: cloudFrontNamespace, ID: inv.ID, Status: "InProgress",
		CreateTime: "2021-02-22T16:18:00Z", Batch: invalidationBatch{CallerReference: inv.CallerReference, Quantity: &n, Items: inv.Paths}})
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Location", "https://cloudfront.amazonaws.com/2020-05-31/distribution/"+dist+"/invalidation/"+inv.ID)
	w.WriteHeader(status)
	w.Write(append([]byte(xml.Header), body...))
}

type cloudFrontErrorXML struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Type    string   `xml:"Error>Type"`
	Code    string   `xml:"Error>Code"`
	Message string   `xml:"Error>Message"`
	ID      string   `xml:"RequestId"`
}

func cloudFrontError(w http.ResponseWriter, status int, code, msg string) {
	body, _ := xml.Marshal(cloudFrontErrorXML{Xmlns: cloudFrontNamespace, Type: "Sender", Code: code, Message: msg, ID: "req-error"})
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", "req-error")
	w.WriteHeader(status)
	w.Write(append([]byte(xml.Header), body...))
}
