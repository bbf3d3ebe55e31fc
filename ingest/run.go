package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"newsfeed/parse"
	"newsfeed/record"
)

// item is what a worker hands the writer: a parsed page, or why the
// input failed.
type item struct {
	page *record.Page
	err  error
}

// Run reads and parses the inputs sources name and stores their pages
// through w. It returns when every input is done, or, after ctx is
// cancelled, once the pages already parsed are committed. The error is
// non-nil only when w failed; bad inputs are counted in the summary and
// reported through opts.OnError.
func Run(ctx context.Context, w Writer, sources []string, opts Options) (Summary, error) {
	opts = opts.withDefaults()
	start := time.Now()
	// stop ends the walker and the workers early: on ctx's cancellation,
	// or when the writer fails.
	stopCtx, stop := context.WithCancel(ctx)
	defer stop()

	jobs := make(chan job, opts.Workers)
	// Up to a batch of parsed pages may wait while the writer commits, so
	// that the workers keep parsing through the commit.
	items := make(chan item, max(opts.Workers, opts.BatchSize))
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(jobs)
		walk(stopCtx, sources, opts.Glob, jobs, func(err error) {
			select {
			case items <- item{err: err}:
			case <-stopCtx.Done():
			}
		})
	})
	for range opts.Workers {
		wg.Go(func() { work(stopCtx, jobs, items, opts) })
	}
	go func() {
		wg.Wait()
		close(items)
	}()

	sum, err := collect(ctx, w, items, opts, stop)
	sum.Elapsed = time.Since(start)
	sum.Interrupted = ctx.Err() != nil
	return sum, err
}

// work reads and parses jobs until they run out or ctx is done.
func work(ctx context.Context, jobs <-chan job, items chan<- item, opts Options) {
	for j := range jobs {
		if ctx.Err() != nil {
			continue // drain: the walker is stopping too
		}
		it := item{}
		data, err := read(ctx, j, opts.Stdin, opts.MaxBytes)
		if err == nil {
			it.page, err = parsePage(data, j.name, opts)
		}
		if err != nil {
			if ctx.Err() != nil {
				continue // interrupted, not a bad input
			}
			it.err = err
		}
		items <- it // the writer drains items until it is closed
	}
}

// parsePage parses one page's bytes, HTML or raw text, into what a
// Writer takes.
func parsePage(data []byte, name string, opts Options) (*record.Page, error) {
	res, err := parse.Page(data, parse.Options{
		Site: opts.Site, Source: name, MaxBytes: opts.MaxBytes, Location: opts.Location,
	})
	if err != nil {
		return nil, err
	}
	page := &record.Page{
		Source:      name,
		ContentHash: res.Article.ContentHash,
		Article:     res.Article,
		Interview:   res.Interview,
		Headlines:   res.Headlines,
	}
	// Encoded here, on a worker, rather than by the one writer.
	if page.ArticleJSON, err = res.Article.MarshalJSON(); err != nil {
		return nil, fmt.Errorf("encode %s: %w", name, err)
	}
	if res.Interview != nil {
		if page.InterviewJSON, err = res.Interview.MarshalJSON(); err != nil {
			return nil, fmt.Errorf("encode %s: %w", name, err)
		}
	}
	return page, nil
}

// collect is the writer goroutine: it batches pages and commits each
// batch through w, and counts everything. It reads items until the
// channel closes, so that the pages parsed before a cancellation are
// committed too. On w's error it calls stop and returns the error once
// the workers are done.
func collect(ctx context.Context, w Writer, items <-chan item, opts Options, stop func()) (Summary, error) {
	var sum Summary
	var werr error
	batch := make([]*record.Page, 0, opts.BatchSize)
	// Commits are not cancelled: a batch in flight is finished.
	wctx := context.WithoutCancel(ctx)
	flush := func() {
		if len(batch) == 0 || werr != nil {
			batch = batch[:0]
			return
		}
		t0 := time.Now()
		res, err := w.WritePages(wctx, batch)
		if err != nil {
			werr = fmt.Errorf("ingest: write batch of %d pages (first %s): %w", len(batch), batch[0].Source, err)
			stop()
		} else {
			sum.Add(res)
			opts.Log.Debug("committed batch", slog.Int("pages", len(batch)),
				slog.Int("inserted", res.Inserted), slog.Int("updated", res.Updated),
				slog.Uint64("last_seq", res.LastSeq), slog.Duration("took", time.Since(t0)))
		}
		// The writer may keep the pages it was given; start a new slice.
		batch = make([]*record.Page, 0, opts.BatchSize)
	}
	timer := time.NewTimer(opts.FlushInterval)
	timer.Stop()
	for {
		select {
		case it, ok := <-items:
			if !ok {
				flush()
				return sum, werr
			}
			sum.Read++
			if it.err != nil {
				sum.Failed++
				opts.OnError(it.err)
			} else if werr == nil {
				if len(batch) == 0 {
					timer.Reset(opts.FlushInterval)
				}
				batch = append(batch, it.page)
				if len(batch) >= opts.BatchSize {
					timer.Stop()
					flush()
				}
			}
			opts.OnPage()
		case <-timer.C:
			flush()
		}
	}
}

// ErrNoSources is returned by Check for an empty source list.
var ErrNoSources = errors.New("ingest: no sources")

// Check refuses source lists Run cannot take: none at all, or "-" more
// than once.
func Check(sources []string) error {
	if len(sources) == 0 {
		return ErrNoSources
	}
	n := 0
	for _, s := range sources {
		if s == "-" {
			n++
		}
	}
	if n > 1 {
		return fmt.Errorf("ingest: stdin (-) named %d times", n)
	}
	return nil
}
