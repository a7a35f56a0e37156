package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/config"
	"github.com/pressroom/pressroom/internal/index"
	"github.com/pressroom/pressroom/internal/index/bolt"
	"github.com/pressroom/pressroom/internal/pipeline"
	"github.com/pressroom/pressroom/internal/store"
)

// siteFlags are the flags build, serve and status share.
type siteFlags struct {
	src, out, config, index, keys string
	newIDs                        bool
}

func (s *siteFlags) register(fl *flag.FlagSet, withSrc bool) {
	if withSrc {
		fl.StringVar(&s.src, "src", "articles", "`folder` of article files")
		fl.BoolVar(&s.newIDs, "new-ids", false, "build even when the configuration gives the articles and feeds other ids than the site was built with")
	}
	fl.StringVar(&s.out, "out", "public", "`folder` the feeds are written to")
	fl.StringVar(&s.config, "config", "", "site configuration `file` (default: pressroom.yaml in the articles folder, its parent or the working folder, else built-in defaults)")
	fl.StringVar(&s.index, "index", "", "index `file` (default: OUT/.pressroom/index.db)")
}

// registerKeys adds --keys, the partners' keys file.
func (s *siteFlags) registerKeys(fl *flag.FlagSet) {
	fl.StringVar(&s.keys, "keys", "", "partners' keys `file` (default: partner-keys.json beside the index, in OUT/.pressroom/)")
}

// keysPath is the partners' keys file: --keys, else beside the index in
// the hidden state folder (never served, kept with the index).
func (s *siteFlags) keysPath() string {
	if s.keys != "" {
		return s.keys
	}
	return filepath.Join(filepath.Dir(s.indexPath()), "partner-keys.json")
}

func (s *siteFlags) indexPath() string {
	if s.index != "" {
		return s.index
	}
	return filepath.Join(s.out, ".pressroom", "index.db")
}

// configDirs are the folders searched for pressroom.yaml when --config is
// not given, as Hugo searches for its configuration: the articles folder,
// its parent (the site's folder), then the working folder. status, which
// has no articles folder, searches the out folder's parent.
func (s *siteFlags) configDirs() []string {
	var dirs []string
	if s.src != "" {
		dirs = append(dirs, s.src, filepath.Join(s.src, ".."))
	} else {
		dirs = append(dirs, filepath.Join(s.out, ".."))
	}
	return append(dirs, ".")
}

// loadConfig loads --config or the pressroom.yaml found (findConfig), and
// says on stderr which, or that the built-in defaults are used: built
// with the wrong configuration, a site gets other ids and addresses. It
// returns the file's path, "" for the defaults.
func (s *siteFlags) loadConfig(stderr io.Writer) (config.Config, string, error) {
	name := s.config
	if name == "" {
		var err error
		if name, err = findConfig(s.configDirs()); err != nil {
			return config.Config{}, "", err
		}
	}
	if name == "" {
		c := config.Default()
		fmt.Fprintf(stderr, "pressroom: no %s in %s: using the built-in defaults (site.base_url %s, site.timezone %s); --config names a file\n",
			config.FileName, safe(strings.Join(uniqueDirs(s.configDirs()), ", ")), c.Site.BaseURL, c.Site.Timezone)
		return c, "", nil
	}
	c, err := config.Load(name)
	if err != nil {
		return config.Config{}, "", err
	}
	fmt.Fprintf(stderr, "pressroom: configuration %s\n", safe(name))
	return c, name, nil
}

// findConfig returns the first pressroom.yaml in dirs, or "" when none
// has one.
func findConfig(dirs []string) (string, error) {
	for _, d := range uniqueDirs(dirs) {
		name := filepath.Join(d, config.FileName)
		fi, err := os.Stat(name)
		switch {
		case err == nil && !fi.IsDir():
			return name, nil
		case err != nil && !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
			return "", fmt.Errorf("config: %w", err)
		}
	}
	return "", nil
}

