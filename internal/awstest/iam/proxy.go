package iam

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ProxyOptions configures a Proxy.
type ProxyOptions struct {
	// Callers maps an access key id to the logical id of the function
	// that signs with it. A key mapped to "" is the test itself, allowed
	// everything. An access key in neither Callers nor Admins is denied.
	Callers map[string]string
	// Admins are access key ids allowed everything (the test's own).
	Admins []string
	// SharedKey, when set, replaces the access key id in the forwarded
	// Authorization header (and X-Amz-Credential): DynamoDB Local keeps one
	// database per access key id, and the stand-ins do not verify
	// signatures, so every caller can share one. DynamoDB Local accepts
	// only letters and digits in an access key id.
	SharedKey string
	// Faults, when set, is asked once per request of a function caller
	// (never an admin's), with the request's first call, which fault to
	// inject.
	Faults func(Call, *http.Request) Fault
	// OnMutation, when set, is called after each successful S3 object
	// write or delete, as S3 would emit an event notification (also when
	// an After fault then hides the success from the caller). It runs on
	// the request's goroutine, outside the proxy's locks, before the
	// caller gets its answer: when the write returns, its notification
	// has been handed over. It may call the proxy; a harness that wants
	// S3's asynchrony queues the mutation and returns.
	OnMutation func(Mutation)
	// Versioned lists the buckets with versioning enabled: a DELETE
	// without versionId there creates a delete marker.
	Versioned []string
	// StreamARN maps a DynamoDB Streams shard iterator to its stream ARN
	// for GetRecords. When nil, or when it returns "", the proxy uses the
	// iterators it saw returned by GetShardIterator and GetRecords.
	StreamARN func(iterator string) string
	// Client forwards requests (default: a client that neither follows
	// redirects nor decompresses, and ignores proxy settings).
	Client *http.Client
}

// Mutation is an S3 object change, described as an S3 event notification
// would: EventName is "ObjectCreated:Put", "ObjectCreated:Copy",
// "ObjectCreated:CompleteMultipartUpload", "ObjectRemoved:Delete" or
// "ObjectRemoved:DeleteMarkerCreated".
type Mutation struct {
	Bucket    string
	Key       string // not URL-encoded
	EventName string
	VersionID string // from x-amz-version-id, when the stand-in gives one
	Size      int64
	ETag      string // without quotes
	// Sequencer is 18 upper-case hex digits, strictly increasing across
	// the mutations this proxy sees: later changes of a key compare
	// greater, as S3's sequencers do.
	Sequencer string
}

// Violation is a call a function made that its policy does not allow,
// or a request the proxy could not authorize.
type Violation struct {
	Function string // logical id ("" for an unknown access key)
	Action   string
	Resource string
	Request  string // "PUT /bucket/key" or "POST / DynamoDB_20120810.PutItem"
	Reason   string
}

// CallRecord is one IAM call the proxy checked (or, for an admin, let through).
type CallRecord struct {
	Function string // logical id; "" for an admin
	Admin    bool
	Action   string
	Resource string
	Allowed  bool
	By       string
	// Status is the HTTP status the caller saw, 0 when the connection was reset.
	Status  int
	Fault   FaultKind
	Request string
	Grants  []Grant
}

// Proxy is a reverse proxy in front of one stand-in that authorizes every
// request as IAM would for the calling function, records it, and can
// inject faults. It is an http.Handler, safe for concurrent use.
type Proxy struct {
	service  string
	upstream *url.URL
	tpl      *Template
	opts     ProxyOptions
	mapper   Mapper
	client   *http.Client
	err      error

	mu         sync.Mutex
	calls      []CallRecord
	violations []Violation
	iterators  map[string]string // shard iterator -> stream ARN

	writeMu sync.Mutex // orders S3 object mutations and their sequencers
	seqBase uint64
	seq     uint64
}

