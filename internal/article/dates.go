package article

import (
	"errors"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/pressroom/pressroom/internal/article/model"
)

// monthNames maps folded month names (see fold) to month numbers: English,
// French, and the four Arabic systems (Morocco, Egypt and standard, Levant
// and Iraq, Algeria and Tunisia) with their common spelling variants.
func monthNames() map[string]time.Month { return monthTables().names }

// monthTable is monthNames and the date patterns made of them.
type monthTable struct {
	names    map[string]time.Month
	dmy, mdy *regexp.Regexp
}

var monthTables = sync.OnceValue(func() (t monthTable) {
	m := map[string]time.Month{}
	t.names = m
	systems := [][]string{
		// English, full and abbreviated.
		{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"},
		{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"},
		// French, full and abbreviated (folded: no accents).
		{"janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre", "novembre", "decembre"},
		{"janv", "fevr", "mars", "avr", "mai", "juin", "juil", "aout", "sept", "oct", "nov", "dec"},
		// Morocco.
		{"يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو", "يوليوز", "غشت", "شتنبر", "أكتوبر", "نونبر", "دجنبر"},
		// Egypt and standard Arabic, with the older -يه spellings.
		{"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"},
		{"", "", "", "إبريل", "", "يونيه", "يوليه", "", "", "", "", ""},
		// Levant and Iraq.
		{"كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول"},
		{"كانون ثاني", "", "", "", "", "", "", "", "", "تشرين أول", "تشرين ثاني", "كانون أول"},
		// Algeria and Tunisia.
		{"جانفي", "فيفري", "مارس", "أفريل", "ماي", "جوان", "جويلية", "أوت", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"},
	}
	for _, names := range systems {
		for i, n := range names {
			if n != "" {
				m[fold(n)] = time.Month(i + 1)
			}
		}
	}
	m["sept"] = time.September
	m["fev"] = time.February

	var names []string
	for n := range m {
		names = append(names, regexp.QuoteMeta(n))
	}
	// Longest first, so "مايو" wins over "ماي" and "janvier" over "janv".
	sort.Slice(names, func(i, j int) bool {
		if len(names[i]) != len(names[j]) {
			return len(names[i]) > len(names[j])
		}
		return names[i] < names[j]
	})
	month := `(` + strings.Join(names, "|") + `)\.?`
	altMonth := `(?:\s*/\s*(?:` + strings.Join(names, "|") + `)\.?)?`
	sep := `[\s,.\-/]+`
	t.dmy = regexp.MustCompile(`(?:^|[^\pL\pN])(\d{1,2}|فاتح)(?:er|st|nd|rd|th)?` + `[\s,.\-/]*(?:de\s+)?` + month + altMonth + sep + `(?:de\s+)?(\d{4})(?:[^\pN]|$)`)
	t.mdy = regexp.MustCompile(`(?:^|[^\pL\pN])` + month + `\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:[^\pN]|$)`)
	return t
})

var (
	reDMY     lazyRegexp = func() *regexp.Regexp { return monthTables().dmy }
	reMDY     lazyRegexp = func() *regexp.Regexp { return monthTables().mdy }
	reISO                = lazyRE(`(?:^|[^\pN])(\d{4})-(\d{2})-(\d{2})(?:[Tt\s]+(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(?:\s*(z|[+-]\d{2}:?\d{2}))?)?(?:[^\pN]|$)`)
	reNumeric            = lazyRE(`(?:^|[^\pN/.])(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:[^\pN]|$)`)
	reTime               = lazyRE(`(?:^|[^\pN:])(\d{1,2})(\s*[:h]\s*(\d{2})(?:\s*:\s*(\d{2}))?|\s*h)?\s*(?:(a\.m\.?|p\.m\.?|am|pm|صباحا|مساءا|مساء|فجرا|عصرا|ظهرا|ليلا|ص|م)(?:[^\pL]|$))?`)
	reUpdated            = lazyRE(`updated|modified|mis a jour|maj|actualise|تحديث|تعديل|محدث`)
)

// fold prepares text for matching dates and words: Arabic-Indic digits
// become ASCII, Latin letters lose case and accents, Arabic letters lose
// diacritics, tatweel and hamza seats, so spelling variants compare equal.
// It is on the hot path of every text parse: one pass, no allocation for
// runes that need no change beyond lower case.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
		case r >= '٠' && r <= '٩':
			r = '0' + (r - '٠')
		case r >= '۰' && r <= '۹':
			r = '0' + (r - '۰')
		case r >= 0x064B && r <= 0x065F, r == 0x0670, r == 'ـ':
			continue // harakat, superscript alef, tatweel
		case r == 'أ', r == 'إ', r == 'آ', r == 'ٱ':
			r = 'ا'
		case r == 'ؤ':
			r = 'و'
		case r == 'ئ', r == 'ى', r == 'ی':
			r = 'ي'
		case r == 'ة':
			r = 'ه'
		case r == 'ک':
			r = 'ك'
		case r == '،':
			r = ','
		case r == '\u00a0', r == '\u202f':
			r = ' '
		case r >= 0xC0 && r <= 0x24F, r >= 0x1E00 && r <= 0x1EFF:
			// Accented Latin letter: keep its base letter.
			base, _ := utf8.DecodeRuneInString(norm.NFD.String(string(r)))
			r = unicode.ToLower(base)
		case unicode.Is(unicode.Mn, r):
			continue
		default:
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// normalizeDigits turns Arabic-Indic (U+0660-0669) and extended
// Arabic-Indic (U+06F0-06F9) digits into ASCII ones, which time.Parse and
// strconv require.
func normalizeDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '٠' && r <= '٩':
			return '0' + (r - '٠')
		case r >= '۰' && r <= '۹':
			return '0' + (r - '۰')
		}
		return r
	}, s)
}

