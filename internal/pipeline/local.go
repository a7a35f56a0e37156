package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	article "github.com/pressroom/pressroom/internal/article/model"
	"github.com/pressroom/pressroom/internal/feed"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/store"
)

// SyncReport says what a Sync found. Every file of the folder is counted
// once, by what it is at the end of the run: a file recorded by this run
// under its status (published, draft, scheduled or expired), a file still
// rejected (by this run or an earlier one) under Rejections, any other
// file under Unchanged; removed files under Removed.
type SyncReport struct {
	Published int // recorded by this run and in the feeds now
	Unchanged int // neither read again nor rejected
	// Drafts, Scheduled and Expired were recorded by this run (Article is
	// set) but are in no feed now.
	Drafts, Scheduled, Expired []Result
	Rejections                 []Rejection // every file rejected, in path order
	Removed                    []string    // files gone from the folder, removed from the index (but renamed ones)
	// Renamed are the files removed whose bytes this run recorded under
	// a new name (see renames), in the order of their old names. The new
	// name is counted by its outcome like any file recorded.
	Renamed []Rename
}

// Rename is a file gone from the folder (From) whose bytes are now under
// another name (To).
type Rename struct{ From, To string }

// Rejection is a file whose latest version was refused.
type Rejection struct {
	Key      string
	Problems []article.Problem
	// New says this run read the version it refused; otherwise the file
	// was rejected before and has not changed.
	New bool
	// Kept says the index holds a good version of the file that stays
	// published (not a draft); otherwise nothing is published from it.
	Kept bool
}

// Sync brings the index in line with a folder of article files: removed
// files first (so a renamed file finds its slug free), then new and changed
// files, parsed in parallel on every core and recorded in the order of
// their paths (so when two files claim one id, the same one wins every
// time). A file whose size and modification time match the index is not
// read; one whose bytes hash the same is not parsed. With force (or a
// changed configuration or parser) every file is parsed again and every
// feed marked for publishing. Every record carries its pending feeds in the
// same index transaction, so a Sync killed half way leaves nothing
// unpublished for good. progress, when not nil, is called as files are
// done.
func (p *Pipeline) Sync(ctx context.Context, dir string, force bool, progress func(done, total int)) (SyncReport, error) {
	var rep SyncReport
	if p.Parse == nil {
		return rep, errNoParser
	}
	changed, err := p.ConfigChanged(ctx)
	if err != nil {
		return rep, err
	}
	force = force || changed
	files, known, articles, err := p.listSync(ctx, dir)
	if err != nil {
		return rep, err
	}
	gone := pair(files, known.stats)
	todo := unread(files, force)
	removed, rejected, err := known.summarize(ctx, p.Index, todo, gone)
	if err != nil {
		return rep, err
	}
	s := newSyncRun(p, articles, rejected)
	if err := s.removeAll(ctx, removed); err != nil {
		return rep, err
	}
	if err := s.recordAll(ctx, dir, files, todo, force, progress); err != nil {
		return rep, err
	}
	if err := s.applyWaiting(ctx); err != nil {
		return rep, err
	}
	if err := p.recordSynced(ctx, force, changed); err != nil {
		return rep, err
	}
	if err := p.tally(ctx, &rep, files, known.stats, s.last, s.rejected, s.read); err != nil {
		return rep, err
	}
	s.reportRenames(&rep)
	return rep, nil
}

// listSync lists the article files of dir and the index's sources at the
// same time: on a large site, the two longest steps of a build that finds
// little changed. It also opens dir as the store the records read from.
func (p *Pipeline) listSync(ctx context.Context, dir string) ([]file, sources, *store.Folder, error) {
	type listing struct {
		known sources
		err   error
	}
	listed := make(chan listing, 1)
	go func() {
		known, err := listSources(ctx, p.Index)
		listed <- listing{known, err}
	}()
	files, err := articleFiles(dir)
	l := <-listed
	if err != nil {
		return nil, sources{}, nil, err
	}
	articles, err := store.NewFolder(dir)
	if err != nil {
		return nil, sources{}, nil, fmt.Errorf("pipeline: %w", err)
	}
	if l.err != nil {
		return nil, sources{}, nil, fmt.Errorf("pipeline: %w", l.err)
	}
	return files, l.known, articles, nil
}

