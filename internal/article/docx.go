package article

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// A Word document (.docx) is a zip archive of XML parts (ECMA-376,
// "Office Open XML"): _rels/.rels names the main part (word/document.xml),
// whose own relationships (word/_rels/document.xml.rels) name the styles,
// the numbering definitions and the targets of hyperlinks;
// docProps/core.xml holds the document's properties (title, author, dates,
// keywords). It is read with archive/zip and encoding/xml, bounded like
// every other parser: a few kilobytes of zip can inflate to gigabytes.
//
// This file reads the package; docxbody.go maps the document onto an
// article.

// Bounds on a Word document. Word writes ten to twenty files into the
// archive, plus one per picture; its XML compresses ten to thirty times.
const (
	// maxDocxEntries bounds the files in the archive: each costs memory
	// when the zip directory is read.
	maxDocxEntries = 1000
	// maxDocxUnpacked caps what the archive's files may unpack to in all
	// (declared sizes, and the bytes actually read), whatever
	// articles.max_file_size is; the bound is otherwise ten times it.
	maxDocxUnpacked = 64 << 20
	// maxDocxPart caps word/document.xml; the bound is otherwise four times
	// articles.max_file_size. encoding/xml allocates about nine bytes for
	// every byte of Word's XML it reads.
	maxDocxPart = 32 << 20
	// maxDocxSmallPart bounds each of the other parts read: styles,
	// numbering, relationships and properties (a few to a few hundred KB in
	// real documents).
	maxDocxSmallPart = 4 << 20
	// maxDocxDepth bounds XML nesting (a table in a table is about six
	// levels deeper than its container).
	maxDocxDepth = 256
	// maxStyleChain bounds the basedOn chain followed from a style.
	maxStyleChain = 16
)

// docxBounds are what a document may unpack to in all, and what its main
// part may, for a site whose files may be maxBytes long.
func docxBounds(maxBytes int64) (unpacked, document int64) {
	return min(10*maxBytes, maxDocxUnpacked), min(4*maxBytes, maxDocxPart)
}

// Namespaces. Word writes the transitional ones; "strict" Office Open XML
// (a choice in Word's Save As) uses the purl.oclc.org ones.
var (
	nsW = map[string]bool{
		"http://schemas.openxmlformats.org/wordprocessingml/2006/main": true,
		"http://purl.oclc.org/ooxml/wordprocessingml/main":             true,
	}
	nsR = map[string]bool{
		"http://schemas.openxmlformats.org/officeDocument/2006/relationships": true,
		"http://purl.oclc.org/ooxml/officeDocument/relationships":             true,
	}
)

const (
	nsMC   = "http://schemas.openxmlformats.org/markup-compatibility/2006"
	nsMath = "http://schemas.openxmlformats.org/officeDocument/2006/math"
)

// docxError is a problem with a document, worded for the editor: the
// field, and a message with its arguments (report.add shortens quoted
// values, so they stay separate).
type docxError struct {
	field, format string
	args          []any
}

func (e *docxError) Error() string { return e.format }

func docxFail(field, format string, args ...any) *docxError {
	return &docxError{field: field, format: format, args: args}
}

// docxDamaged is the cure for an archive or a part that cannot be read.
const docxDamaged = "the file is damaged; open it in Word and save it again as .docx"

// docxPackage is an opened .docx archive.
type docxPackage struct {
	files    map[string]*zip.File // by part name in lower case, without a leading "/"
	unpacked int64                // bytes inflated so far
	limit    int64                // what all parts may inflate to
}

