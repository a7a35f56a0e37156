package article

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"go.yaml.in/yaml/v3"

	"github.com/pressroom/pressroom/internal/yamlerr"
)

// Limits that keep hostile front matter cheap to refuse.
const (
	maxFrontMatter = 256 << 10 // bytes
	maxNodes       = 20000     // YAML nodes after alias expansion
	maxDepth       = 32
)

// frontMatter is a file's metadata block: keys folded to lower case, values
// as string, bool, float64, time.Time, []any or map[string]any.
type frontMatter struct {
	values map[string]any
	lines  map[string]int // 1-based line of each key in the file
	format string         // "YAML", "TOML" or "JSON"
}

// splitFrontMatter separates a leading YAML (---), TOML (+++) or JSON ({)
// block from the body. bodyLine is the file line the body starts on.
// ok is false when the text has no front matter.
func splitFrontMatter(text string, r *report) (fm frontMatter, body string, bodyLine int, ok bool) {
	first, _, _ := strings.Cut(text, "\n")
	first = strings.TrimRight(first, " \t")
	switch {
	case first == "---" || first == "+++":
		rest := text[len(first):]
		rest = strings.TrimPrefix(strings.TrimLeft(rest, " \t"), "\n")
		closers := []string{first}
		if first == "---" {
			closers = append(closers, "...")
		}
		end, next := -1, -1
		for i := 0; i <= len(rest); {
			j := strings.IndexByte(rest[i:], '\n')
			line := rest[i:]
			if j >= 0 {
				line = rest[i : i+j]
			}
			for _, c := range closers {
				if strings.TrimRight(line, " \t") == c {
					end, next = i, i+len(line)
					if j >= 0 {
						next++
					}
				}
			}
			if end >= 0 || j < 0 {
				break
			}
			i += j + 1
		}
		kind := map[string]string{"---": "YAML", "+++": "TOML"}[first]
		if end < 0 {
			r.add("front matter", 1, "the %s front matter that opens with %q on line 1 is never closed", kind, first)
			return frontMatter{}, "", 0, true
		}
		block := rest[:end]
		bodyLine = strings.Count(text[:len(text)-len(rest)+next], "\n") + 1
		fm = parseFrontMatterBlock(kind, block, 2, r)
		return fm, rest[next:], bodyLine, true
	case strings.HasPrefix(text, "{"):
		dec := json.NewDecoder(strings.NewReader(text))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			r.add("front matter", jsonErrorLine(text, err), "the JSON front matter is not valid JSON: %s", jsonErrorText(err))
			return frontMatter{}, "", 0, true
		}
		n := int(dec.InputOffset())
		bodyLine = strings.Count(text[:n], "\n") + 1
		fm = parseFrontMatterBlock("JSON", string(raw), 1, r)
		return fm, text[n:], bodyLine, true
	}
	return frontMatter{}, text, 1, false
}

