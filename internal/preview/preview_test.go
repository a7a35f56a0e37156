package preview_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/preview"
)

const hostile = `</title><script>alert("t")</script><img src=x onerror=alert(1)> & "quotes"`

func parse(t *testing.T, page []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// find returns every element named tag.
func find(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && c.Data == tag {
			out = append(out, c)
		}
	}
	return out
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

func text(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

// noActiveContent: no script element, no event handler, no javascript: URL.
func noActiveContent(t *testing.T, what string, doc *html.Node) {
	t.Helper()
	if s := find(doc, "script"); len(s) > 0 {
		t.Errorf("%s: %d script elements", what, len(s))
	}
	for n := range doc.Descendants() {
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") || strings.Contains(strings.ToLower(a.Val), "javascript:") {
				t.Errorf("%s: <%s %s=%q>", what, n.Data, a.Key, a.Val)
			}
		}
	}
}

// policy checks the page's Content-Security-Policy meta: first in the
// head, nothing allowed by default, no script, and the one style element
// allowed by its hash.
func policy(t *testing.T, what string, doc *html.Node) {
	t.Helper()
	metas := find(doc, "meta")
	var csp string
	for _, m := range metas {
		if v, _ := attr(m, "http-equiv"); v == "Content-Security-Policy" {
			csp, _ = attr(m, "content")
		}
	}
	if csp != preview.SecurityPolicy || !strings.HasPrefix(csp, "default-src 'none';") || strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe") {
		t.Errorf("%s: policy %q", what, csp)
	}
	styles := find(doc, "style")
	if len(styles) != 1 {
		t.Fatalf("%s: %d style elements", what, len(styles))
	}
	sum := sha256.Sum256([]byte(text(styles[0])))
	if !strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
		t.Errorf("%s: the style element's hash is not in the policy", what)
	}
}

func arabic() *article.Article {
	loc := time.FixedZone("", 3600)
	return &article.Article{
		Title: "ترامواي الرباط يصل إلى حي يعقوب المنصور", Lang: "ar-MA", Dir: "rtl",
		Authors: []string{"سناء الإدريسي"}, Published: time.Date(2026, 3, 16, 8, 0, 0, 0, loc),
		Image:       "https://news.example.org/images/tram.jpg",
		ContentHTML: "<p>بدأ الخط الثالث لترامواي الرباط <strong>اليوم</strong>.</p>",
	}
}

func TestPageRightToLeft(t *testing.T) {
	page, err := preview.Page(preview.File{Name: "articles/rabat-tramway.html", Page: "001-rabat.html", Status: "published", Article: arabic(),
		Warnings: []string{"lang: guessed"}})
	if err != nil {
		t.Fatal(err)
	}
	doc := parse(t, page)
	policy(t, "arabic page", doc)
	noActiveContent(t, "arabic page", doc)
	arts := find(doc, "article")
	if len(arts) != 1 {
		t.Fatalf("%d article elements", len(arts))
	}
	if dir, _ := attr(arts[0], "dir"); dir != "rtl" {
		t.Errorf("article dir %q, want rtl", dir)
	}
	if lang, _ := attr(arts[0], "lang"); lang != "ar-MA" {
		t.Errorf("article lang %q", lang)
	}
	h1 := find(arts[0], "h1")
	if len(h1) != 1 || text(h1[0]) != "ترامواي الرباط يصل إلى حي يعقوب المنصور" {
		t.Errorf("heading %v", h1)
	}
	if s := find(arts[0], "strong"); len(s) != 1 || text(s[0]) != "اليوم" {
		t.Errorf("the content's markup is not kept: %s", page)
	}
	if tm := find(arts[0], "time"); len(tm) != 1 || text(tm[0]) != "2026-03-16 08:00 +01:00" {
		t.Errorf("date %v", tm)
	} else if v, _ := attr(tm[0], "datetime"); v != "2026-03-16T08:00:00+01:00" {
		t.Errorf("datetime %q", v)
	}
	if imgs := find(arts[0], "img"); len(imgs) != 1 {
		t.Errorf("%d images, want the lead image", len(imgs))
	}
	if !strings.Contains(text(doc), "سناء الإدريسي") || !strings.Contains(text(doc), "warning: lang: guessed") {
		t.Errorf("byline or warning missing:\n%s", page)
	}
	// The page itself (its header) is English, left to right.
	if dir, _ := attr(find(doc, "html")[0], "dir"); dir != "ltr" {
		t.Errorf("html dir %q", dir)
	}
}

// TestHostileTextIsEscaped: a title, author, file name, warning or image
// URL holding markup shows as text and makes no element.
func TestHostileTextIsEscaped(t *testing.T) {
	a := arabic()
	a.Title, a.Authors, a.Image, a.Lang, a.Dir = hostile, []string{hostile}, "javascript:alert(1)", "en", "ltr"
	f := preview.File{Name: hostile + ".md", Page: "001-x.html", Status: "published", Article: a, Warnings: []string{hostile}, Notes: []string{hostile}}
	page, err := preview.Page(f)
	if err != nil {
		t.Fatal(err)
	}
	doc := parse(t, page)
	noActiveContent(t, "hostile page", doc)
	if titles := find(doc, "title"); len(titles) != 1 || text(titles[0]) != hostile+" — preview" {
		t.Errorf("title element %q", text(titles[0]))
	}
	if h1 := find(doc, "h1"); len(h1) != 1 || text(h1[0]) != hostile {
		t.Errorf("heading %q", text(h1[0]))
	}
	// The only images: the lead (its URL refused) and none from the text.
	for _, img := range find(doc, "img") {
		if src, _ := attr(img, "src"); src == "x" {
			t.Errorf("an image came out of the text: %s", page)
		}
	}
	rejected := preview.File{Name: hostile, Status: "rejected", Problems: []string{hostile}}
	index, err := preview.Index([]preview.File{f, rejected})
	if err != nil {
		t.Fatal(err)
	}
	doc = parse(t, index)
	policy(t, "index", doc)
	noActiveContent(t, "index", doc)
	rows := find(find(doc, "tbody")[0], "tr")
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	links := find(rows[0], "a")
	if href, _ := attr(links[0], "href"); len(links) != 1 || href != "001-x.html" || text(links[0]) != hostile+".md" {
		t.Errorf("first row %q", text(rows[0]))
	}
	if !strings.Contains(text(rows[0]), "ok (published)") || !strings.Contains(text(rows[1]), "rejected") || len(find(rows[1], "a")) != 0 {
		t.Errorf("rows %q / %q", text(rows[0]), text(rows[1]))
	}
}
