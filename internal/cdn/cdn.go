// Package cdn defines the invalidation port, called after a publish with
// exactly the paths whose bytes changed, and None for the local mode (the
// local server has no cache to purge). The CloudFront adapter is in
// cdn/cloudfront, so binaries that do not invalidate do not link its SDK.
package cdn

import (
	"context"
	"net/url"
	"path"
	"sort"
	"strings"
)

// Invalidator purges changed paths from a CDN.
type Invalidator interface {
	// Invalidate purges paths (store keys such as "tags/x/feed.xml"). run
	// identifies the publish run: retrying the same run with the same
	// paths must not create a second invalidation.
	Invalidate(ctx context.Context, run string, paths []string) error
}

// None is the Invalidator for a CDN-less setup.
type None struct{}

var _ Invalidator = None{}

// Invalidate implements Invalidator.
func (None) Invalidate(context.Context, string, []string) error { return nil }

// Paths turns store keys into CloudFront invalidation paths: deduplicated,
// sorted, rooted at "/", percent-encoded (CloudFront matches encoded
// paths), with "/" added when the index page changed (it is the default
// root object).
func Paths(keys []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, k := range keys {
		k = strings.TrimPrefix(path.Clean("/"+k), "/")
		if k == "" || k == "." {
			continue
		}
		add((&url.URL{Path: "/" + k}).EscapedPath())
		if path.Base(k) == "index.html" {
			add((&url.URL{Path: "/" + strings.TrimSuffix(k, "index.html")}).EscapedPath())
		}
	}
	sort.Strings(out)
	return out
}
