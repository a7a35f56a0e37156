package config

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefault(t *testing.T) {
	c := Default()
	if err := c.validate(nil); err != nil {
		t.Fatalf("the defaults do not validate: %v", err)
	}
	if c.Site.Language != "en" || c.Feeds.Limit != 50 || c.MaxFileBytes() != 5<<20 || c.Location().String() != "UTC" ||
		c.BaseURL().String() != "http://127.0.0.1:8080/" {
		t.Errorf("unexpected defaults: %+v", c)
	}
}

func TestParse(t *testing.T) {
	c, err := Parse("pressroom.yaml", []byte(`
site:
  title: "Example Daily"
  base_url: "https://news.example.org/ar"
  description: "..."
  language: "ar_MA"
  timezone: "Africa/Casablanca"
  permalink: "/:year/:slug/"
feeds:
  limit: 20
articles:
  max_file_size: 512KiB
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Site.Title != "Example Daily" || c.Site.Language != "ar-MA" || c.Feeds.Limit != 20 || c.MaxFileBytes() != 512<<10 {
		t.Errorf("got %+v", c)
	}
	if got := c.BaseURL().String(); got != "https://news.example.org/ar/" {
		t.Errorf("base URL %q, want a trailing slash added", got)
	}
	opts := c.ArticleOptions()
	if opts.Location.String() != "Africa/Casablanca" || opts.Language != "ar-MA" || opts.Permalink != "/:year/:slug/" || opts.MaxBytes != 512<<10 {
		t.Errorf("article options %+v", opts)
	}
	// Keys not given keep their defaults.
	c, err = Parse("p.yaml", []byte("site:\n  title: Only a title\n"))
	if err != nil || c.Site.Timezone != "UTC" || c.Feeds.Limit != 50 {
		t.Errorf("partial file: %+v, %v", c, err)
	}
	if _, err := Parse("empty.yaml", nil); err != nil {
		t.Errorf("empty file: %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml, key string
		line            int
		message         string
	}{
		{"unknown top-level key", "site:\n  title: x\nfeed:\n  limit: 3\n", "feed", 3, "unknown key"},
		{"unknown nested key", "site:\n  titel: x\n", "site.titel", 2, "unknown key"},
		{"section not a map", "site: hello\n", "site", 1, "map"},
		{"value not scalar", "site:\n  title: [a, b]\n", "site.title", 2, "single value"},
		{"relative base URL", "site:\n  base_url: /news/\n", "site.base_url", 2, "absolute"},
		{"ftp base URL", "site:\n  base_url: ftp://x.org/\n", "site.base_url", 2, "absolute http"},
		{"bad language", "site:\n  language: arabic!\n", "site.language", 2, "language code"},
		{"bad time zone", "site:\n  timezone: Mars/Olympus\n", "site.timezone", 2, "IANA"},
		{"empty title", "site:\n  title: ''\n", "site.title", 2, "empty"},
		{"permalink without slug", "site:\n  permalink: /:year/\n", "site.permalink", 2, ":slug"},
		{"limit zero", "feeds:\n  limit: 0\n", "feeds.limit", 2, "out of range"},
		{"limit too big", "feeds:\n  limit: 100000\n", "feeds.limit", 2, "out of range"},
		{"bad size", "articles:\n  max_file_size: huge\n", "articles.max_file_size", 2, "size"},
		{"deleted days negative", "feeds:\n  deleted_days: -1\n", "feeds.deleted_days", 2, "out of range"},
		{"hubs not a list", "websub:\n  hubs: https://hub.example.org/\n", "websub.hubs", 2, "list"},
		{"relative hub", "websub:\n  hubs:\n    - /hub\n", "websub.hubs[0]", 3, "absolute"},
		{"partner without name", "partners:\n  - categories: [a]\n", "partners[0].name", 2, "partner name"},
		{"partner bad name", "partners:\n  - name: Culture Desk\n", "partners[0].name", 2, "lower-case"},
		{"partner twice", "partners:\n  - name: a\n  - name: a\n", "partners[1].name", 3, "two partners"},
		{"partner typo", "partners:\n  - name: a\n    categorys: [x]\n", "partners[0].categorys", 3, "unknown key"},
		{"partner format", "partners:\n  - name: a\n    formats: [xml]\n", "partners[0].formats", 3, "json, rss or atom"},
		{"partner language", "partners:\n  - name: a\n    languages: [arabic!]\n", "partners[0].languages", 3, "language code"},
		{"partner limit", "partners:\n  - name: a\n    limit: 5000\n", "partners[0].limit", 3, "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("pressroom.yaml", []byte(tt.yaml))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want *Error", err)
			}
			if e.Key != tt.key || e.Line != tt.line || !strings.Contains(e.Message, tt.message) || e.File != "pressroom.yaml" {
				t.Errorf("got %+v, want key %s line %d message ...%s...", e, tt.key, tt.line, tt.message)
			}
			if !strings.Contains(err.Error(), "pressroom.yaml") || !strings.Contains(err.Error(), tt.key) {
				t.Errorf("message %q does not name the file and key", err)
			}
		})
	}
	for _, bad := range []string{"site: [\n", "feeds:\n  limit: many\n", "- a\n"} {
		if _, err := Parse("p.yaml", []byte(bad)); err == nil {
			t.Errorf("Parse(%q) accepted invalid YAML", bad)
		}
	}
}

func TestPartnersAndHubs(t *testing.T) {
	c, err := Parse("p.yaml", []byte("feeds:\n  limit: 30\nwebsub:\n  hubs: [\"https://hub.example.org/\"]\npartners:\n  - name: culture-desk\n    categories: [\"ثقافة\"]\n    languages: [AR]\n    full_content: true\n  - name: wire\n    tags:\n    formats: [rss, atom]\n"))
	if err != nil {
		t.Fatal(err)
	}
	p0, p1 := c.Partners[0], c.Partners[1]
	if p0.Limit != 30 || !p0.FullContent || p0.Languages[0] != "ar" || len(p0.Formats) != 1 || p0.Formats[0] != "json" ||
		p1.FullContent || len(p1.Tags) != 0 || len(p1.Formats) != 2 || c.WebSub.Hubs[0] != "https://hub.example.org/" || c.Feeds.DeletedDays != 30 {
		t.Errorf("parsed %+v %+v %+v", p0, p1, c.WebSub)
	}
}

func TestLoad(t *testing.T) {
	path := filepath.Join("..", "..", "examples", "site", "pressroom.yaml")
	c, err := Load(path)
	if err != nil {
		t.Fatalf("the bundled example config does not load: %v", err)
	}
	if c.Site.Language != "ar" {
		t.Errorf("language %q", c.Site.Language)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestServedAt(t *testing.T) {
	at, _ := url.Parse("http://127.0.0.1:9090")
	tests := []struct {
		name, yaml, site, feeds string
	}{
		{"defaults", "", "http://127.0.0.1:9090/", "http://127.0.0.1:9090/"},
		{"site URL given", "site:\n  base_url: https://news.example.org/\n", "https://news.example.org/", "http://127.0.0.1:9090/"},
		{"both given", "site:\n  base_url: https://news.example.org/\nfeeds:\n  base_url: https://feeds.example.org/\n", "https://news.example.org/", "https://feeds.example.org/"},
		{"feeds URL given", "feeds:\n  base_url: http://127.0.0.1:8080/\n", "http://127.0.0.1:9090/", "http://127.0.0.1:8080/"},
	}
	for _, tt := range tests {
		c, err := Parse("p.yaml", []byte(tt.yaml))
		if err != nil {
			t.Fatal(err)
		}
		c = c.ServedAt(at)
		if c.BaseURL().String() != tt.site || c.FeedsURL().String() != tt.feeds {
			t.Errorf("%s: site %s, feeds %s; want %s, %s", tt.name, c.BaseURL(), c.FeedsURL(), tt.site, tt.feeds)
		}
		if opts := c.ArticleOptions(); opts.BaseURL.String() != tt.site {
			t.Errorf("%s: articles under %s, want %s", tt.name, opts.BaseURL, tt.site)
		}
	}
	if c := Default().ServedAt(at); c.FeedsURL().String() != "http://127.0.0.1:9090/" {
		t.Errorf("built-in defaults: feeds at %s", c.FeedsURL())
	}
}
