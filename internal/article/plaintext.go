package article

import (
	"html"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// A plain-text newsroom export has this shape (any part but the headline
// and body may be missing):
//
//  1. navigation: bullet lines (related headlines, however long) or a run
//     of short menu words;
//  2. labels: a few words with no sentence punctuation ("عاجل", "Flash info");
//  3. a dateline: a written date, often with weekday and time;
//  4. the headline, next to the dateline (usually after it), sometimes
//     printed twice;
//  5. the body: paragraphs separated by blank lines.
//
// The parser recovers the parts from these shapes, not from words of one
// site, so other sites' exports in Arabic, French and English work too.

// unit is one non-blank line of a text file.
type unit struct {
	text        string
	line        int  // 1-based
	blankBefore bool // a blank line (or the start of the file) precedes it
}

// maxDatelineBytes bounds the lines read as datelines (or menus): real ones
// are short, and the bound keeps hostile megabyte-long lines cheap.
const maxDatelineBytes = 600

// maxHeader bounds how far into the file the dateline and headline are
// looked for.
const maxHeader = 15

// bullets open navigation lines and body list items.
const bullets = "•·*-»◦▪►‣⁃–—●○■□➤→"

// labels are well-known section labels, folded (see fold). Any short line
// before the headline is dropped as a label too; these are also dropped
// where the file has no dateline.
var labels = foldedSet(
	"عاجل", "خبر عاجل", "عاجل جدا", "حصري", "خاص", "فيديو", "بالفيديو", "صور", "بالصور", "مباشر",
	"تحديث", "آخر الأخبار", "أخبار", "رأي", "تحليل", "تقرير", "متابعة",
	"breaking", "breaking news", "exclusive", "urgent", "update", "updated", "live", "just in",
	"developing", "developing story", "news", "latest", "opinion", "analysis", "video", "photos",
	"flash", "flash info", "flash-info", "alerte", "alerte info", "en direct", "exclusif", "info",
	"dernière minute", "dernière heure", "actualité", "à la une", "urgent info", "vidéo",
)

// connectors are the words a dateline may hold besides its date, folded.
var connectors = foldedSet(
	"on", "at", "the", "published", "posted", "updated", "last", "by", "am", "pm", "gmt", "utc", "time",
	"le", "la", "à", "a", "publié", "mis", "jour", "par", "dernière", "mise", "h", "du", "de", "et",
	"على", "الساعة", "في", "يوم", "نشر", "نشر في", "بتاريخ", "تاريخ", "آخر", "تحديث", "صباحا", "مساء",
	"بتوقيت", "غرينتش", "ص", "م", "بقلم", "الموافق", "هـ", "ه",
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
	"mon", "tue", "wed", "thu", "fri", "sat", "sun",
	"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
	"الأحد", "الاثنين", "الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت",
)

// reByline matches a byline; reReadAlso a "read also" heading above related
// links; reTagsLine a line of tags. All match folded text.
var reByline = lazyRE(`^(?:by|par|بقلم|كتب|كتبه|كتبته|بواسطة|من طرف|اعداد|إعداد|تحرير)\s*[:：]?\s+(.+)$`)

var reReadAlso = lazyRE(`^(?:read also|read more|related|see also|lire aussi|a lire aussi|voir aussi|sur le meme sujet|اقرا ايضا|اقرأ أيضا|اقرا كذلك|مواضيع ذات صله|ذات صله|اخبار ذات صله|شاهد ايضا)\s*[:：.…]*$`)

// reTrailer matches the credit and navigation lines exports end with:
// "Reporting by ...", "المصدر : الجزيرة", "Related Topics", "(avec AFP)".
var reTrailer = lazyRE(`^(?:\(?(?:reporting|editing|writing|additional reporting) by\b|sources? ?:|المصدر ?:|مصدر ?:|related topics$|related$|more on this story$|share this$|partager( cet article)?$|\((?:avec|with) [^)]{1,30}\)$|(?:avec|with) (?:afp|reuters|ap|map)$)`)

var reTagsLine = lazyRE(`^(?:tags|keywords|mots[ -]cles|etiquettes|الوسوم|وسوم|الكلمات المفتاحيه|كلمات مفتاحيه)\s*[:：]\s*(.+)$`)

func parseText(text string, opts Options, r *report) meta {
	var m meta
	text = strings.TrimPrefix(text, "\uFEFF")
	lineOffset := 0
	if fm, body, bodyLine, ok := splitFrontMatter(text, r); ok {
		applyFrontMatter(fm, &m, opts, r)
		text, lineOffset = body, bodyLine-1
	}
	units := splitUnits(text, lineOffset)
	// "Title: ...", "Date: ..." lines some systems put on top.
	if fm, n := headerFields(units); n > 0 {
		applyFrontMatter(fm, &m, opts, r)
		units = units[n:]
	}
	if len(units) == 0 {
		return m
	}
	t := textParse{units: units, loc: opts.Location}
	if m.title == "" {
		t.header()
		if t.headline < 0 {
			r.add("title", units[0].line, "no headline found: the first lines are navigation, labels or long paragraphs; put the headline on its own line before the text")
		} else {
			m.title = units[t.headline].text
		}
		m.titleLine = units[0].line
	} else {
		t.skipHeader()
	}
	t.trailingDateline()
	if t.published.IsZero() {
		t.ledeDate()
	}
	if m.published.IsZero() {
		m.published = t.published
	}
	if m.updated.IsZero() {
		m.updated = t.updated
	}
	if m.summary == "" {
		m.summary = t.dek
	}
	t.ledeCredit()
	m.body = t.body(m.title)
	for _, name := range t.authors {
		authors, credits := splitByline(name)
		m.authors = append(m.authors, authors...)
		m.credits = append(m.credits, credits...)
	}
	m.credits = append(m.credits, t.credits...)
	m.tags = append(m.tags, t.tags...)
	return m
}

// fieldNames maps the header-field names newsroom exports use, folded, to
// front matter names.
var fieldNames = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for field, names := range map[string][]string{
		"title":      {"title", "headline", "titre", "العنوان", "عنوان", "العنوان الرئيسي"},
		"date":       {"date", "published", "publication date", "date de publication", "publié le", "التاريخ", "تاريخ", "تاريخ النشر"},
		"lastmod":    {"updated", "last updated", "modified", "mis à jour", "mise à jour", "آخر تحديث", "تحديث"},
		"author":     {"author", "authors", "by", "byline", "auteur", "auteurs", "par", "الكاتب", "الكاتبة", "كاتب", "المؤلف", "بقلم"},
		"tags":       {"tags", "keywords", "mots-clés", "mots clés", "étiquettes", "الوسوم", "وسوم", "كلمات مفتاحية", "الكلمات المفتاحية"},
		"categories": {"category", "categories", "section", "rubrique", "catégorie", "القسم", "التصنيف", "الركن"},
		"summary":    {"summary", "description", "standfirst", "résumé", "chapô", "chapeau", "ملخص", "الملخص"},
		"lang":       {"lang", "language", "langue", "اللغة"},
		"slug":       {"slug"},
	} {
		for _, n := range names {
			m[fold(n)] = field
		}
	}
	return m
})
var reField = lazyRE(`^([^:：]{2,24}?)\s*[:：]\s*(.+)$`)

