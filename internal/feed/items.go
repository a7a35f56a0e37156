package feed

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/gorilla/feeds"
)

// RSS items and Atom entries are most of every document, and encoding/xml
// spent most of a build's rendering time finding their fields by
// reflection. They are written here instead, by writeRSS and writeAtom
// (write.go), byte for byte as encoding/xml with the document's
// indentation writes the same structs (TestItemsAsEncodingXML renders
// items both ways, TestWritersAsEncoders whole documents). The structs
// stay what the render functions fill: only their marshalling moved.

// itemWriter writes elements at a depth, indented as xml.Encoder.Indent
// ("", "  ") does: every start tag on its own line, an end tag on its own
// line only after child elements.
type itemWriter struct {
	b *bytes.Buffer
}

func (w itemWriter) indent(depth int) {
	if 1+2*depth <= len(indents) {
		w.b.WriteString(indents[:1+2*depth])
		return
	}
	w.b.WriteByte('\n')
	for range depth {
		w.b.WriteString("  ")
	}
}

// indents is a new line and the indentation of the deepest elements.
const indents = "\n        "

// start writes "<name" at depth, for attributes to follow.
func (w itemWriter) start(depth int, name string) {
	w.indent(depth)
	w.b.WriteByte('<')
	w.b.WriteString(name)
}

// attr writes an attribute; omitEmpty drops an empty one, as the
// omitempty option does.
func (w itemWriter) attr(name, value string, omitEmpty bool) {
	if omitEmpty && value == "" {
		return
	}
	w.b.WriteByte(' ')
	w.b.WriteString(name)
	w.b.WriteString(`="`)
	escapeXML(w.b, value)
	w.b.WriteByte('"')
}

// text writes <name>text</name> at depth.
func (w itemWriter) text(depth int, name, text string) {
	w.start(depth, name)
	w.b.WriteByte('>')
	escapeXML(w.b, text)
	w.end(name)
}

// end writes </name> right after the content.
func (w itemWriter) end(name string) {
	w.b.WriteString("</")
	w.b.WriteString(name)
	w.b.WriteByte('>')
}

// endAt writes </name> on its own line at depth, after child elements.
func (w itemWriter) endAt(depth int, name string) {
	w.indent(depth)
	w.end(name)
}

// escapeXML is encoding/xml's EscapeString: the five markup characters,
// tab, new line and carriage return as references, and characters XML
// does not allow (and invalid UTF-8) as U+FFFD. Runs of ASCII that need
// none are skipped by a table: content is most of a feed.
func escapeXML(b *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); {
		for i < len(s) && xmlPlain[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		c := s[i]
		var esc string
		width := 1
		if c < utf8.RuneSelf {
			esc = xmlEscapes[c]
		} else {
			var r rune
			r, width = utf8.DecodeRuneInString(s[i:])
			if !xmlChar(r) || r == utf8.RuneError && width == 1 {
				esc = "\uFFFD"
			}
		}
		i += width
		if esc == "" {
			continue
		}
		b.WriteString(s[last : i-width])
		b.WriteString(esc)
		last = i
	}
	b.WriteString(s[last:])
}

// xmlEscapes are the references escapeXML writes for ASCII characters
// ("" for none), and xmlPlain the bytes it writes as they are: ASCII that
// needs no reference.
var xmlEscapes, xmlPlain = func() (esc [utf8.RuneSelf]string, plain [256]bool) {
	for c := range 0x20 {
		esc[c] = "\uFFFD"
	}
	esc['"'], esc['\''], esc['&'], esc['<'], esc['>'] = "&#34;", "&#39;", "&amp;", "&lt;", "&gt;"
	esc['\t'], esc['\n'], esc['\r'] = "&#x9;", "&#xA;", "&#xD;"
	for c := range utf8.RuneSelf {
		plain[c] = esc[c] == ""
	}
	return esc, plain
}()

