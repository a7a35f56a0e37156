//go:build !linux

package pipeline

import (
	"os"

	article "github.com/pressroom/pressroom/internal/article/model"
)

// readFolder returns the names of the article files (hidden ones left out,
// regular files whose name Format knows) and of the visible subfolders of
// the open folder d, in the folder's order.
func readFolder(d *os.File, _ string) (names, folders []string, err error) {
	entries, err := d.ReadDir(-1)
	if err != nil {
		return nil, nil, err
	}
	names = make([]string, 0, len(entries))
	for _, e := range entries {
		name := e.Name()
		switch {
		case article.Hidden(name):
		case e.IsDir():
			folders = append(folders, name)
		case e.Type().IsRegular() && article.Format(name) != "":
			names = append(names, name)
		}
	}
	return names, folders, nil
}
