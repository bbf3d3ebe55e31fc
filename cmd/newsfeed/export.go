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
func runExport(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "export", "")
	dbPath, lockTimeout := dbFlags(fs)
	since := fs.Uint64("since", 0, "print only changes after this seq (the last seq a reader saw)")
	kind := fs.String("kind", "", "print only records of this kind: article, interview or headline")
	limit := fs.Int("limit", 0, "print at most this many records (0: all)")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 0 || *limit < 0 {
		fs.Usage()
		return exitUsage
	}
	k := record.Kind(*kind)
	switch k {
	case "", record.KindArticle, record.KindInterview, record.KindHeadline:
	default:
		fmt.Fprintf(e.stderr, "newsfeed: export: unknown --kind %q (article, interview or headline)\n", *kind)
		return exitUsage
	}
	s, code := openStore(ctx, e, "export", *dbPath, store.Options{ReadOnly: true, LockTimeout: *lockTimeout})
	if code >= 0 {
		return code
	}
	w := bufio.NewWriter(e.stdout)
	skipped := 0
	onDamaged := func(seq uint64, id string, err error) {
		skipped++
		fmt.Fprintf(e.stderr, "newsfeed: export: %s: seq %d %s skipped: %v: run \"newsfeed check\"\n", *dbPath, seq, id, err)
	}
	err := s.Changes(ctx, store.ChangeQuery{Since: *since, Kind: k, Limit: *limit, OnDamaged: onDamaged}, func(c store.Change) error {
		line := c.ExportJSON()
		w.Write(line)
		return w.WriteByte('\n')
	})
	// The lines printed before an error are whole: a reader keeps them.
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	code = exitOK
	if skipped > 0 {
		fmt.Fprintf(e.stderr, "newsfeed: export: %s: %d damaged records skipped\n", *dbPath, skipped)
		code = exitDamaged
	}
	if err != nil {
		code = dbFail(ctx, e, "export", err)
		if errors.Is(err, store.ErrLogTooOld) {
			code = exitTooOld
		}
	}
	return closeStore(e, "export", s, code)
}
