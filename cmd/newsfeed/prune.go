package main

import (
	"context"
	"fmt"
	"time"

	"newsfeed/record"
	"newsfeed/store"
)

// defaultPruneAge is prune's --older-than.
const defaultPruneAge = "180d"

// runPrune deletes the records past an age, each with a tombstone in the
// change log, then drops the change-log entries past the same age that a
// newer entry superseded (see store.Prune).
func runPrune(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "prune", "")
	dbPath, lockTimeout := dbFlags(fs)
	olderThan := fs.String("older-than", defaultPruneAge,
		"delete records older than this (30d, 12h): headlines by last_seen, articles and interviews by published time, else first seen")
	kind := fs.String("kind", "", "delete only records of this kind: article, interview or headline")
	dryRun := fs.Bool("dry-run", false, "print what would be deleted, and delete nothing")
	batch := fs.Int("batch", store.DefaultPruneBatch, "records deleted per transaction")
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	age, err := store.ParseAge(*olderThan)
	if err != nil || fs.NArg() != 0 || *batch < 1 {
		if err != nil {
			fmt.Fprintf(e.stderr, "newsfeed: prune: --older-than: %v\n", err)
		}
		fs.Usage()
		return exitUsage
	}
	ret := store.Retention{Ages: map[record.Kind]time.Duration{}, Log: age}
	switch k := record.Kind(*kind); k {
	case "":
		for _, k := range []record.Kind{record.KindArticle, record.KindInterview, record.KindHeadline} {
			ret.Ages[k] = age
		}
	case record.KindArticle, record.KindInterview, record.KindHeadline:
		ret.Ages[k] = age
	default:
		fmt.Fprintf(e.stderr, "newsfeed: prune: unknown --kind %q (article, interview or headline)\n", *kind)
		return exitUsage
	}
	opts := store.Options{LockTimeout: *lockTimeout, ReadOnly: *dryRun}
	s, code := openStore(ctx, e, "prune", *dbPath, opts)
	if code >= 0 {
		return code
	}
	res, err := s.Prune(ctx, store.PruneOptions{Retention: ret, DryRun: *dryRun, BatchSize: *batch})
	code = exitOK
	if err != nil {
		code = dbFail(ctx, e, "prune", err)
	}
	if !*quiet || code != exitOK {
		fmt.Fprintf(e.stderr, "newsfeed: prune: %s\n", pruneSummary(res, *dryRun))
	}
	return closeStore(e, "prune", s, code)
}

// pruneSummary is prune's one line: what was (or would be) deleted.
func pruneSummary(res store.PruneResult, dryRun bool) string {
	verb, drop := "deleted", "dropped"
	if dryRun {
		verb, drop = "would delete", "would drop"
	}
	return fmt.Sprintf("%s %d articles, %d interviews, %d headlines; %s %d change-log entries; log floor %d",
		verb, res.Deleted[record.KindArticle], res.Deleted[record.KindInterview], res.Deleted[record.KindHeadline],
		drop, res.Dropped, res.LogFloor)
}
