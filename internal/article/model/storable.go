package model

import "time"

// Storable reports whether t can be written as RFC 3339, as the feeds and
// the index write dates: a four-digit year and a UTC offset within ±23:59
// (time.Time's MarshalJSON refuses the rest, and Go's parser reads offsets
// up to ±24:59, text can state any).
func Storable(t time.Time) bool {
	_, off := t.Zone()
	return t.Year() >= 0 && t.Year() <= 9999 && off > -24*3600 && off < 24*3600
}
