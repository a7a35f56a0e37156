package article

import (
	"math/rand/v2"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestIDPattern holds idPattern to the pattern it stands for: the empty
// group that keeps the compiler from its one-pass form must change no
// answer.
func TestIDPattern(t *testing.T) {
	plain := regexp.MustCompile(`^[\pL\pN_:.-]{1,64}$`)
	re := regexp.MustCompile(idPattern)
	cases := []string{"", "a", "é1", "section-2.intro_x", "a:b", "٣ش", "x y", "a\n", "\na", "a\x00", "<b>", "a/b",
		strings.Repeat("a", 63), strings.Repeat("a", 64), strings.Repeat("a", 65),
		strings.Repeat("é", 64), strings.Repeat("é", 65), strings.Repeat("ش", 64) + " "}
	alphabet := []rune("aZ09_:.-é٣ش \n\t/#\"'<>=\x00\u200f")
	r := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		n := r.IntN(70)
		var b strings.Builder
		for range n {
			// Mostly id characters, so that long matches are tried too.
			if r.IntN(8) == 0 {
				b.WriteRune(alphabet[r.IntN(len(alphabet))])
			} else {
				b.WriteRune(alphabet[r.IntN(8)])
			}
		}
		cases = append(cases, b.String())
	}
	for _, s := range cases {
		if got, want := re.MatchString(s), plain.MatchString(s); got != want {
			t.Errorf("id %q: idPattern matches %v, the plain pattern %v", s, got, want)
		}
	}
	// And through the policy: a long id is dropped, a good one kept.
	if got := policy.Sanitize(`<p id="intro-1">x</p>`); got != `<p id="intro-1">x</p>` {
		t.Errorf("good id: %q", got)
	}
	if got := policy.Sanitize(`<p id="` + strings.Repeat("a", 65) + `">x</p>`); got != `<p>x</p>` {
		t.Errorf("long id: %q", got)
	}
}

// TestAbsolutize holds absolutize's reading of simple markup to the
// tokenizer's.
func TestAbsolutize(t *testing.T) {
	for _, s := range absoluteSamples(t) {
		checkAbsolutize(t, s)
	}
}

// absoluteSamples are plainSamples, each sanitised too, and tags with URLs
// in every shape.
func absoluteSamples(t testing.TB) []string {
	out := append(plainSamples(t), `<a href="/x">x</a><img src="y.png" alt="y"/><a href=/z/>z</a>`, `<A HREF='../a?b=1&amp;c=2'>a</A>`,
		`<img srcset="a.png 1x, /b.png 2x" src=javascript:alert(1)>`, `<blockquote cite="//evil.example/">q</blockquote>`,
		`<video poster="p.jpg" src="v.mp4" controls></video><source src=s.webm>`, `<a href="x" href="y">dup</a>`,
		`<a href="mailto:a@b.c">m</a><a href="tel:+1">t</a><a href="#top">#</a>`, `<a href=x/>self</a>`, `<p a=/ href=x>p</p>`)
	for _, s := range out[:len(out):len(out)] {
		out = append(out, policy.Sanitize(s))
	}
	return out
}

func checkAbsolutize(t *testing.T, s string) {
	t.Helper()
	base, _ := url.Parse("https://news.example.org/2021/02/story/")
	if got, ok := simpleAbsolutize(s, base); ok {
		if want := tokenAbsolutize(s, base); got != want {
			t.Fatalf("simpleAbsolutize(%.100q) = %.100q, the tokenizer gives %.100q", s, got, want)
		}
	}
}

func FuzzAbsolutize(f *testing.F) {
	for _, s := range absoluteSamples(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 64<<10 {
			return
		}
		checkAbsolutize(t, s)
	})
}
