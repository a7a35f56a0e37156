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
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/pressroom/pressroom/internal/config"
	"github.com/pressroom/pressroom/internal/pipeline"
	"github.com/pressroom/pressroom/internal/server"
)

// settle is how long the watcher waits after the last change before it
// builds: a burst of uploads (an editor copying a folder) makes one build.
const settle = 300 * time.Millisecond

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var s siteFlags
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	s.register(fl, true)
	s.registerKeys(fl)
	addr := fl.String("addr", "127.0.0.1:8080", "`address` to listen on (loopback by default)")
	ok, code := parseFlags(fl, args, "Usage: pressroom serve [--src DIR] [--out DIR] [--config FILE] [--index FILE] [--keys FILE] [--addr 127.0.0.1:8080]\n\nBuilds the feeds, serves them like the CDN, and rebuilds on every change to the articles or the configuration.\nPartner feeds (partners/NAME/) need a key from the keys file (pressroom partners keys add NAME).", stderr)
	if !ok {
		return code
	}
	p, closeIndex, code := s.openSite(stderr)
	if code != ExitOK {
		return code
	}
	defer closeIndex()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		return ExitUsage
	}
	runBuild(ctx, p, s.src, false, stdout, stderr)

	w := &watcher{p: p, src: s.src, configFile: configPath(s.config), stdout: stdout, stderr: stderr}
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
	fmt.Fprintf(stdout, "serving %s on http://%s/ (watching %s; Ctrl-C stops)\n", s.out, ln.Addr(), s.src)
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, "pressroom:", safeErr(err))
		return ExitRejected
	}
	return ExitOK
}

// configPath is the configuration file serve watches, or "".
func configPath(name string) string {
	if name != "" {
		return name
	}
	if _, err := os.Stat(config.FileName); err == nil {
		return config.FileName
	}
	return ""
}

// watcher rebuilds when the articles folder or the configuration changes.
type watcher struct {
	p              *pipeline.Pipeline
	src            string
	configFile     string
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

func (w *watcher) addTree(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // vanished while we walked
		}
		if d.IsDir() {
			if path != root && strings.HasPrefix(d.Name(), ".") {
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
			timer.Reset(settle)
		case err, ok := <-w.fw.Errors:
			if !ok {
				return
			}
			fmt.Fprintln(w.stderr, "pressroom: watching:", safeErr(err))
		case <-timer.C:
			w.rebuild(ctx, reload)
			reload = false
		}
	}
}

// relevant reports whether an event concerns the articles folder.
func (w *watcher) relevant(ev fsnotify.Event) bool {
	rel, err := filepath.Rel(w.src, ev.Name)
	if err != nil || strings.HasPrefix(rel, "..") {
		return false
	}
	for _, seg := range strings.Split(filepath.ToSlash(rel), "/") {
		if strings.HasPrefix(seg, ".") {
			return false
		}
	}
	return true
}

func (w *watcher) rebuild(ctx context.Context, reload bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if reload {
		cfg, err := config.Load(w.configFile)
		if err != nil {
			fmt.Fprintf(w.stderr, "pressroom: %v (keeping the previous configuration)\n", safeErr(err))
		} else {
			w.p.Config = cfg
			fmt.Fprintf(w.stdout, "%s reloaded\n", w.configFile)
		}
	}
	fmt.Fprintf(w.stdout, "%s change detected: ", time.Now().Format("15:04:05"))
	runBuild(ctx, w.p, w.src, false, w.stdout, w.stderr)
}
