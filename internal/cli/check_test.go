package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(t.Context(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

const exampleConfig = "../../examples/site/pressroom.yaml"

func TestCheckJSONOnExamples(t *testing.T) {
	code, out, errOut := run(t, "check", "--config", exampleConfig, "--json", "../../examples/site/articles")
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %s, stdout %s", code, errOut, out)
	}
	var results []map[string]any
	if err := json.Unmarshal([]byte(out), &results); err != nil {
		t.Fatalf("output is not a JSON array: %v\n%s", err, out)
	}
	files, _ := filepath.Glob("../../examples/site/articles/*")
	if len(results) != len(files) || len(results) < 8 {
		t.Fatalf("%d results for %d files", len(results), len(files))
	}
	statuses := map[string]bool{}
	for _, r := range results {
		if r["ok"] != true || r["file"] == "" {
			t.Errorf("result %v", r)
		}
		if errs, ok := r["errors"].([]any); !ok || len(errs) != 0 {
			t.Errorf("errors must be an empty array: %v", r["errors"])
		}
		a := r["article"].(map[string]any)
		for _, key := range []string{"id", "slug", "title", "summary", "content_html", "published", "updated", "lang", "dir", "authors", "tags", "categories", "image", "status", "url"} {
			if _, ok := a[key]; !ok {
				t.Errorf("%s: article lacks %q", r["file"], key)
			}
		}
		for _, key := range []string{"authors", "tags", "categories"} {
			if _, ok := a[key].([]any); !ok {
				t.Errorf("%s: %s is %v, want an array", r["file"], key, a[key])
			}
		}
		statuses[a["status"].(string)] = true
	}
	for _, s := range []string{"published", "draft", "scheduled"} {
		if !statuses[s] {
			t.Errorf("the examples show no %s article", s)
		}
	}
}

func TestCheckRejected(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.md")
	bad := filepath.Join(dir, "bad.md")
	os.WriteFile(good, []byte("---\ntitle: Good\ndate: 2021-01-01\n---\n\nText.\n"), 0o644)
	os.WriteFile(bad, []byte("---\ntitle: Bad\ndate: someday\n---\n\nText.\n"), 0o644)
	code, out, _ := run(t, "check", "--json", good, bad)
	if code != ExitRejected {
		t.Fatalf("exit %d, want %d", code, ExitRejected)
	}
	var results []checkResult
	if err := json.Unmarshal([]byte(out), &results); err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 || !results[0].OK || results[1].OK || results[1].Article != nil {
		t.Fatalf("results %+v", results)
	}
	e := results[1].Errors
	if len(e) != 1 || e[0].Field != "date" || e[0].Line != 3 || !strings.Contains(e[0].Message, "someday") {
		t.Errorf("errors %+v", e)
	}
	code, out, _ = run(t, "check", good, bad)
	if code != ExitRejected || !strings.Contains(out, "REJECTED  "+bad) || !strings.Contains(out, "date (line 3)") ||
		!strings.Contains(out, "2 files checked: 1 published, 1 rejected") {
		t.Errorf("human output (exit %d):\n%s", code, out)
	}
}

func TestCheckUsageErrors(t *testing.T) {
	dir := t.TempDir()
	badConfig := filepath.Join(dir, "pressroom.yaml")
	os.WriteFile(badConfig, []byte("site:\n  tiltle: x\n"), 0o644)
	for name, args := range map[string][]string{
		"no command":   nil,
		"unknown":      {"publish-everything"},
		"no paths":     {"check"},
		"bad flag":     {"check", "--nope", "x"},
		"missing path": {"check", filepath.Join(dir, "nothing-here")},
		"bad config":   {"check", "--config", badConfig, dir},
		"no config":    {"check", "--config", filepath.Join(dir, "none.yaml"), dir},
	} {
		if code, _, errOut := run(t, args...); code != ExitUsage || errOut == "" {
			t.Errorf("%s: exit %d, stderr %q; want %d with a message", name, code, errOut, ExitUsage)
		}
	}
	_, _, errOut := run(t, "check", "--config", badConfig, dir)
	if !strings.Contains(errOut, "site.tiltle") {
		t.Errorf("config error does not name the key: %s", errOut)
	}
}

func TestCheckUnsupportedFileIsRejected(t *testing.T) {
	f := filepath.Join(t.TempDir(), "story.odt")
	os.WriteFile(f, []byte("x"), 0o644)
	code, out, _ := run(t, "check", f)
	if code != ExitRejected || !strings.Contains(out, "unsupported file type") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// TestCheckRefusesDuplicates: two files that would publish one item (the
// same slug, so the same id and link) are not both fine.
func TestCheckRefusesDuplicates(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "2021-03-23-greve-transports.md"), []byte("---\ntitle: Grève\ndate: 2021-03-23\n---\n\nTexte.\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "greve-transports.txt"), []byte("Grève des transports\n\n23 mars 2021\n\nLe texte de la dépêche, assez long pour un corps d'article.\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "dupslug.md"), []byte("---\ntitle: A\ndate: 2021-01-01\n---\n\nA.\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "dupslug.txt"), []byte("B headline\n\n1 January 2021\n\nThe body of B, long enough to be a paragraph here.\n"), 0o644)
	code, out, _ := run(t, "check", dir)
	if code != ExitRejected || !strings.Contains(out, "REJECTED  "+filepath.Join(dir, "greve-transports.txt")) ||
		!strings.Contains(out, "already used by "+filepath.Join(dir, "2021-03-23-greve-transports.md")) ||
		!strings.Contains(out, "REJECTED  "+filepath.Join(dir, "dupslug.txt")) || !strings.Contains(out, "4 files checked: 2 published, 2 rejected") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// TestTerminalCannotBeLiedTo: a file name or a problem carrying escape
// sequences, newlines or a right-to-left override is printed escaped, so
// it can neither recolour the terminal nor forge a line.
func TestTerminalCannotBeLiedTo(t *testing.T) {
	dir := t.TempDir()
	evil := "\033[31mred\n REJECTED fake\u202e.md"
	os.WriteFile(filepath.Join(dir, evil), []byte("---\ntitle: T\ndate: \"\033[2Jsoon\"\n---\n\nText.\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "good.md"), []byte("---\ntitle: عنوان\ndate: 2021-01-01\n---\n\nنص.\n"), 0o644)
	for _, args := range [][]string{{"check", dir}, {"build", "--src", dir, "--out", filepath.Join(t.TempDir(), "out")}} {
		_, out, errOut := run(t, args...)
		all := out + errOut
		if strings.ContainsAny(all, "\033\u202e") {
			t.Errorf("%s printed a raw escape or override:\n%q", args[0], all)
		}
		for _, line := range strings.Split(all, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "REJECTED fake") {
				t.Errorf("%s let a file name forge a line: %q", args[0], line)
			}
		}
		if !strings.Contains(all, `\x1b[31mred\n REJECTED fake\u202e.md`) {
			t.Errorf("%s does not show the file name escaped:\n%s", args[0], all)
		}
		if args[0] == "check" && !strings.Contains(all, "عنوان") {
			t.Errorf("readable Arabic was escaped:\n%s", all)
		}
	}
}

const partnerConfig = `site:
  title: "Example Daily"
  base_url: "https://news.example.org/"
  language: "ar"
  timezone: "Africa/Casablanca"
feeds:
  base_url: "https://feeds.example.org/"
partners:
  - name: culture-desk
    categories: ["ثقافة"]
    languages: ["ar"]
  - name: english-wire
    languages: ["en"]
    formats: [rss, json]
`

// TestCheckShowsWhatReadersSee: each file's title, date and where it came
// from, language and direction, authors, the feeds the publisher would
// put it in (partners' too), status and URL, as text and as JSON.
func TestCheckShowsWhatReadersSee(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "pressroom.yaml")
	os.WriteFile(cfg, []byte(partnerConfig), 0o644)
	src := filepath.Join(dir, "articles")
	os.MkdirAll(src, 0o755)
	os.WriteFile(filepath.Join(src, "2026-03-16-musee.md"), []byte("---\ntitle: افتتاح متحف جديد في الرباط\nlang: ar-MA\ncategories: [ثقافة]\ntags: [الرباط]\nauthors: [سناء الإدريسي]\n---\n\nافتتح المتحف الوطني أبوابه أمام الزوار صباح اليوم في العاصمة.\n"), 0o644)
	os.WriteFile(filepath.Join(src, "later.md"), []byte("---\ntitle: Later\ndate: 2030-12-01T08:00:00+01:00\nlang: en\n---\n\nThe story of the year.\n"), 0o644)
	os.WriteFile(filepath.Join(src, "draft.md"), []byte("---\ntitle: Draft\ndate: 2026-01-01\nlang: en\ndraft: true\n---\n\nNot yet.\n"), 0o644)
	code, out, errOut := run(t, "check", "--config", cfg, src)
	if code != ExitOK {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	for _, want := range []string{
		"published " + filepath.Join(src, "2026-03-16-musee.md") + "\n",
		"          title:    افتتاح متحف جديد في الرباط\n",
		"          date:     2026-03-16T00:00:00",
		"(from the file name)\n",
		"          language: ar-MA, right to left\n",
		"          authors:  سناء الإدريسي\n",
		"          feeds:    the site, categories/ثقافة, tags/الرباط, authors/سناء-الإدريسي, languages/ar, partners/culture-desk\n",
		"          url:      https://news.example.org/",
		"          note: date taken from the file name\n",
		"scheduled " + filepath.Join(src, "later.md") + " (appears at 2030-12-01T08:00:00+01:00)\n",
		"          feeds:    the site, languages/en, partners/english-wire (once it appears)\n",
		"draft     " + filepath.Join(src, "draft.md") + " (in no feed until the draft flag goes)\n",
		"          feeds:    none (a draft)\n",
		"3 files checked: 1 published, 1 draft, 1 scheduled, 0 rejected\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}

	code, out, _ = run(t, "check", "--config", cfg, "--json", src)
	var results []checkResult
	if err := json.Unmarshal([]byte(out), &results); err != nil || code != ExitOK || len(results) != 3 {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	byName := map[string]*checkArticle{}
	for _, r := range results {
		byName[filepath.Base(r.File)] = r.Article
	}
	musee := byName["2026-03-16-musee.md"]
	if musee.DateSource != "file name" || musee.Dir != "rtl" || len(musee.Feeds) != 6 {
		t.Fatalf("article %+v", musee)
	}
	if f := musee.Feeds[0]; f.ID != "" || f.Label != "Example Daily" || f.URL != "https://feeds.example.org/feed.xml" {
		t.Errorf("site feed %+v", f)
	}
	if f := musee.Feeds[5]; f.ID != "partners/culture-desk" || f.URL != "https://feeds.example.org/partners/culture-desk/feed.json" {
		t.Errorf("partner feed %+v (a JSON-only partner)", f)
	}
	if f := byName["later.md"].Feeds[2]; f.ID != "partners/english-wire" || f.URL != "https://feeds.example.org/partners/english-wire/feed.xml" {
		t.Errorf("partner feed %+v", f)
	}
	if fs := byName["draft.md"].Feeds; fs == nil || len(fs) != 0 {
		t.Errorf("a draft enters %v, want []", fs)
	}
}

// TestCheckHTMLPreviews: check --html DIR writes a page per publishable
// file, the article right to left when it is, a hostile title escaped, no
// script, and an index of every file with its result.
func TestCheckHTMLPreviews(t *testing.T) {
	src, dir := t.TempDir(), filepath.Join(t.TempDir(), "preview")
	os.WriteFile(filepath.Join(src, "a-rabat.md"), []byte("---\ntitle: ترامواي الرباط يصل إلى حي يعقوب المنصور\ndate: 2026-03-16\nlang: ar-MA\n---\n\nبدأ الخط الثالث لترامواي الرباط صباح اليوم نقل الركاب.\n"), 0o644)
	os.WriteFile(filepath.Join(src, "b-hostile.md"), []byte("---\ntitle: \"</title><script>alert(1)</script>\"\ndate: 2026-03-16\nlang: en\n---\n\nText <script>alert(2)</script> and <img src=x onerror=alert(3)>.\n"), 0o644)
	os.WriteFile(filepath.Join(src, "c-bad.md"), []byte("---\ntitle: Bad\ndate: someday\n---\n\nText.\n"), 0o644)
	code, out, errOut := run(t, "check", "--html", dir, src)
	if code != ExitRejected || strings.Contains(errOut, "pressroom: preview") {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "*.html"))
	if len(pages) != 3 { // two previews and the index
		t.Fatalf("files %v", pages)
	}
	doc, err := html.Parse(bytes.NewReader(index))
	if err != nil {
		t.Fatal(err)
	}
	var links []string
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "a" {
			links = append(links, n.Attr[0].Val)
		}
	}
	if len(links) != 2 || !strings.Contains(string(index), "rejected") {
		t.Fatalf("index links %v:\n%s", links, index)
	}
	for i, link := range links {
		page, err := os.ReadFile(filepath.Join(dir, link))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := html.Parse(bytes.NewReader(page))
		if err != nil {
			t.Fatal(err)
		}
		var dir, title string
		for n := range doc.Descendants() {
			if n.Type != html.ElementNode {
				continue
			}
			switch n.Data {
			case "script":
				t.Errorf("%s: a script element", link)
			case "article":
				for _, a := range n.Attr {
					if a.Key == "dir" {
						dir = a.Val
					}
				}
			case "h1":
				title = n.FirstChild.Data
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") {
					t.Errorf("%s: an event handler %s", link, a.Key)
				}
			}
		}
		if want := []string{"rtl", "ltr"}[i]; dir != want {
			t.Errorf("%s: article dir %q, want %q", link, dir, want)
		}
		if want := []string{"ترامواي الرباط يصل إلى حي يعقوب المنصور", "</title><script>alert(1)</script>"}[i]; title != want {
			t.Errorf("%s: title %q, want %q", link, title, want)
		}
	}
}
