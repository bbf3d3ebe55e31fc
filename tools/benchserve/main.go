// Command benchserve measures `newsfeed serve` beside nginx on loopback:
// the same 50-item Atom feed from both, loaded by wrk, and one table of
// requests/s and p99 latency for 200s (gzip and identity) and 304s.
// `make bench-serve` builds newsfeed, installs nginx and wrk if missing,
// and runs it.
//
// Two bare handlers serving the bytes from memory, in this process,
// are measured beside them for reference: one on net/http, one on
// fasthttp (what serve runs on). They show what the HTTP server itself
// costs, and so what part of newsfeed's figure is its own.
//
// Usage:
//
//	benchserve [-bin bin/newsfeed] [-d 5s] [-c 100] [-t 2] [-rounds 3] [-procs 1]
//	    [-cases identity,gzip,304] [-access-log=false] [-nginx /usr/sbin/nginx] [-wrk wrk]
//
// nginx runs one worker with access_log off, sendfile, an open file
// cache, and gzip_static (the feed compressed once, as serve does);
// newsfeed serve runs with its access log off, and once more with it
// on, with GOMAXPROCS=1 (-procs) as nginx has one worker. All listen on
// 127.0.0.1 only.
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
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"

	"newsfeed/internal/testpages"
)

func main() {
	bin := flag.String("bin", "bin/newsfeed", "the newsfeed binary")
	dur := flag.Duration("d", 5*time.Second, "each wrk run's duration")
	conns := flag.Int("c", 100, "wrk connections")
	threads := flag.Int("t", 2, "wrk threads")
	nginx := flag.String("nginx", "/usr/sbin/nginx", "the nginx binary")
	wrk := flag.String("wrk", "wrk", "the wrk binary")
	rounds := flag.Int("rounds", 3, "runs of each case, the servers taking turns; medians are shown")
	procs := flag.Int("procs", 1, "GOMAXPROCS of newsfeed serve and the bare handlers, as nginx runs one worker (0: the default)")
	cases := flag.String("cases", "identity,gzip,304", "the responses to measure, comma-separated")
	accessLog := flag.Bool("access-log", true, "measure newsfeed serve once more with its access log on")
	flag.Parse()
	if *procs > 0 {
		runtime.GOMAXPROCS(*procs)
	}
	o := options{dur: *dur, conns: *conns, threads: *threads, rounds: *rounds, procs: *procs,
		cases: strings.Split(*cases, ","), accessLog: *accessLog}
	if err := run(*bin, *nginx, *wrk, o); err != nil {
		fmt.Fprintln(os.Stderr, "benchserve:", err)
		os.Exit(1)
	}
}

// server is one HTTP server under test.
type server struct {
	name string
	url  string // the feed's URL
	cmd  *exec.Cmd
}

