package model

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ReadFile reads an article file, refusing one larger than max bytes before
// reading it whole. It also returns the file's modification time, the date
// of last resort for articles that carry none.
func ReadFile(name string, max int64) ([]byte, time.Time, error) {
	if max <= 0 {
		max = DefaultMaxBytes
	}
	// A named pipe or a device would block the open or never end: refused
	// before it is opened (and again after, should it have been swapped).
	if fi, err := os.Stat(name); err != nil {
		return nil, time.Time{}, err
	} else if err := regular(name, fi); err != nil {
		return nil, time.Time{}, err
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, time.Time{}, err
	}
	if err := regular(name, fi); err != nil {
		return nil, time.Time{}, err
	}
	if fi.Size() > max {
		return nil, fi.ModTime(), TooLarge(name, fi.Size(), max)
	}
	// Read into a buffer of the file's size (and room to see it end):
	// io.ReadAll grew one by doubling, twice the copies and the garbage.
	buf := bytes.NewBuffer(make([]byte, 0, fi.Size()+bytes.MinRead))
	_, err = buf.ReadFrom(io.LimitReader(f, max+1))
	data := buf.Bytes()
	if err != nil {
		return nil, fi.ModTime(), err
	}
	if int64(len(data)) > max {
		return nil, fi.ModTime(), TooLarge(name, int64(len(data)), max)
	}
	return data, fi.ModTime(), nil
}

// regular refuses what is not a regular file: a folder, a named pipe, a
// device, a socket.
func regular(name string, fi os.FileInfo) error {
	switch {
	case fi.IsDir():
		return fmt.Errorf("article: %s is a folder", name)
	case !fi.Mode().IsRegular():
		kind := "a special file"
		switch t := fi.Mode().Type(); {
		case t&os.ModeNamedPipe != 0:
			kind = "a named pipe"
		case t&os.ModeDevice != 0:
			kind = "a device"
		case t&os.ModeSocket != 0:
			kind = "a socket"
		}
		return fmt.Errorf("article: %s is %s, not a regular file", name, kind)
	}
	return nil
}

// WalkFiles calls fn for every article file under dir (a file whose name
// Format knows), in lexical order, skipping hidden files and folders (names
// starting with "."): the one definition of "the articles in a folder".
//
// A dir that is a symbolic link to a folder is walked as that folder (the
// paths given to fn still start with dir): filepath.WalkDir alone would see
// one link and no articles, and a build would then withdraw every article.
func WalkFiles(dir string, fn func(path string, d fs.DirEntry) error) error {
	root := ResolveRoot(dir)
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if root != dir {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			p = filepath.Join(dir, rel)
		}
		if p != dir && Hidden(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || Format(p) == "" {
			return nil
		}
		return fn(p, d)
	})
}

// ResolveRoot is dir, or the folder it names when dir is a symbolic link
// to one (links inside a folder are not followed: only the root's).
func ResolveRoot(dir string) string {
	fi, err := os.Lstat(dir)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return dir
	}
	target, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return dir // the walk reports the broken link
	}
	if fi, err := os.Stat(target); err != nil || !fi.IsDir() {
		return dir
	}
	return target
}

// Hidden reports whether a slash-separated key or relative path names a
// hidden file: one of its segments starts with a dot (".pressroom/index.db",
// "drafts/.x.md", ".", ".."). Hidden files are the tools' own (the local
// index, an editor's swap file): they are not read as articles, not watched,
// not listed, stored or served. A single file name is a one-segment path.
func Hidden(key string) bool {
	for seg := range strings.SplitSeq(key, "/") {
		if strings.HasPrefix(seg, ".") {
			return true
		}
	}
	return false
}
