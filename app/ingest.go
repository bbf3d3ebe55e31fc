package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"newsfeed/article"
	"newsfeed/fetch"
	"newsfeed/poll"
	"newsfeed/record"
	"newsfeed/write"
)

// item is what the writer gets: a parsed page, a fetched page's new
// state, or why an input failed.
type item struct {
	page *record.Page
	// state is the fetch state to save once page (if any) is committed.
	state *record.URLState
	err   error
	// notParsed: a fetched page that had not changed (state only);
	// deferred: an article not fetched, its host deferred; skipped: an
	// article robots.txt disallows; list: err is a list page's, not an
	// input's; enqueued: an article handed to Schedule's sink.
	notParsed, deferred, skipped, gone, list, enqueued bool
	// failingHost names the host of an article not fetched because the
	// host is deferred for failing: err is reported once per host.
	failingHost string
}

// job is what a parse worker takes: a file to read, or a fetched body.
type job struct {
	file *article.File
	body *article.Body
}

// pipeline is one run of the ingest stages: the poller, the fetching
// goroutines (or the enqueuers), the parse workers and the writer.
type pipeline struct {
	opts Options
	art  article.Options
	p    *poll.Poller
	// enqueue, when set, takes each article instead of the fetchers.
	enqueue   func(context.Context, article.Work) error
	items     chan item
	fetchTime atomic.Int64
}

// Ingest reads and parses the inputs srcs name — files, folders, "-" for
// stdin, http(s) URLs — and the articles of opts.Lists, and stores their
// pages through w: poll → article → write. It returns when every input
// is done, or, after ctx is cancelled, once the pages already parsed are
// committed. The error is non-nil only when w or opts.State failed; bad
// inputs are counted in the report and reported through opts.OnError.
func Ingest(ctx context.Context, w write.Writer, srcs []string, opts Options) (Report, error) {
	if w == nil && slices.ContainsFunc(srcs, func(s string) bool { return !poll.IsURL(s) }) {
		return Report{}, errors.New("ingest: file sources need a writer")
	}
	return run(ctx, w, srcs, opts, nil)
}

// Schedule polls srcs (URLs only) and opts.Lists as Ingest does and
// hands each article to fetch to sink (queue.Scheduler.Enqueue, say),
// opts.Enqueuers at once, instead of fetching it: poll → sink. An error
// from sink counts the article as failed, and its list is read whole
// again next time. Nothing is written.
func Schedule(ctx context.Context, srcs []string, opts Options, sink func(context.Context, article.Work) error) (Report, error) {
	if slices.ContainsFunc(srcs, func(s string) bool { return !poll.IsURL(s) }) {
		return Report{}, errors.New("ingest: file sources cannot be scheduled")
	}
	return run(ctx, nil, srcs, opts, sink)
}

func run(ctx context.Context, w write.Writer, srcs []string, opts Options, enqueue func(context.Context, article.Work) error) (Report, error) {
	opts = opts.withDefaults()
	start := time.Now()
	needFetch := len(opts.Lists) > 0 || slices.ContainsFunc(srcs, poll.IsURL)
	if needFetch && opts.Fetcher == nil {
		return Report{}, errors.New("ingest: URL sources need a fetcher")
	}
	// stop ends the poller, the fetchers and the workers early: on ctx's
	// cancellation, or when the writer fails.
	stopCtx, stop := context.WithCancel(ctx)
	defer stop()
	pl := &pipeline{opts: opts, art: opts.article(), p: poll.New(opts.poll()), enqueue: enqueue,
		// Up to a batch of parsed pages may wait while the writer
		// commits, so that the workers keep parsing through the commit.
		items: make(chan item, max(opts.Workers, opts.BatchSize))}
	if needFetch {
		if err := pl.p.Load(stopCtx); err != nil {
			return Report{}, err
		}
	}
	parseTime := pl.start(stopCtx, srcs)
	b := write.New(w, stateSaver(opts.State), write.Options{BatchSize: opts.BatchSize,
		FlushInterval: opts.FlushInterval, Log: opts.Log, OnFail: stop})
	sum := pl.collect(ctx, b)
	res := b.Result()
	sum.WriteResult, sum.WriteTime, sum.Failed = res.WriteResult, res.WriteTime, sum.Failed+res.Failed
	err := b.Err()
	sum.ParseTime, sum.FetchTime = time.Duration(parseTime.Load()), time.Duration(pl.fetchTime.Load())+pl.p.FetchTime()
	if needFetch {
		// Saved even after an interruption: what was fetched was fetched.
		err = errors.Join(err, pl.p.Save(context.WithoutCancel(ctx), err == nil && ctx.Err() == nil))
		sum.Fetched, sum.Fetch, sum.Lists = true, opts.Fetcher.Stats(), pl.p.Counts()
		sum.Hosts = opts.Fetcher.Deferred()
	}
	if ls, ok := w.(interface {
		LastSeq(context.Context) (uint64, error)
	}); ok {
		// The database's own, not the newest of this run's commits: a run
		// that wrote nothing (every page unchanged) reports it too.
		if seq, lerr := ls.LastSeq(context.WithoutCancel(ctx)); lerr == nil {
			sum.LastSeq = max(sum.LastSeq, seq)
		}
	}
	sum.Elapsed = time.Since(start)
	sum.Interrupted = ctx.Err() != nil
	return sum, err
}

// stateSaver is st as a write.StateSaver: nil when st is.
func stateSaver(st article.FetchState) write.StateSaver {
	if st == nil {
		return nil
	}
	return st
}

