package config

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse: any bytes give either a configuration every accessor can use
// (absolute URLs, a zone, limits in range) or a *config.Error naming what
// is wrong, without a panic; YAML bombs seed it.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"site:\n  title: Example\n  base_url: https://news.example.org/\n  language: ar_MA\n  timezone: Africa/Casablanca\nfeeds:\n  limit: 20\n  max_bytes: 256KiB\narticles:\n  max_file_size: 1MiB\n",
		"site:\n  titel: x\n",
		"feeds: {limit: 0}",
		"a: &a [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n",
		"site:\n  base_url: javascript:alert(1)\n",
		"- a\n- b\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		c, err := Parse("pressroom.yaml", data)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || ce.Message == "" || !strings.HasPrefix(err.Error(), "config: ") {
				t.Fatalf("error %T %q does not name the problem", err, err)
			}
			return
		}
		for _, u := range []string{c.BaseURL().String(), c.FeedsURL().String()} {
			if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") || !strings.HasSuffix(u, "/") {
				t.Fatalf("accepted a base URL %q", u)
			}
		}
		if c.Location() == nil || c.Feeds.Limit < 1 || c.Feeds.Limit > 1000 || c.MaxFileBytes() < 1024 || c.MaxFeedBytes() < 16<<10 ||
			strings.TrimSpace(c.Site.Title) == "" || !strings.Contains(c.Site.Permalink, ":slug") {
			t.Fatalf("accepted an unusable configuration %+v", c)
		}
		if _, err := Parse("again.yaml", data); err != nil {
			t.Fatalf("the same bytes failed the second time: %v", err)
		}
	})
}
