package article

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Posts exported from the systems newsrooms leave: WordPress (a post of its
// REST API) and Ghost (a post of its Admin or Content API, or an export
// file). They are recognised by their shape, apart from pressroom's own
// JSON format, and only when fields no pressroom article has are present:
// a pressroom file with a typo is still refused.

// jsonText is a JSON string, or a number written as text (ids of old Ghost
// exports). Any other value reads as "": null, and the false or [] that
// WordPress plugins write for "none".
type jsonText string

func (t *jsonText) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*t = jsonText(s)
		return nil
	}
	var n json.Number
	if json.Unmarshal(b, &n) == nil {
		*t = jsonText(n.String())
	}
	return nil
}

func (t jsonText) String() string { return strings.TrimSpace(string(t)) }

// wpRendered is how the WordPress REST API gives a text: "rendered" is the
// HTML the site shows; "protected" is true for password-protected posts.
type wpRendered struct {
	Rendered  jsonText `json:"rendered"`
	Protected bool     `json:"protected"`
}

// wpPost is a post (or page) of the WordPress REST API, /wp/v2/posts/<id>,
// with the fields pressroom reads; ?_embed adds the "_embedded" names.
type wpPost struct {
	Date        json.RawMessage `json:"date"`         // "The date the object was published, in the site's timezone."
	DateGMT     json.RawMessage `json:"date_gmt"`     // "The date the object was published, as GMT."
	Modified    json.RawMessage `json:"modified"`     // site's timezone
	ModifiedGMT json.RawMessage `json:"modified_gmt"` // GMT
	GUID        wpRendered      `json:"guid"`         // "The globally unique identifier for the object."
	Slug        jsonText        `json:"slug"`         // percent-encoded when not ASCII
	Status      jsonText        `json:"status"`       // publish, future, draft, pending, private (and trash, auto-draft)
	Link        jsonText        `json:"link"`         // "URL to the object."
	Title       wpRendered      `json:"title"`
	Content     wpRendered      `json:"content"`
	Excerpt     wpRendered      `json:"excerpt"`
	Author      json.RawMessage `json:"author"`         // a user id
	Media       json.RawMessage `json:"featured_media"` // an attachment id
	Categories  json.RawMessage `json:"categories"`     // term ids
	Tags        json.RawMessage `json:"tags"`           // term ids
	Lang        jsonText        `json:"lang"`           // Polylang
	Jetpack     jsonText        `json:"jetpack_featured_media_url"`
	Yoast       struct {
		OGLocale jsonText `json:"og_locale"`
		OGImage  []struct {
			URL jsonText `json:"url"`
		} `json:"og_image"`
	} `json:"yoast_head_json"`
	Embedded struct {
		Author []struct {
			Name jsonText `json:"name"`
		} `json:"author"`
		Terms [][]struct {
			Name     jsonText `json:"name"`
			Taxonomy jsonText `json:"taxonomy"`
		} `json:"wp:term"`
		Media []struct {
			SourceURL jsonText `json:"source_url"`
		} `json:"wp:featuredmedia"`
	} `json:"_embedded"`
}

// ghostTag is a tag of a Ghost post, or a row of an export's tags table.
type ghostTag struct {
	ID         jsonText `json:"id"`
	Name       jsonText `json:"name"`
	Visibility jsonText `json:"visibility"` // "public", or "internal" for #tags
}

// ghostPost is a post of Ghost's Admin or Content API, or a row of the
// posts table of a Ghost export.
type ghostPost struct {
	ID            jsonText        `json:"id"`
	UUID          jsonText        `json:"uuid"`
	Title         jsonText        `json:"title"`
	Slug          jsonText        `json:"slug"`
	HTML          jsonText        `json:"html"`
	Plaintext     jsonText        `json:"plaintext"`
	Mobiledoc     json.RawMessage `json:"mobiledoc"` // the editor's document, rendered as html
	Lexical       json.RawMessage `json:"lexical"`
	FeatureImage  jsonText        `json:"feature_image"`
	OGImage       jsonText        `json:"og_image"`
	Status        jsonText        `json:"status"`     // published, scheduled, draft, sent
	Visibility    jsonText        `json:"visibility"` // public, members, paid, tiers
	EmailOnly     bool            `json:"email_only"`
	Locale        jsonText        `json:"locale"` // exports only
	PublishedAt   json.RawMessage `json:"published_at"`
	UpdatedAt     json.RawMessage `json:"updated_at"`
	CustomExcerpt jsonText        `json:"custom_excerpt"`
	MetaDesc      jsonText        `json:"meta_description"`
	Excerpt       jsonText        `json:"excerpt"`
	CanonicalURL  jsonText        `json:"canonical_url"`
	URL           jsonText        `json:"url"`
	Tags          []ghostTag      `json:"tags"`
	PrimaryTag    *ghostTag       `json:"primary_tag"`
	Authors       []struct {
		Name jsonText `json:"name"`
	} `json:"authors"`
	PrimaryAuthor struct {
		Name jsonText `json:"name"`
	} `json:"primary_author"`
	AuthorID jsonText `json:"author_id"` // exports of Ghost 0.x
}

