package article

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
)

// TestRejections covers every reason a file is refused: each case names the
// field the editor must fix and words the message must contain.
func TestRejections(t *testing.T) {
	deepMD := strings.Repeat(">", 200) + " quote\n"
	tests := []struct {
		name, file, data string
		field, message   string
		line             int
	}{
		{"unsupported type", "story.odt", "x", "file", "unsupported file type", 0},
		{"old Word", "story.doc", "x", "file", "save it as .docx", 0},
		{"Word lock file", "~$story.docx", "x", "file", "lock file", 0},
		{"docx not a zip", "story.docx", "x", "file", "not a Word document", 0},
		{"no title", "a.md", "---\ndate: 2021-01-01\n---\n\nBody.\n", "title", "no title", 0},
		{"unreadable date", "a.md", "---\ntitle: T\ndate: soon\n---\n\nBody.\n", "date", `"soon" is not a date`, 3},
		{"unreadable lastmod", "a.md", "---\ntitle: T\ndate: 2021-01-01\nlastmod: 2021-02-30\n---\n\nB.\n", "lastmod", "not a date", 4},
		{"unreadable expiry", "a.md", "---\ntitle: T\ndate: 2021-01-01\nexpiryDate: never\n---\n\nB.\n", "expirydate", "not a date", 4},
		{"bad language", "a.md", "---\ntitle: T\ndate: 2021-01-01\nlang: '12'\n---\n\nB.\n", "lang", "not a language code", 4},
		{"title is a list", "a.md", "---\ntitle: [a]\ndate: 2021-01-01\n---\n\nB.\n", "title", "should be text", 2},
		{"draft is not a flag", "a.md", "---\ntitle: T\ndate: 2021-01-01\ndraft: perhaps\n---\n\nB.\n", "draft", "true or false", 4},
		{"invalid YAML", "a.md", "---\ntitle: [\n---\n\nB.\n", "front matter", "not valid", 0},
		{"invalid TOML", "a.md", "+++\ntitle = \n+++\n\nB.\n", "front matter", "TOML front matter is not valid", 2},
		{"invalid JSON front matter", "a.md", "{\"title\": }\n\nB.\n", "front matter", "not valid JSON", 1},
		{"front matter not a map", "a.md", "---\n- a\n- b\n---\n\nB.\n", "front matter", "key: value", 2},
		{"unclosed front matter", "a.md", "---\ntitle: T\n\nB.\n", "front matter", "never closed", 1},
		{"empty body", "a.md", "---\ntitle: T\ndate: 2021-01-01\n---\n", "body", "no text", 0},
		{"script-only body", "a.html", "<title>T</title><meta property='article:published_time' content='2021-01-01'><article><script>x()</script></article>", "body", "no text", 0},
		{"deep markdown", "a.md", "---\ntitle: T\ndate: 2021-01-01\n---\n\n" + deepMD, "body", "nested", 0},
		{"deep HTML", "a.html", "<title>T</title>" + strings.Repeat("<div>", 600) + "x", "body", "nested", 0},
		{"deep JSON", "a.json", strings.Repeat("[", 100) + strings.Repeat("]", 100), "file", "nested", 0},
		{"JSON not an object", "a.json", `"text"`, "file", "one JSON object", 1},
		{"JSON syntax", "a.json", "{\n\"title\": \"T\",\n}", "file", "not valid JSON", 3},
		{"JSON two values", "a.json", `{"title":"T","date_published":"2021-01-01","content_text":"x"} {}`, "file", "more than one JSON value", 0},
		{"JSON unknown field", "a.json", "{\"title\":\"T\",\n\"bdoy\":\"x\"}", "bdoy", "unknown field", 2},
		{"JSON wrong type", "a.json", `{"title":"T","date_published":"2021-01-01","content_text":"x","draft":"no"}`, "draft", "true or false", 1},
		{"JSON no content", "a.json", `{"title":"T","date_published":"2021-01-01"}`, "content_html", "no content", 0},
		{"JSON two contents", "a.json", `{"title":"T","date_published":"2021-01-01","content_text":"x","content_html":"<p>y</p>"}`, "content_html", "only one", 0},
		{"text without headline", "a.txt", strings.Repeat("word ", 60) + "end.\n", "title", "no headline", 1},
		{"binary", "a.txt", "abc\x00def", "encoding", "binary", 1},
		{"UTF-32", "a.txt", "\xff\xfe\x00\x00a\x00\x00\x00", "encoding", "UTF-32", 0},
		{"mixed encodings", "a.txt", "Titre\n\nUn été chaud et « très » sec.\nUne ligne \xe9t\xe9 cassée.\n", "encoding", "mixes encodings", 4},
		{"YAML alias bomb", "a.md", "---\na: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n---\nB.\n", "front matter", "too many values", 0},
		{"deep YAML", "a.md", "---\nt: " + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "\n---\nB.\n", "front matter", "nested", 0},
		{"markup bomb", "a.md", "---\ntitle: T\ndate: 2021-01-01\n---\n\n" + strings.Repeat("* [a](b) `c`\n", 70000), "body", "markup characters", 5},
		{"markup bomb in JSON", "a.json", `{"title":"T","content_markdown":"` + strings.Repeat("[a](b) ", 260000) + `"}`, "content_markdown", "markup characters", 1},
		{"too many tags", "a.md", "---\ntitle: T\ndate: 2021-01-01\ntags: " + manyNames("t", 30) + "\ncategories: " + manyNames("c", 6) + "\nauthors: " + manyNames("a", 6) + "\n---\n\nB.\n", "tags", "42 tags, categories and authors", 0},
		{"huge front matter", "a.md", "---\nx: \"" + strings.Repeat("a", 300<<10) + "\"\n---\nB.\n", "front matter", "longer than", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.file, []byte(tt.data), testOptions())
			if !errors.Is(err, ErrRejected) {
				t.Fatalf("got %v, want a rejection", err)
			}
			var e *Error
			if !errors.As(err, &e) || e.File != tt.file {
				t.Fatalf("error %v does not name the file %q", err, tt.file)
			}
			for _, p := range e.Problems {
				if p.Field == tt.field && strings.Contains(p.Message, tt.message) {
					if tt.line != 0 && p.Line != tt.line {
						t.Errorf("problem %v: line %d, want %d", p, p.Line, tt.line)
					}
					return
				}
			}
			t.Errorf("problems %v: none is %s: ...%s...", e.Problems, tt.field, tt.message)
		})
	}
}

