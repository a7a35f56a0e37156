package feed_test

import (
	"regexp"
	"testing"

	"github.com/pressroom/pressroom/internal/feed"
)

// TestIndexPageLanguage: index.html opens in the site's language and its
// direction (site.language), whatever the feeds hold.
func TestIndexPageLanguage(t *testing.T) {
	htmlTag := regexp.MustCompile(`<html[^>]*>`)
	for _, tt := range []struct{ lang, want string }{
		{"ar", `<html lang="ar" dir="rtl">`},
		{"ar-MA", `<html lang="ar-MA" dir="rtl">`},
		{"fa", `<html lang="fa" dir="rtl">`},
		{"he", `<html lang="he" dir="rtl">`},
		{"ur", `<html lang="ur" dir="rtl">`},
		{"fr", `<html lang="fr" dir="ltr">`},
		{"en", `<html lang="en" dir="ltr">`},
		{"zh-Hant", `<html lang="zh-Hant" dir="ltr">`},
	} {
		s := site()
		s.Language = tt.lang
		page, err := feed.IndexPage(s, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := htmlTag.FindString(string(page)); got != tt.want {
			t.Errorf("site.language %s: index.html opens %s, want %s", tt.lang, got, tt.want)
		}
	}
}
