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
	"slices"
	"time"

	"github.com/schollz/progressbar/v3"

	"newsfeed/app"
	"newsfeed/parse"
	"newsfeed/poll"
	"newsfeed/sources"
	"newsfeed/store"
	"newsfeed/write"
)

// defaultSources is what ingest reads when no source is named and there
// is no sources file.
var defaultSources = []string{"seeds"}

// ingestConfig holds ingest's flags; run registers the same ones.
type ingestConfig struct {
	db          *string
	lockTimeout *time.Duration
	workers     *int
	glob        *string
	batch       *int
	quiet       *bool
	verbose     *bool
	parse       *parseConfig
	fetch       *fetchConfig
	// set holds the flags given on the command line, once parsed.
	set map[string]bool
	// sources is the sources file read, or nil.
	sources *sources.Config
}

// ingestFlags adds ingest's flags to fs.
func ingestFlags(fs *flag.FlagSet) *ingestConfig {
	c := &ingestConfig{}
	c.db, c.lockTimeout = dbFlags(fs)
	c.workers = fs.Int("j", runtime.NumCPU(), "pages parsed at once")
	c.glob = fs.String("glob", "", "in folders, read only files whose name matches this pattern (e.g. '*.txt')")
	c.batch = fs.Int("batch", write.DefaultBatchSize, "pages committed per transaction")
	c.quiet = fs.Bool("quiet", false, "print nothing but errors; the summary only when something failed (for cron)")
	c.verbose = fs.Bool("v", false, "log each request and each committed batch")
	c.parse = addParseFlags(fs)
	c.fetch = addFetchFlags(fs)
	return c
}

// runIngest reads, parses and stores pages, then prints one summary line.
func runIngest(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "ingest", "[SOURCE...]  (files, folders, -, URLs, @FILE; default: the sources file, else seeds/)\n"+
		"       newsfeed ingest --from-nats URL [--follow] [--db F]")
	c := ingestFlags(fs)
	fromNATS := fs.String("from-nats", "", "apply the NATS records stream at this URL instead of reading sources")
	follow := fs.Bool("follow", false, "with --from-nats: keep applying new records until SIGINT or SIGTERM")
	nc := addNATSFlags(fs)
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if code := c.load(e, fs); code >= 0 {
		return code
	}
	switch {
	case *fromNATS != "" && fs.NArg() > 0:
		fmt.Fprintf(e.stderr, "newsfeed: ingest: --from-nats reads the stream, not sources %q\n", fs.Args())
		return exitUsage
	case *follow && *fromNATS == "":
		fmt.Fprintln(e.stderr, "newsfeed: ingest: --follow needs --from-nats")
		return exitUsage
	case *fromNATS != "" && *c.batch < 1:
		fmt.Fprintln(e.stderr, "newsfeed: ingest: --batch must be at least 1")
		return exitUsage
	case *fromNATS != "":
		return c.ingestFromNATS(ctx, e, nc, *fromNATS, *follow)
	}
	return c.ingest(ctx, e, fs.Args())
}

// load reads the sources file, if any, and fills in the flags not given
// from it. It returns the exit status to end with, or -1.
func (c *ingestConfig) load(e *env, fs *flag.FlagSet) int {
	c.set = setFlags(fs)
	sc, code := loadSourcesFile(e, c.set, c.parse, c.fetch)
	c.sources = sc
	if sc != nil && !c.set["db"] && sc.DB != "" {
		*c.db = relative(sc, sc.DB)
	}
	return code
}

// loadSourcesFile reads the sources file, if any, and fills in the parse
// and fetch flags not given on the command line (set) from it. It
// returns the file (nil: none) and the exit status to end with, or -1.
func loadSourcesFile(e *env, set map[string]bool, pc *parseConfig, fc *fetchConfig) (*sources.Config, int) {
	sc, err := fc.loadSources()
	if err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: %v\n", err)
		return nil, exitUsage
	}
	if err := fc.check(); err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: %v\n", err)
		return nil, exitUsage
	}
	if sc == nil {
		return nil, -1
	}
	fc.apply(sc, set)
	if !set["profiles"] && sc.Profiles != "" {
		pc.profiles = relative(sc, sc.Profiles)
	}
	if !set["max-bytes"] && sc.MaxBytes > 0 {
		pc.maxBytes = sc.MaxBytes
	}
	return sc, -1
}

// sourceLists returns the sources file's sources, each with its own
// profiles, or an error naming the file and line of the first that
// cannot run.
func sourceLists(sc *sources.Config, profiles *parse.Profiles) ([]poll.ListSource, error) {
	var lists []poll.ListSource
	for _, s := range sc.Sources {
		l := poll.ListSource{Source: s}
		if s.Profile != "" {
			var err error
			if l.Profiles, err = loadSourceProfiles(relative(sc, s.Profile)); err != nil {
				return nil, fmt.Errorf("%s:%d: profile: %w", sc.Path, s.Line, err)
			}
		}
		if !l.HasLinkRule(profiles) {
			return nil, fmt.Errorf("%s:%d: source %s: html needs links or pattern, or a site profile with a links key",
				sc.Path, s.Line, s.Name)
		}
		lists = append(lists, l)
	}
	if len(lists) == 0 {
		return nil, fmt.Errorf("%s names no sources", sc.Path)
	}
	return lists, nil
}

