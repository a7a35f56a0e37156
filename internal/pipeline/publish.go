package pipeline

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	pathpkg "path"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cespare/xxhash/v2"

	article "github.com/pressroom/pressroom/internal/article/model"
	"github.com/pressroom/pressroom/internal/feed"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/store"
	"github.com/pressroom/pressroom/internal/websub"
)

// Report says what a Publish wrote.
type Report struct {
	Written   []string // paths whose bytes changed
	Deleted   []string // paths removed (feeds left empty)
	Unchanged int      // paths rendered to the same bytes
	Rendered  int      // feed documents rendered (live feeds and archive pages)
	Purged    []string // paths the CDN was asked to purge (this run's and any left by a failed one)
	Pinged    []string // feed URLs the WebSub hubs were told of
}

// Merge adds another report's counts and paths.
func (r *Report) Merge(o Report) {
	r.Written = append(r.Written, o.Written...)
	r.Deleted = append(r.Deleted, o.Deleted...)
	r.Unchanged += o.Unchanged
	r.Rendered += o.Rendered
	r.Purged = append(r.Purged, o.Purged...)
	r.Pinged = append(r.Pinged, o.Pinged...)
}

// Changed returns every path written or deleted.
func (r Report) Changed() []string {
	return append(append([]string(nil), r.Written...), r.Deleted...)
}

// Publish renders, once each, the live feeds and archive pages with
// pending changes, those whose scheduled or expiring articles came due
// since the last publish, and the feeds extra; writes the files whose
// bytes changed (a feed left with no live article loses its files), then
// the index page and the OPML list, purges what it wrote from the CDN and
// tells the WebSub hubs. Everything it has to do is durable in the index
// until done: a publish that fails half way leaves the pending marks, the
// unpurged paths and the hubs' notices for the next one. It is
// idempotent: run twice, the second run writes nothing.
func (p *Pipeline) Publish(ctx context.Context, extra []string) (rep Report, err error) {
	// One index transaction where the index allows it: reads see a
	// consistent index, and the output hashes commit together.
	err = index.Batch(ctx, p.Index, func(ix index.Index) error {
		q := *p
		q.Index = ix
		rep, err = q.publish(ctx, extra)
		return err
	})
	if err != nil {
		return rep, err
	}
	rep.Pinged, err = p.notify(ctx)
	return rep, err
}

// State names in the index.
const (
	stateLastPublish = "last-publish"
	stateConfig      = "config-hash" // the processing hash the local index was last built with
	stateIDDate      = "feed-id-date"
)

// job is what one publish renders.
type job struct {
	site  feed.Site
	now   time.Time
	infos map[string]index.FeedInfo
	gone  []index.Gone
	langs map[string]string // feed -> the language its live items share, for index.html
}

// publish is Publish inside its index transaction: it reads what is to be
// done, renders and writes it, then records it done and purges the CDN.
func (p *Pipeline) publish(ctx context.Context, extra []string) (Report, error) {
	var rep Report
	now := p.now()
	in, err := p.readPublishInputs(ctx, now)
	if err != nil {
		return rep, err
	}
	j, err := p.newJob(ctx, now, in.list, in.states[stateIDDate])
	if err != nil {
		return rep, err
	}
	expired, err := p.deletions(ctx, &j, in)
	if err != nil {
		return rep, err
	}
	work := in.work(extra, expired)
	// The named values a publish leaves are recorded with its pending
	// marks cleared, in one write.
	end := map[string]string{stateLastPublish: now.UTC().Format(time.RFC3339Nano)}
	if !work.Empty() {
		if err := p.renderWork(ctx, j, work, in, end, &rep); err != nil {
			return rep, err
		}
	}
	if err := p.finishPublish(ctx, j, in.pending, end, &rep); err != nil {
		return rep, err
	}
	p.log().Info("published", "documents", rep.Rendered, "written", len(rep.Written), "deleted", len(rep.Deleted),
		"unchanged", rep.Unchanged, "purged", len(rep.Purged), "due", len(in.due.Feeds), "pending", len(in.pending.Feeds),
		"pages", len(work.Pages), "all", in.pending.All)
	return rep, nil
}

// publishInputs is what a publish reads from the index before deciding
// what to render.
type publishInputs struct {
	pending index.Pending
	states  map[string]string // the publisher's named values
	since   time.Time         // the last publish; zero when never published
	due     index.Work        // what came due between since and now
	// list is every feed: one listing serves the labels, the archive
	// pages, "all" and the index page.
	list []index.FeedInfo
}

