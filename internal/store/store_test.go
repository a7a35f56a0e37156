package store_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pressroom/pressroom/internal/store"
	"github.com/pressroom/pressroom/internal/store/storetest"
)

func TestMemory(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		New:           func(t *testing.T) store.Store { return store.NewMemory() },
		KeepsMetadata: true,
	})
}

func TestFolder(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		New: func(t *testing.T) store.Store {
			f, err := store.NewFolder(filepath.Join(t.TempDir(), "out"))
			if err != nil {
				t.Fatal(err)
			}
			return f
		},
	})
}

func TestFolderHidesItsOwnFiles(t *testing.T) {
	root := t.TempDir()
	f, err := store.NewFolder(root)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(root, ".pressroom"), 0o755)
	os.WriteFile(filepath.Join(root, ".pressroom", "index.db"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(root, ".tmp-123"), []byte("x"), 0o644)
	if l, err := f.List(t.Context(), ""); err != nil || len(l) != 0 {
		t.Errorf("List shows the store's own files: %v, %v", l, err)
	}
	if _, err := f.Get(t.Context(), ".pressroom/index.db", store.GetOptions{}); err == nil {
		t.Error("Get serves a hidden file")
	}
	// Deleting the last file of a folder removes the folder.
	if err := f.Put(t.Context(), "tags/x/feed.xml", []byte("x"), store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	f.Delete(t.Context(), "tags/x/feed.xml")
	if _, err := os.Stat(filepath.Join(root, "tags")); !os.IsNotExist(err) {
		t.Errorf("empty folders left behind: %v", err)
	}
}
