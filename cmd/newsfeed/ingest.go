package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/schollz/progressbar/v3"

	"newsfeed/app"
	"newsfeed/config"
	"newsfeed/fetch"
	"newsfeed/parse"
	"newsfeed/poll"
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
	sources *config.Config
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
func runIngest(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "ingest", "[SOURCE...]  (files, folders, -, URLs, @FILE; default: the sources file, else seeds/)\n"+
		"       newsfeed ingest --from-nats URL [--follow] [--db F]")
	c := ingestFlags(fs)
	fromNATS := fs.String("from-nats", "", "apply the NATS records stream at this URL instead of reading sources")
	follow := fs.Bool("follow", false, "with --from-nats: keep applying new records until SIGINT or SIGTERM")
	nc := addNATSFlags(fs)
	err := parseFlags(fs, args)
	if err == nil {
		err = c.load(fs)
	}
	switch {
	case err != nil:
		return err
	case *fromNATS != "" && fs.NArg() > 0:
		return usagef("ingest: --from-nats reads the stream, not sources %q", fs.Args())
	case *follow && *fromNATS == "":
		return usagef("ingest: --follow needs --from-nats")
	case *fromNATS != "" && *c.batch < 1:
		return usagef("ingest: --batch must be at least 1")
	case *fromNATS != "":
		return c.ingestFromNATS(ctx, e, nc, *fromNATS, *follow)
	}
	return c.ingest(ctx, e, fs.Args())
}

// load reads the sources file, if any, and fills in the flags not given
// from it.
func (c *ingestConfig) load(fs *flag.FlagSet) error {
	c.set = setFlags(fs)
	sc, err := sourcesFile(c.set, c.parse, c.fetch)
	c.sources = sc
	if sc != nil && !c.set["db"] && sc.DB != "" {
		*c.db = relative(sc, sc.DB)
	}
	return err
}

// sourcesFile reads the sources file, if any, and fills in the parse
// and fetch flags not given on the command line (set) from it. It
// returns the file (nil: none); an error is a usageError.
func sourcesFile(set map[string]bool, pc *parseConfig, fc *fetchConfig) (*config.Config, error) {
	sc, err := fc.loadSources()
	if err != nil {
		return nil, usagef("%v", err)
	}
	if err := fc.check(); err != nil {
		return nil, usagef("%v", err)
	}
	if sc == nil {
		return nil, nil
	}
	fc.apply(sc, set)
	if !set["profiles"] && sc.Profiles != "" {
		pc.profiles = relative(sc, sc.Profiles)
	}
	if !set["max-bytes"] && sc.MaxBytes > 0 {
		pc.maxBytes = sc.MaxBytes
	}
	return sc, nil
}

