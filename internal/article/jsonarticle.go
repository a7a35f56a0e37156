package article

import (
	"encoding/json"
	"sort"
	"strings"
	"time"
)

// jsonFields are the keys of pressroom's JSON article format, documented by
// schema/article.schema.json. Names follow JSON Feed 1.1 items where
// JSON Feed has the field.
var jsonFields = map[string]string{
	"$schema": "text", "id": "text", "title": "text", "slug": "text", "url": "text",
	"summary": "text", "content_html": "text", "content_text": "text", "content_markdown": "text",
	"date_published": "date", "date_modified": "date", "date_expires": "date",
	"language": "text", "authors": "authors", "tags": "list", "categories": "list",
	"image": "text", "draft": "bool", "correction": "text",
}

// jsonAliases are the names other systems' JSON exports use for the same
// fields, matched without regard to case; a canonical name present in the
// file wins over its aliases. "content" and "body" are HTML when they hold
// a tag, text otherwise.
var jsonAliases = map[string]string{
	"headline": "title", "name": "title",
	"date": "date_published", "published": "date_published", "datepublished": "date_published",
	"publishdate": "date_published", "pubdate": "date_published", "published_at": "date_published",
	"created_at": "date_published", "publication_date": "date_published",
	"updated": "date_modified", "modified": "date_modified", "datemodified": "date_modified",
	"lastmod": "date_modified", "updated_at": "date_modified", "modified_at": "date_modified",
	"expires": "date_expires", "expirydate": "date_expires", "expirationdate": "date_expires",
	"html": "content_html", "body_html": "content_html",
	"text": "content_text", "articlebody": "content_text", "body_text": "content_text",
	"markdown": "content_markdown", "body_markdown": "content_markdown",
	"content": "content", "body": "content",
	"description": "summary", "excerpt": "summary", "abstract": "summary", "standfirst": "summary",
	"lang": "language", "locale": "language", "inlanguage": "language",
	"author": "authors", "byline": "authors",
	"keywords": "tags", "category": "categories", "section": "categories", "sections": "categories",
	"articlesection": "categories",
	"image_url":      "image", "thumbnail": "image", "featured_image": "image", "banner_image": "image",
	"link": "url", "permalink": "url", "canonical_url": "url",
	"guid": "id", "uuid": "id",
	"status": "status",
}

// parseJSON reads one JSON article: a WordPress or Ghost export (see
// cms.go), or pressroom's own format, where unknown fields are errors.
func parseJSON(text string, opts Options, r *report) meta {
	text = strings.TrimPrefix(text, "\uFEFF")
	doc, ok := decodeJSONDocument(text, r)
	if !ok {
		return meta{}
	}
	// WordPress and Ghost posts are told apart by their shape (see cms.go);
	// everything else is pressroom's format, where unknown fields are errors.
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(doc, &raw); err != nil {
		if m, ok := parseExportList(text, doc, opts, r); ok {
			return m
		}
		r.add("file", 1, "the file must hold one JSON object with the article's fields")
		return meta{}
	}
	if m, ok := parseExportObject(text, doc, raw, opts, r); ok {
		return m
	}
	values, lines := decodeJSONFields(text, raw, opts, r)
	m := jsonMeta(values, lines, opts, r)
	m.body = jsonBody(values, lines, r)
	return m
}

// decodeJSONDocument returns the file's one JSON value, undecoded; ok is
// false, with the problem reported, when the file is too deep, not JSON,
// or holds more than one value.
func decodeJSONDocument(text string, r *report) (doc json.RawMessage, ok bool) {
	if depth(text, '{', '}')+depth(text, '[', ']') > maxDepth {
		r.add("file", 0, "the JSON is nested more than %d levels deep", maxDepth)
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(text))
	if err := dec.Decode(&doc); err != nil {
		r.add("file", jsonErrorLine(text, err), "the file is not valid JSON: %s", jsonErrorText(err))
		return nil, false
	}
	if _, err := dec.Token(); err == nil {
		r.add("file", 0, "the file holds more than one JSON value: put one article object per file")
		return nil, false
	}
	return doc, true
}

// decodeJSONFields decodes an article object's fields under their
// canonical names (see jsonFields), with the line each key is on. Unknown
// keys and values of the wrong kind are reported and left out.
func decodeJSONFields(text string, raw map[string]json.RawMessage, opts Options, r *report) (values map[string]any, lines map[string]int) {
	values = map[string]any{}
	lines = map[string]int{}
	for _, k := range canonicalFirst(raw) {
		line := keyLine(text, k, "JSON")
		name := jsonName(k)
		switch name {
		case "content", "status":
			var s string
			if json.Unmarshal(raw[k], &s) != nil {
				r.add(k, line, "%q should be a string", k)
				continue
			}
			if name == "status" {
				if st := strings.ToLower(strings.TrimSpace(s)); st == "draft" || st == "unpublished" {
					values["draft"] = true
				}
				continue
			}
			name = contentField(s)
		}
		if _, seen := values[name]; seen {
			continue // the canonical name, or an earlier alias, wins
		}
		lines[name] = line
		kind, known := jsonFields[name]
		if !known {
			name := k
			if strings.TrimSpace(name) == "" {
				name = "file"
			}
			r.add(name, line, "unknown field %q (see schema/article.schema.json for the fields an article may have)", k)
			continue
		}
		v, ok := decodeJSONField(kind, raw[k], opts)
		if !ok {
			r.add(k, line, "%q should be %s", k, jsonKindWants[kind])
			continue
		}
		values[name] = v
	}
	return values, lines
}