// foundDate is a date recognised inside a line of folded text.
type foundDate struct {
	t          time.Time
	start, end int // byte span of the date and its time in the folded text
	hasTime    bool
	zoned      bool // the text states the zone (an offset, "ET", "بتوقيت القاهرة")
}

// findDates returns every complete date (day, month and year) written in s,
// with its time of day when one follows it, in the order they appear. Dates
// without an offset are in loc. s must be folded.
func findDates(s string, loc *time.Location) []foundDate {
	type cand struct {
		start, end int
		y, m, d    int
		hh, mm, ss int
		hasTime    bool
		zone       *time.Location
	}
	var cands []cand
	for _, m := range reDMY.FindAllStringSubmatchIndex(s, -1) {
		day := 1
		if g := s[m[2]:m[3]]; g != "فاتح" {
			day, _ = strconv.Atoi(g)
		}
		y, _ := strconv.Atoi(s[m[6]:m[7]])
		cands = append(cands, cand{start: m[2], end: m[7], y: y, m: int(monthNames()[s[m[4]:m[5]]]), d: day})
	}
	for _, m := range reMDY.FindAllStringSubmatchIndex(s, -1) {
		day, _ := strconv.Atoi(s[m[4]:m[5]])
		y, _ := strconv.Atoi(s[m[6]:m[7]])
		cands = append(cands, cand{start: m[2], end: m[7], y: y, m: int(monthNames()[s[m[2]:m[3]]]), d: day})
	}
	for _, m := range reISO.FindAllStringSubmatchIndex(s, -1) {
		c := cand{start: m[2], end: m[7]}
		c.y, _ = strconv.Atoi(s[m[2]:m[3]])
		c.m, _ = strconv.Atoi(s[m[4]:m[5]])
		c.d, _ = strconv.Atoi(s[m[6]:m[7]])
		if m[8] >= 0 {
			c.hh, _ = strconv.Atoi(s[m[8]:m[9]])
			c.mm, _ = strconv.Atoi(s[m[10]:m[11]])
			c.end = m[11]
			if m[12] >= 0 {
				c.ss, _ = strconv.Atoi(s[m[12]:m[13]])
				c.end = m[13]
			}
			if m[14] >= 0 {
				c.zone = parseOffset(s[m[14]:m[15]])
				c.end = m[15]
			} else if z, n, ok := readZone(s[c.end:], loc); ok {
				c.zone, c.end = z, c.end+n
			}
			c.hasTime = true
		}
		cands = append(cands, c)
	}
	for _, m := range reNumeric.FindAllStringSubmatchIndex(s, -1) {
		c := cand{start: m[2], end: m[7]}
		c.d, _ = strconv.Atoi(s[m[2]:m[3]])
		c.m, _ = strconv.Atoi(s[m[4]:m[5]])
		c.y, _ = strconv.Atoi(s[m[6]:m[7]])
		cands = append(cands, c)
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].start < cands[j].start })

	var out []foundDate
	last := 0
	for i, c := range cands {
		if c.start < last || !validDate(c.y, c.m, c.d) {
			continue
		}
		if c.hasTime && (c.hh > 23 || c.mm > 59 || c.ss > 59) || c.zone != nil && !storableZone(c.zone) {
			// 2026-01-03 99:99 is no date (time.Date would roll it into
			// the seventh), nor is an offset of +30:00.
			last = c.end
			continue
		}
		zone := loc
		if c.zone != nil {
			zone = c.zone
		}
		if !c.hasTime {
			// A time of day belongs to this date when it follows it before
			// the next date starts.
			limit := len(s)
			if i+1 < len(cands) && cands[i+1].start > c.end {
				limit = cands[i+1].start
			}
			if hh, mm, ss, z, end, ok := findTime(s[c.end:limit], loc); ok {
				if !storableZone(z) {
					last = c.end + end
					continue
				}
				c.hh, c.mm, c.ss, zone, c.hasTime = hh, mm, ss, z, true
				c.end += end
			}
		}
		t := time.Date(c.y, time.Month(c.m), c.d, c.hh, c.mm, c.ss, 0, zone)
		out = append(out, foundDate{t: t, start: c.start, end: c.end, hasTime: c.hasTime, zoned: zone != loc})
		last = c.end
	}
	return out
}

