//go:build linux || darwin || freebsd || netbsd || openbsd

package pipeline

import (
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// statAt fills files[i] with the size and modification time of names[i]
// in the open folder d (at path), without following symbolic links:
// fstatat relative to the folder, where a path would be resolved from the
// root, component by component, for every file.
func statAt(d *os.File, path string, names []string, files []file) error {
	rc, err := d.SyscallConn()
	if err != nil {
		return err
	}
	var statErr error
	err = rc.Control(func(fd uintptr) {
		var st unix.Stat_t
		for i, name := range names {
			for {
				statErr = unix.Fstatat(int(fd), name, &st, unix.AT_SYMLINK_NOFOLLOW)
				if statErr != unix.EINTR {
					break
				}
			}
			if statErr != nil {
				statErr = &fs.PathError{Op: "lstat", Path: filepath.Join(path, name), Err: statErr}
				return
			}
			files[i].size = int64(st.Size)
			files[i].modTime = time.Unix(st.Mtim.Unix())
		}
	})
	if err != nil {
		return err
	}
	return statErr
}
