// Package feed owns what is published: the feed families and their paths,
// the rendering of RSS 2.0, Atom 1.0 and JSON Feed 1.1 on gorilla/feeds'
// typed structs (extended where they fall short), the index.html page and
// the OPML list, and the content type and cache policy of every path.
package feed

import (
	"net/url"
	"path"
	"strings"

	"golang.org/x/text/language"

	article "github.com/pressroom/pressroom/internal/article/model"
)

// Site is what rendering needs from the configuration.
type Site struct {
	Title       string
	Description string
	Language    string   // BCP 47
	HomeURL     *url.URL // the site's base URL: where articles live
	FeedsURL    *url.URL // where feeds are served
	// MaxBytes is the size budget of one feed file (0: none): older items
	// carry their summary instead of their content until the file fits,
	// and only then are the oldest left out; the newest is always there.
	MaxBytes int
	// IDDate is the date (YYYY-MM-DD) in the feeds' permanent tag: ids
	// (see FeedID); "" makes a feed's id its URL.
	IDDate string
	// Hubs are the WebSub hubs the live public feeds name.
	Hubs []string
	// Partners are the partner feeds (see Memberships).
	Partners []Partner
}

// Partner is a partner's feed: partners/<Name>/, the articles matching its
// filters (any listed value of a filter matches; an empty filter matches
// every article; all filters must match).
type Partner struct {
	Name        string
	Categories  []string
	Tags        []string
	Languages   []string // BCP 47; "ar" matches ar-MA too
	FullContent bool     // items carry their content, not only their summary
	Limit       int      // items in the live feed
	Formats     []string // RSSFile, AtomFile, JSONFile
}

// PartnersFamily is the folder of the partner feeds, which the CDN and the
// local server keep behind access keys.
const PartnersFamily = "partners"

// ExtensionSchemaPath is where the JSON Schema of the _pressroom JSON Feed
// extension is published; every JSON feed's _pressroom.about names it.
const ExtensionSchemaPath = "schema/pressroom-feed.schema.json"

// Matches reports whether an article belongs in the partner's feed.
func (pt Partner) Matches(a *article.Article) bool {
	return matchNames(pt.Categories, a.Categories) && matchNames(pt.Tags, a.Tags) && matchLanguage(pt.Languages, a.Lang)
}

func matchNames(want, have []string) bool {
	if len(want) == 0 {
		return true
	}
	for _, w := range want {
		for _, h := range have {
			if article.Slugify(w) == article.Slugify(h) {
				return true
			}
		}
	}
	return false
}

func matchLanguage(want []string, lang string) bool {
	if len(want) == 0 {
		return true
	}
	l := strings.ToLower(lang)
	for _, w := range want {
		w = strings.ToLower(w)
		if l == w || strings.HasPrefix(l, w+"-") {
			return true
		}
	}
	return false
}

// Ref names a feed: its id (the path prefix of its files; "" for the
// whole site) and a label for people.
type Ref struct {
	ID    string
	Label string
}

// Families are the feed families, in the order pages list them.
var Families = []string{"", "categories", "tags", "authors", "languages"}

// The three files of every feed.
const (
	RSSFile  = "feed.xml"
	AtomFile = "atom.xml"
	JSONFile = "feed.json"
)

// Memberships returns the feeds an article appears in: the site, one per
// category, tag and author, its language, and the partner feeds whose
// filters it matches. Drafts appear nowhere. A name whose slug is empty
// (only punctuation) makes no feed.
func Memberships(a *article.Article, site Site) []Ref {
	if a.Draft {
		return nil
	}
	refs := []Ref{{ID: "", Label: site.Title}}
	seen := map[string]bool{"": true}
	add := func(family string, names []string) {
		for _, n := range names {
			slug := article.Slugify(n)
			id := family + "/" + slug
			if slug == "" || seen[id] {
				continue
			}
			seen[id] = true
			refs = append(refs, Ref{ID: id, Label: n})
		}
	}
	add("categories", a.Categories)
	add("tags", a.Tags)
	add("authors", a.Authors)
	if base := baseLanguage(a.Lang); base != "" {
		refs = append(refs, Ref{ID: "languages/" + base, Label: LanguageName(base)})
	}
	for _, pt := range site.Partners {
		if pt.Matches(a) {
			refs = append(refs, Ref{ID: PartnersFamily + "/" + pt.Name, Label: pt.Name})
		}
	}
	return refs
}

