package feed

import (
	"bytes"
	_ "embed"
	"html"
	"strings"
	"sync"
)

// StylesheetPath is where the XSLT stylesheet of the RSS and Atom feeds is
// published, beside index.html: a person who opens a feed in a browser sees
// a page made by it rather than raw XML.
const StylesheetPath = "feed.xsl"

// Stylesheet is the XSLT 1.0 stylesheet published at StylesheetPath.
//
//go:embed feed.xsl
var Stylesheet []byte

// stylesheetPI is the processing instruction that links a feed to the
// stylesheet: root-relative, so it works whatever host serves the feeds
// (browsers apply only same-origin stylesheets).
func stylesheetPI(site Site) string {
	href := "/" + strings.TrimPrefix(site.FeedsURL.EscapedPath(), "/")
	href = strings.TrimSuffix(href, "/") + "/" + StylesheetPath
	return `<?xml-stylesheet type="text/xsl" href="` + html.EscapeString(href) + `"?>`
}

// ExtensionSchema is the JSON Schema of the _pressroom JSON Feed
// extension, published at ExtensionSchemaPath. It is a copy of
// schema/pressroom-feed.schema.json (a test keeps them identical).
//
//go:embed pressroom-feed.schema.json
var ExtensionSchema []byte

// The style and the script of the feed pages, which index.html shares: one
// copy, in the stylesheet, between a line that is "<style>" (or
// "<script>") and the closing tag. Their text holds no markup or entity,
// so it is the same in the XSLT output and in index.html, and one hash in
// PageSecurityPolicy allows both.
var (
	pageStyle  = sync.OnceValue(func() string { return sharedElement("style") })
	pageScript = sync.OnceValue(func() string { return sharedElement("script") })
)

func sharedElement(tag string) string {
	_, rest, ok := bytes.Cut(Stylesheet, []byte("\n<"+tag+">"))
	if !ok {
		return ""
	}
	text, _, _ := bytes.Cut(rest, []byte("</"+tag+">"))
	return string(text)
}
