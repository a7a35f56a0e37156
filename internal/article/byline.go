package article

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Bylines name people, and often the agency the story came from too: "By
// Jane Doe and Samuel Okafor", "Par Claire Martin et Karim Naciri, avec
// AFP", "Jane Doe (AP)", "بقلم أحمد سعيد وليلى حسن". People become the
// article's authors, one each; agencies become its credits (Article.Credits),
// never authors: an author makes a feed, and "AFP" is nobody's byline.
//
// The rules:
//   - A byline read from the text (plain text, a page's header, a Word
//     document's byline) and a single string in an author field are split
//     on commas, semicolons, "and", "&", "et", "و" (standalone or attached,
//     see splitWaw).
//   - A list of authors (front matter, JSON, JSON-LD, a CMS export) is the
//     editor's explicit choice: its items are kept as they are, except an
//     item that is an agency ("AFP"), which is a credit, and an agency in
//     brackets after a name ("Jane Doe (AP)"), which is split off.
//   - A part that is an agency, names one ("Associated Press Writer"), or
//     looks like an organisation ("Foo News", "Agence X", "وكالة ...") is a
//     credit; a part that is a role ("Economics editor", "Staff Writer",
//     "مراسل") is neither.

// agencies maps each way of writing an agency (as agencyKey folds it) to
// the name credits use: the agency's own short name, the same in every
// language, so that partners can filter on it.
var agencies = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for name, aliases := range map[string][]string{
		"AP":             {"AP", "Associated Press", "The Associated Press", "أسوشيتد برس", "اسوشيتدبرس", "أسوشيتيد برس"},
		"Reuters":        {"Reuters", "Thomson Reuters", "رويترز", "رويتر"},
		"AFP":            {"AFP", "Agence France-Presse", "Agence France Presse", "أ ف ب", "أ.ف.ب", "فرانس برس", "وكالة فرانس برس", "ا ف ب"},
		"EFE":            {"EFE", "Agencia EFE", "إيفي", "إفي"},
		"dpa":            {"dpa", "Deutsche Presse-Agentur", "د ب أ", "د.ب.أ", "الوكالة الألمانية"},
		"ANSA":           {"ANSA", "أنسا"},
		"MAP":            {"MAP", "Maghreb Arabe Presse", "و م ع", "و.م.ع", "وكالة المغرب العربي للأنباء", "لاماب"},
		"APS":            {"APS", "Algérie Presse Service", "واج", "وكالة الأنباء الجزائرية"},
		"TAP":            {"TAP", "Tunis Afrique Presse", "وات", "وكالة تونس أفريقيا للأنباء"},
		"SPA":            {"SPA", "Saudi Press Agency", "واس", "وكالة الأنباء السعودية"},
		"MENA":           {"MENA", "Middle East News Agency", "أ ش أ", "أ.ش.أ", "وكالة أنباء الشرق الأوسط"},
		"QNA":            {"QNA", "Qatar News Agency", "قنا", "وكالة الأنباء القطرية"},
		"WAM":            {"WAM", "Emirates News Agency", "وام", "وكالة أنباء الإمارات"},
		"KUNA":           {"KUNA", "Kuwait News Agency", "كونا"},
		"Petra":          {"Petra", "بترا", "وكالة الأنباء الأردنية"},
		"SANA":           {"SANA", "سانا", "وكالة الأنباء السورية"},
		"NNA":            {"NNA", "National News Agency", "الوكالة الوطنية للإعلام"},
		"WAFA":           {"WAFA", "وفا"},
		"Anadolu":        {"Anadolu", "Anadolu Agency", "AA", "الأناضول", "وكالة الأناضول"},
		"Xinhua":         {"Xinhua", "Chine nouvelle", "شينخوا", "شينخوا الصينية"},
		"Kyodo":          {"Kyodo", "Kyodo News"},
		"TASS":           {"TASS", "تاس"},
		"RIA Novosti":    {"RIA Novosti", "نوفوستي"},
		"UPI":            {"UPI", "United Press International"},
		"Bloomberg":      {"Bloomberg", "Bloomberg News", "بلومبرغ"},
		"PA Media":       {"PA Media", "PA", "Press Association"},
		"Belga":          {"Belga"},
		"Keystone-ATS":   {"Keystone-ATS", "ATS"},
		"Europa Press":   {"Europa Press"},
		"Canadian Press": {"Canadian Press", "The Canadian Press", "CP", "La Presse canadienne"},
		"AAP":            {"AAP", "Australian Associated Press"},
		"APA":            {"APA"},
		"Yonhap":         {"Yonhap"},
		"PTI":            {"PTI"},
		"IRNA":           {"IRNA", "إرنا"},
		"BNA":            {"BNA"},
		"AMI":            {"AMI", "الوكالة الموريتانية للأنباء"},
		"LANA":           {"LANA"},
		"SUNA":           {"SUNA", "سونا"},
		"INA":            {"INA"},
		"Sputnik":        {"Sputnik", "سبوتنيك"},
	} {
		for _, a := range aliases {
			m[agencyKey(a)] = name
		}
	}
	return m
})

