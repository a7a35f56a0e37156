package handler_test

// Regression tests of bugs a review found, each once failing (a test's comment tells the failure it showed): an upgraded
// stack's configuration, an edit parsed during a configuration change,
// S3 keys no path can be made of.

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/handler"
	"github.com/pressroom/pressroom/internal/index"
)

// TestUpgradeKeepsUploadedConfig: a stack deployed with the previous
// release has its pressroom.yaml in the articles bucket (that release read
// it from there on every invocation; it never stored it in the index).
// After `make deploy` of this release (docs/operations.md "Upgrading": nothing else to
// do), both functions read the configuration from the index only, find
// none, and fall back to the environment's defaults: the site's base URL,
// time zone, permalink... are silently dropped, and every article re-parsed
// or edited gets other URLs and ids (a changed id is a duplicate in every
// reader).
func TestUpgradeKeepsUploadedConfig(t *testing.T) {
	w := newWorld(t, "")
	w.put("config/pressroom.yaml", siteYAML) // uploaded under the previous release
	// The hourly schedule after the deploy, then an editor's upload.
	raw, _ := os.ReadFile("../../functions/publish/schedule.json")
	if err := w.ingest(rawJSON(raw)); err != nil {
		t.Fatal(err)
	}
	w.upload("articles/a.md", md("Alpha", "2021-05-01"))
	a := w.source("a.md").Article
	t.Logf("a.md: url %s, id %s", a.URL, a.ID)
	if a.URL != "https://news.example.org/a/" {
		t.Errorf("the article was parsed without the site's pressroom.yaml (base_url https://news.example.org/): url %s", a.URL)
	}
}

type rawJSON []byte

func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }

// slowIndex is the index as one ingest invocation sees it: it signals when
// the invocation read the configuration in force, and holds its writes
// until released.
type slowIndex struct {
	index.Index
	loaded  chan struct{}
	release chan struct{}
}

func (s *slowIndex) State(ctx context.Context, name string) (string, error) {
	v, err := s.Index.State(ctx, name)
	if name == handler.StateConfig {
		select {
		case <-s.loaded:
		default:
			close(s.loaded)
		}
	}
	return v, err
}

func (s *slowIndex) Put(ctx context.Context, src index.Source) (index.Change, error) {
	<-s.release
	return s.Index.Put(ctx, src)
}

// TestEditDuringConfigChangeIsParsedAgain: an article upload is being
// ingested (its invocation read the configuration in force, A) when a new
// pressroom.yaml (B) is uploaded. The configuration invocation stores B,
// re-parses every article and records the re-parse as done; the article
// invocation then records its newer version, parsed under A. Nothing ever
// parses it again: the schedule finds the re-parse done, and the article
// keeps A's URL until it is edited again.
func TestEditDuringConfigChangeIsParsedAgain(t *testing.T) {
	w := newWorld(t, siteYAML)
	w.upload("articles/a.md", md("Alpha", "2021-05-01"))
	slow := &slowIndex{Index: w.index, loaded: make(chan struct{}), release: make(chan struct{})}
	deps := *w.deps
	deps.Index = slow
	w.put("articles/a.md", md("Alpha, edited", "2021-05-01"))
	ev := w.event("ObjectCreated:Put", "articles/a.md")
	done := make(chan error)
	go func() {
		raw, _ := json.Marshal(ev)
		done <- (&handler.Ingest{Deps: &deps, Parse: article.Parse}).Handle(context.Background(), raw)
	}()
	<-slow.loaded
	w.upload("config/pressroom.yaml", strings.Replace(siteYAML, "https://news.example.org/", "https://www.example.net/news/", 1))
	close(slow.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The hourly schedule.
	raw, _ := os.ReadFile("../../functions/publish/schedule.json")
	if err := w.ingest(rawJSON(raw)); err != nil {
		t.Fatal(err)
	}
	a := w.source("a.md").Article
	t.Logf("a.md: %q at %s", a.Title, a.URL)
	if a.URL != "https://www.example.net/news/a/" {
		t.Errorf("a.md keeps the previous configuration's URL %s for good (configuration in force: https://www.example.net/news/)", a.URL)
	}
}

// TestOddKeysAreRejectedNotRetried: S3 keys may hold "//", "\" (uploads
// from Windows tools), "./" segments. The S3 store refuses them as invalid
// keys and ingest returns that as an error: Lambda retries, then the event
// lands in IngestFailures (and the alarm fires); a replay fails the same
// way. The file is neither published nor rejected with a report.
func TestOddKeysAreRejectedNotRetried(t *testing.T) {
	w := newWorld(t, siteYAML)
	for _, key := range []string{"articles/news//a.md", `articles/desk\b.md`, "articles/./c.md"} {
		w.put(key, md("Odd "+key, "2021-05-01"))
		err := w.ingest(w.event("ObjectCreated:Put", key))
		_, reported := w.get(articlesBucket, "reports/"+strings.TrimPrefix(key, "articles/")+".json")
		t.Logf("%q: ingest error %v; report written %v", key, err, reported)
		if err != nil {
			t.Errorf("%q: ingest fails (Lambda retries, then the failure queue) instead of publishing or rejecting the file", key)
		}
	}
}
