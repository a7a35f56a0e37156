package article

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
)

// TestCharsetLabels checks the small label table against htmlindex, the
// WHATWG index it replaces: every label names the same encoding there.
func TestCharsetLabels(t *testing.T) {
	for label, c := range charsetLabels() {
		enc, err := htmlindex.Get(label)
		if err != nil {
			t.Errorf("%s: not a WHATWG label: %v", label, err)
			continue
		}
		if name, _ := htmlindex.Name(enc); name != c.name {
			t.Errorf("%s: read as %s, WHATWG says %s", label, c.name, name)
		}
	}
}

// TestDeclaredCharsets parses HTML declaring each encoding docs/articles.md lists,
// and refuses one it does not read rather than guess.
func TestDeclaredCharsets(t *testing.T) {
	page := func(charset, title, body string) string {
		return "<html><head><meta charset=\"" + charset + "\"><title>" + title + "</title>" +
			"<meta property=\"article:published_time\" content=\"2021-01-01\"></head><body><p>" + body + "</p></body></html>"
	}
	tests := []struct {
		charset string
		cm      *charmap.Charmap
		title   string
		body    string
	}{
		{"windows-1256", charmap.Windows1256, "عنوان المقال", "نص المقال هنا، وهو طويل بما يكفي."},
		{"ISO-8859-6", charmap.ISO8859_6, "عنوان المقال", "نص المقال هنا، وهو طويل بما يكفي."},
		{"windows-1252", charmap.Windows1252, "Grève à Paris", "Les « cheminots » ont voté œuvre et coût…"},
		{"iso-8859-1", charmap.ISO8859_1, "Grève à Paris", "Les cheminots ont voté à une large majorité."},
		{"latin1", charmap.ISO8859_1, "Grève à Paris", "Les cheminots ont voté à une large majorité."},
		{"ISO-8859-15", charmap.ISO8859_15, "Grève à Paris", "Le billet coûte 3 € et cette œuvre est là."},
	}
	for _, tt := range tests {
		t.Run(tt.charset, func(t *testing.T) {
			data, err := tt.cm.NewEncoder().Bytes([]byte(page(tt.charset, tt.title, tt.body)))
			if err != nil {
				t.Fatal(err)
			}
			a, err := Parse("a.html", data, testOptions())
			if err != nil {
				t.Fatal(err)
			}
			if a.Title != tt.title || !strings.Contains(a.ContentHTML, tt.body) {
				t.Errorf("got %q %q", a.Title, a.ContentHTML)
			}
		})
	}
	t.Run("shift_jis refused", func(t *testing.T) {
		data := []byte(page("shift_jis", "\x93\xfa\x96\x7b", "\x83\x6e\x83\x8d\x81\x5b"))
		_, err := Parse("a.html", data, testOptions())
		var e *Error
		if !errors.Is(err, ErrRejected) || !errors.As(err, &e) || e.Problems[0].Field != "encoding" ||
			!strings.Contains(e.Problems[0].Message, `"shift_jis"`) {
			t.Fatalf("got %v, want an encoding rejection naming the charset", err)
		}
	})
}
