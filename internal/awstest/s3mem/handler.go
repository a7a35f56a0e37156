package s3mem

import (
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/johannesboyne/gofakes3"
)

// nullAlias stands for the version id "null" in the query strings Handler
// passes to gofakes3, which would take versionId=null for no version id at
// all and so act on the current version instead of the null one.
const nullAlias gofakes3.VersionID = "~null"

// Handler returns gofakes3's S3 front end serving b, configured by opts,
// for path-style requests (http://host/bucket/key, as TESTING.md requires
// of clients). Around gofakes3 it mends what gofakes3 cannot pass between
// the client and a backend:
//
//   - Cache-Control, Content-Language and Expires, which gofakes3 drops,
//     are stored and returned like Content-Type; a copy with
//     x-amz-metadata-directive: REPLACE stores only the request's
//     metadata (gofakes3 merges in the source's);
//   - HEAD with versionId answers for that version (gofakes3 answers for
//     the current one);
//   - versionId=null names the null version (gofakes3 reads it as no
//     version id);
//   - GET or HEAD of a delete marker's version answers 405 with
//     x-amz-delete-marker: true, Allow: DELETE and Last-Modified, as S3
//     does;
//   - a copy answers x-amz-version-id of the version it made (omitted
//     unless the destination's versioning is enabled) and
//     x-amz-copy-source-version-id of the version it read (gofakes3 sends
//     the source's current version id as both);
//   - user metadata is limited as S3 limits it (2 KB of keys and values)
//     rather than by gofakes3's count of every x-amz- header.
//
// Headers starting with X-Amz-S3mem- are Handler's own and are removed
// from incoming requests.
func (b *Backend) Handler(opts ...gofakes3.Option) http.Handler {
	opts = append([]gofakes3.Option{gofakes3.WithMetadataSizeLimit(0)}, opts...)
	front := gofakes3.New(b, opts...).Server()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.serve(front, w, r)
	})
}

// serve is one request through Handler.
func (b *Backend) serve(front http.Handler, w http.ResponseWriter, r *http.Request) {
	r = r.Clone(r.Context())
	for name := range r.Header {
		if strings.HasPrefix(http.CanonicalHeaderKey(name), internalPrefix) {
			delete(r.Header, name)
		}
	}
	bucketName, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	q := r.URL.Query()
	// The object requests gofakes3 routes on versionId, or as plain
	// object requests: not multipart uploads or versioning listings.
	object := key != "" && !q.Has("uploadId") && !q.Has("uploads") && !q.Has("versioning") && !q.Has("versions")
	if object && q.Get("versionId") == nullVersion {
		q.Set("versionId", string(nullAlias))
		r.URL.RawQuery = q.Encode()
	}
	id := gofakes3.VersionID(q.Get("versionId"))

	switch {
	case object && id != "" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		if m, ok := b.markerVersion(bucketName, key, id); ok {
			writeMarkerVersion(w, r, m)
			return
		}
		if r.Method == http.MethodHead {
			// gofakes3 ignores versionId on HEAD, so ask for a GET: the
			// server still sends no body, as the client's request was
			// HEAD.
			r.Method = http.MethodGet
		}
	case object && r.Method == http.MethodPut, key != "" && r.Method == http.MethodPost && q.Has("uploads"):
		r.Header.Set(metaHeader, encodeMetadata(requestMetadata(r.Header)))
		if r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") != "" {
			token := strconv.FormatUint(b.tokens.Add(1), 10)
			r.Header.Set(tokenHeader, token)
			defer b.takeCopy(token)
			w = &copyWriter{ResponseWriter: w, b: b, token: token}
		}
	}
	front.ServeHTTP(w, r)
}

// markerInfo is what a 405 for a delete marker's version reports.
type markerInfo struct {
	id       string
	modified time.Time
}

// markerVersion reports whether the version id of key is a delete marker.
func (b *Backend) markerVersion(bucketName, key string, id gofakes3.VersionID) (markerInfo, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk := b.buckets[bucketName]
	if bk == nil {
		return markerInfo{}, false
	}
	v := bk.find(key, resolveID(id))
	if v == nil || !v.deleteMarker {
		return markerInfo{}, false
	}
	return markerInfo{id: v.id, modified: v.modified}, true
}

// methodNotAllowed is S3's error body for a delete marker's version.
type methodNotAllowed struct {
	XMLName      xml.Name `xml:"Error"`
	Code         string   `xml:"Code"`
	Message      string   `xml:"Message"`
	Method       string   `xml:"Method"`
	ResourceType string   `xml:"ResourceType"`
}

// writeMarkerVersion answers a GET or HEAD of a delete marker's version
// as S3 does.
func writeMarkerVersion(w http.ResponseWriter, r *http.Request, m markerInfo) {
	h := w.Header()
	h.Set("Server", "AmazonS3")
	h.Set("X-Amz-Delete-Marker", "true")
	h.Set("X-Amz-Version-Id", m.id)
	h.Set("Last-Modified", m.modified.Format(http.TimeFormat))
	h.Set("Allow", "DELETE")
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	h.Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusMethodNotAllowed)
	// A client gone away cannot be told of a failed write.
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(methodNotAllowed{
		Code:         string(gofakes3.ErrMethodNotAllowed),
		Message:      "The specified method is not allowed against this resource.",
		Method:       r.Method,
		ResourceType: "DeleteMarker",
	})
}

// takeCopy returns and forgets what the copy request named token made.
func (b *Backend) takeCopy(token string) (copyResult, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	res, ok := b.copies[token]
	delete(b.copies, token)
	return res, ok
}

// copyWriter sets a copy response's version headers from what the backend
// made, just before gofakes3 sends them.
type copyWriter struct {
	http.ResponseWriter
	b     *Backend
	token string
	fixed bool
}

func (c *copyWriter) fix() {
	if c.fixed {
		return
	}
	c.fixed = true
	res, ok := c.b.takeCopy(c.token)
	if !ok {
		return // the copy failed: gofakes3 sends an error without them
	}
	h := c.Header()
	setOrDelete(h, "X-Amz-Version-Id", string(res.version))
	setOrDelete(h, "X-Amz-Copy-Source-Version-Id", string(res.sourceVersion))
}

// WriteHeader implements http.ResponseWriter.
func (c *copyWriter) WriteHeader(code int) {
	c.fix()
	c.ResponseWriter.WriteHeader(code)
}

// Write implements http.ResponseWriter.
func (c *copyWriter) Write(p []byte) (int, error) {
	c.fix()
	return c.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the server's writer.
func (c *copyWriter) Unwrap() http.ResponseWriter {
	return c.ResponseWriter
}

func setOrDelete(h http.Header, name, value string) {
	if value == "" {
		h.Del(name)
	} else {
		h.Set(name, value)
	}
}