// oleMagic opens a Compound File: Word 97-2003 .doc files, and .docx files
// protected by a password (Word encrypts the whole package into one).
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// openDocx checks what the file is and reads the zip directory, refusing
// archives whose entries are too many or would unpack to too much.
func openDocx(data []byte, limit int64) (*docxPackage, *docxError) {
	switch {
	case bytes.HasPrefix(data, oleMagic):
		if bytes.Contains(data, utf16le("EncryptedPackage")) {
			return nil, docxFail("file", "the document is protected by a password: remove the password (File > Info > Protect Document > Encrypt with Password) and upload it again")
		}
		return nil, docxFail("file", "this is an old Word .doc file (Word 97-2003), not a .docx: open it in Word and save it as .docx (File > Save As > Word Document)")
	case bytes.HasPrefix(data, []byte(`{\rtf`)):
		return nil, docxFail("file", "this is an RTF file with a .docx name: open it in Word and save it as .docx (File > Save As > Word Document)")
	case !bytes.HasPrefix(data, []byte("PK\x03\x04")) && !bytes.HasPrefix(data, []byte("PK\x05\x06")):
		return nil, docxFail("file", "the file is not a Word document (a .docx file is a zip archive, this one is not): save the article from Word as .docx")
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, docxFail("file", "the archive cannot be read (%v): "+docxDamaged, err.Error())
	}
	if len(zr.File) > maxDocxEntries {
		return nil, docxFail("file", "the archive holds %d files; a Word document holds a few dozen and at most %d are read: save the article again from Word as .docx", len(zr.File), maxDocxEntries)
	}
	p := &docxPackage{files: make(map[string]*zip.File, len(zr.File)), limit: limit}
	var total uint64
	for _, f := range zr.File {
		if f.Flags&0x1 != 0 {
			return nil, docxFail("file", "the archive is encrypted: save the document from Word without a password")
		}
		total += f.UncompressedSize64
		if total > uint64(limit) || f.UncompressedSize64 > uint64(limit) {
			return nil, docxFail("file", "the document unpacks to more than %s, the most a Word article may hold (ten times articles.max_file_size, at most %s): pictures and embedded files take the room; make them smaller or leave them out",
				humanBytes(limit), humanBytes(maxDocxUnpacked))
		}
		name := strings.ToLower(strings.TrimPrefix(f.Name, "/"))
		if _, dup := p.files[name]; dup {
			return nil, docxFail("file", "the archive holds %q twice: "+docxDamaged, f.Name)
		}
		p.files[name] = f
	}
	return p, nil
}

func utf16le(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for _, c := range []byte(s) {
		b = append(b, c, 0)
	}
	return b
}

// boundedReader stops a part at its own limit and the package at its
// total, whatever sizes the zip directory declares.
type boundedReader struct {
	r     io.Reader
	pkg   *docxPackage
	part  string
	left  int64 // bytes this part may still give, plus one
	limit int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	b.pkg.unpacked += int64(n)
	switch {
	case b.left <= 0:
		return n, docxFail("file", "%s unpacks to more than %s, more than a Word article needs: save the article again from Word, or split it", b.part, humanBytes(b.limit))
	case b.pkg.unpacked > b.pkg.limit:
		return n, docxFail("file", "the document unpacks to more than %s, the most a Word article may hold", humanBytes(b.pkg.limit))
	}
	return n, err
}

// has reports whether the archive holds a part.
func (p *docxPackage) has(name string) bool {
	_, ok := p.files[strings.ToLower(name)]
	return ok
}

// open returns an XML walker over a part, read to at most limit bytes.
func (p *docxPackage) open(name, field string, limit int64) (*xmlWalk, io.Closer, *docxError) {
	f := p.files[strings.ToLower(name)]
	if f == nil {
		return nil, nil, docxFail("file", "the archive has no %s: "+docxDamaged, name)
	}
	if f.UncompressedSize64 > uint64(limit) {
		return nil, nil, docxFail("file", "%s unpacks to %s, more than the %s a Word article may have there: save the article again from Word, or split it", name, humanBytes(int64(f.UncompressedSize64)), humanBytes(limit))
	}
	if f.Method != zip.Store && f.Method != zip.Deflate {
		return nil, nil, docxFail("file", "%s is compressed with a method Word does not use (%d): save the article again from Word", name, f.Method)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, nil, docxFail("file", "%s cannot be unpacked (%v): "+docxDamaged, name, err.Error())
	}
	d := xml.NewDecoder(&boundedReader{r: rc, pkg: p, part: name, left: limit + 1, limit: limit})
	return &xmlWalk{d: d, part: name, field: field}, rc, nil
}

