package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"

	"newsfeed/app"
	"newsfeed/feed"
)

// runRun ingests the sources, then publishes every feed: the one command
// a crontab needs. With no SOURCE it runs every source of the sources
// file (newsfeed.toml, or --config), and with no sources file it reads
// seeds/. It takes ingest's flags and publish's --out, --base-url,
// --limit and --title (a sources file's out and base_url fill in the
// ones not given, and its [retention] and compact_above fill in
// --retention and --compact-above); --db, --lock-timeout, --quiet and -v
// apply to both.
// Publishing goes on when some inputs failed (the rest were stored); the
// exit status is the worse of the two. Between the two it applies
// --retention (see retention.go), so that feeds never list a record it
// deleted; after publishing it drops stale cached items and compacts past
// --compact-above. The run itself is app.Run.
func runRun(ctx context.Context, e *env, args []string) error {
	r, err := newRunSetup(e, args, nil)
	if err != nil {
		return err
	}
	return r.run(ctx, e)
}

// runSetup is a parsed `newsfeed run`: its configuration, built once,
// and how its output is printed.
type runSetup struct {
	cfg   app.Config
	in    *ingestConfig
	quiet bool
}

// newRunSetup parses run's flags from args and builds the run's
// configuration. preset, when set, is called with run's flag set before
// args are parsed, to set flags as if given first (serve --every sets
// --db and the feed flags so). A usage error is returned as an error;
// -h as errHelp.
func newRunSetup(e *env, args []string, preset func(fs *flag.FlagSet) error) (*runSetup, error) {
	fs := newFlagSet(e, "run", "[SOURCE...]  (default: the sources file, else seeds/)")
	in := ingestFlags(fs)
	pub := publishFlags(fs)
	mt := maintainFlags(fs)
	if preset != nil {
		if err := preset(fs); err != nil {
			return nil, err
		}
	}
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if err := mt.parse(); err != nil {
		return nil, err
	}
	if err := in.load(fs); err != nil {
		return nil, err
	}
	if sc := in.sources; sc != nil {
		if !in.set["out"] && sc.Out != "" {
			pub.out = relative(sc, sc.Out)
		}
		if !in.set["base-url"] && sc.BaseURL != "" {
			pub.baseURL = sc.BaseURL
		}
		mt.apply(sc, in.set)
	}
	pub.quiet, pub.verbose = *in.quiet, *in.verbose
	cfg, err := in.config(e, fs.Args())
	if err != nil {
		return nil, err
	}
	cfg.Publish = &app.Publish{
		Retention: mt.Retention, Out: pub.out, Log: pub.log(e),
		Feed:         feed.Options{BaseURL: pub.baseURL, Limit: pub.limit, Site: pub.site, Title: pub.title},
		CompactAbove: mt.compactAbove, CompactMin: mt.compactMin,
	}
	return &runSetup{cfg: cfg, in: in, quiet: *in.quiet}, nil
}

// run runs the run once and returns the statusCode it ends with (nil:
// exit status 0); each stage's error is printed as the stage ends.
func (r *runSetup) run(ctx context.Context, e *env) error {
	cfg := r.cfg
	p := r.in.printer(ctx, e, &cfg)
	app.Run(ctx, cfg)
	return status(p.code)
}

// runPrinter prints each stage of a run as it ends, and keeps the run's
// exit status.
type runPrinter struct {
	e     *env
	db    string
	quiet bool
	bar   *progressbar.ProgressBar
	ctx   context.Context
	code  int
}

// stage prints what a stage did and folds its exit status into the
// run's.
func (p *runPrinter) stage(st app.Stage) {
	ctx, e := p.ctx, p.e
	code := exitStatus(ctx, e, st.Name, st.Err)
	switch st.Name {
	case app.StageIngest:
		if p.bar != nil {
			p.bar.Finish()
		}
		if opened(st.Err) {
			if sum := st.Ingest; code == exitOK && sum.Interrupted {
				code = signalExit(ctx)
			}
			if !p.quiet || code != exitOK {
				fmt.Fprintf(e.stderr, "newsfeed: ingest: %s\n", st.Ingest)
			}
		}
	case app.StagePrune:
		if res := st.Pruned; res != nil && (code != exitOK || (!p.quiet && (res.Total() > 0 || res.Dropped > 0))) {
			fmt.Fprintf(e.stderr, "newsfeed: run: prune: %s\n", pruneSummary(*res, false))
		}
		if ctx.Err() != nil {
			code = max(code, signalExit(ctx))
		}
	case app.StagePublish:
		if res := st.Published; res != nil && !p.quiet {
			for _, path := range res.Written {
				fmt.Fprintln(e.stdout, path)
			}
			if code == exitOK {
				fmt.Fprintf(e.stderr, "newsfeed: publish: %d feeds, %d files written, %d unchanged in %s (%v); open %s\n",
					len(res.Feeds), len(res.Written), len(res.Unchanged), res.Dir,
					st.Took.Round(time.Millisecond), filepath.Join(res.Dir, feed.IndexFile))
			}
		}
	case app.StageCompact:
		if res := st.Compacted; code == exitOK && !p.quiet {
			fmt.Fprintf(e.stderr, "newsfeed: compact: %s: %s before, %s after (%v)\n",
				p.db, humanBytes(res.Before), humanBytes(res.After), res.Took.Round(time.Millisecond))
		}
	}
	p.code = max(p.code, code)
}

// opened reports whether err leaves a stage that ran: the database was
// opened for it.
func opened(err error) bool {
	var se *app.StageError
	return !errors.As(err, &se) || se.Op != app.OpOpen
}
