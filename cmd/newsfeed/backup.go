package main

import (
	"context"
	"errors"
	"fmt"

	"newsfeed/store"
)

// runBackup writes a consistent snapshot of the database to FILE from
// one read transaction (see store.Backup).
func runBackup(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "backup", "FILE")
	dbPath, lockTimeout := dbFlags(fs)
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	s, code := openStore(ctx, e, "backup", *dbPath, store.Options{ReadOnly: true, LockTimeout: *lockTimeout})
	if code >= 0 {
		return code
	}
	res, err := s.Backup(ctx, fs.Arg(0))
	code = exitOK
	switch {
	case err != nil && ctx.Err() != nil:
		code = signalExit(ctx)
	case err != nil:
		code = dbFail(ctx, e, "backup", err)
	case !*quiet:
		fmt.Fprintf(e.stderr, "newsfeed: backup: %s: %s, last seq %d\n", fs.Arg(0), humanBytes(res.Size), res.LastSeq)
	}
	return closeStore(e, "backup", s, code)
}

// runRestore replaces the database with a snapshot that backup wrote,
// after checking it (see store.Restore).
func runRestore(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "restore", "FILE")
	dbPath, lockTimeout := dbFlags(fs)
	force := fs.Bool("force", false, "restore even when the database has changes the snapshot lacks (a higher last seq)")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	res, err := store.Restore(ctx, fs.Arg(0), *dbPath, *force, store.Options{LockTimeout: *lockTimeout})
	if errors.Is(err, store.ErrBadSnapshot) {
		// Empty, not a database, or damaged: --force changes nothing.
		fmt.Fprintf(e.stderr, "newsfeed: restore: %v\n", err)
		return exitFailed
	}
	if err != nil {
		return openError(ctx, e, "restore", err)
	}
	fmt.Fprintf(e.stderr, "newsfeed: restore: %s restored to %s: last seq %d (was %d)\n",
		fs.Arg(0), *dbPath, res.SnapshotSeq, res.CurrentSeq)
	return exitOK
}
