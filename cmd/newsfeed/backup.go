package main

import (
	"context"
	"errors"
	"fmt"

	"newsfeed/store"
)

// runBackup writes a consistent snapshot of the database to FILE from
// one read transaction (see store.Backup).
func runBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "backup", "FILE")
	dbPath, lockTimeout := dbFlags(fs)
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return badUsage(fs)
	}
	s, err := openStore(ctx, *dbPath, store.Options{ReadOnly: true, LockTimeout: *lockTimeout})
	if err != nil {
		return err
	}
	res, err := s.Backup(ctx, fs.Arg(0))
	switch {
	case err != nil && ctx.Err() != nil:
		err = statusCode(signalExit(ctx)) // interrupted: nothing to say
	case err != nil:
		err = workFailure{err}
	case !*quiet:
		fmt.Fprintf(e.stderr, "newsfeed: backup: %s: %s, last seq %d\n", fs.Arg(0), humanBytes(res.Size), res.LastSeq)
	}
	return closeStore(s, err)
}

// runRestore replaces the database with a snapshot that backup wrote,
// after checking it (see store.Restore).
func runRestore(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "restore", "FILE")
	dbPath, lockTimeout := dbFlags(fs)
	force := fs.Bool("force", false, "restore even when the database has changes the snapshot lacks (a higher last seq)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return badUsage(fs)
	}
	res, err := store.Restore(ctx, fs.Arg(0), *dbPath, *force, store.Options{LockTimeout: *lockTimeout})
	if errors.Is(err, store.ErrBadSnapshot) {
		// Empty, not a database, or damaged: --force changes nothing.
		return failed(err)
	}
	if err != nil {
		return openFailure{err}
	}
	fmt.Fprintf(e.stderr, "newsfeed: restore: %s restored to %s: last seq %d (was %d)\n",
		fs.Arg(0), *dbPath, res.SnapshotSeq, res.CurrentSeq)
	return nil
}
