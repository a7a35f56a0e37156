package feed

import (
	"bytes"
	"encoding/xml"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gorilla/feeds"
)

// refRSS and refAtom place items where the documents do (an item at depth
// 2, an entry at depth 1), for encoding/xml to write them as it did
// before writeRSSItems and writeAtomEntries.
type refRSS struct {
	XMLName xml.Name `xml:"rss"`
	Channel struct {
		Title    string     `xml:"title"`
		Items    []*rssItem `xml:"item"`
		ItemsXML []byte     `xml:",innerxml"`
	} `xml:"channel"`
}

type refAtom struct {
	XMLName    xml.Name     `xml:"feed"`
	Title      string       `xml:"title"`
	Entries    []*atomEntry `xml:"entry"`
	EntriesXML []byte       `xml:",innerxml"`
}

func marshalIndented(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// itemStrings are values that test every escape: markup, quotes, white
// space, controls, CDATA ends, characters XML forbids, invalid UTF-8.
var itemStrings = []string{"", "plain", "العربية", `<p>"a" & 'b'</p>`, "line\nbreak\r\ttab", "a]]>b]]>", "]]>",
	"\x00\x01\x1f\x7f", "\uFFFD", "\xff\xfe", "\uFFFE\uFFFF", "\xed\xa0\x80", "\U0001F600", "\u2028", "é"}

func someString(r *rand.Rand) string {
	var b bytes.Buffer
	for n := r.IntN(4); n >= 0; n-- {
		b.WriteString(itemStrings[r.IntN(len(itemStrings))])
	}
	return b.String()
}

func someItems(r *rand.Rand) ([]*rssItem, []*atomEntry) {
	var items []*rssItem
	var entries []*atomEntry
	for n := r.IntN(4); n > 0; n-- {
		s := func() string { return someString(r) }
		it := &rssItem{RssItem: &feeds.RssItem{Title: s(), Link: s(), Description: s(), Content: &feeds.RssContent{Content: s()},
			Guid: &feeds.RssGuid{Id: s(), IsPermaLink: s()}, PubDate: s()}}
		e := &atomEntry{AtomEntry: &feeds.AtomEntry{Title: s(), Id: s(), Updated: s(), Published: s(),
			Links:   []feeds.AtomLink{{Href: s(), Rel: s(), Type: s(), Length: s()}},
			Content: &feeds.AtomContent{Content: s(), Type: "html"}, Summary: &feeds.AtomSummary{Content: s(), Type: "text"}}, Lang: s()}
		if r.IntN(3) == 0 {
			it.Content, it.Guid, e.Summary, e.Content = nil, nil, nil, nil
		}
		for k := r.IntN(3); k > 0; k-- {
			it.Categories = append(it.Categories, rssCategory{Domain: s(), Name: s()})
			it.Creators = append(it.Creators, s())
			e.Categories = append(e.Categories, atomCategory{Term: s(), Scheme: s()})
			e.Authors = append(e.Authors, &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: s(), Uri: s(), Email: s()}})
			e.Links = append(e.Links, feeds.AtomLink{Href: s(), Rel: s()})
		}
		if r.IntN(2) == 0 {
			it.Enclosure = &feeds.RssEnclosure{Url: s(), Length: s(), Type: s()}
			it.Media = &rssMediaItem{URL: s(), Medium: s(), Type: s()}
		}
		items, entries = append(items, it), append(entries, e)
	}
	return items, entries
}

// TestItemsAsEncodingXML holds writeRSSItems and writeAtomEntries to the
// bytes encoding/xml writes for the same structs.
func TestItemsAsEncodingXML(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 2))
	for i := 0; i < 2000; i++ {
		items, entries := someItems(r)
		checkItems(t, items, entries)
	}
}

func checkItems(t *testing.T, items []*rssItem, entries []*atomEntry) {
	t.Helper()
	var want, got refRSS
	want.Channel.Title, want.Channel.Items = "t", items
	got.Channel.Title = "t"
	var b bytes.Buffer
	writeRSSItems(&b, items)
	got.Channel.ItemsXML = b.Bytes()
	if w, g := marshalIndented(t, want), marshalIndented(t, got); w != g {
		t.Fatalf("RSS items:\n got %q\nwant %q", g, w)
	}
	wantA, gotA := refAtom{Title: "t", Entries: entries}, refAtom{Title: "t"}
	b = bytes.Buffer{}
	writeAtomEntries(&b, entries)
	gotA.EntriesXML = b.Bytes()
	if w, g := marshalIndented(t, wantA), marshalIndented(t, gotA); w != g {
		t.Fatalf("Atom entries:\n got %q\nwant %q", g, w)
	}
}

func FuzzItemsAsEncodingXML(f *testing.F) {
	for _, s := range itemStrings {
		f.Add(s, s, uint64(1))
	}
	f.Fuzz(func(t *testing.T, a, b string, seed uint64) {
		items, entries := someItems(rand.New(rand.NewPCG(seed, 3)))
		items = append(items, &rssItem{RssItem: &feeds.RssItem{Title: a, Description: b, Content: &feeds.RssContent{Content: a + b},
			Guid: &feeds.RssGuid{Id: b, IsPermaLink: a}}, Categories: []rssCategory{{Domain: a, Name: b}}, Creators: []string{a}})
		entries = append(entries, &atomEntry{AtomEntry: &feeds.AtomEntry{Title: a, Id: b, Content: &feeds.AtomContent{Content: a + b, Type: b},
			Summary: &feeds.AtomSummary{Content: b, Type: a}}, Lang: a, Authors: []*feeds.AtomAuthor{{AtomPerson: feeds.AtomPerson{Name: a, Email: b}}}})
		checkItems(t, items, entries)
	})
}

// TestRFC1123Z holds appendRFC1123Z to time.Format over random instants, zones
// and years, the edges included.
func TestRFC1123Z(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	zones := []*time.Location{time.UTC, time.FixedZone("", -12*3600-30*60), time.FixedZone("", 5*3600+45*60+30),
		time.FixedZone("", -59), time.FixedZone("", 99*3600+59*60), time.FixedZone("", -100*3600), time.FixedZone("", 200*3600)}
	if l, err := time.LoadLocation("America/St_Johns"); err == nil {
		zones = append(zones, l)
	}
	instants := []time.Time{time.Unix(0, 0), time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(-1, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(999, 7, 4, 9, 5, 3, 0, time.UTC)}
	for range 20000 {
		instants = append(instants, time.Unix(r.Int64N(400*365*86400)-200*365*86400, r.Int64N(1e9)))
	}
	for i, at := range instants {
		tm := at.In(zones[i%len(zones)])
		if got, want := string(appendRFC1123Z([]byte("x"), tm)[1:]), tm.Format(time.RFC1123Z); got != want {
			t.Fatalf("appendRFC1123Z(%v) = %q, want %q", tm, got, want)
		}
	}
}
