package feed

import (
	"encoding/xml"
	"html"
	"mime"
	"net/url"
	"path"
	"sync"
	"time"

	"github.com/gorilla/feeds"

	article "github.com/pressroom/pressroom/internal/article/model"
)

// Rendered holds the three formats of one feed.
type Rendered struct {
	RSS, Atom, JSON []byte
}

// Bytes returns the rendering of a path's format.
func (r Rendered) Bytes(p string) []byte {
	switch path.Base(p) {
	case RSSFile:
		return r.RSS
	case AtomFile:
		return r.Atom
	}
	return r.JSON
}

// Namespaces the RSS document declares.
const (
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsAtom    = "http://www.w3.org/2005/Atom"
	nsDC      = "http://purl.org/dc/elements/1.1/"
	nsMedia   = "http://search.yahoo.com/mrss/"
	// RFC 5005 (feed history) and RFC 6721 (tombstones).
	nsFH         = "http://purl.org/syndication/history/1.0"
	nsTombstones = "http://purl.org/atompub/tombstones/1.0"
	generator    = "pressroom"
)

// epoch is the date of a feed with no items: fixed, so an empty feed
// renders the same bytes every time.
var epoch = time.Unix(0, 0).UTC()

// Render renders the live feed of ref with items (newest first, as the
// index returns them) in the three formats; RenderDoc renders any
// document.
func Render(site Site, ref Ref, items []article.Article) (Rendered, error) {
	return RenderDoc(site, Doc{Ref: ref, Items: items})
}

// RenderDoc renders a feed document in its formats. The same document
// always gives the same bytes: every date comes from the items and the
// deletions, never from the clock. The formats are kept within
// site.MaxBytes (see Site), holding the same items.
func RenderDoc(site Site, d Doc) (Rendered, error) {
	if d.Brief {
		items := make([]article.Article, len(d.Items))
		for i := range d.Items {
			items[i] = brief(d.Items[i])
		}
		d.Items = items
	}
	r, err := renderAll(site, d)
	if err != nil || site.MaxBytes <= 0 || r.largest() <= site.MaxBytes || len(d.Items) == 0 {
		return r, err
	}
	r.Release()
	return withinBudget(site, d)
}

func renderAll(site Site, d Doc) (Rendered, error) {
	var r Rendered
	var err error
	if d.has(RSSFile) {
		if r.RSS, err = renderRSS(site, d); err != nil {
			return r, err
		}
	}
	if d.has(AtomFile) {
		if r.Atom, err = renderAtom(site, d); err != nil {
			return r, err
		}
	}
	if d.has(JSONFile) {
		r.JSON, err = renderJSON(site, d)
	}
	return r, err
}

// largest is the size of the largest format.
func (r Rendered) largest() int { return max(len(r.RSS), len(r.Atom), len(r.JSON)) }

// withinBudget renders a document too large in full: the newest items
// keep their content and the older ones carry their summary instead, as
// many in full as fit (found by bisection); when even summaries do not
// fit, the oldest are left out. The newest item is never left out: alone
// and in brief, it is the feed. Every format holds the same items.
func withinBudget(site Site, d Doc) (Rendered, error) {
	items := d.Items
	mixed := func(full, n int) (Rendered, error) {
		list := make([]article.Article, n)
		copy(list, items[:n])
		for i := full; i < n; i++ {
			list[i] = brief(list[i])
		}
		e := d
		e.Items = list
		return renderAll(site, e)
	}
	// largestFitting bisects k in [lo, hi] for the largest k whose
	// rendering fits, given that lo's (best) does.
	largestFitting := func(lo, hi int, best Rendered, render func(k int) (Rendered, error)) (Rendered, error) {
		for lo < hi {
			mid := (lo + hi + 1) / 2
			r, err := render(mid)
			if err != nil {
				return Rendered{}, err
			}
			if r.largest() <= site.MaxBytes {
				best.Release()
				lo, best = mid, r
			} else {
				r.Release()
				hi = mid - 1
			}
		}
		return best, nil
	}
	n := len(items)
	allBrief, err := mixed(0, n)
	if err != nil {
		return Rendered{}, err
	}
	if allBrief.largest() <= site.MaxBytes {
		// Every item, the most of them in full (all in full does not fit).
		return largestFitting(0, n-1, allBrief, func(k int) (Rendered, error) { return mixed(k, n) })
	}
	if d.Page > 0 {
		// An archive page keeps every article it holds, in brief, over
		// the budget if it must: a page left out of the walk would lose
		// them (a page is bounded anyway: PageSize items, each bounded).
		return allBrief, nil
	}
	allBrief.Release()
	// Even in brief they do not fit: the most items, all in brief.
	one, err := mixed(0, 1)
	if err != nil {
		return Rendered{}, err
	}
	return largestFitting(1, n-1, one, func(k int) (Rendered, error) { return mixed(0, k) })
}

