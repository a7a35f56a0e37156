package template

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// cfNormalize is RFC 3986 normalization as CloudFront applies it before
// matching path patterns: percent-encoded unreserved characters are
// decoded; reserved ones such as %2F stay encoded. (CloudFront then
// forwards the raw path to the origin.)
func cfNormalize(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) {
			if s, err := url.PathUnescape(p[i : i+3]); err == nil && len(s) == 1 {
				c := s[0]
				if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
					b.WriteByte(c)
					i += 2
					continue
				}
			}
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// globMatch is a CloudFront path pattern: * any run of characters
// (slashes too), ? one character, case-sensitive, leading / optional.
func globMatch(pattern, p string) bool {
	q := regexp.QuoteMeta(strings.TrimPrefix(pattern, "/"))
	q = strings.ReplaceAll(strings.ReplaceAll(q, `\*`, ".*"), `\?`, ".")
	return regexp.MustCompile("^" + q + "$").MatchString(strings.TrimPrefix(p, "/"))
}

// TestReview9PartnerFilesOnlyBehindTheFunction: the key is checked only on
// the partners/* behaviour. A request whose path reaches a partners/ key
// in the bucket through another behaviour is served with no key at all.
// S3 decodes the object key from the path it is sent, %2F included, so
// /partners%2Fculture-desk%2Ffeed.json names partners/culture-desk/feed.json;
// CloudFront leaves %2F encoded when it matches path patterns, so that
// request matches *.json (and .../feed.xml the default behaviour), which
// run no function: the partner's feed, free for anyone. (The local
// server decodes first and checks the key: the two disagree.) The model
// of CloudFront's matching and S3's decoding above is what AWS documents;
// worth a check against a real distribution.
func TestReview9PartnerFilesOnlyBehindTheFunction(t *testing.T) {
	_, raw := load(t)
	dc := at(t, raw, "Resources", "Distribution", "Properties", "DistributionConfig")
	route := func(uri string) map[string]any {
		p := cfNormalize(uri)
		for _, b := range at(t, dc, "CacheBehaviors").([]any) {
			if globMatch(at(t, b, "PathPattern").(string), p) {
				return b.(map[string]any)
			}
		}
		return at(t, dc, "DefaultCacheBehavior").(map[string]any)
	}
	for _, uri := range []string{
		"/partners/culture-desk/feed.json",
		"/partners%2Fculture-desk%2Ffeed.json",
		"/partners%2Fculture-desk/feed.json",
		"/partners%2fculture-desk%2fatom.xml",
		"/partners%2Fculture-desk%2Farchive%2F1%2Ffeed.json",
	} {
		s3Key, err := url.PathUnescape(strings.TrimPrefix(uri, "/"))
		if err != nil || !strings.HasPrefix(s3Key, "partners/") {
			t.Fatalf("%s: S3 key %q", uri, s3Key)
		}
		b := route(uri)
		if _, ok := b["FunctionAssociations"]; !ok {
			t.Errorf("%s reaches S3 key %s through behaviour %v, which checks no key", uri, s3Key, b["PathPattern"])
		}
	}
}
