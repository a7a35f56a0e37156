package feedcheck

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// sharedSchemas are the SHA-256 of the validators in ../shared/validators,
// as the project was given them.
var sharedSchemas = map[string]string{
	"atom.rnc":                 "363cbb605ed3d0e1d1d18e8cfcab373f6163d452bbacb92bbe869dfcbbeb05f7",
	"jsonfeed-1.1.schema.json": "4333c0a61c1dc163e2cf73e019c84e988adb3d35dbdc761bd132c00959f7039b",
}

// TestSchemasMatchShared keeps the embedded schemas the validators the
// project was given: always against their recorded hashes, and against
// ../shared/validators itself where that folder is (a clean clone
// elsewhere has none: the recorded hashes still hold the copies to it).
func TestSchemasMatchShared(t *testing.T) {
	for name, embedded := range map[string][]byte{"atom.rnc": atomRNC, "jsonfeed-1.1.schema.json": jsonFeedSchema} {
		sum := sha256.Sum256(embedded)
		if got := hex.EncodeToString(sum[:]); got != sharedSchemas[name] {
			t.Errorf("schemas/%s has changed (sha256 %s): it must stay the shared validator", name, got)
		}
		data, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "validators", name))
		if err != nil {
			t.Logf("../shared/validators/%s is not here (%v): compared with its recorded hash only", name, err)
			continue
		}
		if !bytes.Equal(data, embedded) {
			t.Errorf("schemas/%s differs from ../shared/validators/%s: copy it again and record its hash", name, name)
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
