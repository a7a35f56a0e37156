package iam

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// FaultKind says when a fault strikes.
type FaultKind int

const (
	// None injects nothing (a Delay still applies).
	None FaultKind = iota
	// Before answers with the error, or resets the connection, without
	// forwarding: the service never saw the request.
	Before
	// After forwards the request, then drops the real answer and sends
	// the error or resets: the change happened but the caller does not
	// know, the case idempotency must survive.
	After
)

func (k FaultKind) String() string {
	switch k {
	case Before:
		return "before"
	case After:
		return "after"
	}
	return "none"
}

// Fault is what the proxy injects into one request.
type Fault struct {
	Kind FaultKind
	// Status and Code select the error answer, worded as the service
	// words it: S3 500 InternalError or 503 SlowDown; DynamoDB 500
	// InternalServerError, 400 ThrottlingException or
	// ProvisionedThroughputExceededException; CloudFront 500 InternalError,
	// 503 ServiceUnavailable or 400 Throttling; SQS 500 InternalFailure or
	// 400 ThrottlingException; SNS 500 InternalError or 400 Throttled.
	// Either may be left zero: the other, or a 500, decides.
	Status int
	Code   string
	// Reset closes the connection without an answer instead.
	Reset bool
	// Delay is slept before anything else.
	Delay time.Duration
}

type faultSpec struct {
	status   int
	jsonType string
	message  string
}

const internalMessage = "We encountered an internal error. Please try again."

var dynamoFaults = map[string]faultSpec{
	"InternalServerError": {500, "com.amazonaws.dynamodb.v20120810#InternalServerError", "Internal server error"},
	"ProvisionedThroughputExceededException": {400, "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
		"The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."},
	"ThrottlingException": {400, "com.amazon.coral.availability#ThrottlingException", "Rate of requests exceeds the allowed throughput."},
	"RequestLimitExceeded": {400, "com.amazonaws.dynamodb.v20120810#RequestLimitExceeded",
		"Throughput exceeds the current throughput limit for your account. Please contact AWS Support at https://aws.amazon.com/support request a limit increase"},
	"ServiceUnavailable":     {503, "com.amazon.coral.availability#ServiceUnavailableException", "Service unavailable"},
	"LimitExceededException": {400, "com.amazonaws.dynamodb.v20120810#LimitExceededException", "Too many requests"},
}

// faultSpecs holds, per service, the error answers as the services word them.
var faultSpecs = map[string]map[string]faultSpec{
	ServiceS3: {
		"InternalError":      {500, "", internalMessage},
		"SlowDown":           {503, "", "Please reduce your request rate."},
		"ServiceUnavailable": {503, "", "Service is unable to handle request."},
	},
	ServiceDynamoDB: dynamoFaults,
	ServiceStreams:  dynamoFaults,
	ServiceCloudFront: {
		"InternalError":      {500, "", internalMessage},
		"ServiceUnavailable": {503, "", "CloudFront is currently unavailable."},
		"Throttling":         {400, "", "Rate exceeded"},
	},
	ServiceSQS: {
		"InternalFailure":     {500, "com.amazon.coral.service#InternalFailure", internalMessage},
		"ThrottlingException": {400, "com.amazon.coral.availability#ThrottlingException", "Rate exceeded"},
		"ServiceUnavailable":  {503, "com.amazon.coral.availability#ServiceUnavailableException", "Service unavailable"},
	},
	ServiceSNS: {
		"InternalError":      {500, "", "Internal Error"},
		"Throttled":          {400, "", "Rate exceeded"},
		"ServiceUnavailable": {503, "", "Service Unavailable"},
	},
}

// defaultCodes picks a code from a status.
var defaultCodes = map[string]map[int]string{
	ServiceS3:         {500: "InternalError", 503: "SlowDown"},
	ServiceDynamoDB:   {500: "InternalServerError", 400: "ThrottlingException", 503: "ServiceUnavailable"},
	ServiceStreams:    {500: "InternalServerError", 400: "LimitExceededException", 503: "ServiceUnavailable"},
	ServiceCloudFront: {500: "InternalError", 503: "ServiceUnavailable", 400: "Throttling"},
	ServiceSQS:        {500: "InternalFailure", 400: "ThrottlingException", 503: "ServiceUnavailable"},
	ServiceSNS:        {500: "InternalError", 400: "Throttled", 503: "ServiceUnavailable"},
}