// readPublishInputs reads the pending marks, the publisher's named values
// (together), what came due since the last publish, and the feeds.
func (p *Pipeline) readPublishInputs(ctx context.Context, now time.Time) (publishInputs, error) {
	var in publishInputs
	var err error
	if in.pending, err = p.Index.Pending(ctx); err != nil {
		return in, fmt.Errorf("pipeline: %w", err)
	}
	in.states, err = p.Index.States(ctx, []string{stateLastPublish, stateIDDate, stateLanguages})
	if err != nil {
		return in, fmt.Errorf("pipeline: %w", err)
	}
	in.since, _ = time.Parse(time.RFC3339Nano, in.states[stateLastPublish]) // zero when never published
	if in.due, err = p.Index.Due(ctx, in.since, now); err != nil {
		return in, fmt.Errorf("pipeline: %w", err)
	}
	if in.list, err = p.Index.Feeds(ctx); err != nil {
		return in, fmt.Errorf("pipeline: %w", err)
	}
	return in, nil
}

// newJob starts the job of a publish at now: the site, the feeds of list
// by id, and the feeds' id date (idDate, the value recorded; recorded now
// on the first publish).
func (p *Pipeline) newJob(ctx context.Context, now time.Time, list []index.FeedInfo, idDate string) (job, error) {
	j := job{site: p.Site(), now: now, infos: make(map[string]index.FeedInfo, len(list))}
	for _, fi := range list {
		j.infos[fi.ID] = fi
	}
	var err error
	j.site.IDDate, err = p.idDate(ctx, idDate, now)
	return j, err
}

// deletions fills j.gone with the deletions to announce and returns the
// feeds to render again without one. Articles whose expiry came are
// deletions too (their rights ended: partners must take them down); those
// within the retention window are announced; a feed whose announcement
// ran out since the last publish is rendered again without it.
func (p *Pipeline) deletions(ctx context.Context, j *job, in publishInputs) ([]string, error) {
	if len(in.due.Expired) > 0 && p.retention() > 0 {
		if err := p.Index.RecordGone(ctx, in.due.Expired); err != nil {
			return nil, fmt.Errorf("pipeline: %w", err)
		}
	}
	var err error
	if j.gone, err = p.Index.Gone(ctx); err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	keep := p.retention()
	var expired []string
	for _, g := range j.gone {
		if ends := g.At.Add(keep); ends.After(in.since) && !ends.After(j.now) {
			expired = append(expired, g.Feeds...)
		}
	}
	return expired, nil
}

// work is what a publish renders: the feeds extra, pending, due and
// expired (their announcement of a deletion ran out), and the pending and
// due archive pages; every feed and page when all are pending.
func (in publishInputs) work(extra, expired []string) index.Work {
	ids := append(append(append(append([]string(nil), extra...), in.pending.Feeds...), in.due.Feeds...), expired...)
	pages := append(append([]index.PageRef(nil), in.pending.Pages...), in.due.Pages...)
	if in.pending.All {
		ids = append(ids, "")
		for _, fi := range in.list {
			ids = append(ids, fi.ID)
			for n := 1; n <= pageCount(fi); n++ {
				pages = append(pages, index.PageRef{Feed: fi.ID, Page: n})
			}
		}
	}
	return index.Work{Feeds: unique(ids), Pages: uniquePages(pages)}
}

// renderWork renders and writes work and the site's pages, telling the
// hubs first which feeds may change (announcePings), and adds to end the
// named values the publish leaves: the feeds' languages when they changed,
// and the hubs' notices still to send.
func (p *Pipeline) renderWork(ctx context.Context, j job, work index.Work, in publishInputs, end map[string]string, rep *Report) error {
	j.langs = feedLanguages(in.states[stateLanguages])
	p.out = &outputs{ix: p.Index, ctx: ctx, known: map[string]string{}, dirty: map[string]string{}}
	if l, ok := p.Index.(index.InProcess); ok && l.InProcess() {
		p.out.lazy = true
	} else {
		hashes, err := p.Index.OutputHashes(ctx)
		if err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
		p.out.known = hashes
	}
	told, err := p.announcePings(ctx, j.site, work.Feeds)
	if err != nil {
		return err
	}
	if err := p.writeWork(ctx, j, work, in.list, rep); err != nil {
		return err
	}
	if v := feedLanguagesValue(j.langs, in.list); v != in.states[stateLanguages] {
		end[stateLanguages] = v
	}
	if len(j.site.Hubs) > 0 {
		end[stateWebSub] = p.pingsValue(recordedPings(j.site, told, *rep))
	}
	return nil
}

