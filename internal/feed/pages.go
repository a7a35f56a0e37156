package feed

import (
	"bytes"
	"encoding/xml"
	"html"
	"sort"
)

// Listed is a feed as the index page and the OPML list show it.
type Listed struct {
	Ref
	Count int // articles in the feed
}

// IndexPath and OPMLPath are the site-wide pages.
const (
	IndexPath = "index.html"
	OPMLPath  = "feeds.opml"
)

var familyNames = map[string]string{"": "Site", "categories": "Categories", "tags": "Tags", "authors": "Authors", "languages": "Languages"}

type pageFeed struct {
	Title, Label                string
	Count                       int
	RSS, Atom, JSON             string
	RSSPath, AtomPath, JSONPath string
}

type pageGroup struct {
	Name  string
	Feeds []pageFeed
}

// groups sorts feeds into families, in the order of Families, each
// sorted by label.
func groups(site Site, feeds []Listed) []pageGroup {
	byFamily := map[string][]pageFeed{}
	for _, f := range feeds {
		fam := Family(f.ID)
		p := Paths(f.ID)
		byFamily[fam] = append(byFamily[fam], pageFeed{
			Title: Title(site, f.Ref), Label: f.Label, Count: f.Count,
			RSS: URL(site.FeedsURL, p[0]), Atom: URL(site.FeedsURL, p[1]), JSON: URL(site.FeedsURL, p[2]),
			RSSPath: p[0], AtomPath: p[1], JSONPath: p[2],
		})
	}
	var out []pageGroup
	for _, fam := range Families {
		fs := byFamily[fam]
		if len(fs) == 0 {
			continue
		}
		sort.SliceStable(fs, func(i, j int) bool {
			if fs[i].Label != fs[j].Label {
				return fs[i].Label < fs[j].Label
			}
			return fs[i].RSSPath < fs[j].RSSPath
		})
		out = append(out, pageGroup{Name: familyNames[fam], Feeds: fs})
	}
	return out
}

// IndexPage renders index.html: every feed, with autodiscovery links.
// It is written without html/template on purpose: a template engine's
// reflection keeps every exported method alive in the publish Lambda's
// binary (DESIGN.md). Every value goes through html.EscapeString, which
// is safe for text and for double-quoted attributes.
func IndexPage(site Site, feeds []Listed) ([]byte, error) {
	e := html.EscapeString
	var b bytes.Buffer
	lang := e(site.Language)
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	b.WriteString("<title>" + e(site.Title) + " — feeds</title>\n")
	gs := groups(site, feeds)
	for _, g := range gs {
		for _, f := range g.Feeds {
			for _, l := range [][3]string{{"application/rss+xml", "RSS", f.RSSPath}, {"application/atom+xml", "Atom", f.AtomPath}, {"application/feed+json", "JSON Feed", f.JSONPath}} {
				b.WriteString("<link rel=\"alternate\" type=\"" + l[0] + "\" title=\"" + e(f.Title+" ("+l[1]+")") + "\" href=\"" + e(l[2]) + "\">\n")
			}
		}
	}
	b.WriteString(pageStyle)
	b.WriteString("</head>\n<body>\n<h1 lang=\"" + lang + "\" dir=\"auto\">" + e(site.Title) + "</h1>\n")
	if site.Description != "" {
		b.WriteString("<p lang=\"" + lang + "\" dir=\"auto\">" + e(site.Description) + "</p>\n")
	}
	b.WriteString("<p>Subscribe to every feed at once with <a href=\"feeds.opml\">feeds.opml</a>.</p>\n")
	for _, g := range gs {
		b.WriteString("<h2>" + e(g.Name) + "</h2>\n<ul>\n")
		for _, f := range g.Feeds {
			b.WriteString("<li><bdi>" + e(f.Label) + "</bdi><span class=\"f\"><a href=\"" + e(f.RSSPath) + "\">RSS</a><a href=\"" +
				e(f.AtomPath) + "\">Atom</a><a href=\"" + e(f.JSONPath) + "\">JSON Feed</a></span></li>\n")
		}
		b.WriteString("</ul>\n")
	}
	b.WriteString("</body>\n</html>\n")
	return b.Bytes(), nil
}

// PageSecurityPolicy is the Content-Security-Policy of the HTML pages:
// nothing loads or runs but their own inline style (allowed by its hash,
// which TestPageSecurityPolicy keeps in step with pageStyle), no form
// posts anywhere, and no other site may frame them. The local server
// sends it, and template.yaml's CloudFront response headers policy.
const PageSecurityPolicy = "default-src 'none'; style-src 'sha256-vAlfdp890ZdTv/ycUx6d1+Tlty92HZTJjefr37qOFpI='; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const pageStyle = `<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
ul{list-style:none;padding:0}li{margin:.4rem 0}a{color:#0645ad}
.f a{margin-inline-start:.6rem}
</style>
`

// OPML 2.0 (http://opml.org/spec2.opml), for bulk subscription.
type opml struct {
	XMLName xml.Name    `xml:"opml"`
	Version string      `xml:"version,attr"`
	Title   string      `xml:"head>title"`
	Body    []opmlGroup `xml:"body>outline"`
}

type opmlGroup struct {
	Text     string        `xml:"text,attr"`
	Outlines []opmlOutline `xml:"outline"`
}

type opmlOutline struct {
	Text    string `xml:"text,attr"`
	Title   string `xml:"title,attr"`
	Type    string `xml:"type,attr"`
	XMLURL  string `xml:"xmlUrl,attr"`
	HTMLURL string `xml:"htmlUrl,attr"`
}

// OPMLPage renders feeds.opml: every feed's RSS, grouped by family.
func OPMLPage(site Site, feeds []Listed) ([]byte, error) {
	doc := opml{Version: "2.0", Title: site.Title}
	for _, g := range groups(site, feeds) {
		og := opmlGroup{Text: g.Name}
		for _, f := range g.Feeds {
			og.Outlines = append(og.Outlines, opmlOutline{Text: f.Title, Title: f.Title, Type: "rss", XMLURL: f.RSS, HTMLURL: site.HomeURL.String()})
		}
		doc.Body = append(doc.Body, og)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
