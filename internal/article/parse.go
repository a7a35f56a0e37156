package article

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pressroom/pressroom/internal/article/model"
)

// meta is what a format parser extracts before the steps all formats share.
type meta struct {
	id, slug, title, summary, url, lang, image string
	correction                                 string
	published, updated, expires                time.Time
	authors, tags, categories                  []string
	credits                                    []string // agencies: see byline.go
	draft                                      bool
	body                                       string // untrusted HTML
	// docCreated and docModified are a document's own dates (a Word
	// document's created and modified properties): the published date
	// when neither the content nor the file name gives one, and the
	// updated date when it falls on a later day than a published date
	// that did not come from them.
	docCreated, docModified time.Time
	titleLine               int // where the title was expected, for errors
	notes                   []string
}

// Parse turns one article file into an Article. The format is chosen by the
// file name's extension (see Format). A file that cannot be published gets
// an *Error (errors.Is(err, ErrRejected)) listing every problem with its
// field and line. Parse never panics and is safe for concurrent use.
func Parse(name string, data []byte, opts Options) (a Article, err error) {
	defer func() {
		// A parser bug must reject one file, not take down a Lambda batch.
		if p := recover(); p != nil {
			a, err = Article{}, reject(name, "file", 0, "internal error while reading this file (%v): please report it", p)
		}
	}()
	opts = opts.WithDefaults()
	format := Format(name)
	if format == "" {
		return Article{}, unsupported(name)
	}
	if int64(len(data)) > opts.MaxBytes {
		return Article{}, tooLarge(name, int64(len(data)), opts.MaxBytes)
	}
	var r report
	var m meta
	if format == "docx" {
		// A zip archive: its parts say their own encoding.
		m = parseDocx(data, opts, &r)
		settleBylines(&m)
		a = finish(name, format, data, m, opts, &r)
		if err := r.err(name); err != nil {
			return Article{}, err
		}
		return a, nil
	}
	declared := ""
	if format == "html" {
		declared = declaredCharset(data)
	}
	dec, p := decode(data, declared)
	if p != nil {
		return Article{}, &Error{File: name, Problems: []Problem{*p}}
	}
	text := strings.ReplaceAll(dec.text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")

	switch format {
	case "markdown":
		m = parseMarkdown(text, opts, &r)
	case "html":
		m = parseHTML(text, opts, &r)
	case "text":
		m = parseText(text, opts, &r)
	case "json":
		m = parseJSON(text, opts, &r)
	}
	if dec.encoding != "" {
		m.notes = append(m.notes, "transcoded from "+dec.encoding)
	}
	settleBylines(&m)
	a = finish(name, format, data, m, opts, &r)
	if err := r.err(name); err != nil {
		return Article{}, err
	}
	return a, nil
}

// unsupported is the rejection of a file whose type no parser reads, with
// the cure for the ones editors upload by mistake.
func unsupported(name string) error {
	base := path.Base(strings.ReplaceAll(name, "\\", "/"))
	switch {
	case strings.HasPrefix(base, "~$"):
		return reject(name, "file", 0, "this is Word's lock file for a document open in Word, not an article: Word deletes it when the document is closed")
	case strings.EqualFold(path.Ext(base), ".doc"):
		return reject(name, "file", 0, "this is an old Word .doc file (Word 97-2003): open it in Word and save it as .docx (File > Save As > Word Document)")
	}
	return reject(name, "file", 0, "unsupported file type %q: articles are .md, .markdown, .html, .htm, .txt, .json or .docx files", path.Ext(name))
}

func tooLarge(name string, size, max int64) error { return model.TooLarge(name, size, max) }

func humanBytes(n int64) string { return model.HumanBytes(n) }

// ReadFile reads an article file (see model.ReadFile).
func ReadFile(name string, max int64) ([]byte, time.Time, error) { return model.ReadFile(name, max) }

// WalkFiles calls fn for every article file under dir (see model.WalkFiles).
func WalkFiles(dir string, fn func(path string, d fs.DirEntry) error) error {
	return model.WalkFiles(dir, fn)
}

// finish applies what every format shares: defaults for dates, language,
// slug, URL and id, sanitising, and the checks that reject a file.
func finish(name, format string, data []byte, m meta, opts Options, r *report) Article {
	a := newArticle(name, format, data, m)
	// Missing-field problems only matter once the file could be read; after
	// a broken front matter or encoding they would only repeat it.
	derived := !r.has("file", "front matter", "encoding", "body")
	if n := len(a.Tags) + len(a.Categories) + len(a.Authors); n > MaxNames {
		r.add("tags", 0, "the article has %d tags, categories and authors together; at most %d are allowed", n, MaxNames)
	}
	if a.Title == "" && derived && !r.has("title") {
		r.add("title", m.titleLine, "the article has no title")
	} else if a.Title != "" && !visible(a.Title) {
		r.add("title", m.titleLine, "the title %+q shows nothing: it holds only invisible characters (format characters, lone combining marks, blanks); give the article a title", a.Title)
	}

	stem, fileDate := nameParts(name)
	a.Slug = slugOf(m.slug, stem, a.Title, a.Hash)
	setPublished(&a, m, fileDate, derived, opts, r)
	setUpdated(&a, m, opts)
	a.Correction = truncateWords(cleanLine(m.correction), MaxCorrection)
	a.Expires = m.expires

	// Sanitising does not depend on the article's URL; making URLs absolute
	// does, and the URL may depend on the language.
	safe := policy.Sanitize(m.body)
	a.Lang = articleLang(m.lang, a.Title, safe, derived, opts, r)
	a.Dir = Direction(a.Lang)

	var usedURL bool
	a.URL, usedURL = articleURL(m.url, a, opts)
	if m.url != "" && !usedURL {
		r.warn("url", 0, "the url %+q is not a web address (http or https): the article's own address %s is used", shorten(m.url, 120), a.URL)
	}
	base, err := url.Parse(a.URL)
	if err != nil {
		base = opts.BaseURL
	}
	a.ContentHTML = contentHTML(safe, base, len(data), r)
	summarize(&a, m.summary, derived, r)
	a.Image = imageURL(base, m.image)
	if m.image != "" && a.Image == "" {
		r.warn("image", 0, "the image %+q is not a web address (http or https): the article has no image", shorten(m.image, 120))
	}
	a.ID, a.IDFrom = articleID(m.id, a.Published, a.Slug, opts)
	checkLimits(&a, m, r)
	checkDates(m, opts, r)
	a.Warnings = r.warnings
	return a
}

// newArticle is the Article with what the parser read as it is, cleaned,
// and the hash of the file's bytes.
func newArticle(name, format string, data []byte, m meta) Article {
	sum := sha256.Sum256(data)
	return Article{
		Source:     name,
		Format:     format,
		Hash:       hex.EncodeToString(sum[:]),
		Title:      cleanLine(m.title),
		Authors:    cleanList(m.authors),
		Credits:    cleanList(m.credits),
		Tags:       cleanList(m.tags),
		Categories: cleanList(m.categories),
		Draft:      m.draft,
		Notes:      m.notes,
		DateSource: DateFromContent,
	}
}

// slugOf is the given slug, else one made from the file name's stem, else
// from the title, else from the file's hash.
func slugOf(given, stem, title, hash string) string {
	slug := Slugify(given)
	if slug == "" {
		slug = Slugify(stem)
	}
	if slug == "" {
		slug = Slugify(title)
	}
	if slug == "" {
		slug = "article-" + hash[:12]
	}
	return slug
}

// setPublished sets the publication date and where it came from: the
// content, else the date the file name starts with, else the document's
// created date, else the upload time (the last two with a warning, as they
// may not be the date the editor meant).
func setPublished(a *Article, m meta, fileDate string, derived bool, opts Options, r *report) {
	a.Published = m.published
	if a.Published.IsZero() && fileDate != "" {
		if t, err := time.ParseInLocation("2006-01-02", fileDate, opts.Location); err == nil {
			a.Published, a.DateSource = t, DateFromFileName
		}
	}
	if a.Published.IsZero() && !m.docCreated.IsZero() {
		a.Published, a.DateSource = m.docCreated, DateFromProperties
	}
	if a.Published.IsZero() && !opts.ModTime.IsZero() {
		a.Published, a.DateSource = opts.ModTime.In(opts.Location).Truncate(time.Second), DateFromModTime
	}
	if a.Published.IsZero() && derived && !r.has("date") {
		r.add("date", 0, "the article has no publication date: add a date field, a dateline, or start the file name with the date (2021-02-22-slug.txt)")
	}
	switch a.DateSource {
	case DateFromFileName:
		a.Notes = append(a.Notes, "date taken from the "+a.DateSource)
	case DateFromProperties:
		r.warn("date", 0, "the file gives no publication date: the date is the document's created date in Word (%s); add a dateline or start the file name with the date (2021-02-22-slug.docx)", a.Published.Format("2006-01-02 15:04"))
	case DateFromModTime:
		r.warn("date", 0, "the file gives no publication date: the date is the upload time (%s), and it changes if the file is uploaded again; add a date field or a dateline, or start the file name with the date (2021-02-22-slug.txt)", a.Published.Format("2006-01-02 15:04"))
	}
}

// setUpdated sets the updated date: the content's, or a Word document's
// modified date on a later day than its publication; the publication date
// when neither is later.
func setUpdated(a *Article, m meta, opts Options) {
	a.Updated = m.updated
	if a.Updated.IsZero() && !m.docModified.IsZero() && (a.DateSource == DateFromContent || a.DateSource == DateFromFileName) &&
		laterDay(m.docModified, a.Published, opts.Location) {
		// Word rewrites its modified date at every save: on the day of
		// publication that is the drafting, later it is an edit. Against
		// Word's own created date the two cannot be told apart, and the
		// pipeline dates an edit by its upload.
		a.Updated = m.docModified
	}
	if a.Updated.After(a.Published) {
		a.UpdatedFrom = UpdatedFromContent
	} else {
		a.Updated = a.Published
	}
}

// articleLang is the declared language, else the one detected from the
// title and the start of the sanitised body, else the site's (with a
// warning).
func articleLang(declared, title, safe string, derived bool, opts Options, r *report) string {
	if declared != "" {
		return declared
	}
	// detectLanguage reads no further than detectSample*2 bytes (see
	// detectionSample): plain text past them would be read for nothing.
	if lang := detectLanguage(title + "\n" + plainText(safe, detectSample*2)); lang != "" {
		return lang
	}
	if derived {
		r.warn("lang", 0, "the language could not be told from the text (too short or mixed): the site's language %q is used; add a lang field to be sure", opts.Language)
	}
	return opts.Language
}

// contentHTML is the sanitised body with its URLs made absolute against
// base, or "" (with the file rejected) when it is larger than a file of
// size bytes may give.
func contentHTML(safe string, base *url.URL, size int, r *report) string {
	out := Clean(strings.TrimSpace(balanced(absolutize(safe, base))))
	if budget := contentBudget(size); len(out) > budget {
		r.add("body", 0, "the article renders to %s of HTML, more than the %s a %s file may give (ten times its size, at most %s)",
			humanBytes(int64(len(out))), humanBytes(int64(budget)), humanBytes(int64(size)), humanBytes(MaxContentBytes))
		return ""
	}
	return out
}

// summarize sets the summary (the given one as plain text, else the body's
// first sentences) and the word count, and rejects an article with neither
// text nor media.
func summarize(a *Article, summary string, derived bool, r *report) {
	a.Summary = cleanLine(summary)
	if summaryIsHTML(a.Summary) {
		a.Summary = cleanLine(plainText(policy.Sanitize(a.Summary), 8192))
	}
	facts := factsOf(a.ContentHTML, a.Summary == "")
	if derived && !r.has("content_html", "content_markdown", "content_text", "body") && !facts.hasText &&
		!strings.Contains(a.ContentHTML, "<img") && !strings.Contains(a.ContentHTML, "<video") && !strings.Contains(a.ContentHTML, "<audio") {
		r.add("body", 0, "the article has no text")
	}
	a.Words = facts.words
	if a.Summary == "" {
		a.Summary = facts.first
	}
	a.Summary = truncateWords(a.Summary, MaxSummary)
}

// summaryIsHTML reports whether a summary the article gives is HTML
// rather than plain text: it holds a character reference (&amp;, &#8217;),
// a line break tag, or an element both opened and closed (<em>…</em>).
// Anything else is text, shown as written: "x<y and y>z", "<Appendix A>"
// and "a<b and c>d" lost their words when every "<" started a tag. One
// pass over s, whatever it holds (a summary may be megabytes of JSON).
func summaryIsHTML(s string) bool {
	if !strings.ContainsAny(s, "<&") {
		return false
	}
	if reEntity.MatchString(s) || reLineBreak.MatchString(s) {
		return true
	}
	opened := map[string]bool{} // the names of the start tags read so far, lower-cased
	for i := 0; i < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		end := i + 1
		if end < len(s) && s[end] == '/' {
			end++
		}
		from := end
		for end < len(s) && (asciiLetter(s[end]) || from < end && '0' <= s[end] && s[end] <= '9') {
			end++
		}
		if end == from {
			continue
		}
		name := lowerASCII(s[from:end])
		if from == i+1 { // a start tag: its name ends at a space, "/" or ">"
			if end == len(s) || strings.IndexByte(" \t\n/>", s[end]) >= 0 {
				opened[name] = true
			}
			continue
		}
		if rest := strings.TrimLeft(s[end:], " \t\n"); opened[name] && strings.HasPrefix(rest, ">") {
			return true // an end tag of an element opened before it
		}
	}
	return false
}