// ghostExport is a Ghost export file (Settings > Labs > Export): the whole
// site's tables, posts and pages in one "posts" table.
type ghostExport struct {
	DB []struct {
		Data struct {
			Posts     []json.RawMessage `json:"posts"`
			Tags      []ghostTag        `json:"tags"`
			PostsTags []struct {
				PostID jsonText `json:"post_id"`
				TagID  jsonText `json:"tag_id"`
				Order  float64  `json:"sort_order"`
			} `json:"posts_tags"`
			Users []struct {
				ID   jsonText `json:"id"`
				Name jsonText `json:"name"`
			} `json:"users"`
			PostsAuthors []struct {
				PostID   jsonText `json:"post_id"`
				AuthorID jsonText `json:"author_id"`
				Order    float64  `json:"sort_order"`
			} `json:"posts_authors"`
			Settings []struct {
				Key   jsonText `json:"key"`
				Value jsonText `json:"value"`
			} `json:"settings"`
		} `json:"data"`
	} `json:"db"`
}

// Export shapes, as exportKind names them.
const (
	shapeWordPress   = "WordPress"
	shapeGhost       = "Ghost"
	shapeGhostExport = "Ghost export"
)

// wpOtherFields are the fields of a WordPress post besides its title and
// content; one of them completes the signature.
var wpOtherFields = []string{"date_gmt", "modified_gmt", "guid", "_links", "_embedded", "link", "slug", "excerpt", "date", "status", "type"}

// ghostOnlyFields are fields of a Ghost post that pressroom's format does
// not have; a Ghost post carries a dozen of them, two make the signature.
var ghostOnlyFields = []string{"mobiledoc", "lexical", "plaintext", "comment_id", "feature_image", "featured", "visibility",
	"custom_excerpt", "primary_tag", "primary_author", "reading_time", "codeinjection_head", "codeinjection_foot",
	"custom_template", "og_image", "og_title", "og_description", "twitter_image", "twitter_title", "twitter_description",
	"meta_title", "meta_description", "email_subject", "email_only", "newsletter_id", "feature_image_alt",
	"feature_image_caption", "created_by", "updated_by", "published_by", "email_recipient_filter", "show_title_and_feature_image"}

// postShape names the system a JSON object is a post of, or "":
//   - WordPress: "title" and "content" are objects holding "rendered", and
//     one more field of a WordPress post is present (date_gmt, guid, link,
//     slug, _links...);
//   - Ghost: a "uuid", a "title", a body ("html", "mobiledoc", "lexical" or
//     "plaintext") and at least two fields only Ghost writes
//     (ghostOnlyFields: comment_id, feature_image, visibility...).
func postShape(obj map[string]json.RawMessage) string {
	if hasRendered(obj["title"]) && hasRendered(obj["content"]) {
		for _, k := range wpOtherFields {
			if _, ok := obj[k]; ok {
				return shapeWordPress
			}
		}
	}
	if obj["uuid"] != nil && obj["title"] != nil && (obj["html"] != nil || obj["mobiledoc"] != nil || obj["lexical"] != nil || obj["plaintext"] != nil) {
		n := 0
		for _, k := range ghostOnlyFields {
			if _, ok := obj[k]; ok {
				n++
			}
		}
		if n >= 2 {
			return shapeGhost
		}
	}
	return ""
}

// present reports whether a field holds a value other than null.
func present(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && string(raw) != "null"
}

func hasRendered(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return false
	}
	var o struct {
		Rendered json.RawMessage `json:"rendered"`
	}
	return json.Unmarshal(raw, &o) == nil && o.Rendered != nil
}