// parseFrontMatterBlock decodes one block; firstLine is the file line the
// block's first line is on.
func parseFrontMatterBlock(kind, block string, firstLine int, r *report) frontMatter {
	fm := frontMatter{values: map[string]any{}, lines: map[string]int{}, format: kind}
	if len(block) > maxFrontMatter {
		r.add("front matter", firstLine, "the front matter is longer than %s", humanBytes(maxFrontMatter))
		return fm
	}
	var top map[string]any
	switch kind {
	case "YAML":
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(block), &doc); err != nil {
			line, msg := yamlerr.Locate([]byte(block), err)
			r.add("front matter", firstLine+line-1, "the YAML front matter is not valid: %s", msg)
			return fm
		}
		if doc.Kind == 0 || len(doc.Content) == 0 {
			return fm
		}
		root := doc.Content[0]
		if root.Kind != yaml.MappingNode {
			r.add("front matter", firstLine+root.Line-1, "the front matter must be a list of key: value pairs")
			return fm
		}
		budget := maxNodes
		v, err := yamlValue(root, 0, &budget)
		if err != nil {
			r.add("front matter", firstLine, "%v", err)
			return fm
		}
		top, _ = v.(map[string]any)
		for i := 0; i+1 < len(root.Content); i += 2 {
			fm.lines[strings.ToLower(root.Content[i].Value)] = firstLine + root.Content[i].Line - 1
		}
	case "TOML":
		if depth(block, '[', ']') > maxDepth {
			r.add("front matter", firstLine, "the front matter is nested more than %d levels deep", maxDepth)
			return fm
		}
		if _, err := toml.Decode(block, &top); err != nil {
			line := 0
			if pe, ok := err.(toml.ParseError); ok {
				line = firstLine + pe.Position.Line - 1
			}
			r.add("front matter", line, "the TOML front matter is not valid: %s", tomlErrorText(err))
			return fm
		}
	case "JSON":
		if depth(block, '{', '}')+depth(block, '[', ']') > maxDepth {
			r.add("front matter", firstLine, "the front matter is nested more than %d levels deep", maxDepth)
			return fm
		}
		d := json.NewDecoder(strings.NewReader(block))
		d.UseNumber()
		if err := d.Decode(&top); err != nil {
			r.add("front matter", firstLine+jsonErrorLine(block, err)-1, "the JSON front matter is not valid: %s", jsonErrorText(err))
			return fm
		}
	}
	for k, v := range top {
		fm.values[strings.ToLower(k)] = v
	}
	if kind != "YAML" {
		for k := range fm.values {
			fm.lines[k] = firstLine + keyLine(block, k, kind) - 1
		}
	}
	return fm
}

// yamlValue converts a YAML node into plain values, keeping scalars as
// their source text (so dates stay in the site's zone) and expanding
// aliases within a budget that stops "billion laughs" documents.
func yamlValue(n *yaml.Node, d int, budget *int) (any, error) {
	*budget--
	if *budget < 0 {
		return nil, fmt.Errorf("the front matter expands to too many values (YAML aliases used as a bomb?)")
	}
	if d > maxDepth {
		return nil, fmt.Errorf("the front matter is nested more than %d levels deep", maxDepth)
	}
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err == nil {
				return b, nil
			}
		case "!!null":
			return nil, nil
		}
		return n.Value, nil
	case yaml.AliasNode:
		return yamlValue(n.Alias, d+1, budget)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := yamlValue(c, d+1, budget)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := yamlValue(n.Content[i+1], d+1, budget)
			if err != nil {
				return nil, err
			}
			out[strings.ToLower(n.Content[i].Value)] = v
		}
		return out, nil
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			return yamlValue(n.Content[0], d+1, budget)
		}
	}
	return nil, nil
}

// depth returns the deepest nesting of open/close in s, ignoring quoting:
// an upper bound that is cheap to compute before decoding.
func depth(s string, open, close byte) int {
	d, max := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case open:
			d++
			if d > max {
				max = d
			}
		case close:
			d--
		}
	}
	return max
}

// keyLine finds the 1-based line where a top-level key is written.
func keyLine(block, key, kind string) int {
	var re *regexp.Regexp
	if kind == "JSON" {
		re = regexp.MustCompile(`(?i)"` + regexp.QuoteMeta(key) + `"\s*:`)
	} else {
		re = regexp.MustCompile(`(?im)^\s*["']?` + regexp.QuoteMeta(key) + `["']?\s*=`)
	}
	if loc := re.FindStringIndex(block); loc != nil {
		return strings.Count(block[:loc[0]], "\n") + 1
	}
	return 1
}

func tomlErrorText(err error) string {
	if pe, ok := err.(toml.ParseError); ok {
		return pe.Message
	}
	return err.Error()
}

func jsonErrorLine(text string, err error) int {
	var se *json.SyntaxError
	if e, ok := err.(*json.SyntaxError); ok {
		se = e
		return strings.Count(text[:min(int(se.Offset), len(text))], "\n") + 1
	}
	if e, ok := err.(*json.UnmarshalTypeError); ok {
		return strings.Count(text[:min(int(e.Offset), len(text))], "\n") + 1
	}
	return 0
}

