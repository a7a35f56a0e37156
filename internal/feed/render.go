package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"html"
	"mime"
	"net/url"
	"path"
	"time"

	"github.com/gorilla/feeds"

	"github.com/pressroom/pressroom/internal/article"
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
	generator = "pressroom"
)

// epoch is the date of a feed with no items: fixed, so an empty feed
// renders the same bytes every time.
var epoch = time.Unix(0, 0).UTC()

// Render renders a feed's items (newest first, as the index returns them)
// in the three formats. The same items always give the same bytes: every
// date comes from the items, never from the clock. The formats are kept
// within site.MaxBytes (see Site), holding the same items.
func Render(site Site, ref Ref, items []article.Article) (Rendered, error) {
	r, err := renderAll(site, ref, items)
	if err != nil || site.MaxBytes <= 0 || r.largest() <= site.MaxBytes || len(items) == 0 {
		return r, err
	}
	return withinBudget(site, ref, items)
}

func renderAll(site Site, ref Ref, items []article.Article) (Rendered, error) {
	var r Rendered
	var err error
	if r.RSS, err = renderRSS(site, ref, items); err != nil {
		return r, err
	}
	if r.Atom, err = renderAtom(site, ref, items); err != nil {
		return r, err
	}
	r.JSON, err = renderJSON(site, ref, items)
	return r, err
}

// largest is the size of the largest format.
func (r Rendered) largest() int { return max(len(r.RSS), len(r.Atom), len(r.JSON)) }

