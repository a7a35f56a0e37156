package article

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pressroom/pressroom/internal/article/model"
)

// canonicalLang turns a declared language ("ar_MA", "FR-fr", "en") into a
// BCP 47 tag ("ar-MA", "fr-FR", "en"). ok is false when s is not a language.
func canonicalLang(s string) (string, bool) {
	c, err := model.CanonicalLanguage(s)
	return c, err == nil
}

// Direction is "rtl" for a language (BCP 47) written right to left (see
// model.Direction), else "ltr".
func Direction(lang string) string { return model.Direction(lang) }

// detectSample bounds the runes language detection looks at: a hundred or
// so words, enough for stop words to settle, cheap on any article.
const detectSample = 800

// stopWords are frequent function words per language, by script. They are
// matched on folded text (see fold), so accents and hamza seats are gone.
var stopWords = map[string][]string{
	"ar": {"في", "من", "علي", "الي", "ان", "التي", "الذي", "عن", "مع", "هذا", "هذه", "كان", "قال", "بين", "بعد", "او", "لم", "وقد", "كما", "حيث"},
	"fa": {"است", "این", "که", "را", "با", "برای", "از", "به", "می", "شد", "های", "بود", "آن", "اين", "هم", "یک", "کرد"},
	"ur": {"کے", "ہے", "میں", "کی", "اور", "کو", "سے", "نے", "کہ", "پر", "ہیں", "تھا", "کا", "یہ"},
	"en": {"the", "and", "of", "to", "in", "is", "that", "for", "it", "with", "was", "on", "as", "by", "at", "from", "his", "has", "have", "are", "this", "said", "will"},
	"fr": {"le", "la", "les", "des", "et", "est", "une", "un", "du", "dans", "que", "qui", "pour", "pas", "sur", "au", "avec", "par", "ce", "il", "elle", "sont", "ont", "aux", "de", "a", "en", "ne", "se", "cette", "mais", "ou"},
	"es": {"el", "la", "los", "las", "de", "que", "y", "en", "del", "por", "con", "una", "para", "es", "se", "al", "lo", "como", "mas", "pero"},
	"de": {"der", "die", "das", "und", "ist", "nicht", "mit", "den", "von", "zu", "ein", "eine", "auf", "sich", "des", "dem", "im", "fur", "auch", "wird"},
	"it": {"il", "di", "che", "e", "la", "per", "un", "una", "del", "della", "non", "sono", "con", "gli", "le", "nel", "alla", "anche", "ha", "dei"},
	"pt": {"o", "a", "os", "as", "de", "que", "e", "do", "da", "em", "um", "uma", "para", "com", "nao", "dos", "das", "por", "mais", "foi"},
	"nl": {"de", "het", "een", "en", "van", "is", "dat", "niet", "op", "te", "zijn", "met", "voor", "ook", "aan", "wordt", "bij", "naar"},
}

// stopIndex maps each folded stop word to the languages that use it.
var stopIndex = func() map[string][]string {
	out := map[string][]string{}
	for _, lang := range []string{"ar", "fa", "ur", "en", "fr", "es", "de", "it", "pt", "nl"} {
		for _, w := range stopWords[lang] {
			out[fold(w)] = append(out[fold(w)], lang)
		}
	}
	return out
}()

// detectLanguage guesses the language of plain text from its script and,
// within a script shared by several languages, from its most frequent
// function words. It returns "" when the text is too short or unclear.
func detectLanguage(text string) string {
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
		return byStopWords(text, "ar", []string{"ar", "fa", "ur"})
	case "Latin":
		return byStopWords(text, "", []string{"en", "fr", "es", "de", "it", "pt", "nl"})
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

// byStopWords picks the candidate whose function words occur most often in
// the first detectSample runes of text; fallback when none clearly wins. A
// word shared by several candidates ("la" in French and Spanish) counts for
// each of them in proportion.
func byStopWords(text, fallback string, candidates []string) string {
	scores := map[string]float64{}
	isCandidate := func(lang string) bool {
		for _, c := range candidates {
			if c == lang {
				return true
			}
		}
		return false
	}
	words := strings.FieldsFunc(fold(text), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '’' })
	for _, w := range words {
		if i := strings.LastIndexAny(w, "'’"); i >= 0 {
			_, size := utf8.DecodeRuneInString(w[i:])
			w = w[i+size:] // l'article, d’un
		}
		langs := stopIndex[w]
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

// CanonicalLanguage returns the BCP 47 form of a language code ("ar_MA"
// gives "ar-MA"), or an error when s is not one.
func CanonicalLanguage(s string) (string, error) { return model.CanonicalLanguage(s) }
