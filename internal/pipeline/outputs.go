package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pressroom/pressroom/internal/store"
)

// presentPaths reports which of paths the store holds. A folder is asked
// path by path, a stat each: a local build checks the live files of its
// feeds, a few hundred, where a listing would stat the thousands of
// archive pages beside them too. Any other store is listed once.
func presentPaths(ctx context.Context, st store.Store, paths []string) (map[string]bool, error) {
	present := make(map[string]bool, len(paths))
	if f, ok := st.(*store.Folder); ok {
		for _, p := range paths {
			fi, err := os.Lstat(filepath.Join(f.Root(), filepath.FromSlash(p)))
			switch {
			case err == nil:
				present[p] = fi.Mode().IsRegular()
			case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrInvalid):
				return nil, fmt.Errorf("pipeline: %w", err)
			}
		}
		return present, nil
	}
	objects, err := st.List(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	for _, o := range objects {
		present[o.Key] = true
	}
	return present, nil
}
