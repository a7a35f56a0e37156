// Package partners owns access to the partner feeds (partners/<name>/...):
// the access keys (Generate), the rule deciding whether a request may read
// a partner's files (Authorize, the same rule as the CloudFront Function
// functions/edge/partners.js, which a test runs on one table of cases), the
// keys file of the local mode, and a client of the CloudFront KeyValueStore
// the function reads on AWS.
//
// Neither mode ever stores a key: only its SHA-256 (hex), the partner's
// name, when it was made, and a short key id (a prefix of the hash) to list
// and revoke it by.
package partners

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// PathPrefix is the folder of the partner feeds, in the out folder and in
// the feeds bucket.
const PathPrefix = "partners/"

// QueryParam is the query parameter a key may be given in (?key=...), for
// clients that cannot set a header.
const QueryParam = "key"

// CacheControl is what a partner's files are served with to viewers:
// private, so that no shared cache between a partner and the CDN keeps a
// copy for others (the CDN itself caches by the objects' own
// Cache-Control, and checks the key on every request).
const CacheControl = "private, max-age=300"

// MaxKeyLen bounds a presented key: a longer one is refused unhashed.
const MaxKeyLen = 256

// nameRE is compiled on first use, not at the start of every command.
var nameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`) })

// ValidName reports whether name is a partner name: lower-case letters,
// digits and hyphens, starting with a letter or digit, at most 63
// characters (it is a path segment and a DNS-label-like id).
func ValidName(name string) bool { return nameRE().MatchString(name) }

// Hash returns the hex SHA-256 of a key: what the keys file and the
// KeyValueStore hold in place of the key.
func Hash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// KeyIDLen is the length of a key id: 12 hex digits (48 bits) of the hash.
const KeyIDLen = 12

// KeyID returns the short id of a key's hash, by which it is listed and
// revoked: its first KeyIDLen hex digits. It reveals nothing usable of the
// key.
func KeyID(hash string) string {
	if len(hash) < KeyIDLen {
		return hash
	}
	return hash[:KeyIDLen]
}

// Request is what the rule reads of an HTTP request.
type Request struct {
	// Method is the HTTP method. OPTIONS (a CORS preflight, which browsers
	// send without credentials) passes without a key: it reads no file.
	Method string
	// URI is the path as the client sent it, still percent-encoded, without
	// the query (CloudFront's event.request.uri).
	URI string
	// Authorization holds every Authorization header of the request.
	Authorization []string
	// RawQuery is the query string as sent, without the "?".
	RawQuery string
}

// Lookup returns the value the store holds for a key hash (see StoreValue),
// and whether there is one.
type Lookup func(hash string) (value string, ok bool)

// Decision is the rule's answer.
type Decision struct {
	// Allow: the request may read the file. Otherwise the answer is 403 with
	// no body.
	Allow bool
	// Partner is the partner whose file is read (empty for a preflight).
	Partner string
	// Query is the query string to forward: the request's, without the key,
	// each parameter's values together in the order of its first appearance
	// (as CloudFront rebuilds it from event.request.querystring).
	Query string
}

// Authorize decides whether r may read the partner file it names: it must
// carry exactly one key (Authorization: Bearer KEY, the scheme in any case,
// or ?key=KEY), of at most MaxKeyLen characters of URL-safe base64; the
// store must hold the key's hash; the partner named by the store must be the
// one whose folder the path is in (/partners/NAME/...), with no way out of
// it: no encoded slash or backslash, no dot segments (encoded or not), no
// empty segment, no invalid percent-encoding. functions/edge/partners.js
// applies the same rule at the edge; testdata/cases.json holds the cases
// both must agree on.
func Authorize(r Request, lookup Lookup) Decision {
	if r.Method == "OPTIONS" {
		return Decision{Allow: true, Query: forwardQuery(r.RawQuery)}
	}
	name, ok := partnerOfPath(r.URI)
	if !ok {
		return Decision{}
	}
	key, ok := presentedKey(r.Authorization, r.RawQuery)
	if !ok {
		return Decision{}
	}
	value, ok := lookup(Hash(key))
	if !ok {
		return Decision{}
	}
	partner := PartnerOf(value)
	if !ValidName(partner) || partner != name {
		return Decision{}
	}
	return Decision{Allow: true, Partner: partner, Query: forwardQuery(r.RawQuery)}
}

// partnerOfPath returns the partner whose folder uri is in, when uri stays
// in it.
func partnerOfPath(uri string) (string, bool) {
	const prefix = "/" + PathPrefix
	if !strings.HasPrefix(uri, prefix) {
		return "", false
	}
	rest := uri[len(prefix):]
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		return "", false // /partners/a: the folder itself, not under it
	}
	name := rest[:slash]
	if !ValidName(name) {
		return "", false
	}
	lower := strings.ToLower(uri)
	if strings.Contains(lower, "%2f") || strings.Contains(lower, "%5c") || strings.Contains(uri, `\`) {
		return "", false
	}
	decoded, err := url.PathUnescape(uri)
	if err != nil || !utf8.ValidString(decoded) {
		return "", false
	}
	segs := strings.Split(decoded, "/")
	for i, seg := range segs {
		if seg == "." || seg == ".." || (seg == "" && i != 0 && i != len(segs)-1) {
			return "", false
		}
		for _, c := range []byte(seg) {
			if c < 0x20 || c == 0x7f {
				return "", false
			}
		}
	}
	return name, true
}

// presentedKey returns the one key the request carries.
func presentedKey(authorization []string, rawQuery string) (string, bool) {
	var keys []string
	for _, h := range authorization {
		key, ok := bearer(h)
		if !ok {
			return "", false
		}
		keys = append(keys, key)
	}
	for _, p := range queryPairs(rawQuery) {
		if p.name == QueryParam {
			keys = append(keys, p.value)
		}
	}
	if len(keys) != 1 || !validKey(keys[0]) {
		return "", false
	}
	return keys[0], true
}

// bearer reads "Bearer KEY" (the scheme in any case, spaces around).
func bearer(h string) (string, bool) {
	h = strings.Trim(h, " \t")
	scheme, rest, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return "", false
	}
	return strings.TrimLeft(rest, " "), true
}

func validKey(k string) bool {
	if k == "" || len(k) > MaxKeyLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

type pair struct{ name, value string }

// queryPairs splits a raw query as CloudFront does for its event: on "&",
// then at the first "="; names and values stay as sent.
func queryPairs(raw string) []pair {
	var out []pair
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		out = append(out, pair{name, value})
	}
	return out
}

// forwardQuery is the query without the key, grouped as CloudFront's
// querystring object holds it.
func forwardQuery(raw string) string {
	var order []string
	values := map[string][]string{}
	for _, p := range queryPairs(raw) {
		if p.name == QueryParam {
			continue
		}
		if _, ok := values[p.name]; !ok {
			order = append(order, p.name)
		}
		values[p.name] = append(values[p.name], p.value)
	}
	var b strings.Builder
	for _, name := range order {
		for _, v := range values[name] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(name + "=" + v)
		}
	}
	return b.String()
}

// arnRE is a KeyValueStore ARN. CloudFront is global: the region field is
// empty, and the API's endpoint is derived from the account.
var arnRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^arn:(aws):cloudfront::(\d{12}):key-value-store/([A-Za-z0-9-]{1,64})$`)
})

// ValidStoreARN reports whether arn is a CloudFront KeyValueStore ARN
// (arn:aws:cloudfront::ACCOUNT:key-value-store/ID).
func ValidStoreARN(arn string) bool { return arnRE().MatchString(arn) }
