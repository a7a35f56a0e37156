package article

import (
	"math/rand/v2"
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
