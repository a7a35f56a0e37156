package feed_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/feed"
	"github.com/pressroom/pressroom/internal/feedcheck"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func site() feed.Site {
	home, _ := url.Parse("https://news.example.org/")
	feeds, _ := url.Parse("https://feeds.example.org/")
	return feed.Site{Title: "Example Daily", Description: "News in Arabic, French and English.", Language: "ar", HomeURL: home, FeedsURL: feeds}
}

// parsedArticles parses the article package's accepted fixtures: real
// files in every format, newest first as the index returns them. The tests
// that are not goldens use them, so the outside checkers also judge feeds
// of whatever the parsers make of real files.
func parsedArticles(t testing.TB) []article.Article {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "article", "testdata", "articles", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	loc, _ := time.LoadLocation("Africa/Casablanca")
	base, _ := url.Parse("https://news.example.org/")
	opts := article.Options{BaseURL: base, Location: loc, Language: "ar", ModTime: time.Date(2021, 6, 1, 12, 0, 0, 0, time.UTC)}
	var out []article.Article
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		a, err := article.Parse(filepath.Base(f), data, opts)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Draft {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Published.Equal(out[j].Published) {
			return out[i].Published.After(out[j].Published)
		}
		return out[i].ID > out[j].ID
	})
	return out
}

// renderTree renders a few feeds of items into dir, as a publish would lay
// them out: the site's feed, the Arabic language feed, an empty category,
// the items tagged Culture with two closed archive pages (RFC 5005) and
// goldenDeletions to announce (RFC 6721), goldenPartner's feed, and the
// index and OPML pages listing the public feeds; the site has a WebSub hub.
func renderTree(t *testing.T, dir string, items []article.Article) {
	t.Helper()
	var ar, culture, partner []article.Article
	pt := goldenPartner()
	for _, a := range items {
		if strings.HasPrefix(a.Lang, "ar") {
			ar = append(ar, a)
		}
		if slices.Contains(a.Tags, "Culture") {
			culture = append(culture, a)
		}
		if pt.Matches(&a) {
			partner = append(partner, a)
		}
	}
	if len(culture) != 2 {
		t.Fatalf("%d golden articles tagged Culture, want 2: one for each archive page", len(culture))
	}
	cultureRef := feed.Ref{ID: "tags/culture", Label: "Culture"}
	public := []feed.Doc{
		{Ref: feed.Ref{ID: "", Label: "Example Daily"}, Items: items},
		{Ref: feed.Ref{ID: "languages/ar", Label: "العربية"}, Items: ar},
		{Ref: cultureRef, Items: culture, Pages: 2, Deleted: goldenDeletions()},
		{Ref: feed.Ref{ID: "categories/empty", Label: "Nothing yet"}},
	}
	docs := slices.Concat(public, []feed.Doc{
		// Each page holds one article, the newer one on the newer page:
		// pages hold PageSize slots, but how many is no matter here.
		{Ref: cultureRef, Items: culture[:1], Page: 2, Pages: 2, Full: true},
		{Ref: cultureRef, Items: culture[1:], Page: 1, Pages: 2, Full: true},
		// A partner's document as the pipeline makes it (pipeline.kind).
		{Ref: feed.Ref{ID: feed.PartnersFamily + "/" + pt.Name, Label: pt.Name}, Items: partner,
			Deleted: goldenDeletions()[1:], Brief: !pt.FullContent, Formats: pt.Formats},
	})
	// A WebSub hub, which live public feeds name and archive pages and
	// partners' feeds do not.
	s := site()
	s.Hubs = []string{"https://hub.example.org/"}
	for _, d := range docs {
		r, err := feed.RenderDoc(s, d)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range feed.DocPaths(d) {
			write(t, filepath.Join(dir, p), r.Bytes(p))
		}
	}
	var listed []feed.Listed
	for _, d := range public {
		l := feed.Listed{Ref: d.Ref, Count: len(d.Items)}
		if d.Ref.ID == "languages/ar" {
			l.Lang = "ar"
		}
		listed = append(listed, l)
	}
	page, err := feed.IndexPage(site(), listed)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, feed.IndexPath), page)
	opml, err := feed.OPMLPage(site(), listed)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, feed.OPMLPath), opml)
}