// manyNames makes a YAML list of n distinct names.
func manyNames(prefix string, n int) string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return "[" + strings.Join(names, ", ") + "]"
}

// TestFieldBounds: every field has a bound, with a rejection saying which
// and how long; no problem message grows with the input.
func TestFieldBounds(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) }
	tests := []struct {
		name, file, data, field, message string
	}{
		{"4.5 MB title", "a.json", `{"title":"` + strings.Repeat("t", 4_500_000) + `","date_published":"2021-01-01","content_text":"x"}`, "title", "4500000 characters long; at most 500"},
		{"300 KB title in front matter", "a.md", "---\ntitle: " + strings.Repeat("t", 300_000) + "\ndate: 2021-01-01\n---\n\nBody.\n", "front matter", "longer than"},
		{"title in JSON", "a.json", `{"title":"` + long(501) + `","date_published":"2021-01-01","content_text":"x"}`, "title", "501 characters"},
		{"tag", "a.md", "---\ntitle: T\ndate: 2021-01-01\ntags: [" + long(151) + "]\n---\n\nBody.\n", "tags", "151 characters"},
		{"author", "a.md", "---\ntitle: T\ndate: 2021-01-01\nauthor: " + long(200) + "\n---\n\nBody.\n", "authors", "200 characters"},
		{"slug", "a.md", "---\ntitle: T\ndate: 2021-01-01\nslug: " + strings.Repeat("s", 201) + "\n---\n\nBody.\n", "slug", "201 characters"},
		{"id", "a.md", "---\ntitle: T\ndate: 2021-01-01\nid: " + strings.Repeat("i", 1025) + "\n---\n\nBody.\n", "id", "1025 bytes"},
		{"url", "a.md", "---\ntitle: T\ndate: 2021-01-01\nurl: /" + strings.Repeat("u", 2100) + "\n---\n\nBody.\n", "url", "bytes long"},
		{"500 KB date", "a.json", `{"title":"T","date_published":"` + strings.Repeat("9", 500_000) + `","content_text":"x"}`, "date_published", "not a date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.file, []byte(tt.data), testOptions())
			ps := Problems(err)
			found := false
			for _, p := range ps {
				if len(p.Message) > 600 {
					t.Errorf("a %d-byte problem message: %.80s...", len(p.Message), p.Message)
				}
				found = found || (p.Field == tt.field && strings.Contains(p.Message, tt.message))
			}
			if !errors.Is(err, ErrRejected) || !found {
				t.Errorf("got %v, want a %s problem saying %q", ps, tt.field, tt.message)
			}
		})
	}
	// At the bounds, accepted.
	ok := "---\ntitle: " + long(500) + "\ndate: 2021-01-01\ntags: [" + long(150) + "]\n---\n\nBody.\n"
	if _, err := Parse("a.md", []byte(ok), testOptions()); err != nil {
		t.Errorf("fields at their bounds: %v", err)
	}
	// Many problems: a bounded list.
	var b strings.Builder
	b.WriteString("---\ntitle: T\ndate: 2021-01-01\ntags: [")
	for i := 0; i < 39; i++ {
		fmt.Fprintf(&b, "%s%d, ", long(160), i)
	}
	b.WriteString("x]\n---\n\nBody.\n")
	_, err := Parse("a.md", []byte(b.String()), testOptions())
	if ps := Problems(err); len(ps) == 0 || len(ps) > 31 {
		t.Errorf("%d problems for 39 long tags", len(ps))
	}
}

