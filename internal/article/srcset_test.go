package article

import (
	"net/url"
	"strings"
	"testing"
)

// TestResolveSrcset: candidates are read as HTML reads srcset (a URL runs
// to white space, so a comma inside it does not split it), each URL is
// resolved against the article's address, and a candidate whose URL is
// not allowed (data:, javascript:) goes whole, leaving nothing behind.
func TestResolveSrcset(t *testing.T) {
	base, _ := url.Parse("https://news.example.org/xss/")
	for _, c := range []struct{ in, want string }{
		{"img/a.jpg 1x, /b.jpg 2x", "https://news.example.org/xss/img/a.jpg 1x, https://news.example.org/b.jpg 2x"},
		{"img/a.jpg 1x, data:image/png;base64,AAAA 4x", "https://news.example.org/xss/img/a.jpg 1x"},
		{"data:image/png;base64,AAAA,BBBB 2x, c.jpg 3x", "https://news.example.org/xss/c.jpg 3x"},
		{"a.jpg, b.jpg 2x", "https://news.example.org/xss/a.jpg, https://news.example.org/xss/b.jpg 2x"},
		{"a.jpg,b.jpg 2x", "https://news.example.org/xss/a.jpg,b.jpg 2x"}, // one URL, as a browser reads it
		{"  a.jpg  100w ,  b.jpg\t200w  ", "https://news.example.org/xss/a.jpg 100w, https://news.example.org/xss/b.jpg 200w"},
		{"javascript:alert(1) 1x, ok.jpg 2x", "https://news.example.org/xss/ok.jpg 2x"},
		{", , ,", ""},
		{"", ""},
	} {
		got := resolveSrcset(base, c.in)
		if got != c.want {
			t.Errorf("resolveSrcset(%q) = %q, want %q", c.in, got, c.want)
		}
		if strings.Contains(got, "AAAA") || strings.Contains(got, "BBBB") {
			t.Errorf("resolveSrcset(%q) kept a piece of a data: URL: %q", c.in, got)
		}
	}
}
