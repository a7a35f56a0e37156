package article

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var casablanca = mustZone("Africa/Casablanca")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// testOptions are the site settings every golden file was made with.
func testOptions() Options {
	base, _ := url.Parse("https://news.example.org/")
	return Options{
		BaseURL:   base,
		Location:  casablanca,
		Language:  "ar",
		Permalink: DefaultPermalink,
		ModTime:   time.Date(2021, 6, 1, 12, 0, 0, 0, time.UTC),
	}
}

// testNow is the moment statuses are computed at in golden files.
var testNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// golden is what a golden file records for one article file.
type golden struct {
	OK       bool           `json:"ok"`
	Problems []Problem      `json:"problems,omitempty"`
	Article  *goldenArticle `json:"article,omitempty"`
}

type goldenArticle struct {
	ID, Slug, Title, Summary, ContentHTML, URL string
	Published, Updated, Expires                string
	Lang, Dir                                  string
	Authors, Tags, Categories                  []string
	Image, Status, Format, DateSource          string
	Notes                                      []string
	Warnings                                   []Problem `json:",omitempty"`
	Words                                      int
	UpdatedFrom                                string   `json:",omitempty"`
	Correction                                 string   `json:",omitempty"`
	Credits                                    []string `json:",omitempty"`
}

func toGolden(a Article, err error) golden {
	if err != nil {
		return golden{Problems: Problems(err)}
	}
	g := golden{OK: true}
	g.Article = &goldenArticle{
		ID: a.ID, Slug: a.Slug, Title: a.Title, Summary: a.Summary, ContentHTML: a.ContentHTML, URL: a.URL,
		Published: a.Published.Format(time.RFC3339), Updated: a.Updated.Format(time.RFC3339),
		Lang: a.Lang, Dir: a.Dir, Authors: a.Authors, Tags: a.Tags, Categories: a.Categories,
		Image: a.Image, Status: string(a.StatusAt(testNow)), Format: a.Format, DateSource: a.DateSource, Notes: a.Notes,
		Warnings: a.Warnings, Words: a.Words, UpdatedFrom: a.UpdatedFrom, Correction: a.Correction, Credits: a.Credits,
	}
	if !a.Expires.IsZero() {
		g.Article.Expires = a.Expires.Format(time.RFC3339)
	}
	return g
}

// TestGolden parses every file in testdata/articles (all must be accepted)
// and testdata/rejected (all must be rejected) and compares the result with
// testdata/golden. Run with -update to rewrite the golden files after a
// deliberate change, then review the diff.
func TestGolden(t *testing.T) {
	if *update {
		writeDocxFixtures(t) // generated fixtures first, then their goldens
	}
	for _, dir := range []string{"articles", "rejected"} {
		files, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no fixtures in testdata/%s: %v", dir, err)
		}
		for _, file := range files {
			name := filepath.Base(file)
			t.Run(dir+"/"+name, func(t *testing.T) {
				data, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				a, err := Parse(name, data, testOptions())
				if dir == "articles" {
					if err != nil {
						t.Fatalf("rejected: %v", err)
					}
					checkInvariants(t, a)
				} else if err == nil {
					t.Fatalf("accepted a file that must be rejected: %+v", a)
				}
				got, _ := json.MarshalIndent(toGolden(a, err), "", "  ")
				got = append(got, '\n')
				path := filepath.Join("testdata", "golden", dir, name+".json")
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("result differs from %s (run go test -update and review the diff)\n got: %s\nwant: %s", path, got, want)
				}
			})
		}
	}
}