// uniqueDirs drops the folders named twice (the articles folder's parent
// is often the working folder).
func uniqueDirs(dirs []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range dirs {
		abs, err := filepath.Abs(d)
		if err != nil {
			abs = d
		}
		if !seen[abs] {
			seen[abs] = true
			out = append(out, d)
		}
	}
	return out
}

// open loads the configuration and opens the out folder; the index is
// opened for each build (withIndex).
func (s *siteFlags) open(stderr io.Writer) (*pipeline.Pipeline, string, int) {
	cfg, file, err := s.loadConfig(stderr)
	if err != nil {
		fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		return nil, "", ExitUsage
	}
	out, err := store.NewFolder(s.out)
	if err != nil {
		fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		return nil, "", ExitUsage
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("PRESSROOM_DEBUG") != "" {
		logger = slog.New(slog.NewTextHandler(stderr, nil))
	}
	return &pipeline.Pipeline{Store: out, Config: cfg, Log: logger, Parse: article.Parse}, file, ExitOK
}

// withIndex opens the index for p, runs f and closes the index again: the
// file is held only while a build writes it, so status can read it beside
// a running serve.
func (s *siteFlags) withIndex(p *pipeline.Pipeline, stderr io.Writer, f func() int) int {
	ix, err := bolt.Open(s.indexPath())
	if err != nil {
		fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		return ExitUsage
	}
	defer ix.Close()
	// Holding the index's lock, no other pressroom writes here: what
	// temporaries there are, a killed build left. Finding them walks
	// every folder of the out folder (a tenth of an incremental build of
	// 10,000 articles), so it is done only when the last run did not
	// finish: a run removes the clean mark before it writes and puts it
	// back when done; a killed one leaves none.
	folder, ok := p.Store.(*store.Folder)
	clean := filepath.Join(filepath.Dir(s.indexPath()), "clean")
	if ok {
		if _, err := os.Stat(clean); err != nil {
			if _, err := folder.SweepTemporaries(); err != nil {
				fmt.Fprintln(stderr, "pressroom:", safeErr(err))
			}
		} else if err := os.Remove(clean); err != nil {
			fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		}
	}
	p.Index = ix
	defer func() { p.Index = nil }()
	code := f()
	if ok {
		// Every temporary of this run is renamed into place or removed.
		if err := os.WriteFile(clean, nil, 0o644); err != nil {
			fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		}
	}
	return code
}

// checkIDs refuses a configuration that would give the site's articles
// and feeds other ids than the index was built with, unless --new-ids.
func (s *siteFlags) checkIDs(ctx context.Context, p *pipeline.Pipeline, file string, stderr io.Writer) int {
	change, err := p.IDsChange(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		return ExitRejected
	}
	if change == nil {
		return ExitOK
	}
	if s.newIDs {
		fmt.Fprintf(stderr, "pressroom: --new-ids: the ids change from %s to %s\n", change.Built, change.Now)
		return ExitOK
	}
	from := "the built-in defaults have"
	if file != "" {
		from = safe(file) + " has"
	}
	fmt.Fprintf(stderr, "pressroom: %s was built with other ids: %s %s; every article and feed would get a new id, and readers would see every article again as new.\n"+
		"  Name the site's configuration with --config FILE, or give --new-ids to publish under the new ids.\n",
		safe(s.out), from, change.Differences())
	return ExitUsage
}

// openSite checks --src and opens the site for build and serve.
func (s *siteFlags) openSite(stderr io.Writer) (*pipeline.Pipeline, string, int) {
	if fi, err := os.Stat(s.src); err != nil || !fi.IsDir() {
		fmt.Fprintf(stderr, "pressroom: --src %s is not a folder\n", safe(s.src))
		return nil, "", ExitUsage
	}
	if within(s.out, s.src) {
		fmt.Fprintf(stderr, "pressroom: --out %s is inside --src %s: the feeds written there would be read back as articles; give an out folder outside the articles folder (for instance --out %s)\n",
			safe(s.out), safe(s.src), safe(filepath.Join(filepath.Dir(resolved(s.src)), "public")))
		return nil, "", ExitUsage
	}
	return s.open(stderr)
}

// within reports whether path is folder or inside it, through symbolic
// links (path need not exist yet).
func within(path, folder string) bool {
	rel, err := filepath.Rel(resolved(folder), resolved(path))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// resolved is path made absolute, its symbolic links followed as far as it
// exists.
func resolved(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	var rest []string
	for p := abs; ; p = filepath.Dir(p) {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(append([]string{r}, rest...)...)
		}
		if filepath.Dir(p) == p {
			return abs
		}
		rest = append([]string{filepath.Base(p)}, rest...)
	}
}

func parseFlags(fl *flag.FlagSet, args []string, usage string, stderr io.Writer) (bool, int) {
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprintln(stderr, usage)
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return false, ExitOK
		}
		return false, ExitUsage
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "pressroom: unexpected argument %q\n", fl.Arg(0))
		fl.Usage()
		return false, ExitUsage
	}
	return true, ExitOK
}

