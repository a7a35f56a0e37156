package feed_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/feed"
	"github.com/pressroom/pressroom/internal/feedcheck"
)

// TestArchiveDocuments renders a feed's live document and its three
// archive pages (RFC 5005) with a deletion (RFC 6721), checks every link,
// and has the outside checkers judge them all.
func TestArchiveDocuments(t *testing.T) {
	s := site()
	s.IDDate = "2026-01-02"
	items := parsedArticles(t)
	ref := feed.Ref{ID: "tags/x", Label: "X"}
	gone := []feed.Deleted{{ID: "tag:news.example.org,2021-01-01:gone", URL: "https://news.example.org/gone/", At: time.Date(2021, 6, 2, 8, 0, 0, 0, time.UTC)}}
	docs := []feed.Doc{
		{Ref: ref, Items: items[:2], Pages: 3, Deleted: gone},
		{Ref: ref, Items: items[2:4], Page: 3, Pages: 3},
		{Ref: ref, Items: items[4:6], Page: 2, Pages: 3, Full: true},
		{Ref: ref, Items: items[6:], Page: 1, Pages: 3, Full: true},
	}
	dir := t.TempDir()
	rendered := map[string]string{}
	for _, d := range docs {
		r, err := feed.RenderDoc(s, d)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range feed.DocPaths(d) {
			write(t, filepath.Join(dir, p), r.Bytes(p))
			rendered[p] = string(r.Bytes(p))
		}
	}
	if got := feedcheck.Dir(t, dir); len(got) != 12 {
		t.Fatalf("checked %d documents", len(got))
	}
	base := "https://feeds.example.org/tags/x/"
	for p, wants := range map[string][]string{
		"tags/x/feed.xml": {`<atom:link href="` + base + `archive/3/feed.xml" rel="prev-archive" type="application/rss+xml">`},
		"tags/x/atom.xml": {`<link href="` + base + `archive/3/atom.xml" rel="prev-archive" type="application/atom+xml">`,
			`<at:deleted-entry ref="tag:news.example.org,2021-01-01:gone" when="2021-06-02T08:00:00Z">`,
			`xmlns:at="http://purl.org/atompub/tombstones/1.0"`, `<id>tag:news.example.org,2026-01-02:feeds/tags/x</id>`},
		"tags/x/feed.json": {`"next_url":"` + base + `archive/3/feed.json"`, `"deleted":[{"id":"tag:news.example.org,2021-01-01:gone"`, `"pages":3`},
		"tags/x/archive/3/atom.xml": {`<fh:archive></fh:archive>`, `rel="current"`, `<link href="` + base + `archive/2/atom.xml" rel="prev-archive"`,
			`<link href="` + base + `archive/3/atom.xml" rel="self"`, `<id>tag:news.example.org,2026-01-02:feeds/tags/x</id>`},
		"tags/x/archive/2/feed.xml":  {`<fh:archive></fh:archive>`, `<atom:link href="` + base + `feed.xml" rel="current"`, `archive/1/feed.xml" rel="prev-archive"`},
		"tags/x/archive/2/feed.json": {`"next_url":"` + base + `archive/1/feed.json"`, `"feed_url":"` + base + `feed.json"`, `"page":2`, `"full":true`, `"current":"` + base + `feed.json"`},
		"tags/x/archive/1/feed.json": {`"page":1`},
	} {
		for _, w := range wants {
			if !strings.Contains(rendered[p], w) {
				t.Errorf("%s lacks %s", p, w)
			}
		}
	}
	for p, body := range rendered {
		if strings.Contains(p, "archive/1/") && (strings.Contains(body, "prev-archive") || strings.Contains(body, "next_url")) {
			t.Errorf("%s, the oldest page, links an older one", p)
		}
		if strings.Contains(body, "deleted") != (p == "tags/x/feed.json" || p == "tags/x/atom.xml") && !strings.HasSuffix(p, "feed.xml") {
			t.Errorf("%s: deletions belong on the live feed only", p)
		}
		if strings.Contains(p, "archive") != strings.Contains(body, "fh:archive") && !strings.HasSuffix(p, ".json") {
			t.Errorf("%s: fh:archive on archive pages only", p)
		}
	}
}