// asciiLetter reports whether c is an ASCII letter.
func asciiLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

var (
	reEntity    = lazyRE(`&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});`)
	reLineBreak = lazyRE(`(?i)<br\s*/?>`)
)

// imageURL is the article's image as an absolute http(s) URL, or "".
func imageURL(base *url.URL, image string) string {
	if image != "" {
		if u, ok := resolve(base, image); ok && strings.HasPrefix(u, "http") {
			return Clean(u)
		}
	}
	return ""
}

// articleID is the id the file gives, else a tag URI made from the site's
// host, the publication date and the slug (none without a date); from says
// which.
func articleID(given string, published time.Time, slug string, opts Options) (id, from string) {
	if id = cleanLine(given); id != "" {
		return id, IDFromFile
	}
	if !published.IsZero() {
		return tagID(opts.BaseURL.Host, published.In(opts.Location), slug), ""
	}
	return "", ""
}

// checkDates refuses dates outside the window [MinDate, now + MaxAhead]
// (expiry dates only need to come after MinDate), whatever format they came
// from.
func checkDates(m meta, opts Options, r *report) {
	latest := opts.Now.Add(MaxAhead)
	for _, d := range []struct {
		field string
		t     time.Time
		max   bool
	}{{"date", m.published, true}, {"updated", m.updated, true}, {"expires", m.expires, false}} {
		switch {
		case d.t.IsZero() || r.has(d.field):
		case d.t.Before(MinDate):
			r.add(d.field, 0, "%s is before %d: write the date in full (2021-02-22)", d.t.Format("2006-01-02"), MinDate.Year())
		case d.max && d.t.After(latest):
			r.add(d.field, 0, "%s is more than %d years ahead: dates of articles may not be later than %s", d.t.Format("2006-01-02"), int(MaxAhead.Hours()/24/365), latest.Format("2006-01-02"))
		}
	}
}

