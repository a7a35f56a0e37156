package pipeline

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	article "github.com/pressroom/pressroom/internal/article/model"
	"github.com/pressroom/pressroom/internal/index"
)

// file is an article file as a Sync finds it.
type file struct {
	key     string // slash-separated path relative to the articles folder
	size    int64
	modTime time.Time
	stat    *index.FileStat // the index's FileStat of the file, if any (pair)
	old     *index.Summary  // the index's summary of the file, for files to read (Sync)
}

// pair gives each file its FileStat in the index (stats, sorted by key as
// StatLister.ListStats and Index.List return them; files sorted by key as
// articleFiles returns them) and returns the sources gone from the folder
// since: one pass over the two lists.
func pair(files []file, stats []index.FileStat) []*index.FileStat {
	byKey := func(a, b index.FileStat) int { return strings.Compare(a.Key, b.Key) }
	if !slices.IsSortedFunc(stats, byKey) {
		slices.SortFunc(stats, byKey) // not as the index promises: the pairing needs it
	}
	var gone []*index.FileStat
	i := 0
	for k := range stats {
		s := &stats[k]
		for i < len(files) && files[i].key < s.Key {
			i++
		}
		switch {
		case i < len(files) && files[i].key == s.Key:
			files[i].stat = s
			i++
		case !s.Deleted:
			gone = append(gone, s)
		}
	}
	return gone
}

// path is the file's path: the one filepath.WalkDir gives it.
func (f file) path(dir string) string { return filepath.Join(dir, filepath.FromSlash(f.key)) }

// articleFiles lists the article files under dir, as article.WalkFiles
// defines them (hidden files and folders skipped, regular files whose name
// Format knows), with their size and modification time, sorted by key.
//
// A build that finds nothing changed still stats every file; that is most
// of its work. So each folder is read here, not walked, and its files are
// looked up relative to it while it is open (statAt: fstatat where the
// system has it, which resolves one name instead of the whole path), on
// every core for a large folder (statAll).
func articleFiles(dir string) ([]file, error) {
	dir = article.ResolveRoot(dir) // keys are relative: the same through a link
	fi, err := os.Lstat(dir)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	if !fi.IsDir() {
		// A symbolic link or a file: whatever filepath.WalkDir makes of
		// it, as WalkFiles has always done.
		return walkedFiles(dir)
	}
	type folder struct{ path, prefix string } // prefix: the keys', "" or "sub/"
	var out []file
	queue := []folder{{path: dir}}
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		// One folder open at a time: a site of one folder per article
		// would otherwise run out of file descriptors.
		f, err := os.Open(d.path)
		if err != nil {
			return nil, fmt.Errorf("pipeline: %w", err)
		}
		names, folders, err := readFolder(f, d.path)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("pipeline: %w", err)
		}
		for _, name := range folders {
			queue = append(queue, folder{filepath.Join(d.path, name), d.prefix + name + "/"})
		}
		// In order, so that the files of one folder need no sorting after.
		slices.Sort(names)
		from := len(out)
		out = slices.Grow(out, len(names))[:from+len(names)]
		for i, name := range names {
			out[from+i] = file{key: d.prefix + name}
		}
		err = statAll(f, d.path, names, out[from:])
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("pipeline: %w", err)
		}
	}
	if byKey := func(a, b file) int { return strings.Compare(a.key, b.key) }; !slices.IsSortedFunc(out, byKey) {
		slices.SortFunc(out, byKey) // files of subfolders
	}
	return out, nil
}

// statChunk is how many files one goroutine of statAll stats at a time.
const statChunk = 512

// statAll is statAt in chunks of statChunk files, on every core when a
// folder has more than one chunk. The error is the first in names' order,
// the same every time.
func statAll(d *os.File, path string, names []string, files []file) error {
	chunks := (len(names) + statChunk - 1) / statChunk
	if chunks <= 1 {
		return statAt(d, path, names, files)
	}
	errs := make([]error, chunks)
	next := make(chan int, chunks)
	for c := range chunks {
		next <- c
	}
	close(next)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), chunks) {
		wg.Go(func() {
			for c := range next {
				lo, hi := c*statChunk, min((c+1)*statChunk, len(names))
				errs[c] = statAt(d, path, names[lo:hi], files[lo:hi])
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// walkedFiles is articleFiles through article.WalkFiles, one lstat by full
// path per file.
func walkedFiles(dir string) ([]file, error) {
	var out []file
	err := article.WalkFiles(dir, func(path string, d fs.DirEntry) error {
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		out = append(out, file{key: filepath.ToSlash(rel), size: info.Size(), modTime: info.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	slices.SortFunc(out, func(a, b file) int { return strings.Compare(a.key, b.key) })
	return out, nil
}
