package browser_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pressroom/pressroom/internal/browser"
	"github.com/pressroom/pressroom/internal/cli"
	"github.com/pressroom/pressroom/internal/feed"
	"github.com/pressroom/pressroom/internal/server"
)

// The example articles the site is built from: Arabic (Levant and
// Morocco), English and French.
var examples = []string{"amman-water.txt", "rabat-tramway.html", "heatwave-warning.txt", "2026-03-14-port-expansion.md", "greve-transports.txt"}

// quoted is an English article whose summary holds characters that RSS
// carries escaped (description is HTML): the page must show them as
// written, not as entities.
const quoted = `---
title: "Rock & roll's return to Rabat"
date: 2026-03-10T18:00:00+01:00
description: "Bands & fans: \"the 80s are back\", says the festival's director."
lang: en
---

The festival opens on Friday.
`

const siteConfig = `site:
  title: "Example Daily"
  base_url: "https://news.example.org/"
  description: "News from Rabat, Amman, Paris and London."
  language: "ar"
  timezone: "Africa/Casablanca"
feeds:
  base_url: "BASE"
`

// site builds the example site through the real pipeline (pressroom
// build) and serves it with the local server on a free loopback port, as
// `pressroom serve` does. It returns the feeds' base URL and the folder.
func site(t *testing.T) (string, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String() + "/"
	dir := t.TempDir()
	src, out, cfg := filepath.Join(dir, "articles"), filepath.Join(dir, "public"), filepath.Join(dir, "pressroom.yaml")
	os.MkdirAll(src, 0o755)
	for _, name := range examples {
		data, err := os.ReadFile(filepath.Join("..", "..", "examples", "site", "articles", name))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(src, name), data, 0o644)
	}
	os.WriteFile(filepath.Join(src, "rock-and-roll.md"), []byte(quoted), 0o644)
	// Enough Arabic briefs for the Arabic feed to have two archive pages.
	for i := 0; i < 52; i++ {
		brief := fmt.Sprintf("---\ntitle: \"موجز الأخبار رقم %d\"\ndate: 2026-02-%02dT08:%02d:00+01:00\nlang: ar\ntags: [موجز]\n---\n\nقال المتحدث باسم البلدية إن الأشغال ستنتهي قبل نهاية الشهر.\n", i, 1+i%28, i)
		os.WriteFile(filepath.Join(src, fmt.Sprintf("2026-02-brief-%02d.md", i)), []byte(brief), 0o644)
	}
	os.WriteFile(cfg, []byte(strings.Replace(siteConfig, "BASE", base, 1)), 0o644)
	var stdout, stderr bytes.Buffer
	if code := cli.Main(t.Context(), []string{"build", "--src", src, "--out", out, "--config", cfg}, &stdout, &stderr); code != cli.ExitOK {
		t.Fatalf("build: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	srv := server.NewServer(server.New(out))
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return base, out
}

// artifacts is the folder the screenshots and DOMs are kept in:
// $PRESSROOM_ARTIFACTS (CI keeps it), else one under the test's temporary
// folder.
func artifacts(t *testing.T) string {
	dir := os.Getenv("PRESSROOM_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(t.TempDir(), "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots and rendered DOMs in %s", dir)
	return dir
}

// open loads a path of the site in Chromium, keeps its screenshot and DOM
// as artifacts, and checks that the browser refused nothing of ours under
// the page's Content-Security-Policy, which the server must have sent.
func open(t *testing.T, base, dir, path string, height int) browser.Page {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Security-Policy") != feed.PageSecurityPolicy {
		t.Fatalf("%s: %d, policy %q", path, resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
	}
	name := strings.NewReplacer("/", "-", ".", "-").Replace(path)
	if name == "" {
		name = "index"
	}
	shot := filepath.Join(dir, name+".png")
	p := browser.Load(t, base+path, shot, 1000, height)
	os.WriteFile(filepath.Join(dir, name+".dom.html"), []byte(p.DOM), 0o644)
	// Chromium 156 adds an <xslt-warning-banner> element to every page made
	// by XSLT (the feature is deprecated), whose inline style attributes
	// and close button's inline handler the policy refuses (the shared
	// style docks it at the bottom of the window instead). It is the
	// browser's, not the page's, and may go or change in any version:
	// nothing here depends on it or on what is refused of it. What must not
	// be refused is ours: the stylesheet, the shared style, the script.
	hashes := regexp.MustCompile(`'sha256-[^']+'`).FindAllString(feed.PageSecurityPolicy, -1)
	for _, line := range p.Refused() {
		bad := strings.Contains(line, "feed.xsl") || strings.Contains(line, "Loading ")
		for _, h := range hashes {
			bad = bad || strings.Contains(line, "("+h+")")
		}
		if bad {
			t.Errorf("%s: the browser refused part of the page: %s", path, line)
		}
	}
	checkStyled(t, path, shot)
	return p
}

// checkStyled: the shared style applied, as the screenshot shows the
// background of the "How to subscribe" box (--box in the shared style).
func checkStyled(t *testing.T, path, shot string) {
	t.Helper()
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("%s: no screenshot: %v", path, err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: screenshot: %v", path, err)
	}
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 == 0xee && g>>8 == 0xf4 && bl>>8 == 0xfb {
				n++
			}
		}
	}
	if n < 20000 {
		t.Errorf("%s: the page is not styled (%d pixels of the box's colour in the screenshot)", path, n)
	}
}

