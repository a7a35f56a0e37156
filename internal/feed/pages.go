package feed

import (
	"bytes"
	"encoding/xml"
	"errors"
	"html"
	"sort"

	article "github.com/pressroom/pressroom/internal/article/model"
)

// Listed is a feed as the index page and the OPML list show it.
type Listed struct {
	Ref
	Count int    // articles in the feed
	Lang  string // BCP 47 language of the feed's items; "" when unknown or mixed
}

// IndexPath and OPMLPath are the site-wide pages.
const (
	IndexPath = "index.html"
	OPMLPath  = "feeds.opml"
)

var familyNames = map[string]string{"": "Site", "categories": "Categories", "tags": "Tags", "authors": "Authors", "languages": "Languages"}

type pageFeed struct {
	Title, Label, Lang          string
	Count                       int
	RSS, Atom, JSON             string
	RSSPath, AtomPath, JSONPath string
}

type pageGroup struct {
	Family, Name string
	Feeds        []pageFeed
}

// groups sorts feeds into families, in the order of Families, each
// sorted by label.
func groups(site Site, feeds []Listed) []pageGroup {
	byFamily := map[string][]pageFeed{}
	for _, f := range feeds {
		fam := Family(f.ID)
		p := Paths(f.ID)
		byFamily[fam] = append(byFamily[fam], pageFeed{
			Title: Title(site, f.Ref), Label: f.Label, Lang: f.Lang, Count: f.Count,
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
		out = append(out, pageGroup{Family: fam, Name: familyNames[fam], Feeds: fs})
	}
	return out
}

// The index page's explanation, in English, and in the site's language
// when it is Arabic or French (the feed pages say the same, see feed.xsl).
const (
	indexAboutEN = `Each feed below lets you follow part of this site in a feed reader (a news reader): new articles show up there as soon as they are published, with no account and no email. To subscribe, copy a feed's address into your feed reader. RSS and Atom suit every reader; JSON Feed suits apps. To subscribe to every feed at once, import <a href="feeds.opml">feeds.opml</a> into your reader.`
	indexAboutAR = `تتيح لك كل خلاصة أدناه متابعة جزء من هذا الموقع في قارئ خلاصات، فتظهر فيه المقالات الجديدة فور نشرها، دون حساب ولا بريد إلكتروني. للاشتراك، انسخ عنوان الخلاصة والصقه في قارئ الخلاصات. تناسب صيغتا RSS و Atom كل القرّاء، وتناسب صيغة JSON Feed التطبيقات. وللاشتراك في كل الخلاصات دفعة واحدة، استورد الملف <a href="feeds.opml">feeds.opml</a> في قارئك.`
	indexAboutFR = "Chaque flux ci-dessous permet de suivre une partie de ce site dans un lecteur de flux\u00a0: les nouveaux articles y apparaissent dès leur publication, sans compte ni adresse e-mail. Pour vous abonner, copiez l’adresse d’un flux dans votre lecteur. RSS et Atom conviennent à tous les lecteurs, JSON Feed aux applications. Pour vous abonner à tous les flux d’un coup, importez <a href=\"feeds.opml\">feeds.opml</a> dans votre lecteur."
)

// IndexPage renders index.html: every feed by family, each with its
// language, its three formats and a button that copies each one's address,
// and autodiscovery links; in the site's language and direction, with the
// look of the feed pages (their style and script, from feed.xsl).
// It is written without html/template on purpose: a template engine's
// reflection keeps every exported method alive in the publish Lambda's
// binary (DESIGN.md). Every value goes through html.EscapeString, which
// is safe for text and for double-quoted attributes.
func IndexPage(site Site, feeds []Listed) ([]byte, error) {
	style, script := pageStyle(), pageScript()
	if style == "" || script == "" {
		return nil, errors.New("feed: the stylesheet has no shared style or script")
	}
	e := html.EscapeString
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html>\n<html")
	if site.Language != "" {
		b.WriteString(" lang=\"" + e(site.Language) + "\"")
	}
	b.WriteString(" dir=\"" + article.Direction(site.Language) + "\">\n<head>\n<meta charset=\"utf-8\">\n")
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
	b.WriteString("<style>" + style + "</style>\n</head>\n<body>\n<main>\n<header>\n<p class=\"kind\" lang=\"en\">Web feeds</p>\n")
	b.WriteString("<h1><bdi>" + e(site.Title) + "</bdi></h1>\n")
	if site.Description != "" {
		b.WriteString("<p class=\"lede\"><bdi>" + e(site.Description) + "</bdi></p>\n")
	}
	b.WriteString("</header>\n<section class=\"about\" aria-labelledby=\"about\">\n<h2 id=\"about\" lang=\"en\">How to subscribe</h2>\n")
	switch baseLanguage(site.Language) {
	case "ar":
		b.WriteString("<p lang=\"ar\" dir=\"rtl\">" + indexAboutAR + "</p>\n")
	case "fr":
		b.WriteString("<p lang=\"fr\" dir=\"ltr\">" + indexAboutFR + "</p>\n")
	}
	b.WriteString("<p lang=\"en\" dir=\"ltr\">" + indexAboutEN + "</p>\n</section>\n")
	if len(gs) > 1 {
		b.WriteString("<nav class=\"pages\" lang=\"en\" aria-label=\"Feed families\">")
		for _, g := range gs {
			b.WriteString("<a href=\"#" + anchor(g.Family) + "\">" + e(g.Name) + "</a>")
		}
		b.WriteString("</nav>\n")
	}
	for _, g := range gs {
		id := anchor(g.Family)
		b.WriteString("<section aria-labelledby=\"" + id + "\">\n<h2 id=\"" + id + "\" lang=\"en\">" + e(g.Name) + "</h2>\n<ul class=\"feeds\">\n")
		for _, f := range g.Feeds {
			b.WriteString("<li><bdi class=\"label\"")
			if f.Lang != "" && g.Family != "" {
				b.WriteString(" lang=\"" + e(f.Lang) + "\"")
			}
			b.WriteString(">" + e(f.Label) + "</bdi>")
			if f.Lang != "" {
				name := LanguageName(baseLanguage(f.Lang))
				if name == f.Label || name == "" {
					name = f.Lang
				}
				b.WriteString("<span class=\"badge\" lang=\"" + e(f.Lang) + "\" title=\"" + e(f.Lang) + "\"><bdi>" + e(name) + "</bdi></span>")
			}
			b.WriteString("<span class=\"formats\" dir=\"ltr\" lang=\"en\">")
			for _, l := range [][3]string{{"RSS", f.RSSPath, f.RSS}, {"Atom", f.AtomPath, f.Atom}, {"JSON Feed", f.JSONPath, f.JSON}} {
				b.WriteString("<span class=\"format\"><a href=\"" + e(l[1]) + "\">" + l[0] + "</a><button type=\"button\" data-copy=\"" + e(l[2]) +
					"\" aria-label=\"Copy the " + l[0] + " address of " + e(f.Label) + "\" hidden>Copy</button></span>")
			}
			b.WriteString("</span></li>\n")
		}
		b.WriteString("</ul>\n</section>\n")
	}
	b.WriteString("<footer lang=\"en\"><a href=\"" + e(site.HomeURL.String()) + "\">Visit the website</a> · <a href=\"feeds.opml\">Every feed in one OPML file</a></footer>\n</main>\n")
	b.WriteString("<script>" + script + "</script>\n</body>\n</html>\n")
	return b.Bytes(), nil
}

// anchor is the id of a family's section.
func anchor(family string) string {
	if family == "" {
		return "site"
	}
	return family
}

// PageSecurityPolicy is the Content-Security-Policy of every page and
// feed the CDN's default behaviour serves (all but the JSON feeds), and of
// the local server's: nothing loads or runs but the shared style and
// script (allowed by their hashes, which TestPageSecurityPolicy keeps in
// step with feed.xsl) and the feeds' XSLT stylesheet, which Chromium loads
// under script-src: 'self' admits it, and nothing else the origin serves
// can run, as every file there has a type no browser executes under
// nosniff. No form posts anywhere, and no other site may frame them.
const PageSecurityPolicy = "default-src 'none'; script-src 'self' 'sha256-vN/amOHCLDBuhrW58zzUoCIldxuTX7ChhBHDmSWXoLs='; style-src 'sha256-hONbWXqT+4D7fn/BRVRjNvCUmAQ4FnsBW182hFdSpo4='; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

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
