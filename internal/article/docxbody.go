package article

import (
	"encoding/xml"
	"fmt"
	"html"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// parseDocx reads a Word document: the package and its parts (docx.go),
// then the body as blocks, from which the title, a dateline and a byline
// are taken before the rest becomes the article's HTML. The HTML is built
// here from what the document says, and still goes through the sanitiser
// with every other format's.
func parseDocx(data []byte, opts Options, r *report) meta {
	var m meta
	unpacked, docLimit := docxBounds(opts.MaxBytes)
	d, core, err := readDocx(data, unpacked, docLimit, contentBudget(len(data)))
	if err != nil {
		r.add(err.field, 0, err.format, err.args...)
		return m
	}
	blocks := d.blocks

	// Title: the paragraph in Word's Title style, else a Heading 1 that
	// opens the document.
	ti := -1
	for i, b := range blocks {
		if b.kind == "title" && b.text != "" {
			ti = i
			break
		}
	}
	if first := firstText(blocks); ti < 0 && first >= 0 && blocks[first].kind == "h" && blocks[first].level == 1 {
		ti = first
	}
	if ti >= 0 {
		m.title = blocks[ti].text
		blocks = append(blocks[:ti:ti], blocks[ti+1:]...)
	}

	// A dateline and a byline among the first paragraphs, as in text
	// exports ("Rabat, 22 février 2021", "Par Claire Martin").
	t := textParse{loc: opts.Location}
	var bylines []string
	for i, seen := 0, 0; i < len(blocks) && seen < 6; seen++ {
		b := blocks[i]
		if (b.kind != "p" && b.kind != "subtitle") || bodyLike(b.text) {
			break
		}
		if pub, upd, authors, ok := t.readDateline(b.text); ok && m.published.IsZero() && wordCount(b.text) <= 20 {
			m.published, m.updated = pub, upd
			bylines = append(bylines, authors...)
			blocks = append(blocks[:i:i], blocks[i+1:]...)
			continue
		}
		if wordCount(b.text) <= maxBylineWords && reByline.MatchString(fold(b.text)) {
			if name := bylineName(b.text); plausibleByline(name) {
				bylines = append(bylines, name)
				blocks = append(blocks[:i:i], blocks[i+1:]...)
				continue
			}
		}
		if c := creditLine(b.text); c != nil {
			m.credits = append(m.credits, c...)
			blocks = append(blocks[:i:i], blocks[i+1:]...)
			continue
		}
		i++
	}

	// Without a styled title: the document's Title property, else a first
	// paragraph shaped like a headline.
	if m.title == "" {
		first := firstText(blocks)
		switch {
		case core.title != "":
			m.title = core.title
			if first >= 0 && comparable(blocks[first].text) == comparable(core.title) {
				blocks = append(blocks[:first:first], blocks[first+1:]...)
			}
		case first >= 0 && first+1 < len(blocks) && (blocks[first].kind == "p" || blocks[first].kind == "h") &&
			headlineLike(blocks[first].text) && !bodyLike(blocks[first].text):
			m.title = blocks[first].text
			blocks = append(blocks[:first:first], blocks[first+1:]...)
			r.warn("title", 0, "the title is the document's first paragraph (no paragraph has Word's Title or Heading 1 style): give the headline that style to be sure")
		default:
			r.add("title", 0, "the document has no title: give the headline Word's Title or Heading 1 style, or fill in its Title (File > Info > Properties)")
		}
	}
	for _, b := range blocks {
		if b.kind == "subtitle" {
			m.summary = b.text
			break
		}
	}

	// Authors: a byline in the text, else the document's Author property
	// (several are separated by semicolons), without the names Word gives
	// unnamed users.
	for _, name := range bylines {
		authors, credits := splitByline(name)
		m.authors, m.credits = append(m.authors, authors...), append(m.credits, credits...)
	}
	if len(m.authors) == 0 {
		for _, name := range strings.Split(core.creator, ";") {
			name = cleanLine(name)
			switch {
			case name == "":
			case placeholderAuthors()[fold(name)]:
				m.notes = append(m.notes, fmt.Sprintf("left out the author %q: it is the name Word gives an unnamed user, not a byline", shorten(name, maxQuoted)))
			default:
				m.authors = append(m.authors, name)
			}
		}
	}
	m.tags = splitKeywords(core.keywords)
	m.categories = splitKeywords(core.category)
	m.draft = draftStatus()[fold(strings.TrimSpace(core.status))]
	m.docCreated, m.docModified = docxDate(core.created, opts), docxDate(core.modified, opts)

	// Language: the document's Language property; else detected from the
	// text, with the region the document's own language tags give
	// ("ar-MA"); else the language most of its text is tagged with.
	if core.language != "" {
		if c, ok := canonicalLang(core.language); ok {
			m.lang = c
		} else {
			r.add("lang", 0, "%q (the document's Language property) is not a language code: use a BCP 47 code such as ar, ar-MA, fr or en", core.language)
		}
	}
	if m.lang == "" {
		m.lang = d.language(m.title, blocks)
	}
	if Direction(m.lang) == "rtl" {
		markLTR(blocks)
	}

	var b strings.Builder
	renderBlocks(&b, blocks)
	m.body = b.String()
	m.notes = append(m.notes, d.notes()...)
	return m
}

// placeholderAuthors are the names Word (and tools that write .docx files)
// put in the Author property when nobody set one, folded.
var placeholderAuthors = foldedSet("Windows User", "Utilisateur Windows", "Usuario de Windows", "Windows-Benutzer", "Utente di Windows",
	"مستخدم Windows", "Microsoft Office User", "Utilisateur de Microsoft Office", "Usuario de Microsoft Office",
	"Microsoft Office-Benutzer", "مستخدم Microsoft Office", "user", "utilisateur", "admin", "administrator", "administrateur",
	"owner", "author", "auteur", "unknown", "python-docx", "Apache POI", "docx4j", "LibreOffice", "Pandoc")

// draftStatus are values of the Status property (cp:contentStatus) that
// mark a draft, folded.
var draftStatus = foldedSet("draft", "brouillon", "borrador", "entwurf", "bozza", "rascunho", "مسودة")

// splitKeywords splits a property holding several values: Word separates
// keywords with semicolons, editors often with commas.
func splitKeywords(s string) []string {
	var out []string
	for _, k := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '،' || r == '؛' }) {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

func firstText(blocks []docxBlock) int {
	for i, b := range blocks {
		if b.text != "" {
			return i
		}
	}
	return -1
}

// readDocx opens the package and reads the parts the article needs.
func readDocx(data []byte, unpacked, docLimit int64, budget int) (*docxDoc, docxCore, *docxError) {
	var core docxCore
	pkg, err := openDocx(data, unpacked)
	if err != nil {
		return nil, core, err
	}
	main, err := pkg.mainPart()
	if err != nil {
		return nil, core, err
	}
	pkgRels, err := pkg.relsOf("")
	if err != nil {
		return nil, core, err
	}
	rels, err := pkg.relsOf(main)
	if err != nil {
		return nil, core, err
	}
	d := &docxDoc{rels: rels, budget: budget, fileSize: len(data), counts: map[string]*[9]int{},
		langs: map[string]int{}, classes: map[string]docxClass{}}
	if d.styles, err = pkg.styles(relTarget(rels, "styles")); err != nil {
		return nil, core, err
	}
	if d.num, err = pkg.numbering(relTarget(rels, "numbering")); err != nil {
		return nil, core, err
	}
	coreName := relTarget(pkgRels, "core-properties")
	if coreName == "" && pkg.has("docProps/core.xml") {
		coreName = "docProps/core.xml"
	}
	if core, err = pkg.core(coreName); err != nil {
		return nil, core, err
	}
	if err := d.read(pkg, main, docLimit); err != nil {
		return nil, core, err
	}
	return d, core, nil
}

// docxDoc is the state of one document's reading.
type docxDoc struct {
	w       *xmlWalk
	styles  *docxStyles
	num     *docxNumbering
	rels    map[string]docxRel
	blocks  []docxBlock
	classes map[string]docxClass // paragraph style id -> what it makes
	counts  map[string]*[9]int   // list items so far, by numId and level
	fields  []docxField          // complex fields open at this point
	deeper  int                  // fields opened beyond the bound of fields
	links   int                  // links so far, so two adjacent links stay two
	cur     []docxPiece          // the paragraph being read
	langs   map[string]int       // characters by the language tag they carry

	size, budget, fileSize int // estimated HTML so far, and its bound

	images, objects, comments, footnotes, insertions, deletions int
}

// docxField is a complex field (w:fldChar begin ... separate ... end): its
// instruction, then its result, which is what the document shows.
type docxField struct {
	instr  string
	result bool
	href   string // a HYPERLINK field's address
	link   int
}

// maxFields bounds the complex fields kept open at once.
const maxFields = 64

type docxClass struct {
	kind  string // "", "title", "subtitle", "h", "quote", "toc"
	level int
}

// docxBlock is a paragraph (heading, list item, quotation) or a table.
type docxBlock struct {
	kind   string // "p", "title", "subtitle", "h", "quote", "li", "table"
	level  int    // heading level 1-9, or list level 0-8
	dir    string // "rtl", "ltr" or ""
	list   docxList
	pieces []docxPiece
	text   string // plain text, one line
	table  *docxTable
}

type docxList struct {
	numID   string
	ordered bool
	value   int // the item's number
}

// docxPiece is a run of text with one format, or a line break.
type docxPiece struct {
	text string
	br   bool
	f    docxFmt
	href string
	link int
}

type docxFmt struct{ b, i, u, s, sup, sub bool }

type docxTable struct {
	rtl  bool
	rows []docxRow
}

type docxRow struct {
	header bool
	before int // grid columns skipped before the first cell
	cells  []*docxCell
}

type docxCell struct {
	blocks        []docxBlock
	span, rowspan int
	merge         string // vertical merge: "restart", "continue" or ""
	omit          bool   // continues the cell above
}

// read reads the main part's body.
func (d *docxDoc) read(pkg *docxPackage, main string, limit int64) *docxError {
	w, closer, err := pkg.open(main, "body", limit)
	if err != nil {
		return err
	}
	defer closer.Close()
	d.w = w
	root, ok := w.root()
	if !ok {
		return w.err
	}
	if !isW(root.Name) || root.Name.Local != "document" {
		return docxFail("file", "%s is not a Word document's body (it holds <%s>): save the article from Word as .docx", main, root.Name.Local)
	}
	w.each(func(se xml.StartElement) {
		if isW(se.Name) && se.Name.Local == "body" {
			d.blocks = d.container(nil)
			return
		}
		w.skip()
	})
	return w.err
}

// docxFlow collects a container's blocks. A paragraph whose mark is a
// tracked deletion joins the next one when the deletion is accepted: its
// pieces wait in carry.
type docxFlow struct {
	blocks []docxBlock
	carry  []docxPiece
	ppr    docxPPr
}

// container reads the block-level content of the element just opened (the
// body, a table cell). pre may take a child first (a cell's properties).
func (d *docxDoc) container(pre func(xml.StartElement) bool) []docxBlock {
	var f docxFlow
	d.w.each(func(se xml.StartElement) {
		if pre == nil || !pre(se) {
			d.block(se, &f)
		}
	})
	if len(f.carry) > 0 {
		if b, ok := d.makeBlock(f.ppr, f.carry); ok {
			f.blocks = append(f.blocks, b)
		}
	}
	return f.blocks
}

// foreign skips an element outside Word's namespace (counting equations
// among the objects left out) and reports whether it did.
func (d *docxDoc) foreign(se xml.StartElement) bool {
	if isW(se.Name) {
		return false
	}
	if se.Name.Space == nsMath {
		d.objects++
	}
	d.w.skip()
	return true
}

func (d *docxDoc) block(se xml.StartElement, f *docxFlow) {
	w := d.w
	if d.foreign(se) {
		return
	}
	switch se.Name.Local {
	case "p":
		ppr, pieces := d.paragraph()
		if len(f.carry) > 0 {
			pieces = append(f.carry, pieces...)
			f.carry = nil
		}
		if ppr.markDeleted {
			d.deletions++
			f.carry, f.ppr = pieces, ppr
			return
		}
		if b, ok := d.makeBlock(ppr, pieces); ok {
			f.blocks = append(f.blocks, b)
		}
	case "tbl":
		if t := d.table(); len(t.rows) > 0 {
			f.blocks = append(f.blocks, docxBlock{kind: "table", table: t})
		}
	case "sdt":
		d.sdt(func() { w.each(func(c xml.StartElement) { d.block(c, f) }) })
	case "customXml", "ins", "moveTo":
		w.each(func(c xml.StartElement) { d.block(c, f) })
	case "del", "moveFrom":
		d.deletions++
		w.skip()
	case "altChunk":
		d.objects++
		w.skip()
	default:
		w.skip() // sectPr, bookmarks, proofing marks...
	}
}

// sdt reads a content control: its content, unless it is a table of
// contents (links to the document's own pages, useless in a feed).
func (d *docxDoc) sdt(content func()) {
	toc := false
	d.w.each(func(c xml.StartElement) {
		switch {
		case isW(c.Name) && c.Name.Local == "sdtPr":
			for depth := 1; depth > 0; {
				tok, ok := d.w.next()
				if !ok {
					return
				}
				switch t := tok.(type) {
				case xml.StartElement:
					depth++
					if t.Name.Local == "docPartGallery" && strings.Contains(strings.ToLower(wAttr(t, "val")), "table of contents") {
						toc = true
					}
				case xml.EndElement:
					depth--
				}
			}
		case isW(c.Name) && c.Name.Local == "sdtContent" && !toc:
			content()
		default:
			d.w.skip()
		}
	})
}

// paragraph reads a w:p just opened: its properties and its pieces.
func (d *docxDoc) paragraph() (docxPPr, []docxPiece) {
	ppr := docxPPr{bidi: -1, outline: -1}
	saved := d.cur
	d.cur = nil
	d.w.each(func(se xml.StartElement) {
		if isW(se.Name) && se.Name.Local == "pPr" {
			ppr = readPPr(d.w)
			return
		}
		d.inline(se, "", 0)
	})
	pieces := d.cur
	d.cur = saved
	return ppr, pieces
}

// inline reads an element of a paragraph's content. Tracked insertions are
// kept and deletions dropped: the changes are accepted.
func (d *docxDoc) inline(se xml.StartElement, href string, link int) {
	w := d.w
	if d.foreign(se) {
		return
	}
	switch se.Name.Local {
	case "r":
		d.run(href, link)
	case "hyperlink":
		if u := d.hyperlink(se); u != "" {
			d.links++
			href, link = u, d.links
		}
		w.each(func(c xml.StartElement) { d.inline(c, href, link) })
	case "fldSimple":
		if u := safeLink(fieldLink(wAttr(se, "instr"))); u != "" {
			d.links++
			href, link = u, d.links
		}
		w.each(func(c xml.StartElement) { d.inline(c, href, link) })
	case "ins", "moveTo":
		d.insertions++
		w.each(func(c xml.StartElement) { d.inline(c, href, link) })
	case "del", "moveFrom":
		d.deletions++
		w.skip()
	case "smartTag", "customXml", "dir", "bdo":
		w.each(func(c xml.StartElement) { d.inline(c, href, link) })
	case "sdt":
		d.sdt(func() { w.each(func(c xml.StartElement) { d.inline(c, href, link) }) })
	default:
		w.skip() // comment ranges, bookmarks, proofing marks...
	}
}

// hyperlink returns the address of a w:hyperlink: an external
// relationship with an http, https or mailto address. Links to places in
// the document (w:anchor) have none.
func (d *docxDoc) hyperlink(se xml.StartElement) string {
	rel, ok := d.rels[relID(se)]
	if !ok || !rel.external {
		return ""
	}
	return safeLink(rel.target)
}

// safeLink returns an absolute http, https or mailto address, or "".
func safeLink(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > MaxURL {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		if u.Host == "" {
			return ""
		}
	case "mailto":
		if u.Opaque == "" {
			return ""
		}
	default:
		return ""
	}
	return s
}

// fieldLink returns the address of a HYPERLINK field instruction
// (HYPERLINK "https://..." \o "tip"), or "" for other fields and links to
// bookmarks (\l).
func fieldLink(instr string) string {
	args := fieldArgs(instr)
	if len(args) < 2 || !strings.EqualFold(args[0], "HYPERLINK") {
		return ""
	}
	for i := 1; i < len(args); i++ {
		switch strings.ToLower(args[i]) {
		case `\l`:
			return ""
		case `\o`, `\t`:
			i++ // the switch's argument
		case `\m`, `\n`:
		default:
			return args[i]
		}
	}
	return ""
}

// fieldArgs splits a field instruction into words, a quoted string being
// one word.
func fieldArgs(s string) []string {
	var out []string
	for s = strings.TrimSpace(s); s != "" && len(out) < 16; s = strings.TrimSpace(s) {
		if s[0] == '"' {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				out = append(out, s[1:])
				break
			}
			out = append(out, s[1:end+1])
			s = s[end+2:]
			continue
		}
		end := strings.IndexFunc(s, unicode.IsSpace)
		if end < 0 {
			end = len(s)
		}
		out = append(out, s[:end])
		s = s[end:]
	}
	return out
}