// NewProxy returns a proxy for service ("s3", "dynamodb", "streams",
// "cloudfront", "sqs" or "sns") forwarding to upstream (a base URL). A bad
// service or upstream makes every request fail with 502 (see Err).
func NewProxy(service string, upstream string, tpl *Template, opts ProxyOptions) *Proxy {
	p := &Proxy{service: service, tpl: tpl, opts: opts, iterators: map[string]string{},
		seqBase: uint64(time.Now().UnixNano())}
	u, err := url.Parse(upstream)
	switch {
	case err != nil:
		p.err = fmt.Errorf("iam: upstream %q: %w", upstream, err)
	case u.Scheme == "" || u.Host == "":
		p.err = fmt.Errorf("iam: upstream %q is not an absolute URL", upstream)
	case tpl == nil:
		p.err = errors.New("iam: no template")
	}
	switch service {
	case ServiceS3, ServiceDynamoDB, ServiceStreams, ServiceCloudFront, ServiceSQS, ServiceSNS:
	default:
		p.err = fmt.Errorf("iam: unknown service %q", service)
	}
	p.upstream = u
	if tpl != nil {
		p.mapper = tpl.Mapper()
	}
	p.mapper.StreamARN = p.streamARN
	p.client = opts.Client
	if p.client == nil {
		p.client = &http.Client{
			Transport: &http.Transport{Proxy: nil, DisableCompression: true, MaxIdleConnsPerHost: 64,
				DialContext: (&net.Dialer{Timeout: 10 * time.Second}).DialContext},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return p
}

// Err reports a configuration error of NewProxy.
func (p *Proxy) Err() error { return p.err }

// Violations returns the violations recorded since the last Reset.
func (p *Proxy) Violations() []Violation {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Violation(nil), p.violations...)
}

// Calls returns the calls recorded since the last Reset.
func (p *Proxy) Calls() []CallRecord {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]CallRecord(nil), p.calls...)
}

// Reset forgets recorded calls and violations.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls, p.violations = nil, nil
}

// Used returns, per function, the own grants that allowed the calls this
// proxy recorded. Function.Unused gives the complement across every proxy
// sharing the template.
func (p *Proxy) Used() map[string][]Grant {
	p.mu.Lock()
	defer p.mu.Unlock()
	seen := map[string]map[Grant]bool{}
	out := map[string][]Grant{}
	for _, c := range p.calls {
		for _, g := range c.Grants {
			if seen[c.Function] == nil {
				seen[c.Function] = map[Grant]bool{}
			}
			if !seen[c.Function][g] {
				seen[c.Function][g] = true
				out[c.Function] = append(out[c.Function], g)
			}
		}
	}
	for k := range out {
		out[k] = sortedGrants(out[k])
	}
	return out
}

func (p *Proxy) record(recs ...CallRecord) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, recs...)
}

func (p *Proxy) violate(v ...Violation) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.violations = append(p.violations, v...)
}

