// Package s3mem is an in-memory S3 backend for gofakes3 that keeps S3's
// object versioning faithfully: every key holds an ordered history of
// versions and delete markers, and deleting the current version makes the
// newest remaining one current again with its own version id (the way
// editors "undelete" an object on S3). gofakes3's own s3mem loses that
// promotion and then fails on GET.
//
// Serve it with Backend.Handler, which runs gofakes3's front end and mends
// the parts of S3's protocol that the front end cannot carry to a backend
// (Cache-Control and the other stored headers, HEAD and GET of a given
// version, the "null" version id, 405 for a delete marker's version, the
// version headers of a copy). gofakes3.New(backend).Server() works too,
// without those repairs.
//
// Errors the backend hands to gofakes3 are gofakes3's own error values,
// never wrapped: gofakes3 picks the HTTP status with a type switch that
// does not unwrap, so a wrapped error would reach the client as a 500.
package s3mem

import (
	"crypto/rand"
	"encoding/base64"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/johannesboyne/gofakes3"
)

// nullVersion is the version id S3 gives objects written while a bucket
// is unversioned or its versioning is suspended.
const nullVersion = "null"

// Backend is an in-memory S3 bucket store implementing gofakes3.Backend and
// gofakes3.VersionedBackend. It is safe for concurrent use. Multipart
// uploads are left to gofakes3, which assembles the parts and stores the
// result with PutObject.
type Backend struct {
	clock gofakes3.TimeSource

	mu      sync.Mutex
	buckets map[string]*bucket
	copies  map[string]copyResult // by Handler request token, see handler.go
	tokens  atomic.Uint64
}

var (
	_ gofakes3.Backend          = (*Backend)(nil)
	_ gofakes3.VersionedBackend = (*Backend)(nil)
)

// bucket is one bucket's versioning state and objects.
type bucket struct {
	name       string
	created    time.Time
	versioning gofakes3.VersioningStatus
	// objects holds each key's history, oldest first: the last element is
	// the current version. A key with no versions left is removed.
	objects map[string][]*version
}

// version is one version of an object, or a delete marker. Its body and
// metadata are never changed after it is stored, so they can be handed
// out without copying the body.
type version struct {
	id           string
	deleteMarker bool
	body         []byte
	md5          []byte
	meta         map[string]string // canonical header name to value
	modified     time.Time
}

// Option configures a Backend made by New.
type Option func(*Backend)

// WithTimeSource makes the backend take LastModified times from ts instead
// of the wall clock.
func WithTimeSource(ts gofakes3.TimeSource) Option {
	return func(b *Backend) { b.clock = ts }
}

// WithBucket creates an unversioned bucket called name.
func WithBucket(name string) Option {
	return func(b *Backend) { b.addBucket(name, gofakes3.VersioningNone) }
}

// WithVersionedBucket creates a bucket called name with versioning enabled.
func WithVersionedBucket(name string) Option {
	return func(b *Backend) { b.addBucket(name, gofakes3.VersioningEnabled) }
}

// New returns an empty backend configured by opts.
func New(opts ...Option) *Backend {
	b := &Backend{
		clock:   gofakes3.DefaultTimeSource(),
		buckets: map[string]*bucket{},
		copies:  map[string]copyResult{},
	}
	for _, opt := range opts {
		opt(b)
	}
	return b
}

// addBucket creates a bucket, or enables versioning on an existing one:
// options cannot report errors, so a repeated name is not one.
func (b *Backend) addBucket(name string, status gofakes3.VersioningStatus) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if bk := b.buckets[name]; bk != nil {
		if status != gofakes3.VersioningNone {
			bk.versioning = status
		}
		return
	}
	b.buckets[name] = &bucket{name: name, created: b.now(), versioning: status, objects: map[string][]*version{}}
}

// now is the time a new version is stamped with: S3 keeps milliseconds.
func (b *Backend) now() time.Time {
	return b.clock.Now().UTC().Truncate(time.Millisecond)
}

// bucket returns the named bucket or gofakes3's NoSuchBucket error. The
// caller holds b.mu.
func (b *Backend) bucket(name string) (*bucket, error) {
	bk := b.buckets[name]
	if bk == nil {
		return nil, gofakes3.BucketNotFound(name)
	}
	return bk, nil
}

