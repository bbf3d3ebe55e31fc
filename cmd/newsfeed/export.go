package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"

	"newsfeed/record"
	"newsfeed/store"
)

// runExport prints the records changed after --since as NDJSON, in
// change-log order, each line with its "seq" and "op" after "kind".
func runExport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "export", "")
	dbPath, lockTimeout := dbFlags(fs)
	since := fs.Uint64("since", 0, "print only changes after this seq (the last seq a reader saw)")
	kind := fs.String("kind", "", "print only records of this kind: article, interview or headline")
	limit := fs.Int("limit", 0, "print at most this many records (0: all)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 || *limit < 0 {
		return badUsage(fs)
	}
	k := record.Kind(*kind)
	switch k {
	case "", record.KindArticle, record.KindInterview, record.KindHeadline:
	default:
		return usagef("export: unknown --kind %q (article, interview or headline)", *kind)
	}
	s, err := openStore(ctx, *dbPath, store.Options{ReadOnly: true, LockTimeout: *lockTimeout})
	if err != nil {
		return err
	}
	w := bufio.NewWriter(e.stdout)
	skipped := 0
	onDamaged := func(seq uint64, id string, err error) {
		skipped++
		fmt.Fprintf(e.stderr, "newsfeed: export: %s: seq %d %s skipped: %v: run \"newsfeed check\"\n", *dbPath, seq, id, err)
	}
	err = s.Changes(ctx, store.ChangeQuery{Since: *since, Kind: k, Limit: *limit, OnDamaged: onDamaged}, func(c store.Change) error {
		line := c.ExportJSON()
		w.Write(line)
		return w.WriteByte('\n')
	})
	// The lines printed before an error are whole: a reader keeps them.
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if skipped > 0 {
		fmt.Fprintf(e.stderr, "newsfeed: export: %s: %d damaged records skipped\n", *dbPath, skipped)
	}
	return closeStore(s, exportEnd(ctx, e, skipped, err))
}

// exportEnd is what export ends with after skipped damaged records and
// err: 4 when --since is older than the change log keeps (the error
// printed as any other), 5 when it skipped records, else the error as a
// workFailure.
func exportEnd(ctx context.Context, e *env, skipped int, err error) error {
	switch {
	case err != nil && errors.Is(err, store.ErrLogTooOld):
		exitStatus(ctx, e, "export", workFailure{err}) // printed; the status is 4 all the same
		return statusCode(exitTooOld)
	case err != nil:
		return workFailure{err}
	case skipped > 0:
		return statusCode(exitDamaged)
	}
	return nil
}
