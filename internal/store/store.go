// Package store defines the ObjectStore port, where published feeds and
// pages are written (a folder locally, the feeds bucket on AWS), and its
// local adapters (memory, folder); the S3 adapter is store/s3store. storetest
// holds the contract every adapter passes.
package store

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
)

// ErrNotFound is returned by Get for a key that holds no object.
var ErrNotFound = errors.New("store: not found")

// ErrInvalidKey is returned for keys that are empty, absolute, or would
// escape the store's root ("../x").
var ErrInvalidKey = errors.New("store: invalid key")

// ErrTooLarge is matched (errors.Is) by a *TooLargeError.
var ErrTooLarge = errors.New("store: object too large")

// TooLargeError says an object is larger than GetOptions.MaxBytes; none of
// it was read.
type TooLargeError struct {
	Key       string
	Size, Max int64
	Version   string // of a versioned store, the version refused
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("store: %s is %d bytes, more than %d", e.Key, e.Size, e.Max)
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// Object is a stored object with the metadata the CDN serves it with.
type Object struct {
	Key          string
	Body         []byte
	ContentType  string
	CacheControl string
	ModTime      time.Time
	// Version names these bytes in a versioned store (the S3 version
	// id); "" where the store keeps no versions.
	Version string
}

// GetOptions qualify a Get.
type GetOptions struct {
	// MaxBytes, when positive, refuses an object larger than this with a
	// *TooLargeError before reading it.
	MaxBytes int64
	// Version asks for an earlier version of a versioned store; "" is the
	// current one. A store that keeps no versions answers ErrNotFound for
	// any other.
	Version string
}

// ObjectInfo describes an object without its body.
type ObjectInfo struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// PutOptions is the metadata written with an object.
type PutOptions struct {
	ContentType  string
	CacheControl string
}

// Store is the ObjectStore port. Keys are slash-separated relative paths
// ("tags/culture/feed.xml"). Implementations are safe for concurrent use.
type Store interface {
	// Get returns the object at key, or ErrNotFound.
	Get(ctx context.Context, key string, opts GetOptions) (Object, error)
	// Put writes body at key, replacing any object there, atomically:
	// readers see the old bytes or the new, never a mix. It keeps no
	// reference to body once it returns: the caller reuses that memory.
	Put(ctx context.Context, key string, body []byte, opts PutOptions) error
	// Delete removes the object at key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List returns the objects whose keys start with prefix, sorted by key.
	List(ctx context.Context, prefix string) ([]ObjectInfo, error)
}

// Version describes one version of an object in a versioned store.
type Version struct {
	ID           string
	DeleteMarker bool // the object was deleted at this version
	Latest       bool // the current version
	Size         int64
}

// Versioned is an optional ability of a Store, found by type assertion:
// the history of a key, as a versioned S3 bucket keeps it.
type Versioned interface {
	// Versions returns key's versions, newest first (nil when it has
	// none), at most limit of them.
	Versions(ctx context.Context, key string, limit int) ([]Version, error)
}

// CheckKey returns ErrInvalidKey unless key is a clean relative path that
// stays inside the store.
func CheckKey(key string) error {
	if key == "" || strings.HasPrefix(key, "/") || strings.ContainsAny(key, "\\\x00") ||
		path.Clean(key) != key || key == "." || key == ".." || strings.HasPrefix(key, "../") {
		return ErrInvalidKey
	}
	return nil
}
