package main

import (
	"context"
	"errors"
	"fmt"

	"newsfeed/store"
)

// runCheck reads the file's pages and every record's checksum without
// trusting them (see store.Scan), then runs the store's own checks (see
// store.Verify), and prints every problem; --repair rebuilds the indexes
// from the records first; --salvage OUT copies every record whose
// checksum holds into a new database OUT. It exits 0 when the database
// is consistent, 5 when it is damaged, else 1.
func runCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "check", "")
	dbPath, lockTimeout := dbFlags(fs)
	repair := fs.Bool("repair", false, "rebuild the indexes from the records and delete orphan blobs and cached items, then check")
	salvage := fs.String("salvage", "", "copy every record whose checksum holds, and all else readable, into a new database `OUT`")
	quiet := fs.Bool("quiet", false, "print nothing unless there are problems")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 || (*salvage != "" && *repair) {
		return badUsage(fs)
	}
	if *salvage != "" {
		return salvageDB(ctx, e, *dbPath, *salvage)
	}
	s, err := store.Open(ctx, *dbPath, store.Options{ReadOnly: !*repair, LockTimeout: *lockTimeout})
	if errors.Is(err, store.ErrDamaged) {
		// Too damaged to open: say what the file's bytes show.
		rep, serr := store.ScanFile(*dbPath)
		if serr != nil {
			return openFailure{err}
		}
		return printDamage(e, *dbPath, rep)
	}
	if err != nil {
		return openFailure{err}
	}
	rep, err := s.Scan(ctx)
	if err != nil {
		return closeStore(s, workFailure{err})
	}
	if rep.Damaged() {
		if *repair {
			fmt.Fprintf(e.stderr, "newsfeed: check: %s: --repair rebuilds indexes, it cannot mend damaged pages: restore a backup, or check --salvage OUT\n", *dbPath)
		}
		return closeStore(s, printDamage(e, *dbPath, rep))
	}
	if *repair {
		res, err := s.Repair(ctx)
		if err != nil {
			return closeStore(s, workFailure{err})
		}
		if !*quiet {
			fmt.Fprintf(e.stderr, "newsfeed: check: repair: %d records indexed again, %d orphan blobs and %d cached items deleted\n",
				res.Indexed, res.Blobs, res.Items)
		}
	}
	return closeStore(s, verifyDB(ctx, e, s, *dbPath, *quiet))
}

// verifyDB runs the store's own checks on s and prints every problem.
func verifyDB(ctx context.Context, e *env, s *store.Store, path string, quiet bool) error {
	problems, err := s.Verify(ctx)
	switch {
	case err != nil:
		return workFailure{err}
	case len(problems) > 0:
		for _, p := range problems {
			fmt.Fprintf(e.stdout, "%s: %s\n", path, p)
		}
		fmt.Fprintf(e.stderr, "newsfeed: check: %s: %d problems\n", path, len(problems))
		return statusCode(exitFailed)
	case !quiet:
		fmt.Fprintf(e.stderr, "newsfeed: check: %s: ok\n", path)
	}
	return nil
}

// maxListed caps each list printDamage prints.
const maxListed = 1000

// printDamage lists what a scan found, one line each on stdout (damaged
// pages, records that fail their checksums, records lost), and a summary
// line on stderr; it returns the statusCode exitDamaged, or nil when rep
// shows no damage.
func printDamage(e *env, path string, rep *store.DamageReport) error {
	if !rep.Damaged() {
		fmt.Fprintf(e.stderr, "newsfeed: check: %s: ok\n", path)
		return nil
	}
	list := func(n int, line func(i int) string) {
		for i := 0; i < n && i < maxListed; i++ {
			fmt.Fprintf(e.stdout, "%s: %s\n", path, line(i))
		}
		if n > maxListed {
			fmt.Fprintf(e.stdout, "%s: … and %d more\n", path, n-maxListed)
		}
	}
	list(len(rep.FilePages), func(i int) string { return fmt.Sprintf("damaged %s", rep.FilePages[i]) })
	list(len(rep.Records), func(i int) string { return fmt.Sprintf("damaged record: %s", rep.Records[i]) })
	list(len(rep.Lost), func(i int) string { return "lost: " + rep.Lost[i] })
	fmt.Fprintf(e.stderr, "newsfeed: check: %v; %d records readable: restore a backup, or check --salvage OUT\n",
		rep.Err(path), rep.Good)
	return statusCode(exitDamaged)
}

// salvageDB copies what can be read of the database at path into a new
// database out (see store.Salvage) and says what was lost.
func salvageDB(ctx context.Context, e *env, path, out string) error {
	res, err := store.Salvage(ctx, path, out, store.Options{})
	if errors.Is(err, store.ErrDamaged) {
		fmt.Fprintf(e.stderr, "newsfeed: check: salvage: %v\n", err)
		return statusCode(exitDamaged)
	}
	if err != nil {
		return workFailure{err}
	}
	for _, id := range res.Report.Lost {
		fmt.Fprintf(e.stdout, "%s: lost: %s\n", path, id)
	}
	for _, id := range res.Report.Swept {
		fmt.Fprintf(e.stdout, "%s: read from a page cut off from the tree (whole, but maybe an older version): %s\n", path, id)
	}
	fmt.Fprintf(e.stderr, "newsfeed: check: salvage: %s: %d records copied to %s, %d lost (%d damaged pages, %d records failing their checksums); %d logged again, %d tombstones\n",
		path, res.Records, out, len(res.Report.Lost), len(res.Report.FilePages), len(res.Report.Records), res.Relogged, res.Tombstones)
	return nil
}
