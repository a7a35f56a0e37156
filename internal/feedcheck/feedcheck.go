// Package feedcheck lets tests judge published feeds with outside clients
// nobody here wrote: gofeed (Go), Python's feedparser (bozo must be 0),
// jing with the RFC 4287 RELAX NG schema, xmllint, and the JSON Feed 1.1
// JSON Schema. It is imported by tests only.
//
// The schemas are copies of ../shared/validators (a test keeps them
// identical). A missing command-line checker skips the calling test, and
// fails it under CI=true: CI must not pass on checks it did not run.
package feedcheck

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/santhosh-tekuri/jsonschema/v6"

	article "github.com/pressroom/pressroom/internal/article/model"
)

//go:embed schemas/atom.rnc
var atomRNC []byte

//go:embed schemas/jsonfeed-1.1.schema.json
var jsonFeedSchema []byte

// Python is the interpreter that sees Debian's python3-feedparser (the
// python3 on PATH may be another one).
const Python = "/usr/bin/python3"

// Require skips the test (fails it under CI=true) unless every outside
// checker is installed. `make test` installs them.
func Require(t testing.TB) {
	t.Helper()
	var missing []string
	for _, tool := range []string{"jing", "xmllint"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if err := exec.Command(Python, "-c", "import feedparser").Run(); err != nil {
		missing = append(missing, "python3-feedparser ("+Python+")")
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("outside feed checkers missing: %s (make test installs them)", strings.Join(missing, ", "))
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Item is an entry as the outside parsers saw it.
type Item struct {
	ID, Title, Link string
	Published       time.Time
}

// Feed is a feed as gofeed saw it.
type Feed struct {
	Path     string
	Format   string // "rss", "atom", "json"
	Title    string
	Language string
	Items    []Item
}

// Dir validates every feed file under dir (feed.xml, atom.xml, feed.json,
// and feeds.opml's well-formedness) with every checker, checks that the
// parsers agree with each other and that a feed's three formats hold the
// same items, and returns what gofeed parsed, by path relative to dir.
func Dir(t testing.TB, dir string) map[string]Feed {
	t.Helper()
	Require(t)
	var rss, atom, jsons, xmls []string
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if fi.IsDir() && article.Hidden(fi.Name()) && p != dir {
			return filepath.SkipDir
		}
		switch fi.Name() {
		case "feed.xml":
			rss = append(rss, p)
			xmls = append(xmls, p)
		case "atom.xml":
			atom = append(atom, p)
			xmls = append(xmls, p)
		case "feed.json":
			jsons = append(jsons, p)
		case "feeds.opml":
			xmls = append(xmls, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rss)+len(atom)+len(jsons) == 0 {
		t.Fatalf("no feeds under %s", dir)
	}
	xmllint(t, xmls)
	jing(t, atom)
	fp := feedparser(t, append(append([]string(nil), rss...), atom...))
	schema := compileJSONFeedSchema(t)

	out := map[string]Feed{}
	parser := gofeed.NewParser()
	for _, group := range []struct {
		format string
		files  []string
	}{{"rss", rss}, {"atom", atom}, {"json", jsons}} {
		for _, p := range group.files {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(dir, p)
			rel = filepath.ToSlash(rel)
			parsed, err := parser.Parse(bytes.NewReader(data))
			if err != nil {
				t.Errorf("gofeed cannot parse %s: %v", rel, err)
				continue
			}
			f := Feed{Path: rel, Format: group.format, Title: parsed.Title, Language: parsed.Language}
			for _, it := range parsed.Items {
				item := Item{ID: it.GUID, Title: it.Title, Link: it.Link}
				if it.PublishedParsed != nil {
					item.Published = *it.PublishedParsed
				}
				if item.ID == "" || item.Title == "" || item.Link == "" || item.Published.IsZero() {
					t.Errorf("%s: gofeed sees an item without id, title, link or date: %+v", rel, item)
				}
				f.Items = append(f.Items, item)
			}
			out[rel] = f
			switch group.format {
			case "json":
				validateJSONFeed(t, schema, rel, data)
			case "atom":
				atomRules(t, rel, data)
			}
			if e, ok := fp[p]; ok {
				if len(e.Entries) != len(f.Items) {
					t.Errorf("%s: feedparser sees %d entries, gofeed %d", rel, len(e.Entries), len(f.Items))
				} else {
					for i, en := range e.Entries {
						if en.Title != f.Items[i].Title || en.ID != f.Items[i].ID || en.Link != f.Items[i].Link {
							t.Errorf("%s entry %d: feedparser sees %q %q %q, gofeed %q %q %q", rel, i, en.Title, en.ID, en.Link,
								f.Items[i].Title, f.Items[i].ID, f.Items[i].Link)
						}
					}
				}
				if e.Language != f.Language && f.Language != "" {
					t.Errorf("%s: feedparser sees language %q, gofeed %q", rel, e.Language, f.Language)
				}
			}
		}
	}
	// The three formats of one feed hold the same items in the same order.
	for rel, f := range out {
		if f.Format != "rss" {
			continue
		}
		base := strings.TrimSuffix(rel, "feed.xml")
		for _, other := range []string{base + "atom.xml", base + "feed.json"} {
			o, ok := out[other]
			if !ok {
				t.Errorf("%s has no %s", rel, other)
				continue
			}
			if ids(f) != ids(o) {
				t.Errorf("%s and %s differ:\n%s\n%s", rel, other, ids(f), ids(o))
			}
		}
	}
	return out
}

func ids(f Feed) string {
	var b strings.Builder
	for _, it := range f.Items {
		fmt.Fprintf(&b, "%s|%s|%s|%d\n", it.ID, it.Title, it.Link, it.Published.Unix())
	}
	return b.String()
}

func run(t testing.TB, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func xmllint(t testing.TB, files []string) {
	t.Helper()
	for len(files) > 0 {
		n := min(len(files), 500)
		if out, err := run(t, "xmllint", append([]string{"--noout"}, files[:n]...)...); err != nil {
			t.Errorf("xmllint: %v\n%s", err, out)
		}
		files = files[n:]
	}
}

func jing(t testing.TB, files []string) {
	t.Helper()
	if len(files) == 0 {
		return
	}
	schema := filepath.Join(t.TempDir(), "atom.rnc")
	if err := os.WriteFile(schema, atomRNC, 0o644); err != nil {
		t.Fatal(err)
	}
	for len(files) > 0 {
		n := min(len(files), 500)
		out, err := run(t, "jing", append([]string{"-c", schema}, files[:n]...)...)
		if err != nil {
			var errs []string
			for _, l := range strings.Split(out, "\n") {
				if !strings.Contains(l, "[warning]") && strings.TrimSpace(l) != "" {
					errs = append(errs, l)
				}
			}
			t.Errorf("jing (RFC 4287 schema): %v\n%s", err, strings.Join(errs, "\n"))
		}
		files = files[n:]
	}
}

type fpEntry struct {
	ID, Title, Link string
}

type fpResult struct {
	File     string
	Bozo     int
	Error    string
	Version  string
	Language string
	Entries  []fpEntry
}

const fpScript = `
import sys, json, feedparser
out = []
for p in sys.argv[1:]:
    d = feedparser.parse(p)
    out.append({"File": p, "Bozo": int(bool(d.bozo)), "Error": str(d.get("bozo_exception", "")),
        "Version": d.get("version", ""), "Language": d.feed.get("language", ""),
        "Entries": [{"ID": e.get("id", ""), "Title": e.get("title", ""), "Link": e.get("link", "")} for e in d.entries]})
print(json.dumps(out))
`

func feedparser(t testing.TB, files []string) map[string]fpResult {
	t.Helper()
	out := map[string]fpResult{}
	for len(files) > 0 {
		n := min(len(files), 500)
		text, err := run(t, Python, append([]string{"-c", fpScript}, files[:n]...)...)
		if err != nil {
			t.Fatalf("feedparser: %v\n%s", err, text)
		}
		var results []fpResult
		if err := json.Unmarshal([]byte(text), &results); err != nil {
			t.Fatalf("feedparser output: %v\n%s", err, text)
		}
		for _, r := range results {
			if r.Bozo != 0 {
				t.Errorf("feedparser: %s is bozo: %s", r.File, r.Error)
			}
			if r.Version != "rss20" && r.Version != "atom10" {
				t.Errorf("feedparser: %s is %q, want rss20 or atom10", r.File, r.Version)
			}
			out[r.File] = r
		}
		files = files[n:]
	}
	return out
}

func compileJSONFeedSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(jsonFeedSchema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const id = "https://pressroom.invalid/schemas/jsonfeed-1.1.json"
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validateJSONFeed(t testing.TB, s *jsonschema.Schema, rel string, data []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Errorf("%s is not JSON: %v", rel, err)
		return
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("%s fails the JSON Feed 1.1 schema: %v", rel, err)
	}
	var doc struct {
		Items []struct {
			ContentHTML string `json:"content_html"`
		} `json:"items"`
	}
	json.Unmarshal(data, &doc)
	for i, it := range doc.Items {
		if it.ContentHTML == "" {
			t.Errorf("%s item %d has no content_html", rel, i)
		}
	}
}

// atomRules checks the two Schematron rules of RFC 4287 that jing does not:
// an author on the feed or on every entry, and content or an alternate link
// on every entry.
func atomRules(t testing.TB, rel string, data []byte) {
	t.Helper()
	fp := gofeed.NewParser()
	f, err := fp.Parse(bytes.NewReader(data))
	if err != nil {
		return // reported by the caller
	}
	feedAuthor := len(f.Authors) > 0
	for i, it := range f.Items {
		if !feedAuthor && len(it.Authors) == 0 {
			t.Errorf("%s entry %d has no author and the feed has none (RFC 4287 4.1.1)", rel, i)
		}
		if it.Content == "" && it.Link == "" {
			t.Errorf("%s entry %d has neither content nor an alternate link (RFC 4287 4.1.1)", rel, i)
		}
	}
}

// Keys returns a map's keys, sorted: for stable test messages.
func Keys(m map[string]Feed) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
