package pipeline

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// articleFiles reads folders and stats relative to them; walkedFiles is
// the plain filepath.WalkDir and lstat it replaced. They must list the
// same files with the same sizes and times.
func TestArticleFilesAsWalked(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2021, 5, 1, 8, 30, 0, 123456789, time.UTC)
	files := map[string]string{
		"a.md": "a", "a-b.md": "ab", "a0.md": "a0", "B.markdown": "B", "é.md": "accent",
		"a/b.md": "nested", "a/c/d.txt": "deeper", "a/c/e.json": "{}", "a.b/c.html": "dotted folder",
		"notes.odt": "not an article", "README": "no extension", "x.docx": "docx", "~$x.docx": "Word's lock file",
		".hidden.md": "hidden", ".git/config.md": "hidden folder", "a/.draft/x.md": "hidden nested folder",
		"empty/.keep": "",
	}
	for i := range 40 { // one folder per article, as Hugo's page bundles
		files[filepath.Join("bundles", "post-"+time.Duration(i).String(), "index.md")] = "bundle"
	}
	for i := range 700 { // more than one chunk of stats
		files[filepath.Join("many", "f"+string(rune('a'+i%26))+time.Duration(i).String()+".md")] = "many"
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		mt := t0.Add(time.Duration(len(name)) * time.Second)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	// Symbolic links are not followed, as WalkDir does not follow them.
	if err := os.Symlink(filepath.Join(dir, "a.md"), filepath.Join(dir, "link.md")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if err := os.Symlink(filepath.Join(dir, "a"), filepath.Join(dir, "linked-folder")); err != nil {
		t.Fatal(err)
	}
	for _, root := range []string{dir, dir + string(filepath.Separator), filepath.Join(dir, "a")} {
		got, err := articleFiles(root)
		if err != nil {
			t.Fatal(err)
		}
		want, err := walkedFiles(root)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || !slices.EqualFunc(got, want, func(a, b file) bool {
			return a.key == b.key && a.size == b.size && a.modTime.Equal(b.modTime)
		}) {
			t.Errorf("%s: articleFiles and the walk differ:\n got %v\nwant %v", root, got, want)
		}
		for _, f := range got {
			fi, err := os.Lstat(f.path(root))
			if err != nil || fi.Size() != f.size || !fi.ModTime().Equal(f.modTime) {
				t.Errorf("%s: %s: %v %d %s, want %d %s", root, f.key, err, f.size, f.modTime, fi.Size(), fi.ModTime())
			}
		}
	}
	// A symbolic link as the folder: listed as the walk lists it.
	link := filepath.Join(t.TempDir(), "articles")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	got, err := articleFiles(link)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := walkedFiles(link)
	if len(got) != len(want) {
		t.Errorf("symbolic link: %d files, the walk %d", len(got), len(want))
	}
	if _, err := articleFiles(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing folder: no error")
	}
}