func write(t *testing.T, p string, data []byte) {
	t.Helper()
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGoldenFeeds renders goldenArticles and compares every file with its
// copy in testdata/golden, one subtest per file (run with -update after a
// deliberate change and review the diff); fails on a golden file nothing
// renders; then has the outside checkers judge the rendered files.
func TestGoldenFeeds(t *testing.T) {
	items := goldenArticles()
	dir := t.TempDir()
	renderTree(t, dir, items)
	golden := filepath.Join("testdata", "golden")
	rendered := files(t, dir)
	compared := map[string]bool{}
	for _, rel := range rendered {
		t.Run(rel, func(t *testing.T) {
			compared[rel] = true
			got, err := os.ReadFile(filepath.Join(dir, rel))
			if err != nil {
				t.Fatal(err)
			}
			stored := goldenForm(t, rel, got)
			want := filepath.Join(golden, rel)
			if *update {
				write(t, want, stored)
				return
			}
			data, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/feed -update)", err)
			}
			if !bytes.Equal(stored, data) {
				t.Errorf("%s differs from %s (run go test ./internal/feed -update and review the diff):\n%s", rel, want, firstDifference(data, stored))
			}
		})
	}
	// Only when every file was compared (not under -run TestGoldenFeeds/x)
	// can a golden file no case renders be told from one left out.
	if len(compared) == len(rendered) {
		for _, rel := range files(t, golden) {
			if !slices.Contains(rendered, rel) {
				if *update {
					os.Remove(filepath.Join(golden, rel))
					t.Logf("removed %s: no case renders it", rel)
				} else {
					t.Errorf("%s: no case renders it (delete it, or run go test ./internal/feed -update)", filepath.Join(golden, rel))
				}
			}
		}
	}

	feeds := feedcheck.Dir(t, dir)
	if len(feeds) != 20 {
		t.Errorf("checked %d feeds: %v", len(feeds), feedcheck.Keys(feeds))
	}
	site := feeds["feed.xml"]
	if len(site.Items) != len(items) || site.Language != "ar" {
		t.Errorf("site RSS: %d items, language %q", len(site.Items), site.Language)
	}
	// feedcheck compares a feed's formats from its RSS; the partner has none.
	atom, js := feeds["partners/maghreb-desk/atom.xml"], feeds["partners/maghreb-desk/feed.json"]
	if len(atom.Items) == 0 || len(atom.Items) != len(js.Items) {
		t.Errorf("partner: %d Atom entries, %d JSON items", len(atom.Items), len(js.Items))
	}
	for i := range min(len(atom.Items), len(js.Items)) {
		if a, j := atom.Items[i], js.Items[i]; a.ID != j.ID || a.Title != j.Title || a.Link != j.Link || !a.Published.Equal(j.Published) {
			t.Errorf("partner item %d: Atom %+v, JSON %+v", i, a, j)
		}
	}
	// Every feed address a rendered file names (self, current,
	// prev-archive, next_url, feed_url, OPML's xmlUrl) is a rendered file:
	// the archive walk has no dead end.
	feedURL := regexp.MustCompile(`https://feeds\.example\.org/([^"<\s]*\.(?:xml|json))`)
	for _, rel := range rendered {
		body, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range feedURL.FindAllSubmatch(body, -1) {
			p, err := url.PathUnescape(string(m[1]))
			if err != nil || p == feed.ExtensionSchemaPath {
				continue
			}
			if !slices.Contains(rendered, p) {
				t.Errorf("%s names %s, which nothing renders", rel, m[0])
			}
		}
	}
}

// goldenForm is a rendered file as testdata/golden holds it: JSON
// indented, so that a diff shows the item and field that changed,
// everything else as rendered. The indenting keeps every token's bytes
// (string escapes included); what it would hide, white space between
// tokens, fails here: feeds are written compact.
func goldenForm(t *testing.T, rel string, got []byte) []byte {
	t.Helper()
	if filepath.Ext(rel) != ".json" {
		return got
	}
	var compact, indented bytes.Buffer
	if err := json.Compact(&compact, got); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	if !bytes.Equal(compact.Bytes(), bytes.TrimRight(got, " \t\r\n")) {
		t.Errorf("%s is not compact JSON: white space between tokens", rel)
	}
	if err := json.Indent(&indented, got, "", "  "); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return indented.Bytes()
}

