package index_test

import (
	"testing"

	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/index/indextest"
)

func TestMemory(t *testing.T) {
	indextest.Run(t, indextest.Harness{New: func(t *testing.T) index.Index { return index.NewMemory() }})
}

func TestNewer(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"1", "", true}, {"", "", false}, {"0A", "9", true}, {"00000A", "B", false}, {"a", "A", false},
		{"0062E1AB3D4F5C7A00", "62E1AB3D4F5C79FF", true}, {"1700000000000000000", "999999999999999999", true},
	} {
		if got := index.Newer(tt.a, tt.b); got != tt.want {
			t.Errorf("Newer(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