// ListBuckets implements gofakes3.Backend. Buckets come sorted by name, as
// S3 lists them.
func (b *Backend) ListBuckets() ([]gofakes3.BucketInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]gofakes3.BucketInfo, 0, len(b.buckets))
	for _, bk := range b.buckets {
		out = append(out, gofakes3.BucketInfo{Name: bk.name, CreationDate: gofakes3.NewContentTime(bk.created)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// CreateBucket implements gofakes3.Backend.
func (b *Backend) CreateBucket(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buckets[name] != nil {
		return gofakes3.ResourceError(gofakes3.ErrBucketAlreadyExists, name)
	}
	b.buckets[name] = &bucket{name: name, created: b.now(), objects: map[string][]*version{}}
	return nil
}

// BucketExists implements gofakes3.Backend.
func (b *Backend) BucketExists(name string) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buckets[name] != nil, nil
}

// DeleteBucket implements gofakes3.Backend. As on S3, a bucket that still
// holds any version or delete marker is not empty.
func (b *Backend) DeleteBucket(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk, err := b.bucket(name)
	if err != nil {
		return err
	}
	if len(bk.objects) > 0 {
		return gofakes3.ResourceError(gofakes3.ErrBucketNotEmpty, name)
	}
	delete(b.buckets, name)
	return nil
}

// ForceDeleteBucket implements gofakes3.Backend: it deletes the bucket and
// every version in it.
func (b *Backend) ForceDeleteBucket(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, err := b.bucket(name); err != nil {
		return err
	}
	delete(b.buckets, name)
	return nil
}

// VersioningConfiguration implements gofakes3.VersionedBackend. A bucket
// that was never versioned answers an empty status, as S3 does.
func (b *Backend) VersioningConfiguration(name string) (gofakes3.VersioningConfiguration, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk, err := b.bucket(name)
	if err != nil {
		return gofakes3.VersioningConfiguration{}, err
	}
	return gofakes3.VersioningConfiguration{Status: bk.versioning}, nil
}

// SetVersioningConfiguration implements gofakes3.VersionedBackend. Like S3,
// it accepts Enabled and Suspended and never returns a bucket to the
// unversioned state; an empty status changes nothing. MFA delete is not
// supported.
func (b *Backend) SetVersioningConfiguration(name string, v gofakes3.VersioningConfiguration) error {
	if v.MFADelete.Enabled() {
		return gofakes3.ErrorMessage(gofakes3.ErrNotImplemented, "MFA delete is not supported by this stand-in")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	bk, err := b.bucket(name)
	if err != nil {
		return err
	}
	switch v.Status {
	case gofakes3.VersioningEnabled, gofakes3.VersioningSuspended:
		bk.versioning = v.Status
	case gofakes3.VersioningNone:
	default:
		return gofakes3.ErrorMessagef(gofakes3.ErrIllegalVersioningConfiguration, "unknown versioning status %q", v.Status)
	}
	return nil
}

// current returns key's current version, or nil when the key has none.
func (bk *bucket) current(key string) *version {
	hist := bk.objects[key]
	if len(hist) == 0 {
		return nil
	}
	return hist[len(hist)-1]
}

// find returns the version of key with the given id, or nil.
func (bk *bucket) find(key, id string) *version {
	for _, v := range bk.objects[key] {
		if v.id == id {
			return v
		}
	}
	return nil
}

// add makes v the current version of key. A "null" version replaces the
// key's previous null version wherever it stood in the history, as S3
// does for unversioned and versioning-suspended writes.
func (bk *bucket) add(key string, v *version) {
	hist := bk.objects[key]
	if v.id == nullVersion {
		hist = slices.DeleteFunc(hist, func(old *version) bool { return old.id == nullVersion })
	}
	bk.objects[key] = append(hist, v)
}

// remove deletes the version of key with the given id and returns it, or
// nil when there is none. The newest remaining version becomes current,
// keeping its id; a key left without versions is removed.
func (bk *bucket) remove(key, id string) *version {
	hist := bk.objects[key]
	i := slices.IndexFunc(hist, func(v *version) bool { return v.id == id })
	if i < 0 {
		return nil
	}
	v := hist[i]
	hist = slices.Delete(hist, i, i+1)
	if len(hist) == 0 {
		delete(bk.objects, key)
	} else {
		bk.objects[key] = hist
	}
	return v
}

// newVersionID returns the id for a version written to bk now: a fresh
// opaque id when versioning is enabled, otherwise "null".
func (bk *bucket) newVersionID(key string) string {
	if bk.versioning != gofakes3.VersioningEnabled {
		return nullVersion
	}
	for {
		id := randomVersionID()
		if bk.find(key, id) == nil {
			return id
		}
	}
}

// exposedID is the version id S3 shows for v in GET, HEAD and DELETE
// responses: none at all in a bucket that was never versioned.
func (bk *bucket) exposedID(v *version) gofakes3.VersionID {
	if bk.versioning == gofakes3.VersioningNone {
		return ""
	}
	return gofakes3.VersionID(v.id)
}

// writtenID is the version id S3 returns for a write: only an enabled
// bucket answers one; a suspended bucket stores "null" without saying so.
func (bk *bucket) writtenID(v *version) gofakes3.VersionID {
	if bk.versioning != gofakes3.VersioningEnabled {
		return ""
	}
	return gofakes3.VersionID(v.id)
}

// versionIDLen is the length of the ids randomVersionID makes; S3's own
// are 32 characters too.
const versionIDLen = 32

// randomVersionID returns an opaque, unguessable version id of S3's
// alphabet (letters, digits, '.' and '_'), so client code that forgets to
// escape it in a query string shows up in tests.
func randomVersionID() string {
	var raw [versionIDLen * 3 / 4]byte
	_, _ = rand.Read(raw[:]) // crypto/rand.Read never fails (Go 1.24+).
	return strings.ReplaceAll(base64.RawURLEncoding.EncodeToString(raw[:]), "-", ".")
}

// validVersionID reports whether id could name a version here: "null" or
// an id of randomVersionID's form. S3 rejects malformed ids with 400.
func validVersionID(id string) bool {
	if id == nullVersion {
		return true
	}
	if len(id) != versionIDLen {
		return false
	}
	for _, c := range id {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_':
		default:
			return false
		}
	}
	return true
}

// errInvalidVersionID is S3's answer to a malformed version id.
func errInvalidVersionID(id string) error {
	return gofakes3.ErrorInvalidArgument("versionId", id, "Invalid version id specified")
}
