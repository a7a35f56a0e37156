package article

import (
	"slices"
	"strings"
	"sync"
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

// stopIndex maps each folded stop word to the languages that use it. Built
// on first use (see lazy.go): only articles that declare no language need it.
var stopIndex = sync.OnceValue(func() map[string][]string {
	out := map[string][]string{}
	for _, lang := range []string{"ar", "fa", "ur", "en", "fr", "es", "de", "it", "pt", "nl"} {
		for _, w := range stopWords[lang] {
			out[fold(w)] = append(out[fold(w)], lang)
		}
	}
	return out
})

// scripts are the scripts detectLanguage counts, in alphabetical order
// (a tie goes to the first), and scriptTables the tables that tell them,
// in the order they are tried (Kana twice: hiragana and katakana).
const (
	scriptArabic = iota
	scriptCyrillic
	scriptDevanagari
	scriptGreek
	scriptHan
	scriptHangul
	scriptHebrew
	scriptKana
	scriptLatin
	scriptThai
	numScripts
)

var scriptTables = [...]struct {
	script int
	table  *unicode.RangeTable
}{
	{scriptLatin, unicode.Latin}, {scriptArabic, unicode.Arabic}, {scriptHebrew, unicode.Hebrew},
	{scriptCyrillic, unicode.Cyrillic}, {scriptGreek, unicode.Greek}, {scriptHan, unicode.Han},
	{scriptKana, unicode.Hiragana}, {scriptKana, unicode.Katakana}, {scriptHangul, unicode.Hangul},
	{scriptThai, unicode.Thai}, {scriptDevanagari, unicode.Devanagari},
}

// The candidates byStopWords weighs, by script.
var (
	arabicCandidates = []string{"ar", "fa", "ur"}
	latinCandidates  = []string{"en", "fr", "es", "de", "it", "pt", "nl"}
)

// detectLanguage guesses the language of plain text from its script and,
// within a script shared by several languages, from its most frequent
// function words. It returns "" when the text is too short or unclear.
// It runs on every article that does not declare its language: the
// counts live in arrays, and ASCII letters are told without tables.
func detectLanguage(text string) string {
	text = detectionSample(text)
	counts, letters := countScripts(text)
	script := dominantScript(counts, letters)
	switch script {
	case scriptArabic:
		return byStopWords(text, "ar", arabicStops())
	case scriptLatin:
		return byStopWords(text, "", latinStops())
	case scriptHebrew:
		return "he"
	case scriptCyrillic:
		if strings.ContainsAny(text, "іїєґ") {
			return "uk"
		}
		return "ru"
	case scriptGreek:
		return "el"
	case scriptHan:
		if counts[scriptKana] > 0 {
			return "ja"
		}
		return "zh"
	case scriptKana:
		return "ja"
	case scriptHangul:
		return "ko"
	case scriptThai:
		return "th"
	case scriptDevanagari:
		return "hi"
	}
	return ""
}

// detectionSample is the start of text detectLanguage looks at: about
// detectSample runes in any script, cut at a rune boundary.
func detectionSample(text string) string {
	if len(text) <= detectSample*2 {
		return text
	}
	cut := detectSample * 2
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut]
}

// countScripts counts text's letters, in all and by script (see
// scriptTables; letters of other scripts count only in all).
func countScripts(text string) (counts [numScripts]int, letters int) {
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			i++
			if 'a' <= c|0x20 && c|0x20 <= 'z' {
				letters++
				counts[scriptLatin]++
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		switch {
		case r < 0x250:
			counts[scriptLatin]++
			continue
		case r >= 0x600 && r <= 0x6FF:
			counts[scriptArabic]++
			continue
		}
		for _, sc := range scriptTables {
			if unicode.Is(sc.table, r) {
				counts[sc.script]++
				break
			}
		}
	}
	return counts, letters
}

// dominantScript is the script of most of the letters (a tie goes to the
// first in alphabetical order), or -1 when there are fewer than eight
// letters or no script holds half of them.
func dominantScript(counts [numScripts]int, letters int) int {
	if letters < 8 {
		return -1
	}
	script, best := -1, 0
	for sc, n := range counts {
		if n > best {
			script, best = sc, n
		}
	}
	if best*2 < letters {
		return -1
	}
	return script
}

// stopTable is stopIndex for one list of candidates: for each folded
// stop word, the candidates (by position, once per language of stopIndex
// that uses the word) it scores for. Words of up to eight bytes are keyed
// by wordKey: a number hashes faster than a string.
type stopTable struct {
	candidates []string
	short      map[uint64][]int
	long       map[string][]int
	longest    int // bytes of the longest word
}