// isGhostExport reports whether a JSON object is a Ghost export file:
// {"db": [{"data": {"posts": [...]}}]}.
func isGhostExport(obj map[string]json.RawMessage) bool {
	var db []struct {
		Data map[string]json.RawMessage `json:"data"`
	}
	if obj["db"] == nil || json.Unmarshal(obj["db"], &db) != nil || len(db) == 0 {
		return false
	}
	return db[0].Data["posts"] != nil
}

// exportKind names the shape of a JSON document that is another system's
// export (one of the shape* constants), or "" for pressroom's own format.
func exportKind(doc []byte) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(doc, &obj) == nil {
		if isGhostExport(obj) {
			return shapeGhostExport
		}
		if s := postShape(obj); s != "" {
			return s
		}
		if _, s := apiPosts(obj); s != "" {
			return s
		}
		return ""
	}
	var list []map[string]json.RawMessage
	if json.Unmarshal(doc, &list) == nil && len(list) > 0 {
		return postShape(list[0])
	}
	return ""
}

// apiPosts reads a Ghost API answer, {"posts": [...], "meta": ...}: the
// posts and their shape, or "" when obj is not one.
func apiPosts(obj map[string]json.RawMessage) ([]json.RawMessage, string) {
	for k := range obj {
		if k != "posts" && k != "meta" {
			return nil, ""
		}
	}
	var posts []json.RawMessage
	if obj["posts"] == nil || json.Unmarshal(obj["posts"], &posts) != nil || len(posts) == 0 {
		return nil, ""
	}
	var first map[string]json.RawMessage
	if json.Unmarshal(posts[0], &first) != nil || postShape(first) != shapeGhost {
		return nil, ""
	}
	return posts, shapeGhost
}

// parseExportObject reads a JSON object (doc, decoded as obj) that is a
// WordPress or Ghost post, a Ghost API answer or a Ghost export. ok is
// false when it is none of them: it is then pressroom's own format.
func parseExportObject(text string, doc []byte, obj map[string]json.RawMessage, opts Options, r *report) (m meta, ok bool) {
	if isGhostExport(obj) {
		return parseGhostExport(text, obj["db"], opts, r), true
	}
	switch postShape(obj) {
	case shapeWordPress:
		return parseWordPress(text, doc, opts, r), true
	case shapeGhost:
		return parseGhost(text, doc, nil, "read as a Ghost post", opts, r), true
	}
	if posts, shape := apiPosts(obj); shape != "" {
		if len(posts) > 1 {
			tooManyPosts(r, "a Ghost API answer", shapeGhost, len(posts), 0)
			return m, true
		}
		return parseGhost(text, posts[0], nil, "read as a Ghost post", opts, r), true
	}
	return m, false
}

// parseExportList reads a JSON list of WordPress or Ghost posts (what
// /wp/v2/posts?slug=... answers). ok is false when it is not one.
func parseExportList(text string, doc []byte, opts Options, r *report) (m meta, ok bool) {
	var list []json.RawMessage
	if json.Unmarshal(doc, &list) != nil || len(list) == 0 {
		return m, false
	}
	var first map[string]json.RawMessage
	if json.Unmarshal(list[0], &first) != nil {
		return m, false
	}
	shape := postShape(first)
	switch {
	case shape == "":
		return m, false
	case len(list) > 1:
		tooManyPosts(r, "a "+shape+" API answer", shape, len(list), 0)
	case shape == shapeWordPress:
		m = parseWordPress(text, list[0], opts, r)
	default:
		m = parseGhost(text, list[0], nil, "read as a Ghost post", opts, r)
	}
	return m, true
}

// tooManyPosts refuses a file holding several posts (and pages). Taking
// one of them would drop the others without a word, and every later stage
// (ids, URLs, the index) counts one article per file.
func tooManyPosts(r *report, what, shape string, posts, pages int) {
	count := plural(posts, "post")
	if pages > 0 {
		count += " and " + plural(pages, "page")
	}
	how := "/wp-json/wp/v2/posts/ID?_embed gives one post with its names"
	if shape != shapeWordPress {
		how = "/ghost/api/admin/posts/ID/?formats=html&include=tags,authors gives one post with its names"
	}
	r.add("file", 1, "this file is %s holding %s; pressroom publishes one article per file and does not pick one: save each post as its own .json file (%s)", what, count, how)
}