// canonicalFirst returns the object's keys in order, the canonical names
// first, so that they win over aliases.
func canonicalFirst(raw map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	sort.SliceStable(keys, func(i, j int) bool {
		_, ci := jsonFields[keys[i]]
		_, cj := jsonFields[keys[j]]
		return ci && !cj
	})
	return keys
}

// jsonName is the field key k stands for: itself when canonical, else the
// name it is an alias of, else itself (an unknown field).
func jsonName(k string) string {
	if _, canonical := jsonFields[k]; !canonical {
		if alias, ok := jsonAliases[strings.ToLower(k)]; ok {
			return alias
		}
	}
	return k
}

// contentField is the field a "content" or "body" value stands for: HTML
// when it holds a tag, else text.
func contentField(s string) string {
	if reHTMLTag.MatchString(s) {
		return "content_html"
	}
	return "content_text"
}

// jsonKindWants says, for each kind of field, what its value should be.
var jsonKindWants = map[string]string{
	"text": "a string", "date": "a date string such as 2021-02-22T16:18:00+01:00",
	"list": "a list of strings", "authors": `a list of names or {"name": ...} objects`, "bool": "true or false",
}

// jsonMeta reads the article's fields but its body from the decoded values.
func jsonMeta(values map[string]any, lines map[string]int, opts Options, r *report) meta {
	var m meta
	f := field{fm: frontMatter{values: values, lines: lines, format: "JSON"}, r: r, loc: opts.Location, now: opts.Now}
	m.id = f.text("id", "id")
	m.title = f.text("title", "title")
	m.titleLine = lines["title"]
	m.slug = f.text("slug", "slug")
	m.url = f.text("url", "url")
	m.summary = f.text("summary", "summary")
	m.correction = f.text("correction", "correction")
	m.image = f.text("image", "image")
	m.published = f.date("date_published", "date_published")
	m.updated = f.date("date_modified", "date_modified")
	m.expires = f.date("date_expires", "date_expires")
	m.authors, m.credits = f.authors("authors", "authors")
	m.tags = f.list("tags", "tags")
	m.categories = f.list("categories", "categories")
	m.draft, _ = f.flag("draft", "draft")
	if l := f.text("language", "language"); l != "" {
		if c, ok := canonicalLang(l); ok {
			m.lang = c
		} else {
			r.add("language", lines["language"], "%q is not a language code: use a BCP 47 code such as ar, ar-MA, fr or en", l)
		}
	}
	return m
}

// jsonBody is the article's body, from whichever of content_html,
// content_markdown and content_text it has; it must have exactly one.
func jsonBody(values map[string]any, lines map[string]int, r *report) string {
	body, bodies := "", 0
	if s, ok := values["content_html"].(string); ok {
		body, bodies = s, bodies+1
	}
	if s, ok := values["content_markdown"].(string); ok {
		body, _ = renderMarkdown("content_markdown", lines["content_markdown"], s, r)
		bodies++
	}
	if s, ok := values["content_text"].(string); ok {
		body, bodies = textToHTML(s), bodies+1
	}
	switch {
	case bodies == 0:
		r.add("content_html", 0, "the article has no content: give one of content_html, content_markdown or content_text")
	case bodies > 1:
		r.add("content_html", 0, "give only one of content_html, content_markdown or content_text")
	}
	return body
}

func decodeJSONField(kind string, raw json.RawMessage, opts Options) (any, bool) {
	switch kind {
	case "text":
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s, true
		}
		var obj struct { // {"url": ...} images, {"name": ...} titles
			URL  string `json:"url"`
			Name string `json:"name"`
		}
		if json.Unmarshal(raw, &obj) == nil && (obj.URL != "" || obj.Name != "") {
			return firstNonEmpty(obj.URL, obj.Name), true
		}
		return nil, false
	case "date":
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s, true
		}
		// Unix time, in seconds or milliseconds.
		var n float64
		if json.Unmarshal(raw, &n) == nil && n > 0 {
			if n > 1e11 {
				n /= 1000
			}
			return time.Unix(int64(n), 0).In(opts.Location).Format(time.RFC3339), true
		}
		return nil, false
	case "bool":
		var b bool
		return b, json.Unmarshal(raw, &b) == nil
	case "list":
		var l []string
		if json.Unmarshal(raw, &l) == nil {
			return toAny(l), true
		}
		var s string // "a, b, c"
		if json.Unmarshal(raw, &s) == nil {
			return s, true
		}
		return nil, false
	case "authors":
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s, true
		}
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			items = []json.RawMessage{raw} // one {"name": ...}
		}
		var out []any
		for _, it := range items {
			var s string
			var obj struct {
				Name string `json:"name"`
			}
			switch {
			case json.Unmarshal(it, &s) == nil:
				out = append(out, s)
			case json.Unmarshal(it, &obj) == nil && obj.Name != "":
				out = append(out, obj.Name)
			default:
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

// reHTMLTag spots markup in a "content" or "body" field.
var reHTMLTag = lazyRE(`<(?:p|div|br|h[1-6]|ul|ol|li|a|img|strong|em|b|i|figure|table|blockquote|span)\b[^>]*>`)

func toAny(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}