// start starts the poller, the fetchers (or enqueuers) and the parse
// workers; pl.items closes when they are all done. It returns the time
// the workers spend parsing, added up as they go.
func (pl *pipeline) start(ctx context.Context, srcs []string) *atomic.Int64 {
	opts := pl.opts
	fetchJobs := make(chan article.Work, opts.Fetchers)
	jobs := make(chan job, opts.Workers)
	var intoJobs, workers sync.WaitGroup
	intoJobs.Go(func() {
		defer close(fetchJobs)
		pl.p.Run(ctx, srcs, pl.sink(fetchJobs, jobs))
	})
	fetching := opts.Fetchers
	if pl.enqueue != nil {
		fetching = opts.Enqueuers // queueing fetches nothing
	}
	for range fetching {
		intoJobs.Go(func() { pl.fetchJobs(ctx, fetchJobs, jobs) })
	}
	go func() {
		intoJobs.Wait()
		close(jobs)
	}()
	var parseTime atomic.Int64
	for range opts.Workers {
		workers.Go(func() { parseTime.Add(int64(pl.work(ctx, jobs))) })
	}
	go func() {
		workers.Wait()
		close(pl.items)
	}()
	return &parseTime
}

// sink is where the poller's work goes: articles to the fetchers, files
// to the parse workers, failures to the writer.
func (pl *pipeline) sink(fetchJobs chan<- article.Work, jobs chan<- job) poll.Sink {
	return poll.Sink{
		Work: func(ctx context.Context, w article.Work) error {
			select {
			case fetchJobs <- w:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		},
		File: func(ctx context.Context, f article.File) error {
			select {
			case jobs <- job{file: &f}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		},
		Failed: func(ctx context.Context, err error, list bool) {
			if list {
				pl.items <- item{err: err, list: true}
				return
			}
			select {
			case pl.items <- item{err: err}:
			case <-ctx.Done():
			}
		},
	}
}

// fetchJobs fetches articles until they run out: a page whose body
// changed goes on to the parse workers (out); a 304, or a 200 with the
// body of last time, goes straight to the writer as a state update. With
// an enqueue sink, articles are handed to it instead, unfetched.
func (pl *pipeline) fetchJobs(ctx context.Context, in <-chan article.Work, out chan<- job) {
	for w := range in {
		if ctx.Err() != nil {
			continue // drain
		}
		if pl.enqueue != nil {
			pl.enqueueWork(ctx, w)
			continue
		}
		t0 := time.Now()
		body, unchanged, err := article.Get(ctx, w, pl.art)
		pl.fetchTime.Add(int64(time.Since(t0)))
		pl.opts.OnFetch()
		switch {
		case err != nil:
			if ctx.Err() == nil {
				pl.fetchFailed(w, err)
			}
		case unchanged != nil:
			pl.items <- item{state: unchanged, notParsed: true}
		default:
			out <- job{body: body}
		}
	}
}

// fetchFailed hands the writer what became of an article whose fetch
// failed.
func (pl *pipeline) fetchFailed(w article.Work, err error) {
	var de *fetch.DeferredError
	switch {
	case errors.Is(err, fetch.ErrRobots):
		// The site's wish, not a failure: counted in the fetcher's
		// robots refusals, and asked again next run.
		pl.opts.Log.Info("robots.txt disallows", slog.String("url", w.URL))
		pl.items <- item{skipped: true}
		return
	case fetch.Gone(err):
		// Taken down (a refreshed article, most often): the site's
		// answer, not a failure. Nothing is saved, so a list that still
		// links it has it asked for again.
		pl.opts.Log.Info("page gone", slog.String("url", w.URL), slog.Any("err", err))
		pl.items <- item{gone: true}
		return
	case errors.As(err, &de) && !de.Failing:
		// The host asked for time (a long Retry-After): not a failure,
		// but named in the summary.
		pl.items <- item{deferred: true}
	case errors.As(err, &de):
		// The host is down: an outage is a failure, reported once per
		// host however many of its articles wait.
		pl.items <- item{err: poll.SourceErr(w.Source, err), failingHost: de.Host}
	default:
		pl.items <- item{err: poll.SourceErr(w.Source, err)}
	}
	pl.p.Failed(w.Source)
}

// enqueueWork hands w to the enqueue sink and tells the writer.
func (pl *pipeline) enqueueWork(ctx context.Context, w article.Work) {
	err := pl.enqueue(ctx, w)
	pl.opts.OnFetch()
	switch {
	case err == nil:
		pl.items <- item{enqueued: true}
	case ctx.Err() != nil:
	default:
		pl.p.Failed(w.Source)
		pl.items <- item{err: poll.SourceErr(w.Source, fmt.Errorf("enqueue %s: %w", w.URL, err))}
	}
}

// work reads (or takes the fetched body of) and parses jobs until they
// run out or ctx is done, and returns the time it spent doing so.
func (pl *pipeline) work(ctx context.Context, jobs <-chan job) (busy time.Duration) {
	for j := range jobs {
		if ctx.Err() != nil {
			continue // drain: the poller is stopping too
		}
		t0 := time.Now()
		var it item
		var err error
		if j.body != nil {
			it.state = &j.body.State
			it.page, err = j.body.Parse(pl.art)
		} else {
			it.page, err = article.Read(ctx, *j.file, pl.opts.Stdin, pl.art)
		}
		if err != nil {
			if ctx.Err() != nil {
				continue // interrupted, not a bad input
			}
			source := ""
			if j.body != nil {
				source = j.body.Work.Source
				pl.p.Failed(source)
			}
			it = item{err: poll.SourceErr(source, err)} // no state: the page is fetched whole next time
		}
		busy += time.Since(t0)
		pl.items <- it // the writer drains items until it is closed
	}
	return busy
}
