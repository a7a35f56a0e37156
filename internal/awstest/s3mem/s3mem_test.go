package s3mem_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/johannesboyne/gofakes3"

	"github.com/pressroom/pressroom/internal/awstest"
	"github.com/pressroom/pressroom/internal/awstest/s3mem"
)

const bkt = "pressroom-feeds"

// tickingClock stamps each new version one second after the last, so
// that tests can order versions by LastModified: the SDK splits
// ListObjectVersions into Versions and DeleteMarkers and loses the order
// of the response.
type tickingClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *tickingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func (c *tickingClock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

// start serves a backend made with opts through Handler on loopback and
// returns it with an SDK client configured as TESTING.md requires.
func start(t *testing.T, opts ...s3mem.Option) (*s3mem.Backend, *s3.Client) {
	t.Helper()
	b, c, _ := serve(t, opts...)
	return b, c
}

// serve is start that also returns the server's URL.
func serve(t *testing.T, opts ...s3mem.Option) (*s3mem.Backend, *s3.Client, string) {
	t.Helper()
	clock := &tickingClock{t: time.Now().Truncate(time.Second)}
	b := s3mem.New(append([]s3mem.Option{s3mem.WithTimeSource(clock)}, opts...)...)
	srv := httptest.NewServer(b.Handler())
	t.Cleanup(srv.Close)
	return b, awstest.S3(srv.URL), srv.URL
}

// put writes body to key and returns the version id the PUT answered
// ("" when it answered none).
func put(t *testing.T, c *s3.Client, key, body string, edit ...func(*s3.PutObjectInput)) string {
	t.Helper()
	in := &s3.PutObjectInput{Bucket: aws.String(bkt), Key: aws.String(key), Body: strings.NewReader(body), ContentType: aws.String("text/plain")}
	for _, e := range edit {
		e(in)
	}
	out, err := c.PutObject(context.Background(), in)
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
	return aws.ToString(out.VersionId)
}

// get reads key (at version id, if not empty) and returns its body and
// the response.
func get(t *testing.T, c *s3.Client, key, id string) (string, *s3.GetObjectOutput) {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: aws.String(bkt), Key: aws.String(key)}
	if id != "" {
		in.VersionId = aws.String(id)
	}
	out, err := c.GetObject(context.Background(), in)
	if err != nil {
		t.Fatalf("get %s@%s: %v", key, id, err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body), out
}

// failure returns the HTTP status, error code and headers of a failed call.
func failure(t *testing.T, err error) (int, string, http.Header) {
	t.Helper()
	if err == nil {
		t.Fatal("the call succeeded; want an error")
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("%v is not an HTTP response error", err)
	}
	code := ""
	var api smithy.APIError
	if errors.As(err, &api) {
		code = api.ErrorCode()
	}
	return re.HTTPStatusCode(), code, re.Response.Header
}

func getErr(c *s3.Client, key, id string) error {
	in := &s3.GetObjectInput{Bucket: aws.String(bkt), Key: aws.String(key)}
	if id != "" {
		in.VersionId = aws.String(id)
	}
	out, err := c.GetObject(context.Background(), in)
	if err == nil {
		out.Body.Close()
	}
	return err
}

func headErr(c *s3.Client, key, id string) error {
	in := &s3.HeadObjectInput{Bucket: aws.String(bkt), Key: aws.String(key)}
	if id != "" {
		in.VersionId = aws.String(id)
	}
	_, err := c.HeadObject(context.Background(), in)
	return err
}

// entry is one line of ListObjectVersions.
type entry struct {
	Key, ID  string
	Latest   bool
	Marker   bool
	Size     int64
	Modified time.Time
}

func (e entry) String() string {
	s := fmt.Sprintf("%s@%s", e.Key, e.ID)
	if e.Marker {
		s += "(marker)"
	}
	if e.Latest {
		s += "*"
	}
	return s
}

// versionsPage turns one ListObjectVersions answer into entries in S3's
// order (key, then newest first), merging the SDK's two lists back.
func versionsPage(out *s3.ListObjectVersionsOutput) []entry {
	var es []entry
	for _, v := range out.Versions {
		es = append(es, entry{Key: aws.ToString(v.Key), ID: aws.ToString(v.VersionId), Latest: aws.ToBool(v.IsLatest), Size: aws.ToInt64(v.Size), Modified: aws.ToTime(v.LastModified)})
	}
	for _, m := range out.DeleteMarkers {
		es = append(es, entry{Key: aws.ToString(m.Key), ID: aws.ToString(m.VersionId), Latest: aws.ToBool(m.IsLatest), Marker: true, Modified: aws.ToTime(m.LastModified)})
	}
	slices.SortStableFunc(es, func(a, b entry) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return b.Modified.Compare(a.Modified)
	})
	return es
}

// versions lists every version under prefix.
func versions(t *testing.T, c *s3.Client, prefix string) []entry {
	t.Helper()
	out, err := c.ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: aws.String(bkt), Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToBool(out.IsTruncated) {
		t.Fatal("listing truncated")
	}
	return versionsPage(out)
}

func ids(es []entry) string {
	return fmt.Sprint(es)
}

