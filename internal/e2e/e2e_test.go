package e2e

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/mmcdole/gofeed"

	"github.com/pressroom/pressroom/internal/awstest"
	"github.com/pressroom/pressroom/internal/awstest/iam"
	"github.com/pressroom/pressroom/internal/feedcheck"
)

// TestMain runs the suite, then, when every test ran and passed, fails on
// any grant of template.yaml that no call of either function used: least
// privilege is a tested property (grant what is called, nothing else).
func TestMain(m *testing.M) {
	code := m.Run()
	if f := flag.Lookup("test.run"); code == 0 && f != nil && f.Value.String() == "" && !testing.Short() {
		usage.Lock()
		for fn, grants := range usage.all {
			for _, g := range grants {
				if !usage.grants[fn][keyOf(g)] {
					fmt.Fprintf(os.Stderr, "FAIL: %s is granted %s (statement %s) but no call in the suite used it: remove it from template.yaml\n",
						fn, g.Action, g.Statement)
					code = 1
				}
			}
		}
		fmt.Printf("e2e: %d calls of the functions checked against their IAM roles\n", usage.checks)
		usage.Unlock()
	}
	awstest.Stop()
	os.Exit(code)
}

func titles(t *testing.T, body string) []string {
	t.Helper()
	if body == "" {
		return nil
	}
	f, err := gofeed.NewParser().ParseString(body)
	if err != nil {
		t.Fatalf("gofeed: %v", err)
	}
	var out []string
	for _, it := range f.Items {
		out = append(out, it.Title)
	}
	return out
}

func md(title, date string, extra ...string) string {
	return "---\ntitle: \"" + title + "\"\ndate: " + date + "\nlang: fr\n" + strings.Join(extra, "\n") + "\n---\n\nTexte de l'article " + title + ".\n"
}

const siteConfig = "site:\n  title: E2E Daily\n  base_url: https://news.example.org/\n  language: fr\n  timezone: Europe/Paris\nfeeds:\n  limit: 50\n  base_url: https://feeds.example.org/\n"

func (b *bed) report(key string) string {
	out, err := b.s3.GetObject(b.t.Context(), &s3.GetObjectInput{Bucket: aws.String(b.articles), Key: aws.String("reports/" + key + ".json")})
	if err != nil {
		return ""
	}
	defer out.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := out.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return sb.String()
}

