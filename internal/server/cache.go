package server

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/pressroom/pressroom/internal/feed"
)

// DefaultCacheBytes is the memory the file cache may hold (bodies and
// their gzip) when a Handler's CacheBytes is zero.
const DefaultCacheBytes = 64 << 20

// StreamSize is the size above which a file is not cached but streamed
// from the disk on every request, uncompressed: CloudFront compresses no
// object over 10,000,000 bytes either.
const StreamSize = 10_000_000

// racyWindow covers the file systems' timestamp granularity (a kernel
// tick on Linux, 1 s on ext3, 2 s on FAT). A file may be rewritten within
// one tick of being read with the same size and times, so an entry read
// less than this after its file last changed is checked against the
// file's bytes on each use, as Git treats "racily clean" index entries.
// Builds replace files by rename, which changes the inode besides.
const racyWindow = 2 * time.Second

// fileSystem is how the handler reaches the out folder; tests count reads
// through their own.
type fileSystem interface {
	Stat(name string) (fs.FileInfo, error)
	Open(name string) (file, error)
	// OpenSend opens the file at name to send e's bytes (io.CopyN of
	// len(e.body)), when it is still e's version; false otherwise, with
	// nothing left open.
	OpenSend(name string, e *entry) (sendFile, bool)
}

// sendFile is a file open to send a cached version's bytes: on Linux a
// bare descriptor net's sendfile takes (open_linux.go), elsewhere an
// *os.File.
type sendFile interface {
	io.Reader
	io.Closer
}

type file interface {
	io.ReadSeekCloser
	Stat() (fs.FileInfo, error)
}

type osFS struct{}

func (osFS) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }

func (osFS) Open(name string) (file, error) {
	f, err := openFile(name)
	if err != nil {
		return nil, err
	}
	return f, nil
}

func (osFS) OpenSend(name string, e *entry) (sendFile, bool) { return openSend(name, e) }

var _ fileSystem = osFS{}

// fileID is what a stat tells of a file version. Two stats that differ
// in any field are two versions; equal ones are the same version unless
// the entry is racy (see racyWindow).
type fileID struct {
	size     int64
	mtime    int64 // Unix nanoseconds
	ctime    int64 // inode change time, Unix nanoseconds, where the system has one
	dev, ino uint64
}

