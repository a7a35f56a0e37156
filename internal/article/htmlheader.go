package article

import (
	"net/url"
	"strings"
	"time"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Many news sites publish pages with no metadata at all: no JSON-LD, no
// OpenGraph, no <time>. What the reader sees is then all there is: the
// headline in an <h1>, and under it (or above it) a dateline and a byline
// written out: "بقلم: محمد العلمي | الثلاثاء 9 نونبر 2021 - 12:30". These
// are read from the article's header, with the plain-text exports' date
// tables and byline patterns.

// pageHeader is what a page's article header shows.
type pageHeader struct {
	h1                 *html.Node
	published, updated time.Time
	authors            []string     // bylines' name parts, as written
	credits            []string     // agencies of credit lines
	read               []*html.Node // the elements the dateline and byline were read from
}

// headerMarks are class and id words that mark an element of an article
// header: a date, a byline, a line of metadata. Each such element is read
// apart from its neighbours (spans written without spaces between them).
var headerMarks = map[string]bool{
	"date": true, "time": true, "datetime": true, "published": true, "publish": true, "posted": true,
	"pubdate": true, "dateline": true, "timestamp": true, "updated": true, "modified": true,
	"byline": true, "author": true, "authors": true, "auteur": true, "writer": true, "signature": true,
	"meta": true, "by": true, "when": true,
}

// authorMarks are the headerMarks an element holding only a name carries.
var authorMarks = map[string]bool{"byline": true, "author": true, "authors": true, "auteur": true, "writer": true, "signature": true, "by": true}

// marks returns the class, id and itemprop words of an element that are in
// set, split on hyphens and underscores too ("post-date" holds "date").
func marks(n *html.Node, set map[string]bool) bool {
	for _, name := range []string{"class", "id", "itemprop"} {
		v := strings.ToLower(attr(n, name))
		if v == "" {
			continue
		}
		for _, tok := range strings.Fields(v) {
			if set[tok] {
				return true
			}
			for _, part := range strings.FieldsFunc(tok, func(r rune) bool { return r == '-' || r == '_' }) {
				if set[part] {
					return true
				}
			}
		}
	}
	return false
}

// logoMarks mark an <h1> that holds the site's name, not a headline.
var logoMarks = map[string]bool{"logo": true, "brand": true, "site": true, "sitename": true, "masthead": true, "blogname": true}

// furniture reports whether an element holds no part of the article's
// header: scripts, navigation, sidebars, footers, related stories.
func furniture(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Head, atom.Nav, atom.Aside, atom.Footer,
		atom.Form, atom.Iframe, atom.Svg, atom.Button, atom.Select, atom.Textarea, atom.Menu, atom.Dialog:
		return true
	}
	if droppedRoles[attr(n, "role")] || attr(n, "hidden") != "" || attr(n, "aria-hidden") == "true" {
		return true
	}
	return chrome(n) && !marks(n, headerMarks)
}

// mainHeading returns the page's headline element: the <h1> the <title>
// names (alone, or with the site's name and a separator: "Site | Headline",
// "Headline - Site"), else the first <h1> of the article's content, else
// the page's only <h1>. An <h1> holding the site's name (marked as a logo
// or the site's name, or a link to the home page) is none of these.
func (d *htmlDoc) mainHeading(content *html.Node) *html.Node {
	var h1s []*html.Node
	walk(d.root, func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return true
		}
		if furniture(n) {
			return false
		}
		if n.DataAtom == atom.H1 {
			if hasWord(textOf(n)) {
				h1s = append(h1s, n)
			}
			return false
		}
		return true
	})
	var headlines []*html.Node
	for _, h := range h1s {
		if !siteHeading(h) {
			headlines = append(headlines, h)
		}
	}
	// The <title> "Site | Headline" names both the site and the headline:
	// the longer is the headline.
	var named *html.Node
	for _, h := range headlines {
		if text := cleanLine(textOf(h)); titleNames(d.title, text) && (named == nil || len(text) > len(cleanLine(textOf(named)))) {
			named = h
		}
	}
	if named != nil {
		return named
	}
	for _, h := range headlines {
		if inside(h, content) {
			return h
		}
	}
	if len(headlines) == 1 {
		return headlines[0]
	}
	return nil
}

