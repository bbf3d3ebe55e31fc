package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"time"

	"newsfeed/feed"
	"newsfeed/serve"
	"newsfeed/store"
)

// runServe serves the feeds, the index page, the JSON API and metrics
// over HTTP until SIGINT or SIGTERM, then finishes the requests in
// flight and exits 0. With --every it also does what `newsfeed run`
// does, in-process, at start and then every interval: the arguments
// after the flags (sources, and run's own flags after "--") go to run.
// With --nats, --every schedules instead, as `newsfeed schedule` does:
// the arguments go to schedule, with the NATS flags of serve.
func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "serve", "[--every D [--] [run flags, or schedule flags with --nats] [SOURCE...]]")
	dbPath, lockTimeout := dbFlags(fs)
	addr := fs.String("addr", serve.DefaultAddr, "the address to listen on, host:port")
	baseURL := fs.String("base-url", "",
		"the absolute URL readers reach the server at: self links, Atom ids (default http://ADDR/, localhost for a loopback or unspecified host)")
	limit := fs.Int("limit", feed.DefaultLimit, "items per feed, newest first")
	title := fs.String("title", feed.DefaultTitle, "the start of every feed's title")
	site := fs.String("only-site", "", "serve only this site's records (as publish --only-site)")
	maxAge := fs.Duration("max-age", serve.DefaultMaxAge, "Cache-Control max-age of feeds and pages")
	every := fs.Duration("every", 0, "run `newsfeed run` (with --nats: `newsfeed schedule`) in-process at start and then at this interval (e.g. 10m); 0: never, cron does")
	accessLog := fs.Bool("access-log", true, "log one line per request on stderr")
	verbose := fs.Bool("v", false, "log debug events too (a build put off because a writer held the database)")
	imageProxy := fs.Bool("image-proxy", false, "serve the feeds' pictures through this server (/img/…, signed URLs, a disk cache beside --db), for readers behind hotlink protection")
	natsURL := fs.String("nats", "", "materialise the NATS records stream at this URL into --db in-process and serve from it")
	nc := addNATSFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *every < 0 || (*every == 0 && fs.NArg() > 0) || *maxAge < time.Second {
		if *every == 0 && fs.NArg() > 0 {
			fmt.Fprintf(e.stderr, "newsfeed: serve: sources %q given without --every\n", fs.Args())
		}
		return badUsage(fs)
	}
	base := *baseURL
	if base == "" {
		base = defaultServeBase(*addr)
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	cfg := serve.Config{
		DB: *dbPath, BaseURL: base, Limit: *limit, Site: *site, Title: *title,
		MaxAge: *maxAge, LockTimeout: *lockTimeout, Log: log, ImageProxy: *imageProxy,
	}
	if *accessLog {
		// Buffered, flushed every second and at exit: a reader polling
		// gets its line within a second, and serving does not wait on
		// one write(2) a request.
		buf := newBufferedLog(ctx, e.stderr, time.Second)
		defer buf.close()
		cfg.AccessLog = slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: level}))
	}
	re := &env{stdin: eofReader{}, stdout: io.Discard, stderr: e.stderr, log: e.log}
	var job func(context.Context) error
	if *every > 0 {
		var err error
		if job, err = everyJob(re, fs.Args(), *natsURL, nc, cfg); err != nil {
			return err
		}
	}
	if *natsURL != "" {
		var schedule func(context.Context)
		if job != nil {
			schedule = func(ctx context.Context) { runEvery(ctx, re, log, *every, "schedule", job) }
		}
		return serveNATS(ctx, e, cfg, *addr, nc, *natsURL, *lockTimeout, schedule)
	}
	return serveDB(ctx, e, re, cfg, *addr, log, *every, job)
}

// serveDB serves cfg on addr from the database file, running job (a
// run, with re) every interval beside it when set, until ctx is done.
// An error after serving began is printed before it returns (the access
// log is flushed after).
func serveDB(ctx context.Context, e, re *env, cfg serve.Config, addr string, log *slog.Logger, every time.Duration,
	job func(context.Context) error) error {
	srv, err := serve.New(cfg)
	if err != nil {
		return usagef("serve: %v", err)
	}
	if every == 0 {
		if err := checkServeDB(ctx, e, cfg.DB, cfg.LockTimeout); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return failed(err)
	}
	runsDone := make(chan struct{})
	runCtx, stopRuns := context.WithCancel(ctx)
	defer stopRuns()
	if job != nil {
		go func() {
			defer close(runsDone)
			runEvery(runCtx, re, log, every, "run", job)
		}()
	} else {
		close(runsDone)
	}
	err = srv.Serve(ctx, ln)
	// A run under way commits its batch in flight and returns.
	stopRuns()
	<-runsDone
	return status(exitStatus(ctx, e, "serve", failed(err)))
}