func build(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var s siteFlags
	fl := flag.NewFlagSet("build", flag.ContinueOnError)
	s.register(fl, true)
	force := fl.Bool("force", false, "parse every file and render every feed again")
	ok, code := parseFlags(fl, args, "Usage: pressroom build [--src DIR] [--out DIR] [--config FILE] [--index FILE] [--force] [--new-ids]\n\nBuilds the feeds from a folder of articles, incrementally.", stderr)
	if !ok {
		return code
	}
	p, file, code := s.openSite(stderr)
	if code != ExitOK {
		return code
	}
	return s.withIndex(p, stderr, func() int {
		if code := s.checkIDs(ctx, p, file, stderr); code != ExitOK {
			return code
		}
		gc := holdGC()
		defer gc.release()
		return runBuildWith(ctx, p, s.src, *force, gc.update, stdout, stderr)
	})
}

// runBuild runs one build and prints its summary and the files it lists.
func runBuild(ctx context.Context, p *pipeline.Pipeline, src string, force bool, stdout, stderr io.Writer) int {
	return runBuildWith(ctx, p, src, force, nil, stdout, stderr)
}

// runBuildWith is runBuild that also tells onProgress, when not nil, as
// files are done.
func runBuildWith(ctx context.Context, p *pipeline.Pipeline, src string, force bool, onProgress func(done, total int), stdout, stderr io.Writer) int {
	progress := newProgress(stderr)
	update := progress.update
	if onProgress != nil {
		update = func(done, total int) {
			onProgress(done, total)
			progress.update(done, total)
		}
	}
	start := time.Now()
	srep, prep, err := p.Build(ctx, src, force, update)
	progress.done()
	if err != nil {
		fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		return ExitRejected
	}
	return printBuild(stdout, srep, prep, p.Config.Location(), time.Since(start))
}

// gcHoldFiles is how many files a build reads before holdGC gives the
// collector back: a few parse windows' worth of garbage at most.
const gcHoldFiles = 64

// gcHold keeps the garbage collector off at the start of pressroom build,
// a process that ends with the build. What a rebuild that finds little
// changed allocates is mostly the folder's listing and the index's
// summaries, live to its end: collecting them two or three times freed
// nothing and took a quarter of the CPU of a rebuild after one article
// added to 10,000 (16 of 62 ms) and a third of its time. Once the build
// has read gcHoldFiles files, it parses in earnest and the collector is
// back as it was (GOGC), so a full build's memory is what it was.
//
// Off is never unbounded: a soft memory limit of gcHoldLimit holds (or
// the process's own, when lower), so a few very large files among the
// first ones collect as usual instead of piling up (six 5 MB HTML pages
// took 1.4 GB with the collector simply off).
type gcHold struct {
	prev      int   // the collector's setting before, to give back
	prevLimit int64 // and its memory limit
	calls     int
	held      bool
}

// gcHoldLimit is the memory limit while the collector is held: many times
// what a rebuild of 10,000 articles allocates (about 30 MB).
const gcHoldLimit = 256 << 20

