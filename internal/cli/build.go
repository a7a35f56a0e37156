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
	"strings"
	"syscall"
	"time"

	"github.com/pressroom/pressroom/internal/config"
	"github.com/pressroom/pressroom/internal/index"
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
	return &pipeline.Pipeline{Store: out, Config: cfg, Log: logger}, file, ExitOK
}

// withIndex opens the index for p, runs f and closes the index again: the
// file is held only while a build writes it, so status can read it beside
// a running serve.
func (s *siteFlags) withIndex(p *pipeline.Pipeline, stderr io.Writer, f func() int) int {
	ix, err := index.OpenBolt(s.indexPath())
	if err != nil {
		fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		return ExitUsage
	}
	defer ix.Close()
	// Holding the index's lock, no other pressroom writes here: what
	// temporaries there are, a killed build left.
	if folder, ok := p.Store.(*store.Folder); ok {
		if _, err := folder.SweepTemporaries(); err != nil {
			fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		}
	}
	p.Index = ix
	defer func() { p.Index = nil }()
	return f()
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
	return s.open(stderr)
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
		return runBuild(ctx, p, s.src, *force, stdout, stderr)
	})
}

// runBuild runs one build and prints its summary and rejections.
func runBuild(ctx context.Context, p *pipeline.Pipeline, src string, force bool, stdout, stderr io.Writer) int {
	progress := newProgress(stderr)
	start := time.Now()
	srep, prep, err := p.Build(ctx, src, force, progress.update)
	progress.done()
	if err != nil {
		fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		return ExitRejected
	}
	printBuild(stdout, srep, prep, time.Since(start))
	if len(srep.Rejections) > 0 {
		return ExitRejected
	}
	return ExitOK
}

func printBuild(w io.Writer, srep pipeline.SyncReport, prep pipeline.Report, took time.Duration) {
	fmt.Fprintf(w, "%d published, %d rejected, %d feeds written, %d unchanged", srep.Published, srep.Rejected, len(prep.Written), srep.Unchanged)
	if srep.Removed > 0 {
		fmt.Fprintf(w, ", %d removed", srep.Removed)
	}
	if len(prep.Deleted) > 0 {
		fmt.Fprintf(w, ", %d feed files deleted", len(prep.Deleted))
	}
	fmt.Fprintf(w, " (%s)\n", took.Round(time.Millisecond))
	for _, r := range srep.Rejections {
		fmt.Fprintf(w, "REJECTED  %s (the last good version, if any, stays published)\n", safe(r.Key))
		for _, p := range r.Problems {
			fmt.Fprintf(w, "          %s\n", safe(p.String()))
		}
	}
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
	ok, code := parseFlags(fl, args, "Usage: pressroom status [--out DIR] [--config FILE] [--index FILE]\n\nLists rejected files with their reasons, and scheduled articles with their time.", stderr)
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
	ix, err := index.OpenBoltReader(s.indexPath(), 200*time.Millisecond)
	if errors.Is(err, index.ErrBusy) {
		fmt.Fprintf(stderr, "pressroom: a build is writing %s: waiting for it (up to %s)\n", safe(s.indexPath()), statusWait)
		ix, err = index.OpenBoltReader(s.indexPath(), statusWait)
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
	now := time.Now()
	hash := (&pipeline.Pipeline{Config: cfg}).ConfigHash()
	var rejected, scheduled, drafts, live int
	for _, e := range list {
		if len(e.Problems) > 0 {
			rejected++
		}
	}
	fmt.Fprintln(stdout, "Rejected files:")
	for _, e := range list {
		if len(e.Problems) == 0 {
			continue
		}
		keeps := "nothing published"
		if e.HasArticle {
			keeps = fmt.Sprintf("keeps %q published", e.Title)
			if e.ArticleConfig != hash {
				keeps += ", as parsed with an earlier configuration: fix the file to update it"
			}
		}
		fmt.Fprintf(stdout, "  %s (rejected %s; %s)\n", safe(e.Key), e.RejectedAt.In(cfg.Location()).Format(time.RFC3339), keeps)
		for _, p := range e.Problems {
			fmt.Fprintf(stdout, "      %s\n", safe(p.String()))
		}
	}
	if rejected == 0 {
		fmt.Fprintln(stdout, "  none")
	}
	fmt.Fprintln(stdout, "Scheduled articles:")
	for _, e := range list {
		switch {
		case !e.HasArticle || e.Deleted:
		case e.Draft:
			drafts++
		case e.Published.After(now):
			scheduled++
			fmt.Fprintf(stdout, "  %s  %q appears at %s\n", safe(e.Key), e.Title, e.Published.In(cfg.Location()).Format(time.RFC3339))
		default:
			live++
		}
	}
	if scheduled == 0 {
		fmt.Fprintln(stdout, "  none")
	}
	fmt.Fprintf(stdout, "%d published, %d scheduled, %d drafts, %d rejected\n", live, scheduled, drafts, rejected)
	return ExitOK
}
