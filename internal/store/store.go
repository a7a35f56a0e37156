// Package store defines the ObjectStore port, where published feeds and
// pages are written (a folder locally, the feeds bucket on AWS), and its
// local adapters. storetest holds the contract every adapter passes.
package store

import (
	"context"
	"errors"
	"path"
	"strings"
	"time"
)

// ErrNotFound is returned by Get for a key that holds no object.
var ErrNotFound = errors.New("store: not found")

// ErrInvalidKey is returned for keys that are empty, absolute, or would
// escape the store's root ("../x").
var ErrInvalidKey = errors.New("store: invalid key")

// Object is a stored object with the metadata the CDN serves it with.
type Object struct {
	Key          string
	Body         []byte
	ContentType  string
	CacheControl string
	ModTime      time.Time
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
	Get(ctx context.Context, key string) (Object, error)
	// Put writes body at key, replacing any object there, atomically:
	// readers see the old bytes or the new, never a mix.
	Put(ctx context.Context, key string, body []byte, opts PutOptions) error
	// Delete removes the object at key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List returns the objects whose keys start with prefix, sorted by key.
	List(ctx context.Context, prefix string) ([]ObjectInfo, error)
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