// errorKind is a denial the proxy answers itself.
type errorKind int

const (
	errAccessDenied errorKind = iota
	errUnknownKey
	errUnmapped
)

var requestIDs atomic.Uint64

func requestID() string {
	return fmt.Sprintf("%016X", uint64(time.Now().UnixNano())+requestIDs.Add(1))
}

// isJSON tells whether the request speaks a JSON protocol.
func (p *Proxy) isJSON(r *http.Request) bool {
	switch p.service {
	case ServiceDynamoDB, ServiceStreams:
		return true
	case ServiceSQS:
		return r.Header.Get("X-Amz-Target") != ""
	}
	return false
}

// writeError answers a denial the way the service would.
func (p *Proxy) writeError(w http.ResponseWriter, r *http.Request, kind errorKind, msg string) {
	var status int
	var code, jsonType string
	switch kind {
	case errAccessDenied:
		status, code, jsonType = http.StatusForbidden, "AccessDenied", "com.amazon.coral.service#AccessDeniedException"
		if p.isJSON(r) {
			status = http.StatusBadRequest
		}
		if p.service == ServiceSNS {
			code = "AuthorizationError" // SNS's word for it, with 403
		}
	case errUnknownKey:
		status, code, jsonType = http.StatusForbidden, "InvalidClientTokenId", "com.amazon.coral.service#UnrecognizedClientException"
		msg = "The security token included in the request is invalid."
		if p.service == ServiceS3 {
			code, msg = "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
		}
		if p.isJSON(r) {
			status = http.StatusBadRequest
		}
	default:
		status, code, jsonType = http.StatusNotImplemented, "NotImplemented", "NotImplemented"
		msg = "iam proxy cannot authorize this request: " + msg
	}
	p.writeServiceError(w, r, status, code, jsonType, msg)
}

// writeFault injects a fault's answer.
func (p *Proxy) writeFault(w http.ResponseWriter, r *http.Request, f Fault) {
	if f.Reset && resetConnection(w) {
		return
	}
	specs := faultSpecs[p.service]
	code, status := f.Code, f.Status
	if code == "" {
		if status == 0 {
			status = http.StatusInternalServerError
		}
		code = defaultCodes[p.service][status]
		if code == "" {
			code = defaultCodes[p.service][http.StatusInternalServerError]
		}
	}
	spec, ok := specs[code]
	if !ok {
		spec = faultSpec{status: http.StatusInternalServerError, jsonType: "com.amazon.coral.service#" + code, message: code}
	}
	if status == 0 {
		status = spec.status
	}
	p.writeServiceError(w, r, status, code, spec.jsonType, spec.message)
}

// resetConnection closes the client connection without an answer (a TCP
// reset where possible). It reports false when the connection cannot be
// taken over.
func resetConnection(w http.ResponseWriter) bool {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return false
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return false
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
	return true
}

type xmlError struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	RequestID string   `xml:"RequestId"`
	HostID    string   `xml:"HostId,omitempty"`
}

type xmlErrorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

type jsonError struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