// brief is an item with its summary as its content (or, without one, a
// link to it): what an item carries when its content does not fit.
func brief(a article.Article) article.Article {
	if a.Summary != "" {
		a.ContentHTML = "<p>" + html.EscapeString(a.Summary) + "</p>"
	} else {
		a.ContentHTML = `<p><a href="` + html.EscapeString(a.URL) + `">` + html.EscapeString(a.Title) + `</a></p>`
	}
	return a
}

// updated is the document's own date: the newest update among its items
// and deletions.
func updated(d Doc) time.Time {
	t := epoch
	for i := range d.Items {
		if d.Items[i].Updated.After(t) {
			t = d.Items[i].Updated
		}
	}
	for _, g := range d.Deleted {
		if g.At.After(t) {
			t = g.At
		}
	}
	return t
}

// content is an item's HTML, wrapped in a div carrying direction and
// language when it is written right to left: no feed format has a
// direction field, and readers honour dir on the content.
func content(a *article.Article) string {
	if a.Dir != "rtl" {
		return a.ContentHTML
	}
	return `<div dir="rtl" lang="` + html.EscapeString(a.Lang) + `">` + a.ContentHTML + `</div>`
}

func imageType(u string) string {
	if p, err := url.Parse(u); err == nil {
		if t := mime.TypeByExtension(path.Ext(p.Path)); t != "" {
			return t
		}
	}
	return "image/jpeg"
}

func description(site Site, ref Ref) string {
	if site.Description != "" && ref.ID == "" {
		return article.Clean(site.Description)
	}
	return Title(site, ref)
}

// hubs are the WebSub hubs a document names: live public feeds only (an
// archive page never changes; a hub cannot fetch a partner's feed).
func hubs(site Site, d Doc) []string {
	if d.Page != 0 || Family(d.Ref.ID) == PartnersFamily {
		return nil
	}
	return site.Hubs
}

// --- RSS 2.0 -------------------------------------------------------------

// rssDoc extends gorilla/feeds' RssFeedXml with the namespaces it lacks.
type rssDoc struct {
	XMLName   xml.Name    `xml:"rss"`
	Version   string      `xml:"version,attr"`
	NSContent string      `xml:"xmlns:content,attr"`
	NSAtom    string      `xml:"xmlns:atom,attr"`
	NSDC      string      `xml:"xmlns:dc,attr"`
	NSMedia   string      `xml:"xmlns:media,attr"`
	NSFH      string      `xml:"xmlns:fh,attr,omitempty"`
	Channel   *rssChannel `xml:"channel"`
}

// FeedXml implements feeds.XmlFeed.
func (d *rssDoc) FeedXml() interface{} { return d }

// rssChannel is gorilla's RssFeed plus atom:link elements (rel="self",
// which the W3C validator asks for, RFC 5005's archive links and WebSub's
// hubs), fh:archive on archive pages, and our item type.
type rssChannel struct {
	*feeds.RssFeed
	AtomLinks []rssAtomLink `xml:"atom:link"`
	Archive   *struct{}     `xml:"fh:archive"`
	Items     []*rssItem    `xml:"-"` // written by writeRSSItems (see writeRSS)
}

type rssAtomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
}

