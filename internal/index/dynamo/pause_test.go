package dynamo

import (
	"context"
	"errors"
	"testing"
)

// TestPauseEndsWithItsContext: the wait before retrying a lost race ends
// when the caller's context does (a Lambda near its deadline), with the
// context's error.
func TestPauseEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := pause(ctx, 1000); !errors.Is(err, context.Canceled) {
		t.Errorf("pause under a cancelled context: %v, want context.Canceled", err)
	}
	if err := pause(context.Background(), 0); err != nil {
		t.Errorf("pause: %v", err)
	}
}
