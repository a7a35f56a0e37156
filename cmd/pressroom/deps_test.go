package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLinksNoAWS: pressroom links no AWS SDK package. Their package inits
// and the larger binary were a millisecond of every start, a build's too;
// the key-store commands that need the SDK run in cmd/pressroom-kvs.
func TestLinksNoAWS(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skip("go list:", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/aws/") {
			t.Errorf("pressroom links %s", pkg)
		}
	}
}
