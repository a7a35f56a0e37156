// Command servecompare measures `pressroom serve`'s handler side by side
// with Go's http.FileServer on the same built site: both listen on
// 127.0.0.1 in this process, and a keep-alive load generator drives each
// in turn with the same concurrent connections, alternating which goes
// first, for plain, gzip and conditional (304) requests of one file.
// It prints the median requests per second of each, their spread (lowest
// to highest run) and the ratio of the medians. .ci/compare-serve builds
// a site and runs it; not part of CI.
//
// http.FileServer answers the gzip request with the plain file (it does
// not compress) and the conditional one by If-Modified-Since (it sends no
// ETag): it is the floor pressroom should reach while doing more.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pressroom/pressroom/internal/build/cputime"
	"github.com/pressroom/pressroom/internal/server"
)

func main() {
	root := flag.String("root", "", "built site `folder` (pressroom build --out)")
	file := flag.String("path", "/feed.xml", "URL `path` of the file requested")
	conns := flag.Int("conns", 50, "concurrent keep-alive connections")
	dur := flag.Duration("duration", 3*time.Second, "length of each measured run")
	runs := flag.Int("runs", 5, "runs of each server and request kind, alternated")
	only := flag.String("kinds", "plain,gzip,304", "request `kinds` measured, comma-separated")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the whole comparison to `file`")
	flag.Parse()
	if *profile != "" {
		f, err := os.Create(*profile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "servecompare:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if *root == "" {
		fmt.Fprintln(os.Stderr, "usage: servecompare -root DIR [-path /feed.xml] [-conns 50] [-duration 3s] [-runs 5]")
		os.Exit(2)
	}
	if err := run(*root, *file, *conns, *dur, *runs, strings.Split(*only, ",")); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "servecompare:", err)
		os.Exit(1)
	}
}

type target struct {
	name string
	url  string
	// header per request kind
	plain, gzip, cond http.Header
}

func run(root, file string, conns int, dur time.Duration, runs int, kinds []string) error {
	name := filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(file, "/")))
	want, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	// The handler checks a file changed in the last 2 s against its bytes
	// on every request (server.racyWindow): a site just built settles first.
	if fi, err := os.Stat(name); err == nil {
		time.Sleep(time.Until(fi.ModTime().Add(2500 * time.Millisecond)))
	}
	press, err := listen(server.NewServer(server.New(root)))
	if err != nil {
		return err
	}
	fsrv, err := listen(&http.Server{Handler: http.FileServer(http.Dir(root))})
	if err != nil {
		return err
	}
	tr := &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	client := &http.Client{Transport: tr}

	targets := []*target{{name: "pressroom", url: press + file}, {name: "FileServer", url: fsrv + file}}
	for _, t := range targets {
		t.plain = http.Header{}
		t.gzip = http.Header{"Accept-Encoding": {"gzip"}}
		hdr, body, err := fetch(client, t.url, t.plain)
		if err != nil {
			return err
		}
		if !bytes.Equal(body, want) {
			return fmt.Errorf("%s: the body is not the file", t.name)
		}
		if etag := hdr.Get("ETag"); etag != "" {
			t.cond = http.Header{"If-None-Match": {etag}}
		} else {
			t.cond = http.Header{"If-Modified-Since": {hdr.Get("Last-Modified")}}
		}
		if _, body, err = fetch(client, t.url, t.gzip); err != nil || !bytes.Equal(body, want) {
			return fmt.Errorf("%s: the gzip answer is not the file (%v)", t.name, err)
		}
	}

	rates := map[string][]float64{}  // answers per second, by "server kind"
	cpu := map[string][]float64{}    // CPU µs per answer, this whole process (servers and load generator)
	ratios := map[string][]float64{} // pressroom's rate over FileServer's, run by run
	for r := 0; r < runs; r++ {
		for _, kind := range kinds {
			order := targets
			if r%2 == 1 {
				order = []*target{targets[1], targets[0]}
			}
			for _, t := range order {
				h, code := t.plain, 200
				switch kind {
				case "plain":
				case "gzip":
					h = t.gzip
				case "304":
					h, code = t.cond, 304
				default:
					return fmt.Errorf("unknown request kind %q (plain, gzip, 304)", kind)
				}
				load(client, t.url, h, code, conns, dur/5) // warm the connections
				rate, us, err := load(client, t.url, h, code, conns, dur)
				if err != nil {
					return fmt.Errorf("%s %s: %w", t.name, kind, err)
				}
				rates[t.name+" "+kind] = append(rates[t.name+" "+kind], rate)
				cpu[t.name+" "+kind] = append(cpu[t.name+" "+kind], us)
			}
			p, f := rates["pressroom "+kind], rates["FileServer "+kind]
			ratios[kind] = append(ratios[kind], p[len(p)-1]/f[len(f)-1])
		}
		fmt.Fprintf(os.Stderr, "run %d of %d done\n", r+1, runs)
	}
	fmt.Printf("%s (%d bytes), %d connections, %d runs of %s each, alternated\n", file, len(want), conns, runs, dur)
	fmt.Println("req/s: median (lowest-highest); ratio: pressroom over FileServer, of the medians and median of the runs' ratios;")
	fmt.Println("CPU: median µs of this process (both ends) per answer")
	for _, kind := range kinds {
		p, f := rates["pressroom "+kind], rates["FileServer "+kind]
		pc, fc := median(cpu["pressroom "+kind]), median(cpu["FileServer "+kind])
		fmt.Printf("%-6s pressroom %6.0f (%5.0f-%5.0f)  FileServer %6.0f (%5.0f-%5.0f)  ratio %.2f, %.2f  CPU %4.0f vs %4.0f µs (%.2f)\n",
			kind, median(p), slices.Min(p), slices.Max(p), median(f), slices.Min(f), slices.Max(f),
			median(p)/median(f), median(ratios[kind]), pc, fc, pc/fc)
	}
	return nil
}

// listen starts srv on a loopback port and returns its base URL.
func listen(srv *http.Server) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), nil
}

// fetch returns the headers and the body, gunzipped when it came so.
func fetch(client *http.Client, url string, h http.Header) (http.Header, []byte, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header = h.Clone()
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	var r io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		if r, err = gzip.NewReader(resp.Body); err != nil {
			return nil, nil, err
		}
	}
	body, err := io.ReadAll(r)
	return resp.Header, body, err
}

// load drives url with conns workers, each a request after the other on
// its keep-alive connection, for d; it returns the answers per second
// and the CPU time per answer of the process, in microseconds.
func load(client *http.Client, url string, h http.Header, code, conns int, d time.Duration) (float64, float64, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stop atomic.Bool
	var total atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	start, cpu0 := time.Now(), cputime.Used()
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			req.Header = h.Clone()
			n := int64(0)
			for !stop.Load() {
				resp, err := client.Do(req)
				if err != nil {
					errs <- err
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != code {
					errs <- fmt.Errorf("status %d, want %d", resp.StatusCode, code)
					return
				}
				n++
			}
			total.Add(n)
		}()
	}
	time.Sleep(d)
	stop.Store(true)
	wg.Wait() // the answers in flight count, so does their time
	elapsed, used := time.Since(start), cputime.Used()-cpu0
	close(errs)
	var err error
	for e := range errs {
		err = errors.Join(err, e)
	}
	n := float64(total.Load())
	return n / elapsed.Seconds(), float64(used.Microseconds()) / max(n, 1), err
}

func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
