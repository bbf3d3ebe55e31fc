package main

import (
	"context"
	"fmt"
	"time"

	"newsfeed/store"
)

// runCompact rewrites the database without its free pages, swapping the
// copy in by a rename while it holds the lock (see store.Compact).
func runCompact(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "compact", "")
	dbPath, lockTimeout := dbFlags(fs)
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	return compactDB(ctx, e, *dbPath, *lockTimeout, *quiet)
}

// compactDB compacts the database at path and prints the sizes before
// and after unless quiet.
func compactDB(ctx context.Context, e *env, path string, lockTimeout time.Duration, quiet bool) int {
	res, err := store.Compact(ctx, path, store.Options{LockTimeout: lockTimeout})
	if err != nil {
		return openError(ctx, e, "compact", err)
	}
	if !quiet {
		fmt.Fprintf(e.stderr, "newsfeed: compact: %s: %s before, %s after (%v)\n",
			path, humanBytes(res.Before), humanBytes(res.After), res.Took.Round(time.Millisecond))
	}
	return exitOK
}