// agencyKey folds a name for the agencies table: letters and digits only,
// so "A.F.P.", "و.م.ع" and "و م ع" compare equal.
func agencyKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, fold(s))
}

// agency returns the credit name of s when s is an agency and nothing
// else ("AFP", "(AP)", "— Reuters", "The Associated Press").
func agency(s string) (string, bool) {
	if utf8.RuneCountInString(s) > 60 {
		return "", false
	}
	k := agencyKey(s)
	if k == "" {
		return "", false
	}
	name, ok := agencies()[k]
	return name, ok
}

// reCreditLead is what may open a credit line besides the agencies: "avec
// AFP", "with Reuters", "Source : AFP", "المصدر: رويترز", "عن و م ع".
var reCreditLead = lazyRE(`^(?:avec|with|via|from|source|sources|d'apres|selon|المصدر|المصادر|مع|عن|نقلا عن|بالتعاون مع)(?:\s*[:：]\s*|\s+)`)

// reCreditSep separates agencies in a credit line: "AFP et Reuters",
// "Reuters/AFP", "رويترز، أ ف ب".
var reCreditSep = guardedRE{lazyRE(`\s*[,،/;+&]\s*|\s+(?:and|et)\s+|\s+و\s*`), func(s string) bool {
	return strings.ContainsAny(s, ",،/;+&و") || strings.Contains(s, "and") || strings.Contains(s, "et")
}}

// creditLine returns the agencies a line credits when the line is a
// credit and nothing else: "AFP", "(avec AFP)", "Le Monde avec AFP",
// "Reuters/AFP", "— The Associated Press", "(و م ع)", "المصدر: رويترز".
func creditLine(line string) []string {
	s := strings.TrimSpace(line)
	if s == "" || len(s) > 120 {
		return nil
	}
	if name, ok := agency(s); ok {
		return []string{name}
	}
	f := strings.TrimFunc(fold(s), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || r == '—' || r == '–' || r == '-'
	})
	// "Le Monde avec AFP": a publication's name, then the agency.
	if i := strings.LastIndex(f, " avec "); i > 0 && wordCount(f[:i]) <= 4 {
		f = f[i+1:]
	} else if i := strings.LastIndex(f, " with "); i > 0 && wordCount(f[:i]) <= 4 {
		f = f[i+1:]
	}
	f = strings.TrimSpace(reCreditLead.ReplaceAllString(f, ""))
	if f == "" {
		return nil
	}
	if name, ok := agency(f); ok {
		return []string{name}
	}
	var out []string
	for _, part := range reCreditSep.Split(f, -1) {
		name, ok := agency(part)
		if !ok {
			return nil
		}
		out = append(out, name)
	}
	return out
}

// roleWords end a byline part that is a role, not a name: "Economics
// editor", "Staff Writer", "Associated Press Writer", folded.
var roleWords = foldedSet("writer", "writers", "editor", "editors", "correspondent", "correspondents", "reporter", "reporters",
	"staff", "contributor", "columnist", "photographer", "desk", "bureau", "team",
	"redacteur", "redactrice", "redaction", "journaliste", "correspondant", "correspondante", "envoye", "envoyee",
	"special", "speciale", "chroniqueur", "chroniqueuse", "pigiste")

// roleLeads open a part that is a role: "مراسل الجزيرة", "envoyé spécial".
var roleLeads = foldedSet("مراسل", "مراسلة", "مراسلو", "محرر", "محررة", "المحرر", "هيئة", "فريق", "قسم", "envoye", "envoyee", "correspondant", "correspondante")

// orgWords mark a part that names an organisation, not a person.
var orgWords = foldedSet("press", "presse", "news", "agency", "agence", "agencia", "wire", "media", "medias", "newsroom",
	"وكالة", "وكالات", "agencies", "agences")

// reParenthesis is a bracketed part of a byline: "(AP)", "(Reuters)".
var reParenthesis = guardedRE{lazyRE(`\s*[(\[]([^()\[\]]{1,60})[)\]]`), func(s string) bool {
	return strings.ContainsAny(s, "([")
}}

