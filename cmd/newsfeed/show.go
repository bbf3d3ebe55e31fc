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
func runShow(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "show", "ID")
	dbPath, lockTimeout := dbFlags(fs)
	compact := fs.Bool("compact", false, "print the record on one line")
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
	data, err := s.GetJSON(ctx, fs.Arg(0))
	if errors.Is(err, store.ErrNotFound) {
		return closeStore(s, failed(err))
	}
	if err != nil {
		return closeStore(s, interrupted(err))
	}
	var out bytes.Buffer
	if *compact {
		out.Write(data)
	} else if err := json.Indent(&out, data, "", "  "); err != nil {
		out.Reset()
		out.Write(data)
	}
	out.WriteByte('\n')
	if _, err := e.stdout.Write(out.Bytes()); err != nil {
		return closeStore(s, failed(fmt.Errorf("write: %w", err)))
	}
	return closeStore(s, nil)
}
