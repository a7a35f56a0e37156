package s3mem

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/johannesboyne/gofakes3"
)

// maxDeleteObjects is how many keys one DeleteObjects request may name.
const maxDeleteObjects = 1000

// copyResult is what a copy made, kept for Handler to put in the response
// headers gofakes3 fills wrongly.
type copyResult struct {
	version       gofakes3.VersionID // of the new object, "" if none is shown
	sourceVersion gofakes3.VersionID // of the source, "" if none is shown
}

// resolveID undoes Handler's stand-in for the version id "null", which
// gofakes3 would otherwise drop from the query string.
func resolveID(id gofakes3.VersionID) string {
	if id == nullAlias {
		return nullVersion
	}
	return string(id)
}

func errNoSuchVersion() error {
	return gofakes3.ErrorMessage(gofakes3.ErrNoSuchVersion, "The specified version does not exist.")
}

func errPreconditionFailed() error {
	return gofakes3.ErrorMessage(gofakes3.ErrPreconditionFailed, gofakes3.ErrPreconditionFailed.Message())
}

// errDeleteMarkerVersion is the error for reading a delete marker by its
// version id. S3 answers 405 MethodNotAllowed; gofakes3 maps this code to
// 400, and Handler answers 405 itself before gofakes3 is asked.
func errDeleteMarkerVersion() error {
	return gofakes3.ErrorMessage(gofakes3.ErrMethodNotAllowed, "The specified method is not allowed against this resource.")
}

// errInvalidRequest stands for S3's 400 InvalidRequest, a code gofakes3
// cannot send with status 400: it goes out as InvalidArgument.
func errInvalidRequest(msg string) error {
	return gofakes3.ErrorMessage(gofakes3.ErrInvalidArgument, msg)
}

// object turns v into what gofakes3 serves, with its body (or the range
// asked for) when withBody is set.
func (bk *bucket) object(key string, v *version, rng *gofakes3.ObjectRangeRequest, withBody bool) (*gofakes3.Object, error) {
	obj := &gofakes3.Object{
		Name:           key,
		VersionID:      bk.exposedID(v),
		IsDeleteMarker: v.deleteMarker,
		Contents:       io.NopCloser(bytes.NewReader(nil)),
	}
	if v.deleteMarker {
		return obj, nil
	}
	obj.Metadata = responseMetadata(v)
	obj.Size = int64(len(v.body))
	obj.Hash = slices.Clone(v.md5)
	if withBody {
		r, err := rng.Range(obj.Size)
		if err != nil {
			return nil, err
		}
		data := v.body
		if r != nil {
			data = data[r.Start : r.Start+r.Length]
		}
		obj.Range = r
		obj.Contents = io.NopCloser(bytes.NewReader(data))
	}
	return obj, nil
}

// get serves GET (withBody) and HEAD, of the current version when id is
// empty.
//
// When the current version is a delete marker, get returns the marker (an
// Object with IsDeleteMarker set) and no error: from it gofakes3 answers
// what S3 does, 404 NoSuchKey with x-amz-delete-marker: true and the
// marker's x-amz-version-id.
func (b *Backend) get(bucketName, key string, id gofakes3.VersionID, rng *gofakes3.ObjectRangeRequest, withBody bool) (*gofakes3.Object, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk, err := b.bucket(bucketName)
	if err != nil {
		return nil, err
	}
	if id == "" {
		v := bk.current(key)
		if v == nil {
			return nil, gofakes3.KeyNotFound(key)
		}
		return bk.object(key, v, rng, withBody)
	}
	vid := resolveID(id)
	if !validVersionID(vid) {
		return nil, errInvalidVersionID(vid)
	}
	if bk.current(key) == nil {
		return nil, gofakes3.KeyNotFound(key)
	}
	v := bk.find(key, vid)
	switch {
	case v == nil:
		return nil, errNoSuchVersion()
	case v.deleteMarker:
		return nil, errDeleteMarkerVersion()
	}
	return bk.object(key, v, rng, withBody)
}

// GetObject implements gofakes3.Backend. It returns the current version,
// or the delete marker hiding the key (see get): callers must check
// Object.IsDeleteMarker, as gofakes3 does.
func (b *Backend) GetObject(bucketName, key string, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	return b.get(bucketName, key, "", rng, true)
}