func baseLanguage(lang string) string {
	tag, err := language.Parse(lang)
	if err != nil {
		return ""
	}
	b, _ := tag.Base()
	return b.String()
}

// languageNames are autonyms for the languages newsrooms publish in; other
// codes are shown as they are.
var languageNames = map[string]string{
	"ar": "العربية", "fr": "Français", "en": "English", "es": "Español", "de": "Deutsch", "it": "Italiano",
	"pt": "Português", "nl": "Nederlands", "fa": "فارسی", "ur": "اردو", "he": "עברית", "ru": "Русский",
	"tr": "Türkçe", "zh": "中文", "ja": "日本語", "ko": "한국어", "el": "Ελληνικά", "hi": "हिन्दी", "uk": "Українська",
	"ber": "Tamaziɣt", "zgh": "ⵜⴰⵎⴰⵣⵉⵖⵜ",
}

// LanguageName returns a language's name in itself.
func LanguageName(code string) string {
	if n, ok := languageNames[code]; ok {
		return n
	}
	return code
}

// Family returns the family of a feed id: "" for the site, else "tags",
// "categories", ...
func Family(id string) string {
	family, _, _ := strings.Cut(id, "/")
	return family
}

// Paths returns the store keys of a feed's three files.
func Paths(id string) []string {
	return []string{path.Join(id, RSSFile), path.Join(id, AtomFile), path.Join(id, JSONFile)}
}

// URL returns the absolute URL of a published path, percent-encoded.
func URL(base *url.URL, p string) string {
	u := *base
	u.Path = strings.TrimSuffix(base.Path, "/") + "/" + p
	u.RawPath = ""
	return u.String()
}

// Title returns a feed's title: the site's, or "label — site".
func Title(site Site, ref Ref) string {
	if ref.ID == "" {
		return site.Title
	}
	return ref.Label + " — " + site.Title
}

// ContentType returns the Content-Type a published path is served with, in
// the local server and on S3 alike.
//
// RSS and Atom are served as application/xml (RFC 7303: any XML document),
// not as application/rss+xml and application/atom+xml: Chromium shows
// those two as plain text and never applies their XSLT stylesheet, so a
// person opening a feed would see its source instead of feed.xsl's page.
// Feed readers read the document, not the type (the autodiscovery links of
// index.html keep the specific types). The stylesheet keeps its registered
// type (Chromium applies it whatever its type; other browsers were not tried).
func ContentType(p string) string {
	switch {
	case strings.HasSuffix(p, ".schema.json"):
		return "application/schema+json; charset=utf-8"
	case strings.HasSuffix(p, ".json"):
		return "application/feed+json; charset=utf-8"
	case strings.HasSuffix(p, ".html"):
		return "text/html; charset=utf-8"
	case strings.HasSuffix(p, ".xsl"):
		return "application/xslt+xml; charset=utf-8"
	case strings.HasSuffix(p, ".opml"):
		return "text/x-opml; charset=utf-8"
	case strings.HasSuffix(p, ".xml"):
		return "application/xml; charset=utf-8"
	}
	return "application/octet-stream"
}

// CacheControl returns the Cache-Control a published path is served with.
// Live feeds and pages change with every publish: readers and the CDN may
// keep them five minutes and serve a stale copy while they revalidate.
// Partner feeds are stored with the same values: the CDN may cache them
// (its edge function checks the key before the cache), and it tells
// viewers "private" itself (internal/partners.CacheControl), so that no
// shared cache between a partner and the CDN keeps a copy. Closed archive
// pages: see ClosedCacheControl.
func CacheControl(p string) string {
	return "public, max-age=300, stale-while-revalidate=60"
}

// ClosedCacheControl is the Cache-Control of a closed archive page (see
// Doc.Full): it changes only when one of its articles is edited or
// deleted, which purges it from the CDN. The CDN keeps it a year;
// browsers and readers a day without asking (immutable), then revalidate
// with a conditional request, so an edit reaches them within a day.
func ClosedCacheControl(p string) string {
	return "public, max-age=86400, s-maxage=31536000, immutable"
}
