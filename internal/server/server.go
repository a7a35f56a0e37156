// Package server serves the out folder the way the CDN serves the feeds
// bucket: the right Content-Type per format, strong ETags and
// Last-Modified with 304 answers to conditional requests, gzip when the
// client asks, the same Cache-Control as the AWS mode, and CORS on JSON
// feeds so browser apps can fetch them. Partner feeds (partners/NAME/...)
// need a partner's key, checked by the rule the edge function applies
// (partners.Authorize); live feeds carry WebSub Link headers when hubs are
// configured. Files are served from memory, with their gzip, as long as a
// stat per request finds them unchanged (cache.go).
package server

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	article "github.com/pressroom/pressroom/internal/article/model"
	"github.com/pressroom/pressroom/internal/feed"
	"github.com/pressroom/pressroom/internal/partners"
	"github.com/pressroom/pressroom/internal/store"
)

// Handler serves files under Root.
type Handler struct {
	Root string

	// KeysFile is the partners' keys file (partners.ReadFile). Paths under
	// partners/ answer 403 with no body unless the request carries a key
	// of that partner; with no file (or none named, or one that does not
	// read), nobody gets in. The file is read again when it changes.
	KeysFile string

	// Hubs are the WebSub hubs of the live feeds (feed.xml, atom.xml and
	// feed.json of every feed, not archive pages nor partner feeds): each
	// answer for one carries Link: <hub>; rel="hub" per hub and Link:
	// <its public URL>; rel="self". No hub, no Link headers.
	Hubs []string
	// PublicURL is where the feeds are published (the CDN's base URL): the
	// self links are under it. Empty: the URL the request came to.
	PublicURL string

	// CacheBytes bounds the memory of the cache of files and their gzip,
	// kept by (size, times, inode) and checked by a stat on each request.
	// Zero: DefaultCacheBytes; negative: nothing is kept. Set it before
	// the first request.
	CacheBytes int64

	cacheOnce sync.Once
	cache     *fileCache
	fs        fileSystem       // nil: the disk
	now       func() time.Time // nil: time.Now
	streamAt  int64            // 0: StreamSize

	keysMu   sync.Mutex
	keysInfo os.FileInfo // of the keys file last read, nil when there was none
	lookup   partners.Lookup
}

// New returns a Handler serving root.
func New(root string) *Handler {
	return &Handler{Root: root}
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
	if store.CheckKey(key) != nil || article.Hidden(key) {
		http.NotFound(w, r)
		return
	}
	hdr := w.Header()
	// Any case: on a case-insensitive disk (macOS) /Partners/x/feed.json
	// opens partners/x/feed.json. The rule then wants the literal path.
	lower := strings.ToLower(key)
	partner := lower == strings.TrimSuffix(partners.PathPrefix, "/") || strings.HasPrefix(lower, partners.PathPrefix)
	if partner {
		d := partners.Authorize(partners.Request{Method: r.Method, URI: r.URL.EscapedPath(),
			Authorization: r.Header.Values("Authorization"), RawQuery: r.URL.RawQuery}, h.keys())
		if !d.Allow {
			hdr.Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusForbidden)
			return
		}
	}
	if strings.HasSuffix(key, ".json") {
		hdr.Set("Access-Control-Allow-Origin", "*")
		hdr.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		if partner {
			hdr.Set("Access-Control-Allow-Headers", "Authorization, If-None-Match, If-Modified-Since")
		} else {
			hdr.Set("Access-Control-Allow-Headers", "If-None-Match, If-Modified-Since")
		}
		hdr.Set("Access-Control-Expose-Headers", "ETag, Last-Modified")
		hdr.Set("Access-Control-Max-Age", "86400")
	}
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	// A stat, then the cached bytes it vouches for: a conditional request
	// for an unchanged file reads nothing.
	c, f, hit, err := h.file(key, filepath.Join(h.Root, filepath.FromSlash(key)))
	if err != nil {
		// /feed.xml/ names feed.xml/index.html: a path through a file is
		// not found, as on the CDN.
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, errDir) {
			http.NotFound(w, r)
		} else {
			http.Error(w, "cannot read file", http.StatusInternalServerError)
		}
		return
	}
	if f != nil {
		defer f.Close()
	}

	hdr.Set("Content-Type", feed.ContentType(key))
	hdr.Set("Cache-Control", feed.CacheControl(key))
	if id, n, ok := feed.ParsePagePath(key); ok && h.closed(id, n) {
		hdr.Set("Cache-Control", feed.ClosedCacheControl(key))
	}
	if partner {
		hdr.Set("Cache-Control", partners.CacheControl) // as the edge's partner headers policy
	}
	// Every file but the JSON feeds, as the CDN's default behaviour: the
	// HTML pages and the feeds, which browsers show through feed.xsl.
	if !strings.HasSuffix(key, ".json") {
		hdr.Set("Content-Security-Policy", feed.PageSecurityPolicy)
		hdr.Set("X-Frame-Options", "DENY")
	}
	if !partner && len(h.Hubs) > 0 && liveFeed(key) {
		for _, hub := range h.Hubs {
			hdr.Add("Link", "<"+hub+">; rel=\"hub\"")
		}
		hdr.Add("Link", "<"+h.selfURL(r, key)+">; rel=\"self\"")
	}
	hdr.Add("Vary", "Accept-Encoding")
	if f != nil { // over StreamSize: from the disk, uncompressed
		hdr.Set("ETag", c.etagHeader)
		http.ServeContent(w, r, "", c.modTime, f)
		return
	}
	if acceptsGzip(r) {
		hdr.Set("Content-Encoding", "gzip")
		// A strong ETag names one representation: the gzip bytes differ.
		serveBytes(w, r, c, c.gzipETagHeader, c.gz)
		return
	}
	// (A file just read is written from the bytes in hand.)
	if hit && r.Method == http.MethodGet && len(c.body) >= sendfileSize && !conditional(r) && h.sendFile(w, key, c) {
		return
	}
	serveBytes(w, r, c, c.etagHeader, c.body)
}