func jsonErrorText(err error) string {
	return strings.TrimPrefix(err.Error(), "json: ")
}

// field reads front matter values by Hugo's and Jekyll's names.
type field struct {
	fm  frontMatter
	r   *report
	loc *time.Location
	now time.Time
}

// lookup returns the value of the first alias present, and its key.
func (f field) lookup(names ...string) (any, string) {
	for _, n := range names {
		if v, ok := f.fm.values[n]; ok && v != nil {
			return v, n
		}
	}
	return nil, ""
}

func (f field) line(key string) int { return f.fm.lines[key] }

// text reads a one-line text value.
func (f field) text(name string, names ...string) string {
	v, key := f.lookup(names...)
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case float64, int64, bool:
		return fmt.Sprint(v)
	case time.Time:
		return v.Format(time.RFC3339)
	default:
		f.r.add(name, f.line(key), "%q should be text, not %s", key, describe(v))
		return ""
	}
}

// list reads a list of names: a YAML/TOML/JSON list, or one comma-separated
// string. Items may be maps with a "name" (authors).
func (f field) list(name string, names ...string) []string {
	v, key := f.lookup(names...)
	var out []string
	var add func(v any) bool
	add = func(v any) bool {
		switch v := v.(type) {
		case nil:
		case string:
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s != "" {
					out = append(out, s)
				}
			}
		case json.Number, float64, int64:
			out = append(out, fmt.Sprint(v))
		case map[string]any:
			if n, ok := v["name"].(string); ok {
				out = append(out, n)
				return true
			}
			return false
		case []any:
			for _, item := range v {
				if !add(item) {
					return false
				}
			}
		default:
			return false
		}
		return true
	}
	if !add(v) {
		f.r.add(name, f.line(key), "%q should be a list of names, not %s", key, describe(v))
		return nil
	}
	return out
}

// authors reads the authors: a list is taken as the editor wrote it, one
// string is a byline and is split ("Jane Doe and Samuel Okafor", "Claire
// Martin et Karim Naciri, avec AFP"). It returns the agencies a string
// credits apart.
func (f field) authors(name string, names ...string) (authors, credits []string) {
	if v, _ := f.lookup(names...); v != nil {
		if s, ok := v.(string); ok {
			return splitByline(s)
		}
	}
	return f.list(name, names...), nil
}

// date reads a date; a value without an offset is in the site's zone.
func (f field) date(name string, names ...string) time.Time {
	v, key := f.lookup(names...)
	switch v := v.(type) {
	case nil:
		return time.Time{}
	case time.Time:
		// TOML local dates and times carry no zone: read them in the site's.
		switch v.Location().String() {
		case "datetime-local", "date-local", "time-local":
			v = time.Date(v.Year(), v.Month(), v.Day(), v.Hour(), v.Minute(), v.Second(), v.Nanosecond(), f.loc)
		}
		if !Storable(v) {
			f.r.add(name, f.line(key), "%s: %v", v.Format(time.RFC3339), errOffset)
			return time.Time{}
		}
		return f.inWindow(name, key, v)
	case string:
		t, err := ParseDate(v, f.loc)
		if errors.Is(err, errOffset) {
			f.r.add(name, f.line(key), "%q is not a date I can use: %v (write it as 2021-02-22T16:18:00+01:00)", v, err)
			return time.Time{}
		}
		if err != nil {
			f.r.add(name, f.line(key), "%q is not a date I can read: write it as 2021-02-22, 2021-02-22T16:18:00+01:00 or 22 February 2021", v)
			return time.Time{}
		}
		return f.inWindow(name, key, t)
	case bool:
		return time.Time{} // "published: false" is Jekyll's draft flag, read by flag().
	default:
		f.r.add(name, f.line(key), "%q should be a date, not %s", key, describe(v))
		return time.Time{}
	}
}

