//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package pipeline

import (
	"os"
	"path/filepath"
)

// statAt fills files[i] with the size and modification time of names[i]
// in the folder at path, without following symbolic links.
func statAt(_ *os.File, path string, names []string, files []file) error {
	for i, name := range names {
		fi, err := os.Lstat(filepath.Join(path, name))
		if err != nil {
			return err
		}
		files[i].size, files[i].modTime = fi.Size(), fi.ModTime()
	}
	return nil
}