func TestUndeleteByDeletingTheDeleteMarker(t *testing.T) {
	ctx := context.Background()
	_, c := start(t, s3mem.WithVersionedBucket(bkt))

	v1 := put(t, c, "feed.xml", "one")
	v2 := put(t, c, "feed.xml", "two!")
	if v1 == "" || v2 == "" || v1 == v2 || v1 == "null" {
		t.Fatalf("version ids %q %q", v1, v2)
	}

	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("feed.xml")})
	if err != nil {
		t.Fatal(err)
	}
	marker := aws.ToString(del.VersionId)
	if !aws.ToBool(del.DeleteMarker) || marker == "" || marker == v2 {
		t.Fatalf("delete: marker %v, version %q", del.DeleteMarker, marker)
	}

	// GET and HEAD answer 404, naming the delete marker.
	err = getErr(c, "feed.xml", "")
	var nsk *types.NoSuchKey
	if !errors.As(err, &nsk) {
		t.Errorf("GET after delete: %v, want NoSuchKey", err)
	}
	status, _, h := failure(t, err)
	if status != http.StatusNotFound || h.Get("X-Amz-Delete-Marker") != "true" || h.Get("X-Amz-Version-Id") != marker {
		t.Errorf("GET after delete: %d, x-amz-delete-marker %q, x-amz-version-id %q", status, h.Get("X-Amz-Delete-Marker"), h.Get("X-Amz-Version-Id"))
	}
	err = headErr(c, "feed.xml", "")
	var nf *types.NotFound
	if !errors.As(err, &nf) {
		t.Errorf("HEAD after delete: %v, want NotFound", err)
	}
	if status, _, h := failure(t, err); status != http.StatusNotFound || h.Get("X-Amz-Delete-Marker") != "true" {
		t.Errorf("HEAD after delete: %d, x-amz-delete-marker %q", status, h.Get("X-Amz-Delete-Marker"))
	}
	lst, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bkt)})
	if err != nil || len(lst.Contents) != 0 {
		t.Errorf("ListObjectsV2 after delete: %d objects, %v", len(lst.Contents), err)
	}

	want := fmt.Sprint([]entry{
		{Key: "feed.xml", ID: marker, Latest: true, Marker: true},
		{Key: "feed.xml", ID: v2},
		{Key: "feed.xml", ID: v1},
	})
	if got := ids(versions(t, c, "")); got != want {
		t.Errorf("versions after delete:\n got %s\nwant %s", got, want)
	}

	// Old versions stay readable by id, whole or in part.
	if body, out := get(t, c, "feed.xml", v1); body != "one" || aws.ToString(out.VersionId) != v1 {
		t.Errorf("GET v1: %q, version %q", body, aws.ToString(out.VersionId))
	}
	rng, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bkt), Key: aws.String("feed.xml"), VersionId: aws.String(v2), Range: aws.String("bytes=1-2")})
	if err != nil {
		t.Fatal(err)
	}
	part, _ := io.ReadAll(rng.Body)
	rng.Body.Close()
	if string(part) != "wo" || aws.ToString(rng.ContentRange) != "bytes 1-2/4" {
		t.Errorf("range of v2: %q, %q", part, aws.ToString(rng.ContentRange))
	}

	// Deleting the marker brings v2 back, under its own version id.
	undo, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("feed.xml"), VersionId: aws.String(marker)})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(undo.DeleteMarker) || aws.ToString(undo.VersionId) != marker {
		t.Errorf("deleting the marker answered marker %v, version %q", undo.DeleteMarker, aws.ToString(undo.VersionId))
	}
	if body, out := get(t, c, "feed.xml", ""); body != "two!" || aws.ToString(out.VersionId) != v2 {
		t.Errorf("GET after undelete: %q, version %q, want two! at %q", body, aws.ToString(out.VersionId), v2)
	}
	want = fmt.Sprint([]entry{{Key: "feed.xml", ID: v2, Latest: true}, {Key: "feed.xml", ID: v1}})
	if got := ids(versions(t, c, "")); got != want {
		t.Errorf("versions after undelete:\n got %s\nwant %s", got, want)
	}

	// Deleting the current version makes the previous one current.
	gone, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("feed.xml"), VersionId: aws.String(v2)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToBool(gone.DeleteMarker) || aws.ToString(gone.VersionId) != v2 {
		t.Errorf("deleting v2 answered marker %v, version %q", gone.DeleteMarker, aws.ToString(gone.VersionId))
	}
	if body, out := get(t, c, "feed.xml", ""); body != "one" || aws.ToString(out.VersionId) != v1 {
		t.Errorf("GET after deleting v2: %q, version %q", body, aws.ToString(out.VersionId))
	}

	// Deleting the last version removes the key.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("feed.xml"), VersionId: aws.String(v1)}); err != nil {
		t.Fatal(err)
	}
	if got := versions(t, c, ""); len(got) != 0 {
		t.Errorf("versions after deleting every version: %v", got)
	}
	err = getErr(c, "feed.xml", "")
	if status, _, h := failure(t, err); status != http.StatusNotFound || h.Get("X-Amz-Delete-Marker") != "" {
		t.Errorf("GET of a removed key: %d, x-amz-delete-marker %q", status, h.Get("X-Amz-Delete-Marker"))
	}
	// Deleting a version that is gone is not an error.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("feed.xml"), VersionId: aws.String(v1)}); err != nil {
		t.Errorf("deleting a removed version: %v", err)
	}
}

