package e2e

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/pressroom/pressroom/internal/feed"
	"github.com/pressroom/pressroom/internal/feedcheck"
	"github.com/pressroom/pressroom/internal/partners"
	"github.com/pressroom/pressroom/internal/partners/edgetest"
)

// feedsBase is where siteConfig serves the feeds.
const feedsBase = "https://feeds.example.org/"

// Cache-Control of the files of the public feeds (feed.CacheControl,
// feed.ClosedCacheControl), spelled out: the test states what readers
// and the CDN get, not what the code computes.
const (
	liveCache   = "public, max-age=300, stale-while-revalidate=60"
	closedCache = "public, max-age=86400, s-maxage=31536000, immutable"
)

// jsonFeed is what these tests read of a JSON feed.
type jsonFeed struct {
	FeedURL string `json:"feed_url"`
	NextURL string `json:"next_url"`
	Items   []struct {
		ID    string `json:"id"`
		URL   string `json:"url"`
		Title string `json:"title"`
	} `json:"items"`
	Pressroom *struct {
		Page    int    `json:"page"`
		Pages   int    `json:"pages"`
		Full    bool   `json:"full"`
		Current string `json:"current"`
		Deleted []struct {
			ID          string    `json:"id"`
			URL         string    `json:"url"`
			DateDeleted time.Time `json:"date_deleted"`
		} `json:"deleted"`
	} `json:"_pressroom"`
}

func parseJSONFeed(t *testing.T, name, body string) jsonFeed {
	t.Helper()
	var f jsonFeed
	if err := json.Unmarshal([]byte(body), &f); err != nil {
		t.Fatalf("%s is not a JSON feed: %v\n%.300s", name, err, body)
	}
	if f.Pressroom == nil {
		t.Fatalf("%s has no _pressroom object", name)
	}
	return f
}

func (f jsonFeed) titles() []string {
	var out []string
	for _, it := range f.Items {
		out = append(out, it.Title)
	}
	return out
}

