//go:build linux

package pipeline

import (
	"encoding/binary"
	"io/fs"
	"os"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/unix"

	article "github.com/pressroom/pressroom/internal/article/model"
)

// Where a linux_dirent64 record's fields lie (read as bytes: a record
// near the end of the buffer is shorter than unix.Dirent).
const (
	inoAt    = int(unsafe.Offsetof(unix.Dirent{}.Ino))
	reclenAt = int(unsafe.Offsetof(unix.Dirent{}.Reclen))
	typeAt   = int(unsafe.Offsetof(unix.Dirent{}.Type))
	nameAt   = int(unsafe.Offsetof(unix.Dirent{}.Name))
)

// direntBuffer is how many bytes of directory records one getdents64
// reads: a few hundred names.
const direntBuffer = 16 << 10

// readFolder returns the names of the article files (hidden ones left out,
// regular files whose name Format knows) and of the visible subfolders of
// the open folder d (at path), in the folder's order: what
// os.File.ReadDir's entries would give, without an entry allocated per
// name. On a folder of 10,000 articles those were a tenth of a rebuild's
// listing, and their memory fresh pages to fault in. The file names are
// cut from one string.
func readFolder(d *os.File, path string) (names, folders []string, err error) {
	rc, err := d.SyscallConn()
	if err != nil {
		return nil, nil, err
	}
	var all []byte // the regular files' names, one after the other
	var ends []int
	var readErr error
	err = rc.Control(func(fd uintptr) {
		buf := make([]byte, direntBuffer)
		for {
			n, err := unix.Getdents(int(fd), buf)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				readErr = &fs.PathError{Op: "readdirent", Path: path, Err: err}
				return
			}
			if n <= 0 {
				return
			}
			for rec := buf[:n]; len(rec) > nameAt; {
				ino := binary.NativeEndian.Uint64(rec[inoAt:])
				size := int(binary.NativeEndian.Uint16(rec[reclenAt:]))
				typ := rec[typeAt]
				if size < nameAt || size > len(rec) {
					readErr = &fs.PathError{Op: "readdirent", Path: path, Err: unix.EIO}
					return
				}
				name := rec[nameAt:size]
				for i, c := range name {
					if c == 0 {
						name = name[:i]
						break
					}
				}
				rec = rec[size:]
				if ino == 0 || len(name) == 0 || name[0] == '.' {
					continue // a removed entry; ".", ".." and hidden names
				}
				if typ == unix.DT_UNKNOWN { // the file system does not say: ask, as ReadDir does
					var st unix.Stat_t
					err := unix.Fstatat(int(fd), string(name), &st, unix.AT_SYMLINK_NOFOLLOW)
					if err == unix.ENOENT {
						continue // gone meanwhile: ReadDir skips it too
					}
					if err != nil {
						readErr = &fs.PathError{Op: "lstat", Path: filepath.Join(path, string(name)), Err: err}
						return
					}
					switch st.Mode & unix.S_IFMT {
					case unix.S_IFDIR:
						typ = unix.DT_DIR
					case unix.S_IFREG:
						typ = unix.DT_REG
					}
				}
				switch typ {
				case unix.DT_DIR:
					folders = append(folders, string(name))
				case unix.DT_REG: // an article file or not: told below, without a string each
					all = append(all, name...)
					ends = append(ends, len(all))
				}
			}
		}
	})
	if err == nil {
		err = readErr
	}
	if err != nil {
		return nil, nil, err
	}
	names = make([]string, 0, len(ends))
	s, start := string(all), 0
	for _, end := range ends {
		if name := s[start:end]; article.Format(name) != "" {
			names = append(names, name)
		}
		start = end
	}
	return names, folders, nil
}
