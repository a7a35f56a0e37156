package article

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestExportShapes: WordPress and Ghost posts are recognised by their
// signature only; pressroom's own format keeps refusing unknown fields.
func TestExportShapes(t *testing.T) {
	wp := func(extra string) string {
		return `{"title":{"rendered":"Budget &#8217;22 passes"},"content":{"rendered":"<p>The budget passed on Tuesday.</p>"},` + extra + `}`
	}
	ghost := func(extra string) string {
		return `{"uuid":"3f2b8c1e-5d47-4a0b-9e21-7c5d0a9b4e11","title":"Bike lanes","html":"<p>Forty kilometres of lanes.</p>","comment_id":"1","feature_image":null,` + extra + `}`
	}
	accepted := []struct {
		name, data string
		check      func(t *testing.T, a Article)
	}{
		{"wordpress date in the site's zone", wp(`"date":"2021-11-09T12:30:00","date_gmt":null,"status":"publish"`), func(t *testing.T, a Article) {
			if want := time.Date(2021, 11, 9, 11, 30, 0, 0, time.UTC); !a.Published.Equal(want) || a.Title != "Budget ’22 passes" {
				t.Errorf("published %v, title %q", a.Published, a.Title)
			}
		}},
		{"wordpress draft never scheduled", wp(`"date":"2021-11-09T12:30:00","date_gmt":"0000-00-00T00:00:00","status":"draft"`), func(t *testing.T, a Article) {
			if !a.Draft || a.Published.IsZero() {
				t.Errorf("draft %v, published %v", a.Draft, a.Published)
			}
		}},
		{"wordpress pending", wp(`"date_gmt":"2021-11-09T11:30:00","status":"pending"`), func(t *testing.T, a Article) {
			if !a.Draft {
				t.Error("a pending post is not a draft")
			}
		}},
		{"wordpress trash", wp(`"date_gmt":"2021-11-09T11:30:00","status":"trash"`), func(t *testing.T, a Article) {
			if !a.Draft || !hasNote(a, `status "trash"`) {
				t.Errorf("draft %v, notes %q", a.Draft, a.Notes)
			}
		}},
		{"wordpress password-protected", `{"title":{"rendered":"T"},"content":{"rendered":"<p>Secret.</p>","protected":true},"date_gmt":"2021-11-09T11:30:00","status":"publish"}`, func(t *testing.T, a Article) {
			if !a.Draft || !hasNote(a, "password-protected") {
				t.Errorf("draft %v, notes %q", a.Draft, a.Notes)
			}
		}},
		{"wordpress plugin fields of odd types", wp(`"date_gmt":"2021-11-09T11:30:00","meta":[],"yoast_head_json":[],"jetpack_featured_media_url":false,"_embedded":{"author":[{"code":"rest_user_invalid_id"}]}`), func(t *testing.T, a Article) {
			if a.Image != "" || len(a.Authors) != 0 || a.Draft {
				t.Errorf("image %q, authors %q, draft %v", a.Image, a.Authors, a.Draft)
			}
		}},
		{"ghost plaintext only", `{"uuid":"3f2b8c1e-5d47-4a0b-9e21-7c5d0a9b4e11","title":"T","plaintext":"One.\n\nTwo.","mobiledoc":"{}","visibility":"public","published_at":"2021-11-08T21:40:00.000Z"}`, func(t *testing.T, a Article) {
			if a.ContentHTML != "<p>One.</p>\n<p>Two.</p>" {
				t.Errorf("content %q", a.ContentHTML)
			}
		}},
		{"ghost newsletter", ghost(`"status":"sent","published_at":"2021-11-08T21:40:00.000Z"`), func(t *testing.T, a Article) {
			if !a.Draft || !hasNote(a, `status "sent"`) {
				t.Errorf("draft %v, notes %q", a.Draft, a.Notes)
			}
		}},
		{"ghost scheduled", ghost(`"status":"scheduled","published_at":"2027-03-01T07:00:00.000Z"`), func(t *testing.T, a Article) {
			if a.Draft || a.StatusAt(testNow) != StatusScheduled {
				t.Errorf("status %s", a.StatusAt(testNow))
			}
		}},
		{"ghost internal primary tag", ghost(`"published_at":"2021-11-08T21:40:00Z","tags":[{"name":"#feature","visibility":"internal"},{"name":"Sport"}],"primary_tag":{"name":"#feature","visibility":"internal"}`), func(t *testing.T, a Article) {
			if strings.Join(a.Tags, "|") != "Sport" || strings.Join(a.Categories, "|") != "Sport" {
				t.Errorf("tags %q, categories %q", a.Tags, a.Categories)
			}
		}},
		{"ghost 0.x export", `{"db":[{"meta":{"version":"0.11.14"},"data":{"posts":[{"id":1,"uuid":"0d3c9f5e-8b1a-4c6e-a2f4-5e7d9b1c3a80","title":"Old post","slug":"old-post","markdown":"Old text.","html":"<p>Old text.</p>","status":"published","visibility":"public","author_id":1,"published_at":1388318310783,"updated_at":1388318310783}],"users":[{"id":1,"name":"Karim Naciri"}],"tags":[{"id":2,"name":"Archive"}],"posts_tags":[{"id":1,"post_id":1,"tag_id":2}]}}]}`, func(t *testing.T, a Article) {
			if want := time.UnixMilli(1388318310000); !a.Published.Equal(want) || strings.Join(a.Authors, "|") != "Karim Naciri" || strings.Join(a.Tags, "|") != "Archive" {
				t.Errorf("published %v, authors %q, tags %q", a.Published, a.Authors, a.Tags)
			}
		}},
	}
	for _, tt := range accepted {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse("post.json", []byte(tt.data), testOptions())
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, a)
			tt.check(t, a)
		})
	}

	rejected := []struct {
		name, data, field, message string
	}{
		// pressroom's format with a Ghost field and a typo: one Ghost-only
		// field is no signature, so both are unknown fields.
		{"typo beside a Ghost field", `{"title":"T","uuid":"3f2b8c1e-5d47-4a0b-9e21-7c5d0a9b4e11","html":"<p>x</p>","feature_image":"i.jpg","tagz":["a"]}`, "tagz", "unknown field"},
		{"WordPress-like title alone", `{"title":{"rendered":"T"},"content":{"rendered":"<p>x</p>"}}`, "title", "should be a string"},
		{"typo beside WordPress date", `{"title":"T","content_html":"<p>x</p>","date_gmt":"2021-11-09T11:30:00"}`, "date_gmt", "unknown field"},
		{"wordpress date unreadable", wp(`"date_gmt":"soon"`), "date_gmt", `"soon" is not a date`},
		{"ghost without html", `{"uuid":"3f2b8c1e-5d47-4a0b-9e21-7c5d0a9b4e11","title":"T","mobiledoc":"{}","lexical":null,"html":null,"comment_id":"1","published_at":"2021-11-08T21:40:00Z"}`, "html", "does not render"},
		{"ghost export without posts", `{"db":[{"meta":{},"data":{"posts":[]}}]}`, "file", "holds no posts"},
		{"ghost API answer of two posts", `{"posts":[` + ghost(`"published_at":"2021-11-08T21:40:00Z"`) + `,` + ghost(`"published_at":"2021-11-09T21:40:00Z"`) + `],"meta":{}}`, "file", "holding 2 posts"},
		{"list of other objects", `[{"title":"T","content_text":"x"}]`, "file", "one JSON object"},
	}
	for _, tt := range rejected {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("post.json", []byte(tt.data), testOptions())
			if !errors.Is(err, ErrRejected) {
				t.Fatalf("got %v, want a rejection", err)
			}
			for _, p := range Problems(err) {
				if p.Field == tt.field && strings.Contains(p.Message, tt.message) {
					return
				}
			}
			t.Errorf("problems %v: none is %s: ...%s...", Problems(err), tt.field, tt.message)
		})
	}

	for data, want := range map[string]string{
		wp(`"slug":"x"`):                     shapeWordPress,
		ghost(`"visibility":"public"`):       shapeGhost,
		`[` + wp(`"link":"/x/"`) + `]`:       shapeWordPress,
		`{"db":[{"data":{"posts":[]}}]}`:     shapeGhostExport,
		`{"title":"T","content_text":"x"}`:   "",
		`{"posts":[{"title":"T"}]}`:          "",
		`{"uuid":"u","title":"T","html":""}`: "",
	} {
		if got := exportKind([]byte(data)); got != want {
			t.Errorf("exportKind(%.60s) = %q, want %q", data, got, want)
		}
	}
}

func hasNote(a Article, s string) bool {
	for _, n := range a.Notes {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}
