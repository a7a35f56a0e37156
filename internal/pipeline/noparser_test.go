package pipeline_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/config"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/pipeline"
	"github.com/pressroom/pressroom/internal/store"
)

// TestReadingFilesNeedsParse: a pipeline built without Parse (as the
// publish function builds it) fails loudly where it would read a file,
// instead of recording the file as rejected, and still publishes.
func TestReadingFilesNeedsParse(t *testing.T) {
	ctx := context.Background()
	ix := index.NewMemory()
	p := &pipeline.Pipeline{Index: ix, Store: store.NewMemory(), Config: config.Default(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	articles := store.NewMemory()
	calls := map[string]func() error{
		"Ingest": func() error {
			_, err := p.Ingest(ctx, "a.md", "1", []byte("# x\n"), time.Now())
			return err
		},
		"RecordRejection": func() error { _, err := p.RecordRejection(ctx, "a.md", "1", nil); return err },
		"Apply":           func() error { _, err := p.Apply(ctx, articles, "a.md", "1"); return err },
		"RetryWaiting":    func() error { _, err := p.RetryWaiting(ctx, articles); return err },
		"Sync":            func() error { _, err := p.Sync(ctx, t.TempDir(), false, nil); return err },
	}
	for name, call := range calls {
		if err := call(); err == nil || !strings.Contains(err.Error(), "Parse") {
			t.Errorf("%s without Parse: %v, want an error naming Parse", name, err)
		}
	}
	if _, err := ix.Get(ctx, "a.md"); err == nil {
		t.Error("a file was recorded without a parser")
	}
	if _, err := p.Publish(ctx, nil); err != nil {
		t.Errorf("Publish without Parse: %v", err)
	}
}
