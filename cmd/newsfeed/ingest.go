package main

import (
	"context"
	"flag"
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

// ingestConfig holds ingest's flags; run registers the same ones.
type ingestConfig struct {
	db          *string
	lockTimeout *time.Duration
	workers     *int
	glob, site  *string
	maxBytes    *int
	batch       *int
	quiet       *bool
	verbose     *bool
}

// ingestFlags adds ingest's flags to fs.
func ingestFlags(fs *flag.FlagSet) *ingestConfig {
	c := &ingestConfig{}
	c.db, c.lockTimeout = dbFlags(fs)
	c.workers = fs.Int("j", runtime.NumCPU(), "pages read and parsed at once")
	c.glob = fs.String("glob", "", "in folders, read only files whose name matches this pattern (e.g. '*.txt')")
	c.site = fs.String("site", "", "the site's name or host, for records' site and ids")
	c.maxBytes = fs.Int("max-bytes", parse.DefaultMaxBytes, "refuse pages larger than this many bytes")
	c.batch = fs.Int("batch", ingest.DefaultBatchSize, "pages committed per transaction")
	c.quiet = fs.Bool("quiet", false, "print nothing but errors; the summary only when something failed (for cron)")
	c.verbose = fs.Bool("v", false, "log each committed batch")
	return c
}

// runIngest reads, parses and stores pages, then prints one summary line.
func runIngest(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "ingest", "[SOURCE...]  (files, folders, - for stdin; default seeds/)")
	c := ingestFlags(fs)
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	return c.ingest(ctx, e, fs.Args())
}

// ingest stores the pages of sources (default seeds/) and returns the
// exit status.
func (c *ingestConfig) ingest(ctx context.Context, e *env, sources []string) int {
	if len(sources) == 0 {
		sources = defaultSources
	}
	if err := ingest.Check(sources); err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: %v\n", err)
		return exitUsage
	}
	if *c.workers < 1 || *c.batch < 1 {
		fmt.Fprintln(e.stderr, "newsfeed: ingest: -j and --batch must be at least 1")
		return exitUsage
	}
	if _, err := path.Match(*c.glob, ""); err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: ingest: --glob %q: %v\n", *c.glob, err)
		return exitUsage
	}

	if os.Getenv("GOMEMLIMIT") == "" {
		// A soft limit: the GC works harder near it rather than letting
		// garbage from big batches pile up. GOMEMLIMIT overrides it.
		debug.SetMemoryLimit(ingest.MemoryLimit)
	}
	s, code := openStore(ctx, e, "ingest", *c.db, store.Options{LockTimeout: *c.lockTimeout})
	if code >= 0 {
		return code
	}
	log := e.log
	if *c.verbose {
		log = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	opts := ingest.Options{
		Workers: *c.workers, BatchSize: *c.batch, Glob: *c.glob, Site: *c.site, MaxBytes: *c.maxBytes,
		Stdin: e.stdin, Log: log,
		OnError: func(err error) { fmt.Fprintf(e.stderr, "newsfeed: ingest: %v\n", err) },
	}
	var bar *progressbar.ProgressBar
	if !*c.quiet && !*c.verbose && isTerminal(e.stderr) {
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
	log.Debug("database open", slog.String("db", *c.db), slog.Int("workers", *c.workers))

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
	if !*c.quiet || code != exitOK {
		fmt.Fprintf(e.stderr, "newsfeed: ingest: %s\n", sum)
	}
	return code
}