// sendfileSize is the size from which an unconditional GET of the plain
// bytes is sent from the file (sendfile: the kernel copies from its page
// cache) rather than written from memory: on loopback at 140 KB this took
// a fifth off the CPU per answer (.ci/compare-serve).
const sendfileSize = 64 << 10

// sendFile answers with the file itself when the open file is still the
// version c holds, and reports whether it did.
func (h *Handler) sendFile(w http.ResponseWriter, key string, c *entry) bool {
	f, err := h.fsys().Open(filepath.Join(h.Root, filepath.FromSlash(key)))
	if err != nil {
		return false
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || idOf(fi) != c.id {
		return false
	}
	hdr := w.Header()
	hdr.Set("ETag", c.etagHeader)
	if c.lastModified != "" {
		hdr.Set("Last-Modified", c.lastModified)
	}
	hdr.Set("Content-Length", strconv.Itoa(len(c.body)))
	w.WriteHeader(http.StatusOK)
	io.CopyN(w, f, int64(len(c.body)))
	return true
}

// conditional reports whether r asks for a part or under a condition:
// http.ServeContent's business.
func conditional(r *http.Request) bool {
	return r.Header["Range"] != nil || r.Header["If-None-Match"] != nil || r.Header["If-Modified-Since"] != nil ||
		r.Header["If-Match"] != nil || r.Header["If-Unmodified-Since"] != nil
}

// serveBytes answers with one representation of a cached file. A plain
// GET or HEAD is written whole in one write; conditional and range
// requests go to http.ServeContent, which copies 32 KB at a time.
func serveBytes(w http.ResponseWriter, r *http.Request, c *entry, etag string, body []byte) {
	hdr := w.Header()
	hdr.Set("ETag", etag)
	if conditional(r) {
		http.ServeContent(w, r, "", c.modTime, bytes.NewReader(body))
		return
	}
	if c.lastModified != "" {
		hdr.Set("Last-Modified", c.lastModified)
	}
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// closed reports whether archive page n of a feed is closed, as its JSON
// file says (_pressroom.full): the publish decided it, and on S3 wrote
// the page with feed.ClosedCacheControl. The document comes from the
// cache, and the answer is kept with it.
func (h *Handler) closed(id string, n int) bool {
	key := path.Join(feed.PageDir(id, n), feed.JSONFile)
	e, f, _, err := h.file(key, filepath.Join(h.Root, filepath.FromSlash(key)))
	if err != nil {
		return false
	}
	if f != nil {
		defer f.Close()
	}
	return e.full(f)
}

// keys returns the lookup over the keys file, reading it again when it
// changed (another file renamed over it, another size or time). A missing
// or unreadable file lets nobody in.
func (h *Handler) keys() partners.Lookup {
	none := func(string) (string, bool) { return "", false }
	if h.KeysFile == "" {
		return none
	}
	h.keysMu.Lock()
	defer h.keysMu.Unlock()
	fi, err := os.Stat(h.KeysFile)
	if err != nil {
		h.keysInfo, h.lookup = nil, nil
		return none
	}
	if h.lookup != nil && h.keysInfo != nil && os.SameFile(fi, h.keysInfo) && fi.Size() == h.keysInfo.Size() && fi.ModTime().Equal(h.keysInfo.ModTime()) {
		return h.lookup
	}
	keys, err := partners.ReadFile(h.KeysFile)
	if err != nil {
		h.keysInfo, h.lookup = fi, none // closed until the file changes again
		return none
	}
	h.keysInfo, h.lookup = fi, partners.FileLookup(keys)
	return h.lookup
}

// liveFeed reports whether key is a feed's live file (not an archive
// page): what WebSub subscribers subscribe to.
func liveFeed(key string) bool {
	switch path.Base(key) {
	case feed.RSSFile, feed.AtomFile, feed.JSONFile:
	default:
		return false
	}
	_, _, page := feed.ParsePagePath(key)
	return !page
}

// selfURL is the public URL of a published file.
func (h *Handler) selfURL(r *http.Request, key string) string {
	base, err := url.Parse(h.PublicURL)
	if h.PublicURL == "" || err != nil {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = &url.URL{Scheme: scheme, Host: r.Host, Path: "/"}
	}
	return feed.URL(base, key)
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
