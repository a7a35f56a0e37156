package article

import (
	"bytes"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
)

// decoded is a file's text in UTF-8, with the encoding it came in when that
// was not UTF-8.
type decoded struct {
	text     string
	encoding string // "" for UTF-8
}

// decode turns a file's bytes into UTF-8. It honours byte order marks, a
// charset declared by the file itself (HTML), and otherwise tells UTF-8 from
// the single-byte encodings newsrooms still export (Windows-1256 for Arabic,
// Windows-1252 for French and English). Anything it cannot decode with
// confidence is refused rather than turned into mojibake.
func decode(data []byte, declared string) (decoded, *Problem) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
		if !utf8.Valid(data) {
			return decoded{}, invalidUTF8(data)
		}
		return decoded{text: string(data)}, nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE, 0, 0}), bytes.HasPrefix(data, []byte{0, 0, 0xFE, 0xFF}):
		return decoded{}, &Problem{Field: "encoding", Message: "the file is UTF-32, which is not supported: save it as UTF-8"}
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return transcode(data, xunicode.UTF16(xunicode.BigEndian, xunicode.ExpectBOM), "utf-16")
	}
	if order, ok := utf16WithoutBOM(data); ok {
		return transcode(data, xunicode.UTF16(order, xunicode.IgnoreBOM), "utf-16")
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return decoded{}, &Problem{Field: "encoding", Line: lineAt(data, i),
			Message: "the file holds binary data (a NUL byte), not text: upload the article as a text file"}
	}
	if utf8.Valid(data) {
		return decoded{text: string(data)}, nil
	}
	if declared != "" {
		label, ok := charsetLabels()[strings.ToLower(strings.TrimSpace(declared))]
		switch {
		case !ok:
			return decoded{}, &Problem{Field: "encoding", Message: "the file declares the charset \"" + shorten(declared, maxQuoted) + "\"" +
				", which pressroom does not read (" + supportedCharsets + "): save it as UTF-8"}
		case label.enc != nil:
			return transcode(data, label.enc, label.name)
		}
	}
	if mostlyUTF8(data) {
		return decoded{}, invalidUTF8(data)
	}
	return legacy(data)
}

// charset is an encoding a file may declare, under the name the WHATWG
// Encoding Standard gives it; enc is nil for UTF-8.
type charset struct {
	name string
	enc  encoding.Encoding
}

// supportedCharsets lists, for messages, what charsetLabels holds.
const supportedCharsets = "UTF-8, UTF-16, Windows-1256, ISO-8859-6, Windows-1252, Latin-1, ISO-8859-15"

// charsetLabels maps the labels of the WHATWG Encoding Standard
// (https://encoding.spec.whatwg.org/#names-and-labels) to the encodings the
// docs/articles.md lists, for Arabic, French and English newsrooms: a small table in
// place of htmlindex, whose Chinese, Japanese and Korean tables weighed half a
// megabyte of the ingest function. As the standard says, Latin-1 and ASCII
// are read as Windows-1252. Built on first use, so that a program that links
// the package without parsing (the publish function) does not build it.
var charsetLabels = sync.OnceValue(func() map[string]charset {
	m := map[string]charset{}
	for _, c := range []struct {
		charset
		labels string
	}{
		{charset{"utf-8", nil}, "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8"},
		{charset{"utf-16le", xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM)},
			"csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le"},
		{charset{"utf-16be", xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM)}, "unicodefffe utf-16be"},
		{charset{"windows-1256", charmap.Windows1256}, "cp1256 windows-1256 x-cp1256"},
		{charset{"iso-8859-6", charmap.ISO8859_6}, "arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 " +
			"iso-8859-6 iso-8859-6-e iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6 iso_8859-6:1987"},
		{charset{"windows-1252", charmap.Windows1252}, "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 " +
			"iso-ir-100 iso8859-1 iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252"},
		{charset{"iso-8859-15", charmap.ISO8859_15}, "csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9"},
	} {
		for _, l := range strings.Fields(c.labels) {
			m[l] = c.charset
		}
	}
	return m
})

func transcode(data []byte, enc encoding.Encoding, name string) (decoded, *Problem) {
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return decoded{}, &Problem{Field: "encoding", Message: "the file cannot be decoded as " + name + ": " + err.Error()}
	}
	if bytes.Contains(out, []byte("\uFFFD")) && !bytes.Contains(data, []byte("\uFFFD")) {
		return decoded{}, &Problem{Field: "encoding", Message: "the file is not valid " + name + ": save it again as UTF-8"}
	}
	return decoded{text: string(out), encoding: name}, nil
}