// atomDoc is what these tests read of an Atom document: its links, RFC
// 5005's archive marker, RFC 6721's deleted entries and the entries' ids.
type atomDoc struct {
	Links []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"http://www.w3.org/2005/Atom link"`
	Archive *struct{} `xml:"http://purl.org/syndication/history/1.0 archive"`
	Deleted []struct {
		Ref  string `xml:"ref,attr"`
		When string `xml:"when,attr"`
	} `xml:"http://purl.org/atompub/tombstones/1.0 deleted-entry"`
	Entries []struct {
		ID    string `xml:"http://www.w3.org/2005/Atom id"`
		Title string `xml:"http://www.w3.org/2005/Atom title"`
	} `xml:"http://www.w3.org/2005/Atom entry"`
}

func parseAtom(t *testing.T, name, body string) atomDoc {
	t.Helper()
	var d atomDoc
	if err := xml.Unmarshal([]byte(body), &d); err != nil {
		t.Fatalf("%s is not XML: %v", name, err)
	}
	return d
}

func (d atomDoc) link(rel string) string {
	for _, l := range d.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

// keyOfURL is the bucket key a feed URL is served from.
func keyOfURL(t *testing.T, u string) string {
	t.Helper()
	if !strings.HasPrefix(u, feedsBase) {
		t.Fatalf("%q is not under the feeds' base URL %s", u, feedsBase)
	}
	return strings.TrimPrefix(u, feedsBase)
}

// head returns a feeds bucket object's Cache-Control, "" when absent.
func (b *bed) cacheControl(key string) string {
	b.t.Helper()
	out, err := b.s3.HeadObject(b.t.Context(), &s3.HeadObjectInput{Bucket: aws.String(b.feeds), Key: aws.String(key)})
	if err != nil {
		b.t.Errorf("HEAD %s in the feeds bucket: %v", key, err)
		return ""
	}
	return aws.ToString(out.CacheControl)
}

// checkBucket writes every object of the feeds bucket to a folder and has
// the outside checkers judge every feed document in it (feedcheck.Dir).
func (b *bed) checkBucket() map[string]feedcheck.Feed {
	b.t.Helper()
	dir := b.t.TempDir()
	for key, body := range b.feedsBucket() {
		p := filepath.Join(dir, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	return feedcheck.Dir(b.t, dir)
}

// noFailures fails the test for any event or batch that reached a
// failure queue.
func (b *bed) noFailures() {
	b.t.Helper()
	for _, q := range []string{"IngestFailures", "PublishFailures"} {
		if msgs := b.takeFailures(q); len(msgs) > 0 {
			b.t.Errorf("%d messages reached %s: %s", len(msgs), q, msgs[0])
		}
	}
}

// bucketOrigin is the feeds bucket as CloudFront's S3 origin serves it:
// the request's path is the object key (read with the origin access
// control's right to get objects, here the test's own key). It records
// every request that reaches it.
type bucketOrigin struct {
	b    *bed
	mu   sync.Mutex
	seen []*http.Request
}

func (o *bucketOrigin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	o.seen = append(o.seen, r.Clone(r.Context()))
	o.mu.Unlock()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	out, err := o.b.s3.GetObject(r.Context(), &s3.GetObjectInput{Bucket: aws.String(o.b.feeds), Key: aws.String(strings.TrimPrefix(r.URL.Path, "/"))})
	if err != nil {
		status := http.StatusBadGateway
		var re *smithyhttp.ResponseError
		if errors.As(err, &re) {
			status = re.HTTPStatusCode()
		}
		w.WriteHeader(status)
		return
	}
	defer out.Body.Close()
	w.Header().Set("Content-Type", aws.ToString(out.ContentType))
	w.Header().Set("Cache-Control", aws.ToString(out.CacheControl))
	w.Header().Set("ETag", aws.ToString(out.ETag))
	io.Copy(w, out.Body)
}

func (o *bucketOrigin) requests() []*http.Request {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]*http.Request(nil), o.seen...)
}

// get requests url with the given Authorization (none when empty) and
// returns the status and body.
func get(t *testing.T, u, authorization string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// partnersConfig adds two partners to siteConfig: culture-desk takes the
// culture category in JSON and Atom, sport-wire the sport tag (JSON, the
// default).
const partnersConfig = siteConfig + `partners:
  - name: culture-desk
    categories: [culture]
    formats: [json, atom]
  - name: sport-wire
    tags: [sport]
`

// TestPartnerFeedAtTheEdge: the publish function writes a partner's
// filtered feed to the feeds bucket, and partners.js, the CloudFront
// Function template.yaml deploys on partners/*, serves it with the
// partner's key (header or query) and refuses it, with an empty 403,
// without a key, with an unknown key and with another partner's key; the
// key never reaches the origin.
func TestPartnerFeedAtTheEdge(t *testing.T) {
	b := newBed(t, options{ingestConcurrency: 2})
	b.put("config/pressroom.yaml", partnersConfig)
	b.put("articles/p/festival.md", md("Festival d'Avignon", "2026-06-01T10:00:00+02:00", "categories: [culture]", "tags: [theatre]"))
	b.put("articles/p/expo.md", md("Exposition Matisse", "2026-06-02T10:00:00+02:00", "categories: [culture, arts]"))
	b.put("articles/p/match.md", md("Finale de la coupe", "2026-06-03T10:00:00+02:00", "categories: [sport]", "tags: [sport]"))
	b.put("articles/p/budget.md", md("Le budget voté", "2026-06-04T10:00:00+02:00", "categories: [politique]"))
	b.settle()

	const culture = "partners/culture-desk/"
	body := b.feed(culture + "feed.json")
	f := parseJSONFeed(t, culture+"feed.json", body)
	if got := strings.Join(f.titles(), "|"); got != "Exposition Matisse|Festival d'Avignon" {
		t.Errorf("%sfeed.json holds %q, want the two culture articles, newest first", culture, got)
	}
	if got := titles(t, b.feed(culture+"atom.xml")); strings.Join(got, "|") != "Exposition Matisse|Festival d'Avignon" {
		t.Errorf("%satom.xml holds %q", culture, got)
	}
	if b.feed(culture+"feed.xml") != "" {
		t.Errorf("%sfeed.xml was written: the partner takes JSON and Atom only", culture)
	}
	if got := titles(t, b.feed("partners/sport-wire/feed.json")); strings.Join(got, "|") != "Finale de la coupe" {
		t.Errorf("partners/sport-wire/feed.json holds %q", got)
	}
	// Stored for the CDN, which may cache it (its function checks the key
	// first) and tells viewers "private" itself (PartnerFeedsHeadersPolicy).
	if cc := b.cacheControl(culture + "feed.json"); cc != feed.CacheControl(culture+"feed.json") {
		t.Errorf("%sfeed.json is stored with Cache-Control %q", culture, cc)
	}
	for _, page := range []string{"index.html", "feeds.opml"} {
		if strings.Contains(b.feed(page), "partners/") {
			t.Errorf("%s lists a partner feed", page)
		}
	}

	// The keys as `pressroom partners keys add` makes them, and the store
	// as the KeyValueStore holds it: hashes only.
	cultureKey, sportKey, unknownKey := newKey(t), newKey(t), newKey(t)
	made := time.Now()
	store := map[string]string{
		partners.Hash(cultureKey): partners.StoreValue("culture-desk", made),
		partners.Hash(sportKey):   partners.StoreValue("sport-wire", made),
	}
	origin := &bucketOrigin{b: b}
	originSrv := httptest.NewServer(origin)
	t.Cleanup(originSrv.Close)
	edge := edgetest.Start(t, originSrv.URL, store)

	allowed := []struct{ name, url, auth, want string }{
		{"bearer header", edge + "/" + culture + "feed.json", "Bearer " + cultureKey, body},
		{"query key", edge + "/" + culture + "feed.json?key=" + cultureKey, "", body},
		{"bearer, Atom", edge + "/" + culture + "atom.xml", "bearer " + cultureKey, b.feed(culture + "atom.xml")},
		{"the other partner's own feed", edge + "/partners/sport-wire/feed.json", "Bearer " + sportKey, b.feed("partners/sport-wire/feed.json")},
	}
	for _, c := range allowed {
		status, got := get(t, c.url, c.auth)
		if status != http.StatusOK || got != c.want {
			t.Errorf("%s: %d, %d bytes; want 200 and the bucket's %d bytes", c.name, status, len(got), len(c.want))
		}
	}
	refused := []struct{ name, url, auth string }{
		{"no key", edge + "/" + culture + "feed.json", ""},
		{"unknown key", edge + "/" + culture + "feed.json", "Bearer " + unknownKey},
		{"unknown key in the query", edge + "/" + culture + "feed.json?key=" + unknownKey, ""},
		{"another partner's key", edge + "/" + culture + "feed.json", "Bearer " + sportKey},
		{"another partner's key in the query", edge + "/" + culture + "feed.json?key=" + sportKey, ""},
		{"a key and another key", edge + "/" + culture + "feed.json?key=" + sportKey, "Bearer " + cultureKey},
		{"out of the folder", edge + "/partners/culture-desk/%2e%2e/sport-wire/feed.json", "Bearer " + cultureKey},
	}
	for _, c := range refused {
		status, got := get(t, c.url, c.auth)
		if status != http.StatusForbidden || got != "" {
			t.Errorf("%s: %d %q; want 403 and no body", c.name, status, got)
		}
	}
	reqs := origin.requests()
	if len(reqs) != len(allowed) {
		t.Errorf("%d requests reached the origin, want the %d allowed ones", len(reqs), len(allowed))
	}
	for _, r := range reqs {
		if r.Header.Get("Authorization") != "" || r.URL.Query().Has(partners.QueryParam) {
			t.Errorf("the key reached the origin: %s %s %q", r.Method, r.URL, r.Header.Get("Authorization"))
		}
	}

	b.noFailures()

	// Every document the bucket holds, the partners' too, passes the
	// outside checkers.
	checked := b.checkBucket()
	for _, p := range []string{culture + "feed.json", culture + "atom.xml", "partners/sport-wire/feed.json"} {
		if _, ok := checked[p]; !ok {
			t.Errorf("%s was not checked", p)
		}
	}
}

func newKey(t *testing.T) string {
	t.Helper()
	k, err := partners.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestDeletionsAnnounced: an article deleted from the bucket and one
// turned into a draft leave the items of their feeds and are announced as
// deleted there (RFC 6721 at:deleted-entry in Atom, _pressroom.deleted in
// JSON Feed), with their ids as readers knew them.
func TestDeletionsAnnounced(t *testing.T) {
	b := newBed(t, options{})
	b.put("config/pressroom.yaml", siteConfig)
	gone := md("Article retiré", "2026-07-01T10:00:00+02:00", "tags: [retraits]")
	draft := md("Article dépublié", "2026-07-02T10:00:00+02:00", "tags: [retraits]")
	b.put("articles/d/retire.md", gone)
	b.put("articles/d/depublie.md", draft)
	b.put("articles/d/reste.md", md("Article qui reste", "2026-07-03T10:00:00+02:00", "tags: [retraits]"))
	b.settle()
	before := parseJSONFeed(t, "feed.json", b.feed("feed.json"))
	ids, urls := map[string]string{}, map[string]string{}
	for _, it := range before.Items {
		ids[it.Title], urls[it.Title] = it.ID, it.URL
	}
	if len(ids) != 3 {
		t.Fatalf("feed.json before the deletions holds %q", before.titles())
	}

	start := time.Now().Add(-time.Second)
	b.remove("articles/d/retire.md", "")
	b.put("articles/d/depublie.md", strings.Replace(draft, "tags: [retraits]", "tags: [retraits]\ndraft: true", 1))
	b.settle()
	end := time.Now().Add(time.Second)

	for _, id := range []string{"", "languages/fr", "tags/retraits"} {
		live := feed.Paths(id)
		if got := titles(t, b.feed(live[0])); strings.Join(got, "|") != "Article qui reste" {
			t.Errorf("%s after the deletions: %q", live[0], got)
		}
		atom := parseAtom(t, live[1], b.feed(live[1]))
		refs := map[string]string{}
		for _, d := range atom.Deleted {
			refs[d.Ref] = d.When
		}
		jf := parseJSONFeed(t, live[2], b.feed(live[2]))
		deleted := map[string]string{}
		for _, d := range jf.Pressroom.Deleted {
			deleted[d.ID] = d.URL
			if d.DateDeleted.Before(start) || d.DateDeleted.After(end) {
				t.Errorf("%s: %s deleted at %s, not during the test (%s to %s)", live[2], d.ID, d.DateDeleted, start, end)
			}
		}
		for _, title := range []string{"Article retiré", "Article dépublié"} {
			when, ok := refs[ids[title]]
			if !ok {
				t.Errorf("%s has no at:deleted-entry ref=%q (%s); it has %v", live[1], ids[title], title, refs)
			} else if w, err := time.Parse(time.RFC3339, when); err != nil || w.Before(start.Truncate(time.Second)) || w.After(end) {
				t.Errorf("%s: %s deleted when=%q, not during the test", live[1], title, when)
			}
			if u, ok := deleted[ids[title]]; !ok || u != urls[title] {
				t.Errorf("%s: _pressroom.deleted has %v, want id %q with url %q (%s)", live[2], deleted, ids[title], urls[title], title)
			}
			for _, e := range atom.Entries {
				if e.ID == ids[title] {
					t.Errorf("%s still has the entry %s", live[1], title)
				}
			}
			for _, it := range jf.Items {
				if it.ID == ids[title] {
					t.Errorf("%s still has the item %s", live[2], title)
				}
			}
		}
	}
	b.noFailures()
	b.checkBucket()
}

// archiveWalk follows a feed's JSON documents from the live file through
// next_url to the oldest archive page and returns them, the live feed
// first, with the key each was read from.
func (b *bed) archiveWalk(id string) (docs []jsonFeed, keys []string) {
	b.t.Helper()
	key := feed.Paths(id)[2]
	for key != "" {
		if len(keys) > 100 {
			b.t.Fatalf("%s: next_url does not end", id)
		}
		body := b.feed(key)
		if body == "" {
			b.t.Fatalf("%s: %s links %s, which the bucket does not hold", id, keys, key)
		}
		f := parseJSONFeed(b.t, key, body)
		docs, keys = append(docs, f), append(keys, key)
		key = ""
		if f.NextURL != "" {
			key = keyOfURL(b.t, f.NextURL)
		}
	}
	return docs, keys
}

// pageOf returns the archive page of a feed holding title, 0 for none.
func (b *bed) pageOf(id, title string) int {
	b.t.Helper()
	docs, _ := b.archiveWalk(id)
	for _, d := range docs[1:] {
		if slices.Contains(d.titles(), title) {
			return d.Pressroom.Page
		}
	}
	return 0
}

// TestArchiveWalk: 120 articles in one tag make three archive pages (RFC
// 5005, 50 slots a page). Walking the tag's JSON feed from the live file
// through next_url reaches every article exactly once; the two closed
// pages are stored with the long Cache-Control, the newest is not; the
// Atom documents link the same pages. Editing an article of page 1 then
// writes and purges that page of each of its feeds and nothing else.
func TestArchiveWalk(t *testing.T) {
	b := newBed(t, options{ingestConcurrency: 3})
	b.put("config/pressroom.yaml", siteConfig)
	b.settle()
	const n = 120
	title := func(i int) string { return fmt.Sprintf("Archive %03d", i) }
	body := func(i int, title string) string {
		return md(title, fmt.Sprintf("2026-05-%02dT%02d:00:00+02:00", 1+i/24, i%24), "tags: [archives]")
	}
	for i := 0; i < n; i++ {
		b.put(fmt.Sprintf("articles/a/%03d.md", i), body(i, title(i)))
	}
	b.settle()

	const id = "tags/archives"
	docs, keys := b.archiveWalk(id)
	wantKeys := []string{id + "/feed.json", id + "/archive/3/feed.json", id + "/archive/2/feed.json", id + "/archive/1/feed.json"}
	if !slices.Equal(keys, wantKeys) {
		t.Fatalf("the walk read %q, want %q", keys, wantKeys)
	}
	var live []string
	for i := n - 1; i >= n-50; i-- {
		live = append(live, title(i))
	}
	if got := docs[0].titles(); !slices.Equal(got, live) {
		t.Errorf("the live feed holds %d items %q..., want the newest 50", len(got), first(got))
	}
	if docs[0].Pressroom.Page != 0 || docs[0].Pressroom.Pages != 3 {
		t.Errorf("the live feed's _pressroom: %+v", *docs[0].Pressroom)
	}
	seen := map[string]int{}
	ids := map[string]bool{}
	for i, d := range docs[1:] {
		page := 3 - i
		p := d.Pressroom
		wantItems := map[int]int{1: 50, 2: 50, 3: 20}[page]
		if p.Page != page || p.Pages != 0 || p.Full != (page < 3) || p.Current != feedsBase+id+"/feed.json" || len(d.Items) != wantItems {
			t.Errorf("%s: _pressroom %+v with %d items; want page %d (no page count: it would go stale), full %v, %d items, current the live feed",
				keys[i+1], *p, len(d.Items), page, page < 3, wantItems)
		}
		for _, it := range d.Items {
			seen[it.Title]++
			if ids[it.ID] {
				t.Errorf("id %s is on two pages", it.ID)
			}
			ids[it.ID] = true
		}
	}
	for i := 0; i < n; i++ {
		if seen[title(i)] != 1 {
			t.Errorf("%s is on %d archive pages, want 1", title(i), seen[title(i)])
		}
	}
	if len(seen) != n {
		t.Errorf("the archive pages hold %d articles, want %d", len(seen), n)
	}

	// Atom links the same pages: prev-archive from the live feed down,
	// current and fh:archive on each page.
	atomKey := id + "/atom.xml"
	for page := 3; page >= 0; page-- {
		a := parseAtom(t, atomKey, b.feed(atomKey))
		if page == 0 {
			if next := a.link("prev-archive"); next != "" {
				t.Errorf("%s, the oldest page, links prev-archive %s", atomKey, next)
			}
			break
		}
		want := feedsBase + id + fmt.Sprintf("/archive/%d/atom.xml", page)
		if next := a.link("prev-archive"); next != want {
			t.Fatalf("%s links prev-archive %q, want %q", atomKey, next, want)
		}
		atomKey = keyOfURL(t, want)
		a = parseAtom(t, atomKey, b.feed(atomKey))
		if a.Archive == nil || a.link("current") != feedsBase+id+"/atom.xml" {
			t.Errorf("%s: fh:archive %v, current %q", atomKey, a.Archive != nil, a.link("current"))
		}
	}

	// Closed pages are stored to be cached for a year; the newest page and
	// the live feed for five minutes.
	for _, f := range []string{feed.RSSFile, feed.AtomFile, feed.JSONFile} {
		for page, want := range map[int]string{0: liveCache, 1: closedCache, 2: closedCache, 3: liveCache} {
			key := filepath.ToSlash(filepath.Join(feed.PageDir(id, page), f))
			if cc := b.cacheControl(key); cc != want {
				t.Errorf("%s is stored with Cache-Control %q, want %q", key, cc, want)
			}
		}
	}
	b.checkBucket()

	// Edit an article of page 1: its page in each of its feeds is written
	// and purged, nothing else (it is not in any live feed: the live files
	// do not change).
	edited := docs[3].Items[len(docs[3].Items)/2].Title
	var i int
	fmt.Sscanf(edited, "Archive %d", &i)
	feeds := []string{"", "languages/fr", id}
	var want []string
	for _, f := range feeds {
		page := b.pageOf(f, edited)
		if page == 0 {
			t.Fatalf("%s is on no archive page of feed %q", edited, f)
		}
		want = append(want, feed.PagePaths(f, page)...)
	}
	sort.Strings(want)
	before := b.feedsBucket()
	b.cdn.Reset()
	b.put(fmt.Sprintf("articles/a/%03d.md", i), body(i, edited+" (corrigé)"))
	b.settle()
	after := b.feedsBucket()
	var changed []string
	for k, v := range after {
		if before[k] != v {
			changed = append(changed, k)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			changed = append(changed, k+" (deleted)")
		}
	}
	sort.Strings(changed)
	if !slices.Equal(changed, want) {
		t.Errorf("editing %s on page 1 changed %q,\nwant its pages %q", edited, changed, want)
	}
	var wantPurged []string
	for _, p := range want {
		wantPurged = append(wantPurged, "/"+p)
	}
	runs := b.invalidated()
	if len(runs) != 1 || !slices.Equal(sortedCopy(runs[0]), wantPurged) {
		t.Errorf("invalidations after the edit: %q, want one of %q", runs, wantPurged)
	}
	for _, f := range feeds {
		if page := b.pageOf(f, edited+" (corrigé)"); page == 0 {
			t.Errorf("feed %q has no page with the edited article", f)
		}
		for _, p := range want {
			if cc := b.cacheControl(p); strings.HasPrefix(p, feed.PageDir(f, 1)+"/") && cc != closedCache {
				t.Errorf("%s, rewritten, is stored with Cache-Control %q, want %q", p, cc, closedCache)
			}
		}
	}
	b.noFailures()
	b.checkBucket()
}

// hub is a WebSub hub that records the publish pings it gets; while
// failing, it answers 500.
type hub struct {
	mu      sync.Mutex
	pings   []url.Values
	agents  []string // User-Agents other than the publish function's
	refused atomic.Int64
	failing atomic.Bool
}

func (h *hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		http.Error(w, "a publish ping is a form POST", http.StatusBadRequest)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if h.failing.Load() {
		h.refused.Add(1)
		http.Error(w, "hub down", http.StatusInternalServerError)
		return
	}
	h.mu.Lock()
	if ua := r.Header.Get("User-Agent"); ua != "pressroom" {
		h.agents = append(h.agents, ua)
	}
	h.pings = append(h.pings, r.PostForm)
	h.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// take returns the feed URLs pinged since the last take, sorted, and
// fails the test for a ping that is not hub.mode=publish.
func (h *hub) take(t *testing.T) []string {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, p := range h.pings {
		if p.Get("hub.mode") != "publish" || len(p["hub.url"]) != 1 {
			t.Errorf("the hub got %v, want hub.mode=publish and one hub.url", p)
		}
		out = append(out, p.Get("hub.url"))
	}
	h.pings = nil
	if len(h.agents) > 0 {
		t.Errorf("pings came from %q, not the publish function", h.agents)
		h.agents = nil
	}
	sort.Strings(out)
	return out
}

// liveURLs returns the URLs of the live files of feeds, sorted.
func liveURLs(ids ...string) []string {
	var out []string
	for _, id := range ids {
		for _, p := range feed.Paths(id) {
			out = append(out, feedsBase+p)
		}
	}
	sort.Strings(out)
	return out
}

// TestWebSub: after a publish, the publish function (under the emulator,
// under its IAM role: a hub needs none) has told the configured hub of
// every live public feed it changed, and of nothing else; while the hub
// fails, the feeds are published anyway and the URLs wait in the index
// for a later run, which tells the hub.
func TestWebSub(t *testing.T) {
	h := &hub{}
	hubSrv := httptest.NewServer(h)
	t.Cleanup(hubSrv.Close)
	b := newBed(t, options{})
	b.put("config/pressroom.yaml", partnersConfig+"websub:\n  hubs: ["+hubSrv.URL+"/]\n")
	b.settle()
	h.take(t)

	b.put("articles/w/one.md", md("Premier ping", "2026-08-01T10:00:00+02:00", "tags: [ping]", "categories: [culture]"))
	b.settle()
	if got, want := h.take(t), liveURLs("", "languages/fr", "tags/ping", "categories/culture"); !slices.Equal(got, want) {
		t.Errorf("the hub was told of %q,\nwant the live files of the article's public feeds %q", got, want)
	}
	if a := parseAtom(t, "atom.xml", b.feed("atom.xml")); a.link("hub") != hubSrv.URL+"/" {
		t.Errorf("atom.xml links the hub %q, want %q", a.link("hub"), hubSrv.URL+"/")
	}

	// The hub fails: the feeds are published all the same, and the URLs
	// are kept for a later run.
	h.failing.Store(true)
	b.put("articles/w/two.md", md("Second ping", "2026-08-02T10:00:00+02:00", "tags: [panne]"))
	b.settle()
	if got := titles(t, b.feed("feed.xml")); first(got) != "Second ping" {
		t.Errorf("with the hub failing, feed.xml holds %q", got)
	}
	if h.refused.Load() == 0 {
		t.Error("the failing hub was never called")
	}
	if logs := b.publish.logs.String(); !strings.Contains(logs, "websub hub down") {
		t.Error("the publish function did not log that the hub is down")
	}
	if got := h.take(t); len(got) > 0 {
		t.Errorf("the failing hub recorded %q", got)
	}
	h.failing.Store(false)
	b.schedule("PublishFunction")
	if got, want := h.take(t), liveURLs("", "languages/fr", "tags/panne"); !slices.Equal(got, want) {
		t.Errorf("the run after the hub came back told it of %q,\nwant the URLs the failed run kept %q", got, want)
	}
	b.schedule("PublishFunction")
	if got := h.take(t); len(got) > 0 {
		t.Errorf("a run with nothing changed told the hub of %q", got)
	}
	b.noFailures()
	t.Logf("the failing hub refused %d pings", h.refused.Load())
}