// rssItem is gorilla's RssItem with what it cannot express: several
// categories (with a domain telling sections from tags), dc:creator for
// author names (RSS <author> must be an email address), and media:content
// for the image.
type rssItem struct {
	*feeds.RssItem
	Categories []rssCategory `xml:"category"`
	Creators   []string      `xml:"dc:creator"`
	Media      *rssMediaItem `xml:"media:content"`
}

type rssCategory struct {
	Domain string `xml:"domain,attr,omitempty"`
	Name   string `xml:",chardata"`
}

type rssMediaItem struct {
	URL    string `xml:"url,attr"`
	Medium string `xml:"medium,attr"`
	Type   string `xml:"type,attr,omitempty"`
}

// archiveLinks are a document's RFC 5005 links (atom:link in RSS, link in
// Atom) in one format: current (from a page), prev-archive, and the
// document's own archive marker.
func archiveLinks(site Site, d Doc, format, typ string) []rssAtomLink {
	var out []rssAtomLink
	if d.Page > 0 {
		out = append(out, rssAtomLink{Href: d.link(site, 0, format), Rel: "current", Type: typ})
	}
	if p := d.prev(); p > 0 {
		out = append(out, rssAtomLink{Href: d.link(site, p, format), Rel: "prev-archive", Type: typ})
	}
	return out
}

func renderRSS(site Site, d Doc) ([]byte, error) {
	b := newBuffer(sizeHint(d))
	m, _ := rssModels.Get().(*rssModel)
	if m == nil {
		m = new(rssModel)
	}
	writeRSS(b, site, m.of(site, d))
	rssModels.Put(m)
	return b.Bytes(), nil
}

// rssModel holds an RSS document's model and the slabs of its items'
// structs: a few slices for the whole document, not one allocation per
// struct (a page of 50 items made 300 of them), kept in rssModels for the
// next document. What a slab holds from an earlier document is
// overwritten, never read: every element in use is assigned whole.
type rssModel struct {
	doc      rssDoc
	channel  rssChannel
	feed     feeds.RssFeed
	items    []rssItem
	base     []feeds.RssItem
	ptrs     []*rssItem
	contents []feeds.RssContent
	guids    []feeds.RssGuid
	cats     []rssCategory
	dates    []byte
	ends     []int
}

var rssModels sync.Pool // of *rssModel

// rssDocOf is a document's RSS model, in slabs of its own.
func rssDocOf(site Site, d Doc) *rssDoc { return new(rssModel).of(site, d) }

func (m *rssModel) of(site Site, d Doc) *rssDoc {
	categories, tags := scheme(site, "categories"), scheme(site, "tags")
	n := len(d.Items)
	// The items' dates, formatted into one string.
	m.dates, m.ends = appendRFC1123Z(m.dates[:0], updated(d)), slab(m.ends, n+1)
	m.ends[0] = len(m.dates)
	for i := range d.Items {
		m.dates = appendRFC1123Z(m.dates, d.Items[i].Published)
		m.ends[i+1] = len(m.dates)
	}
	dates := string(m.dates)
	m.feed = feeds.RssFeed{
		Title:         Title(site, d.Ref),
		Link:          site.HomeURL.String(),
		Description:   description(site, d.Ref),
		Language:      docLanguage(site, d.Ref, d.Items),
		LastBuildDate: dates[:m.ends[0]],
		Generator:     generator,
	}
	m.channel = rssChannel{
		RssFeed:   &m.feed,
		AtomLinks: []rssAtomLink{{Href: d.link(site, d.Page, RSSFile), Rel: "self", Type: "application/rss+xml"}},
	}
	ch := &m.channel
	ch.AtomLinks = append(ch.AtomLinks, archiveLinks(site, d, RSSFile, "application/rss+xml")...)
	for _, h := range hubs(site, d) {
		ch.AtomLinks = append(ch.AtomLinks, rssAtomLink{Href: h, Rel: "hub"})
	}
	m.doc = rssDoc{Version: "2.0", NSContent: nsContent, NSAtom: nsAtom, NSDC: nsDC, NSMedia: nsMedia, Channel: ch}
	if d.Page > 0 {
		ch.Archive, m.doc.NSFH = &struct{}{}, nsFH
	}
	m.items, m.base, m.ptrs = slab(m.items, n), slab(m.base, n), slab(m.ptrs, n)
	m.contents, m.guids = slab(m.contents, n), slab(m.guids, n)
	cats := slab(m.cats, categoryCount(d.Items))[:0]
	for i := range d.Items {
		a := &d.Items[i]
		m.contents[i] = feeds.RssContent{Content: content(a)}
		m.guids[i] = feeds.RssGuid{Id: a.ID, IsPermaLink: "false"}
		m.base[i] = feeds.RssItem{
			Title:       a.Title,
			Link:        a.URL,
			Description: html.EscapeString(a.Summary),
			Content:     &m.contents[i],
			Guid:        &m.guids[i],
			PubDate:     dates[m.ends[i]:m.ends[i+1]],
		}
		first := len(cats)
		for _, c := range a.Categories {
			cats = append(cats, rssCategory{Domain: categories, Name: c})
		}
		for _, t := range a.Tags {
			cats = append(cats, rssCategory{Domain: tags, Name: t})
		}
		it := &m.items[i]
		*it = rssItem{RssItem: &m.base[i], Categories: cats[first:len(cats):len(cats)], Creators: a.Authors}
		if a.Image != "" {
			t := imageType(a.Image)
			it.Enclosure = &feeds.RssEnclosure{Url: a.Image, Length: "0", Type: t}
			it.Media = &rssMediaItem{URL: a.Image, Medium: "image", Type: t}
		}
		m.ptrs[i] = it
	}
	m.cats, ch.Items = cats, m.ptrs
	return &m.doc
}

