package article

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// referenceDetectLanguage is detectLanguage as it was before its fast
// path (maps of counts, every rune through unicode tables): the fast one
// must give the same answer on every text. It guesses the language of plain text from its script and,
// within a script shared by several languages, from its most frequent
// function words. It returns "" when the text is too short or unclear.
func referenceDetectLanguage(text string) string {
	if len(text) > detectSample*2 {
		// Cut at a rune boundary: about detectSample runes in any script.
		cut := detectSample * 2
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	counts := map[string]int{}
	letters := 0
	for _, r := range text {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		switch {
		case r < 0x250:
			counts["Latin"]++
			continue
		case r >= 0x600 && r <= 0x6FF:
			counts["Arabic"]++
			continue
		}
		for _, sc := range []struct {
			name  string
			table *unicode.RangeTable
		}{
			{"Latin", unicode.Latin}, {"Arabic", unicode.Arabic}, {"Hebrew", unicode.Hebrew},
			{"Cyrillic", unicode.Cyrillic}, {"Greek", unicode.Greek}, {"Han", unicode.Han},
			{"Kana", unicode.Hiragana}, {"Kana", unicode.Katakana}, {"Hangul", unicode.Hangul},
			{"Thai", unicode.Thai}, {"Devanagari", unicode.Devanagari},
		} {
			if unicode.Is(sc.table, r) {
				counts[sc.name]++
				break
			}
		}
	}
	if letters < 8 {
		return ""
	}
	script, best := "", 0
	for name, n := range counts {
		if n > best || (n == best && name < script) {
			script, best = name, n
		}
	}
	if best*2 < letters {
		return ""
	}
	switch script {
	case "Arabic":
		return referenceByStopWords(text, "ar", []string{"ar", "fa", "ur"})
	case "Latin":
		return referenceByStopWords(text, "", []string{"en", "fr", "es", "de", "it", "pt", "nl"})
	case "Hebrew":
		return "he"
	case "Cyrillic":
		if strings.ContainsAny(text, "іїєґ") {
			return "uk"
		}
		return "ru"
	case "Greek":
		return "el"
	case "Han":
		if counts["Kana"] > 0 {
			return "ja"
		}
		return "zh"
	case "Kana":
		return "ja"
	case "Hangul":
		return "ko"
	case "Thai":
		return "th"
	case "Devanagari":
		return "hi"
	}
	return ""
}

// referenceByStopWords is byStopWords before its fast path (with tokens
// holding a digit read as no word since December 2026). It picks the candidate whose function words occur most often in
// the first detectSample runes of text; fallback when none clearly wins. A
// word shared by several candidates ("la" in French and Spanish) counts for
// each of them in proportion.
func referenceByStopWords(text, fallback string, candidates []string) string {
	scores := map[string]float64{}
	isCandidate := func(lang string) bool {
		for _, c := range candidates {
			if c == lang {
				return true
			}
		}
		return false
	}
	words := strings.FieldsFunc(fold(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '’'
	})
	for _, w := range words {
		if strings.IndexFunc(w, unicode.IsDigit) >= 0 {
			continue // "y1900": no word
		}
		if i := strings.LastIndexAny(w, "'’"); i >= 0 {
			_, size := utf8.DecodeRuneInString(w[i:])
			w = w[i+size:] // l'article, d’un
		}
		langs := stopIndex()[w]
		n := 0
		for _, l := range langs {
			if isCandidate(l) {
				n++
			}
		}
		for _, l := range langs {
			if isCandidate(l) {
				scores[l] += 1 / float64(n)
			}
		}
	}
	best, second := "", 0.0
	for _, c := range candidates {
		switch {
		case best == "" || scores[c] > scores[best]:
			if best != "" {
				second = scores[best]
			}
			best = c
		case scores[c] > second:
			second = scores[c]
		}
	}
	if scores[best] < 2 || scores[best] < second*1.25 {
		return fallback
	}
	return best
}

// langSamples are texts that exercise every branch of detectLanguage:
// the article fixtures, then mixtures of scripts and stop words.
func langSamples(t testing.TB) []string {
	var out []string
	for _, dir := range []string{"testdata/articles", "testdata/hostile", "testdata/rejected"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			s := string(data)
			out = append(out, s)
			// Every window of the file, as the sample cut sees it.
			for i := 0; i < len(s); i += 97 {
				out = append(out, s[i:min(len(s), i+1700)])
			}
		}
	}
	words := []string{"the", "and", "la", "le", "de", "des", "l'article", "d’un", "في", "من", "است", "این", "اين", "کے", "ہے",
		"Привет", "її", "Γειά", "漢字", "かな", "カナ", "한국어", "ไทย", "नमस्ते", "שלום", "ÉTÉ", "naïve", "ﻻ", "ـ", "١٢", "\u00a0",
		"\xff", "\x00", "·", "’", "'", "ǅ", "ª", "µ", "Ⅻ", "ﬁ", "İ", "ß", "  ", "\n", "-", "x"}
	rng := rand.New(rand.NewPCG(11, 1))
	for i := 0; i < 3000; i++ {
		var b strings.Builder
		for n := rng.IntN(400); n > 0; n-- {
			b.WriteString(words[rng.IntN(len(words))])
			if rng.IntN(3) > 0 {
				b.WriteByte(" ,.\n"[rng.IntN(4)])
			}
		}
		out = append(out, b.String())
	}
	return out
}

// TestDetectLanguageMatchesReference holds the fast detection to the
// answers of the one it replaced.
func TestDetectLanguageMatchesReference(t *testing.T) {
	for _, s := range langSamples(t) {
		if got, want := detectLanguage(s), referenceDetectLanguage(s); got != want {
			t.Fatalf("detectLanguage(%.80q) = %q, the reference says %q", s, got, want)
		}
	}
}

func FuzzDetectLanguage(f *testing.F) {
	for _, s := range langSamples(f)[:200] {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := detectLanguage(s), referenceDetectLanguage(s); got != want {
			t.Fatalf("detectLanguage(%q) = %q, the reference says %q", s, got, want)
		}
	})
}

func BenchmarkDetectLanguage(b *testing.B) {
	text := strings.Repeat("The council met on Monday and voted, after a long debate, to build forty kilometres of protected lanes. ", 12)
	ar := strings.Repeat("قال المجلس في بيان صدر بعد الاجتماع إن الأشغال ستبدأ من الشهر المقبل على أن تنتهي قبل الصيف. ", 12)
	for _, c := range []struct{ name, text string }{{"en", text}, {"ar", ar}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				detectLanguage(c.text)
			}
		})
		b.Run(c.name+"/reference", func(b *testing.B) {
			for b.Loop() {
				referenceDetectLanguage(c.text)
			}
		})
	}
}

// TestDetectionReadsTwoSamples: articleLang takes detectSample*2 bytes of
// plain text, as detectionSample cuts there; more text gives the same
// answer.
func TestDetectionReadsTwoSamples(t *testing.T) {
	for _, s := range factSamples(t) {
		for _, title := range []string{"", "Title", strings.Repeat("عنوان ", 400)} {
			got := detectLanguage(title + "\n" + plainText(s, detectSample*2))
			if want := detectLanguage(title + "\n" + plainText(s, 1<<30)); got != want {
				t.Fatalf("detectLanguage on %.80q: %q with the plain text cut, %q without", s, got, want)
			}
		}
	}
}