// xmlWalk reads one part's XML as a stream of elements, bounding nesting
// and turning every failure into a docxError. Once it has failed, every
// read returns nothing, so the loops reading the part end.
type xmlWalk struct {
	d     *xml.Decoder
	part  string
	field string // the field named by a problem of nesting
	depth int
	err   *docxError
}

func (w *xmlWalk) next() (xml.Token, bool) {
	if w.err != nil {
		return nil, false
	}
	tok, err := w.d.Token()
	if err != nil {
		if err != io.EOF {
			w.fail(err)
		}
		return nil, false
	}
	switch tok.(type) {
	case xml.StartElement:
		w.depth++
		if w.depth > maxDocxDepth {
			w.err = docxFail(w.field, "%s is nested more than %d levels deep (tables in tables, or a damaged file)", w.part, maxDocxDepth)
			return nil, false
		}
	case xml.EndElement:
		w.depth--
	}
	return tok, true
}

func (w *xmlWalk) fail(err error) {
	var de *docxError
	var syntax *xml.SyntaxError
	var corrupt flate.CorruptInputError
	switch {
	case errors.As(err, &de):
		w.err = de
	case errors.As(err, &syntax):
		w.err = docxFail("file", "%s is not valid XML (%s): "+docxDamaged, w.part, syntax.Msg)
	case errors.Is(err, zip.ErrChecksum), errors.Is(err, zip.ErrFormat), errors.As(err, &corrupt), errors.Is(err, io.ErrUnexpectedEOF):
		w.err = docxFail("file", "%s cannot be unpacked (%v): "+docxDamaged, w.part, err.Error())
	default:
		w.err = docxFail("file", "%s cannot be read (%v): "+docxDamaged, w.part, err.Error())
	}
}

// skip reads through the end of the element just opened.
func (w *xmlWalk) skip() {
	for d := 1; d > 0; {
		tok, ok := w.next()
		if !ok {
			return
		}
		switch tok.(type) {
		case xml.StartElement:
			d++
		case xml.EndElement:
			d--
		}
	}
}

// each calls fn for every child element of the element just opened, and
// reads through its end; fn must read through the end of the child it is
// given (with skip, text or each). Markup-compatibility blocks are
// flattened: the children of mc:Fallback are visited and mc:Choice is
// skipped, since it requires features this reader does not claim.
func (w *xmlWalk) each(fn func(xml.StartElement)) {
	for {
		tok, ok := w.next()
		if !ok {
			return
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space == nsMC && t.Name.Local == "AlternateContent" {
				w.each(func(c xml.StartElement) {
					if c.Name.Space == nsMC && c.Name.Local == "Fallback" {
						w.each(fn)
					} else {
						w.skip()
					}
				})
				continue
			}
			fn(t)
		case xml.EndElement:
			return
		}
	}
}

// text returns the character data inside the element just opened (nested
// elements' too), reading through its end.
func (w *xmlWalk) text() string {
	var b strings.Builder
	for d := 1; d > 0; {
		tok, ok := w.next()
		if !ok {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			d++
		case xml.EndElement:
			d--
		case xml.CharData:
			b.Write(t)
		}
	}
	return b.String()
}

// root reads to the document element of a part and returns it.
func (w *xmlWalk) root() (xml.StartElement, bool) {
	for {
		tok, ok := w.next()
		if !ok {
			if w.err == nil {
				w.err = docxFail("file", "%s is empty: "+docxDamaged, w.part)
			}
			return xml.StartElement{}, false
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se, true
		}
	}
}

// isW reports whether a name is in WordprocessingML's main namespace.
func isW(n xml.Name) bool { return nsW[n.Space] }

// wAttr returns a w: attribute (or the unqualified one) of an element.
func wAttr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local && (nsW[a.Name.Space] || a.Name.Space == "") {
			return a.Value
		}
	}
	return ""
}

// plainAttr returns an unqualified attribute (relationships use them).
func plainAttr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// relID returns the r:id of an element.
func relID(se xml.StartElement) string {
	for _, a := range se.Attr {
		if a.Name.Local == "id" && nsR[a.Name.Space] {
			return a.Value
		}
	}
	return ""
}

