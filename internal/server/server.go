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

// The header values every answer of a kind shares, assigned as they are
// into the answers' header maps (see headers).
var (
	nosniff        = []string{"nosniff"}
	referrerPolicy = []string{"strict-origin-when-cross-origin"}
	pagePolicy     = []string{feed.PageSecurityPolicy}
	noFraming      = []string{"DENY"}
	noStore        = []string{"no-store"}
	partnerCache   = []string{partners.CacheControl} // as the edge's partner headers policy
	varyEncoding   = []string{"Accept-Encoding"}
	gzipEncoding   = []string{"gzip"}
	allowMethods   = []string{"GET, HEAD, OPTIONS"}
	corsOrigin     = []string{"*"}
	corsHeaders    = []string{"If-None-Match, If-Modified-Since"}
	partnerHeaders = []string{"Authorization, If-None-Match, If-Modified-Since"}
	corsExpose     = []string{"ETag, Last-Modified"}
	corsMaxAge     = []string{"86400"}
)

// secure sets the security headers of every answer but a 304, as the
// CDN's headers policy: nosniff and the referrer policy, and for a page
// (every file but the JSON feeds: the HTML pages and the feeds, which
// browsers show through feed.xsl) the pages' content security policy and
// no framing. A 304 goes without them: it has no body for them to
// govern, and a cache that revalidates keeps those of its stored answer
// (RFC 9111 §4.3.4).
func secure(hdr http.Header, page bool) {
	hdr["X-Content-Type-Options"] = nosniff
	hdr["Referrer-Policy"] = referrerPolicy
	if page {
		hdr["Content-Security-Policy"] = pagePolicy
		hdr["X-Frame-Options"] = noFraming
	}
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions {
		secure(hdr, false)
		hdr["Allow"] = allowMethods
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	key := strings.TrimPrefix(path.Clean(p), "/")
	if key == "" || strings.HasSuffix(r.URL.Path, "/") {
		key = path.Join(key, feed.IndexPath)
	}
	if store.CheckKey(key) != nil || article.Hidden(key) {
		secure(hdr, false)
		http.NotFound(w, r)
		return
	}
	// Any case: on a case-insensitive disk (macOS) /Partners/x/feed.json
	// opens partners/x/feed.json. The rule then wants the literal path.
	lower := strings.ToLower(key)
	partner := lower == strings.TrimSuffix(partners.PathPrefix, "/") || strings.HasPrefix(lower, partners.PathPrefix)
	if partner {
		d := partners.Authorize(partners.Request{Method: r.Method, URI: r.URL.EscapedPath(),
			Authorization: r.Header.Values("Authorization"), RawQuery: r.URL.RawQuery}, h.keys())
		if !d.Allow {
			secure(hdr, false)
			hdr["Cache-Control"] = noStore
			w.WriteHeader(http.StatusForbidden)
			return
		}
	}
	page := !strings.HasSuffix(key, ".json")
	if !page {
		hdr["Access-Control-Allow-Origin"] = corsOrigin
		hdr["Access-Control-Allow-Methods"] = allowMethods
		if partner {
			hdr["Access-Control-Allow-Headers"] = partnerHeaders
		} else {
			hdr["Access-Control-Allow-Headers"] = corsHeaders
		}
		hdr["Access-Control-Expose-Headers"] = corsExpose
		hdr["Access-Control-Max-Age"] = corsMaxAge
	}
	if r.Method == http.MethodOptions {
		secure(hdr, false)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	cond, gzip := conditional(r), acceptsGzip(r)
	// An unconditional GET of the plain bytes of a large cached file is
	// sent from the file: one open and one fstat vouch for it.
	c, sendf := (*entry)(nil), sendFile(nil)
	if r.Method == http.MethodGet && !cond && !gzip {
		c, sendf = h.sendable(key)
	}
	var f file // a streamed file (over StreamSize), open
	if c == nil {
		// A stat, then the cached bytes it vouches for: a conditional
		// request for an unchanged file reads nothing.
		var err error
		if c, f, _, err = h.file(key); err != nil {
			secure(hdr, false)
			// /feed.xml/ names feed.xml/index.html: a path through a file is
			// not found, as on the CDN.
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, errDir) {
				http.NotFound(w, r)
			} else {
				http.Error(w, "cannot read file", http.StatusInternalServerError)
			}
			return
		}
	}
	if f != nil {
		defer f.Close()
	} else if sendf != nil {
		defer sendf.Close()
	}

	// What a 304 carries besides (RFC 9110 §15.4.5): ETag, Cache-Control,
	// Vary, and the CORS and Link headers, which are no metadata of the
	// representation. The server adds Date.
	switch {
	case partner:
		hdr["Cache-Control"] = partnerCache
	case c.pageJSON != "" && h.closed(c.pageJSON):
		hdr["Cache-Control"] = c.closedCacheControl
	default:
		hdr["Cache-Control"] = c.cacheControl
	}
	if !partner && len(h.Hubs) > 0 && c.live {
		for _, hub := range h.Hubs {
			hdr.Add("Link", "<"+hub+">; rel=\"hub\"")
		}
		hdr.Add("Link", "<"+h.selfURL(r, key)+">; rel=\"self\"")
	}
	hdr["Vary"] = varyEncoding
	gzip = gzip && f == nil // a streamed file is sent uncompressed
	etag, body, length := c.etag, c.body, c.length
	if gzip {
		etag, body, length = c.gzipETag, c.gz, c.gzipLength // a strong ETag names one representation
	}
	hdr["Etag"] = etag
	if cond {
		if notModified(r, etag[0], c.lastModified) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		// Any other condition, a range: http.ServeContent's business.
		hdr["Content-Type"] = c.contentType
		if gzip {
			hdr["Content-Encoding"] = gzipEncoding
		}
		content := io.ReadSeeker(f)
		if f == nil {
			content = bytes.NewReader(body)
		}
		http.ServeContent(&securedWriter{ResponseWriter: w, page: page}, r, "", c.modTime, content)
		return
	}
	secure(hdr, page)
	hdr["Content-Type"] = c.contentType
	if c.lastMod != nil {
		hdr["Last-Modified"] = c.lastMod
	}
	if f != nil {
		http.ServeContent(w, r, "", c.modTime, f)
		return
	}
	if gzip {
		hdr["Content-Encoding"] = gzipEncoding
	}
	hdr["Content-Length"] = length
	w.WriteHeader(http.StatusOK)
	switch {
	case r.Method == http.MethodHead:
	case sendf != nil:
		io.CopyN(w, sendf, int64(len(body)))
	default:
		w.Write(body) // whole, in one write
	}
}

// sendfileSize is the size from which an unconditional GET of the plain
// bytes is sent from the file (sendfile: the kernel copies from its page
// cache) rather than written from memory: on loopback at 140 KB this took
// a fifth off the CPU per answer (.ci/compare-serve).
const sendfileSize = 64 << 10

// conditional reports whether r asks for a part or under a condition.
func conditional(r *http.Request) bool {
	return r.Header["Range"] != nil || r.Header["If-None-Match"] != nil || r.Header["If-Modified-Since"] != nil ||
		r.Header["If-Match"] != nil || r.Header["If-Unmodified-Since"] != nil
}

// notModified reports whether r's conditions certainly make a 304 for a
// GET or HEAD of the representation of etag, last modified at
// lastModified (as Last-Modified writes it): the one condition such
// requests mostly carry, If-None-Match with that very ETag, or with no
// If-None-Match, If-Modified-Since with that very date. It decides as
// http.ServeContent would (RFC 9110 §13.2.2: If-Match and
// If-Unmodified-Since come first, so with either it says false); for
// anything else (another ETag, a list, a weak one, another date) it says
// false and leaves the answer to ServeContent.
func notModified(r *http.Request, etag, lastModified string) bool {
	if r.Header["If-Match"] != nil || r.Header["If-Unmodified-Since"] != nil {
		return false
	}
	if inm := r.Header["If-None-Match"]; inm != nil {
		return inm[0] == etag
	}
	ims := r.Header["If-Modified-Since"]
	return ims != nil && lastModified != "" && ims[0] == lastModified
}

// securedWriter is the ResponseWriter http.ServeContent answers through:
// it sets the security headers on every answer but a 304.
type securedWriter struct {
	http.ResponseWriter
	page  bool
	wrote bool
}

func (s *securedWriter) WriteHeader(code int) {
	if !s.wrote && code != http.StatusNotModified && code >= 200 {
		secure(s.Header(), s.page)
	}
	s.wrote = s.wrote || code >= 200
	s.ResponseWriter.WriteHeader(code)
}

func (s *securedWriter) Write(p []byte) (int, error) {
	if !s.wrote {
		s.WriteHeader(http.StatusOK)
	}
	return s.ResponseWriter.Write(p)
}

// ReadFrom keeps the connection's sendfile for a streamed file.
func (s *securedWriter) ReadFrom(src io.Reader) (int64, error) {
	if !s.wrote {
		s.WriteHeader(http.StatusOK)
	}
	if rf, ok := s.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(struct{ io.Writer }{s.ResponseWriter}, src)
}

// Unwrap lets http.ResponseController reach the connection.
func (s *securedWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// closed reports whether the archive page whose JSON file is key is
// closed, as that file says (_pressroom.full): the publish decided it,
// and on S3 wrote the page with feed.ClosedCacheControl. The document
// comes from the cache, and the answer is kept with it.
func (h *Handler) closed(key string) bool {
	e, f, _, err := h.file(key)
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
	rest := r.Header.Get("Accept-Encoding")
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if name = strings.TrimSpace(name); !strings.EqualFold(name, "gzip") && name != "*" {
			continue
		}
		switch strings.ReplaceAll(params, " ", "") {
		case "q=0", "q=0.0", "q=0.00", "q=0.000":
			return false
		}
		return true
	}
	return false
}
