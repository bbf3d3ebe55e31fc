package main

import (
	"context"
	"fmt"

	"newsfeed/store"
)

// runCheck runs bbolt's consistency check and the store's own (see
// store.Verify) and prints every problem; --repair rebuilds the indexes
// from the records first. It exits 0 when the database is consistent,
// else 1.
func runCheck(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "check", "")
	dbPath, lockTimeout := dbFlags(fs)
	repair := fs.Bool("repair", false, "rebuild the indexes from the records and delete orphan blobs and cached items, then check")
	quiet := fs.Bool("quiet", false, "print nothing unless there are problems")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	s, code := openStore(ctx, e, "check", *dbPath, store.Options{ReadOnly: !*repair, LockTimeout: *lockTimeout})
	if code >= 0 {
		return code
	}
	if *repair {
		res, err := s.Repair(ctx)
		if err != nil {
			fmt.Fprintf(e.stderr, "newsfeed: check: %v\n", err)
			return closeStore(e, "check", s, exitFailed)
		}
		if !*quiet {
			fmt.Fprintf(e.stderr, "newsfeed: check: repair: %d records indexed again, %d orphan blobs and %d cached items deleted\n",
				res.Indexed, res.Blobs, res.Items)
		}
	}
	problems, err := s.Verify(ctx)
	code = exitOK
	switch {
	case err != nil:
		fmt.Fprintf(e.stderr, "newsfeed: check: %v\n", err)
		code = exitFailed
	case len(problems) > 0:
		for _, p := range problems {
			fmt.Fprintf(e.stdout, "%s: %s\n", *dbPath, p)
		}
		fmt.Fprintf(e.stderr, "newsfeed: check: %s: %d problems\n", *dbPath, len(problems))
		code = exitFailed
	case !*quiet:
		fmt.Fprintf(e.stderr, "newsfeed: check: %s: ok\n", *dbPath)
	}
	return closeStore(e, "check", s, code)
}