// onOff reads a WordprocessingML on/off property: present means on unless
// w:val says 0, false or off. It returns 1 or 0.
func onOff(se xml.StartElement) int8 {
	switch strings.ToLower(wAttr(se, "val")) {
	case "0", "false", "off", "none":
		return 0
	}
	return 1
}

// wInt reads an integer w:val, or def when it is missing or not a number.
func wInt(se xml.StartElement, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(wAttr(se, "val")))
	if err != nil {
		return def
	}
	return n
}

// docxRel is one relationship of a part.
type docxRel struct {
	typ, target string
	external    bool
}

// relsOf reads the relationships of a part ("" for the package's own),
// with internal targets resolved to part names. A part without
// relationships has none.
func (p *docxPackage) relsOf(part string) (map[string]docxRel, *docxError) {
	dir, file := path.Split(part)
	name := dir + "_rels/" + file + ".rels"
	rels := map[string]docxRel{}
	if !p.has(name) {
		return rels, nil
	}
	w, c, err := p.open(name, "file", maxDocxSmallPart)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if _, ok := w.root(); !ok {
		return nil, w.err
	}
	w.each(func(se xml.StartElement) {
		defer w.skip()
		if se.Name.Local != "Relationship" {
			return
		}
		rel := docxRel{typ: plainAttr(se, "Type"), target: plainAttr(se, "Target"), external: strings.EqualFold(plainAttr(se, "TargetMode"), "External")}
		if !rel.external {
			if strings.HasPrefix(rel.target, "/") {
				rel.target = strings.TrimPrefix(path.Clean(rel.target), "/")
			} else {
				rel.target = strings.TrimPrefix(path.Join("/"+dir, rel.target), "/")
			}
		}
		if id := plainAttr(se, "Id"); id != "" {
			rels[id] = rel
		}
	})
	return rels, w.err
}

// relTarget returns the target of the first relationship of a type (by the
// end of its URI, which differs between transitional and strict files).
func relTarget(rels map[string]docxRel, typ string) string {
	best := ""
	for id, r := range rels {
		if !r.external && strings.HasSuffix(r.typ, "/"+typ) && (best == "" || id < best) {
			best = id
		}
	}
	if best == "" {
		return ""
	}
	return rels[best].target
}

// mainPart finds the document's main part, and says what the archive is
// when it is not a Word document.
func (p *docxPackage) mainPart() (string, *docxError) {
	rels, err := p.relsOf("")
	if err != nil {
		return "", err
	}
	main := relTarget(rels, "officeDocument")
	if main == "" && p.has("word/document.xml") {
		main = "word/document.xml"
	}
	switch {
	case strings.HasPrefix(main, "xl/") || (main == "" && p.has("xl/workbook.xml")):
		return "", docxFail("file", "this is an Excel workbook, not a Word document: articles are written in Word")
	case strings.HasPrefix(main, "ppt/") || (main == "" && p.has("ppt/presentation.xml")):
		return "", docxFail("file", "this is a PowerPoint presentation, not a Word document: articles are written in Word")
	case main == "" && p.has("mimetype") && p.has("content.xml"):
		return "", docxFail("file", "this is an OpenDocument file (.odt), not a .docx: open it and save it as Word (.docx)")
	case main == "":
		return "", docxFail("file", "the archive holds no Word document (no word/document.xml): save the article from Word as .docx")
	case !p.has(main):
		return "", docxFail("file", "the archive has no %s, the document its _rels/.rels names: "+docxDamaged, main)
	}
	return main, nil
}

// docxCore is what docProps/core.xml says about the document.
type docxCore struct {
	title, creator, keywords, category, language, status string
	created, modified                                    string
}

func (p *docxPackage) core(name string) (docxCore, *docxError) {
	var c docxCore
	if name == "" || !p.has(name) {
		return c, nil
	}
	w, closer, err := p.open(name, "file", maxDocxSmallPart)
	if err != nil {
		return c, err
	}
	defer closer.Close()
	if _, ok := w.root(); !ok {
		return c, w.err
	}
	w.each(func(se xml.StartElement) {
		var dst *string
		switch se.Name.Local {
		case "title":
			dst = &c.title
		case "creator":
			dst = &c.creator
		case "keywords":
			dst = &c.keywords
		case "category":
			dst = &c.category
		case "language":
			dst = &c.language
		case "contentStatus":
			dst = &c.status
		case "created":
			dst = &c.created
		case "modified":
			dst = &c.modified
		default:
			w.skip()
			return
		}
		*dst = strings.TrimSpace(w.text())
	})
	return c, w.err
}

