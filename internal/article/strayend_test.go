package article

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestStrayEndKeepsTheRest: an end tag of an element whose content the
// policy drops, closing nothing, no longer drops the article after it
// (bluemonday's count of such elements went below zero and never came
// back: found trying pressroom as an attacker).
func TestStrayEndKeepsTheRest(t *testing.T) {
	for name := range skipCounted {
		for _, in := range []string{
			"<p>a </" + name + "> b <iframe></iframe></p>\n<p>After stays.</p>",
			"<p>a </" + strings.ToUpper(name) + "> b</p><noscript>x</noscript><p>After stays.</p>",
			"<p>a </" + name + "></" + name + "> b</p><template>y</template><p>After stays.</p>",
		} {
			if got := policy.Sanitize(in); !strings.Contains(got, "After stays.") {
				t.Errorf("Sanitize(%q) = %q: the last paragraph is lost", in, got)
			}
		}
	}
}

// TestDropStrayEndsLeavesTheRest: what closes an element, and everything
// but stray end tags, stays byte for byte.
func TestDropStrayEndsLeavesTheRest(t *testing.T) {
	for _, in := range []string{
		"<p>plain</p>", `<p>x</p><iframe src="https://v.example/1"></iframe><p>after</p>`,
		"<form><button>b</button></form>", "<p>a &lt;/noscript&gt; b</p>", "<!-- </noscript> --><p>x</p>",
		"<textarea></noscript></textarea>", "<p>x</p></pre>",
	} {
		if got := dropStrayEnds(in); got != in {
			t.Errorf("dropStrayEnds(%q) = %q", in, got)
		}
	}
	if got, want := dropStrayEnds("<p>a </noscript> b </IFRAME><iframe></iframe></p>"), "<p>a  b <iframe></iframe></p>"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// FuzzDropStrayEnds: what dropStrayEnds returns never takes bluemonday's
// count of skipped elements below zero, and is what it was given when no
// end tag of such an element is in it.
func FuzzDropStrayEnds(f *testing.F) {
	for _, s := range []string{"<p>a </noscript> b <iframe></iframe></p><p>c</p>", "<svg><math></svg></math></object>",
		"<textarea></noscript></textarea></form>", "</iframe x=\"</iframe>\">"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := dropStrayEnds(s)
		if !hasSkippedEnd(s) && out != s {
			t.Fatalf("dropStrayEnds(%q) = %q, changed without a stray end tag", s, out)
		}
		z := html.NewTokenizer(strings.NewReader(out))
		open := 0
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			name, _ := z.TagName()
			if !skipCounted[string(name)] {
				continue
			}
			switch tt {
			case html.StartTagToken:
				open++
			case html.EndTagToken:
				if open--; open < 0 {
					t.Fatalf("dropStrayEnds(%q) = %q: an end tag closes nothing", s, out)
				}
			}
		}
	})
}
