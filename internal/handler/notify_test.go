package handler_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/pressroom/pressroom/internal/handler"
)

// told records what editors are sent; with fail set, every send fails.
type told struct {
	mu   sync.Mutex
	msgs []handler.Message
	fail bool
}

func (n *told) Notify(_ context.Context, m handler.Message) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail {
		return errors.New("sns: throttled")
	}
	n.msgs = append(n.msgs, m)
	return nil
}

func (n *told) take() []handler.Message {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := n.msgs
	n.msgs = nil
	return out
}

// TestEditorsAreTold: one message per rejection and per first
// publication, none for an edit, a re-parse or a removal; the same
// text beside the JSON report; a failed send fails nothing.
func TestEditorsAreTold(t *testing.T) {
	w := newWorld(t, siteYAML)
	n := &told{}
	w.deps.Notifier = n
	bad := "---\ntitle: Bad\ndate: someday\n---\n\nBad text.\n"

	w.upload("articles/a.md", bad)
	msgs := n.take()
	if len(msgs) != 1 || msgs[0].Subject != "Rejected: articles/a.md" || !strings.Contains(msgs[0].Text, "- date, line 3: ") ||
		!strings.Contains(msgs[0].Text, "\nNothing is published for this file.\n") || strings.Contains(msgs[0].Text, "stays published") {
		t.Fatalf("first rejection: %+v", msgs)
	}
	if txt, _ := w.get(articlesBucket, "reports/articles/a.md.txt"); txt != msgs[0].Text {
		t.Errorf("the text report differs from the message:\n%s", txt)
	}

	w.upload("articles/a.md", md("Le budget de la culture", "2026-03-01"))
	msgs = n.take()
	if len(msgs) != 1 || msgs[0].Subject != "Published: Le budget de la culture" ||
		!strings.Contains(msgs[0].Text, "  RSS: https://feeds.example.org/feed.xml\n") ||
		!strings.Contains(msgs[0].Text, "  JSON Feed: https://feeds.example.org/languages/fr/feed.json\n") {
		t.Fatalf("first publication: %+v", msgs)
	}
	if txt, _ := w.get(articlesBucket, "reports/articles/a.md.txt"); txt != msgs[0].Text {
		t.Errorf("the text report differs from the message:\n%s", txt)
	}

	// An edit is reported, not sent.
	w.upload("articles/a.md", md("Le budget de la culture, corrigé", "2026-03-01"))
	if msgs := n.take(); len(msgs) != 0 {
		t.Errorf("an edit was sent: %+v", msgs)
	}
	if txt, _ := w.get(articlesBucket, "reports/articles/a.md.txt"); !strings.HasPrefix(txt, "Updated: “Le budget de la culture, corrigé”") {
		t.Errorf("edit report:\n%s", txt)
	}

	w.upload("articles/a.md", bad)
	msgs = n.take()
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "\nThe last good version stays published: “Le budget de la culture, corrigé”.\n") {
		t.Fatalf("rejected edit: %+v", msgs)
	}

	// A failed send is logged; the upload is stored and reported all the same.
	n.fail = true
	w.upload("articles/b.md", md("Greve", "2026-03-02"))
	if src := w.source("b.md"); src.Article == nil {
		t.Error("a failed send lost the article")
	}
	if txt, _ := w.get(articlesBucket, "reports/articles/b.md.txt"); !strings.HasPrefix(txt, "Published: “Greve”") {
		t.Errorf("report after a failed send:\n%s", txt)
	}
	n.fail = false

	// A broken configuration is sent too, saying the one in force stays.
	w.upload("config/pressroom.yaml", "site:\n  titel: x\n")
	msgs = n.take()
	if len(msgs) != 1 || msgs[0].Subject != "Rejected: config/pressroom.yaml" || !strings.Contains(msgs[0].Text, "The configuration in force stays") {
		t.Errorf("configuration rejected: %+v", msgs)
	}

	// A new configuration parses every file again: a file still rejected
	// is not sent again, nor an article still published.
	w.upload("config/pressroom.yaml", strings.Replace(siteYAML, "Example Daily", "Example Evening", 1))
	if msgs := n.take(); len(msgs) != 0 {
		t.Errorf("a configuration change sent %d messages: %+v", len(msgs), msgs)
	}
	if txt, _ := w.get(articlesBucket, "reports/articles/b.md.txt"); !strings.Contains(txt, "All articles of Example Evening") {
		t.Errorf("report after the configuration change:\n%s", txt)
	}

	// Removal: both reports go, and nothing is sent.
	w.deleteObject("articles/a.md", "")
	for _, ext := range []string{".json", ".txt"} {
		if _, ok := w.get(articlesBucket, "reports/articles/a.md"+ext); ok {
			t.Errorf("the removed article's %s report remains", ext)
		}
	}
	if msgs := n.take(); len(msgs) != 0 {
		t.Errorf("a removal was sent: %+v", msgs)
	}
}