// text is s as the DOM serialisation writes text.
var text = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\u00a0", "&nbsp;").Replace

// titles returns the item titles of a feed, from its JSON twin.
func titles(t *testing.T, out, dir string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, dir, feed.JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Items []struct{ Title string }
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var list []string
	for _, it := range doc.Items {
		list = append(list, it.Title)
	}
	if len(list) == 0 {
		t.Fatalf("%s has no items", dir)
	}
	return list
}

var (
	htmlTag = regexp.MustCompile(`<html[^>]*>`)
	button  = regexp.MustCompile(`<button [^>]*data-copy="([^"]*)"[^>]*>`)
)

// TestPagesInChromium builds a site of Arabic, English and French
// articles, serves it with the local server under its real headers, and
// checks what headless Chromium shows a person: index.html lists every
// feed with working copy buttons, in the site's direction; the Arabic
// feeds, through feed.xsl, are right-to-left pages of their items; the
// English one is left to right.
func TestPagesInChromium(t *testing.T) {
	browser.Chromium(t)
	base, out := site(t)
	dir := artifacts(t)
	baseURL, _ := url.Parse(base)

	t.Run("index", func(t *testing.T) {
		p := open(t, base, dir, "", 2400)
		if got := htmlTag.FindString(p.DOM); got != `<html lang="ar" dir="rtl">` {
			t.Errorf("index.html opens %s, want the site's language, right to left", got)
		}
		// Every published feed is listed, each format with its link and a
		// button copying its absolute address, which the script revealed
		// (buttons are hidden until it runs).
		var paths []string
		filepath.Walk(out, func(p string, fi os.FileInfo, err error) error {
			rel, _ := filepath.Rel(out, p)
			if _, _, archived := feed.ParsePagePath(filepath.ToSlash(rel)); archived {
				return nil // archive pages are reached from their feed, not listed
			}
			if err == nil && !fi.IsDir() && filepath.Base(p) == feed.RSSFile {
				rel, _ := filepath.Rel(out, filepath.Dir(p))
				paths = append(paths, feed.Paths(strings.TrimPrefix(filepath.ToSlash(rel), "."))...)
			}
			return nil
		})
		buttons := button.FindAllStringSubmatch(p.DOM, -1)
		if len(paths) < 3*10 || len(buttons) != len(paths) {
			t.Errorf("%d copy buttons for %d feed files", len(buttons), len(paths))
		}
		copies := map[string]bool{}
		for _, b := range buttons {
			copies[b[1]] = true
			if strings.Contains(b[0], "hidden") {
				t.Errorf("a copy button is still hidden: the page's script did not run: %s", b[0])
			}
		}
		for _, path := range paths {
			if abs := feed.URL(baseURL, path); !copies[text(abs)] {
				t.Errorf("no button copies %s", abs)
			}
			if !strings.Contains(p.DOM, `href="`+text(path)+`"`) {
				t.Errorf("no link to %s", path)
			}
		}
		for _, want := range []string{"Example Daily", ">English</bdi>", ">العربية</bdi>", "How to subscribe", `href="feeds.opml"`} {
			if !strings.Contains(p.DOM, want) {
				t.Errorf("index.html lacks %s", want)
			}
		}
	})

	// The summary of rock-and-roll.md, as written: RSS carries it escaped
	// (a description is HTML), and the page shows its text.
	summary := text(`Bands & fans: "the 80s are back", says the festival's director.`)
	for _, tt := range []struct {
		path, lang, dir string
		height          int
		want            string
	}{
		{"languages/ar/feed.xml", "ar", "rtl", 1200, ""},
		{"languages/ar/atom.xml", "ar", "rtl", 1200, ""},
		{"languages/en/feed.xml", "en", "ltr", 1400, summary},
		{"languages/en/atom.xml", "en", "ltr", 1400, summary},
	} {
		t.Run(tt.path, func(t *testing.T) {
			p := open(t, base, dir, tt.path, tt.height)
			if strings.Contains(p.DOM, "<pre") || !strings.Contains(p.DOM, "<main>") {
				t.Fatalf("%s is not shown through its stylesheet:\n%.600s", tt.path, p.DOM)
			}
			if got, want := htmlTag.FindString(p.DOM), `<html lang="`+tt.lang+`" dir="`+tt.dir+`">`; got != want {
				t.Errorf("%s opens %s, want %s", tt.path, got, want)
			}
			for _, title := range titles(t, out, filepath.Dir(tt.path)) {
				if !strings.Contains(p.DOM, ">"+text(title)+"</a></h3>") {
					t.Errorf("%s: the page lacks the item %q", tt.path, title)
				}
			}
			self := feed.URL(baseURL, tt.path)
			if !strings.Contains(p.DOM, `value="`+self+`"`) {
				t.Errorf("%s: the feed's address %s is not shown", tt.path, self)
			}
			if bs := button.FindAllString(p.DOM, -1); len(bs) != 1 || !strings.Contains(bs[0], `data-copy="`+self+`"`) || strings.Contains(bs[0], "hidden") {
				t.Errorf("%s: copy button %v", tt.path, bs)
			}
			if !regexp.MustCompile(`<time datetime="2026-03-\d\d">`).MatchString(p.DOM) {
				t.Errorf("%s: no item date", tt.path)
			}
			if !strings.Contains(p.DOM, tt.want) {
				t.Errorf("%s: the page lacks %s", tt.path, tt.want)
			}
			if strings.HasSuffix(tt.path, "atom.xml") && !strings.Contains(p.DOM, `<li dir="`+tt.dir+`" lang="`+tt.lang) {
				t.Errorf("%s: entries do not carry their language and direction", tt.path)
			}
		})
	}

	// Archive pages (RFC 5005) link the current feed and older items.
	for _, name := range []string{feed.RSSFile, feed.AtomFile} {
		t.Run("archive "+name, func(t *testing.T) {
			path := archivePage(t, out, base, name)
			p := open(t, base, dir, path, 1200)
			for _, want := range []string{
				`<a href="` + base + `languages/ar/archive/1/` + name + `">Older items</a>`,
				`<a href="` + base + `languages/ar/` + name + `">Current feed</a>`,
				"Items of this archive page", `<html lang="ar" dir="rtl">`,
				// One subscribes to the current feed, not to an archive page.
				`value="` + base + `languages/ar/` + name + `"`,
			} {
				if !strings.Contains(p.DOM, want) {
					t.Errorf("%s lacks %s", path, want)
				}
			}
		})
	}
}

// archivePage writes an RFC 5005 archive page made of the Arabic feed:
// fh:archive, a link to the current feed and one to older items.
func archivePage(t *testing.T, out, base, name string) string {
	t.Helper()
	// The newest of the Arabic feed's two pages, as the build wrote it.
	path := "languages/ar/archive/2/" + name
	data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "fh:archive") {
		t.Fatalf("%s is not an archive page", path)
	}
	return path
}
