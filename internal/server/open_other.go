//go:build !linux

package server

import "os"

// openFile is os.Open: the short way of open_linux.go is Linux's.
func openFile(name string) (*os.File, error) { return os.Open(name) }

// openSend opens the file at name to send e's bytes, when it is e's
// version.
func openSend(name string, e *entry) (sendFile, bool) {
	f, err := openFile(name)
	if err != nil {
		return nil, false
	}
	if fi, err := f.Stat(); err != nil || fi.IsDir() || idOf(fi) != e.id {
		f.Close()
		return nil, false
	}
	return f, true
}
