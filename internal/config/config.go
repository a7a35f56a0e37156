// Package config reads pressroom.yaml, the one site configuration file that
// the local CLI and the Lambda functions share. Unknown keys and invalid
// values are errors naming the key; everything else has a default.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	article "github.com/pressroom/pressroom/internal/article/model"
	"github.com/pressroom/pressroom/internal/yamlerr"
)

// FileName is the configuration file looked for when none is named.
const FileName = "pressroom.yaml"

// Config is the whole site configuration.
type Config struct {
	Site     Site      `yaml:"site"`
	Feeds    Feeds     `yaml:"feeds"`
	Articles Articles  `yaml:"articles"`
	WebSub   WebSub    `yaml:"websub"`
	Partners []Partner `yaml:"partners"`

	baseURL  *url.URL
	feedsURL *url.URL
	// siteURLSet and feedsURLSet say the file gives site.base_url and
	// feeds.base_url (see ServedAt).
	siteURLSet, feedsURLSet bool
	location                *time.Location
	maxBytes                int64
	feedBytes               int64
}

// Site describes the publication.
type Site struct {
	Title       string `yaml:"title"`       // default "pressroom"
	BaseURL     string `yaml:"base_url"`    // default "http://127.0.0.1:8080/"
	Description string `yaml:"description"` // default ""
	Language    string `yaml:"language"`    // BCP 47, default "en"
	Timezone    string `yaml:"timezone"`    // IANA name, default "UTC"
	Permalink   string `yaml:"permalink"`   // article URL pattern, default "/:slug/"
}

// Feeds controls the generated feeds.
type Feeds struct {
	Limit    int    `yaml:"limit"`     // items in each live feed (older ones are on archive pages), default 50
	BaseURL  string `yaml:"base_url"`  // where the feeds are served, default site.base_url
	MaxBytes string `yaml:"max_bytes"` // size budget of one feed file, default "512KiB"
	// DeletedDays is how long a deleted or unpublished article stays
	// announced in its feeds (Atom at:deleted-entry, JSON _pressroom),
	// default 30; 0 announces nothing.
	DeletedDays int `yaml:"deleted_days"`
}

// WebSub names the hubs told of every changed feed.
type WebSub struct {
	Hubs []string `yaml:"hubs"`
}

// Partner is a partner's feed, partners/<name>/ behind access keys: the
// articles matching every filter given (a filter matches when any of its
// values does; an empty one matches all).
type Partner struct {
	Name        string   `yaml:"name"`
	Categories  []string `yaml:"categories"`
	Tags        []string `yaml:"tags"`
	Languages   []string `yaml:"languages"`
	FullContent bool     `yaml:"full_content"` // default false: summaries only
	Limit       int      `yaml:"limit"`        // items in the live feed, default feeds.limit
	Formats     []string `yaml:"formats"`      // json (default), rss, atom
}

// Articles controls how article files are read.
type Articles struct {
	MaxFileSize string `yaml:"max_file_size"` // e.g. "5MiB" (default) or a byte count
}

// Default returns the built-in configuration, valid as it is.
func Default() Config {
	c := Config{
		Site: Site{
			Title:     "pressroom",
			BaseURL:   "http://127.0.0.1:8080/",
			Language:  "en",
			Timezone:  "UTC",
			Permalink: article.DefaultPermalink,
		},
		Feeds:    Feeds{Limit: 50, MaxBytes: "512KiB", DeletedDays: 30},
		Articles: Articles{MaxFileSize: "5MiB"},
	}
	_ = c.validate(nil) // the defaults are valid; config_test checks it
	return c
}

