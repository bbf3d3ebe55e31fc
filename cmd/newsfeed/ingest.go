package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/schollz/progressbar/v3"

	"newsfeed/ingest"
	"newsfeed/parse"
	"newsfeed/store"
)

// defaultSources is what ingest reads when no source is named.
var defaultSources = []string{"seeds"}

// runIngest reads, parses and stores pages, then prints one summary line.
func runIngest(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "ingest", "[SOURCE...]  (files, folders, - for stdin; default seeds/)")
	dbPath, lockTimeout := dbFlags(fs)
	workers := fs.Int("j", runtime.NumCPU(), "pages read and parsed at once")
	glob := fs.String("glob", "", "in folders, read only files whose name matches this pattern (e.g. '*.txt')")
	site := fs.String("site", "", "the site's name or host, for records' site and ids")
	maxBytes := fs.Int("max-bytes", parse.DefaultMaxBytes, "refuse pages larger than this many bytes")
	batch := fs.Int("batch", ingest.DefaultBatchSize, "pages committed per transaction")
	quiet := fs.Bool("quiet", false, "print nothing but errors; the summary only when something failed (for cron)")
	verbose := fs.Bool("v", false, "log each committed batch")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	sources := fs.Args()
	if len(sources) == 0 {
		sources = defaultSources
	}
	if err := ingest.Check(sources); err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: %v\n", err)
		return exitUsage
	}
	if *workers < 1 || *batch < 1 {
		fmt.Fprintln(e.stderr, "newsfeed: ingest: -j and --batch must be at least 1")
		return exitUsage
	}
	if _, err := path.Match(*glob, ""); err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: ingest: --glob %q: %v\n", *glob, err)
		return exitUsage
	}

	if os.Getenv("GOMEMLIMIT") == "" {
		// A soft limit: the GC works harder near it rather than letting
		// garbage from big batches pile up. GOMEMLIMIT overrides it.
		debug.SetMemoryLimit(ingest.MemoryLimit)
	}
	s, code := openStore(ctx, e, "ingest", *dbPath, store.Options{LockTimeout: *lockTimeout})
	if code >= 0 {
		return code
	}
	log := e.log
	if *verbose {
		log = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	opts := ingest.Options{
		Workers: *workers, BatchSize: *batch, Glob: *glob, Site: *site, MaxBytes: *maxBytes,
		Stdin: e.stdin, Log: log,
		OnError: func(err error) { fmt.Fprintf(e.stderr, "newsfeed: ingest: %v\n", err) },
	}
	var bar *progressbar.ProgressBar
	if !*quiet && !*verbose && isTerminal(e.stderr) {
		bar = progressbar.NewOptions(-1, progressbar.OptionSetWriter(e.stderr),
			progressbar.OptionSetDescription("ingest"), progressbar.OptionShowCount(),
			progressbar.OptionShowIts(), progressbar.OptionSetItsString("pages"),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		opts.OnPage = func() { bar.Add(1) }
		opts.OnError = func(err error) {
			bar.Clear()
			fmt.Fprintf(e.stderr, "newsfeed: ingest: %v\n", err)
		}
	}
	log.Debug("database open", slog.String("db", *dbPath), slog.Int("workers", *workers))

	sum, err := ingest.Run(ctx, s, sources, opts)
	if bar != nil {
		bar.Finish()
	}
	switch {
	case err != nil:
		fmt.Fprintf(e.stderr, "newsfeed: ingest: %v\n", err)
		code = exitFailed
	case ctx.Err() != nil:
		code = signalExit(ctx)
	case sum.Failed > 0:
		code = exitFailed
	default:
		code = exitOK
	}
	code = closeStore(e, "ingest", s, code)
	if !*quiet || code != exitOK {
		fmt.Fprintf(e.stderr, "newsfeed: ingest: %s\n", sum)
	}
	return code
}
