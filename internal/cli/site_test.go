package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigDiscovery: without --config, build finds pressroom.yaml as
// Hugo finds its configuration (the articles folder, its parent, the
// working folder) and says which file it uses, or that it uses the
// built-in defaults.
func TestConfigDiscovery(t *testing.T) {
	dir, src, out, cfg := exampleSite(t)
	code, _, stderr := run(t, "build", "--src", src, "--out", out)
	if code != ExitOK {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	if want := "pressroom: configuration " + cfg + "\n"; !strings.Contains(stderr, want) {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
	var doc struct{ Title string }
	data, _ := os.ReadFile(filepath.Join(out, "feed.json"))
	if json.Unmarshal(data, &doc); doc.Title != "Example Daily" {
		t.Errorf("feed title %q: the site's configuration was not used", doc.Title)
	}
	// index.html follows site.language (ar): right to left.
	if page, _ := os.ReadFile(filepath.Join(out, "index.html")); !strings.Contains(string(page), `<html lang="ar" dir="rtl">`) {
		t.Errorf("index.html does not open in Arabic, right to left")
	}

	// One in the articles folder comes first.
	inSrc := filepath.Join(src, "pressroom.yaml")
	os.WriteFile(inSrc, []byte("site:\n  title: Closer\n  base_url: https://news.example.org/\n  timezone: Africa/Casablanca\n"), 0o644)
	if code, _, stderr := run(t, "status", "--out", out); code != ExitOK || !strings.Contains(stderr, "configuration "+cfg) {
		t.Errorf("status (out folder's parent): exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = run(t, "build", "--src", src, "--out", out)
	if code != ExitOK || !strings.Contains(stderr, "configuration "+inSrc) {
		t.Errorf("exit %d, stderr %q: want %s used", code, stderr, inSrc)
	}
	os.Remove(inSrc)

	// None anywhere: the defaults, said so (the working folder is this
	// package's, which has none).
	os.Remove(cfg)
	code, _, stderr = run(t, "build", "--src", src, "--out", filepath.Join(dir, "fresh"))
	if code != ExitOK || !strings.Contains(stderr, "no pressroom.yaml in "+src+", "+dir+", .: using the built-in defaults (site.base_url http://127.0.0.1:8080/, site.timezone UTC)") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestNewIDsRefused: a site built with one configuration's ids is not
// rebuilt under another's (here the built-in defaults, as when
// pressroom.yaml is not found) unless --new-ids says so; a change that
// keeps the ids (title, feeds' address, port) goes through.
func TestNewIDsRefused(t *testing.T) {
	dir, src, out, cfg := exampleSite(t)
	if code, _, stderr := run(t, "build", "--src", src, "--out", out, "--config", cfg); code != ExitOK {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	before := snapshot(t, out)
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o644)
		return p
	}
	defaults := write("defaults.yaml", "")
	zone := write("zone.yaml", "site:\n  base_url: https://news.example.org/\n  timezone: Europe/Paris\n")
	for _, tt := range []struct{ name, file, says string }{
		{"built-in defaults", defaults, "site.base_url's host 127.0.0.1 (it was news.example.org)"},
		{"another zone", zone, "site.timezone Europe/Paris (it was Africa/Casablanca)"},
	} {
		code, _, stderr := run(t, "build", "--src", src, "--out", out, "--config", tt.file)
		if code != ExitUsage || !strings.Contains(stderr, tt.says) || !strings.Contains(stderr, "--new-ids") || !strings.Contains(stderr, "--config FILE") {
			t.Errorf("%s: exit %d, stderr %q", tt.name, code, stderr)
		}
		if after := snapshot(t, out); len(after) != len(before) || after["feed.xml"] != before["feed.xml"] {
			t.Errorf("%s: the refused build changed the site", tt.name)
		}
	}
	same := write("same-ids.yaml", "site:\n  title: Renamed Daily\n  base_url: https://news.example.org:8443/news/\n  timezone: Africa/Casablanca\nfeeds:\n  base_url: https://feeds.example.org/\n")
	if code, _, stderr := run(t, "build", "--src", src, "--out", out, "--config", same); code != ExitOK {
		t.Errorf("a change that keeps the ids: exit %d: %s", code, stderr)
	}
	code, _, stderr := run(t, "build", "--src", src, "--out", out, "--config", zone, "--new-ids")
	if code != ExitOK || !strings.Contains(stderr, "--new-ids: the ids change") {
		t.Fatalf("--new-ids: exit %d: %s", code, stderr)
	}
	// From now on, those are the site's ids.
	if code, _, stderr := run(t, "build", "--src", src, "--out", out, "--config", zone); code != ExitOK {
		t.Errorf("after --new-ids: exit %d: %s", code, stderr)
	}
}

// TestStatusBesideServe: status reads the index while serve runs (serve
// holds the file only while it builds).
func TestStatusBesideServe(t *testing.T) {
	_, src, out, cfg := exampleSite(t)
	startServe(t, src, out, cfg)
	for range 2 {
		code, stdout, stderr := run(t, "status", "--out", out, "--config", cfg)
		if code != ExitOK || !strings.Contains(stdout, "scheduled year-in-review.md") {
			t.Fatalf("status beside serve: exit %d\n%s\n%s", code, stdout, stderr)
		}
	}
	// And during a build serve runs: status waits for it.
	os.WriteFile(filepath.Join(src, "late.md"), []byte("---\ntitle: Late\ndate: 2026-03-25T10:00:00Z\n---\n\nText.\n"), 0o644)
	if code, stdout, stderr := run(t, "status", "--out", out, "--config", cfg); code != ExitOK {
		t.Fatalf("status during a rebuild: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestServeFollowsAddress: without feeds.base_url (the example site sets
// site.base_url only), the feeds link to the address serve listens on,
// whatever the port; the articles keep site.base_url and their ids.
func TestServeFollowsAddress(t *testing.T) {
	_, src, out, cfg := exampleSite(t)
	base, _, _ := startServe(t, src, out, cfg)
	fetch := fetcher(base)
	_, _, body := fetch("/feed.json")
	var doc struct {
		FeedURL string `json:"feed_url"`
		Items   []struct{ ID, URL string }
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.FeedURL != base+"/feed.json" {
		t.Errorf("feed_url %q, want %s/feed.json", doc.FeedURL, base)
	}
	if len(doc.Items) == 0 || !strings.HasPrefix(doc.Items[0].ID, "tag:news.example.org,") || !strings.HasPrefix(doc.Items[0].URL, "https://news.example.org/") {
		t.Errorf("items %+v: want the site's ids and URLs", doc.Items)
	}
	if _, _, atom := fetch("/atom.xml"); !strings.Contains(atom, `rel="self" href="`+base+`/atom.xml"`) && !strings.Contains(atom, `href="`+base+`/atom.xml" rel="self"`) {
		t.Errorf("atom.xml's self link is not under %s", base)
	}
	// Without any configuration, the articles' URLs follow too.
	empty := filepath.Join(t.TempDir(), "empty.yaml")
	os.WriteFile(empty, nil, 0o644)
	base2, _, _ := startServe(t, src, filepath.Join(t.TempDir(), "public"), empty)
	_, _, body = fetcher(base2)("/feed.json")
	if !strings.Contains(body, `"url":"`+base2+`/`) && !strings.Contains(body, `"url": "`+base2+`/`) {
		t.Errorf("without site.base_url, the articles are not under %s", base2)
	}
}

// TestMakeRunPort: make run serves on $PORT, given to make or in the
// environment.
func TestMakeRunPort(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	for _, tt := range []struct {
		args []string
		env  string
		want string
	}{
		{nil, "", "--addr 127.0.0.1:8080"},
		{[]string{"PORT=9191"}, "", "--addr 127.0.0.1:9191"},
		{nil, "PORT=9292", "--addr 127.0.0.1:9292"},
	} {
		cmd := exec.Command("make", append([]string{"-n", "-C", "../..", "run"}, tt.args...)...)
		cmd.Env = append(os.Environ(), "PORT=")
		if tt.env != "" {
			cmd.Env = append(cmd.Env, tt.env)
		}
		outb, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(outb), tt.want) {
			t.Errorf("make -n run %v (%s): %v\n%s", tt.args, tt.env, err, outb)
		}
	}
	// And serve itself, without --addr.
	t.Setenv("PORT", "9393")
	if got := defaultAddr(); got != "127.0.0.1:9393" {
		t.Errorf("defaultAddr with PORT=9393: %s", got)
	}
}