// slab returns s with n elements, made anew when it has room for fewer.
// The elements keep what they held.
func slab[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	return s[:n]
}

// categoryCount is the number of categories and tags of items.
func categoryCount(items []article.Article) int {
	n := 0
	for i := range items {
		n += len(items[i].Categories) + len(items[i].Tags)
	}
	return n
}

// appendRFC1123Z appends t as Format(time.RFC1123Z) writes it, RSS's
// date: field by field, for Format parses its layout for each of a
// document's dates (a third of building an RSS document's model). Years
// outside 0–9999 and offsets of 100 hours or more go to AppendFormat.
func appendRFC1123Z(out []byte, t time.Time) []byte {
	year, month, day := t.Date()
	_, offset := t.Zone()
	if year < 0 || year > 9999 || offset <= -100*3600 || offset >= 100*3600 {
		return t.AppendFormat(out, time.RFC1123Z)
	}
	hour, minute, sec := t.Clock()
	var b [31]byte // "Mon, 02 Jan 2006 15:04:05 -0700"
	copy(b[0:], t.Weekday().String()[:3])
	b[3], b[4] = ',', ' '
	two(b[5:], day)
	b[7] = ' '
	copy(b[8:], month.String()[:3])
	b[11] = ' '
	two(b[12:], year/100)
	two(b[14:], year%100)
	b[16] = ' '
	two(b[17:], hour)
	b[19] = ':'
	two(b[20:], minute)
	b[22] = ':'
	two(b[23:], sec)
	b[25], b[26] = ' ', '+'
	zone := offset / 60
	if zone < 0 {
		b[26], zone = '-', -zone
	}
	two(b[27:], zone/60)
	two(b[29:], zone%60)
	return append(out, b[:]...)
}

// two writes n (0–99) as two digits.
func two(b []byte, n int) {
	b[0], b[1] = byte('0'+n/10), byte('0'+n%10)
}

// scheme names the vocabulary of a category: the folder of the family's
// feeds, so readers and partners can tell a section from a tag.
func scheme(site Site, family string) string {
	return URL(site.FeedsURL, family+"/")
}

// --- Atom 1.0 ------------------------------------------------------------