// run reads a w:r just opened.
func (d *docxDoc) run(href string, link int) {
	w := d.w
	rp := docxRPr{b: -1, i: -1, bCs: -1, iCs: -1, vanish: -1}
	w.each(func(se xml.StartElement) {
		if d.foreign(se) {
			return
		}
		switch se.Name.Local {
		case "rPr":
			rp = readRPr(w)
			return
		case "t":
			d.text(w.text(), false, rp, href, link)
			return
		case "instrText":
			d.instr(w.text())
			return
		case "tab", "ptab":
			d.text(" ", false, rp, href, link)
		case "br":
			if t := wAttr(se, "type"); t == "" || t == "textWrapping" {
				d.text("", true, rp, href, link)
			}
		case "cr":
			d.text("", true, rp, href, link)
		case "noBreakHyphen":
			d.text("\u2011", false, rp, href, link)
		case "drawing", "pict":
			d.images++
		case "object":
			d.objects++
		case "footnoteReference", "endnoteReference":
			d.footnotes++
		case "commentReference":
			d.comments++
		case "fldChar":
			d.fieldChar(wAttr(se, "fldCharType"))
		}
		// delText (deleted text), sym, softHyphen, annotationRef,
		// lastRenderedPageBreak...: nothing to show.
		w.skip()
	})
}

