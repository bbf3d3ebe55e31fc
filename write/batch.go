package write

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"newsfeed/record"
)

// Writer stores batches of parsed pages; *store.Store is one. A run
// feeds the store only through it, so another writer (a message stream,
// say) can take its place.
type Writer interface {
	// WritePages stores pages in one transaction and counts what changed.
	WritePages(ctx context.Context, pages []*record.Page) (record.WriteResult, error)
}

// StateSaver saves fetch states; *store.Store and article.FetchState are
// ones.
type StateSaver interface {
	PutURLStates(ctx context.Context, states []record.URLState) error
}

// Defaults for Options fields left zero.
const (
	DefaultBatchSize     = 200
	DefaultFlushInterval = time.Second
)

// Options configure a Batcher. The zero value works.
type Options struct {
	// BatchSize is the most pages committed in one transaction.
	BatchSize int
	// FlushInterval is the longest a parsed page waits for its batch to
	// fill before the batch is committed anyway.
	FlushInterval time.Duration
	// Log receives a debug line per committed batch; nil discards.
	Log *slog.Logger
	// OnFail is called once when a commit or a state save fails, so that
	// the run stops; nil: nothing.
	OnFail func()
}

// Result counts what a Batcher stored.
type Result struct {
	// WriteResult adds up what the Writer reported.
	record.WriteResult
	// Failed counts the pages of a batch whose commit failed.
	Failed int
	// WriteTime adds up the time spent in commits.
	WriteTime time.Duration
}

// Batcher collects pages and fetch states and commits them in batches.
type Batcher struct {
	w      Writer
	states StateSaver
	opts   Options
	batch  []*record.Page
	// pending are the fetch states to save after the batch commits.
	pending []record.URLState
	timer   *time.Timer
	err     error
	res     Result
}

// New returns a Batcher writing through w and saving states through ss
// (nil: states are dropped).
func New(w Writer, ss StateSaver, opts Options) *Batcher {
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = DefaultFlushInterval
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.OnFail == nil {
		opts.OnFail = func() {}
	}
	t := time.NewTimer(opts.FlushInterval)
	t.Stop()
	return &Batcher{w: w, states: ss, opts: opts, timer: t, batch: make([]*record.Page, 0, opts.BatchSize)}
}

// Add adds a page (nil: none, its state only) and its fetch state (nil:
// none) to the batch, and commits the batch when it is full. Commits are
// not cancelled: ctx's values are kept, its cancellation is not.
func (b *Batcher) Add(ctx context.Context, page *record.Page, state *record.URLState) {
	if len(b.batch) == 0 && len(b.pending) == 0 {
		b.timer.Reset(b.opts.FlushInterval)
	}
	if page != nil {
		b.batch = append(b.batch, page)
	}
	if state != nil {
		b.pending = append(b.pending, *state)
	}
	if len(b.batch) >= b.opts.BatchSize || page == nil && len(b.pending) >= b.opts.BatchSize {
		b.timer.Stop()
		b.Flush(ctx)
	}
}

// Due fires when the batch's first page has waited FlushInterval: the
// writer then calls Flush.
func (b *Batcher) Due() <-chan time.Time { return b.timer.C }

// Err returns the first commit or state-save error; after it the Batcher
// stores nothing more.
func (b *Batcher) Err() error { return b.err }

// Result returns what was stored so far.
func (b *Batcher) Result() Result { return b.res }

// Flush commits the batch, then saves the fetch states of its pages.
func (b *Batcher) Flush(ctx context.Context) {
	defer func() {
		// The writer may keep the pages it was given; start a new slice.
		b.batch, b.pending = make([]*record.Page, 0, b.opts.BatchSize), nil
	}()
	if b.err != nil || len(b.batch) == 0 && len(b.pending) == 0 {
		return
	}
	wctx := context.WithoutCancel(ctx)
	if len(b.batch) > 0 {
		t0 := time.Now()
		res, err := b.w.WritePages(wctx, b.batch)
		if err != nil {
			// Not stored: these pages failed, and so does every page
			// after them (see the run); the summary says so.
			b.res.Failed += len(b.batch)
			b.err = fmt.Errorf("ingest: write batch of %d pages (first %s): %w", len(b.batch), b.batch[0].Source, err)
			b.opts.OnFail()
			return
		}
		b.res.Add(res)
		b.res.WriteTime += time.Since(t0)
		b.opts.Log.Debug("committed batch", slog.Int("pages", len(b.batch)),
			slog.Int("inserted", res.Inserted), slog.Int("updated", res.Updated),
			slog.Uint64("last_seq", res.LastSeq), slog.Duration("took", time.Since(t0)))
	}
	// After the pages: a state saved before its page would let the next
	// run skip a page that was never stored.
	if b.states != nil && len(b.pending) > 0 {
		if err := b.states.PutURLStates(wctx, b.pending); err != nil {
			b.err = fmt.Errorf("ingest: %w", err)
			b.opts.OnFail()
		}
	}
}
