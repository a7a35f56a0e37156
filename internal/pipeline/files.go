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
	old     *index.Summary // the index's summary of the file, if any (pair)
}

// pair gives each file its summary in the index (known, sorted by key as
// Index.List returns it; files sorted by key as articleFiles returns them)
// and returns the summaries of the files gone from the folder since: one
// pass over the two lists.
func pair(files []file, known []index.Summary) []*index.Summary {
	byKey := func(a, b index.Summary) int { return strings.Compare(a.Key, b.Key) }
	if !slices.IsSortedFunc(known, byKey) {
		slices.SortFunc(known, byKey) // not as Index.List promises: the pairing needs it
	}
	var gone []*index.Summary
	i := 0
	for k := range known {
		s := &known[k]
		for i < len(files) && files[i].key < s.Key {
			i++
		}
		switch {
		case i < len(files) && files[i].key == s.Key:
			files[i].old = s
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
// of its work. So the folders are read here, not walked, and their files
// stated relative to the open folder (statAt: fstatat where the system has
// it, which resolves one name instead of the whole path) on every core.
func articleFiles(dir string) ([]file, error) {
	fi, err := os.Lstat(dir)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	if !fi.IsDir() {
		// A symbolic link or a file: whatever filepath.WalkDir makes of
		// it, as WalkFiles has always done.
		return walkedFiles(dir)
	}
	type folder struct {
		f      *os.File
		path   string
		prefix string // key prefix: "" or "sub/"
		names  []string
		from   int // this folder's first file in out
	}
	var folders []*folder
	defer func() {
		for _, d := range folders {
			d.f.Close()
		}
	}()
	n := 0 // files found
	queue := []*folder{{path: dir}}
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		if d.f, err = os.Open(d.path); err != nil {
			return nil, fmt.Errorf("pipeline: %w", err)
		}
		folders = append(folders, d)
		entries, err := d.f.ReadDir(-1)
		if err != nil {
			return nil, fmt.Errorf("pipeline: %w", err)
		}
		d.names = make([]string, 0, len(entries))
		for _, e := range entries {
			name := e.Name()
			switch {
			case strings.HasPrefix(name, "."):
			case e.IsDir():
				queue = append(queue, &folder{path: filepath.Join(d.path, name), prefix: d.prefix + name + "/"})
			case e.Type().IsRegular() && article.Format(name) != "":
				d.names = append(d.names, name)
			}
		}
		// In order, so that the files of one folder need no sorting after.
		slices.Sort(d.names)
		d.from = n
		n += len(d.names)
	}
	out := make([]file, n)
	for _, d := range folders {
		for i, name := range d.names {
			out[d.from+i].key = d.prefix + name
		}
	}
	// Stat in chunks, on every core when there are enough of them.
	const chunk = 512
	type job struct {
		d     *folder
		names []string
		files []file
	}
	var jobs []job
	for _, d := range folders {
		for lo := 0; lo < len(d.names); lo += chunk {
			names := d.names[lo:min(lo+chunk, len(d.names))]
			jobs = append(jobs, job{d, names, out[d.from+lo : d.from+lo+len(names)]})
		}
	}
	errs := make([]error, len(jobs))
	next := make(chan int, len(jobs))
	for i := range jobs {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Go(func() {
			for i := range next {
				j := jobs[i]
				errs[i] = statAt(j.d.f, j.d.path, j.names, j.files)
			}
		})
	}
	wg.Wait()
	// The first error in the order the folders were read, the same every
	// time.
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("pipeline: %w", err)
		}
	}
	if byKey := func(a, b file) int { return strings.Compare(a.key, b.key) }; !slices.IsSortedFunc(out, byKey) {
		slices.SortFunc(out, byKey) // files of subfolders
	}
	return out, nil
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