func holdGC() *gcHold {
	limit := debug.SetMemoryLimit(-1) // reads it
	debug.SetMemoryLimit(min(limit, gcHoldLimit))
	return &gcHold{prev: debug.SetGCPercent(-1), prevLimit: limit, held: true}
}

// update is a build's progress callback: the pipeline calls it once when
// the folder is listed (with the files it will not read) and once per file
// read after.
func (g *gcHold) update(_, _ int) {
	if g.calls++; g.calls > gcHoldFiles {
		g.release()
	}
}

// release gives the collector back, once.
func (g *gcHold) release() {
	if g.held {
		g.held = false
		debug.SetGCPercent(g.prev)
		debug.SetMemoryLimit(g.prevLimit)
	}
}

// buildTally counts a build's files (see pipeline.SyncReport).
func buildTally(srep pipeline.SyncReport) tally {
	t := tally{published: srep.Published, drafts: len(srep.Drafts), scheduled: len(srep.Scheduled),
		expired: len(srep.Expired), rejected: len(srep.Rejections), unchanged: srep.Unchanged,
		removed: len(srep.Removed), renamed: len(srep.Renamed), showNew: true}
	for _, r := range srep.Rejections {
		if r.New {
			t.newRejected++
		}
	}
	return t
}

// printBuild prints the summary, then every file recorded as a draft,
// scheduled or expired, every rejected file, every removed one and every
// one renamed, and returns the exit status.
func printBuild(w io.Writer, srep pipeline.SyncReport, prep pipeline.Report, loc *time.Location, took time.Duration) int {
	t := buildTally(srep)
	fmt.Fprintf(w, "%s, %s written", t, plural(len(prep.Written), "feed file"))
	if len(prep.Deleted) > 0 {
		fmt.Fprintf(w, ", %s deleted", plural(len(prep.Deleted), "feed file"))
	}
	fmt.Fprintf(w, " (%s)\n", took.Round(time.Millisecond))
	for _, r := range srep.Drafts {
		listLine(w, kindDraft, safe(r.Key)+" (in no feed until the draft flag goes)")
	}
	for _, r := range srep.Scheduled {
		listLine(w, kindScheduled, fmt.Sprintf("%s (appears at %s)", safe(r.Key), r.Article.Published.In(loc).Format(time.RFC3339)))
	}
	for _, r := range srep.Expired {
		listLine(w, kindExpired, fmt.Sprintf("%s (expired at %s)", safe(r.Key), r.Article.Expires.In(loc).Format(time.RFC3339)))
	}
	for _, r := range srep.Rejections {
		listLine(w, kindRejected, fmt.Sprintf("%s (%s)", safe(r.Key), keeps(r.Kept)))
		for _, p := range r.Problems {
			fmt.Fprintf(w, "%s%s\n", indent, safe(p.String()))
		}
	}
	for _, k := range srep.Removed {
		listLine(w, kindRemoved, safe(k))
	}
	for _, r := range srep.Renamed {
		listLine(w, kindRenamed, arrowSafe(r.From)+renameArrow+arrowSafe(r.To))
	}
	return t.exit()
}

// renameArrow separates a renamed file's old and new names.
const renameArrow = " -> "

// arrowSafe is safe(name), quoted as well when name holds renameArrow, so
// that a renamed line reads one way only.
func arrowSafe(name string) string {
	if q := safe(name); q != name || !strings.Contains(name, renameArrow) {
		return q
	}
	return strconv.Quote(name)
}

// keeps says what a rejected file leaves in the feeds.
func keeps(kept bool) string {
	if kept {
		return "the last good version stays published"
	}
	return "nothing is published from this file"
}

// progress draws a one-line progress bar on a terminal, and nothing
// otherwise.
type progress struct {
	w    io.Writer
	on   bool
	last time.Time
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	on := false
	if ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			on = true
		}
	}
	return &progress{w: w, on: on}
}