func (d *docxDoc) fieldChar(typ string) {
	switch typ {
	case "begin":
		if len(d.fields) < maxFields {
			d.fields = append(d.fields, docxField{})
		} else {
			d.deeper++
		}
	case "separate":
		if n := len(d.fields); n > 0 && d.deeper == 0 {
			f := &d.fields[n-1]
			f.result = true
			if u := safeLink(fieldLink(f.instr)); u != "" {
				d.links++
				f.href, f.link = u, d.links
			}
		}
	case "end":
		switch {
		case d.deeper > 0:
			d.deeper--
		case len(d.fields) > 0:
			d.fields = d.fields[:len(d.fields)-1]
		}
	}
}

func (d *docxDoc) instr(s string) {
	if n := len(d.fields); n > 0 && d.deeper == 0 && !d.fields[n-1].result && len(d.fields[n-1].instr) < 2048 {
		d.fields[n-1].instr += s
	}
}

// text adds a run's text (or a line break) to the paragraph being read.
func (d *docxDoc) text(s string, br bool, rp docxRPr, href string, link int) {
	if s == "" && !br {
		return
	}
	// A field shows its result, never its instruction; a HYPERLINK field
	// makes its result a link.
	if d.deeper > 0 {
		return
	}
	for i := len(d.fields) - 1; i >= 0; i-- {
		f := d.fields[i]
		if !f.result {
			return
		}
		if f.href != "" && link <= 0 {
			href, link = f.href, f.link
		}
	}
	script := runScript(s)
	f, hidden := d.format(rp, rp.cs || script == 2)
	if hidden {
		return
	}
	if s != "" {
		tag := rp.lang[script]
		if tag == "" {
			tag = d.styles.lang[script]
		}
		if _, known := d.langs[tag]; tag != "" && (known || len(d.langs) < 64) {
			d.langs[tag] += utf8.RuneCountInString(s)
		}
	}
	// The HTML this adds, roughly: the text, its tags when they change,
	// the address of a link where it starts. A 2 KB address used by a
	// thousand links costs 2 MB.
	d.size += len(s) + 4
	if n := len(d.cur); n == 0 || d.cur[n-1].f != f || d.cur[n-1].link != link {
		d.size += 24
		if href != "" {
			d.size += len(href)
		}
	}
	if d.size > d.budget {
		d.w.err = docxFail("body", "the document would render to more than %s of HTML (links repeating long addresses, or text a small file inflates to): at most %s may come from a %s file",
			humanBytes(int64(d.budget)), humanBytes(int64(d.budget)), humanBytes(int64(d.fileSize)))
		return
	}
	d.cur = append(d.cur, docxPiece{text: s, br: br, f: f, href: href, link: link})
}

