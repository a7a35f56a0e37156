package article

import (
	"errors"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	cas := casablanca
	utc := time.UTC
	d := func(y int, m time.Month, day, h, min int, loc *time.Location) time.Time {
		return time.Date(y, m, day, h, min, 0, 0, loc)
	}
	plus2 := time.FixedZone("", 2*3600)
	tests := []struct {
		in   string
		want time.Time
	}{
		// Machine forms.
		{"2021-02-22T16:18:00+01:00", d(2021, 2, 22, 16, 18, time.FixedZone("", 3600))},
		{"2021-02-22T16:18:00Z", d(2021, 2, 22, 16, 18, utc)},
		{"2021-02-22T16:18:00", d(2021, 2, 22, 16, 18, cas)},
		{"2021-02-22 16:18", d(2021, 2, 22, 16, 18, cas)},
		{"2021-02-22", d(2021, 2, 22, 0, 0, cas)},
		{"2021/02/22", d(2021, 2, 22, 0, 0, cas)},
		{"Mon, 22 Feb 2021 16:18:00 +0200", d(2021, 2, 22, 16, 18, plus2)},
		{"2021-02-22 16:18:00 +0200 +0200", d(2021, 2, 22, 16, 18, plus2)},
		{"٢٠٢١-٠٢-٢٢ ١٦:١٨", d(2021, 2, 22, 16, 18, cas)},
		{"22/02/2021", d(2021, 2, 22, 0, 0, cas)},
		// English.
		{"February 22, 2021", d(2021, 2, 22, 0, 0, cas)},
		{"Monday, February 22, 2021 at 4:18 PM", d(2021, 2, 22, 16, 18, cas)},
		{"22 Feb 2021 04:18 a.m.", d(2021, 2, 22, 4, 18, cas)},
		{"Feb. 22nd, 2021 12:05 am", d(2021, 2, 22, 0, 5, cas)},
		{"1st March 2021, 16:18 GMT", d(2021, 3, 1, 16, 18, utc)},
		{"Sept 3 2021 9:00 pm", d(2021, 9, 3, 21, 0, cas)},
		// French.
		{"lundi 22 février 2021 à 16h18", d(2021, 2, 22, 16, 18, cas)},
		{"22 fevrier 2021", d(2021, 2, 22, 0, 0, cas)},
		{"1er mars 2021 à 9h", d(2021, 3, 1, 9, 0, cas)},
		{"Publié le 15 août 2021 à 08 h 30", d(2021, 8, 15, 8, 30, cas)},
		{"3 déc. 2021 - 23:59", d(2021, 12, 3, 23, 59, cas)},
		{"mercredi 7 juillet 2021, 10h05 UTC+2", d(2021, 7, 7, 10, 5, plus2)},
		// Arabic, Morocco.
		{"الإثنين 22 فبراير 2021 على الساعة 16:18", d(2021, 2, 22, 16, 18, cas)},
		{"5 ماي 2021", d(2021, 5, 5, 0, 0, cas)},
		{"10 يوليوز 2021", d(2021, 7, 10, 0, 0, cas)},
		{"20 غشت 2021", d(2021, 8, 20, 0, 0, cas)},
		{"3 شتنبر 2021", d(2021, 9, 3, 0, 0, cas)},
		{"11 نونبر 2021", d(2021, 11, 11, 0, 0, cas)},
		{"31 دجنبر 2021 - 23:00", d(2021, 12, 31, 23, 0, cas)},
		{"فاتح يناير 2021", d(2021, 1, 1, 0, 0, cas)},
		// Arabic, Egypt and standard, Arabic-Indic digits.
		{"٢٢ فبراير ٢٠٢١ الساعة ٤:١٨ مساءً", d(2021, 2, 22, 16, 18, cas)},
		{"15 مايو 2021", d(2021, 5, 15, 0, 0, cas)},
		{"4 يوليو 2021", d(2021, 7, 4, 0, 0, cas)},
		{"9 أغسطس 2021", d(2021, 8, 9, 0, 0, cas)},
		{"9 اغسطس 2021", d(2021, 8, 9, 0, 0, cas)},
		{"1 إبريل 2021 10:30 صباحا", d(2021, 4, 1, 10, 30, cas)},
		{"12 يونيه 2021", d(2021, 6, 12, 0, 0, cas)},
		{"24 ديسمبر 2021", d(2021, 12, 24, 0, 0, cas)},
		{"٣ نوفمبر ٢٠٢١ ١٢:١٥ ص", d(2021, 11, 3, 0, 15, cas)},
		// Arabic, Levant and Iraq, extended digits.
		{"٢٣ كانون الثاني ٢٠٢١", d(2021, 1, 23, 0, 0, cas)},
		{"۲۳ شباط ۲۰۲۱", d(2021, 2, 23, 0, 0, cas)},
		{"1 آذار 2021", d(2021, 3, 1, 0, 0, cas)},
		{"14 نيسان 2021", d(2021, 4, 14, 0, 0, cas)},
		{"2 أيار 2021", d(2021, 5, 2, 0, 0, cas)},
		{"21 حزيران 2021", d(2021, 6, 21, 0, 0, cas)},
		{"17 تموز 2021", d(2021, 7, 17, 0, 0, cas)},
		{"6 آب 2021", d(2021, 8, 6, 0, 0, cas)},
		{"30 أيلول 2021", d(2021, 9, 30, 0, 0, cas)},
		{"6 تشرين الأول 2021", d(2021, 10, 6, 0, 0, cas)},
		{"9 تشرين الثاني 2021 الساعة 8:00 مساء", d(2021, 11, 9, 20, 0, cas)},
		{"25 كانون الأول 2021", d(2021, 12, 25, 0, 0, cas)},
		{"22 شباط/فبراير 2021", d(2021, 2, 22, 0, 0, cas)},
		// Arabic, Algeria and Tunisia.
		{"13 جانفي 2021", d(2021, 1, 13, 0, 0, cas)},
		{"14 فيفري 2021", d(2021, 2, 14, 0, 0, cas)},
		{"7 أفريل 2021", d(2021, 4, 7, 0, 0, cas)},
		{"20 جوان 2021", d(2021, 6, 20, 0, 0, cas)},
		{"5 جويلية 2021", d(2021, 7, 5, 0, 0, cas)},
		{"15 أوت 2021", d(2021, 8, 15, 0, 0, cas)},
		{"الثلاثاء ۰۹ مارس ۲۰۲۱ على الساعة ۰۷:۳۰", d(2021, 3, 9, 7, 30, cas)},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, cas)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseDateRejects(t *testing.T) {
	for _, in := range []string{
		"", "yesterday", "31 February 2021", "2021-13-01", "32 mars 2021", "فبراير", "22 فبراير",
		"16:18", "the 22nd", "2021", "ممارسة 2021",
		// Times and offsets no clock or RFC 3339 has: never rolled into
		// another day, never a date the feeds and the index cannot write.
		"2026-01-03 99:99", "2026-01-03T25:00", "2026-01-03 10:75", "2026-01-03T10:00:61Z",
		"2026-01-03T10:00:00+99:00", "2026-01-03T10:00:00+24:00", "2026-01-03T10:00:00-2400",
		"2026-01-03 10:00 +30:00", "Sat, 03 Jan 2026 10:00:00 +2400",
	} {
		if got, err := ParseDate(in, time.UTC); err == nil {
			t.Errorf("ParseDate(%q) = %v, want an error", in, got)
		}
	}
	for _, in := range []string{"2026-01-03T10:00:00+99:00", "2026-01-03T10:00:00+24:00", "2026-01-03 10:00:00 -2430"} {
		if _, err := ParseDate(in, time.UTC); !errors.Is(err, errOffset) {
			t.Errorf("ParseDate(%q): %v, want the offset named", in, err)
		}
	}
}

// Whatever ParseDate returns, the feeds and the index can write.
func FuzzParseDateStorable(f *testing.F) {
	for _, s := range []string{"2026-01-03T10:00:00+23:59", "3 January 2026 10:00 GMT+14", "2026-01-03 10:00 +1400", "22 février 2021 à 16h18"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDate(s, time.UTC)
		if err != nil {
			return
		}
		if _, err := got.MarshalJSON(); err != nil {
			t.Fatalf("ParseDate(%q) = %v, which cannot be written: %v", s, got, err)
		}
	})
}