// sources is the index's sources as a Sync compares them with the folder:
// every one's FileStat, and the full summaries where the index has no
// cheaper listing (index.StatLister).
type sources struct {
	stats []index.FileStat
	all   []index.Summary // nil with a StatLister; else stats' summaries, in their order
}

// listSources lists ix's sources, sorted by key.
func listSources(ctx context.Context, ix index.Index) (sources, error) {
	if sl, ok := ix.(index.StatLister); ok {
		stats, err := sl.ListStats(ctx)
		return sources{stats: stats}, err
	}
	all, err := ix.List(ctx)
	if err != nil {
		return sources{}, err
	}
	// Sorted here, for stats and all to stay in one order (pair).
	slices.SortFunc(all, func(a, b index.Summary) int { return strings.Compare(a.Key, b.Key) })
	stats := make([]index.FileStat, len(all))
	for i, s := range all {
		stats[i] = index.FileStat{Key: s.Key, Size: s.Size, ModTime: s.ModTime.UnixNano(), Deleted: s.Deleted, Rejected: len(s.Problems) > 0}
	}
	return sources{stats: stats, all: all}, nil
}

// summarize reads the summaries a Sync needs besides the FileStats: of the
// files to read (todo, given theirs as old), of the sources gone (returned
// in their order) and of the sources rejected and not deleted (returned
// in key order).
func (l sources) summarize(ctx context.Context, ix index.Index, todo []file, gone []*index.FileStat) (removed, rejected []*index.Summary, err error) {
	want := map[string]bool{}
	for _, f := range todo {
		if f.stat != nil {
			want[f.key] = true
		}
	}
	for _, st := range gone {
		want[st.Key] = true
	}
	for _, st := range l.stats {
		if st.Rejected && !st.Deleted {
			want[st.Key] = true
		}
	}
	got := make(map[string]*index.Summary, len(want))
	if l.all != nil {
		for k := range l.all {
			if want[l.all[k].Key] {
				got[l.all[k].Key] = &l.all[k]
			}
		}
	} else if len(want) > 0 {
		keys := slices.Sorted(maps.Keys(want))
		sums, err := ix.(index.StatLister).Summaries(ctx, keys)
		if err != nil {
			return nil, nil, fmt.Errorf("pipeline: %w", err)
		}
		for i := range sums {
			got[keys[i]] = &sums[i]
		}
	}
	for i := range todo {
		if todo[i].stat != nil {
			todo[i].old = got[todo[i].key]
		}
	}
	for _, st := range gone {
		removed = append(removed, got[st.Key])
	}
	for _, st := range l.stats {
		if st.Rejected && !st.Deleted {
			rejected = append(rejected, got[st.Key])
		}
	}
	return removed, rejected, nil
}

// unread returns the files to read: with force all of them, else those
// whose size or modification time differ from the index's. Most files, in
// most builds, match, so they are not handed to the parsers at all.
func unread(files []file, force bool) []file {
	var todo []file
	for _, f := range files {
		if force || !statUnchanged(f) {
			todo = append(todo, f)
		}
	}
	return todo
}

// syncRun is what one Sync learns as it goes, step by step: the outcomes
// the report is tallied from, the sources waiting on claims the run
// released, and the removed files a renamed one takes its id from.
type syncRun struct {
	p        *Pipeline
	articles *store.Folder // the folder synced, for the records to read
	gone     renames       // the files removed, for renames
	// removedBy and renamed pair files removed with files recorded under
	// a new name, for the report: removedBy holds the removed ones by
	// their bytes' hash (in the order they were removed, each with the id
	// of the article its removal took out, if any), renamed the pairs.
	removedBy renames
	renamed   []Rename
	// rejected holds every file rejected now: before this run (they stay
	// rejected unless processed again) or by it.
	rejected map[string][]article.Problem
	// last holds each file's last outcome in this run: a file may be
	// recorded twice (rejected waiting on a claim, then published when
	// the claim is released).
	last    map[string]Result
	read    map[string]bool // files whose bytes this run recorded
	waiters []string        // sources waiting on claims this run released
}

