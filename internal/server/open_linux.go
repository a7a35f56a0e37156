package server

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// openFile opens name for reading in two system calls (openat, and the
// F_GETFL of os.NewFile) where os.Open takes six for a regular file: it
// puts the descriptor in non-blocking mode, offers it to epoll, which
// refuses regular files (EPERM), and puts blocking mode back. The file
// ends the same either way, read by blocking calls outside the poller,
// and sendfile takes it alike. On a plain GET sent from the file this
// took about 2 µs (5%) off the server's CPU per answer. The out folder
// holds regular files; a FIFO put there would be read by blocking a
// thread rather than parking a goroutine.
func openFile(name string) (*os.File, error) {
	fd, err := open(name)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
	return os.NewFile(uintptr(fd), name), nil
}

func open(name string) (int, error) {
	for {
		fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

// openSend opens the file at name to send e's bytes, when it is e's
// version: a bare descriptor, fstat into a Stat_t, no *os.File (its
// F_GETFL, its cleanup, its FileInfo), and net/http's first read (the
// 512 bytes it takes before handing the rest to the connection's
// sendfile) answered from e's bytes rather than by a read(2): about
// 1.5 µs less of the server's CPU per answer than opening an *os.File
// (.ci/compare-serve, a 145 KB feed.xml).
func openSend(name string, e *entry) (sendFile, bool) {
	fd, err := open(name)
	if err != nil {
		return nil, false
	}
	var st syscall.Stat_t
	if syscall.Fstat(fd, &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG || statID(&st) != e.id {
		syscall.Close(fd)
		return nil, false
	}
	return &rawFile{fd: fd, body: e.body}, true
}

// statID is idOf for a Stat_t.
func statID(st *syscall.Stat_t) fileID {
	msec, mnsec := st.Mtim.Unix()
	csec, cnsec := st.Ctim.Unix()
	return fileID{size: st.Size, mtime: msec*1e9 + mnsec, ctime: csec*1e9 + cnsec, dev: uint64(st.Dev), ino: uint64(st.Ino)}
}

// rawFile is a file open to send one answer's body, the version whose
// bytes are body. Reads come from body until the connection takes the
// descriptor (net's sendfile, through SyscallConn), which it then finds
// positioned where the reads stopped; reads after that go to the file.
type rawFile struct {
	fd     int
	body   []byte
	off    int  // of the next read in body
	handed bool // the descriptor's position is the file's own
}

func (f *rawFile) Read(p []byte) (int, error) {
	if f.handed {
		n, err := syscall.Read(f.fd, p)
		switch {
		case err != nil:
			return 0, os.NewSyscallError("read", err)
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
	if f.off >= len(f.body) {
		return 0, io.EOF
	}
	n := copy(p, f.body[f.off:])
	f.off += n
	return n, nil
}

func (f *rawFile) Close() error { return syscall.Close(f.fd) }

// SyscallConn is what net's sendfile asks a source for.
func (f *rawFile) SyscallConn() (syscall.RawConn, error) { return (*rawConn)(f), nil }

// rawConn hands a rawFile's descriptor over, positioned where its reads
// stopped.
type rawConn rawFile

func (c *rawConn) Control(fn func(fd uintptr)) error { fn(uintptr(c.fd)); return nil }

func (c *rawConn) Read(fn func(fd uintptr) bool) error {
	if !c.handed {
		if c.off > 0 {
			if _, err := syscall.Seek(c.fd, int64(c.off), io.SeekStart); err != nil {
				return err
			}
		}
		c.handed = true
	}
	if !fn(uintptr(c.fd)) {
		return errWouldBlock
	}
	return nil
}

func (c *rawConn) Write(func(fd uintptr) bool) error { return errors.ErrUnsupported }

var errWouldBlock = errors.New("server: a regular file would block")