// xmlChar is encoding/xml's isInCharacterRange, for runes from U+0080.
func xmlChar(r rune) bool {
	return r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// cdata writes s as encoding/xml's cdata fields do: nothing when empty,
// and "]]>" split across two sections.
func cdata(b *bytes.Buffer, s string) {
	if s == "" {
		return
	}
	b.WriteString("<![CDATA[")
	for {
		i := strings.Index(s, "]]>")
		if i < 0 {
			break
		}
		b.WriteString(s[:i])
		b.WriteString("]]]]><![CDATA[>")
		s = s[i+3:]
	}
	b.WriteString(s)
	b.WriteString("]]>")
}

// writeRSSItems writes items as encoding/xml writes []*rssItem inside
// <channel>: each <item> at depth 2. Only the fields the render functions
// set are written (gorilla's Author, Comments and Source stay empty and
// are omitempty; Category is hidden by rssItem.Categories).
func writeRSSItems(b *bytes.Buffer, items []*rssItem) {
	w := itemWriter{b}
	for _, it := range items {
		w.start(2, "item")
		b.WriteByte('>')
		w.text(3, "title", it.Title)
		w.text(3, "link", it.Link)
		w.text(3, "description", it.Description)
		if c := it.Content; c != nil {
			w.start(3, "content:encoded")
			b.WriteByte('>')
			cdata(b, c.Content)
			w.end("content:encoded")
		}
		if e := it.Enclosure; e != nil {
			w.start(3, "enclosure")
			w.attr("url", e.Url, false)
			w.attr("length", e.Length, false)
			w.attr("type", e.Type, false)
			b.WriteByte('>')
			w.end("enclosure")
		}
		if g := it.Guid; g != nil {
			w.start(3, "guid")
			w.attr("isPermaLink", g.IsPermaLink, true)
			b.WriteByte('>')
			escapeXML(b, g.Id)
			w.end("guid")
		}
		if it.PubDate != "" {
			w.text(3, "pubDate", it.PubDate)
		}
		for _, c := range it.Categories {
			w.start(3, "category")
			w.attr("domain", c.Domain, true)
			b.WriteByte('>')
			escapeXML(b, c.Name)
			w.end("category")
		}
		for _, n := range it.Creators {
			w.text(3, "dc:creator", n)
		}
		if m := it.Media; m != nil {
			w.start(3, "media:content")
			w.attr("url", m.URL, false)
			w.attr("medium", m.Medium, false)
			w.attr("type", m.Type, true)
			b.WriteByte('>')
			w.end("media:content")
		}
		w.endAt(2, "item")
	}
}

// writeAtomEntries writes entries as encoding/xml writes []*atomEntry
// inside <feed>: each <entry> at depth 1. gorilla's Category and Author
// are hidden by atomEntry's Categories and Authors; Xmlns, Rights,
// Source and Contributor are never set.
func writeAtomEntries(b *bytes.Buffer, entries []*atomEntry) {
	w := itemWriter{b}
	for _, e := range entries {
		w.start(1, "entry")
		w.attr("xml:lang", e.Lang, true)
		b.WriteByte('>')
		w.text(2, "title", e.Title)
		w.text(2, "updated", e.Updated)
		w.text(2, "id", e.Id)
		if c := e.Content; c != nil {
			atomText(w, "content", c.Type, c.Content)
		}
		if e.Published != "" {
			w.text(2, "published", e.Published)
		}
		for _, l := range e.Links {
			atomLink(w, 2, l)
		}
		if s := e.Summary; s != nil {
			atomText(w, "summary", s.Type, s.Content)
		}
		for _, a := range e.Authors {
			atomAuthor(w, 2, a)
		}
		for _, c := range e.Categories {
			w.start(2, "category")
			w.attr("term", c.Term, false)
			w.attr("scheme", c.Scheme, true)
			b.WriteByte('>')
			w.end("category")
		}
		w.endAt(1, "entry")
	}
}

// atomText writes an Atom text construct (<content>, <summary>) at
// depth 2.
func atomText(w itemWriter, name, typ, text string) {
	w.start(2, name)
	w.attr("type", typ, false)
	w.b.WriteByte('>')
	escapeXML(w.b, text)
	w.end(name)
}

// atomAuthor writes an Atom person construct at depth.
func atomAuthor(w itemWriter, depth int, a *feeds.AtomAuthor) {
	w.start(depth, "author")
	w.b.WriteByte('>')
	if a.Name != "" {
		w.text(depth+1, "name", a.Name)
	}
	if a.Uri != "" {
		w.text(depth+1, "uri", a.Uri)
	}
	if a.Email != "" {
		w.text(depth+1, "email", a.Email)
	}
	if a.Name != "" || a.Uri != "" || a.Email != "" {
		w.endAt(depth, "author")
	} else {
		w.end("author")
	}
}

func atomLink(w itemWriter, depth int, l feeds.AtomLink) {
	w.start(depth, "link")
	w.attr("href", l.Href, false)
	w.attr("rel", l.Rel, true)
	w.attr("type", l.Type, true)
	w.attr("length", l.Length, true)
	w.b.WriteByte('>')
	w.end("link")
}