func idOf(fi fs.FileInfo) fileID {
	id := fileID{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	sysID(fi, &id)
	return id
}

// entry is one file version in memory. Entries are never changed once
// in the cache: a newer check stores a copy.
type entry struct {
	key     string
	id      fileID
	checked int64 // Unix nanoseconds, taken before the stat that gave id and the read that gave the bytes
	modTime time.Time
	etagHex string // hex of the first 16 bytes of the body's SHA-256
	// modTime as ServeContent writes it: "" for the zero time and the
	// Unix epoch, which it leaves out.
	lastModified string
	body         []byte // nil: the file is streamed (over StreamSize)
	gz           []byte
	page         *pageFlag
	headers
}

// headers are an entry's header values, made once per file version and
// assigned as they are into the answers' header maps: a request
// allocates none and canonicalises no name. Each slice has one value
// and no spare capacity, so a Header.Add on an answer copies it rather
// than writing into the one every answer shares; nothing writes into
// them in place.
type headers struct {
	name         string   // of the file on the disk
	etag         []string // `"etag"`
	gzipETag     []string // `"etag-gzip"`
	lastMod      []string // nil when lastModified is ""
	length       []string // of body
	gzipLength   []string // of gz
	contentType  []string
	cacheControl []string
	// pageJSON is the key of the JSON file of the archive page key is a
	// file of, whose "full" says whether the page is closed; "" when key
	// is no archive page's file.
	pageJSON           string
	closedCacheControl []string // of a closed page, when pageJSON is set
	live               bool     // a feed's live file (liveFeed)
}

// pageFlag memoises whether a feed page's JSON file says it is full.
type pageFlag struct {
	once sync.Once
	full bool
}

func (e *entry) cost() int64 { return int64(len(e.body)+len(e.gz)+len(e.key)+len(e.name)) + 512 }

// trusted reports whether the entry's bytes are known to be the file's
// whenever a stat gives its id again.
func (e *entry) trusted() bool {
	return max(e.id.mtime, e.id.ctime) < e.checked-int64(racyWindow)
}

func newEntry(key, name string, id fileID, modTime time.Time, body []byte, checked int64) *entry {
	sum := sha256.Sum256(body)
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(body)
	zw.Close()
	return withHeaders(&entry{key: key, headers: headers{name: name}, id: id, checked: checked, modTime: modTime, etagHex: hex.EncodeToString(sum[:16]),
		body: body, gz: gz.Bytes(), page: &pageFlag{}})
}

func withHeaders(e *entry) *entry {
	if !e.modTime.IsZero() && !e.modTime.Equal(time.Unix(0, 0)) {
		e.lastModified = e.modTime.UTC().Format(http.TimeFormat)
		e.lastMod = []string{e.lastModified}
	}
	e.etag = []string{`"` + e.etagHex + `"`}
	e.gzipETag = []string{`"` + e.etagHex + `-gzip"`}
	e.length = []string{strconv.Itoa(len(e.body))}
	e.gzipLength = []string{strconv.Itoa(len(e.gz))}
	e.contentType = []string{feed.ContentType(e.key)}
	e.cacheControl = []string{feed.CacheControl(e.key)}
	if id, n, ok := feed.ParsePagePath(e.key); ok {
		e.pageJSON = path.Join(feed.PageDir(id, n), feed.JSONFile)
		e.closedCacheControl = []string{feed.ClosedCacheControl(e.key)}
	}
	e.live = liveFeed(e.key)
	return e
}

// fileCache holds entries within a byte budget, the least recently used
// evicted first. Safe for concurrent use.
type fileCache struct {
	mu      sync.Mutex
	budget  int64
	used    int64
	entries map[string]*list.Element
	lru     list.List // of *entry, most recently used at the front
}

func newFileCache(budget int64) *fileCache {
	return &fileCache{budget: budget, entries: map[string]*list.Element{}}
}

func (c *fileCache) get(key string) *entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil
	}
	c.lru.MoveToFront(el)
	return el.Value.(*entry)
}

// put stores e in place of any entry of its key. An entry larger than the
// whole budget is not kept (the request that read it still answers).
func (c *fileCache) put(e *entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[e.key]; ok {
		c.used -= el.Value.(*entry).cost()
		c.lru.Remove(el)
		delete(c.entries, e.key)
	}
	if e.cost() > c.budget {
		return
	}
	c.entries[e.key] = c.lru.PushFront(e)
	c.used += e.cost()
	for c.used > c.budget {
		old := c.lru.Remove(c.lru.Back()).(*entry)
		delete(c.entries, old.key)
		c.used -= old.cost()
	}
}

func (c *fileCache) drop(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.used -= el.Value.(*entry).cost()
		c.lru.Remove(el)
		delete(c.entries, key)
	}
}

func (h *Handler) files() *fileCache {
	h.cacheOnce.Do(func() {
		budget := h.CacheBytes
		if budget == 0 {
			budget = DefaultCacheBytes
		}
		h.cache = newFileCache(max(budget, 0))
	})
	return h.cache
}

func (h *Handler) fsys() fileSystem {
	if h.fs != nil {
		return h.fs
	}
	return osFS{}
}

func (h *Handler) clock() int64 {
	if h.now != nil {
		return h.now().UnixNano()
	}
	return time.Now().UnixNano()
}

func (h *Handler) streamSize() int64 {
	if h.streamAt > 0 {
		return h.streamAt
	}
	return StreamSize
}

// errDir: a folder is not served (no listings), as a missing file.
var errDir = errors.New("server: a folder")

