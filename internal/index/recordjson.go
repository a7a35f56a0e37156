package index

import (
	"bytes"
	"strconv"
	"time"
	"unicode/utf8"
)

// decodeArticleRecord reads a stored article as EncodeArticle writes it,
// without reflection: an object of articleRecord's keys, spelled as
// encoding/json writes them, each once, with strings, integers, booleans,
// arrays of strings and the warnings' objects as values. Anything else (a
// key it does not know, null, a number with a fraction, a lone surrogate,
// invalid UTF-8, ...) returns ok false, and encoding/json reads the record
// (or refuses it) as before. When ok, the record is the one encoding/json
// gives: FuzzDecodeArticleRecord holds the two to that.
//
// A publish decodes every article of the feeds it renders: encoding/json
// took 15 µs for a 3.7 KB record, most of the serial part of a full build's
// publish.
func decodeArticleRecord(data []byte) (r articleRecord, ok bool) {
	d := jsonScan{b: data}
	var seen uint32
	ok = d.object(func(key string) bool {
		bit, known := articleKeys[key]
		if !known || seen&bit != 0 {
			return false
		}
		seen |= bit
		return d.articleField(&r, key)
	})
	d.space()
	return r, ok && d.i == len(d.b)
}

// articleKeys are articleRecord's JSON keys, each with a bit of its own.
var articleKeys = func() map[string]uint32 {
	keys := []string{"v", "id", "idFrom", "slug", "title", "summary", "contentHTML", "url", "published",
		"updated", "expires", "lang", "dir", "authors", "credits", "tags", "categories", "image", "draft",
		"updatedFrom", "correction", "words", "source", "format", "hash", "dateSource", "notes", "warnings"}
	m := make(map[string]uint32, len(keys))
	for i, k := range keys {
		m[k] = 1 << i
	}
	return m
}()

// articleField reads the value of key into r.
func (d *jsonScan) articleField(r *articleRecord, key string) bool {
	var ok bool
	switch key {
	case "v":
		r.V, ok = d.int()
	case "words":
		r.Words, ok = d.int()
	case "draft":
		r.Draft, ok = d.bool()
	case "published":
		ok = d.time(&r.Published)
	case "updated":
		ok = d.time(&r.Updated)
	case "expires":
		ok = d.time(&r.Expires)
	case "authors":
		r.Authors, ok = d.strings()
	case "credits":
		r.Credits, ok = d.strings()
	case "tags":
		r.Tags, ok = d.strings()
	case "categories":
		r.Categories, ok = d.strings()
	case "notes":
		r.Notes, ok = d.strings()
	case "warnings":
		r.Warnings, ok = d.problems()
	default:
		var s string
		if s, ok = d.string(); ok {
			*articleString(r, key) = s
		}
	}
	return ok
}

// articleString is the string field of r under key.
func articleString(r *articleRecord, key string) *string {
	switch key {
	case "id":
		return &r.ID
	case "idFrom":
		return &r.IDFrom
	case "slug":
		return &r.Slug
	case "title":
		return &r.Title
	case "summary":
		return &r.Summary
	case "contentHTML":
		return &r.ContentHTML
	case "url":
		return &r.URL
	case "lang":
		return &r.Lang
	case "dir":
		return &r.Dir
	case "image":
		return &r.Image
	case "updatedFrom":
		return &r.UpdatedFrom
	case "correction":
		return &r.Correction
	case "source":
		return &r.Source
	case "format":
		return &r.Format
	case "hash":
		return &r.Hash
	default: // "dateSource": articleKeys holds no other key
		return &r.DateSource
	}
}

// problems reads the warnings: an array of objects with the keys field,
// line and message, each at most once.
func (d *jsonScan) problems() ([]ProblemRecord, bool) {
	out := []ProblemRecord{}
	ok := d.array(func() bool {
		var p ProblemRecord
		var seen [3]bool
		ok := d.object(func(key string) bool {
			var ok bool
			switch {
			case key == "field" && !seen[0]:
				seen[0] = true
				p.Field, ok = d.string()
			case key == "line" && !seen[1]:
				seen[1] = true
				p.Line, ok = d.int()
			case key == "message" && !seen[2]:
				seen[2] = true
				p.Message, ok = d.string()
			}
			return ok
		})
		out = append(out, p)
		return ok
	})
	return out, ok
}

// jsonScan reads JSON values from b, from i on. Each method returns false
// on anything outside the plain subset decodeArticleRecord accepts.
type jsonScan struct {
	b []byte
	i int
}

