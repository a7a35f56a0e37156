// Package server serves the out folder the way the CDN serves the feeds
// bucket: the right Content-Type per format, strong ETags and
// Last-Modified with 304 answers to conditional requests, gzip when the
// client asks, the same Cache-Control as the AWS mode, and CORS on JSON
// feeds so browser apps can fetch them.
package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pressroom/pressroom/internal/feed"
	"github.com/pressroom/pressroom/internal/store"
)

// Handler serves files under Root.
type Handler struct {
	Root string

	mu    sync.Mutex
	cache map[string]cached // by path: content hash and gzip body, for the file's (size, mtime)
}

type cached struct {
	size    int64
	modTime time.Time
	etag    string
	gz      []byte
}

// New returns a Handler serving root.
func New(root string) *Handler {
	return &Handler{Root: root, cache: map[string]cached{}}
}

// Limits of the local server, as NewServer sets them: a slow or idle
// client cannot hold a connection for ever, nor send unbounded headers.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 30 * time.Second
	WriteTimeout      = 60 * time.Second
	IdleTimeout       = 120 * time.Second
	MaxHeaderBytes    = 64 << 10
)

// NewServer returns an http.Server for h with the limits above.
func NewServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: ReadHeaderTimeout, ReadTimeout: ReadTimeout,
		WriteTimeout: WriteTimeout, IdleTimeout: IdleTimeout, MaxHeaderBytes: MaxHeaderBytes}
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// On every answer, errors included, as the CDN's headers policy does.
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "strict-origin-when-cross-origin")
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions {
		w.Header().Set("Allow", "GET, HEAD, OPTIONS")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	key := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if key == "" || strings.HasSuffix(r.URL.Path, "/") {
		key = path.Join(key, feed.IndexPath)
	}
	if store.CheckKey(key) != nil || hidden(key) {
		http.NotFound(w, r)
		return
	}
	hdr := w.Header()
	if strings.HasSuffix(key, ".json") {
		hdr.Set("Access-Control-Allow-Origin", "*")
		hdr.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		hdr.Set("Access-Control-Allow-Headers", "If-None-Match, If-Modified-Since")
		hdr.Set("Access-Control-Expose-Headers", "ETag, Last-Modified")
		hdr.Set("Access-Control-Max-Age", "86400")
	}
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	p := filepath.Join(h.Root, filepath.FromSlash(key))
	f, err := os.Open(p)
	if err != nil {
		// /feed.xml/ names feed.xml/index.html: a path through a file is
		// not found, as on the CDN.
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			http.NotFound(w, r)
		} else {
			http.Error(w, "cannot read file", http.StatusInternalServerError)
		}
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.IsDir() {
		http.NotFound(w, r)
		return
	}
	body, err := readAll(f, fi.Size())
	if err != nil {
		http.Error(w, "cannot read file", http.StatusInternalServerError)
		return
	}
	c := h.entry(key, fi, body)

	hdr.Set("Content-Type", feed.ContentType(key))
	hdr.Set("Cache-Control", feed.CacheControl(key))
	// Every file but the JSON feeds, as the CDN's default behaviour: the
	// HTML pages and the feeds, which browsers show through feed.xsl.
	if !strings.HasSuffix(key, ".json") {
		hdr.Set("Content-Security-Policy", feed.PageSecurityPolicy)
		hdr.Set("X-Frame-Options", "DENY")
	}
	hdr.Add("Vary", "Accept-Encoding")
	if acceptsGzip(r) {
		hdr.Set("Content-Encoding", "gzip")
		// A strong ETag names one representation: the gzip bytes differ.
		hdr.Set("ETag", `"`+c.etag+`-gzip"`)
		http.ServeContent(w, r, "", fi.ModTime(), bytes.NewReader(c.gz))
		return
	}
	hdr.Set("ETag", `"`+c.etag+`"`)
	http.ServeContent(w, r, "", fi.ModTime(), bytes.NewReader(body))
}

// entry returns the cached hash and gzip body for a file version.
func (h *Handler) entry(key string, fi fs.FileInfo, body []byte) cached {
	h.mu.Lock()
	c, ok := h.cache[key]
	h.mu.Unlock()
	if ok && c.size == fi.Size() && c.modTime.Equal(fi.ModTime()) {
		return c
	}
	sum := sha256.Sum256(body)
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(body)
	zw.Close()
	c = cached{size: fi.Size(), modTime: fi.ModTime(), etag: hex.EncodeToString(sum[:16]), gz: gz.Bytes()}
	h.mu.Lock()
	h.cache[key] = c
	h.mu.Unlock()
	return c
}

func readAll(f *os.File, size int64) ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, size+512))
	_, err := buf.ReadFrom(f)
	return buf.Bytes(), err
}

func hidden(key string) bool {
	for _, seg := range strings.Split(key, "/") {
		if strings.HasPrefix(seg, ".") {
			return true
		}
	}
	return false
}

// acceptsGzip reports whether the request accepts gzip (q above zero).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.TrimSpace(name) != "*" {
			continue
		}
		params = strings.ReplaceAll(params, " ", "")
		if params == "q=0" || params == "q=0.0" || params == "q=0.00" || params == "q=0.000" {
			return false
		}
		return true
	}
	return false
}
