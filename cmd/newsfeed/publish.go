package main

import (
	"context"
	"flag"
	"log/slog"
	"time"

	"newsfeed/app"
	"newsfeed/feed"
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

// runPublish writes every feed file and index.html from the database
// (app.WriteFeeds), prints the path of each file written on stdout and a
// summary on stderr (unless quiet).
func runPublish(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "publish", "")
	dbPath, lockTimeout := dbFlags(fs)
	c := publishFlags(fs)
	fs.BoolVar(&c.quiet, "quiet", false, "print nothing but errors (for cron)")
	fs.BoolVar(&c.verbose, "v", false, "log each file written")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return badUsage(fs)
	}
	cfg := app.Config{DB: *dbPath, LockTimeout: *lockTimeout, Publish: &app.Publish{
		Out: c.out, Log: c.log(e), Feed: feed.Options{BaseURL: c.baseURL, Limit: c.limit, Site: c.site, Title: c.title},
	}}
	p := &runPrinter{ctx: ctx, e: e, quiet: c.quiet, db: *dbPath}
	t0 := time.Now()
	res, err := app.WriteFeeds(ctx, cfg)
	p.stage(app.Stage{Name: app.StagePublish, Err: err, Published: res, Took: time.Since(t0)})
	return status(p.code)
}

// log is the feed writer's logger: with -v, a line per file written.
func (c *publishConfig) log(e *env) *slog.Logger {
	if c.verbose {
		return e.verboseLog()
	}
	return e.log
}
