package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"math/rand/v2"
	"net/url"
	"testing"
	"time"

	article "github.com/pressroom/pressroom/internal/article/model"
)

// encodeXML writes a document as the renderers did before writeRSS and
// writeAtom: encoding/xml for the document, indented by two spaces, with
// the items written by writeRSSItems or writeAtomEntries (held to
// encoding/xml by TestItemsAsEncodingXML) before the end of the element
// that holds them.
func encodeXML(t *testing.T, site Site, doc any, end string, items func(*bytes.Buffer)) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(stylesheetPI(site))
	b.WriteByte('\n')
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(b.Bytes(), []byte(end)) {
		t.Fatalf("the document does not end with %q", end)
	}
	b.Truncate(b.Len() - len(end))
	items(&b)
	b.WriteString(end)
	b.WriteByte('\n')
	return b.Bytes()
}

// encodeJSON writes a document as the renderer did before writeJSON.
func encodeJSON(doc *jsonDoc) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(doc)
	return b.Bytes(), err
}

// checkWriters renders d's three models by hand and with the encoders,
// and fails where the bytes differ.
func checkWriters(t *testing.T, site Site, d Doc) {
	t.Helper()
	rss := rssDocOf(site, d)
	var got bytes.Buffer
	writeRSS(&got, site, rss)
	want := encodeXML(t, site, rss, "\n  </channel>\n</rss>", func(b *bytes.Buffer) { writeRSSItems(b, rss.Channel.Items) })
	diff(t, "RSS", got.Bytes(), want)

	atom := atomDocOf(site, d)
	got.Reset()
	writeAtom(&got, site, atom)
	want = encodeXML(t, site, atom, "\n</feed>", func(b *bytes.Buffer) { writeAtomEntries(b, atom.Entries) })
	diff(t, "Atom", got.Bytes(), want)

	jd := jsonDocOf(site, d)
	got.Reset()
	err := writeJSON(&got, jd)
	want, wantErr := encodeJSON(jd)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("JSON: writeJSON's error %v, encoding/json's %v", err, wantErr)
	}
	if err == nil {
		diff(t, "JSON", got.Bytes(), want)
	}
}

func diff(t *testing.T, format string, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	t.Fatalf("%s: the writer differs from the encoder at byte %d:\n got %q\nwant %q", format, i,
		got[max(0, i-80):min(len(got), i+80)], want[max(0, i-80):min(len(want), i+80)])
}

// someDoc is a random document: live feed or archive page, with hubs,
// deletions, images, authors, categories and every kind of text.
func someDoc(r *rand.Rand) (Site, Doc) {
	s := func() string { return someString(r) }
	home, _ := url.Parse("https://news.example.org/" + url.PathEscape(s()))
	feeds, _ := url.Parse("https://feeds.example.org/" + url.PathEscape(s()) + "/")
	site := Site{Title: s(), Description: s(), Language: s(), HomeURL: home, FeedsURL: feeds}
	if r.IntN(2) == 0 {
		site.IDDate = "2021-02-22"
	}
	for n := r.IntN(3); n > 0; n-- {
		site.Hubs = append(site.Hubs, "https://hub.example.org/"+url.PathEscape(s()))
	}
	ids := []string{"tags/" + s(), "categories/x", "languages/fr", "partners/p/" + s(), ""}
	d := Doc{Ref: Ref{ID: ids[r.IntN(len(ids))], Label: s()}, Pages: r.IntN(4), Full: r.IntN(2) == 0, Brief: r.IntN(4) == 0}
	if r.IntN(2) == 0 {
		d.Page = r.IntN(d.Pages + 1)
	}
	if r.IntN(4) == 0 {
		d.Formats = []string{RSSFile}
	}
	at := func() time.Time {
		zone := time.FixedZone("", (r.IntN(48)-24)*1800)
		return time.Unix(r.Int64N(4e9)-1e9, r.Int64N(3)*int64(r.IntN(1e9))).In(zone)
	}
	for n := r.IntN(3); n > 0; n-- {
		g := Deleted{ID: s(), At: at()}
		if r.IntN(2) == 0 {
			g.URL = s()
		}
		d.Deleted = append(d.Deleted, g)
	}
	for n := r.IntN(5); n > 0; n-- {
		a := article.Article{ID: s(), Title: s(), URL: s(), Summary: s(), ContentHTML: s(), Lang: s(), Dir: []string{"ltr", "rtl", ""}[r.IntN(3)],
			Published: at(), Updated: at(), Words: r.IntN(5000), Correction: s()}
		if r.IntN(2) == 0 {
			a.Image = "https://img.example.org/" + url.PathEscape(s()) + []string{".png", ".jpg", ".webp", ""}[r.IntN(4)]
		}
		for k := r.IntN(3); k > 0; k-- {
			a.Authors = append(a.Authors, s())
			a.Tags = append(a.Tags, s())
			a.Credits = append(a.Credits, s())
		}
		for k := r.IntN(3); k > 0; k-- {
			a.Categories = append(a.Categories, s())
		}
		d.Items = append(d.Items, a)
	}
	return site, d
}

// TestWritersAsEncoders holds writeRSS, writeAtom and writeJSON to the
// bytes encoding/xml and encoding/json write for the same models, on
// random documents and on the goldens' articles.
func TestWritersAsEncoders(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 14))
	for range 3000 {
		site, d := someDoc(r)
		checkWriters(t, site, d)
	}
	// A date encoding/json refuses.
	site, d := someDoc(rand.New(rand.NewPCG(1, 1)))
	d.Items = append(d.Items, article.Article{ID: "x", Published: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})
	checkWriters(t, site, d)
	if _, err := renderJSON(site, d); err == nil {
		t.Error("renderJSON took a date in the year 10000")
	}
}

func FuzzWritersAsEncoders(f *testing.F) {
	for _, s := range itemStrings {
		f.Add(s, s, uint64(1))
	}
	f.Fuzz(func(t *testing.T, a, b string, seed uint64) {
		site, d := someDoc(rand.New(rand.NewPCG(seed, 5)))
		site.Title, d.Ref.Label = a, b
		d.Items = append(d.Items, article.Article{ID: a, Title: b, Summary: a, ContentHTML: a + b, Lang: b,
			Authors: []string{a, b}, Tags: []string{b}, Categories: []string{a}, Credits: []string{b}})
		checkWriters(t, site, d)
	})
}