func validDate(y, m, d int) bool {
	if y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31 {
		return false
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Day() == d
}

// findTime finds the first time of day in s: 16:18, 16h18, 16h, 4:18 pm,
// 4:18 مساء, with an optional stated zone (see readZone): GMT+1, ET,
// heure de Paris, بتوقيت مكة المكرمة. Without one the time is in loc.
func findTime(s string, loc *time.Location) (hh, mm, ss int, zone *time.Location, end int, ok bool) {
	group := func(m []int, i int) string {
		if m[2*i] < 0 {
			return ""
		}
		return s[m[2*i]:m[2*i+1]]
	}
	for _, m := range reTime.FindAllStringSubmatchIndex(s, -1) {
		sep, suffix := group(m, 2), strings.TrimRight(group(m, 5), ".")
		if sep == "" && suffix == "" {
			continue // a bare number is not a time
		}
		digitsEnd := m[3]
		for _, i := range []int{3, 4} {
			if m[2*i+1] > digitsEnd {
				digitsEnd = m[2*i+1]
			}
		}
		if digitsEnd < len(s) && s[digitsEnd] >= '0' && s[digitsEnd] <= '9' {
			continue
		}
		hh, _ = strconv.Atoi(group(m, 1))
		mm, _ = strconv.Atoi(group(m, 3))
		ss, _ = strconv.Atoi(group(m, 4))
		switch suffix {
		case "am", "a.m", "صباحا", "ص", "فجرا":
			if hh == 12 {
				hh = 0
			}
		case "pm", "p.m", "مساء", "مساءا", "م", "عصرا":
			if hh < 12 {
				hh += 12
			}
		case "ظهرا": // around noon: 12 ظهرا is noon, 1 ظهرا is 13:00
			if hh < 11 {
				hh += 12
			}
		case "ليلا": // at night: 10 ليلا is 22:00, 2 ليلا is 02:00
			if hh >= 6 && hh < 12 {
				hh += 12
			}
		}
		if suffix != "" && hh > 23 {
			continue
		}
		if hh > 23 || mm > 59 || ss > 59 {
			continue
		}
		// A zone stated after the time wins over the site's.
		timeEnd := max(digitsEnd, m[5], m[11])
		if z, n, ok := readZone(s[timeEnd:], loc); ok {
			return hh, mm, ss, z, timeEnd + n, true
		}
		return hh, mm, ss, loc, m[1], true
	}
	return 0, 0, 0, nil, 0, false
}

func parseOffset(s string) *time.Location {
	if s == "z" || s == "Z" {
		return time.UTC
	}
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	s = strings.ReplaceAll(s[1:], ":", "")
	var h, m int
	if len(s) > 2 {
		h, _ = strconv.Atoi(s[:len(s)-2])
		m, _ = strconv.Atoi(s[len(s)-2:])
	} else {
		h, _ = strconv.Atoi(s)
	}
	off := sign * (h*3600 + m*60)
	if off == 0 {
		return time.UTC
	}
	return time.FixedZone("", off)
}

// dateLayouts are the machine-written forms accepted in date fields, tried
// before written dates.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700 MST",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04 -0700",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02 15:04",
	"2006/01/02",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	time.RFC822Z,
	time.RFC822,
	"2 Jan 2006 15:04:05 -0700",
	time.UnixDate,
}