// writeWork renders and writes the feeds and pages of work, then the
// site's pages (list is every feed), and records the output hashes of what
// was written, also when a later write failed: the next run then finds
// those files as they are.
func (p *Pipeline) writeWork(ctx context.Context, j job, work index.Work, list []index.FeedInfo, rep *Report) error {
	err := p.render(ctx, j, work, rep)
	if err == nil {
		err = p.pages(ctx, j.site, list, j.langs, rep)
	}
	if err == nil {
		err = p.out.readErr() // what a failed read decided may be wrong: the next run does it again
	}
	if ferr := p.out.flush(ctx); err == nil {
		err = ferr
	} else if ferr != nil {
		p.log().Error("output hashes not recorded", "paths", len(p.out.dirty), "error", ferr)
	}
	return err
}

// finishPublish records the publish done (its pending marks cleared, the
// named values in end), forgets the deletions no longer announced, and
// purges the CDN of what was written.
func (p *Pipeline) finishPublish(ctx context.Context, j job, pending index.Pending, end map[string]string, rep *Report) error {
	if err := p.Index.Published(ctx, pending, end); err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	if len(j.gone) > 0 {
		if err := p.Index.ForgetGone(ctx, j.now.Add(-p.retention())); err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
	}
	return p.purge(ctx, j.now, rep)
}

// stateLanguages holds the language of each feed's live items (JSON,
// feed id to BCP 47), kept from the publish that rendered the feed last:
// index.html shows it without reading every feed.
const stateLanguages = "feed-languages"

// feedLanguages reads the recorded value v.
func feedLanguages(v string) map[string]string {
	out := map[string]string{}
	if v != "" {
		json.Unmarshal([]byte(v), &out) // unreadable: languages are shown again as feeds are rendered
	}
	return out
}

// feedLanguagesValue is the record of langs, for the feeds that still
// exist; when the record would pass the index's size limit for a state
// value, the feeds with most articles keep theirs.
func feedLanguagesValue(langs map[string]string, infos []index.FeedInfo) string {
	byCount := append([]index.FeedInfo(nil), infos...)
	sort.SliceStable(byCount, func(i, k int) bool { return byCount[i].Count > byCount[k].Count })
	keep := map[string]string{}
	size := 2
	for _, fi := range byCount {
		l, ok := langs[fi.ID]
		if !ok || l == "" {
			continue
		}
		if size += len(fi.ID) + len(l) + 6; size > index.MaxState {
			break
		}
		keep[fi.ID] = l
	}
	data, _ := json.Marshal(keep)
	return string(data)
}

// retention is how long deletions are announced.
func (p *Pipeline) retention() time.Duration {
	return time.Duration(p.Config.Feeds.DeletedDays) * 24 * time.Hour
}

// idDate returns the date of the feeds' permanent ids (feed.FeedID): the
// day of the first publish, recorded then and never changed. The site
// owned its address that day, as RFC 4151 asks of a tag: URI's date (the
// oldest article's date would not do: archives imported from before the
// site had its domain are common). d is the value recorded.
func (p *Pipeline) idDate(ctx context.Context, d string, now time.Time) (string, error) {
	if d != "" {
		return d, nil
	}
	d = now.UTC().Format("2006-01-02")
	return d, p.Index.SetState(ctx, stateIDDate, d)
}

// feedKind is how a feed is published: a public feed, or a partner's.
type feedKind struct {
	limit   int
	brief   bool
	formats []string // nil: all three
	gone    bool     // no longer configured (a removed partner): its files go
}

func (p *Pipeline) kind(site feed.Site, id string) feedKind {
	if feed.Family(id) != feed.PartnersFamily {
		return feedKind{limit: p.Config.Feeds.Limit}
	}
	for _, pt := range site.Partners {
		if feed.PartnersFamily+"/"+pt.Name == id {
			return feedKind{limit: pt.Limit, brief: !pt.FullContent, formats: pt.Formats}
		}
	}
	return feedKind{gone: true}
}

// deleted returns the deletions a feed announces at now, newest first.
func (p *Pipeline) deleted(j job, id string) []feed.Deleted {
	keep := p.retention()
	var out []feed.Deleted
	for i := len(j.gone) - 1; i >= 0 && len(out) < maxDeleted; i-- {
		g := j.gone[i]
		if !g.At.Add(keep).After(j.now) {
			continue
		}
		for _, f := range g.Feeds {
			if f == id {
				out = append(out, feed.Deleted{ID: g.ID, URL: g.URL, At: g.At})
				break
			}
		}
	}
	return out
}

// maxDeleted bounds the deletions one feed announces (the newest).
const maxDeleted = 500

// renderGroup is the number of documents whose articles are read at
// once: few round trips to the index, and a bounded memory when every
// feed of a site is rendered.
const renderGroup = 50

