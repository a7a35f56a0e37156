package article

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Wire copy ends with a rights notice: "Copyright 2021 The Associated
// Press. All rights reserved. This material may not be published,
// broadcast, rewritten or redistributed.", "© AFP. Tous droits réservés",
// "جميع الحقوق محفوظة لوكالة المغرب العربي للأنباء". It is the agency's
// notice to its clients, not the article: it is dropped, with a note, from
// the end of the text only. A notice in the middle of the text, or a
// paragraph that is mostly other text, stays.

// reNotice matches a sentence of a rights notice, in folded text.
var reNotice = lazyRE(`(?:^|[.!?]\s*)copyright\b|copyright\s*(?:©|\(c\)|\d{4})|©|\(c\)\s*\d{4}|` +
	`all rights reserved|rights reserved|may not be (?:re)?published|may not be reproduced|may not be (?:re)?distributed|` +
	`published, broadcast, rewritten|without (?:the )?(?:prior )?written permission|` +
	`tous droits reserves|droits reserves|droits de reproduction|reproduction (?:totale ou partielle |meme partielle )?interdite|` +
	`toute reproduction|ne peut etre (?:reproduit|publie|diffuse|redistribue)|interdite sans (?:l'|l’)?(?:autorisation|accord)|` +
	`جميع الحقوق محفوظه|كل الحقوق محفوظه|الحقوق محفوظه|حقوق النشر محفوظه|حقوق الطبع|` +
	`يمنع النقل|يمنع نقل|يمنع اعاده|يمنع الاقتباس|يمنع النسخ|لا يجوز اعاده|لا يجوز نشر|لا يجوز نقل|يحظر النشر|يحظر نقل|يحظر اعاده`)

// maxNotice bounds a paragraph read as a rights notice: real ones are a
// few short sentences.
const maxNotice = 600

// reSentence splits a paragraph into sentences (and the parts a "|"
// separates).
var reSentence = lazyRE(`[.!?؟]+\s+|\s*[|•]\s*`)

// rightsNotice reports whether a paragraph (plain text) is a rights
// notice: it has a notice sentence, and notice sentences and agency
// credits make at least two thirds of its letters.
func rightsNotice(p string) bool {
	if len(p) > 4*maxNotice || utf8.RuneCountInString(p) > maxNotice {
		return false
	}
	f := fold(p)
	if !noticeWord(f) || !reNotice.MatchString(f) {
		return false
	}
	var all, notice int
	for _, s := range reSentence.Split(f, -1) {
		n := letters(s)
		all += n
		if reNotice.MatchString(s) || creditLine(s) != nil {
			notice += n
		}
	}
	return all > 0 && 3*notice >= 2*all
}

// noticeWords are in every notice reNotice matches: a cheap test first,
// since the last paragraph of every article is tested.
var noticeWords = []string{"copyright", "©", "(c)", "rights", "published", "reproduced", "distributed", "permission",
	"droits", "reproduction", "ne peut", "interdite", "الحقوق", "حقوق", "يمنع", "يجوز", "يحظر"}

func noticeWord(f string) bool {
	for _, w := range noticeWords {
		if strings.Contains(f, w) {
			return true
		}
	}
	return false
}

func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