// Error is a configuration problem, naming the key.
type Error struct {
	File, Key string
	Line      int
	Message   string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("config: ")
	if e.File != "" {
		b.WriteString(e.File + ": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		if e.Line > 0 {
			fmt.Fprintf(&b, " (line %d)", e.Line)
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	b.WriteString(e.Message)
	return b.String()
}

// Load reads a configuration file.
func Load(name string) (Config, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return Parse(name, data)
}

// Parse reads configuration from data; name is used in errors.
func Parse(name string, data []byte) (Config, error) {
	c := Default()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlerr.Locate(data, err)
		return Config{}, &Error{File: name, Line: line, Message: msg}
	}
	lines := map[string]int{}
	if len(doc.Content) > 0 {
		root := doc.Content[0]
		if root.Kind != yaml.MappingNode {
			return Config{}, &Error{File: name, Line: root.Line, Message: "the file must be a map of settings (site:, feeds:, articles:)"}
		}
		if err := checkKeys(root, reflect.TypeOf(c), "", lines); err != nil {
			err.File = name
			return Config{}, err
		}
		if err := root.Decode(&c); err != nil {
			return Config{}, &Error{File: name, Message: strings.TrimPrefix(err.Error(), "yaml: ")}
		}
	}
	if err := c.validate(lines); err != nil {
		err.File = name
		return Config{}, err
	}
	_, c.siteURLSet = lines["site.base_url"]
	_, c.feedsURLSet = lines["feeds.base_url"]
	return c, nil
}

// ServedAt returns the configuration for a local server at u: the
// addresses the file leaves to their defaults follow the server's, so its
// pages and feeds link to where they are served whatever the port. Without
// feeds.base_url, the feeds' self links and URLs are under u; without
// site.base_url either, the articles' URLs too (their ids keep the host
// only: a port makes no new id).
func (c Config) ServedAt(u *url.URL) Config {
	b, ok := baseURL(u.String())
	if !ok {
		return c
	}
	if !c.feedsURLSet {
		c.feedsURL, c.Feeds.BaseURL = b, b.String()
	}
	if !c.siteURLSet {
		c.baseURL, c.Site.BaseURL = b, b.String()
	}
	return c
}

// checkKeys reports the first key that does not name a field, with its
// dotted path, and records every key's line for later errors.
func checkKeys(n *yaml.Node, t reflect.Type, prefix string, lines map[string]int) *Error {
	if n.Kind != yaml.MappingNode {
		return &Error{Key: strings.TrimSuffix(prefix, "."), Line: n.Line, Message: "should be a map of settings"}
	}
	fields := map[string]reflect.StructField{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if tag := f.Tag.Get("yaml"); tag != "" && f.IsExported() {
			fields[tag] = f
			names = append(names, tag)
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		path := prefix + k.Value
		f, ok := fields[k.Value]
		if !ok {
			return &Error{Key: path, Line: k.Line, Message: fmt.Sprintf("unknown key (known keys here: %s)", strings.Join(names, ", "))}
		}
		lines[path] = k.Line
		switch {
		case f.Type.Kind() == reflect.Struct:
			if err := checkKeys(v, f.Type, path+".", lines); err != nil {
				return err
			}
		case f.Type.Kind() == reflect.Slice:
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				continue // "tags:" with nothing after it: an empty list
			}
			if v.Kind != yaml.SequenceNode {
				return &Error{Key: path, Line: k.Line, Message: "should be a list ([a, b] or one \"- item\" per line)"}
			}
			for i, item := range v.Content {
				ipath := fmt.Sprintf("%s[%d]", path, i)
				lines[ipath] = item.Line
				if f.Type.Elem().Kind() == reflect.Struct {
					if err := checkKeys(item, f.Type.Elem(), ipath+".", lines); err != nil {
						return err
					}
				} else if item.Kind != yaml.ScalarNode {
					return &Error{Key: ipath, Line: item.Line, Message: "should be a single value"}
				}
			}
		case v.Kind != yaml.ScalarNode:
			return &Error{Key: path, Line: k.Line, Message: "should be a single value"}
		}
	}
	return nil
}

// reSize and rePartner are compiled on first use: both Lambda functions
// import this package, and a cold start should not pay for them.
var reSize = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d+)\s*(b|kb|kib|k|mb|mib|m|gb|gib)?$`) })

func parseSize(s string) (int64, error) {
	m := reSize().FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return 0, errors.New("not a size")
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, err
	}
	mult := map[string]int64{"": 1, "b": 1, "k": 1 << 10, "kb": 1000, "kib": 1 << 10, "m": 1 << 20, "mb": 1000_000, "mib": 1 << 20, "gb": 1000_000_000, "gib": 1 << 30}[m[2]]
	return n * mult, nil
}

func (c *Config) validate(lines map[string]int) *Error {
	bad := func(key, format string, args ...any) *Error {
		return &Error{Key: key, Line: lines[key], Message: fmt.Sprintf(format, args...)}
	}
	u, ok := baseURL(c.Site.BaseURL)
	if !ok {
		return bad("site.base_url", "%q is not an absolute http(s) URL such as https://news.example.org/", c.Site.BaseURL)
	}
	c.baseURL, c.Site.BaseURL = u, u.String()
	c.feedsURL = u
	if c.Feeds.BaseURL != "" {
		f, ok := baseURL(c.Feeds.BaseURL)
		if !ok {
			return bad("feeds.base_url", "%q is not an absolute http(s) URL such as https://feeds.example.org/", c.Feeds.BaseURL)
		}
		c.feedsURL, c.Feeds.BaseURL = f, f.String()
	}
	if strings.TrimSpace(c.Site.Title) == "" {
		return bad("site.title", "must not be empty")
	}
	lang, err := article.CanonicalLanguage(c.Site.Language)
	if err != nil {
		return bad("site.language", "%q is not a language code: use a BCP 47 code such as ar, ar-MA, fr or en", c.Site.Language)
	}
	c.Site.Language = lang
	loc, err := time.LoadLocation(c.Site.Timezone)
	if err != nil || c.Site.Timezone == "" || c.Site.Timezone == "Local" {
		return bad("site.timezone", "%q is not an IANA time zone name such as Africa/Casablanca or Europe/Paris", c.Site.Timezone)
	}
	c.location = loc
	if !strings.Contains(c.Site.Permalink, ":slug") {
		return bad("site.permalink", "%q must contain :slug so every article has its own URL", c.Site.Permalink)
	}
	if c.Feeds.Limit < 1 || c.Feeds.Limit > 1000 {
		return bad("feeds.limit", "%d is out of range: give a number of items from 1 to 1000", c.Feeds.Limit)
	}
	fb, err := parseSize(c.Feeds.MaxBytes)
	if err != nil || fb < 16<<10 || fb > 64<<20 {
		return bad("feeds.max_bytes", "%q is not a size from 16KiB to 64MiB (write it as 512KiB or 524288)", c.Feeds.MaxBytes)
	}
	c.feedBytes = fb
	n, err := parseSize(c.Articles.MaxFileSize)
	if err != nil || n < 1024 || n > 1<<30 {
		return bad("articles.max_file_size", "%q is not a size from 1KiB to 1GiB (write it as 5MiB or 5242880)", c.Articles.MaxFileSize)
	}
	c.maxBytes = n
	if c.Feeds.DeletedDays < 0 || c.Feeds.DeletedDays > 3650 {
		return bad("feeds.deleted_days", "%d is out of range: give a number of days from 0 (announce no deletion) to 3650", c.Feeds.DeletedDays)
	}
	for i, h := range c.WebSub.Hubs {
		key := fmt.Sprintf("websub.hubs[%d]", i)
		u, err := url.Parse(strings.TrimSpace(h))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &Error{Key: key, Line: lines[key], Message: fmt.Sprintf("%q is not an absolute http(s) URL such as https://hub.example.org/", h)}
		}
		c.WebSub.Hubs[i] = u.String()
	}
	return c.validatePartners(lines)
}

var rePartner = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`) })