func TestReadByVersionID(t *testing.T) {
	ctx := context.Background()
	_, c := start(t, s3mem.WithVersionedBucket(bkt))
	v1 := put(t, c, "a.xml", "one")
	v2 := put(t, c, "a.xml", "second")
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("a.xml")})
	if err != nil {
		t.Fatal(err)
	}
	marker := aws.ToString(del.VersionId)

	// HEAD of an old version describes that version, not the current one.
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bkt), Key: aws.String("a.xml"), VersionId: aws.String(v1)})
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum([]byte("one"))
	if aws.ToInt64(head.ContentLength) != 3 || aws.ToString(head.VersionId) != v1 || aws.ToString(head.ETag) != `"`+hex.EncodeToString(sum[:])+`"` {
		t.Errorf("HEAD v1: length %d, version %q, ETag %s", aws.ToInt64(head.ContentLength), aws.ToString(head.VersionId), aws.ToString(head.ETag))
	}
	if body, _ := get(t, c, "a.xml", v2); body != "second" {
		t.Errorf("GET v2: %q", body)
	}

	// A delete marker's version answers 405, as on S3.
	for name, err := range map[string]error{"GET": getErr(c, "a.xml", marker), "HEAD": headErr(c, "a.xml", marker)} {
		status, code, h := failure(t, err)
		if status != http.StatusMethodNotAllowed || h.Get("X-Amz-Delete-Marker") != "true" || h.Get("Last-Modified") == "" {
			t.Errorf("%s of a delete marker: %d %s, x-amz-delete-marker %q", name, status, code, h.Get("X-Amz-Delete-Marker"))
		}
		if name == "GET" && code != "MethodNotAllowed" {
			t.Errorf("GET of a delete marker: code %q", code)
		}
	}

	// Unknown and malformed version ids.
	if status, code, _ := failure(t, getErr(c, "a.xml", strings.Repeat("x", 32))); status != http.StatusNotFound || code != "NoSuchVersion" {
		t.Errorf("unknown version: %d %s", status, code)
	}
	if status, code, _ := failure(t, getErr(c, "a.xml", "not a version")); status != http.StatusBadRequest || code != "InvalidArgument" {
		t.Errorf("malformed version: %d %s", status, code)
	}
	if status, _, _ := failure(t, headErr(c, "a.xml", strings.Repeat("x", 32))); status != http.StatusNotFound {
		t.Errorf("HEAD of an unknown version: %d", status)
	}
}

func TestUnversionedBucket(t *testing.T) {
	ctx := context.Background()
	_, c := start(t, s3mem.WithBucket(bkt))
	if id := put(t, c, "feed.xml", "one"); id != "" {
		t.Errorf("PUT to an unversioned bucket answered version %q", id)
	}
	put(t, c, "feed.xml", "two")
	body, out := get(t, c, "feed.xml", "")
	if body != "two" || out.VersionId != nil {
		t.Errorf("GET: %q, version %v", body, out.VersionId)
	}
	if got, want := ids(versions(t, c, "")), fmt.Sprint([]entry{{Key: "feed.xml", ID: "null", Latest: true}}); got != want {
		t.Errorf("versions: %s, want %s", got, want)
	}
	vc, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bkt)})
	if err != nil || vc.Status != "" {
		t.Errorf("versioning status %q, %v", vc.Status, err)
	}

	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("feed.xml")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToBool(del.DeleteMarker) || del.VersionId != nil {
		t.Errorf("delete: marker %v, version %v", del.DeleteMarker, del.VersionId)
	}
	if got := versions(t, c, ""); len(got) != 0 {
		t.Errorf("versions after delete: %v", got)
	}
	if status, _, h := failure(t, getErr(c, "feed.xml", "")); status != http.StatusNotFound || h.Get("X-Amz-Delete-Marker") != "" {
		t.Errorf("GET after delete: %d, delete marker %q", status, h.Get("X-Amz-Delete-Marker"))
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("feed.xml")}); err != nil {
		t.Errorf("deleting a missing key: %v", err)
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bkt)}); err != nil {
		t.Errorf("deleting the emptied bucket: %v", err)
	}
}