// cpu returns the CPU time the server has used so far: its process's
// and its children's (nginx's worker), or this process's for the bare
// handlers.
func (s *server) cpu() (time.Duration, error) {
	if s.cmd == nil {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			return 0, fmt.Errorf("getrusage: %w", err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
	}
	return procCPU(s.cmd.Process.Pid)
}

// procCPU returns the user and system time of process pid and of its
// children, from /proc.
func procCPU(pid int) (time.Duration, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command's closing parenthesis; utime and
	// stime are the 14th and 15th of the line, in clock ticks.
	_, rest, _ := bytes.Cut(stat, []byte(") "))
	f := strings.Fields(string(rest))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %q", pid, stat)
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	total := time.Duration(ut+st) * time.Second / clockTicks
	kids, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err != nil {
		return 0, err
	}
	for _, k := range strings.Fields(string(kids)) {
		kid, _ := strconv.Atoi(k)
		d, err := procCPU(kid)
		if err != nil {
			return 0, err
		}
		total += d
	}
	return total, nil
}

// clockTicks is the unit of /proc's times (USER_HZ, 100 on Linux).
const clockTicks = 100

// options are how the servers are loaded and what is measured.
type options struct {
	dur                    time.Duration
	conns, threads, rounds int
	procs                  int
	cases                  []string
	accessLog              bool
}

func run(bin, nginxBin, wrkBin string, o options) error {
	dir, err := os.MkdirTemp("", "benchserve-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// nginx's worker runs as another user when started by root.
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	serveAddr, nginxAddr := freeAddr(), freeAddr()
	base := "http://" + serveAddr + "/"
	db, feeds := filepath.Join(dir, "newsfeed.db"), filepath.Join(dir, "feeds")
	atom, err := publishPages(bin, dir, db, feeds, base)
	if err != nil {
		return err
	}
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(nginxConf(dir, feeds, nginxAddr)), 0o644); err != nil {
		return err
	}

	ng := &server{name: "nginx", url: "http://" + nginxAddr + "/articles.atom",
		cmd: exec.Command(nginxBin, "-p", dir, "-c", conf)}
	nf := &server{name: "newsfeed serve", url: base + "articles.atom",
		cmd: exec.Command(bin, "serve", "--db", db, "--addr", serveAddr, "--base-url", base, "--access-log=false")}
	goEnv := os.Environ()
	if o.procs > 0 {
		goEnv = append(goEnv, "GOMAXPROCS="+strconv.Itoa(o.procs))
	}
	nf.cmd.Env = goEnv
	for _, s := range []*server{ng, nf} {
		if err := s.start(); err != nil {
			return err
		}
		defer s.stop()
	}
	bare, fast, stop, err := startBare(atom)
	if err != nil {
		return err
	}
	defer stop()
	if err := sameBytes(ng, nf); err != nil {
		return err
	}
	if err := printTable(wrkBin, o, []*server{ng, nf, bare, fast}, atom); err != nil {
		return err
	}
	if !o.accessLog {
		return nil
	}
	// The access log's cost: the same server with it on, to /dev/null,
	// taking turns with the one without.
	logAddr := freeAddr()
	logged := &server{name: "newsfeed serve (access log)", url: "http://" + logAddr + "/articles.atom",
		cmd: exec.Command(bin, "serve", "--db", db, "--addr", logAddr, "--base-url", base)}
	logged.cmd.Env = goEnv
	if err := logged.start(); err != nil {
		return err
	}
	defer logged.stop()
	runs, err := measure(wrkBin, o, []*server{nf, logged}, "gzip")
	if err != nil {
		return err
	}
	fmt.Printf("\nnewsfeed serve with its access log on (to /dev/null), 200 gzip: %.0f req/s, %.0f%% of the figure without; "+
		"CPU/req %v (without: %v)\n", median(runs[1], rps), ratio(runs, 1),
		time.Duration(median(runs[1], cpuPerReq)), time.Duration(median(runs[0], cpuPerReq)))
	return nil
}

// publishPages writes 60 generated pages under dir, runs newsfeed (bin)
// on them into db and feeds under base, and returns articles.atom, which
// it also writes gzipped beside it (for nginx's gzip_static).
// Publishing under serve's base URL gives nginx the bytes serve builds,
// and fills the item cache serve reads.
func publishPages(bin, dir, db, feeds, base string) ([]byte, error) {
	pages := filepath.Join(dir, "pages")
	if err := os.MkdirAll(pages, 0o755); err != nil {
		return nil, err
	}
	if _, err := testpages.WriteDir(pages, 0, 60); err != nil {
		return nil, err
	}
	if out, err := exec.Command(bin, "run", "--quiet", "--db", db, "--out", feeds, "--base-url", base, pages).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("newsfeed run: %v\n%s", err, out)
	}
	atom, err := os.ReadFile(filepath.Join(feeds, "articles.atom"))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(feeds, "articles.atom.gz"), gzipped(atom), 0o644); err != nil {
		return nil, err
	}
	return atom, nil
}

// startBare starts a bare net/http handler and a bare fasthttp one, each
// writing atom from memory: what Go's HTTP servers cost by themselves,
// for reference. stop stops both.
func startBare(atom []byte) (bare, fast *server, stop func(), err error) {
	bareAddr := freeAddr()
	bareLn, err := net.Listen("tcp", bareAddr)
	if err != nil {
		return nil, nil, nil, err
	}
	bareSrv := &http.Server{Handler: bareHandler(atom)}
	go bareSrv.Serve(bareLn)
	bare = &server{name: "bare net/http", url: "http://" + bareAddr + "/articles.atom"}
	fastAddr := freeAddr()
	fastLn, err := net.Listen("tcp", fastAddr)
	if err != nil {
		bareSrv.Close()
		return nil, nil, nil, err
	}
	fastSrv := &fasthttp.Server{Handler: bareFastHandler(atom)}
	go fastSrv.Serve(fastLn)
	fast = &server{name: "bare fasthttp", url: "http://" + fastAddr + "/articles.atom"}
	return bare, fast, func() { fastSrv.Shutdown(); bareSrv.Close() }, nil
}

// sameBytes checks that nginx and newsfeed serve give the same feed.
func sameBytes(ng, nf *server) error {
	ngBody, err := fetch(ng.url)
	if err != nil {
		return err
	}
	nfBody, err := fetch(nf.url)
	if err != nil {
		return err
	}
	if !bytes.Equal(ngBody, nfBody) {
		return fmt.Errorf("nginx and newsfeed serve give different bytes (%d and %d)", len(ngBody), len(nfBody))
	}
	return nil
}

