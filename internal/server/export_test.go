package server

import (
	"io/fs"
	"sync"
	"time"
)

// CountingFS is the disk, counting the files opened and the bytes read
// through it; Freeze makes its stats tell only a file's size and a fixed
// modification time, as on a file system with coarse timestamps and no
// inodes.
type CountingFS struct {
	mu     sync.Mutex
	Opens  int
	Bytes  int64
	Freeze time.Time
}

func (c *CountingFS) Counts() (opens int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Opens, c.Bytes
}

func (c *CountingFS) Stat(name string) (fs.FileInfo, error) {
	fi, err := osFS{}.Stat(name)
	if err != nil || c.Freeze.IsZero() {
		return fi, err
	}
	return frozen{fi, c.Freeze}, nil
}

func (c *CountingFS) Open(name string) (file, error) {
	f, err := osFS{}.Open(name)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.Opens++
	c.mu.Unlock()
	return &countingFile{f, c}, nil
}

// OpenSend counts an open; with Freeze, the open file's frozen stat
// decides whether it is e's version.
func (c *CountingFS) OpenSend(name string, e *entry) (sendFile, bool) {
	if !c.Freeze.IsZero() {
		f, err := c.Open(name)
		if err != nil {
			return nil, false
		}
		if fi, err := f.Stat(); err != nil || idOf(fi) != e.id {
			f.Close()
			return nil, false
		}
		return f, true
	}
	f, ok := osFS{}.OpenSend(name, e)
	if ok {
		c.mu.Lock()
		c.Opens++
		c.mu.Unlock()
	}
	return f, ok
}

type countingFile struct {
	file
	c *CountingFS
}

func (f *countingFile) Read(p []byte) (int, error) {
	n, err := f.file.Read(p)
	f.c.mu.Lock()
	f.c.Bytes += int64(n)
	f.c.mu.Unlock()
	return n, err
}

func (f *countingFile) Stat() (fs.FileInfo, error) {
	fi, err := f.file.Stat()
	if err != nil || f.c.Freeze.IsZero() {
		return fi, err
	}
	return frozen{fi, f.c.Freeze}, nil
}

type frozen struct {
	fs.FileInfo
	t time.Time
}

func (f frozen) ModTime() time.Time { return f.t }
func (f frozen) Sys() any           { return nil }

// Instrument makes h read through c, see the time as now says and stream
// files over streamAt bytes (0: StreamSize).
func Instrument(h *Handler, c *CountingFS, now func() time.Time, streamAt int64) {
	h.fs, h.now, h.streamAt = c, now, streamAt
}

// CacheUsed is the memory h's cache holds, by its count, and its number of entries.
func CacheUsed(h *Handler) (int64, int) {
	c := h.files()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used, len(c.entries)
}

// ETagOf is the ETag h gives a body.
func ETagOf(body []byte) string {
	return `"` + newEntry("", "", fileID{}, time.Time{}, body, 0).etagHex + `"`
}

// Settled makes h see the time racyWindow ahead, as if every file had
// been written long before: what a site serves between builds.
func Settled(h *Handler) {
	h.now = func() time.Time { return time.Now().Add(racyWindow + time.Second) }
}
