package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"newsfeed/store"
)

// runStats prints counts per kind, site and column, the newest times, and
// the database's size.
func runStats(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "stats", "")
	dbPath, lockTimeout := dbFlags(fs)
	nc := natsStatsFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return badUsage(fs)
	}
	if nc.url != "" {
		return natsStats(ctx, e, nc)
	}
	s, err := openStore(ctx, *dbPath, store.Options{ReadOnly: true, LockTimeout: *lockTimeout})
	if err != nil {
		return err
	}
	st, err := s.Stats(ctx)
	if err != nil {
		return closeStore(s, workFailure{err})
	}
	if err := writeStats(e.stdout, st); err != nil {
		return closeStore(s, failed(fmt.Errorf("write: %w", err)))
	}
	return closeStore(s, nil)
}

// writeStats prints st as aligned tables.
func writeStats(w io.Writer, st store.Stats) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "database\t%s\n", st.Path)
	fmt.Fprintf(tw, "size\t%s (%d bytes)\n", humanBytes(st.Size), st.Size)
	fmt.Fprintf(tw, "schema\t%d\n", st.Schema)
	fmt.Fprintf(tw, "pages\t%d\n", st.Pages)
	fmt.Fprintf(tw, "last seq\t%d\n", st.LastSeq)
	fmt.Fprintf(tw, "last write\t%s\n", formatTime(st.LastWrite))
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "KIND\tRECORDS\tNEWEST")
	for _, c := range st.Kinds {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", c.Kind, c.N, formatTime(c.Newest))
	}
	for _, group := range []struct {
		title  string
		counts []store.Count
	}{{"SITE", st.Sites}, {"COLUMN", st.Columns}} {
		if len(group.counts) == 0 {
			continue
		}
		fmt.Fprintln(tw)
		// The name goes last: tabwriter cannot align wide characters.
		fmt.Fprintf(tw, "KIND\tRECORDS\tNEWEST\t%s\n", group.title)
		for _, c := range group.counts {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", c.Kind, c.N, formatTime(c.Newest), c.Name)
		}
	}
	return tw.Flush()
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.RFC3339)
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