// checkInvariants asserts what every accepted article must satisfy,
// whatever its source: the guarantees later stages rely on.
func checkInvariants(t testing.TB, a Article) {
	t.Helper()
	for name, s := range map[string]string{
		"id": a.ID, "slug": a.Slug, "title": a.Title, "summary": a.Summary, "content": a.ContentHTML,
		"url": a.URL, "lang": a.Lang, "dir": a.Dir, "image": a.Image,
	} {
		if !utf8.ValidString(s) {
			t.Errorf("%s is not valid UTF-8: %q", name, s)
		}
		for _, r := range s {
			if Clean(string(r)) == "" { // a character XML forbids
				t.Errorf("%s holds a character XML forbids: %U in %q", name, r, s)
				break
			}
		}
	}
	for _, list := range [][]string{a.Authors, a.Tags, a.Categories} {
		for _, s := range list {
			if s == "" || !utf8.ValidString(s) || Clean(s) != s {
				t.Errorf("list value %q is empty or not clean", s)
			}
		}
	}
	if a.Title == "" || a.ID == "" || a.Slug == "" {
		t.Errorf("title, id and slug must be set: %q %q %q", a.Title, a.ID, a.Slug)
	}
	if a.Published.IsZero() || a.Updated.Before(a.Published) {
		t.Errorf("published %v, updated %v", a.Published, a.Updated)
	}
	if a.Dir != "ltr" && a.Dir != "rtl" {
		t.Errorf("dir %q", a.Dir)
	}
	if c, ok := canonicalLang(a.Lang); !ok || c != a.Lang {
		t.Errorf("lang %q is not canonical BCP 47", a.Lang)
	}
	for name, u := range map[string]string{"url": a.URL, "image": a.Image} {
		if u == "" && name == "image" {
			continue
		}
		if p, err := url.Parse(u); err != nil || !p.IsAbs() || p.Host == "" {
			t.Errorf("%s %q is not an absolute URL", name, u)
		}
	}
	checkSafeHTML(t, a.ContentHTML)
}

// checkSafeHTML parses content as a browser would and fails on anything
// that could run script or load a page: the sanitiser's contract.
func checkSafeHTML(t testing.TB, content string) {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(content), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		t.Fatalf("content does not parse: %v", err)
	}
	forbidden := map[string]bool{"script": true, "style": true, "iframe": true, "form": true, "object": true,
		"embed": true, "input": true, "button": true, "textarea": true, "select": true, "link": true, "meta": true,
		"base": true, "frame": true, "frameset": true, "svg": true, "math": true}
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if forbidden[n.Data] {
				t.Errorf("content keeps a <%s> element: %s", n.Data, content)
			}
			for _, at := range n.Attr {
				key := strings.ToLower(at.Key)
				if strings.HasPrefix(key, "on") || key == "style" {
					t.Errorf("content keeps attribute %s=%q", at.Key, at.Val)
				}
				if key == "href" || key == "src" || key == "cite" || key == "poster" {
					u, err := url.Parse(at.Val)
					if err != nil || !u.IsAbs() {
						t.Errorf("content keeps a relative or broken URL %s=%q", at.Key, at.Val)
						continue
					}
					switch strings.ToLower(u.Scheme) {
					case "http", "https", "mailto", "tel":
					default:
						t.Errorf("content keeps a %s: URL in %s=%q", u.Scheme, at.Key, at.Val)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	for _, n := range nodes {
		visit(n)
	}
}

// goldenFingerprint is the SHA-256 of testdata/golden as parsed at
// ParserVersion. A change of the parsers that alters any golden output
// changes it: bump ParserVersion (a deployed index then parses every
// article again, see docs/operations.md "Upgrading") and set this to the new value.
const goldenFingerprint = "d5e1d0be77d0d38d96a3bdca64b642e95340c70361709d87c60a5c1473265f51"

func TestParserVersion(t *testing.T) {
	paths, err := filepath.Glob("testdata/golden/*/*")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	sort.Strings(paths)
	h := sha256.New()
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s %d\n", filepath.ToSlash(p), len(data))
		h.Write(data)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != goldenFingerprint {
		t.Errorf("the golden outputs changed (fingerprint %s, recorded %s) but ParserVersion is still %q: bump it and record the new fingerprint in goldenFingerprint", got, goldenFingerprint, ParserVersion)
	}
}
