package article

import (
	"path"
	"strings"
	"time"

	"github.com/pressroom/pressroom/internal/article/model"
)

// Slugify makes a URL path segment of s (see model.Slugify).
func Slugify(s string) string { return model.Slugify(s) }

// reDatePrefix matches the date Jekyll and Hugo put before a file's slug.
var reDatePrefix = lazyRE(`^(\d{4})-(\d{2})-(\d{2})(?:[-_ ]+(.*))?$`)

// nameParts splits a file name into its slug part and the date in front of
// it, if any: "posts/2021-02-22-hello-world.md" gives "hello-world" and
// "2021-02-22".
func nameParts(name string) (stem, date string) {
	base := path.Base(strings.ReplaceAll(name, "\\", "/"))
	base = strings.TrimSuffix(base, path.Ext(base))
	if m := reDatePrefix.FindStringSubmatch(base); m != nil {
		if m[4] == "" {
			return base, m[1] + "-" + m[2] + "-" + m[3]
		}
		return m[4], m[1] + "-" + m[2] + "-" + m[3]
	}
	return base, ""
}

// tagID builds a stable RFC 4151 tag URI from the site's host, the day the
// article was first published (in the site's zone) and its slug:
// tag:news.example.org,2021-02-22:العثماني-الظرفية. It does not change when
// the article is edited or the site rebuilt.
func tagID(host string, published time.Time, slug string) string {
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	return "tag:" + strings.ToLower(host) + "," + published.Format("2006-01-02") + ":" + slug
}
