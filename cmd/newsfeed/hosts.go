package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"newsfeed/store"
)

// runHosts lists the hosts the database holds as deferred — not to be
// asked again before a time, after a long Retry-After or repeated
// failures — with the time and the reason; --clear HOST forgets one, so
// that the next run asks it again.
func runHosts(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "hosts", "[--clear HOST]")
	dbPath, lockTimeout := dbFlags(fs)
	clear := fs.String("clear", "", "forget this host's deferral (as listed: lower case, with its port if any)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return badUsage(fs)
	}
	s, err := openStore(ctx, *dbPath, store.Options{ReadOnly: *clear == "", LockTimeout: *lockTimeout})
	if err != nil {
		return err
	}
	if *clear != "" {
		return closeStore(s, clearHost(ctx, e, s, *clear))
	}
	hosts, err := s.Hosts(ctx)
	if err != nil {
		return closeStore(s, failed(err))
	}
	if len(hosts) == 0 {
		fmt.Fprintln(e.stderr, "newsfeed: hosts: no host is deferred")
		return closeStore(s, nil)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tUNTIL\tWHY")
	for _, h := range hosts {
		why := h.Reason
		switch {
		case why == "":
			why = "(no reason kept)"
		case h.Failing:
			why = "failing: " + why
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", h.Host, h.Until.UTC().Format(time.RFC3339), why)
	}
	if err := tw.Flush(); err != nil {
		return closeStore(s, failed(fmt.Errorf("write: %w", err)))
	}
	return closeStore(s, nil)
}

// clearHost forgets host's deferral in s.
func clearHost(ctx context.Context, e *env, s *store.Store, host string) error {
	if err := s.ClearHost(ctx, host); err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: hosts: %v\n", err)
		if errors.Is(err, store.ErrNoSuchHost) {
			fmt.Fprintln(e.stderr, "newsfeed: hosts: run \"newsfeed hosts\" for the deferred hosts")
		}
		return statusCode(exitFailed)
	}
	fmt.Fprintf(e.stderr, "newsfeed: hosts: %s cleared: the next run asks it again\n", host)
	return nil
}