// runScript classifies text by the language attribute Word reads for it:
// 0 Latin (w:val), 1 East Asian (w:eastAsia), 2 complex scripts such as
// Arabic (w:bidi).
func runScript(s string) int {
	script := 0
	for _, r := range s {
		switch {
		case r < 0x590:
		case rtlRune(r):
			return 2
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
			script = 1
		}
	}
	return script
}

// format resolves a run's format from its own properties and its
// character style. Bold and italic of right-to-left runs are also their
// complex-script properties (w:bCs, w:iCs), which Word sets with them.
func (d *docxDoc) format(rp docxRPr, cs bool) (docxFmt, bool) {
	get := func(direct int8, pick func(*docxStyle) int8) bool {
		if direct >= 0 {
			return direct == 1
		}
		v := int8(-1)
		d.styles.chain(rp.style, func(st *docxStyle) bool {
			v = pick(st)
			return v < 0
		})
		return v == 1
	}
	if get(rp.vanish, func(st *docxStyle) int8 { return st.vanish }) {
		return docxFmt{}, true
	}
	return docxFmt{
		b:   get(rp.b, func(st *docxStyle) int8 { return st.b }) || cs && get(rp.bCs, func(st *docxStyle) int8 { return st.bCs }),
		i:   get(rp.i, func(st *docxStyle) int8 { return st.i }) || cs && get(rp.iCs, func(st *docxStyle) int8 { return st.iCs }),
		u:   rp.u,
		s:   rp.strike,
		sup: rp.vert == "superscript",
		sub: rp.vert == "subscript",
	}, false
}