// checkLimits rejects fields over their bounds, each with its own problem.
func checkLimits(a *Article, m meta, r *report) {
	long := func(field string, line int, what string, n, max int, unit string) {
		r.add(field, line, "%s is %d %s long; at most %d are allowed", what, n, unit, max)
	}
	if n := utf8.RuneCountInString(a.Title); n > MaxTitle {
		long("title", m.titleLine, "the title", n, MaxTitle, "characters")
	}
	for _, l := range []struct {
		field string
		names []string
	}{{"authors", a.Authors}, {"tags", a.Tags}, {"categories", a.Categories}} {
		for _, name := range l.names {
			if n := utf8.RuneCountInString(name); n > MaxName {
				long(l.field, 0, fmt.Sprintf("%q", shorten(name, 60)), n, MaxName, "characters")
			}
		}
	}
	if n := utf8.RuneCountInString(a.Slug); n > MaxSlug {
		long("slug", 0, "the slug", n, MaxSlug, "characters")
	}
	if len(a.URL) > MaxURL {
		long("url", 0, "the article's URL", len(a.URL), MaxURL, "bytes")
	}
	if len(a.Image) > MaxURL {
		long("image", 0, "the image URL", len(a.Image), MaxURL, "bytes")
	}
	if len(a.ID) > MaxID {
		long("id", 0, "the id", len(a.ID), MaxID, "bytes")
	}
}

