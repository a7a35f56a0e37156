package article

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSplitByline(t *testing.T) {
	tests := []struct {
		in               string
		authors, credits string // "|"-separated
	}{
		{"Jane Doe", "Jane Doe", ""},
		{"By Jane Doe and Samuel Okafor", "Jane Doe|Samuel Okafor", ""},
		{"JANE DOE AND SAMUEL OKAFOR", "JANE DOE|SAMUEL OKAFOR", ""},
		{"Jane Doe, Samuel Okafor and Ann Lee", "Jane Doe|Samuel Okafor|Ann Lee", ""},
		{"Jane Doe & Samuel Okafor", "Jane Doe|Samuel Okafor", ""},
		{"Jane Doe; Samuel Okafor", "Jane Doe|Samuel Okafor", ""},
		{"Jane Doe, Associated Press", "Jane Doe", "AP"},
		{"Jane Doe and Samuel Okafor, The Associated Press", "Jane Doe|Samuel Okafor", "AP"},
		{"JANE DOE Associated Press", "JANE DOE", "AP"},
		{"Jane Doe, Associated Press Writer", "Jane Doe", "AP"},
		{"Jane Doe (AP)", "Jane Doe", "AP"},
		{"Jane Doe for Reuters", "Jane Doe", "Reuters"},
		{"Sara Whitfield, Economics editor", "Sara Whitfield", ""},
		{"Jane Doe, Staff Writer", "Jane Doe", ""},
		{"Jane Doe, Foo Valley News", "Jane Doe", "Foo Valley News"},
		{"Reuters", "", "Reuters"},
		{"AFP", "", "AFP"},
		// French.
		{"Par Claire Martin et Karim Naciri", "Claire Martin|Karim Naciri", ""},
		{"Claire Martin, Karim Naciri et Ana Ruiz", "Claire Martin|Karim Naciri|Ana Ruiz", ""},
		{"Claire Martin avec AFP", "Claire Martin", "AFP"},
		{"Claire Martin, avec AFP", "Claire Martin", "AFP"},
		{"Claire Martin (avec AFP)", "Claire Martin", "AFP"},
		{"Claire Martin, envoyée spéciale à Kiev", "Claire Martin", ""},
		{"Claire Martin, Agence France-Presse", "Claire Martin", "AFP"},
		// Arabic: standalone and attached و, the Arabic comma.
		{"أحمد سعيد و ليلى حسن", "أحمد سعيد|ليلى حسن", ""},
		{"أحمد سعيد وليلى حسن", "أحمد سعيد|ليلى حسن", ""},
		{"بقلم: أحمد سعيد وليلى حسن", "أحمد سعيد|ليلى حسن", ""},
		{"أحمد وليلى", "أحمد|ليلى", ""},
		{"أحمد سعيد، ليلى حسن ويوسف العلمي", "أحمد سعيد|ليلى حسن|يوسف العلمي", ""},
		{"أحمد سعيد (و م ع)", "أحمد سعيد", "MAP"},
		{"أحمد سعيد - رويترز", "أحمد سعيد", "Reuters"},
		{"أحمد سعيد، رويترز", "أحمد سعيد", "Reuters"},
		{"و م ع", "", "MAP"},
		{"وكالة المغرب العربي للأنباء", "", "MAP"},
		// Names that start with و are names, not "and".
		{"وليد الخطيب", "وليد الخطيب", ""},
		{"محمد وليد", "محمد وليد", ""},
		{"وفاء بنعلي", "وفاء بنعلي", ""},
		{"وائل حمدي ووفاء بنعلي", "وائل حمدي|وفاء بنعلي", ""},
		{"حسن وهبي العلوي", "حسن وهبي العلوي", ""},
		{"أحمد سعيد وهبي", "أحمد سعيد وهبي", ""},
		{"محمد ولد الشيخ", "محمد ولد الشيخ", ""},
		{"عبد الله وعبد الرحمن", "عبد الله|عبد الرحمن", ""},
	}
	for _, tt := range tests {
		authors, credits := splitByline(tt.in)
		if got := strings.Join(authors, "|"); got != tt.authors {
			t.Errorf("splitByline(%q) authors = %q, want %q", tt.in, got, tt.authors)
		}
		if got := strings.Join(credits, "|"); got != tt.credits {
			t.Errorf("splitByline(%q) credits = %q, want %q", tt.in, got, tt.credits)
		}
	}
}

func TestCreditLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Associated Press", "AP"}, {"The Associated Press", "AP"}, {"AP", "AP"}, {"(AP)", "AP"},
		{"Reuters", "Reuters"}, {"— Reuters", "Reuters"}, {"AFP", "AFP"}, {"Agence France-Presse", "AFP"},
		{"(avec AFP)", "AFP"}, {"avec AFP", "AFP"}, {"Le Monde avec AFP", "AFP"}, {"With Reuters", "Reuters"},
		{"Reuters/AFP", "Reuters|AFP"}, {"AFP et Reuters", "AFP|Reuters"}, {"EFE", "EFE"}, {"dpa", "dpa"},
		{"ANSA", "ANSA"}, {"Xinhua", "Xinhua"}, {"Source : AFP", "AFP"},
		{"و م ع", "MAP"}, {"(و.م.ع)", "MAP"}, {"وكالة المغرب العربي للأنباء", "MAP"}, {"MAP", "MAP"},
		{"واج", "APS"}, {"وكالة الأنباء الجزائرية", "APS"}, {"وات", "TAP"}, {"واس", "SPA"},
		{"أ ف ب", "AFP"}, {"(أ.ف.ب)", "AFP"}, {"رويترز", "Reuters"}, {"د ب أ", "dpa"}, {"المصدر: رويترز", "Reuters"},
		{"رويترز، أ ف ب", "Reuters|AFP"},
		// Not credits.
		{"The council approved the plan", ""}, {"Jane Doe", ""}, {"Apple", ""}, {"ومع ذلك", ""},
		{"المصدر : الجزيرة + وكالات", ""}, {"Le Monde", ""},
	}
	for _, tt := range tests {
		if got := strings.Join(creditLine(tt.in), "|"); got != tt.want {
			t.Errorf("creditLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRightsNotice(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"Copyright 2021 The Associated Press. All rights reserved. This material may not be published, broadcast, rewritten or redistributed.", true},
		{"© AFP", true},
		{"© 2021 AFP. Tous droits réservés.", true},
		{"Tous droits de reproduction et de représentation réservés.", true},
		{"Reproduction interdite.", true},
		{"Copyright © 2021 Thomson Reuters. All rights reserved.", true},
		{"جميع الحقوق محفوظة لوكالة المغرب العربي للأنباء © 2021", true},
		{"© وكالة المغرب العربي للأنباء. يمنع النقل أو الاقتباس دون ذكر المصدر.", true},
		{"لا يجوز إعادة النشر دون إذن مسبق.", true},
		// Running text mentioning rights, or mostly other text.
		{"The court ruled that the copyright claim was invalid.", false},
		{"Le tribunal a jugé la plainte irrecevable, et les avocats de la défense ont annoncé qu'ils feraient appel de la décision dès la semaine prochaine devant la cour. Tous droits réservés.", false},
		{"The band said all its members would keep playing together after the tour ends next year.", false},
	} {
		if got := rightsNotice(tt.in); got != tt.want {
			t.Errorf("rightsNotice(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestDropTrailers: only whole last paragraphs go, never one in the middle,
// never the only one.
func TestDropTrailers(t *testing.T) {
	notice := "<p>Copyright 2021 The Associated Press. All rights reserved.</p>"
	for _, tt := range []struct {
		body, want, credits string
		notes               int
	}{
		{"<p>Text.</p>\n" + notice, "<p>Text.</p>", "AP", 1},
		{"<div><p>Text.</p>\n" + notice + "\n</div>", "<div><p>Text.</p>\n</div>", "AP", 1},
		{"<p>Text.</p>\n<p>(AFP)</p>\n<p>© AFP</p>", "<p>Text.</p>", "AFP|AFP", 1},
		{"<p>Text.</p>\n" + notice + "\n<p>More text.</p>", "<p>Text.</p>\n" + notice + "\n<p>More text.</p>", "", 0},
		{notice, notice, "", 0},
		{"<p>Text.</p>\n<blockquote>" + notice + "</blockquote>", "<p>Text.</p>\n<blockquote>" + notice + "</blockquote>", "", 0},
		{"<p>Text.</p><p><img src=a.jpg></p>", "<p>Text.</p><p><img src=a.jpg></p>", "", 0},
	} {
		m := meta{body: tt.body}
		dropTrailers(&m)
		if m.body != tt.want || strings.Join(m.credits, "|") != tt.credits || len(m.notes) != tt.notes {
			t.Errorf("dropTrailers(%q) = %q, credits %q, notes %q; want %q, %q, %d notes", tt.body, m.body, m.credits, m.notes, tt.want, tt.credits, tt.notes)
		}
	}
}

// guardSamples are texts for TestGuards: every line of the fixtures,
// then the shapes each expression looks for, in any case.
func guardSamples(t testing.TB) []string {
	out := []string{"", " ", "(", "[x]", "a, b", "a ، b", "a and b", "A AND B", "a\tEt b", "a et b", "a و b", "a وb", "a & b",
		"a/b", "a+b", "a; b", "a ؛ b", "x for Reuters", "x FOR Reuters", "x pour AFP", "x Avec AFP", "x with AP", "x via AP",
		"x مع و م ع", "x عن رويترز", "x\vfor y", "x\ffor y", "x\u00a0for y", "x\u2003and y", "Jane Doe (AP)", "Author 7"}
	for _, dir := range []string{"testdata/articles", "testdata/rejected"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, strings.Split(string(data), "\n")...)
		}
	}
	return out
}

// TestGuards: where a guarded expression's test says it cannot match,
// it does not.
func TestGuards(t *testing.T) {
	for _, s := range guardSamples(t) {
		checkGuards(t, s)
	}
}

func checkGuards(t *testing.T, s string) {
	t.Helper()
	for name, g := range map[string]guardedRE{"reCreditSep": reCreditSep, "reParenthesis": reParenthesis, "reBylineSep": reBylineSep, "reAgencyTail": reAgencyTail} {
		if !g.may(s) && g.re.MatchString(s) {
			t.Fatalf("%s matches %q, which its test rules out", name, s)
		}
	}
}

func FuzzGuards(f *testing.F) {
	for _, s := range guardSamples(f) {
		f.Add(s)
	}
	f.Fuzz(checkGuards)
}
