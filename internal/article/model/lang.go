package model

import (
	"fmt"
	"strings"

	"golang.org/x/text/language"
)

// canonicalLang turns a declared language ("ar_MA", "FR-fr", "en") into a
// BCP 47 tag ("ar-MA", "fr-FR", "en"). ok is false when s is not a language.
func canonicalLang(s string) (string, bool) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "_", "-"))
	if s == "" || s == "*" {
		return "", false
	}
	tag, err := language.Parse(s)
	if err != nil || tag == language.Und {
		return "", false
	}
	if base, conf := tag.Base(); conf == language.No || base.String() == "und" {
		return "", false
	}
	return tag.String(), true
}

// rtlScripts are written right to left.
var rtlScripts = map[string]bool{
	"Arab": true, "Hebr": true, "Syrc": true, "Thaa": true, "Nkoo": true,
	"Adlm": true, "Rohg": true, "Mand": true, "Samr": true,
}

// Direction is "rtl" for a language (BCP 47) written right to left, by
// its script or the likely script of its base language, else "ltr".
func Direction(lang string) string {
	tag, err := language.Parse(lang)
	if err != nil {
		return "ltr"
	}
	if script, _ := tag.Script(); rtlScripts[script.String()] {
		return "rtl"
	}
	return "ltr"
}

// CanonicalLanguage returns the BCP 47 form of a language code ("ar_MA"
// gives "ar-MA"), or an error when s is not one.
func CanonicalLanguage(s string) (string, error) {
	if c, ok := canonicalLang(s); ok {
		return c, nil
	}
	return "", fmt.Errorf("article: %q is not a language code", s)
}