// utf16WithoutBOM spots UTF-16 text saved without a byte order mark: for
// mostly-ASCII text every other byte is zero.
func utf16WithoutBOM(data []byte) (xunicode.Endianness, bool) {
	n := min(len(data), 512) &^ 1
	if n < 8 {
		return xunicode.BigEndian, false
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if data[i] == 0 {
			even++
		}
		if data[i+1] == 0 {
			odd++
		}
	}
	half := n / 2
	switch {
	case odd*10 >= half*7 && even == 0:
		return xunicode.LittleEndian, true
	case even*10 >= half*7 && odd == 0:
		return xunicode.BigEndian, true
	}
	return xunicode.BigEndian, false
}

// mostlyUTF8 reports whether the file's non-ASCII bytes hold UTF-8
// sequences of letters and punctuation news text uses, at a rate legacy
// text never shows by chance: then the invalid bytes are damage or a mix of
// encodings, and transcoding would only make mojibake.
func mostlyUTF8(data []byte) bool {
	var plausible, invalid int
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			invalid++
		case r <= 0x6FF, r >= 0x2000 && r <= 0x20CF, r >= 0xFB50 && r <= 0xFEFF:
			plausible++
		}
		i += size
	}
	return plausible > 0 && plausible*10 >= invalid
}

func invalidUTF8(data []byte) *Problem {
	i := 0
	for i < len(data) {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	return &Problem{Field: "encoding", Line: lineAt(data, i),
		Message: "this line is not valid UTF-8 although the rest of the file is: the file mixes encodings or is damaged; save it again as UTF-8"}
}

// legacy decodes a single-byte file as Windows-1256 when its high bytes are
// mostly Arabic letters there, else as Windows-1252, and refuses text whose
// high bytes read as neither (another legacy encoding such as KOI8-R).
func legacy(data []byte) (decoded, *Problem) {
	var high, arabic int
	dec1256 := charmap.Windows1256
	for _, b := range data {
		if b < 0x80 {
			continue
		}
		high++
		if r := dec1256.DecodeByte(b); unicode.Is(unicode.Arabic, r) {
			arabic++
		}
	}
	if arabic*2 > high {
		// Arabic words in Windows-1256 do not mix in the few Latin letters
		// it also has (é, à, ç...); Cyrillic in KOI8-R read as 1256 does.
		if mixedWords(data, dec1256) {
			return decoded{}, &Problem{Field: "encoding", Message: "the file is neither UTF-8 nor a known legacy encoding (Windows-1256, Windows-1252, Latin-1): save it as UTF-8"}
		}
		return transcode(data, charmap.Windows1256, "windows-1256")
	}
	// In Western text, accented letters sit among ASCII letters; long runs of
	// high bytes mean a script Windows-1252 does not have.
	var inRuns, run int
	for i := 0; i <= len(data); i++ {
		if i < len(data) && data[i] >= 0x80 {
			run++
			continue
		}
		if run >= 3 {
			inRuns += run
		}
		run = 0
	}
	undefined := false
	for _, b := range data {
		switch b {
		case 0x81, 0x8D, 0x8F, 0x90, 0x9D: // unassigned in Windows-1252
			undefined = true
		}
	}
	if undefined || inRuns*2 > high {
		return decoded{}, &Problem{Field: "encoding", Message: "the file is neither UTF-8 nor a known legacy encoding (Windows-1256, Windows-1252, Latin-1): save it as UTF-8"}
	}
	return transcode(data, charmap.Windows1252, "windows-1252")
}

// mixedWords reports whether more than one word in twenty mixes Arabic
// and Latin letters when data is read as Windows-1256.
func mixedWords(data []byte, cm *charmap.Charmap) bool {
	var words, mixed int
	var ar, latin bool
	for i := 0; i <= len(data); i++ {
		if i == len(data) || data[i] == ' ' || data[i] == '\n' || data[i] == '\t' {
			if ar {
				words++
				if latin {
					mixed++
				}
			}
			ar, latin = false, false
			continue
		}
		if data[i] < 0x80 {
			continue
		}
		r := cm.DecodeByte(data[i])
		switch {
		case unicode.Is(unicode.Arabic, r):
			ar = true
		case unicode.IsLetter(r):
			latin = true
		}
	}
	return mixed*20 > words
}

// lineAt returns the 1-based line number of byte offset i.
func lineAt(data []byte, i int) int {
	return bytes.Count(data[:min(i, len(data))], []byte{'\n'}) + 1
}
