package article

import (
	"strings"
	"testing"
	"time"
)

func TestTitleNames(t *testing.T) {
	for _, tt := range []struct {
		title, headline string
		want            bool
	}{
		{"Site | Headline here", "Headline here", true},
		{"Headline here - Site", "Headline here", true},
		{"Headline here – Le Site du Jour", "Headline here", true},
		{"Headline here", "Headline here", true},
		{"بوابة النيل :: افتتاح المرحلة الأولى", "افتتاح المرحلة الأولى", true},
		{"الموقع « عنوان المقال", "عنوان المقال", true},
		{"Site|Headline here", "headline HERE", true},
		{"Other headline | Site", "Headline here", false},
		{"Site | Headline here about the port", "Headline here", false},
		{"Morocco - Germany: ties cut", "Germany", false}, // a name on both sides is no site name
		{"Headline here | A site name of far more than eight words, which is no name", "Headline here", false},
		{"", "Headline here", false},
	} {
		if got := titleNames(tt.title, tt.headline); got != tt.want {
			t.Errorf("titleNames(%q, %q) = %v, want %v", tt.title, tt.headline, got, tt.want)
		}
	}
}

// TestPageHeader: pages without metadata take their headline, date and
// byline from what the article's header shows, and from nowhere else.
func TestPageHeader(t *testing.T) {
	body := `<p>The council approved the plan on Monday night after a debate that lasted well over four hours, the mayor said.</p><p>Work starts in spring.</p>`
	tests := []struct {
		name, page, title string
		published         time.Time // zero: the date must come from the modification time
		authors           []string
		notInBody         []string
	}{
		{"two h1s, the title names neither",
			`<title>Harbour Times</title><h1 class="logo"><a href="/">Harbour Times</a></h1><div class="main"><h1>Council approves the plan</h1><p class="byline">By Dana Lee</p><p>Monday 8 November 2021 at 9:30 pm</p>` + body + `</div>`,
			"Council approves the plan", time.Date(2021, 11, 8, 21, 30, 0, 0, casablanca), []string{"Dana Lee"}, []string{"Dana", "9:30"}},
		{"no h1: the dateline above the text",
			`<title>Le plan est adopté - Le Journal</title><div class="post"><div class="post-date">mardi 9 novembre 2021 à 08h15</div><div class="content">` + body + `</div></div>`,
			"Le plan est adopté", time.Date(2021, 11, 9, 8, 15, 0, 0, casablanca), nil, []string{"08h15"}},
		{"the site's date of the day is no dateline",
			`<title>Site | Council approves the plan</title><header><div class="topbar">Wednesday 10 November 2021</div><nav><a href="/">Home</a></nav></header><div class="box"><h1>Council approves the plan</h1></div><div class="text">` + body + `</div>`,
			"Council approves the plan", time.Time{}, nil, nil},
		{"related stories' dates are no dateline",
			`<title>Site | Council approves the plan</title><article><h1>Council approves the plan</h1>` + body + `</article><div class="related"><p>Other story</p><p class="date">1 November 2021</p></div>`,
			"Council approves the plan", time.Time{}, nil, nil},
		{"a date in the text is no dateline",
			`<title>Site | Council approves the plan</title><h1>Council approves the plan</h1><p>On 8 November 2021 the council approved the plan after a debate that lasted well over four hours.</p>`,
			"Council approves the plan", time.Time{}, nil, nil},
		{"metadata wins; the dateline still leaves the body",
			`<title>Site | Council approves the plan</title><meta property="article:published_time" content="2021-11-08T10:00:00Z"><article><h1>Council approves the plan</h1><p class="meta">Monday 8 November 2021, 11:00</p>` + body + `</article>`,
			"Council approves the plan", time.Date(2021, 11, 8, 10, 0, 0, 0, time.UTC), nil, []string{"11:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse("page.html", []byte("<html lang=en><body>"+tt.page+"</body></html>"), testOptions())
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, a)
			if a.Title != tt.title {
				t.Errorf("title %q, want %q", a.Title, tt.title)
			}
			switch {
			case tt.published.IsZero() && a.DateSource != DateFromModTime:
				t.Errorf("published %v from %s, want the modification time", a.Published, a.DateSource)
			case !tt.published.IsZero() && !a.Published.Equal(tt.published):
				t.Errorf("published %v, want %v", a.Published, tt.published)
			}
			if strings.Join(a.Authors, "|") != strings.Join(tt.authors, "|") {
				t.Errorf("authors %q, want %q", a.Authors, tt.authors)
			}
			if !strings.Contains(a.ContentHTML, "The council approved") && !strings.Contains(a.ContentHTML, "On 8 November") {
				t.Errorf("body lost: %s", a.ContentHTML)
			}
			for _, s := range tt.notInBody {
				if strings.Contains(a.ContentHTML, s) {
					t.Errorf("body keeps %q: %s", s, a.ContentHTML)
				}
			}
		})
	}
}
