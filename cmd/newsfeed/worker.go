package main

import (
	"context"
	"fmt"
	"time"

	"newsfeed/article"
	"newsfeed/cluster/queue"
)

// runWorker fetches and parses the articles of the work stream, as
// schedule queues them, and publishes each page to the records stream
// (--fetchers at once). It reads the sources file, if any, for the fetch
// settings, the profiles and max_bytes, as run does. It runs until
// SIGTERM or SIGINT (then it stops pulling, finishes the articles in
// flight and exits 0) or, with --once, until the queue is empty (exit 1
// when it sent work to the dead letters).
func runWorker(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "worker", "--nats URL")
	c := addClusterFlags(fs)
	once := fs.Bool("once", false, "exit once the work queue is empty")
	retryDelay := fs.Duration("retry-delay", queue.DefaultRetryDelay, "the wait before an article that failed is tried again; it doubles with each try")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 || c.parse.url != "" {
		return usagef("worker: takes no SOURCE and no --url: the work stream names the pages")
	}
	if err := c.load(e, fs); err != nil {
		return err
	}
	p, err := c.open(ctx, e, "worker")
	if err != nil {
		return err
	}
	defer p.close()
	start := time.Now()
	opts := article.Options{
		Site: c.parse.site, MaxBytes: c.parse.maxBytes, Profiles: c.profiles, ParseTimeout: c.parse.parseTimeout(),
		Fetcher: p.fetcher, State: p.state, Log: c.log,
	}
	w, err := queue.NewWorker(ctx, p.conn, queue.WorkerConfig{
		Fetchers:   c.fetch.fetchers,
		Once:       *once,
		RetryDelay: *retryDelay,
		Fetch: func(ctx context.Context, w article.Work) (article.Fetched, error) {
			return article.Fetch(ctx, w, opts)
		},
		State: p.state,
		Log:   c.log,
	})
	if err != nil {
		return failed(err)
	}
	code := exitStatus(ctx, e, "worker", failed(w.Run(ctx))) // printed before the summary
	st := w.Stats()
	if *once && st.Dead > 0 {
		code = max(code, exitFailed)
	}
	if !*c.quiet || code != exitOK {
		fmt.Fprintf(e.stderr, "newsfeed: worker: %s; %s\n", st, time.Since(start).Round(time.Millisecond))
	}
	return status(code)
}