var reHeadingStyle = lazyRE(`^(?:heading|titre|titel|berschrift|überschrift|título|titulo|titolo|kop|nagłówek|rubrik|overskrift|otsikko|заголовок|عنوان|כותרת)([1-9])$`)

// styleClass says what a style name makes. Word writes the English names
// of its built-in styles ("heading 1", "Title") whatever the language of
// its menus, under localised ids ("Titre1", "berschrift1", "1"); other
// tools write localised names ("Titre 1", "عنوان 1"): both are known.
func styleClass(name string) docxClass {
	n := strings.ToLower(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '_' || r == '-' {
			return -1
		}
		return r
	}, name))
	switch n {
	case "title", "titre", "titel", "título", "titulo", "titolo", "العنوان", "כותרת":
		return docxClass{kind: "title", level: 1}
	case "subtitle", "soustitre", "untertitel", "subtítulo", "subtitulo", "sottotitolo", "العنوانالفرعي", "подзаголовок":
		return docxClass{kind: "subtitle"}
	case "quote", "intensequote", "citation", "citationintense", "zitat", "intensiveszitat", "cita", "citadestacada",
		"citazione", "اقتباس", "اقتباسمكثف", "blocktext":
		return docxClass{kind: "quote"}
	case "tocheading":
		return docxClass{kind: "toc"}
	}
	if m := reHeadingStyle.FindStringSubmatch(n); m != nil {
		return docxClass{kind: "h", level: int(m[1][0] - '0')}
	}
	if len(n) == 4 && strings.HasPrefix(n, "toc") && n[3] >= '1' && n[3] <= '9' {
		return docxClass{kind: "toc"} // "toc 1": entries of a table of contents
	}
	return docxClass{}
}

// classify says what a paragraph style makes: the first style of its
// basedOn chain whose name is known, or that sets an outline level.
func (d *docxDoc) classify(id string) docxClass {
	if c, ok := d.classes[id]; ok {
		return c
	}
	var c docxClass
	d.styles.chain(id, func(st *docxStyle) bool {
		name := st.name
		if name == "" {
			name = st.id
		}
		if c = styleClass(name); c.kind != "" {
			return false
		}
		if st.outline >= 0 && st.outline < 9 {
			c = docxClass{kind: "h", level: st.outline + 1}
			return false
		}
		return true
	})
	if c.kind == "" && d.styles.byID[id] == nil {
		c = styleClass(id) // a style the document uses but does not define
	}
	if len(d.classes) < 1024 {
		d.classes[id] = c
	}
	return c
}