// atomDoc is gorilla's AtomFeed plus what RFC 4287 feeds need and the
// generic model cannot express: xml:lang, several links (self, alternate,
// RFC 5005's archive links, WebSub hubs), a generator, RFC 5005's
// fh:archive, RFC 6721's deleted entries, and our entry type. Extension
// elements come before the entries, as RFC 4287's schema wants.
type atomDoc struct {
	*feeds.AtomFeed
	NSFH      string              `xml:"xmlns:fh,attr,omitempty"`
	NSAt      string              `xml:"xmlns:at,attr,omitempty"`
	Lang      string              `xml:"xml:lang,attr,omitempty"`
	Links     []feeds.AtomLink    `xml:"link"`
	Authors   []*feeds.AtomAuthor `xml:"author"`
	Generator atomGenerator       `xml:"generator"`
	Archive   *struct{}           `xml:"fh:archive"`
	Deleted   []atomDeleted       `xml:"at:deleted-entry"`
	Entries   []*atomEntry        `xml:"-"` // written by writeAtomEntries (see writeAtom)
}

// FeedXml implements feeds.XmlFeed.
func (d *atomDoc) FeedXml() interface{} { return d }

type atomGenerator struct {
	Name string `xml:",chardata"`
}

// atomDeleted is RFC 6721's at:deleted-entry: the id the entry had, when
// it went, and a link to where it was.
type atomDeleted struct {
	Ref  string          `xml:"ref,attr"`
	When string          `xml:"when,attr"`
	Link *feeds.AtomLink `xml:"link,omitempty"`
}

// atomEntry is gorilla's AtomEntry with xml:lang, several authors, and
// categories as <category term="..." scheme="..."/> (gorilla writes them
// as text).
type atomEntry struct {
	*feeds.AtomEntry
	Lang       string              `xml:"xml:lang,attr,omitempty"`
	Authors    []*feeds.AtomAuthor `xml:"author"`
	Categories []atomCategory      `xml:"category"`
}

type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
}

func renderAtom(site Site, d Doc) ([]byte, error) {
	b := newBuffer(sizeHint(d))
	writeAtom(b, site, atomDocOf(site, d))
	return b.Bytes(), nil
}

// atomDocOf is a document's Atom model, its entries' structs made in
// slabs as rssDocOf's are.
func atomDocOf(site Site, d Doc) *atomDoc {
	doc := &atomDoc{
		AtomFeed: &feeds.AtomFeed{
			Xmlns:    nsAtom,
			Title:    Title(site, d.Ref),
			Id:       FeedID(site, d.Ref),
			Updated:  updated(d).Format(time.RFC3339),
			Subtitle: description(site, d.Ref),
		},
		Lang: docLanguage(site, d.Ref, d.Items),
		Links: []feeds.AtomLink{
			{Href: d.link(site, d.Page, AtomFile), Rel: "self", Type: "application/atom+xml"},
			{Href: site.HomeURL.String(), Rel: "alternate", Type: "text/html"},
		},
		// Entries without an author take the feed's (RFC 4287 4.1.1).
		Authors:   []*feeds.AtomAuthor{{AtomPerson: feeds.AtomPerson{Name: site.Title}}},
		Generator: atomGenerator{Name: generator},
	}
	for _, l := range archiveLinks(site, d, AtomFile, "application/atom+xml") {
		doc.Links = append(doc.Links, feeds.AtomLink{Href: l.Href, Rel: l.Rel, Type: l.Type})
	}
	for _, h := range hubs(site, d) {
		doc.Links = append(doc.Links, feeds.AtomLink{Href: h, Rel: "hub"})
	}
	if d.Page > 0 {
		doc.Archive, doc.NSFH = &struct{}{}, nsFH
	}
	for _, g := range d.Deleted {
		del := atomDeleted{Ref: EntryID(site, g.ID), When: g.At.Format(time.RFC3339)}
		if g.URL != "" {
			del.Link = &feeds.AtomLink{Href: g.URL, Rel: "alternate", Type: "text/html"}
		}
		doc.Deleted, doc.NSAt = append(doc.Deleted, del), nsTombstones
	}
	categories, tags := scheme(site, "categories"), scheme(site, "tags")
	n, nAuthors, nImages := len(d.Items), 0, 0
	for i := range d.Items {
		nAuthors += len(d.Items[i].Authors)
		if d.Items[i].Image != "" {
			nImages++
		}
	}
	entries, base := make([]atomEntry, n), make([]feeds.AtomEntry, n)
	summaries, contents := make([]feeds.AtomSummary, n), make([]feeds.AtomContent, n)
	links := make([]feeds.AtomLink, 0, n+nImages)
	authors, authorPtrs := make([]feeds.AtomAuthor, nAuthors), make([]*feeds.AtomAuthor, nAuthors)
	cats := make([]atomCategory, 0, categoryCount(d.Items))
	doc.Entries = make([]*atomEntry, n)
	for i := range d.Items {
		a := &d.Items[i]
		first := len(links)
		links = append(links, feeds.AtomLink{Href: a.URL, Rel: "alternate", Type: "text/html"})
		if a.Image != "" {
			links = append(links, feeds.AtomLink{Href: a.Image, Rel: "enclosure", Type: imageType(a.Image)})
		}
		contents[i] = feeds.AtomContent{Content: content(a), Type: "html"}
		base[i] = feeds.AtomEntry{
			Title:     a.Title,
			Id:        EntryID(site, a.ID),
			Updated:   a.Updated.Format(time.RFC3339),
			Published: a.Published.Format(time.RFC3339),
			Links:     links[first:len(links):len(links)],
			Content:   &contents[i],
		}
		if a.Summary != "" {
			summaries[i] = feeds.AtomSummary{Content: a.Summary, Type: "text"}
			base[i].Summary = &summaries[i]
		}
		e := &entries[i]
		*e = atomEntry{AtomEntry: &base[i], Lang: a.Lang}
		if len(a.Authors) > 0 {
			e.Authors, authorPtrs = authorPtrs[:len(a.Authors):len(a.Authors)], authorPtrs[len(a.Authors):]
			for j, name := range a.Authors {
				authors[0] = feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: name}}
				e.Authors[j], authors = &authors[0], authors[1:]
			}
		}
		first = len(cats)
		for _, c := range a.Categories {
			cats = append(cats, atomCategory{Term: c, Scheme: categories})
		}
		for _, t := range a.Tags {
			cats = append(cats, atomCategory{Term: t, Scheme: tags})
		}
		e.Categories = cats[first:len(cats):len(cats)]
		doc.Entries[i] = e
	}
	return doc
}

