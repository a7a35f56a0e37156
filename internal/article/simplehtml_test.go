package article

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// tagSamples are tags for TestSimpleTag: every edge of the tokenizer's
// reading of names, attributes, quotes and "/".
var tagSamples = []string{"<a>", "<A HREF=x>", `<a href="x>y">`, `<a b=x"y>`, `<a "b=c">`, "<a =b>", "<a b = 'c>' d>", "<br/>",
	"<a / >", "<a b=/>", "<p a=>", `<a b="`, "<a b", "</a>", "</A x='>'>", "</a/>", "<a b c=d e>", "<a\fb\n=\r'c'\t>",
	"<p a=1 a=/>", "<p a=1 A=/>", "<p a=/ >", `<p a="/"/>`, "<img src=x/>", "<a b=c/d/>", "<a/b/>", "<a =/>", "<a ==/>",
	"<script>", "<Title x>", "</script>", "<a\x00>", "<ſcript>", "<a\vb>", "<a b='c'd>", "<a b=c\vd>", "<x-y:z>"}

// TestSimpleTag holds simpleTag to the tokenizer on each tag alone.
func TestSimpleTag(t *testing.T) {
	for _, s := range tagSamples {
		checkSimpleTag(t, s)
		checkSimpleTag(t, s+"text")
	}
}

func checkSimpleTag(t *testing.T, s string) {
	t.Helper()
	if !strings.HasPrefix(s, "<") {
		return
	}
	tt, name, end, ok := simpleTag(s, 0)
	if !ok {
		return
	}
	z := html.NewTokenizer(strings.NewReader(s))
	wantType := z.Next()
	wantEnd := len(z.Raw())
	wantName, _ := z.TagName()
	if tt != wantType || name != string(wantName) || end != wantEnd {
		t.Fatalf("simpleTag(%q) = %v %q ending at %d; the tokenizer reads %v %q ending at %d", s, tt, name, end, wantType, wantName, wantEnd)
	}
}

func FuzzSimpleTag(f *testing.F) {
	for _, s := range tagSamples {
		f.Add(s)
	}
	f.Fuzz(checkSimpleTag)
}