func TestSuspendedVersioning(t *testing.T) {
	ctx := context.Background()
	_, c := start(t, s3mem.WithBucket(bkt))
	setVersioning := func(s types.BucketVersioningStatus) {
		t.Helper()
		if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bkt), VersioningConfiguration: &types.VersioningConfiguration{Status: s}}); err != nil {
			t.Fatal(err)
		}
	}

	put(t, c, "k", "before versioning")
	setVersioning(types.BucketVersioningStatusEnabled)
	// The object written before versioning keeps the null version id.
	if _, out := get(t, c, "k", ""); aws.ToString(out.VersionId) != "null" {
		t.Errorf("pre-versioning object: version %q, want null", aws.ToString(out.VersionId))
	}
	v1 := put(t, c, "k", "v1")
	want := fmt.Sprint([]entry{{Key: "k", ID: v1, Latest: true}, {Key: "k", ID: "null"}})
	if got := ids(versions(t, c, "")); got != want {
		t.Errorf("after enabling:\n got %s\nwant %s", got, want)
	}

	setVersioning(types.BucketVersioningStatusSuspended)
	if vc, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bkt)}); err != nil || vc.Status != types.BucketVersioningStatusSuspended {
		t.Errorf("versioning status %q, %v", vc.Status, err)
	}
	// S3 answers no version id to a write into a suspended bucket...
	if id := put(t, c, "k", "s1"); id != "" {
		t.Errorf("PUT while suspended answered version %q", id)
	}
	// ...but the write is the null version, replacing the old null one.
	if body, out := get(t, c, "k", ""); body != "s1" || aws.ToString(out.VersionId) != "null" {
		t.Errorf("GET while suspended: %q, version %q", body, aws.ToString(out.VersionId))
	}
	put(t, c, "k", "s2-longer")
	got := versions(t, c, "")
	want = fmt.Sprint([]entry{{Key: "k", ID: "null", Latest: true}, {Key: "k", ID: v1}})
	if fmt.Sprint(got) != want || got[0].Size != int64(len("s2-longer")) {
		t.Errorf("after suspended writes:\n got %v\nwant %s", got, want)
	}
	if body, _ := get(t, c, "k", "null"); body != "s2-longer" {
		t.Errorf("GET versionId=null: %q", body)
	}

	// A delete while suspended puts a null delete marker in place of the
	// null version.
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(del.DeleteMarker) || aws.ToString(del.VersionId) != "null" {
		t.Errorf("delete while suspended: marker %v, version %q", del.DeleteMarker, aws.ToString(del.VersionId))
	}
	want = fmt.Sprint([]entry{{Key: "k", ID: "null", Latest: true, Marker: true}, {Key: "k", ID: v1}})
	if got := ids(versions(t, c, "")); got != want {
		t.Errorf("after delete while suspended:\n got %s\nwant %s", got, want)
	}
	// Deleting versionId=null removes that marker: v1 is current again.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("k"), VersionId: aws.String("null")}); err != nil {
		t.Fatal(err)
	}
	if body, out := get(t, c, "k", ""); body != "v1" || aws.ToString(out.VersionId) != v1 {
		t.Errorf("after deleting the null marker: %q, version %q", body, aws.ToString(out.VersionId))
	}
}

func TestMetadataRoundTrip(t *testing.T) {
	ctx := context.Background()
	_, c, endpoint := serve(t, s3mem.WithVersionedBucket(bkt))
	v1 := put(t, c, "feed.xml", "<rss/>", func(in *s3.PutObjectInput) {
		in.ContentType = aws.String("application/rss+xml; charset=utf-8")
		in.CacheControl = aws.String("public, max-age=300")
		in.ContentDisposition = aws.String(`inline; filename="feed.xml"`)
		in.ContentLanguage = aws.String("ar")
		in.Metadata = map[string]string{"sha256": "ba7816bf", "Slug": "news"}
	})
	check := func(name, ct, cc, cd, cl string, meta map[string]string, got [4]*string, gotMeta map[string]string) {
		t.Helper()
		for i, w := range []string{ct, cc, cd, cl} {
			if aws.ToString(got[i]) != w {
				t.Errorf("%s: header %d = %q, want %q", name, i, aws.ToString(got[i]), w)
			}
		}
		if fmt.Sprint(gotMeta) != fmt.Sprint(meta) {
			t.Errorf("%s: metadata %v, want %v", name, gotMeta, meta)
		}
	}
	wantMeta := map[string]string{"sha256": "ba7816bf", "slug": "news"}
	_, g := get(t, c, "feed.xml", "")
	check("GET", "application/rss+xml; charset=utf-8", "public, max-age=300", `inline; filename="feed.xml"`, "ar", wantMeta,
		[4]*string{g.ContentType, g.CacheControl, g.ContentDisposition, g.ContentLanguage}, g.Metadata)
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bkt), Key: aws.String("feed.xml")})
	if err != nil {
		t.Fatal(err)
	}
	check("HEAD", "application/rss+xml; charset=utf-8", "public, max-age=300", `inline; filename="feed.xml"`, "ar", wantMeta,
		[4]*string{h.ContentType, h.CacheControl, h.ContentDisposition, h.ContentLanguage}, h.Metadata)
	// Request headers S3 does not store are not echoed back (gofakes3's
	// own backend returns every x-amz- header of the PUT).
	raw, err := http.Get(endpoint + "/" + bkt + "/feed.xml")
	if err != nil {
		t.Fatal(err)
	}
	raw.Body.Close()
	for _, h := range []string{"X-Amz-Date", "X-Amz-Content-Sha256", "X-Amz-User-Agent", "Amz-Sdk-Request"} {
		if v := raw.Header.Get(h); v != "" {
			t.Errorf("GET echoes the PUT's %s: %q", h, v)
		}
	}
	if raw.Header.Get("Cache-Control") != "public, max-age=300" {
		t.Errorf("raw GET: Cache-Control %q", raw.Header.Get("Cache-Control"))
	}

	// A new version's metadata replaces the old one's entirely; the old
	// version keeps its own.
	put(t, c, "feed.xml", "<rss>2</rss>")
	_, g = get(t, c, "feed.xml", "")
	check("GET v2", "text/plain", "", "", "", map[string]string{},
		[4]*string{g.ContentType, g.CacheControl, g.ContentDisposition, g.ContentLanguage}, g.Metadata)
	_, g = get(t, c, "feed.xml", v1)
	check("GET v1", "application/rss+xml; charset=utf-8", "public, max-age=300", `inline; filename="feed.xml"`, "ar", wantMeta,
		[4]*string{g.ContentType, g.CacheControl, g.ContentDisposition, g.ContentLanguage}, g.Metadata)

	// S3 names a type when the writer gave none. (The SDK always sends
	// one, so send the request by hand.)
	req, err := http.NewRequest(http.MethodPut, endpoint+"/"+bkt+"/blob", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, g := get(t, c, "blob", ""); resp.StatusCode != http.StatusOK || aws.ToString(g.ContentType) != "binary/octet-stream" {
		t.Errorf("PUT without a type: %d, stored as %q", resp.StatusCode, aws.ToString(g.ContentType))
	}

	// User metadata is limited to 2 KB.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bkt), Key: aws.String("big"), Body: strings.NewReader("x"),
		Metadata: map[string]string{"a": strings.Repeat("x", 2048)}})
	if status, code, _ := failure(t, err); status != http.StatusBadRequest || code != "MetadataTooLarge" {
		t.Errorf("2 KB of metadata: %d %s", status, code)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bkt), Key: aws.String("big"), Body: strings.NewReader("x"),
		Metadata: map[string]string{"a": strings.Repeat("x", 2047)}}); err != nil {
		t.Errorf("just under 2 KB of metadata: %v", err)
	}
}