// ingest stores the pages of srcs — or, with none, of the sources file's
// lists, or of seeds/ — and returns the exit status.
func (c *ingestConfig) ingest(ctx context.Context, e *env, srcs []string) int {
	srcs, err := poll.Expand(srcs)
	if err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: %v\n", err)
		return exitUsage
	}
	profiles, err := c.parse.loadProfiles()
	if err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: %v\n", err)
		return exitUsage
	}
	var lists []poll.ListSource
	if len(srcs) == 0 && c.sources != nil {
		if lists, err = sourceLists(c.sources, profiles); err != nil {
			fmt.Fprintf(e.stderr, "newsfeed: %v\n", err)
			return exitUsage
		}
	} else if len(srcs) == 0 {
		srcs = defaultSources
	}
	if len(lists) == 0 {
		if err := poll.Check(srcs); err != nil {
			fmt.Fprintf(e.stderr, "newsfeed: %v\n", err)
			return exitUsage
		}
	}
	if *c.workers < 1 || *c.batch < 1 {
		fmt.Fprintln(e.stderr, "newsfeed: ingest: -j and --batch must be at least 1")
		return exitUsage
	}
	if _, err := path.Match(*c.glob, ""); err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: ingest: --glob %q: %v\n", *c.glob, err)
		return exitUsage
	}
	if c.parse.url != "" && (len(srcs) != 1 || poll.IsURL(srcs[0])) {
		fmt.Fprintln(e.stderr, "newsfeed: ingest: --url labels one file; name exactly one")
		return exitUsage
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// A soft limit: the GC works harder near it rather than letting
		// garbage from big batches pile up. GOMEMLIMIT overrides it.
		debug.SetMemoryLimit(app.MemoryLimit)
	}
	s, code := openStore(ctx, e, "ingest", *c.db, store.Options{LockTimeout: *c.lockTimeout})
	if code >= 0 {
		return code
	}
	log := e.log
	if *c.verbose {
		log = e.verboseLog()
	}
	opts := app.Options{
		Workers: *c.workers, BatchSize: *c.batch, Glob: *c.glob,
		Site: c.parse.site, URL: c.parse.url, MaxBytes: c.parse.maxBytes,
		ContentType: c.parse.contentType, Profiles: profiles, ParseTimeout: c.parse.parseTimeout(),
		Lists: lists, Fetchers: c.fetch.fetchers,
		Stdin: e.stdin, Log: log,
		OnError: func(err error) { fmt.Fprintf(e.stderr, "newsfeed: ingest: %v\n", err) },
	}
	fetching := len(lists) > 0 || slices.ContainsFunc(srcs, poll.IsURL)
	if fetching {
		c.fetch.quiet = *c.quiet
		f := c.fetch.fetcher(c.sources, c.parse.maxBytes, e, *c.verbose)
		defer f.Close()
		opts.Fetcher, opts.State = f, s
	}
	var bar *progressbar.ProgressBar
	if !*c.quiet && !*c.verbose && isTerminal(e.stderr) {
		what, unit := "ingest", "pages"
		if fetching {
			what, unit = "fetch", "articles"
		}
		bar = progressbar.NewOptions(-1, progressbar.OptionSetWriter(e.stderr),
			progressbar.OptionSetDescription(what), progressbar.OptionShowCount(),
			progressbar.OptionShowIts(), progressbar.OptionSetItsString(unit),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		if fetching {
			opts.OnFetch = func() { bar.Add(1) }
		} else {
			opts.OnPage = func() { bar.Add(1) }
		}
		opts.OnError = func(err error) {
			bar.Clear()
			fmt.Fprintf(e.stderr, "newsfeed: ingest: %v\n", err)
		}
	}
	log.Debug("database open", slog.String("db", *c.db), slog.Int("workers", *c.workers))

	sum, err := app.Ingest(ctx, s, srcs, opts)
	if bar != nil {
		bar.Finish()
	}
	return c.end(ctx, e, s, err, ctx.Err() != nil, sum.OK(), sum)
}

// end closes s, prints the summary line (with --quiet only when
// something went wrong) and returns the exit status: 1 after err or when
// not ok, 128+n when interrupted by signal n, else 0.
func (c *ingestConfig) end(ctx context.Context, e *env, s *store.Store, err error, interrupted, ok bool,
	sum fmt.Stringer) int {
	code := closeStore(e, "ingest", s, runExit(ctx, e, "ingest", err, interrupted, ok))
	if !*c.quiet || code != exitOK {
		fmt.Fprintf(e.stderr, "newsfeed: ingest: %s\n", sum)
	}
	return code
}