// headerFields reads a block of "Name: value" lines at the very top of a
// text file, when it holds a title or a date. It returns them as front
// matter and how many units they took.
func headerFields(units []unit) (frontMatter, int) {
	fm := frontMatter{values: map[string]any{}, lines: map[string]int{}, format: "text"}
	n := 0
	for _, u := range units {
		m := reField.FindStringSubmatch(u.text)
		if m == nil || (n > 0 && u.blankBefore) {
			break
		}
		key, ok := fieldNames()[fold(strings.TrimSpace(m[1]))]
		if !ok {
			break
		}
		fm.values[key] = strings.TrimSpace(m[2])
		fm.lines[key] = u.line
		n++
	}
	if fm.values["title"] == nil && fm.values["date"] == nil {
		return frontMatter{}, 0
	}
	return fm, n
}

func splitUnits(text string, lineOffset int) []unit {
	var units []unit
	blank := true
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(line, "\uFEFF"))
		if line == "" {
			blank = true
			continue
		}
		units = append(units, unit{text: line, line: lineOffset + i + 1, blankBefore: blank})
		blank = false
	}
	return units
}

// textParse holds the state of one plain-text file's parse.
type textParse struct {
	units              []unit
	loc                *time.Location
	headline           int // index into units, -1 when none
	dateline           int // -1 when none
	bodyStart          int
	published, updated time.Time
	authors, tags      []string // authors: bylines' name parts, split at the end
	credits            []string // agencies of credit lines
	dek                string   // a standfirst between headline and dateline
	bodyEnd            int      // units from here on are not body (a trailing dateline); 0: none
}