// newSyncRun starts a Sync's state from the index's summaries of the
// sources rejected (and not deleted).
func newSyncRun(p *Pipeline, articles *store.Folder, rejected []*index.Summary) *syncRun {
	s := &syncRun{
		p:         p,
		articles:  articles,
		gone:      renames{},
		removedBy: renames{},
		rejected:  map[string][]article.Problem{},
		last:      map[string]Result{},
		read:      map[string]bool{},
	}
	for _, k := range rejected {
		s.rejected[k.Key] = k.Problems
	}
	return s
}

// count notes the outcome of a record or a removal.
func (s *syncRun) count(res Result) {
	switch res.Outcome {
	case Published, Removed:
		delete(s.rejected, res.Key)
	case Rejected:
		s.rejected[res.Key] = res.Problems
	default:
		return
	}
	res.Article, res.Kept = bodiless(res.Article), bodiless(res.Kept)
	s.last[res.Key] = res
	s.waiters = append(s.waiters, res.Waiters...)
}

// bodiless is a copy of a without its body (ContentHTML, Summary), or nil:
// what a Sync keeps of each article for its report. Kept whole, every
// article of a first build stayed in memory to its end: 59 MB of live heap
// at the end of the Sync of 10,000 articles; 104 MB more at the peak of a
// build of 40,000.
func bodiless(a *article.Article) *article.Article {
	if a == nil {
		return nil
	}
	light := *a
	light.ContentHTML, light.Summary = "", ""
	return &light
}

// removeAll removes the files gone from the folder, first (so a renamed
// file finds its slug free) and in one transaction. A removed file whose
// bytes come back under a new name in this sync was renamed: the new name
// keeps its id (see noteRename).
func (s *syncRun) removeAll(ctx context.Context, removed []*index.Summary) error {
	if len(removed) == 0 {
		return nil // no transaction: it would commit nothing
	}
	p := s.p
	return index.Batch(ctx, p.Index, func(ix index.Index) error {
		q := *p
		q.Index = ix
		for _, k := range removed {
			if err := s.noteRename(ctx, ix, k); err != nil {
				return err
			}
			res, err := q.Remove(ctx, k.Key, localVersion(p.now(), k.Version))
			if err != nil {
				return err
			}
			s.count(res)
		}
		return nil
	})
}

// noteRename remembers a removed file (k) by its bytes' hash: for a new
// file with the same bytes to keep its article's id when it had a good
// one (gone), and for the report (removedBy) with the id of the article
// its removal takes out ("" when none: a file rejected and never
// published, say).
func (s *syncRun) noteRename(ctx context.Context, ix index.Index, k *index.Summary) error {
	if k.Hash == "" {
		return nil
	}
	old := renamed{key: k.Key, modTime: k.ModTime}
	if k.HasArticle {
		src, err := ix.Get(ctx, k.Key)
		if err != nil {
			return fmt.Errorf("pipeline: %s: %w", k.Key, err)
		}
		if src.Article != nil {
			old.id = src.Article.ID
			if len(k.Problems) == 0 && src.Article.Hash == k.Hash {
				s.gone[k.Hash] = append(s.gone[k.Hash], old)
			}
		}
	}
	s.removedBy[k.Hash] = append(s.removedBy[k.Hash], old)
	return nil
}

// recordAll parses the files to read (todo, of files in dir) on every core
// and records them in path order, syncBatch records to a transaction. One
// batch is recorded while the next is gathered, so the parsers do not wait
// for the index (they did: the window ahead of the recorder is far smaller
// than a batch). After an error it drains the parsers and returns the first
// error.
func (s *syncRun) recordAll(ctx context.Context, dir string, files, todo []file, force bool, progress func(done, total int)) error {
	results := s.p.parseAll(ctx, dir, todo, force)
	n := len(files) - len(todo) // the files not read are done
	if progress != nil && n > 0 {
		progress(n, len(files))
	}
	var (
		firstErr error
		pending  = make([]done, 0, syncBatch)
		recorded chan error // the batch being recorded; nil when none is
	)
	wait := func() {
		if recorded != nil {
			if err := <-recorded; err != nil && firstErr == nil {
				firstErr = err
			}
			recorded = nil
		}
	}
	// record hands a batch to a goroutine of its own once the one before
	// it is recorded: batches stay in path order, and only that goroutine
	// touches what recordBatch notes (s.gone, s.last, s.rejected,
	// s.waiters); this one touches s.read.
	record := func(batch []done) {
		wait()
		if firstErr != nil || len(batch) == 0 {
			return
		}
		recorded = make(chan error, 1)
		go func(ch chan<- error) { ch <- s.recordBatch(ctx, batch) }(recorded)
	}
	for d := range results {
		n++
		if progress != nil {
			progress(n, len(files))
		}
		if firstErr != nil {
			continue // drain
		}
		if d.err != nil {
			firstErr = fmt.Errorf("pipeline: %s: %w", d.key, d.err)
			continue
		}
		if d.unchanged || d.vanished {
			continue // counted as unchanged unless recorded again (see tally)
		}
		s.read[d.key] = true
		if pending = append(pending, d); len(pending) == syncBatch {
			record(pending)
			pending = make([]done, 0, syncBatch)
		}
	}
	if firstErr == nil {
		record(pending)
	}
	wait()
	return firstErr
}

