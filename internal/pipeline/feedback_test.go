package pipeline_test

import (
	"testing"

	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/pipeline"
	"github.com/pressroom/pressroom/internal/store"
)

// TestFirstAndKept: what editors are told rests on two facts of a result:
// whether a good version is the article's first publication, and, for a
// rejection, which version stays in its place.
func TestFirstAndKept(t *testing.T) {
	e := newEnv(t, index.NewMemory(), store.NewMemory())
	bad := "---\ntitle: \"Broken\"\ndate: whenever\n---\n\nBody.\n"

	if r := e.ingest("new.md", bad); r.Outcome != pipeline.Rejected || r.Kept != nil {
		t.Errorf("a first upload rejected keeps %+v, want nothing", r.Kept)
	}
	if r := e.ingest("new.md", md("Nouveau", "2021-05-01")); !r.First {
		t.Error("the first good version after a rejection is not a first publication")
	}
	if r := e.ingest("new.md", md("Nouveau, corrigé", "2021-05-01")); r.First {
		t.Error("an edit is announced as a first publication")
	}
	r := e.ingest("new.md", bad)
	if r.Kept == nil || r.Kept.Title != "Nouveau, corrigé" {
		t.Errorf("a rejected edit keeps %+v, want the last good version", r.Kept)
	}

	// A draft is not published; taking the draft flag off publishes it.
	if r := e.ingest("draft.md", md("Brouillon", "2021-05-02", "draft: true")); r.First {
		t.Error("a draft is announced")
	}
	if r := e.ingest("draft.md", bad); r.Kept == nil || !r.Kept.Draft {
		t.Errorf("a rejected draft keeps %+v, want the draft", r.Kept)
	}
	if r := e.ingest("draft.md", md("Brouillon", "2021-05-02")); !r.First {
		t.Error("a draft made public is not a first publication")
	}

	// A scheduled article is announced when it is uploaded, once.
	if r := e.ingest("later.md", md("Plus tard", "2021-06-10T09:00:00+01:00")); !r.First {
		t.Error("a scheduled article is not announced")
	}
	if r := e.ingest("later.md", md("Plus tard", "2021-06-11T09:00:00+01:00")); r.First {
		t.Error("a rescheduled article is announced again")
	}

	// Deleted, then uploaded again: published anew.
	e.remove("new.md")
	if r := e.ingest("new.md", md("Nouveau", "2021-05-01")); !r.First {
		t.Error("an article uploaded again after its deletion is not announced")
	}
}