func (p *Proxy) writeServiceError(w http.ResponseWriter, r *http.Request, status int, code, jsonType, msg string) {
	id := requestID()
	h := w.Header()
	var body []byte
	var err error
	switch {
	case p.isJSON(r):
		h.Set("Content-Type", "application/x-amz-json-1.0")
		h.Set("X-Amzn-Requestid", id)
		if jsonType == "" {
			jsonType = code
		}
		body, err = json.Marshal(jsonError{Type: jsonType, Message: msg})
	case p.service == ServiceS3:
		h.Set("Content-Type", "application/xml")
		h.Set("X-Amz-Request-Id", id)
		body, err = xml.Marshal(xmlError{Code: code, Message: msg, RequestID: id, HostID: "iam-proxy"})
	default:
		h.Set("Content-Type", "text/xml")
		h.Set("X-Amzn-Requestid", id)
		e := xmlErrorResponse{RequestID: id}
		switch p.service {
		case ServiceCloudFront:
			e.Xmlns = "http://cloudfront.amazonaws.com/doc/2020-05-31/"
		case ServiceSNS:
			e.Xmlns = "http://sns.amazonaws.com/doc/2010-03-31/"
		}
		e.Error.Type, e.Error.Code, e.Error.Message = "Sender", code, msg
		if status >= 500 {
			e.Error.Type = "Receiver"
		}
		body, err = xml.Marshal(e)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if !strings.HasPrefix(string(body), "{") {
		body = append([]byte(xml.Header), body...)
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(status)
		return
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// RandomFaults returns a Faults function that injects a fault into about
// rate of the requests, drawn from seed, mixed as each service fails in
// practice: mostly throttling and internal errors before the service
// acts, some after it acted (the answer lost), some connection resets
// and some delays. The proxy never asks it about admin callers. It is
// safe for concurrent use; with one caller at a time its choices are
// reproducible.
func RandomFaults(seed int64, rate float64) func(Call, *http.Request) Fault {
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	return func(c Call, r *http.Request) Fault {
		mu.Lock()
		defer mu.Unlock()
		if rng.Float64() >= rate {
			return Fault{}
		}
		service, _, _ := strings.Cut(c.Action, ":")
		if service == "dynamodb" && r != nil && strings.HasPrefix(r.Header.Get("X-Amz-Target"), "DynamoDBStreams") {
			service = ServiceStreams
		}
		x := rng.Float64()
		delay := time.Duration(10+rng.IntN(90)) * time.Millisecond
		var mix []Fault
		switch service {
		case ServiceS3:
			mix = []Fault{{Kind: Before, Code: "SlowDown"}, {Kind: Before, Code: "InternalError"}, {Kind: Before, Reset: true},
				{Kind: After, Code: "InternalError"}, {Kind: After, Reset: true}}
		case ServiceDynamoDB:
			mix = []Fault{{Kind: Before, Code: "ProvisionedThroughputExceededException"}, {Kind: Before, Code: "ThrottlingException"},
				{Kind: Before, Code: "InternalServerError"}, {Kind: After, Code: "InternalServerError"}, {Kind: After, Reset: true}}
		case ServiceStreams:
			mix = []Fault{{Kind: Before, Code: "LimitExceededException"}, {Kind: Before, Code: "InternalServerError"},
				{Kind: Before, Reset: true}, {Kind: After, Code: "InternalServerError"}, {Kind: After, Reset: true}}
		case ServiceCloudFront:
			mix = []Fault{{Kind: Before, Code: "Throttling"}, {Kind: Before, Code: "ServiceUnavailable"}, {Kind: Before, Reset: true},
				{Kind: After, Code: "InternalError"}, {Kind: After, Reset: true}}
		case ServiceSNS:
			mix = []Fault{{Kind: Before, Code: "Throttled"}, {Kind: Before, Code: "InternalError"}, {Kind: Before, Reset: true},
				{Kind: After, Code: "InternalError"}, {Kind: After, Reset: true}}
		default:
			mix = []Fault{{Kind: Before, Code: "ThrottlingException"}, {Kind: Before, Code: "InternalFailure"},
				{Kind: Before, Reset: true}, {Kind: After, Code: "InternalFailure"}, {Kind: After, Reset: true}}
		}
		// Weights: two kinds of refusal before acting (35%, 20%), a reset
		// before (10%), a lost answer after acting (15%), a reset after
		// (10%), and a slow answer (10%).
		for i, w := range []float64{0.35, 0.55, 0.65, 0.80, 0.90} {
			if x < w {
				return mix[i]
			}
		}
		return Fault{Delay: delay}
	}
}
