package server

import (
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
	for {
		fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: name, Err: err}
		}
		return os.NewFile(uintptr(fd), name), nil
	}
}
