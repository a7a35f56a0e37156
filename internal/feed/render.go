package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"mime"
	"net/url"
	"path"
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
				lo, best = mid, r
			} else {
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
	Items     []*rssItem    `xml:"-"` // written by writeRSSItems (see writeXML)
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
	categories, tags := scheme(site, "categories"), scheme(site, "tags")
	ch := &rssChannel{
		RssFeed: &feeds.RssFeed{
			Title:         Title(site, d.Ref),
			Link:          site.HomeURL.String(),
			Description:   description(site, d.Ref),
			Language:      docLanguage(site, d.Ref, d.Items),
			LastBuildDate: updated(d).Format(time.RFC1123Z),
			Generator:     generator,
		},
		AtomLinks: []rssAtomLink{{Href: d.link(site, d.Page, RSSFile), Rel: "self", Type: "application/rss+xml"}},
	}
	ch.AtomLinks = append(ch.AtomLinks, archiveLinks(site, d, RSSFile, "application/rss+xml")...)
	for _, h := range hubs(site, d) {
		ch.AtomLinks = append(ch.AtomLinks, rssAtomLink{Href: h, Rel: "hub"})
	}
	doc := &rssDoc{Version: "2.0", NSContent: nsContent, NSAtom: nsAtom, NSDC: nsDC, NSMedia: nsMedia, Channel: ch}
	if d.Page > 0 {
		ch.Archive, doc.NSFH = &struct{}{}, nsFH
	}
	for i := range d.Items {
		a := &d.Items[i]
		it := &rssItem{
			RssItem: &feeds.RssItem{
				Title:       a.Title,
				Link:        a.URL,
				Description: html.EscapeString(a.Summary),
				Content:     &feeds.RssContent{Content: content(a)},
				Guid:        &feeds.RssGuid{Id: a.ID, IsPermaLink: "false"},
				PubDate:     a.Published.Format(time.RFC1123Z),
			},
			Creators: a.Authors,
		}
		for _, c := range a.Categories {
			it.Categories = append(it.Categories, rssCategory{Domain: categories, Name: c})
		}
		for _, t := range a.Tags {
			it.Categories = append(it.Categories, rssCategory{Domain: tags, Name: t})
		}
		if a.Image != "" {
			t := imageType(a.Image)
			it.Enclosure = &feeds.RssEnclosure{Url: a.Image, Length: "0", Type: t}
			it.Media = &rssMediaItem{URL: a.Image, Medium: "image", Type: t}
		}
		ch.Items = append(ch.Items, it)
	}
	return writeXML(site, doc, sizeHint(d), rssEnd, func(b *bytes.Buffer) { writeRSSItems(b, ch.Items) })
}

// scheme names the vocabulary of a category: the folder of the family's
// feeds, so readers and partners can tell a section from a tag.
func scheme(site Site, family string) string {
	return URL(site.FeedsURL, family+"/")
}

// The end of the element the items close, as encoding/xml indents it.
const (
	rssEnd  = "\n  </channel>\n</rss>"
	atomEnd = "\n</feed>"
)

// writeXML writes a feed document after the XML declaration and the
// stylesheet's processing instruction, and its items, which write writes
// as encoding/xml would write them as the last children of the element
// the document ends with (end): into the document's buffer before that
// end, rather than into a buffer of their own that the encoder copies
// (an innerxml field), which cost a second allocation and copy of most
// of the document.
func writeXML(site Site, doc feeds.XmlFeed, hint int, end string, write func(*bytes.Buffer)) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(hint)
	buf.WriteString(xml.Header)
	buf.WriteString(stylesheetPI(site))
	buf.WriteByte('\n')
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc.FeedXml()); err != nil {
		return nil, err
	}
	if !bytes.HasSuffix(buf.Bytes(), []byte(end)) {
		return nil, fmt.Errorf("feed: the document does not end with %q", end)
	}
	buf.Truncate(buf.Len() - len(end))
	write(&buf)
	buf.WriteString(end)
	buf.WriteByte('\n')
	return buf.Bytes(), nil
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
	Entries   []*atomEntry        `xml:"-"` // written by writeAtomEntries (see writeXML)
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
		del := atomDeleted{Ref: g.ID, When: g.At.Format(time.RFC3339)}
		if g.URL != "" {
			del.Link = &feeds.AtomLink{Href: g.URL, Rel: "alternate", Type: "text/html"}
		}
		doc.Deleted, doc.NSAt = append(doc.Deleted, del), nsTombstones
	}
	categories, tags := scheme(site, "categories"), scheme(site, "tags")
	for i := range d.Items {
		a := &d.Items[i]
		e := &atomEntry{
			AtomEntry: &feeds.AtomEntry{
				Title:     a.Title,
				Id:        a.ID,
				Updated:   a.Updated.Format(time.RFC3339),
				Published: a.Published.Format(time.RFC3339),
				Links:     []feeds.AtomLink{{Href: a.URL, Rel: "alternate", Type: "text/html"}},
				Summary:   &feeds.AtomSummary{Content: a.Summary, Type: "text"},
				Content:   &feeds.AtomContent{Content: content(a), Type: "html"},
			},
			Lang: a.Lang,
		}
		if a.Summary == "" {
			e.Summary = nil
		}
		if a.Image != "" {
			e.Links = append(e.Links, feeds.AtomLink{Href: a.Image, Rel: "enclosure", Type: imageType(a.Image)})
		}
		for _, n := range a.Authors {
			e.Authors = append(e.Authors, &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: n}})
		}
		for _, c := range a.Categories {
			e.Categories = append(e.Categories, atomCategory{Term: c, Scheme: categories})
		}
		for _, t := range a.Tags {
			e.Categories = append(e.Categories, atomCategory{Term: t, Scheme: tags})
		}
		doc.Entries = append(doc.Entries, e)
	}
	return writeXML(site, doc, sizeHint(d), atomEnd, func(b *bytes.Buffer) { writeAtomEntries(b, doc.Entries) })
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
		Items:     []*jsonItem{},
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
	for i := range d.Items {
		a := &d.Items[i]
		published, modified := a.Published, a.Updated
		it := &jsonItem{
			JSONItem: &feeds.JSONItem{
				Id:            a.ID,
				Url:           a.URL,
				Title:         a.Title,
				ContentHTML:   content(a),
				Summary:       a.Summary,
				Image:         a.Image,
				PublishedDate: &published,
				ModifiedDate:  &modified,
				Tags:          append(append([]string(nil), a.Categories...), a.Tags...),
			},
			Language: a.Lang,
			Pressroom: &jsonItemExt{Categories: nonNil(a.Categories), Tags: nonNil(a.Tags), WordCount: a.Words,
				CanonicalURL: a.URL, UpdatedReason: updateReason(a), Correction: a.Correction, Credits: a.Credits},
		}
		for _, n := range a.Authors {
			it.Authors = append(it.Authors, &feeds.JSONAuthor{Name: n})
		}
		doc.Items = append(doc.Items, it)
	}
	var w onceWriter
	// Compact: re-indenting costs three quarters of the rendering time, and
	// feed readers do not need it.
	enc := json.NewEncoder(&w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return w.b, nil
}

// onceWriter keeps what it is written in a slice of about that size. An
// encoder writes a document in one Write, from its own buffer: a
// bytes.Buffer grew to it by doubling, clearing and copying it each time.
type onceWriter struct{ b []byte }

func (w *onceWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
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
