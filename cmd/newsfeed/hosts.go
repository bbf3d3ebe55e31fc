package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"text/tabwriter"
	"time"

	"newsfeed/discover"
	"newsfeed/record"
	"newsfeed/store"
)

// runHosts lists the hosts the database holds as deferred — not to be
// asked again before a time, after a long Retry-After or repeated
// failures — with the time and the reason, then the method each site
// source (type = "site") polls with; --clear HOST forgets one deferral,
// so that the next run asks the host again.
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
	sites, err := s.SiteStates(ctx)
	if err != nil {
		return closeStore(s, failed(err))
	}
	if len(hosts) == 0 {
		fmt.Fprintln(e.stderr, "newsfeed: hosts: no host is deferred")
		if err := writeSites(e.stdout, sites, false); err != nil {
			return closeStore(s, failed(fmt.Errorf("write: %w", err)))
		}
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
	if err := errors.Join(tw.Flush(), writeSites(e.stdout, sites, true)); err != nil {
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

// writeSites prints the site sources' methods (nothing when there are
// none), after a blank line when sep: when discovery last ran, when the
// method last gave a new article, the source and the method.
func writeSites(w io.Writer, sites map[string]record.SiteState, sep bool) error {
	if len(sites) == 0 {
		return nil
	}
	names := slices.Sorted(maps.Keys(sites))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if sep {
		fmt.Fprintln(tw)
	}
	fmt.Fprintln(tw, "CHECKED\tLAST NEW\tSITE SOURCE\tMETHOD")
	for _, name := range names {
		st := sites[name]
		method := "(none found)"
		var m discover.Method
		if len(st.Method) > 0 && json.Unmarshal(st.Method, &m) == nil {
			method = m.String()
		}
		// The name and the method go last: tabwriter cannot align wide
		// characters.
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", formatTime(st.Checked.UTC()), formatTime(st.LastNew.UTC()), name, method)
	}
	return tw.Flush()
}
