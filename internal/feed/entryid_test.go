package feed

import (
	"net/url"
	"strings"
	"testing"
)

// TestEntryID: Atom's ids are absolute IRIs whatever id a file gives
// (RFC 4287 §4.2.6; found trying pressroom as an attacker: "../../x",
// "has space" and "<b>" were written as they were); IRIs stay as they are,
// and the same id always gives the same IRI.
func TestEntryID(t *testing.T) {
	home, _ := url.Parse("https://news.example.org/")
	feeds, _ := url.Parse("https://feeds.example.org/")
	dated := Site{HomeURL: home, FeedsURL: feeds, IDDate: "2021-02-22"}
	undated := Site{HomeURL: home, FeedsURL: feeds}
	for _, id := range []string{"tag:news.example.org,2021-02-22:budget", "https://news.example.org/a?b=c#d", "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
		"tag:x,2021:العثماني", "mailto:a@b.example", "tag:x,2021:%41"} {
		if got := EntryID(dated, id); got != id {
			t.Errorf("EntryID(%q) = %q, want it as it is", id, got)
		}
	}
	for _, id := range []string{"post-123", "has space", "<b>", "../../x", "tag:x,2021:a b", "1:x", ":x", "x\u202ey:z", "tag:x,2021:%4", "tag:x,2021:\"q\"", "\xff:x"} {
		for _, s := range []Site{dated, undated} {
			got := EntryID(s, id)
			if !absoluteIRI(got) || got == id || got != EntryID(s, id) {
				t.Errorf("EntryID(%q) = %q, want an IRI of its own", id, got)
			}
		}
	}
	if got, want := EntryID(dated, "post 123"), "tag:news.example.org,2021-02-22:ids/post%20123"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := EntryID(undated, "post 123"), "https://feeds.example.org/atom.xml#id:post%20123"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if EntryID(dated, "a/b") == EntryID(dated, "a%2Fb") {
		t.Error("two ids, one IRI")
	}
	r, err := RenderDoc(dated, Doc{Ref: Ref{ID: "", Label: "Site"}, Items: nil, Deleted: []Deleted{{ID: "has space"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	if atom := string(r.Bytes(AtomFile)); !strings.Contains(atom, `ref="tag:news.example.org,2021-02-22:ids/has%20space"`) {
		t.Errorf("the deletion's ref in %s", atom)
	}
}