// recordBatch records parsed files in one index transaction (none when
// there are none). A file new to the index may be a renamed one: it keeps
// the removed file's id.
func (s *syncRun) recordBatch(ctx context.Context, pending []done) error {
	if len(pending) == 0 {
		return nil
	}
	p := s.p
	return index.Batch(ctx, p.Index, func(ix index.Index) error {
		q := *p
		q.Index, q.articles = ix, s.articles
		for _, d := range pending {
			var version string
			isNew := d.old == nil || d.old.Deleted
			if isNew {
				s.gone.keep(d.parsed.article, d.parsed.hash, d.key, d.modTime)
			}
			if d.old != nil {
				version = d.old.Version
			}
			res, err := q.record(ctx, d.parsed, localVersion(d.modTime, version))
			if err != nil {
				return err
			}
			if isNew {
				s.noteMoved(d.parsed.hash, d.modTime, res)
			}
			s.count(res)
		}
		return nil
	})
}

// applyWaiting applies again the files waiting on an id or URL that a
// removal or a change released, and any a killed build left waiting on a
// claim now free.
func (s *syncRun) applyWaiting(ctx context.Context) error {
	q := *s.p
	q.articles = s.articles
	again, err := q.settle(ctx, s.articles, s.waiters)
	for _, res := range again {
		s.count(res)
	}
	if err != nil {
		return err
	}
	again, err = q.RetryWaiting(ctx, s.articles)
	for _, res := range again {
		s.count(res)
	}
	return err
}

// recordSynced ends a Sync: with force, every feed is marked for
// publishing; a changed configuration is recorded; and so are the id
// settings, since the local commands refuse to build under others unless
// told to (IDsChange): from now on the index's ids are these.
func (p *Pipeline) recordSynced(ctx context.Context, force, changed bool) error {
	if force {
		if err := p.Index.MarkPending(ctx, index.Work{}, true); err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
	}
	if changed {
		if err := p.RecordConfig(ctx); err != nil {
			return err
		}
	}
	if err := p.recordIDs(ctx); err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	return nil
}

