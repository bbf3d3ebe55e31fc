package main

import (
	"context"
	"fmt"
	"time"

	"newsfeed/store"
)

// runCompact rewrites the database without its free pages, swapping the
// copy in by a rename while it holds the lock (see store.Compact).
func runCompact(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "compact", "")
	dbPath, lockTimeout := dbFlags(fs)
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return badUsage(fs)
	}
	res, err := store.Compact(ctx, *dbPath, store.Options{LockTimeout: *lockTimeout})
	if err != nil {
		return openFailure{err}
	}
	if !*quiet {
		fmt.Fprintf(e.stderr, "newsfeed: compact: %s: %s before, %s after (%v)\n",
			*dbPath, humanBytes(res.Before), humanBytes(res.After), res.Took.Round(time.Millisecond))
	}
	return nil
}