// siteHeading reports whether an <h1> holds the site's name: it is marked
// as a logo or brand, or it is a link to the home page.
func siteHeading(h *html.Node) bool {
	for n := h; n != nil && n.Type == html.ElementNode; n = n.Parent {
		if marks(n, logoMarks) {
			return true
		}
	}
	var home bool
	walk(h, func(n *html.Node) bool {
		if n.Type == html.ElementNode && n.DataAtom == atom.A {
			href := strings.TrimSpace(attr(n, "href"))
			if u, err := url.Parse(href); err == nil && (u.Path == "" || u.Path == "/") && u.RawQuery == "" && u.Fragment == "" {
				home = cleanLine(textOf(n)) == cleanLine(textOf(h))
			}
		}
		return !home
	})
	return home
}

func inside(n, ancestor *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n == ancestor {
			return true
		}
	}
	return false
}

// siteSeparators are what a <title> puts between a headline and the
// site's name.
const siteSeparators = "|-–—:«»·•/~"

// titleNames reports whether a page's <title> is the headline, alone or
// with the site's name on either side of a separator.
func titleNames(title, headline string) bool {
	t, h := strings.ToLower(cleanLine(title)), strings.ToLower(cleanLine(headline))
	if h == "" || t == "" {
		return false
	}
	if t == h {
		return true
	}
	i := strings.Index(t, h)
	if i < 0 {
		return false
	}
	// The site's name stands on one side: "Site | Headline" or "Headline -
	// Site" ("Morocco - Germany: ties cut" does not name "Germany").
	before, after := strings.TrimSpace(t[:i]), strings.TrimSpace(t[i+len(h):])
	return (before == "") != (after == "") && siteName(before, strings.HasSuffix) && siteName(after, strings.HasPrefix)
}

// siteName reports whether s, the rest of a <title> beside the headline,
// is a site's name with its separator (found by has at the side facing the
// headline), or nothing.
func siteName(s string, has func(s, sep string) bool) bool {
	if s == "" {
		return true
	}
	for _, sep := range siteSeparators {
		if has(s, string(sep)) {
			name := strings.TrimFunc(s, func(r rune) bool { return strings.ContainsRune(siteSeparators, r) || unicode.IsSpace(r) })
			return len(strings.Fields(name)) <= 8
		}
	}
	return false
}

// headerBlock is a run of text of the page, between block boundaries.
type headerBlock struct {
	node *html.Node // the element the text belongs to
	text string
}

// maxHeaderBlocks bounds the blocks read around the headline: a header
// holds a kicker, the headline, a standfirst, a byline, a dateline, a
// caption.
const maxHeaderBlocks = 8

// maxPageBlocks bounds the blocks of text read before the header is
// found: no page puts its article's header further down.
const maxPageBlocks = 2000