func (p *Proxy) streamARN(iterator string) string {
	if p.opts.StreamARN != nil {
		if arn := p.opts.StreamARN(iterator); arn != "" {
			return arn
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.iterators[iterator]
}

func (p *Proxy) describe(r *http.Request) string {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		return r.Method + " " + r.URL.EscapedPath() + " " + t
	}
	return describe(r)
}

// ServeHTTP authorizes, forwards and records one request. The calls are
// recorded, and OnMutation called, just before the caller gets its
// answer: when a client call returns, Calls and Violations include it.
func (p *Proxy) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	reqDesc := p.describe(r)
	q := &pending{p: p}
	defer q.fire(0)
	w := &hookedWriter{ResponseWriter: rw, hook: q.fire}
	if p.err != nil {
		p.violate(Violation{Request: reqDesc, Reason: p.err.Error()})
		http.Error(w, p.err.Error(), http.StatusBadGateway)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "iam proxy: reading the request: "+err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	key := CallerKey(r)
	fn, known := p.opts.Callers[key]
	admin := slices.Contains(p.opts.Admins, key) || (known && fn == "")
	calls, mapErr := p.mapper.Map(p.service, r, body)

	if admin {
		if len(calls) == 0 {
			q.recs = []CallRecord{{Admin: true, Allowed: true, By: "admin", Request: reqDesc}}
		}
		for _, c := range calls {
			q.recs = append(q.recs, CallRecord{Admin: true, Action: c.Action, Resource: c.Resource, Allowed: true, By: "admin", Request: reqDesc})
		}
		p.serveAllowed(w, r, body, calls, Fault{}, nil, q)
		return
	}
	if !known {
		v := Violation{Request: reqDesc, Reason: fmt.Sprintf("unknown access key id %q", key)}
		if len(calls) > 0 {
			v.Action, v.Resource = calls[0].Action, calls[0].Resource
		}
		p.violate(v)
		q.recs = []CallRecord{{Action: v.Action, Resource: v.Resource, Request: reqDesc, By: v.Reason}}
		p.writeError(w, r, errUnknownKey, "")
		return
	}
	f := p.tpl.functions[fn]
	if f == nil {
		reason := fmt.Sprintf("access key %q names function %q, which the template does not have", key, fn)
		p.violate(Violation{Function: fn, Request: reqDesc, Reason: reason})
		q.recs = []CallRecord{{Function: fn, Request: reqDesc, By: reason}}
		p.writeError(w, r, errUnknownKey, "")
		return
	}
	if mapErr != nil {
		p.violate(Violation{Function: fn, Request: reqDesc, Reason: mapErr.Error()})
		q.recs = []CallRecord{{Function: fn, Action: "unmapped", Request: reqDesc, By: mapErr.Error()}}
		p.writeError(w, r, errUnmapped, mapErr.Error())
		return
	}

	decisions := make([]Decision, len(calls))
	var denied *Call
	var deniedBy Decision
	for i, c := range calls {
		decisions[i] = f.Evaluate(c)
		if !decisions[i].Allowed {
			p.violate(Violation{Function: fn, Action: c.Action, Resource: c.Resource, Request: reqDesc, Reason: decisions[i].By})
			if denied == nil {
				denied, deniedBy = &calls[i], decisions[i]
			}
		}
	}
	for i, c := range calls {
		q.recs = append(q.recs, CallRecord{Function: fn, Action: c.Action, Resource: c.Resource, Allowed: decisions[i].Allowed,
			By: decisions[i].By, Request: reqDesc, Grants: decisions[i].Grants})
	}
	if denied != nil {
		for i := range q.recs {
			q.recs[i].Grants = nil // nothing was done
		}
		p.writeError(w, r, errAccessDenied, accessDeniedMessage(f, p.tpl.params, *denied, deniedBy.ExplicitDeny))
		return
	}
	for _, d := range decisions {
		f.Record(d)
	}
	var fault Fault
	if p.opts.Faults != nil {
		fault = p.opts.Faults(calls[0], r)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	q.fault = fault.Kind
	p.serveAllowed(w, r, body, calls, fault, f, q)
}

// pending holds what to record about a request until its answer starts.
type pending struct {
	p     *Proxy
	recs  []CallRecord
	muts  []Mutation
	fault FaultKind
	fired bool
}

// fire records the calls with the status the caller sees (0 for a reset)
// and hands the mutations to OnMutation, once.
func (q *pending) fire(status int) {
	if q.fired {
		return
	}
	q.fired = true
	for i := range q.recs {
		q.recs[i].Status = status
		q.recs[i].Fault = q.fault
	}
	if len(q.recs) > 0 {
		q.p.record(q.recs...)
	}
	if q.p.opts.OnMutation != nil {
		for _, m := range q.muts {
			q.p.opts.OnMutation(m)
		}
	}
}

// hookedWriter calls hook before the first byte of the answer, or when
// the connection is taken over to be reset.
type hookedWriter struct {
	http.ResponseWriter
	hook  func(status int)
	wrote bool
}

func (h *hookedWriter) WriteHeader(status int) {
	if !h.wrote {
		h.wrote = true
		h.hook(status)
	}
	h.ResponseWriter.WriteHeader(status)
}

func (h *hookedWriter) Write(b []byte) (int, error) {
	if !h.wrote {
		h.WriteHeader(http.StatusOK)
	}
	return h.ResponseWriter.Write(b)
}

// Hijack lets a fault reset the connection.
func (h *hookedWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := h.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("iam proxy: the connection cannot be hijacked")
	}
	conn, rw, err := hj.Hijack()
	if err == nil && !h.wrote {
		h.wrote = true
		h.hook(0)
	}
	return conn, rw, err
}

// serveAllowed injects the fault, forwards, applies S3's answer for a
// missing key, and answers the caller. f is nil for an admin. The S3
// mutations made go to q, to be notified when the answer starts.
func (p *Proxy) serveAllowed(w http.ResponseWriter, r *http.Request, body []byte, calls []Call, fault Fault, f *Function, q *pending) {
	if fault.Delay > 0 {
		t := time.NewTimer(fault.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if fault.Kind == Before {
		p.writeFault(w, r, fault)
		return
	}
	mutation := p.service == ServiceS3 && isS3Mutation(r)
	if mutation {
		p.writeMu.Lock()
	}
	resp, respBody, err := p.forward(r, body)
	if err == nil && mutation {
		q.muts = p.mutations(r, body, resp, respBody)
	}
	if mutation {
		p.writeMu.Unlock()
	}
	if err != nil {
		http.Error(w, "iam proxy: upstream: "+err.Error(), http.StatusBadGateway)
		return
	}
	if p.service == ServiceStreams && resp.StatusCode == http.StatusOK && len(calls) == 1 {
		p.learnIterators(respBody, calls[0])
	}
	if fault.Kind == After {
		p.writeFault(w, r, fault)
		return
	}
	if f != nil && p.service == ServiceS3 && p.hidesMissingKey(r, resp, respBody, calls, f) {
		bucket, _, _ := s3Path(r)
		c := Call{Action: "s3:ListBucket", Resource: p.mapper.s3Arn(bucket, "")}
		p.writeError(w, r, errAccessDenied, accessDeniedMessage(f, p.tpl.params, c, false))
		return
	}
	h := w.Header()
	for k, vs := range resp.Header {
		if hopHeaders[http.CanonicalHeaderKey(k)] {
			continue
		}
		if k == "Content-Length" && r.Method != http.MethodHead {
			continue
		}
		h[k] = vs
	}
	if r.Method != http.MethodHead {
		h.Set("Content-Length", strconv.Itoa(len(respBody)))
	}
	w.WriteHeader(resp.StatusCode)
	if r.Method != http.MethodHead {
		_, _ = w.Write(respBody)
	}
}

// hidesMissingKey says whether S3 would answer 403 instead of the
// stand-in's 404: a GET or HEAD of a missing object by a caller without
// s3:ListBucket on the bucket. The ListBucket check carries no s3:prefix,
// so a prefix-conditioned ListBucket grant does not reveal missing keys.
func (p *Proxy) hidesMissingKey(r *http.Request, resp *http.Response, respBody []byte, calls []Call, f *Function) bool {
	if resp.StatusCode != http.StatusNotFound || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return false
	}
	if len(calls) != 1 || (calls[0].Action != "s3:GetObject" && calls[0].Action != "s3:GetObjectVersion") {
		return false
	}
	if r.Method == http.MethodGet && !bytes.Contains(respBody, []byte("<Code>NoSuchKey</Code>")) {
		return false
	}
	bucket, _, _ := s3Path(r)
	d := f.Evaluate(Call{Action: "s3:ListBucket", Resource: p.mapper.s3Arn(bucket, "")})
	// Revealing the missing key is what the ListBucket grant was used for.
	f.Record(d)
	return !d.Allowed
}

// hopHeaders are not forwarded in either direction.
var hopHeaders = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Authenticate": true, "Proxy-Authorization": true,
	"Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true, "Expect": true,
}

// forward sends the request upstream and reads the whole answer.
func (p *Proxy) forward(r *http.Request, body []byte) (*http.Response, []byte, error) {
	query := r.URL.RawQuery
	if p.opts.SharedKey != "" && r.URL.Query().Has("X-Amz-Credential") {
		q := r.URL.Query()
		_, rest, _ := strings.Cut(q.Get("X-Amz-Credential"), "/")
		q.Set("X-Amz-Credential", p.opts.SharedKey+"/"+rest)
		query = q.Encode()
	}
	target := p.upstream.Scheme + "://" + p.upstream.Host + strings.TrimSuffix(p.upstream.EscapedPath(), "/") + r.URL.EscapedPath()
	if query != "" {
		target += "?" + query
	}
	out, err := http.NewRequestWithContext(r.Context(), r.Method, target, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	for k, vs := range r.Header {
		if hopHeaders[http.CanonicalHeaderKey(k)] || k == "Content-Length" {
			continue
		}
		out.Header[k] = append([]string(nil), vs...)
	}
	if p.opts.SharedKey != "" {
		if auth := out.Header.Get("Authorization"); auth != "" {
			out.Header.Set("Authorization", replaceCredential(auth, p.opts.SharedKey))
		}
	}
	out.Host = p.upstream.Host
	out.ContentLength = int64(len(body))
	if len(body) == 0 {
		out.Body = http.NoBody
	}
	resp, err := p.client.Do(out)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	return resp, respBody, nil
}

// replaceCredential swaps the access key id of a SigV4 Authorization header.
func replaceCredential(auth, key string) string {
	before, rest, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return auth
	}
	_, after, ok := strings.Cut(rest, "/")
	if !ok {
		return auth
	}
	return before + "Credential=" + key + "/" + after
}

// learnIterators remembers which stream the iterators an answer hands
// out belong to, so that GetRecords, which carries only the iterator,
// can be authorized on the stream.
func (p *Proxy) learnIterators(respBody []byte, call Call) {
	var out struct {
		ShardIterator     string
		NextShardIterator string
	}
	if json.Unmarshal(respBody, &out) != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if out.ShardIterator != "" {
		p.iterators[out.ShardIterator] = call.Resource
	}
	if out.NextShardIterator != "" {
		p.iterators[out.NextShardIterator] = call.Resource
	}
}

// isS3Mutation tells requests that create or remove objects.
func isS3Mutation(r *http.Request) bool {
	_, key, err := s3Path(r)
	if err != nil {
		return false
	}
	q := r.URL.Query()
	sub, err := s3Subresource(q)
	if err != nil || sub != "" && sub != "delete" {
		return false
	}
	_, multipart := q["uploadId"]
	switch r.Method {
	case http.MethodPut, http.MethodDelete:
		return key != "" && !multipart && sub == ""
	case http.MethodPost:
		return (key != "" && multipart && sub == "") || (key == "" && sub == "delete")
	}
	return false
}

// mutations describes the object changes a successful answer reports.
// It runs under writeMu, so sequencers follow the order the stand-in
// applied the changes in.
func (p *Proxy) mutations(r *http.Request, body []byte, resp *http.Response, respBody []byte) []Mutation {
	if resp.StatusCode/100 != 2 || bytes.HasPrefix(bytes.TrimSpace(skipXMLDecl(respBody)), []byte("<Error")) {
		return nil
	}
	bucket, key, _ := s3Path(r)
	q := r.URL.Query()
	versioned := slices.Contains(p.opts.Versioned, bucket)
	etag := strings.Trim(resp.Header.Get("ETag"), `"`)
	vid := resp.Header.Get("X-Amz-Version-Id")
	var out []Mutation
	add := func(m Mutation) {
		p.seq++
		m.Sequencer = fmt.Sprintf("%018X", p.seqBase+p.seq)
		out = append(out, m)
	}
	switch r.Method {
	case http.MethodPut:
		m := Mutation{Bucket: bucket, Key: key, EventName: "ObjectCreated:Put", VersionID: vid, ETag: etag, Size: int64(len(body))}
		if n, err := strconv.ParseInt(r.Header.Get("X-Amz-Decoded-Content-Length"), 10, 64); err == nil {
			m.Size = n
		}
		if r.Header.Get("X-Amz-Copy-Source") != "" {
			m.EventName = "ObjectCreated:Copy"
			var res struct {
				ETag string `xml:"ETag"`
			}
			if xml.Unmarshal(respBody, &res) == nil && res.ETag != "" {
				m.ETag = strings.Trim(res.ETag, `"`)
			}
			m.Size, m.ETag = p.headObject(r, m.Size, m.ETag)
		}
		add(m)
	case http.MethodPost:
		if key != "" {
			m := Mutation{Bucket: bucket, Key: key, EventName: "ObjectCreated:CompleteMultipartUpload", VersionID: vid}
			var res struct {
				ETag string `xml:"ETag"`
			}
			if xml.Unmarshal(respBody, &res) == nil {
				m.ETag = strings.Trim(res.ETag, `"`)
			}
			m.Size, m.ETag = p.headObject(r, 0, m.ETag)
			add(m)
			break
		}
		var req struct {
			Objects []struct {
				Key       string `xml:"Key"`
				VersionID string `xml:"VersionId"`
			} `xml:"Object"`
		}
		_ = xml.Unmarshal(body, &req)
		withVersion := map[string]bool{}
		for _, o := range req.Objects {
			if o.VersionID != "" {
				withVersion[o.Key] = true
			}
		}
		var res struct {
			Deleted []struct {
				Key                   string `xml:"Key"`
				VersionID             string `xml:"VersionId"`
				DeleteMarker          bool   `xml:"DeleteMarker"`
				DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId"`
			} `xml:"Deleted"`
		}
		_ = xml.Unmarshal(respBody, &res)
		for _, d := range res.Deleted {
			m := Mutation{Bucket: bucket, Key: d.Key, EventName: "ObjectRemoved:Delete", VersionID: d.VersionID}
			if (versioned && !withVersion[d.Key]) || d.DeleteMarker {
				m.EventName = "ObjectRemoved:DeleteMarkerCreated"
				if d.DeleteMarkerVersionID != "" {
					m.VersionID = d.DeleteMarkerVersionID
				}
			}
			add(m)
		}
	case http.MethodDelete:
		m := Mutation{Bucket: bucket, Key: key, EventName: "ObjectRemoved:Delete", VersionID: vid}
		if versioned && !q.Has("versionId") {
			m.EventName = "ObjectRemoved:DeleteMarkerCreated"
		}
		add(m)
	}
	return out
}

// headObject asks the stand-in for an object's size and ETag after a
// copy or a completed multipart upload, whose answers do not carry them.
func (p *Proxy) headObject(r *http.Request, size int64, etag string) (int64, string) {
	head := r.Clone(r.Context())
	head.Method = http.MethodHead
	head.URL = &url.URL{Path: r.URL.Path, RawPath: r.URL.RawPath}
	head.Header = r.Header.Clone()
	for _, h := range []string{"X-Amz-Copy-Source", "Content-Type", "Content-Md5", "X-Amz-Content-Sha256"} {
		head.Header.Del(h)
	}
	resp, _, err := p.forward(head, nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		return size, etag
	}
	if resp.ContentLength >= 0 {
		size = resp.ContentLength
	}
	if e := strings.Trim(resp.Header.Get("ETag"), `"`); e != "" {
		etag = e
	}
	return size, etag
}

func skipXMLDecl(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if bytes.HasPrefix(b, []byte("<?xml")) {
		if i := bytes.Index(b, []byte("?>")); i >= 0 {
			return b[i+2:]
		}
	}
	return b
}

// accessDeniedMessage words the denial as IAM does.
func accessDeniedMessage(f *Function, params Params, c Call, explicit bool) string {
	why := "because no identity-based policy allows the " + c.Action + " action"
	if explicit {
		why = "with an explicit deny in an identity-based policy"
	}
	role := f.Role[strings.LastIndex(f.Role, "/")+1:]
	return fmt.Sprintf("User: arn:%s:sts::%s:assumed-role/%s/%s is not authorized to perform: %s on resource: %s %s",
		params.Partition, params.AccountID, role, f.Name, c.Action, c.Resource, why)
}
