package pipeline_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/feed"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/store"
)

// TestOutputHashesFromBeforeTheUpgrade: an index written before output
// hashes were xxHash64 holds SHA-256 ones. A publish after the upgrade
// finds every file unchanged (writes nothing again, on S3 every object
// and a CloudFront invalidation), writes a file whose bytes differ from
// the SHA-256 recorded, and records the new kind of hash for what it
// writes only.
func TestOutputHashesFromBeforeTheUpgrade(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, index.NewMemory(), store.NewMemory())
	// A full archive page (closed: another Cache-Control) and an open one.
	day := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range index.PageSize + 2 {
		name := fmt.Sprintf("a%02d", i)
		e.ingest(name+".md", md(name, day.AddDate(0, 0, i).Format(time.DateOnly), "tags: [x]"))
	}
	if first := e.publishAll(); len(first.Written) == 0 {
		t.Fatal("nothing written")
	}
	now, err := e.ix.OutputHashes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	newKind := regexp.MustCompile(`^xxh64:[0-9a-f]{16}$`)
	closed := 0
	legacy := map[string]string{}
	for path, h := range now {
		if !newKind.MatchString(h) {
			t.Fatalf("%s: hash %q is not xxh64:HEX16", path, h)
		}
		o, err := e.st.Get(ctx, path, store.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// SHA-256 as pressroom hashed outputs before: the bytes, then
		// NUL and the Cache-Control when it is not the path's usual one.
		sum := sha256.New()
		sum.Write(o.Body)
		if o.CacheControl != feed.CacheControl(path) {
			sum.Write([]byte("\x00" + o.CacheControl))
			closed++
		}
		legacy[path] = hex.EncodeToString(sum.Sum(nil))
	}
	if closed == 0 {
		t.Fatal("no closed archive page: the Cache-Control part is not exercised")
	}
	// One file's recorded hash is of other bytes: it must be written again.
	const stale = "tags/x/feed.json"
	if _, ok := legacy[stale]; !ok {
		t.Fatalf("%s not published", stale)
	}
	legacy[stale] = hex.EncodeToString(make([]byte, sha256.Size))
	if err := e.ix.SetOutputHashes(ctx, legacy); err != nil {
		t.Fatal(err)
	}

	rep := e.publishAll()
	eq(t, "written after the upgrade", rep.Written, []string{stale})
	after, err := e.ix.OutputHashes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range slices.Sorted(maps.Keys(after)) {
		want := legacy[path]
		if path == stale {
			want = now[path]
		}
		if after[path] != want {
			t.Errorf("%s: hash %q after the upgrade, want %q", path, after[path], want)
		}
	}

	// An edit writes its files and records their new hashes; the rest
	// keep the SHA-256 they had.
	r := e.ingest("a03.md", md("a03", day.AddDate(0, 0, 3).Format(time.DateOnly), "tags: [x]")+"More.\n")
	rep = e.publish(r.Feeds...)
	if len(rep.Written) == 0 {
		t.Fatal("the edit wrote nothing")
	}
	edited, err := e.ix.OutputHashes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	written := map[string]bool{stale: true}
	for _, p := range rep.Written {
		written[p] = true
	}
	for path, h := range edited {
		switch {
		case written[path] && !newKind.MatchString(h):
			t.Errorf("%s written, hash %q", path, h)
		case !written[path] && h != legacy[path]:
			t.Errorf("%s not written, hash %q, want the SHA-256 %q", path, h, legacy[path])
		}
	}
}