func TestConditionalPut(t *testing.T) {
	ctx := context.Background()
	_, c := start(t, s3mem.WithVersionedBucket(bkt))
	ifNoneMatch := func(in *s3.PutObjectInput) { in.IfNoneMatch = aws.String("*") }
	putErr := func(key string, edit func(*s3.PutObjectInput)) error {
		in := &s3.PutObjectInput{Bucket: aws.String(bkt), Key: aws.String(key), Body: strings.NewReader("x")}
		edit(in)
		_, err := c.PutObject(ctx, in)
		return err
	}

	if err := putErr("k", ifNoneMatch); err != nil {
		t.Fatalf("If-None-Match: * on a new key: %v", err)
	}
	if status, code, _ := failure(t, putErr("k", ifNoneMatch)); status != http.StatusPreconditionFailed || code != "PreconditionFailed" {
		t.Errorf("If-None-Match: * on an existing key: %d %s", status, code)
	}
	// A delete marker is no object: the create succeeds.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if err := putErr("k", ifNoneMatch); err != nil {
		t.Errorf("If-None-Match: * over a delete marker: %v", err)
	}

	sum := md5.Sum([]byte("x"))
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	if err := putErr("k", func(in *s3.PutObjectInput) { in.IfMatch = aws.String(etag) }); err != nil {
		t.Errorf("If-Match with the current ETag: %v", err)
	}
	if status, _, _ := failure(t, putErr("k", func(in *s3.PutObjectInput) { in.IfMatch = aws.String(`"0123"`) })); status != http.StatusPreconditionFailed {
		t.Errorf("If-Match with another ETag: %d", status)
	}
	if status, code, _ := failure(t, putErr("missing", func(in *s3.PutObjectInput) { in.IfMatch = aws.String(etag) })); status != http.StatusNotFound || code != "NoSuchKey" {
		t.Errorf("If-Match on a missing key: %d %s", status, code)
	}
}