// render renders the live feeds and archive pages of work, reading the
// articles of renderGroup documents at a time (index.Contents), then
// any archive page a rendered live feed links to that was never written
// (see unwrittenPages).
func (p *Pipeline) render(ctx context.Context, j job, work index.Work, rep *Report) error {
	var pages []index.PageRef
	asked := map[index.PageRef]bool{}
	for _, pg := range work.Pages {
		if p.pageLives(j, pg) {
			pages = append(pages, pg)
			asked[pg] = true
		}
	}
	byPlace(j, pages)
	// emptied holds the feeds found with no live article: their pages
	// were just removed (liveDoc), and none is written, or a page would
	// link a live feed that does not exist (a tag whose one article is
	// scheduled) and come back at every publish. All live documents are
	// rendered before any page.
	emptied := map[string]bool{}
	var more []index.PageRef
	for i := 0; i < len(work.Feeds)+len(pages); i += renderGroup {
		end := min(i+renderGroup, len(work.Feeds)+len(pages))
		feeds := work.Feeds[min(i, len(work.Feeds)):min(end, len(work.Feeds))]
		pgs := pages[max(i-len(work.Feeds), 0):max(end-len(work.Feeds), 0)]
		var live []index.LiveRef
		for _, id := range feeds {
			if k := p.kind(j.site, id); !k.gone {
				live = append(live, index.LiveRef{Feed: id, Limit: k.limit})
			}
		}
		c, err := p.Index.Contents(ctx, live, pgs, j.now)
		if err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
		// The live documents are rendered with the pages, on every core.
		docs := make([]feed.Doc, 0, len(feeds)+len(pgs))
		for _, id := range feeds {
			d, ok, err := p.liveDoc(ctx, j, id, c.Live[id], rep)
			if err != nil {
				return err
			}
			if ok {
				docs = append(docs, d)
			} else {
				emptied[id] = true
			}
			if len(c.Live[id]) > 0 {
				more = append(more, p.unwrittenPages(j, id, asked)...)
			}
		}
		for _, pg := range pgs {
			if !emptied[pg.Feed] {
				docs = append(docs, p.pageDoc(j, pg, c.Pages[pg]))
			}
		}
		if err := p.writeDocs(ctx, j.site, docs, rep); err != nil {
			return err
		}
	}
	for i := 0; i < len(more); i += renderGroup {
		pgs := more[i:min(i+renderGroup, len(more))]
		c, err := p.Index.Contents(ctx, nil, pgs, j.now)
		if err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
		docs := make([]feed.Doc, len(pgs))
		for i, pg := range pgs {
			docs[i] = p.pageDoc(j, pg, c.Pages[pg])
		}
		if err := p.writeDocs(ctx, j.site, docs, rep); err != nil {
			return err
		}
	}
	return nil
}

// byPlace orders pages by where each falls in its feed (its middle, as a
// fraction of the feed's pages), those at one place in the order they had.
// A feed's slots follow its articles' arrival, so a site's page and its
// tags' and authors' pages at the same place hold many of the same
// articles: rendered near one another, they share the articles the index
// decodes (bolt's cache of a transaction holds 64 MB of them; DynamoDB's
// reads are per group of documents). In feed order, a site larger than
// the cache decoded every article again for each of its feeds.
func byPlace(j job, pages []index.PageRef) {
	place := func(pg index.PageRef) (num, den int) {
		return 2*pg.Page - 1, 2 * max(pageCount(j.infos[pg.Feed]), 1)
	}
	slices.SortStableFunc(pages, func(a, b index.PageRef) int {
		an, ad := place(a)
		bn, bd := place(b)
		return cmp.Compare(an*bd, bn*ad)
	})
}

// unwrittenPages returns the newest archive pages of a feed whose live
// document was just rendered with its page count, that have no files and
// were not asked for: pages opened by scheduled articles, which are
// recorded without a publish (the index marks nothing for them), until
// something else renders the feed and links to them.
func (p *Pipeline) unwrittenPages(j job, id string, asked map[index.PageRef]bool) []index.PageRef {
	var out []index.PageRef
	for n := pageCount(j.infos[id]); n > 0; n-- {
		pg := index.PageRef{Feed: id, Page: n}
		if asked[pg] || p.pageWritten(id, n) || !p.pageLives(j, pg) {
			break
		}
		asked[pg] = true
		out = append(out, pg)
	}
	return out
}

// pageWritten reports whether the index records a file of an archive
// page.
func (p *Pipeline) pageWritten(id string, n int) bool {
	for _, path := range feed.PagePaths(id, n) {
		if p.out.hash(path) != "" {
			return true
		}
	}
	return false
}

