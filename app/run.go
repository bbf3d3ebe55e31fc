package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"time"

	"newsfeed/feed"
	"newsfeed/fetch"
	"newsfeed/poll"
	"newsfeed/store"
)

// Config is a whole run: what to ingest, into which database, and what
// to do with it afterwards. Build it once; Run may be called with it
// again and again (serve --every does).
type Config struct {
	// Sources are the SOURCE arguments (files, folders, "-", URLs);
	// Ingest.Lists the sources file's lists.
	Sources []string
	// Ingest configures the ingest stages; its Fetcher and State are set
	// by Run (see NewFetcher).
	Ingest Options
	// NewFetcher makes the fetcher of one run, which Run closes after
	// ingesting; it is called only when the run fetches.
	NewFetcher func() *fetch.Fetcher
	// DB is the database file; LockTimeout how long to wait for another
	// process's lock on it.
	DB          string
	LockTimeout time.Duration
	// Publish, when set, makes Run a whole run: prune, publish, tidy
	// after the ingest. Nil: ingest only.
	Publish *Publish
	// OnStage, when set, is called after each stage, in order, with what
	// it did: for a command to print as the run goes.
	OnStage func(Stage)
}

// Publish configures what a whole run does after ingesting.
type Publish struct {
	// Retention is applied after the ingest; none: nothing is deleted.
	Retention store.Retention
	// Out is the folder the feeds are written to; Feed their options.
	Out  string
	Feed feed.Options
	// Log receives the feed writer's lines.
	Log *slog.Logger
	// CompactAbove is the free share (percent) of a file of CompactMin
	// bytes or more past which Run compacts it; 0: never.
	CompactAbove float64
	CompactMin   int64
}

// Stage names, as Stage.Name and StageError.Stage give them.
const (
	StageIngest  = "ingest"
	StagePrune   = "prune"
	StagePublish = "publish"
	StageTidy    = "run"
	StageCompact = "compact"
)

// Stage is what one stage of a run did, as Config.OnStage gets it.
type Stage struct {
	// Name is one of the Stage* names.
	Name string
	// Err is the stage's error (a *StageError, or ErrInputsFailed, or
	// several joined); nil when it went well.
	Err error
	// Ingest is set by the ingest stage, Pruned by prune, Published by
	// publish, Compacted by compact.
	Ingest    *Report
	Pruned    *store.PruneResult
	Published *feed.PublishResult
	Compacted *store.CompactResult
	// Took is the stage's time.
	Took time.Duration
}

// StageError is a stage's failure.
type StageError struct {
	// Stage is the stage's name; Op is OpOpen when the database could
	// not be opened for it, OpClose when it could not be closed, else
	// "".
	Stage string
	Op    string
	Err   error
}

func (e *StageError) Error() string { return e.Err.Error() }

func (e *StageError) Unwrap() error { return e.Err }

// StageError.Op values.
const (
	OpOpen  = "open"
	OpClose = "close"
)

// ErrInputsFailed is an ingest whose pages or lists did not all get
// through; the rest were stored.
var ErrInputsFailed = errors.New("some inputs failed")

// ErrInvalid marks a configuration a stage refuses (publish's feed
// options).
var ErrInvalid = errors.New("invalid configuration")

// invalid is an error of ErrInvalid, with err's message.
type invalid struct{ err error }

func (e invalid) Error() string { return e.err.Error() }

func (e invalid) Unwrap() error { return e.err }

func (e invalid) Is(target error) bool { return target == ErrInvalid }

// Run runs cfg: ingest (poll → article → write), then, with
// cfg.Publish, prune → publish → tidy (drop stale cached items, compact
// past CompactAbove). A stage that fails with inputs or the store's work
// lets the next go on; a database that cannot be opened (locked, not a
// database, damaged) or an interruption ends the run. The error joins
// the stages' errors.
func Run(ctx context.Context, cfg Config) (Report, error) {
	stage := func(st Stage) error {
		if cfg.OnStage != nil {
			cfg.OnStage(st)
		}
		return st.Err
	}
	t0 := time.Now()
	sum, err := ingest(ctx, cfg)
	errs := []error{stage(Stage{Name: StageIngest, Err: err, Ingest: &sum, Took: time.Since(t0)})}
	if cfg.Publish == nil || ends(ctx, err) {
		return sum, errors.Join(errs...)
	}
	p := cfg.Publish
	if len(p.Retention.Ages) > 0 || p.Retention.Log > 0 {
		t0 = time.Now()
		res, err := prune(ctx, cfg)
		errs = append(errs, stage(Stage{Name: StagePrune, Err: err, Pruned: res, Took: time.Since(t0)}))
		if ctx.Err() != nil {
			return sum, errors.Join(errs...)
		}
	}
	t0 = time.Now()
	res, err := WriteFeeds(ctx, cfg)
	errs = append(errs, stage(Stage{Name: StagePublish, Err: err, Published: res, Took: time.Since(t0)}))
	if slices.ContainsFunc(errs, func(err error) bool { return ends(ctx, err) }) {
		return sum, errors.Join(errs...)
	}
	t0 = time.Now()
	compact, err := tidy(ctx, cfg)
	errs = append(errs, stage(Stage{Name: StageTidy, Err: err, Took: time.Since(t0)}))
	if compact && err == nil {
		t0 = time.Now()
		res, err := store.Compact(ctx, cfg.DB, store.Options{LockTimeout: cfg.LockTimeout})
		if err != nil {
			err = &StageError{Stage: StageCompact, Op: OpOpen, Err: err}
		}
		errs = append(errs, stage(Stage{Name: StageCompact, Err: err, Compacted: &res, Took: time.Since(t0)}))
	}
	return sum, errors.Join(errs...)
}

