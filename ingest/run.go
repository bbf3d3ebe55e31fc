package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"newsfeed/fetch"
	"newsfeed/parse"
	"newsfeed/record"
	"newsfeed/store"
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
	// input's; enqueued: an article handed to Options.Enqueue.
	notParsed, deferred, skipped, gone, list, enqueued bool
	// failingHost names the host of an article not fetched because the
	// host is deferred for failing: err is reported once per host.
	failingHost string
}

// Run reads and parses the inputs sources name — files, folders, "-"
// for stdin, http(s) URLs — and the articles of opts.Lists, and stores
// their pages through w. It returns when every input is done, or, after
// ctx is cancelled, once the pages already parsed are committed. The
// error is non-nil only when w or opts.State failed; bad inputs are
// counted in the summary and reported through opts.OnError. With
// opts.Enqueue set and no file sources, nothing is written and w may be
// nil.
func Run(ctx context.Context, w Writer, srcs []string, opts Options) (Summary, error) {
	opts = opts.withDefaults()
	start := time.Now()
	needFetch := len(opts.Lists) > 0 || slices.ContainsFunc(srcs, IsURL)
	if needFetch && opts.Fetcher == nil {
		return Summary{}, errors.New("ingest: URL sources need a fetcher")
	}
	if w == nil && slices.ContainsFunc(srcs, func(s string) bool { return !IsURL(s) }) {
		return Summary{}, errors.New("ingest: file sources need a writer")
	}
	// stop ends the walker, the pollers, the fetchers and the workers
	// early: on ctx's cancellation, or when the writer fails.
	stopCtx, stop := context.WithCancel(ctx)
	defer stop()

	fr := &fetcher{opts: opts, f: opts.Fetcher, state: opts.State, now: opts.Now(), polls: map[string]time.Time{}}
	lists := make([]*listSource, len(opts.Lists))
	for i, l := range opts.Lists {
		lists[i] = &listSource{Source: l.Source, profiles: l.Profiles}
	}
	if needFetch && fr.state != nil {
		if err := fr.load(stopCtx); err != nil {
			return Summary{}, err
		}
	}

	fetchJobs := make(chan job, opts.Fetchers)
	jobs := make(chan job, opts.Workers)
	// Up to a batch of parsed pages may wait while the writer commits, so
	// that the workers keep parsing through the commit.
	items := make(chan item, max(opts.Workers, opts.BatchSize))
	fail := func(err error) {
		select {
		case items <- item{err: err}:
		case <-stopCtx.Done():
		}
	}

	var intoFetch, intoJobs, workers sync.WaitGroup
	intoFetch.Add(1)
	intoJobs.Go(func() {
		defer intoFetch.Done()
		walk(stopCtx, srcs, opts.Glob, jobs, fetchJobs, fr, fail)
	})
	polls := make(chan struct{}, max(opts.Fetchers/2, 1)) // lists polled at once
	for _, src := range lists {
		intoFetch.Go(func() {
			polls <- struct{}{}
			defer func() { <-polls }()
			fr.poll(stopCtx, src, fetchJobs, items)
		})
	}
	go func() {
		intoFetch.Wait()
		close(fetchJobs)
	}()
	fetching := opts.Fetchers
	if opts.Enqueue != nil {
		fetching = opts.Enqueuers // queueing fetches nothing
	}
	for range fetching {
		intoJobs.Go(func() { fr.fetchJobs(stopCtx, fetchJobs, jobs, items) })
	}
	go func() {
		intoJobs.Wait()
		close(jobs)
	}()
	var parseTime atomic.Int64
	for range opts.Workers {
		workers.Go(func() { parseTime.Add(int64(work(stopCtx, jobs, items, opts))) })
	}
	go func() {
		workers.Wait()
		close(items)
	}()

	sum, err := collect(ctx, w, opts.State, items, opts, stop)
	sum.ParseTime, sum.FetchTime = time.Duration(parseTime.Load()), time.Duration(fr.fetchTime.Load())
	if needFetch {
		// Saved even after an interruption: what was fetched was fetched.
		err = errors.Join(err, fr.save(context.WithoutCancel(ctx), lists, err == nil && ctx.Err() == nil))
		sum.Fetched, sum.Fetch, sum.Lists = true, opts.Fetcher.Stats(), fr.lists
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

// load gives the fetcher the host deferrals and the lists' poll times
// that earlier runs stored.
func (fr *fetcher) load(ctx context.Context) error {
	deferred, err := fr.state.HostDeferrals(ctx)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	var why map[string]store.HostDeferral
	if hr, ok := fr.state.(HostReasons); ok {
		if why, err = hr.HostReasons(ctx); err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
	}
	for host, until := range deferred {
		d := why[host]
		fr.f.LoadDeferral(fetch.Deferral{Host: host, Until: until, Reason: d.Reason, Failing: d.Failing})
	}
	if fr.polls, err = fr.state.ListPolls(ctx); err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	return nil
}

// work reads (or takes the fetched body of) and parses jobs until they
// run out or ctx is done, and returns the time it spent doing so.
func work(ctx context.Context, jobs <-chan job, items chan<- item, opts Options) (busy time.Duration) {
	for j := range jobs {
		if ctx.Err() != nil {
			continue // drain: the walker is stopping too
		}
		t0 := time.Now()
		it := item{state: j.state}
		data, err := j.data, error(nil)
		if !j.url {
			data, err = read(ctx, j, opts.Stdin, opts.MaxBytes)
		}
		if err == nil {
			it.page, err = parsePage(data, j, opts)
		}
		if err != nil {
			if ctx.Err() != nil {
				continue // interrupted, not a bad input
			}
			if j.src != nil {
				j.src.failed.Add(1)
			}
			it = item{err: sourceErr(j.src, err)} // no state: the page is fetched whole next time
		}
		busy += time.Since(t0)
		items <- it // the writer drains items until it is closed
	}
	return busy
}

// parsePage parses one page's bytes, HTML or raw text, into what a
// Writer takes. A fetched page's records take their URL from the page's
// canonical link when it is on the same site, else from the URL it was
// fetched from; their source is the URL asked for.
func parsePage(data []byte, j job, opts Options) (*record.Page, error) {
	po := parse.Options{
		Site: opts.Site, URL: opts.URL, Source: j.name, MaxBytes: opts.MaxBytes, Location: opts.Location,
		ContentType: opts.ContentType, Profiles: opts.Profiles, Timeout: opts.ParseTimeout,
	}
	if j.url {
		po.URL, po.ContentType = pageURL(data, j.pageURL), j.contentType
		if src := j.src; src != nil {
			if src.Site != "" {
				po.Site = src.Site
			}
			if src.profiles.Match(hostOf(po.URL)) != nil {
				po.Profiles = src.profiles
			}
		}
	}
	res, err := parse.Page(data, po)
	if err != nil {
		return nil, err
	}
	name := j.name
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

// hostOf returns rawURL's lower-case host name, or "".
func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// collect is the writer goroutine: it batches pages and commits each
// batch through w, and counts everything. It reads items until the
// channel closes, so that the pages parsed before a cancellation are
// committed too. On w's error it calls stop and returns the error once
// the workers are done.
func collect(ctx context.Context, w Writer, fs FetchState, items <-chan item, opts Options, stop func()) (Summary, error) {
	var sum Summary
	var werr error
	batch := make([]*record.Page, 0, opts.BatchSize)
	// states are the fetch states to save after the batch is committed.
	var states []record.URLState
	// failingHosts are the failing hosts reported already.
	failingHosts := map[string]bool{}
	// Commits are not cancelled: a batch in flight is finished.
	wctx := context.WithoutCancel(ctx)
	flush := func() {
		defer func() {
			// The writer may keep the pages it was given; start a new slice.
			batch, states = make([]*record.Page, 0, opts.BatchSize), nil
		}()
		if werr != nil || len(batch) == 0 && len(states) == 0 {
			return
		}
		if len(batch) > 0 {
			t0 := time.Now()
			res, err := w.WritePages(wctx, batch)
			if err != nil {
				// Not stored: these pages failed, and so does every page
				// after them (see below); the summary says so.
				sum.Failed += len(batch)
				werr = fmt.Errorf("ingest: write batch of %d pages (first %s): %w", len(batch), batch[0].Source, err)
				stop()
				return
			}
			sum.Add(res)
			sum.WriteTime += time.Since(t0)
			opts.Log.Debug("committed batch", slog.Int("pages", len(batch)),
				slog.Int("inserted", res.Inserted), slog.Int("updated", res.Updated),
				slog.Uint64("last_seq", res.LastSeq), slog.Duration("took", time.Since(t0)))
		}
		// After the pages: a state saved before its page would let the
		// next run skip a page that was never stored.
		if fs != nil && len(states) > 0 {
			if err := fs.PutURLStates(wctx, states); err != nil {
				werr = fmt.Errorf("ingest: %w", err)
				stop()
			}
		}
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
			switch {
			case it.list:
				opts.OnError(it.err)
				continue
			case it.deferred:
				sum.Deferred++
				continue
			case it.skipped:
				continue
			case it.gone:
				sum.Read++
				sum.Gone++
				opts.OnPage()
				continue
			case it.enqueued:
				sum.Read++
				sum.Enqueued++
				opts.OnPage()
				continue
			}
			sum.Read++
			switch {
			case it.err != nil && it.failingHost != "":
				sum.Failed++
				if !failingHosts[it.failingHost] {
					failingHosts[it.failingHost] = true
					opts.OnError(it.err)
				}
			case it.err != nil:
				sum.Failed++
				opts.OnError(it.err)
			case werr != nil && it.page != nil:
				sum.Failed++ // parsed, but the store fails: not stored
			case werr != nil:
				sum.NotParsed++ // its state is not saved: fetched again next time
			case it.page == nil: // not parsed: its state only
				sum.NotParsed++
				if len(batch) == 0 && len(states) == 0 {
					timer.Reset(opts.FlushInterval)
				}
				states = append(states, *it.state)
				if len(states) >= opts.BatchSize {
					timer.Stop()
					flush()
				}
			default:
				if len(batch) == 0 && len(states) == 0 {
					timer.Reset(opts.FlushInterval)
				}
				batch = append(batch, it.page)
				if it.state != nil {
					states = append(states, *it.state)
				}
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