func TestRejectsDateFallbackWithoutModTime(t *testing.T) {
	opts := testOptions()
	opts.ModTime = time.Time{}
	_, err := Parse("story.txt", []byte("Headline here\n\nThe body of the story, with enough words to be a paragraph.\n"), opts)
	if !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "publication date") {
		t.Fatalf("got %v, want a missing-date rejection", err)
	}
}

func TestFileSizeLimit(t *testing.T) {
	opts := testOptions()
	opts.MaxBytes = 1024
	big := "---\ntitle: T\ndate: 2021-01-01\n---\n\n" + strings.Repeat("word ", 300)
	if _, err := Parse("a.md", []byte(big), opts); !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("Parse: got %v, want a size rejection", err)
	}
	path := filepath.Join(t.TempDir(), "a.md")
	if err := os.WriteFile(path, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadFile(path, 1024); !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("ReadFile: got %v, want a size rejection before reading", err)
	}
	data, mod, err := ReadFile(path, 1<<20)
	if err != nil || len(data) != len(big) || mod.IsZero() {
		t.Fatalf("ReadFile under the limit: %d bytes, %v, %v", len(data), mod, err)
	}
}

// TestEncodings transcodes the same article from every encoding newsrooms
// export, and checks the result equals the UTF-8 parse: never mojibake.
func TestEncodings(t *testing.T) {
	arabic := "عاجل\nالجمعة 12 مارس 2021 على الساعة 09:30\n\nافتتاح الخط الجديد للقطار\n\nافتتح اليوم الخط الجديد للقطار فائق السرعة بين المدينتين، بحضور عدد من المسؤولين؟ نعم.\n"
	french := "Flash info\nlundi 22 février 2021 à 16h18\n\nÉté chaud à Besançon\n\nLa préfecture a déclenché l'alerte « canicule » ce lundi : 38 °C sont attendus, du jamais vu en février.\n"
	u16 := func(s string, e xunicode.Endianness, bom xunicode.BOMPolicy) []byte {
		b, err := xunicode.UTF16(e, bom).NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	single := func(s string, cm *charmap.Charmap) []byte {
		b, err := cm.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name string
		data []byte
		want string
		note string
	}{
		{"utf-8", []byte(arabic), arabic, ""},
		{"utf-8 bom", append([]byte("\xef\xbb\xbf"), arabic...), arabic, ""},
		{"utf-16le bom", u16(arabic, xunicode.LittleEndian, xunicode.UseBOM), arabic, "transcoded from utf-16"},
		{"utf-16be bom", u16(french, xunicode.BigEndian, xunicode.UseBOM), french, "transcoded from utf-16"},
		{"utf-16le no bom", u16(french, xunicode.LittleEndian, xunicode.IgnoreBOM), french, "transcoded from utf-16"},
		{"windows-1256", single(arabic, charmap.Windows1256), arabic, "transcoded from windows-1256"},
		{"windows-1252", single(french, charmap.Windows1252), french, "transcoded from windows-1252"},
		{"latin-1", single(strings.ReplaceAll(french, "«", "\""), charmap.ISO8859_1), strings.ReplaceAll(french, "«", "\""), "transcoded from windows-1252"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("a.txt", tt.data, testOptions())
			if err != nil {
				t.Fatal(err)
			}
			want, err := Parse("a.txt", []byte(tt.want), testOptions())
			if err != nil {
				t.Fatal(err)
			}
			if got.Title != want.Title || got.ContentHTML != want.ContentHTML || !got.Published.Equal(want.Published) {
				t.Errorf("got %q %q %v\nwant %q %q %v", got.Title, got.ContentHTML, got.Published, want.Title, want.ContentHTML, want.Published)
			}
			if tt.note != "" && (len(got.Notes) == 0 || got.Notes[0] != tt.note) {
				t.Errorf("notes %v, want %q", got.Notes, tt.note)
			}
		})
	}
	t.Run("declared charset", func(t *testing.T) {
		doc := "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1256\"><title>عنوان المقال</title><meta property=\"article:published_time\" content=\"2021-01-01\"></head><body><p>نص المقال هنا.</p></body></html>"
		a, err := Parse("a.html", single(doc, charmap.Windows1256), testOptions())
		if err != nil || a.Title != "عنوان المقال" {
			t.Fatalf("got %q, %v", a.Title, err)
		}
	})
	t.Run("cyrillic koi8-r refused", func(t *testing.T) {
		text := "Новости дня\n\nВ Москве открылся новый музей современного искусства, сообщили власти.\n"
		_, err := Parse("a.txt", single(text, charmap.KOI8R), testOptions())
		if !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "encoding") {
			t.Fatalf("got %v, want an encoding rejection", err)
		}
	})
}

