package feed_test

import (
	"bytes"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/feed"
)

// The design brief's target: rendering at most 2x the time of a minimal
// hand-written writer of the same bytes. handwritten is that writer, for
// the documents BenchmarkRenderFormat renders: the live feed tags/city of
// site() (no archive pages, hubs or deletions). Its head is fixed text,
// except the dates and the language; its items are written field by
// field into one reused []byte, escaped as the renderer escapes them.
// Fields the benchmark's items never set (image, credits, correction, an
// update reason, right-to-left content) are not written at all.
// TestHandwrittenMatches holds its output to the renderer's, byte for
// byte, on the benchmark's items and on items full of characters that
// need escaping.
type handwritten struct {
	buf []byte
}

// hwSite is what Atom's ids depend on in the site the tests render for
// (feed_test.go's site()): an id that is not an IRI is written as one
// (EntryID).
var hwSite = func() feed.Site {
	home, _ := url.Parse("https://news.example.org/")
	feeds, _ := url.Parse("https://feeds.example.org/")
	return feed.Site{HomeURL: home, FeedsURL: feeds}
}()

// The fixed parts of the documents, for site() and the feed tags/city.
const (
	hwRSSHead = `<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="/feed.xsl"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">
  <channel>
    <title>City — Example Daily</title>
    <link>https://news.example.org/</link>
    <description>City — Example Daily</description>
    <language>`
	hwRSSSelf = `
    <generator>pressroom</generator>
    <atom:link href="https://feeds.example.org/tags/city/feed.xml" rel="self" type="application/rss+xml"></atom:link>`
	hwRSSTail = `
  </channel>
</rss>
`
	hwAtomHead = `<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="/feed.xsl"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="`
	hwAtomTitle = `">
  <title>City — Example Daily</title>
  <id>https://feeds.example.org/tags/city/atom.xml</id>
  <updated>`
	hwAtomLinks = `</updated>
  <subtitle>City — Example Daily</subtitle>
  <link href="https://feeds.example.org/tags/city/atom.xml" rel="self" type="application/atom+xml"></link>
  <link href="https://news.example.org/" rel="alternate" type="text/html"></link>
  <author>
    <name>Example Daily</name>
  </author>
  <generator>pressroom</generator>`
	hwAtomTail = `
</feed>
`
	hwJSONHead   = `{"version":"https://jsonfeed.org/version/1.1","title":"City — Example Daily","language":`
	hwJSONAbout  = `,"home_page_url":"https://news.example.org/","feed_url":"https://feeds.example.org/tags/city/feed.json","description":"City — Example Daily","authors":[{"name":"Example Daily"}],"_pressroom":{"about":"https://feeds.example.org/schema/pressroom-feed.schema.json","pages":0},"items":[`
	hwCategories = "https://feeds.example.org/categories/"
	hwTags       = "https://feeds.example.org/tags/"
)

// newest is the document's date: the newest update of its items.
func newest(items []article.Article) time.Time {
	t := time.Unix(0, 0).UTC()
	for i := range items {
		if items[i].Updated.After(t) {
			t = items[i].Updated
		}
	}
	return t
}

// lang is the document's language: the one its items share (the
// benchmark's items all have one).
func lang(items []article.Article) string {
	if len(items) == 0 {
		return "ar"
	}
	return items[0].Lang
}

