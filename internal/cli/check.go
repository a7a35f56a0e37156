package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/feed"
	"github.com/pressroom/pressroom/internal/pipeline"
	"github.com/pressroom/pressroom/internal/preview"
)

// checkResult is one file's entry in `pressroom check --json`.
type checkResult struct {
	File   string       `json:"file"`
	OK     bool         `json:"ok"`
	Errors []checkError `json:"errors"`
	// Warnings are what a publishable file fell back on (its date from
	// the upload time...), shaped as errors.
	Warnings []checkError  `json:"warnings"`
	Notes    []string      `json:"notes,omitempty"`
	Article  *checkArticle `json:"article"`

	parsed *article.Article // for the preview
}

type checkError struct {
	Field   string `json:"field"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

type checkArticle struct {
	ID          string   `json:"id"`
	Slug        string   `json:"slug"`
	Title       string   `json:"title"`
	Summary     string   `json:"summary"`
	ContentHTML string   `json:"content_html"`
	Published   string   `json:"published"`
	Updated     string   `json:"updated"`
	Expires     string   `json:"expires,omitempty"`
	Lang        string   `json:"lang"`
	Dir         string   `json:"dir"`
	Authors     []string `json:"authors"`
	Tags        []string `json:"tags"`
	Categories  []string `json:"categories"`
	Image       string   `json:"image"`
	Status      string   `json:"status"`
	URL         string   `json:"url"`
	DateSource  string   `json:"date_source"`
	Format      string   `json:"format"`
	// Feeds are the feeds the article enters (once published: none for a
	// draft), chosen as the publisher chooses them (feed.Memberships).
	Feeds []checkFeed `json:"feeds"`
}

// checkFeed is one feed an article enters.
type checkFeed struct {
	ID    string `json:"id"`    // its folder: "" for the site, "tags/x", "partners/name"...
	Label string `json:"label"` // the name it is listed under
	URL   string `json:"url"`   // its RSS file (a partner's first format when it has no RSS)
}

func check(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("check", flag.ContinueOnError)
	fl.SetOutput(stderr)
	configFile := fl.String("config", "", "site configuration `file` (default: ./pressroom.yaml if present, else built-in defaults)")
	asJSON := fl.Bool("json", false, "print a JSON array with one object per file")
	htmlDir := fl.String("html", "", "write a preview page of each file, as a feed reader shows it, and an index.html listing them, into `folder` (made if missing)")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "Usage: pressroom check [--config FILE] [--json] [--html DIR] PATH...\n\nChecks article files (or every article file in folders) without publishing them.")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if fl.NArg() == 0 {
		fl.Usage()
		return ExitUsage
	}
	// The configuration is found as build finds it, from the first path
	// checked: its folder (or the folder it is in), that folder's parent,
	// then the working folder.
	found := siteFlags{config: *configFile, src: fl.Arg(0)}
	if fi, err := os.Stat(found.src); err == nil && !fi.IsDir() {
		found.src = filepath.Dir(found.src)
	}
	cfg, _, err := found.loadConfig(stderr)
	if err != nil {
		fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		return ExitUsage
	}
	files, err := articleFiles(fl.Args())
	if err != nil {
		fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		return ExitUsage
	}
	opts := cfg.ArticleOptions()
	site := (&pipeline.Pipeline{Config: cfg}).Site()
	now := time.Now()
	results := make([]checkResult, len(files))
	parallel(len(files), func(i int) {
		results[i] = checkFile(files[i], opts, site, now)
	})
	refuseDuplicates(results)
	if *htmlDir != "" {
		if err := writePreviews(*htmlDir, results); err != nil {
			fmt.Fprintln(stderr, "pressroom:", safeErr(err))
			return ExitUsage
		}
	}

	if *asJSON {
		var t tally
		for _, r := range results {
			if !r.OK {
				t.add(kindRejected)
			}
		}
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		}
		return t.exit()
	}
	return printCheck(stdout, results, cfg.Location())
}

func checkFile(name string, opts article.Options, site feed.Site, now time.Time) checkResult {
	res := checkResult{File: name, Errors: []checkError{}, Warnings: []checkError{}}
	data, modTime, err := article.ReadFile(name, opts.MaxBytes)
	var a article.Article
	if err == nil {
		opts.ModTime = modTime
		a, err = article.Parse(name, data, opts)
	}
	if err != nil {
		for _, p := range article.Problems(err) {
			res.Errors = append(res.Errors, checkError{Field: p.Field, Line: p.Line, Message: p.Message})
		}
		return res
	}
	res.OK = true
	res.parsed = &a
	res.Notes = a.Notes
	for _, p := range a.Warnings {
		res.Warnings = append(res.Warnings, checkError{Field: p.Field, Line: p.Line, Message: p.Message})
	}
	res.Article = &checkArticle{
		ID: a.ID, Slug: a.Slug, Title: a.Title, Summary: a.Summary, ContentHTML: a.ContentHTML,
		Published: a.Published.Format(time.RFC3339), Updated: a.Updated.Format(time.RFC3339),
		Lang: a.Lang, Dir: a.Dir, Authors: orEmpty(a.Authors), Tags: orEmpty(a.Tags),
		Categories: orEmpty(a.Categories), Image: a.Image, Status: string(a.StatusAt(now)),
		URL: a.URL, DateSource: a.DateSource, Format: a.Format, Feeds: feedsOf(&a, site),
	}
	if !a.Expires.IsZero() {
		res.Article.Expires = a.Expires.Format(time.RFC3339)
	}
	return res
}

// refuseDuplicates rejects, as a build would, a file whose article has the
// id or the URL of an earlier file's (in path order): both would be
// published as one item.
func refuseDuplicates(results []checkResult) {
	holder := map[string]string{}
	for i := range results {
		r := &results[i]
		if !r.OK || r.Article.Status == string(article.StatusDraft) {
			continue
		}
		claims := []struct{ claim, field, what, value string }{
			{"id:" + r.Article.ID, "id", "the id", r.Article.ID},
			{"url:" + r.Article.URL, "url", "the address", r.Article.URL},
		}
		for _, c := range claims {
			if first, ok := holder[c.claim]; ok {
				r.Errors = append(r.Errors, checkError{Field: c.field,
					Message: fmt.Sprintf("%s %s is already used by %s: give this article its own slug or %s", c.what, c.value, first, c.field)})
			}
		}
		if len(r.Errors) > 0 {
			r.OK, r.Article, r.parsed = false, nil, nil
			continue
		}
		for _, c := range claims {
			holder[c.claim] = r.File
		}
	}
}

// feedsOf lists the feeds the publisher puts a into.
func feedsOf(a *article.Article, site feed.Site) []checkFeed {
	out := []checkFeed{}
	for _, ref := range feed.Memberships(a, site) {
		file := feed.RSSFile
		for _, pt := range site.Partners {
			if ref.ID == feed.PartnersFamily+"/"+pt.Name && len(pt.Formats) > 0 && !slices.Contains(pt.Formats, feed.RSSFile) {
				file = pt.Formats[0]
			}
		}
		out = append(out, checkFeed{ID: ref.ID, Label: ref.Label, URL: feed.URL(site.FeedsURL, path.Join(ref.ID, file))})
	}
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// printCheck lists every file, what a reader will see of it and its
// problems, the summary last, and returns the exit status.
func printCheck(w io.Writer, results []checkResult, loc *time.Location) int {
	var t tally
	for _, r := range results {
		if !r.OK {
			t.add(kindRejected)
			listLine(w, kindRejected, safe(r.File))
			for _, e := range r.Errors {
				fmt.Fprintf(w, "%s%s\n", indent, problemLine(e))
			}
			continue
		}
		a := r.Article
		t.add(a.Status)
		head := safe(r.File)
		switch a.Status {
		case kindDraft:
			head += " (in no feed until the draft flag goes)"
		case kindScheduled:
			head += " (appears at " + localTime(a.Published, loc) + ")"
		case kindExpired:
			head += " (expired at " + localTime(a.Expires, loc) + ")"
		}
		listLine(w, a.Status, head)
		field := func(name, value string) { fmt.Fprintf(w, "%s%-10s%s\n", indent, name+":", value) }
		field("title", safe(a.Title))
		field("date", localTime(a.Published, loc)+" (from "+dateSourceWords(a.DateSource)+")")
		field("language", safe(a.Lang)+", "+directionWords(a.Dir))
		if len(a.Authors) == 0 {
			field("authors", "none")
		} else {
			field("authors", safe(strings.Join(a.Authors, ", ")))
		}
		field("feeds", feedWords(a))
		field("url", safe(a.URL))
		for _, e := range r.Warnings {
			fmt.Fprintf(w, "%swarning: %s\n", indent, problemLine(e))
		}
		for _, n := range r.Notes {
			fmt.Fprintf(w, "%snote: %s\n", indent, safe(n))
		}
	}
	fmt.Fprintf(w, "%s checked: %s\n", plural(len(results), "file"), t)
	return t.exit()
}

// localTime shows an RFC 3339 date in the site's zone.
func localTime(rfc3339 string, loc *time.Location) string {
	d, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return safe(rfc3339)
	}
	return d.In(loc).Format(time.RFC3339)
}

// dateSourceWords says where the published date came from.
func dateSourceWords(src string) string {
	switch src {
	case article.DateFromContent:
		return "the article"
	case article.DateFromFileName:
		return "the file name"
	case article.DateFromProperties:
		return "the document's properties"
	case article.DateFromModTime:
		return "the upload time: the file's modification time"
	}
	return safe(src)
}

func directionWords(dir string) string {
	if dir == "rtl" {
		return "right to left"
	}
	return "left to right"
}

// feedWords lists the feeds an article enters, the site feed first.
func feedWords(a *checkArticle) string {
	if a.Status == kindDraft {
		return "none (a draft)"
	}
	ids := make([]string, len(a.Feeds))
	for i, f := range a.Feeds {
		ids[i] = f.ID
		if f.ID == "" {
			ids[i] = "the site"
		}
	}
	words := safe(strings.Join(ids, ", "))
	switch a.Status {
	case kindScheduled:
		words += " (once it appears)"
	case kindExpired:
		words = "none (expired; it was in " + words + ")"
	}
	return words
}

// writePreviews writes a preview page of every publishable file into dir,
// and the index page listing every file.
func writePreviews(dir string, results []checkResult) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := make([]preview.File, len(results))
	for i, r := range results {
		f := preview.File{Name: r.File, Status: kindRejected}
		for _, e := range r.Errors {
			f.Problems = append(f.Problems, problemLine(e))
		}
		if r.OK {
			f.Status, f.Article, f.Notes = r.Article.Status, r.parsed, r.Notes
			for _, e := range r.Warnings {
				f.Warnings = append(f.Warnings, problemLine(e))
			}
			name := article.Slugify(filepath.Base(r.File))
			if len(name) > 80 {
				name = name[:80] // a cut rune stays in the name only: pages are reached from the index
			}
			f.Page = fmt.Sprintf("%03d-%s.html", i+1, name)
			page, err := preview.Page(f)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, f.Page), page, 0o644); err != nil {
				return err
			}
		}
		files[i] = f
	}
	index, err := preview.Index(files)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, preview.IndexName), index, 0o644)
}

// problemLine words an error or a warning: "field (line n): message".
func problemLine(e checkError) string {
	if e.Line > 0 {
		return fmt.Sprintf("%s (line %d): %s", safe(e.Field), e.Line, safe(e.Message))
	}
	return fmt.Sprintf("%s: %s", safe(e.Field), safe(e.Message))
}

// articleFiles expands the arguments: files as given, folders walked for
// article files (hidden files and folders skipped), in a stable order.
func articleFiles(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = article.WalkFiles(p, func(path string, _ fs.DirEntry) error {
			found = append(found, path)
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, nil
}

// parallel runs do(0..n-1) on every core.
func parallel(n int, do func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				do(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}
