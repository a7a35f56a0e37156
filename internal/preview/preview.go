// Package preview renders the HTML previews of `pressroom check --html`:
// one page per article file showing its item as a feed reader would (title,
// byline, date, image, the sanitised content), laid out right to left for
// right-to-left articles, and an index page listing every file checked
// with its result. The pages run no script and load nothing but images and
// media: a strict Content-Security-Policy says so to the browser.
package preview

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pressroom/pressroom/internal/article"
)

// File is one file checked.
type File struct {
	Name     string           // the file as given to check
	Page     string           // its preview's file name beside the index; "" when rejected
	Status   string           // published, draft, scheduled, expired, or rejected
	Article  *article.Article // nil when rejected
	Problems []string         // why a rejected file was refused
	Warnings []string         // what a publishable file fell back on
	Notes    []string
}

// IndexName is the index page's file name.
const IndexName = "index.html"

// style is the pages' only style sheet. It uses logical properties
// (margin-inline, border-inline-start...) so that a right-to-left article
// lays out from the right without a rule of its own.
const style = `body{margin:0;font:16px/1.6 system-ui,sans-serif;color:#1a1a1a;background:#f4f4f4}
header{padding-block:.5rem;padding-inline:1rem;background:#e8ecf4;border-block-end:1px solid #c8cfdc;font-size:.875rem}
header p{margin-block:.25rem}
main{max-inline-size:44rem;margin-inline:auto;padding-block:1rem;padding-inline:1rem}
article{background:#fff;padding-block:1rem;padding-inline:1.5rem;border-inline-start:4px solid #2f5fb3}
article h1{font-size:1.6rem;line-height:1.3;margin-block:.5rem}
.byline,.date{color:#555;margin-block:.25rem}
.lead{display:block;margin-block:1rem}
img,video{max-inline-size:100%;block-size:auto}
.content{text-align:start}
blockquote{margin-inline:0;padding-inline-start:1rem;border-inline-start:3px solid #ccc}
table{border-collapse:collapse}
th,td{text-align:start;vertical-align:top;padding-block:.25rem;padding-inline:.5rem;border-block-end:1px solid #ddd}
.rejected{color:#a00000;font-weight:bold}
.warning{color:#8a5a00}
`

// SecurityPolicy is the pages' Content-Security-Policy (a meta element:
// the pages are files, opened without a server): no script, no frame, no
// form, no base; the one style sheet by its hash; images and media from
// anywhere, as a reader would load them.
var SecurityPolicy = "default-src 'none'; style-src '" + styleHash() + "'; img-src https: http: data:; media-src https: http:; base-uri 'none'; form-action 'none'"

func styleHash() string {
	sum := sha256.Sum256([]byte(style))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// pages are parsed on first use: not at the start of every command (a
// build renders none).
var pages = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("").Funcs(template.FuncMap{
		"join": strings.Join,
		"date": func(t time.Time) string { return t.Format("2006-01-02 15:04 -07:00") },
		"iso":  func(t time.Time) string { return t.Format(time.RFC3339) },
	}).Parse(`{{define "head"}}<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{.Policy}}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>{{.Style}}</style>
</head>
{{end}}
{{define "page"}}{{template "head" .}}<body>
<header>
<p><a href="` + IndexName + `">All files checked</a> · {{.File.Name}} · {{.File.Status}}</p>
{{range .File.Warnings}}<p class="warning">warning: {{.}}</p>
{{end}}{{range .File.Notes}}<p>note: {{.}}</p>
{{end}}</header>
<main>
{{with .File.Article}}<article lang="{{.Lang}}" dir="{{.Dir}}">
<h1>{{.Title}}</h1>
{{if .Authors}}<p class="byline">{{join .Authors ", "}}</p>
{{end}}<p class="date"><time datetime="{{iso .Published}}" dir="ltr">{{date .Published}}</time></p>
{{if .Image}}<img class="lead" src="{{.Image}}" alt="">
{{end}}<div class="content">
{{$.Content}}
</div>
</article>
{{end}}</main>
</body>
</html>
{{end}}
{{define "index"}}{{template "head" .}}<body>
<main>
<h1>{{.Title}}</h1>
<table>
<thead><tr><th>file</th><th>result</th><th>title</th></tr></thead>
<tbody>
{{range .Files}}<tr>
<td>{{if .Page}}<a href="{{.Page}}">{{.Name}}</a>{{else}}{{.Name}}{{end}}</td>
{{if .Article}}<td>ok ({{.Status}})</td>
<td lang="{{.Article.Lang}}" dir="{{.Article.Dir}}">{{.Article.Title}}</td>
{{else}}<td class="rejected">rejected</td>
<td>{{range .Problems}}<p>{{.}}</p>{{end}}</td>
{{end}}</tr>
{{end}}</tbody>
</table>
</main>
</body>
</html>
{{end}}`))
})

// Page renders a publishable file's preview.
func Page(f File) ([]byte, error) {
	var b bytes.Buffer
	data := struct {
		Policy, Title string
		Style         template.CSS
		File          File
		// Content is the article's HTML, which article.Parse sanitised
		// (no script, style, frame, form or event handler; URLs checked).
		Content template.HTML
	}{Policy: SecurityPolicy, Style: template.CSS(style), File: f}
	data.Title = f.Name + " — preview"
	if f.Article != nil {
		data.Title = f.Article.Title + " — preview"
		data.Content = template.HTML(f.Article.ContentHTML)
	}
	err := pages().ExecuteTemplate(&b, "page", data)
	return b.Bytes(), err
}

// Index renders the index page of the files checked.
func Index(files []File) ([]byte, error) {
	var b bytes.Buffer
	err := pages().ExecuteTemplate(&b, "index", struct {
		Policy, Title string
		Style         template.CSS
		Files         []File
	}{Policy: SecurityPolicy, Title: "pressroom check: " + plural(len(files)), Style: template.CSS(style), Files: files})
	return b.Bytes(), err
}

func plural(n int) string {
	if n == 1 {
		return "1 file"
	}
	return strconv.Itoa(n) + " files"
}