// TestFeedSaysWhatItHolds: a feed's language is its items' when they share
// one; the Atom id is a tag: URI that does not depend on the host serving
// the feeds.
func TestFeedSaysWhatItHolds(t *testing.T) {
	en := article.Article{ID: "tag:x,1", Title: "Storm", ContentHTML: "<p>x</p>", URL: "https://news.example.org/s/", Lang: "en-GB",
		Published: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), Updated: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)}
	us, fr := en, en
	us.Lang, fr.Lang = "en-US", "fr"
	for _, c := range []struct {
		items []article.Article
		want  string
	}{{[]article.Article{en}, "en-GB"}, {[]article.Article{en, us}, "en"}, {[]article.Article{en, fr}, "ar"}, {nil, "ar"}} {
		r, err := feed.Render(site(), feed.Ref{ID: "tags/morocco", Label: "Morocco"}, c.items)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(r.RSS, []byte("<language>"+c.want+"</language>")) || !bytes.Contains(r.Atom, []byte(`xml:lang="`+c.want+`"`)) ||
			!bytes.Contains(r.JSON, []byte(`"language":"`+c.want+`"`)) {
			t.Errorf("items in %d languages: want %s in every format", len(c.items), c.want)
		}
	}
	ids := map[string]bool{}
	for _, feeds := range []string{"https://feeds.example.org/", "http://127.0.0.1:8080/", "http://localhost:9999/sub/"} {
		s := site()
		s.IDDate = "2026-01-02"
		s.FeedsURL, _ = url.Parse(feeds)
		ids[feed.FeedID(s, feed.Ref{ID: "tags/الرباط"})] = true
	}
	if len(ids) != 1 || !ids["tag:news.example.org,2026-01-02:feeds/tags/%D8%A7%D9%84%D8%B1%D8%A8%D8%A7%D8%B7"] {
		t.Errorf("feed ids %v: one, whatever host serves the feeds", ids)
	}
}