// defaultServeBase is the base URL for a server listening on addr: its
// host, or localhost when the host is loopback or unspecified (":8080",
// "0.0.0.0"). The default address thus gives publish's default base URL,
// so that served and published feeds have the same Atom ids and share
// the item cache.
func defaultServeBase(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return feed.DefaultBaseURL
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && (ip.IsUnspecified() || ip.IsLoopback())) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// checkServeDB opens the database read-only once, so that a missing
// file or one that is not a newsfeed database is a usage error at start
// rather than a log line every second. A writer holding it is fine: the
// server builds once it is done.
func checkServeDB(ctx context.Context, e *env, path string, lockTimeout time.Duration) error {
	s, err := store.Open(ctx, path, store.Options{ReadOnly: true, LockTimeout: lockTimeout})
	switch {
	case errors.Is(err, store.ErrLocked):
		return nil
	case errors.Is(err, store.ErrDamaged):
		// Serve all the same: /healthz and the API say it is damaged,
		// and a good file put in its place is served at the next poll.
		fmt.Fprintf(e.stderr, "newsfeed: serve: %v\n", err)
		return nil
	case errors.Is(err, store.ErrNoDatabase):
		return usagef("serve: %v\nnewsfeed: serve: run `newsfeed run` first, or serve with --every", err)
	case err != nil:
		return usagef("serve: %v", err)
	}
	if err := s.Close(); err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: serve: %v\n", err)
	}
	return nil
}

// everyJob builds, once, what serve --every runs at each interval: a
// run (app.Run) of the run flags and sources in args, with serve's
// --db, --lock-timeout, --base-url, --limit and --title unless args give
// their own; with --nats (natsURL), a schedule of the schedule flags in
// args, with serve's NATS flags. What the job prints on stdout is
// dropped (re's).
func everyJob(re *env, args []string, natsURL string, nc *natsConfig, cfg serve.Config) (func(context.Context) error, error) {
	if natsURL != "" {
		sch, err := newScheduleSetup(re, args, func(fs *flag.FlagSet) error {
			return setAll(fs, map[string]string{"nats": natsURL, "nats-prefix": *nc.prefix,
				"nats-replicas": strconv.Itoa(*nc.replicas)})
		})
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) error { return sch.run(ctx, re) }, nil
	}
	r, err := newRunSetup(re, args, func(fs *flag.FlagSet) error {
		return setAll(fs, map[string]string{"db": cfg.DB, "lock-timeout": cfg.LockTimeout.String(),
			"base-url": cfg.BaseURL, "limit": strconv.Itoa(cfg.Limit), "title": cfg.Title})
	})
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error { return r.run(ctx, re) }, nil
}

// setAll sets fs's flags as if given on the command line.
func setAll(fs *flag.FlagSet, values map[string]string) error {
	for name, v := range values {
		if err := fs.Set(name, v); err != nil {
			return usagef("serve: --%s %q: %v", name, v, err)
		}
	}
	return nil
}

// runEvery runs job (a run or a schedule, named name) at once and then
// every interval until ctx is done, printing what each ended with on
// re's stderr and logging its exit status. A run that fails is logged
// and the next one goes on: one bad source never stops the server.
func runEvery(ctx context.Context, re *env, log *slog.Logger, interval time.Duration, name string,
	job func(context.Context) error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		t0 := time.Now()
		code := exitStatus(ctx, re, name, job(ctx))
		if ctx.Err() != nil {
			return
		}
		attrs := []any{slog.Int("exit_status", code), slog.Duration("took", time.Since(t0).Round(time.Millisecond)),
			slog.Time("next", time.Now().Add(interval).Round(time.Second))}
		if code == exitOK {
			log.Info(name+" finished", attrs...)
		} else {
			log.Warn(name+" finished with errors", attrs...)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// eofReader is an empty standard input for in-process runs: a source
// "-" reads nothing rather than the server's terminal.
type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
