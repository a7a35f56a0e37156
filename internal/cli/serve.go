package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	article "github.com/pressroom/pressroom/internal/article/model"
	"github.com/pressroom/pressroom/internal/config"
	"github.com/pressroom/pressroom/internal/pipeline"
	"github.com/pressroom/pressroom/internal/server"
)

// settle is how long the watcher waits after the last change before it
// builds: a burst of uploads (an editor copying a folder) makes one build.
// However the changes keep coming, it builds at most maxSettle after the
// first one not built: a file written on and on in the tree (a log) held
// every build back for as long as it was written.
const (
	settle    = 300 * time.Millisecond
	maxSettle = 3 * time.Second
)

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var s siteFlags
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	s.register(fl, true)
	s.registerKeys(fl)
	addr := fl.String("addr", defaultAddr(), "`address` to listen on (loopback by default; port $PORT when set)")
	ok, code := parseFlags(fl, args, "Usage: pressroom serve [--src DIR] [--out DIR] [--config FILE] [--index FILE] [--keys FILE] [--addr 127.0.0.1:8080] [--new-ids]\n\nBuilds the feeds, serves them like the CDN, and rebuilds on every change to the articles or the configuration.\nWithout feeds.base_url (and site.base_url) in the configuration, the feeds (and articles) link to the address served.\nPartner feeds (partners/NAME/) need a key from the keys file (pressroom partners keys add NAME).", stderr)
	if !ok {
		return code
	}
	p, file, code := s.openSite(stderr)
	if code != ExitOK {
		return code
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		return ExitUsage
	}
	served := servedURL(ln.Addr())
	p.Config = p.Config.ServedAt(served)
	code = s.withIndex(p, stderr, func() int {
		if code := s.checkIDs(ctx, p, file, stderr); code != ExitOK {
			return code
		}
		runBuild(ctx, p, s.src, false, stdout, stderr)
		return ExitOK
	})
	if code != ExitOK {
		ln.Close()
		return code
	}

	w := &watcher{p: p, site: &s, src: s.src, configFile: file, served: served, stdout: stdout, stderr: stderr}
	if err := w.start(); err != nil {
		fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		ln.Close()
		return ExitRejected
	}
	defer w.close()
	go w.run(ctx)

	h := server.New(s.out)
	h.KeysFile = s.keysPath()
	h.PublicURL = p.Config.FeedsURL().String()
	// The hubs and the public URL as the configuration says when serve
	// starts (a change of either takes a restart).
	h.Hubs = p.Config.WebSub.Hubs
	srv := server.NewServer(h)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	fmt.Fprintf(stdout, "serving %s on %s (watching %s; Ctrl-C stops)\n", s.out, served, s.src)
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		return ExitRejected
	}
	return ExitOK
}

// defaultAddr is serve's address without --addr: loopback, on port $PORT
// when it is set, else 8080.
func defaultAddr() string {
	if port := os.Getenv("PORT"); port != "" {
		return net.JoinHostPort("127.0.0.1", port)
	}
	return "127.0.0.1:8080"
}

// servedURL is the address a browser on this machine reaches the server
// at: the listening address, with loopback for "every interface".
func servedURL(a net.Addr) *url.URL {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return &url.URL{Scheme: "http", Host: a.String(), Path: "/"}
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
		if ip.To4() == nil {
			host = "::1"
		}
	}
	return &url.URL{Scheme: "http", Host: net.JoinHostPort(host, port), Path: "/"}
}

// watcher rebuilds when the articles folder or the configuration changes.
type watcher struct {
	p              *pipeline.Pipeline
	site           *siteFlags
	src            string
	configFile     string   // "" with the built-in defaults
	served         *url.URL // the server's address (config.ServedAt)
	stdout, stderr io.Writer

	fw *fsnotify.Watcher
	mu sync.Mutex // one build at a time
}

func (w *watcher) start() error {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	w.fw = fw
	if err := w.addTree(w.src); err != nil {
		fw.Close()
		return err
	}
	if w.configFile != "" {
		// Watch the folder: editors replace files by renaming over them.
		if err := fw.Add(filepath.Dir(w.configFile)); err != nil {
			fw.Close()
			return err
		}
	}
	return nil
}

