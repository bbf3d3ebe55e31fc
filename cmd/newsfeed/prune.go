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
func runPrune(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "prune", "")
	dbPath, lockTimeout := dbFlags(fs)
	olderThan := fs.String("older-than", defaultPruneAge,
		"delete records older than this (30d, 12h): headlines by last_seen, articles and interviews by published time, else first seen")
	kind := fs.String("kind", "", "delete only records of this kind: article, interview or headline")
	dryRun := fs.Bool("dry-run", false, "print what would be deleted, and delete nothing")
	batch := fs.Int("batch", store.DefaultPruneBatch, "records deleted per transaction")
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	age, err := store.ParseAge(*olderThan)
	if err != nil || fs.NArg() != 0 || *batch < 1 {
		if err != nil {
			fmt.Fprintf(e.stderr, "newsfeed: prune: --older-than: %v\n", err)
		}
		return badUsage(fs)
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
		return usagef("prune: unknown --kind %q (article, interview or headline)", *kind)
	}
	s, err := openStore(ctx, *dbPath, store.Options{LockTimeout: *lockTimeout, ReadOnly: *dryRun})
	if err != nil {
		return err
	}
	res, err := s.Prune(ctx, store.PruneOptions{Retention: ret, DryRun: *dryRun, BatchSize: *batch})
	code := exitStatus(ctx, e, "prune", workFailed(err)) // printed before the summary
	if !*quiet || code != exitOK {
		fmt.Fprintf(e.stderr, "newsfeed: prune: %s\n", pruneSummary(res, *dryRun))
	}
	return closeStore(s, status(code))
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