// skipHeader starts the body after the navigation, labels and dateline of
// a file whose title came from header fields.
func (t *textParse) skipHeader() {
	t.headline = -1
	for t.bodyStart < len(t.units) && t.bodyStart < maxHeader {
		u := t.units[t.bodyStart].text
		if isNavigation(u) || isLabel(u) {
			t.bodyStart++
			continue
		}
		if c := creditLine(u); c != nil {
			t.credits = append(t.credits, c...)
			t.bodyStart++
			continue
		}
		if pub, upd, authors, ok := t.readDateline(u); ok {
			if t.published.IsZero() {
				t.published, t.updated, t.authors = pub, upd, authors
			}
			t.bodyStart++
			continue
		}
		break
	}
}

// trailingDateline reads a short dateline among the last lines ("Published
// 22 February 2021") when the header had none, and ends the body before it.
func (t *textParse) trailingDateline() {
	if t.dateline >= 0 || !t.published.IsZero() {
		return
	}
	for i := len(t.units) - 1; i >= max(t.bodyStart, len(t.units)-3); i-- {
		u := t.units[i].text
		if wordCount(u) > 12 {
			continue
		}
		if pub, upd, authors, ok := t.readDateline(u); ok {
			t.published, t.updated, t.bodyEnd = pub, upd, i
			t.authors = append(t.authors, authors...)
			return
		}
	}
}

// reWireDate is what follows a wire-style dateline in a lede: "RABAT, 22
// février 2021 (MAP) - Le...": a dash or an agency in brackets.
var reWireDate = lazyRE(`^\s*(?:\([^)]{1,30}\))?\s*[-–—:]|^\s*\(`)

// ledeDate reads a wire-style dateline at the start of the first body
// paragraph.
func (t *textParse) ledeDate() {
	if t.bodyStart < 0 || t.bodyStart >= len(t.units) {
		return
	}
	first := t.units[t.bodyStart].text
	if len(first) > 400 {
		first = first[:400]
	}
	f := fold(first)
	ds := findDates(f, t.loc)
	if len(ds) == 0 || utf8.RuneCountInString(f[:ds[0].start]) > 50 {
		return
	}
	if reWireDate.MatchString(f[ds[0].end:]) {
		t.published = ds[0].t
	}
}

// header finds the navigation, labels, dateline and headline.
func (t *textParse) header() {
	t.headline, t.dateline = -1, -1
	t.findDateline()
	if t.dateline < 0 {
		t.headlineWithoutDateline()
		t.headerCredits()
		return
	}
	after := t.afterDateline()
	before, cands := t.beforeDateline()
	t.pickHeadline(after, before, cands)
	// A byline on a line of its own in the header ("Par Mehdi Khalil").
	if len(t.authors) == 0 {
		t.headerBylines()
	}
	// Updated datelines and credit lines right after the dateline are
	// not body.
	for t.bodyStart < len(t.units) && t.bodyStart <= t.dateline+3 {
		u := t.units[t.bodyStart].text
		if _, _, _, ok := t.readDateline(u); !ok && creditLine(u) == nil {
			break
		}
		t.bodyStart++
	}
	t.headerCredits()
}

