package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pressroom/pressroom/internal/server"
)

// discard is a ResponseWriter that keeps nothing: the benchmarks measure
// the handlers, not a connection (.ci/compare-serve measures over TCP).
type discard struct {
	h http.Header
	n int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(int)             {}
func (d *discard) Write(p []byte) (int, error) { d.n += len(p); return len(p), nil }

// BenchmarkServe answers for a feed of 50 items (about 140 KB, as a built
// site's feed.xml) from pressroom's handler and from http.FileServer on
// the same folder: plain, gzip, and conditional requests that get a 304.
// FileServer answers the gzip request plain, and the conditional one by
// If-Modified-Since (it sends no ETag). Without a socket there is no
// sendfile: FileServer's plain answer reads the file here, pressroom's
// opens and fstats it and copies the cached bytes.
func BenchmarkServe(b *testing.B) {
	root := b.TempDir()
	var item strings.Builder
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&item, "<item><title>Story %d</title><description><![CDATA[%s]]></description></item>", i,
			strings.Repeat("The council met on Monday and voted to build forty kilometres of protected lanes. ", 34))
	}
	write(b, filepath.Join(root, "feed.xml"), `<?xml version="1.0"?><rss version="2.0"><channel>`+item.String()+`</channel></rss>`)
	press, files := server.New(root), http.FileServer(http.Dir(root))
	server.Settled(press) // else the file just written is checked against its bytes on each request
	validators := func(h http.Handler, gzip bool) (etag, lastMod string) {
		req := httptest.NewRequest(http.MethodGet, "/feed.xml", nil)
		if gzip {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
		return rec.Header().Get("ETag"), rec.Header().Get("Last-Modified")
	}
	etag, _ := validators(press, false)
	gzipETag, _ := validators(press, true)
	_, lastMod := validators(files, false)
	for _, bc := range []struct {
		name   string
		h      http.Handler
		header map[string]string
	}{
		{"pressroom/plain", press, nil},
		{"FileServer/plain", files, nil},
		{"pressroom/gzip", press, map[string]string{"Accept-Encoding": "gzip"}},
		{"FileServer/gzip", files, map[string]string{"Accept-Encoding": "gzip"}},
		{"pressroom/304", press, map[string]string{"If-None-Match": etag}},
		{"pressroom/304-gzip", press, map[string]string{"If-None-Match": gzipETag, "Accept-Encoding": "gzip"}},
		{"FileServer/304", files, map[string]string{"If-Modified-Since": lastMod}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				req := httptest.NewRequest(http.MethodGet, "/feed.xml", nil)
				for k, v := range bc.header {
					req.Header.Set(k, v)
				}
				w := &discard{h: http.Header{}}
				for pb.Next() {
					clear(w.h)
					bc.h.ServeHTTP(w, req)
				}
			})
		})
	}
}
