// Package browser lets tests look at pages the way a person's browser
// shows them: it runs Debian's headless Chromium on a URL and returns the
// DOM the browser built (after XSLT and scripts), what the browser logged
// (console messages, refused policy checks), and a screenshot. It is
// imported by tests only.
//
// A missing chromium skips the calling test, and fails it under CI=true:
// CI must not pass on checks it did not run. No browser is downloaded at
// run time (TESTING.md): `make test` installs Debian's.
package browser

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Timeout bounds one page load; the browser is killed after it.
const Timeout = 90 * time.Second

// Chromium returns the path of the browser, or skips the test (fails it
// under CI=true) when it is not installed.
func Chromium(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed (make test installs it)")
		}
		t.Skip("chromium is not installed (make test installs it)")
	}
	return path
}

// Page is what the browser made of a URL.
type Page struct {
	DOM string // the document after the load event, as Chromium serialises it
	Log string // the browser's log: console messages and refused policy checks
}

// Refused returns the log lines of what the page's Content-Security-Policy
// made the browser refuse.
func (p Page) Refused() []string {
	var out []string
	for _, line := range strings.Split(p.Log, "\n") {
		if strings.Contains(line, "Content Security Policy") {
			out = append(out, line)
		}
	}
	return out
}

// Load opens url in headless Chromium with a fresh profile and returns
// the page; with screenshot set, it also writes a PNG of a window of
// width x height pixels there. The browser runs in its own process group,
// which is killed when the browser is done (its helpers go with it) or
// when Timeout passes.
func Load(t testing.TB, url, screenshot string, width, height int) Page {
	t.Helper()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0",
		"--hide-scrollbars", "--force-color-profile=srgb", "--lang=en-US", "--dump-dom"}
	if screenshot != "" {
		if err := os.MkdirAll(filepath.Dir(screenshot), 0o755); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--screenshot="+screenshot, "--window-size="+strconv.Itoa(width)+","+strconv.Itoa(height))
	}
	cmd := exec.Command(Chromium(t), append(args, url)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var dom, log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &dom, &log
	if err := cmd.Start(); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	pid := cmd.Process.Pid
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(Timeout):
		syscall.Kill(-pid, syscall.SIGKILL)
		<-done
		t.Fatalf("chromium: %s not loaded in %v\n%s", url, Timeout, log.String())
	}
	// Helpers the browser left in its group (a zygote, a renderer) go too.
	syscall.Kill(-pid, syscall.SIGKILL)
	if err != nil {
		t.Fatalf("chromium on %s: %v\n%s", url, err, log.String())
	}
	return Page{DOM: dom.String(), Log: log.String()}
}