// findDateline looks for the dateline among the first lines, past the
// navigation and before the first line that reads as body, and reads its
// dates and byline.
func (t *textParse) findDateline() {
	for i := range min(len(t.units), maxHeader) {
		if isNavigation(t.units[i].text) {
			continue
		}
		if bodyLike(t.units[i].text) {
			break // past the header: a date further down is no dateline
		}
		if pub, upd, authors, ok := t.readDateline(t.units[i].text); ok {
			t.dateline, t.published, t.updated, t.authors = i, pub, upd, authors
			break
		}
	}
}

// headlineWithoutDateline takes the first line past the navigation,
// labels and credits as the headline when it stands alone and reads like
// one; the body starts after it.
func (t *textParse) headlineWithoutDateline() {
	for i := range min(len(t.units), maxHeader) {
		u := t.units[i].text
		if isNavigation(u) || isLabel(u) || creditLine(u) != nil {
			continue
		}
		if headlineLike(u) && t.standalone(i) {
			t.headline = i
		}
		break
	}
	t.bodyStart = t.headline + 1
}

// afterDateline returns the first of the three lines after the dateline
// that is not navigation, a label, a credit or another dateline (a later
// one updates the updated date), or -1.
func (t *textParse) afterDateline() int {
	for i := t.dateline + 1; i < len(t.units) && i < t.dateline+4; i++ {
		u := t.units[i].text
		if isNavigation(u) || isLabel(u) || creditLine(u) != nil {
			continue
		}
		if _, upd, _, ok := t.readDateline(u); ok {
			if t.updated.IsZero() || upd.After(t.updated) {
				t.updated = upd
			}
			continue
		}
		return i
	}
	return -1
}

// beforeDateline reads the lines between the navigation and the dateline:
// labels, or the headline (the first with three words or more, else the
// last candidate) and a standfirst. It returns the headline's index (-1
// for none) and every line that could be either.
func (t *textParse) beforeDateline() (before int, cands []int) {
	for i := 0; i < t.dateline; i++ {
		if u := t.units[i].text; !isNavigation(u) && !isLabel(u) && headlineLike(u) && creditLine(u) == nil {
			cands = append(cands, i)
		}
	}
	for _, i := range cands {
		if wordCount(t.units[i].text) >= 3 {
			return i, cands
		}
	}
	if len(cands) > 0 {
		return cands[len(cands)-1], cands
	}
	return -1, cands
}

// pickHeadline chooses between the line after the dateline and the one
// before it (see afterDateline, beforeDateline), and starts the body after
// the headline or the dateline, whichever comes last. The line after wins
// when it stands alone as a headline, unless one before exists and it
// reads as a sentence of the body.
func (t *textParse) pickHeadline(after, before int, cands []int) {
	afterOK := after >= 0 && t.standalone(after) && headlineLike(t.units[after].text)
	if afterOK && before >= 0 {
		a := t.units[after].text
		afterOK = !bodyLike(a) && !(strings.HasSuffix(a, ".") && !strings.HasSuffix(a, ".."))
	}
	switch {
	case afterOK:
		t.headline, t.bodyStart = after, after+1
	case before >= 0:
		t.headline, t.bodyStart = before, t.dateline+1
		t.dek = t.standfirst(before, cands)
	default:
		t.bodyStart = t.dateline + 1
	}
}

// standfirst joins the candidate lines after the headline that read as a
// sentence: five words or more, not a credit ("Economics editor", "Le
// Monde avec AFP") or a byline.
func (t *textParse) standfirst(headline int, cands []int) string {
	var dek []string
	for _, i := range cands {
		if u := t.units[i].text; i > headline && wordCount(u) >= 5 && !reByline.MatchString(fold(u)) {
			dek = append(dek, u)
		}
	}
	return strings.Join(dek, " ")
}

// headerBylines reads the bylines on lines of their own in the header.
func (t *textParse) headerBylines() {
	for i := 0; i < t.bodyStart && i < len(t.units); i++ {
		if u := t.units[i].text; i != t.headline && wordCount(u) <= maxBylineWords && reByline.MatchString(fold(u)) {
			if name := bylineName(u); plausibleByline(name) {
				t.authors = append(t.authors, name)
			}
		}
	}
}

