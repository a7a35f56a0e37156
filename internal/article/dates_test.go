package article

import (
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
	} {
		if got, err := ParseDate(in, time.UTC); err == nil {
			t.Errorf("ParseDate(%q) = %v, want an error", in, got)
		}
	}
}

// A month name inside a longer word is not a month.
func TestFindDatesWordBoundaries(t *testing.T) {
	for _, in := range []string{"22 مارسيليا 2021", "3 mayo 2021", "12 junior 2021", "5 decembrists 2021"} {
		if ds := findDates(fold(in), time.UTC); len(ds) != 0 {
			t.Errorf("findDates(%q) = %v, want none", in, ds)
		}
	}
}
