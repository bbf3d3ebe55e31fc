package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"newsfeed/store"
)

// defaultDB is where the database lives unless --db says otherwise.
const defaultDB = "data/newsfeed.db"

// dbFlags adds --db and --lock-timeout to fs.
func dbFlags(fs *flag.FlagSet) (path *string, lockTimeout *time.Duration) {
	path = fs.String("db", defaultDB, "the bbolt database file")
	lockTimeout = fs.Duration("lock-timeout", store.DefaultLockTimeout,
		"how long to wait for another newsfeed process's lock on the database")
	return path, lockTimeout
}

// openStore opens the database and returns it, or an openFailure.
func openStore(ctx context.Context, path string, opts store.Options) (*store.Store, error) {
	s, err := store.Open(ctx, path, opts)
	if err != nil {
		return nil, openFailure{err}
	}
	return s, nil
}

// openStatus prints err, from opening the database or from a command that
// opens it itself (compact, restore), and returns the exit status: 3 when
// another process holds the database, 2 when a file is not a database
// this newsfeed can use, 5 when it is damaged, 128+n after signal n, else
// 1. Only exitStatus calls it.
func openStatus(ctx context.Context, e *env, cmd string, err error) int {
	if code, ok := damagedError(e, err); ok {
		return code
	}
	fmt.Fprintf(e.stderr, "newsfeed: %s: %v\n", cmd, err)
	switch {
	case errors.Is(err, store.ErrLocked):
		return exitLocked
	case errors.Is(err, store.ErrNotDatabase), errors.Is(err, store.ErrSchemaTooNew),
		errors.Is(err, store.ErrNoDatabase):
		return exitUsage
	case ctx.Err() != nil:
		return signalExit(ctx)
	}
	return exitFailed
}

// damagedError prints err as one line, `newsfeed: DB: damaged at page N
// (…): run "newsfeed check", restore from a backup`, and returns
// exitDamaged, when it says the database is damaged.
func damagedError(e *env, err error) (int, bool) {
	var de *store.DamagedError
	switch {
	case errors.As(err, &de):
		fmt.Fprintf(e.stderr, "newsfeed: %v\n", de)
	case errors.Is(err, store.ErrDamaged):
		fmt.Fprintf(e.stderr, "newsfeed: the database is damaged: %v: run \"newsfeed check\", restore from a backup\n", err)
	default:
		return 0, false
	}
	return exitDamaged, true
}

// workStatus prints an error from a command's work (a workFailure) and
// returns its exit status: 5 when the database is damaged, 128+n after
// signal n, else 1. Only exitStatus calls it.
func workStatus(ctx context.Context, e *env, cmd string, err error) int {
	if code, ok := damagedError(e, err); ok {
		return code
	}
	fmt.Fprintf(e.stderr, "newsfeed: %s: %v\n", cmd, err)
	if ctx.Err() != nil {
		return signalExit(ctx)
	}
	return exitFailed
}

// closeStore closes s and returns err, what the command ended with,
// joined with a failure to close, which turns an exit status of 0 into 1
// (printed after err).
func closeStore(s *store.Store, err error) error {
	if cerr := s.Close(); cerr != nil {
		return errors.Join(err, failed(cerr))
	}
	return err
}

// Exit statuses after a signal: 128 + the signal's number, as shells report.
const (
	exitInterrupt = 128 + int(syscall.SIGINT)
	exitTerm      = 128 + int(syscall.SIGTERM)
)

// signalExit returns the exit status for a context cancelled by a signal:
// 143 for SIGTERM, else 130 (SIGINT). signal.NotifyContext's cause names
// the signal.
func signalExit(ctx context.Context) int {
	if cause := context.Cause(ctx); cause != nil && strings.HasPrefix(cause.Error(), syscall.SIGTERM.String()) {
		return exitTerm
	}
	return exitInterrupt
}

// isTerminal reports whether w is a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