// maxBylineWords bounds a line read as a byline: "By Jane Doe, Samuel
// Okafor and Ann Lee, Associated Press" and no longer.
const maxBylineWords = 20

// headerCredits records the agencies of the credit lines in the header
// ("Associated Press" under a byline, "Le Monde avec AFP").
func (t *textParse) headerCredits() {
	for i := 0; i < t.bodyStart && i < len(t.units); i++ {
		if i != t.headline {
			t.credits = append(t.credits, creditLine(t.units[i].text)...)
		}
	}
}

// reLedeCredit is a wire dateline's agency opening the text: "RABAT
// (Reuters) -", "PARIS (AFP) –", "الرباط (رويترز) -".
var reLedeCredit = lazyRE(`^[^()]{2,60}?\(([^()]{1,40})\)\s*[-–—:]`)

// ledeCredit reads the agency of a wire dateline opening the first
// paragraph; the paragraph keeps it.
func (t *textParse) ledeCredit() {
	if t.bodyStart < 0 || t.bodyStart >= len(t.units) {
		return
	}
	first := t.units[t.bodyStart].text
	if m := reLedeCredit.FindStringSubmatch(first[:min(len(first), 200)]); m != nil {
		t.credits = append(t.credits, creditLine(m[1])...)
	}
}

// standalone reports whether unit i stands on its own line rather than
// opening a hard-wrapped paragraph: a wrapped line is long, does not end a
// sentence, and runs on into a line of about the same width or one that
// starts in lower case.
func (t *textParse) standalone(i int) bool {
	if i+1 >= len(t.units) || t.units[i+1].blankBefore {
		return true
	}
	cur, next := t.units[i].text, t.units[i+1].text
	n, m := utf8.RuneCountInString(cur), utf8.RuneCountInString(next)
	if n < 40 || endsSentence(cur) {
		return true
	}
	first, _ := utf8.DecodeRuneInString(next)
	similar := float64(m) >= 0.6*float64(n) && float64(m) <= 1.3*float64(n)
	return !(unicode.IsLower(first) || similar)
}

// readDateline reports whether line is a dateline: a complete date with
// little else (weekday, time, "published", a byline). It returns the first
// date, a later date marked as an update, and a byline's authors.
func (t *textParse) readDateline(line string) (pub, upd time.Time, authors []string, ok bool) {
	if len(line) > maxDatelineBytes {
		return pub, upd, nil, false
	}
	f := fold(line)
	dates := findDates(f, t.loc)
	if len(dates) == 0 {
		return pub, upd, nil, false
	}
	// Strip the dates and count the words left that a dateline would not have.
	var rest strings.Builder
	prev := 0
	for _, d := range dates {
		rest.WriteString(f[prev:d.start])
		rest.WriteByte(' ')
		prev = d.end
	}
	rest.WriteString(f[prev:])
	var bylineWords int
	for _, seg := range splitSegments(line) {
		if reByline.MatchString(fold(seg)) {
			if name := bylineName(seg); plausibleByline(name) {
				authors = append(authors, name)
				bylineWords += wordCount(name) + 1
			}
		}
	}
	extra := 0
	for _, w := range strings.FieldsFunc(rest.String(), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if !connectors()[w] && !reUpdated.MatchString(w) {
			extra++
		}
	}
	if extra-bylineWords > 4 {
		return pub, upd, nil, false
	}
	// One zone stated at the end of the line holds for its every time:
	// "نشر في: 22/2/2021 - 16:18 | آخر تحديث: 23/2/2021 - 09:30 (توقيت مكة
	// المكرمة)".
	if last := dates[len(dates)-1]; last.zoned && last.hasTime {
		for i := range dates[:len(dates)-1] {
			if d := &dates[i]; d.hasTime && !d.zoned {
				d.t = time.Date(d.t.Year(), d.t.Month(), d.t.Day(), d.t.Hour(), d.t.Minute(), d.t.Second(), 0, last.t.Location())
			}
		}
	}
	pub = dates[0].t
	for i := 1; i < len(dates); i++ {
		if reUpdated.MatchString(f[dates[i-1].end:dates[i].start]) {
			upd = dates[i].t
		}
	}
	if len(dates) == 1 && reUpdated.MatchString(f[:dates[0].start]) {
		// A line that only gives the update ("Mis à jour le ...").
		upd = pub
	}
	return pub, upd, authors, true
}

