// Package edgetest (tests only) runs the partners' CloudFront Function in
// front of an origin, the way CloudFront's partners/* behaviour does: a
// Node.js viewer (functions/edge/test/viewer.mjs) turns each HTTP request
// into the cloudfront-js-2.0 event, runs functions/edge/partners.js on it
// (the file template.yaml deploys, unmodified), and answers the function's
// response or forwards the request it returned to the origin. End-to-end
// tests use it to show partner feeds served with a key and refused without.
package edgetest

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// ViewerScript is functions/edge/test/viewer.mjs, found from this file.
func ViewerScript() string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", "..", "..", "functions", "edge", "test", "viewer.mjs")
}

var listening = regexp.MustCompile(`^listening on (http://127\.0\.0\.1:\d+)$`)

// Start starts the viewer on a free port of 127.0.0.1 in front of origin
// (a base URL such as an httptest server's), with store as the
// KeyValueStore's contents (key hash -> value, partners.StoreValue), and
// returns its base URL. It stops when the test ends. Without Node.js the
// test is skipped, or fails under CI=true.
func Start(t testing.TB, origin string, store map[string]string) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("edgetest: node is not installed (Node.js 20 or later runs the edge function)")
		}
		t.Skip("edgetest: node is not installed (Node.js 20 or later runs the edge function)")
	}
	if store == nil {
		store = map[string]string{}
	}
	data, err := json.Marshal(store)
	if err != nil {
		t.Fatalf("edgetest: store: %v", err)
	}
	storeFile := filepath.Join(t.TempDir(), "store.json")
	if err := os.WriteFile(storeFile, data, 0o600); err != nil {
		t.Fatalf("edgetest: %v", err)
	}
	cmd := exec.Command(node, ViewerScript(), "--origin", origin, "--store", storeFile)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("edgetest: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("edgetest: starting node: %v", err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		cmd.Wait()
		close(done)
	}()
	select {
	case base := <-found:
		return base
	case <-done:
		t.Fatalf("edgetest: the viewer stopped before listening: %s", stderr.String())
	case <-time.After(15 * time.Second):
		t.Fatalf("edgetest: the viewer did not start in 15 s: %s", stderr.String())
	}
	return ""
}