// tally fills rep: every file once, by its last outcome (see SyncReport).
func (p *Pipeline) tally(ctx context.Context, rep *SyncReport, files []file, known []index.FileStat,
	last map[string]Result, rejected map[string][]article.Problem, read map[string]bool) error {
	// Only the files this run recorded or finds rejected are looked at,
	// in key order (files and known are sorted by key): a rebuild that
	// recorded one file of 10,000 looked each of them up in both maps.
	keys := slices.Collect(maps.Keys(last))
	for k := range rejected {
		if _, dup := last[k]; !dup {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		_, inIndex := slices.BinarySearchFunc(known, k, func(s index.FileStat, k string) int { return strings.Compare(s.Key, k) })
		if res, ok := last[k]; ok && inIndex && res.Outcome == Removed {
			rep.Removed = append(rep.Removed, k)
		}
	}
	now := p.now()
	looked := 0
	for _, key := range keys {
		if _, inFolder := slices.BinarySearchFunc(files, key, func(f file, k string) int { return strings.Compare(f.key, k) }); !inFolder {
			continue
		}
		looked++
		if ps, ok := rejected[key]; ok {
			r := Rejection{Key: key, Problems: ps, New: read[key]}
			src, err := p.Index.Get(ctx, key)
			if err != nil && !errors.Is(err, index.ErrNotFound) {
				return fmt.Errorf("pipeline: %s: %w", key, err)
			}
			r.Kept = err == nil && !src.Deleted && src.Article != nil && !src.Article.Draft
			rep.Rejections = append(rep.Rejections, r)
			continue
		}
		res, ok := last[key]
		switch {
		case ok && res.Outcome == Published && res.Article != nil:
			switch res.Article.StatusAt(now) {
			case article.StatusDraft:
				rep.Drafts = append(rep.Drafts, res)
			case article.StatusScheduled:
				rep.Scheduled = append(rep.Scheduled, res)
			case article.StatusExpired:
				rep.Expired = append(rep.Expired, res)
			default:
				rep.Published++
			}
		default: // the same bytes, or vanished meanwhile
			rep.Unchanged++
		}
	}
	rep.Unchanged += len(files) - looked // not read
	return nil
}

// renamed is a file removed in this sync, by its bytes' hash: a new file
// with the same bytes is the same article under a new name.
type renamed struct {
	key, id string
	modTime time.Time
}

type renames map[string][]renamed

// take removes and returns the first of hash's removed files that ok
// accepts, one with modification time modTime first (moving a file keeps
// it, so among files of the same bytes it tells which one was moved).
func (r renames) take(hash string, modTime time.Time, ok func(renamed) bool) (renamed, bool) {
	at := -1
	for i, o := range r[hash] {
		if !ok(o) {
			continue
		}
		if o.modTime.Equal(modTime) {
			at = i
			break
		}
		if at < 0 {
			at = i
		}
	}
	if at < 0 {
		return renamed{}, false
	}
	old := r[hash][at]
	r[hash] = slices.Delete(r[hash], at, at+1)
	return old, true
}

// keep gives a new file's article the id of a removed file with the same
// bytes, once: a rename changes the file name, which the slug and the id
// come from, and readers would take the same article for a new one. The
// URL follows the new slug (the article is where its name now says); an id
// the file gives itself wins.
func (r renames) keep(a *article.Article, hash, key string, modTime time.Time) {
	if a == nil || a.IDFrom == article.IDFromFile {
		return
	}
	old, ok := r.take(hash, modTime, func(renamed) bool { return true })
	if !ok {
		return
	}
	if a.ID == old.id {
		return // the name changed, not the id (another folder, say)
	}
	a.ID, a.IDFrom = old.id, article.IDFromRename
	a.Notes = append(a.Notes, fmt.Sprintf("renamed from %s: keeps its id %s", old.key, old.id))
}

// noteMoved pairs a file new to the index, recorded as res, with a file
// this run removed that had the same bytes, once, for the report, which
// lists the two as one file renamed: only when readers see no article go,
// that is when the removal took none out or the new file's article has its
// id (see renames.keep). A published article whose file comes back under a
// name that is refused (another extension, an edit before the rename) is
// taken out of the feeds: removed, and the new name rejected.
func (s *syncRun) noteMoved(hash string, modTime time.Time, res Result) {
	if hash == "" {
		return
	}
	old, ok := s.removedBy.take(hash, modTime, func(o renamed) bool {
		return o.id == "" || res.Outcome == Published && res.Article != nil && res.Article.ID == o.id
	})
	if ok {
		s.renamed = append(s.renamed, Rename{From: old.key, To: res.Key})
	}
}

// reportRenames moves the files renamed from rep.Removed to rep.Renamed.
func (s *syncRun) reportRenames(rep *SyncReport) {
	if len(s.renamed) == 0 {
		return
	}
	from := map[string]bool{}
	for _, r := range s.renamed {
		from[r.From] = true
	}
	rep.Removed = slices.DeleteFunc(rep.Removed, func(k string) bool { return from[k] })
	rep.Renamed = slices.SortedFunc(slices.Values(s.renamed), func(a, b Rename) int { return strings.Compare(a.From, b.From) })
}

// done is one file after the parse phase of Sync.
type done struct {
	file
	parsed    parsed
	unchanged bool
	vanished  bool
	err       error
}

// parseWindow bounds the files parsed ahead of the one Sync records next:
// results are recorded in path order, and a slow file must not make the
// others pile up in memory.
const parseWindow = 64

// parseAll parses files (in the folder dir) on every core and delivers the
// results in the order of files.
func (p *Pipeline) parseAll(ctx context.Context, dir string, files []file, force bool) <-chan done {
	type job struct {
		i int
		f file
	}
	type result struct {
		i int
		d done
	}
	jobs := make(chan job)
	// Buffered hand-offs: a worker that finishes does not wait for the
	// orderer, nor the orderer for the index writer, to take its result
	// (the window bounds them all).
	results := make(chan result, parseWindow)
	window := make(chan struct{}, parseWindow)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- result{j.i, p.parseFile(dir, j.f, force)}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i, f := range files {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			jobs <- job{i, f}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	ordered := make(chan done, parseWindow)
	go func() {
		defer close(ordered)
		held := map[int]done{}
		next := 0
		for r := range results {
			held[r.i] = r.d
			for d, ok := held[next]; ok; d, ok = held[next] {
				delete(held, next)
				next++
				ordered <- d
				<-window
			}
		}
	}()
	return ordered
}

// statUnchanged says the index has the file at its size and modification
// time: it is not read again.
func statUnchanged(f file) bool {
	return f.stat != nil && !f.stat.Deleted && f.stat.Size == f.size && f.stat.ModTime == f.modTime.UnixNano()
}

// parseFile reads and parses one file (in the folder dir). One whose bytes
// hash as the index's version is unchanged.
func (p *Pipeline) parseFile(dir string, f file, force bool) done {
	d := done{file: f}
	old := f.old
	seen := old != nil && !old.Deleted
	data, _, err := article.ReadFile(f.path(dir), p.Config.MaxFileBytes())
	switch {
	case errors.Is(err, article.ErrRejected): // too large
		d.parsed = parsed{key: f.key, size: f.size, modTime: f.modTime, problems: article.Problems(err)}
	case errors.Is(err, fs.ErrNotExist):
		d.vanished = true // removed while we looked: the next sync removes it
	case err != nil:
		d.err = err
	default:
		d.parsed = p.parse(f.key, data, f.modTime)
		d.unchanged = !force && seen && d.parsed.hash == old.Hash && len(old.Problems) == 0
	}
	return d
}

// syncBatch is how many records one index transaction holds: large enough
// that commits stop dominating a build, small enough to bound memory.
const syncBatch = 1024

// Build is Sync then Publish: the whole local job.
func (p *Pipeline) Build(ctx context.Context, dir string, force bool, progress func(done, total int)) (SyncReport, Report, error) {
	srep, err := p.Sync(ctx, dir, force, progress)
	if err != nil {
		return srep, Report{}, err
	}
	missing, err := p.missingOutputs(ctx)
	if err != nil {
		return srep, Report{}, err
	}
	prep, err := p.Publish(ctx, missing)
	return srep, prep, err
}

// missingOutputs finds feeds whose files the index records as written but
// the out folder no longer holds (deleted by hand), forgets their hashes,
// and returns them to be rendered again.
func (p *Pipeline) missingOutputs(ctx context.Context) ([]string, error) {
	ids, err := p.AllFeeds(ctx)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, id := range ids {
		paths = append(paths, feed.Paths(id)...)
	}
	paths = append(paths, feed.IndexPath, feed.OPMLPath, feed.StylesheetPath)
	present, err := presentPaths(ctx, p.Store, paths)
	if err != nil {
		return nil, err
	}
	absent := false
	for _, path := range paths {
		absent = absent || !present[path]
	}
	if !absent {
		return nil, nil // nothing to look up or write: no index transaction
	}
	var missing []string
	err = index.Batch(ctx, p.Index, func(ix index.Index) error {
		for _, id := range ids {
			for _, path := range append(feed.Paths(id), feed.IndexPath, feed.OPMLPath, feed.StylesheetPath) {
				if present[path] {
					continue
				}
				h, err := ix.OutputHash(ctx, path)
				if err != nil {
					return err
				}
				if h != "" {
					missing = append(missing, id)
					if err := ix.SetOutputHash(ctx, path, ""); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	return missing, err
}

// localVersion orders local changes: the file's modification time in
// nanoseconds, or one more than the stored version when the clock says
// otherwise (a file restored with an old date is still a newer version).
func localVersion(t time.Time, stored string) string {
	v := t.UnixNano()
	if s, err := strconv.ParseInt(stored, 10, 64); err == nil && s >= v {
		v = s + 1
	}
	return fmt.Sprintf("%020d", v)
}