// bylineStops end the name in a byline: "Par Jean Dupont le 22/02/2021".
var bylineStops = foldedSet("le", "on", "at", "à", "في", "يوم", "publié", "published", "posted", "updated", "mis",
	"الساعة", "على", "بتاريخ", "-", "|", "–", "—", "•",
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
	"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
	"الأحد", "الاثنين", "الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت")

// bylineName returns the name part of a byline segment in its original
// spelling ("Par Jean Dupont le 22 mars" gives "Jean Dupont").
func bylineName(seg string) string {
	words := strings.Fields(seg)
	for i := range words {
		if !reByline.MatchString(fold(strings.Join(words[i:], " "))) {
			continue
		}
		rest := words[i+1:]
		if len(rest) > 0 && (rest[0] == "طرف" || rest[0] == ":" || rest[0] == "-" || rest[0] == "–") {
			rest = rest[1:] // "من طرف", "كتب - أحمد سعيد"
		}
		var name []string
		for _, w := range rest {
			f := strings.Trim(fold(w), ",;") // fold makes the Arabic comma ","
			if bylineStops()[f] || monthNames()[strings.TrimSuffix(f, ".")] != 0 || strings.IndexFunc(f, unicode.IsDigit) >= 0 {
				break
			}
			name = append(name, w)
		}
		return strings.Trim(strings.Join(name, " "), ":：,; ")
	}
	return seg
}

var (
	reSegmentSep = lazyRE(`\s+[|•·–—-]\s+|\s*\|\s*`)
	reMenuSep    = lazyRE(`\s*[|›»>/•·]\s*|\s{2,}|\t`)
)

func splitSegments(line string) []string { return reSegmentSep.Split(line, -1) }

// isNavigation reports whether a line is site navigation: a bullet line,
// or a run of at least three short menu items.
func isNavigation(s string) bool {
	if isBullet(s) {
		return true
	}
	if len(s) > maxDatelineBytes {
		return false
	}
	parts := reMenuSep.Split(s, -1)
	if len(parts) < 3 {
		return false
	}
	for _, p := range parts {
		if n := len(strings.Fields(p)); n > 3 || strings.ContainsAny(p, ".!?؟") || !hasWord(p) {
			return false
		}
	}
	return true
}

func isBullet(s string) bool {
	r, size := utf8.DecodeRuneInString(s)
	if !strings.ContainsRune(bullets, r) {
		return false
	}
	if r == '-' || r == '*' || r == '–' || r == '—' {
		// "-5%" is not a bullet; "- item" is.
		next, _ := utf8.DecodeRuneInString(s[size:])
		return unicode.IsSpace(next)
	}
	return true
}

// isLabel reports whether a line is a well-known section label.
func isLabel(s string) bool {
	f := strings.TrimFunc(fold(s), func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) || unicode.IsSymbol(r) })
	return labels()[f]
}

func wordCount(s string) int { return len(strings.Fields(s)) }

func endsSentence(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(s, "\"'”»)’ "))
	return strings.ContainsRune(".!?؟…:;", r)
}

// headlineLike: short enough for a headline, and not a full paragraph.
func headlineLike(s string) bool {
	w := wordCount(s)
	if w == 0 || w > 30 || utf8.RuneCountInString(s) > 300 {
		return false
	}
	return !(strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "..") && w > 15)
}

// bodyLike: a paragraph of running text.
func bodyLike(s string) bool {
	w := wordCount(s)
	return w > 30 || (w > 12 && endsSentence(s))
}