func (h *handwritten) rss(items []article.Article) []byte {
	b := append(h.buf[:0], hwRSSHead...)
	b = appendXML(b, lang(items))
	b = append(b, "</language>\n    <lastBuildDate>"...)
	b = newest(items).AppendFormat(b, time.RFC1123Z)
	b = append(b, "</lastBuildDate>"...)
	b = append(b, hwRSSSelf...)
	for i := range items {
		a := &items[i]
		b = append(b, "\n    <item>\n      <title>"...)
		b = appendXML(b, a.Title)
		b = append(b, "</title>\n      <link>"...)
		b = appendXML(b, a.URL)
		b = append(b, "</link>\n      <description>"...)
		b = appendHTMLInXML(b, a.Summary)
		b = append(b, "</description>\n      <content:encoded>"...)
		if a.ContentHTML != "" {
			b = append(b, "<![CDATA["...)
			b = appendCDATA(b, a.ContentHTML)
			b = append(b, "]]>"...)
		}
		b = append(b, "</content:encoded>\n      <guid isPermaLink=\"false\">"...)
		b = appendXML(b, a.ID)
		b = append(b, "</guid>\n      <pubDate>"...)
		b = a.Published.AppendFormat(b, time.RFC1123Z)
		b = append(b, "</pubDate>"...)
		for _, c := range a.Categories {
			b = append(b, "\n      <category domain=\""+hwCategories+"\">"...)
			b = appendXML(b, c)
			b = append(b, "</category>"...)
		}
		for _, t := range a.Tags {
			b = append(b, "\n      <category domain=\""+hwTags+"\">"...)
			b = appendXML(b, t)
			b = append(b, "</category>"...)
		}
		for _, n := range a.Authors {
			b = append(b, "\n      <dc:creator>"...)
			b = appendXML(b, n)
			b = append(b, "</dc:creator>"...)
		}
		b = append(b, "\n    </item>"...)
	}
	b = append(b, hwRSSTail...)
	h.buf = b
	return b
}

func (h *handwritten) atom(items []article.Article) []byte {
	b := append(h.buf[:0], hwAtomHead...)
	b = appendXML(b, lang(items))
	b = append(b, hwAtomTitle...)
	b = newest(items).AppendFormat(b, time.RFC3339)
	b = append(b, hwAtomLinks...)
	for i := range items {
		a := &items[i]
		b = append(b, "\n  <entry"...)
		if a.Lang != "" {
			b = append(b, ` xml:lang="`...)
			b = appendXML(b, a.Lang)
			b = append(b, '"')
		}
		b = append(b, ">\n    <title>"...)
		b = appendXML(b, a.Title)
		b = append(b, "</title>\n    <updated>"...)
		b = a.Updated.AppendFormat(b, time.RFC3339)
		b = append(b, "</updated>\n    <id>"...)
		b = appendXML(b, feed.EntryID(hwSite, a.ID))
		b = append(b, "</id>\n    <content type=\"html\">"...)
		b = appendXML(b, a.ContentHTML)
		b = append(b, "</content>\n    <published>"...)
		b = a.Published.AppendFormat(b, time.RFC3339)
		b = append(b, "</published>\n    <link href=\""...)
		b = appendXML(b, a.URL)
		b = append(b, `" rel="alternate" type="text/html"></link>`...)
		if a.Summary != "" {
			b = append(b, "\n    <summary type=\"text\">"...)
			b = appendXML(b, a.Summary)
			b = append(b, "</summary>"...)
		}
		for _, n := range a.Authors {
			if n == "" {
				b = append(b, "\n    <author></author>"...)
				continue
			}
			b = append(b, "\n    <author>\n      <name>"...)
			b = appendXML(b, n)
			b = append(b, "</name>\n    </author>"...)
		}
		for _, c := range a.Categories {
			b = append(b, "\n    <category term=\""...)
			b = appendXML(b, c)
			b = append(b, `" scheme="`+hwCategories+`"></category>`...)
		}
		for _, t := range a.Tags {
			b = append(b, "\n    <category term=\""...)
			b = appendXML(b, t)
			b = append(b, `" scheme="`+hwTags+`"></category>`...)
		}
		b = append(b, "\n  </entry>"...)
	}
	b = append(b, hwAtomTail...)
	h.buf = b
	return b
}