// makeBlock turns a paragraph into a block; ok is false for a paragraph
// with nothing to show.
func (d *docxDoc) makeBlock(ppr docxPPr, pieces []docxPiece) (docxBlock, bool) {
	style := ppr.style
	if style == "" {
		style = d.styles.defaultPara
	}
	c := d.classify(style)
	if c.kind == "" && ppr.outline >= 0 && ppr.outline < 9 {
		c = docxClass{kind: "h", level: ppr.outline + 1}
	}
	if c.kind == "toc" {
		return docxBlock{}, false
	}
	b := docxBlock{kind: c.kind, level: c.level}
	if b.kind == "" {
		b.kind = "p"
	}
	bidi := ppr.bidi
	numID, ilvl := ppr.numID, ppr.ilvl
	d.styles.chain(style, func(st *docxStyle) bool {
		if bidi < 0 {
			bidi = st.bidi
		}
		if numID == "" && st.hasNum && st.numID != "" {
			numID = st.numID
			if !ppr.hasNum {
				ilvl = min(max(st.ilvl, 0), 8)
			}
		}
		return bidi < 0 || numID == ""
	})
	if bidi < 0 {
		bidi = d.styles.bidi
	}
	if bidi == 1 {
		b.dir = "rtl"
	}
	if b.kind == "p" || b.kind == "quote" {
		if lvl, ok := d.num.level(d.styles, numID, ilvl); ok {
			b.kind, b.level = "li", ilvl
			b.list = docxList{numID: numID, ordered: lvl.format != "bullet", value: d.count(numID, ilvl, lvl.start)}
		}
	}
	for len(pieces) > 0 && pieces[0].br {
		pieces = pieces[1:]
	}
	for len(pieces) > 0 && pieces[len(pieces)-1].br {
		pieces = pieces[:len(pieces)-1]
	}
	var t strings.Builder
	for _, p := range pieces {
		if p.br {
			t.WriteByte(' ')
		}
		t.WriteString(p.text)
	}
	b.text = cleanLine(t.String())
	if b.text == "" {
		return docxBlock{}, false
	}
	d.size += 16 // the block's tags
	b.pieces = pieces
	return b, true
}

// count numbers a list item as Word does: each level counts from its
// start, and an item resets the levels below it.
func (d *docxDoc) count(numID string, ilvl, start int) int {
	c := d.counts[numID]
	if c == nil {
		c = new([9]int)
		d.counts[numID] = c
	}
	c[ilvl]++
	for j := ilvl + 1; j < len(c); j++ {
		c[j] = 0
	}
	return start + c[ilvl] - 1
}

// table reads a w:tbl just opened. Rows deleted by a tracked change are
// left out (the change is accepted).
func (d *docxDoc) table() *docxTable {
	t := &docxTable{}
	var rows func()
	rows = func() {
		d.w.each(func(se xml.StartElement) {
			if !isW(se.Name) {
				d.w.skip()
				return
			}
			switch se.Name.Local {
			case "tblPr":
				d.w.each(func(c xml.StartElement) {
					if isW(c.Name) && c.Name.Local == "bidiVisual" {
						t.rtl = onOff(c) == 1
					}
					d.w.skip()
				})
			case "tr":
				if row, ok := d.row(); ok && len(row.cells) > 0 {
					t.rows = append(t.rows, row)
				}
			case "sdt":
				d.sdt(rows)
			case "customXml":
				rows()
			default:
				d.w.skip()
			}
		})
	}
	rows()
	return t
}

// maxSpan bounds a cell's column span.
const maxSpan = 100

func (d *docxDoc) row() (docxRow, bool) {
	var row docxRow
	deleted := false
	var cells func()
	cells = func() {
		d.w.each(func(se xml.StartElement) {
			if !isW(se.Name) {
				d.w.skip()
				return
			}
			switch se.Name.Local {
			case "trPr":
				d.w.each(func(c xml.StartElement) {
					if isW(c.Name) {
						switch c.Name.Local {
						case "tblHeader":
							row.header = onOff(c) == 1
						case "del":
							deleted = true
						case "gridBefore":
							row.before = min(max(wInt(c, 0), 0), maxSpan)
						}
					}
					d.w.skip()
				})
			case "tc":
				row.cells = append(row.cells, d.cell())
			case "sdt":
				d.sdt(cells)
			case "customXml":
				cells()
			default:
				d.w.skip()
			}
		})
	}
	cells()
	if deleted {
		d.deletions++
		return row, false
	}
	return row, true
}

func (d *docxDoc) cell() *docxCell {
	c := &docxCell{span: 1, rowspan: 1}
	c.blocks = d.container(func(se xml.StartElement) bool {
		if !isW(se.Name) || se.Name.Local != "tcPr" {
			return false
		}
		d.w.each(func(p xml.StartElement) {
			if isW(p.Name) {
				switch p.Name.Local {
				case "gridSpan":
					c.span = min(max(wInt(p, 1), 1), maxSpan)
				case "vMerge":
					if c.merge = wAttr(p, "val"); c.merge == "" {
						c.merge = "continue"
					}
				}
			}
			d.w.skip()
		})
		return true
	})
	return c
}

// mergeRows turns vertical merges into row spans: a cell that continues
// the one above is left out and the one above spans one more row.
func (t *docxTable) mergeRows() {
	open := map[int]*docxCell{} // by grid column: the cell a merge started in
	for _, row := range t.rows {
		col := row.before
		for _, c := range row.cells {
			switch o := open[col]; {
			case c.merge == "continue" && o != nil && o.span == c.span:
				o.rowspan++
				c.omit = true
			default:
				for k := col; k < col+c.span; k++ {
					delete(open, k)
				}
				if c.merge == "restart" {
					open[col] = c
				}
			}
			col += c.span
		}
	}
}

