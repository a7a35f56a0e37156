package article

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// The .docx fixtures in testdata are built here from WordprocessingML
// written the way Word writes it (its namespaces, style ids in French and
// Arabic Word, rsid noise, mc:AlternateContent, tracked changes, comments,
// fields). TestGolden -update writes them before the goldens;
// TestDocxFixtures checks the committed files still hold what this code
// builds.

// docxPart is one file of a .docx archive.
type docxPart struct {
	name, body string
}

// zipParts writes parts as a zip archive the way Word does (deflated, in
// order), with a fixed time so the bytes are reproducible.
func zipParts(parts []docxPart) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			panic(err)
		}
		io.WriteString(w, p.body)
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// BuildDocx is for the hostile files test (package article_test).
var BuildDocx = func(body string) []byte { return docxSpec{body: body}.build() }

// BuildDocxParts is for the hostile files test: a zip of the given parts.
var BuildDocxParts = func(names, bodies []string) []byte {
	parts := make([]docxPart, len(names))
	for i := range names {
		parts[i] = docxPart{names[i], bodies[i]}
	}
	return zipParts(parts)
}

const wordNS = `xmlns:wpc="http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas" ` +
	`xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:o="urn:schemas-microsoft-com:office:office" ` +
	`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ` +
	`xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" xmlns:v="urn:schemas-microsoft-com:vml" ` +
	`xmlns:wp14="http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing" ` +
	`xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:w10="urn:schemas-microsoft-com:office:word" ` +
	`xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" ` +
	`xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml" xmlns:wpg="http://schemas.microsoft.com/office/word/2010/wordprocessingGroup" ` +
	`xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" mc:Ignorable="w14 w15 wp14"`

const xmlDecl = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n"

// docxSpec describes a document; build turns it into a .docx.
type docxSpec struct {
	body      string            // the content of w:body, before the section properties
	styles    string            // the content of w:styles ("" for no styles part)
	numbering string            // the content of w:numbering ("" for none)
	comments  string            // the content of w:comments ("" for none)
	footnotes string            // the content of w:footnotes ("" for none)
	core      string            // the content of cp:coreProperties ("" for no core part)
	links     map[string]string // relationship id -> external address
	image     bool              // word/media/image1.png, relationship rIdImg1
	bare      bool              // no relationships for the document (a minimal generator's file)
}