// inWindow refuses a date outside [MinDate, now + MaxAhead] here, where
// its line is known (the year 1 would otherwise read as no date at all);
// expiry dates may be later.
func (f field) inWindow(name, key string, t time.Time) time.Time {
	latest := f.now.Add(MaxAhead)
	switch {
	case t.Before(MinDate):
		f.r.add(name, f.line(key), "%s is before %d: write the date in full (2021-02-22)", t.Format("2006-01-02"), MinDate.Year())
		return time.Time{}
	case !f.now.IsZero() && !strings.Contains(name, "expir") && t.After(latest):
		f.r.add(name, f.line(key), "%s is more than %d years ahead: dates of articles may not be later than %s", t.Format("2006-01-02"), int(MaxAhead.Hours()/24/365), latest.Format("2006-01-02"))
		return time.Time{}
	}
	return t
}

// flag reads a boolean; "yes"/"no" and "true"/"false" as text work too.
func (f field) flag(name string, names ...string) (value, present bool) {
	v, key := f.lookup(names...)
	switch v := v.(type) {
	case nil:
		return false, false
	case bool:
		return v, true
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true", "yes", "on", "1":
			return true, true
		case "false", "no", "off", "0":
			return false, true
		}
	}
	f.r.add(name, f.line(key), "%q should be true or false, not %s", key, describe(v))
	return false, false
}

func describe(v any) string {
	switch v := v.(type) {
	case []any:
		return "a list"
	case map[string]any:
		return "a map"
	case string:
		return strconv.Quote(v)
	case nil:
		return "nothing"
	}
	return fmt.Sprintf("%v", v)
}

// image reads an image URL: a string, the first of a list, or a map with
// "url", "src" or "image" (Hugo's cover.image).
func (f field) image(names ...string) string {
	v, _ := f.lookup(names...)
	for i := 0; i < 4; i++ {
		switch x := v.(type) {
		case string:
			return strings.TrimSpace(x)
		case []any:
			if len(x) == 0 {
				return ""
			}
			v = x[0]
		case map[string]any:
			switch {
			case x["url"] != nil:
				v = x["url"]
			case x["src"] != nil:
				v = x["src"]
			default:
				v = x["image"]
			}
		default:
			return ""
		}
	}
	return ""
}

// applyFrontMatter maps the field names editors already use onto m.
func applyFrontMatter(fm frontMatter, m *meta, opts Options, r *report) {
	f := field{fm: fm, r: r, loc: opts.Location, now: opts.Now}
	m.title = f.text("title", "title", "headline")
	m.titleLine = f.line("title")
	m.published = f.date("date", "publishdate", "pubdate", "published", "date", "date_published", "datepublished")
	m.updated = f.date("lastmod", "lastmod", "modified", "updated", "last_modified_at", "date_modified", "datemodified")
	m.expires = f.date("expirydate", "expirydate", "unpublishdate", "expires", "expiry_date", "date_expires")
	if d, ok := f.flag("draft", "draft"); ok {
		m.draft = d
	}
	if p, ok := fm.values["published"].(bool); ok && !p {
		m.draft = true // Jekyll: published: false
	}
	if s := strings.ToLower(f.text("status", "status")); s == "draft" || s == "unpublished" {
		m.draft = true
	}
	m.summary = f.text("summary", "description", "summary", "excerpt")
	m.correction = f.text("correction", "correction", "corrections", "correction_note")
	m.slug = f.text("slug", "slug")
	m.url = f.text("url", "url", "permalink", "canonical", "canonicalurl")
	m.id = f.text("id", "id", "guid", "uuid")
	m.tags = f.list("tags", "tags", "keywords")
	m.categories = f.list("categories", "categories", "category", "section")
	m.authors, m.credits = f.authors("authors", "authors", "author")
	m.image = f.image("image", "images", "feature_image", "featured_image", "cover", "thumbnail")
	if l := f.text("lang", "lang", "language", "locale", "inlanguage"); l != "" {
		if c, ok := canonicalLang(l); ok {
			m.lang = c
		} else {
			_, key := f.lookup("lang", "language", "locale", "inlanguage")
			r.add("lang", f.line(key), "%q is not a language code: use a BCP 47 code such as ar, ar-MA, fr or en", l)
		}
	}
}
