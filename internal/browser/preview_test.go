package browser_test

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pressroom/pressroom/internal/browser"
	"github.com/pressroom/pressroom/internal/cli"
)

// TestCheckPreviewInBrowser opens the preview `pressroom check --html`
// writes of an Arabic article in Chromium: the article element is right
// to left, the browser refuses none of the page's own style under its
// policy, and the logical CSS lays the article out from the right (its
// inline-start border is drawn on the right-hand side).
func TestCheckPreviewInBrowser(t *testing.T) {
	browser.Chromium(t)
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"check", "--config", "../../examples/site/pressroom.yaml", "--html", dir, "../../examples/site/articles/rabat-tramway.html"}
	if code := cli.Main(t.Context(), args, &stdout, &stderr); code != cli.ExitOK {
		t.Fatalf("check: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "001-*.html"))
	if len(pages) != 1 {
		t.Fatalf("previews %v", pages)
	}
	shot := filepath.Join(artifacts(t), "check-preview-arabic.png")
	p := browser.Load(t, "file://"+pages[0], shot, 1000, 900)
	os.WriteFile(strings.TrimSuffix(shot, ".png")+".dom.html", []byte(p.DOM), 0o644)
	if !strings.Contains(p.DOM, `<article lang="ar-MA" dir="rtl">`) || !strings.Contains(p.DOM, "ترامواي الرباط يصل إلى حي يعقوب المنصور") {
		t.Errorf("the browser did not build the article:\n%s", p.DOM)
	}
	for _, line := range p.Refused() {
		if strings.Contains(line, "style") {
			t.Errorf("the browser refused the page's style: %s", line)
		}
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// The article's border colour (#2f5fb3), left and right of the middle.
	var left, right int
	b := img.Bounds()
	mid := (b.Min.X + b.Max.X) / 2
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 == 0x2f && g>>8 == 0x5f && bl>>8 == 0xb3 {
				if x < mid {
					left++
				} else {
					right++
				}
			}
		}
	}
	if right < 1000 || left > right/10 {
		t.Errorf("the article's start border is not on the right: %d pixels of it left of the middle, %d right", left, right)
	}
}
