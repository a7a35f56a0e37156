package article

import (
	"encoding/json"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxHTMLDepth bounds element nesting: no article needs more, and hostile
// files with more cost time in every later step.
const maxHTMLDepth = 512

var reMetaCharset = lazyRE(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)`)

// declaredCharset returns the charset an HTML file declares in its first
// bytes (<meta charset> or http-equiv Content-Type), or "".
func declaredCharset(data []byte) string {
	head := data[:min(len(data), 4096)]
	if m := reMetaCharset.FindSubmatch(head); m != nil {
		return string(m[1])
	}
	return ""
}

// articleTypes are the schema.org types whose JSON-LD describes an article.
var articleTypes = map[string]bool{
	"article": true, "newsarticle": true, "blogposting": true, "reportagenewsarticle": true,
	"analysisnewsarticle": true, "opinionnewsarticle": true, "backgroundnewsarticle": true,
	"reviewnewsarticle": true, "techarticle": true, "scholarlyarticle": true,
	"liveblogposting": true, "report": true, "socialmediaposting": true, "posting": true,
}

// dropped are removed from the article body with everything inside them.
var dropped = map[atom.Atom]bool{
	atom.Nav: true, atom.Aside: true, atom.Header: true, atom.Footer: true, atom.Script: true,
	atom.Style: true, atom.Noscript: true, atom.Form: true, atom.Iframe: true, atom.Template: true,
	atom.Button: true, atom.Svg: true, atom.Object: true, atom.Embed: true, atom.Input: true,
	atom.Select: true, atom.Textarea: true, atom.Dialog: true, atom.Menu: true, atom.Link: true,
	atom.Meta: true, atom.Title: true,
}

var droppedRoles = map[string]bool{"navigation": true, "complementary": true, "banner": true, "contentinfo": true, "search": true}

// htmlDoc holds what parseHTML reads from a document.
type htmlDoc struct {
	root                   *html.Node
	lang, title, canonical string
	metas                  map[string][]string
	ld                     map[string]any
	bodyNode               *html.Node
	times                  []*html.Node
	relAuthors             []string // rel="author" link texts, read before chrome is removed
}

// parseHTML reads an article page: its metadata (JSON-LD, OpenGraph and
// other meta tags, then what the page shows) and its content, cleared of
// the site's chrome and of the header it was read from.
func parseHTML(text string, opts Options, r *report) meta {
	d, ok := readHTML(text, r)
	if !ok {
		return meta{}
	}
	// The header (headline, dateline, byline) is read before the body is
	// cleared of it.
	content := d.pickContent()
	header := d.readHeader(content, opts.Location)
	d.bodyNode = d.clearContent(content, header.read)

	h1Text := ""
	if header.h1 != nil {
		h1Text = cleanLine(textOf(header.h1))
	}
	var m meta
	m.title = d.headline(h1Text)
	m.summary = firstNonEmpty(ldString(d.ld["description"]), first(d.metas["og:description"]),
		first(d.metas["description"]), first(d.metas["twitter:description"]))
	m.url = firstNonEmpty(ldString(d.ld["url"]), ldString(d.ld["mainentityofpage"]), d.canonical, first(d.metas["og:url"]))
	m.image = firstNonEmpty(ldImage(d.ld["image"]), first(d.metas["og:image"]), first(d.metas["og:image:url"]), first(d.metas["twitter:image"]))
	m.authors, m.credits = d.authors(header)
	m.tags, m.categories = d.tags(), d.categories()
	d.dates(&m, header, opts, r)
	m.lang = d.language(r)
	m.body = d.body(header.h1, h1Text, m.title)
	return m
}

// readHTML parses the page and collects its metadata; ok is false, with
// the problem reported, when the page cannot be read or is nested too
// deep.
func readHTML(text string, r *report) (d *htmlDoc, ok bool) {
	root, err := html.Parse(strings.NewReader(text))
	if err != nil {
		if strings.Contains(err.Error(), "stack of elements exceeds") {
			r.add("body", 0, "the HTML is nested more than %d levels deep", maxHTMLDepth)
		} else {
			r.add("body", 0, "the HTML cannot be read: %v", err)
		}
		return nil, false
	}
	if treeDepth(root) > maxHTMLDepth {
		r.add("body", 0, "the HTML is nested more than %d levels deep", maxHTMLDepth)
		return nil, false
	}
	d = &htmlDoc{root: root, metas: map[string][]string{}}
	d.scan(root, r)
	return d, true
}

// headline is the article's title: JSON-LD, OpenGraph, the page's headline
// h1 (h1Text), then <title>, the site's name taken off where it shows.
func (d *htmlDoc) headline(h1Text string) string {
	siteName := first(d.metas["og:site_name"])
	return firstNonEmpty(ldString(d.ld["headline"]), ldString(d.ld["name"]),
		stripSiteName(first(d.metas["og:title"]), siteName), stripSiteName(first(d.metas["twitter:title"]), siteName),
		h1Text, stripSiteName(d.title, siteName))
}

// authors reads the authors, and the agencies credited, from the first
// source that names any: JSON-LD, the author meta tags, microdata,
// rel="author" links, then the bylines of the page's header.
func (d *htmlDoc) authors(header pageHeader) (authors, credits []string) {
	authors = ldNames(d.ld["author"])
	if len(authors) == 0 {
		// One string may name several people: "Jane Doe and Samuel Okafor".
		authors, credits = appendBylines(authors, credits, nonURLs(d.metas["author"]))
	}
	if len(authors) == 0 {
		authors = nonURLs(d.metas["article:author"])
	}
	if len(authors) == 0 {
		authors = append(authors, d.itempropAuthors()...)
	}
	if len(authors) == 0 {
		authors = d.relAuthors
	}
	if len(authors) == 0 {
		authors, credits = appendBylines(authors, credits, header.authors)
	}
	return authors, append(credits, header.credits...)
}

// appendBylines splits each byline into people and agencies (see
// splitByline) and appends them to authors and credits.
func appendBylines(authors, credits, bylines []string) ([]string, []string) {
	for _, name := range bylines {
		a, c := splitByline(name)
		authors, credits = append(authors, a...), append(credits, c...)
	}
	return authors, credits
}

// itempropAuthors are the names of the page's itemprop="author" elements
// (their content attribute, else their text), web addresses left out.
func (d *htmlDoc) itempropAuthors() []string {
	var names []string
	walk(d.root, func(n *html.Node) bool {
		if n.Type == html.ElementNode && strings.EqualFold(attr(n, "itemprop"), "author") {
			name := attr(n, "content")
			if name == "" {
				name = textOf(n)
			}
			if name = cleanLine(name); name != "" && !strings.Contains(name, "://") {
				names = append(names, name)
			}
			return false
		}
		return true
	})
	return names
}

// tags are JSON-LD's keywords, else article:tag meta tags, else the
// keywords meta tag.
func (d *htmlDoc) tags() []string {
	tags := ldList(d.ld["keywords"])
	if len(tags) == 0 {
		tags = d.metas["article:tag"]
	}
	if len(tags) == 0 {
		tags = splitComma(first(d.metas["keywords"]))
	}
	return tags
}

// categories are JSON-LD's articleSection, else article:section meta tags.
func (d *htmlDoc) categories() []string {
	categories := ldList(d.ld["articlesection"])
	if len(categories) == 0 {
		categories = d.metas["article:section"]
	}
	return categories
}

// dates reads the published, updated and expiry dates: JSON-LD, article:*
// meta, then <time datetime> in the article, then the dateline the page's
// header shows.
func (d *htmlDoc) dates(m *meta, header pageHeader, opts Options, r *report) {
	ld := d.ld
	pub, pubField := firstNonEmpty(ldString(ld["datepublished"]), first(d.metas["article:published_time"]),
		first(d.metas["datepublished"]), first(d.metas["date"]), first(d.metas["dc.date"])), "datePublished"
	upd := firstNonEmpty(ldString(ld["datemodified"]), first(d.metas["article:modified_time"]),
		first(d.metas["og:updated_time"]), first(d.metas["datemodified"]))
	if pub == "" {
		pub, upd, pubField = d.timeElements(upd)
	}
	m.published = htmlDate(pub, pubField, opts, r)
	m.updated = htmlDate(upd, "dateModified", opts, r)
	if pub == "" && !header.published.IsZero() {
		// No metadata: the dateline the page shows.
		m.published = header.published
		if upd == "" {
			m.updated = header.updated
		}
		m.notes = append(m.notes, "date read from the dateline the page shows")
	}
	m.expires = htmlDate(firstNonEmpty(ldString(ld["expires"]), first(d.metas["article:expiration_time"])), "expires", opts, r)
}

// language is the first language the page declares: JSON-LD, og:locale,
// <html lang>, Content-Language. A declaration that is no language code is
// reported and ends the search.
func (d *htmlDoc) language(r *report) string {
	for _, l := range []string{ldLang(d.ld["inlanguage"]), first(d.metas["og:locale"]), d.lang, first(d.metas["content-language"]), first(d.metas["language"])} {
		if l == "" {
			continue
		}
		if c, ok := canonicalLang(l); ok {
			return c
		}
		r.add("lang", 0, "%q is not a language code: use a BCP 47 code such as ar, ar-MA, fr or en", l)
		break
	}
	return ""
}

// body renders the article's content, without the headline h1 when it
// repeats the title; JSON-LD's articleBody when the content has no words.
func (d *htmlDoc) body(h1 *html.Node, h1Text, title string) string {
	if h1 != nil && h1.Parent != nil && cleanLine(title) == h1Text {
		h1.Parent.RemoveChild(h1) // the feed shows the title; do not repeat it
	}
	body := renderChildren(d.bodyNode)
	if !hasWord(plainText(policy.Sanitize(body), 256)) {
		if text := ldString(d.ld["articlebody"]); text != "" {
			body = textToHTML(text)
		}
	}
	return body
}

// scan collects the document's metadata in one walk.
func (d *htmlDoc) scan(root *html.Node, r *report) {
	walk(root, func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return true
		}
		switch n.DataAtom {
		case atom.Html:
			d.lang = attr(n, "lang")
			if d.lang == "" {
				d.lang = attr(n, "xml:lang")
			}
		case atom.Title:
			if d.title == "" {
				d.title = cleanLine(textOf(n))
			}
		case atom.Meta:
			key := strings.ToLower(firstNonEmpty(attr(n, "property"), attr(n, "name"), attr(n, "itemprop"), attr(n, "http-equiv")))
			if v := strings.TrimSpace(attr(n, "content")); key != "" && v != "" {
				d.metas[key] = append(d.metas[key], v)
			}
		case atom.A:
			if strings.Contains(" "+strings.ToLower(attr(n, "rel"))+" ", " author ") {
				if name := cleanLine(textOf(n)); name != "" {
					d.relAuthors = append(d.relAuthors, name)
				}
			}
		case atom.Link:
			if strings.EqualFold(attr(n, "rel"), "canonical") && d.canonical == "" {
				d.canonical = attr(n, "href")
			}
		case atom.Script:
			if strings.Contains(strings.ToLower(attr(n, "type")), "ld+json") && d.ld == nil {
				d.ld = findLDArticle(textOf(n))
			}
			return false
		}
		return true
	})
}

// pickContent picks the element holding the article: the microdata
// articleBody, else the <article> with the most text, else <main> or
// role=main, else the densest block of paragraphs, else <body>.
func (d *htmlDoc) pickContent() *html.Node {
	var best *html.Node
	bestLen := -1
	// Microdata names the body outright.
	walk(d.root, func(n *html.Node) bool {
		if best == nil && n.Type == html.ElementNode && strings.EqualFold(attr(n, "itemprop"), "articleBody") {
			best = n
		}
		return best == nil
	})
	if best != nil {
		bestLen = len(textOf(best))
	}
	for _, a := range findAll(d.root, atom.Article) {
		if l := len(textOf(a)); l > bestLen {
			best, bestLen = a, l
		}
	}
	if best == nil {
		best = findFirst(d.root, atom.Main)
	}
	if best == nil {
		walk(d.root, func(n *html.Node) bool {
			if best == nil && n.Type == html.ElementNode && attr(n, "role") == "main" {
				best = n
			}
			return best == nil
		})
	}
	if best == nil {
		best = densest(d.root)
	}
	if best == nil {
		best = findFirst(d.root, atom.Body)
	}
	if best == nil {
		best = d.root
	}
	return best
}

// clearContent removes navigation and other chrome from the element
// holding the article, and the header elements the dateline and byline
// were read from (read): the feed carries both already.
func (d *htmlDoc) clearContent(best *html.Node, read []*html.Node) *html.Node {
	// Remember <time> elements before their <header> goes.
	d.times = findAll(best, atom.Time)
	if len(d.times) == 0 {
		d.times = findAll(d.root, atom.Time)
	}
	var remove []*html.Node
	walk(best, func(n *html.Node) bool {
		if n == best {
			return true
		}
		switch {
		case n.Type == html.CommentNode:
			remove = append(remove, n)
			return false
		case n.Type != html.ElementNode:
			return true
		case dropped[n.DataAtom], droppedRoles[attr(n, "role")], attr(n, "hidden") != "" || attr(n, "aria-hidden") == "true",
			chrome(n), strings.EqualFold(attr(n, "itemprop"), "author"):
			remove = append(remove, n)
			return false
		case n.DataAtom == atom.Time && n.Parent == best:
			// A bare dateline: the feed carries the date already.
			remove = append(remove, n)
			return false
		}
		return true
	})
	for _, n := range read {
		if n == best || n.Parent == nil || !inside(n, best) {
			continue
		}
		// <p class="date"><time>...</time></p> goes whole.
		for n.Parent != best && elementChildren(n.Parent) == 1 {
			n = n.Parent
		}
		if next := n.NextSibling; next != nil && next.Type == html.TextNode && strings.TrimSpace(next.Data) == "" {
			remove = append(remove, next) // the line it stood on
		}
		remove = append(remove, n)
	}
	for _, n := range remove {
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
	}
	return best
}

// chromeTokens are class and id words that mark page furniture inside an
// article: sharing buttons, related links, bylines, promotions, comments.
var chromeTokens = map[string]bool{
	"share": true, "sharing": true, "sharedaddy": true, "social": true, "related": true, "byline": true,
	"newsletter": true, "subscribe": true, "advert": true, "advertisement": true, "ads": true, "promo": true,
	"comments": true, "comment": true, "breadcrumb": true, "breadcrumbs": true, "sidebar": true, "widget": true,
	"author-box": true, "authorbox": true, "tags": true, "read-more": true, "readmore": true,
}

// chrome reports whether an element's class or id marks page furniture.
func chrome(n *html.Node) bool {
	for _, name := range []string{"class", "id"} {
		v := strings.ToLower(attr(n, name))
		if v == "" {
			continue
		}
		for _, tok := range strings.Fields(v) {
			if chromeTokens[tok] {
				return true
			}
			for _, part := range strings.FieldsFunc(tok, func(r rune) bool { return r == '-' || r == '_' }) {
				if chromeTokens[part] {
					return true
				}
			}
		}
	}
	return false
}

// densest returns the element holding the most paragraph text among its
// direct children: where the article is on pages with no <article>,
// <main> or articleBody (the heuristic readability tools use).
func densest(root *html.Node) *html.Node {
	score := map[*html.Node]int{}
	var best *html.Node
	for _, p := range findAll(root, atom.P) {
		if p.Parent == nil {
			continue
		}
		score[p.Parent] += len(strings.TrimSpace(textOf(p)))
		if best == nil || score[p.Parent] > score[best] {
			best = p.Parent
		}
	}
	if best == nil || score[best] < 80 {
		return nil
	}
	return best
}

// timeElements reads dates from <time datetime> elements: the one marked as
// the publication date, else the first; and one marked as modified.
func (d *htmlDoc) timeElements(updated string) (pub, upd, field string) {
	for _, t := range d.times {
		dt := attr(t, "datetime")
		if dt == "" {
			dt = textOf(t)
		}
		marks := strings.ToLower(attr(t, "itemprop") + " " + attr(t, "class") + " " + attr(t, "pubdate"))
		switch {
		case strings.Contains(marks, "modified") || strings.Contains(marks, "updated"):
			if updated == "" {
				updated = dt
			}
		case pub == "" || strings.Contains(marks, "published") || strings.Contains(marks, "datepublished"):
			if pub == "" || strings.Contains(marks, "publish") {
				pub = dt
			}
		}
	}
	return pub, updated, "time datetime"
}

func htmlDate(s, field string, opts Options, r *report) (t time.Time) {
	if s == "" {
		return t
	}
	t, err := ParseDate(s, opts.Location)
	if err != nil {
		t = time.Time{}
		r.add(field, 0, "%q is not a date I can read", s)
	}
	return t
}

// findLDArticle returns the first article object in a JSON-LD script, with
// keys in lower case. It looks inside arrays and @graph.
func findLDArticle(src string) map[string]any {
	if depth(src, '{', '}')+depth(src, '[', ']') > maxDepth {
		return nil
	}
	var v any
	if json.Unmarshal([]byte(src), &v) != nil {
		return nil
	}
	var find func(v any) map[string]any
	find = func(v any) map[string]any {
		switch x := v.(type) {
		case []any:
			for _, item := range x {
				if found := find(item); found != nil {
					return found
				}
			}
		case map[string]any:
			lower := make(map[string]any, len(x))
			for k, val := range x {
				lower[strings.ToLower(k)] = val
			}
			for _, t := range ldList(lower["@type"]) {
				if articleTypes[strings.ToLower(t)] {
					return lower
				}
			}
			return find(lower["@graph"])
		}
		return nil
	}
	return find(v)
}

// ldString reads a JSON-LD text value: a string, {"@value"}, {"name"},
// {"@id"} or the first of a list.
func ldString(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case []any:
		if len(x) > 0 {
			return ldString(x[0])
		}
	case map[string]any:
		for _, k := range []string{"@value", "name", "url", "@id"} {
			if s := ldString(x[k]); s != "" {
				return s
			}
		}
	}
	return ""
}

// ldList reads a list: an array, or a comma-separated string (keywords).
func ldList(v any) []string {
	switch x := v.(type) {
	case string:
		return splitComma(x)
	case []any:
		var out []string
		for _, item := range x {
			if s := ldString(item); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// ldNames reads author names: strings or Person/Organization objects.
func ldNames(v any) []string {
	switch x := v.(type) {
	case []any:
		var out []string
		for _, item := range x {
			out = append(out, ldNames(item)...)
		}
		return out
	case map[string]any:
		if n := ldString(x["name"]); n != "" {
			return []string{n}
		}
	case string:
		if !strings.Contains(x, "://") {
			return []string{x}
		}
	}
	return nil
}

func ldImage(v any) string {
	switch x := v.(type) {
	case map[string]any:
		return firstNonEmpty(ldString(x["url"]), ldString(x["contenturl"]), ldString(x["@id"]))
	case []any:
		if len(x) > 0 {
			return ldImage(x[0])
		}
	}
	return ldString(v)
}

func ldLang(v any) string {
	if m, ok := v.(map[string]any); ok {
		return firstNonEmpty(ldString(m["alternateName"]), ldString(m["alternatename"]), ldString(m["name"]))
	}
	return ldString(v)
}

// titleSeparators split a <title> into headline and site name.
var titleSeparators = []string{" | ", " — ", " – ", " - ", " :: ", " · ", " » "}

// stripSiteName removes the site name a page title carries: the part
// equal to og:site_name, else a short last part (" | Example Daily").
func stripSiteName(title, siteName string) string {
	title = cleanLine(title)
	for _, sep := range titleSeparators {
		parts := strings.Split(title, sep)
		if len(parts) < 2 {
			continue
		}
		if siteName != "" {
			var kept []string
			for _, p := range parts {
				if !strings.EqualFold(strings.TrimSpace(p), strings.TrimSpace(siteName)) {
					kept = append(kept, p)
				}
			}
			if len(kept) < len(parts) && len(kept) > 0 {
				return strings.Join(kept, sep)
			}
		}
		last := parts[len(parts)-1]
		rest := strings.Join(parts[:len(parts)-1], sep)
		if len(strings.Fields(last)) <= 4 && len(rest) > len(last) {
			return rest
		}
		return title
	}
	return title
}

// textToHTML turns plain paragraphs (separated by blank lines) into HTML.
func textToHTML(s string) string {
	var b strings.Builder
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			b.WriteString("<p>")
			b.WriteString(html.EscapeString(p))
			b.WriteString("</p>\n")
		}
	}
	return b.String()
}

// Small tree helpers.

func walk(n *html.Node, visit func(*html.Node) bool) {
	if n == nil || !visit(n) {
		return
	}
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		walk(c, visit)
		c = next
	}
}

func treeDepth(root *html.Node) int {
	max := 0
	type item struct {
		n *html.Node
		d int
	}
	stack := []item{{root, 0}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.d > max {
			max = it.d
			if max > maxHTMLDepth {
				return max
			}
		}
		for c := it.n.FirstChild; c != nil; c = c.NextSibling {
			stack = append(stack, item{c, it.d + 1})
		}
	}
	return max
}

func findAll(root *html.Node, a atom.Atom) []*html.Node {
	var out []*html.Node
	walk(root, func(n *html.Node) bool {
		if n.Type == html.ElementNode && n.DataAtom == a {
			out = append(out, n)
		}
		return true
	})
	return out
}

func findFirst(root *html.Node, a atom.Atom) *html.Node {
	var found *html.Node
	walk(root, func(n *html.Node) bool {
		if found == nil && n.Type == html.ElementNode && n.DataAtom == a {
			found = n
		}
		return found == nil
	})
	return found
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) bool {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
		if c.Type == html.ElementNode && blockElements[c.DataAtom] {
			b.WriteByte(' ')
		}
		return true
	})
	return b.String()
}

func renderChildren(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		_ = html.Render(&b, c)
	}
	return b.String()
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func nonURLs(vs []string) []string {
	var out []string
	for _, v := range vs {
		if !strings.Contains(v, "://") {
			out = append(out, v)
		}
	}
	return out
}