func (s docxSpec) build() []byte {
	types := `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>`
	if s.image {
		types += `<Default Extension="png" ContentType="image/png"/>`
	}
	types += `<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>`
	docRels := ""
	add := func(id, typ, target, ctype, part string) {
		docRels += `<Relationship Id="` + id + `" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/` + typ + `" Target="` + target + `"/>`
		if ctype != "" {
			types += `<Override PartName="` + part + `" ContentType="` + ctype + `"/>`
		}
	}
	parts := []docxPart{{"[Content_Types].xml", ""}}
	pkgRels := `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>`
	if s.core != "" {
		pkgRels = `<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` + pkgRels
		types += `<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
			`<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>`
	}
	parts = append(parts, docxPart{"_rels/.rels", xmlDecl + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + pkgRels + `</Relationships>`})
	parts = append(parts, docxPart{"word/document.xml", xmlDecl + `<w:document ` + wordNS + `><w:body>` + s.body +
		`<w:sectPr w:rsidR="00A15C2E"><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1417" w:right="1417" w:bottom="1417" w:left="1417" w:header="708" w:footer="708" w:gutter="0"/><w:cols w:space="708"/><w:docGrid w:linePitch="360"/></w:sectPr></w:body></w:document>`})
	if !s.bare {
		if s.numbering != "" {
			add("rId1", "numbering", "numbering.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml", "/word/numbering.xml")
			parts = append(parts, docxPart{"word/numbering.xml", xmlDecl + `<w:numbering ` + wordNS + `>` + s.numbering + `</w:numbering>`})
		}
		if s.styles != "" {
			add("rId2", "styles", "styles.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml", "/word/styles.xml")
			parts = append(parts, docxPart{"word/styles.xml", xmlDecl + `<w:styles ` + wordNS + `>` + s.styles + `</w:styles>`})
		}
		add("rId3", "settings", "settings.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml", "/word/settings.xml")
		parts = append(parts, docxPart{"word/settings.xml", xmlDecl + `<w:settings ` + wordNS + `><w:zoom w:percent="100"/><w:defaultTabStop w:val="708"/><w:characterSpacingControl w:val="doNotCompress"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>`})
		if s.footnotes != "" {
			add("rId4", "footnotes", "footnotes.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml", "/word/footnotes.xml")
			parts = append(parts, docxPart{"word/footnotes.xml", xmlDecl + `<w:footnotes ` + wordNS + `>` + s.footnotes + `</w:footnotes>`})
		}
		if s.comments != "" {
			add("rId5", "comments", "comments.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml", "/word/comments.xml")
			parts = append(parts, docxPart{"word/comments.xml", xmlDecl + `<w:comments ` + wordNS + `>` + s.comments + `</w:comments>`})
		}
		if s.image {
			add("rIdImg1", "image", "media/image1.png", "", "")
			parts = append(parts, docxPart{"word/media/image1.png", tinyPNG})
		}
		ids := make([]string, 0, len(s.links))
		for id := range s.links {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			var b strings.Builder
			xml.EscapeText(&b, []byte(s.links[id]))
			docRels += `<Relationship Id="` + id + `" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="` + b.String() + `" TargetMode="External"/>`
		}
		parts = append(parts, docxPart{"word/_rels/document.xml.rels", xmlDecl + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + docRels + `</Relationships>`})
	}
	if s.core != "" {
		parts = append(parts, docxPart{"docProps/core.xml", xmlDecl + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` + s.core + `</cp:coreProperties>`})
		parts = append(parts, docxPart{"docProps/app.xml", xmlDecl + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Template>Normal.dotm</Template><TotalTime>42</TotalTime><Pages>1</Pages><Application>Microsoft Office Word</Application><DocSecurity>0</DocSecurity><AppVersion>16.0000</AppVersion></Properties>`})
	}
	parts[0].body = xmlDecl + types + `</Types>`
	return zipParts(parts)
}

// tinyPNG is a 1x1 transparent PNG.
const tinyPNG = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"

// esc escapes text for XML.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// para is a paragraph as Word writes it: rsid attributes, properties, runs.
func para(ppr string, runs ...string) string {
	p := `<w:p w14:paraId="1C2D3E4F" w14:textId="77777777" w:rsidR="00A15C2E" w:rsidRDefault="00A15C2E" w:rsidP="00B31D40">`
	if ppr != "" {
		p += `<w:pPr>` + ppr + `</w:pPr>`
	}
	return p + strings.Join(runs, "") + `</w:p>`
}

// run is a run of text with properties.
func run(rpr, text string) string {
	r := `<w:r w:rsidRPr="00C52A11">`
	if rpr != "" {
		r += `<w:rPr>` + rpr + `</w:rPr>`
	}
	return r + `<w:t xml:space="preserve">` + esc(text) + `</w:t></w:r>`
}

// core is the content of docProps/core.xml.
func core(title, creator, keywords, category, created, modified string) string {
	s := ""
	if title != "" {
		s += `<dc:title>` + esc(title) + `</dc:title>`
	}
	s += `<dc:subject></dc:subject><dc:creator>` + esc(creator) + `</dc:creator>`
	if keywords != "" {
		s += `<cp:keywords>` + esc(keywords) + `</cp:keywords>`
	}
	s += `<dc:description></dc:description><cp:lastModifiedBy>` + esc(creator) + `</cp:lastModifiedBy><cp:revision>3</cp:revision>`
	if created != "" {
		s += `<dcterms:created xsi:type="dcterms:W3CDTF">` + created + `</dcterms:created>`
	}
	if modified != "" {
		s += `<dcterms:modified xsi:type="dcterms:W3CDTF">` + modified + `</dcterms:modified>`
	}
	if category != "" {
		s += `<cp:category>` + esc(category) + `</cp:category>`
	}
	return s
}

// styleDefs are the styles.xml definitions the fixtures share: defaults
// with the given languages and paragraph direction, then the styles.
func styleDefs(lang, bidi string, styles ...string) string {
	ppr := `<w:spacing w:after="160" w:line="259" w:lineRule="auto"/>`
	if bidi != "" {
		ppr = `<w:bidi/>` + ppr
	}
	return `<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:asciiTheme="minorHAnsi" w:eastAsiaTheme="minorHAnsi" w:hAnsiTheme="minorHAnsi" w:cstheme="minorBidi"/>` +
		`<w:kern w:val="2"/><w:sz w:val="22"/><w:szCs w:val="22"/>` + lang + `</w:rPr></w:rPrDefault>` +
		`<w:pPrDefault><w:pPr>` + ppr + `</w:pPr></w:pPrDefault></w:docDefaults>` +
		`<w:latentStyles w:defLockedState="0" w:defUIPriority="99" w:defSemiHidden="0" w:defUnhideWhenUsed="0" w:defQFormat="0" w:count="376">` +
		`<w:lsdException w:name="Normal" w:uiPriority="0" w:qFormat="1"/><w:lsdException w:name="heading 1" w:uiPriority="9" w:qFormat="1"/>` +
		`<w:lsdException w:name="Title" w:uiPriority="10" w:qFormat="1"/></w:latentStyles>` + strings.Join(styles, "")
}

// style is one w:style.
func style(typ, id, name, basedOn, ppr, rpr string, extra ...string) string {
	s := `<w:style w:type="` + typ + `"`
	if id == "Normal" || id == "a" || strings.HasPrefix(extra0(extra), "default") {
		s += ` w:default="1"`
	}
	s += ` w:styleId="` + id + `"><w:name w:val="` + esc(name) + `"/>`
	if basedOn != "" {
		s += `<w:basedOn w:val="` + basedOn + `"/>`
	}
	if basedOn != "" {
		s += `<w:next w:val="` + basedOn + `"/>`
	}
	s += `<w:uiPriority w:val="9"/><w:qFormat/>`
	if ppr != "" {
		s += `<w:pPr>` + ppr + `</w:pPr>`
	}
	if rpr != "" {
		s += `<w:rPr>` + rpr + `</w:rPr>`
	}
	return s + `</w:style>`
}

func extra0(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// abstractNum is a list definition: one numFmt per level.
func abstractNum(id string, formats ...string) string {
	s := `<w:abstractNum w:abstractNumId="` + id + `" w15:restartNumberingAfterBreak="0"><w:nsid w:val="1F2E3D4C"/><w:multiLevelType w:val="hybridMultilevel"/>`
	for i, f := range formats {
		text := "%" + fmt.Sprint(i+1) + "."
		if f == "bullet" {
			text = "•"
		}
		s += fmt.Sprintf(`<w:lvl w:ilvl="%d" w:tplc="040C000F"><w:start w:val="1"/><w:numFmt w:val="%s"/><w:lvlText w:val="%s"/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="%d" w:hanging="360"/></w:pPr></w:lvl>`, i, f, text, 720*(i+1))
	}
	return s + `</w:abstractNum>`
}

func num(id, abstract string) string {
	return `<w:num w:numId="` + id + `" w16cid:durableId="1207" xmlns:w16cid="http://schemas.microsoft.com/office/word/2016/wordml/cid"><w:abstractNumId w:val="` + abstract + `"/></w:num>`
}

// listPara is a list item paragraph in the "List Paragraph" style.
func listPara(styleID, numID string, level int, extraPPr string, runs ...string) string {
	return para(fmt.Sprintf(`<w:pStyle w:val="%s"/><w:numPr><w:ilvl w:val="%d"/><w:numId w:val="%s"/></w:numPr>%s`, styleID, level, numID, extraPPr), runs...)
}

// picture is a run holding an inline picture, as Word writes a pasted image
// (DrawingML in mc:Choice, VML in mc:Fallback when legacy is asked for).
const picture = `<w:r><w:rPr><w:noProof/></w:rPr><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0" wp14:anchorId="5E3B1A2C" wp14:editId="6F4C2B3D">` +
	`<wp:extent cx="5760720" cy="3240405"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:docPr id="1" name="Image 1" descr="Station"/>` +
	`<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" noChangeAspect="1"/></wp:cNvGraphicFramePr>` +
	`<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">` +
	`<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="1" name="station.png"/><pic:cNvPicPr/></pic:nvPicPr>` +
	`<pic:blipFill><a:blip r:embed="rIdImg1"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="5760720" cy="3240405"/></a:xfrm>` +
	`<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>`

// docxFixtures returns every generated fixture, by path under testdata.
func docxFixtures() map[string][]byte {
	out := map[string][]byte{}
	ar := func(extra, text string) string { return run(extra+`<w:rtl/><w:lang w:bidi="ar-MA"/>`, text) }

	// Arabic, as Arabic Word writes it: style ids "a" (Normal), "a3"
	// (Title), "1" and "2" (headings) under the English built-in names;
	// right-to-left paragraphs (w:bidi in Normal), complex-script bold.
	out["articles/docx-ar-bidi.docx"] = docxSpec{
		styles: styleDefs(`<w:lang w:val="en-US" w:eastAsia="en-US" w:bidi="ar-MA"/>`, "",
			style("paragraph", "a", "Normal", "", `<w:bidi/>`, ""),
			style("character", "a0", "Default Paragraph Font", "", "", ""),
			style("paragraph", "a3", "Title", "a", `<w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:contextualSpacing/>`, `<w:rFonts w:asciiTheme="majorHAnsi"/><w:sz w:val="56"/><w:szCs w:val="56"/>`),
			style("paragraph", "1", "heading 1", "a", `<w:keepNext/><w:outlineLvl w:val="0"/>`, `<w:b/><w:bCs/><w:sz w:val="32"/>`),
			style("paragraph", "2", "heading 2", "a", `<w:keepNext/><w:outlineLvl w:val="1"/>`, `<w:b/><w:bCs/><w:sz w:val="26"/>`),
			style("paragraph", "a4", "List Paragraph", "a", `<w:ind w:left="720"/><w:contextualSpacing/>`, ""),
			style("character", "Hyperlink", "Hyperlink", "a0", "", `<w:color w:val="0563C1"/><w:u w:val="single"/>`),
		),
		numbering: abstractNum("0", "bullet", "bullet") + num("1", "0"),
		links:     map[string]string{"rId8": "https://www.example.ma/ar/lgv?utm_source=word&x=1"},
		body: para(`<w:pStyle w:val="a3"/><w:bidi/>`, ar("", "افتتاح الخط الجديد للقطار فائق السرعة بين طنجة والدار البيضاء")) +
			para(`<w:bidi/>`, ar("", "الإثنين 22 فبراير 2021 على الساعة 16:18")) +
			para(`<w:bidi/>`, ar("", "بقلم: كريم الناصري")) +
			para(`<w:bidi/><w:jc w:val="both"/>`, ar("<w:b/><w:bCs/>", "افتتح"), ar("", " اليوم الخط الجديد للقطار فائق السرعة بين طنجة والدار البيضاء، بحضور عدد من المسؤولين والوزراء، في خطوة وصفت بأنها تاريخية لقطاع النقل في المغرب.")) +
			para(`<w:bidi/>`, ar("", "ويختصر الخط مدة الرحلة بين المدينتين من خمس ساعات إلى ساعتين وعشر دقائق، حسب "), ar(`<w:i/><w:iCs/>`, "المكتب الوطني للسكك الحديدية"), ar("", ".")) +
			para(`<w:pStyle w:val="2"/><w:bidi/>`, ar("", "تفاصيل المشروع")) +
			listPara("a4", "1", 0, `<w:bidi/>`, ar("", "طول الخط: 200 كيلومتر")) +
			listPara("a4", "1", 0, `<w:bidi/>`, ar("", "السرعة القصوى: 320 كيلومترا في الساعة")) +
			listPara("a4", "1", 1, `<w:bidi/>`, ar("", "أسرع قطار في إفريقيا")) +
			listPara("a4", "1", 0, `<w:bidi/>`, ar("", "عدد المحطات: أربع")) +
			`<w:tbl><w:tblPr><w:tblStyle w:val="a5"/><w:bidiVisual/><w:tblW w:w="0" w:type="auto"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>` +
			`<w:tblGrid><w:gridCol w:w="3020"/><w:gridCol w:w="3020"/></w:tblGrid>` +
			`<w:tr w:rsidR="00D1"><w:trPr><w:tblHeader/></w:trPr><w:tc><w:tcPr><w:tcW w:w="3020" w:type="dxa"/></w:tcPr>` + para(`<w:bidi/>`, ar("<w:b/><w:bCs/>", "المدينة")) + `</w:tc><w:tc><w:tcPr><w:tcW w:w="3020" w:type="dxa"/></w:tcPr>` + para(`<w:bidi/>`, ar("<w:b/><w:bCs/>", "مدة الرحلة")) + `</w:tc></w:tr>` +
			`<w:tr w:rsidR="00D1"><w:tc>` + para(`<w:bidi/>`, ar("", "القنيطرة")) + `</w:tc><w:tc>` + para(`<w:bidi/>`, ar("", "50 دقيقة")) + `</w:tc></w:tr>` +
			`<w:tr w:rsidR="00D1"><w:tc>` + para(`<w:bidi/>`, ar("", "الرباط")) + `</w:tc><w:tc>` + para(`<w:bidi/>`, ar("", "ساعة و20 دقيقة")) + `</w:tc></w:tr></w:tbl>` +
			para(`<w:bidi w:val="0"/>`, run(`<w:lang w:val="en-GB"/>`, `"This is a milestone for the whole region," the minister told reporters.`)) +
			para(`<w:bidi/>`, ar("", "للمزيد: "), `<w:hyperlink r:id="rId8" w:history="1">`+ar(`<w:rStyle w:val="Hyperlink"/>`, "موقع المكتب الوطني للسكك الحديدية")+`</w:hyperlink>`),
		core: core("", "كريم الناصري", "القطار فائق السرعة؛ طنجة؛ النقل", "اقتصاد", "2021-02-20T10:02:00Z", "2021-02-23T09:00:00Z"),
	}.build()

	// French, as French Word writes it: style ids "Titre", "Titre1",
	// "Sous-titre", "Citation" under the built-in names; a tracked change,
	// a comment, a footnote, nested numbered lists, a picture.
	out["articles/docx-fr-greve.docx"] = docxSpec{
		styles: styleDefs(`<w:lang w:val="fr-FR" w:eastAsia="en-US" w:bidi="ar-SA"/>`, "",
			style("paragraph", "Normal", "Normal", "", "", ""),
			style("character", "Policepardfaut", "Default Paragraph Font", "", "", "", "default"),
			style("paragraph", "Titre", "Title", "Normal", `<w:contextualSpacing/>`, `<w:sz w:val="56"/>`),
			style("paragraph", "Sous-titre", "Subtitle", "Normal", `<w:numPr><w:ilvl w:val="1"/></w:numPr>`, `<w:color w:val="5A5A5A"/>`),
			style("paragraph", "Titre1", "heading 1", "Normal", `<w:keepNext/><w:keepLines/><w:spacing w:before="240"/><w:outlineLvl w:val="0"/>`, `<w:sz w:val="32"/>`),
			style("paragraph", "Titre2", "heading 2", "Normal", `<w:keepNext/><w:outlineLvl w:val="1"/>`, `<w:sz w:val="26"/>`),
			style("paragraph", "Citation", "Quote", "Normal", `<w:spacing w:before="200"/><w:ind w:left="864" w:right="864"/><w:jc w:val="center"/>`, `<w:i/><w:iCs/>`),
			style("paragraph", "Paragraphedeliste", "List Paragraph", "Normal", `<w:ind w:left="720"/><w:contextualSpacing/>`, ""),
			style("character", "Accentuation", "Emphasis", "Policepardfaut", "", `<w:i/><w:iCs/>`),
			style("character", "Lienhypertexte", "Hyperlink", "Policepardfaut", "", `<w:color w:val="0563C1"/><w:u w:val="single"/>`),
			style("character", "Marquedecommentaire", "annotation reference", "Policepardfaut", "", `<w:sz w:val="16"/>`),
			style("character", "Appeldenotedefin", "footnote reference", "Policepardfaut", "", `<w:vertAlign w:val="superscript"/>`),
		),
		numbering: abstractNum("0", "decimal", "lowerLetter", "lowerRoman") + abstractNum("1", "bullet", "bullet") + num("1", "0") + num("2", "1"),
		comments: `<w:comment w:id="0" w:author="Marc Lefèvre" w:date="2021-03-23T09:30:00Z" w:initials="ML">` +
			para(`<w:pStyle w:val="Commentaire"/>`, `<w:r><w:rPr><w:rStyle w:val="Marquedecommentaire"/></w:rPr><w:annotationRef/></w:r>`, run("", "Vérifier le chiffre avec la RATP avant publication.")) + `</w:comment>`,
		footnotes: `<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>` +
			`<w:footnote w:id="1">` + para(`<w:pStyle w:val="Notedebasdepage"/>`, `<w:r><w:rPr><w:rStyle w:val="Appeldenotedefin"/></w:rPr><w:footnoteRef/></w:r>`, run("", " Prévisions publiées mercredi à 17 heures.")) + `</w:footnote>`,
		links: map[string]string{"rId10": "https://www.example.fr/trafic?ligne=1&jour=jeudi", "rId11": "mailto:redaction@example.fr", "rId12": "javascript:alert(1)"},
		image: true,
		body: para(`<w:pStyle w:val="Titre"/>`, run("", "Grève des transports : la RATP prévoit un trafic très perturbé jeudi")) +
			para(`<w:pStyle w:val="Sous-titre"/>`, run("", "Les syndicats appellent à une mobilisation massive contre la réforme des retraites.")) +
			para("", run("", "Par Claire Martin")) +
			para("", run("", "Le trafic sera "),
				`<w:del w:id="1" w:author="Marc Lefèvre" w:date="2021-03-23T09:31:00Z"><w:r w:rsidDel="00E2"><w:delText xml:space="preserve">légèrement </w:delText></w:r></w:del>`,
				`<w:commentRangeStart w:id="0"/>`,
				`<w:ins w:id="2" w:author="Marc Lefèvre" w:date="2021-03-23T09:31:00Z"><w:r><w:t xml:space="preserve">très </w:t></w:r></w:ins>`,
				run("", "perturbé"), `<w:commentRangeEnd w:id="0"/>`,
				`<w:r><w:rPr><w:rStyle w:val="Marquedecommentaire"/></w:rPr><w:commentReference w:id="0"/></w:r>`,
				run("", " jeudi sur l'ensemble du réseau, a annoncé la direction mercredi soir"),
				`<w:r><w:rPr><w:rStyle w:val="Appeldenotedefin"/></w:rPr><w:footnoteReference w:id="1"/></w:r>`,
				run("", ". Les usagers sont invités à "), run(`<w:rStyle w:val="Accentuation"/>`, "reporter leurs déplacements"), run("", " quand ils le peuvent.")) +
			para(`<w:pStyle w:val="Titre1"/>`, run("", "Les lignes concernées")) +
			listPara("Paragraphedeliste", "1", 0, "", run("", "Métro : une rame sur deux en moyenne")) +
			listPara("Paragraphedeliste", "1", 1, "", run("", "lignes 1 et 14, automatiques : trafic normal")) +
			listPara("Paragraphedeliste", "1", 1, "", run("", "ligne 13 : une rame sur trois")) +
			listPara("Paragraphedeliste", "1", 0, "", run("", "RER A et B : un train sur trois")) +
			listPara("Paragraphedeliste", "1", 0, "", run("", "Bus et tramways : "), run("<w:b/>", "deux sur trois")) +
			para(`<w:pStyle w:val="Titre2"/>`, run("", "Ce que disent les syndicats")) +
			para(`<w:pStyle w:val="Citation"/>`, run("", "« Nous irons jusqu'au bout », a déclaré jeudi le secrétaire général de l'intersyndicale.")) +
			para("", run("", "L'état du trafic est publié "),
				`<w:hyperlink r:id="rId10" w:history="1">`+run(`<w:rStyle w:val="Lienhypertexte"/>`, "sur le site de la régie")+`</w:hyperlink>`,
				run("", "; les questions des lecteurs peuvent être envoyées à "),
				`<w:hyperlink r:id="rId11" w:history="1">`+run(`<w:rStyle w:val="Lienhypertexte"/>`, "la rédaction")+`</w:hyperlink>`,
				run("", " ("), `<w:hyperlink r:id="rId12">`+run("", "pas ce lien")+`</w:hyperlink>`, run("", ").")) +
			para(`<w:jc w:val="center"/>`, picture) +
			para(`<w:pStyle w:val="Lgende"/>`, run("<w:i/>", "La station Châtelet, mercredi soir.")),
		core: core("Grève RATP", "Claire Martin", "grève; transports; RATP", "Société", "2021-03-23T07:12:00Z", "2021-03-23T18:40:00Z"),
	}.build()

	// English, as other tools write it (LibreOffice, Google Docs): style
	// ids "Heading1", a custom crosshead known only by its outline level,
	// a HYPERLINK field, a table with merged cells, a content control,
	// hidden text, a paragraph whose mark was deleted.
	out["articles/2021-02-22-docx-en-council.docx"] = docxSpec{
		styles: styleDefs(`<w:lang w:val="en-GB" w:eastAsia="en-US" w:bidi="ar-SA"/>`, "",
			style("paragraph", "Normal", "Normal", "", "", ""),
			style("paragraph", "Heading1", "Heading 1", "Normal", `<w:keepNext/><w:outlineLvl w:val="0"/>`, `<w:b/><w:sz w:val="40"/>`),
			style("paragraph", "Crosshead", "Crosshead", "Normal", `<w:keepNext/><w:outlineLvl w:val="1"/>`, `<w:b/>`),
			style("paragraph", "TOC1", "toc 1", "Normal", "", ""),
			style("character", "Strong", "Strong", "", "", `<w:b/><w:bCs/>`),
		),
		numbering: abstractNum("4", "decimal") + num("3", "4"),
		links:     map[string]string{"rId20": "javascript:alert(document.cookie)", "rId21": "minutes.docx"},
		body: para(`<w:pStyle w:val="Heading1"/>`, run("", "Council approves forty kilometres of protected bike lanes")) +
			para(`<w:pStyle w:val="TOC1"/>`, run("", "What changes\t2")) +
			para("", run("", "By Jane Doe and John Roe")) +
			para("", run(`<w:rStyle w:val="Strong"/>`, "The city council"), run("", " voted on Monday to build forty kilometres of "),
				run("<w:i/>", "protected"), run("", " bike lanes by 2024, its "), run("<w:u w:val=\"single\"/>", "largest"), run("", " cycling plan since the 2"),
				run(`<w:vertAlign w:val="superscript"/>`, "nd"), run("", " world war, according to the "),
				`<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> HYPERLINK "https://council.example.gov/minutes?id=42&amp;lang=en" \o "Minutes" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>`,
				run(`<w:rStyle w:val="Hyperlink"/>`, "published minutes"), `<w:r><w:fldChar w:fldCharType="end"/></w:r>`,
				run("", ". The plan "), run("<w:strike/>", "costs"), run("", " will cost £12m."),
				run(`<w:vanish/>`, " INTERNAL: check the figure with finance.")) +
			para("", run("", "Opponents called it "), `<w:hyperlink r:id="rId20">`+run("", "a waste")+`</w:hyperlink>`, run("", ", see "),
				`<w:hyperlink r:id="rId21">`+run("", "the minutes")+`</w:hyperlink>`, run("", " and "), `<w:hyperlink w:anchor="_Toc1">`+run("", "below")+`</w:hyperlink>`, run("", ".")) +
			para(`<w:rPr><w:del w:id="7" w:author="Jane Doe" w:date="2021-02-22T10:00:00Z"/></w:rPr>`, run("", "The vote was 31 to ")) +
			para("", run("", "9, with two abstentions.")) +
			para(`<w:pStyle w:val="Crosshead"/>`, run("", "What changes")) +
			listPara("Normal", "3", 0, "", run("", "Lanes separated from traffic by kerbs")) +
			listPara("Normal", "3", 0, "", run("", "Priority at junctions")) +
			para("", run("", "The council also agreed:")) +
			listPara("Normal", "3", 0, "", run("", "A review after one year")) +
			`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid><w:gridCol w:w="3000"/><w:gridCol w:w="3000"/><w:gridCol w:w="3000"/></w:tblGrid>` +
			`<w:tr><w:trPr><w:tblHeader/></w:trPr><w:tc>` + para("", run("<w:b/>", "District")) + `</w:tc><w:tc>` + para("", run("<w:b/>", "Lanes (km)")) + `</w:tc><w:tc>` + para("", run("<w:b/>", "Opens")) + `</w:tc></w:tr>` +
			`<w:tr><w:tc>` + para("", run("", "North")) + `</w:tc><w:tc>` + para("", run("", "12")) + `</w:tc><w:tc>` + para("", run("", "2022")) + `</w:tc></w:tr>` +
			`<w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr>` + para("", run("", "South")) + `</w:tc><w:tc>` + para("", run("", "8")) + `</w:tc><w:tc>` + para("", run("", "2023")) + `</w:tc></w:tr>` +
			`<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc>` + para("", run("", "4")) + `</w:tc><w:tc>` + para("", run("", "2024")) + para("", run("", "(extension)")) + `</w:tc></w:tr>` +
			`<w:tr><w:trPr><w:del w:id="9" w:author="Jane Doe" w:date="2021-02-22T10:00:00Z"/></w:trPr><w:tc>` + para("", run("", "West")) + `</w:tc><w:tc>` + para("", run("", "0")) + `</w:tc><w:tc>` + para("", run("", "never")) + `</w:tc></w:tr>` +
			`<w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr>` + para("", run("<w:b/>", "Total")) + `</w:tc><w:tc>` + para("", run("<w:b/>", "24")) + `</w:tc></w:tr></w:tbl>` +
			`<w:sdt><w:sdtPr><w:alias w:val="Editor's note"/><w:tag w:val="note"/><w:id w:val="-1245"/></w:sdtPr><w:sdtContent>` +
			para("", run("<w:i/>", "This article was updated to correct the length of the southern lanes.")) + `</w:sdtContent></w:sdt>` +
			para("", `<mc:AlternateContent><mc:Choice Requires="wps">`+picture+`</mc:Choice><mc:Fallback><w:r><w:pict><v:rect style="width:100pt;height:50pt"/></w:pict></w:r></mc:Fallback></mc:AlternateContent>`),
		core: core("", "jdoe", "cycling, council", "Local", "2021-02-19T16:40:00Z", "2021-02-24T08:15:00Z"),
	}.build()

	// A file from a minimal generator: no styles, numbering or
	// relationships; a style id nobody defined; Word's placeholder author
	// and its "unknown" date.
	out["articles/docx-en-bare.docx"] = docxSpec{
		bare: true,
		body: para("", run("", "Heatwave warning for the weekend")) +
			para(`<w:pStyle w:val="Heading2"/>`, run("", "What forecasters say")) +
			para("", run("", "Temperatures are expected to reach 38 °C on Saturday in the south of the country, the weather service said on Thursday, urging people to avoid the midday sun.")) +
			para("", run("", "Schools will close early on Friday.")),
		core: core("", "Windows User", "", "", "1601-01-01T00:00:00Z", "1601-01-01T00:00:00Z"),
	}.build()

	// Rejected files.
	ole := append(append([]byte{}, oleMagic...), bytes.Repeat([]byte{0}, 504)...)
	out["rejected/docx-old-word.docx"] = append(append([]byte{}, ole...), []byte("Microsoft Word 97-2003 document")...)
	out["rejected/docx-password.docx"] = append(append([]byte{}, ole...), utf16le("EncryptedPackage")...)
	out["rejected/docx-not-zip.docx"] = []byte("Heatwave warning\n\nThis was saved as text with a .docx name.\n")
	out["rejected/docx-excel.docx"] = zipParts([]docxPart{
		{"[Content_Types].xml", xmlDecl + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		{"_rels/.rels", xmlDecl + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", xmlDecl + `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>`},
	})
	whole := out["articles/docx-en-bare.docx"]
	out["rejected/docx-truncated.docx"] = whole[:len(whole)/2]
	out["rejected/docx-broken-xml.docx"] = docxSpec{body: para("", run("", "Heatwave warning")) + `<w:p><w:r><w:t>Unclosed</w:r></w:p>`}.build()
	out["rejected/docx-no-title.docx"] = docxSpec{
		body: para("", run("", strings.Repeat("A long opening paragraph with no headline before it, written as running text. ", 4))) +
			para("", run("", "A second paragraph.")),
	}.build()
	out["rejected/docx-only-picture.docx"] = docxSpec{image: true, body: para("", picture)}.build()

	// Hostile files small enough to keep; larger ones are made by
	// TestHostileFiles.
	deep := strings.Repeat(`<w:tbl><w:tr><w:tc>`, 100) + para("", run("", "x")) + strings.Repeat(`</w:tc></w:tr></w:tbl>`, 100)
	out["hostile/docx-deep.docx"] = docxSpec{body: para(`<w:pStyle w:val="Title"/>`, run("", "Deep")) + deep}.build()
	out["hostile/docx-link-bomb.docx"] = docxSpec{
		links: map[string]string{"rId1": "https://example.org/" + strings.Repeat("a", 2000)},
		body:  para(`<w:pStyle w:val="Title"/>`, run("", "Links")) + para("", strings.Repeat(`<w:hyperlink r:id="rId1"><w:r><w:t>x</w:t></w:r></w:hyperlink>`, 50_000)),
	}.build()
	out["hostile/docx-inflate-60MiB.docx"] = zipParts([]docxPart{
		{"_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", `<w:document ` + wordNS + `><w:body><w:p><w:r><w:t>` + strings.Repeat("a", 60<<20) + `</w:t></w:r></w:p></w:body></w:document>`},
	})
	out["hostile/docx-lying-size.docx"] = lyingZip("word/document.xml", `<w:document `+wordNS+`><w:body><w:p><w:r><w:t>`+strings.Repeat("a", 30<<20)+`</w:t></w:r></w:p></w:body></w:document>`, 1000)
	return out
}

// lyingZip is a zip whose one entry declares a size far smaller than what
// its data inflates to.
func lyingZip(name, body string, declared uint32) []byte {
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	io.WriteString(fw, body)
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	rels := `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "_rels/.rels", Method: zip.Deflate, Modified: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)})
	io.WriteString(w, rels)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC),
		CRC32: crc32.ChecksumIEEE([]byte(body)), CompressedSize64: uint64(comp.Len()), UncompressedSize64: uint64(declared)})
	if err != nil {
		panic(err)
	}
	w.Write(comp.Bytes())
	zw.Close()
	return buf.Bytes()
}

// writeDocxFixtures writes the generated fixtures (go test -update).
func writeDocxFixtures(t *testing.T) {
	t.Helper()
	for name, data := range docxFixtures() {
		if err := os.WriteFile(filepath.Join("testdata", name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDocxFixtures: the committed .docx fixtures are what docxFixtures
// builds (compared entry by entry, so a change of Go's deflate output does
// not count).
func TestDocxFixtures(t *testing.T) {
	for name, want := range docxFixtures() {
		got, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Errorf("%v (run go test -update to write it)", err)
			continue
		}
		if !bytes.Equal(got, want) && !sameEntries(got, want) {
			t.Errorf("testdata/%s is not what docxFixtures builds: run go test -update and review the diff", name)
		}
	}
}

// sameEntries reports whether two zip archives hold the same files.
func sameEntries(a, b []byte) bool {
	read := func(data []byte) map[string]string {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return nil
		}
		out := map[string]string{}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				return nil
			}
			body, err := io.ReadAll(io.LimitReader(rc, 64<<20))
			rc.Close()
			if err != nil {
				return nil
			}
			out[f.Name] = string(body)
		}
		return out
	}
	x, y := read(a), read(b)
	if x == nil || y == nil || len(x) != len(y) {
		return false
	}
	for k, v := range x {
		if y[k] != v {
			return false
		}
	}
	return true
}
