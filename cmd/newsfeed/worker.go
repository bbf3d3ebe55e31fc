package main

import (
	"context"
	"fmt"
	"time"

	"newsfeed/cluster"
	"newsfeed/ingest"
)

// runWorker fetches and parses the articles of the work stream, as
// schedule queues them, and publishes each page to the records stream
// (--fetchers at once). It reads the sources file, if any, for the fetch
// settings, the profiles and max_bytes, as run does. It runs until
// SIGTERM or SIGINT (then it stops pulling, finishes the articles in
// flight and exits 0) or, with --once, until the queue is empty (exit 1
// when it sent work to the dead letters).
func runWorker(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "worker", "--nats URL")
	pc, fc := addParseFlags(fs), addFetchFlags(fs)
	nc := addNATSFlags(fs)
	once := fs.Bool("once", false, "exit once the work queue is empty")
	retryDelay := fs.Duration("retry-delay", cluster.DefaultRetryDelay, "the wait before an article that failed is tried again; it doubles with each try")
	quiet := fs.Bool("quiet", false, "print nothing but errors; the summary only when something failed")
	verbose := fs.Bool("v", false, "log each request and each article")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 0 || pc.url != "" {
		fmt.Fprintln(e.stderr, "newsfeed: worker: takes no SOURCE and no --url: the work stream names the pages")
		return exitUsage
	}
	sc, code := loadSourcesFile(e, setFlags(fs), pc, fc)
	if code >= 0 {
		return code
	}
	profiles, err := pc.loadProfiles()
	if err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: %v\n", err)
		return exitUsage
	}
	log := e.log
	if *verbose {
		log = e.verboseLog()
	}
	conn, code := nc.connect(ctx, e, "worker", log)
	if code >= 0 {
		return code
	}
	defer conn.Close()
	f := clusterFetcher(fc, sc, pc.maxBytes, e, *verbose, conn)
	defer f.Close()
	start := time.Now()
	w, err := cluster.NewWorker(ctx, conn, cluster.WorkerConfig{
		Fetchers:   fc.fetchers,
		Once:       *once,
		RetryDelay: *retryDelay,
		Ingest: ingest.Options{
			Site: pc.site, MaxBytes: pc.maxBytes, Profiles: profiles,
			Fetcher: f, State: clusterFetchState(conn), Log: log,
		},
	})
	if err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: worker: %v\n", err)
		return exitFailed
	}
	code = exitOK
	if err := w.Run(ctx); err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: worker: %v\n", err)
		code = exitFailed
	}
	st := w.Stats()
	if *once && st.Dead > 0 {
		code = max(code, exitFailed)
	}
	if !*quiet || code != exitOK {
		fmt.Fprintf(e.stderr, "newsfeed: worker: %s; %s\n", st, time.Since(start).Round(time.Millisecond))
	}
	return code
}