// noticeCredits returns the agencies a rights notice names: "Copyright
// 2021 The Associated Press" credits AP.
func noticeCredits(p string) []string {
	words := strings.FieldsFunc(fold(p), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var out []string
	for i := 0; i < len(words); i++ {
		for n := min(5, len(words)-i); n >= 1; n-- {
			if name, ok := agencies()[strings.Join(words[i:i+n], "")]; ok {
				out = append(out, name)
				i += n - 1
				break
			}
		}
	}
	return out
}

// closers are the closing tags a body may end with after its last
// paragraph: the containers the paragraphs sit in.
var closers = map[string]bool{"div": true, "section": true, "article": true, "main": true, "body": true, "html": true, "span": true}

// splitClosers splits the closing container tags and spaces off the end of
// body. It reads backwards: a regexp would scan the whole body.
func splitClosers(body string) (core, tail string) {
	core = strings.TrimRight(body, " \t\n\r")
	for strings.HasSuffix(core, ">") {
		i := strings.LastIndex(core, "</")
		if i < 0 || !closers[strings.ToLower(strings.TrimSpace(core[i+2:len(core)-1]))] {
			break
		}
		core = strings.TrimRight(core[:i], " \t\n\r")
	}
	return core, body[len(core):]
}

// lastOpenP returns where the last <p> tag of s starts (not <pre>,
// <picture>, <param>), or -1. It looks backwards: bodies are long, and
// only their end is read.
func lastOpenP(s string) int {
	for i := strings.LastIndexByte(s, '<'); i >= 0; i = strings.LastIndexByte(s[:i], '<') {
		if i+2 >= len(s) || s[i+1] != 'p' && s[i+1] != 'P' {
			continue
		}
		if c := s[i+2]; c == '>' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '/' {
			return i
		}
	}
	return -1
}

// maxTrailers bounds the paragraphs dropped from the end of one text.
const maxTrailers = 6

// The kinds of trailer dropTrailers drops.
const (
	notTrailer = iota
	rightsTrailer
	creditTrailer
	closingTrailer
)

// trailerKind tells what a last paragraph (plain text) is: a rights
// notice, a credit line, the closing credits of a text export
// ("Reporting by ...; Editing by ..."), or none of them.
func trailerKind(text string) int {
	switch {
	case rightsNotice(text):
		return rightsTrailer
	case creditLine(text) != nil:
		return creditTrailer
	case len(text) < 300 && reTrailer.MatchString(fold(text)):
		return closingTrailer
	}
	return notTrailer
}

// dropTrailers removes the rights notices, the credit lines ("AFP",
// "(avec AFP)", "— Reuters") and the closing credits of text exports
// ("Reporting by ...") that end an article's HTML body, whatever its
// format: the agencies they name become credits, and each notice dropped
// gets a note. Only whole last paragraphs go, and never the last one with
// text.
func dropTrailers(m *meta) {
	body := m.body
	for range maxTrailers {
		core, closers := splitClosers(body)
		if len(core) < 4 || !strings.EqualFold(core[len(core)-4:], "</p>") {
			return
		}
		start := lastOpenP(core)
		if start < 0 {
			return
		}
		block := core[start:]
		if countEndP(block) != 1 {
			return
		}
		text := cleanLine(plainText(block, 4*maxNotice))
		kind := trailerKind(text)
		rest := core[:start]
		// The text before is read only for a trailer: most last
		// paragraphs are the article's.
		if kind == notTrailer || !hasWord(plainText(rest, 512)) {
			return // the last paragraph with text is the article
		}
		switch kind {
		case rightsTrailer:
			m.credits = append(m.credits, noticeCredits(text)...)
			m.notes = append(m.notes, fmt.Sprintf("dropped the rights notice at the end of the text: %q", shorten(text, maxQuoted)))
		case creditTrailer:
			m.credits = append(m.credits, creditLine(text)...)
		}
		body = strings.TrimRight(rest, " \t\n") + closers
		m.body = body
	}
}

// countEndP counts the "</p>" tags of s in any case, as
// strings.Count(strings.ToLower(s), "</p>") does without the copy: only
// ASCII letters lower-case to the ASCII of the tag.
func countEndP(s string) int {
	n := 0
	for i := strings.Index(s, "</"); i >= 0; {
		if rest := s[i+2:]; len(rest) >= 2 && (rest[0] == 'p' || rest[0] == 'P') && rest[1] == '>' {
			n++
		}
		j := strings.Index(s[i+2:], "</")
		if j < 0 {
			break
		}
		i += 2 + j
	}
	return n
}

// settleBylines applies what every format shares to the names and body a
// parser read: agencies among the authors become credits, and the notices
// and credit lines ending the body are dropped.
func settleBylines(m *meta) {
	authors, credits := authorList(m.authors)
	m.authors, m.credits = authors, append(m.credits, credits...)
	dropTrailers(m)
}
