package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"mime"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	article "github.com/pressroom/pressroom/internal/article/model"
)

// Folder is a Store on a local folder: the out folder of `pressroom build`,
// served by `pressroom serve`. Writes are atomic (a temporary file in the
// same folder, then a rename). A folder keeps no metadata: Get derives the
// content type from the key's extension, as the local server does.
// Names starting with "." are the store's own (temporary files, the local
// index) and are never listed.
type Folder struct {
	root string
	dirs sync.Map // folders Put made or found: a build writes thousands of files into a few hundred
}

var _ Store = (*Folder)(nil)

// NewFolder returns a Store on root, creating the folder if needed.
func NewFolder(root string) (*Folder, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return &Folder{root: abs}, nil
}

// Root returns the folder's absolute path.
func (f *Folder) Root() string { return f.root }

func (f *Folder) path(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	if article.Hidden(key) {
		return "", ErrInvalidKey
	}
	return filepath.Join(f.root, filepath.FromSlash(key)), nil
}

// Get implements Store.
func (f *Folder) Get(_ context.Context, key string, opts GetOptions) (Object, error) {
	p, err := f.path(key)
	if err != nil {
		return Object{}, err
	}
	if opts.Version != "" {
		return Object{}, ErrNotFound // a folder keeps no versions
	}
	file, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Object{}, ErrNotFound
	}
	if err != nil {
		return Object{}, fmt.Errorf("store: %w", err)
	}
	defer file.Close()
	fi, err := file.Stat()
	if err != nil {
		return Object{}, fmt.Errorf("store: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return Object{}, ErrNotFound
	}
	max := opts.MaxBytes
	if max > 0 && fi.Size() > max {
		return Object{}, &TooLargeError{Key: key, Size: fi.Size(), Max: max}
	}
	if max <= 0 {
		max = math.MaxInt64 - 1
	}
	// The file may grow while it is read: never read past the limit.
	body, err := io.ReadAll(io.LimitReader(file, max+1))
	if err != nil {
		return Object{}, fmt.Errorf("store: %w", err)
	}
	if int64(len(body)) > max {
		return Object{}, &TooLargeError{Key: key, Size: int64(len(body)), Max: max}
	}
	return Object{Key: key, Body: body, ContentType: mime.TypeByExtension(path.Ext(key)), ModTime: fi.ModTime()}, nil
}

// Put implements Store.
func (f *Folder) Put(_ context.Context, key string, body []byte, _ PutOptions) error {
	p, err := f.path(key)
	if err != nil {
		return err
	}
	dir := filepath.Dir(p)
	if _, known := f.dirs.Load(dir); !known {
		// Mkdir first: a build creates a folder for every archive page,
		// whose parent exists, and MkdirAll stats both before making it.
		if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("store: %w", err)
			}
		}
		f.dirs.Store(dir, true)
	}
	tmp, err := os.CreateTemp(dir, tempPrefix+"*")
	if errors.Is(err, fs.ErrNotExist) {
		// Removed since (Delete removes emptied folders, or someone did).
		if err = os.MkdirAll(dir, 0o755); err == nil {
			tmp, err = os.CreateTemp(dir, tempPrefix+"*")
		}
	}
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if _, err := tmp.Write(body); err != nil {
		tmp.Close()
		return fmt.Errorf("store: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("store: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// tempPrefix starts the names of the temporary files Put writes before
// renaming them into place.
const tempPrefix = ".tmp-"

// SweepTemporaries removes the temporary files a killed writer left
// behind (a Put renames its temporary into place; killed before that, the
// temporary stays). Call it only while no other writer uses the folder: the
// local mode does so holding the index's lock.
func (f *Folder) SweepTemporaries() (int, error) {
	n := 0
	err := filepath.WalkDir(f.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if p != f.root && d.IsDir() && d.Name() == ".pressroom" {
			return filepath.SkipDir // the index, not ours
		}
		if !d.IsDir() && strings.HasPrefix(d.Name(), tempPrefix) {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("store: sweep: %w", err)
	}
	return n, nil
}

// Delete implements Store. Folders left empty are removed too, so a feed
// family that disappears leaves nothing behind.
func (f *Folder) Delete(_ context.Context, key string) error {
	p, err := f.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: %w", err)
	}
	for dir := filepath.Dir(p); dir != f.root && strings.HasPrefix(dir, f.root); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break // not empty
		}
		f.dirs.Delete(dir)
	}
	return nil
}

// List implements Store.
func (f *Folder) List(_ context.Context, prefix string) ([]ObjectInfo, error) {
	var out []ObjectInfo
	err := filepath.WalkDir(f.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if p != f.root && article.Hidden(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(f.root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		out = append(out, ObjectInfo{Key: key, Size: fi.Size(), ModTime: fi.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}
