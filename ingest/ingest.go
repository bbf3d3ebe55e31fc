// Package ingest reads pages from files, folders, stdin and URLs, and the
// articles that a sources file's list pages name; parses them on a pool
// of workers; and hands the records to one writer goroutine that stores
// them in batches.
//
//	files ───────► walker ──────────────────────jobs──► N workers (read + parse) ──pages──► writer ──► Writer.WritePages
//	URLs ────────► walker ─┐                     ▲                                          └──► FetchState (after each batch)
//	list pages ──► pollers ┴─fetch jobs─► M fetchers (conditional GET)
//	                                        └── 304 or same body: state only ──► writer
//
// Fetching has its own pool (Options.Fetchers, default 16), apart from the
// parse workers, so that slow servers keep the network busy while the
// CPUs parse; the fetcher's per-host limit and delay hold within it. A
// page answered 304, or 200 with the very body of last time, is neither
// parsed nor written: only its fetch state (validators, times) is. The
// fetch state of a page is saved after the batch holding it is committed,
// so a run killed between the two fetches it again rather than losing it.
//
// The walker expands folders (recursively, keeping files whose base name
// matches Options.Glob). Workers read each file, refusing one over
// Options.MaxBytes, and parse it. The one writer goroutine collects pages
// into a batch and commits it through the Writer interface when it holds
// Options.BatchSize pages or Options.FlushInterval has passed since its
// first page: one transaction per batch. The channel from the workers to
// the writer holds at most half a batch more (so parsing goes on while a
// batch commits), so memory is bounded by the batches and the workers'
// pages, not by the number of pages.
//
// An input that cannot be read or parsed is reported through
// Options.OnError and counted as failed; the run goes on. When ctx is
// cancelled, the walker and the workers stop taking new inputs, and the
// writer commits the pages already parsed before Run returns.
package ingest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"time"

	"newsfeed/config"
	"newsfeed/fetch"
	"newsfeed/parse"
	"newsfeed/record"
)

// Writer stores batches of parsed pages; *store.Store is one. Ingest
// feeds the store only through it, so another writer (a message stream,
// say) can take its place.
type Writer interface {
	// WritePages stores pages in one transaction and counts what changed.
	WritePages(ctx context.Context, pages []*record.Page) (record.WriteResult, error)
}

// MemoryLimit is the soft limit on Go's memory that newsfeed ingest sets
// (runtime/debug.SetMemoryLimit) unless GOMEMLIMIT is set: near it the GC
// works harder rather than let the garbage of big batches pile up. The
// database file's mapped pages are not counted.
const MemoryLimit = 160 << 20

// Defaults for Options fields left zero.
const (
	DefaultBatchSize     = 200
	DefaultFlushInterval = time.Second
)

// Options configure Run. The zero value works.
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
	State FetchState
	// Lists are the sources file's list pages to poll.
	Lists []ListSource
	// Fetchers is the number of fetches in flight; zero means
	// DefaultFetchers.
	Fetchers int
	// OnFetch is called after each article fetch (done or failed), or
	// each article handed to Enqueue, from a fetching goroutine, for
	// progress.
	OnFetch func()
	// Enqueue, when set, receives each article to fetch (of the lists
	// and the URL sources) instead of the fetch pool: Run polls the lists
	// and picks their articles as always, but fetches no article; a work
	// queue's workers do (see FetchArticle). An error counts the article
	// as failed, and its list is read whole again next time.
	Enqueue func(ctx context.Context, w Work) error
	// Enqueuers is the number of articles handed to Enqueue at once; zero
	// means DefaultEnqueuers. A queue answers each after a round trip:
	// many in flight share the connection's writes and the answers.
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
		o.BatchSize = DefaultBatchSize
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = DefaultFlushInterval
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

// ListSource is a sources-file source and the profiles read from its own
// profile file (nil: none).
type ListSource struct {
	*config.Source
	Profiles *parse.Profiles
}

