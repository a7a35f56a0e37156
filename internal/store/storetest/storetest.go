// Package storetest is the contract every store.Store adapter passes: the
// memory and folder adapters here, the S3 adapter against an S3 server.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/pressroom/pressroom/internal/store"
)

// Harness makes a fresh, empty store for each test.
type Harness struct {
	New func(t *testing.T) store.Store
	// KeepsMetadata is true when Get returns the ContentType and
	// CacheControl given to Put (a folder derives the type instead).
	KeepsMetadata bool
}

// Run runs the whole contract: one subtest a behaviour, each on a fresh
// store, named for the testX function that checks it, so that a failing
// adapter names the behaviour it broke.
func Run(t *testing.T, h Harness) {
	t.Run("PutGet", func(t *testing.T) { testPutGet(t, h) })
	t.Run("Overwrite", func(t *testing.T) { testOverwrite(t, h) })
	t.Run("NotFound", func(t *testing.T) { testNotFound(t, h) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, h) })
	t.Run("List", func(t *testing.T) { testList(t, h) })
	t.Run("InvalidKeys", func(t *testing.T) { testInvalidKeys(t, h) })
	t.Run("ConcurrentWritersNeverTear", func(t *testing.T) { testConcurrentWritersNeverTear(t, h) })
	t.Run("MaxBytes", func(t *testing.T) { testMaxBytes(t, h) })
}

// testPutGet checks that Put copies the body and Get returns it, with its
// metadata where the store keeps it.
func testPutGet(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	body := []byte("<rss>العثماني</rss>")
	opts := store.PutOptions{ContentType: "application/rss+xml; charset=utf-8", CacheControl: "public, max-age=300"}
	if err := s.Put(ctx, "tags/culture/feed.xml", body, opts); err != nil {
		t.Fatal(err)
	}
	body[0] = 'X' // the store must have copied
	o, err := s.Get(ctx, "tags/culture/feed.xml", store.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if string(o.Body) != "<rss>العثماني</rss>" || o.Key != "tags/culture/feed.xml" {
		t.Errorf("got %q at %q", o.Body, o.Key)
	}
	if h.KeepsMetadata && (o.ContentType != opts.ContentType || o.CacheControl != opts.CacheControl) {
		t.Errorf("metadata %q %q, want %q %q", o.ContentType, o.CacheControl, opts.ContentType, opts.CacheControl)
	}
	if o.ContentType == "" {
		t.Error("no content type")
	}
}

// testOverwrite checks that a Put replaces the object.
func testOverwrite(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	for _, v := range []string{"one", "two, longer", "3"} {
		if err := s.Put(ctx, "feed.json", []byte(v), store.PutOptions{ContentType: "application/feed+json"}); err != nil {
			t.Fatal(err)
		}
	}
	o, err := s.Get(ctx, "feed.json", store.GetOptions{})
	if err != nil || string(o.Body) != "3" {
		t.Errorf("got %q, %v", o.Body, err)
	}
}

// testNotFound checks that Get of a missing key is ErrNotFound.
func testNotFound(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	if _, err := s.Get(ctx, "nothing.xml", store.GetOptions{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("got %v, want ErrNotFound", err)
	}
}

// testDelete checks that a deleted object is gone from Get and List;
// deleting a missing key is no error.
func testDelete(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	put(t, s, "tags/a/feed.xml", "x")
	if err := s.Delete(ctx, "tags/a/feed.xml"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "tags/a/feed.xml", store.GetOptions{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after Delete: %v", err)
	}
	if err := s.Delete(ctx, "tags/a/feed.xml"); err != nil {
		t.Errorf("deleting a missing key: %v", err)
	}
	if l, _ := s.List(ctx, "tags/"); len(l) != 0 {
		t.Errorf("List after Delete: %v", l)
	}
}

// testList checks that List returns the objects under a prefix, sorted,
// with their sizes.
func testList(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	for _, k := range []string{"tags/b/feed.xml", "feed.xml", "tags/a/atom.xml", "tags/a/feed.xml", "categories/x/feed.json", "tagsx/feed.xml"} {
		put(t, s, k, k)
	}
	got, err := s.List(ctx, "tags/")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range got {
		keys = append(keys, o.Key)
		if o.Size != int64(len(o.Key)) {
			t.Errorf("%s: size %d", o.Key, o.Size)
		}
	}
	if want := "[tags/a/atom.xml tags/a/feed.xml tags/b/feed.xml]"; fmt.Sprint(keys) != want {
		t.Errorf("List(tags/) = %v, want %s", keys, want)
	}
	all, _ := s.List(ctx, "")
	if len(all) != 6 {
		t.Errorf("List() = %d objects, want 6", len(all))
	}
}

// testInvalidKeys checks that Put, Get and Delete refuse keys that are not
// clean relative paths (ErrInvalidKey).
func testInvalidKeys(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	for _, k := range []string{"", "/etc/passwd", "../escape.xml", "a/../../b", "a/./b", "a//b", "a\\b", "..", "x\x00y"} {
		if err := s.Put(ctx, k, []byte("x"), store.PutOptions{}); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("Put(%q) = %v, want ErrInvalidKey", k, err)
		}
		if _, err := s.Get(ctx, k, store.GetOptions{}); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("Get(%q) = %v, want ErrInvalidKey", k, err)
		}
		if err := s.Delete(ctx, k); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidKey", k, err)
		}
	}
}

// testConcurrentWritersNeverTear checks that a reader sees one writer's
// bytes or another's, never a mix.
func testConcurrentWritersNeverTear(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	a, b := bytes.Repeat([]byte("a"), 64<<10), bytes.Repeat([]byte("b"), 64<<10)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for _, body := range [][]byte{a, b} {
		wg.Add(1)
		go func(body []byte) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if err := s.Put(ctx, "feed.xml", body, store.PutOptions{ContentType: "application/xml"}); err != nil {
					t.Error(err)
					return
				}
			}
		}(body)
	}
	go func() { wg.Wait(); close(stop) }()
	for {
		select {
		case <-stop:
			return
		default:
		}
		o, err := s.Get(ctx, "feed.xml", store.GetOptions{})
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(o.Body, a) && !bytes.Equal(o.Body, b) {
			t.Fatalf("read a torn object of %d bytes", len(o.Body))
		}
	}
}

// testMaxBytes checks that Get refuses an object over MaxBytes with a
// *TooLargeError.
func testMaxBytes(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.New(t)
	put(t, s, "big.md", "0123456789")
	if o, err := s.Get(ctx, "big.md", store.GetOptions{MaxBytes: 10}); err != nil || string(o.Body) != "0123456789" {
		t.Errorf("at the limit: %q, %v", o.Body, err)
	}
	_, err := s.Get(ctx, "big.md", store.GetOptions{MaxBytes: 9})
	var tl *store.TooLargeError
	if !errors.As(err, &tl) || !errors.Is(err, store.ErrTooLarge) || tl.Size != 10 || tl.Max != 9 {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := s.Get(ctx, "missing.md", store.GetOptions{MaxBytes: 9}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing: %v", err)
	}
}

func put(t *testing.T, s store.Store, key, body string) {
	t.Helper()
	if err := s.Put(context.Background(), key, []byte(body), store.PutOptions{ContentType: "application/xml"}); err != nil {
		t.Fatal(err)
	}
}
