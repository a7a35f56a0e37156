package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/config"
	"github.com/pressroom/pressroom/internal/feed"
	"github.com/pressroom/pressroom/internal/feedcheck"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/store"
	"github.com/pressroom/pressroom/internal/websub"
)

// newEnvConfig is newEnv with another configuration (siteConfig plus
// extra YAML).
func newEnvConfig(t *testing.T, extra string) *env {
	e := newEnv(t, index.NewMemory(), store.NewMemory())
	cfg, err := config.Parse("pressroom.yaml", []byte(siteConfig+extra))
	if err != nil {
		t.Fatal(err)
	}
	e.p.Config = cfg
	e.articles.SetClock(func() time.Time { return e.now })
	return e
}

// jsonDoc is what the tests read of a JSON feed document.
type jsonDoc struct {
	FeedURL string `json:"feed_url"`
	NextURL string `json:"next_url"`
	Items   []struct {
		ID, Title, Summary string
		ContentHTML        string `json:"content_html"`
		DateModified       string `json:"date_modified"`
		Pressroom          struct {
			UpdatedReason string `json:"updated_reason"`
		} `json:"_pressroom"`
	} `json:"items"`
	Pressroom struct {
		Page, Pages int
		Full        bool
		Current     string
		Deleted     []struct {
			ID          string `json:"id"`
			DateDeleted string `json:"date_deleted"`
		}
	} `json:"_pressroom"`
}

func (e *env) doc(path string) (jsonDoc, store.Object) {
	e.t.Helper()
	o, err := e.p.Store.Get(context.Background(), path, store.GetOptions{})
	if err != nil {
		e.t.Fatalf("%s: %v", path, err)
	}
	var d jsonDoc
	if err := json.Unmarshal(o.Body, &d); err != nil {
		e.t.Fatalf("%s: %v", path, err)
	}
	return d, o
}

// pathOf turns a feed URL back into its store key.
func pathOf(t *testing.T, u string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(p.Path, "/")
}