func (d *jsonScan) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// next skips white space and takes c, reporting whether it was there.
func (d *jsonScan) next(c byte) bool {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// object reads an object, calling field after each key (and its colon)
// to read the value.
func (d *jsonScan) object(field func(key string) bool) bool {
	if !d.next('{') {
		return false
	}
	if d.next('}') {
		return true
	}
	for {
		d.space()
		start := d.i
		// An escaped key is rare enough to leave to encoding/json.
		if ok, escaped := d.skipString(); !ok || escaped {
			return false
		}
		key := d.b[start+1 : d.i-1]
		if !d.next(':') || !field(string(key)) {
			return false
		}
		if d.next('}') {
			return true
		}
		if !d.next(',') {
			return false
		}
	}
}

// array reads an array, calling elem to read each element.
func (d *jsonScan) array(elem func() bool) bool {
	if !d.next('[') {
		return false
	}
	if d.next(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if d.next(']') {
			return true
		}
		if !d.next(',') {
			return false
		}
	}
}

func (d *jsonScan) strings() ([]string, bool) {
	out := []string{} // as encoding/json: [] is an empty slice, not nil
	ok := d.array(func() bool {
		s, ok := d.string()
		out = append(out, s)
		return ok
	})
	return out, ok
}

// skipString moves past a string literal, escapes included, checking
// only that it ends and holds no control character; escaped says whether
// it holds a backslash.
func (d *jsonScan) skipString() (ok, escaped bool) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return false, false
	}
	b := d.b
	for i := d.i + 1; i < len(b); i++ {
		for i < len(b) && plainInString[b[i]] {
			i++
		}
		if i == len(b) {
			break
		}
		switch c := b[i]; {
		case c == '"':
			d.i = i + 1
			return true, escaped
		case c == '\\':
			escaped = true
			i++ // the escaped byte: never the end
		default: // a control character
			return false, false
		}
	}
	return false, false
}

// plainInString are the bytes a string literal holds as they are: all
// but the quote, the backslash and control characters.
var plainInString = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// string reads a string literal.
func (d *jsonScan) string() (string, bool) {
	d.space()
	start := d.i
	ok, escaped := d.skipString()
	if !ok {
		return "", false
	}
	raw := d.b[start+1 : d.i-1]
	if !escaped {
		if !utf8.Valid(raw) {
			return "", false // encoding/json replaces each bad byte: left to it
		}
		return string(raw), true
	}
	return unescape(raw)
}

// unescape decodes a string literal's escapes (raw without its quotes).
func unescape(raw []byte) (string, bool) {
	// Escapes are ASCII: the literal is valid UTF-8 when what lies
	// between them is.
	if !utf8.Valid(raw) {
		return "", false // encoding/json replaces each bad byte: left to it
	}
	out := make([]byte, 0, len(raw))
	for len(raw) > 0 {
		j := bytes.IndexByte(raw, '\\')
		if j < 0 {
			j = len(raw)
		}
		out = append(out, raw[:j]...)
		if raw = raw[j:]; len(raw) == 0 {
			break
		}
		if len(raw) < 2 {
			return "", false
		}
		n := 2
		switch e := raw[1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(raw[2:])
			if !ok || r >= 0xD800 && r <= 0xDFFF {
				return "", false // surrogates: left to encoding/json
			}
			out = utf8.AppendRune(out, r)
			n = 6
		default:
			return "", false
		}
		raw = raw[n:]
	}
	return string(out), true
}

// hex4 reads the four hexadecimal digits of a \u escape.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// int reads an integer: an optional minus and digits, no leading zero.
func (d *jsonScan) int() (int, bool) {
	d.space()
	start := d.i
	if d.i < len(d.b) && d.b[d.i] == '-' {
		d.i++
	}
	digits := d.i
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
	}
	if d.i == digits || d.b[digits] == '0' && d.i-digits > 1 {
		return 0, false
	}
	if d.i < len(d.b) {
		switch d.b[d.i] {
		case '.', 'e', 'E':
			return 0, false
		}
	}
	n, err := strconv.Atoi(string(d.b[start:d.i]))
	return n, err == nil
}

func (d *jsonScan) bool() (bool, bool) {
	d.space()
	for _, lit := range []string{"true", "false"} {
		if len(d.b)-d.i >= len(lit) && string(d.b[d.i:d.i+len(lit)]) == lit {
			d.i += len(lit)
			return lit == "true", true
		}
	}
	return false, false
}

// time reads a time as encoding/json does: its literal, quotes and all,
// to time.Time's UnmarshalJSON.
func (d *jsonScan) time(t *time.Time) bool {
	d.space()
	start := d.i
	if ok, _ := d.skipString(); !ok {
		return false
	}
	return t.UnmarshalJSON(d.b[start:d.i]) == nil
}