// docxStyle is what a style says that matters here.
type docxStyle struct {
	id, name, basedOn, kind string
	outline                 int // outline level 0-8, -1 when unset
	numID                   string
	hasNum                  bool
	ilvl                    int
	bidi                    int8 // -1 when unset
	b, i, bCs, iCs, vanish  int8 // run properties, -1 when unset
}

// docxStyles are a document's styles and defaults.
type docxStyles struct {
	byID        map[string]*docxStyle
	defaultPara string    // the style of paragraphs that name none
	bidi        int8      // paragraphs' default direction (1: right to left)
	lang        [3]string // default languages: Latin, East Asian, complex scripts
}

func (p *docxPackage) styles(name string) (*docxStyles, *docxError) {
	s := &docxStyles{byID: map[string]*docxStyle{}}
	if name == "" || !p.has(name) {
		return s, nil
	}
	w, closer, err := p.open(name, "file", min(maxDocxSmallPart, p.limit))
	if err != nil {
		return s, err
	}
	defer closer.Close()
	if _, ok := w.root(); !ok {
		return s, w.err
	}
	w.each(func(se xml.StartElement) {
		if !isW(se.Name) {
			w.skip()
			return
		}
		switch se.Name.Local {
		case "docDefaults":
			w.each(func(d xml.StartElement) {
				w.each(func(pr xml.StartElement) { // rPrDefault/rPr, pPrDefault/pPr
					w.each(func(prop xml.StartElement) {
						switch prop.Name.Local {
						case "lang":
							s.lang = [3]string{wAttr(prop, "val"), wAttr(prop, "eastAsia"), wAttr(prop, "bidi")}
						case "bidi":
							s.bidi = onOff(prop)
						}
						w.skip()
					})
				})
			})
		case "style":
			st := &docxStyle{id: wAttr(se, "styleId"), kind: wAttr(se, "type"), outline: -1, bidi: -1, b: -1, i: -1, bCs: -1, iCs: -1, vanish: -1}
			if st.kind == "" {
				st.kind = "paragraph"
			}
			switch strings.ToLower(wAttr(se, "default")) {
			case "1", "true", "on":
				if st.kind == "paragraph" && s.defaultPara == "" {
					s.defaultPara = st.id
				}
			}
			w.each(func(c xml.StartElement) {
				switch c.Name.Local {
				case "name":
					st.name = wAttr(c, "val")
					w.skip()
				case "basedOn":
					st.basedOn = wAttr(c, "val")
					w.skip()
				case "pPr":
					ppr := readPPr(w)
					st.outline, st.bidi = ppr.outline, ppr.bidi
					st.numID, st.hasNum, st.ilvl = ppr.numID, ppr.hasNum, ppr.ilvl
				case "rPr":
					rpr := readRPr(w)
					st.b, st.i, st.bCs, st.iCs, st.vanish = rpr.b, rpr.i, rpr.bCs, rpr.iCs, rpr.vanish
				default:
					w.skip()
				}
			})
			if st.id != "" {
				if _, dup := s.byID[st.id]; !dup {
					s.byID[st.id] = st
				}
			}
		default:
			w.skip()
		}
	})
	return s, w.err
}

// chain visits a style and the styles it is based on, most specific
// first, until visit returns false; loops and long chains are cut.
func (s *docxStyles) chain(id string, visit func(*docxStyle) bool) {
	for n := 0; id != "" && n < maxStyleChain; n++ {
		st := s.byID[id]
		if st == nil || !visit(st) {
			return
		}
		id = st.basedOn
	}
}

// docxPPr is what a paragraph's (or a paragraph style's) properties say.
type docxPPr struct {
	style       string
	numID       string
	hasNum      bool
	ilvl        int
	bidi        int8 // -1 when unset
	outline     int  // -1 when unset
	markDeleted bool // the paragraph mark is a tracked deletion
}