// printTable measures servers (nginx, newsfeed serve, bare net/http,
// bare fasthttp) on each of o.cases, and prints the table.
func printTable(wrkBin string, o options, servers []*server, atom []byte) error {
	fmt.Printf("articles.atom: %d items, %d bytes (%d gzipped); wrk -t%d -c%d -d%v on loopback, %d CPUs; "+
		"nginx 1 worker, Go GOMAXPROCS=%d; %d rounds, the servers taking turns; medians, and ratios as the median of each round's\n\n",
		bytes.Count(atom, []byte("<entry>")), len(atom), len(gzipped(atom)), o.threads, o.conns, o.dur, cpus(), runtime.GOMAXPROCS(0), o.rounds)

	fmt.Println("| response | nginx req/s | newsfeed req/s | newsfeed/nginx | nginx p99 | newsfeed p99 | " +
		"CPU/req nginx | CPU/req newsfeed | bare net/http req/s | bare fasthttp req/s |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	for _, name := range o.cases {
		runs, err := measure(wrkBin, o, servers, name)
		if err != nil {
			return err
		}
		fmt.Printf("| %s | %.0f | %.0f | %.0f%% | %v | %v | %v | %v | %.0f (%.0f%%) | %.0f (%.0f%%) |\n", caseLabels[name],
			median(runs[0], rps), median(runs[1], rps), ratio(runs, 1),
			time.Duration(median(runs[0], p99)), time.Duration(median(runs[1], p99)),
			time.Duration(median(runs[0], cpuPerReq)), time.Duration(median(runs[1], cpuPerReq)),
			median(runs[2], rps), ratio(runs, 2), median(runs[3], rps), ratio(runs, 3))
	}
	return nil
}

// caseHeaders are the request headers of each case; a 304 sends the
// server's own ETag.
var (
	caseHeaders = map[string][]string{"identity": nil, "gzip": {"Accept-Encoding: gzip"}, "304": nil}
	caseLabels  = map[string]string{"identity": "200 identity", "gzip": "200 gzip", "304": "304 If-None-Match"}
)

// measure loads each server in turn with the case name, o.rounds times,
// and returns each server's runs.
func measure(wrkBin string, o options, servers []*server, name string) ([][]wrkResult, error) {
	header, ok := caseHeaders[name]
	if !ok {
		return nil, fmt.Errorf("no case %q (identity, gzip, 304)", name)
	}
	runs := make([][]wrkResult, len(servers))
	for range o.rounds {
		for i, s := range servers {
			h := header
			if name == "304" {
				etag, err := etagOf(s.url)
				if err != nil {
					return nil, err
				}
				h = []string{"If-None-Match: " + etag}
			}
			cpu0, err := s.cpu()
			if err != nil {
				return nil, err
			}
			res, err := runWrk(wrkBin, s.url, h, o.dur, o.conns, o.threads)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", s.name, name, err)
			}
			cpu1, err := s.cpu()
			if err != nil {
				return nil, err
			}
			if res.non2xx3xx > 0 {
				return nil, fmt.Errorf("%s %s: %d responses were not 2xx or 3xx", s.name, name, res.non2xx3xx)
			}
			res.cpuPerReq = (cpu1 - cpu0) / time.Duration(max(res.requests, 1))
			runs[i] = append(runs[i], res)
		}
	}
	return runs, nil
}

// ratio is server i's requests/s over the first server's, in percent:
// the median of each round's ratio. A round's runs are seconds apart, so
// this is steadier than a ratio of medians on a shared machine.
func ratio(runs [][]wrkResult, i int) float64 {
	rs := make([]float64, len(runs[0]))
	for k := range rs {
		rs[k] = runs[i][k].rps / runs[0][k].rps
	}
	slices.Sort(rs)
	return 100 * rs[len(rs)/2]
}