func (h *handwritten) json(items []article.Article) []byte {
	b := append(h.buf[:0], hwJSONHead...)
	b = appendJSON(b, lang(items))
	b = append(b, hwJSONAbout...)
	for i := range items {
		a := &items[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = appendJSON(b, a.ID)
		if a.URL != "" {
			b = append(b, `,"url":`...)
			b = appendJSON(b, a.URL)
		}
		if a.Title != "" {
			b = append(b, `,"title":`...)
			b = appendJSON(b, a.Title)
		}
		if a.ContentHTML != "" {
			b = append(b, `,"content_html":`...)
			b = appendJSON(b, a.ContentHTML)
		}
		if a.Summary != "" {
			b = append(b, `,"summary":`...)
			b = appendJSON(b, a.Summary)
		}
		b = append(b, `,"date_published":"`...)
		b = a.Published.AppendFormat(b, time.RFC3339Nano)
		b = append(b, `","date_modified":"`...)
		b = a.Updated.AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
		if len(a.Authors) > 0 {
			b = append(b, `,"authors":[`...)
			for j, n := range a.Authors {
				if j > 0 {
					b = append(b, ',')
				}
				if n == "" {
					b = append(b, "{}"...)
					continue
				}
				b = append(b, `{"name":`...)
				b = appendJSON(b, n)
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		if len(a.Categories)+len(a.Tags) > 0 {
			b = append(b, `,"tags":`...)
			b = appendJSONList(b, a.Categories, a.Tags)
		}
		if a.Lang != "" {
			b = append(b, `,"language":`...)
			b = appendJSON(b, a.Lang)
		}
		b = append(b, `,"_pressroom":{"categories":`...)
		b = appendJSONList(b, a.Categories, nil)
		b = append(b, `,"tags":`...)
		b = appendJSONList(b, a.Tags, nil)
		b = append(b, `,"word_count":`...)
		b = strconv.AppendInt(b, int64(a.Words), 10)
		if a.URL != "" {
			b = append(b, `,"canonical_url":`...)
			b = appendJSON(b, a.URL)
		}
		b = append(b, "}}"...)
	}
	b = append(b, "]}\n"...)
	h.buf = b
	return b
}

// xmlEscapes are the ASCII bytes encoding/xml's EscapeString replaces, and
// their replacements ("\uFFFD" for control characters XML does not allow).
var xmlEscapes = func() (t [utf8.RuneSelf]string) {
	for c := range 0x20 {
		t[c] = "\uFFFD"
	}
	t['"'], t['\''], t['&'], t['<'], t['>'] = "&#34;", "&#39;", "&amp;", "&lt;", "&gt;"
	t['\t'], t['\n'], t['\r'] = "&#x9;", "&#xA;", "&#xD;"
	return t
}()

// appendXML appends s escaped as encoding/xml's EscapeString escapes it.
func appendXML(b []byte, s string) []byte {
	return appendXMLWith(b, s, &xmlEscapes)
}

// htmlInXMLEscapes are html.EscapeString's replacements, then escaped
// again as XML text: RSS's description is the summary as HTML.
var htmlInXMLEscapes = func() (t [utf8.RuneSelf]string) {
	t = xmlEscapes
	t['"'], t['\''], t['&'], t['<'], t['>'] = "&amp;#34;", "&amp;#39;", "&amp;amp;", "&amp;lt;", "&amp;gt;"
	return t
}()

func appendHTMLInXML(b []byte, s string) []byte {
	return appendXMLWith(b, s, &htmlInXMLEscapes)
}

func appendXMLWith(b []byte, s string, esc *[utf8.RuneSelf]string) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if e := esc[c]; e != "" {
				b = append(b, s[last:i]...)
				b = append(b, e...)
				last = i + 1
			}
			i++
			continue
		}
		r, width := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && width == 1 || r > 0xD7FF && r < 0xE000 || r > 0xFFFD && r < 0x10000 {
			b = append(b, s[last:i]...)
			b = append(b, "\uFFFD"...)
			last = i + width
		}
		i += width
	}
	return append(b, s[last:]...)
}

// appendCDATA appends s for a CDATA section, "]]>" split across two.
func appendCDATA(b []byte, s string) []byte {
	for {
		i := strings.Index(s, "]]>")
		if i < 0 {
			return append(b, s...)
		}
		b = append(b, s[:i]...)
		b = append(b, "]]]]><![CDATA[>"...)
		s = s[i+3:]
	}
}

