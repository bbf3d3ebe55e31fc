package main

import (
	"flag"
	"fmt"

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

// parse parses --retention; an error is a usageError.
func (m *maintainConfig) parse() error {
	r, err := store.ParseRetention(m.retention)
	if err != nil || !(m.compactAbove >= 0 && m.compactAbove <= 100) { // NaN too
		if err == nil {
			err = fmt.Errorf("--compact-above %v: want a percentage from 0 to 100", m.compactAbove)
		}
		return usagef("run: %v", err)
	}
	m.Retention = r
	return nil
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
