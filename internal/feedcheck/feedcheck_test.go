package feedcheck

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestSchemasMatchShared keeps the embedded schemas identical to the ones
// in ../shared/validators, when that folder is there.
func TestSchemasMatchShared(t *testing.T) {
	shared := filepath.Join("..", "..", "..", "shared", "validators")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("no %s here: nothing to compare", shared)
	}
	for name, embedded := range map[string][]byte{"atom.rnc": atomRNC, "jsonfeed-1.1.schema.json": jsonFeedSchema} {
		data, err := os.ReadFile(filepath.Join(shared, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, embedded) {
			t.Errorf("schemas/%s differs from %s: copy it again", name, filepath.Join(shared, name))
		}
	}
}

// TestCheckersCatchBrokenFeeds proves the checkers are live: each broken
// feed must be reported.
func TestCheckersCatchBrokenFeeds(t *testing.T) {
	Require(t)
	for name, files := range map[string]map[string]string{
		"atom without id":     {"atom.xml": `<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><updated>2021-01-01T00:00:00Z</updated></feed>`},
		"rss not well-formed": {"feed.xml": `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</channel></rss>`},
		"json feed 1.0":       {"feed.json": `{"version":"https://jsonfeed.org/version/1","title":"t","items":[{"id":"1","content_html":"x"}]}`},
		"json bad date":       {"feed.json": `{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":"1","content_html":"x","date_published":"yesterday"}]}`},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			for n, body := range files {
				os.WriteFile(filepath.Join(dir, n), []byte(body), 0o644)
			}
			ft := &fakeT{TB: t}
			func() {
				defer func() { recover() }()
				Dir(ft, dir)
			}()
			if !ft.failed {
				t.Errorf("the checkers accepted a broken feed")
			}
		})
	}
}

// fakeT records failures instead of failing the real test.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Error(...any)          { f.failed = true }
func (f *fakeT) Fatalf(string, ...any) { f.failed = true; panic("fatal") }
func (f *fakeT) Fatal(...any)          { f.failed = true; panic("fatal") }
func (f *fakeT) Helper()               {}
