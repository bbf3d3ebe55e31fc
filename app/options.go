package app

import (
	"io"
	"log/slog"
	"runtime"
	"time"

	"newsfeed/article"
	"newsfeed/fetch"
	"newsfeed/parse"
	"newsfeed/poll"
	"newsfeed/write"
)

// MemoryLimit is the soft limit on Go's memory that newsfeed ingest sets
// (runtime/debug.SetMemoryLimit) unless GOMEMLIMIT is set: near it the GC
// works harder rather than let the garbage of big batches pile up. The
// database file's mapped pages are not counted.
const MemoryLimit = 160 << 20

// DefaultFetchers is the number of fetches in flight when
// Options.Fetchers is zero; the fetcher's per-host limit holds below it.
const DefaultFetchers = 16

// DefaultEnqueuers is the number of articles handed to Schedule's sink at
// once when Options.Enqueuers is zero.
const DefaultEnqueuers = 256

// Options configure the ingest stages of a run (poll, article, write).
// The zero value works.
type Options struct {
	// Workers is the number of goroutines reading and parsing; zero means
	// the number of CPUs.
	Workers int
	// BatchSize is the most pages committed in one transaction.
	BatchSize int
	// FlushInterval is the longest a parsed page waits for its batch to
	// fill before the batch is committed anyway.
	FlushInterval time.Duration
	// Glob filters the files found in folders by base name, as
	// path.Match does; empty means every file. Files named on the command
	// line are read whatever their name. Names starting with "." are
	// skipped in folders.
	Glob string
	// Site is passed to the parser for records' site and ids.
	Site string
	// URL is the page's URL when one file is read (see parse.Options).
	URL string
	// MaxBytes refuses inputs larger than this; zero means the parser's
	// default.
	MaxBytes int
	// Location is the parser's zone for times a page gives without one.
	Location *time.Location
	// ParseTimeout is the time one page's parse may take (see
	// parse.Options.Timeout: 0 means parse.DefaultTimeout, negative no
	// limit). A page over it is counted failed; the run goes on.
	ParseTimeout time.Duration
	// Profiles are the site profiles pages are read with; nil means the
	// built-in ones.
	Profiles *parse.Profiles
	// ContentType is the Content-Type files are read as (a fetched page
	// has its own).
	ContentType string

	// Fetcher fetches URL sources and list pages; they are refused when
	// it is nil.
	Fetcher *fetch.Fetcher
	// State keeps fetch state between runs (validators, body hashes,
	// host deferrals, list polls); nil keeps none, and every fetch is
	// unconditional.
	State article.FetchState
	// Lists are the sources file's list pages to poll.
	Lists []poll.ListSource
	// Fetchers is the number of fetches in flight; zero means
	// DefaultFetchers.
	Fetchers int
	// OnFetch is called after each article fetch (done or failed), or
	// each article handed to Schedule's sink, from a fetching goroutine,
	// for progress.
	OnFetch func()
	// Enqueuers is the number of articles handed to Schedule's sink at
	// once; zero means DefaultEnqueuers. A queue answers each after a
	// round trip: many in flight share the connection's writes and the
	// answers.
	Enqueuers int
	// Now is the clock for max_age, every and refresh; nil means time.Now.
	Now func() time.Time
	// Stdin is read for the source "-".
	Stdin io.Reader
	// OnError is called, from the writer goroutine, once for each input
	// that could not be read or parsed. The error names the input.
	OnError func(err error)
	// OnPage is called from the writer goroutine after each input, read
	// or failed, for progress.
	OnPage func()
	// Log receives a debug line per committed batch; nil discards.
	Log *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	if o.BatchSize <= 0 {
		o.BatchSize = write.DefaultBatchSize
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = write.DefaultFlushInterval
	}
	if o.OnError == nil {
		o.OnError = func(error) {}
	}
	if o.OnPage == nil {
		o.OnPage = func() {}
	}
	if o.OnFetch == nil {
		o.OnFetch = func() {}
	}
	if o.Fetchers <= 0 {
		o.Fetchers = DefaultFetchers
	}
	if o.Enqueuers <= 0 {
		o.Enqueuers = DefaultEnqueuers
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

// article returns what the article stage needs of o.
func (o Options) article() article.Options {
	return article.Options{
		Site: o.Site, URL: o.URL, MaxBytes: o.MaxBytes, Location: o.Location, ParseTimeout: o.ParseTimeout,
		Profiles: o.Profiles, ContentType: o.ContentType, Fetcher: o.Fetcher, State: o.State, Log: o.Log,
	}
}

// poll returns what the poll stage needs of o.
func (o Options) poll() poll.Config {
	return poll.Config{
		Fetcher: o.Fetcher, State: o.State, Lists: o.Lists, Polls: max(o.Fetchers/2, 1), Glob: o.Glob,
		Site: o.Site, Profiles: o.Profiles, Now: o.Now, Log: o.Log,
	}
}
