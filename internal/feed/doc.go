package feed

import (
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	article "github.com/pressroom/pressroom/internal/article/model"
)

// Doc is one feed document to render: the live feed of a feed (Page 0) or
// one of its archive pages (RFC 5005), in the formats it is published in.
type Doc struct {
	Ref   Ref
	Items []article.Article // newest first
	// Page is 0 for the live feed, n ≥ 1 for archive page n; Pages is the
	// number of archive pages the feed has: the live feed links the
	// newest (prev-archive; next_url in JSON), each page the one before.
	Page, Pages int
	// Full marks an archive page that is closed: every slot of it is
	// taken and none of its articles is scheduled or set to expire, so it
	// changes only when one of them is edited or deleted.
	Full bool
	// Deleted are the items deleted or unpublished within the retention
	// window (live feeds only): RFC 6721 at:deleted-entry in Atom, the
	// _pressroom extension in JSON Feed.
	Deleted []Deleted
	// Brief gives every item its summary instead of its content (a
	// partner without full content).
	Brief bool
	// Formats are the files rendered (RSSFile, AtomFile, JSONFile); nil
	// means all three.
	Formats []string
}

// Deleted is an item that left a feed: partners must take it down.
type Deleted struct {
	ID  string
	URL string
	At  time.Time
}

// Archive is the folder of a feed's archive pages.
const Archive = "archive"

// PageDir returns the folder of a feed document: the feed id for the live
// feed, <id>/archive/<n> for page n.
func PageDir(id string, page int) string {
	if page <= 0 {
		return id
	}
	return path.Join(id, Archive, strconv.Itoa(page))
}

// DocPaths returns the store keys of a document's files, in the order RSS,
// Atom, JSON, only for the formats it is published in.
func DocPaths(d Doc) []string {
	var out []string
	for _, f := range []string{RSSFile, AtomFile, JSONFile} {
		if d.has(f) {
			out = append(out, path.Join(PageDir(d.Ref.ID, d.Page), f))
		}
	}
	return out
}

// PagePaths returns the three files of archive page n of a feed.
func PagePaths(id string, n int) []string {
	dir := PageDir(id, n)
	return []string{path.Join(dir, RSSFile), path.Join(dir, AtomFile), path.Join(dir, JSONFile)}
}

// ParsePagePath reads a path of an archive page: the feed id and the page
// number, ok false for any other path.
func ParsePagePath(p string) (id string, page int, ok bool) {
	dir, file := path.Split(p)
	if file != RSSFile && file != AtomFile && file != JSONFile {
		return "", 0, false
	}
	dir = strings.TrimSuffix(dir, "/")
	rest, num := path.Split(dir)
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || strconv.Itoa(n) != num {
		return "", 0, false
	}
	rest = strings.TrimSuffix(rest, "/")
	if path.Base(rest) != Archive {
		return "", 0, false
	}
	id = strings.TrimSuffix(strings.TrimSuffix(rest, Archive), "/")
	return id, n, true
}

func (d Doc) has(format string) bool {
	return d.Formats == nil || slices.Contains(d.Formats, format)
}

// link returns the URL of a format's file of another document of the same
// feed (page 0: the live feed), or "" when that format is not published.
func (d Doc) link(site Site, page int, format string) string {
	if !d.has(format) {
		return ""
	}
	return URL(site.FeedsURL, path.Join(PageDir(d.Ref.ID, page), format))
}

// prev is the page the document links as prev-archive (next_url in JSON
// Feed): the newest page from the live feed, the one before from a page;
// 0 when there is none.
func (d Doc) prev() int {
	switch {
	case d.Page == 0:
		return d.Pages
	case d.Page > 1:
		return d.Page - 1
	}
	return 0
}

// FeedID returns the permanent id of a feed (Atom's feed id): a tag URI
// (RFC 4151) of the site's host, site.IDDate and the feed's path, the same
// whatever host or port serves the feeds and on every page of the feed.
// Without an IDDate it is the live feed's URL.
func FeedID(site Site, ref Ref) string {
	if site.IDDate == "" {
		return URL(site.FeedsURL, path.Join(ref.ID, AtomFile))
	}
	host := site.HomeURL.Hostname()
	return "tag:" + strings.ToLower(host) + "," + site.IDDate + ":feeds/" + tagPath(ref.ID)
}

// tagPath escapes a feed id for the specific part of a tag URI: letters,
// digits and "-._~/" stay, other bytes are percent-encoded.
func tagPath(id string) string {
	return (&url.URL{Path: id}).EscapedPath()
}

// docLanguage is what a document declares as its language: the language
// of a language feed; else the one its items share (their common base
// language when their regions differ); else the site's.
func docLanguage(site Site, ref Ref, items []article.Article) string {
	if Family(ref.ID) == "languages" {
		return ref.ID[len("languages/"):]
	}
	if l := ItemsLanguage(items); l != "" {
		return l
	}
	return site.Language
}

// ItemsLanguage returns the language items share (their common base
// language when their regions differ), "" when they have none in common or
// there are none.
func ItemsLanguage(items []article.Article) string {
	if len(items) == 0 {
		return ""
	}
	same := items[0].Lang
	// Items of one language tag, the usual case, need no parsing (it was a
	// twentieth of rendering a feed).
	i := 1
	for i < len(items) && items[i].Lang == same {
		i++
	}
	if i == len(items) {
		return same
	}
	base := baseLanguage(same)
	for i := range items[1:] {
		l := items[i+1].Lang
		if l != same {
			same = ""
		}
		if baseLanguage(l) != base {
			base = ""
		}
	}
	if same != "" {
		return same
	}
	return base
}

// updateReason says why an item's updated date is later than its
// published one: "correction" with a correction note, else "edit"; "" when
// it was not updated.
func updateReason(a *article.Article) string {
	switch {
	case !a.Updated.After(a.Published):
		return ""
	case a.Correction != "":
		return "correction"
	}
	return "edit"
}

// EntryID returns an article's id as Atom writes it (entry ids and
// at:deleted-entry refs), which must be an absolute IRI (RFC 4287 §4.2.6).
// The ids pressroom makes are tag URIs, and most ids files give are IRIs
// too; one that is not ("post-123", "has space") is written as an IRI of
// the site that names it: a tag URI of the site's host, site.IDDate and the
// id percent-encoded (the live feed's URL with the id as its fragment when
// there is no IDDate). The same id always gives the same IRI; RSS and JSON
// Feed, which take any string, write the id as given.
func EntryID(site Site, id string) string {
	if absoluteIRI(id) {
		return id
	}
	escaped := url.PathEscape(id)
	if site.IDDate == "" || site.HomeURL == nil {
		return URL(site.FeedsURL, AtomFile) + "#id:" + escaped
	}
	return "tag:" + strings.ToLower(site.HomeURL.Hostname()) + "," + site.IDDate + ":ids/" + escaped
}

// absoluteIRI reports whether s is an absolute IRI (RFC 3987): a scheme,
// a colon and no character an IRI may not hold (white space, controls,
// <>"{}|\^`, bidirectional formatting, a % not followed by two hex digits).
func absoluteIRI(s string) bool {
	colon := strings.IndexByte(s, ':')
	if colon < 1 || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < colon; i++ {
		if c := s[i]; !isAlpha(c) && (c < '0' || c > '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	for i, r := range s {
		switch {
		case r <= ' ' || r == 0x7f || r >= 0x80 && r <= 0x9f || strings.ContainsRune("<>\"{}|\\^`", r):
			return false
		case r == 0x200e || r == 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == utf8.RuneError:
			return false
		case r == '%' && (i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2])):
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isHex(c byte) bool { return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f' }
