// Package kvs is a STAND-IN for the CloudFront KeyValueStore API (the data
// plane that the AWS SDK's cloudfrontkeyvaluestore client calls, REST with
// JSON bodies), for tests only: no emulator of it exists. It is written from
// the API reference and the SDK's serialisers, and is strict where the
// service is, so that a client that works here has been made to do what
// the service demands:
//
//   - every request must be signed with SigV4A (Authorization:
//     AWS4-ECDSA-P256-SHA256, credential scope DATE/cloudfront-keyvaluestore/
//     aws4_request, an X-Amz-Region-Set header, host, x-amz-date and
//     x-amz-region-set signed), with the access key id the stand-in was
//     given; the signature is verified (the canonical request rebuilt as the
//     SDK signs it, the key pair derived from the secret as AWS does, the
//     ECDSA signature checked, at most 15 minutes old). A SigV4, unsigned or
//     mis-signed request is refused (AccessDeniedException, where AWS would
//     name the signature problem more precisely);
//   - writes (PutKey, DeleteKey, UpdateKeys) need If-Match with the store's
//     current ETag (DescribeKeyValueStore gives it; every write returns the
//     next): a missing one is a ValidationException, a stale one a
//     ConflictException (409), as the service answers;
//   - a key is 1 to 512 bytes, a value at most 1 KB, the store at most 5 MB
//     of keys and values (ValidationException for an item, and
//     ServiceQuotaExceededException for the store);
//   - an ARN that names no store it holds is a ResourceNotFoundException, a
//     missing key too (GetKey, DeleteKey);
//   - ListKeys returns keys in order, MaxResults 1 to 50 (10 by default),
//     with an opaque NextToken.
//
// Errors carry X-Amzn-ErrorType and a JSON {"Message"} body, as the SDK's
// deserialisers read them.
package kvs

import (
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Limits of the service the stand-in enforces.
const (
	MaxKeyBytes   = 512
	MaxValueBytes = 1024
	MaxStoreBytes = 5 << 20
	MaxResults    = 50
	// MaxUpdateItems is the most puts and deletes one UpdateKeys takes.
	MaxUpdateItems = 50
)

// Server is the stand-in. Its zero value is not usable: call New.
type Server struct {
	// AccessKeyID is the key id requests must be signed with.
	AccessKeyID string
	pub         *ecdsa.PublicKey

	mu     sync.Mutex
	stores map[string]*store // by ARN
	calls  []string
}

type store struct {
	items    map[string]string
	version  int
	created  time.Time
	modified time.Time
}

func (s *store) etag() string { return fmt.Sprintf("ETVPDKIKX0DER%04d", s.version) }

func (s *store) size() int64 {
	var n int64
	for k, v := range s.items {
		n += int64(len(k) + len(v))
	}
	return n
}

// New returns a stand-in that accepts requests signed with this access key
// pair only.
func New(accessKeyID, secretAccessKey string) *Server {
	return &Server{AccessKeyID: accessKeyID, pub: publicKey(accessKeyID, secretAccessKey), stores: map[string]*store{}}
}

// CreateStore adds an empty store (what CloudFormation's
// AWS::CloudFront::KeyValueStore makes) and returns its ARN.
func (s *Server) CreateStore(account, id string) string {
	arn := "arn:aws:cloudfront::" + account + ":key-value-store/" + id
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now().UTC().Truncate(time.Second)
	s.stores[arn] = &store{items: map[string]string{}, version: 1, created: now, modified: now}
	return arn
}

// Items returns a copy of a store's contents.
func (s *Server) Items(arn string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	if st := s.stores[arn]; st != nil {
		for k, v := range st.items {
			out[k] = v
		}
	}
	return out
}

// Bump changes a store's ETag as another writer would.
func (s *Server) Bump(arn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.stores[arn]; st != nil {
		st.version++
	}
}

// Calls returns the operations served, in order ("PutKey", ...).
func (s *Server) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

type apiError struct {
	status int
	code   string
	msg    string
}

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status, code, fmt.Sprintf(format, args...)}
}

func validation(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, "ValidationException", format, args...)
}

// Handler returns the stand-in's HTTP handler.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op, status, body, etag, err := s.serve(r)
		s.mu.Lock()
		s.calls = append(s.calls, op)
		s.mu.Unlock()
		if err != nil {
			w.Header().Set("X-Amzn-ErrorType", err.code)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(err.status)
			json.NewEncoder(w).Encode(map[string]string{"Message": err.msg})
			return
		}
		if etag != "" {
			w.Header().Set("ETag", etag)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(body)
	})
}

// route splits /key-value-stores/{KvsARN}[/keys[/{Key}]] on its escaped
// slashes: the ARN and the key are single, escaped path segments.
func route(r *http.Request) (arn string, rest []string, err *apiError) {
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	if len(segs) < 2 || segs[0] != "key-value-stores" {
		return "", nil, errorf(http.StatusNotFound, "UnknownOperationException", "no operation at %s", r.URL.EscapedPath())
	}
	for i := 1; i < len(segs); i++ {
		u, e := url.PathUnescape(segs[i])
		if e != nil {
			return "", nil, validation("bad path segment %q", segs[i])
		}
		segs[i] = u
	}
	return segs[1], segs[2:], nil
}