// articleURL is the article's canonical URL: the one the file gives,
// resolved against the site, else the site's permalink pattern; usedGiven
// says which (a given one that is no web address is not used).
func articleURL(given string, a Article, opts Options) (u string, usedGiven bool) {
	if given != "" {
		if u, ok := resolve(opts.BaseURL, given); ok && strings.HasPrefix(u, "http") {
			return Clean(u), true
		}
	}
	return Permalink(opts.BaseURL, opts.Permalink, a, opts.Location), false
}

// Permalink expands a URL pattern against the site's base URL. The tokens
// are :year, :month, :day (of the publication date in loc), :slug, :section
// (the first category's slug) and :lang. Non-ASCII slugs are
// percent-encoded in the result.
func Permalink(base *url.URL, pattern string, a Article, loc *time.Location) string {
	t := a.Published.In(loc)
	section := ""
	if len(a.Categories) > 0 {
		section = Slugify(a.Categories[0])
	}
	p := expandTokens(pattern, []permalinkToken{
		{":year", t.Format("2006")}, {":month", t.Format("01")}, {":day", t.Format("02")},
		{":slug", a.Slug}, {":section", section}, {":lang", strings.ToLower(a.Lang)},
	})
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	u := *base
	u.Path = strings.TrimSuffix(base.Path, "/") + "/" + strings.TrimPrefix(p, "/")
	u.RawPath, u.RawQuery, u.Fragment = "", "", ""
	return u.String()
}

// permalinkToken is a token of a permalink pattern and its value.
type permalinkToken struct{ name, value string }

// expandTokens replaces each token in pattern with its value, left to
// right and the first token listed first, as a strings.Replacer of the
// same pairs does, without building one for every article.
func expandTokens(pattern string, tokens []permalinkToken) string {
	var b strings.Builder
	for i := 0; i < len(pattern); {
		j := strings.IndexByte(pattern[i:], ':')
		if j < 0 {
			b.WriteString(pattern[i:])
			break
		}
		b.WriteString(pattern[i : i+j])
		i += j
		n := 1 // a colon that opens no token stays
		for _, t := range tokens {
			if strings.HasPrefix(pattern[i:], t.name) {
				b.WriteString(t.value)
				i += len(t.name)
				n = 0
				break
			}
		}
		b.WriteString(pattern[i : i+n])
		i += n
	}
	return b.String()
}