// comparable returns a line folded and stripped of punctuation, for
// comparing lines that differ only in case, accents or punctuation.
func comparable(s string) string {
	return strings.Join(strings.FieldsFunc(fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
}

// body renders the units after the header as HTML paragraphs and lists.
func (t *textParse) body(title string) string {
	var b strings.Builder
	end := len(t.units)
	if t.bodyEnd > 0 {
		end = t.bodyEnd
	}
	var units []unit
	if t.bodyStart >= 0 && t.bodyStart < end {
		units = t.units[t.bodyStart:end]
	}
	// Drop a "read also" block and any bullet lines after it.
	for i, u := range units {
		if len(u.text) < 80 && reReadAlso.MatchString(strings.TrimSpace(fold(u.text))) {
			j := i + 1
			for j < len(units) && isBullet(units[j].text) {
				j++
			}
			if j == len(units) || j > i+1 {
				units = append(units[:i:i], units[j:]...)
			}
			break
		}
	}
	end = len(units)
	for end > 0 && len(units[end-1].text) < 300 {
		u := units[end-1].text
		if c := creditLine(u); c != nil {
			t.credits = append(t.credits, c...)
		} else if !reTrailer.MatchString(strings.TrimSpace(fold(u))) {
			break
		}
		end--
	}
	titleKey := comparable(title)
	isTitle := func(s string) bool {
		// Only lines of about the title's length can equal it.
		n := len(s)
		return titleKey != "" && n >= len(title)/2 && n <= len(title)*2 && comparable(s) == titleKey
	}
	top := 0 // the byline and credit lines opening the body are not body
	for i := 0; i < end; {
		u := units[i]
		switch {
		case isTitle(u.text):
			i++
			continue
		case strings.ContainsAny(u.text, ":：") && len(u.text) < 1000 && reTagsLine.MatchString(fold(u.text)):
			_, list, _ := strings.Cut(strings.ReplaceAll(u.text, "：", ":"), ":")
			t.tags = append(t.tags, splitList(list)...)
			i++
			continue
		case i == top && len(t.authors) == 0 && wordCount(u.text) <= maxBylineWords && reByline.MatchString(fold(u.text)) &&
			plausibleByline(bylineName(u.text)):
			t.authors = append(t.authors, bylineName(u.text))
			i++
			top++
			continue
		case i == top && creditLine(u.text) != nil:
			t.credits = append(t.credits, creditLine(u.text)...)
			i++
			top++
			continue
		case isBullet(u.text):
			b.WriteString("<ul>\n")
			for i < end && isBullet(units[i].text) {
				_, size := utf8.DecodeRuneInString(units[i].text)
				b.WriteString("<li>" + html.EscapeString(strings.TrimSpace(units[i].text[size:])) + "</li>\n")
				i++
			}
			b.WriteString("</ul>\n")
			continue
		}
		// A block: lines up to the next blank line or bullet.
		j := i + 1
		for j < end && !units[j].blankBefore && !isBullet(units[j].text) {
			j++
		}
		for _, p := range paragraphs(units[i:j]) {
			b.WriteString("<p>" + html.EscapeString(p) + "</p>\n")
		}
		i = j
	}
	return b.String()
}

// paragraphs splits a block of consecutive lines into paragraphs: a block
// hard-wrapped at a fixed width is one paragraph; otherwise each line is.
func paragraphs(block []unit) []string {
	if len(block) == 1 {
		return []string{block[0].text}
	}
	longest, ends := 0, 0
	for i, u := range block {
		longest = max(longest, utf8.RuneCountInString(u.text))
		if i < len(block)-1 && endsSentence(u.text) {
			ends++
		}
	}
	if longest <= 100 && ends*2 < len(block)-1 {
		parts := make([]string, len(block))
		for i, u := range block {
			parts[i] = u.text
		}
		return []string{strings.Join(parts, " ")}
	}
	out := make([]string, len(block))
	for i, u := range block {
		out[i] = u.text
	}
	return out
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '،' || r == ';' || r == '|' })
}
