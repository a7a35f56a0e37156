package server

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestOpenSend: the descriptor opened to send a version gives net/http's
// first reads from the cached bytes and is handed to the connection
// positioned after them; it is refused when the file is another version
// or a folder.
func TestOpenSend(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "feed.xml")
	body := bytes.Repeat([]byte("0123456789"), 10_000)
	if err := os.WriteFile(p, body, 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	e := &entry{id: idOf(fi), body: body}
	sf, ok := openSend(p, e)
	if !ok {
		t.Fatal("the file's own version refused")
	}
	defer sf.Close()
	head := make([]byte, 512)
	if _, err := io.ReadFull(sf, head); err != nil || !bytes.Equal(head, body[:512]) {
		t.Fatalf("first read: %v", err)
	}
	rc, err := sf.(interface {
		SyscallConn() (syscall.RawConn, error)
	}).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var rest []byte
	err = rc.Read(func(fd uintptr) bool { // as net's sendfile reads from the descriptor's position
		buf := make([]byte, 64<<10)
		for {
			n, err := syscall.Read(int(fd), buf)
			if n <= 0 || err != nil {
				return true
			}
			rest = append(rest, buf[:n]...)
		}
	})
	if err != nil || !bytes.Equal(rest, body[512:]) {
		t.Errorf("handed over: %v, %d bytes, want %d from offset 512", err, len(rest), len(body)-512)
	}
	if n, err := sf.Read(head); n != 0 || err != io.EOF {
		t.Errorf("read after the end: %d, %v", n, err)
	}

	other := *e
	other.id.mtime++
	if f, ok := openSend(p, &other); ok {
		f.Close()
		t.Error("another version's file accepted")
	}
	fi, _ = os.Stat(dir)
	if f, ok := openSend(dir, &entry{id: idOf(fi)}); ok {
		f.Close()
		t.Error("a folder accepted")
	}
}

// TestSendFromFileWithoutSendfile: through a ResponseWriter with no
// connection (no sendfile), a plain GET sent from the file is the whole
// body.
func TestSendFromFileWithoutSendfile(t *testing.T) {
	dir := t.TempDir()
	body := bytes.Repeat([]byte("<item>story</item>"), 8_000)
	if err := os.WriteFile(filepath.Join(dir, "feed.xml"), body, 0o644); err != nil {
		t.Fatal(err)
	}
	h := New(dir)
	h.now = func() time.Time { return time.Now().Add(time.Hour) }
	for i := 0; i < 2; i++ { // read and cached, then sent from the file
		w := &recorder{h: http.Header{}}
		req, _ := http.NewRequest(http.MethodGet, "/feed.xml", nil)
		h.ServeHTTP(w, req)
		if w.code != 200 || !bytes.Equal(w.body.Bytes(), body) {
			t.Errorf("answer %d: %d, %d bytes, want %d", i+1, w.code, w.body.Len(), len(body))
		}
	}
}

type recorder struct {
	h    http.Header
	code int
	body bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.h }
func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}
func (r *recorder) Write(p []byte) (int, error) {
	r.WriteHeader(200)
	return r.body.Write(p)
}