// reBylineSep splits a byline into the parts that may each be a name.
var reBylineSep = guardedRE{lazyRE(`\s*[,،;؛]\s*|\s+(?i:and|et)\s+|\s*&\s*|\s+و\s+`), func(s string) bool {
	return strings.ContainsAny(s, ",،;؛&و") || spaceBefore(s, "aAeE")
}}

// reAgencyTail is a credit after a name without a comma: "Jane Doe for
// Reuters", "Claire Martin avec AFP", "أحمد سعيد عن و م ع".
var reAgencyTail = guardedRE{lazyRE(`\s+(?i:for|pour|avec|with|via|مع|عن)\s+(.+)$`), func(s string) bool {
	return strings.ContainsAny(s, "مع") || spaceBefore(s, "fFpPaAwWvV")
}}

// splitByline splits the name part of a byline (or a single author
// string) into the people it names and the agencies it credits.
func splitByline(s string) (authors, credits []string) {
	s = strings.TrimSpace(s)
	if f := fold(s); reByline.MatchString(f) {
		if _, rest, ok := strings.Cut(s, " "); ok {
			s = strings.TrimLeft(rest, " :：-–")
			if strings.HasPrefix(s, "طرف ") { // "من طرف"
				s = strings.TrimSpace(s[len("طرف "):])
			}
		}
	}
	// Agencies in brackets: "Jane Doe (AP)".
	s = reParenthesis.ReplaceAllStringFunc(s, func(p string) string {
		inner := strings.TrimSpace(strings.Trim(strings.TrimSpace(p), "()[]"))
		if names := creditLine(inner); names != nil {
			credits = append(credits, names...)
			return ""
		}
		return p
	})
	for _, part := range reBylineSep.Split(s, -1) {
		for _, piece := range splitWaw(part) {
			piece = strings.Trim(strings.TrimSpace(piece), ".:：-–—|")
			piece = strings.TrimSpace(piece)
			if piece == "" {
				continue
			}
			if m := reAgencyTail.FindStringSubmatchIndex(piece); m != nil {
				if names := creditLine(piece[m[2]:m[3]]); names != nil {
					credits = append(credits, names...)
					piece = strings.TrimSpace(piece[:m[0]])
				}
			}
			// "SAMUEL OKAFOR Associated Press": an agency's name of two
			// words or more after a name, without a comma (AP's style).
			if words := strings.Fields(piece); len(words) >= 4 {
				for k := min(4, len(words)-2); k >= 2; k-- {
					if name, ok := agency(strings.Join(words[len(words)-k:], " ")); ok {
						credits = append(credits, name)
						piece = strings.Join(words[:len(words)-k], " ")
						break
					}
				}
			}
			switch a, c, ok := classifyPart(piece); {
			case !ok:
			case c != "":
				credits = append(credits, c)
			default:
				authors = append(authors, a)
			}
		}
	}
	return authors, credits
}

// classifyPart tells what one part of a byline is: a person (author), an
// agency or organisation (credit), or a role (neither: ok is false).
func classifyPart(piece string) (author, credit string, ok bool) {
	if piece == "" || !hasWord(piece) {
		return "", "", false
	}
	if names := creditLine(piece); len(names) == 1 {
		return "", names[0], true
	}
	words := strings.Fields(fold(piece))
	// Trailing role words: "Associated Press Writer" credits AP; "Economics
	// editor" is a role.
	n := len(words)
	for n > 0 && roleWords()[strings.Trim(words[n-1], ".,")] {
		n--
	}
	if n < len(words) || roleLeads()[words[0]] {
		if n > 0 && n < len(words) {
			if name, ok := agency(strings.Join(words[:n], " ")); ok {
				return "", name, true
			}
		}
		return "", "", false
	}
	for _, w := range words {
		if orgWords()[w] {
			return "", piece, true
		}
	}
	return piece, "", true
}

// wawNames are names that start with the letter و (folded): a token equal
// to one is a name, never "و" and a name.
var wawNames = foldedSet("وليد", "وائل", "وفاء", "وداد", "وسيم", "وهيب", "وجدي", "وحيد", "وديع", "وصفي", "وعد", "ولاء",
	"وئام", "وهبة", "وردة", "وسام", "وجيه", "وفيق", "وهبي", "ولد", "وزان", "وداعة", "وضاح", "ورد", "ودود", "وفيقة",
	"وجدان", "وهيبة", "وسيلة", "ولي", "والي", "وطفة", "وحيدة", "ونيس", "وناس", "وهاب", "وارث", "واصف", "واثق", "وافي",
	"وجيهة", "وديعة", "ولید", "وسيمة", "وصال", "ولادة", "وعود", "وهاج", "وديان", "ويصا", "وزيري", "وهدان", "وحشي")