// bareHandler answers with body, or its gzip copy, or 304 for its ETag,
// setting only the headers that takes.
func bareHandler(body []byte) http.Handler {
	gz := gzipped(body)
	const etag = `"bare"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Type", "application/atom+xml; charset=utf-8")
		b := body
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			h.Set("Content-Encoding", "gzip")
			b = gz
		}
		h.Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b)
	})
}

// bareFastHandler is bareHandler on fasthttp.
func bareFastHandler(body []byte) fasthttp.RequestHandler {
	gz := gzipped(body)
	const etag = `"bare"`
	return func(c *fasthttp.RequestCtx) {
		c.Response.Header.Set("ETag", etag)
		if string(c.Request.Header.Peek("If-None-Match")) == etag {
			c.SetStatusCode(fasthttp.StatusNotModified)
			return
		}
		c.SetContentType("application/atom+xml; charset=utf-8")
		b := body
		if bytes.Contains(c.Request.Header.Peek("Accept-Encoding"), []byte("gzip")) {
			c.Response.Header.Set("Content-Encoding", "gzip")
			b = gz
		}
		c.Response.SetBodyRaw(b)
	}
}

// nginxConf is one worker serving feeds on addr, tuned for static files.
func nginxConf(prefix, root, addr string) string {
	return `worker_processes 1;
daemon off;
master_process on;
pid ` + filepath.Join(prefix, "nginx.pid") + `;
error_log ` + filepath.Join(prefix, "error.log") + ` warn;
events { worker_connections 4096; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	open_file_cache max=100 inactive=60s;
	open_file_cache_valid 60s;
	types { application/atom+xml atom; }
	gzip_static on;
	gzip_vary on;
	client_body_temp_path ` + prefix + `;
	proxy_temp_path ` + prefix + `;
	fastcgi_temp_path ` + prefix + `;
	uwsgi_temp_path ` + prefix + `;
	scgi_temp_path ` + prefix + `;
	server {
		listen ` + addr + `;
		root ` + root + `;
		add_header Cache-Control "public, max-age=300";
	}
}
`
}

func (s *server) start() error {
	// nginx prints only errors. serve's log goes to /dev/null (nil
	// here): an io.Discard would be a pipe this process reads.
	s.cmd.Stdout, s.cmd.Stderr = nil, nil
	if s.name == "nginx" {
		s.cmd.Stderr = os.Stderr
	}
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.name, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := fetch(s.url)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer %s within 30s: %v", s.name, s.url, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *server) stop() {
	if s.cmd.Process == nil || s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

// median returns the median of f over rs.
func median(rs []wrkResult, f func(wrkResult) float64) float64 {
	vs := make([]float64, len(rs))
	for i, r := range rs {
		vs[i] = f(r)
	}
	slices.Sort(vs)
	return vs[len(vs)/2]
}

func rps(r wrkResult) float64       { return r.rps }
func cpuPerReq(r wrkResult) float64 { return float64(r.cpuPerReq.Round(10 * time.Nanosecond)) }
func p99(r wrkResult) float64       { return float64(r.p99.Round(10 * time.Microsecond)) }

// wrkResult is what one wrk run measured.
type wrkResult struct {
	rps       float64
	p99       time.Duration
	non2xx3xx int
	requests  int
	// cpuPerReq is the server's CPU time (user and system) over the
	// requests it answered: unlike requests/s, it hardly depends on
	// what else the machine runs.
	cpuPerReq time.Duration
}

var (
	wrkRPS    = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	wrkP99    = regexp.MustCompile(`\s99%\s+([\d.]+)(us|ms|s)`)
	wrkNon2xx = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
	wrkReqs   = regexp.MustCompile(`(\d+) requests in`)
)

func runWrk(bin, url string, headers []string, dur time.Duration, conns, threads int) (wrkResult, error) {
	args := []string{"-t" + strconv.Itoa(threads), "-c" + strconv.Itoa(conns), "-d" + strconv.Itoa(int(dur.Seconds())) + "s", "--latency"}
	for _, h := range headers {
		args = append(args, "-H", h)
	}
	ctx, cancel := context.WithTimeout(context.Background(), dur+time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, append(args, url)...).CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	var r wrkResult
	m := wrkRPS.FindSubmatch(out)
	p := wrkP99.FindSubmatch(out)
	if m == nil || p == nil {
		return r, fmt.Errorf("wrk output not understood:\n%s", out)
	}
	r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	v, _ := strconv.ParseFloat(string(p[1]), 64)
	unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[string(p[2])]
	r.p99 = time.Duration(v * float64(unit)).Round(10 * time.Microsecond)
	if n := wrkReqs.FindSubmatch(out); n != nil {
		r.requests, _ = strconv.Atoi(string(n[1]))
	}
	if n := wrkNon2xx.FindSubmatch(out); n != nil {
		r.non2xx3xx, _ = strconv.Atoi(string(n[1]))
	}
	return r, nil
}

func fetch(url string) ([]byte, error) {
	resp, err := plainClient.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, errors.New(resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// plainClient asks for the identity representation, as wrk does.
var plainClient = &http.Client{Transport: &http.Transport{DisableCompression: true}}

// etagOf returns the ETag of url's identity representation.
func etagOf(url string) (string, error) {
	resp, err := plainClient.Get(url)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if e := resp.Header.Get("ETag"); e != "" {
		return e, nil
	}
	return "", fmt.Errorf("%s: no ETag", url)
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// gzipped returns data compressed as serve compresses it.
func gzipped(data []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}

func cpus() int {
	out, err := exec.Command("nproc").Output()
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	return n
}
