package s3mem

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/johannesboyne/gofakes3"
)

// storedHeaders are the request headers S3 keeps with an object and
// returns on GET and HEAD, besides user metadata (x-amz-meta-*).
var storedHeaders = []string{
	"Cache-Control",
	"Content-Disposition",
	"Content-Encoding",
	"Content-Language",
	"Content-Type",
	"Expires",
	"X-Amz-Website-Redirect-Location",
}

const (
	userMetaPrefix = "X-Amz-Meta-"

	// internalPrefix names the headers Handler adds for the backend. They
	// start with X-Amz- because gofakes3 passes those (and only a few
	// others) on to the backend as metadata.
	internalPrefix = "X-Amz-S3mem-"
	// metaHeader carries, URL-encoded, every stored header of a write
	// request, including the ones gofakes3 drops (Cache-Control,
	// Content-Language, Expires) and without the ones a copy merges in
	// from its source.
	metaHeader = internalPrefix + "Metadata"
	// tokenHeader names a copy request, so that Handler can learn which
	// version the copy made.
	tokenHeader = internalPrefix + "Request"

	// maxUserMetadata is S3's limit on user metadata: the bytes of its
	// keys (after x-amz-meta-) and values.
	maxUserMetadata = 2 << 10

	// defaultContentType is what S3 stores when a write names none.
	defaultContentType = "binary/octet-stream"
)

// isStored reports whether the canonical header name is one S3 keeps.
func isStored(name string) bool {
	if strings.HasPrefix(name, userMetaPrefix) {
		return len(name) > len(userMetaPrefix)
	}
	return slices.Contains(storedHeaders, name)
}

// requestMetadata picks out of request headers those S3 stores.
func requestMetadata(h http.Header) map[string]string {
	out := map[string]string{}
	for name, vals := range h {
		name = http.CanonicalHeaderKey(name)
		if isStored(name) && len(vals) > 0 {
			out[name] = strings.Join(vals, ",")
		}
	}
	return out
}

// encodeMetadata packs metadata into one header value.
func encodeMetadata(meta map[string]string) string {
	v := url.Values{}
	for name, val := range meta {
		v.Set(name, val)
	}
	return v.Encode()
}

// objectMetadata returns the metadata a write stores, from the metadata
// gofakes3 passes to the backend: Handler's metaHeader when present,
// otherwise what gofakes3 kept of the request headers.
func objectMetadata(meta map[string]string) (map[string]string, error) {
	out := map[string]string{}
	if enc, ok := meta[metaHeader]; ok {
		vals, err := url.ParseQuery(enc)
		if err != nil {
			return nil, gofakes3.ErrorMessagef(gofakes3.ErrInternal, "s3mem: malformed %s header: %v", metaHeader, err)
		}
		for name, v := range vals {
			if isStored(name) && len(v) > 0 {
				out[name] = v[0]
			}
		}
	} else {
		for name, v := range meta {
			if isStored(name) {
				out[name] = v
			}
		}
	}
	normalizeMetadata(out)
	if err := checkUserMetadata(out); err != nil {
		return nil, err
	}
	return out, nil
}

// normalizeMetadata does to stored headers what S3 does: it drops the
// aws-chunked content coding the SDKs add for streamed uploads, and names
// a Content-Type when the request gave none.
func normalizeMetadata(meta map[string]string) {
	if ce, ok := meta["Content-Encoding"]; ok {
		var kept []string
		for c := range strings.SplitSeq(ce, ",") {
			if c = strings.TrimSpace(c); c != "" && !strings.EqualFold(c, "aws-chunked") {
				kept = append(kept, c)
			}
		}
		if len(kept) == 0 {
			delete(meta, "Content-Encoding")
		} else {
			meta["Content-Encoding"] = strings.Join(kept, ",")
		}
	}
	if meta["Content-Type"] == "" {
		meta["Content-Type"] = defaultContentType
	}
}

// checkUserMetadata enforces S3's 2 KB limit on user metadata.
func checkUserMetadata(meta map[string]string) error {
	n := 0
	for name, v := range meta {
		if strings.HasPrefix(name, userMetaPrefix) {
			n += len(name) - len(userMetaPrefix) + len(v)
		}
	}
	if n > maxUserMetadata {
		return gofakes3.ErrorMessage(gofakes3.ErrMetadataTooLarge, "Your metadata headers exceed the maximum allowed metadata size.")
	}
	return nil
}

// responseMetadata is what gofakes3 writes as response headers for v: its
// stored headers and its Last-Modified time (which gofakes3 also uses for
// If-Modified-Since).
func responseMetadata(v *version) map[string]string {
	out := maps.Clone(v.meta)
	if out == nil {
		out = map[string]string{}
	}
	out["Last-Modified"] = v.modified.Format(http.TimeFormat)
	return out
}
