package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"newsfeed/feed"
	"newsfeed/store"
)

// defaultOut is where publish writes feeds unless --out says otherwise.
const defaultOut = "data/feeds"

// publishConfig is what publish needs besides the database: its flags.
type publishConfig struct {
	out, baseURL, title, site string
	limit                     int
	quiet, verbose            bool
}

// publishFlags adds publish's own flags to fs. Its filter is
// --only-site: --site labels the records that parse, ingest and run read.
func publishFlags(fs *flag.FlagSet) *publishConfig {
	c := &publishConfig{}
	fs.StringVar(&c.out, "out", defaultOut, "the folder feed files and index.html are written to")
	fs.StringVar(&c.baseURL, "base-url", feed.DefaultBaseURL,
		"the absolute URL the --out folder is served at: feeds' self links, and the page items without a URL link to")
	fs.IntVar(&c.limit, "limit", feed.DefaultLimit, "items per feed, newest first")
	fs.StringVar(&c.title, "title", feed.DefaultTitle, "the start of every feed's title")
	fs.StringVar(&c.site, "only-site", "", "publish only this site's records")
	return c
}

// runPublish writes every feed file and index.html from the database.
func runPublish(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "publish", "")
	dbPath, lockTimeout := dbFlags(fs)
	c := publishFlags(fs)
	fs.BoolVar(&c.quiet, "quiet", false, "print nothing but errors (for cron)")
	fs.BoolVar(&c.verbose, "v", false, "log each file written")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	return c.publish(ctx, e, *dbPath, *lockTimeout)
}

// publish opens the database, writes the feeds, prints the path of each
// file written on stdout and a summary on stderr (unless quiet), and
// returns the exit status. The database is opened for writing, so that
// the items rendered are kept in its item cache (see openForPublish).
func (c *publishConfig) publish(ctx context.Context, e *env, dbPath string, lockTimeout time.Duration) int {
	opts := feed.Options{BaseURL: c.baseURL, Limit: c.limit, Site: c.site, Title: c.title}
	if _, err := feed.NewBuilder(nil, opts); err != nil {
		fmt.Fprintf(e.stderr, "newsfeed: publish: %v\n", err)
		return exitUsage
	}
	s, code := openForPublish(ctx, e, dbPath, lockTimeout)
	if code >= 0 {
		return code
	}
	log := e.log
	if c.verbose {
		log = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	t0 := time.Now()
	res, err := feed.Publish(ctx, s, c.out, opts, log)
	for _, p := range res.Written {
		if !c.quiet {
			fmt.Fprintln(e.stdout, p)
		}
	}
	switch {
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		code = signalExit(ctx)
	case err != nil:
		fmt.Fprintf(e.stderr, "newsfeed: publish: %v\n", err)
		code = exitFailed
	default:
		code = exitOK
	}
	code = closeStore(e, "publish", s, code)
	if code == exitOK && !c.quiet {
		fmt.Fprintf(e.stderr, "newsfeed: publish: %d feeds, %d files written, %d unchanged in %s (%v); open %s\n",
			len(res.Feeds), len(res.Written), len(res.Unchanged), c.out,
			time.Since(t0).Round(time.Millisecond), filepath.Join(c.out, feed.IndexFile))
	}
	return code
}

// openForPublish opens the database for writing, waiting lockTimeout for
// another process's lock as ingest does, so that feed items are rendered
// once and then read from the store's item cache. It never creates a
// database: a missing or empty file is the same usage error as for a
// read-only open. A file this process may not write is opened read-only:
// items are then rendered every time and not kept.
func openForPublish(ctx context.Context, e *env, path string, lockTimeout time.Duration) (*store.Store, int) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fmt.Fprintf(e.stderr, "newsfeed: publish: %v at %s\n", store.ErrNoDatabase, path)
		return nil, exitUsage
	case err == nil && fi.Mode().IsRegular() && fi.Size() == 0:
		fmt.Fprintf(e.stderr, "newsfeed: publish: %v: %s is empty\n", store.ErrNoDatabase, path)
		return nil, exitUsage
	}
	opts := store.Options{LockTimeout: lockTimeout}
	if f, err := os.OpenFile(path, os.O_WRONLY, 0); errors.Is(err, fs.ErrPermission) {
		opts.ReadOnly = true
	} else if err == nil {
		f.Close()
	}
	return openStore(ctx, e, "publish", path, opts)
}