func (p *progress) update(done, total int) {
	if !p.on || (done != total && time.Since(p.last) < 100*time.Millisecond) {
		return
	}
	p.last = time.Now()
	const width = 30
	filled := width * done / max(total, 1)
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d files", strings.Repeat("#", filled), strings.Repeat(" ", width-filled), done, total)
}

func (p *progress) done() {
	if p.on && !p.last.IsZero() {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// statusWait is how long status waits for a build writing the index.
const statusWait = 2 * time.Minute

func status(args []string, stdout, stderr io.Writer) int {
	var s siteFlags
	fl := flag.NewFlagSet("status", flag.ContinueOnError)
	s.register(fl, false)
	ok, code := parseFlags(fl, args, "Usage: pressroom status [--out DIR] [--config FILE] [--index FILE]\n\nLists rejected files with their reasons, drafts, scheduled and expired articles, and counts every file.", stderr)
	if !ok {
		return code
	}
	cfg, _, err := s.loadConfig(stderr)
	if err != nil {
		fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		return ExitUsage
	}
	if _, err := os.Stat(s.indexPath()); err != nil {
		fmt.Fprintf(stderr, "pressroom: no index at %s: run pressroom build first\n", safe(s.indexPath()))
		return ExitUsage
	}
	// Read-only, beside a running serve: a build in progress holds the
	// file for a moment at most.
	ix, err := bolt.OpenReader(s.indexPath(), 200*time.Millisecond)
	if errors.Is(err, bolt.ErrBusy) {
		fmt.Fprintf(stderr, "pressroom: a build is writing %s: waiting for it (up to %s)\n", safe(s.indexPath()), statusWait)
		ix, err = bolt.OpenReader(s.indexPath(), statusWait)
	}
	if err != nil {
		fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		return ExitUsage
	}
	defer ix.Close()
	list, err := ix.List(context.Background())
	if err != nil {
		fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		return ExitRejected
	}
	hash := (&pipeline.Pipeline{Config: cfg}).ConfigHash()
	return printStatus(stdout, list, hash, cfg.Location(), time.Now())
}

// printStatus lists every rejected file with its reasons and what it
// keeps published, every draft, scheduled and expired article, then the
// summary; it returns the exit status.
func printStatus(w io.Writer, list []index.Summary, hash string, loc *time.Location, now time.Time) int {
	var t tally
	for _, e := range list {
		switch {
		case e.Deleted:
		case len(e.Problems) > 0:
			t.add(kindRejected)
			kept := "nothing is published from this file"
			if e.HasArticle && !e.Draft {
				kept = fmt.Sprintf("keeps %s published", safe(strconv.Quote(e.Title)))
				if e.ArticleConfig != hash {
					kept += ", as parsed with an earlier configuration: fix the file to update it"
				}
			}
			listLine(w, kindRejected, fmt.Sprintf("%s (rejected %s; %s)", safe(e.Key), e.RejectedAt.In(loc).Format(time.RFC3339), kept))
			for _, p := range e.Problems {
				fmt.Fprintf(w, "%s%s\n", indent, safe(p.String()))
			}
		case !e.HasArticle:
		case e.Draft:
			t.add(kindDraft)
			listLine(w, kindDraft, fmt.Sprintf("%s  %s", safe(e.Key), safe(strconv.Quote(e.Title))))
		case e.Published.After(now):
			t.add(kindScheduled)
			listLine(w, kindScheduled, fmt.Sprintf("%s  %s appears at %s", safe(e.Key), safe(strconv.Quote(e.Title)), e.Published.In(loc).Format(time.RFC3339)))
		case !e.Expires.IsZero() && !e.Expires.After(now):
			t.add(kindExpired)
			listLine(w, kindExpired, fmt.Sprintf("%s  %s expired at %s", safe(e.Key), safe(strconv.Quote(e.Title)), e.Expires.In(loc).Format(time.RFC3339)))
		default:
			t.add(kindPublished)
		}
	}
	fmt.Fprintln(w, t)
	return t.exit()
}