func TestCopyObject(t *testing.T) {
	ctx := context.Background()
	_, c := start(t, s3mem.WithVersionedBucket(bkt), s3mem.WithBucket("plain-bucket"))
	v1 := put(t, c, "src", "one", func(in *s3.PutObjectInput) {
		in.CacheControl = aws.String("max-age=1")
		in.Metadata = map[string]string{"a": "1"}
	})
	v2 := put(t, c, "src", "two", func(in *s3.PutObjectInput) {
		in.CacheControl = aws.String("max-age=2")
		in.Metadata = map[string]string{"a": "2"}
	})

	out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bkt), Key: aws.String("dst"), CopySource: aws.String(bkt + "/src")})
	if err != nil {
		t.Fatal(err)
	}
	made := aws.ToString(out.VersionId)
	if made == "" || made == v1 || made == v2 || aws.ToString(out.CopySourceVersionId) != v2 {
		t.Errorf("copy answered version %q, source version %q (source is %q)", made, aws.ToString(out.CopySourceVersionId), v2)
	}
	body, g := get(t, c, "dst", "")
	if body != "two" || aws.ToString(g.VersionId) != made || aws.ToString(g.CacheControl) != "max-age=2" || g.Metadata["a"] != "2" {
		t.Errorf("copy: %q at %q, Cache-Control %q, metadata %v", body, aws.ToString(g.VersionId), aws.ToString(g.CacheControl), g.Metadata)
	}

	// An old version can be copied by id, even onto its own key: that is
	// how a previous version is restored.
	out, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bkt), Key: aws.String("src"), CopySource: aws.String(bkt + "/src?versionId=" + v1)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.CopySourceVersionId) != v1 {
		t.Errorf("copy of v1 answered source version %q", aws.ToString(out.CopySourceVersionId))
	}
	if body, g := get(t, c, "src", ""); body != "one" || g.Metadata["a"] != "1" || aws.ToString(g.VersionId) != aws.ToString(out.VersionId) {
		t.Errorf("restored v1: %q, metadata %v", body, g.Metadata)
	}
	if got := versions(t, c, "src"); len(got) != 3 {
		t.Errorf("versions of src after the restore: %v", got)
	}

	// REPLACE takes the request's metadata only.
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bkt), Key: aws.String("dst"), CopySource: aws.String(bkt + "/src"),
		MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/html"), CacheControl: aws.String("no-store")}); err != nil {
		t.Fatal(err)
	}
	if _, g := get(t, c, "dst", ""); aws.ToString(g.ContentType) != "text/html" || aws.ToString(g.CacheControl) != "no-store" || len(g.Metadata) != 0 {
		t.Errorf("REPLACE copy: %q, %q, %v", aws.ToString(g.ContentType), aws.ToString(g.CacheControl), g.Metadata)
	}

	// S3 refuses to copy an object onto itself unchanged.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bkt), Key: aws.String("src"), CopySource: aws.String(bkt + "/src")})
	if status, _, _ := failure(t, err); status != http.StatusBadRequest {
		t.Errorf("copy onto itself: %d", status)
	}
	// Source conditions.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bkt), Key: aws.String("dst"), CopySource: aws.String(bkt + "/src"), CopySourceIfMatch: aws.String(`"0123"`)})
	if status, _, _ := failure(t, err); status != http.StatusPreconditionFailed {
		t.Errorf("copy with a failing x-amz-copy-source-if-match: %d", status)
	}

	// Into an unversioned bucket no version id is answered.
	out, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("plain-bucket"), Key: aws.String("dst"), CopySource: aws.String(bkt + "/src")})
	if err != nil {
		t.Fatal(err)
	}
	if out.VersionId != nil || aws.ToString(out.CopySourceVersionId) == "" {
		t.Errorf("copy into an unversioned bucket: version %v, source version %v", out.VersionId, out.CopySourceVersionId)
	}

	// A source hidden by a delete marker is not found; its old versions
	// still copy by id.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("src")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bkt), Key: aws.String("dst"), CopySource: aws.String(bkt + "/src")})
	if status, code, _ := failure(t, err); status != http.StatusNotFound || code != "NoSuchKey" {
		t.Errorf("copy of a deleted source: %d %s", status, code)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bkt), Key: aws.String("dst"), CopySource: aws.String(bkt + "/src?versionId=" + v2)}); err != nil {
		t.Errorf("copy of an old version of a deleted source: %v", err)
	}
}

func TestDeleteObjects(t *testing.T) {
	ctx := context.Background()
	_, c := start(t, s3mem.WithVersionedBucket(bkt))
	put(t, c, "a", "a")
	b1 := put(t, c, "b", "b1")
	b2 := put(t, c, "b", "b2")
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bkt), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("a")},
		{Key: aws.String("b"), VersionId: aws.String(b2)},
		{Key: aws.String("b"), VersionId: aws.String("bogus")},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Deleted) != 2 || len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "NoSuchVersion" {
		t.Errorf("DeleteObjects: %d deleted, errors %+v", len(out.Deleted), out.Errors)
	}
	if status, _, h := failure(t, getErr(c, "a", "")); status != http.StatusNotFound || h.Get("X-Amz-Delete-Marker") != "true" {
		t.Errorf("a after DeleteObjects: %d, marker %q", status, h.Get("X-Amz-Delete-Marker"))
	}
	if body, g := get(t, c, "b", ""); body != "b1" || aws.ToString(g.VersionId) != b1 {
		t.Errorf("b after deleting its current version: %q at %q", body, aws.ToString(g.VersionId))
	}
}

// keysOf lists the keys and common prefixes ListObjectsV2 pages through.
func keysOf(t *testing.T, c *s3.Client, in *s3.ListObjectsV2Input) (keys, prefixes []string, pages int) {
	t.Helper()
	p := s3.NewListObjectsV2Paginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		for _, cp := range page.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(cp.Prefix))
		}
	}
	return keys, prefixes, pages
}