var credentialRE = regexp.MustCompile(`^AWS4-ECDSA-P256-SHA256 Credential=([^/,]+)/(\d{8})/([^/,]+)/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]+)$`)

// checkSignature enforces the SigV4A form of the Authorization header.
func (s *Server) checkSignature(r *http.Request) *apiError {
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-ECDSA-P256-SHA256 ") {
		return errorf(http.StatusForbidden, "AccessDeniedException", "the CloudFront KeyValueStore API takes SigV4A signatures (AWS4-ECDSA-P256-SHA256), got %q", strings.SplitN(auth, " ", 2)[0])
	}
	m := credentialRE.FindStringSubmatch(auth)
	if m == nil {
		return errorf(http.StatusForbidden, "AccessDeniedException", "malformed SigV4A Authorization header")
	}
	keyID, day, service, signed := m[1], m[2], m[3], strings.Split(m[4], ";")
	if keyID != s.AccessKeyID {
		return errorf(http.StatusForbidden, "AccessDeniedException", "unknown access key id %s", keyID)
	}
	if service != "cloudfront-keyvaluestore" {
		return errorf(http.StatusForbidden, "AccessDeniedException", "credential scope names service %s, want cloudfront-keyvaluestore", service)
	}
	date := r.Header.Get("X-Amz-Date")
	if len(date) < 8 || date[:8] != day {
		return errorf(http.StatusForbidden, "AccessDeniedException", "X-Amz-Date %q does not match the credential scope's day %s", date, day)
	}
	if r.Header.Get("X-Amz-Region-Set") == "" {
		return errorf(http.StatusForbidden, "AccessDeniedException", "no X-Amz-Region-Set header (SigV4A)")
	}
	for _, h := range []string{"host", "x-amz-date", "x-amz-region-set"} {
		if !contains(signed, h) {
			return errorf(http.StatusForbidden, "AccessDeniedException", "header %s is not signed", h)
		}
	}
	if !sort.StringsAreSorted(signed) {
		return errorf(http.StatusForbidden, "AccessDeniedException", "SignedHeaders are not sorted")
	}
	body, err := readBody(r)
	if err != nil {
		return validation("reading the body: %v", err)
	}
	if s.pub == nil {
		return errorf(http.StatusInternalServerError, "InternalServerException", "the stand-in has no key pair to verify with")
	}
	if why := verifySignature(r, body, s.pub, day, service, signed, m[5]); why != "" {
		return errorf(http.StatusForbidden, "AccessDeniedException", "%s", why)
	}
	return nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func (s *Server) serve(r *http.Request) (op string, status int, body any, etag string, err *apiError) {
	arn, rest, err := route(r)
	if err != nil {
		return "Unknown", 0, nil, "", err
	}
	switch {
	case r.Method == http.MethodGet && len(rest) == 0:
		op = "DescribeKeyValueStore"
	case r.Method == http.MethodGet && len(rest) == 1 && rest[0] == "keys":
		op = "ListKeys"
	case r.Method == http.MethodPost && len(rest) == 1 && rest[0] == "keys":
		op = "UpdateKeys"
	case r.Method == http.MethodGet && len(rest) == 2 && rest[0] == "keys":
		op = "GetKey"
	case r.Method == http.MethodPut && len(rest) == 2 && rest[0] == "keys":
		op = "PutKey"
	case r.Method == http.MethodDelete && len(rest) == 2 && rest[0] == "keys":
		op = "DeleteKey"
	default:
		return "Unknown", 0, nil, "", errorf(http.StatusNotFound, "UnknownOperationException", "no operation %s %s", r.Method, r.URL.EscapedPath())
	}
	if err := s.checkSignature(r); err != nil {
		return op, 0, nil, "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stores[arn]
	if st == nil {
		return op, 0, nil, "", errorf(http.StatusNotFound, "ResourceNotFoundException", "no key value store %s", arn)
	}
	summary := func() map[string]any {
		return map[string]any{"ItemCount": len(st.items), "TotalSizeInBytes": st.size()}
	}
	ifMatch := func() *apiError {
		m := r.Header.Get("If-Match")
		if m == "" {
			return validation("If-Match is required: the store's current ETag (DescribeKeyValueStore)")
		}
		if m != st.etag() {
			return errorf(http.StatusConflict, "ConflictException", "the ETag %s in If-Match is not the store's current version", m)
		}
		return nil
	}
	write := func() (string, int, any, string, *apiError) {
		st.version++
		st.modified = time.Now().UTC().Truncate(time.Second)
		return op, http.StatusOK, summary(), st.etag(), nil
	}

	switch op {
	case "DescribeKeyValueStore":
		b := summary()
		b["KvsARN"] = arn
		b["Status"] = "READY"
		b["Created"] = st.created.Unix()
		b["LastModified"] = st.modified.Unix()
		return op, http.StatusOK, b, st.etag(), nil

	case "ListKeys":
		limit := 10
		if v := r.URL.Query().Get("MaxResults"); v != "" {
			n, e := strconv.Atoi(v)
			if e != nil || n < 1 || n > MaxResults {
				return op, 0, nil, "", validation("MaxResults %q: 1 to %d", v, MaxResults)
			}
			limit = n
		}
		after := ""
		if tok := r.URL.Query().Get("NextToken"); tok != "" {
			b, e := base64.RawURLEncoding.DecodeString(tok)
			if e != nil || !strings.HasPrefix(string(b), "after:") {
				return op, 0, nil, "", validation("invalid NextToken")
			}
			after = strings.TrimPrefix(string(b), "after:")
		}
		keys := make([]string, 0, len(st.items))
		for k := range st.items {
			if after == "" || k > after {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		out := map[string]any{}
		items := []map[string]string{}
		for i, k := range keys {
			if i == limit {
				out["NextToken"] = base64.RawURLEncoding.EncodeToString([]byte("after:" + keys[i-1]))
				break
			}
			items = append(items, map[string]string{"Key": k, "Value": st.items[k]})
		}
		out["Items"] = items
		return op, http.StatusOK, out, "", nil

	case "GetKey":
		v, ok := st.items[rest[1]]
		if !ok {
			return op, 0, nil, "", errorf(http.StatusNotFound, "ResourceNotFoundException", "no key %q", rest[1])
		}
		b := summary()
		b["Key"], b["Value"] = rest[1], v
		return op, http.StatusOK, b, "", nil

	case "PutKey":
		var in struct{ Value *string }
		if e := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10)).Decode(&in); e != nil || in.Value == nil {
			return op, 0, nil, "", validation("the body must be {\"Value\": string}")
		}
		if err := checkItem(rest[1], *in.Value); err != nil {
			return op, 0, nil, "", err
		}
		if err := ifMatch(); err != nil {
			return op, 0, nil, "", err
		}
		if err := checkSize(st, map[string]string{rest[1]: *in.Value}, nil); err != nil {
			return op, 0, nil, "", err
		}
		st.items[rest[1]] = *in.Value
		return write()

	case "DeleteKey":
		if err := ifMatch(); err != nil {
			return op, 0, nil, "", err
		}
		if _, ok := st.items[rest[1]]; !ok {
			return op, 0, nil, "", errorf(http.StatusNotFound, "ResourceNotFoundException", "no key %q", rest[1])
		}
		delete(st.items, rest[1])
		return write()

	case "UpdateKeys":
		var in struct {
			Puts    []struct{ Key, Value *string }
			Deletes []struct{ Key *string }
		}
		if e := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(&in); e != nil {
			return op, 0, nil, "", validation("malformed body: %v", e)
		}
		if len(in.Puts)+len(in.Deletes) == 0 || len(in.Puts)+len(in.Deletes) > MaxUpdateItems {
			return op, 0, nil, "", validation("1 to %d puts and deletes in one UpdateKeys", MaxUpdateItems)
		}
		puts := map[string]string{}
		for _, p := range in.Puts {
			if p.Key == nil || p.Value == nil {
				return op, 0, nil, "", validation("a put needs Key and Value")
			}
			if err := checkItem(*p.Key, *p.Value); err != nil {
				return op, 0, nil, "", err
			}
			puts[*p.Key] = *p.Value
		}
		var dels []string
		for _, d := range in.Deletes {
			if d.Key == nil || *d.Key == "" {
				return op, 0, nil, "", validation("a delete needs Key")
			}
			dels = append(dels, *d.Key)
		}
		if err := ifMatch(); err != nil {
			return op, 0, nil, "", err
		}
		if err := checkSize(st, puts, dels); err != nil {
			return op, 0, nil, "", err
		}
		// All or nothing: everything was checked before this point.
		for _, k := range dels {
			delete(st.items, k)
		}
		for k, v := range puts {
			st.items[k] = v
		}
		return write()
	}
	return op, 0, nil, "", errorf(http.StatusInternalServerError, "InternalServerException", "unhandled %s", op)
}

func checkItem(key, value string) *apiError {
	if key == "" || len(key) > MaxKeyBytes {
		return validation("a key is 1 to %d bytes; this one is %d", MaxKeyBytes, len(key))
	}
	if len(value) > MaxValueBytes {
		return validation("a value is at most %d bytes; this one is %d", MaxValueBytes, len(value))
	}
	return nil
}

// checkSize refuses a write that would take the store past MaxStoreBytes.
func checkSize(st *store, puts map[string]string, dels []string) *apiError {
	size := st.size()
	for _, k := range dels {
		if v, ok := st.items[k]; ok {
			size -= int64(len(k) + len(v))
		}
	}
	for k, v := range puts {
		if old, ok := st.items[k]; ok && !contains(dels, k) {
			size -= int64(len(k) + len(old))
		}
		size += int64(len(k) + len(v))
	}
	if size > MaxStoreBytes {
		return errorf(http.StatusPaymentRequired, "ServiceQuotaExceededException", "the store would hold %d bytes; the limit is %d", size, MaxStoreBytes)
	}
	return nil
}