// --- JSON Feed 1.1 -------------------------------------------------------

// jsonDoc is gorilla's JSONFeed with our item type and the _pressroom
// extension (schema/pressroom-feed.schema.json).
type jsonDoc struct {
	*feeds.JSONFeed
	Pressroom *jsonFeedExt `json:"_pressroom,omitempty"`
	Items     []*jsonItem  `json:"items"`
}

// jsonFeedExt is the feed-level _pressroom object: what partners need to
// sync and JSON Feed has no field for.
type jsonFeedExt struct {
	About   string        `json:"about"`
	Page    int           `json:"page,omitempty"`    // archive page number; absent on the live feed
	Pages   *int          `json:"pages,omitempty"`   // archive pages of the feed (live feed only: a closed page would go stale)
	Full    bool          `json:"full,omitempty"`    // a closed archive page
	Current string        `json:"current,omitempty"` // the live feed, from an archive page
	Deleted []jsonDeleted `json:"deleted,omitempty"`
}

type jsonDeleted struct {
	ID        string    `json:"id"`
	URL       string    `json:"url,omitempty"`
	DeletedAt time.Time `json:"date_deleted"`
}

// jsonItem is gorilla's JSONItem plus the 1.1 item "language" and the
// _pressroom extension, and without the deprecated single "author" (only
// "authors").
type jsonItem struct {
	*feeds.JSONItem
	Language  string       `json:"language,omitempty"`
	Pressroom *jsonItemExt `json:"_pressroom,omitempty"`
}

// jsonItemExt is the item-level _pressroom object.
type jsonItemExt struct {
	Categories    []string `json:"categories"`
	Tags          []string `json:"tags"`
	WordCount     int      `json:"word_count"`
	CanonicalURL  string   `json:"canonical_url,omitempty"`
	UpdatedReason string   `json:"updated_reason,omitempty"`
	Correction    string   `json:"correction,omitempty"`
	Credits       []string `json:"credits,omitempty"` // agencies the story came from: "AFP", "Reuters"
}