func TestListing(t *testing.T) {
	ctx := context.Background()
	_, c := start(t, s3mem.WithVersionedBucket(bkt))
	for _, k := range []string{"a/1", "a/2", "b", "c/x/1", "d", "e/gone"} {
		put(t, c, k, k)
	}
	put(t, c, "b", "b again")
	put(t, c, "b", "b third")
	for _, k := range []string{"d", "e/gone"} {
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String(k)}); err != nil {
			t.Fatal(err)
		}
	}

	keys, prefixes, _ := keysOf(t, c, &s3.ListObjectsV2Input{Bucket: aws.String(bkt)})
	if fmt.Sprint(keys) != "[a/1 a/2 b c/x/1]" || len(prefixes) != 0 {
		t.Errorf("ListObjectsV2: %v %v", keys, prefixes)
	}
	keys, _, pages := keysOf(t, c, &s3.ListObjectsV2Input{Bucket: aws.String(bkt), MaxKeys: aws.Int32(1)})
	if fmt.Sprint(keys) != "[a/1 a/2 b c/x/1]" || pages != 4 {
		t.Errorf("ListObjectsV2 one key a page: %v in %d pages", keys, pages)
	}
	// A prefix whose keys are all deleted is not listed.
	keys, prefixes, pages = keysOf(t, c, &s3.ListObjectsV2Input{Bucket: aws.String(bkt), Delimiter: aws.String("/"), MaxKeys: aws.Int32(1)})
	if fmt.Sprint(keys) != "[b]" || fmt.Sprint(prefixes) != "[a/ c/]" || pages != 3 {
		t.Errorf("ListObjectsV2 with a delimiter, one entry a page: %v %v in %d pages", keys, prefixes, pages)
	}
	keys, prefixes, _ = keysOf(t, c, &s3.ListObjectsV2Input{Bucket: aws.String(bkt), Prefix: aws.String("c/"), Delimiter: aws.String("/")})
	if len(keys) != 0 || fmt.Sprint(prefixes) != "[c/x/]" {
		t.Errorf("ListObjectsV2 under c/: %v %v", keys, prefixes)
	}

	// ListObjects (v1) pages by NextMarker.
	var v1keys []string
	marker := ""
	for range 10 {
		out, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(bkt), Delimiter: aws.String("/"), MaxKeys: aws.Int32(1), Marker: aws.String(marker)})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			v1keys = append(v1keys, aws.ToString(o.Key))
		}
		for _, cp := range out.CommonPrefixes {
			v1keys = append(v1keys, aws.ToString(cp.Prefix))
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		marker = aws.ToString(out.NextMarker)
	}
	if fmt.Sprint(v1keys) != "[a/ b c/]" {
		t.Errorf("ListObjects with a delimiter: %v", v1keys)
	}

	// ListObjectVersions, whole and one entry a page, agree.
	all := versions(t, c, "")
	if len(all) != 10 {
		t.Fatalf("%d versions: %v", len(all), all)
	}
	var paged []entry
	p := s3.NewListObjectVersionsPaginator(c, &s3.ListObjectVersionsInput{Bucket: aws.String(bkt), MaxKeys: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(page.Versions) + len(page.DeleteMarkers); n > 1 {
			t.Fatalf("a page of %d entries", n)
		}
		paged = append(paged, versionsPage(page)...)
	}
	if fmt.Sprint(paged) != fmt.Sprint(all) {
		t.Errorf("paged versions:\n got %v\nwant %v", paged, all)
	}
	for i, e := range all {
		latest := i == 0 || all[i-1].Key != e.Key
		if e.Latest != latest {
			t.Errorf("%v: IsLatest %v", e, e.Latest)
		}
	}

	out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bkt), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	var cps []string
	for _, cp := range out.CommonPrefixes {
		cps = append(cps, aws.ToString(cp.Prefix))
	}
	if fmt.Sprint(cps) != "[a/ c/ e/]" || len(out.Versions) != 4 || len(out.DeleteMarkers) != 1 {
		t.Errorf("ListObjectVersions with a delimiter: prefixes %v, %d versions, %d markers", cps, len(out.Versions), len(out.DeleteMarkers))
	}

	// The same, one entry a page: each common prefix comes once.
	var seen []string
	p = s3.NewListObjectVersionsPaginator(c, &s3.ListObjectVersionsInput{Bucket: aws.String(bkt), Delimiter: aws.String("/"), MaxKeys: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, cp := range page.CommonPrefixes {
			seen = append(seen, aws.ToString(cp.Prefix))
		}
		for _, e := range versionsPage(page) {
			seen = append(seen, e.Key)
		}
	}
	if fmt.Sprint(seen) != "[a/ b b b c/ d d e/]" {
		t.Errorf("ListObjectVersions with a delimiter, one entry a page: %v", seen)
	}
}

func TestMultipartUpload(t *testing.T) {
	ctx := context.Background()
	_, c := start(t, s3mem.WithVersionedBucket(bkt))
	key := aws.String("big.xml")
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bkt), Key: key,
		ContentType: aws.String("application/xml"), CacheControl: aws.String("max-age=60"), Metadata: map[string]string{"sha256": "abc"}})
	if err != nil {
		t.Fatal(err)
	}
	parts := [][]byte{bytes.Repeat([]byte("a"), 5<<20), []byte("tail")}
	var done []types.CompletedPart
	for i, part := range parts {
		n := int32(i + 1)
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bkt), Key: key, UploadId: up.UploadId, PartNumber: aws.Int32(n),
			Body: bytes.NewReader(part), ContentLength: aws.Int64(int64(len(part)))})
		if err != nil {
			t.Fatal(err)
		}
		done = append(done, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(n)})
	}
	fin, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bkt), Key: key, UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	if err != nil {
		t.Fatal(err)
	}
	body, g := get(t, c, "big.xml", "")
	if len(body) != 5<<20+4 || !strings.HasSuffix(body, "tail") || aws.ToString(fin.VersionId) == "" || aws.ToString(g.VersionId) != aws.ToString(fin.VersionId) {
		t.Errorf("multipart object: %d bytes at %q, upload answered %q", len(body), aws.ToString(g.VersionId), aws.ToString(fin.VersionId))
	}
	if aws.ToString(g.ContentType) != "application/xml" || aws.ToString(g.CacheControl) != "max-age=60" || g.Metadata["sha256"] != "abc" {
		t.Errorf("multipart metadata: %q, %q, %v", aws.ToString(g.ContentType), aws.ToString(g.CacheControl), g.Metadata)
	}
}