// firstDifference shows the first line where got differs from want, with
// the line before it.
func firstDifference(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		line := func(lines []string) string {
			if i < len(lines) {
				return strconv.Quote(lines[i])
			}
			return "(end of file)"
		}
		if i >= len(w) || i >= len(g) || w[i] != g[i] {
			before := ""
			if i > 0 {
				before = fmt.Sprintf("  line %d: %s\n", i, strconv.Quote(w[i-1]))
			}
			return fmt.Sprintf("%s  line %d, golden:   %s\n  line %d, rendered: %s", before, i+1, line(w), i+1, line(g))
		}
	}
	return "  (no line differs)"
}

// files lists the files under dir, by slash-separated path relative to
// dir, in lexical order.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDeterministic(t *testing.T) {
	items := parsedArticles(t)
	a, _ := feed.Render(site(), feed.Ref{ID: "tags/x", Label: "X"}, items)
	b, _ := feed.Render(site(), feed.Ref{ID: "tags/x", Label: "X"}, items)
	if !bytes.Equal(a.RSS, b.RSS) || !bytes.Equal(a.Atom, b.Atom) || !bytes.Equal(a.JSON, b.JSON) {
		t.Error("the same items rendered different bytes")
	}
	empty, _ := feed.Render(site(), feed.Ref{}, nil)
	if !bytes.Contains(empty.Atom, []byte("<updated>1970-01-01T00:00:00Z</updated>")) {
		t.Errorf("an empty feed takes its date from the clock:\n%s", empty.Atom)
	}
}

// TestGorillaGapsFixed checks each gorilla/feeds gap DESIGN.md lists.
func TestGorillaGapsFixed(t *testing.T) {
	items := parsedArticles(t)
	var ar, multi article.Article
	for _, a := range items {
		if a.Dir == "rtl" && ar.ID == "" {
			ar = a
		}
		if len(a.Authors) > 1 && len(a.Tags) > 1 {
			multi = a
		}
	}
	if ar.ID == "" || multi.ID == "" {
		t.Fatal("fixtures lack an rtl article or one with several authors and tags")
	}
	r, err := feed.Render(site(), feed.Ref{ID: "tags/x", Label: "X"}, []article.Article{ar, multi})
	if err != nil {
		t.Fatal(err)
	}
	rss, atom, js := string(r.RSS), string(r.Atom), string(r.JSON)
	for _, want := range []string{
		`<atom:link href="https://feeds.example.org/tags/x/feed.xml" rel="self" type="application/rss+xml">`,
		`<guid isPermaLink="false">` + ar.ID + `</guid>`,
		`<dc:creator>` + multi.Authors[0] + `</dc:creator>`, `<dc:creator>` + multi.Authors[1] + `</dc:creator>`,
		`<category domain="https://feeds.example.org/tags/">` + multi.Tags[0] + `</category>`,
		`<category domain="https://feeds.example.org/tags/">` + multi.Tags[1] + `</category>`,
		`<language>ar</language>`, `<content:encoded><![CDATA[<div dir="rtl" lang="` + ar.Lang + `">`,
	} {
		if !strings.Contains(rss, want) {
			t.Errorf("RSS lacks %s", want)
		}
	}
	if strings.Contains(rss, "<author>") {
		t.Error("RSS uses <author>, which must be an e-mail address")
	}
	for _, want := range []string{
		`<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">`,
		`rel="self" type="application/atom+xml"`, `rel="alternate" type="text/html"`,
		`<entry xml:lang="` + ar.Lang + `">`, `<published>` + ar.Published.Format(time.RFC3339) + `</published>`,
		`<category term="` + multi.Tags[0] + `" scheme="https://feeds.example.org/tags/">`, `<id>` + ar.ID + `</id>`,
	} {
		if !strings.Contains(atom, want) {
			t.Errorf("Atom lacks %s", want)
		}
	}
	var doc struct {
		Version, Language string
		Items             []map[string]any
	}
	if err := json.Unmarshal(r.JSON, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "https://jsonfeed.org/version/1.1" || doc.Language != "ar" || len(doc.Items) != 2 {
		t.Fatalf("JSON feed %+v", doc)
	}
	for _, key := range []string{"content_html", "authors", "tags", "language", "date_published", "date_modified", "summary", "url", "id"} {
		if _, ok := doc.Items[1][key]; !ok {
			t.Errorf("JSON item lacks %q", key)
		}
	}
	if strings.Contains(js, `"author":`) || strings.Contains(js, `"banner_`) {
		t.Error("JSON feed carries the deprecated author or the mistagged banner_image")
	}
}

func TestContentTypesAndPaths(t *testing.T) {
	for p, want := range map[string]string{
		"feed.xml": "application/xml; charset=utf-8", "tags/x/atom.xml": "application/xml; charset=utf-8",
		"feed.xsl":  "application/xslt+xml; charset=utf-8",
		"feed.json": "application/feed+json; charset=utf-8", "index.html": "text/html; charset=utf-8",
		"feeds.opml": "text/x-opml; charset=utf-8",
	} {
		if got := feed.ContentType(p); got != want {
			t.Errorf("ContentType(%s) = %q, want %q", p, got, want)
		}
	}
	a := article.Article{Tags: []string{"الرباط", "!!!", "Culture", "culture"}, Categories: []string{"Économie"}, Authors: []string{"Jane Doe"}, Lang: "ar-MA"}
	var ids []string
	for _, r := range feed.Memberships(&a, site()) {
		ids = append(ids, r.ID)
	}
	want := []string{"", "categories/économie", "tags/الرباط", "tags/culture", "authors/jane-doe", "languages/ar"}
	if strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Errorf("Memberships = %q, want %q", ids, want)
	}
	if got := feed.URL(site().FeedsURL, "tags/الرباط/feed.xml"); got != "https://feeds.example.org/tags/%D8%A7%D9%84%D8%B1%D8%A8%D8%A7%D8%B7/feed.xml" {
		t.Errorf("URL = %s", got)
	}
	a.Draft = true
	if len(feed.Memberships(&a, site())) != 0 {
		t.Error("a draft belongs to feeds")
	}
}