var (
	errNoDate = errors.New("not a date")
	// errOffset: an offset beyond ±23:59, which RFC 3339 (and so the
	// feeds and the index) cannot write; Go's parser takes up to ±24:59.
	errOffset = errors.New("its UTC offset is beyond ±23:59")
)

// Storable reports whether t can be written as RFC 3339 (see
// model.Storable).
func Storable(t time.Time) bool { return model.Storable(t) }

// storableZone reports whether a zone's offset is within ±23:59 (zones of
// the tz database all are; a fixed one read from text may not be).
func storableZone(z *time.Location) bool {
	return model.Storable(time.Date(2000, 1, 1, 0, 0, 0, 0, z))
}

// ParseDate reads a date as editors write it in a date field: RFC 3339 and
// the usual machine forms, or a written date in Arabic, French or English
// ("الإثنين 22 فبراير 2021 على الساعة 16:18", "22 février 2021 à 16h18",
// "February 22, 2021 4:18 PM"). A date without an offset is in loc.
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 300 {
		return time.Time{}, errNoDate
	}
	digits := normalizeDigits(s)
	for _, layout := range dateLayouts {
		if t, err := time.ParseInLocation(layout, digits, loc); err == nil {
			if strings.Contains(layout, "MST") {
				// time.Parse gives an abbreviation loc does not use
				// ("EST" read in Casablanca) a zero offset: read it with
				// the zone table instead.
				if name, off := t.Zone(); off == 0 {
					if z, ok := abbreviationZone(name); ok {
						t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), z)
					}
				}
			}
			if !Storable(t) {
				return time.Time{}, errOffset
			}
			return t, nil
		}
	}
	if ds := findDates(fold(s), loc); len(ds) > 0 {
		return ds[0].t, nil
	}
	if offsetBeyond(digits) {
		return time.Time{}, errOffset
	}
	return time.Time{}, errNoDate
}

// offsetBeyond reports whether s ends in a numeric offset of 24 hours or
// more (+99:00, -2400), to say why it was refused.
func offsetBeyond(s string) bool {
	s = strings.ReplaceAll(s, "−", "-")
	i := strings.LastIndexAny(s, "+-")
	if i < 0 {
		return false
	}
	off := strings.ReplaceAll(s[i+1:], ":", "")
	if len(off) != 4 || strings.Trim(off, "0123456789") != "" {
		return false
	}
	return off[:2] >= "24"
}
