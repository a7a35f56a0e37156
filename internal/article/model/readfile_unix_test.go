//go:build unix

package model

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadFileSpecial: a named pipe given as an article (pressroom check
// PIPE) is refused at once, not waited on until killed (found trying
// pressroom as an attacker); a regular file reads whole, up to the limit
// and not past it.
func TestReadFileSpecial(t *testing.T) {
	dir := t.TempDir()
	pipe := filepath.Join(dir, "p.md")
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadFile(pipe, 0); err == nil || !strings.Contains(err.Error(), "named pipe") {
		t.Errorf("ReadFile(pipe): %v", err)
	}
	if _, _, err := ReadFile(dir, 0); err == nil || !strings.Contains(err.Error(), "folder") {
		t.Errorf("ReadFile(folder): %v", err)
	}
	file := filepath.Join(dir, "a.md")
	for _, n := range []int{0, 1, 511, 512, 513, 4096, 100_000} {
		want := bytes.Repeat([]byte("x"), n)
		if err := os.WriteFile(file, want, 0o644); err != nil {
			t.Fatal(err)
		}
		got, _, err := ReadFile(file, 100_000)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("ReadFile of %d bytes: %d bytes, %v", n, len(got), err)
		}
	}
	if _, _, err := ReadFile(file, 99_999); !errors.Is(err, ErrRejected) {
		t.Errorf("ReadFile over the limit: %v", err)
	}
}
