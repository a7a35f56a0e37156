package feed

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gorilla/feeds"
)

// The documents are written from their models (rssDoc, atomDoc, jsonDoc:
// gorilla/feeds' structs and ours) by hand, byte for byte what
// encoding/xml (indented by two spaces) and encoding/json (HTML escaping
// off) write for the same structs: TestWritersAsEncoders marshals random
// documents both ways, and FuzzWritersAsEncoders keeps at it. The
// encoders found every field by reflection, the document's head included,
// and wrote into buffers of their own that were then copied; rendering is
// most of a full build's publish.

// buffers are the documents' buffers that Release handed back.
var buffers sync.Pool // of *[]byte

// newBuffer returns an empty buffer of at least hint bytes: one handed
// back by Release when there is one that large.
func newBuffer(hint int) *bytes.Buffer {
	if p, ok := buffers.Get().(*[]byte); ok && cap(*p) >= hint {
		return bytes.NewBuffer((*p)[:0])
	}
	return bytes.NewBuffer(make([]byte, 0, hint))
}

// Release hands the renderings' memory back for the next documents to
// reuse, and empties r. Nothing may read the bytes after: call it only
// when they have been written where they go (Store.Put keeps no
// reference to what it is given). Renderings never released are simply
// collected.
func (r *Rendered) Release() {
	for _, b := range []*[]byte{&r.RSS, &r.Atom, &r.JSON} {
		if cap(*b) > 0 {
			buf := (*b)[:0]
			buffers.Put(&buf)
		}
		*b = nil
	}
}

// writeRSS writes an RSS document: the XML declaration, the stylesheet's
// processing instruction, and doc as encoding/xml writes it. gorilla's
// channel fields the render functions never set (Copyright,
// ManagingEditor, WebMaster, PubDate, Category, Docs, Cloud, Ttl, Rating,
// SkipHours, SkipDays, Image, TextInput, Items) are not written.
func writeRSS(b *bytes.Buffer, site Site, doc *rssDoc) {
	writeProlog(b, site)
	w := itemWriter{b}
	b.WriteString("<rss")
	w.attr("version", doc.Version, false)
	w.attr("xmlns:content", doc.NSContent, false)
	w.attr("xmlns:atom", doc.NSAtom, false)
	w.attr("xmlns:dc", doc.NSDC, false)
	w.attr("xmlns:media", doc.NSMedia, false)
	w.attr("xmlns:fh", doc.NSFH, true)
	b.WriteByte('>')
	ch := doc.Channel
	w.start(1, "channel")
	b.WriteByte('>')
	w.text(2, "title", ch.Title)
	w.text(2, "link", ch.Link)
	w.text(2, "description", ch.Description)
	w.optional(2, "language", ch.Language)
	w.optional(2, "lastBuildDate", ch.LastBuildDate)
	w.optional(2, "generator", ch.Generator)
	for _, l := range ch.AtomLinks {
		w.start(2, "atom:link")
		w.attr("href", l.Href, false)
		w.attr("rel", l.Rel, false)
		w.attr("type", l.Type, true)
		b.WriteByte('>')
		w.end("atom:link")
	}
	if ch.Archive != nil {
		w.empty(2, "fh:archive")
	}
	writeRSSItems(b, ch.Items)
	b.WriteString("\n  </channel>\n</rss>\n")
}

// writeAtom writes an Atom document as writeRSS does. gorilla's feed
// fields the render functions never set (Category, Icon, Logo, Rights,
// Contributor) are not written; its Link, Author and Entries are hidden by
// atomDoc's Links, Authors and Entries.
func writeAtom(b *bytes.Buffer, site Site, doc *atomDoc) {
	writeProlog(b, site)
	w := itemWriter{b}
	b.WriteString("<feed")
	w.attr("xmlns", doc.Xmlns, false)
	w.attr("xmlns:fh", doc.NSFH, true)
	w.attr("xmlns:at", doc.NSAt, true)
	w.attr("xml:lang", doc.Lang, true)
	b.WriteByte('>')
	w.text(1, "title", doc.Title)
	w.text(1, "id", doc.Id)
	w.text(1, "updated", doc.Updated)
	w.optional(1, "subtitle", doc.Subtitle)
	for _, l := range doc.Links {
		atomLink(w, 1, l)
	}
	for _, a := range doc.Authors {
		atomAuthor(w, 1, a)
	}
	w.text(1, "generator", doc.Generator.Name)
	if doc.Archive != nil {
		w.empty(1, "fh:archive")
	}
	for _, g := range doc.Deleted {
		w.start(1, "at:deleted-entry")
		w.attr("ref", g.Ref, false)
		w.attr("when", g.When, false)
		b.WriteByte('>')
		if g.Link != nil {
			atomLink(w, 2, *g.Link)
			w.endAt(1, "at:deleted-entry")
		} else {
			w.end("at:deleted-entry")
		}
	}
	writeAtomEntries(b, doc.Entries)
	b.WriteString("\n</feed>\n")
}