func renderJSON(site Site, d Doc) ([]byte, error) {
	b := newBuffer(sizeHint(d))
	if err := writeJSON(b, jsonDocOf(site, d)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// jsonDocOf is a document's JSON Feed model, its items' structs made in
// slabs as rssDocOf's are.
func jsonDocOf(site Site, d Doc) *jsonDoc {
	doc := &jsonDoc{
		JSONFeed: &feeds.JSONFeed{
			Version:     "https://jsonfeed.org/version/1.1",
			Title:       Title(site, d.Ref),
			Language:    docLanguage(site, d.Ref, d.Items),
			HomePageUrl: site.HomeURL.String(),
			FeedUrl:     d.link(site, 0, JSONFile),
			Description: description(site, d.Ref),
			Authors:     []*feeds.JSONAuthor{{Name: site.Title}},
		},
		Pressroom: &jsonFeedExt{About: URL(site.FeedsURL, ExtensionSchemaPath), Page: d.Page, Full: d.Full},
	}
	if p := d.prev(); p > 0 {
		doc.NextUrl = d.link(site, p, JSONFile)
	}
	if d.Page > 0 {
		doc.Pressroom.Current = d.link(site, 0, JSONFile)
	} else {
		pages := d.Pages
		doc.Pressroom.Pages = &pages
	}
	for _, h := range hubs(site, d) {
		doc.Hubs = append(doc.Hubs, &feeds.JSONHub{Type: "WebSub", Url: h})
	}
	for _, g := range d.Deleted {
		doc.Pressroom.Deleted = append(doc.Pressroom.Deleted, jsonDeleted{ID: g.ID, URL: g.URL, DeletedAt: g.At})
	}
	n, nAuthors := len(d.Items), 0
	for i := range d.Items {
		nAuthors += len(d.Items[i].Authors)
	}
	items, base, exts := make([]jsonItem, n), make([]feeds.JSONItem, n), make([]jsonItemExt, n)
	dates := make([]time.Time, 2*n)
	tagList := make([]string, 0, categoryCount(d.Items))
	authors, authorPtrs := make([]feeds.JSONAuthor, nAuthors), make([]*feeds.JSONAuthor, nAuthors)
	doc.Items = make([]*jsonItem, n)
	for i := range d.Items {
		a := &d.Items[i]
		dates[2*i], dates[2*i+1] = a.Published, a.Updated
		first := len(tagList)
		tagList = append(append(tagList, a.Categories...), a.Tags...)
		base[i] = feeds.JSONItem{
			Id:            a.ID,
			Url:           a.URL,
			Title:         a.Title,
			ContentHTML:   content(a),
			Summary:       a.Summary,
			Image:         a.Image,
			PublishedDate: &dates[2*i],
			ModifiedDate:  &dates[2*i+1],
			Tags:          tagList[first:len(tagList):len(tagList)],
		}
		exts[i] = jsonItemExt{Categories: nonNil(a.Categories), Tags: nonNil(a.Tags), WordCount: a.Words,
			CanonicalURL: a.URL, UpdatedReason: updateReason(a), Correction: a.Correction, Credits: a.Credits}
		items[i] = jsonItem{JSONItem: &base[i], Language: a.Lang, Pressroom: &exts[i]}
		if len(a.Authors) > 0 {
			list := authorPtrs[:len(a.Authors):len(a.Authors)]
			authorPtrs = authorPtrs[len(a.Authors):]
			for j, name := range a.Authors {
				authors[0] = feeds.JSONAuthor{Name: name}
				list[j], authors = &authors[0], authors[1:]
			}
			base[i].Authors = list
		}
		doc.Items[i] = &items[i]
	}
	return doc
}

// sizeHint is about the size of an XML document: its items'
// content (a quarter more for escaping) and summaries, and a kilobyte for
// each item's and the document's own fields. Growing the buffer to an
// archive page's 150 KB by doubling cost a tenth of the rendering.
func sizeHint(d Doc) int {
	n := 2048 + 512*len(d.Deleted)
	for i := range d.Items {
		n += len(d.Items[i].ContentHTML)*5/4 + len(d.Items[i].Summary) + 1024
	}
	return n
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