// rewatch watches every folder of the articles tree again after a build,
// and reports whether the tree is there and whether a folder of it was not
// watched (what was made in it meanwhile is built next). A folder moved within the tree
// lost its watch (fsnotify drops the watch of a folder renamed, and the
// one the move's Create added was the same): the edits in it went unseen
// until something else changed. A tree deleted and made again (a sync
// tool, a checkout) had no watch at all, and serve saw nothing more; it
// now says so, and looks for the folder every second.
func (w *watcher) rewatch() (there, lost bool) {
	if fi, err := os.Stat(w.src); err != nil || !fi.IsDir() {
		fmt.Fprintf(w.stderr, "pressroom: the articles folder %s is gone; watching for it to come back\n", safe(w.src))
		return false, false
	}
	watched := map[string]bool{}
	for _, p := range w.fw.WatchList() {
		watched[p] = true
	}
	if err := w.addTree(w.src); err != nil {
		fmt.Fprintln(w.stderr, "pressroom: watching:", safeErr(err))
	}
	for _, p := range w.fw.WatchList() {
		lost = lost || !watched[p]
	}
	return true, lost
}

func (w *watcher) addTree(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // vanished while we walked
		}
		if d.IsDir() {
			if path != root && article.Hidden(d.Name()) {
				return filepath.SkipDir
			}
			return w.fw.Add(path)
		}
		return nil
	})
}

func (w *watcher) close() { w.fw.Close() }

func (w *watcher) run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	reload := false
	var first time.Time // the first change not built yet
	// gone says the articles folder was missing at the last build; it is
	// looked for every second, and watched and built once it is back.
	gone := false
	poll := time.NewTicker(time.Second)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.fw.Events:
			if !ok {
				return
			}
			if w.configFile != "" && filepath.Clean(ev.Name) == filepath.Clean(w.configFile) {
				reload = true
			} else if !w.relevant(ev) {
				continue
			}
			if ev.Has(fsnotify.Create) {
				if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() {
					w.addTree(ev.Name)
				}
			}
			if first.IsZero() {
				first = time.Now()
			}
			timer.Reset(max(min(settle, maxSettle-time.Since(first)), 0))
		case err, ok := <-w.fw.Errors:
			if !ok {
				return
			}
			fmt.Fprintln(w.stderr, "pressroom: watching:", safeErr(err))
		case <-timer.C:
			w.rebuild(ctx, reload)
			reload, first = false, time.Time{}
			there, lost := w.rewatch()
			gone = !there
			if lost {
				timer.Reset(settle) // files made in a folder while it was not watched
			}
		case <-poll.C:
			if gone {
				if fi, err := os.Stat(w.src); err == nil && fi.IsDir() {
					gone = false
					w.addTree(w.src)
					timer.Reset(settle)
				}
			}
		}
	}
}

// relevant reports whether an event concerns the articles folder.
func (w *watcher) relevant(ev fsnotify.Event) bool {
	rel, err := filepath.Rel(w.src, ev.Name)
	if err != nil || strings.HasPrefix(rel, "..") {
		return false
	}
	return !article.Hidden(filepath.ToSlash(rel))
}

func (w *watcher) rebuild(ctx context.Context, reload bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.site.withIndex(w.p, w.stderr, func() int {
		if reload {
			w.reload(ctx)
		}
		fmt.Fprintf(w.stdout, "%s change detected: ", time.Now().Format("15:04:05"))
		runBuild(ctx, w.p, w.src, false, w.stdout, w.stderr)
		return ExitOK
	})
}

// reload adopts the configuration file's new content, unless it does not
// load or would give the site other ids (without --new-ids).
func (w *watcher) reload(ctx context.Context) {
	cfg, err := config.Load(w.configFile)
	if err != nil {
		fmt.Fprintf(w.stderr, "pressroom: %v (keeping the previous configuration)\n", safeErr(err))
		return
	}
	q := *w.p
	q.Config = cfg.ServedAt(w.served)
	if w.site.checkIDs(ctx, &q, w.configFile, w.stderr) != ExitOK {
		fmt.Fprintln(w.stderr, "pressroom: keeping the previous configuration")
		return
	}
	w.p.Config = q.Config
	fmt.Fprintf(w.stdout, "%s reloaded\n", w.configFile)
}