// cmsDate reads a date field of an export: a string, or Unix time in
// seconds or milliseconds (old Ghost exports). null, "" and WordPress's
// "0000-00-00T00:00:00" (a draft never scheduled) are no date.
func cmsDate(text, key string, raw json.RawMessage, loc *time.Location, opts Options, r *report) time.Time {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}
	}
	v, ok := decodeJSONField("date", raw, Options{Location: loc})
	s, _ := v.(string)
	if !ok {
		r.add(key, keyLine(text, key, "JSON"), "%q should be a date string such as 2021-02-22T16:18:00", key)
		return time.Time{}
	}
	if s = strings.TrimSpace(s); s == "" || strings.HasPrefix(s, "0000-00-00") {
		return time.Time{}
	}
	f := field{fm: frontMatter{values: map[string]any{key: s}, lines: map[string]int{key: keyLine(text, key, "JSON")}, format: "JSON"}, r: r, loc: loc, now: opts.Now}
	return f.date(key, key)
}

// htmlLine is the one-line plain text of an HTML snippet: tags dropped,
// entities decoded ("Maroc&#8217;s" gives "Maroc’s").
func htmlLine(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return cleanLine(s)
	}
	return cleanLine(plainText(s, 64<<10))
}

// reReadMore is the "[…]" WordPress ends its automatic excerpts with.
var reReadMore = lazyRE(`\s*\[(?:…|\.\.\.)\]\s*$`)

// ids formats a list of WordPress term or user ids for a note.
func ids(raw json.RawMessage) []string {
	var nums []json.Number
	if json.Unmarshal(raw, &nums) != nil {
		var one json.Number
		if json.Unmarshal(raw, &one) != nil {
			return nil
		}
		nums = []json.Number{one}
	}
	var out []string
	for _, n := range nums {
		if s := n.String(); s != "0" {
			out = append(out, s)
		}
	}
	return out
}

// cmsLang reads a language a system declares; a value that is not a
// language is left for detection, with a note (the editor cannot fix a
// system's setting in the file).
func cmsLang(m *meta, values ...jsonText) {
	for _, v := range values {
		if s := v.String(); s != "" {
			if c, ok := canonicalLang(s); ok {
				m.lang = c
				return
			}
			m.notes = append(m.notes, fmt.Sprintf("language %q not understood: detected from the text", shorten(s, 40)))
			return
		}
	}
}

func parseWordPress(text string, raw []byte, opts Options, r *report) meta {
	var m meta
	var p wpPost
	// Type mismatches leave a field empty: WordPress plugins write [] or
	// false for "none", and a missing title or body is refused below.
	_ = json.Unmarshal(raw, &p)
	m.notes = append(m.notes, "read as a WordPress post (REST API)")

	m.title = htmlLine(p.Title.Rendered.String())
	m.titleLine = keyLine(text, "title", "JSON")
	m.body = string(p.Content.Rendered)
	m.summary = reReadMore.ReplaceAllString(htmlLine(p.Excerpt.Rendered.String()), "…")
	if s, err := url.PathUnescape(p.Slug.String()); err == nil {
		m.slug = s
	} else {
		m.slug = p.Slug.String()
	}
	m.url = p.Link.String()
	// WordPress's own feeds give the guid as the item's id: keeping it
	// spares readers who followed them a second copy of every item.
	if g := html.UnescapeString(p.GUID.Rendered.String()); g != "" {
		if u, err := url.Parse(g); err == nil && u.IsAbs() {
			m.id = g
		}
	}

	// date_gmt is UTC written without an offset; date is the site's time.
	if m.published = cmsDate(text, "date_gmt", p.DateGMT, time.UTC, opts, r); m.published.IsZero() && !r.has("date_gmt") {
		m.published = cmsDate(text, "date", p.Date, opts.Location, opts, r)
	}
	if m.updated = cmsDate(text, "modified_gmt", p.ModifiedGMT, time.UTC, opts, r); m.updated.IsZero() && !r.has("modified_gmt") {
		m.updated = cmsDate(text, "modified", p.Modified, opts.Location, opts, r)
	}

	switch st := strings.ToLower(p.Status.String()); st {
	case "", "publish", "future": // future: scheduled by its date
	case "draft", "pending", "auto-draft":
		m.draft = true
	default: // private, trash, and statuses plugins add
		m.draft = true
		m.notes = append(m.notes, fmt.Sprintf("WordPress status %q: kept as a draft (only published and scheduled posts go to the feeds)", shorten(st, 40)))
	}
	if p.Content.Protected {
		m.draft = true
		m.notes = append(m.notes, "password-protected on WordPress: kept as a draft")
	}

	for _, a := range p.Embedded.Author {
		if n := a.Name.String(); n != "" {
			m.authors = append(m.authors, n)
		}
	}
	if len(m.authors) == 0 {
		if id := ids(p.Author); len(id) > 0 {
			m.notes = append(m.notes, "author id "+id[0]+" has no name in the file (fetch the post with ?_embed): no author")
		}
	}
	for _, group := range p.Embedded.Terms {
		for _, t := range group {
			switch name := html.UnescapeString(t.Name.String()); t.Taxonomy.String() {
			case "category":
				m.categories = append(m.categories, name)
			case "post_tag":
				m.tags = append(m.tags, name)
			}
		}
	}
	if len(p.Embedded.Terms) == 0 {
		var unnamed []string
		for _, t := range []struct {
			what string
			ids  []string
		}{{"category", ids(p.Categories)}, {"tag", ids(p.Tags)}} {
			switch len(t.ids) {
			case 0:
			case 1:
				unnamed = append(unnamed, t.what+" id "+t.ids[0])
			default:
				unnamed = append(unnamed, t.what+" ids "+strings.Join(t.ids, ", "))
			}
		}
		if len(unnamed) > 0 {
			m.notes = append(m.notes, strings.Join(unnamed, " and ")+": no names in the file (fetch the post with ?_embed), ignored")
		}
	}

	for _, media := range p.Embedded.Media {
		if m.image = media.SourceURL.String(); m.image != "" {
			break
		}
	}
	if m.image == "" {
		m.image = p.Jetpack.String()
	}
	if m.image == "" && len(p.Yoast.OGImage) > 0 {
		m.image = p.Yoast.OGImage[0].URL.String()
	}
	if id := ids(p.Media); m.image == "" && len(id) > 0 {
		m.notes = append(m.notes, "featured image id "+id[0]+" has no URL in the file (fetch the post with ?_embed): no image")
	}
	cmsLang(&m, p.Lang, p.Yoast.OGLocale)
	return m
}