// language picks the article's language: detected from the text, with
// the region of a matching tag the document carries; else the tag most of
// the text carries.
func (d *docxDoc) language(title string, blocks []docxBlock) string {
	var sample strings.Builder
	sample.WriteString(title)
	var add func([]docxBlock)
	add = func(bs []docxBlock) {
		for _, b := range bs {
			if sample.Len() > detectSample*3 {
				return
			}
			sample.WriteString("\n")
			sample.WriteString(b.text)
			if b.table != nil {
				for _, row := range b.table.rows {
					for _, c := range row.cells {
						add(c.blocks)
					}
				}
			}
		}
	}
	add(blocks)
	tagged, best := map[string]int{}, ""
	for tag, n := range d.langs {
		c, ok := canonicalLang(tag)
		if !ok || c == "zxx" || c == "und" {
			continue
		}
		tagged[c] += n
	}
	for c, n := range tagged {
		if best == "" || n > tagged[best] || n == tagged[best] && c < best {
			best = c
		}
	}
	detected := detectLanguage(sample.String())
	if detected == "" {
		return best
	}
	region := ""
	for c, n := range tagged {
		base, _, _ := strings.Cut(c, "-")
		if base == detected && c != detected && (region == "" || n > tagged[region] || n == tagged[region] && c < region) {
			region = c
		}
	}
	if region != "" {
		return region
	}
	return detected
}

// markLTR gives a left-to-right paragraph of a right-to-left article (an
// English quotation in an Arabic article) its direction, when the
// document does not give it one.
func markLTR(blocks []docxBlock) {
	for i := range blocks {
		b := &blocks[i]
		if b.table != nil {
			for _, row := range b.table.rows {
				for _, c := range row.cells {
					markLTR(c.blocks)
				}
			}
			continue
		}
		if b.dir == "" && firstStrong(b.text) == "ltr" {
			b.dir = "ltr"
		}
	}
}