// ends reports whether err ends a run: an interruption, a database that
// could not be opened for a reason other than a failure (locked, not a
// database, damaged), or a configuration refused.
func ends(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return true
	}
	if err == nil {
		return false
	}
	if errors.Is(err, ErrInvalid) {
		return true
	}
	var se *StageError
	return errors.As(err, &se) && se.Op == OpOpen && (errors.Is(err, store.ErrLocked) || errors.Is(err, store.ErrNotDatabase) ||
		errors.Is(err, store.ErrSchemaTooNew) || errors.Is(err, store.ErrNoDatabase) || errors.Is(err, store.ErrDamaged))
}

// Fetches reports whether cfg's ingest fetches anything.
func (cfg Config) Fetches() bool {
	return len(cfg.Ingest.Lists) > 0 || slices.ContainsFunc(cfg.Sources, poll.IsURL)
}

// open opens the database for stage.
func open(ctx context.Context, stage string, path string, opts store.Options) (*store.Store, error) {
	s, err := store.Open(ctx, path, opts)
	if err != nil {
		return nil, &StageError{Stage: stage, Op: OpOpen, Err: err}
	}
	return s, nil
}

// closeStore closes s, joining a failure to err.
func closeStore(stage string, s *store.Store, err error) error {
	if cerr := s.Close(); cerr != nil {
		return errors.Join(err, &StageError{Stage: stage, Op: OpClose, Err: cerr})
	}
	return err
}

// ingest is the ingest stage: poll → article → write into cfg.DB.
func ingest(ctx context.Context, cfg Config) (Report, error) {
	s, err := open(ctx, StageIngest, cfg.DB, store.Options{LockTimeout: cfg.LockTimeout})
	if err != nil {
		return Report{}, err
	}
	opts := cfg.Ingest
	if cfg.Fetches() {
		f := cfg.NewFetcher()
		defer f.Close()
		opts.Fetcher, opts.State = f, s
	}
	sum, err := Ingest(ctx, s, cfg.Sources, opts)
	if err != nil {
		err = &StageError{Stage: StageIngest, Err: err}
	} else if !sum.OK() && ctx.Err() == nil {
		err = ErrInputsFailed
	}
	return sum, closeStore(StageIngest, s, err)
}

// prune applies the retention.
func prune(ctx context.Context, cfg Config) (*store.PruneResult, error) {
	s, err := open(ctx, StagePrune, cfg.DB, store.Options{LockTimeout: cfg.LockTimeout})
	if err != nil {
		return nil, err
	}
	res, err := s.Prune(ctx, store.PruneOptions{Retention: cfg.Publish.Retention})
	if err != nil {
		err = &StageError{Stage: StagePrune, Err: err}
	}
	return &res, closeStore(StagePrune, s, err)
}

// WriteFeeds is the publish stage: it writes the feeds of cfg.Publish
// from cfg.DB. The database is opened for writing, so that
// the items rendered are kept in its item cache (see OpenForPublish).
func WriteFeeds(ctx context.Context, cfg Config) (*feed.PublishResult, error) {
	p := cfg.Publish
	if _, err := feed.NewBuilder(nil, p.Feed); err != nil {
		return nil, &StageError{Stage: StagePublish, Err: invalid{err}}
	}
	s, err := OpenForPublish(ctx, cfg.DB, cfg.LockTimeout)
	if err != nil {
		return nil, err
	}
	res, err := feed.Publish(ctx, s, p.Out, p.Feed, p.Log)
	if err != nil {
		err = &StageError{Stage: StagePublish, Err: err}
	}
	return &res, closeStore(StagePublish, s, err)
}

// OpenForPublish opens the database for writing, waiting lockTimeout for
// another process's lock as ingest does, so that feed items are rendered
// once and then read from the store's item cache. It never creates a
// database: a missing or empty file is store.ErrNoDatabase. A file this
// process may not write is opened read-only: items are then rendered
// every time and not kept.
func OpenForPublish(ctx context.Context, path string, lockTimeout time.Duration) (*store.Store, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &StageError{Stage: StagePublish, Op: OpOpen, Err: fmt.Errorf("%w at %s", store.ErrNoDatabase, path)}
	case err == nil && fi.Mode().IsRegular() && fi.Size() == 0:
		return nil, &StageError{Stage: StagePublish, Op: OpOpen, Err: fmt.Errorf("%w: %s is empty", store.ErrNoDatabase, path)}
	}
	opts := store.Options{LockTimeout: lockTimeout}
	if f, err := os.OpenFile(path, os.O_WRONLY, 0); errors.Is(err, fs.ErrPermission) {
		opts.ReadOnly = true
	} else if err == nil {
		f.Close()
	}
	return open(ctx, StagePublish, path, opts)
}

// tidy drops cached items no feed of the limit shows, and reports
// whether the file's free share is past CompactAbove.
func tidy(ctx context.Context, cfg Config) (compact bool, err error) {
	s, err := open(ctx, StageTidy, cfg.DB, store.Options{LockTimeout: cfg.LockTimeout})
	if err != nil {
		return false, err
	}
	var errs []error
	if _, err := s.PruneItems(ctx, cfg.Publish.Feed.Limit); err != nil {
		errs = append(errs, &StageError{Stage: StageTidy, Err: err})
	}
	size, err := s.Size()
	if err != nil {
		errs = append(errs, &StageError{Stage: StageTidy, Err: err})
	}
	share := s.FreeShare()
	if err := closeStore(StageTidy, s, errors.Join(errs...)); err != nil {
		return false, err
	}
	p := cfg.Publish
	return p.CompactAbove > 0 && size >= p.CompactMin && share*100 > p.CompactAbove, nil
}