// liveDoc returns the document of a live feed holding items, to be
// written (ok), or removes the feed when it has no item (none when its
// kind is gone), writing what it still announces.
func (p *Pipeline) liveDoc(ctx context.Context, j job, id string, items []article.Article, rep *Report) (d feed.Doc, ok bool, err error) {
	k := p.kind(j.site, id)
	fi := j.infos[id]
	if k.gone {
		items = nil
	}
	deleted := p.deleted(j, id)
	if len(items) == 0 && id != "" {
		// No live article: the archive pages go; the live files too,
		// unless they still have deletions to announce (a partner whose
		// one story was retracted must be told): they go when the
		// announcements end.
		delete(j.langs, id)
		if err := p.removePages(ctx, id, rep); err != nil || len(deleted) > 0 && !k.gone {
			if err == nil {
				label := fi.Label
				if label == "" {
					label = pathpkg.Base(id)
				}
				err = p.writeDoc(ctx, j.site, feed.Doc{Ref: feed.Ref{ID: id, Label: label}, Deleted: deleted, Brief: k.brief, Formats: k.formats}, rep)
			}
			return feed.Doc{}, false, err
		}
		return feed.Doc{}, false, p.removeFeed(ctx, id, rep)
	}
	j.langs[id] = feed.ItemsLanguage(items)
	return feed.Doc{Ref: feed.Ref{ID: id, Label: fi.Label}, Items: items, Pages: pageCount(fi),
		Deleted: deleted, Brief: k.brief, Formats: k.formats}, true, nil
}

// pageCount is the number of archive pages a feed has: one per PageSize
// slots taken. Every feed has them, small ones too: a feed whose pages
// appeared only once it outgrew its live feed would need the pages its
// articles joined before to be found and written at that moment, and
// limits and size budgets would move that moment.
func pageCount(fi index.FeedInfo) int { return index.PageOf(fi.Slots) }

// pageLives reports whether an archive page is still to be rendered: its
// feed is not gone (its live render removed its pages).
func (p *Pipeline) pageLives(j job, pg index.PageRef) bool {
	fi, ok := j.infos[pg.Feed]
	return !p.kind(j.site, pg.Feed).gone && ok && pg.Page <= pageCount(fi)
}

// pageDoc is the document of an archive page holding all (see
// pageLives).
func (p *Pipeline) pageDoc(j job, pg index.PageRef, all []article.Article) feed.Doc {
	k := p.kind(j.site, pg.Feed)
	fi := j.infos[pg.Feed]
	n := pageCount(fi)
	// Closed: every slot taken, nothing in it still to appear or leave.
	full := fi.Slots >= pg.Page*index.PageSize
	items := all[:0:0]
	for _, a := range all {
		switch a.StatusAt(j.now) {
		case article.StatusPublished:
			items = append(items, a)
			full = full && a.Expires.IsZero()
		case article.StatusScheduled:
			full = false
		}
	}
	return feed.Doc{Ref: feed.Ref{ID: pg.Feed, Label: fi.Label}, Items: items, Page: pg.Page, Pages: n,
		Full: full, Brief: k.brief, Formats: k.formats}
}

// writeDoc renders a document and writes its files.
func (p *Pipeline) writeDoc(ctx context.Context, site feed.Site, d feed.Doc, rep *Report) error {
	return p.writeDocs(ctx, site, []feed.Doc{d}, rep)
}

// renderedFile is one file of a document a worker of writeDocs rendered.
type renderedFile struct {
	path, hash string
	written    bool // the bytes changed, and were stored
}