// file returns the version of the file at name (key in the cache) that a
// stat finds now. A cached version a stat vouches for is returned without
// opening the file; otherwise the file is read (and cached). A streamed
// file comes back open, positioned at its start, for the caller to
// close; f is nil otherwise. hit says the bytes came from the cache
// without a read.
func (h *Handler) file(key string) (e *entry, f file, hit bool, err error) {
	checked := h.clock()
	c := h.files()
	old := c.get(key)
	name := h.name(key, old)
	fi, err := h.fsys().Stat(name)
	if err != nil {
		return nil, nil, false, err
	}
	if fi.IsDir() {
		return nil, nil, false, errDir
	}
	if old != nil && old.id == idOf(fi) && old.trusted() && old.body != nil {
		return old, nil, true, nil
	}
	e, f, err = h.load(c, key, name, old, checked)
	return e, f, false, err
}

// name is the file of key on the disk, as old (key's entry, or nil) has
// it already.
func (h *Handler) name(key string, old *entry) string {
	if old != nil {
		return old.name
	}
	return filepath.Join(h.Root, filepath.FromSlash(key))
}

// sendable returns the cached version of key with its file open to send
// it, when that version is at least sendfileSize bytes and trusted, and
// the open file is that version: an unconditional GET of the plain
// bytes is then sent from the file (sendfile) after one open and one
// fstat, with no stat of the path. Otherwise it returns nil and leaves
// nothing open.
func (h *Handler) sendable(key string) (*entry, sendFile) {
	e := h.files().get(key)
	if e == nil || len(e.body) < sendfileSize || !e.trusted() {
		return nil, nil
	}
	f, ok := h.fsys().OpenSend(e.name, e)
	if !ok {
		return nil, nil
	}
	return e, f
}

// load reads the file at name, keeping old's gzip when the bytes are
// old's.
func (h *Handler) load(c *fileCache, key, name string, old *entry, checked int64) (*entry, file, error) {
	f, err := h.fsys().Open(name)
	if err != nil {
		c.drop(key)
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil && fi.IsDir() {
		err = errDir
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	id := idOf(fi)
	if fi.Size() > h.streamSize() {
		if old != nil && old.body == nil && old.id == id && old.trusted() {
			return old, f, nil
		}
		hash := sha256.New()
		_, err := io.Copy(hash, f)
		if err == nil {
			_, err = f.Seek(0, io.SeekStart)
		}
		if err != nil {
			f.Close()
			return nil, nil, err
		}
		e := withHeaders(&entry{key: key, headers: headers{name: name}, id: id, checked: checked, modTime: fi.ModTime(), etagHex: hex.EncodeToString(hash.Sum(nil)[:16])})
		c.put(e)
		return e, f, nil
	}
	body, err := readAll(f, fi.Size())
	f.Close()
	if err != nil {
		return nil, nil, err
	}
	if old != nil && old.body != nil && old.id == id && bytes.Equal(old.body, body) {
		e := *old
		e.checked = checked
		c.put(&e)
		return &e, nil, nil
	}
	e := newEntry(key, name, id, fi.ModTime(), body, checked)
	c.put(e)
	return e, nil, nil
}

func readAll(f io.Reader, size int64) ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, size+512))
	_, err := buf.ReadFrom(f)
	return buf.Bytes(), err
}

// full reports whether a feed page's JSON document says it is full.
func (e *entry) full(f file) bool {
	decode := func(r io.Reader) bool {
		var doc struct {
			Pressroom struct {
				Full bool `json:"full"`
			} `json:"_pressroom"`
		}
		return json.NewDecoder(r).Decode(&doc) == nil && doc.Pressroom.Full
	}
	if e.body == nil {
		return decode(io.LimitReader(f, 64<<20))
	}
	e.page.once.Do(func() { e.page.full = decode(bytes.NewReader(e.body)) })
	return e.page.full
}