// FuzzFeeds goes from article bytes (in any format) to the three feeds:
// the XML must always be well-formed, the Atom carry what RFC 4287
// requires, and the JSON be valid JSON Feed 1.1 in shape.
func FuzzFeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "article", "testdata", "articles", "*"))
	for _, file := range files {
		data, _ := os.ReadFile(file)
		f.Add(filepath.Ext(file), data)
	}
	loc, _ := time.LoadLocation("Africa/Casablanca")
	base, _ := url.Parse("https://news.example.org/")
	opts := article.Options{BaseURL: base, Location: loc, Language: "ar", ModTime: time.Date(2021, 6, 1, 12, 0, 0, 0, time.UTC)}
	f.Fuzz(func(t *testing.T, ext string, data []byte) {
		if article.Format("x"+ext) == "" {
			ext = ".txt"
		}
		a, err := article.Parse("fuzz"+ext, data, opts)
		if err != nil {
			return
		}
		r, err := feed.Render(site(), feed.Ref{ID: "tags/x", Label: a.Title}, []article.Article{a, a})
		if err != nil {
			t.Fatal(err)
		}
		for name, doc := range map[string][]byte{"rss": r.RSS, "atom": r.Atom} {
			d := xml.NewDecoder(bytes.NewReader(doc))
			for {
				_, err := d.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("%s is not well-formed: %v\n%s", name, err, doc)
				}
			}
		}
		var atom struct {
			ID      string `xml:"id"`
			Title   string `xml:"title"`
			Updated string `xml:"updated"`
			Entries []struct {
				ID        string `xml:"id"`
				Title     string `xml:"title"`
				Updated   string `xml:"updated"`
				Published string `xml:"published"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal(r.Atom, &atom); err != nil || atom.ID == "" || atom.Title == "" || len(atom.Entries) != 2 {
			t.Fatalf("atom feed: %+v %v", atom, err)
		}
		for _, e := range atom.Entries {
			if e.ID == "" || e.Title == "" {
				t.Fatalf("atom entry without id or title: %+v", e)
			}
			for _, d := range []string{e.Updated, e.Published} {
				if _, err := time.Parse(time.RFC3339, d); err != nil {
					t.Fatalf("atom date %q: %v", d, err)
				}
			}
		}
		var js struct {
			Version string
			Items   []struct {
				ID          string `json:"id"`
				ContentHTML string `json:"content_html"`
			}
		}
		if err := json.Unmarshal(r.JSON, &js); err != nil || js.Version != "https://jsonfeed.org/version/1.1" || len(js.Items) != 2 ||
			js.Items[0].ID == "" || js.Items[0].ContentHTML == "" {
			t.Fatalf("json feed: %+v %v", js, err)
		}
	})
}

// TestByteBudget: no feed file exceeds the budget; older items carry
// their summary before any item is left out; the newest is always there,
// in full when it fits; and what comes out is still a valid feed, judged
// by the outside checkers.
func TestByteBudget(t *testing.T) {
	big := strings.Repeat("<p>"+strings.Repeat("Un long paragraphe de dépêche, avec des mots. ", 40)+"</p>", 25) // about 48 KB
	var items []article.Article
	for i := 0; i < 20; i++ {
		p := time.Date(2021, 5, 20-i, 8, 0, 0, 0, time.UTC)
		items = append(items, article.Article{ID: "tag:x," + string(rune('a'+i)), Slug: string(rune('a' + i)), Title: "Dépêche " + string(rune('A'+i)),
			Summary: "Le résumé de la dépêche.", ContentHTML: big, URL: "https://news.example.org/" + string(rune('a'+i)) + "/",
			Published: p, Updated: p, Lang: "fr", Dir: "ltr", Tags: []string{"grève"}})
	}
	for _, budget := range []int{300 << 10, 64 << 10, 5 << 10} {
		s := site()
		s.MaxBytes = budget
		r, err := feed.Render(s, feed.Ref{ID: "tags/grève", Label: "grève"}, items)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		for name, data := range map[string][]byte{"feed.xml": r.RSS, "atom.xml": r.Atom, "feed.json": r.JSON} {
			if len(data) > budget {
				t.Errorf("budget %d: %s is %d bytes", budget, name, len(data))
			}
			if !bytes.Contains(data, []byte("Dépêche A")) {
				t.Errorf("budget %d: %s lost the newest item", budget, name)
			}
			write(t, filepath.Join(dir, name), data)
		}
		var doc struct {
			Items []struct {
				Title       string `json:"title"`
				ContentHTML string `json:"content_html"`
			} `json:"items"`
		}
		json.Unmarshal(r.JSON, &doc)
		full, brief := 0, 0
		for i, it := range doc.Items {
			switch {
			case strings.Contains(it.ContentHTML, "Un long paragraphe"):
				full++
				if brief > 0 {
					t.Errorf("budget %d: item %d in full after an item in brief: the newest keep their content", budget, i)
				}
			case strings.Contains(it.ContentHTML, "Le résumé de la dépêche."):
				brief++
			}
		}
		switch budget {
		case 300 << 10:
			if len(doc.Items) != 20 || full < 4 || brief == 0 {
				t.Errorf("budget %d: %d items, %d in full, %d in brief", budget, len(doc.Items), full, brief)
			}
		case 5 << 10:
			if len(doc.Items) == 0 || len(doc.Items) == 20 || full != 0 {
				t.Errorf("budget %d: %d items, %d in full: in brief, only as many as fit", budget, len(doc.Items), full)
			}
		}
		t.Logf("budget %d KiB: JSON %d items, %d in full, %d in brief; RSS %d, Atom %d, JSON %d bytes", budget>>10, len(doc.Items), full, brief, len(r.RSS), len(r.Atom), len(r.JSON))
		feedcheck.Dir(t, dir)
	}
	// Under budget, nothing changes.
	s := site()
	s.MaxBytes = 8 << 20
	r, _ := feed.Render(s, feed.Ref{}, items)
	if bytes.Count(r.JSON, []byte("Un long paragraphe de dépêche, avec des mots. Un long")) < 20 {
		t.Error("a feed within its budget was cut")
	}
}

// TestPageSecurityPolicy: the policy allows the pages' inline style and
// script by their hashes, so editing either without the policy fails
// here, not silently in a browser. index.html and the feed pages share
// them: the stylesheet's elements must hold the same text, with no markup
// or entity that the XSLT output would write differently.
func TestPageSecurityPolicy(t *testing.T) {
	page, err := feed.IndexPage(site(), nil)
	if err != nil {
		t.Fatal(err)
	}
	inXSL := stylesheetElements(t)
	for _, tag := range []string{"style", "script"} {
		_, rest, _ := strings.Cut(string(page), "<"+tag+">")
		text, _, ok := strings.Cut(rest, "</"+tag+">")
		if !ok || len(text) < 100 {
			t.Fatalf("index.html has no inline %s", tag)
		}
		if strings.Count(string(page), "<"+tag) != 1 {
			t.Errorf("index.html has more than one %s element", tag)
		}
		if inXSL[tag] != text {
			t.Errorf("the %s of index.html differs from feed.xsl's", tag)
		}
		if strings.ContainsAny(text, "<&") {
			t.Errorf("the shared %s holds '<' or '&': its text in feed.xsl is not the text browsers hash", tag)
		}
		sum := sha256.Sum256([]byte(text))
		want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		directive := map[string]string{"style": "style-src ", "script": "script-src 'self' "}[tag]
		if !strings.Contains(feed.PageSecurityPolicy, directive+want) {
			t.Errorf("policy %q does not allow the pages' %s: %s%s", feed.PageSecurityPolicy, tag, directive, want)
		}
	}
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"} {
		if !strings.Contains(feed.PageSecurityPolicy, want) {
			t.Errorf("policy %q lacks %s", feed.PageSecurityPolicy, want)
		}
	}
	if strings.Contains(feed.PageSecurityPolicy, "unsafe") {
		t.Errorf("policy %q allows unsafe sources", feed.PageSecurityPolicy)
	}
	if regexp.MustCompile(`\son[a-z]+=|style="`).Match(page) || regexp.MustCompile(`\son[a-z]+=|style="`).Match(feed.Stylesheet) {
		t.Error("an inline event handler or style attribute: the policy forbids them")
	}
}

// stylesheetElements returns the text of the style and script elements
// of feed.xsl, as an XML parser (and so the XSLT processor) reads them.
func stylesheetElements(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	dec := xml.NewDecoder(bytes.NewReader(feed.Stylesheet))
	var in string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("feed.xsl: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Space == "" && (tok.Name.Local == "style" || tok.Name.Local == "script") {
				if _, dup := out[tok.Name.Local]; dup {
					t.Fatalf("feed.xsl has two %s elements", tok.Name.Local)
				}
				in = tok.Name.Local
			}
		case xml.CharData:
			if in != "" {
				out[in] += string(tok)
			}
		case xml.EndElement:
			in = ""
		}
	}
	return out
}

// TestStylesheetDirection: the stylesheet's right-to-left languages are
// those Go writes right to left (article.Direction), for every two- and
// three-letter language x/text knows, so a feed page and its items take
// the direction the feed's content has.
func TestStylesheetDirection(t *testing.T) {
	m := regexp.MustCompile(`name="rtl-languages" select="' ([a-z ]+) '"`).FindSubmatch(feed.Stylesheet)
	sm := regexp.MustCompile(`name="rtl-scripts" select="' ([a-z ]+) '"`).FindSubmatch(feed.Stylesheet)
	if m == nil || sm == nil {
		t.Fatal("feed.xsl has no rtl-languages or rtl-scripts")
	}
	listed := map[string]bool{}
	for _, code := range strings.Fields(string(m[1])) {
		listed[code] = true
		if article.Direction(code) != "rtl" {
			t.Errorf("feed.xsl writes %s right to left; Go does not", code)
		}
	}
	const letters = "abcdefghijklmnopqrstuvwxyz"
	var missing []string
	check := func(code string) {
		if tag, err := language.Parse(code); err == nil && !listed[code] && article.Direction(code) == "rtl" {
			if b, _ := tag.Base(); b.String() == code {
				missing = append(missing, code)
			}
		}
	}
	for _, a := range letters {
		for _, b := range letters {
			check(string(a) + string(b))
			for _, c := range letters {
				check(string(a) + string(b) + string(c))
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("Go writes these right to left; add them to feed.xsl's rtl-languages: %s", strings.Join(missing, " "))
	}
	for _, script := range strings.Fields(string(sm[1])) {
		if tag := "und-" + strings.ToUpper(script[:1]) + script[1:]; article.Direction(tag) != "rtl" {
			t.Errorf("feed.xsl writes script %s right to left; Go does not", script)
		}
	}
	for _, script := range []string{"Latn", "Cyrl", "Arab", "Hebr", "Thaa", "Syrc", "Nkoo", "Adlm"} {
		if rtl := article.Direction("und-"+script) == "rtl"; rtl != strings.Contains(string(sm[1]), strings.ToLower(script)) {
			t.Errorf("script %s: Go says rtl=%v, feed.xsl does not", script, rtl)
		}
	}
}
