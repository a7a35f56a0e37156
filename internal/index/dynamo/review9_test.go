package dynamo_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/awstest"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/index/bolt"
	"github.com/pressroom/pressroom/internal/index/dynamo"
)

// TestReview9DynamoArticleInManyFeedsWithPartners: article.MaxNames (40)
// bounded names so that an article's feeds fit DynamoDB's transactions;
// partner feeds (any number of them) broke that bound, and DynamoDB
// refused such an article with an error ingest retried for ever, or moved
// it half way (out of every feed). Now every adapter takes at most
// index.MaxFeeds feeds an article and refuses more with ErrRefused (a
// rejection the editor reads), the same on a laptop and on AWS; an
// article at the bound is stored, moved between two sets of feeds at the
// bound, and a refused move leaves it where it was.
func TestReview9DynamoArticleInManyFeedsWithPartners(t *testing.T) {
	client := awstest.DynamoDB(awstest.DynamoDBEndpoint(t))
	d := dynamo.New(client, awstest.TableName(t))
	if err := d.CreateTable(t.Context()); err != nil {
		t.Fatal(err)
	}
	onDisk, err := bolt.Open(filepath.Join(t.TempDir(), "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer onDisk.Close()
	feeds := func(prefix string, partners int) []index.Membership {
		ms := []index.Membership{{Feed: "", Label: "Site"}, {Feed: "languages/ar", Label: "ar"}}
		for i := 0; i < article.MaxNames; i++ {
			ms = append(ms, index.Membership{Feed: fmt.Sprintf("tags/%s%d", prefix, i), Label: "x"})
		}
		for i := 0; i < partners; i++ {
			ms = append(ms, index.Membership{Feed: fmt.Sprintf("partners/p%d", i), Label: "p"})
		}
		return ms
	}
	p := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	now := p.Add(time.Hour)
	a := &article.Article{ID: "tag:x,2021:a", Slug: "a", Title: "A", ContentHTML: "<p>a</p>", Published: p, Updated: p}
	b := &article.Article{ID: "tag:x,2021:b", Slug: "b", Title: "B", ContentHTML: "<p>b</p>", Published: p, Updated: p}
	for _, ix := range []struct {
		name string
		ix   index.Index
	}{{"memory", index.NewMemory()}, {"bolt", onDisk}, {"dynamo", d}} {
		if _, err := ix.ix.Put(t.Context(), index.Source{Key: "a.md", Version: "1", Article: a, Feeds: feeds("a", 5)}); !errors.Is(err, index.ErrRefused) {
			t.Errorf("%s: an article in 47 feeds: %v, want ErrRefused", ix.name, err)
		}
		if _, err := ix.ix.Put(t.Context(), index.Source{Key: "a.md", Version: "2", Article: a, Feeds: feeds("a", 2)}); err != nil {
			t.Errorf("%s: an article in %d feeds: %v", ix.name, index.MaxFeeds, err)
		}
		if _, err := ix.ix.Put(t.Context(), index.Source{Key: "b.md", Version: "1", Article: b, Feeds: feeds("old", 2)}); err != nil {
			t.Fatalf("%s: %v", ix.name, err)
		}
		if _, err := ix.ix.Put(t.Context(), index.Source{Key: "b.md", Version: "2", Article: b, Feeds: feeds("new", 5)}); !errors.Is(err, index.ErrRefused) {
			t.Errorf("%s: a move to 47 feeds: %v, want ErrRefused", ix.name, err)
		}
		if l, _ := ix.ix.Latest(t.Context(), "tags/old3", 10, now); len(l) != 1 {
			t.Errorf("%s: a refused move took b out of its feeds", ix.name)
		}
		if _, err := ix.ix.Put(t.Context(), index.Source{Key: "b.md", Version: "3", Article: b, Feeds: feeds("new", 2)}); err != nil {
			t.Errorf("%s: a move from %d feeds to %d others: %v", ix.name, index.MaxFeeds, index.MaxFeeds, err)
		}
		if l, _ := ix.ix.Latest(t.Context(), "", 10, now); len(l) != 2 {
			t.Errorf("%s: the site feed holds %d articles, want 2", ix.name, len(l))
		}
		if l, _ := ix.ix.Latest(t.Context(), "tags/new39", 10, now); len(l) != 1 {
			t.Errorf("%s: b is not in its new feeds", ix.name)
		}
	}
}

// TestReview9SlotsConvergeAfterConflicts: DynamoDB takes an article's
// archive slots (one counter update per feed) before the transaction
// that finds the claim conflict, so every rejected upload of a file that
// wants another file's id burns a slot in each of its feeds; memory and
// bbolt check the claims first and take none. Same operations, different
// Slots: the feed's page count, its fh:complete and which page each later
// article lands on differ between a local build and AWS (and a file
// retried on a conflict inflates every feed's counter, leaving empty
// archive pages).
func TestReview9SlotsConvergeAfterConflicts(t *testing.T) {
	client := awstest.DynamoDB(awstest.DynamoDBEndpoint(t))
	d := dynamo.New(client, awstest.TableName(t))
	if err := d.CreateTable(t.Context()); err != nil {
		t.Fatal(err)
	}
	p := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	a := &article.Article{ID: "tag:x,2021:a", Slug: "a", Title: "A", ContentHTML: "<p>a</p>", Published: p, Updated: p}
	feeds := []index.Membership{{Feed: "", Label: "Site"}, {Feed: "tags/t", Label: "t"}}
	slots := map[string]int{}
	for _, ix := range []struct {
		name string
		ix   index.Index
	}{{"memory", index.NewMemory()}, {"dynamo", d}} {
		if _, err := ix.ix.Put(t.Context(), index.Source{Key: "a.md", Version: "1", Article: a, Feeds: feeds}); err != nil {
			t.Fatal(err)
		}
		for v := 1; v <= 3; v++ { // b.md wants a.md's id: rejected each time
			_, err := ix.ix.Put(t.Context(), index.Source{Key: "b.md", Version: fmt.Sprint(v), Article: a, Feeds: feeds})
			if err == nil {
				t.Fatalf("%s: no conflict", ix.name)
			}
		}
		infos, _ := ix.ix.Feeds(t.Context())
		for _, fi := range infos {
			if fi.ID == "tags/t" {
				slots[ix.name] = fi.Slots
			}
		}
	}
	if slots["memory"] != slots["dynamo"] {
		t.Errorf("slots taken in tags/t: memory %d, dynamo %d", slots["memory"], slots["dynamo"])
	}
}
