package article

import (
	"net/url"
	"regexp"
	"strings"
	"sync"
	"unicode"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// policy keeps what an article needs in a feed reader (structure, links,
// images, tables, media, dir and lang) and drops scripts, event handlers,
// javascript: URLs, iframes, forms, embedded objects and styles. Built on
// first use (see lazy.go).
var policy = sanitizer(sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowURLSchemes("http", "https", "mailto", "tel")
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(true)
	p.AllowElements(
		"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code",
		"em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup", "mark", "small",
		"abbr", "cite", "q", "dfn", "kbd", "samp", "var", "span", "div", "section",
		"ul", "ol", "li", "dl", "dt", "dd", "figure", "figcaption", "table", "thead",
		"tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col", "details",
		"summary", "picture", "time", "bdi", "bdo", "ruby", "rt", "rp", "wbr",
		"video", "audio", "source",
	)
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("src", "alt", "width", "height", "srcset", "sizes").OnElements("img")
	p.AllowAttrs("src", "srcset", "media", "type", "sizes").OnElements("source")
	p.AllowAttrs("src", "poster", "controls", "width", "height").OnElements("video")
	p.AllowAttrs("src", "controls").OnElements("audio")
	p.AllowAttrs("dir").Matching(regexp.MustCompile(`(?i)^(rtl|ltr|auto)$`)).Globally()
	p.AllowAttrs("lang").Matching(regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)).Globally()
	p.AllowAttrs("title").Globally()
	p.AllowAttrs("id").Matching(regexp.MustCompile(idPattern)).Globally()
	p.AllowAttrs("datetime").OnElements("time", "del", "ins")
	p.AllowAttrs("cite").OnElements("blockquote", "q", "del", "ins")
	p.AllowAttrs("colspan", "rowspan").Matching(bluemonday.Integer).OnElements("td", "th")
	p.AllowAttrs("scope").Matching(regexp.MustCompile(`^(row|col|rowgroup|colgroup)$`)).OnElements("th")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("reversed").OnElements("ol")
	p.AllowAttrs("open").OnElements("details")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|right|center)$`)).OnElements("td", "th")
	p.RequireNoFollowOnLinks(false)
	// Dropping these tags is not enough: their text is chrome or code, not
	// article (a form's button labels, an SVG's script).
	p.SkipElementsContent(skippedElements...)
	return p
}))

// skippedElements are the elements the policy drops with their content.
var skippedElements = []string{"script", "style", "form", "button", "select", "textarea", "noscript",
	"template", "svg", "math", "object", "iframe", "frameset", "noembed", "applet"}

// idPattern is the id attributes the policy keeps: 1 to 64 letters,
// digits, "_", ":", "." and "-" (^[\pL\pN_:.-]{1,64}$). The empty group
// at the end changes no match (bluemonday only asks whether one matches),
// but spares the compiler its one-pass form, which for sixty-four copies
// of the letter and digit classes took 1.9 ms and 2.5 MB: the most of a
// rebuild's first parse (a tenth of a rebuild after one article added to
// 10,000). The test holds it to the plain pattern's answers.
const idPattern = `^[\pL\pN_:.-]{1,64}$()`

// urlAttrs are the attributes the policy lets through that hold URLs.
var urlAttrs = map[string]bool{"href": true, "src": true, "cite": true, "poster": true}

// absolutize rewrites every URL attribute in fragment against base.
// Attributes whose value cannot be resolved are dropped. Tokens without URL
// attributes are copied through as they are: the fragment is the
// sanitiser's output, already normalised.
func absolutize(fragment string, base *url.URL) string {
	if s, ok := simpleAbsolutize(fragment, base); ok {
		return s
	}
	return tokenAbsolutize(fragment, base)
}

// tokenAbsolutize is absolutize read with the HTML tokenizer: any markup.
func tokenAbsolutize(fragment string, base *url.URL) string {
	z := html.NewTokenizer(strings.NewReader(fragment))
	var b strings.Builder
	b.Grow(len(fragment) + len(fragment)/8)
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return b.String()
		}
		raw := z.Raw()
		if (tt != html.StartTagToken && tt != html.SelfClosingTagToken) || !hasURLAttr(string(raw)) {
			b.Write(raw)
			continue
		}
		b.WriteString(absoluteTag(z.Token(), base))
	}
}

// absoluteTag writes a tag out with its URL attributes resolved against
// base, dropping those that do not resolve.
func absoluteTag(tok html.Token, base *url.URL) string {
	attrs := tok.Attr[:0]
	for _, a := range tok.Attr {
		switch {
		case urlAttrs[a.Key]:
			u, ok := resolve(base, a.Val)
			if !ok {
				continue
			}
			a.Val = u
		case a.Key == "srcset":
			a.Val = resolveSrcset(base, a.Val)
		}
		attrs = append(attrs, a)
	}
	tok.Attr = attrs
	return tok.String()
}

// simpleAbsolutize is absolutize for simple markup (see simpleTokens)
// without reading all of it with the tokenizer: text and tags without
// URLs are copied as they are, and only the tags with URLs, a few bytes
// of the fragment, are tokenized, one after the other, as they are read
// in place (a tag's reading depends on its bytes alone once no raw-text
// element is open). ok is false for other markup.
func simpleAbsolutize(fragment string, base *url.URL) (string, bool) {
	type urlTag struct {
		tt         html.TokenType
		start, end int
	}
	var tags []urlTag
	var all strings.Builder
	for i := 0; i < len(fragment); {
		j := strings.IndexByte(fragment[i:], '<')
		if j < 0 {
			break
		}
		tt, _, end, ok := simpleTag(fragment, i+j)
		if !ok {
			return "", false
		}
		if (tt == html.StartTagToken || tt == html.SelfClosingTagToken) && hasURLAttr(fragment[i+j:end]) {
			tags = append(tags, urlTag{tt, i + j, end})
			all.WriteString(fragment[i+j : end])
		}
		i = end
	}
	if len(tags) == 0 {
		return fragment, true
	}
	z := html.NewTokenizer(strings.NewReader(all.String()))
	var b strings.Builder
	b.Grow(len(fragment) + len(fragment)/8)
	last := 0
	for _, t := range tags {
		if z.Next() != t.tt || len(z.Raw()) != t.end-t.start {
			return "", false // not read as in place: leave it to the tokenizer
		}
		b.WriteString(fragment[last:t.start])
		b.WriteString(absoluteTag(z.Token(), base))
		last = t.end
	}
	b.WriteString(fragment[last:])
	return b.String(), true
}

// hasURLAttr reports whether a raw start tag may carry a URL attribute.
func hasURLAttr(raw string) bool {
	for _, key := range [...]string{"href=", "src=", "srcset=", "cite=", "poster="} {
		if strings.Contains(raw, key) {
			return true
		}
	}
	return false
}

// resolve makes ref absolute against base; ok is false for a reference that
// does not parse or resolves to a scheme other than http(s), mailto and tel.
func resolve(base *url.URL, ref string) (string, bool) {
	ref = strings.TrimSpace(ref)
	u, err := url.Parse(ref)
	if err != nil {
		return "", false
	}
	abs := base.ResolveReference(u)
	switch abs.Scheme {
	case "http", "https":
		if abs.Host == "" {
			return "", false
		}
		return abs.String(), true
	case "mailto", "tel":
		return abs.String(), true
	}
	return "", false
}

// resolveSrcset resolves each candidate of a srcset against base, dropping
// those whose URL does not resolve. Candidates are read as HTML reads them
// (a URL runs to white space, so a comma inside it, as in a data: URL,
// does not split it; commas ending it do; descriptors run to a comma):
// split at every comma, "data:image/png;base64,AAAA 4x" left "AAAA 4x", a
// candidate pointing into the site.
func resolveSrcset(base *url.URL, srcset string) string {
	const space = " \t\n\r\f"
	var out []string
	for s := srcset; ; {
		s = strings.TrimLeft(s, space+",")
		if s == "" {
			break
		}
		end := strings.IndexAny(s, space)
		if end < 0 {
			end = len(s)
		}
		ref, rest := s[:end], s[end:]
		var desc string
		if trimmed := strings.TrimRight(ref, ","); trimmed != ref {
			ref = trimmed // "a.jpg, b.jpg 2x": no descriptors
		} else if i := strings.IndexByte(rest, ','); i >= 0 {
			desc, rest = rest[:i], rest[i+1:]
		} else {
			desc, rest = rest, ""
		}
		s = rest
		u, ok := resolve(base, ref)
		if !ok {
			continue
		}
		out = append(out, strings.Join(append([]string{u}, strings.Fields(desc)...), " "))
	}
	return strings.Join(out, ", ")
}

// blockElements end a run of text when plain text is taken from HTML.
var blockElements = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Br: true, atom.Li: true, atom.H1: true, atom.H2: true,
	atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true, atom.Blockquote: true,
	atom.Tr: true, atom.Td: true, atom.Th: true, atom.Figcaption: true, atom.Pre: true,
	atom.Section: true, atom.Dd: true, atom.Dt: true, atom.Figure: true,
}

// firstParagraph returns the plain text of the first paragraph of
// fragment that holds words, or of the whole fragment when it has no
// paragraph. It is the summary of articles that do not give one.
func firstParagraph(fragment string) string {
	z := html.NewTokenizer(strings.NewReader(fragment))
	var all, para strings.Builder
	inP, skip := 0, 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return cleanLine(all.String())
		case html.StartTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch {
			case a == atom.P:
				inP++
			case a == atom.Figure || a == atom.Table || a == atom.Pre || a == atom.Sup:
				skip++
			}
			if blockElements[a] {
				all.WriteByte(' ')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch {
			case a == atom.P && inP > 0:
				inP--
				if inP == 0 {
					if s := cleanLine(para.String()); hasWord(s) {
						return s
					}
					para.Reset()
				}
			case (a == atom.Figure || a == atom.Table || a == atom.Pre || a == atom.Sup) && skip > 0:
				skip--
			}
			if blockElements[a] {
				all.WriteByte(' ')
			}
		case html.TextToken:
			if skip > 0 {
				continue
			}
			t := string(z.Text())
			if all.Len() > 8192 && inP == 0 {
				// No paragraph in sight: the start of the text will do.
				return cleanLine(all.String())
			}
			all.WriteString(t)
			if inP > 0 {
				para.WriteString(t)
			}
		}
	}
}

// countWords counts the words of an HTML fragment's text: runs of
// characters between spaces and block tags that hold a letter or a digit
// (a dash alone is not a word). Han, kana and Thai are written without
// spaces: each of their letters counts as a word, as word processors
// count them.
func countWords(fragment string) int {
	z := html.NewTokenizer(strings.NewReader(fragment))
	n, inWord := 0, false
	for {
		switch z.Next() {
		case html.ErrorToken:
			return n
		case html.TextToken:
			for _, r := range string(z.Text()) {
				switch {
				case unicode.IsSpace(r):
					inWord = false
				case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai):
					n++
					inWord = false
				case unicode.IsLetter(r) || unicode.IsDigit(r):
					if !inWord {
						n++
					}
					inWord = true
				}
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			if !inlineTags[string(name)] {
				inWord = false
			}
		}
	}
}

// inlineTags do not separate words: "<b>news</b>paper" is one word.
var inlineTags = map[string]bool{"a": true, "abbr": true, "b": true, "bdi": true, "bdo": true, "cite": true, "code": true,
	"em": true, "i": true, "kbd": true, "mark": true, "q": true, "s": true, "small": true, "span": true, "strong": true,
	"sub": true, "sup": true, "u": true, "var": true}

func hasWord(s string) bool {
	return strings.IndexFunc(s, unicode.IsLetter) >= 0
}

// plainText returns the text content of an HTML fragment, for language
// detection and summaries: its text, and a space for each tag, until
// limit bytes or more are read.
func plainText(fragment string, limit int) string {
	if s, ok := simplePlainText(fragment, limit); ok {
		return s
	}
	return tokenPlainText(fragment, limit)
}

// plainSize is room for plainText's text in one allocation, mostly: the
// text is about as long as its markup, and ends one token past limit at
// most (a paragraph: twice the limits plainText is called with).
func plainSize(fragment string, limit int) int {
	if limit >= len(fragment)/2 {
		return len(fragment)
	}
	return max(0, 2*limit)
}

// tokenPlainText is plainText read with the HTML tokenizer: any markup.
func tokenPlainText(fragment string, limit int) string {
	z := html.NewTokenizer(strings.NewReader(fragment))
	var b strings.Builder
	b.Grow(plainSize(fragment, limit))
	for b.Len() < limit {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// simplePlainText is plainText without the tokenizer, for simple markup
// (see simpleTokens); ok is false where the fragment, up to where enough
// text is read, holds anything else.
func simplePlainText(fragment string, limit int) (string, bool) {
	var b strings.Builder
	if limit <= 0 {
		return "", true
	}
	b.Grow(plainSize(fragment, limit))
	ok := simpleTokens(fragment, func(text string) bool {
		b.WriteString(text)
		return b.Len() < limit
	}, func(html.TokenType, string) bool {
		b.WriteByte(' ')
		return b.Len() < limit
	})
	return b.String(), ok
}
