package article

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// factSamples are HTML fragments for TestFactsOf: every fixture, raw and
// as Parse renders it, and shapes that move the limits of each reading.
func factSamples(t testing.TB) []string {
	var out []string
	for _, dir := range []string{"testdata/articles", "testdata/hostile", "testdata/rejected"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			out = append(out, string(data))
			if a, err := Parse(filepath.Base(f), data, Options{}); err == nil {
				out = append(out, a.ContentHTML)
			}
		}
	}
	long := strings.Repeat("word ", 2000)
	out = append(out, "", "<p></p>", "<p>- –</p><p>Real text</p>", "<figure><p>caption</p></figure><p>Body</p>",
		"<p><b>news</b>paper</p>", "text<br/>more", "<div>"+long+"</div><p>late</p>", "<p>"+long+"</p>",
		strings.Repeat("<span></span>", 5000)+"<p>after the limit</p>", strings.Repeat(" ", 4095)+"<i>x</i>",
		"<p>&eacute;</p>", "<table><tr><td>cell</td></tr></table>", "<p>漢字かなカナไทย 12 3</p>", "<p><p>nested</p> tail</p>",
		"<sup>1</sup><p>١٢٣</p>", "<pre>code</pre>", "<img src=x>", "<p>unclosed")
	return out
}

// TestFactsOf holds the one-pass reading to the three it replaced.
func TestFactsOf(t *testing.T) {
	for _, s := range plainSamples(t) {
		checkFacts(t, s)
	}
}

func checkFacts(t *testing.T, s string) {
	t.Helper()
	want := textFacts{words: countWords(s), hasText: hasWord(tokenPlainText(s, hasTextLimit)), first: firstParagraph(s)}
	if got := factsOf(s, true); got != want {
		t.Fatalf("factsOf(%.100q) = %+v, want %+v", s, got, want)
	}
	want.first = ""
	if got := factsOf(s, false); got != want {
		t.Fatalf("factsOf(%.100q, no first paragraph) = %+v, want %+v", s, got, want)
	}
}

func FuzzFactsOf(f *testing.F) {
	for _, s := range plainSamples(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 64<<10 {
			return
		}
		checkFacts(t, s)
	})
}

// TestPlainText holds plainText's reading without a tokenizer to the
// tokenizer's, at every limit plainText is called with and at the edges.
func TestPlainText(t *testing.T) {
	for _, s := range plainSamples(t) {
		checkPlainText(t, s)
	}
}

// plainSamples are factSamples and tags that move the tokenizer's edges:
// quotes, "=" and "/" in attributes, raw-text elements, comments.
func plainSamples(t testing.TB) []string {
	return append(factSamples(t), `<a href="x>y">t</a>`, `<a b=x"y>t`, `<a "b=c">t`, `<a =b>t`, `<a b = 'c>' d>t`, `<br/>t`,
		`<a / >t`, `<a b=/>t`, `<p a=>t`, `<a b="`, `<a b`, `t<`, `t</`, `</>t`, `</ p>t`, `<!-- c -->t`, `<?x?>t`, `a < b`,
		`<script>x</script>t`, `<SCRIPT>x`, `<ſcript>x`, `</script>t`, `<title>x</title>`, `<textarea/>x`, `<a\vb>t`,
		"<a\x00>t", "t\r\nu", "t\x00u", `&amp;&#39;&nGt;&`, `<p title="a&quot;b">&lt;x&gt;</p>`, `<a href=x/>t</a>`,
		`<p/>one</p><p>two</p>`, `<p a=/>one</p><p>two</p>`, `<p a=1 A=/>one</p>`, `<p a="/"/>one</p>`, `<P>One</P><Figure>x</Figure>`,
		`<p a=b/ >one</p>`, `<br/>x<br>y`, `<img src=x/>`, `<b>news</b>paper <i>x</i>y`)
}

func checkPlainText(t *testing.T, s string) {
	t.Helper()
	for _, limit := range []int{-1, 0, 1, 7, 512, detectSample * 2, 4 * maxNotice, hasTextLimit, 1 << 30} {
		got, ok := simplePlainText(s, limit)
		if want := tokenPlainText(s, limit); ok && got != want {
			t.Fatalf("simplePlainText(%.100q, %d) = %.100q, the tokenizer reads %.100q", s, limit, got, want)
		}
	}
}

func FuzzPlainText(f *testing.F) {
	for _, s := range plainSamples(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 64<<10 {
			return
		}
		checkPlainText(t, s)
	})
}