// notes say what the document held that the article leaves out.
func (d *docxDoc) notes() []string {
	var out []string
	var changes []string
	if d.insertions > 0 {
		changes = append(changes, plural(d.insertions, "insertion")+" kept")
	}
	if d.deletions > 0 {
		changes = append(changes, plural(d.deletions, "deletion")+" left out")
	}
	if len(changes) > 0 {
		out = append(out, "tracked changes accepted: "+strings.Join(changes, ", "))
	}
	if d.comments > 0 {
		out = append(out, fmt.Sprintf("left out %s: comments are never published", plural(d.comments, "comment")))
	}
	if d.footnotes > 0 {
		out = append(out, fmt.Sprintf("left out %s: write what matters into the text", plural(d.footnotes, "footnote or endnote")))
	}
	if d.images > 0 {
		out = append(out, fmt.Sprintf("left out %s: a feed cannot carry the document's own images (put them on the site and link them)", plural(d.images, "picture or drawing")))
	}
	if d.objects > 0 {
		out = append(out, fmt.Sprintf("left out %s", plural(d.objects, "embedded object or equation")))
	}
	return out
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	if strings.HasSuffix(what, " or endnote") || strings.HasSuffix(what, " or drawing") || strings.HasSuffix(what, " or equation") {
		head, tail, _ := strings.Cut(what, " or ")
		return fmt.Sprintf("%d %ss or %ss", n, head, tail)
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// renderBlocks writes blocks as HTML: paragraphs, headings, quotations,
// lists (runs of list items, nested by level) and tables.
func renderBlocks(b *strings.Builder, blocks []docxBlock) {
	for i := 0; i < len(blocks); {
		bl := blocks[i]
		switch bl.kind {
		case "li":
			j := i
			for j < len(blocks) && blocks[j].kind == "li" {
				j++
			}
			renderList(b, blocks[i:j])
			i = j
			continue
		case "quote":
			j := i
			for j < len(blocks) && blocks[j].kind == "quote" {
				j++
			}
			b.WriteString("<blockquote>\n")
			for _, q := range blocks[i:j] {
				writeBlock(b, "p", q, false)
			}
			b.WriteString("</blockquote>\n")
			i = j
			continue
		case "h":
			writeBlock(b, "h"+strconv.Itoa(min(bl.level, 6)), bl, true)
		case "title":
			writeBlock(b, "h1", bl, true)
		case "table":
			renderTable(b, bl.table)
		default:
			writeBlock(b, "p", bl, false)
		}
		i++
	}
}

func writeBlock(b *strings.Builder, tag string, bl docxBlock, heading bool) {
	b.WriteString("<" + tag + dirAttr(bl.dir) + ">")
	writeInline(b, bl.pieces, heading)
	b.WriteString("</" + tag + ">\n")
}

func dirAttr(dir string) string {
	if dir == "" {
		return ""
	}
	return ` dir="` + dir + `"`
}

// renderList writes consecutive list items as nested lists: a deeper
// item opens a list inside the item before it, an item of another list at
// the same level closes the list and opens its own.
func renderList(b *strings.Builder, items []docxBlock) {
	type open struct {
		level   int
		numID   string
		ordered bool
	}
	var stack []open
	tag := func(o open) string {
		if o.ordered {
			return "ol"
		}
		return "ul"
	}
	for _, it := range items {
		for len(stack) > 0 && stack[len(stack)-1].level > it.level {
			b.WriteString("</li></" + tag(stack[len(stack)-1]) + ">\n")
			stack = stack[:len(stack)-1]
		}
		if n := len(stack); n > 0 && stack[n-1].level == it.level && (stack[n-1].numID != it.list.numID || stack[n-1].ordered != it.list.ordered) {
			b.WriteString("</li></" + tag(stack[n-1]) + ">\n")
			stack = stack[:n-1]
		}
		if n := len(stack); n > 0 && stack[n-1].level == it.level {
			b.WriteString("</li>\n")
		} else {
			o := open{level: it.level, numID: it.list.numID, ordered: it.list.ordered}
			b.WriteString("<" + tag(o))
			if o.ordered && it.list.value != 1 {
				b.WriteString(` start="` + strconv.Itoa(it.list.value) + `"`)
			}
			b.WriteString(dirAttr(it.dir) + ">\n")
			stack = append(stack, o)
		}
		b.WriteString("<li" + dirAttr(it.dir) + ">")
		writeInline(b, it.pieces, false)
	}
	for len(stack) > 0 {
		b.WriteString("</li></" + tag(stack[len(stack)-1]) + ">\n")
		stack = stack[:len(stack)-1]
	}
}

// renderTable writes a table; its leading header rows (repeated on each
// page in Word) become its head.
func renderTable(b *strings.Builder, t *docxTable) {
	t.mergeRows()
	dir := ""
	if t.rtl {
		dir = "rtl"
	}
	b.WriteString("<table" + dirAttr(dir) + ">\n")
	head := 0
	for head < len(t.rows) && t.rows[head].header {
		head++
	}
	if head == len(t.rows) {
		head = 0 // a table of header rows only is a table of cells
	}
	for i, row := range t.rows {
		switch i {
		case 0:
			if head > 0 {
				b.WriteString("<thead>\n")
			} else {
				b.WriteString("<tbody>\n")
			}
		case head:
			b.WriteString("</thead>\n<tbody>\n")
		}
		cell := "td"
		if i < head {
			cell = "th"
		}
		b.WriteString("<tr>")
		for _, c := range row.cells {
			if c.omit {
				continue
			}
			b.WriteString("<" + cell)
			if c.span > 1 {
				b.WriteString(` colspan="` + strconv.Itoa(c.span) + `"`)
			}
			if c.rowspan > 1 {
				b.WriteString(` rowspan="` + strconv.Itoa(c.rowspan) + `"`)
			}
			if len(c.blocks) == 1 && c.blocks[0].kind == "p" {
				// One paragraph: its text is the cell's.
				b.WriteString(dirAttr(c.blocks[0].dir) + ">")
				writeInline(b, c.blocks[0].pieces, false)
			} else {
				b.WriteString(">")
				renderBlocks(b, c.blocks)
			}
			b.WriteString("</" + cell + ">")
		}
		b.WriteString("</tr>\n")
	}
	if len(t.rows) > 0 {
		if head > 0 && head == len(t.rows) {
			b.WriteString("</thead>\n")
		} else {
			b.WriteString("</tbody>\n")
		}
	}
	b.WriteString("</table>\n")
}

// writeInline writes a paragraph's pieces, opening and closing format
// tags only where the format changes. Tags nest in one order (link,
// strong, em, u, s, sup, sub), so a change closes the tags inside the
// first that differs and opens the new ones. Headings drop bold (they are
// bold already); links drop underlining.
func writeInline(b *strings.Builder, pieces []docxPiece, heading bool) {
	type tag struct {
		name string
		link int
	}
	var open, want []tag
	for _, p := range pieces {
		want = want[:0]
		if p.href != "" {
			want = append(want, tag{"a", p.link})
		}
		if p.f.b && !heading {
			want = append(want, tag{"strong", 0})
		}
		if p.f.i {
			want = append(want, tag{"em", 0})
		}
		if p.f.u && p.href == "" {
			want = append(want, tag{"u", 0})
		}
		if p.f.s {
			want = append(want, tag{"s", 0})
		}
		if p.f.sup {
			want = append(want, tag{"sup", 0})
		} else if p.f.sub {
			want = append(want, tag{"sub", 0})
		}
		k := 0
		for k < len(open) && k < len(want) && open[k] == want[k] {
			k++
		}
		for j := len(open) - 1; j >= k; j-- {
			b.WriteString("</" + open[j].name + ">")
		}
		for _, t := range want[k:] {
			if t.name == "a" {
				b.WriteString(`<a href="` + html.EscapeString(p.href) + `">`)
			} else {
				b.WriteString("<" + t.name + ">")
			}
		}
		open = append(open[:0], want...)
		if p.br {
			b.WriteString("<br>")
		} else {
			b.WriteString(html.EscapeString(p.text))
		}
	}
	for j := len(open) - 1; j >= 0; j-- {
		b.WriteString("</" + open[j].name + ">")
	}
}

// laterDay reports whether t falls on a later day than ref in loc.
func laterDay(t, ref time.Time, loc *time.Location) bool {
	ty, tm, td := t.In(loc).Date()
	ry, rm, rd := ref.In(loc).Date()
	return time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC).After(time.Date(ry, rm, rd, 0, 0, 0, 0, time.UTC))
}