// TestPressroomExtension: every JSON document validates against the
// published schema of the _pressroom extension, which is the one in
// schema/; items tell categories from tags, count words, and say why they
// were updated.
func TestPressroomExtension(t *testing.T) {
	repo, err := os.ReadFile(filepath.Join("..", "..", "schema", "pressroom-feed.schema.json"))
	if err != nil || !bytes.Equal(repo, feed.ExtensionSchema) {
		t.Fatalf("the embedded schema differs from schema/pressroom-feed.schema.json (%v): copy it", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(feed.ExtensionSchema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("pressroom-feed.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("pressroom-feed.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	items := parsedArticles(t)
	plain := -1 // an item the fixtures do not update
	for i := 2; i < len(items) && plain < 0; i++ {
		if !items[i].Updated.After(items[i].Published) {
			plain = i
		}
	}
	if plain < 0 {
		t.Fatal("every fixture is updated")
	}
	items[0].Updated = items[0].Published.Add(time.Hour)
	items[0].Correction = "The name was misspelt."
	items[1].Updated = items[1].Published.Add(time.Hour)
	gone := []feed.Deleted{{ID: "tag:x,gone", At: time.Date(2021, 6, 2, 8, 0, 0, 0, time.UTC)}}
	for _, d := range []feed.Doc{{Ref: feed.Ref{ID: "tags/x"}, Items: items, Pages: 2, Deleted: gone}, {Ref: feed.Ref{ID: "tags/x"}, Items: items, Page: 1, Pages: 2, Full: true}} {
		r, err := feed.RenderDoc(site(), d)
		if err != nil {
			t.Fatal(err)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.JSON))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(v); err != nil {
			t.Errorf("page %d: %v", d.Page, err)
		}
		var got struct {
			Items []struct {
				Tags []string
				Ext  struct {
					Categories, Tags []string
					Words            int    `json:"word_count"`
					Reason           string `json:"updated_reason"`
					Correction       string
					Canonical        string `json:"canonical_url"`
				} `json:"_pressroom"`
			}
		}
		json.Unmarshal(r.JSON, &got)
		first, second := got.Items[0].Ext, got.Items[1].Ext
		if first.Reason != "correction" || first.Correction != items[0].Correction || second.Reason != "edit" || got.Items[plain].Ext.Reason != "" {
			t.Errorf("updated reasons %q %q %q", first.Reason, second.Reason, got.Items[plain].Ext.Reason)
		}
		if first.Words != items[0].Words || first.Words == 0 || first.Canonical != items[0].URL ||
			strings.Join(first.Categories, ",") != strings.Join(items[0].Categories, ",") || strings.Join(first.Tags, ",") != strings.Join(items[0].Tags, ",") {
			t.Errorf("item extension %+v, article %d words, categories %q, tags %q", first, items[0].Words, items[0].Categories, items[0].Tags)
		}
	}
}

// TestPartnersAndHubs: partner filters (every filter given must match, any
// of its values), brief items, chosen formats; hubs on live public feeds
// only.
func TestPartnersAndHubs(t *testing.T) {
	a := &article.Article{Categories: []string{"Culture"}, Tags: []string{"Cinéma"}, Lang: "ar-MA"}
	for _, c := range []struct {
		p    feed.Partner
		want bool
	}{
		{feed.Partner{}, true},
		{feed.Partner{Categories: []string{"culture"}}, true},
		{feed.Partner{Categories: []string{"Sport", "Culture"}, Languages: []string{"ar"}}, true},
		{feed.Partner{Categories: []string{"Culture"}, Languages: []string{"fr"}}, false},
		{feed.Partner{Tags: []string{"CINÉMA"}}, true}, // the same feed: tags/cinéma
		{feed.Partner{Tags: []string{"cinema"}}, false},
		{feed.Partner{Languages: []string{"ar-MA"}}, true},
		{feed.Partner{Languages: []string{"a"}}, false},
	} {
		if got := c.p.Matches(a); got != c.want {
			t.Errorf("%+v matches: %v", c.p, got)
		}
	}
	s := site()
	s.Partners = []feed.Partner{{Name: "desk", Categories: []string{"culture"}}}
	s.Hubs = []string{"https://hub.example.org/"}
	refs := feed.Memberships(a, s)
	if refs[len(refs)-1].ID != "partners/desk" {
		t.Errorf("memberships %+v lack the partner's", refs)
	}
	items := parsedArticles(t)[:2]
	r, err := feed.RenderDoc(s, feed.Doc{Ref: feed.Ref{ID: "partners/desk"}, Items: items, Brief: true, Formats: []string{feed.JSONFile}})
	if err != nil {
		t.Fatal(err)
	}
	if r.RSS != nil || r.Atom != nil || bytes.Contains(r.JSON, []byte(items[0].ContentHTML)) || bytes.Contains(r.JSON, []byte("hubs")) {
		t.Error("a partner's brief JSON-only document")
	}
	if p := feed.DocPaths(feed.Doc{Ref: feed.Ref{ID: "partners/desk"}, Page: 2, Formats: []string{feed.JSONFile}}); len(p) != 1 || p[0] != "partners/desk/archive/2/feed.json" {
		t.Errorf("DocPaths %q", p)
	}
	live, _ := feed.RenderDoc(s, feed.Doc{Ref: feed.Ref{ID: "tags/x"}, Items: items})
	page, _ := feed.RenderDoc(s, feed.Doc{Ref: feed.Ref{ID: "tags/x"}, Items: items, Page: 1, Pages: 1})
	if !bytes.Contains(live.RSS, []byte(`<atom:link href="https://hub.example.org/" rel="hub">`)) || bytes.Contains(page.Atom, []byte("hub.example.org")) {
		t.Error("hub links: on live public feeds only")
	}
	for _, p := range []string{"tags/x/archive/12/feed.xml", "archive/1/atom.xml", "tags/archive/archive/3/feed.json"} {
		if _, _, ok := feed.ParsePagePath(p); !ok {
			t.Errorf("%s is an archive page", p)
		}
	}
	for _, p := range []string{"tags/archive/feed.xml", "tags/x/archive/01/feed.xml", "tags/x/archive/0/feed.xml", "archive/1/index.html"} {
		if _, _, ok := feed.ParsePagePath(p); ok {
			t.Errorf("%s is not an archive page", p)
		}
	}
}