func TestCleanRemovesForbiddenCharacters(t *testing.T) {
	in := "a\x00b\x01c\x0bd\x1fe\x7ff\u0085g\ufffeh\uffffi\tj\nk\u00e9"
	if got, want := Clean(in), "abcdefghi\tj\nk\u00e9"; got != want {
		t.Errorf("Clean = %q, want %q", got, want)
	}
	// NFC: e + combining acute becomes é.
	if got := Clean("e\u0301"); got != "\u00e9" {
		t.Errorf("Clean did not normalise to NFC: %q", got)
	}
}

func TestLanguageAndDirection(t *testing.T) {
	tests := []struct {
		text, lang string
	}{
		{"أكد رئيس الحكومة على ضرورة تطوير تكنولوجيا المعلومات في المغرب من أجل التحول الرقمي", "ar"},
		{"Le Parlement a voté mardi une hausse du budget de la culture pour les musées et les bibliothèques", "fr"},
		{"The council approved on Monday a plan for forty kilometres of protected lanes in the city", "en"},
		{"El gobierno anunció el lunes que los precios de la energía bajarán en los próximos meses", "es"},
		{"Die Regierung hat am Montag angekündigt, dass die Preise für Energie sinken werden und das ist gut", "de"},
		{"این یک متن فارسی است که برای آزمایش تشخیص زبان نوشته شده و به زبان فارسی است", "fa"},
		{"یہ ایک اردو متن ہے جو زبان کی شناخت کے لیے لکھا گیا ہے اور اس میں کئی الفاظ ہیں", "ur"},
		{"הממשלה הודיעה היום על תוכנית חדשה לבניית דירות בירושלים", "he"},
		{"Правительство объявило о новой программе строительства жилья", "ru"},
		{"ok", ""},
		{"12 345 678", ""},
	}
	for _, tt := range tests {
		if got := detectLanguage(tt.text); got != tt.lang {
			t.Errorf("detectLanguage(%.30q) = %q, want %q", tt.text, got, tt.lang)
		}
	}
	for lang, dir := range map[string]string{"ar": "rtl", "ar-MA": "rtl", "fa": "rtl", "he": "rtl", "ur": "rtl", "yi": "rtl",
		"dv": "rtl", "fr": "ltr", "en-GB": "ltr", "ru": "ltr", "zh": "ltr"} {
		if got := Direction(lang); got != dir {
			t.Errorf("Direction(%q) = %q, want %q", lang, got, dir)
		}
	}
	for in, want := range map[string]string{"ar_MA": "ar-MA", "FR-fr": "fr-FR", "en": "en", "ar": "ar", "zh_Hant_TW": "zh-Hant-TW"} {
		if got, ok := canonicalLang(in); !ok || got != want {
			t.Errorf("canonicalLang(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "12", "klingon!!", "*", "und"} {
		if got, ok := canonicalLang(in); ok {
			t.Errorf("canonicalLang(%q) = %q, want not ok", in, got)
		}
	}
}

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Hello, World!":     "hello-world",
		"  Été à Besançon ": "été-à-besançon",
		"العثماني: الظرفية الحالية": "العثماني-الظرفية-الحالية",
		"2021 -- budget   ":                  "2021-budget",
		"C'est l'été":                        "c-est-l-été",
		"!!!":                                "",
		"ﾃｽﾄ":                                "ﾃｽﾄ",
		"Tanger Med port opens its 4th gate": "tanger-med-port-opens-its-4th-gate",
	} {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestIDsAreStable: editing an article's text, title or update date, or
// rebuilding, keeps its id; the id only depends on site, first date, slug.
func TestIDsAreStable(t *testing.T) {
	v1 := "---\ntitle: First title\ndate: 2021-02-22T16:18:00+01:00\n---\n\nFirst body.\n"
	v2 := "---\ntitle: Corrected title\ndate: 2021-02-22T16:18:00+01:00\nlastmod: 2021-02-23\ntags: [x]\n---\n\nCorrected body, longer.\n"
	a, err := Parse("news/2021-02-22-budget.md", []byte(v1), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse("news/2021-02-22-budget.md", []byte(v2), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != b.ID || a.ID != "tag:news.example.org,2021-02-22:budget" {
		t.Errorf("ids %q and %q, want both tag:news.example.org,2021-02-22:budget", a.ID, b.ID)
	}
	if a.Hash == b.Hash {
		t.Error("different bytes must hash differently")
	}
	c, _ := Parse("news/2021-02-22-budget.md", []byte(v1), testOptions())
	if c.Hash != a.Hash || c.ContentHTML != a.ContentHTML {
		t.Error("parsing the same bytes twice gave different results")
	}
}

// TestTextShapes runs plain-text exports shaped like different sites'
// (navigation, labels, dateline and headline in various orders) through
// the same parser.
func TestTextShapes(t *testing.T) {
	body := "The first paragraph of the story, long enough to be running text with several clauses, ends here.\n\nSecond paragraph.\n"
	tests := []struct {
		name, text, title string
		published         time.Time
		authors           []string
		notInBody         []string
	}{
		{"headline after dateline", "BREAKING\nMonday 22 February 2021 16:18\n\nThe headline\n\n" + body,
			"The headline", time.Date(2021, 2, 22, 16, 18, 0, 0, casablanca), nil, []string{"BREAKING"}},
		{"headline before dateline", "The headline\n22 February 2021, 4:18 PM\n\n" + body,
			"The headline", time.Date(2021, 2, 22, 16, 18, 0, 0, casablanca), nil, []string{"22 February"}},
		{"menu and bullets", "Home | World | Business | Sport\n- Another story people read\n- And a third one\nExclusive:\n22/02/2021 08:05\nThe headline\n" + body,
			"The headline", time.Date(2021, 2, 22, 8, 5, 0, 0, casablanca), nil, []string{"Home", "Another story"}},
		{"byline in dateline", "The headline\nBy Jane Doe and John Roe | Feb 22, 2021 9:00 am\n\n" + body,
			"The headline", time.Date(2021, 2, 22, 9, 0, 0, 0, casablanca), []string{"Jane Doe", "John Roe"}, []string{"Jane"}},
		{"byline line after headline", "Flash info\n22 février 2021 à 16h18\n\nLe titre\n\nPar Claire Martin\n\n" + body,
			"Le titre", time.Date(2021, 2, 22, 16, 18, 0, 0, casablanca), []string{"Claire Martin"}, []string{"Par Claire"}},
		{"repeated headline", "عاجل\nالإثنين 22 فبراير 2021 على الساعة 16:18\n\nالعنوان هنا\n\nالعنوان هنا\n\n" + body,
			"العنوان هنا", time.Date(2021, 2, 22, 16, 18, 0, 0, casablanca), nil, []string{"عاجل", "العنوان"}},
		{"updated line", "The headline\nPublished 22 February 2021 08:00\nUpdated 23 February 2021 10:00\n\n" + body,
			"The headline", time.Date(2021, 2, 22, 8, 0, 0, 0, casablanca), nil, []string{"Updated"}},
		{"no dateline", "Urgent\nThe headline\n\n" + body,
			"The headline", time.Date(2021, 6, 1, 13, 0, 0, 0, casablanca), nil, []string{"Urgent"}},
		{"header fields", "Title: The headline\nDate: 2021-02-22 16:18\nAuthor: Jane Doe\nTags: a, b\n\n" + body,
			"The headline", time.Date(2021, 2, 22, 16, 18, 0, 0, casablanca), []string{"Jane Doe"}, []string{"Title:", "Jane"}},
		{"arabic header fields", "العنوان: العنوان هنا\nالتاريخ: 22 فبراير 2021\n\n" + body,
			"العنوان هنا", time.Date(2021, 2, 22, 0, 0, 0, 0, casablanca), nil, []string{"التاريخ"}},
		{"headline and standfirst before dateline", "Politics\nMOROCCO CUTS TIES WITH EMBASSY\nRabat suspends all contact over deep misunderstandings\nMarch 2, 2021\n\n" + body,
			"MOROCCO CUTS TIES WITH EMBASSY", time.Date(2021, 3, 2, 0, 0, 0, 0, casablanca), nil, []string{"MOROCCO", "Rabat suspends", "Politics"}},
		{"dateline at the end", "The headline\n\n" + body + "\nPublished 22 February 2021\n",
			"The headline", time.Date(2021, 2, 22, 0, 0, 0, 0, casablanca), nil, []string{"Published"}},
		{"byline with date", "Le titre du jour\nPar Jean-Marc de La Tour le 22/02/2021 à 16h18\n\n" + body,
			"Le titre du jour", time.Date(2021, 2, 22, 16, 18, 0, 0, casablanca), []string{"Jean-Marc de La Tour"}, []string{"Par Jean"}},
		{"read also block dropped", "The headline\n22 February 2021\n\n" + body + "\nRead also:\n• Other story\n• Third story\n",
			"The headline", time.Date(2021, 2, 22, 0, 0, 0, 0, casablanca), nil, []string{"Other story", "Read also"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse("story.txt", []byte(tt.text), testOptions())
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, a)
			if a.Title != tt.title {
				t.Errorf("title %q, want %q", a.Title, tt.title)
			}
			if !a.Published.Equal(tt.published) {
				t.Errorf("published %v, want %v", a.Published, tt.published)
			}
			if strings.Join(a.Authors, "|") != strings.Join(tt.authors, "|") {
				t.Errorf("authors %q, want %q", a.Authors, tt.authors)
			}
			if !strings.Contains(a.ContentHTML, "The first paragraph") {
				t.Errorf("body lost: %s", a.ContentHTML)
			}
			for _, s := range tt.notInBody {
				if strings.Contains(a.ContentHTML, s) {
					t.Errorf("body keeps %q: %s", s, a.ContentHTML)
				}
			}
		})
	}
	t.Run("standfirst is the summary", func(t *testing.T) {
		a, _ := Parse("story.txt", []byte(tests[10].text), testOptions())
		if a.Summary != "Rabat suspends all contact over deep misunderstandings" {
			t.Errorf("summary %q", a.Summary)
		}
	})
	t.Run("wire dateline in the lede", func(t *testing.T) {
		a, err := Parse("story.txt", []byte("Le titre\n\nRABAT, 22 février 2021 (MAP) - Le Maroc a décidé de suspendre tout contact.\n\nSuite.\n"), testOptions())
		if err != nil || !a.Published.Equal(time.Date(2021, 2, 22, 0, 0, 0, 0, casablanca)) || !strings.Contains(a.ContentHTML, "RABAT") {
			t.Errorf("%v %v %s", a.Published, err, a.ContentHTML)
		}
		// A date in running text is not a dateline.
		a, _ = Parse("story.txt", []byte("Le titre\n\nLe 22 février 2021, le Maroc a décidé de suspendre tout contact avec l'ambassade.\n"), testOptions())
		if a.DateSource != DateFromModTime {
			t.Errorf("date in running text taken as the dateline: %v", a.Published)
		}
	})
	t.Run("updated date read", func(t *testing.T) {
		a, _ := Parse("story.txt", []byte(tests[6].text), testOptions())
		if want := time.Date(2021, 2, 23, 10, 0, 0, 0, casablanca); !a.Updated.Equal(want) {
			t.Errorf("updated %v, want %v", a.Updated, want)
		}
	})
}

func TestStatus(t *testing.T) {
	now := time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	tests := []struct {
		a    Article
		want Status
	}{
		{Article{Published: now.Add(-day)}, StatusPublished},
		{Article{Published: now.Add(-day), Draft: true}, StatusDraft},
		{Article{Published: now.Add(day)}, StatusScheduled},
		{Article{Published: now.Add(-2 * day), Expires: now.Add(-day)}, StatusExpired},
		{Article{Published: now.Add(-2 * day), Expires: now.Add(day)}, StatusPublished},
		{Article{Published: now}, StatusPublished},
	}
	for _, tt := range tests {
		if got := tt.a.StatusAt(now); got != tt.want {
			t.Errorf("%+v: %s, want %s", tt.a, got, tt.want)
		}
	}
}

func TestMarkdownFeatures(t *testing.T) {
	src := "---\ntitle: T\ndate: 2021-01-01\n---\n\nIntro text.\n\n<!--more-->\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ www.example.com\n\nNote[^1].\n\n[^1]: Footnote.\n\n<figure><img src=\"pic.jpg\" alt=\"\"><figcaption dir=\"rtl\" lang=\"ar\">صورة</figcaption></figure>\n"
	a, err := Parse("a.md", []byte(src), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<table>", "<del>old</del>", `href="http://www.example.com"`, "fn:1", `src="https://news.example.org/a/pic.jpg"`, `dir="rtl"`, `lang="ar"`, "<figcaption"} {
		if !strings.Contains(a.ContentHTML, want) {
			t.Errorf("content lacks %q:\n%s", want, a.ContentHTML)
		}
	}
	if a.Summary != "Intro text." {
		t.Errorf("summary %q, want the text before <!--more-->", a.Summary)
	}
}

// TestJSONAliases: the names other systems' exports use give the same
// article as pressroom's own names.
func TestJSONAliases(t *testing.T) {
	canonical := `{"title":"T","date_published":"2021-02-22T16:18:00+01:00","date_modified":"2021-02-23T10:00:00+01:00",
"content_html":"<p>Body <b>text</b>.</p>","summary":"S","language":"fr","authors":["Ann Lee"],"tags":["a","b"],
"categories":["World"],"image":"https://x.example/i.jpg","url":"https://news.example.org/t/"}`
	aliased := `{"headline":"T","datePublished":"2021-02-22T16:18:00+01:00","updated_at":"2021-02-23T10:00:00+01:00",
"body":"<p>Body <b>text</b>.</p>","description":"S","inLanguage":"fr","author":{"name":"Ann Lee"},"keywords":"a, b",
"section":"World","image":{"url":"https://x.example/i.jpg"},"link":"https://news.example.org/t/"}`
	a, err := Parse("t.json", []byte(canonical), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse("t.json", []byte(aliased), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	a.Hash, b.Hash = "", ""
	if !reflect.DeepEqual(a, b) {
		t.Errorf("aliases give another article:\n%+v\n%+v", a, b)
	}
	// Plain text in "body", Unix time in "date", draft by status.
	c, err := Parse("t.json", []byte(`{"title":"T","date":1614007080,"body":"One.\n\nTwo.","status":"draft"}`), testOptions())
	if err != nil || c.ContentHTML != "<p>One.</p>\n<p>Two.</p>" || !c.Published.Equal(time.Unix(1614007080, 0)) || !c.Draft {
		t.Errorf("%q %v %v %v", c.ContentHTML, c.Published, c.Draft, err)
	}
	// The canonical name wins over an alias.
	d, _ := Parse("t.json", []byte(`{"title":"Right","headline":"Wrong","content_text":"x"}`), testOptions())
	if d.Title != "Right" {
		t.Errorf("title %q", d.Title)
	}
}

func TestStripSiteName(t *testing.T) {
	for _, tt := range []struct{ title, site, want string }{
		{"Bridge closed - City Gazette", "", "Bridge closed"},
		{"Example Daily | Bridge closed for two days", "Example Daily", "Bridge closed for two days"},
		{"Covid-19: what we know | Site", "", "Covid-19: what we know"},
		{"Morocco - Germany: ties cut", "", "Morocco - Germany: ties cut"},
		{"A headline with no site", "", "A headline with no site"},
	} {
		if got := stripSiteName(tt.title, tt.site); got != tt.want {
			t.Errorf("stripSiteName(%q, %q) = %q, want %q", tt.title, tt.site, got, tt.want)
		}
	}
}

func TestPermalink(t *testing.T) {
	opts := testOptions()
	a := Article{Slug: "العثماني", Published: time.Date(2021, 2, 22, 23, 30, 0, 0, time.UTC), Categories: []string{"Économie Politique"}, Lang: "ar"}
	got := Permalink(opts.BaseURL, "/:section/:year/:month/:day/:slug/", a, opts.Location)
	want := "https://news.example.org/économie-politique/2021/02/23/%D8%A7%D9%84%D8%B9%D8%AB%D9%85%D8%A7%D9%86%D9%8A/"
	if got != strings.Replace(want, "économie", "%C3%A9conomie", 1) {
		t.Errorf("Permalink = %q", got)
	}
	if p := Permalink(opts.BaseURL, "/:section/:slug/", Article{Slug: "x"}, opts.Location); p != "https://news.example.org/x/" {
		t.Errorf("empty section: %q", p)
	}
}

func TestParseNeverReturnsPartialArticle(t *testing.T) {
	a, err := Parse("a.md", []byte("---\ntitle: T\n---\n"), testOptions())
	if err == nil || a.Title != "" || !bytes.Equal([]byte(a.ContentHTML), nil) {
		t.Fatalf("got %+v, %v", a, err)
	}
}

func TestCountWords(t *testing.T) {
	for _, c := range []struct {
		html string
		want int
	}{
		{"", 0},
		{"<p>One two  three.</p>", 3},
		{"<p>a</p><p>b</p>", 2},
		{"<p><b>news</b>paper — don't</p>", 2},
		{"<p>قال الوزير إن ٢٠٢١ كان عاماً صعباً</p>", 7},
		{"<ul><li>un</li><li>deux</li></ul><p>l'été – 2021</p>", 4},
		{"<p>日本語</p>", 3},
	} {
		if got := countWords(c.html); got != c.want {
			t.Errorf("countWords(%q) = %d, want %d", c.html, got, c.want)
		}
	}
}

func TestCorrectionNote(t *testing.T) {
	src := "---\ntitle: Budget vote\ndate: 2021-02-22\nupdated: 2021-02-23\ncorrection: An earlier version gave the wrong total.\n---\nThe budget passed.\n"
	a, err := Parse("budget.md", []byte(src), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if a.Correction != "An earlier version gave the wrong total." || a.UpdatedFrom != UpdatedFromContent || a.Words != 3 {
		t.Errorf("correction %q, updated from %q, words %d", a.Correction, a.UpdatedFrom, a.Words)
	}
	j := `{"title": "Vote", "date_published": "2021-02-22T10:00:00Z", "content_text": "It passed.", "correction": "Fixed the name."}`
	if a, err = Parse("vote.json", []byte(j), testOptions()); err != nil || a.Correction != "Fixed the name." || a.UpdatedFrom != "" {
		t.Errorf("JSON correction %q, updated from %q, err %v", a.Correction, a.UpdatedFrom, err)
	}
}

var permalinkPatterns = []string{"", ":", "::", ":slug", "/:year/:month/:slug/", ":sl", ":slugs", ":section:slug", "/:lang/:day:", "a:b", ":yearly", "é:slug", ":sectio"}

// TestExpandTokens holds expandTokens to the strings.Replacer it replaced.
func TestExpandTokens(t *testing.T) {
	for _, p := range permalinkPatterns {
		checkExpandTokens(t, p)
	}
}

func checkExpandTokens(t *testing.T, pattern string) {
	t.Helper()
	tokens := []permalinkToken{{":year", "2021"}, {":month", "02"}, {":day", ""}, {":slug", "s:lug"}, {":section", ":year"}, {":lang", "ar"}, {":s", "S"}}
	var pairs []string
	for _, tk := range tokens {
		pairs = append(pairs, tk.name, tk.value)
	}
	if got, want := expandTokens(pattern, tokens), strings.NewReplacer(pairs...).Replace(pattern); got != want {
		t.Fatalf("expandTokens(%q) = %q, want %q", pattern, got, want)
	}
}

func FuzzExpandTokens(f *testing.F) {
	for _, p := range permalinkPatterns {
		f.Add(p)
	}
	f.Fuzz(checkExpandTokens)
}
