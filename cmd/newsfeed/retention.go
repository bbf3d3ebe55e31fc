package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"newsfeed/config"
	"newsfeed/store"
)

// maintainConfig holds run's flags for keeping the database bounded: the
// retention applied after each ingest, and when to compact.
type maintainConfig struct {
	// retention is --retention as given; Retention is it parsed.
	retention    string
	Retention    store.Retention
	compactAbove float64
	compactMin   int64
}

// Auto-compaction's defaults: run compacts when free pages are more than
// half of a file of at least 16 MiB.
const (
	defaultCompactAbove = 50
	compactMinSize      = 16 << 20
)

// maintainFlags adds --retention and --compact-above to fs.
func maintainFlags(fs *flag.FlagSet) *maintainConfig {
	m := &maintainConfig{compactMin: compactMinSize}
	fs.StringVar(&m.retention, "retention", "",
		"delete records past an age after each ingest, per kind: headline=30d,article=365d,interview=365d[,log=400d] (default: keep everything)")
	fs.Float64Var(&m.compactAbove, "compact-above", defaultCompactAbove,
		"compact the database after the run when free pages exceed this percentage of a file of 16 MiB or more (0: never)")
	return m
}

// parse parses --retention, returning the exit status to end with, or -1.
func (m *maintainConfig) parse(e *env) int {
	r, err := store.ParseRetention(m.retention)
	if err != nil || !(m.compactAbove >= 0 && m.compactAbove <= 100) { // NaN too
		if err == nil {
			err = fmt.Errorf("--compact-above %v: want a percentage from 0 to 100", m.compactAbove)
		}
		fmt.Fprintf(e.stderr, "newsfeed: run: %v\n", err)
		return exitUsage
	}
	m.Retention = r
	return -1
}

// apply fills in --retention and --compact-above, when not given (set),
// from the sources file's [retention] table and compact_above.
func (m *maintainConfig) apply(sc *config.Config, set map[string]bool) {
	if r := sc.Retention; r != nil && !set["retention"] {
		m.Retention = *r
	}
	if p := sc.CompactAbove; p != nil && !set["compact-above"] {
		m.compactAbove = *p
	}
}

// prune applies the retention to the database, if any is set.
func (m *maintainConfig) prune(ctx context.Context, e *env, path string, lockTimeout time.Duration, quiet bool) int {
	if len(m.Retention.Ages) == 0 && m.Retention.Log == 0 {
		return exitOK
	}
	s, code := openStore(ctx, e, "prune", path, store.Options{LockTimeout: lockTimeout})
	if code >= 0 {
		return code
	}
	res, err := s.Prune(ctx, store.PruneOptions{Retention: m.Retention})
	code = exitOK
	if err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: run: prune: %v\n", err)
		code = exitFailed
	}
	if code != exitOK || (!quiet && (res.Total() > 0 || res.Dropped > 0)) {
		fmt.Fprintf(e.stderr, "newsfeed: run: prune: %s\n", pruneSummary(res, false))
	}
	return closeStore(e, "prune", s, code)
}

// tidy runs after publish: it drops cached items no feed of limit items
// shows, and compacts the database when its free share is past
// --compact-above.
func (m *maintainConfig) tidy(ctx context.Context, e *env, path string, lockTimeout time.Duration, limit int, quiet bool) int {
	s, code := openStore(ctx, e, "run", path, store.Options{LockTimeout: lockTimeout})
	if code >= 0 {
		return code
	}
	code = exitOK
	if _, err := s.PruneItems(ctx, limit); err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: run: %v\n", err)
		code = exitFailed
	}
	size, err := s.Size()
	if err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: run: %v\n", err)
		code = exitFailed
	}
	share := s.FreeShare()
	if code = closeStore(e, "run", s, code); code != exitOK {
		return code
	}
	if m.compactAbove <= 0 || size < m.compactMin || share*100 <= m.compactAbove {
		return exitOK
	}
	return compactDB(ctx, e, path, lockTimeout, quiet)
}