// writeDocs renders documents and writes their changed files, on every
// core: rendering the archive pages is most of a full build's publish.
// The workers only render, hash and store (the Store is safe for
// concurrent use; the known output hashes are only read meanwhile); what
// was written is then recorded in the documents' order, as one writer
// would have, so the output hashes still follow the writes. On an error,
// files of later documents may have been stored and not recorded: the
// next run finds them changed and writes them again.
func (p *Pipeline) writeDocs(ctx context.Context, site feed.Site, docs []feed.Doc, rep *Report) error {
	files := make([][]renderedFile, len(docs))
	errs := make([]error, len(docs))
	work := func(i int) {
		d := docs[i]
		r, err := feed.RenderDoc(site, d)
		if err != nil {
			errs[i] = fmt.Errorf("pipeline: render %q page %d: %w", d.Ref.ID, d.Page, err)
			return
		}
		// The next document reuses the memory once its files are stored
		// (Store.Put keeps no reference to a body).
		defer r.Release()
		for _, path := range feed.DocPaths(d) {
			cc := feed.CacheControl(path)
			if d.Full {
				cc = feed.ClosedCacheControl(path)
			}
			body := r.Bytes(path)
			f := renderedFile{path: path, hash: outputHash(path, body, cc)}
			if !unchanged(p.out.hash(path), f.hash, path, body, cc) {
				if err := p.Store.Put(ctx, path, body, store.PutOptions{ContentType: feed.ContentType(path), CacheControl: cc}); err != nil {
					errs[i] = fmt.Errorf("pipeline: write %s: %w", path, err)
					return
				}
				f.written = true
			}
			files[i] = append(files[i], f)
		}
	}
	if workers := min(runtime.GOMAXPROCS(0), len(docs)); workers <= 1 {
		for i := range docs {
			work(i)
		}
	} else {
		next := make(chan int)
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					work(i)
				}
			}()
		}
	send:
		for i := range docs {
			select {
			case next <- i:
			case <-ctx.Done():
				break send
			}
		}
		close(next)
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	for i, d := range docs {
		for _, f := range files[i] {
			if !f.written {
				rep.Unchanged++
				continue
			}
			rep.Written = append(rep.Written, f.path)
			if err := p.out.set(ctx, f.path, f.hash); err != nil {
				return err
			}
		}
		if errs[i] != nil {
			return errs[i]
		}
		rep.Rendered++
		// A format a partner no longer takes loses its file.
		for _, path := range feed.PagePaths(d.Ref.ID, d.Page) {
			if !contains(feed.DocPaths(d), path) {
				if err := p.remove(ctx, path, rep); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// removeFeed removes a feed's live files and its archive pages.
func (p *Pipeline) removeFeed(ctx context.Context, id string, rep *Report) error {
	for _, path := range feed.Paths(id) {
		if err := p.remove(ctx, path, rep); err != nil {
			return err
		}
	}
	return p.removePages(ctx, id, rep)
}

// removePages removes a feed's archive pages (which run from 1 without
// gaps).
func (p *Pipeline) removePages(ctx context.Context, id string, rep *Report) error {
	for n := 1; ; n++ {
		found := false
		for _, path := range feed.PagePaths(id, n) {
			if p.out.hash(path) == "" {
				continue
			}
			found = true
			if err := p.remove(ctx, path, rep); err != nil {
				return err
			}
		}
		if !found {
			return nil
		}
	}
}

// purge asks the CDN to purge every path written and not yet purged, this
// run's and any a failed run left, then forgets them.
func (p *Pipeline) purge(ctx context.Context, now time.Time, rep *Report) error {
	paths, err := p.Index.Unpurged(ctx)
	if err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	if len(paths) == 0 {
		return nil
	}
	if p.CDN != nil {
		run := p.Run
		if run == "" {
			run = strconv.FormatInt(now.UnixNano(), 10)
		}
		if err := p.CDN.Invalidate(ctx, run, paths); err != nil {
			return fmt.Errorf("pipeline: purge %d paths: %w", len(paths), err)
		}
	}
	if err := p.Index.Purged(ctx, paths); err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	rep.Purged = paths
	return nil
}

// pages renders index.html and feeds.opml from the public feeds that have
// files, and writes the stylesheet and the extension's schema beside them.
func (p *Pipeline) pages(ctx context.Context, site feed.Site, infos []index.FeedInfo, langs map[string]string, rep *Report) error {
	var listed []feed.Listed
	for _, fi := range infos {
		if feed.Family(fi.ID) == feed.PartnersFamily {
			continue // behind keys: not for the public list
		}
		if p.out.hash(feed.Paths(fi.ID)[0]) != "" || fi.ID == "" {
			listed = append(listed, feed.Listed{Ref: feed.Ref{ID: fi.ID, Label: fi.Label}, Count: fi.Count, Lang: langs[fi.ID]})
		}
	}
	page, err := feed.IndexPage(site, listed)
	if err != nil {
		return fmt.Errorf("pipeline: index page: %w", err)
	}
	if err := p.write(ctx, feed.IndexPath, page, feed.CacheControl(feed.IndexPath), rep); err != nil {
		return err
	}
	opml, err := feed.OPMLPage(site, listed)
	if err != nil {
		return fmt.Errorf("pipeline: opml: %w", err)
	}
	for _, f := range []struct {
		path string
		body []byte
	}{{feed.OPMLPath, opml}, {feed.StylesheetPath, feed.Stylesheet}, {feed.ExtensionSchemaPath, feed.ExtensionSchema}} {
		if err := p.write(ctx, f.path, f.body, feed.CacheControl(f.path), rep); err != nil {
			return err
		}
	}
	return nil
}

// outputHash names what a path holds: its bytes, and its Cache-Control
// when that is not the path's usual one (a page that closed changes
// headers, not bytes). It is xxHash64 ("xxh64:" and 16 hex digits): the
// hash only tells a publish whether a file changed since it was written,
// and a full build hashes every byte it writes (650 MB for 10,000
// articles), which SHA-256 took a tenth of the build's CPU to do.
// Unchanged bytes hashing alike is all it needs; a chance change hashing
// alike (and so not written) is one in 2^64.
func outputHash(path string, body []byte, cc string) string {
	h := xxhash.New()
	h.Write(body)
	if cc != feed.CacheControl(path) {
		h.WriteString("\x00" + cc)
	}
	var sum [8]byte
	return outputHashPrefix + hex.EncodeToString(h.Sum(sum[:0]))
}

// outputHashPrefix starts every hash outputHash returns.
const outputHashPrefix = "xxh64:"

// unchanged reports whether known, the hash recorded for path, names body
// with Cache-Control cc, which outputHash hashed as hash. Indexes written
// before hold SHA-256 hashes (64 hex digits, no prefix): those are
// compared as such, so the first publish after an upgrade writes no file
// again; each gets the new hash when it next changes.
func unchanged(known, hash, path string, body []byte, cc string) bool {
	if known == "" || strings.HasPrefix(known, outputHashPrefix) {
		return known == hash
	}
	return known == legacyOutputHash(path, body, cc)
}

// legacyOutputHash is outputHash as it was until December 2026: SHA-256,
// 64 hex digits.
func legacyOutputHash(path string, body []byte, cc string) string {
	h := sha256.New()
	h.Write(body)
	if cc != feed.CacheControl(path) {
		h.Write([]byte("\x00" + cc))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// write stores body at path unless the index records the same bytes there.
func (p *Pipeline) write(ctx context.Context, path string, body []byte, cc string, rep *Report) error {
	hash := outputHash(path, body, cc)
	if unchanged(p.out.hash(path), hash, path, body, cc) {
		rep.Unchanged++
		return nil
	}
	err := p.Store.Put(ctx, path, body, store.PutOptions{ContentType: feed.ContentType(path), CacheControl: cc})
	if err != nil {
		return fmt.Errorf("pipeline: write %s: %w", path, err)
	}
	rep.Written = append(rep.Written, path)
	return p.out.set(ctx, path, hash)
}

func (p *Pipeline) remove(ctx context.Context, path string, rep *Report) error {
	if p.out.hash(path) == "" {
		return nil
	}
	if err := p.Store.Delete(ctx, path); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("pipeline: delete %s: %w", path, err)
	}
	rep.Deleted = append(rep.Deleted, path)
	return p.out.set(ctx, path, "")
}

// outputs are the output hashes as one publish sees them: read once at
// its start (or, from an index in the process, path by path as the
// publish asks: see index.InProcess), and recorded behind the writes of
// the files, flushEvery paths at a time (index.SetOutputHashes: their
// purge marks first). A file written and not yet recorded is found
// changed by the next run, which writes it again.
type outputs struct {
	ix    index.Index
	ctx   context.Context   // the publish's, for the reads path by path
	lazy  bool              // known holds the paths read so far, not all
	mu    sync.Mutex        // writeDocs's workers ask for hashes together
	known map[string]string // path -> hash, this run's writes included
	dirty map[string]string // written, not yet recorded
	err   error             // the first read path by path that failed
}

// flushEvery is the number of paths recorded at once: one transaction of
// their purge marks and hashes on DynamoDB.
const flushEvery = 50

// hash returns the hash recorded for path, "" when none (or when its read
// failed: see readErr).
func (o *outputs) hash(path string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	h, ok := o.known[path]
	if !ok && o.lazy {
		var err error
		if h, err = o.ix.OutputHash(o.ctx, path); err != nil && o.err == nil {
			o.err = fmt.Errorf("pipeline: %w", err)
		}
		o.known[path] = h
	}
	return h
}

// readErr returns the first read of a hash that failed.
func (o *outputs) readErr() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err
}

// set records that path holds hash ("" removed), flushing when enough
// are waiting.
func (o *outputs) set(ctx context.Context, path, hash string) error {
	o.mu.Lock()
	o.known[path], o.dirty[path] = hash, hash
	o.mu.Unlock()
	if len(o.dirty) >= flushEvery {
		return o.flush(ctx)
	}
	return nil
}

// flush records the hashes waiting.
func (o *outputs) flush(ctx context.Context) error {
	if len(o.dirty) == 0 {
		return nil
	}
	if err := o.ix.SetOutputHashes(ctx, o.dirty); err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	o.dirty = map[string]string{}
	return nil
}

func uniquePages(ps []index.PageRef) []index.PageRef {
	seen := map[index.PageRef]bool{}
	var out []index.PageRef
	for _, p := range ps {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, k int) bool {
		if out[i].Feed != out[k].Feed {
			return out[i].Feed < out[k].Feed
		}
		return out[i].Page < out[k].Page
	})
	return out
}

// stateWebSub holds the feed URLs the hubs have not been told of yet.
const stateWebSub = "websub-pending"

// websubBudget bounds the time a publish spends telling hubs.
const websubBudget = 20 * time.Second

// maxPings bounds the URLs kept for the hubs (the newest are kept).
const maxPings = 1000

// announcePings records, before anything is written, every live public
// feed this run may change among the URLs the hubs must be told of: an
// index without transactions records each output hash as the file is
// written, so a run that dies after writing a feed would leave the next
// one finding it unchanged, and the hubs never told. It returns the URLs
// that were pending before.
func (p *Pipeline) announcePings(ctx context.Context, site feed.Site, ids []string) ([]string, error) {
	if len(site.Hubs) == 0 {
		return nil, nil
	}
	old, err := p.pendingPings(ctx)
	if err != nil {
		return nil, err
	}
	urls := append([]string(nil), old...)
	for _, id := range ids {
		if feed.Family(id) == feed.PartnersFamily {
			continue
		}
		for _, path := range feed.Paths(id) {
			urls = append(urls, feed.URL(site.FeedsURL, path))
		}
	}
	return old, p.setPendingPings(ctx, urls)
}

// recordedPings returns what to leave as the URLs the hubs must be told
// of: those pending before this run (old) and the live public feeds it
// changed. The publish records them in its last write: a run that dies
// before telling the hubs leaves the list to the next.
func recordedPings(site feed.Site, old []string, rep Report) []string {
	urls := append([]string(nil), old...)
	for _, path := range rep.Written {
		id, file := pathpkg.Split(path)
		id = strings.TrimSuffix(id, "/")
		if _, _, page := feed.ParsePagePath(path); page || !contains(feed.Paths(id), path) || feed.Family(id) == feed.PartnersFamily || file == "" {
			continue
		}
		urls = append(urls, feed.URL(site.FeedsURL, path))
	}
	return urls
}

func (p *Pipeline) pendingPings(ctx context.Context) ([]string, error) {
	v, err := p.Index.State(ctx, stateWebSub)
	if err != nil || v == "" {
		return nil, err
	}
	var urls []string
	if err := json.Unmarshal([]byte(v), &urls); err != nil {
		return nil, nil // unreadable: nothing worth failing a publish for
	}
	return urls, nil
}

// setPendingPings records urls as the ones the hubs must be told of (see
// pingsValue).
func (p *Pipeline) setPendingPings(ctx context.Context, urls []string) error {
	if err := p.Index.SetState(ctx, stateWebSub, p.pingsValue(urls)); err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	return nil
}

// pingsValue is the record of urls (in order, without repeats): at most
// maxPings, and within index.MaxState bytes; past either, the oldest are
// dropped (logged).
func (p *Pipeline) pingsValue(urls []string) string {
	seen := map[string]bool{}
	kept := urls[:0:0]
	for _, u := range urls {
		if !seen[u] {
			seen[u] = true
			kept = append(kept, u)
		}
	}
	size, first := 2, len(kept)
	for first > 0 && len(kept)-first < maxPings {
		n := len(kept[first-1]) + 3 // quotes and a comma; URLs need no escaping
		if size+n > index.MaxState-1024 {
			break
		}
		size += n
		first--
	}
	if first > 0 {
		p.log().Warn("websub pings dropped", "urls", first, "kept", len(kept)-first)
	}
	kept = kept[first:]
	if len(kept) == 0 {
		return ""
	}
	data, _ := json.Marshal(kept)
	return string(data)
}

// notify tells the hubs of the feeds changed by this run and any earlier
// run left untold; what they refuse or cannot be reached for is kept for
// the next run, and is not an error of the publish (a hub's outage must
// not fail it): the log says it.
func (p *Pipeline) notify(ctx context.Context) ([]string, error) {
	hubs := p.Config.WebSub.Hubs
	if len(hubs) == 0 {
		return nil, nil
	}
	urls, err := p.pendingPings(ctx)
	if err != nil || len(urls) == 0 {
		return nil, err
	}
	n := p.WebSub
	if n == nil {
		n = &websub.Notifier{Log: p.log()}
	}
	// A bounded time, so that hubs down cannot hold a publish (a Lambda
	// has its timeout): what is left waits for the next one.
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, websubBudget)
	defer cancel()
	var done, left []string
	failed := map[string]bool{}
	for _, o := range n.Notify(ctx, hubs, urls) {
		// A refusal is final: asking again at every publish would not help.
		if o.Retryable() {
			failed[o.URL] = true
		}
	}
	for _, u := range urls {
		if failed[u] {
			left = append(left, u)
		} else {
			done = append(done, u)
		}
	}
	// Another run may have added URLs meanwhile: keep those too.
	ctx = parent
	now, err := p.pendingPings(ctx)
	if err != nil {
		return done, err
	}
	for _, u := range now {
		if !contains(urls, u) {
			left = append(left, u)
		}
	}
	return done, p.setPendingPings(ctx, left)
}
