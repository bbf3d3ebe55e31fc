package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"newsfeed/store"
)

// runShow prints one record, indented.
func runShow(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "show", "ID")
	dbPath, lockTimeout := dbFlags(fs)
	compact := fs.Bool("compact", false, "print the record on one line")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	s, code := openStore(ctx, e, "show", *dbPath, store.Options{ReadOnly: true, LockTimeout: *lockTimeout})
	if code >= 0 {
		return code
	}
	data, err := s.GetJSON(ctx, fs.Arg(0))
	if err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: show: %v\n", err)
		code := exitFailed
		if !errors.Is(err, store.ErrNotFound) && ctx.Err() != nil {
			code = signalExit(ctx)
		}
		return closeStore(e, "show", s, code)
	}
	var out bytes.Buffer
	if *compact {
		out.Write(data)
	} else if err := json.Indent(&out, data, "", "  "); err != nil {
		out.Reset()
		out.Write(data)
	}
	out.WriteByte('\n')
	code = exitOK
	if _, err := e.stdout.Write(out.Bytes()); err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: show: write: %v\n", err)
		code = exitFailed
	}
	return closeStore(e, "show", s, code)
}