// sourceLists returns the sources file's sources, each with its own
// profiles, or an error naming the file and line of the first that
// cannot run.
func sourceLists(sc *config.Config, profiles *parse.Profiles) ([]poll.ListSource, error) {
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
// lists, or of seeds/ — and returns the statusCode it ends with (nil:
// exit status 0); each stage's error is printed as the stage ends.
func (c *ingestConfig) ingest(ctx context.Context, e *env, srcs []string) error {
	cfg, err := c.config(e, srcs)
	if err != nil {
		return err
	}
	cfg.Ingest.Log.Debug("database open", slog.String("db", *c.db), slog.Int("workers", *c.workers))
	p := c.printer(ctx, e, &cfg)
	app.Run(ctx, cfg)
	return status(p.code)
}

// end closes s after a run of ingest --from-nats, prints the summary line
// (with --quiet only when something went wrong) after err, printed
// first, and returns the statusCode to end with: 1 after err or when not
// ok, 128+n when interrupted by signal n, else nil (0).
func (c *ingestConfig) end(ctx context.Context, e *env, s *store.Store, err error, interrupted, ok bool,
	sum fmt.Stringer) error {
	if err != nil {
		err = &app.StageError{Stage: app.StageIngest, Err: err}
	} else if !ok && !interrupted {
		err = app.ErrInputsFailed
	}
	if cerr := s.Close(); cerr != nil {
		err = errors.Join(err, &app.StageError{Stage: app.StageIngest, Op: app.OpClose, Err: cerr})
	}
	code := exitStatus(ctx, e, "ingest", err)
	if code == exitOK && interrupted {
		code = signalExit(ctx)
	}
	if !*c.quiet || code != exitOK {
		fmt.Fprintf(e.stderr, "newsfeed: ingest: %s\n", sum)
	}
	return status(code)
}

// config builds the run's configuration from the flags and the sources
// (none: the sources file's lists, else seeds/). A source list or flag
// it refuses is a usageError.
func (c *ingestConfig) config(e *env, srcs []string) (app.Config, error) {
	srcs, err := poll.Expand(srcs)
	if err != nil {
		return app.Config{}, usagef("%v", err)
	}
	profiles, err := c.parse.loadProfiles()
	if err != nil {
		return app.Config{}, usagef("%v", err)
	}
	var lists []poll.ListSource
	if len(srcs) == 0 && c.sources != nil {
		if lists, err = sourceLists(c.sources, profiles); err != nil {
			return app.Config{}, usagef("%v", err)
		}
	} else if len(srcs) == 0 {
		srcs = defaultSources
	}
	if len(lists) == 0 {
		if err := poll.Check(srcs); err != nil {
			return app.Config{}, usagef("%v", err)
		}
	}
	if *c.workers < 1 || *c.batch < 1 {
		return app.Config{}, usagef("ingest: -j and --batch must be at least 1")
	}
	if _, err := path.Match(*c.glob, ""); err != nil {
		return app.Config{}, usagef("ingest: --glob %q: %v", *c.glob, err)
	}
	if c.parse.url != "" && (len(srcs) != 1 || poll.IsURL(srcs[0])) {
		return app.Config{}, usagef("ingest: --url labels one file; name exactly one")
	}
	log := e.log
	if *c.verbose {
		log = e.verboseLog()
	}
	cfg := app.Config{
		Sources: srcs, DB: *c.db, LockTimeout: *c.lockTimeout,
		Ingest: app.Options{
			Workers: *c.workers, BatchSize: *c.batch, Glob: *c.glob,
			Site: c.parse.site, URL: c.parse.url, MaxBytes: c.parse.maxBytes,
			ContentType: c.parse.contentType, Profiles: profiles, ParseTimeout: c.parse.parseTimeout(),
			Lists: lists, Fetchers: c.fetch.fetchers,
			Stdin: e.stdin, Log: log,
			OnError: func(err error) { fmt.Fprintf(e.stderr, "newsfeed: ingest: %v\n", err) },
		},
	}
	if cfg.Fetches() {
		c.fetch.quiet = *c.quiet
		cfg.NewFetcher = func() *fetch.Fetcher { return c.fetch.fetcher(c.sources, c.parse.maxBytes, e, *c.verbose) }
	}
	return cfg, nil
}

// printer returns the printer of a run of cfg, and gives cfg a progress
// bar on a terminal (unless --quiet or -v).
func (c *ingestConfig) printer(ctx context.Context, e *env, cfg *app.Config) *runPrinter {
	if os.Getenv("GOMEMLIMIT") == "" {
		// A soft limit: the GC works harder near it rather than letting
		// garbage from big batches pile up. GOMEMLIMIT overrides it.
		debug.SetMemoryLimit(app.MemoryLimit)
	}
	p := &runPrinter{ctx: ctx, e: e, quiet: *c.quiet, db: cfg.DB}
	cfg.OnStage = p.stage
	if *c.quiet || *c.verbose || !isTerminal(e.stderr) {
		return p
	}
	what, unit := "ingest", "pages"
	if cfg.Fetches() {
		what, unit = "fetch", "articles"
	}
	bar := progressbar.NewOptions(-1, progressbar.OptionSetWriter(e.stderr),
		progressbar.OptionSetDescription(what), progressbar.OptionShowCount(),
		progressbar.OptionShowIts(), progressbar.OptionSetItsString(unit),
		progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
	if cfg.Fetches() {
		cfg.Ingest.OnFetch = func() { bar.Add(1) }
	} else {
		cfg.Ingest.OnPage = func() { bar.Add(1) }
	}
	cfg.Ingest.OnError = func(err error) {
		bar.Clear()
		fmt.Fprintf(e.stderr, "newsfeed: ingest: %v\n", err)
	}
	p.bar = bar
	return p
}
