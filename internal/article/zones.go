package article

import (
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// A dateline may state the zone of its time: "4:18 p.m. ET", "16h18 heure
// de Paris", "الساعة 16:18 بتوقيت مكة المكرمة", "16:18 GMT+1". A stated
// zone wins over site.timezone. The rules, as newsrooms write them:
//
//   - A region's name or a city's names the clock of that place, summer
//     time included: ET is America/New_York (EST in winter, EDT in summer),
//     "heure de Paris" is Europe/Paris, "بتوقيت القاهرة" is Africa/Cairo.
//   - An abbreviation that names standard or summer time is the fixed
//     offset it says, whatever the date: EST is UTC-5 even in July (the
//     writer said so; a wrong abbreviation is the writer's error, and
//     guessing would hide it).
//   - Ambiguous abbreviations take their newsroom meaning: CST is US
//     Central (UTC-6; China is written "Beijing time"), IST is India
//     (UTC+5:30; Israel is written "Jerusalem time" or "بتوقيت القدس", Irish
//     summer time "Dublin time"), BST is British Summer Time (UTC+1; not
//     Bangladesh), AST is left out (Arabia UTC+3 or Atlantic UTC-4: too
//     often both in our copy), "عمان" is Amman (UTC+2/+3; without
//     diacritics it cannot be told from Oman, which the Omani press writes
//     "بتوقيت مسقط"), "طرابلس" is Tripoli in Libya.
//   - "heure locale", "local time", "بالتوقيت المحلي" name the site's clock.
//
// Latin abbreviations that are also words (et, est, cet, wet, west, cat,
// eat, mt, pt, ct) count only when no word follows them: "16h18 et mis à
// jour" is French, "4:18 p.m. ET" and "4:18 p.m. ET |" are Eastern time.

// zoneSpec is one way of stating a zone.
type zoneSpec struct {
	name   string // IANA name; "" for a fixed offset or the site's zone
	offset int    // seconds east of UTC, when name is ""
	fixed  bool   // an offset, not a region's clock
	local  bool   // the site's own zone
	strict bool   // also a word: only when no word follows
	gmt    bool   // may carry an offset: "GMT+1", "بتوقيت غرينتش +1"
}

// zonePhrases maps folded phrases (see fold) to zones.
func zonePhrases() map[string]zoneSpec { return zoneTables().phrases }

// reZone matches a stated zone at the start of folded text, after the
// time: an optional bracket, a phrase, an optional offset.
var reZone lazyRegexp = func() *regexp.Regexp { return zoneTables().re }

// zoneTable is zonePhrases and reZone.
type zoneTable struct {
	phrases map[string]zoneSpec
	re      *regexp.Regexp
}

var zoneTables = sync.OnceValue(func() (t zoneTable) {
	zp := map[string]zoneSpec{}
	t.phrases = zp
	iana := func(name string, phrases ...string) {
		for _, p := range phrases {
			zp[fold(p)] = zoneSpec{name: name}
		}
	}
	fixed := func(hours float64, abbrevs ...string) {
		for _, a := range abbrevs {
			zp[fold(a)] = zoneSpec{offset: int(hours * 3600), fixed: true}
		}
	}
	// US and Canada: the region's clock, and its fixed offsets.
	iana("America/New_York", "et", "eastern time", "eastern", "new york time", "washington time", "heure de new york", "heure de washington",
		"بتوقيت نيويورك", "بتوقيت واشنطن", "توقيت نيويورك", "توقيت واشنطن")
	iana("America/Chicago", "ct", "central time", "chicago time")
	iana("America/Denver", "mt", "mountain time")
	iana("America/Los_Angeles", "pt", "pacific time", "los angeles time", "san francisco time")
	iana("America/Anchorage", "akt", "alaska time")
	iana("America/Toronto", "heure de l'est", "heure de montreal", "heure de quebec", "heure du quebec", "heure d'ottawa",
		"heure de toronto", "toronto time", "montreal time", "ottawa time")
	fixed(-5, "est", "eastern standard time", "hne", "heure normale de l'est")
	fixed(-4, "edt", "eastern daylight time", "hae", "heure avancee de l'est")
	fixed(-6, "cst", "central standard time")
	fixed(-5, "cdt", "central daylight time")
	fixed(-7, "mst", "mountain standard time")
	fixed(-6, "mdt", "mountain daylight time")
	fixed(-8, "pst", "pacific standard time")
	fixed(-7, "pdt", "pacific daylight time")
	fixed(-9, "akst")
	fixed(-8, "akdt")
	fixed(-10, "hst")
	// Europe and Africa.
	fixed(0, "wet")
	fixed(1, "west", "bst", "cet", "wat")
	fixed(2, "cest", "eet", "cat", "sast")
	fixed(3, "eest", "msk", "eat")
	fixed(4, "gst") // Gulf Standard Time
	fixed(5.5, "ist")
	fixed(8, "hkt", "sgt", "awst")
	fixed(9, "jst", "kst")
	fixed(10, "aest")
	fixed(11, "aedt")
	iana("Europe/London", "london time", "uk time", "heure de londres", "heure britannique", "بتوقيت لندن")
	iana("Europe/Dublin", "dublin time", "irish time")
	iana("Europe/Paris", "paris time", "heure de paris", "heure francaise", "heure de france", "heure de la france",
		"heure metropolitaine", "بتوقيت باريس", "توقيت باريس", "بتوقيت فرنسا")
	iana("Europe/Brussels", "brussels time", "heure de bruxelles", "heure belge")
	iana("Europe/Zurich", "heure de geneve", "heure suisse", "geneva time")
	iana("Europe/Madrid", "madrid time", "heure de madrid", "بتوقيت مدريد")
	iana("Europe/Berlin", "berlin time", "heure de berlin", "بتوقيت برلين")
	iana("Europe/Rome", "rome time", "heure de rome")
	iana("Europe/Moscow", "moscow time", "heure de moscou", "بتوقيت موسكو")
	iana("Europe/Istanbul", "istanbul time", "ankara time", "turkish time", "heure d'istanbul", "heure d'ankara",
		"بتوقيت انقره", "بتوقيت اسطنبول", "بتوقيت تركيا")
	iana("Africa/Casablanca", "moroccan time", "morocco time", "rabat time", "casablanca time", "heure du maroc", "heure marocaine",
		"heure de rabat", "heure de casablanca", "بتوقيت الرباط", "بتوقيت المغرب", "بتوقيت الدار البيضاء", "توقيت الرباط", "توقيت المغرب")
	iana("Africa/Algiers", "algiers time", "algerian time", "heure d'alger", "heure algerienne", "heure de l'algerie",
		"بتوقيت الجزائر", "توقيت الجزائر")
	iana("Africa/Tunis", "tunis time", "tunisian time", "heure de tunis", "heure tunisienne", "بتوقيت تونس", "توقيت تونس")
	iana("Africa/Tripoli", "tripoli time", "بتوقيت طرابلس", "بتوقيت ليبيا")
	iana("Africa/Cairo", "cairo time", "egypt time", "egyptian time", "heure du caire", "heure egyptienne",
		"بتوقيت القاهره", "بتوقيت مصر", "توقيت القاهره", "توقيت مصر")
	iana("Africa/Khartoum", "بتوقيت الخرطوم", "بتوقيت السودان")
	iana("Africa/Nouakchott", "heure de nouakchott", "بتوقيت نواكشوط", "بتوقيت موريتانيا")
	iana("Africa/Dakar", "heure de dakar")
	iana("Africa/Abidjan", "heure d'abidjan")
	// The Middle East.
	iana("Asia/Riyadh", "mecca time", "makkah time", "riyadh time", "saudi time", "heure de la mecque", "heure de riyad",
		"بتوقيت مكه المكرمه", "بتوقيت مكه", "بتوقيت الرياض", "بتوقيت السعوديه", "توقيت مكه المكرمه", "توقيت مكه")
	iana("Asia/Beirut", "beirut time", "heure de beyrouth", "بتوقيت بيروت", "بتوقيت لبنان", "توقيت بيروت")
	iana("Asia/Damascus", "damascus time", "heure de damas", "بتوقيت دمشق", "بتوقيت سوريا", "توقيت دمشق")
	iana("Asia/Amman", "amman time", "jordan time", "heure d'amman", "بتوقيت عمان", "بتوقيت الاردن", "توقيت عمان")
	iana("Asia/Muscat", "muscat time", "oman time", "بتوقيت مسقط", "بتوقيت السلطنه")
	iana("Asia/Jerusalem", "jerusalem time", "israel time", "heure de jerusalem", "بتوقيت القدس", "توقيت القدس")
	iana("Asia/Hebron", "بتوقيت فلسطين")
	iana("Asia/Dubai", "uae time", "dubai time", "abu dhabi time", "heure de dubai", "بتوقيت ابوظبي", "بتوقيت ابو ظبي",
		"بتوقيت الامارات", "بتوقيت دبي", "توقيت الامارات")
	iana("Asia/Qatar", "doha time", "qatar time", "heure de doha", "بتوقيت الدوحه", "بتوقيت قطر", "توقيت الدوحه")
	iana("Asia/Kuwait", "kuwait time", "بتوقيت الكويت")
	iana("Asia/Bahrain", "bahrain time", "بتوقيت المنامه", "بتوقيت البحرين")
	iana("Asia/Baghdad", "baghdad time", "بتوقيت بغداد", "بتوقيت العراق")
	iana("Asia/Aden", "بتوقيت صنعاء", "بتوقيت اليمن")
	iana("Asia/Tehran", "tehran time", "بتوقيت طهران")
	iana("Asia/Kolkata", "india time", "indian time", "delhi time")
	iana("Asia/Shanghai", "beijing time", "china time", "heure de pekin", "بتوقيت بكين")
	iana("Asia/Tokyo", "tokyo time", "بتوقيت طوكيو")
	// Greenwich, with an optional offset.
	for _, p := range []string{"gmt", "utc", "ut", "z", "temps universel", "heure gmt", "heure tu",
		"بتوقيت غرينتش", "بتوقيت جرينتش", "بتوقيت غرينيتش", "بتوقيت جرينيتش", "توقيت غرينتش", "توقيت جرينتش",
		"غرينتش", "جرينتش", "بتوقيت gmt", "ت.غ", "ت غ"} {
		zp[fold(p)] = zoneSpec{fixed: true, gmt: true}
	}
	// The site's own clock.
	for _, p := range []string{"local time", "heure locale", "heure de chez nous", "بالتوقيت المحلي", "حسب التوقيت المحلي", "بتوقيت محلي"} {
		zp[fold(p)] = zoneSpec{local: true}
	}
	for _, p := range []string{"et", "est", "cet", "wet", "west", "cat", "eat", "mt", "pt", "ct", "z", "ut", "eastern"} {
		s := zp[p]
		s.strict = true
		zp[p] = s
	}

	var names []string
	for p := range zp {
		names = append(names, regexp.QuoteMeta(p))
	}
	sort.Slice(names, func(i, j int) bool {
		if len(names[i]) != len(names[j]) {
			return len(names[i]) > len(names[j])
		}
		return names[i] < names[j]
	})
	// Folding turns the typographic apostrophe into itself: accept both.
	alt := strings.ReplaceAll(strings.Join(names, "|"), "'", "['’]")
	t.re = regexp.MustCompile(`^[\s,]*[(\[]?\s*(?:(` + alt + `)(?:\s*([+\-−]\s*\d{1,2}(?::?\d{2})?))?|([+\-−]\d{2}:?\d{2}))\s*[)\]]?`)
	return t
})

// readZone reads a zone stated at the start of s (folded text right after
// a time). It returns the zone (loc for the site's clock) and the bytes it
// took; ok is false when s states no zone.
func readZone(s string, loc *time.Location) (zone *time.Location, n int, ok bool) {
	if s == "" {
		return nil, 0, false
	}
	m := reZone.FindStringSubmatchIndex(s)
	if m == nil {
		return nil, 0, false
	}
	end := m[1]
	// A zone ends at a word's end: "est" in "estimated" is none, nor is
	// "+0100" in "+01000".
	tokEnd := m[7]
	switch {
	case m[4] >= 0:
		tokEnd = m[5]
	case m[2] >= 0:
		tokEnd = m[3]
	}
	if r, _ := utf8.DecodeRuneInString(s[tokEnd:]); tokEnd < len(s) && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
		return nil, 0, false
	}
	if m[6] >= 0 { // a bare offset: "+0100", "-05:00"
		off := strings.ReplaceAll(s[m[6]:m[7]], "−", "-")
		if h := (off[1]-'0')*10 + off[2] - '0'; h > 14 {
			return nil, 0, false
		}
		return parseOffset(off), end, true
	}
	spec := zonePhrases()[strings.ReplaceAll(s[m[2]:m[3]], "’", "'")]
	if spec.strict {
		rest := strings.TrimLeft(s[m[3]:], " \t)]")
		if r, _ := utf8.DecodeRuneInString(rest); rest != "" && unicode.IsLetter(r) {
			return nil, 0, false
		}
	}
	if m[4] >= 0 && !spec.gmt {
		// "EST +1" is no way of writing a zone: take the phrase alone.
		end = m[3]
	}
	switch {
	case spec.local:
		return loc, end, true
	case spec.gmt:
		if m[4] >= 0 {
			off := strings.NewReplacer(" ", "", "−", "-").Replace(s[m[4]:m[5]])
			return parseOffset(off), end, true
		}
		return time.UTC, end, true
	case spec.fixed:
		return fixedZone(spec.offset), end, true
	}
	z, err := loadZone(spec.name)
	if err != nil {
		return nil, 0, false // no zone database: better the site's zone than a guess
	}
	return z, end, true
}

// fixedZone is a zone of a fixed offset (UTC itself for 0).
func fixedZone(offset int) *time.Location {
	if offset == 0 {
		return time.UTC
	}
	return time.FixedZone("", offset)
}

// zoneCache keeps the zones loaded: time.LoadLocation reads and parses the
// zone database on every call.
var zoneCache sync.Map // IANA name -> *time.Location

func loadZone(name string) (*time.Location, error) {
	if z, ok := zoneCache.Load(name); ok {
		return z.(*time.Location), nil
	}
	z, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zoneCache.Store(name, z)
	return z, nil
}

// abbreviationZone returns the zone an abbreviation that time.Parse read
// ("EST" in "Mon, 22 Feb 2021 16:18:00 EST") stands for; ok is false when
// the table does not know it.
func abbreviationZone(abbr string) (*time.Location, bool) {
	spec, ok := zonePhrases()[strings.ToLower(abbr)]
	if !ok || spec.local {
		return nil, false
	}
	switch {
	case spec.gmt:
		return time.UTC, true
	case spec.fixed:
		return fixedZone(spec.offset), true
	}
	z, err := loadZone(spec.name)
	return z, err == nil
}