// HasLinkRule reports whether the source can find its article links: it
// is no html source, or it has a links selector or a pattern, or the
// site profile of its list page (its own profiles first, then profiles;
// nil: the built-in ones) has a links key.
func (l ListSource) HasLinkRule(profiles *parse.Profiles) bool {
	if l.Kind != config.KindHTML || l.Links != nil || l.Pattern != nil {
		return true
	}
	fr := &fetcher{opts: Options{Profiles: profiles}}
	u, err := url.Parse(l.ListURL())
	if err != nil {
		return false
	}
	p := fr.profileFunc(&listSource{Source: l.Source, profiles: l.Profiles})(strings.ToLower(u.Hostname()))
	return p != nil && len(p.Links) > 0
}

// Summary counts what a run did.
type Summary struct {
	// Read counts inputs taken up; each ends stored (new, changed or
	// unchanged: see the WriteResult), not parsed, enqueued, gone, or
	// failed.
	Read, Failed int
	// NotParsed counts fetched pages not parsed because they had not
	// changed: answered 304, or 200 with the body of last time.
	NotParsed int
	// Deferred counts articles not fetched because their host is
	// deferred.
	Deferred int
	// Gone counts articles the site answered 404 or 410 for: skipped,
	// not failed.
	Gone int
	// Enqueued counts the articles handed to Options.Enqueue.
	Enqueued int
	// WriteResult adds up what the store reported: pages new, changed and
	// unchanged, records inserted and updated, and the newest change-log
	// sequence number after the run.
	record.WriteResult
	// FetchTime, ParseTime and WriteTime add up the time spent in each
	// stage, over every goroutine of it: in Gets (list pages included),
	// in reading and parsing, and in commits.
	FetchTime, ParseTime, WriteTime time.Duration
	// Fetched is set when the run fetched anything; Fetch is then what
	// the fetcher did, and Lists what became of the list pages.
	Fetched bool
	Fetch   fetch.Stats
	Lists   ListCounts
	// Hosts are the hosts deferred at the end of the run that the run
	// deferred or found deferred, with the time each may be asked again.
	Hosts   []fetch.Deferral
	Elapsed time.Duration
	// Interrupted is set when ctx was cancelled before every input was read.
	Interrupted bool
}

// OK reports whether every input and list was read.
func (s Summary) OK() bool { return s.Failed == 0 && s.Lists.Failed == 0 }

// String is the summary line newsfeed prints at the end of a run.
func (s Summary) String() string {
	var line string
	if !s.Fetched {
		line = fmt.Sprintf("%d pages read: %d new, %d changed, %d unchanged, %d failed; ",
			s.Read, s.New, s.Changed, s.Unchanged, s.Failed)
	} else {
		line = fmt.Sprintf("%d pages read: %d new, %d changed, %d unchanged, %d not modified, %d failed, %d gone, %d deferred; ",
			s.Read, s.New, s.Changed, s.Unchanged, s.NotParsed, s.Failed, s.Gone, s.Deferred)
	}
	line += fmt.Sprintf("records: %d inserted, %d updated; last seq %d; ", s.Inserted, s.Updated, s.LastSeq)
	if s.Fetched {
		f, l := s.Fetch, s.Lists
		line += fmt.Sprintf("lists: %d polled, %d not due, %d deferred, %d failed; "+
			"http: %d requests, %d 304s, %s read, %d retries, %d robots refusals, %d deferred hosts; ",
			l.Polled, l.NotDue, l.Deferred, l.Failed,
			f.Requests, f.NotModified, byteSize(f.Bytes), f.Retries, f.RobotsRefused, f.DeferredHosts)
		if len(s.Hosts) > 0 {
			line = strings.TrimSuffix(line, "; ") + " (" + DeferredHosts(s.Hosts) + "); "
		}
	}
	line += s.Elapsed.Round(time.Millisecond).String()
	if s.Interrupted {
		line += " (interrupted)"
	}
	return line
}

// byteSize writes n bytes in B, KB, MB or GB (powers of 1024).
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n)/unit, 0
	for v >= unit && i < 2 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %s", v, strings.Split("KB MB GB", " ")[i])
}

// DeferredHosts names each deferred host with the time it may be asked
// again: "a.example until 2026-12-03T17:00:00Z, b.example until …".
func DeferredHosts(hosts []fetch.Deferral) string {
	parts := make([]string, len(hosts))
	for i, d := range hosts {
		parts[i] = d.Host + " until " + d.Until.UTC().Format(time.RFC3339)
		if d.Failing {
			parts[i] += " (failing)"
		}
	}
	return strings.Join(parts, ", ")
}