func (c *Config) validatePartners(lines map[string]int) *Error {
	seen := map[string]bool{}
	for i := range c.Partners {
		pt := &c.Partners[i]
		key := func(f string) string { return fmt.Sprintf("partners[%d].%s", i, f) }
		bad := func(f, format string, args ...any) *Error {
			k := key(f)
			line := lines[k]
			if line == 0 {
				line = lines[fmt.Sprintf("partners[%d]", i)]
			}
			return &Error{Key: k, Line: line, Message: fmt.Sprintf(format, args...)}
		}
		if !rePartner().MatchString(pt.Name) {
			return bad("name", "%q is not a partner name: use lower-case letters, digits and dashes (culture-desk), at most 63", pt.Name)
		}
		if seen[pt.Name] {
			return bad("name", "%q names two partners", pt.Name)
		}
		seen[pt.Name] = true
		if pt.Limit == 0 {
			pt.Limit = c.Feeds.Limit
		}
		if pt.Limit < 1 || pt.Limit > 1000 {
			return bad("limit", "%d is out of range: give a number of items from 1 to 1000", pt.Limit)
		}
		if len(pt.Formats) == 0 {
			pt.Formats = []string{"json"}
		}
		for _, f := range pt.Formats {
			if f != "json" && f != "rss" && f != "atom" {
				return bad("formats", "%q is not a format: use json, rss or atom", f)
			}
		}
		for j, l := range pt.Languages {
			lang, err := article.CanonicalLanguage(l)
			if err != nil {
				return bad("languages", "%q is not a language code: use a BCP 47 code such as ar, fr or en", l)
			}
			pt.Languages[j] = lang
		}
	}
	return nil
}

// baseURL parses an absolute http(s) URL and makes it end in "/".
func baseURL(s string) (*url.URL, bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, false
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawQuery, u.Fragment = "", ""
	return u, true
}

// FeedsURL returns where the feeds are served, always ending in "/".
func (c Config) FeedsURL() *url.URL {
	u := *c.feedsURL
	return &u
}

// BaseURL returns the site's base URL, always ending in "/".
func (c Config) BaseURL() *url.URL {
	u := *c.baseURL
	return &u
}

// Location returns the site's time zone.
func (c Config) Location() *time.Location { return c.location }

// MaxFeedBytes returns the size budget of one feed file in bytes.
func (c Config) MaxFeedBytes() int64 { return c.feedBytes }

// MaxFileBytes returns the article size limit in bytes.
func (c Config) MaxFileBytes() int64 { return c.maxBytes }

// ArticleOptions returns what article.Parse needs from the site settings.
func (c Config) ArticleOptions() article.Options {
	return article.Options{
		BaseURL:   c.BaseURL(),
		Location:  c.location,
		Language:  c.Site.Language,
		Permalink: c.Site.Permalink,
		MaxBytes:  c.maxBytes,
	}
}
