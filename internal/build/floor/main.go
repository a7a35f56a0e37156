// Command floor is the floor a full build is measured against (issue 11):
// read every article file of a folder and render every body with goldmark
// (GFM and footnotes, as pressroom configures it) and sanitise it with
// bluemonday, on every core, and nothing else: no front matter decoding
// beyond cutting it off, no index, no feeds. A build cannot cost less than
// this with these libraries; `.ci/compare-hugo` reports pressroom's CPU as
// a multiple of it.
//
//	go run ./internal/build/floor DIR
package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: floor DIR")
		os.Exit(2)
	}
	var files []string
	err := filepath.WalkDir(os.Args[1], func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && filepath.Ext(p) == ".md" {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
	md := goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Footnote), goldmark.WithRendererOptions(html.WithUnsafe()))
	policy := bluemonday.UGCPolicy()
	var next, out atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for {
				i := int(next.Add(1)) - 1
				if i >= len(files) {
					return
				}
				data, err := os.ReadFile(files[i])
				if err != nil {
					fmt.Fprintln(os.Stderr, "floor:", err)
					os.Exit(1)
				}
				if bytes.HasPrefix(data, []byte("---\n")) {
					if end := bytes.Index(data[4:], []byte("\n---\n")); end >= 0 {
						data = data[4+end+5:]
					}
				}
				buf.Reset()
				if err := md.Convert(data, &buf); err != nil {
					fmt.Fprintln(os.Stderr, "floor:", files[i], err)
					os.Exit(1)
				}
				out.Add(int64(len(policy.SanitizeBytes(buf.Bytes()))))
			}
		}()
	}
	wg.Wait()
	fmt.Printf("%d files, %d bytes of sanitised HTML\n", len(files), out.Load())
}
