package article

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// textFacts are what finish learns from an article's HTML in one pass: it
// used to take three (a plain-text check, the word count and the first
// paragraph), each with its own tokenizer.
type textFacts struct {
	words   int    // countWords
	hasText bool   // hasWord(plainText(fragment, hasTextLimit))
	first   string // firstParagraph, when asked for
}

// hasTextLimit bounds the plain text in which an article must show a
// letter to have text.
const hasTextLimit = 4096

// factsOf reads fragment once and gives what countWords,
// hasWord(plainText(fragment, hasTextLimit)) and (with wantFirst)
// firstParagraph give; TestFactsOf holds it to them. Simple markup (see
// simpleTokens) is read without the tokenizer.
func factsOf(fragment string, wantFirst bool) textFacts {
	r := factsReader{firstDone: !wantFirst}
	if simpleTokens(fragment, r.text, r.tag) {
		return r.end()
	}
	r = factsReader{firstDone: !wantFirst}
	z := html.NewTokenizer(strings.NewReader(fragment))
	for {
		switch tt := z.Next(); tt {
		case html.ErrorToken:
			return r.end()
		case html.TextToken:
			r.text(string(z.Text()))
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			r.tag(tt, string(name))
		}
	}
}

// factsReader is factsOf's state, fed the fragment's tokens.
type factsReader struct {
	facts  textFacts
	plain  int // bytes plainText would hold so far
	inWord bool
	// firstParagraph's state; firstDone once it has its answer.
	all, para strings.Builder
	inP, skip int
	firstDone bool
}

// text reads a text token; it always asks for more.
func (r *factsReader) text(text string) bool {
	if r.plain < hasTextLimit {
		if !r.facts.hasText {
			r.facts.hasText = strings.IndexFunc(text, unicode.IsLetter) >= 0
		}
		r.plain += len(text)
	}
	r.countWords(text)
	if r.firstDone || r.skip > 0 {
		return true
	}
	if r.all.Len() > 8192 && r.inP == 0 {
		// No paragraph in sight: the start of the text will do.
		r.facts.first, r.firstDone = cleanLine(r.all.String()), true
		return true
	}
	r.all.WriteString(text)
	if r.inP > 0 {
		r.para.WriteString(text)
	}
	return true
}

// countWords counts the words of text, as countWords does.
func (r *factsReader) countWords(text string) {
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			// ASCII: no script table needed.
			i++
			switch {
			case c == ' ' || '\t' <= c && c <= '\r':
				r.inWord = false
			case 'a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9':
				if !r.inWord {
					r.facts.words++
				}
				r.inWord = true
			}
			continue
		}
		ch, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case unicode.IsSpace(ch):
			r.inWord = false
		case unicode.In(ch, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai):
			r.facts.words++
			r.inWord = false
		case unicode.IsLetter(ch) || unicode.IsDigit(ch):
			if !r.inWord {
				r.facts.words++
			}
			r.inWord = true
		}
	}
}

// tag reads a start, end or self-closing tag; it always asks for more.
func (r *factsReader) tag(tt html.TokenType, name string) bool {
	if r.plain < hasTextLimit {
		r.plain++
	}
	if !inlineTags[name] {
		r.inWord = false
	}
	if r.firstDone || tt == html.SelfClosingTagToken {
		return true
	}
	a := atom.Lookup([]byte(name))
	skipped := a == atom.Figure || a == atom.Table || a == atom.Pre || a == atom.Sup
	switch {
	case tt == html.StartTagToken && a == atom.P:
		r.inP++
	case tt == html.StartTagToken && skipped:
		r.skip++
	case tt == html.EndTagToken && a == atom.P && r.inP > 0:
		r.inP--
		if r.inP == 0 {
			if s := cleanLine(r.para.String()); hasWord(s) {
				r.facts.first, r.firstDone = s, true
				return true
			}
			r.para.Reset()
		}
	case tt == html.EndTagToken && skipped && r.skip > 0:
		r.skip--
	}
	if blockElements[a] {
		r.all.WriteByte(' ')
	}
	return true
}

// end is what the reader learnt once the fragment is read.
func (r *factsReader) end() textFacts {
	if !r.firstDone {
		r.facts.first = cleanLine(r.all.String())
	}
	return r.facts
}
