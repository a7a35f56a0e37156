//go:build !linux

package server

import "os"

// openFile is os.Open: the short way of open_linux.go is Linux's.
func openFile(name string) (*os.File, error) { return os.Open(name) }