// ghostURL is the placeholder Ghost exports write for the site's address.
const ghostURL = "__GHOST_URL__"

// reUUID matches a UUID as Ghost writes them.
var reUUID = lazyRE(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ghostTables are what an export holds about its posts elsewhere than in
// the post: tag and author names, the site's language.
type ghostTables struct {
	tags    []ghostTag
	authors []string
	locale  jsonText
}

func parseGhostExport(text string, db json.RawMessage, opts Options, r *report) meta {
	var m meta
	var e ghostExport
	_ = json.Unmarshal(db, &e.DB)
	data := e.DB[0].Data
	switch n := len(data.Posts); {
	case n == 0:
		r.add("file", 1, "this Ghost export holds no posts")
		return m
	case n > 1:
		pages := 0
		for _, p := range data.Posts {
			var post struct {
				Type jsonText `json:"type"`
			}
			if json.Unmarshal(p, &post) == nil && post.Type == "page" {
				pages++
			}
		}
		tooManyPosts(r, "a Ghost export", shapeGhost, n-pages, pages)
		return m
	}
	var post struct {
		ID       jsonText `json:"id"`
		AuthorID jsonText `json:"author_id"` // Ghost 0.x
	}
	if json.Unmarshal(data.Posts[0], &post) != nil {
		r.add("file", 1, "the post of this Ghost export is not a JSON object")
		return m
	}
	var t ghostTables
	tagByID := map[jsonText]ghostTag{}
	for _, tag := range data.Tags {
		tagByID[tag.ID] = tag
	}
	pt := data.PostsTags
	sort.SliceStable(pt, func(i, j int) bool { return pt[i].Order < pt[j].Order })
	for _, l := range pt {
		if tag, ok := tagByID[l.TagID]; ok && l.PostID == post.ID {
			t.tags = append(t.tags, tag)
		}
	}
	users := map[jsonText]string{}
	for _, u := range data.Users {
		users[u.ID] = u.Name.String()
	}
	pa := data.PostsAuthors
	sort.SliceStable(pa, func(i, j int) bool { return pa[i].Order < pa[j].Order })
	for _, l := range pa {
		if name := users[l.AuthorID]; name != "" && l.PostID == post.ID {
			t.authors = append(t.authors, name)
		}
	}
	if name := users[post.AuthorID]; len(t.authors) == 0 && name != "" {
		t.authors = append(t.authors, name)
	}
	for _, s := range data.Settings {
		switch s.Key {
		case "locale", "lang", "default_locale":
			t.locale = s.Value
		}
	}
	return parseGhost(text, data.Posts[0], &t, "read as the one post of a Ghost export", opts, r)
}

func parseGhost(text string, raw []byte, tables *ghostTables, what string, opts Options, r *report) meta {
	var m meta
	var p ghostPost
	_ = json.Unmarshal(raw, &p) // as for WordPress: a mistyped field reads as empty
	m.notes = append(m.notes, what)
	if tables != nil && len(p.Tags) == 0 {
		p.Tags = tables.tags
	}

	// Exports write __GHOST_URL__ for the site's address: the links become
	// relative to the site's base URL.
	unplaceholder := func(s jsonText) string {
		v := s.String()
		if strings.Contains(v, ghostURL) {
			v = strings.ReplaceAll(v, ghostURL, "")
		}
		return v
	}
	m.title = cleanLine(p.Title.String())
	m.titleLine = keyLine(text, "title", "JSON")
	m.slug = p.Slug.String()
	m.url = firstNonEmpty(unplaceholder(p.CanonicalURL), unplaceholder(p.URL))
	m.image = firstNonEmpty(unplaceholder(p.FeatureImage), unplaceholder(p.OGImage))
	m.summary = firstNonEmpty(p.CustomExcerpt.String(), p.MetaDesc.String(), p.Excerpt.String())
	// Ghost's own RSS gives the post's ObjectId as the guid, which is no IRI
	// (an Atom id must be one); the uuid is as permanent and makes one.
	if u := p.UUID.String(); reUUID.MatchString(u) {
		m.id = "urn:uuid:" + strings.ToLower(u)
	}
	switch {
	case p.HTML.String() != "":
		m.body = unplaceholder(p.HTML)
		if m.body != p.HTML.String() {
			m.notes = append(m.notes, "links to "+ghostURL+" made relative to the site")
		}
	case p.Plaintext.String() != "":
		m.body = textToHTML(string(p.Plaintext))
		m.notes = append(m.notes, "the post has no html: read from its plaintext")
	case present(p.Mobiledoc) || present(p.Lexical):
		r.add("html", keyLine(text, "html", "JSON"), "the Ghost post has no html, only its editor's document (mobiledoc or lexical), which pressroom does not render: export it with its html (Admin API: ?formats=html)")
	}

	m.published = cmsDate(text, "published_at", p.PublishedAt, opts.Location, opts, r)
	m.updated = cmsDate(text, "updated_at", p.UpdatedAt, opts.Location, opts, r)
	switch st := strings.ToLower(p.Status.String()); st {
	case "", "published", "scheduled": // the Content API gives no status: only published posts
	case "draft":
		m.draft = true
	default: // "sent": an email-only newsletter, never on the site
		m.draft = true
		m.notes = append(m.notes, fmt.Sprintf("Ghost status %q: kept as a draft (only published and scheduled posts go to the feeds)", shorten(st, 40)))
	}
	if p.EmailOnly && !m.draft {
		m.draft = true
		m.notes = append(m.notes, "an email-only Ghost post: kept as a draft")
	}
	// Members-only text must not reach public feeds: there is no partial
	// publication in pressroom, so the post waits as a draft.
	if v := strings.ToLower(p.Visibility.String()); v != "" && v != "public" {
		m.draft = true
		m.notes = append(m.notes, fmt.Sprintf("Ghost visibility %q: kept as a draft so members-only text stays out of public feeds", shorten(v, 40)))
	}

	// Internal tags (#name) organise the site; they are not subjects.
	public := func(t ghostTag) bool {
		n := t.Name.String()
		return n != "" && !strings.HasPrefix(n, "#") && !strings.EqualFold(t.Visibility.String(), "internal")
	}
	for _, t := range p.Tags {
		if public(t) {
			m.tags = append(m.tags, t.Name.String())
		}
	}
	// The primary tag (the first public one) is the post's section in
	// Ghost's themes and URLs.
	switch {
	case p.PrimaryTag != nil && public(*p.PrimaryTag):
		m.categories = []string{p.PrimaryTag.Name.String()}
	case len(m.tags) > 0:
		m.categories = m.tags[:1:1]
	}
	for _, a := range p.Authors {
		if n := a.Name.String(); n != "" {
			m.authors = append(m.authors, n)
		}
	}
	if len(m.authors) == 0 && p.PrimaryAuthor.Name.String() != "" {
		m.authors = []string{p.PrimaryAuthor.Name.String()}
	}
	locale := jsonText("")
	if tables != nil {
		if len(m.authors) == 0 {
			m.authors = tables.authors
		}
		locale = tables.locale
	}
	cmsLang(&m, p.Locale, locale)
	return m
}