// TestArchiveWalk: 120 articles in a tag; a partner walking from the live
// JSON feed through next_url meets every article exactly once, in pages
// of 50 that are closed (long, immutable caching) once full; the outside
// checkers accept every document. Then the change budget: a new article
// writes the live files and one archive page of each of its feeds; an
// edit of an archived article writes only that page; a deletion rewrites
// only its page and is announced.
func TestArchiveWalk(t *testing.T) {
	e := newEnvConfig(t, "")
	day := time.Date(2021, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; i < 120; i++ {
		e.ingest(fmt.Sprintf("a%03d.md", i), md(fmt.Sprintf("Story %03d", i), day.Add(time.Duration(i)*time.Hour).Format(time.RFC3339), "tags: [walk]"))
	}
	e.publish()

	seen := map[string]int{}
	path, hops := "tags/walk/feed.json", 0
	live, _ := e.doc(path)
	if len(live.Items) != 3 || live.Items[0].Title != "Story 119" || live.Pressroom.Pages != 3 {
		t.Fatalf("live feed: %d items, first %q, %d pages", len(live.Items), live.Items[0].Title, live.Pressroom.Pages)
	}
	for next := live.NextURL; next != ""; hops++ {
		path = pathOf(t, next)
		d, o := e.doc(path)
		for _, it := range d.Items {
			seen[it.ID]++
		}
		n := 3 - hops
		if d.Pressroom.Page != n || d.Pressroom.Current != "https://feeds.example.org/tags/walk/feed.json" || path != fmt.Sprintf("tags/walk/archive/%d/feed.json", n) {
			t.Errorf("hop %d: %s is page %d, current %q", hops, path, d.Pressroom.Page, d.Pressroom.Current)
		}
		closed := n < 3
		if d.Pressroom.Full != closed || (o.CacheControl == feed.ClosedCacheControl(path)) != closed {
			t.Errorf("page %d: full %v, Cache-Control %q", n, d.Pressroom.Full, o.CacheControl)
		}
		next = d.NextURL
	}
	if hops != 3 || len(seen) != 120 {
		t.Fatalf("the walk took %d hops and met %d articles, want 3 and 120", hops, len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s met %d times", id, n)
		}
	}
	// The outside checkers on every document of the tag.
	if got := e.check("tags/walk/"); got != 12 {
		t.Errorf("checked %d documents, want 12 (live and three pages, three formats)", got)
	}

	// A new article: the live files of its feeds, and the one page each
	// that holds it.
	e.ingest("new.md", md("Story new", "2021-01-09T00:00:00Z", "tags: [walk]"))
	rep := e.publish()
	wantPages(t, "a new article", rep.Written, map[string]int{"": 3, "tags/walk": 3, "languages/ar": 3})

	// An edit of an article on page 1 (old: in no live feed).
	e.ingest("a010.md", md("Story 010, corrected", day.Add(10*time.Hour).Format(time.RFC3339), "tags: [walk]"))
	rep = e.publish()
	wantPages(t, "an edit of an archived article", rep.Written, map[string]int{"": 1, "tags/walk": 1, "languages/ar": 1})
	for _, p := range rep.Written {
		if _, _, page := feed.ParsePagePath(p); !page && !strings.HasSuffix(p, ".html") && !strings.HasSuffix(p, ".opml") {
			t.Errorf("the edit wrote %s", p)
		}
	}
	if !contains(rep.Purged, "tags/walk/archive/1/feed.json") || contains(rep.Purged, "tags/walk/archive/2/feed.json") {
		t.Errorf("purged %v: page 1, and not page 2", rep.Purged)
	}

	// A deletion of an archived article: its pages, and the live feeds,
	// which announce it.
	e.now = e.now.Add(time.Hour)
	e.remove("a020.md")
	rep = e.publish()
	wantPages(t, "a deletion", rep.Written, map[string]int{"": 1, "tags/walk": 1, "languages/ar": 1})
	live, _ = e.doc("tags/walk/feed.json")
	if len(live.Pressroom.Deleted) != 1 || !strings.HasSuffix(live.Pressroom.Deleted[0].ID, ":a020") {
		t.Errorf("deletions announced: %+v", live.Pressroom.Deleted)
	}
	atom, _ := e.p.Store.Get(context.Background(), "tags/walk/atom.xml", store.GetOptions{})
	if !strings.Contains(string(atom.Body), `<at:deleted-entry ref="`+live.Pressroom.Deleted[0].ID+`" when="2021-06-01T13:00:00Z">`) {
		t.Errorf("the Atom feed does not announce the deletion:\n%s", atom.Body)
	}
	// After the retention window the announcement goes, and so does the
	// record.
	e.now = e.now.Add(31 * 24 * time.Hour)
	e.publish()
	if live, _ = e.doc("tags/walk/feed.json"); len(live.Pressroom.Deleted) != 0 {
		t.Errorf("still announced after 31 days: %+v", live.Pressroom.Deleted)
	}
	if gs, _ := e.ix.Gone(context.Background()); len(gs) != 0 {
		t.Errorf("the index still records %+v", gs)
	}
}

// check has the outside checkers judge every published document under
// prefix, and returns how many they read.
func (e *env) check(prefix string) int {
	e.t.Helper()
	dir := e.t.TempDir()
	for _, k := range e.keys(prefix) {
		o, _ := e.p.Store.Get(context.Background(), k, store.GetOptions{})
		os.MkdirAll(filepath.Join(dir, filepath.Dir(k)), 0o755)
		os.WriteFile(filepath.Join(dir, k), o.Body, 0o644)
	}
	return len(feedcheck.Dir(e.t, dir))
}

// keys lists the store's keys under prefix.
func (e *env) keys(prefix string) []string {
	e.t.Helper()
	list, err := e.p.Store.List(context.Background(), prefix)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, o := range list {
		out = append(out, o.Key)
	}
	return out
}

// wantPages checks that written holds exactly one archive page (all its
// formats) of each feed named, the page given.
func wantPages(t *testing.T, what string, written []string, want map[string]int) {
	t.Helper()
	got := map[string][]int{}
	for _, p := range written {
		if id, n, ok := feed.ParsePagePath(p); ok && strings.HasSuffix(p, feed.JSONFile) {
			got[id] = append(got[id], n)
		}
	}
	for id, n := range want {
		if len(got[id]) != 1 || got[id][0] != n {
			t.Errorf("%s: feed %q had pages %v written, want only page %d", what, id, got[id], n)
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("%s: feed %q had pages %v written", what, id, got[id])
		}
	}
}

// TestExpiryIsAnnounced: an article whose expiry comes leaves its feeds
// and is announced as deleted, dated at its expiry.
func TestExpiryIsAnnounced(t *testing.T) {
	e := newEnvConfig(t, "")
	e.ingest("a.md", md("A", "2021-05-01", "tags: [x]", "expires: 2021-06-05T10:00:00Z"))
	e.ingest("b.md", md("B", "2021-05-02", "tags: [x]"))
	e.publish()
	e.now = time.Date(2021, 6, 6, 0, 0, 0, 0, time.UTC)
	e.publish()
	d, _ := e.doc("tags/x/feed.json")
	if len(d.Items) != 1 || len(d.Pressroom.Deleted) != 1 || d.Pressroom.Deleted[0].DateDeleted != "2021-06-05T10:00:00Z" {
		t.Errorf("after the expiry: %d items, deletions %+v", len(d.Items), d.Pressroom.Deleted)
	}
}

// TestScheduledArticleKeepsItsPageOpen: a page holding an article not yet
// published is not closed (the article will appear on it), until it is.
func TestScheduledArticleKeepsItsPageOpen(t *testing.T) {
	e := newEnvConfig(t, "")
	for i := 0; i < 49; i++ {
		e.ingest(fmt.Sprintf("a%02d.md", i), md(fmt.Sprintf("S%02d", i), fmt.Sprintf("2021-05-%02dT08:00:00Z", 1+i%28), "tags: [x]"))
	}
	e.ingest("later.md", md("Later", "2021-06-10T08:00:00Z", "tags: [x]"))
	e.publish()
	d, o := e.doc("tags/x/archive/1/feed.json")
	if d.Pressroom.Full || len(d.Items) != 49 || o.CacheControl != feed.CacheControl("tags/x/archive/1/feed.json") {
		t.Errorf("with a scheduled article: full %v, %d items, %q", d.Pressroom.Full, len(d.Items), o.CacheControl)
	}
	e.now = time.Date(2021, 6, 10, 9, 0, 0, 0, time.UTC)
	e.publish()
	d, o = e.doc("tags/x/archive/1/feed.json")
	if !d.Pressroom.Full || len(d.Items) != 50 || o.CacheControl != feed.ClosedCacheControl("tags/x/archive/1/feed.json") {
		t.Errorf("once it is due: full %v, %d items, %q", d.Pressroom.Full, len(d.Items), o.CacheControl)
	}
}

// TestPartnerFeeds: a partner gets the matching articles in its formats
// and limit, in brief unless full_content; never on the public index;
// a partner taken out of the configuration loses its files.
func TestPartnerFeeds(t *testing.T) {
	e := newEnvConfig(t, `
partners:
  - name: culture-desk
    categories: ["ثقافة"]
    languages: [ar]
    limit: 2
    formats: [json, atom]
  - name: wire
    full_content: true
`)
	e.ingest("c1.md", md("Culture 1", "2021-05-01", "categories: [ثقافة]", "lang: ar", "summary: Short."))
	e.ingest("c2.md", md("Culture 2", "2021-05-02", "categories: [ثقافة]", "lang: ar", "summary: Short."))
	e.ingest("c3.md", md("Culture 3", "2021-05-03", "categories: [ثقافة]", "lang: ar", "summary: Short."))
	e.ingest("cfr.md", md("Culture en français", "2021-05-04", "categories: [ثقافة]", "lang: fr"))
	e.ingest("sport.md", md("Sport", "2021-05-05", "categories: [رياضة]", "lang: ar", "summary: \"Le résumé.\""))
	e.publish()
	eq(t, "culture-desk", e.titles("partners/culture-desk/feed.json"), []string{"Culture 3", "Culture 2"})
	if keys := e.keys("partners/culture-desk/"); strings.Join(keys, " ") != strings.Join([]string{
		"partners/culture-desk/archive/1/atom.xml", "partners/culture-desk/archive/1/feed.json",
		"partners/culture-desk/atom.xml", "partners/culture-desk/feed.json"}, " ") {
		t.Errorf("culture-desk files %q: json and atom only", keys)
	}
	d, o := e.doc("partners/culture-desk/feed.json")
	if !strings.Contains(d.Items[0].ContentHTML, "<p>Short.</p>") || strings.Contains(d.Items[0].ContentHTML, "Body of") || o.CacheControl != feed.CacheControl("partners/culture-desk/feed.json") {
		t.Errorf("culture-desk: content %q (want the summary only), Cache-Control %q", d.Items[0].ContentHTML, o.CacheControl)
	}
	if w, _ := e.doc("partners/wire/feed.json"); len(w.Items) != 3 || !strings.Contains(w.Items[0].ContentHTML, "Body of Sport") {
		t.Errorf("wire: %d items, first content %q (want everything, in full)", len(w.Items), w.Items[0].ContentHTML)
	}
	e.check("partners/")
	page, _ := e.p.Store.Get(context.Background(), feed.IndexPath, store.GetOptions{})
	opml, _ := e.p.Store.Get(context.Background(), feed.OPMLPath, store.GetOptions{})
	if strings.Contains(string(page.Body), "partners/") || strings.Contains(string(opml.Body), "partners/") {
		t.Error("a partner feed is listed publicly")
	}
	// Deleted articles are announced to the partner too.
	e.remove("c3.md")
	e.publish()
	if d, _ := e.doc("partners/culture-desk/feed.json"); len(d.Pressroom.Deleted) != 1 {
		t.Errorf("culture-desk deletions: %+v", d.Pressroom.Deleted)
	}
	// The partner leaves the configuration: a new processing hash parses
	// every article again, and its files go.
	cfg, _ := config.Parse("pressroom.yaml", []byte(siteConfig+"partners:\n  - name: wire\n"))
	e.p.Config = cfg
	for _, k := range []string{"c1.md", "c2.md", "cfr.md", "sport.md"} {
		e.apply(k)
	}
	e.publish()
	if keys := e.keys("partners/culture-desk/"); len(keys) != 0 {
		t.Errorf("culture-desk files left: %q", keys)
	}
}

// hub is a WebSub hub that records publish pings, failing while told to.
type hub struct {
	mu    sync.Mutex
	fail  bool
	pings []string
}

func (h *hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fail {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	if r.Method != http.MethodPost || r.Form.Get("hub.mode") != "publish" {
		http.Error(w, "bad ping", http.StatusBadRequest)
		return
	}
	h.pings = append(h.pings, r.Form.Get("hub.url"))
	w.WriteHeader(http.StatusNoContent)
}

func (h *hub) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.pings
	h.pings = nil
	sort.Strings(out)
	return out
}

// TestWebSubPings: a publish that changed live public feeds tells the hub
// of each (not archive pages, not partner feeds); a hub that is down is
// told at a later publish; the feeds name the hub.
func TestWebSubPings(t *testing.T) {
	h := &hub{}
	srv := httptest.NewServer(h)
	defer srv.Close()
	e := newEnvConfig(t, "websub:\n  hubs: [\""+srv.URL+"/\"]\npartners:\n  - name: p\n")
	e.p.WebSub = &websub.Notifier{Backoff: time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	e.ingest("a.md", md("A", "2021-05-01", "tags: [x]", "lang: ar"))
	rep := e.publish()
	want := []string{}
	for _, id := range []string{"", "languages/ar", "tags/x"} {
		for _, p := range feed.Paths(id) {
			want = append(want, feed.URL(e.p.Config.FeedsURL(), p))
		}
	}
	sort.Strings(want)
	eq(t, "pings", h.take(), want)
	if len(rep.Pinged) != len(want) {
		t.Errorf("report: %d pinged", len(rep.Pinged))
	}
	atom, _ := e.p.Store.Get(context.Background(), "atom.xml", store.GetOptions{})
	d, _ := e.p.Store.Get(context.Background(), "feed.json", store.GetOptions{})
	pa, _ := e.p.Store.Get(context.Background(), "partners/p/feed.json", store.GetOptions{})
	if !strings.Contains(string(atom.Body), `<link href="`+srv.URL+`/" rel="hub">`) ||
		!strings.Contains(string(d.Body), `"hubs":[{"type":"WebSub","url":"`+srv.URL+`/"}]`) || strings.Contains(string(pa.Body), "hubs") {
		t.Error("hub links: on the public live feeds, not on partner feeds")
	}
	// Nothing changed: nothing to tell.
	e.publish()
	eq(t, "pings without a change", h.take(), nil)
	// The hub is down: the pings wait in the index for the next publish.
	h.fail = true
	e.ingest("b.md", md("B", "2021-05-02", "tags: [y]", "lang: ar"))
	if rep := e.publish(); len(rep.Pinged) != 0 {
		t.Errorf("pinged %v while the hub is down", rep.Pinged)
	}
	h.fail = false
	e.publish()
	if got := h.take(); len(got) != 9 || !contains(got, "https://feeds.example.org/tags/y/feed.json") {
		t.Errorf("after the outage: %q", got)
	}
}

// TestUpdatedFromUpload: an edit of the body without an updated date takes
// the upload time of the new version; a change of metadata only, or the
// same bytes again, keep the date; a date in the file wins.
func TestUpdatedFromUpload(t *testing.T) {
	e := newEnvConfig(t, "")
	modified := func() (string, string) {
		d, _ := e.doc("feed.json")
		return d.Items[0].DateModified, d.Items[0].Pressroom.UpdatedReason
	}
	e.ingest("a.md", md("A", "2021-05-01T10:00:00+01:00"))
	e.publish()
	if m, r := modified(); m != "2021-05-01T10:00:00+01:00" || r != "" {
		t.Errorf("first version: modified %s, reason %q", m, r)
	}
	e.now = time.Date(2021, 6, 2, 9, 30, 0, 0, time.UTC)
	e.ingest("a.md", md("A", "2021-05-01T10:00:00+01:00")+"A second paragraph.\n")
	e.publish()
	if m, r := modified(); m != "2021-06-02T09:30:00+01:00" && m != "2021-06-02T10:30:00+01:00" || r != "edit" {
		t.Errorf("body edited: modified %s, reason %q (want the upload time)", m, r)
	}
	first, _ := modified()
	e.now = e.now.Add(24 * time.Hour)
	retitled := strings.Replace(md("A", "2021-05-01T10:00:00+01:00", "tags: [x]"), `title: "A"`, `title: "A, retitled"`, 1)
	e.ingest("a.md", retitled+"A second paragraph.\n")
	e.apply("a.md") // the same bytes again
	e.publish()
	if m, _ := modified(); m != first {
		t.Errorf("metadata only: modified %s, want %s", m, first)
	}
	e.ingest("a.md", md("A", "2021-05-01T10:00:00+01:00", "updated: 2021-05-20T08:00:00+01:00", "correction: \"The date was wrong.\"")+"Third.\n")
	e.publish()
	if m, r := modified(); m != "2021-05-20T08:00:00+01:00" || r != "correction" {
		t.Errorf("a date in the file: modified %s, reason %q", m, r)
	}
}