// newStopTable builds the table of candidates (at most eight).
func newStopTable(candidates []string) *stopTable {
	t := &stopTable{candidates: candidates[:min(len(candidates), 8)], short: map[uint64][]int{}, long: map[string][]int{}}
	for w, langs := range stopIndex() {
		var cs []int
		for _, l := range langs {
			if c := slices.Index(t.candidates, l); c >= 0 {
				cs = append(cs, c)
			}
		}
		switch {
		case len(cs) == 0:
			continue
		case len(w) <= 8:
			t.short[wordKey(w)] = cs
		default:
			t.long[w] = cs
		}
		t.longest = max(t.longest, len(w))
	}
	return t
}

// lookup returns the candidates a word of folded text scores for; ASCII
// capitals are lower-cased (fold lower-cases all else).
func (t *stopTable) lookup(w string) []int {
	switch {
	case len(w) > t.longest:
		return nil // no stop word is that long
	case len(w) <= 8:
		return t.short[wordKey(w)]
	}
	var lower [64]byte
	if len(w) > len(lower) {
		return nil
	}
	for i := range len(w) {
		lower[i] = lowerByte(w[i])
	}
	return t.long[string(lower[:len(w)])]
}

// wordKey packs a word of at most eight bytes, lower-cased, into a number;
// words hold no NUL, so no two words share one.
func wordKey(w string) uint64 {
	var k uint64
	for i := range len(w) {
		k |= uint64(lowerByte(w[i])) << (8 * i)
	}
	return k
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// The tables byStopWords reads, built on first use.
var (
	arabicStops = sync.OnceValue(func() *stopTable { return newStopTable(arabicCandidates) })
	latinStops  = sync.OnceValue(func() *stopTable { return newStopTable(latinCandidates) })
)

// byStopWords picks the candidate whose function words occur most often in
// the first detectSample runes of text; fallback when none clearly wins. A
// word shared by several candidates ("la" in French and Spanish) counts for
// each of them in proportion. The words are the runs of letters and
// apostrophes of the folded text (ASCII text is only lower-cased, word by
// word), looked up where they lie: no word is copied.
func byStopWords(text, fallback string, t *stopTable) string {
	var scores [8]float64 // by position in t.candidates
	score := func(w string) {
		cs := t.lookup(w)
		for _, c := range cs {
			scores[c] += 1 / float64(len(cs))
		}
	}
	if !isASCII(text) {
		text = fold(text)
	}
	// A token is a run of letters, digits and apostrophes; one with a
	// digit is no word ("y1900" twice read as the Spanish "y" twice made
	// a title Spanish); the word is what follows its last apostrophe
	// (l'article, d’un). start is where that begins, in a token (in).
	start, in, digits := 0, false, false
	for i := 0; i < len(text); {
		c := text[i]
		letter, digit, apostrophe := false, false, false
		size := 1
		if c < utf8.RuneSelf {
			letter, digit, apostrophe = 'a' <= c|0x20 && c|0x20 <= 'z', '0' <= c && c <= '9', c == '\''
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(text[i:])
			letter, digit, apostrophe = unicode.IsLetter(r), unicode.IsDigit(r), r == '’'
		}
		if letter || digit || apostrophe {
			if !in {
				start, in, digits = i, true, false
			}
			if apostrophe {
				start = i + size
			}
			digits = digits || digit
		} else if in {
			if !digits {
				score(text[start:i])
			}
			in = false
		}
		i += size
	}
	if in && !digits {
		score(text[start:])
	}
	return bestCandidate(scores, fallback, t.candidates)
}

// bestCandidate is the candidate with the highest score when it has at
// least 2 and a quarter more than the next; else fallback.
func bestCandidate(scores [8]float64, fallback string, candidates []string) string {
	best, second := -1, 0.0
	for c := range candidates {
		switch {
		case best < 0 || scores[c] > scores[best]:
			if best >= 0 {
				second = scores[best]
			}
			best = c
		case scores[c] > second:
			second = scores[c]
		}
	}
	if best < 0 || scores[best] < 2 || scores[best] < second*1.25 {
		return fallback
	}
	return candidates[best]
}

// isASCII reports whether text is all ASCII: fold only lower-cases it.
func isASCII(text string) bool {
	for i := 0; i < len(text); i++ {
		if text[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// CanonicalLanguage returns the BCP 47 form of a language code ("ar_MA"
// gives "ar-MA"), or an error when s is not one.
func CanonicalLanguage(s string) (string, error) { return model.CanonicalLanguage(s) }
