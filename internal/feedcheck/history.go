package feedcheck

import (
	"encoding/json"
	pathpkg "path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pressroom/pressroom/internal/feed"
)

// HistoryFreeTree is HistoryFree over a tree of published files (path to
// body), with each feed's archive pages replaced by one entry,
// "<feed>/archive/*": the sorted ids of the items its live JSON feed and
// its archive pages hold together. Two indexes of the same articles may
// place an article on different pages, or one feed may not have outgrown
// its live feed in one history and have in another, but every feed must
// hold the same articles.
func HistoryFreeTree(t testing.TB, files map[string]string) map[string]string {
	t.Helper()
	out := map[string]string{}
	archived := map[string][]string{}
	// A feed with no item but deletions to announce exists in one history
	// and not in another: as if it were absent.
	empty := map[string]bool{}
	for path, body := range files {
		if _, _, page := feed.ParsePagePath(path); !page && pathpkg.Base(path) == feed.JSONFile && path != feed.JSONFile &&
			!strings.HasPrefix(path, "schema/") && len(jsonIDs(t, path, body)) == 0 {
			empty[pathpkg.Dir(path)] = true
		}
	}
	for path, body := range files {
		if empty[pathpkg.Dir(path)] {
			continue
		}
		id, _, page := feed.ParsePagePath(path)
		if !page && pathpkg.Base(path) == feed.JSONFile && !strings.HasPrefix(path, "schema/") {
			id, page = strings.TrimSuffix(pathpkg.Dir(path), "."), false
			if id == "." {
				id = ""
			}
			archived[id] = append(archived[id], jsonIDs(t, path, body)...)
		}
		if page {
			if strings.HasSuffix(path, feed.JSONFile) {
				var doc struct {
					Items []struct {
						ID string `json:"id"`
					} `json:"items"`
				}
				if err := json.Unmarshal([]byte(body), &doc); err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				for _, it := range doc.Items {
					archived[id] = append(archived[id], it.ID)
				}
			}
			continue
		}
		out[path] = HistoryFree(body)
	}
	for id, ids := range archived {
		sort.Strings(ids)
		ids = slices.Compact(ids)
		out[id+"/archive/*"] = strings.Join(ids, "\n")
	}
	return out
}

func jsonIDs(t testing.TB, path, body string) []string {
	var doc struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []string
	for _, it := range doc.Items {
		out = append(out, it.ID)
	}
	return out
}

// HistoryFree leaves out of a published file what records the history an
// index saw rather than the articles' current state, which delivery order
// or when a build ran may change, and must: which archive page the live
// feed links (an article deleted and restored joins its feed again, in a
// new slot); the deletions announced (an article the index never saw was
// never published, nor announced); and update dates (an edit the index
// never saw was never published). What remains must be byte for byte the
// same between two indexes of the same articles.
func HistoryFree(body string) string {
	return reBlank.ReplaceAllString(reHistory.ReplaceAllString(body, ""), "\n")
}

// WithoutDeletionTimes leaves out the dates of deletions, and the feed
// dates they move: a local build dates a deletion when it notices it.
func WithoutDeletionTimes(body string) string {
	return reDeletionTimes.ReplaceAllString(body, "")
}

var (
	reBlank         = regexp.MustCompile(`\n(\s*\n)+`)
	reHistory       = regexp.MustCompile(`(?s)<(atom:)?link href="[^"]*/archive/\d+/[^"]*" rel="prev-archive"[^>]*>(</(atom:)?link>)?|"next_url":"[^"]*",|"pages":\d+|<fh:complete></fh:complete>| xmlns:fh="[^"]*"|<at:deleted-entry.*?</at:deleted-entry>| xmlns:at="[^"]*"|,?"deleted":\[[^\]]*\]|<updated>[^<]*</updated>|<lastBuildDate>[^<]*</lastBuildDate>|"date_modified":"[^"]*",|,"updated_reason":"[^"]*"`)
	reDeletionTimes = regexp.MustCompile(` when="[^"]*"|"date_deleted":"[^"]*"|<updated>[^<]*</updated>|<lastBuildDate>[^<]*</lastBuildDate>`)
)