// arabicFirstNames are common first names (folded): "و" attached to one
// of them is the conjunction.
var arabicFirstNames = foldedSet("محمد", "أحمد", "علي", "حسن", "حسين", "عمر", "عثمان", "خالد", "يوسف", "إبراهيم", "مصطفى", "محمود",
	"سعيد", "كريم", "رشيد", "هشام", "طارق", "سمير", "سامي", "ياسين", "حمزة", "أمين", "إسماعيل", "عادل", "جمال", "نبيل",
	"مراد", "عبد", "عبدالله", "عبدالرحمن", "عبدالعزيز", "نور", "فاطمة", "مريم", "ليلى", "سارة", "هدى", "سلمى", "أمينة",
	"خديجة", "زينب", "نادية", "سعاد", "سناء", "رجاء", "إيمان", "أسماء", "هند", "منى", "رانيا", "لينا", "دينا", "ريم",
	"نجلاء", "حنان", "سمية", "ياسمين", "كوثر", "شيماء", "آمنة", "عائشة", "فرح", "جميلة", "كمال", "فؤاد", "أنس", "بلال",
	"زكرياء", "زكريا", "عماد", "أيوب", "إدريس", "المهدي", "مهدي", "توفيق", "لطيفة", "نزهة", "حكيم", "صلاح", "ماجد",
	"فيصل", "زياد", "باسم", "رامي", "جورج", "إلياس", "ميشال", "شادي", "فادي", "رياض", "منصور", "ناصر", "سلطان")

// splitWaw splits an Arabic part on the conjunction و written attached to
// the next name ("أحمد سعيد وليلى حسن"). Many names start with و (وليد،
// وفاء، وائل), so a token و+X splits only when the token is not such a
// name and X is a known first name, or both sides are full names of two
// words or more. Anything else is kept whole.
func splitWaw(part string) []string {
	tokens := strings.Fields(part)
	if len(tokens) < 2 {
		return []string{part}
	}
	var out []string
	start := 0
	for i := 1; i < len(tokens); i++ {
		tok := tokens[i]
		r, size := utf8.DecodeRuneInString(tok)
		if r != 'و' || utf8.RuneCountInString(tok) < 3 || wawNames()[fold(tok)] {
			continue
		}
		rest := tok[size:]
		if next, _ := utf8.DecodeRuneInString(rest); !unicode.Is(unicode.Arabic, next) {
			continue
		}
		left, right := i-start, len(tokens)-i
		if !arabicFirstNames()[fold(rest)] && (left < 2 || right < 2) {
			continue
		}
		out = append(out, strings.Join(tokens[start:i], " "))
		tokens[i] = rest
		start = i
	}
	return append(out, strings.Join(tokens[start:], " "))
}

// plausibleByline reports whether a byline's name part is short enough to
// be names: at most six parts of at most six words.
func plausibleByline(name string) bool {
	if name == "" || utf8.RuneCountInString(name) > 300 {
		return false
	}
	parts := reBylineSep.Split(name, -1)
	if len(parts) > 6 {
		return false
	}
	for _, p := range parts {
		if wordCount(p) > 6 || strings.ContainsAny(p, "!?؟") {
			return false
		}
	}
	// A name opens with a capital in Latin script: "By the end of the
	// year, ..." is a sentence.
	r, _ := utf8.DecodeRuneInString(strings.TrimLeft(parts[0], " \"'“«(-–—:"))
	return !unicode.IsLower(r)
}

// authorList reads a list of authors the editor wrote as a list: agencies
// become credits, "Jane Doe (AP)" is split; nothing else is.
func authorList(names []string) (authors, credits []string) {
	for _, n := range names {
		if c := creditLine(n); c != nil {
			credits = append(credits, c...)
			continue
		}
		if m := reParenthesis.FindStringSubmatchIndex(n); m != nil && strings.TrimSpace(n[m[1]:]) == "" {
			if c := creditLine(n[m[2]:m[3]]); c != nil && strings.TrimSpace(n[:m[0]]) != "" {
				credits = append(credits, c...)
				authors = append(authors, strings.TrimSpace(n[:m[0]]))
				continue
			}
		}
		authors = append(authors, n)
	}
	return authors, credits
}