// A month name inside a longer word is not a month.
func TestFindDatesWordBoundaries(t *testing.T) {
	for _, in := range []string{"22 مارسيليا 2021", "3 mayo 2021", "12 junior 2021", "5 decembrists 2021"} {
		if ds := findDates(fold(in), time.UTC); len(ds) != 0 {
			t.Errorf("findDates(%q) = %v, want none", in, ds)
		}
	}
}

// TestParseDateStatedZone: a zone written after the time wins over the
// site's (Casablanca here). Region clocks follow summer time; standard
// and summer abbreviations are the fixed offsets they name.
func TestParseDateStatedZone(t *testing.T) {
	cas := casablanca
	ny, paris, riyadh, cairo := mustZone("America/New_York"), mustZone("Europe/Paris"), mustZone("Asia/Riyadh"), mustZone("Africa/Cairo")
	fixed := func(h float64) *time.Location { return time.FixedZone("", int(h*3600)) }
	d := func(y int, m time.Month, day, h, min int, loc *time.Location) time.Time {
		return time.Date(y, m, day, h, min, 0, 0, loc)
	}
	tests := []struct {
		in   string
		want time.Time
	}{
		// English: region clocks, summer time by the date.
		{"Feb. 22, 2021, 4:18 p.m. ET", d(2021, 2, 22, 16, 18, ny)},
		{"July 4, 2021, 4:18 p.m. ET", d(2021, 7, 4, 16, 18, ny)},
		{"July 4, 2021 4:18 PM (ET)", d(2021, 7, 4, 16, 18, ny)},
		{"February 22, 2021 at 9:05 a.m. Eastern Time", d(2021, 2, 22, 9, 5, ny)},
		{"February 22, 2021 1:00 p.m. PT", d(2021, 2, 22, 13, 0, mustZone("America/Los_Angeles"))},
		{"February 22, 2021 1:00 p.m. CT", d(2021, 2, 22, 13, 0, mustZone("America/Chicago"))},
		{"February 22, 2021 1:00 p.m. MT", d(2021, 2, 22, 13, 0, mustZone("America/Denver"))},
		// Abbreviations of standard and summer time: what they say.
		{"July 4, 2021 4:18 PM EST", d(2021, 7, 4, 16, 18, fixed(-5))},
		{"July 4, 2021 4:18 PM EDT", d(2021, 7, 4, 16, 18, fixed(-4))},
		{"Feb 22, 2021 8:00 am CST", d(2021, 2, 22, 8, 0, fixed(-6))},
		{"Feb 22, 2021 8:00 am PST.", d(2021, 2, 22, 8, 0, fixed(-8))},
		{"Feb 22, 2021 8:00 am PDT", d(2021, 2, 22, 8, 0, fixed(-7))},
		{"Feb 22, 2021 8:00 am MDT", d(2021, 2, 22, 8, 0, fixed(-6))},
		{"Feb 22, 2021 8:00 am AKST", d(2021, 2, 22, 8, 0, fixed(-9))},
		{"Feb 22, 2021 8:00 am HST", d(2021, 2, 22, 8, 0, fixed(-10))},
		{"22 June 2021 10:30 BST", d(2021, 6, 22, 10, 30, fixed(1))},
		{"22 June 2021 10:30 CEST", d(2021, 6, 22, 10, 30, fixed(2))},
		{"22 February 2021 10:30 CET", d(2021, 2, 22, 10, 30, fixed(1))},
		{"22 February 2021 10:30 WET", d(2021, 2, 22, 10, 30, time.UTC)},
		{"22 June 2021 10:30 WEST", d(2021, 6, 22, 10, 30, fixed(1))},
		{"22 February 2021 10:30 EET", d(2021, 2, 22, 10, 30, fixed(2))},
		{"22 June 2021 10:30 EEST", d(2021, 6, 22, 10, 30, fixed(3))},
		{"22 February 2021 10:30 MSK", d(2021, 2, 22, 10, 30, fixed(3))},
		{"22 February 2021 10:30 IST", d(2021, 2, 22, 10, 30, fixed(5.5))},
		// Greenwich and offsets.
		{"22 February 2021 16:18 GMT", d(2021, 2, 22, 16, 18, time.UTC)},
		{"22 February 2021 16:18 UTC", d(2021, 2, 22, 16, 18, time.UTC)},
		{"22 February 2021 16:18 GMT+1", d(2021, 2, 22, 16, 18, fixed(1))},
		{"22 February 2021 16:18 UTC+01:00", d(2021, 2, 22, 16, 18, fixed(1))},
		{"22 February 2021 16:18 GMT-3", d(2021, 2, 22, 16, 18, fixed(-3))},
		{"22 February 2021 16:18 +0100", d(2021, 2, 22, 16, 18, fixed(1))},
		{"22 February 2021 16:18 (-05:00)", d(2021, 2, 22, 16, 18, fixed(-5))},
		{"2021-02-22 16:18 ET", d(2021, 2, 22, 16, 18, ny)},
		{"Mon, 22 Feb 2021 16:18:00 EST", d(2021, 2, 22, 16, 18, fixed(-5))},
		{"Mon, 22 Feb 2021 16:18:00 GMT", d(2021, 2, 22, 16, 18, time.UTC)},
		// French.
		{"lundi 22 février 2021 à 16h18 (heure de Paris)", d(2021, 2, 22, 16, 18, paris)},
		{"22 juillet 2021 à 16h18 heure de Paris", d(2021, 7, 22, 16, 18, paris)},
		{"22 février 2021 à 9h heure de Montréal", d(2021, 2, 22, 9, 0, mustZone("America/Toronto"))},
		{"22 février 2021 à 9 h 30 HNE", d(2021, 2, 22, 9, 30, fixed(-5))},
		{"22 février 2021 à 16h18 heure du Maroc", d(2021, 2, 22, 16, 18, cas)},
		{"22 février 2021 à 16h18 heure marocaine", d(2021, 2, 22, 16, 18, cas)},
		{"22 février 2021 à 16h18 heure locale", d(2021, 2, 22, 16, 18, cas)},
		{"22 février 2021 à 16h18 heure d’Alger", d(2021, 2, 22, 16, 18, mustZone("Africa/Algiers"))},
		{"22 février 2021 à 16h18 GMT", d(2021, 2, 22, 16, 18, time.UTC)},
		// Arabic.
		{"22 فبراير 2021 الساعة 16:18 بتوقيت غرينتش", d(2021, 2, 22, 16, 18, time.UTC)},
		{"22 فبراير 2021 الساعة 16:18 بتوقيت جرينتش", d(2021, 2, 22, 16, 18, time.UTC)},
		{"22 فبراير 2021 الساعة 16:18 (ت.غ)", d(2021, 2, 22, 16, 18, time.UTC)},
		{"22 فبراير 2021 الساعة 4:18 مساءً بتوقيت مكة المكرمة", d(2021, 2, 22, 16, 18, riyadh)},
		{"٢٢ فبراير ٢٠٢١ - ١٠:٠٠ ص بتوقيت القاهرة", d(2021, 2, 22, 10, 0, cairo)},
		{"22 يوليو 2021 الساعة 10:00 بتوقيت القاهرة", d(2021, 7, 22, 10, 0, cairo)},
		{"الإثنين 22 فبراير 2021 على الساعة 16:18 بتوقيت الرباط", d(2021, 2, 22, 16, 18, cas)},
		{"22 شباط 2021 الساعة 16:18 بتوقيت بيروت", d(2021, 2, 22, 16, 18, mustZone("Asia/Beirut"))},
		{"22 شباط 2021 الساعة 16:18 بتوقيت دمشق", d(2021, 2, 22, 16, 18, mustZone("Asia/Damascus"))},
		{"22 شباط 2021 الساعة 16:18 بتوقيت عمّان", d(2021, 2, 22, 16, 18, mustZone("Asia/Amman"))},
		{"22 شباط 2021 الساعة 16:18 بتوقيت القدس", d(2021, 2, 22, 16, 18, mustZone("Asia/Jerusalem"))},
		{"22 فيفري 2021 على الساعة 16:18 بتوقيت الجزائر", d(2021, 2, 22, 16, 18, mustZone("Africa/Algiers"))},
		{"22 فيفري 2021 على الساعة 16:18 بتوقيت تونس", d(2021, 2, 22, 16, 18, mustZone("Africa/Tunis"))},
		{"22 فبراير 2021 الساعة 16:18 بتوقيت أبوظبي", d(2021, 2, 22, 16, 18, mustZone("Asia/Dubai"))},
		{"22 فبراير 2021 الساعة 16:18 بتوقيت الإمارات", d(2021, 2, 22, 16, 18, mustZone("Asia/Dubai"))},
		{"22 فبراير 2021 الساعة 16:18 بتوقيت الدوحة", d(2021, 2, 22, 16, 18, mustZone("Asia/Qatar"))},
		{"22 فبراير 2021 الساعة 16:18 بتوقيت غرينتش+1", d(2021, 2, 22, 16, 18, fixed(1))},
		{"22 فبراير 2021 الساعة 16:18 بالتوقيت المحلي", d(2021, 2, 22, 16, 18, cas)},
		// Words that look like abbreviations are not zones.
		{"22 février 2021 à 16h18 et mis à jour à 17h", d(2021, 2, 22, 16, 18, cas)},
		{"22 février 2021 à 16h18 est la date", d(2021, 2, 22, 16, 18, cas)},
		{"22 February 2021 4:18 pm eastbound", d(2021, 2, 22, 16, 18, cas)},
		{"22 February 2021 4:18 pm +01000", d(2021, 2, 22, 16, 18, cas)},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, cas)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", tt.in, err)
			continue
		}
		_, gotOff := got.Zone()
		_, wantOff := tt.want.Zone()
		if !got.Equal(tt.want) || gotOff != wantOff {
			t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
