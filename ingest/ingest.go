// Package ingest reads pages from files, folders and stdin, parses them on
// a pool of workers, and hands the records to one writer goroutine that
// stores them in batches.
//
//	sources ──► walker ──jobs──► N workers (read + parse) ──pages──► writer ──► Writer.WritePages
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
	"runtime"
	"time"

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
	// MaxBytes refuses inputs larger than this; zero means the parser's
	// default.
	MaxBytes int
	// Location is the parser's zone for times a page gives without one.
	Location *time.Location
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
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

// Summary counts what a run did.
type Summary struct {
	// Read counts inputs taken up; each ends stored (new, changed or
	// unchanged: see the WriteResult) or failed.
	Read, Failed int
	// WriteResult adds up what the store reported: pages new, changed and
	// unchanged, records inserted and updated, and the newest change-log
	// sequence number after the run.
	record.WriteResult
	Elapsed time.Duration
	// Interrupted is set when ctx was cancelled before every input was read.
	Interrupted bool
}

// String is the summary line newsfeed prints at the end of a run.
func (s Summary) String() string {
	line := fmt.Sprintf("%d pages read: %d new, %d changed, %d unchanged, %d failed; records: %d inserted, %d updated; last seq %d; %s",
		s.Read, s.New, s.Changed, s.Unchanged, s.Failed, s.Inserted, s.Updated, s.LastSeq,
		s.Elapsed.Round(time.Millisecond))
	if s.Interrupted {
		line += " (interrupted)"
	}
	return line
}