// jsonSafe are the ASCII bytes encoding/json writes as they are (HTML
// escaping off).
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendJSON appends s as a JSON string, as encoding/json writes it with
// SetEscapeHTML(false).
func appendJSON(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[last:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			last = i
			continue
		}
		r, width := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && width == 1:
			b = append(b, s[last:i]...)
			b = append(b, `\ufffd`...)
			last = i + width
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[last:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			last = i + width
		}
		i += width
	}
	b = append(b, s[last:]...)
	return append(b, '"')
}

// appendJSONList appends the strings of two lists as one JSON array.
func appendJSONList(b []byte, x, y []string) []byte {
	b = append(b, '[')
	for i, s := range x {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSON(b, s)
	}
	for i, s := range y {
		if i > 0 || len(x) > 0 {
			b = append(b, ',')
		}
		b = appendJSON(b, s)
	}
	return append(b, ']')
}

// hostileItems are benchItems whose text needs every kind of escaping the
// formats do: markup characters, quotes, control characters, invalid
// UTF-8, characters XML does not allow, JavaScript's line separators, and
// CDATA's end.
func hostileItems(n int) []article.Article {
	items := benchItems(n)
	odd := "a&b <c> \"d\" 'e' \t\n\r \x01\b\f \xff \u2028\u2029 \uFFFE \U0001F600 ]]> \\ é ع"
	for i := range items {
		a := &items[i]
		a.Title += odd
		a.Summary = odd
		a.ContentHTML = "<p>" + odd + "</p>" + a.ContentHTML + "]]>]]>"
		a.Authors = append(a.Authors, odd, "")
		a.Tags = append(a.Tags, odd)
		a.Categories = []string{"Local " + odd}
		a.Words = 700 + i
		a.URL += "?q=" + odd
		a.ID += odd
	}
	items[1].Summary, items[1].ContentHTML, items[1].Title, items[1].URL = "", "", "", ""
	items[2].Authors, items[2].Tags, items[2].Categories = nil, nil, nil
	return items
}

func TestHandwrittenMatches(t *testing.T) {
	s, ref := site(), feed.Ref{ID: "tags/city", Label: "City"}
	cases := map[string][]article.Article{
		"items=1": benchItems(1), "items=50": benchItems(50), "items=1000": benchItems(1000), "hostile": hostileItems(5),
	}
	var h handwritten
	for name, items := range cases {
		d := feed.Doc{Ref: ref, Items: items}
		for _, f := range []struct {
			format string
			render func(feed.Site, feed.Doc) ([]byte, error)
			write  func([]article.Article) []byte
		}{{"rss", feed.RenderRSS, h.rss}, {"atom", feed.RenderAtom, h.atom}, {"json", feed.RenderJSON, h.json}} {
			want, err := f.render(s, d)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.write(items); !bytes.Equal(got, want) {
				i := 0
				for i < len(got) && i < len(want) && got[i] == want[i] {
					i++
				}
				t.Errorf("%s %s: the hand-written writer differs from the renderer at byte %d of %d:\nhand-written: %q\nrenderer:     %q",
					f.format, name, i, len(want), excerpt(got, i), excerpt(want, i))
			}
		}
	}
}

func excerpt(b []byte, i int) []byte {
	return b[max(0, i-60):min(len(b), i+60)]
}

// BenchmarkHandwritten is BenchmarkRenderFormat's documents written by the
// hand-written writer: the floor the renderer is held against.
func BenchmarkHandwritten(b *testing.B) {
	for _, n := range []int{50, 1000} {
		items := benchItems(n)
		for _, format := range []string{"rss", "atom", "json"} {
			b.Run(fmt.Sprintf("%s/items=%d", format, n), func(b *testing.B) {
				var h handwritten
				write := map[string]func([]article.Article) []byte{"rss": h.rss, "atom": h.atom, "json": h.json}[format]
				b.ReportAllocs()
				for b.Loop() {
					write(items)
				}
			})
		}
	}
}