// HeadObject implements gofakes3.Backend, like GetObject without a body.
func (b *Backend) HeadObject(bucketName, key string) (*gofakes3.Object, error) {
	return b.get(bucketName, key, "", nil, false)
}

// GetObjectVersion implements gofakes3.VersionedBackend. A malformed id is
// an InvalidArgument error, an unknown one NoSuchVersion, and a delete
// marker's MethodNotAllowed, as on S3.
func (b *Backend) GetObjectVersion(bucketName, key string, id gofakes3.VersionID, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	return b.get(bucketName, key, id, rng, true)
}

// HeadObjectVersion implements gofakes3.VersionedBackend, like
// GetObjectVersion without a body.
func (b *Backend) HeadObjectVersion(bucketName, key string, id gofakes3.VersionID) (*gofakes3.Object, error) {
	return b.get(bucketName, key, id, nil, false)
}

// PutObject implements gofakes3.Backend. The new version becomes current;
// its metadata replaces the previous version's entirely, as on S3.
func (b *Backend) PutObject(bucketName, key string, meta map[string]string, input io.Reader, size int64, conditions *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	// Read before locking: a slow client must not hold up everyone else.
	body, err := gofakes3.ReadAll(input, size)
	if err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	stored, err := objectMetadata(meta)
	if err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	sum := md5.Sum(body)

	b.mu.Lock()
	defer b.mu.Unlock()
	bk, err := b.bucket(bucketName)
	if err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	if err := checkPutConditions(key, bk.current(key), conditions); err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	v := &version{id: bk.newVersionID(key), body: body, md5: sum[:], meta: stored, modified: b.now()}
	bk.add(key, v)
	return gofakes3.PutObjectResult{VersionID: bk.writtenID(v)}, nil
}

// checkPutConditions applies a PUT's If-None-Match and If-Match to the
// key's current version. A delete marker counts as no object.
func checkPutConditions(key string, cur *version, c *gofakes3.PutConditions) error {
	if c == nil {
		return nil
	}
	live := cur != nil && !cur.deleteMarker
	if c.IfNoneMatch != nil {
		if strings.TrimSpace(*c.IfNoneMatch) != "*" {
			return gofakes3.ErrorMessage(gofakes3.ErrNotImplemented, "A header you provided implies functionality that is not implemented: If-None-Match on PUT takes only *")
		}
		if live {
			return errPreconditionFailed()
		}
	}
	if c.IfMatch != nil {
		if !live {
			// S3 answers a conditional write on a missing key with 404.
			return gofakes3.KeyNotFound(key)
		}
		if !etagMatches(*c.IfMatch, hex.EncodeToString(cur.md5)) {
			return errPreconditionFailed()
		}
	}
	return nil
}

// etagMatches reports whether a comma-separated list of (quoted) ETags,
// or *, names etag.
func etagMatches(header, etag string) bool {
	for e := range strings.SplitSeq(header, ",") {
		e = strings.Trim(strings.TrimSpace(e), `"`)
		if e == "*" || e == etag {
			return true
		}
	}
	return false
}