// TestEndToEnd walks an editor's day through both functions, under IAM as
// template.yaml grants it: every call either function makes is checked.
func TestEndToEnd(t *testing.T) {
	b := newBed(t, options{ingestConcurrency: 2})

	// No pressroom.yaml yet: the functions run on the template's site
	// parameters (a missing configuration must read as missing, not as
	// S3's 403 to a caller that may not list the bucket).
	b.put("articles/culture/été festival.md", md("Festival d'été", "2026-03-01T10:00:00+01:00", "tags: [culture]"))
	b.put("articles/sport.md", md("Match nul", "2026-03-02T10:00:00+01:00", "tags: [sport]"))
	b.settle()
	if got := titles(t, b.feed("feed.xml")); strings.Join(got, "|") != "Match nul|Festival d'été" {
		t.Fatalf("site feed before any configuration: %q (ingest failures: %d)", got, len(b.takeFailures("IngestFailures")))
	}

	// The configuration arrives: every feed is published again with it.
	b.put("config/pressroom.yaml", siteConfig)
	b.settle()
	if f, err := gofeed.NewParser().ParseString(b.feed("tags/culture/feed.xml")); err != nil || f.Title != "culture — E2E Daily" {
		t.Fatalf("after the configuration: %v %+v", err, f)
	}

	// Update: the invalidation holds exactly the paths that changed.
	b.cdn.Reset()
	b.put("articles/sport.md", md("Match nul (mis à jour)", "2026-03-02T10:00:00+01:00", "tags: [sport]"))
	b.settle()
	if got := titles(t, b.feed("feed.xml")); got[0] != "Match nul (mis à jour)" {
		t.Errorf("after update: %q", got)
	}
	runs := b.invalidated()
	// The live feeds and the one archive page of each that holds the
	// article.
	want := []string{"/archive/1/atom.xml", "/archive/1/feed.json", "/archive/1/feed.xml", "/atom.xml", "/feed.json", "/feed.xml",
		"/languages/fr/archive/1/atom.xml", "/languages/fr/archive/1/feed.json", "/languages/fr/archive/1/feed.xml",
		"/languages/fr/atom.xml", "/languages/fr/feed.json", "/languages/fr/feed.xml",
		"/tags/sport/archive/1/atom.xml", "/tags/sport/archive/1/feed.json", "/tags/sport/archive/1/feed.xml",
		"/tags/sport/atom.xml", "/tags/sport/feed.json", "/tags/sport/feed.xml"}
	if len(runs) != 1 || strings.Join(sortedCopy(runs[0]), " ") != strings.Join(want, " ") {
		t.Errorf("invalidations after one update: %q,\nwant one of %q", runs, want)
	}

	// The first upload's notification delivered again, late: stale.
	b.redeliver("articles/sport.md", 2)
	b.settle()
	if got := titles(t, b.feed("feed.xml")); got[0] != "Match nul (mis à jour)" {
		t.Errorf("a late older event overwrote a newer one: %q", got)
	}

	// A rejected upload keeps the last good version published.
	b.put("articles/sport.md", "---\ntitle: Cassé\ndate: jamais\n---\n\nx\n")
	b.settle()
	if got := titles(t, b.feed("feed.xml")); got[0] != "Match nul (mis à jour)" {
		t.Errorf("a rejected upload removed the last good version: %q", got)
	}
	if rep := b.report("articles/sport.md"); !strings.Contains(rep, `"ok": false`) || !strings.Contains(rep, "jamais") {
		t.Errorf("report of the rejected file: %s", rep)
	}

	// A new base URL: every article links there, the one whose latest
	// upload is rejected too (its last good version is read back from the
	// bucket's versions and parsed again).
	b.put("config/pressroom.yaml", strings.Replace(siteConfig, "https://news.example.org/", "https://www.example.net/", 1))
	b.settle()
	f, err := gofeed.NewParser().ParseString(b.feed("feed.xml"))
	if err != nil || len(f.Items) != 2 {
		t.Fatalf("after the new base URL: %v", err)
	}
	for _, it := range f.Items {
		if !strings.HasPrefix(it.Link, "https://www.example.net/") {
			t.Errorf("%q still links to %s", it.Title, it.Link)
		}
	}

	// An upper-case extension: S3's suffix filters are case sensitive;
	// the trigger is on the prefix.
	b.put("articles/Story.MD", md("En majuscules", "2026-03-03T10:00:00+01:00"))
	b.settle()
	if got := titles(t, b.feed("feed.xml")); len(got) != 3 || got[0] != "En majuscules" {
		t.Errorf("Story.MD: %q", got)
	}

	// Two files with one slug: the second is refused, naming the first;
	// when the first goes, the second is published.
	b.put("articles/dupslug.md", md("Premier", "2026-03-04T10:00:00+01:00"))
	b.settle()
	b.put("articles/dupslug.txt", "Second titre\n\n5 mars 2026\n\nLe texte du second article, assez long pour un corps.\n")
	b.settle()
	if rep := b.report("articles/dupslug.txt"); !strings.Contains(rep, "articles/dupslug.md") && !strings.Contains(rep, "dupslug.md") {
		t.Errorf("report of the second file: %s", rep)
	}
	if got := titles(t, b.feed("feed.xml")); got[0] != "Premier" || contains(got, "Second titre") {
		t.Errorf("with a duplicate slug: %q", got)
	}
	b.remove("articles/dupslug.md", "")
	b.settle()
	if got := titles(t, b.feed("feed.xml")); got[0] != "Second titre" || contains(got, "Premier") {
		t.Errorf("after the holder left: %q", got)
	}

	// Delete, then undelete by removing the delete marker.
	b.remove("articles/culture/été festival.md", "")
	b.settle()
	// Its tag feed, emptied, stays while it announces the deletion.
	if got := titles(t, b.feed("tags/culture/feed.xml")); len(got) != 0 || contains(titles(t, b.feed("feed.xml")), "Festival d'été") ||
		!strings.Contains(b.feed("tags/culture/atom.xml"), "<at:deleted-entry ref=") {
		t.Errorf("the deleted article is still published, or not announced: tag feed %q", got)
	}
	vs, err := b.s3.ListObjectVersions(t.Context(), &s3.ListObjectVersionsInput{Bucket: aws.String(b.articles), Prefix: aws.String("articles/culture/")})
	if err != nil || len(vs.DeleteMarkers) != 1 {
		t.Fatalf("versions: %v", err)
	}
	b.remove("articles/culture/été festival.md", aws.ToString(vs.DeleteMarkers[0].VersionId))
	b.settle()
	if got := titles(t, b.feed("tags/culture/feed.xml")); len(got) != 1 {
		t.Errorf("after the undelete: %q", got)
	}
	// Deleting an old version changes nothing.
	v1 := aws.ToString(vs.Versions[len(vs.Versions)-1].VersionId)
	b.put("articles/culture/été festival.md", md("Festival d'été (v2)", "2026-03-01T10:00:00+01:00", "tags: [culture]"))
	b.settle()
	b.remove("articles/culture/été festival.md", v1)
	b.settle()
	if got := titles(t, b.feed("tags/culture/feed.xml")); len(got) != 1 || got[0] != "Festival d'été (v2)" {
		t.Errorf("after deleting an old version: %q", got)
	}

	if q := b.takeFailures("IngestFailures"); len(q) > 0 {
		t.Errorf("%d ingest events failed: %s", len(q), q[0])
	}
	if q := b.takeFailures("PublishFailures"); len(q) > 0 {
		t.Errorf("%d publish batches failed: %s", len(q), q[0])
	}
	if b.overlaps.Load() > 0 {
		t.Errorf("%d publish runs overlapped", b.overlaps.Load())
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestBurst: 1,000 uploads, each notification delivered twice, shuffled
// and late, to three ingest instances at once: every article is
// published, publish runs are coalesced, and never two at a time.
func TestBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 uploads")
	}
	b := newBed(t, options{ingestConcurrency: 3, chaos: true, seed: 1})
	b.put("config/pressroom.yaml", strings.Replace(siteConfig, "limit: 50", "limit: 100", 1))
	b.settle()
	const n, tags = 1000, 20
	for i := 0; i < n; i++ {
		b.put(fmt.Sprintf("articles/burst/%04d.md", i), md(fmt.Sprintf("Dépêche %04d", i),
			fmt.Sprintf("2026-03-%02dT%02d:%02d:00+01:00", 1+i/600, (i/60)%10, i%60), fmt.Sprintf("tags: [t%02d]", i%tags)))
	}
	b.settle()
	site := titles(t, b.feed("feed.xml"))
	if len(site) != 100 || site[0] != "Dépêche 0999" {
		t.Errorf("site feed after the burst: %d items, first %q", len(site), first(site))
	}
	seen := map[string]bool{}
	for i := 0; i < tags; i++ {
		for _, title := range titles(t, b.feed(fmt.Sprintf("tags/t%02d/feed.xml", i))) {
			seen[title] = true
		}
	}
	if len(seen) != n {
		t.Errorf("the tag feeds hold %d distinct articles, want %d", len(seen), n)
	}
	runs, batches := b.publishRuns.Load(), b.publishBatches.Load()
	if batches == 0 || batches > n/10 {
		t.Errorf("%d publish batches for %d uploads: want far fewer runs than uploads", batches, n)
	}
	if b.overlaps.Load() > 0 {
		t.Errorf("%d publish runs overlapped", b.overlaps.Load())
	}
	if q := b.takeFailures("IngestFailures"); len(q) > 0 {
		t.Errorf("%d ingest events failed", len(q))
	}
	t.Logf("%d uploads, %d ingest invocations (each notification twice, shuffled), %d publish batches, %d publish runs, %d invalidations",
		n, b.ingestCalls.Load(), batches, runs, len(b.invalidated()))
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// faultOps is an editor's session: configuration, 40 articles, edits, a
// rejection, deletions.
func faultOps(b *bed) {
	b.put("config/pressroom.yaml", siteConfig)
	for i := 0; i < 40; i++ {
		b.put(fmt.Sprintf("articles/f/%02d.md", i), md(fmt.Sprintf("Article %02d", i), fmt.Sprintf("2026-04-%02dT08:00:00+02:00", 1+i%28),
			fmt.Sprintf("tags: [t%d]", i%5), fmt.Sprintf("categories: [c%d]", i%3)))
	}
	for i := 0; i < 40; i += 4 {
		b.put(fmt.Sprintf("articles/f/%02d.md", i), md(fmt.Sprintf("Article %02d, corrigé", i), fmt.Sprintf("2026-04-%02dT08:00:00+02:00", 1+i%28),
			fmt.Sprintf("tags: [t%d, corrections]", i%5)))
	}
	b.put("articles/f/05.md", "---\ntitle: cassé\ndate: bientôt\n---\n\nx\n")
	for i := 1; i < 40; i += 9 {
		b.remove(fmt.Sprintf("articles/f/%02d.md", i), "")
	}
}

// outageOps are the uploads made while a service is down for a function.
func outageOps(b *bed) {
	for i := 40; i < 43; i++ {
		b.put(fmt.Sprintf("articles/f/%02d.md", i), md(fmt.Sprintf("Pendant la panne %02d", i), "2026-04-28T08:00:00+02:00", "tags: [panne]"))
	}
	b.remove("articles/f/02.md", "")
}

// publishOutageOps is an upload made while the feeds bucket refuses
// publish's writes.
func publishOutageOps(b *bed) {
	b.put("articles/f/43.md", md("Pendant la panne des flux", "2026-04-28T09:00:00+02:00", "tags: [panne]"))
}

// TestFaultsConverge: with 20% of the functions' calls to S3, DynamoDB and
// CloudFront failing (5xx, throttling, resets before and after the service
// acted, latency), then an outage (every DynamoDB call of ingest and every
// feeds write of publish failing), the feeds end exactly as in a
// fault-free run, once the failure queues are replayed the documented way
// (docs/operations.md, Failure queues and replay).
func TestFaultsConverge(t *testing.T) {
	if testing.Short() {
		t.Skip("two beds")
	}
	clean := newBed(t, options{})
	faultOps(clean)
	outageOps(clean)
	publishOutageOps(clean)
	clean.settle()
	clean.schedule("PublishFunction")
	want := clean.feedsBucket()

	b := newBed(t, options{ingestConcurrency: 2})
	var injected, calls atomic.Int64
	rf := iam.RandomFaults(20261130, 0.2)
	random := func(c iam.Call, r *http.Request) iam.Fault {
		calls.Add(1)
		f := rf(c, r)
		if f.Kind != iam.None || f.Delay > 0 {
			injected.Add(1)
		}
		return f
	}
	b.faults.Store(&random)
	faultOps(b)
	b.settle()

	// Outages: DynamoDB refuses every call of ingest, then the feeds
	// bucket every write of publish.
	down := func(key, prefix, code string) func(iam.Call, *http.Request) iam.Fault {
		return func(c iam.Call, r *http.Request) iam.Fault {
			calls.Add(1)
			if iam.CallerKey(r) == key && strings.HasPrefix(c.Action, prefix) {
				injected.Add(1)
				return iam.Fault{Kind: iam.Before, Code: code}
			}
			return iam.Fault{}
		}
	}
	ingestDown := down(ingestKey, "dynamodb:", "InternalServerError")
	b.faults.Store(&ingestDown)
	outageOps(b)
	b.settle()
	publishDown := down(publishKey, "s3:PutObject", "InternalError")
	b.faults.Store(&publishDown)
	publishOutageOps(b)
	b.settle()
	if err := b.trySchedule("PublishFunction"); err == nil {
		t.Error("a scheduled publish succeeded while the feeds bucket refused every write")
	} // its work stays pending in the index
	ingestFailed := b.takeFailures("IngestFailures")
	publishFailed := b.takeFailures("PublishFailures")
	if len(ingestFailed) < 4 || len(publishFailed) == 0 {
		t.Errorf("the outage sent %d ingest events and %d publish batches to the failure queues; want every upload's event and a batch", len(ingestFailed), len(publishFailed))
	}
	b.faults.Store(nil)

	// Replay, as docs/operations.md (Failure queues and replay) says: each ingest failure
	// record is the event to invoke ingest with again; a publish failure
	// needs only a publish run (the work is pending in the index).
	for _, msg := range ingestFailed {
		if out, failed, err := b.ingest[0].invoke(json.RawMessage(msg)); err != nil || failed {
			t.Fatalf("replay: %v %s", err, out)
		}
	}
	b.settle()
	b.schedule("PublishFunction")
	// Upload times differ between the two buckets, and retries change
	// the order articles joined their feeds: compare what does not record
	// history (see feedcheck.HistoryFree).
	got := feedcheck.HistoryFreeTree(t, b.feedsBucket())
	want = feedcheck.HistoryFreeTree(t, want)
	if !reflect.DeepEqual(got, want) {
		diff := feedcheck.DifferingFiles(got, want)
		t.Errorf("with faults the feeds differ from a fault-free run: %v", diff)
	}
	if injected.Load() == 0 {
		t.Error("no fault was injected")
	}
	t.Logf("%d faults injected in %d calls; %d ingest events and %d publish batches reached the failure queues and were replayed; %d files equal to the fault-free run",
		injected.Load(), calls.Load(), len(ingestFailed), len(publishFailed), len(got))
}