func TestConcurrentPuts(t *testing.T) {
	_, c := start(t, s3mem.WithVersionedBucket(bkt))
	const writers, each = 8, 25
	var (
		mu   sync.Mutex
		seen = map[string]bool{}
		wg   sync.WaitGroup
	)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				body := fmt.Sprintf("writer %d put %d", w, i)
				out, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bkt), Key: aws.String("feed.xml"), Body: bytes.NewReader([]byte(body))})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[aws.ToString(out.VersionId)] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != writers*each {
		t.Errorf("%d distinct version ids for %d writes", len(seen), writers*each)
	}
	all := versions(t, c, "")
	latest := 0
	for _, e := range all {
		if e.Latest {
			latest++
		}
		if !seen[e.ID] {
			t.Errorf("listed version %s was never answered", e.ID)
		}
	}
	if len(all) != writers*each || latest != 1 {
		t.Errorf("%d versions, %d latest", len(all), latest)
	}
	if _, g := get(t, c, "feed.xml", ""); aws.ToString(g.VersionId) != all[0].ID {
		t.Errorf("current version %q, listed latest %q", aws.ToString(g.VersionId), all[0].ID)
	}
}

// TestWithoutHandler drives the backend through gofakes3 alone: the
// versioning behaviour is the backend's own, Handler only mends headers.
func TestWithoutHandler(t *testing.T) {
	ctx := context.Background()
	b := s3mem.New(s3mem.WithVersionedBucket(bkt))
	srv := httptest.NewServer(gofakes3.New(b).Server())
	t.Cleanup(srv.Close)
	c := awstest.S3(srv.URL)

	put(t, c, "k", "one")
	v2 := put(t, c, "k", "two")
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	if status, _, h := failure(t, getErr(c, "k", "")); status != http.StatusNotFound || h.Get("X-Amz-Delete-Marker") != "true" {
		t.Errorf("GET over a marker: %d, marker header %q", status, h.Get("X-Amz-Delete-Marker"))
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("k"), VersionId: del.VersionId}); err != nil {
		t.Fatal(err)
	}
	if body, g := get(t, c, "k", ""); body != "two" || aws.ToString(g.VersionId) != v2 {
		t.Errorf("after undelete: %q at %q, want two at %q", body, aws.ToString(g.VersionId), v2)
	}
}

// TestBackendAPI calls the backend directly, as gofakes3 does.
func TestBackendAPI(t *testing.T) {
	b := s3mem.New(s3mem.WithVersionedBucket(bkt))
	putv := func(body string) gofakes3.VersionID {
		t.Helper()
		res, err := b.PutObject(bkt, "k", map[string]string{"Content-Type": "text/plain", "X-Amz-Date": "x"}, strings.NewReader(body), int64(len(body)), nil)
		if err != nil {
			t.Fatal(err)
		}
		return res.VersionID
	}
	v1 := putv("one")
	putv("two")
	obj, err := b.GetObjectVersion(bkt, "k", v1, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(obj.Contents)
	obj.Contents.Close()
	if string(got) != "one" || obj.Metadata["X-Amz-Date"] != "" || obj.Metadata["Content-Type"] != "text/plain" {
		t.Errorf("v1: %q, metadata %v", got, obj.Metadata)
	}

	if _, err := b.DeleteObject(bkt, "k"); err != nil {
		t.Fatal(err)
	}
	obj, err = b.GetObject(bkt, "k", nil)
	if err != nil || !obj.IsDeleteMarker {
		t.Errorf("GetObject over a marker: %+v, %v; want the marker", obj, err)
	}
	if err := b.DeleteBucket(bkt); !gofakes3.HasErrorCode(err, gofakes3.ErrBucketNotEmpty) {
		t.Errorf("DeleteBucket with versions left: %v", err)
	}
	if _, err := b.DeleteObjectVersion(bkt, "k", "bad id"); !gofakes3.HasErrorCode(err, gofakes3.ErrInvalidArgument) {
		t.Errorf("malformed version id: %v", err)
	}
	if _, err := b.GetObject("no-such-bucket", "k", nil); !gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchBucket) {
		t.Errorf("missing bucket: %v", err)
	}
	list, err := b.ListBucket(bkt, nil, gofakes3.ListBucketPage{})
	if err != nil || len(list.Contents) != 0 {
		t.Errorf("ListBucket over a marker: %v, %v", list, err)
	}
	vers, err := b.ListBucketVersions(bkt, nil, nil)
	if err != nil || len(vers.Versions) != 3 {
		t.Errorf("ListBucketVersions: %v, %v", vers, err)
	}
}