// CopyObject implements gofakes3.Backend. It copies the source's current
// version, or the version the X-Amz-Copy-Source header names with
// ?versionId=, into a new version of the destination. Metadata follows
// x-amz-metadata-directive: COPY (the default) keeps the source's, REPLACE
// takes the request's. The x-amz-copy-source-if-* conditions are checked,
// and, as on S3, copying an object onto itself unchanged is refused.
func (b *Backend) CopyObject(srcBucket, srcKey, dstBucket, dstKey string, meta map[string]string) (gofakes3.CopyObjectResult, error) {
	srcID, err := copySourceVersion(meta["X-Amz-Copy-Source"])
	if err != nil {
		return gofakes3.CopyObjectResult{}, err
	}
	directive := strings.ToUpper(strings.TrimSpace(meta["X-Amz-Metadata-Directive"]))
	switch directive {
	case "":
		directive = "COPY"
	case "COPY", "REPLACE":
	default:
		return gofakes3.CopyObjectResult{}, gofakes3.ErrorInvalidArgument("x-amz-metadata-directive", directive, "Unknown metadata directive.")
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	sb, err := b.bucket(srcBucket)
	if err != nil {
		return gofakes3.CopyObjectResult{}, err
	}
	db, err := b.bucket(dstBucket)
	if err != nil {
		return gofakes3.CopyObjectResult{}, err
	}
	var src *version
	if srcID == "" {
		src = sb.current(srcKey)
		if src == nil || src.deleteMarker {
			return gofakes3.CopyObjectResult{}, gofakes3.KeyNotFound(srcKey)
		}
	} else {
		if !validVersionID(srcID) {
			return gofakes3.CopyObjectResult{}, errInvalidVersionID(srcID)
		}
		if src = sb.find(srcKey, srcID); src == nil {
			return gofakes3.CopyObjectResult{}, errNoSuchVersion()
		}
		if src.deleteMarker {
			return gofakes3.CopyObjectResult{}, errInvalidRequest("The source of a copy request may not specifically refer to a delete marker by version id.")
		}
	}
	if err := checkCopyConditions(meta, src); err != nil {
		return gofakes3.CopyObjectResult{}, err
	}
	if srcBucket == dstBucket && srcKey == dstKey && srcID == "" && directive == "COPY" && !changesAttributes(meta) {
		return gofakes3.CopyObjectResult{}, errInvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}

	stored := src.meta
	if directive == "REPLACE" {
		if stored, err = objectMetadata(meta); err != nil {
			return gofakes3.CopyObjectResult{}, err
		}
	}
	v := &version{id: db.newVersionID(dstKey), body: src.body, md5: src.md5, meta: stored, modified: b.now()}
	db.add(dstKey, v)
	if token, ok := meta[tokenHeader]; ok {
		b.copies[token] = copyResult{version: db.writtenID(v), sourceVersion: sb.exposedID(src)}
	}
	return gofakes3.CopyObjectResult{
		ETag:         gofakes3.FormatETag(v.md5),
		LastModified: gofakes3.NewContentTime(v.modified),
	}, nil
}

// copySourceVersion returns the versionId of an X-Amz-Copy-Source header
// ("bucket/key?versionId=..."), which gofakes3 strips before calling the
// backend.
func copySourceVersion(source string) (string, error) {
	_, query, ok := strings.Cut(source, "?")
	if !ok {
		return "", nil
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", gofakes3.ErrorInvalidArgument("x-amz-copy-source", source, "Invalid copy source.")
	}
	return q.Get("versionId"), nil
}

// changesAttributes reports whether a copy request changes something S3
// lets an object be copied onto itself for.
func changesAttributes(meta map[string]string) bool {
	for _, h := range []string{"X-Amz-Storage-Class", "X-Amz-Website-Redirect-Location", "X-Amz-Server-Side-Encryption"} {
		if meta[h] != "" {
			return true
		}
	}
	return false
}

// checkCopyConditions applies the x-amz-copy-source-if-* headers to the
// source version, with S3's precedence: a true if-match overrides a false
// if-unmodified-since, and a false if-none-match decides before
// if-modified-since.
func checkCopyConditions(meta map[string]string, src *version) error {
	etag := hex.EncodeToString(src.md5)
	modified := src.modified.Truncate(time.Second)
	ifMatch, hasMatch := meta["X-Amz-Copy-Source-If-Match"]
	if hasMatch && !etagMatches(ifMatch, etag) {
		return errPreconditionFailed()
	}
	ifNoneMatch, hasNoneMatch := meta["X-Amz-Copy-Source-If-None-Match"]
	if hasNoneMatch && etagMatches(ifNoneMatch, etag) {
		return errPreconditionFailed()
	}
	if v, ok := meta["X-Amz-Copy-Source-If-Unmodified-Since"]; ok && !hasMatch {
		if t, err := http.ParseTime(v); err == nil && modified.After(t) {
			return errPreconditionFailed()
		}
	}
	if v, ok := meta["X-Amz-Copy-Source-If-Modified-Since"]; ok && !hasNoneMatch {
		if t, err := http.ParseTime(v); err == nil && !modified.After(t) {
			return errPreconditionFailed()
		}
	}
	return nil
}

// deleteCurrent is a DELETE without a version id. An unversioned bucket
// loses the key; a versioned one gets a delete marker as the current
// version, even for a key it never held, as S3 does (with id "null" when
// versioning is suspended, replacing the null version).
func (bk *bucket) deleteCurrent(key string, now time.Time) gofakes3.ObjectDeleteResult {
	if bk.versioning == gofakes3.VersioningNone {
		bk.remove(key, nullVersion)
		return gofakes3.ObjectDeleteResult{}
	}
	m := &version{id: bk.newVersionID(key), deleteMarker: true, modified: now}
	bk.add(key, m)
	return gofakes3.ObjectDeleteResult{IsDeleteMarker: true, VersionID: gofakes3.VersionID(m.id)}
}

// deleteVersion removes one version; see bucket.remove.
func (bk *bucket) deleteVersion(key, id string) (gofakes3.ObjectDeleteResult, error) {
	if !validVersionID(id) {
		return gofakes3.ObjectDeleteResult{}, errInvalidVersionID(id)
	}
	v := bk.remove(key, id)
	if v == nil {
		return gofakes3.ObjectDeleteResult{}, nil
	}
	return gofakes3.ObjectDeleteResult{IsDeleteMarker: v.deleteMarker, VersionID: gofakes3.VersionID(v.id)}, nil
}

// DeleteObject implements gofakes3.Backend; see deleteCurrent. Deleting a
// key that does not exist is not an error.
func (b *Backend) DeleteObject(bucketName, key string) (gofakes3.ObjectDeleteResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk, err := b.bucket(bucketName)
	if err != nil {
		return gofakes3.ObjectDeleteResult{}, err
	}
	return bk.deleteCurrent(key, b.now()), nil
}

// DeleteObjectVersion implements gofakes3.VersionedBackend: it removes
// exactly that version. If it was the current one, the newest remaining
// version becomes current with its own id unchanged (deleting a delete
// marker is how an object is undeleted); removing the last version removes
// the key. An unknown version is not an error.
func (b *Backend) DeleteObjectVersion(bucketName, key string, id gofakes3.VersionID) (gofakes3.ObjectDeleteResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk, err := b.bucket(bucketName)
	if err != nil {
		return gofakes3.ObjectDeleteResult{}, err
	}
	return bk.deleteVersion(key, resolveID(id))
}

// DeleteMulti implements gofakes3.Backend, deleting each key as
// DeleteObject does.
func (b *Backend) DeleteMulti(bucketName string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	objects := make([]gofakes3.ObjectID, len(keys))
	for i, k := range keys {
		objects[i] = gofakes3.ObjectID{Key: k}
	}
	return b.DeleteMultiVersions(bucketName, objects...)
}

// DeleteMultiVersions implements gofakes3.VersionedBackend: each object
// without a version id is deleted as by DeleteObject, each with one as by
// DeleteObjectVersion.
func (b *Backend) DeleteMultiVersions(bucketName string, objects ...gofakes3.ObjectID) (gofakes3.MultiDeleteResult, error) {
	var res gofakes3.MultiDeleteResult
	if len(objects) > maxDeleteObjects {
		return res, gofakes3.ErrorMessagef(gofakes3.ErrMalformedXML, "a DeleteObjects request names at most %d keys", maxDeleteObjects)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	bk, err := b.bucket(bucketName)
	if err != nil {
		return res, err
	}
	now := b.now()
	for _, o := range objects {
		if o.VersionID == "" {
			bk.deleteCurrent(o.Key, now)
			res.Deleted = append(res.Deleted, gofakes3.ObjectID{Key: o.Key})
			continue
		}
		if _, err := bk.deleteVersion(o.Key, o.VersionID); err != nil {
			res.Error = append(res.Error, gofakes3.ErrorResult{
				Key:     o.Key,
				Code:    gofakes3.ErrNoSuchVersion,
				Message: "The specified version does not exist.",
			})
			continue
		}
		res.Deleted = append(res.Deleted, o)
	}
	return res, nil
}