// readPPr reads a w:pPr just opened. Tracked property changes
// (w:pPrChange) hold the properties before the change: they are skipped,
// which accepts the change.
func readPPr(w *xmlWalk) docxPPr {
	p := docxPPr{bidi: -1, outline: -1}
	w.each(func(se xml.StartElement) {
		if !isW(se.Name) {
			w.skip()
			return
		}
		switch se.Name.Local {
		case "pStyle":
			p.style = wAttr(se, "val")
		case "bidi":
			p.bidi = onOff(se)
		case "outlineLvl":
			p.outline = wInt(se, -1)
		case "numPr":
			p.hasNum = true
			w.each(func(c xml.StartElement) {
				switch c.Name.Local {
				case "numId":
					p.numID = wAttr(c, "val")
				case "ilvl":
					p.ilvl = min(max(wInt(c, 0), 0), 8)
				}
				w.skip()
			})
			return
		case "rPr":
			w.each(func(c xml.StartElement) {
				if isW(c.Name) && (c.Name.Local == "del" || c.Name.Local == "moveFrom") {
					p.markDeleted = true
				}
				w.skip()
			})
			return
		}
		w.skip()
	})
	return p
}

// docxRPr is what a run's (or a style's) properties say.
type docxRPr struct {
	style                  string
	b, i, bCs, iCs, vanish int8 // -1 when unset
	u, strike              bool
	vert                   string
	cs                     bool      // complex-script (right-to-left) run
	lang                   [3]string // Latin, East Asian, complex scripts
}

// readRPr reads a w:rPr just opened, skipping tracked changes of format
// (w:rPrChange: the properties before the change).
func readRPr(w *xmlWalk) docxRPr {
	p := docxRPr{b: -1, i: -1, bCs: -1, iCs: -1, vanish: -1}
	w.each(func(se xml.StartElement) {
		defer w.skip()
		if !isW(se.Name) {
			return
		}
		switch se.Name.Local {
		case "rStyle":
			p.style = wAttr(se, "val")
		case "b":
			p.b = onOff(se)
		case "i":
			p.i = onOff(se)
		case "bCs":
			p.bCs = onOff(se)
		case "iCs":
			p.iCs = onOff(se)
		case "vanish", "webHidden", "specVanish":
			if onOff(se) == 1 {
				p.vanish = 1
			} else if p.vanish < 0 {
				p.vanish = 0
			}
		case "u":
			p.u = onOff(se) == 1
		case "strike", "dstrike":
			p.strike = p.strike || onOff(se) == 1
		case "vertAlign":
			p.vert = wAttr(se, "val")
		case "rtl", "cs":
			p.cs = p.cs || onOff(se) == 1
		case "lang":
			p.lang = [3]string{wAttr(se, "val"), wAttr(se, "eastAsia"), wAttr(se, "bidi")}
		}
	})
	return p
}

// docxLevel is one level of a list definition.
type docxLevel struct {
	format string // numFmt: "bullet", "decimal", "lowerLetter", "none"...
	start  int
}

// docxNumbering holds a document's list definitions.
type docxNumbering struct {
	abstract  map[string]*[9]docxLevel // by abstractNumId
	styleLink map[string]string        // abstractNumId -> the numbering style it defers to
	nums      map[string]docxNum       // by numId
}

type docxNum struct {
	abstract string
	starts   map[int]int // startOverride by level
}