// withinBudget renders a feed too large in full: the newest items keep
// their content and the older ones carry their summary instead, as many
// in full as fit (found by bisection); when even summaries do not fit, the
// oldest are left out. The newest item is never left out: alone and in
// brief, it is the feed. Every format holds the same items.
func withinBudget(site Site, ref Ref, items []article.Article) (Rendered, error) {
	mixed := func(full, n int) (Rendered, error) {
		list := make([]article.Article, n)
		copy(list, items[:n])
		for i := full; i < n; i++ {
			list[i] = brief(list[i])
		}
		return renderAll(site, ref, list)
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

// updated is the newest update among items: the feed's own date.
func updated(items []article.Article) time.Time {
	t := epoch
	for i := range items {
		if items[i].Updated.After(t) {
			t = items[i].Updated
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

// --- RSS 2.0 -------------------------------------------------------------

// rssDoc extends gorilla/feeds' RssFeedXml with the namespaces it lacks.
type rssDoc struct {
	XMLName   xml.Name    `xml:"rss"`
	Version   string      `xml:"version,attr"`
	NSContent string      `xml:"xmlns:content,attr"`
	NSAtom    string      `xml:"xmlns:atom,attr"`
	NSDC      string      `xml:"xmlns:dc,attr"`
	NSMedia   string      `xml:"xmlns:media,attr"`
	Channel   *rssChannel `xml:"channel"`
}

// FeedXml implements feeds.XmlFeed.
func (d *rssDoc) FeedXml() interface{} { return d }

// rssChannel is gorilla's RssFeed plus the atom:link rel="self" the W3C
// validator asks for, and our item type.
type rssChannel struct {
	*feeds.RssFeed
	AtomLink rssAtomLink `xml:"atom:link"`
	Items    []*rssItem  `xml:"item"`
}

type rssAtomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

// rssItem is gorilla's RssItem with what it cannot express: several
// categories, dc:creator for author names (RSS <author> must be an email
// address), and media:content for the image.
type rssItem struct {
	*feeds.RssItem
	Categories []string      `xml:"category"`
	Creators   []string      `xml:"dc:creator"`
	Media      *rssMediaItem `xml:"media:content"`
}

type rssMediaItem struct {
	URL    string `xml:"url,attr"`
	Medium string `xml:"medium,attr"`
	Type   string `xml:"type,attr,omitempty"`
}

func renderRSS(site Site, ref Ref, items []article.Article) ([]byte, error) {
	self := URL(site.FeedsURL, path.Join(ref.ID, RSSFile))
	ch := &rssChannel{
		RssFeed: &feeds.RssFeed{
			Title:         Title(site, ref),
			Link:          site.HomeURL.String(),
			Description:   description(site, ref),
			Language:      site.Language,
			LastBuildDate: updated(items).Format(time.RFC1123Z),
			Generator:     generator,
		},
		AtomLink: rssAtomLink{Href: self, Rel: "self", Type: "application/rss+xml"},
	}
	if ref.ID != "" && Family(ref.ID) == "languages" {
		ch.Language = ref.ID[len("languages/"):]
	}
	for i := range items {
		a := &items[i]
		it := &rssItem{
			RssItem: &feeds.RssItem{
				Title:       a.Title,
				Link:        a.URL,
				Description: html.EscapeString(a.Summary),
				Content:     &feeds.RssContent{Content: content(a)},
				Guid:        &feeds.RssGuid{Id: a.ID, IsPermaLink: "false"},
				PubDate:     a.Published.Format(time.RFC1123Z),
			},
			Categories: append(append([]string(nil), a.Categories...), a.Tags...),
			Creators:   a.Authors,
		}
		if a.Image != "" {
			t := imageType(a.Image)
			it.Enclosure = &feeds.RssEnclosure{Url: a.Image, Length: "0", Type: t}
			it.Media = &rssMediaItem{URL: a.Image, Medium: "image", Type: t}
		}
		ch.Items = append(ch.Items, it)
	}
	doc := &rssDoc{Version: "2.0", NSContent: nsContent, NSAtom: nsAtom, NSDC: nsDC, NSMedia: nsMedia, Channel: ch}
	return writeXML(site, doc)
}

// writeXML writes a feed document after the XML declaration and the
// stylesheet's processing instruction.
func writeXML(site Site, doc feeds.XmlFeed) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	buf.WriteString(stylesheetPI(site))
	buf.WriteByte('\n')
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc.FeedXml()); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// --- Atom 1.0 ------------------------------------------------------------

// atomDoc is gorilla's AtomFeed plus what RFC 4287 feeds need and the
// generic model cannot express: xml:lang, both rel="self" and
// rel="alternate" links, a generator, and our entry type.
type atomDoc struct {
	*feeds.AtomFeed
	Lang      string              `xml:"xml:lang,attr,omitempty"`
	Links     []feeds.AtomLink    `xml:"link"`
	Authors   []*feeds.AtomAuthor `xml:"author"`
	Generator atomGenerator       `xml:"generator"`
	Entries   []*atomEntry        `xml:"entry"`
}

// FeedXml implements feeds.XmlFeed.
func (d *atomDoc) FeedXml() interface{} { return d }

type atomGenerator struct {
	Name string `xml:",chardata"`
}

// atomEntry is gorilla's AtomEntry with xml:lang, several authors, and
// categories as <category term="..."/> (gorilla writes them as text).
type atomEntry struct {
	*feeds.AtomEntry
	Lang       string              `xml:"xml:lang,attr,omitempty"`
	Authors    []*feeds.AtomAuthor `xml:"author"`
	Categories []atomCategory      `xml:"category"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

func renderAtom(site Site, ref Ref, items []article.Article) ([]byte, error) {
	self := URL(site.FeedsURL, path.Join(ref.ID, AtomFile))
	lang := site.Language
	if Family(ref.ID) == "languages" {
		lang = ref.ID[len("languages/"):]
	}
	doc := &atomDoc{
		AtomFeed: &feeds.AtomFeed{
			Xmlns:    nsAtom,
			Title:    Title(site, ref),
			Id:       self,
			Updated:  updated(items).Format(time.RFC3339),
			Subtitle: description(site, ref),
		},
		Lang: lang,
		Links: []feeds.AtomLink{
			{Href: self, Rel: "self", Type: "application/atom+xml"},
			{Href: site.HomeURL.String(), Rel: "alternate", Type: "text/html"},
		},
		// Entries without an author take the feed's (RFC 4287 4.1.1).
		Authors:   []*feeds.AtomAuthor{{AtomPerson: feeds.AtomPerson{Name: site.Title}}},
		Generator: atomGenerator{Name: generator},
	}
	for i := range items {
		a := &items[i]
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
		for _, c := range append(append([]string(nil), a.Categories...), a.Tags...) {
			e.Categories = append(e.Categories, atomCategory{Term: c})
		}
		doc.Entries = append(doc.Entries, e)
	}
	return writeXML(site, doc)
}

// --- JSON Feed 1.1 -------------------------------------------------------

// jsonDoc is gorilla's JSONFeed with our item type.
type jsonDoc struct {
	*feeds.JSONFeed
	Items []*jsonItem `json:"items"`
}

// jsonItem is gorilla's JSONItem plus the 1.1 item "language", and without
// the deprecated single "author" (only "authors").
type jsonItem struct {
	*feeds.JSONItem
	Language string `json:"language,omitempty"`
}

func renderJSON(site Site, ref Ref, items []article.Article) ([]byte, error) {
	lang := site.Language
	if Family(ref.ID) == "languages" {
		lang = ref.ID[len("languages/"):]
	}
	doc := &jsonDoc{
		JSONFeed: &feeds.JSONFeed{
			Version:     "https://jsonfeed.org/version/1.1",
			Title:       Title(site, ref),
			Language:    lang,
			HomePageUrl: site.HomeURL.String(),
			FeedUrl:     URL(site.FeedsURL, path.Join(ref.ID, JSONFile)),
			Description: description(site, ref),
			Authors:     []*feeds.JSONAuthor{{Name: site.Title}},
		},
		Items: []*jsonItem{},
	}
	for i := range items {
		a := &items[i]
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
		}
		for _, n := range a.Authors {
			it.Authors = append(it.Authors, &feeds.JSONAuthor{Name: n})
		}
		doc.Items = append(doc.Items, it)
	}
	var buf bytes.Buffer
	// Compact: re-indenting costs three quarters of the rendering time, and
	// feed readers do not need it.
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