// writeProlog writes the XML declaration and the stylesheet's processing
// instruction, each on its line.
func writeProlog(b *bytes.Buffer, site Site) {
	b.WriteString(xml.Header)
	b.WriteString(stylesheetPI(site))
	b.WriteByte('\n')
}

// optional writes <name>text</name> at depth unless text is empty, as
// the omitempty option does.
func (w itemWriter) optional(depth int, name, text string) {
	if text != "" {
		w.text(depth, name, text)
	}
}

// empty writes <name></name> at depth.
func (w itemWriter) empty(depth int, name string) {
	w.start(depth, name)
	w.b.WriteByte('>')
	w.end(name)
}

// writeJSON writes a JSON Feed document as encoding/json's Encoder writes
// doc with HTML escaping off: compact, ending in a new line. gorilla's
// fields the render functions never set (user_comment, icon, favicon,
// the deprecated author, expired; an item's external_url, content_text,
// banner image, author and attachments) are not written. It fails only
// where the encoder fails: on a date whose year is outside 0–9999.
func writeJSON(b *bytes.Buffer, doc *jsonDoc) error {
	j := jsonWriter{b: b}
	b.WriteString(`{"version":`)
	j.str(doc.Version)
	j.key("title")
	j.str(doc.Title)
	j.optional("language", doc.Language)
	j.optional("home_page_url", doc.HomePageUrl)
	j.optional("feed_url", doc.FeedUrl)
	j.optional("description", doc.Description)
	j.optional("next_url", doc.NextUrl)
	if len(doc.Authors) > 0 {
		j.key("authors")
		j.authors(doc.Authors)
	}
	if len(doc.Hubs) > 0 {
		j.key("hubs")
		for i, h := range doc.Hubs {
			j.open(i, '[')
			b.WriteString(`{"type":`)
			j.str(h.Type)
			j.key("url")
			j.str(h.Url)
			b.WriteByte('}')
		}
		b.WriteByte(']')
	}
	if x := doc.Pressroom; x != nil {
		j.key("_pressroom")
		b.WriteString(`{"about":`)
		j.str(x.About)
		if x.Page != 0 {
			j.key("page")
			j.int(x.Page)
		}
		if x.Pages != nil {
			j.key("pages")
			j.int(*x.Pages)
		}
		if x.Full {
			b.WriteString(`,"full":true`)
		}
		j.optional("current", x.Current)
		if len(x.Deleted) > 0 {
			j.key("deleted")
			for i, g := range x.Deleted {
				j.open(i, '[')
				b.WriteString(`{"id":`)
				j.str(g.ID)
				j.optional("url", g.URL)
				j.key("date_deleted")
				j.time(g.DeletedAt)
				b.WriteByte('}')
			}
			b.WriteByte(']')
		}
		b.WriteByte('}')
	}
	j.key("items")
	if doc.Items == nil {
		b.WriteString("null")
	} else {
		b.WriteByte('[')
		for i, it := range doc.Items {
			if i > 0 {
				b.WriteByte(',')
			}
			j.item(it)
		}
		b.WriteByte(']')
	}
	b.WriteString("}\n")
	return j.err
}