func (p *docxPackage) numbering(name string) (*docxNumbering, *docxError) {
	n := &docxNumbering{abstract: map[string]*[9]docxLevel{}, styleLink: map[string]string{}, nums: map[string]docxNum{}}
	if name == "" || !p.has(name) {
		return n, nil
	}
	w, closer, err := p.open(name, "file", min(maxDocxSmallPart, p.limit))
	if err != nil {
		return n, err
	}
	defer closer.Close()
	if _, ok := w.root(); !ok {
		return n, w.err
	}
	w.each(func(se xml.StartElement) {
		if !isW(se.Name) {
			w.skip()
			return
		}
		switch se.Name.Local {
		case "abstractNum":
			id := wAttr(se, "abstractNumId")
			levels := new([9]docxLevel)
			for i := range levels {
				levels[i] = docxLevel{format: "bullet", start: 1}
			}
			w.each(func(c xml.StartElement) {
				switch c.Name.Local {
				case "lvl":
					i := wIntAttr(c, "ilvl")
					lvl := readLevel(w)
					if i >= 0 && i < 9 {
						levels[i] = lvl
					}
				case "numStyleLink":
					n.styleLink[id] = wAttr(c, "val")
					w.skip()
				default:
					w.skip()
				}
			})
			if _, dup := n.abstract[id]; !dup {
				n.abstract[id] = levels
			}
		case "num":
			id := wAttr(se, "numId")
			num := docxNum{starts: map[int]int{}}
			w.each(func(c xml.StartElement) {
				switch c.Name.Local {
				case "abstractNumId":
					num.abstract = wAttr(c, "val")
					w.skip()
				case "lvlOverride":
					i := wIntAttr(c, "ilvl")
					w.each(func(o xml.StartElement) {
						if o.Name.Local == "startOverride" && i >= 0 && i < 9 {
							num.starts[i] = wInt(o, 1)
						}
						w.skip()
					})
				default:
					w.skip()
				}
			})
			if _, dup := n.nums[id]; !dup {
				n.nums[id] = num
			}
		default:
			w.skip()
		}
	})
	return n, w.err
}

func wIntAttr(se xml.StartElement, local string) int {
	n, err := strconv.Atoi(wAttr(se, local))
	if err != nil {
		return -1
	}
	return n
}

func readLevel(w *xmlWalk) docxLevel {
	lvl := docxLevel{format: "bullet", start: 1}
	w.each(func(se xml.StartElement) {
		switch se.Name.Local {
		case "numFmt":
			lvl.format = wAttr(se, "val")
		case "start":
			lvl.start = wInt(se, 1)
		}
		w.skip()
	})
	return lvl
}

// level returns the definition of a list level; ok is false for numId 0
// (numbering removed) and for a level whose format is "none".
func (n *docxNumbering) level(styles *docxStyles, numID string, ilvl int) (docxLevel, bool) {
	if numID == "" || numID == "0" {
		return docxLevel{}, false
	}
	num, known := n.nums[numID]
	abs := n.abstract[num.abstract]
	// A list style's definition defers to the numbering its style names.
	for hops := 0; abs != nil && n.styleLink[num.abstract] != "" && hops < maxStyleChain; hops++ {
		st := styles.byID[n.styleLink[num.abstract]]
		if st == nil || !st.hasNum {
			break
		}
		linked, ok := n.nums[st.numID]
		if !ok || linked.abstract == num.abstract {
			break
		}
		num = docxNum{abstract: linked.abstract, starts: num.starts}
		abs = n.abstract[num.abstract]
	}
	lvl := docxLevel{format: "bullet", start: 1}
	if known && abs != nil {
		lvl = abs[ilvl]
	}
	if s, ok := num.starts[ilvl]; ok {
		lvl.start = s
	}
	if lvl.format == "none" {
		return lvl, false
	}
	return lvl, true
}

// docxDate reads a date of the document's properties, keeping it only
// within the window article dates must be in (Word writes 1601-01-01 for
// "unknown").
func docxDate(s string, opts Options) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := ParseDate(s, opts.Location)
	if err != nil || t.Before(MinDate) || t.After(opts.Now.Add(MaxAhead)) {
		return time.Time{}
	}
	return t.In(opts.Location)
}

// rtlRune reports whether r is a letter of a script written right to left.
func rtlRune(r rune) bool {
	return r >= 0x0590 && r <= 0x08FF || r >= 0xFB1D && r <= 0xFDFF || r >= 0xFE70 && r <= 0xFEFF ||
		unicode.In(r, unicode.Nko, unicode.Adlam, unicode.Samaritan, unicode.Mandaic)
}

// firstStrong returns "rtl" or "ltr" for the first letter of s, or "".
func firstStrong(s string) string {
	for _, r := range s {
		switch {
		case rtlRune(r):
			return "rtl"
		case unicode.IsLetter(r):
			return "ltr"
		}
	}
	return ""
}