// readHeader reads the dateline and byline of the article's header: the
// blocks of text around the headline (up to three before it, in its
// container, and up to eight after it, until the second paragraph of
// running text), or without a headline the blocks just before the
// content's first paragraph. content is the element holding the article.
func (d *htmlDoc) readHeader(content *html.Node, loc *time.Location) pageHeader {
	h := pageHeader{h1: d.mainHeading(content)}
	// Blocks are cut only as far as the region reaches: a page may be
	// megabytes of paragraphs.
	at, first, inContent := -1, -1, 0
	blocks := textBlocks(d.root, func(bs []headerBlock) bool {
		last := len(bs) - 1
		if last >= maxPageBlocks {
			return true
		}
		if h.h1 == nil {
			// Up to the content's first paragraph of running text, else
			// its first block.
			if inside(bs[last].node, content) {
				if inContent++; first < 0 {
					first = last
				}
				if bodyLike(bs[last].text) {
					first = last
					return true
				}
				return inContent == maxHeaderBlocks
			}
			return false
		}
		if at < 0 && inside(bs[last].node, h.h1) {
			at = last
		}
		return at >= 0 && last >= at+maxHeaderBlocks
	})
	var region []headerBlock
	if h.h1 != nil {
		if at < 0 {
			return h
		}
		// The headline's container: its parent, or the nearest ancestor
		// holding more than the headline, short of the whole page (where
		// the site's banner shows the date of the day).
		box := h.h1.Parent
		for box != nil && elementChildren(box) == 1 && box.Parent != nil && box.Parent.DataAtom != atom.Body && box.Parent.Type == html.ElementNode {
			box = box.Parent
		}
		for i := max(0, at-3); i < at; i++ {
			if b := blocks[i].node; !inside(b, h.h1) && inside(b, box) && box.DataAtom != atom.Body && !inBanner(b) {
				region = append(region, blocks[i])
			}
		}
		long := 0
		for i := at + 1; i < len(blocks) && i <= at+maxHeaderBlocks; i++ {
			if inside(blocks[i].node, h.h1) {
				continue
			}
			if bodyLike(blocks[i].text) {
				if long++; long == 2 {
					break
				}
			}
			region = append(region, blocks[i])
		}
	} else {
		for i := max(0, first-maxHeaderBlocks+2); i < first; i++ {
			if content.Parent != nil && inside(blocks[i].node, content.Parent) {
				region = append(region, blocks[i])
			}
		}
	}

	t := textParse{loc: loc}
	for _, b := range region {
		if len(b.text) > maxDatelineBytes {
			continue
		}
		if pub, upd, authors, ok := t.readDateline(b.text); ok {
			if len(authors) == 0 && reByline.MatchString(fold(b.text)) {
				// "كتب - أحمد سعيد الأحد، 7 نوفمبر 2021": a byline and a
				// date in one line, without a separator between them.
				if name := bylineName(b.text); plausibleByline(name) {
					authors = []string{name}
				}
			}
			switch {
			case h.published.IsZero():
				h.published, h.updated = pub, upd
			case upd.IsZero() && reUpdated.MatchString(fold(b.text)):
				h.updated = pub // "Mis à jour le ..." on a line of its own
			case !upd.IsZero():
				h.updated = upd
			}
			if len(h.authors) == 0 {
				h.authors = authors
			}
			h.read = append(h.read, b.node)
			continue
		}
		if wordCount(b.text) > maxBylineWords {
			continue
		}
		switch f := fold(b.text); {
		case reByline.MatchString(f) && plausibleByline(bylineName(b.text)):
			if len(h.authors) == 0 {
				h.authors = []string{bylineName(b.text)}
			}
			h.read = append(h.read, b.node)
		case creditLine(b.text) != nil:
			h.credits = append(h.credits, creditLine(b.text)...)
			h.read = append(h.read, b.node)
		case marks(b.node, authorMarks) && plausibleByline(b.text) && strings.IndexFunc(b.text, unicode.IsDigit) < 0:
			// "Jane Doe, Economics editor": splitByline drops the role.
			if len(h.authors) == 0 {
				h.authors = []string{b.text}
			}
			h.read = append(h.read, b.node)
		}
	}
	return h
}

// inBanner reports whether n is in the site's banner: a <header> holding
// the site's navigation, or role=banner.
func inBanner(n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n.Type == html.ElementNode && (attr(n, "role") == "banner" || n.DataAtom == atom.Header && findFirst(n, atom.Nav) != nil) {
			return true
		}
	}
	return false
}

func elementChildren(n *html.Node) int {
	k := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			k++
		} else if c.Type == html.TextNode && strings.TrimSpace(c.Data) != "" {
			return 2 // text beside the element: the container holds more
		}
	}
	return k
}

// textBlocks cuts the page's text into blocks, in document order, until
// enough returns true: a block ends at every block element, <br>, and
// element marked as a date or a byline (headerMarks). Furniture is
// skipped.
func textBlocks(root *html.Node, enough func([]headerBlock) bool) []headerBlock {
	var out []headerBlock
	var cur strings.Builder
	var owners []*html.Node
	done := false
	flush := func() {
		if s := cleanLine(cur.String()); s != "" && len(owners) > 0 {
			out = append(out, headerBlock{node: owners[len(owners)-1], text: s})
			done = enough(out)
		}
		cur.Reset()
	}
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		if done {
			return
		}
		switch n.Type {
		case html.TextNode:
			cur.WriteString(n.Data)
			return
		case html.ElementNode:
			if furniture(n) {
				return
			}
		case html.DocumentNode:
		default:
			return
		}
		boundary := n.Type == html.DocumentNode || n.DataAtom == atom.Body || blockElements[n.DataAtom] ||
			n.DataAtom == atom.Header || n.DataAtom == atom.Article || n.DataAtom == atom.Main || n.DataAtom == atom.Time || marks(n, headerMarks)
		if boundary {
			flush()
			owners = append(owners, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
		if boundary {
			flush()
			owners = owners[:len(owners)-1]
		}
	}
	visit(root)
	return out
}