func (j *jsonWriter) item(it *jsonItem) {
	b := j.b
	b.WriteString(`{"id":`)
	j.str(it.Id)
	j.optional("url", it.Url)
	j.optional("title", it.Title)
	j.optional("content_html", it.ContentHTML)
	j.optional("summary", it.Summary)
	j.optional("image", it.Image)
	if it.PublishedDate != nil {
		j.key("date_published")
		j.time(*it.PublishedDate)
	}
	if it.ModifiedDate != nil {
		j.key("date_modified")
		j.time(*it.ModifiedDate)
	}
	if len(it.Authors) > 0 {
		j.key("authors")
		j.authors(it.Authors)
	}
	if len(it.Tags) > 0 {
		j.key("tags")
		j.list(it.Tags)
	}
	j.optional("language", it.Language)
	if x := it.Pressroom; x != nil {
		j.key("_pressroom")
		b.WriteString(`{"categories":`)
		j.list(x.Categories)
		j.key("tags")
		j.list(x.Tags)
		j.key("word_count")
		j.int(x.WordCount)
		j.optional("canonical_url", x.CanonicalURL)
		j.optional("updated_reason", x.UpdatedReason)
		j.optional("correction", x.Correction)
		if len(x.Credits) > 0 {
			j.key("credits")
			j.list(x.Credits)
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
}

// jsonWriter writes JSON values into b; err is the first value that
// could not be written.
type jsonWriter struct {
	b   *bytes.Buffer
	err error
}

// key writes ,"name": (a key after the object's first).
func (j *jsonWriter) key(name string) {
	j.b.WriteString(`,"`)
	j.b.WriteString(name)
	j.b.WriteString(`":`)
}

// optional writes a string member unless it is empty (omitempty).
func (j *jsonWriter) optional(name, s string) {
	if s != "" {
		j.key(name)
		j.str(s)
	}
}

// open writes the array's opening bracket before its first element, a
// comma before the others.
func (j *jsonWriter) open(i int, bracket byte) {
	if i == 0 {
		j.b.WriteByte(bracket)
	} else {
		j.b.WriteByte(',')
	}
}

func (j *jsonWriter) int(n int) {
	var num [20]byte
	j.b.Write(strconv.AppendInt(num[:0], int64(n), 10))
}

// list writes a []string; nil is null, as encoding/json writes it.
func (j *jsonWriter) list(s []string) {
	if s == nil {
		j.b.WriteString("null")
		return
	}
	j.b.WriteByte('[')
	for i, v := range s {
		if i > 0 {
			j.b.WriteByte(',')
		}
		j.str(v)
	}
	j.b.WriteByte(']')
}

func (j *jsonWriter) authors(list []*feeds.JSONAuthor) {
	for i, a := range list {
		j.open(i, '[')
		if a == nil {
			j.b.WriteString("null")
			continue
		}
		// Every field omitempty: the first written opens the object.
		sep := byte('{')
		for _, f := range [...]struct{ name, value string }{{"name", a.Name}, {"url", a.Url}, {"avatar", a.Avatar}} {
			if f.value != "" {
				j.b.WriteByte(sep)
				j.b.WriteByte('"')
				j.b.WriteString(f.name)
				j.b.WriteString(`":`)
				j.str(f.value)
				sep = ','
			}
		}
		if sep == '{' {
			j.b.WriteByte('{')
		}
		j.b.WriteByte('}')
	}
	j.b.WriteByte(']')
}

// time writes t as time.Time's MarshalJSON does (RFC 3339 with
// nanoseconds), failing where it fails.
func (j *jsonWriter) time(t time.Time) {
	var buf [48]byte
	out, err := t.AppendText(append(buf[:0], '"'))
	if err != nil {
		if j.err == nil {
			j.err = &jsonError{err}
		}
		return
	}
	j.b.Write(append(out, '"'))
}

// jsonError is how encoding/json reports a value its marshaler refused.
type jsonError struct{ err error }

func (e *jsonError) Error() string {
	return "json: error calling MarshalJSON for type time.Time: " + e.err.Error()
}

func (e *jsonError) Unwrap() error { return e.err }

// str writes s as a JSON string, as encoding/json writes it with
// SetEscapeHTML(false): quotes, backslashes and control characters
// escaped, invalid UTF-8 as U+FFFD, U+2028 and U+2029 escaped (for
// JavaScript). Runs of bytes that need nothing are copied whole.
func (j *jsonWriter) str(s string) {
	const hex = "0123456789abcdef"
	b := j.b
	b.WriteByte('"')
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonPlain[c] {
				i++
				continue
			}
			b.WriteString(s[last:i])
			switch c {
			case '"', '\\':
				b.Write([]byte{'\\', c})
			case '\b':
				b.WriteString(`\b`)
			case '\f':
				b.WriteString(`\f`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				b.Write([]byte{'\\', 'u', '0', '0', hex[c>>4], hex[c&0xF]})
			}
			i++
			last = i
			continue
		}
		r, width := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && width == 1:
			b.WriteString(s[last:i])
			b.WriteString(`\ufffd`)
			last = i + width
		case r == '\u2028' || r == '\u2029':
			b.WriteString(s[last:i])
			b.Write([]byte{'\\', 'u', '2', '0', '2', hex[r&0xF]})
			last = i + width
		}
		i += width
	}
	b.WriteString(s[last:])
	b.WriteByte('"')
}

// jsonPlain are the ASCII bytes a JSON string holds as they are.
var jsonPlain = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()
